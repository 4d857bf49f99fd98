//! Transfers as the screens use them, on both backends: a payee contact chosen with F3 sends
//! its id and the service fills the account number in full (a contact of another kind is a bad
//! row, nothing stored); the 转账 screen walked with keys from the menu to the result, the
//! amounts it shows equal to the database's.

mod common;

use common::TestDb;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use merchant_desk::domain::money::format_fen;
use merchant_desk::domain::payee::PayeeKind as ContactKind;
use merchant_desk::domain::review::HolderType;
use merchant_desk::domain::transfer::{PayeeKind, RowInput};
use merchant_desk::service::payees::{self, PayeeInput};
use merchant_desk::service::transfers::{self, TransferError, TransferRequest};
use merchant_desk::service::{check, Env};
use merchant_desk::ui::app::App;
use merchant_desk::ui::screens::catalog;
use merchant_desk::ui::screens::home::CODES;
use merchant_desk::ui::text::Lang;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

const PW: &str = "demo1234";

fn count(env: &Env, sql: &str) -> i64 {
    env.store
        .sql_for_tests()
        .query_row(sql, merchant_desk::store::params![], |r| r.get(0))
        .unwrap()
}

fn check_ok(env: &Env) {
    let report = check::run(&env.store).unwrap();
    assert!(report.ok(), "{}", report.text());
}

fn bank_contact() -> PayeeInput {
    PayeeInput {
        kind: Some(ContactKind::Bank),
        account_name: "张三".into(),
        holder_type: Some(HolderType::Personal),
        bank: "工商银行".into(),
        province: "四川省".into(),
        city: "成都市".into(),
        branch: "工商银行成都高新支行".into(),
        account_no: "6222021001123456".into(),
        account_no_again: "6222021001123456".into(),
        mobile: "13800138000".into(),
        remark: String::new(),
        pay_password: PW.into(),
    }
}

#[test]
fn a_contact_chosen_with_f3_is_paid_to_its_full_number() {
    let db = TestDb::demo(3, 40);
    let mut env = db.env();
    let clerk = db.login(&mut env, "clerk");
    let contact = payees::add(&mut env, &clerk, &bank_contact()).unwrap();
    assert_eq!(contact.account, "*****3456");
    // What the screen sends: the masked number it shows, the contact's id, the amount.
    let row = RowInput {
        account_no: contact.account.clone(),
        account_no_again: Some(contact.account.clone()),
        amount: "20.00".into(),
        payee_id: Some(contact.id),
        ..Default::default()
    };
    let req = TransferRequest::single(1, PayeeKind::BankPersonal, row.clone());
    let p = transfers::preview(&env, &clerk, &req).unwrap();
    // The confirmation shows it masked: the number stays in the service.
    assert_eq!(
        p.rows[0].0.account_no,
        merchant_desk::domain::review::mask_account_no("6222021001123456")
    );
    assert_eq!(p.rows[0].0.account_name, "张三");
    assert_eq!(p.amount_fen, 2000);
    let before = transfers::available(&env, &clerk, 1).unwrap();
    assert_eq!(before.available_fen, p.available_fen);
    let sent = transfers::submit(&mut env, &clerk, &req, PW, None).unwrap();
    assert_eq!(sent.rows, 1);
    let stored = transfers::batch(&env, &clerk, sent.batch_id).unwrap();
    assert!(stored.rows[0].account_no.contains('*'));
    // What the bank is sent: the contact's full number.
    let paid: String = env
        .store
        .sql_for_tests()
        .query_row(
            "SELECT account_no FROM transfers WHERE batch_id = ?1",
            merchant_desk::store::params![sent.batch_id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(paid, "6222021001123456");
    let after = transfers::available(&env, &clerk, 1).unwrap();
    assert_eq!(
        after.available_fen,
        before.available_fen - sent.amount_fen - sent.fee_fen
    );
    check_ok(&env);

    // The same contact as a company account, or an unknown contact: a bad row, nothing stored.
    let transfers_before = count(&env, "SELECT count(*) FROM transfers");
    for (kind, id) in [
        (PayeeKind::BankCompany, contact.id),
        (PayeeKind::BankPersonal, 999_999),
        (PayeeKind::Platform, contact.id),
    ] {
        let mut bad = row.clone();
        bad.payee_id = Some(id);
        let req = TransferRequest::single(1, kind, bad);
        match transfers::submit(&mut env, &clerk, &req, PW, None) {
            Err(TransferError::Rows(rows)) => {
                assert_eq!(rows.len(), 1, "{rows:?}");
                assert!(
                    rows[0].reason.message(false).contains("contact"),
                    "{rows:?}"
                );
            }
            other => panic!("expected a bad row, got {other:?}"),
        }
    }
    assert_eq!(
        count(&env, "SELECT count(*) FROM transfers"),
        transfers_before
    );
}

fn key(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        match c {
            '\n' => key(app, KeyCode::Enter),
            '\t' => key(app, KeyCode::Tab),
            c => key(app, KeyCode::Char(c)),
        }
    }
}

fn screen(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| app.draw(f)).unwrap();
    merchant_desk::script::runner::screen_text(t.backend().buffer())
}

