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
    /// The key bar's last word after "F1" (更多 / more).
    pub more: &'a str,
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
    for (k, d) in fit_keys(c.keys, c.more, keys.width as usize) {
        spans.push(Span::styled(k, theme::key()));
        spans.push(Span::styled(format!(" {d}  "), Style::default()));
    }
    f.render_widget(Paragraph::new(Line::from(spans)).style(theme::bar()), keys);
    body
}

/// As many of `keys` as fit `width` whole, in order, then ("F1", more): nothing is cut.
pub fn fit_keys(keys: &[(String, String)], more: &str, width: usize) -> Vec<(String, String)> {
    let w = |k: &str, d: &str| k.width() + 1 + d.width() + 2;
    let tail = if more.is_empty() { 0 } else { w("F1", more) };
    let mut used = tail;
    let mut out = Vec::new();
    for (k, d) in keys {
        if k == "F1" || k == "F1/?" {
            continue;
        }
        let n = w(k, d);
        if used + n > width {
            break;
        }
        used += n;
        out.push((k.clone(), d.clone()));
    }
    if !more.is_empty() {
        out.push(("F1".into(), more.to_string()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_bar_keeps_whole_entries_and_ends_with_f1() {
        let keys: Vec<(String, String)> = (0..10)
            .map(|i| (format!("F{}", i + 2), "查询".to_string()))
            .collect();
        let fit = fit_keys(&keys, "更多", 40);
        assert_eq!(fit.last().unwrap(), &("F1".to_string(), "更多".to_string()));
        let used: usize = fit.iter().map(|(k, d)| k.width() + 1 + d.width() + 2).sum();
        assert!(used <= 40);
        assert_eq!(fit.len(), 4);
    }
}
