//! A form: labelled single-line text fields (ratatui-textarea), secret fields and option
//! pickers, with focus, per-field problems and the cursor where a person types.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::Frame;
use ratatui_textarea::TextArea;
use unicode_width::UnicodeWidthStr;

use crate::ui::text::{Lang, T};
use crate::ui::theme;

/// An option's words: fixed in both languages, or data (a merchant's or a group's name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Label {
    T(T),
    S(String),
}

impl Label {
    pub fn get(&self, lang: Lang) -> &str {
        match self {
            Label::T(t) => t.get(lang),
            Label::S(s) => s,
        }
    }
}

impl From<T> for Label {
    fn from(t: T) -> Label {
        Label::T(t)
    }
}

impl From<String> for Label {
    fn from(s: String) -> Label {
        Label::S(s)
    }
}

pub enum Input {
    Text(Box<TextArea<'static>>),
    /// One of several options, changed with Space or ←/→.
    Choice {
        options: Vec<Label>,
        index: usize,
    },
    /// Several options each ticked or not: ←/→ move, Space ticks.
    Multi {
        options: Vec<Label>,
        checked: Vec<bool>,
        cursor: usize,
    },
}

pub struct Field {
    /// The key a service uses to name this field in an `Invalid` error.
    pub key: &'static str,
    pub label: T,
    pub input: Input,
    pub problem: Option<String>,
    pub hint: Option<String>,
}

fn text_area(secret: bool) -> Box<TextArea<'static>> {
    let mut ta = TextArea::default();
    ta.set_cursor_line_style(Style::default());
    ta.set_cursor_style(Style::default());
    if secret {
        ta.set_mask_char('•');
    }
    Box::new(ta)
}

impl Field {
    pub fn text(key: &'static str, label: T) -> Field {
        Field {
            key,
            label,
            input: Input::Text(text_area(false)),
            problem: None,
            hint: None,
        }
    }
    pub fn secret(key: &'static str, label: T) -> Field {
        Field {
            key,
            label,
            input: Input::Text(text_area(true)),
            problem: None,
            hint: None,
        }
    }
    pub fn choice(key: &'static str, label: T, options: Vec<T>) -> Field {
        Field::choice_of(key, label, options.into_iter().map(Label::T).collect())
    }
    pub fn choice_of(key: &'static str, label: T, options: Vec<Label>) -> Field {
        Field {
            key,
            label,
            input: Input::Choice { options, index: 0 },
            problem: None,
            hint: None,
        }
    }
    pub fn multi(key: &'static str, label: T, options: Vec<Label>, checked: Vec<bool>) -> Field {
        let checked = (0..options.len())
            .map(|i| checked.get(i).copied().unwrap_or(false))
            .collect();
        Field {
            key,
            label,
            input: Input::Multi {
                options,
                checked,
                cursor: 0,
            },
            problem: None,
            hint: None,
        }
    }
    pub fn with_hint(mut self, hint: impl Into<String>) -> Field {
        self.hint = Some(hint.into());
        self
    }
}

pub struct Form {
    pub fields: Vec<Field>,
    pub focus: usize,
    /// Columns kept for labels.
    pub label_width: u16,
}

impl Form {
    pub fn new(fields: Vec<Field>) -> Form {
        Form {
            fields,
            focus: 0,
            label_width: 14,
        }
    }

    /// Makes the label column as wide as the widest label in this language.
    pub fn fit_labels(&mut self, lang: Lang) {
        let widest = self
            .fields
            .iter()
            .map(|f| f.label.get(lang).width())
            .max()
            .unwrap_or(8);
        self.label_width = widest as u16 + 1;
    }

    /// Each field that narrows something, as `label: value` in `lang` (text typed, or a choice
    /// other than its first option, which is "all"); secrets are never listed.
    pub fn conditions(&self, lang: Lang) -> Vec<String> {
        self.fields
            .iter()
            .filter_map(|f| {
                let v = match &f.input {
                    Input::Text(ta) if ta.mask_char().is_none() => ta.lines().join(""),
                    Input::Choice { options, index } if *index > 0 => {
                        options[*index].get(lang).to_string()
                    }
                    _ => return None,
                };
                let v = v.trim().to_string();
                (!v.is_empty()).then(|| format!("{}: {v}", f.label.get(lang)))
            })
            .collect()
    }

