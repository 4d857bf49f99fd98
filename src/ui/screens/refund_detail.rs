//! The detail of a refund application with its history, drawn as a box over a list.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use crate::clock::format_ms;
use crate::domain::money::format_fen;
use crate::service::views::{RefundEvent, RefundRow};
use crate::ui::text::review as tr;
use crate::ui::text::{t, Lang, T};
use crate::ui::theme;
use crate::ui::widgets::popup;

pub fn draw(f: &mut Frame, area: Rect, lang: Lang, row: &RefundRow, events: &[RefundEvent]) {
    let rect = popup::centered(area, 96, 12 + events.len() as u16);
    let inner = popup::boxed(f, rect, &format!("{} #{}", tr::SCR_APPLY.get(lang), row.id));
    let label = |t: T| Span::styled(format!("{}: ", t.get(lang)), theme::label());
    let mut lines = vec![
        Line::from(vec![
            label(t::RRN),
            Span::raw(format!("{}  ", row.rrn)),
            label(t::COL_TIME),
            Span::raw(format!("{}  ", format_ms(row.txn_ms))),
            label(t::TXN_AMOUNT),
            Span::raw(format_fen(row.txn_amount_fen)),
        ]),
        Line::from(vec![
            label(t::MERCHANT_NAME),
            Span::raw(format!("{}  ", row.merchant_name)),
            label(t::TERMINAL),
            Span::raw(format!("{}  ", row.terminal_no)),
            label(t::COL_CARD),
            Span::raw(row.card_masked.clone()),
        ]),
        Line::from(vec![
            label(tr::AMOUNT),
            Span::styled(format!("{}  ", format_fen(row.amount_fen)), theme::header()),
            label(tr::STATUS),
            Span::raw(format!("{}  ", tr::refund_status(&row.status).get(lang))),
            label(tr::APPLICANT),
            Span::raw(row.applicant.clone()),
        ]),
        Line::from(vec![label(tr::REMARK), Span::raw(row.remark.clone())]),
        Line::from(""),
        Line::from(Span::styled(tr::HISTORY.get(lang), theme::header())),
    ];
    for (at, who, event, status, remark) in events {
        lines.push(Line::from(vec![
            Span::raw(format!("{}  ", format_ms(*at))),
            Span::styled(
                format!(
                    "{:<10}",
                    who.clone().unwrap_or_else(|| tr::SYSTEM.get(lang).into())
                ),
                theme::key(),
            ),
            Span::raw(format!(
                "{}  → {}  {}",
                tr::refund_event(event).get(lang),
                tr::refund_status(status).get(lang),
                remark
            )),
        ]));
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
