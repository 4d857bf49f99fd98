//! 日终结算: an administrator runs the daily settlement for a date (default today) from the
//! screen; the same run as `merchant-desk settle`.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Position, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

use crate::clock::{date_of_ms, format_ymd};
use crate::domain::money::format_fen;
use crate::service::{settlement, ServiceError};
use crate::ui::keymap;
use crate::ui::text::review as tr;
use crate::ui::text::{self, t, Lang, T};
use crate::ui::theme;
use crate::ui::widgets::form::{Field, Form};

use super::{Cx, Nav, Outcome, Screen, View};

pub struct SettleRun {
    form: Form,
    /// What the run will do, shown and asked before it runs.
    confirm: Option<settlement::SettlePreview>,
}

impl SettleRun {
    pub fn open(cx: &mut Cx) -> Outcome {
        let mut form = Form::new(vec![Field::text("date", tr::SETTLE_DATE)]);
        form.fit_labels(cx.lang);
        form.set_value(
            "date",
            &date_of_ms(cx.now_ms()).strftime("%Y-%m-%d").to_string(),
        );
        Outcome::nav(Nav::Push(Box::new(SettleRun {
            form,
            confirm: None,
        })))
    }
}

impl Screen for SettleRun {
    fn title(&self) -> T {
        tr::SCR_SETTLE
    }

    fn help(&self, lang: Lang) -> Vec<(String, String)> {
        vec![
            ("Enter".into(), tr::SCR_SETTLE.get(lang).into()),
            ("Esc".into(), t::KEY_BACK.get(lang).into()),
        ]
    }

    fn editing_text(&self) -> bool {
        true
    }

    fn handle_key(&mut self, k: &KeyEvent, cx: &mut Cx) -> Outcome {
        let lang = cx.lang;
        if self.confirm.is_some() {
            // Asked: Enter runs, anything else leaves the date as it was.
            if k.code != KeyCode::Enter {
                self.confirm = None;
                return Outcome::none();
            }
            self.confirm = None;
        } else if k.code == KeyCode::Enter {
            return match settlement::preview_by_operator(
                cx.env,
                cx.session,
                &self.form.value("date"),
            ) {
                Ok(p) => {
                    self.form.clear_marks();
                    self.confirm = Some(p);
                    Outcome::none()
                }
                Err(e) => {
                    if let ServiceError::Invalid { field, problem } = &e {
                        self.form.mark(field, text::field_problem(problem, lang));
                    }
                    Outcome::error(cx.error_text(&e, |k| self.form.label_of(k, lang)))
                }
            };
        }
        match k.code {
            _ if keymap::is_back(k) => Outcome::nav(Nav::Pop),
            KeyCode::Enter => {
                match settlement::run_by_operator(cx.env, cx.session, &self.form.value("date")) {
                    Ok(r) => Outcome::ok(
                        tr::SETTLED
                            .get(lang)
                            .replace("{date}", &format_ymd(r.settle_date))
                            .replace("{m}", &r.merchants_settled.to_string())
                            .replace("{n}", &r.txn_count.to_string())
                            .replace("{net}", &format_fen(r.net_fen))
                            .replace("{r}", &r.refunds_cleared.to_string())
                            .replace("{rf}", &format_fen(r.refunds_cleared_fen))
                            .replace("{w}", &r.refunds_waiting.to_string())
                            + &crate::ui::text::money_out::settled_more(&r, lang),
                    ),
                    Err(e) => {
                        if let ServiceError::Invalid { field, problem } = &e {
                            self.form.mark(field, text::field_problem(problem, lang));
                        }
                        Outcome::error(cx.error_text(&e, |k| self.form.label_of(k, lang)))
                    }
                }
            }
            _ => {
                self.form.input(k);
                Outcome::none()
            }
        }
    }

    fn draw(&self, f: &mut Frame, area: Rect, v: &View) -> Option<Position> {
        let block = Block::default()
            .borders(Borders::ALL)
            .title(format!(" {} ", tr::SCR_SETTLE.get(v.lang)));
        let inner = block.inner(area);
        f.render_widget(block, area);
        f.render_widget(
            Paragraph::new(Span::styled(tr::SETTLE_HINT.get(v.lang), theme::dim())),
            Rect::new(inner.x + 1, inner.y, inner.width.saturating_sub(2), 1),
        );
        let cursor = self.form.draw(
            f,
            Rect::new(inner.x + 1, inner.y + 2, inner.width.saturating_sub(2), 2),
            v.lang,
            true,
        );
        let Some(p) = &self.confirm else {
            return cursor;
        };
        let lang = v.lang;
        let lines = [
            tr::SETTLE_WILL
                .get(lang)
                .replace("{date}", &format_ymd(p.settle_date))
                .replace("{m}", &p.merchants.to_string())
                .replace("{n}", &p.txn_count.to_string())
                .replace("{net}", &format_fen(p.net_fen)),
            {
                let mut l = tr::SETTLE_REFUNDS
                    .get(lang)
                    .replace("{r}", &p.refunds_to_clear.to_string())
                    .replace("{rf}", &format_fen(p.refunds_to_clear_fen));
                if p.already_settled > 0 {
                    l.push_str(
                        &tr::SETTLE_SKIPS
                            .get(lang)
                            .replace("{k}", &p.already_settled.to_string()),
                    );
                }
                l
            },
            tr::SETTLE_ASK.get(lang).to_string(),
        ];
        let w = lines
            .iter()
            .map(|l| unicode_width::UnicodeWidthStr::width(l.as_str()))
            .max()
            .unwrap_or(20) as u16
            + 4;
        let rect = crate::ui::widgets::popup::centered(area, w, 5);
        let inner = crate::ui::widgets::popup::boxed(f, rect, tr::SCR_SETTLE.get(lang));
        for (i, l) in lines.iter().enumerate() {
            f.render_widget(
                Paragraph::new(l.as_str()),
                Rect::new(
                    inner.x + 1,
                    inner.y + i as u16,
                    inner.width.saturating_sub(2),
                    1,
                ),
            );
        }
        Some(Position::new(inner.x + 1, inner.y + 2))
    }
}
