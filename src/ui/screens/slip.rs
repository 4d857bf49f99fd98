//! Reprinting the sales slip 签购单 (T4): the slip as the POS prints it, marked as a reprint,
//! the merchant copy or the cardholder copy on screen, both saved to a text file.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Position, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

use crate::clock::format_ms;
use crate::domain::money::format_fen;
use crate::service::slip::{self, SlipError, SlipFacts};
use crate::ui::action::Action;
use crate::ui::keymap;
use crate::ui::keymap::{ch, help_lines, key, lookup, Binding};
use crate::ui::text::{self, query as q, t, Lang, T};
use crate::ui::theme;

use super::{Cx, Nav, Outcome, Screen, View};

/// The paper is 42 columns wide (a Chinese character takes two).
pub const SLIP_WIDTH: usize = 42;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    Copy,
    Save,
    /// One of the shared vocabulary's actions (moving in a list, Back).
    Shared(Action),
}

const KEYS: &[Binding<Act>] = &[
    Binding {
        keys: &[ch('s'), key(KeyCode::Enter)],
        action: Act::Save,
        help: q::KEY_SAVE_SLIP,
    },
    Binding {
        keys: &[key(KeyCode::Tab), ch('c')],
        action: Act::Copy,
        help: q::KEY_COPY,
    },
    Binding {
        keys: keymap::keys(Action::Up),
        action: Act::Shared(Action::Up),
        help: t::KEY_MOVE,
    },
    Binding {
        keys: keymap::SCROLL_DOWN,
        action: Act::Shared(Action::Down),
        help: t::KEY_MOVE,
    },
    Binding {
        keys: keymap::keys(Action::Back),
        action: Act::Shared(Action::Back),
        help: t::KEY_BACK,
    },
];

/// "商户名称(MERCHANT NAME)" — a slip prints both languages.
fn both(t: T) -> String {
    format!("{}({})", t.0, t.1)
}

fn centered(s: &str) -> String {
    let pad = SLIP_WIDTH.saturating_sub(s.width()) / 2;
    format!("{}{s}", " ".repeat(pad))
}

/// A label and its value on one line when they fit, else the value indented on the next.
fn field(out: &mut Vec<String>, label: T, value: &str) {
    let l = format!("{}:", both(label));
    if l.width() + 1 + value.width() <= SLIP_WIDTH {
        out.push(format!("{l} {value}"));
    } else {
        out.push(l);
        out.push(format!("  {value}"));
    }
}

