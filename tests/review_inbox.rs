//! 我的待审核: the kinds a reviewer may review, 20 a page oldest first, the filters, the
//! reviewer's own items left out and counted, and the screen reloading by itself when another
//! process adds or decides an item.

mod common;

use common::TestDb;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use merchant_desk::card::{VirtualCard, VirtualReader};
use merchant_desk::domain::review::{AccountNature, ApplicationKind, HolderType};
use merchant_desk::service::refunds::Confirmation;
use merchant_desk::service::review::{self, BankAccountInput, InboxQuery, ItemRef};
use merchant_desk::service::session::CardReaders;
use merchant_desk::service::{card, Env, ServiceError, Session};
use merchant_desk::store::operators;
use merchant_desk::ui::app::App;
use merchant_desk::ui::text::Lang;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

const PW: &str = "demo1234";

fn account(env: &mut Env, admin: &Session, merchant_id: i64, no: &str) -> i64 {
    review::add_bank_account(
        env,
        admin,
        &BankAccountInput {
            merchant_id,
            holder_type: Some(HolderType::Company),
            nature: Some(AccountNature::Basic),
            bank: "CCB".into(),
            province: "上海市".into(),
            city: "上海市".into(),
            branch: "建设银行上海支行".into(),
            account_no: no.into(),
            account_no_again: no.into(),
            pay_password: PW.into(),
        },
    )
    .unwrap()
    .id
}

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
    let mut t = Terminal::new(TestBackend::new(120, 36)).unwrap();
    t.draw(|f| app.draw(f)).unwrap();
    merchant_desk::script::runner::screen_text(t.backend().buffer())
}

#[test]
fn pages_filters_and_own_items() {
    let db = TestDb::demo(3, 40);
    let mut env = db.env();
    let admin = db.login(&mut env, "admin");
    let checker = db.login(&mut env, "checker");
    // 25 new accounts over two stores, a second apart: 25 pending items of kind bank_account.
    for i in 0..25 {
        db.clock.advance_ms(1_000);
        account(&mut env, &admin, 1 + (i % 2), &format!("3100000000{i:04}"));
    }
    let p0 = review::inbox(&env, &checker, &InboxQuery::default(), 0).unwrap();
    assert_eq!((p0.total, p0.pages, p0.rows.len()), (25, 2, 20));
    assert!(
        p0.rows.windows(2).all(|w| w[0].made_ms <= w[1].made_ms),
        "oldest first"
    );
    let p1 = review::inbox(&env, &checker, &InboxQuery::default(), 1).unwrap();
    assert_eq!(p1.rows.len(), 5);
    assert!(p0.rows.last().unwrap().made_ms <= p1.rows[0].made_ms);
    // Ctrl+E takes every item under the filters, not the page.
    let all = review::inbox_all(&env, &checker, &InboxQuery::default()).unwrap();
    assert_eq!(all.len(), 25);
    assert_eq!(all[..20], p0.rows[..]);
    // A page beyond the last is the last.
    assert_eq!(
        review::inbox(&env, &checker, &InboxQuery::default(), 9)
            .unwrap()
            .page,
        1
    );
    // By store, by keyword, by kind, by time.
    let store2 = InboxQuery {
        merchant_id: Some(2),
        ..Default::default()
    };
    assert_eq!(review::inbox(&env, &checker, &store2, 0).unwrap().total, 12);
    let kw = InboxQuery {
        keyword: format!(" {} ", p1.rows[2].order_no),
        ..Default::default()
    };
    let one = review::inbox(&env, &checker, &kw, 0).unwrap();
    assert_eq!(one.rows.len(), 1);
    assert_eq!(one.rows[0].id, p1.rows[2].id);
    let refunds_only = InboxQuery {
        kind: Some(ApplicationKind::Refund),
        ..Default::default()
    };
    assert_eq!(
        review::inbox(&env, &checker, &refunds_only, 0)
            .unwrap()
            .total,
        0
    );
    let later = InboxQuery {
        from_ms: Some(p0.rows[10].made_ms),
        ..Default::default()
    };
    assert_eq!(review::inbox(&env, &checker, &later, 0).unwrap().total, 15);
    // The admin made them: the admin's own inbox leaves them out and counts them.
    let own = review::inbox(&env, &admin, &InboxQuery::default(), 0).unwrap();
    assert_eq!((own.total, own.own_pending), (0, 25));
    // An operator without 我的待审核 is refused, and the refusal is audited.
    let clerk = db.login(&mut env, "clerk");
    assert!(matches!(
        review::inbox(&env, &clerk, &InboxQuery::default(), 0),
        Err(ServiceError::Denied(_))
    ));
}

#[test]
fn the_inbox_screen_reloads_when_another_process_adds_or_decides() {
    let db = TestDb::demo(3, 40);
    let mut other = db.env();
    let admin = db.login(&mut other, "admin");
    let checker_id = operators::by_login(&other.store.read(), "checker")
        .unwrap()
        .unwrap()
        .id;
    let mut app = App::new(db.env(), Lang::Zh);
    typed(&mut app, "checker\ndemo1234\n");
    assert!(app.session().is_some());
    app.handle_key(KeyEvent::new(KeyCode::Char('p'), KeyModifiers::CONTROL));
    typed(&mut app, "wddsh\n");
    assert!(
        screen(&app).contains("没有待审核的申请"),
        "{}",
        screen(&app)
    );
    // Another workstation adds an account: the next tick shows it, no key pressed.
    account(&mut other, &admin, 1, "31001234560771");
    app.tick();
    let s = screen(&app);
    assert!(s.contains("*****0771"), "{s}");
    assert!(s.contains("共 1 笔"), "{s}");
    // Ctrl+E exports what the filters select, in the background, into the test's folder.
    merchant_desk::store::merchants::set_setting(
        &other.store.read(),
        "download_dir",
        db.dir.path().to_str().unwrap(),
    )
    .unwrap();
    app.handle_key(KeyEvent::new(KeyCode::Char('e'), KeyModifiers::CONTROL));
    let mut done = false;
    for _ in 0..200 {
        app.tick();
        if screen(&app).contains("已导出 1 行") {
            done = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(done, "{}", screen(&app));
    let written = std::fs::read_dir(db.dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".xlsx")
        })
        .count();
    assert_eq!(written, 1);
    // The checker decides it from the other workstation, with the card.
    let reader = VirtualReader::new("other reader");
    reader.insert(VirtualCard::from_seed("checker-key"));
    card::bind_card(
        &mut other,
        &admin,
        checker_id,
        &mut reader.transport(),
        "123456",
    )
    .unwrap();
    other.readers = CardReaders::Virtual(reader);
    let checker = db.login_with_card(&mut other, "checker", "123456");
    let app_id = review::inbox(&other, &checker, &InboxQuery::default(), 0)
        .unwrap()
        .rows[0]
        .id;
    review::decide(
        &mut other,
        &checker,
        &[ItemRef::application(app_id)],
        true,
        "",
        Confirmation {
            pay_password: PW,
            pin: Some("123456"),
        },
    )
    .unwrap();
    app.tick();
    let s = screen(&app);
    assert!(s.contains("没有待审核的申请"), "{s}");
}
