//! Transfers (X1–X4) on both backends: a bank-transfer file validated whole (each rule broken,
//! 1,000 rows, a repeated batch number: refused with every bad row, nothing stored), the whole
//! batch approved by the checker with the card, the outcome feed marking rows 成功 / 失败 / 退票
//! with the money credited back once, a single transfer to another store of the group credited
//! at once, and `check` after each.

mod common;

use std::path::PathBuf;

use common::TestDb;
use merchant_desk::card::{VirtualCard, VirtualReader};
use merchant_desk::domain::review::{ApplicationKind, ApplicationStatus};
use merchant_desk::domain::transfer::{BatchStatus, PayeeKind, RowInput, TransferStatus};
use merchant_desk::excel::import::RowError;
use merchant_desk::service::card;
use merchant_desk::service::outcomes::{self, Outcome, OutcomeResult};
use merchant_desk::service::refunds::Confirmation;
use merchant_desk::service::review::{self, ItemRef};
use merchant_desk::service::session::CardReaders;
use merchant_desk::service::transfers::{self, TransferError, TransferRequest};
use merchant_desk::service::{check, Env, ServiceError, Session};
use merchant_desk::store::operators;

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

fn nothing_stored(env: &Env) {
    assert_eq!(count(env, "SELECT count(*) FROM transfers"), 0);
    assert_eq!(count(env, "SELECT count(*) FROM transfer_batches"), 0);
    assert_eq!(
        count(
            env,
            "SELECT count(*) FROM applications WHERE kind IN ('transfer', 'transfer_batch')"
        ),
        0
    );
}

fn nothing_stored_but(env: &Env, rows: i64) {
    assert_eq!(count(env, "SELECT count(*) FROM transfers"), rows);
}

fn check_ok(env: &Env) {
    let report = check::run(&env.store).unwrap();
    assert!(report.ok(), "{}", report.text());
}

const HEADER: &str = "商户批次号,收款开户名,收款开户银行,收款银行所在省份,收款银行所在市,收款支行名称,收款银行帐号,转账金额（元）,对公对私,收款人联系手机,转账备注,商户订单号";

/// A bank row of the template: personal ICBC account `6222020000001{i:03}`, amount `1.{i:02}`.
fn bank_line(batch: &str, i: usize) -> String {
    format!(
        "{batch},张{i},工商银行,四川省,成都市,工商银行成都高新支行,6222020000001{i:03},1.{:02},对私,13800138000,劳务费,ZZ{batch}{i:04}",
        i % 100
    )
}

fn write_csv(f: &Fixture, name: &str, lines: &[String]) -> PathBuf {
    let path = f.db.dir.path().join(name);
    let mut text = String::from(HEADER);
    for l in lines {
        text.push('\n');
        text.push_str(l);
    }
    std::fs::write(&path, text).unwrap();
    path
}

fn rows_of(e: TransferError) -> Vec<RowError> {
    match e {
        TransferError::Rows(r) => r,
        other => panic!("expected bad rows, got {other:?}"),
    }
}

fn import(f: &mut Fixture, path: &std::path::Path) -> Result<transfers::Submitted, TransferError> {
    transfers::import_file(&mut f.env, &f.clerk, 1, path, PW, None)
}

