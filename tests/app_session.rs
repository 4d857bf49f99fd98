//! The app re-reads the operator before every key: a role change shows at the next action, and
//! an operator disabled by an administrator is logged out there.

mod common;

use common::TestDb;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use merchant_desk::domain::function::Function;
use merchant_desk::service::admin;
use merchant_desk::ui::app::App;
use merchant_desk::ui::text::Lang;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        let code = if c == '\n' {
            KeyCode::Enter
        } else {
            KeyCode::Char(c)
        };
        app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
    }
}

fn screen(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(100, 30)).unwrap();
    t.draw(|f| app.draw(f)).unwrap();
    merchant_desk::script::runner::screen_text(t.backend().buffer())
}

#[test]
fn a_disabled_operator_is_logged_out_at_the_next_key() {
    let db = TestDb::demo(1, 20);
    let mut app = App::new(db.env(), Lang::En);
    typed(&mut app, "clerk\ndemo1234\n");
    assert!(app.session().is_some());
    assert!(app.session().unwrap().has(Function::TxnQuery));

    let mut admin_env = db.env();
    let admin = db.login(&mut admin_env, "admin");
    let clerk = admin::operators(&admin_env, &admin)
        .unwrap()
        .into_iter()
        .find(|o| o.login == "clerk")
        .unwrap();
    // A role without transaction query: the next key already sees it.
    let role = admin::create_role(
        &mut admin_env,
        &admin,
        "monitor only",
        &[Function::Monitor].into(),
    )
    .unwrap();
    let input = admin::OperatorInput {
        display_name: clerk.display_name.clone(),
        role_ids: vec![role],
        scope: None,
        ..Default::default()
    };
    admin::update_operator(&mut admin_env, &admin, clerk.id, &input).unwrap();
    app.handle_key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE));
    assert!(!app.session().unwrap().has(Function::TxnQuery));
    assert!(app.session().unwrap().has(Function::Monitor));

    admin::set_operator_active(&mut admin_env, &admin, clerk.id, false).unwrap();
    app.handle_key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE));
    assert!(app.session().is_none());
    let s = screen(&app);
    assert!(s.contains("Operator login"), "{s}");
    assert!(s.contains("disabled"), "{s}");
}

fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

fn logouts(db: &TestDb) -> usize {
    let mut env = db.env();
    let admin = db.login(&mut env, "admin");
    let f = merchant_desk::service::views::AuditFilter {
        action_prefix: Some("logout".into()),
        ..Default::default()
    };
    merchant_desk::service::audit::query(&env, &admin, &f, 100)
        .unwrap()
        .len()
}

#[test]
fn ctrl_q_on_the_lock_screen_asks_before_anything_happens() {
    let db = TestDb::demo(1, 20);
    let mut app = App::new(db.env(), Lang::En);
    typed(&mut app, "clerk\ndemo1234\n");
    app.handle_key(ctrl('l'));
    assert!(app.is_locked());
    assert_eq!(app.lock_why(), Some(merchant_desk::ui::app::LockWhy::Key));
    let before = logouts(&db);

    // Ctrl+Q asks: still locked, still logged in, nothing audited.
    app.handle_key(ctrl('q'));
    assert!(app.asking_quit());
    assert!(app.is_locked() && app.session().is_some() && !app.quit);
    assert_eq!(logouts(&db), before);
    let s = screen(&app);
    assert!(s.contains("Quit"), "{s}");
    // The question covers the lock: a typed password goes nowhere, and no unlocks it not.
    typed(&mut app, "demo1234\n");
    // Enter answered yes: but the password's letters were read as the answer first ('d' is
    // neither y nor n), so only the Enter counts. Start again to test "no".
    assert!(app.quit);
    assert_eq!(logouts(&db), before + 1);

    let mut app = App::new(db.env(), Lang::En);
    typed(&mut app, "clerk\ndemo1234\n");
    app.handle_key(ctrl('l'));
    app.handle_key(ctrl('q'));
    typed(&mut app, "n");
    assert!(!app.asking_quit());
    assert!(app.is_locked() && app.session().is_some() && !app.quit);
    app.handle_key(ctrl('q'));
    app.handle_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
    assert!(app.is_locked() && !app.quit);
    // Back to the password: it unlocks to the screen that was there.
    typed(&mut app, "demo1234\n");
    assert!(!app.is_locked());
    assert!(app.session().is_some());
}

#[test]
fn every_home_entry_opens_with_the_key_shown_before_it() {
    use merchant_desk::ui::screens::{catalog, home::CODES};
    let db = TestDb::demo(1, 20);
    let mut env = db.env();
    let admin = db.login(&mut env, "admin");
    let entries = catalog::allowed(&admin);
    assert!(entries.len() > 9, "admin has more than 9 entries");
    assert!(
        entries.len() <= CODES.chars().count(),
        "a key for every entry"
    );
    for (i, code) in CODES.chars().enumerate().take(entries.len()) {
        let mut app = App::new(db.env(), Lang::En);
        typed(&mut app, "admin\ndemo1234\n");
        let home = screen(&app);
        let name = entries[i].name.get(Lang::En);
        // The menu shows the key before the entry (the menu may scroll: the last ones are
        // reached by key even when out of sight at this height).
        if let Some(line) = home.lines().find(|l| l.contains(&format!("{code} {name}"))) {
            assert!(line.contains(name));
        }
        typed(&mut app, &code.to_string());
        let s = screen(&app);
        // Something opened: the title line is no longer Home's.
        let title = s.lines().next().unwrap_or("");
        assert!(
            !title.contains("· Home"),
            "{code} did not open {name}:\n{s}"
        );
    }
}
