//! Re-issuing a failed or returned transfer row (X4) on both backends: a new single transfer
//! through review with the payment password, of the same payee and amount; a row re-issued
//! once (twice refused), a successful or pending row refused, a wrong password storing
//! nothing; the ledger, the available balance and `check` agreeing after the re-issue is
//! approved and paid; and the same from the batch detail of 转账记录 with `r`.

mod common;

use common::TestDb;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use merchant_desk::card::{VirtualCard, VirtualReader};
use merchant_desk::domain::transfer::{BatchStatus, TransferStatus};
use merchant_desk::service::outcomes::{self, Outcome, OutcomeResult};
use merchant_desk::service::refunds::Confirmation;
use merchant_desk::service::review::{self, ItemRef};
use merchant_desk::service::session::CardReaders;
use merchant_desk::service::transfers::{self, TransferError};
use merchant_desk::service::{card, check, Env, Rule, ServiceError, Session};
use merchant_desk::store::operators;
use merchant_desk::ui::app::App;
use merchant_desk::ui::screens::catalog;
use merchant_desk::ui::screens::home::CODES;
use merchant_desk::ui::text::Lang;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

const PW: &str = "demo1234";
const PIN: &str = "123456";

struct Fixture {
    db: TestDb,
    env: Env,
    clerk: Session,
    checker: Session,
    _card: VirtualCard,
}

fn fixture() -> Fixture {
    let db = TestDb::demo(3, 40);
    let mut env = db.env();
    let reader = VirtualReader::new("test reader");
    let card = VirtualCard::from_seed("checker-key");
    reader.insert(card.clone());
    env.readers = CardReaders::Virtual(reader.clone());
    let admin = db.login(&mut env, "admin");
    let checker = db.login(&mut env, "checker");
    let checker_id = operators::by_login(&env.store.read(), "checker")
        .unwrap()
        .unwrap()
        .id;
    card::bind_card(&mut env, &admin, checker_id, &mut reader.transport(), PIN).unwrap();
    let clerk = db.login(&mut env, "clerk");
    Fixture {
        db,
        env,
        clerk,
        checker,
        _card: card,
    }
}

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

const HEADER: &str = "商户批次号,收款开户名,收款开户银行,收款银行所在省份,收款银行所在市,收款支行名称,收款银行帐号,转账金额（元）,对公对私,收款人联系手机,转账备注,商户订单号";

fn approve(f: &mut Fixture, application_id: i64) {
    review::decide(
        &mut f.env,
        &f.checker,
        &[ItemRef::application(application_id)],
        true,
        "",
        Confirmation {
            pay_password: PW,
            pin: Some(PIN),
        },
    )
    .unwrap();
}

fn feed(env: &mut Env, order: &str, result: OutcomeResult, code: &str) {
    outcomes::record(
        env,
        &Outcome {
            kind: "transfer".into(),
            order_no: order.into(),
            result,
            reason_code: code.into(),
            reason_text: String::new(),
            at_ms: None,
        },
    )
    .unwrap();
}

/// A 3-row bank batch, approved and paid: row 1 成功, row 2 失败, row 3 成功 then 退票.
fn paid_batch(f: &mut Fixture) -> transfers::BatchView {
    let mut text = String::from(HEADER);
    for i in 1..=3 {
        text.push_str(&format!(
            "\nRB1,张{i},工商银行,四川省,成都市,工商银行成都高新支行,6222020000001{i:03},{i}0.00,对私,13800138000,劳务费,ZZRB1{i:04}"
        ));
    }
    let path = f.db.dir.path().join("rb1.csv");
    std::fs::write(&path, text).unwrap();
    let sent = transfers::import_file(&mut f.env, &f.clerk, 1, &path, PW, None).unwrap();
    approve(f, sent.application.id);
    let view = transfers::batch(&f.env, &f.clerk, sent.batch_id).unwrap();
    feed(
        &mut f.env,
        &view.rows[0].order_no,
        OutcomeResult::Success,
        "",
    );
    feed(
        &mut f.env,
        &view.rows[1].order_no,
        OutcomeResult::Failed,
        "R03",
    );
    feed(
        &mut f.env,
        &view.rows[2].order_no,
        OutcomeResult::Success,
        "",
    );
    feed(
        &mut f.env,
        &view.rows[2].order_no,
        OutcomeResult::Returned,
        "R02",
    );
    let view = transfers::batch(&f.env, &f.clerk, sent.batch_id).unwrap();
    assert_eq!(view.status, BatchStatus::Done);
    view
}