#[test]
fn bank_file_one_bad_row_then_fixed_approved_and_paid() {
    let mut f = fixture();
    let before = review::available(&f.env, &f.clerk, 1).unwrap();
    assert!(before.available_fen > 30_00, "{before:?}");
    let mut lines: Vec<String> = (1..=20).map(|i| bank_line("B1", i)).collect();
    // Row 8 (the 7th data row): the amount has three decimals.
    lines[6] = lines[6].replace(",1.07,", ",1.075,");
    let path = write_csv(&f, "bad.csv", &lines);
    let bad = rows_of(import(&mut f, &path).unwrap_err());
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert_eq!(bad[0].row, 8);
    assert_eq!(bad[0].column, transfers::COL_AMOUNT);
    assert_eq!(
        transfers::row_message(&bad[0], merchant_desk::domain::lang::Lang::Zh),
        "第 8 行 转账金额（元）：金额最多两位小数"
    );
    nothing_stored(&f.env);

    // Fixed: stored as one batch waiting for review, its amount held.
    let lines: Vec<String> = (1..=20).map(|i| bank_line("B1", i)).collect();
    let path = write_csv(&f, "good.csv", &lines);
    let sent = import(&mut f, &path).unwrap();
    assert_eq!(sent.rows, 20);
    let amount: i64 = (1..=20).map(|i| 100 + i as i64).sum();
    assert_eq!(sent.amount_fen, amount);
    assert_eq!(sent.application.kind, ApplicationKind::TransferBatch);
    assert_eq!(sent.application.status, ApplicationStatus::PendingReview);
    let held = review::available(&f.env, &f.clerk, 1).unwrap();
    assert_eq!(held.ledger_fen, before.ledger_fen);
    assert_eq!(held.available_fen, before.available_fen - amount);
    let view = transfers::batch(&f.env, &f.clerk, sent.batch_id).unwrap();
    assert_eq!(view.status, BatchStatus::PendingReview);
    assert!(view.rows.iter().all(|r| r.status == TransferStatus::Init));
    // The records never hand out a bank account number whole.
    assert!(
        view.rows
            .iter()
            .all(|r| !r.account_no.contains("6222020000001") && r.account_no.contains('*')),
        "{:?}",
        view.rows.iter().map(|r| &r.account_no).collect::<Vec<_>>()
    );
    check_ok(&f.env);

    // The same batch number again: refused, nothing more stored.
    let again = rows_of(import(&mut f, &path).unwrap_err());
    assert!(
        again.iter().any(|e| e.column == transfers::COL_BATCH_NO),
        "{again:?}"
    );
    assert_eq!(count(&f.env, "SELECT count(*) FROM transfer_batches"), 1);

    // The clerk cannot approve; the checker approves the whole batch with the card.
    let item = [ItemRef::application(sent.application.id)];
    assert!(review::decide(
        &mut f.env,
        &f.clerk,
        &item,
        true,
        "",
        Confirmation {
            pay_password: PW,
            pin: None
        }
    )
    .is_err());
    let inbox = review::inbox(&f.env, &f.checker, &Default::default(), 0).unwrap();
    assert!(inbox
        .rows
        .iter()
        .any(|r| r.id == sent.application.id && r.kind == ApplicationKind::TransferBatch));
    review::decide(
        &mut f.env,
        &f.checker,
        &item,
        true,
        "",
        Confirmation {
            pay_password: PW,
            pin: Some(PIN),
        },
    )
    .unwrap();
    let paid = review::available(&f.env, &f.clerk, 1).unwrap();
    assert_eq!(paid.ledger_fen, before.ledger_fen - amount);
    assert_eq!(paid.available_fen, before.available_fen - amount);
    let view = transfers::batch(&f.env, &f.clerk, sent.batch_id).unwrap();
    assert_eq!(view.status, BatchStatus::Processing);
    assert!(view
        .rows
        .iter()
        .all(|r| r.status == TransferStatus::Processing));
    check_ok(&f.env);

    // The feed: 18 succeed, one fails, one succeeds and comes back.
    let feed = |env: &mut Env, order: &str, result: OutcomeResult, code: &str| {
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
    };
    for r in &view.rows[..19] {
        feed(&mut f.env, &r.order_no, OutcomeResult::Success, "").unwrap();
    }
    let failed = view.rows[19].clone();
    feed(&mut f.env, &failed.order_no, OutcomeResult::Failed, "R03").unwrap();
    // Once only: a second failure of the same row is refused.
    assert!(feed(&mut f.env, &failed.order_no, OutcomeResult::Failed, "R03").is_err());
    let returned = view.rows[18].clone();
    feed(
        &mut f.env,
        &returned.order_no,
        OutcomeResult::Returned,
        "R02",
    )
    .unwrap();
    assert!(feed(
        &mut f.env,
        &returned.order_no,
        OutcomeResult::Returned,
        "R02"
    )
    .is_err());
    let view = transfers::batch(&f.env, &f.clerk, sent.batch_id).unwrap();
    assert_eq!(view.status, BatchStatus::Done);
    assert_eq!(view.success.0, 18);
    assert_eq!(view.failed, (1, failed.amount_fen));
    assert_eq!(view.returned, (1, returned.amount_fen));
    let back = failed.amount_fen + returned.amount_fen;
    let end = review::available(&f.env, &f.clerk, 1).unwrap();
    assert_eq!(end.ledger_fen, before.ledger_fen - amount + back);
    assert_eq!(end.available_fen, end.ledger_fen - end.held_fen);
    assert_eq!(end.available_fen, before.available_fen - amount + back);
    check_ok(&f.env);
}

