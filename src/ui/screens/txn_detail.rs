//! The detail of one transaction (T3), and from it the reprint of its sales slip (T4, F8).

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

use crate::clock::{format_ms, format_ymd};
use crate::domain::money::format_fen;
use crate::service::txn_query;
use crate::service::views::TxnRow;
use crate::service::ServiceResult;
use crate::ui::keymap;
use crate::ui::text::{self, t, Lang, T};
use crate::ui::theme;

use super::slip::SlipScreen;
use super::{Cx, Nav, Outcome, Screen, View};

pub struct TxnDetail {
    row: TxnRow,
    scroll: u16,
}

impl TxnDetail {
    pub fn open(cx: &mut Cx, id: i64) -> ServiceResult<TxnDetail> {
        let row = txn_query::detail(cx.env, cx.session, id)?;
        Ok(TxnDetail { row, scroll: 0 })
    }

    fn lines(&self, lang: Lang) -> Vec<(T, String)> {
        let r = &self.row;
        let bank = if lang == Lang::Zh {
            &r.bank_name
        } else {
            &r.bank_name_en
        };
        vec![
            (t::MERCHANT_NAME, r.merchant_name.clone()),
            (t::MERCHANT_NO, r.merchant_no.clone()),
            (t::TERMINAL, r.terminal_no.clone()),
            (t::POS_OPERATOR, r.pos_operator.clone()),
            (t::COL_TIME, format_ms(r.txn_ms)),
            (t::TXN_TYPE, text::txn_type(&r.txn_type).get(lang).into()),
            (t::TXN_STATUS, text::txn_status(&r.status).get(lang).into()),
            (t::TXN_AMOUNT, format_fen(r.amount_fen)),
            (t::FEE, format_fen(r.fee_fen)),
            (t::REFUNDED, format_fen(r.refunded_fen)),
            (t::COL_CARD, r.card_masked.clone()),
            (t::COL_ORG, text::card_org(&r.card_org).get(lang).into()),
            (t::CARD_TYPE, text::card_type(&r.card_type).get(lang).into()),
            (t::ISSUER, bank.clone()),
            (t::BATCH_NO, r.batch_no.clone()),
            (t::VOUCHER_NO, r.voucher_no.clone()),
            (t::RRN, r.rrn.clone()),
            (t::AUTH_CODE, r.auth_code.clone()),
            (t::TRADE_DATE, format_ymd(r.trade_date)),
            (
                t::SETTLE_DATE,
                r.settle_date
                    .map(format_ymd)
                    .unwrap_or_else(|| t::NOT_SETTLED.get(lang).into()),
            ),
            (t::ORDER_NO, r.order_no.clone().unwrap_or_default()),
        ]
    }
}

impl Screen for TxnDetail {
    fn title(&self) -> T {
        t::SCR_TXN_DETAIL
    }

    fn help(&self, lang: Lang) -> Vec<(String, String)> {
        vec![
            (
                "F8/r".into(),
                crate::ui::text::query::KEY_REPRINT.get(lang).into(),
            ),
            (
                "t".into(),
                crate::ui::text::review::KEY_REFUND_THIS.get(lang).into(),
            ),
            ("Esc".into(), t::KEY_BACK.get(lang).into()),
            ("↑↓".into(), t::KEY_MOVE.get(lang).into()),
        ]
    }

    fn handle_key(&mut self, k: &KeyEvent, cx: &mut Cx) -> Outcome {
        match k.code {
            _ if keymap::is_back(k) => return Outcome::nav(Nav::Pop),
            KeyCode::F(8) | KeyCode::Char('r') => return SlipScreen::open(cx, self.row.id),
            KeyCode::Char('t') => {
                return super::refund_apply::RefundApply::open_for_txn(cx, self.row.id)
            }
            _ if keymap::is_down(k) => self.scroll = (self.scroll + 1).min(20),
            _ if keymap::is_up(k) => self.scroll = self.scroll.saturating_sub(1),
            _ => {}
        }
        Outcome::none()
    }

    fn draw(&self, f: &mut Frame, area: Rect, v: &View) -> Option<Position> {
        let lang = v.lang;
        let items = self.lines(lang);
        let label_w = items
            .iter()
            .map(|(l, _)| l.get(lang).width())
            .max()
            .unwrap_or(8)
            + 2;
        // Two columns when there is room, so the whole slip of facts fits at 80×24.
        let two = area.width >= 76;
        let lines: Vec<Line> = if two {
            let half = items.len().div_ceil(2);
            let col_w = (area.width as usize / 2).saturating_sub(1);
            (0..half)
                .map(|i| {
                    let mut spans = Vec::new();
                    for item in [items.get(i), items.get(i + half)].into_iter().flatten() {
                        let (l, val) = item;
                        let label = l.get(lang);
                        let pad = label_w.saturating_sub(label.width());
                        let used = label_w + val.width();
                        spans.push(Span::styled(
                            format!("{label}{}", " ".repeat(pad)),
                            theme::label(),
                        ));
                        spans.push(Span::raw(format!(
                            "{val}{}",
                            " ".repeat(col_w.saturating_sub(used))
                        )));
                    }
                    Line::from(spans)
                })
                .collect()
        } else {
            items
                .iter()
                .map(|(l, val)| {
                    let label = l.get(lang);
                    let pad = label_w.saturating_sub(label.width());
                    Line::from(vec![
                        Span::styled(format!("{label}{}", " ".repeat(pad)), theme::label()),
                        Span::raw(val.clone()),
                    ])
                })
                .collect()
        };
        let block = Block::default().borders(Borders::ALL).title(format!(
            " {} {} ",
            t::SCR_TXN_DETAIL.get(lang),
            self.row.rrn
        ));
        f.render_widget(
            Paragraph::new(lines).block(block).scroll((self.scroll, 0)),
            area,
        );
        None
    }
}