/// Opens 转账 from Home by its menu code.
fn open_transfer(app: &mut App, session: &merchant_desk::service::Session) {
    let i = catalog::allowed(session)
        .iter()
        .position(|e| e.id == catalog::EntryId::Transfer)
        .expect("转账 is on the clerk's menu");
    typed(app, &CODES.chars().nth(i).unwrap().to_string());
}

#[test]
fn the_transfer_screen_walks_its_three_steps() {
    for lang in [Lang::Zh, Lang::En] {
        let db = TestDb::demo(3, 40);
        let mut env = db.env();
        let clerk = db.login(&mut env, "clerk");
        let available = transfers::available(&env, &clerk, 1).unwrap().available_fen;
        let mut app = App::new(db.env(), lang);
        typed(&mut app, "clerk\ndemo1234\n");
        open_transfer(&mut app, &clerk);
        let s = screen(&app, 80, 24);
        assert!(s.contains(&format_fen(available)), "{s}");
        // A platform account of the group with the wrong name: refused, still on step 1.
        typed(&mut app, "\t\t104310058120002\t别的店\t10.50");
        app.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
        let s = screen(&app, 80, 24);
        assert!(s.contains("104310058120002"), "{s}");
        assert_eq!(count(&env, "SELECT count(*) FROM transfers"), 0);
        // The right name: step 2 shows the amount and the total.
        // The focus went to the bad field.
        for _ in 0..3 {
            key(&mut app, KeyCode::Backspace);
        }
        typed(&mut app, "鑫源百货徐家汇店");
        app.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
        let s = screen(&app, 80, 24);
        assert!(s.contains("10.50"), "{s}");
        assert!(s.contains(&format_fen(available - 1050)), "{s}");
        // A wrong payment password stores nothing; the right one sends it for review.
        typed(&mut app, "wrong\n");
        assert_eq!(count(&env, "SELECT count(*) FROM transfers"), 0);
        typed(&mut app, "demo1234\n");
        let s = screen(&app, 80, 24);
        let order_no: String = env
            .store
            .sql_for_tests()
            .query_row(
                "SELECT order_no FROM applications WHERE kind = 'transfer'",
                merchant_desk::store::params![],
                |r| r.get(0),
            )
            .unwrap();
        assert!(s.contains(&order_no), "{s}");
        assert_eq!(count(&env, "SELECT count(*) FROM transfers"), 1);
        // Saved as a contact with the payment password.
        typed(&mut app, "demo1234\n");
        assert_eq!(
            count(
                &env,
                "SELECT count(*) FROM payees WHERE account_no = '104310058120002'"
            ),
            1
        );
        check_ok(&env);
    }
}

const HEADER: &str = "商户批次号,收款开户名,收款开户银行,收款银行所在省份,收款银行所在市,收款支行名称,收款银行帐号,转账金额（元）,对公对私,收款人联系手机,转账备注,商户订单号";