#[test]
fn every_rule_broken_once_refuses_the_file_whole() {
    let mut f = fixture();
    // First a good batch, so that its order numbers are "used before".
    let used = write_csv(&f, "used.csv", &[bank_line("U1", 1)]);
    import(&mut f, &used).unwrap();
    let stored = count(&f.env, "SELECT count(*) FROM transfers");
    let mut lines: Vec<String> = (1..=12).map(|i| bank_line("B2", i)).collect();
    lines[0] = lines[0].replace("工商银行,四川省", "火星银行,四川省"); // row 2: bank
    lines[1] = lines[1].replace("四川省,成都市", "四川省,青岛市"); // row 3: city
    lines[2] = lines[2].replace(",1.03,", ",0,"); // row 4: amount > 0
    lines[3] = lines[3].replace("6222020000001004", "62220200"); // row 5: length
    lines[4] = lines[4].replace("6222020000001005", "6227000000001005"); // row 6: BIN bank
    lines[5] = lines[5].replace(",对私,", ",对X,"); // row 7: public/private
    lines[6] = lines[6].replace("ZZB20007", "ZZB20001"); // row 8: order in file
    lines[7] = lines[7].replace("ZZB20008", "ZZU10001"); // row 9: order used before
    lines[8] = lines[8].replace(",13800138000,", ",12345,"); // row 10: mobile
    lines[9] = lines[9].replace("工商银行成都高新支行", ""); // row 11: branch
    lines[10] = lines[10].replace(",张11,", ",,"); // row 12: name
    lines[11] = lines[11].replace(",1.12,", ",1.123,"); // row 13: decimals
    let path = write_csv(&f, "rules.csv", &lines);
    // The cells first (public/private, decimals), then, fixed, the rules.
    let bad = rows_of(import(&mut f, &path).unwrap_err());
    let rows: Vec<u32> = bad.iter().map(|e| e.row).collect();
    assert_eq!(rows, vec![4, 7, 13], "{bad:?}");
    assert_eq!(
        bad[0].reason,
        merchant_desk::excel::import::Reason::NotPositive
    );
    assert_eq!(
        bad[2].reason,
        merchant_desk::excel::import::Reason::TooManyDecimals
    );
    nothing_stored_but(&f.env, stored);
    lines[2] = bank_line("B2", 3);
    lines[5] = bank_line("B2", 6);
    lines[11] = bank_line("B2", 12).replace(",1.12,", ",99999999,"); // row 13: balance
    let path = write_csv(&f, "rules2.csv", &lines);
    let bad = rows_of(import(&mut f, &path).unwrap_err());
    let got: Vec<(u32, &str)> = bad.iter().map(|e| (e.row, e.column.as_str())).collect();
    for want in [
        (2, transfers::COL_BANK),
        (3, transfers::COL_CITY),
        (5, transfers::COL_ACCOUNT),
        (6, transfers::COL_ACCOUNT),
        (8, transfers::COL_ORDER_NO),
        (9, transfers::COL_ORDER_NO),
        (10, transfers::COL_MOBILE),
        (11, transfers::COL_BRANCH),
        (12, transfers::COL_NAME),
        (13, transfers::COL_AMOUNT),
    ] {
        assert!(got.contains(&want), "{want:?} in {got:?}");
    }
    assert_eq!(count(&f.env, "SELECT count(*) FROM transfers"), stored);
    assert_eq!(count(&f.env, "SELECT count(*) FROM transfer_batches"), 1);
    check_ok(&f.env);
}

