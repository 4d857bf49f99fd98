//! A modal form in a box: Tab and arrows move between fields, Enter goes to the next field and
//! saves on the last one, Ctrl+S saves from anywhere, Esc cancels.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Position, Rect};
use ratatui::text::Span;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::service::ServiceError;
use crate::ui::text::{self, Lang};
use crate::ui::theme;

use super::form::Form;
use super::popup;

pub enum DialogEvent {
    None,
    Submit,
    Cancel,
}

pub struct Dialog<P> {
    pub title: String,
    pub form: Form,
    /// What saving does (the screen's own enum).
    pub purpose: P,
    pub error: Option<String>,
    pub width: u16,
    /// Lines above the form: what saving will do (a confirmation's summary).
    pub note: Vec<String>,
}

impl<P> Dialog<P> {
    pub fn new(title: String, mut form: Form, purpose: P, lang: Lang) -> Dialog<P> {
        form.fit_labels(lang);
        Dialog {
            title,
            form,
            purpose,
            error: None,
            width: 72,
            note: Vec::new(),
        }
    }

    pub fn handle(&mut self, key: &KeyEvent) -> DialogEvent {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => return DialogEvent::Cancel,
            KeyCode::Char('s') if ctrl => return DialogEvent::Submit,
            KeyCode::Enter if self.form.is_last() => return DialogEvent::Submit,
            KeyCode::Enter | KeyCode::Tab | KeyCode::Down => self.form.next(),
            KeyCode::BackTab | KeyCode::Up => self.form.prev(),
            _ => {
                self.form.input(key);
            }
        }
        DialogEvent::None
    }

    /// Shows a service's refusal: the field it names is marked, the words go under the form.
    pub fn fail(&mut self, e: &ServiceError, lang: Lang) {
        if let ServiceError::Invalid { field, problem } = e {
            self.form.mark(field, text::field_problem(problem, lang));
        }
        self.error = Some(text::error(e, lang, |k| self.form.label_of(k, lang)));
    }

    pub fn draw(&self, f: &mut Frame, area: Rect, lang: Lang) -> Option<Position> {
        let note_h = self.note.len() as u16 + u16::from(!self.note.is_empty());
        let h = self.form.height() + 5 + note_h;
        let rect = popup::centered(area, self.width, h);
        let inner = popup::boxed(f, rect, &self.title);
        for (i, line) in self.note.iter().enumerate() {
            f.render_widget(
                Paragraph::new(line.as_str()),
                Rect::new(
                    inner.x + 1,
                    inner.y + i as u16,
                    inner.width.saturating_sub(2),
                    1,
                ),
            );
        }
        let form_area = Rect::new(
            inner.x + 1,
            inner.y + note_h,
            inner.width.saturating_sub(2),
            self.form.height(),
        );
        let cursor = self.form.draw(f, form_area, lang, true);
        let y = inner.y + note_h + self.form.height() + 1;
        // A confirmation without fields says its own keys in its note.
        let has_fields = self.form.height() > 0;
        if y < inner.bottom() && (has_fields || self.error.is_some()) {
            let (text, style) = match &self.error {
                Some(e) => (e.clone(), theme::error()),
                None => (text::t::DIALOG_KEYS.get(lang).to_string(), theme::dim()),
            };
            f.render_widget(
                Paragraph::new(Span::styled(text, style)),
                Rect::new(inner.x + 1, y, inner.width.saturating_sub(2), 1),
            );
        }
        cursor
    }
}
