//! The screens. Each keeps its own state, turns keys into actions through its keymap, calls
//! services in `handle_key`, and only reads its state in `draw`.

pub mod app_records;
pub mod audit_log;
pub mod bank_accounts;
pub mod batch_refund;
pub mod catalog;
pub mod change_password;
pub mod downloads;
pub mod fast_refund_apply;
pub mod fast_refund_batch;
pub mod fast_refund_query;
pub mod groups;
pub mod home;
pub mod ledger;
pub mod login;
pub mod monitor;
pub mod operators;
pub mod payees;
pub mod payout_settings;
pub mod recon;
pub mod refund_apply;
pub mod refund_detail;
pub mod refund_query;
pub mod refund_review;
pub mod review_inbox;
pub mod roles;
pub mod settings;
pub mod settle_run;
pub mod settlement_query;
pub mod slip;
pub mod statements;
pub mod summary;
pub mod terminals;
pub mod txn_detail;
pub mod txn_query;
pub mod withdraw;
pub mod withdraw_records;
// Transfers (#15).
pub mod transfer;
pub mod transfer_batch;
pub mod transfer_records;

use crossterm::event::KeyEvent;
use ratatui::layout::{Position, Rect};
use ratatui::Frame;

use crate::service::{Env, ServiceError, Session};
use crate::ui::text::{self, Lang, T};

/// What a screen may use while it handles a key.
pub struct Cx<'a> {
    pub env: &'a mut Env,
    pub session: &'a Session,
    pub lang: Lang,
}

impl Cx<'_> {
    pub fn now_ms(&self) -> i64 {
        self.env.now_ms()
    }
    /// A service refusal in words; `label` names form fields.
    pub fn error_text(&self, e: &ServiceError, label: impl Fn(&str) -> String) -> String {
        text::error(e, self.lang, label)
    }
}

/// What drawing may read besides the screen's own state.
pub struct View<'a> {
    pub lang: Lang,
    pub now_ms: i64,
    pub session: &'a Session,
}

#[derive(Default)]
pub enum Nav {
    #[default]
    Stay,
    Push(Box<dyn Screen>),
    /// Replace the current screen.
    Replace(Box<dyn Screen>),
    Pop,
    Logout,
}

#[derive(Default)]
pub struct Outcome {
    pub nav: Nav,
    pub message: Option<(String, bool)>,
    /// A Ctrl+E export the screen started; the app follows it (progress, cancel, result).
    pub export: Option<Box<crate::excel::ExportJob>>,
    /// Text for the terminal's clipboard (OSC 52, `ui::clipboard`).
    pub clipboard: Option<String>,
}

impl Outcome {
    pub fn none() -> Outcome {
        Outcome::default()
    }
    pub fn nav(nav: Nav) -> Outcome {
        Outcome {
            nav,
            ..Default::default()
        }
    }
    pub fn error(text: String) -> Outcome {
        Outcome {
            message: Some((text, false)),
            ..Default::default()
        }
    }
    pub fn ok(text: String) -> Outcome {
        Outcome {
            message: Some((text, true)),
            ..Default::default()
        }
    }
    /// An export started in the background: the app shows its progress and its result.
    pub fn export(job: crate::excel::ExportJob) -> Outcome {
        Outcome {
            export: Some(Box::new(job)),
            ..Default::default()
        }
    }
    /// Copies `text` to the terminal's clipboard, saying so with `message`.
    pub fn copy(text: String, message: String) -> Outcome {
        Outcome {
            clipboard: Some(text),
            message: Some((message, true)),
            ..Default::default()
        }
    }
    pub fn with_message(mut self, text: String, ok: bool) -> Outcome {
        self.message = Some((text, ok));
        self
    }
}

pub trait Screen {
    fn title(&self) -> T;
    /// (keys, what they do) of this screen, for the key bar and the help overlay.
    fn help(&self, lang: Lang) -> Vec<(String, String)>;
    /// True while a text field has the focus: printable keys type instead of acting.
    fn editing_text(&self) -> bool {
        false
    }
    fn handle_key(&mut self, key: &KeyEvent, cx: &mut Cx) -> Outcome;
    /// Draws from state only. Returns where the focus is: the text cursor, or the selected row.
    fn draw(&self, f: &mut Frame, area: Rect, view: &View) -> Option<Position>;
    /// F5: run the query again.
    fn refresh(&mut self, _cx: &mut Cx) -> Outcome {
        Outcome::none()
    }
    /// Ctrl+E: `None` when the screen has no list to export.
    fn export(&mut self, _cx: &mut Cx) -> Option<Outcome> {
        None
    }
    /// Time passed (live screens refresh here).
    fn tick(&mut self, _cx: &mut Cx) -> Outcome {
        Outcome::none()
    }
    /// The conditions this screen keeps for the next time it is opened in the session: its
    /// name and its form's values (`None`: it keeps nothing).
    fn kept(&self) -> Option<(&'static str, Kept)> {
        None
    }
    /// The name under which this screen's kept conditions are offered back.
    fn kept_name(&self) -> Option<&'static str> {
        None
    }
    /// Offered the conditions kept last time; a screen already showing a result ignores them.
    fn recall(&mut self, _kept: &Kept) {}
}

/// A form's values as kept between two visits of a screen.
pub type Kept = Vec<(&'static str, String, usize)>;

/// The layout of a query screen: its conditions (`form_rows` high), the list, and one line
/// under the list for the count or the page.
pub fn query_layout(area: Rect, form_rows: u16) -> [Rect; 3] {
    use ratatui::layout::{Constraint, Layout};
    Layout::vertical([
        Constraint::Length(form_rows),
        Constraint::Min(4),
        Constraint::Length(1),
    ])
    .areas(area)
}