#[test]
fn a_file_of_1000_rows_and_a_broken_file_store_nothing() {
    let mut f = fixture();
    let lines: Vec<String> = (1..=1000).map(|i| bank_line("BIG", i)).collect();
    let path = write_csv(&f, "big.csv", &lines);
    let bad = rows_of(import(&mut f, &path).unwrap_err());
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert!(bad[0].reason.message(true).contains("999"));
    nothing_stored(&f.env);
    // No header: refused.
    let path = f.db.dir.path().join("nohead.csv");
    std::fs::write(
        &path,
        format!("{}\n{}", bank_line("X", 1), bank_line("X", 2)),
    )
    .unwrap();
    let bad = rows_of(import(&mut f, &path).unwrap_err());
    assert!(bad
        .iter()
        .all(|e| e.reason == merchant_desk::excel::import::Reason::MissingColumn));
    assert!(bad.len() >= 5, "{bad:?}");
    // Truncated: the header alone.
    let path = f.db.dir.path().join("short.csv");
    std::fs::write(&path, HEADER).unwrap();
    assert!(matches!(
        import(&mut f, &path).unwrap_err(),
        TransferError::File(_)
    ));
    nothing_stored(&f.env);
    // A text file renamed .xlsx.
    let path = f.db.dir.path().join("fake.xlsx");
    std::fs::write(&path, "not a workbook").unwrap();
    assert!(matches!(
        import(&mut f, &path).unwrap_err(),
        TransferError::File(_)
    ));
    // GBK with the same rows reads the same (a 2-row file, stored).
    let text = format!("{HEADER}\n{}", bank_line("G1", 1));
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let path = f.db.dir.path().join("gbk.csv");
    std::fs::write(&path, &gbk).unwrap();
    let sent = import(&mut f, &path).unwrap();
    assert_eq!(sent.rows, 1);
    check_ok(&f.env);
}

#[test]
fn single_transfer_to_another_store_is_credited_at_once_when_approved() {
    let mut f = fixture();
    let row = RowInput {
        account_no: "104310058120002".into(),
        account_name: "鑫源百货徐家汇店".into(),
        amount: "10.50".into(),
        ..Default::default()
    };
    // The name must match the account.
    let mut wrong = row.clone();
    wrong.account_name = "别的店".into();
    let req = TransferRequest::single(1, PayeeKind::Platform, wrong);
    let bad = rows_of(transfers::submit(&mut f.env, &f.clerk, &req, PW, None).unwrap_err());
    assert_eq!(bad[0].column, transfers::COL_PLATFORM_NAME);
    // Not to itself.
    let mut own = row.clone();
    own.account_no = "104310058120001".into();
    own.account_name = "鑫源百货南京西路店".into();
    let req = TransferRequest::single(1, PayeeKind::Platform, own);
    assert!(transfers::submit(&mut f.env, &f.clerk, &req, PW, None).is_err());
    // A wrong payment password refuses.
    let req = TransferRequest::single(1, PayeeKind::Platform, row);
    assert!(matches!(
        transfers::submit(&mut f.env, &f.clerk, &req, "wrong", None).unwrap_err(),
        TransferError::Service(ServiceError::Invalid { .. }) | TransferError::Service(_)
    ));
    nothing_stored(&f.env);

    let b1 = review::available(&f.env, &f.clerk, 1).unwrap();
    let b2 = review::available(&f.env, &f.clerk, 2).unwrap();
    let sent = transfers::submit(&mut f.env, &f.clerk, &req, PW, None).unwrap();
    assert_eq!(sent.application.kind, ApplicationKind::Transfer);
    review::decide(
        &mut f.env,
        &f.checker,
        &[ItemRef::application(sent.application.id)],
        true,
        "",
        Confirmation {
            pay_password: PW,
            pin: Some(PIN),
        },
    )
    .unwrap();
    let a1 = review::available(&f.env, &f.clerk, 1).unwrap();
    let a2 = review::available(&f.env, &f.clerk, 2).unwrap();
    assert_eq!(a1.ledger_fen, b1.ledger_fen - 1050);
    assert_eq!(a2.ledger_fen, b2.ledger_fen + 1050);
    let view = transfers::batch(&f.env, &f.clerk, sent.batch_id).unwrap();
    assert_eq!(view.status, BatchStatus::Done);
    assert_eq!(view.rows[0].status, TransferStatus::Success);
    // An internal transfer cannot come back.
    assert!(outcomes::record(
        &mut f.env,
        &Outcome {
            kind: "transfer".into(),
            order_no: view.rows[0].order_no.clone(),
            result: OutcomeResult::Returned,
            reason_code: "R02".into(),
            reason_text: String::new(),
            at_ms: None,
        }
    )
    .is_err());
    check_ok(&f.env);
}

