//! The home screen (B6): the menu of what the operator's roles allow, the merchant group with
//! each store's balance, and the latest transactions in the operator's scope.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, List, ListItem, ListState, Paragraph, Row, Table};
use ratatui::Frame;

use crate::clock::format_ms;
use crate::domain::money::format_fen;
use crate::service::home::{self, HomeFacts};
use crate::ui::action::{self, Action, Layer};
use crate::ui::list;
use crate::ui::text::{self, t, Lang, T};
use crate::ui::theme;

use super::catalog::{self, Entry};
use super::{Cx, Outcome, Screen, View};

/// The key that opens the `i`-th menu entry, shown before it: 1–9, then letters (not j/k, which
/// move, nor n/p, the list's page keys), then the same capitals (Shift), so every entry is one
/// key away.
pub const CODES: &str = "123456789abcdefghilmoqrstuvwxyzABCDEFGHILMOQRSTUVWXYZ";

fn code_of(i: usize) -> Option<char> {
    CODES.chars().nth(i)
}

pub struct Home {
    entries: Vec<&'static Entry>,
    selected: usize,
    facts: Option<HomeFacts>,
    error: Option<String>,
}

impl Home {
    pub fn new(cx: &mut Cx) -> Home {
        let mut h = Home {
            entries: catalog::allowed(cx.session),
            selected: 0,
            facts: None,
            error: None,
        };
        h.load(cx);
        h
    }

    fn load(&mut self, cx: &mut Cx) {
        self.entries = catalog::allowed(cx.session);
        self.selected = self.selected.min(self.entries.len().saturating_sub(1));
        match home::facts(cx.env, cx.session, 8) {
            Ok(f) => {
                self.facts = Some(f);
                self.error = None;
            }
            Err(e) => self.error = Some(cx.error_text(&e, |k| k.to_string())),
        }
    }
}

impl Screen for Home {
    fn title(&self) -> T {
        t::HOME_TITLE
    }

    fn help(&self, lang: Lang) -> Vec<(String, String)> {
        // More entries than codes: the last code (the rest open by the arrows or Ctrl+P).
        let coded = self.entries.len().min(CODES.chars().count());
        let last = code_of(coded.saturating_sub(1)).unwrap_or('9');
        vec![
            (
                format!("1…{last}"),
                t::KEY_OPEN_BY_CODE.get(lang).to_string(),
            ),
            ("↑↓".to_string(), t::KEY_MOVE.get(lang).to_string()),
            ("Enter".into(), t::OPEN.get(lang).into()),
        ]
    }

    fn handle_key(&mut self, k: &KeyEvent, cx: &mut Cx) -> Outcome {
        // The operator's functions are read again before every key: so is the menu.
        self.entries = catalog::allowed(cx.session);
        let last = self.entries.len().saturating_sub(1);
        self.selected = self.selected.min(last);
        let plain = k.modifiers.is_empty() || k.modifiers == crossterm::event::KeyModifiers::SHIFT;
        if let (KeyCode::Char(c), true) = (k.code, plain) {
            if let Some(i) = CODES.find(c) {
                if let Some(e) = self.entries.get(i) {
                    return catalog::open(e.id, cx);
                }
            }
        }
        match action::in_layer(Layer::List, k) {
            Some(Action::Up) => self.selected = self.selected.saturating_sub(1),
            Some(Action::Down) => self.selected = (self.selected + 1).min(last),
            Some(Action::First) => self.selected = 0,
            Some(Action::Last) => self.selected = last,
            Some(Action::Open) => {
                if let Some(e) = self.entries.get(self.selected) {
                    return catalog::open(e.id, cx);
                }
            }
            _ => {}
        }
        Outcome::none()
    }

    fn refresh(&mut self, cx: &mut Cx) -> Outcome {
        self.load(cx);
        Outcome::none()
    }

