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
}

impl SettleRun {
    pub fn open(cx: &mut Cx) -> Outcome {
        let mut form = Form::new(vec![Field::text("date", tr::SETTLE_DATE)]);
        form.fit_labels(cx.lang);
        form.set_value(
            "date",
            &date_of_ms(cx.now_ms()).strftime("%Y-%m-%d").to_string(),
        );
        Outcome::nav(Nav::Push(Box::new(SettleRun { form })))
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
        self.form.draw(
            f,
            Rect::new(inner.x + 1, inner.y + 2, inner.width.saturating_sub(2), 2),
            v.lang,
            true,
        )
    }
}
