//! The administrator's bind action in 操作员管理 with a blank card in the (in-process virtual)
//! reader: the PIN, the setup form the empty slots bring up, the card working on a worker
//! thread while the screen says "touch your key" and answers at once, then the card bound.

mod common;

use std::time::{Duration, Instant};

use common::TestDb;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use merchant_desk::card::{VirtualCard, VirtualReader};
use merchant_desk::service::session::CardReaders;
use merchant_desk::store::{cards, operators};
use merchant_desk::ui::app::App;
use merchant_desk::ui::text::Lang;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

fn key(app: &mut App, code: KeyCode, mods: KeyModifiers) {
    app.handle_key(KeyEvent::new(code, mods));
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        let code = if c == '\n' {
            KeyCode::Enter
        } else {
            KeyCode::Char(c)
        };
        key(app, code, KeyModifiers::NONE);
    }
}

fn screen(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(120, 36)).unwrap();
    t.draw(|f| app.draw(f)).unwrap();
    merchant_desk::script::runner::screen_text(t.backend().buffer())
}

/// Ticks the app until the screen shows `text` (at most 20 s).
fn wait_for(app: &mut App, text: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        app.tick();
        let s = screen(app);
        if s.contains(text) {
            return s;
        }
        assert!(Instant::now() < deadline, "no {text:?} on the screen:\n{s}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn admin_sets_up_a_blank_card_and_binds_it_without_the_screen_waiting() {
    let db = TestDb::demo(1, 5);
    let mut env = db.env();
    let reader = VirtualReader::new("Virtual UI Reader");
    env.readers = CardReaders::Virtual(reader.clone());
    let card = VirtualCard::blank("ui-blank");
    card.set_touch_delay(Duration::from_millis(400));
    reader.insert(card.clone());
    let mut app = App::new(env, Lang::Zh);
    typed(&mut app, "admin\ndemo1234\n");
    wait_for(&mut app, "系统管理员");
    key(&mut app, KeyCode::Char('p'), KeyModifiers::CONTROL);
    typed(&mut app, "czygl\n");
    wait_for(&mut app, "操作员管理");
    key(&mut app, KeyCode::Down, KeyModifiers::NONE);
    typed(&mut app, "b123456\n");
    wait_for(&mut app, "9A/9C 槽位为空");
    // The setup form: management key (blank: the default), current PIN (kept), a new PIN,
    // a new management key (blank: kept); Enter on the last field submits.
    typed(&mut app, "\n\n24681357\n");
    let started = Instant::now();
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert!(
        started.elapsed() < Duration::from_millis(300),
        "the key waited for the card: {:?}",
        started.elapsed()
    );
    let s = screen(&app);
    assert!(s.contains("请触摸 USB Key"), "{s}");
    // Keys typed meanwhile wait; the screen keeps drawing.
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    let s = wait_for(&mut app, "已初始化并绑定给 checker");
    assert!(s.contains(&card.serial()), "{s}");
    let checker = operators::by_login(&db.env().store.read(), "checker")
        .unwrap()
        .unwrap();
    let bound = cards::bound_card(&db.env().store.read(), checker.id)
        .unwrap()
        .unwrap();
    assert_eq!(bound.serial, card.serial());
    assert_eq!(bound.auth_fpr, card.auth_fpr());
    assert!(card.pin_is("24681357"));
}

/// A slow card (one that waits for a touch) at login and at an approval: the key that starts
/// the card's work comes back at once, the screen says "touch your key", and the answer lands
/// on a later tick.
#[test]
fn login_and_approval_with_a_slow_card_keep_the_screen_answering() {
    use merchant_desk::service::refunds::{self, RefundInput};
    use merchant_desk::service::{auth, card, settings};
    let db = TestDb::demo(2, 40);
    let mut env = db.env();
    let reader = VirtualReader::new("Virtual UI Reader");
    env.readers = CardReaders::Virtual(reader.clone());
    let card = VirtualCard::from_seed("slow-checker");
    reader.insert(card.clone());
    // checker has the card bound; a store in review mode has a pending refund.
    let admin = auth::login(&mut env, "admin", "demo1234")
        .unwrap()
        .session()
        .unwrap();
    let checker_id = operators::by_login(&env.store.read(), "checker")
        .unwrap()
        .unwrap()
        .id;
    card::bind_card(
        &mut env,
        &admin,
        checker_id,
        &mut reader.transport(),
        "123456",
    )
    .unwrap();
    let (txn, merchant): (i64, i64) = env
        .store
        .sql_for_tests()
        .query_row(
            "SELECT id, merchant_id FROM transactions WHERE status = 'success'
             AND txn_type = 'sale' ORDER BY id LIMIT 1",
            merchant_desk::store::params![],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    settings::set_refund(&mut env, &admin, merchant, true, 0).unwrap();
    let clerk = auth::login(&mut env, "clerk", "demo1234")
        .unwrap()
        .session()
        .unwrap();
    refunds::apply(
        &mut env,
        &clerk,
        &RefundInput {
            txn_id: txn,
            amount: "0.01".into(),
            remark: String::new(),
            pay_password: "demo1234".into(),
            refund_order_no: None,
        },
    )
    .unwrap();
    card.set_touch_delay(Duration::from_millis(600));
    let mut app = App::new(env, Lang::Zh);
    typed(&mut app, "checker\ndemo1234\n");
    wait_for(&mut app, "PIN");
    typed(&mut app, "123456");
    let started = Instant::now();
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert!(
        started.elapsed() < Duration::from_millis(400),
        "the login waited for the card: {:?}",
        started.elapsed()
    );
    assert!(screen(&app).contains("请触摸 USB Key"), "{}", screen(&app));
    wait_for(&mut app, "最近交易");
    key(&mut app, KeyCode::Char('p'), KeyModifiers::CONTROL);
    typed(&mut app, "thsh\n");
    wait_for(&mut app, "退货审核");
    // Mark the application, then approve the marked.
    typed(&mut app, " a");
    wait_for(&mut app, "同意退货");
    // remark (optional), payment password, PIN; Enter on the last field submits.
    key(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    typed(&mut app, "demo1234");
    key(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    typed(&mut app, "123456");
    let started = Instant::now();
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert!(
        started.elapsed() < Duration::from_millis(400),
        "the approval waited for the card: {:?}",
        started.elapsed()
    );
    assert!(screen(&app).contains("请触摸 USB Key"), "{}", screen(&app));
    wait_for(&mut app, "已处理 1 笔");
}
