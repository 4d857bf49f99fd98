//! What every query screen shares: the conditions form above a list, which of the two has the
//! keys, the rows found with their selection and `s` order, and what ran (its conditions and
//! time, named in the first rows of an export). A refused query leaves no rows: the old ones
//! would read as the answer to the new conditions.

use crossterm::event::{KeyCode, KeyEvent};

use crate::service::ServiceError;
use crate::ui::keymap;
use crate::ui::list::{ListSpec, Sort};
use crate::ui::screens::Outcome;
use crate::ui::text::{self, Lang};
use crate::ui::widgets::form::Form;
use crate::ui::widgets::table::Selection;

pub struct QueryList<R: 'static> {
    pub form: Form,
    /// The list has the keys (else the conditions form).
    pub list_focus: bool,
    pub rows: Vec<R>,
    pub sel: Selection,
    /// `s`: the column the rows are sorted by (`None`: the order the query gives).
    pub sort: Option<Sort>,
    /// The conditions of the query that ran and when; `None` before one ran or after a refusal
    /// (then nothing is exported).
    pub ran: Option<(Vec<String>, i64)>,
}

/// What a key did while the conditions form has the focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKey {
    /// Enter: run the query (then [`QueryList::after_run`]).
    Run,
    Done,
}

impl<R> QueryList<R> {
    pub fn new(form: Form) -> QueryList<R> {
        QueryList {
            form,
            list_focus: true,
            rows: Vec::new(),
            sel: Selection::default(),
            sort: None,
            ran: None,
        }
    }

    pub fn editing_text(&self) -> bool {
        !self.list_focus && self.form.editing_text()
    }

    /// The keys every query list has: moving and paging in the rows, Tab to the conditions.
    /// `true` when the key was one of them.
    pub fn list_key(&mut self, k: &KeyEvent) -> bool {
        if self.sel.handle(k, self.rows.len()) {
            return true;
        }
        if matches!(k.code, KeyCode::Tab | KeyCode::BackTab) {
            self.list_focus = false;
            return true;
        }
        false
    }

    /// The help lines every query screen has after its own: Tab, `s`, F5, Esc.
    pub fn help(lang: Lang) -> Vec<(String, String)> {
        use crate::ui::text::t;
        vec![
            ("Tab".into(), t::KEY_TO_LIST.get(lang).into()),
            ("s".into(), crate::ui::text::keys::SORT.get(lang).into()),
            ("F5".into(), t::KEY_REFRESH.get(lang).into()),
            ("Esc".into(), t::KEY_BACK.get(lang).into()),
        ]
    }

    /// A key while the conditions have the focus: Esc hands the keys to the list, Enter asks
    /// to run, a field key past the last field hands them to the list, the others edit.
    pub fn form_key(&mut self, k: &KeyEvent) -> FormKey {
        if keymap::is_back(k) {
            self.list_focus = true;
        } else if k.code == KeyCode::Enter {
            return FormKey::Run;
        } else if self.form.field_key(k) {
            self.list_focus = true;
        }
        FormKey::Done
    }

    /// After a run asked from the form: the list takes the keys unless the run was refused.
    pub fn after_run(&mut self, o: Outcome) -> Outcome {
        if o.message.is_none() {
            self.list_focus = true;
        }
        o
    }

    /// Takes what the query answered under `conditions` at `now_ms`: the rows in the chosen
    /// order, the selection back at the top; refused, no rows at all, the refused field marked
    /// and the form given the keys, the refusal in words.
    pub fn answer(
        &mut self,
        result: Result<Vec<R>, ServiceError>,
        spec: &ListSpec<R>,
        lang: Lang,
        now_ms: i64,
        conditions: Vec<String>,
    ) -> Outcome {
        self.sel = Selection::default();
        match result {
            Ok(rows) => {
                self.rows = rows;
                if let Some(s) = self.sort {
                    spec.sort(&mut self.rows, s, lang);
                }
                self.ran = Some((conditions, now_ms));
                self.form.clear_marks();
                Outcome::none()
            }
            Err(e) => {
                self.rows.clear();
                self.ran = None;
                if let ServiceError::Invalid { field, problem } = &e {
                    self.form.mark(field, text::field_problem(problem, lang));
                    self.list_focus = false;
                }
                Outcome::error(text::error(&e, lang, |k| self.form.label_of(k, lang)))
            }
        }
    }

    /// Ctrl+E: the rows on screen — exactly the query that ran, as of its time, its conditions
    /// in the file's first rows — exported under `needs`; refused when no query stands.
    pub fn export(
        &self,
        cx: &mut crate::ui::screens::Cx,
        spec: &ListSpec<R>,
        needs: crate::domain::function::Function,
        title: &str,
    ) -> Outcome {
        let lang = cx.lang;
        let Some((conditions, run_ms)) = &self.ran else {
            return Outcome::error(crate::ui::text::query::EXPORT_NOTHING.get(lang).into());
        };
        let preamble = crate::ui::list::preamble(title, conditions, *run_ms, lang);
        let cols = spec.export_columns(lang);
        let headers: Vec<&str> = cols.iter().map(|(h, _)| h.as_str()).collect();
        let kinds: Vec<_> = cols.iter().map(|(_, k)| *k).collect();
        let rows = self.rows.iter().map(|r| spec.export_row(r, lang)).collect();
        crate::ui::screens::downloads::export_list_with(
            cx, needs, title, &headers, &kinds, rows, preamble,
        )
    }

    /// `s`: the next column (then the other way, then the query's own order, which `natural`
    /// restores); the selection back at the top.
    pub fn next_sort(&mut self, spec: &ListSpec<R>, lang: Lang, natural: impl FnOnce(&mut [R])) {
        self.sort = spec.next_sort(self.sort);
        match self.sort {
            Some(s) => spec.sort(&mut self.rows, s, lang),
            None => natural(&mut self.rows),
        }
        self.sel = Selection::default();
    }
}