    pub fn value(&self, key: &str) -> String {
        match self.field(key).map(|f| &f.input) {
            Some(Input::Text(ta)) => ta.lines().join(""),
            Some(Input::Choice { index, .. }) => index.to_string(),
            Some(Input::Multi { .. }) | None => String::new(),
        }
    }

    /// Which options of a multi field are ticked.
    pub fn checked(&self, key: &str) -> Vec<bool> {
        match self.field(key).map(|f| &f.input) {
            Some(Input::Multi { checked, .. }) => checked.clone(),
            _ => Vec::new(),
        }
    }

    pub fn choice(&self, key: &str) -> usize {
        match self.field(key).map(|f| &f.input) {
            Some(Input::Choice { index, .. }) => *index,
            _ => 0,
        }
    }

    pub fn set_value(&mut self, key: &str, value: &str) {
        if let Some(Input::Text(ta)) = self.field_mut(key).map(|f| &mut f.input) {
            ta.select_all();
            ta.cut();
            ta.insert_str(value);
        }
    }

    /// Every field's value (text, or the option chosen), to give back with `restore`.
    pub fn snapshot(&self) -> Vec<(&'static str, String, usize)> {
        self.fields
            .iter()
            .filter(|f| !matches!(&f.input, Input::Text(ta) if ta.mask_char().is_some()))
            .map(|f| (f.key, self.value(f.key), self.choice(f.key)))
            .collect()
    }

    /// Sets the fields this form has from a snapshot; others are left as they are.
    pub fn restore(&mut self, snap: &[(&'static str, String, usize)]) {
        for (k, v, c) in snap {
            match self.field(k).map(|f| &f.input) {
                Some(Input::Text(_)) => self.set_value(k, v),
                Some(Input::Choice { .. }) => self.set_choice(k, *c),
                _ => {}
            }
        }
    }

    pub fn set_choice(&mut self, key: &str, i: usize) {
        if let Some(Input::Choice { index, options }) = self.field_mut(key).map(|f| &mut f.input) {
            *index = i.min(options.len().saturating_sub(1));
        }
    }

    pub fn clear(&mut self) {
        for f in &mut self.fields {
            match &mut f.input {
                Input::Text(ta) => {
                    ta.select_all();
                    ta.cut();
                }
                Input::Choice { index, .. } => *index = 0,
                Input::Multi { checked, .. } => checked.iter_mut().for_each(|c| *c = false),
            }
            f.problem = None;
        }
    }

    fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }
    fn field_mut(&mut self, key: &str) -> Option<&mut Field> {
        self.fields.iter_mut().find(|f| f.key == key)
    }

    pub fn focus_key(&self) -> &'static str {
        self.fields.get(self.focus).map_or("", |f| f.key)
    }

    pub fn focus_on(&mut self, key: &str) {
        if let Some(i) = self.fields.iter().position(|f| f.key == key) {
            self.focus = i;
        }
    }

    /// Marks a field with a problem (and moves the focus there); clears the others.
    pub fn mark(&mut self, key: &str, problem: String) {
        for f in &mut self.fields {
            f.problem = None;
        }
        if let Some(i) = self.fields.iter().position(|f| f.key == key) {
            self.fields[i].problem = Some(problem);
            self.focus = i;
        }
    }

    pub fn clear_marks(&mut self) {
        for f in &mut self.fields {
            f.problem = None;
        }
    }

    pub fn label_of(&self, key: &str, lang: Lang) -> String {
        self.field(key)
            .map(|f| f.label.get(lang).to_string())
            .unwrap_or_else(|| key.to_string())
    }

    // A form without fields (a confirmation) has nowhere to move and nothing to type in.
    /// A key the conditions form of a query screen gets after its screen took Enter and Esc:
    /// Tab past the last field hands the focus to the list (true), Tab and the arrows move
    /// between fields, anything else is typed into the field.
    pub fn field_key(&mut self, k: &KeyEvent) -> bool {
        if k.code == KeyCode::Tab && self.is_last() {
            return true;
        }
        if crate::ui::keymap::is_next_field(k) {
            self.next();
        } else if crate::ui::keymap::is_prev_field(k) {
            self.prev();
        } else {
            self.input(k);
        }
        false
    }

    pub fn next(&mut self) {
        if !self.fields.is_empty() {
            self.focus = (self.focus + 1) % self.fields.len();
        }
    }
    pub fn prev(&mut self) {
        if !self.fields.is_empty() {
            self.focus = (self.focus + self.fields.len() - 1) % self.fields.len();
        }
    }
    pub fn is_last(&self) -> bool {
        self.focus + 1 >= self.fields.len()
    }

