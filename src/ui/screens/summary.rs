//! Summary tabs of a transaction result 交易汇总 (T6): by trade date, by settlement date, by
//! merchant and by card organisation — count, amount, fee and net, with a bar per group.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, Tabs};
use ratatui::Frame;

use crate::clock::format_ymd;
use crate::domain::money::format_fen;
use crate::service::summaries::{self, Summary};
use crate::service::views::TxnFilter;
use crate::service::views::{GroupBy, SummaryRow};
use crate::service::ServiceResult;
use crate::ui::action::Action;
use crate::ui::keymap;
use crate::ui::keymap::{help_lines, key, lookup, Binding};
use crate::ui::text::{self, query as q, t, Lang, T};
use crate::ui::theme;

use super::{Cx, Nav, Outcome, Screen, View};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    NextTab,
    PrevTab,
    /// One of the shared vocabulary's actions (moving in a list, Back).
    Shared(Action),
}

const KEYS: &[Binding<Act>] = &[
    Binding {
        keys: &[key(KeyCode::Right), key(KeyCode::Tab)],
        action: Act::NextTab,
        help: q::KEY_TABS,
    },
    Binding {
        keys: &[key(KeyCode::Left), key(KeyCode::BackTab)],
        action: Act::PrevTab,
        help: q::KEY_TABS,
    },
    Binding {
        keys: keymap::keys(Action::Up),
        action: Act::Shared(Action::Up),
        help: t::KEY_MOVE,
    },
    Binding {
        keys: keymap::keys(Action::Down),
        action: Act::Shared(Action::Down),
        help: t::KEY_MOVE,
    },
    Binding {
        keys: keymap::keys(Action::Back),
        action: Act::Shared(Action::Back),
        help: t::KEY_BACK,
    },
];

const TABS: [T; 4] = [
    q::TAB_TRADE_DATE,
    q::TAB_SETTLE_DATE,
    q::TAB_MERCHANT,
    q::TAB_CARD_ORG,
];

pub struct SummaryScreen {
    filter: TxnFilter,
    tab: usize,
    loaded: [Option<Summary>; 4],
    selected: usize,
}

impl SummaryScreen {
    /// Opens on the first tab, already summed.
    pub fn open(cx: &mut Cx, filter: TxnFilter) -> ServiceResult<SummaryScreen> {
        let mut s = SummaryScreen {
            filter,
            tab: 0,
            loaded: [None, None, None, None],
            selected: 0,
        };
        s.load(cx)?;
        Ok(s)
    }

    fn load(&mut self, cx: &mut Cx) -> ServiceResult<()> {
        if self.loaded[self.tab].is_none() {
            let by = GroupBy::ALL[self.tab];
            self.loaded[self.tab] =
                Some(summaries::summarize(cx.env, cx.session, &self.filter, by)?);
        }
        Ok(())
    }

    fn switch(&mut self, cx: &mut Cx, tab: usize) -> Outcome {
        self.tab = tab % TABS.len();
        self.selected = 0;
        match self.load(cx) {
            Ok(()) => Outcome::none(),
            Err(e) => Outcome::error(cx.error_text(&e, |k| k.to_string())),
        }
    }

    fn current(&self) -> Option<&Summary> {
        self.loaded[self.tab].as_ref()
    }
}

fn key_text(by: GroupBy, r: &SummaryRow, lang: Lang) -> String {
    match by {
        GroupBy::TradeDate | GroupBy::SettleDate => match r.key.parse::<i32>() {
            Ok(0) | Err(_) => q::UNSETTLED.get(lang).to_string(),
            Ok(d) => format_ymd(d),
        },
        GroupBy::Merchant => {
            let name = if lang == Lang::En && !r.name_en.is_empty() {
                &r.name_en
            } else {
                &r.name
            };
            name.clone()
        }
        GroupBy::CardOrg => text::card_org(&r.key).get(lang).to_string(),
    }
}

/// A bar of `width` cells for `value` of `max`, in eighths.
fn bar(value: i64, max: i64, width: usize) -> String {
    if max <= 0 || value <= 0 || width == 0 {
        return String::new();
    }
    let eighths = ((value as i128 * width as i128 * 8) / max as i128) as usize;
    let full = eighths / 8;
    let part = eighths % 8;
    let mut s = "█".repeat(full);
    if part > 0 && full < width {
        s.push([' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'][part]);
    }
    if s.is_empty() {
        s.push('▏');
    }
    s
}

impl Screen for SummaryScreen {
    fn title(&self) -> T {
        q::SCR_SUMMARY
    }

    fn help(&self, lang: Lang) -> Vec<(String, String)> {
        let mut v = vec![
            ("←→/Tab".to_string(), q::KEY_TABS.get(lang).to_string()),
            ("1-4".to_string(), q::KEY_TABS.get(lang).to_string()),
        ];
        v.extend(help_lines(&KEYS[2..], lang));
        v
    }

    fn handle_key(&mut self, k: &KeyEvent, cx: &mut Cx) -> Outcome {
        if let KeyCode::Char(c @ '1'..='4') = k.code {
            return self.switch(cx, c as usize - '1' as usize);
        }
        let n = self.current().map_or(0, |s| s.rows.len());
        match lookup(KEYS, k) {
            Some(Act::NextTab) => return self.switch(cx, self.tab + 1),
            Some(Act::PrevTab) => return self.switch(cx, self.tab + TABS.len() - 1),
            Some(Act::Shared(Action::Up)) => self.selected = self.selected.saturating_sub(1),
            Some(Act::Shared(Action::Down)) => {
                self.selected = (self.selected + 1).min(n.saturating_sub(1))
            }
            Some(Act::Shared(Action::Back)) => return Outcome::nav(Nav::Pop),
            Some(Act::Shared(_)) | None => {}
        }
        Outcome::none()
    }

