//! Centered boxes for overlays.

use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Clear};
use ratatui::Frame;

/// A rectangle of at most `w` × `h` centred in `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// Clears the rectangle, draws a titled border and returns the inside.
pub fn boxed(f: &mut Frame, rect: Rect, title: &str) -> Rect {
    keep_left_edge(f, rect);
    f.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" {title} "));
    let inner = block.inner(rect);
    f.render_widget(block, rect);
    inner
}

/// A wide character just left of the box would be drawn over its left border (it covers two
/// cells and the border sits in its second): it gives way to a space.
fn keep_left_edge(f: &mut Frame, rect: Rect) {
    use unicode_width::UnicodeWidthStr;
    if rect.x == 0 {
        return;
    }
    let buf = f.buffer_mut();
    for y in rect.y..rect.bottom() {
        if let Some(cell) = buf.cell_mut((rect.x - 1, y)) {
            if cell.symbol().width() > 1 {
                cell.set_symbol(" ");
            }
        }
    }
}
