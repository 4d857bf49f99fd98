//! 结算对账单 (A3, K §3.6.4): a store (Tab) and a month ([ and ]); the month's days in a
//! calendar grid, the days with a statement bold and underlined, the others dim and not
//! choosable; ←→ move between the days that have one, Enter writes that day's statement in the
//! background (progress, Esc cancels, a row in 下载中心); m the month's, once the month is
//! closed («次月初生成» before).

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::clock::{date_from_ymd, date_of_ms, ymd};
use crate::service::exports;
use crate::service::statements::{self, Period};
use crate::ui::keymap;
use crate::ui::text::recon as tr;
use crate::ui::text::{Lang, T};
use crate::ui::theme;

use super::{Cx, Nav, Outcome, Screen, View};

pub struct Statements {
    stores: Vec<(String, String)>,
    store: usize,
    /// `YYYYMM`.
    month: i32,
    /// `YYYYMM` of today: a month before it is closed.
    this_month: i32,
    days: Vec<i32>,
    day: usize,
}

fn shift(month: i32, by: i32) -> i32 {
    let n = month / 100 * 12 + month % 100 - 1 + by;
    n / 12 * 100 + n % 12 + 1
}

impl Statements {
    pub fn open(cx: &mut Cx) -> Outcome {
        let stores = match statements::stores(cx.env, cx.session) {
            Ok(s) => s,
            Err(e) => return Outcome::error(cx.error_text(&e, |f| f.to_string())),
        };
        let this_month = ymd(date_of_ms(cx.now_ms())) / 100;
        let mut s = Statements {
            stores,
            store: 0,
            month: this_month,
            this_month,
            days: Vec::new(),
            day: 0,
        };
        let o = s.load(cx);
        if o.message.is_some() {
            return o;
        }
        Outcome::nav(Nav::Push(Box::new(s)))
    }

    fn load(&mut self, cx: &mut Cx) -> Outcome {
        let Some((no, _)) = self.stores.get(self.store) else {
            return Outcome::none();
        };
        match statements::days_with_statement(cx.env, cx.session, no, self.month) {
            Ok(d) => {
                self.days = d;
                self.day = self.days.len().saturating_sub(1);
                Outcome::none()
            }
            Err(e) => Outcome::error(cx.error_text(&e, |f| f.to_string())),
        }
    }

    fn produce(&self, cx: &mut Cx, period: Period) -> Outcome {
        let Some((no, _)) = self.stores.get(self.store) else {
            return Outcome::none();
        };
        // In the background like every export: progress, cancel, a row in 下载中心, which
        // can start it again.
        let no = no.clone();
        let lang = cx.lang;
        let recipe: exports::Rerun = std::sync::Arc::new(move |env, session, _| {
            statements::start_export(env, session, &no, period, lang)
        });
        let now = cx.now_ms();
        let result = exports::start_remembered(cx.env, cx.session, now, recipe);
        super::downloads::started(cx, result)
    }
}

impl Screen for Statements {
    fn title(&self) -> T {
        tr::SCR_STATEMENTS
    }

    fn help(&self, lang: Lang) -> Vec<(String, String)> {
        tr::key_lines(tr::ST_KEYS, lang)
    }

    fn handle_key(&mut self, k: &KeyEvent, cx: &mut Cx) -> Outcome {
        match k.code {
            _ if keymap::is_back(k) => Outcome::nav(Nav::Pop),
            KeyCode::Tab if !self.stores.is_empty() => {
                self.store = (self.store + 1) % self.stores.len();
                self.load(cx)
            }
            KeyCode::Char('[') => {
                self.month = shift(self.month, -1);
                self.load(cx)
            }
            KeyCode::Char(']') if self.month < self.this_month => {
                self.month = shift(self.month, 1);
                self.load(cx)
            }
            KeyCode::Left => {
                self.day = self.day.saturating_sub(1);
                Outcome::none()
            }
            KeyCode::Right => {
                if self.day + 1 < self.days.len() {
                    self.day += 1;
                }
                Outcome::none()
            }
            KeyCode::Enter => match self.days.get(self.day) {
                Some(d) => self.produce(cx, Period::Day(*d)),
                None => Outcome::error(tr::ST_NO_DAYS.get(cx.lang).into()),
            },
            KeyCode::Char('m') if self.month < self.this_month => {
                self.produce(cx, Period::Month(self.month))
            }
            KeyCode::Char('m') => Outcome::error(tr::ST_NOT_CLOSED.get(cx.lang).into()),
            _ => Outcome::none(),
        }
    }

    fn refresh(&mut self, cx: &mut Cx) -> Outcome {
        self.load(cx)
    }

    fn draw(&self, f: &mut Frame, area: Rect, view: &View) -> Option<Position> {
        let lang = view.lang;
        let (no, name) = self.stores.get(self.store).cloned().unwrap_or_default();
        let mut lines = vec![
            Line::from(vec![
                Span::styled(format!("{}: ", tr::ST_STORE.get(lang)), theme::label()),
                Span::raw(format!("{name} {no}")),
            ]),
            Line::from(vec![
                Span::styled(format!("{}: ", tr::ST_MONTH.get(lang)), theme::label()),
                Span::styled(
                    format!("{:04}-{:02}", self.month / 100, self.month % 100),
                    theme::header(),
                ),
            ]),
            Line::from(""),
            Line::from(Span::styled(tr::ST_DAY.get(lang), theme::label())),
            // One column in, over the days (each day has its marker column before it).
            Line::from(vec![
                Span::raw(" "),
                Span::styled(tr::ST_WEEKDAYS.get(lang), theme::header()),
            ]),
        ];
        let mut cursor = None;
        if let Some(first) = date_from_ymd(self.month * 100 + 1) {
            let lead = first.weekday().to_monday_zero_offset() as usize;
            let last = first.last_of_month().day() as usize;
            let mut spans: Vec<Span> = vec![Span::raw("    ".repeat(lead))];
            for d in 1..=last {
                let v = self.month * 100 + d as i32;
                let has = self.days.contains(&v);
                let chosen = self.days.get(self.day) == Some(&v);
                // A day with a statement is bold and underlined, the chosen one selected too
                // (and marked `›`, which every theme shows, NO_COLOR's included).
                let mark = Style::default().add_modifier(Modifier::BOLD | Modifier::UNDERLINED);
                let style = match (chosen, has) {
                    (true, true) => theme::selected().patch(mark),
                    (true, false) => theme::selected(),
                    (false, true) => mark,
                    (false, false) => theme::dim(),
                };
                if chosen {
                    cursor = Some(((lead + d - 1) % 7, lines.len() + (lead + d - 1) / 7));
                }
                spans.push(Span::raw(if chosen { "›" } else { " " }));
                spans.push(Span::styled(format!("{d:>2}"), style));
                spans.push(Span::raw(" "));
                if (lead + d).is_multiple_of(7) || d == last {
                    lines.push(Line::from(std::mem::take(&mut spans)));
                }
            }
        }
        lines.push(Line::from(""));
        if self.days.is_empty() {
            lines.push(Line::from(Span::styled(
                tr::ST_NO_DAYS.get(lang),
                theme::dim(),
            )));
        }
        lines.push(Line::from(Span::styled(
            if self.month < self.this_month {
                tr::ST_MONTHLY.get(lang)
            } else {
                tr::ST_NOT_CLOSED.get(lang)
            },
            if self.month < self.this_month {
                theme::label()
            } else {
                theme::dim()
            },
        )));
        f.render_widget(Paragraph::new(lines), area);
        cursor.map(|(x, y)| Position::new(area.x + (x * 4) as u16 + 1, area.y + y as u16))
    }
}