    fn refresh(&mut self, cx: &mut Cx) -> Outcome {
        self.loaded = [None, None, None, None];
        self.switch(cx, self.tab)
    }

    fn draw(&self, f: &mut Frame, area: Rect, v: &View) -> Option<Position> {
        let lang = v.lang;
        let [tabs_area, table_area, foot_area] = Layout::vertical([
            Constraint::Length(2),
            Constraint::Min(3),
            Constraint::Length(2),
        ])
        .areas(area);
        let titles: Vec<Line> = TABS
            .iter()
            .enumerate()
            .map(|(i, t)| {
                Line::from(format!(
                    "{}{} {} ",
                    theme::marker(i == self.tab),
                    i + 1,
                    t.get(lang)
                ))
            })
            .collect();
        f.render_widget(
            Tabs::new(titles)
                .select(self.tab)
                .highlight_style(theme::selected())
                .padding("", "")
                .divider("│")
                .block(Block::default().borders(Borders::BOTTOM)),
            tabs_area,
        );
        let sum = self.current()?;
        if sum.rows.is_empty() {
            f.render_widget(
                Paragraph::new(Span::styled(q::SUMMARY_EMPTY.get(lang), theme::dim())),
                table_area,
            );
            return None;
        }
        let key_head = match sum.by {
            GroupBy::TradeDate => q::COL_TRADE_DATE,
            GroupBy::SettleDate => q::COL_SETTLE_DAY,
            GroupBy::Merchant => q::COL_MERCHANT,
            GroupBy::CardOrg => q::COL_CARD_ORG,
        };
        let key_w: u16 = match sum.by {
            GroupBy::Merchant => {
                if area.width >= 110 {
                    34
                } else {
                    20
                }
            }
            GroupBy::CardOrg => 16,
            _ => 12,
        };
        let fixed = 2 + key_w + 7 + 15 + 11 + 15 + 5;
        let bar_w = area.width.saturating_sub(fixed).max(4);
        let max = sum.rows.iter().map(|r| r.amount_fen).max().unwrap_or(0);
        let visible = table_area.height.saturating_sub(2) as usize;
        let offset = self.selected.saturating_sub(visible.saturating_sub(1));
        let right = |s: String| Cell::from(Line::from(s).right_aligned());
        let rows = sum.rows.iter().enumerate().skip(offset).map(|(i, r)| {
            let style = if i == self.selected {
                theme::selected()
            } else {
                Style::default()
            };
            Row::new(vec![
                Cell::from(theme::marker(i == self.selected)),
                Cell::from(key_text(sum.by, r, lang)),
                right(r.count.to_string()),
                right(format_fen(r.amount_fen)),
                right(format_fen(r.fee_fen)),
                right(format_fen(r.net_fen)),
                Cell::from(Span::styled(
                    bar(r.amount_fen, max, bar_w as usize),
                    theme::label(),
                )),
            ])
            .style(style)
        });
        let head = |t: T| Cell::from(Line::from(t.get(lang)).right_aligned());
        let header = Row::new(vec![
            Cell::from(""),
            Cell::from(key_head.get(lang)),
            head(q::COL_COUNT),
            head(q::COL_AMOUNT),
            head(q::COL_FEE),
            head(q::COL_NET),
            Cell::from(q::COL_SHARE.get(lang)),
        ])
        .style(theme::header());
        let (n, amount, fee, net) = sum.total();
        let total = Row::new(vec![
            Cell::from(""),
            Cell::from(q::TOTAL.get(lang)),
            right(n.to_string()),
            right(format_fen(amount)),
            right(format_fen(fee)),
            right(format_fen(net)),
            Cell::from(""),
        ])
        .style(theme::header());
        let [list_area, total_area] =
            Layout::vertical([Constraint::Min(2), Constraint::Length(1)]).areas(table_area);
        let widths = [
            Constraint::Length(1),
            Constraint::Length(key_w),
            Constraint::Length(7),
            Constraint::Length(15),
            Constraint::Length(11),
            Constraint::Length(15),
            Constraint::Min(4),
        ];
        f.render_widget(
            Table::new(rows, widths).header(header).column_spacing(1),
            list_area,
        );
        f.render_widget(Table::new([total], widths).column_spacing(1), total_area);
        let source = if sum.from_rollups {
            q::FROM_ROLLUPS
        } else {
            q::FROM_ROWS
        };
        f.render_widget(
            Paragraph::new(vec![
                Line::from(Span::styled(q::NET_NOTE.get(lang), theme::dim())),
                Line::from(Span::styled(source.get(lang), theme::dim())),
            ]),
            foot_area,
        );
        Some(Position::new(
            list_area.x,
            list_area.y + 1 + (self.selected - offset) as u16,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::bar;

    #[test]
    fn bars_scale_in_eighths() {
        assert_eq!(bar(100, 100, 4), "████");
        assert_eq!(bar(50, 100, 4), "██");
        assert_eq!(bar(1, 100, 4), "▏");
        assert_eq!(bar(0, 100, 4), "");
        assert_eq!(bar(-5, 100, 4), "");
    }
}