    fn draw(&self, f: &mut Frame, area: Rect, v: &View) -> Option<Position> {
        let lang = v.lang;
        // As wide as the longest entry (marker, key, name, borders), so no name is cut, but
        // never more than five twelfths of the screen.
        let longest = self
            .entries
            .iter()
            .map(|e| Span::raw(e.name.get(lang)).width() as u16)
            .max()
            .unwrap_or(0);
        let menu_w = (longest + 5).clamp(20, (area.width * 5 / 12).max(20));
        let [menu_area, right] =
            Layout::horizontal([Constraint::Length(menu_w), Constraint::Min(20)]).areas(area);
        let items: Vec<ListItem> = self
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let style = if i == self.selected {
                    theme::selected()
                } else {
                    ratatui::style::Style::default()
                };
                ListItem::new(Line::from(vec![
                    Span::styled(theme::marker(i == self.selected), style),
                    Span::styled(format!("{} ", code_of(i).unwrap_or(' ')), theme::key()),
                    Span::styled(e.name.get(lang), style),
                ]))
            })
            .collect();
        let menu_block = Block::default()
            .borders(Borders::ALL)
            .title(format!(" {} ", t::MENU.get(lang)));
        // A fresh state with the selection: ratatui scrolls so the selected entry shows.
        let mut state = ListState::default().with_selected(Some(self.selected));
        f.render_stateful_widget(List::new(items).block(menu_block), menu_area, &mut state);
        let row = self.selected.saturating_sub(state.offset()) as u16;
        let focus = Position::new(menu_area.x + 1, menu_area.y + 1 + row);

        let Some(facts) = &self.facts else {
            if let Some(e) = &self.error {
                f.render_widget(
                    Paragraph::new(Span::styled(e.clone(), theme::error())),
                    right,
                );
            }
            return Some(focus);
        };
        let n_merchants = facts.merchants.len() as u16;
        let [info, merchants, recent] = Layout::vertical([
            Constraint::Length(3),
            Constraint::Length(n_merchants + 3),
            Constraint::Min(3),
        ])
        .areas(right);
        let roles: Vec<&str> = v
            .session
            .role_names
            .iter()
            .map(|(zh, en)| {
                if lang == Lang::Zh {
                    zh.as_str()
                } else {
                    en.as_str()
                }
            })
            .collect();
        let info_lines = vec![
            Line::from(vec![Span::styled(
                if lang == Lang::Zh {
                    facts.group_name.clone()
                } else {
                    facts.group_name_en.clone()
                },
                theme::header(),
            )]),
            Line::from(vec![
                Span::styled(format!("{}: ", t::OPERATOR.get(lang)), theme::label()),
                Span::raw(format!(
                    "{} ({})  ",
                    v.session.display_name, v.session.login
                )),
                Span::styled(format!("{}: ", t::ROLES.get(lang)), theme::label()),
                Span::raw(roles.join("、")),
            ]),
        ];
        f.render_widget(
            Paragraph::new(info_lines).block(Block::default().borders(Borders::BOTTOM)),
            info,
        );
        let names: Vec<String> = facts
            .merchants
            .iter()
            .map(|(m, _)| {
                if lang == Lang::Zh || m.name_en.is_empty() {
                    m.name.clone()
                } else {
                    m.name_en.clone()
                }
            })
            .collect();
        // Too narrow for the chain's store names: what tells them apart stays
        // ("…W. Nanjing Rd", "…Xujiahui"), never "Xinyuan Dept. Store," three times.
        let name_w = merchants.width.saturating_sub(2 + 16 + 16 + 2);
        let prefix = names
            .iter()
            .any(|n| list::width_of(n) > name_w)
            .then(|| list::common_prefix(&names))
            .flatten()
            .map(|p| {
                let mark = list::marker_fits(&names, &p, name_w);
                (p, mark)
            });
        let rows = facts.merchants.iter().zip(&names).map(|((m, bal), name)| {
            let name = match &prefix {
                Some((p, mark)) => list::cut_common_marked(name, p, name_w, *mark),
                None => list::ellipsis_middle(name, name_w),
            };
            Row::new(vec![
                Cell::from(m.merchant_no.clone()),
                Cell::from(name),
                Cell::from(
                    Line::from(bal.map(format_fen).unwrap_or_else(|| "—".into())).right_aligned(),
                ),
            ])
        });
        let table = Table::new(
            rows,
            [
                Constraint::Length(16),
                Constraint::Min(10),
                Constraint::Length(16),
            ],
        )
        .header(
            Row::new(vec![
                Cell::from(t::MERCHANT_NO.get(lang)),
                Cell::from(t::MERCHANT_NAME.get(lang)),
                Cell::from(Line::from(t::BALANCE.get(lang)).right_aligned()),
            ])
            .style(theme::header()),
        )
        .block(
            Block::default()
                .borders(Borders::ALL)
                .title(format!(" {} ", t::MERCHANT_INFO.get(lang))),
        );
        f.render_widget(table, merchants);
        let block = Block::default()
            .borders(Borders::ALL)
            .title(format!(" {} ", t::RECENT.get(lang)));
        if facts.recent.is_empty() {
            f.render_widget(
                Paragraph::new(Span::styled(t::NO_RECENT.get(lang), theme::dim())).block(block),
                recent,
            );
        } else {
            // Time, terminal, type, amount, status; where the panel is too narrow for all of
            // them, the type and then the terminal give way (never a cut time or amount).
            let widths = [14u16, 8, 10, 12, 8];
            let inner = recent.width.saturating_sub(2);
            let fits = |shown: &[usize]| {
                shown.iter().map(|&i| widths[i]).sum::<u16>() + shown.len() as u16 - 1 <= inner
            };
            let shown: Vec<usize> = [vec![0, 1, 2, 3, 4], vec![0, 1, 3, 4], vec![0, 3, 4]]
                .into_iter()
                .find(|s| fits(s))
                .unwrap_or_else(|| vec![0, 3]);
            let rows = facts.recent.iter().map(|r| {
                let cells = [
                    Cell::from(format_ms(r.txn_ms)[5..].to_string()),
                    Cell::from(r.terminal_no.clone()),
                    Cell::from(text::txn_type(&r.txn_type).get(lang)),
                    Cell::from(Line::from(format_fen(r.amount_fen)).right_aligned()),
                    Cell::from(text::txn_status(&r.status).get(lang)),
                ];
                Row::new(shown.iter().map(|&i| cells[i].clone()).collect::<Vec<_>>())
            });
            let table = Table::new(
                rows,
                shown
                    .iter()
                    .map(|&i| Constraint::Length(widths[i]))
                    .collect::<Vec<_>>(),
            )
            .block(block);
            f.render_widget(table, recent);
        }
        Some(focus)
    }
}