/// The lines of one copy of the slip.
pub fn slip_lines(facts: &SlipFacts, cardholder_copy: bool) -> Vec<String> {
    let r = &facts.txn;
    let rule = "-".repeat(SLIP_WIDTH);
    let mut out = vec![centered(q::SLIP_TITLE.0), centered(q::SLIP_TITLE.1)];
    let copy = if cardholder_copy {
        q::SLIP_CARDHOLDER_COPY
    } else {
        q::SLIP_MERCHANT_COPY
    };
    let left = format!("{} {}", copy.0, copy.1);
    let right = format!("{} {}", q::SLIP_REPRINT.0, q::SLIP_REPRINT.1);
    let gap = SLIP_WIDTH
        .saturating_sub(left.width() + right.width())
        .max(1);
    out.push(format!("{left}{}{right}", " ".repeat(gap)));
    out.push(rule.clone());
    field(&mut out, q::SLIP_MERCHANT_NAME, &r.merchant_name);
    field(&mut out, q::SLIP_MERCHANT_NO, &r.merchant_no);
    field(&mut out, q::SLIP_TERMINAL, &r.terminal_no);
    field(&mut out, q::SLIP_OPERATOR, &r.pos_operator);
    out.push(rule.clone());
    field(&mut out, q::SLIP_CARD, &r.card_masked);
    field(&mut out, q::SLIP_ISSUER, &r.bank_name);
    let acquirer = if facts.acquirer.is_empty() {
        both(q::SLIP_ACQUIRER_DEFAULT)
    } else {
        facts.acquirer.clone()
    };
    field(&mut out, q::SLIP_ACQUIRER, &acquirer);
    let ty = text::txn_type(&r.txn_type);
    field(
        &mut out,
        q::SLIP_TYPE,
        &format!("{} {}", ty.0, ty.1.to_uppercase()),
    );
    field(&mut out, q::SLIP_BATCH, &r.batch_no);
    field(&mut out, q::SLIP_VOUCHER, &r.voucher_no);
    field(&mut out, q::SLIP_AUTH, &r.auth_code);
    field(&mut out, q::SLIP_REF, &r.rrn);
    field(
        &mut out,
        q::SLIP_DATETIME,
        &format_ms(r.txn_ms).replace('-', "/"),
    );
    // Voids and refunds give money back: the slip prints them negative.
    let sign = if !r.txn_type.is_credit_to_merchant() {
        "-"
    } else {
        ""
    };
    field(
        &mut out,
        q::SLIP_AMOUNT,
        &format!("RMB {sign}{}", format_fen(r.amount_fen)),
    );
    out.push(rule.clone());
    out.push(centered(&format!(
        "*** {} {} ***",
        q::SLIP_REPRINT.0,
        q::SLIP_REPRINT.1
    )));
    if !cardholder_copy {
        out.push(format!("{}:", both(q::SLIP_SIGNATURE)));
        out.push(String::new());
        out.push(String::new());
        out.push("_".repeat(SLIP_WIDTH));
    }
    out.push(q::SLIP_ACK.0.to_string());
    // The English acknowledgement wraps at the paper's edge.
    let mut line = String::new();
    for word in q::SLIP_ACK.1.split(' ') {
        if !line.is_empty() && line.len() + 1 + word.len() > SLIP_WIDTH {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push(line);
    out
}

/// Both copies, as the file holds them.
pub fn slip_file_text(facts: &SlipFacts) -> String {
    let mut s = String::new();
    for copy in [false, true] {
        for l in slip_lines(facts, copy) {
            s.push_str(l.trim_end());
            s.push('\n');
        }
        if !copy {
            s.push_str(&format!("\n{}\n\n", "- ".repeat(SLIP_WIDTH / 2)));
        }
    }
    s
}

pub struct SlipScreen {
    facts: SlipFacts,
    cardholder_copy: bool,
    scroll: u16,
}

/// A refusal of the slip in words.
pub fn slip_error(cx: &Cx, e: &SlipError) -> String {
    match e {
        SlipError::Today => q::SLIP_TODAY.get(cx.lang).into(),
        SlipError::NotCaptured => q::SLIP_NOT_CAPTURED.get(cx.lang).into(),
        SlipError::Service(e) => cx.error_text(e, |k| k.to_string()),
    }
}

impl SlipScreen {
    pub fn open(cx: &mut Cx, txn_id: i64) -> Outcome {
        match slip::reprint(cx.env, cx.session, txn_id) {
            Ok(facts) => Outcome::nav(Nav::Push(Box::new(SlipScreen {
                facts,
                cardholder_copy: false,
                scroll: 0,
            }))),
            Err(e) => Outcome::error(slip_error(cx, &e)),
        }
    }
}

impl Screen for SlipScreen {
    fn title(&self) -> T {
        q::SCR_SLIP
    }

    fn help(&self, lang: Lang) -> Vec<(String, String)> {
        help_lines(KEYS, lang)
    }

    fn handle_key(&mut self, k: &KeyEvent, cx: &mut Cx) -> Outcome {
        match lookup(KEYS, k) {
            Some(Act::Copy) => {
                self.cardholder_copy = !self.cardholder_copy;
                self.scroll = 0;
            }
            Some(Act::Save) => {
                let text = slip_file_text(&self.facts);
                return match slip::save(cx.env, cx.session, self.facts.txn.id, &text) {
                    Ok(path) => Outcome::ok(
                        q::SLIP_SAVED
                            .get(cx.lang)
                            .replace("{path}", &path.display().to_string()),
                    ),
                    Err(e) => Outcome::error(
                        q::SLIP_SAVE_FAILED
                            .get(cx.lang)
                            .replace("{e}", &slip_error(cx, &e)),
                    ),
                };
            }
            Some(Act::Shared(Action::Up)) => self.scroll = self.scroll.saturating_sub(1),
            Some(Act::Shared(Action::Down)) => self.scroll = (self.scroll + 1).min(30),
            Some(Act::Shared(Action::Back)) => return Outcome::nav(Nav::Pop),
            Some(Act::Shared(_)) | None => {}
        }
        Outcome::none()
    }

    fn draw(&self, f: &mut Frame, area: Rect, _v: &View) -> Option<Position> {
        let lines: Vec<Line> = slip_lines(&self.facts, self.cardholder_copy)
            .into_iter()
            .map(Line::from)
            .collect();
        let w = (SLIP_WIDTH as u16 + 4).min(area.width);
        let x = area.x + (area.width - w) / 2;
        let rect = Rect::new(x, area.y, w, area.height);
        let block = Block::default()
            .borders(Borders::LEFT | Borders::RIGHT | Borders::TOP)
            .border_style(theme::dim());
        f.render_widget(
            Paragraph::new(lines)
                .block(block.padding(ratatui::widgets::Padding::horizontal(1)))
                .scroll((self.scroll, 0)),
            rect,
        );
        None
    }
}
