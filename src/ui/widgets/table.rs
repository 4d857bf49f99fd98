//! A table with a selected row that stays visible however short the screen is.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Position, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};
use ratatui::Frame;

use crate::ui::theme;

/// The selection in a list of `len` rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Selection {
    pub index: usize,
}

impl Selection {
    /// Moves with Up/Down/j/k/PageUp/PageDown/Home/End; returns whether the key was used.
    pub fn handle(&mut self, key: &KeyEvent, len: usize) -> bool {
        if len == 0 {
            return false;
        }
        let last = len - 1;
        self.index = match key.code {
            KeyCode::Up | KeyCode::Char('k') => self.index.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => (self.index + 1).min(last),
            KeyCode::PageUp => self.index.saturating_sub(10),
            KeyCode::PageDown => (self.index + 10).min(last),
            KeyCode::Home => 0,
            KeyCode::End => last,
            _ => return false,
        };
        true
    }

    pub fn clamp(&mut self, len: usize) {
        self.index = self.index.min(len.saturating_sub(1));
    }
}

pub struct Column<'a> {
    pub header: &'a str,
    pub width: Constraint,
    pub right: bool,
}

/// What a table shows: `dim[i]` greys a row (disabled records), `empty` is said when there are
/// no rows.
pub struct TableView<'a> {
    pub title: &'a str,
    pub columns: &'a [Column<'a>],
    pub rows: &'a [Vec<String>],
    pub dim: &'a [bool],
    pub selected: Option<usize>,
    pub empty: &'a str,
}

/// Draws the rows with a header. Returns the position of the selected row.
pub fn draw(f: &mut Frame, area: Rect, view: &TableView) -> Option<Position> {
    let TableView {
        title,
        columns,
        rows,
        dim,
        selected,
        empty,
    } = *view;
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" {title} "));
    if rows.is_empty() {
        f.render_widget(
            Paragraph::new(ratatui::text::Span::styled(empty.to_string(), theme::dim()))
                .block(block),
            area,
        );
        return None;
    }
    let visible = area.height.saturating_sub(3) as usize;
    let sel = selected.unwrap_or(0).min(rows.len() - 1);
    let offset = sel.saturating_sub(visible.saturating_sub(1));
    let cell = |text: &str, right: bool| {
        if right {
            Cell::from(Line::from(text.to_string()).right_aligned())
        } else {
            Cell::from(text.to_string())
        }
    };
    // A gutter with the selection marker, then the columns.
    let header = Row::new(
        std::iter::once(Cell::from("")).chain(columns.iter().map(|c| cell(c.header, c.right))),
    )
    .style(theme::header());
    let body = rows.iter().enumerate().skip(offset).map(|(i, r)| {
        let style = if selected == Some(i) {
            theme::selected()
        } else if dim.get(i).copied().unwrap_or(false) {
            theme::dim()
        } else {
            Style::default()
        };
        let mark = Cell::from(theme::marker(selected == Some(i)));
        Row::new(
            std::iter::once(mark).chain(r.iter().zip(columns).map(|(text, c)| cell(text, c.right))),
        )
        .style(style)
    });
    let widths: Vec<Constraint> = std::iter::once(Constraint::Length(1))
        .chain(columns.iter().map(|c| c.width))
        .collect();
    f.render_widget(Table::new(body, widths).header(header).block(block), area);
    selected.map(|_| Position::new(area.x + 1, area.y + 2 + (sel - offset) as u16))
}