    /// Whether the focused field takes typed characters (so `?` and j/k type, not act).
    pub fn editing_text(&self) -> bool {
        self.fields
            .get(self.focus)
            .is_some_and(|f| matches!(f.input, Input::Text(_)))
    }

    /// Gives a key to the focused field. Returns true when the field used it.
    pub fn input(&mut self, key: &KeyEvent) -> bool {
        let Some(field) = self.fields.get_mut(self.focus) else {
            return false;
        };
        match &mut field.input {
            Input::Text(ta) => {
                let plain = !key
                    .modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
                let used = match key.code {
                    KeyCode::Char(_) if plain => ta.input(*key),
                    KeyCode::Backspace
                    | KeyCode::Delete
                    | KeyCode::Left
                    | KeyCode::Right
                    | KeyCode::Home
                    | KeyCode::End => {
                        ta.input(*key);
                        true
                    }
                    _ => false,
                };
                if used {
                    field.problem = None;
                }
                used
            }
            Input::Choice { options, index } => {
                let n = options.len();
                match key.code {
                    KeyCode::Char(' ') | KeyCode::Right => {
                        *index = (*index + 1) % n;
                        true
                    }
                    KeyCode::Left => {
                        *index = (*index + n - 1) % n;
                        true
                    }
                    _ => false,
                }
            }
            Input::Multi {
                options,
                checked,
                cursor,
            } => {
                let n = options.len().max(1);
                let used = match key.code {
                    KeyCode::Right => {
                        *cursor = (*cursor + 1) % n;
                        true
                    }
                    KeyCode::Left => {
                        *cursor = (*cursor + n - 1) % n;
                        true
                    }
                    KeyCode::Char(' ') => {
                        if let Some(c) = checked.get_mut(*cursor) {
                            *c = !*c;
                        }
                        true
                    }
                    _ => false,
                };
                if used {
                    field.problem = None;
                }
                used
            }
        }
    }

    /// Height in rows: one a field, one more under a field with a problem or hint.
    pub fn height(&self) -> u16 {
        self.fields
            .iter()
            .map(|f| 1 + u16::from(f.problem.is_some() || f.hint.is_some()))
            .sum()
    }

    /// Draws the fields one under another; `focused` false draws no highlight (the focus is
    /// elsewhere on the screen). Returns the cursor position for the focused text field.
    pub fn draw(&self, f: &mut Frame, area: Rect, lang: Lang, focused: bool) -> Option<Position> {
        self.draw_grid(f, area, lang, focused, 1)
    }

    /// Rows of a grid of `cols` fields a row.
    pub fn grid_height(&self, cols: usize) -> u16 {
        if cols <= 1 {
            self.height()
        } else {
            self.fields.len().div_ceil(cols) as u16
        }
    }