#[test]
fn a_rejected_batch_releases_its_hold_and_cancels_its_rows() {
    let mut f = fixture();
    let before = review::available(&f.env, &f.clerk, 1).unwrap();
    let path = write_csv(&f, "r.csv", &[bank_line("R1", 1), bank_line("R1", 2)]);
    let sent = import(&mut f, &path).unwrap();
    review::decide(
        &mut f.env,
        &f.checker,
        &[ItemRef::application(sent.application.id)],
        false,
        "收款人有误",
        Confirmation {
            pay_password: PW,
            pin: Some(PIN),
        },
    )
    .unwrap();
    let view = transfers::batch(&f.env, &f.clerk, sent.batch_id).unwrap();
    assert_eq!(view.status, BatchStatus::Rejected);
    assert!(view
        .rows
        .iter()
        .all(|r| r.status == TransferStatus::Cancelled));
    assert_eq!(review::available(&f.env, &f.clerk, 1).unwrap(), before);
    check_ok(&f.env);
    // The maker withdraws a pending batch (已撤销): the same.
    let path = write_csv(&f, "c.csv", &[bank_line("C1", 1)]);
    let sent = import(&mut f, &path).unwrap();
    review::cancel(&mut f.env, &f.clerk, sent.application.id).unwrap();
    let view = transfers::batch(&f.env, &f.clerk, sent.batch_id).unwrap();
    assert_eq!(view.status, BatchStatus::Rejected);
    assert_eq!(view.application.status, ApplicationStatus::Cancelled);
    assert_eq!(view.rows[0].status, TransferStatus::Cancelled);
    assert_eq!(review::available(&f.env, &f.clerk, 1).unwrap(), before);
    check_ok(&f.env);
}

#[test]
fn transfer_import_on_the_command_line_lists_every_bad_row_then_stores_the_good_file() {
    let f = fixture();
    let run = |path: &std::path::Path| {
        std::process::Command::new(common::bin())
            .args(["--lang", "zh", "transfer-import", "--db"])
            .arg(&f.db.path)
            .args(["--operator", "clerk", "--file"])
            .arg(path)
            .env("MERCHANT_DESK_PASSWORD", PW)
            .env("MERCHANT_DESK_PAY_PASSWORD", PW)
            .env_remove("MERCHANT_DESK_PIN")
            .output()
            .unwrap()
    };
    let mut lines: Vec<String> = (1..=3).map(|i| bank_line("CLI1", i)).collect();
    lines[1] = lines[1].replace("工商银行,四川省", "火星银行,四川省");
    let bad = write_csv(&f, "cli-bad.csv", &lines);
    let out = run(&bad);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("第 3 行 收款开户银行：不支持的银行"),
        "{text}"
    );
    nothing_stored(&f.env);
    let lines: Vec<String> = (1..=3).map(|i| bank_line("CLI1", i)).collect();
    let good = write_csv(&f, "cli-good.csv", &lines);
    let out = run(&good);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("CLI1"), "{text}");
    assert_eq!(count(&f.env, "SELECT count(*) FROM transfers"), 3);
    check_ok(&f.env);
}