/// A 20-row bank-transfer file; `bad_row` (1-based data row) gets an amount with 3 decimals.
fn bank_file(dir: &std::path::Path, name: &str, bad_row: Option<usize>) -> std::path::PathBuf {
    let mut text = String::from(HEADER);
    for i in 1..=20 {
        let amount = if Some(i) == bad_row {
            "1.234".to_string()
        } else {
            format!("1.{i:02}")
        };
        text.push_str(&format!(
            "\nPL001,张{i},工商银行,四川省,成都市,工商银行成都高新支行,6222020000001{i:03},{amount},对私,13800138000,劳务费,ZZPL001{i:04}"
        ));
    }
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn open_entry(app: &mut App, session: &merchant_desk::service::Session, id: catalog::EntryId) {
    for _ in 0..4 {
        key(app, KeyCode::Esc);
    }
    let i = catalog::allowed(session)
        .iter()
        .position(|e| e.id == id)
        .expect("the entry is on the menu");
    typed(app, &CODES.chars().nth(i).unwrap().to_string());
}

#[test]
fn the_batch_upload_shows_the_bad_row_then_confirms_the_fixed_file() {
    let db = TestDb::demo(3, 40);
    let mut env = db.env();
    let clerk = db.login(&mut env, "clerk");
    let available = transfers::available(&env, &clerk, 1).unwrap().available_fen;
    let bad = bank_file(db.dir.path(), "bad.csv", Some(7));
    let good = bank_file(db.dir.path(), "good.csv", None);
    let mut app = App::new(db.env(), Lang::Zh);
    typed(&mut app, "clerk\ndemo1234\n");
    open_entry(&mut app, &clerk, catalog::EntryId::TransferBatch);
    typed(&mut app, &format!("{}\n", bad.display()));
    let s = screen(&app, 80, 24);
    // Row 8 of the sheet (the header is row 1) and its reason; nothing stored.
    assert!(s.contains("8 转账金额（元）"), "{s}");
    assert!(s.contains("金额最多两位小数"), "{s}");
    assert_eq!(count(&env, "SELECT count(*) FROM transfers"), 0);
    for _ in 0..bad.display().to_string().chars().count() {
        key(&mut app, KeyCode::Backspace);
    }
    typed(&mut app, &format!("{}\n", good.display()));
    let s = screen(&app, 80, 24);
    let total: i64 = (1..=20).map(|i| 100 + i).sum();
    assert!(s.contains(&format_fen(total)), "{s}");
    assert!(s.contains("PL001"), "{s}");
    assert!(s.contains("*****1001"), "{s}");
    assert_eq!(count(&env, "SELECT count(*) FROM transfers"), 0);
    typed(&mut app, "demo1234\n");
    assert_eq!(count(&env, "SELECT count(*) FROM transfers"), 20);
    let s = screen(&app, 80, 24);
    assert!(s.contains(&format_fen(available - total)), "{s}");
    check_ok(&env);
    // F2 writes the two templates to the download folder.
    env.store
        .sql_for_tests()
        .execute(
            "INSERT INTO settings (key, value) VALUES ('download_dir', ?1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            merchant_desk::store::params![db.dir.path().display().to_string()],
        )
        .unwrap();
    key(&mut app, KeyCode::F(2));
    for name in ["批量转账到银行账户模板.xlsx", "批量转账到平台账户模板.xlsx"]
    {
        assert!(db.dir.path().join(name).exists(), "{name}");
    }
}

#[test]
fn the_typed_rows_of_the_batch_screen_are_checked_whole_then_sent() {
    let db = TestDb::demo(3, 40);
    let mut env = db.env();
    let clerk = db.login(&mut env, "clerk");
    let mut app = App::new(db.env(), Lang::Zh);
    typed(&mut app, "clerk\ndemo1234\n");
    open_entry(&mut app, &clerk, catalog::EntryId::TransferBatch);
    key(&mut app, KeyCode::F(4));
    // Batch number, kind (bank, personal), then two rows; the second amount has 3 decimals.
    typed(&mut app, "FM01\t\t");
    typed(
        &mut app,
        "李四\t6222020000001101\t工商银行\t四川省\t成都市\t高新支行\t5.5\tFM01A",
    );
    key(&mut app, KeyCode::F(6));
    typed(
        &mut app,
        "王五\t6222020000001102\t工商银行\t四川省\t成都市\t高新支行\t3.333\tFM01B",
    );
    key(&mut app, KeyCode::F(6));
    app.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
    let s = screen(&app, 80, 24);
    assert!(s.contains("金额最多两位小数"), "{s}");
    assert_eq!(count(&env, "SELECT count(*) FROM transfers"), 0);
    // The bad row taken back (F7) into the fields, its amount corrected, added again.
    key(&mut app, KeyCode::F(7));
    for _ in 0..5 {
        key(&mut app, KeyCode::Backspace);
    }
    typed(&mut app, "3.33");
    key(&mut app, KeyCode::F(6));
    app.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
    let s = screen(&app, 80, 24);
    assert!(s.contains("8.83") && s.contains("FM01"), "{s}");
    typed(&mut app, "demo1234\n");
    assert_eq!(count(&env, "SELECT count(*) FROM transfers"), 2);
    assert_eq!(
        count(
            &env,
            "SELECT count(*) FROM applications WHERE kind = 'transfer_batch' AND amount_fen = 883"
        ),
        1
    );
    check_ok(&env);
}

#[test]
fn the_records_filter_by_time_status_and_batch_number_and_the_detail_steps_with_brackets() {
    use merchant_desk::domain::transfer::BatchStatus;
    use merchant_desk::service::transfers::RecordQuery;
    let db = TestDb::demo(3, 40);
    let mut env = db.env();
    let clerk = db.login(&mut env, "clerk");
    let a = bank_file(db.dir.path(), "a.csv", None);
    transfers::import_file(&mut env, &clerk, 1, &a, PW, None).unwrap();
    let row = RowInput {
        account_no: "104310058120002".into(),
        account_name: "鑫源百货徐家汇店".into(),
        amount: "1.00".into(),
        ..Default::default()
    };
    let single = transfers::submit(
        &mut env,
        &clerk,
        &TransferRequest::single(1, PayeeKind::Platform, row),
        PW,
        None,
    )
    .unwrap();
    let q = |batch_no: &str, status: Option<BatchStatus>, from_ms: Option<i64>| RecordQuery {
        merchant_id: 1,
        from_ms,
        to_ms: None,
        status,
        batch_no: batch_no.into(),
    };
    let nos = |q: RecordQuery| -> Vec<String> {
        transfers::find(&env, &clerk, &q)
            .unwrap()
            .into_iter()
            .map(|b| b.batch.batch_no)
            .collect()
    };
    assert_eq!(
        nos(q("", None, None)),
        vec![single.batch_no.clone(), "PL001".into()]
    );
    assert_eq!(nos(q("pl0", None, None)), vec!["PL001".to_string()]);
    assert_eq!(
        nos(q("", Some(BatchStatus::Done), None)),
        Vec::<String>::new()
    );
    assert_eq!(nos(q("", Some(BatchStatus::PendingReview), None)).len(), 2);
    let now = env.now_ms();
    assert!(nos(q("", None, Some(now + 1))).is_empty());
    // Another store of the group shows none of them.
    let other = RecordQuery {
        merchant_id: 2,
        ..q("", None, None)
    };
    assert!(transfers::find(&env, &clerk, &other).unwrap().is_empty());

    // The detail of the newest, then ] to the next of the list and [ back.
    let mut app = App::new(db.env(), Lang::Zh);
    typed(&mut app, "clerk\ndemo1234\n");
    open_entry(&mut app, &clerk, catalog::EntryId::TransferRecords);
    key(&mut app, KeyCode::Enter);
    let s = screen(&app, 80, 24);
    assert!(s.contains(&format!("转账批次 {}", single.batch_no)), "{s}");
    assert!(s.contains("第 1/2 批"), "{s}");
    typed(&mut app, "]");
    let s = screen(&app, 80, 24);
    assert!(
        s.contains("转账批次 PL001") && s.contains("第 2/2 批"),
        "{s}"
    );
    assert!(s.contains("*****1001"), "{s}");
    typed(&mut app, "[");
    assert!(screen(&app, 80, 24).contains(&format!("转账批次 {}", single.batch_no)));
}

#[test]
fn the_confirmation_shows_the_stores_transfer_fee_and_the_total_held() {
    use merchant_desk::domain::review::{PayoutFee, PayoutFeeKind};
    let db = TestDb::demo(3, 40);
    let mut env = db.env();
    let admin = db.login(&mut env, "admin");
    let clerk = db.login(&mut env, "clerk");
    merchant_desk::service::review::set_payout_fee(
        &mut env,
        &admin,
        1,
        PayoutFeeKind::TransferBankPrivate,
        PayoutFee {
            rate_ppm: 1_000,
            fixed_fen: 200,
            ..Default::default()
        },
    )
    .unwrap();
    let before = transfers::available(&env, &clerk, 1).unwrap().available_fen;
    let mut app = App::new(db.env(), Lang::Zh);
    typed(&mut app, "clerk\ndemo1234\n");
    open_entry(&mut app, &clerk, catalog::EntryId::Transfer);
    // 银行账户·对私, then the payee and 1,000.00.
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Right);
    typed(
        &mut app,
        "\t6222021001123456\t6222021001123456\t张三\t工商银行\t四川省\t成都市\t工商银行成都高新支行\t1000",
    );
    app.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
    let s = screen(&app, 80, 24);
    // 1,000.00 × 0.1% + 2.00 = 3.00.
    assert!(s.contains("服务费: 3.00"), "{s}");
    assert!(s.contains("总金额: 1,003.00"), "{s}");
    assert!(s.contains(&format_fen(before - 100_300)), "{s}");
    assert!(s.contains("*****3456"), "{s}");
    assert!(
        !s.contains("6222021001123456"),
        "the number is shown masked:\n{s}"
    );
    typed(&mut app, "demo1234\n");
    let after = transfers::available(&env, &clerk, 1).unwrap().available_fen;
    assert_eq!(after, before - 100_300);
    assert_eq!(
        count(
            &env,
            "SELECT count(*) FROM transfers WHERE amount_fen = 100000 AND fee_fen = 300"
        ),
        1
    );
    check_ok(&env);
}