    /// Draws the fields in `cols` columns. With more than one column there is no room for a
    /// note under a field: a field with a problem shows its label in red and a ✗, and the
    /// screen says the problem in its message line.
    pub fn draw_grid(
        &self,
        f: &mut Frame,
        area: Rect,
        lang: Lang,
        focused: bool,
        cols: usize,
    ) -> Option<Position> {
        let cols = cols.max(1);
        let col_w = area.width / cols as u16;
        let mut y = area.y;
        let mut cursor = None;
        for (i, field) in self.fields.iter().enumerate() {
            let col = (i % cols) as u16;
            if i > 0 && col == 0 {
                y += 1;
            }
            if y >= area.bottom() {
                break;
            }
            let x0 = area.x + col * col_w;
            let width = if cols == 1 {
                area.width
            } else {
                col_w.saturating_sub(1)
            };
            let is_focus = focused && i == self.focus;
            let label = field.label.get(lang);
            let pad = (self.label_width as usize).saturating_sub(label.width());
            let label_style = if field.problem.is_some() {
                theme::error()
            } else if is_focus {
                theme::focused()
            } else {
                theme::label()
            };
            let lw = self.label_width.min(width);
            f.render_widget(
                Line::from(vec![Span::styled(
                    format!("{label}{}", " ".repeat(pad)),
                    label_style,
                )]),
                Rect::new(x0, y, lw, 1),
            );
            let vx = x0 + lw + 1;
            let vw = width.saturating_sub(lw + 1);
            let value_area = Rect::new(vx, y, vw, 1);
            match &field.input {
                Input::Text(ta) => {
                    // Drawn from the text each frame, scrolled only as far as the cursor needs
                    // in this width: a resize never leaves a field scrolled.
                    let (visible, cursor_x) = text_view(ta, vw);
                    f.render_widget(Span::raw(visible), value_area);
                    if is_focus {
                        let cx = (vx + cursor_x).min(area.right().saturating_sub(1));
                        cursor = Some(Position::new(cx, y));
                    }
                }
                Input::Choice { options, index } => {
                    let text = format!("‹ {} ›", options[*index].get(lang));
                    let style = if is_focus {
                        theme::selected()
                    } else {
                        Style::default()
                    };
                    f.render_widget(Span::styled(text, style), value_area);
                    if is_focus {
                        cursor = Some(Position::new(vx, y));
                    }
                }
                Input::Multi {
                    options,
                    checked,
                    cursor: at,
                } => {
                    // Start late enough that the option under the cursor is in view.
                    let widths: Vec<usize> =
                        options.iter().map(|o| o.get(lang).width() + 4).collect();
                    let mut first = 0;
                    while first < *at && widths[first..=*at].iter().sum::<usize>() > vw as usize {
                        first += 1;
                    }
                    let mut spans = Vec::new();
                    if first > 0 {
                        spans.push(Span::styled("‹", theme::dim()));
                    }
                    for (k, o) in options.iter().enumerate().skip(first) {
                        let mark = if checked[k] { "[x]" } else { "[ ]" };
                        let style = if is_focus && k == *at {
                            theme::selected()
                        } else {
                            Style::default()
                        };
                        spans.push(Span::styled(format!("{mark}{}", o.get(lang)), style));
                        spans.push(Span::raw(" "));
                    }
                    f.render_widget(Line::from(spans), value_area);
                    if is_focus {
                        cursor = Some(Position::new(vx, y));
                    }
                }
            }
            if cols > 1 {
                if field.problem.is_some() && vw > 2 {
                    f.render_widget(
                        Span::styled("✗", theme::error()),
                        Rect::new(vx + vw - 2, y, 1, 1),
                    );
                }
                continue;
            }
            y += 1;
            let note = field
                .problem
                .as_ref()
                .map(|p| (format!("✗ {p}"), theme::error()))
                .or_else(|| field.hint.as_ref().map(|h| (h.clone(), theme::dim())));
            if let Some((text, style)) = note {
                if y < area.bottom() {
                    f.render_widget(Span::styled(text, style), Rect::new(vx, y, vw, 1));
                    y += 1;
                }
            }
            // The next field starts on the row `y` now points at.
            if i + 1 < self.fields.len() {
                y -= 1;
            }
        }
        cursor
    }
}

/// What a one-line text field shows in `width` columns, and where its cursor is: from the start
/// when the text before the cursor fits, else as far scrolled as keeps the cursor in sight.
fn text_view(ta: &TextArea<'static>, width: u16) -> (String, u16) {
    use unicode_width::UnicodeWidthChar;
    let line = ta.lines().first().cloned().unwrap_or_default();
    let chars: Vec<char> = match ta.mask_char() {
        Some(m) => line.chars().map(|_| m).collect(),
        None => line.chars().collect(),
    };
    let col = ta.cursor().1.min(chars.len());
    let w = |cs: &[char]| cs.iter().map(|c| c.width().unwrap_or(0)).sum::<usize>();
    let room = width.max(1) as usize;
    let mut start = 0;
    while start < col && w(&chars[start..col]) + 1 > room {
        start += 1;
    }
    let mut shown = String::new();
    let mut used = 0;
    for c in &chars[start..] {
        let cw = c.width().unwrap_or(0);
        if used + cw > room {
            break;
        }
        used += cw;
        shown.push(*c);
    }
    (shown, w(&chars[start..col]) as u16)
}

#[cfg(test)]
mod view_tests {
    use super::*;

    #[test]
    fn a_field_shows_from_its_start_whenever_the_text_fits() {
        let mut form = Form::new(vec![Field::text("d", crate::ui::text::t::FROM_DATE)]);
        form.set_value("d", "2026-11-22");
        let Input::Text(ta) = &form.fields[0].input else {
            unreachable!()
        };
        assert_eq!(text_view(ta, 6), ("11-22".to_string(), 5));
        // Wider again: the whole date, from its start.
        assert_eq!(text_view(ta, 20), ("2026-11-22".to_string(), 10));
    }
}
