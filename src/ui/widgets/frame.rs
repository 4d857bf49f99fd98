//! The chrome around every screen: a title bar on top, the screen's keys and the latest message
//! at the bottom.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{LineGauge, Paragraph};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

use crate::ui::theme;

pub struct Chrome<'a> {
    pub left: String,
    pub right: String,
    pub keys: &'a [(String, String)],
    pub message: Option<(&'a str, bool)>,
    /// A background job's progress: drawn as a gauge with its label instead of the message.
    pub progress: Option<(Option<f64>, String)>,
}

/// Draws the bars and returns the area left for the screen.
pub fn draw(f: &mut Frame, area: Rect, c: &Chrome) -> Rect {
    let [top, body, msg, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let gap = (top.width as usize).saturating_sub(c.left.width() + c.right.width());
    f.render_widget(
        Paragraph::new(format!("{}{}{}", c.left, " ".repeat(gap), c.right)).style(theme::title()),
        top,
    );
    if let Some((ratio, label)) = &c.progress {
        match ratio {
            Some(r) => f.render_widget(
                LineGauge::default()
                    .filled_style(theme::ok())
                    .label(label.clone())
                    .ratio(r.clamp(0.0, 1.0)),
                msg,
            ),
            None => f.render_widget(
                Paragraph::new(Span::styled(label.clone(), theme::ok())),
                msg,
            ),
        }
    } else if let Some((text, ok)) = c.message {
        let style = if ok { theme::ok() } else { theme::error() };
        f.render_widget(Paragraph::new(Span::styled(text.to_string(), style)), msg);
    }
    let mut spans = Vec::new();
    for (k, d) in c.keys {
        spans.push(Span::styled(k.clone(), theme::key()));
        spans.push(Span::styled(format!(" {d}  "), Style::default()));
    }
    f.render_widget(Paragraph::new(Line::from(spans)).style(theme::bar()), keys);
    body
}