#[test]
fn two_processes_importing_the_same_batch_at_once_store_one_batch() {
    let f = fixture();
    let lines: Vec<String> = (1..=50).map(|i| bank_line("RACE", i)).collect();
    let path = write_csv(&f, "race.csv", &lines);
    let spawn = || {
        std::process::Command::new(common::bin())
            .args(["--lang", "en", "transfer-import", "--db"])
            .arg(&f.db.path)
            .args(["--operator", "clerk", "--file"])
            .arg(&path)
            .env("MERCHANT_DESK_PASSWORD", PW)
            .env("MERCHANT_DESK_PAY_PASSWORD", PW)
            .env_remove("MERCHANT_DESK_PIN")
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    let ok = [&a, &b].iter().filter(|o| o.status.success()).count();
    assert_eq!(
        ok,
        1,
        "{} / {}",
        String::from_utf8_lossy(&a.stdout),
        String::from_utf8_lossy(&b.stdout)
    );
    assert_eq!(count(&f.env, "SELECT count(*) FROM transfer_batches"), 1);
    assert_eq!(count(&f.env, "SELECT count(*) FROM transfers"), 50);
    check_ok(&f.env);
}

#[test]
fn the_templates_read_back_as_their_kind() {
    let f = fixture();
    for lang in [
        merchant_desk::domain::lang::Lang::Zh,
        merchant_desk::domain::lang::Lang::En,
    ] {
        let bank = transfers::write_template(&f.db.dir.path().join("bank"), true, lang).unwrap();
        let req = transfers::read_file(&bank, 1).unwrap();
        assert_eq!(req.kind, PayeeKind::BankPersonal);
        assert_eq!(req.rows.len(), 1);
        assert_eq!(req.rows[0].amount, "12.34");
        assert_eq!(req.rows[0].account_no, "6222021001123456");
        let platform =
            transfers::write_template(&f.db.dir.path().join("platform"), false, lang).unwrap();
        let req = transfers::read_file(&platform, 1).unwrap();
        assert_eq!(req.kind, PayeeKind::Platform);
        assert_eq!(req.rows[0].account_no, "104310058120002");
        // The example row is a good platform transfer of store 1.
        transfers::preview(&f.env, &f.clerk, &req).unwrap();
    }
}

#[test]
fn a_result_file_drives_the_rows() {
    let mut f = fixture();
    let before = review::available(&f.env, &f.clerk, 1).unwrap();
    let path = write_csv(&f, "o.csv", &[bank_line("O1", 1), bank_line("O1", 2)]);
    let sent = import(&mut f, &path).unwrap();
    review::decide(
        &mut f.env,
        &f.checker,
        &[ItemRef::application(sent.application.id)],
        true,
        "",
        Confirmation {
            pay_password: PW,
            pin: Some(PIN),
        },
    )
    .unwrap();
    let file = f.db.dir.path().join("result.csv");
    std::fs::write(
        &file,
        "类型,商户订单号,结果,原因代码,原因说明,时间\n\
         transfer,ZZO10001,成功,,,2026-11-23 12:00\n\
         transfer,ZZO10002,失败,R03,账户不存在,2026-11-23 12:01\n\
         transfer,ZZO10002,失败,R03,账户不存在,2026-11-23 12:02\n",
    )
    .unwrap();
    let report = outcomes::import_file(&mut f.env, &file).unwrap();
    assert_eq!(report.recorded, 2);
    assert_eq!(report.refused.len(), 1, "{:?}", report.refused);
    let view = transfers::batch(&f.env, &f.clerk, sent.batch_id).unwrap();
    assert_eq!(view.rows[0].status, TransferStatus::Success);
    assert_eq!(view.rows[1].status, TransferStatus::Failed);
    assert_eq!(view.rows[1].reason_code.as_deref(), Some("R03"));
    let after = review::available(&f.env, &f.clerk, 1).unwrap();
    assert_eq!(
        after.ledger_fen,
        before.ledger_fen - view.rows[0].amount_fen
    );
    check_ok(&f.env);
}

/// 转账记录's conditions are chosen in the database: the batch number (any case, part of it)
/// and the time, then the status derived from the rows.
#[test]
fn records_find_by_batch_number_time_and_status() {
    let mut f = fixture();
    for batch in ["BA1", "BB2"] {
        let lines: Vec<String> = (1..=2).map(|i| bank_line(batch, i)).collect();
        let path = write_csv(&f, &format!("{batch}.csv"), &lines);
        import(&mut f, &path).unwrap();
    }
    let find = |f: &Fixture, q: transfers::RecordQuery| -> Vec<String> {
        transfers::find(&f.env, &f.clerk, &q)
            .unwrap()
            .into_iter()
            .map(|v| v.batch.batch_no)
            .collect()
    };
    let all = transfers::RecordQuery {
        merchant_id: 1,
        from_ms: None,
        to_ms: None,
        status: None,
        batch_no: String::new(),
    };
    assert_eq!(find(&f, all.clone()), ["BB2", "BA1"]);
    assert_eq!(
        find(
            &f,
            transfers::RecordQuery {
                batch_no: "ba".into(),
                ..all.clone()
            }
        ),
        ["BA1"]
    );
    let now = f.env.now_ms();
    assert!(find(
        &f,
        transfers::RecordQuery {
            from_ms: Some(now + 1),
            ..all.clone()
        }
    )
    .is_empty());
    assert!(find(
        &f,
        transfers::RecordQuery {
            status: Some(BatchStatus::Done),
            ..all.clone()
        }
    )
    .is_empty());
    assert_eq!(
        find(
            &f,
            transfers::RecordQuery {
                status: Some(BatchStatus::PendingReview),
                ..all
            }
        )
        .len(),
        2
    );
}