fn refused(e: TransferError) -> Rule {
    match e {
        TransferError::Service(ServiceError::Refused(r)) => r,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn a_failed_or_returned_row_is_reissued_once_through_review() {
    let mut f = fixture();
    let view = paid_batch(&mut f);
    let (ok, failed, returned) = (&view.rows[0], &view.rows[1], &view.rows[2]);
    assert_eq!(failed.status, TransferStatus::Failed);
    assert_eq!(returned.status, TransferStatus::Returned);
    check_ok(&f.env);
    let transfers_before = count(&f.env, "SELECT count(*) FROM transfers");

    // A successful row is not re-issued; a wrong password stores nothing.
    let e = transfers::reissue(&mut f.env, &f.clerk, ok.id, PW, None).unwrap_err();
    assert_eq!(refused(e), Rule::NotReissuable);
    let e = transfers::reissue(&mut f.env, &f.clerk, failed.id, "wrong", None).unwrap_err();
    assert!(
        matches!(
            e,
            TransferError::Service(ServiceError::Invalid {
                field: "pay_password",
                ..
            })
        ),
        "{e:?}"
    );
    // The checker has no transfer function.
    assert!(transfers::reissue(&mut f.env, &f.checker, failed.id, PW, None).is_err());
    assert_eq!(
        count(&f.env, "SELECT count(*) FROM transfers"),
        transfers_before
    );

    // The failed row re-issued: a new single transfer pending review, the same payee and
    // amount, its amount + fee held.
    let before = review::available(&f.env, &f.clerk, 1).unwrap();
    let again = transfers::reissue(&mut f.env, &f.clerk, failed.id, PW, None).unwrap();
    assert_eq!(again.rows, 1);
    assert_eq!(again.amount_fen, failed.amount_fen);
    let new = transfers::batch(&f.env, &f.clerk, again.batch_id).unwrap();
    assert_eq!(new.status, BatchStatus::PendingReview);
    assert_eq!(new.rows[0].reissue_of, Some(failed.id));
    assert_eq!(new.rows[0].account_no, failed.account_no);
    assert_ne!(new.rows[0].order_no, failed.order_no);
    let held = review::available(&f.env, &f.clerk, 1).unwrap();
    assert_eq!(
        held.available_fen,
        before.available_fen - again.amount_fen - again.fee_fen
    );
    assert_eq!(held.ledger_fen, before.ledger_fen);
    check_ok(&f.env);

    // Once only.
    let e = transfers::reissue(&mut f.env, &f.clerk, failed.id, PW, None).unwrap_err();
    assert_eq!(refused(e), Rule::AlreadyReissued(new.rows[0].id));
    // The pending re-issue itself is not re-issuable.
    let e = transfers::reissue(&mut f.env, &f.clerk, new.rows[0].id, PW, None).unwrap_err();
    assert_eq!(refused(e), Rule::NotReissuable);

    // The returned row too; both approved and paid: the ledger agrees to the fen.
    let third = transfers::reissue(&mut f.env, &f.clerk, returned.id, PW, None).unwrap();
    approve(&mut f, again.application.id);
    approve(&mut f, third.application.id);
    for b in [again.batch_id, third.batch_id] {
        let v = transfers::batch(&f.env, &f.clerk, b).unwrap();
        feed(&mut f.env, &v.rows[0].order_no, OutcomeResult::Success, "");
    }
    let end = review::available(&f.env, &f.clerk, 1).unwrap();
    assert_eq!(
        end.ledger_fen,
        before.ledger_fen - again.amount_fen - again.fee_fen - third.amount_fen - third.fee_fen
    );
    assert_eq!(end.available_fen, end.ledger_fen - end.held_fen);
    check_ok(&f.env);
}

fn key(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        match c {
            '\n' => key(app, KeyCode::Enter),
            c => key(app, KeyCode::Char(c)),
        }
    }
}

fn screen(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    t.draw(|f| app.draw(f)).unwrap();
    merchant_desk::script::runner::screen_text(t.backend().buffer())
}

#[test]
fn r_in_the_batch_detail_reissues_the_selected_row() {
    let mut f = fixture();
    let view = paid_batch(&mut f);
    let mut app = App::new(f.db.env(), Lang::Zh);
    typed(&mut app, "clerk\ndemo1234\n");
    let i = catalog::allowed(&f.clerk)
        .iter()
        .position(|e| e.id == catalog::EntryId::TransferRecords)
        .unwrap();
    typed(&mut app, &CODES.chars().nth(i).unwrap().to_string());
    let s = screen(&app);
    assert!(s.contains("RB1"), "{s}");
    key(&mut app, KeyCode::Enter);
    let s = screen(&app);
    assert!(s.contains("失败") && s.contains("退票"), "{s}");
    // Row 1 succeeded: refused, nothing asked.
    typed(&mut app, "r");
    assert!(screen(&app).contains("只有失败或退票"), "{}", screen(&app));
    // Row 2 failed: the password, then a new transfer pending review.
    key(&mut app, KeyCode::Down);
    typed(&mut app, "r");
    assert!(screen(&app).contains("重新转账第 2 行"), "{}", screen(&app));
    typed(&mut app, "demo1234\n");
    let s = screen(&app);
    assert!(s.contains("已重新发起"), "{s}");
    let n = count(
        &f.env,
        &format!(
            "SELECT count(*) FROM transfers WHERE reissue_of = {}",
            view.rows[1].id
        ),
    );
    assert_eq!(n, 1);
    // Again: refused, still one.
    typed(&mut app, "r");
    typed(&mut app, "demo1234\n");
    assert!(
        screen(&app).contains("已重新转账过一次"),
        "{}",
        screen(&app)
    );
    check_ok(&f.env);
}

/// The issue's "done when", ending on the screens: a 20-row file with one bad row refused
/// whole, fixed and sent; the checker approves it with the card; a result file marks 18 rows
/// 成功 and one 失败, and one 成功 row comes back 退票 later; 转账记录 and the batch detail show
/// what the ledger and the available balance say, to the fen.
#[test]
fn the_records_screens_agree_with_the_ledger_after_the_outcomes() {
    use merchant_desk::domain::money::format_fen;
    let mut f = fixture();
    let before = review::available(&f.env, &f.clerk, 1).unwrap();
    let line = |i: usize, amount: &str| {
        format!(
            "\nDW1,张{i},工商银行,四川省,成都市,工商银行成都高新支行,6222020000001{i:03},{amount},对私,13800138000,劳务费,ZZDW1{i:04}"
        )
    };
    let write = |name: &str, bad: bool| {
        let mut text = String::from(HEADER);
        for i in 1..=20 {
            let amount = if bad && i == 11 {
                "1.005".to_string()
            } else {
                format!("{i}.{:02}", i * 3)
            };
            text.push_str(&line(i, &amount));
        }
        let path = f.db.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let bad = write("dw-bad.csv", true);
    match transfers::import_file(&mut f.env, &f.clerk, 1, &bad, PW, None) {
        Err(TransferError::Rows(rows)) => {
            assert_eq!(rows.len(), 1, "{rows:?}");
            assert_eq!(rows[0].row, 12);
        }
        other => panic!("expected the bad row, got {other:?}"),
    }
    assert_eq!(count(&f.env, "SELECT count(*) FROM transfers"), 0);
    let good = write("dw.csv", false);
    let sent = transfers::import_file(&mut f.env, &f.clerk, 1, &good, PW, None).unwrap();
    approve(&mut f, sent.application.id);
    let mut result = String::from("类型,商户订单号,结果,原因代码,原因说明,时间");
    for i in 1..=20 {
        let r = if i == 7 {
            "失败,R03,账户不存在"
        } else {
            "成功,,"
        };
        result.push_str(&format!("\ntransfer,ZZDW1{i:04},{r},2026-11-23 12:00"));
    }
    let file = f.db.dir.path().join("dw-result.csv");
    std::fs::write(&file, result).unwrap();
    let report = outcomes::import_file(&mut f.env, &file).unwrap();
    assert_eq!(report.recorded, 20, "{:?}", report.refused);
    let later = f.db.dir.path().join("dw-returned.csv");
    std::fs::write(
        &later,
        "类型,商户订单号,结果,原因代码,原因说明,时间\ntransfer,ZZDW10015,退票,R02,账户已销户,2026-11-24 09:00",
    )
    .unwrap();
    assert_eq!(
        outcomes::import_file(&mut f.env, &later).unwrap().recorded,
        1
    );
    let view = transfers::batch(&f.env, &f.clerk, sent.batch_id).unwrap();
    assert_eq!(view.status, BatchStatus::Done);
    assert_eq!(view.success.0, 18);
    let back = view.failed.1 + view.returned.1;
    let end = review::available(&f.env, &f.clerk, 1).unwrap();
    let total = sent.amount_fen + sent.fee_fen;
    // The fee of a failed or returned row comes back with its amount.
    let fees_back: i64 = view
        .rows
        .iter()
        .filter(|r| r.status.credited_back())
        .map(|r| r.fee_fen)
        .sum();
    assert_eq!(end.ledger_fen, before.ledger_fen - total + back + fees_back);
    assert_eq!(end.available_fen, end.ledger_fen - end.held_fen);
    check_ok(&f.env);

    let mut app = App::new(f.db.env(), Lang::Zh);
    typed(&mut app, "clerk\ndemo1234\n");
    let i = catalog::allowed(&f.clerk)
        .iter()
        .position(|e| e.id == catalog::EntryId::TransferRecords)
        .unwrap();
    typed(&mut app, &CODES.chars().nth(i).unwrap().to_string());
    let s = screen(&app);
    assert!(s.contains("DW1") && s.contains("已完成"), "{s}");
    assert!(s.contains(&format_fen(sent.amount_fen)), "{s}");
    key(&mut app, KeyCode::Enter);
    let s = screen(&app);
    let summary = format!(
        "成功 18 笔 {}  失败 1 笔 {}  退票 1 笔 {}",
        format_fen(view.success.1),
        format_fen(view.failed.1),
        format_fen(view.returned.1)
    );
    assert!(s.contains(&summary), "{summary}\n{s}");
    assert!(s.contains("R03"), "{s}");
}

/// `migrate-to` moves transfers with a re-issued row onto a server whole (the row that names
/// the row it re-issues comes after it), and `check` on the target holds. Runs in the SQLite
/// suite beside a server (`scripts/with-postgres.sh`); skipped without one.
#[test]
fn migrate_to_copies_the_transfers_and_their_reissues() {
    let Some(server) = std::env::var("MERCHANT_DESK_TEST_PG")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        eprintln!("no PostgreSQL server: skipped");
        return;
    };
    if merchant_desk::store::testing::postgres_under_test().is_some() {
        return;
    }
    let mut f = fixture();
    let view = paid_batch(&mut f);
    transfers::reissue(&mut f.env, &f.clerk, view.rows[1].id, PW, None).unwrap();
    f.env.store.checkpoint().unwrap();
    let name = format!("md_transfers_{}", std::process::id());
    let mut admin = postgres::Client::connect(&server, postgres::NoTls).unwrap();
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
        .unwrap();
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    let url = merchant_desk::store::testing::with_database(&server, &name);
    let file = f.db.path.clone();
    drop(f.env);
    let out = std::process::Command::new(common::bin())
        .args(["migrate-to", "--from"])
        .arg(&file)
        .args(["--to", &url])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("all invariants hold"), "{text}");
    let pg = merchant_desk::store::Store::open(std::path::Path::new(&url)).unwrap();
    assert_eq!(
        pg.query_i64_for_tests("SELECT count(*) FROM transfers WHERE reissue_of IS NOT NULL")
            .unwrap(),
        1
    );
}
