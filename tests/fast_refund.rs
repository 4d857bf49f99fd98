//! Fast refund (spec/money-out.md §2, F1–F6): single and batch through the kernel, the outcome
//! feed's exceptions, resubmission (at most three) and cancel, one refundable amount and one
//! quota shared with ordinary refunds, and every bad input of issue 16 storing nothing. Runs on
//! SQLite and on PostgreSQL (`MERCHANT_DESK_TEST_BACKEND=postgres`).

mod common;

use common::TestDb;
use merchant_desk::domain::fast_refund::{CardProblem, FastRefundStatus, IdProblem, Ineligible};
use merchant_desk::domain::review::ApplicationKind;
use merchant_desk::service::fast_refund::{self as fr, BatchInput, FastRefundInput, HolderInput};
use merchant_desk::service::outcomes::{self, Outcome, OutcomeResult};
use merchant_desk::service::refunds::{self, RefundInput};
use merchant_desk::service::review::{self, ItemRef};
use merchant_desk::service::{check, Env, Problem, Rule, ServiceError, Session};
use merchant_desk::store::fast_refunds::FastRefundFilter;
use merchant_desk::store::params;

const PW: &str = "demo1234";

struct Fx {
    _db: TestDb,
    env: Env,
    admin: Session,
    clerk: Session,
}

fn fixture() -> Fx {
    let db = TestDb::demo(4, 40);
    let mut env = db.env();
    let admin = db.login(&mut env, "admin");
    for m in 1..=3 {
        fr::set_enabled(&mut env, &admin, m, true, PW).unwrap();
    }
    let clerk = db.login(&mut env, "clerk");
    Fx {
        _db: db,
        env,
        admin,
        clerk,
    }
}

/// A settled, unrefunded sale of a store on a supported bank: (id, rrn, card mask, amount).
fn a_sale(env: &Env, merchant_id: i64, skip: i64) -> (i64, String, String, i64) {
    env.store
        .sql_for_tests()
        .query_row(
            "SELECT t.id, t.rrn, t.card_masked, t.amount_fen FROM transactions t
             JOIN banks b ON b.code = t.bank_code
             WHERE t.merchant_id = ?1 AND t.txn_type = 'sale' AND t.status = 'success'
               AND t.settle_date IS NOT NULL AND t.refunded_fen = 0 AND t.amount_fen >= 1000
               AND b.fast_refund_debit = 1 AND b.fast_refund_credit = 1
               AND NOT EXISTS (SELECT 1 FROM refund_applications r WHERE r.txn_id = t.id)
             ORDER BY t.id LIMIT 1 OFFSET ?2",
            params![merchant_id, skip],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap()
}

/// A full card number that fits the mask and passes Luhn (the middle digits are unknown: any
/// that pass will do, as with the real card).
fn card_for(mask: &str) -> String {
    let n = mask.len();
    for d in 0..10u8 {
        let mut s: Vec<u8> = mask.bytes().collect();
        for (i, c) in s.iter_mut().enumerate() {
            if *c == b'*' {
                *c = if i == 6 { b'0' + d } else { b'0' };
            }
        }
        let s = String::from_utf8(s).unwrap();
        if merchant_desk::domain::fast_refund::luhn_ok(&s) {
            assert_eq!(s.len(), n);
            return s;
        }
    }
    unreachable!("one of ten digits passes Luhn")
}

fn holder() -> HolderInput {
    HolderInput {
        holder_name: "张小三".into(),
        id_type: "身份证".into(),
        id_number: "11010519491231002X".into(),
        province: "上海市".into(),
        city: "上海市".into(),
        branch: "工商银行上海静安支行".into(),
        remark: String::new(),
    }
}

fn input(txn_id: i64, mask: &str, amount: &str) -> FastRefundInput {
    FastRefundInput {
        txn_id,
        amount: amount.into(),
        bank: String::new(),
        card_number: card_for(mask),
        holder: holder(),
        order_no: String::new(),
    }
}

fn count(env: &Env, table: &str) -> i64 {
    env.store
        .sql_for_tests()
        .query_row(&format!("SELECT count(*) FROM {table}"), params![], |r| {
            r.get(0)
        })
        .unwrap()
}

fn ledger(env: &Env, m: i64) -> i64 {
    env.store
        .sql_for_tests()
        .query_row(
            "SELECT coalesce((SELECT balance_fen FROM ledger_lines WHERE merchant_id = ?1
                ORDER BY id DESC LIMIT 1), 0)",
            params![m],
            |r| r.get(0),
        )
        .unwrap()
}

fn outcome(env: &mut Env, order: &str, result: OutcomeResult, code: &str) {
    outcomes::record(
        env,
        &Outcome {
            kind: "fast_refund".into(),
            order_no: order.into(),
            result,
            reason_code: code.into(),
            reason_text: String::new(),
            at_ms: None,
        },
    )
    .unwrap();
}

fn check_ok(env: &Env) {
    let report = check::run(&env.store).unwrap();
    assert!(report.ok(), "check breaches: {:#?}", report.broken());
}

/// The done-when path: part of a sale fast-refunded, 异常 (wrong branch), fixed and
/// resubmitted, 成功; an ordinary refund of the rest allowed and one cent more refused.
#[test]
fn done_when_path() {
    let mut f = fixture();
    let (txn, _rrn, mask, amount) = a_sale(&f.env, 1, 0);
    let before = ledger(&f.env, 1);
    let part = amount / 2;
    let typed = merchant_desk::domain::money::format_fen(part);
    let row = fr::apply(&mut f.env, &f.clerk, &input(txn, &mask, &typed), PW, None).unwrap();
    // Direct mode: paid at once, one debit.
    assert_eq!(row.status, FastRefundStatus::Processing);
    assert_eq!(row.card_masked, mask);
    assert_eq!(ledger(&f.env, 1), before - part);
    outcome(&mut f.env, &row.order_no, OutcomeResult::Exception, "N02");
    let ex = fr::exceptions(&f.env, &f.clerk).unwrap();
    assert_eq!(ex.len(), 1);
    assert_eq!(ex[0].reason_code.as_deref(), Some("N02"));
    assert_eq!(ex[0].reason_text, "开户行/支行信息有误");
    let mut h = holder();
    h.branch = "工商银行上海南京西路支行".into();
    let again = fr::resubmit(&mut f.env, &f.clerk, row.id, &h, &card_for(&mask), PW).unwrap();
    assert_eq!(again.status, FastRefundStatus::Processing);
    assert_eq!(again.submissions, 2);
    assert_eq!(again.branch, "工商银行上海南京西路支行");
    outcome(&mut f.env, &row.order_no, OutcomeResult::Success, "");
    let d = fr::detail(&f.env, &f.clerk, row.id).unwrap();
    assert_eq!(d.row.status, FastRefundStatus::Success);
    let evs: Vec<&str> = d.events.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(
        evs,
        [
            "applied",
            "processing",
            "exception",
            "resubmitted",
            "success"
        ]
    );
    assert_eq!(ledger(&f.env, 1), before - part);
    // F6: an ordinary refund of the rest is allowed, one cent more is refused.
    let rest = amount - part;
    let one_more = refunds::apply(
        &mut f.env,
        &f.clerk,
        &RefundInput {
            txn_id: txn,
            amount: merchant_desk::domain::money::format_fen(rest + 1),
            pay_password: PW.into(),
            ..RefundInput::default()
        },
    );
    assert_eq!(
        one_more.unwrap_err(),
        ServiceError::Refused(Rule::ExceedsRefundable(rest))
    );
    refunds::apply(
        &mut f.env,
        &f.clerk,
        &RefundInput {
            txn_id: txn,
            amount: merchant_desk::domain::money::format_fen(rest),
            pay_password: PW.into(),
            ..RefundInput::default()
        },
    )
    .unwrap();
    // And a fast refund of one cent more is refused too.
    let err = fr::apply(&mut f.env, &f.clerk, &input(txn, &mask, "0.01"), PW, None).unwrap_err();
    assert!(
        matches!(
            err,
            merchant_desk::service::card::CardServiceError::Service(ServiceError::Refused(
                Rule::FastRefundIneligible(Ineligible::FullyRefunded)
            )) | merchant_desk::service::card::CardServiceError::Service(ServiceError::Refused(
                Rule::ExceedsRefundable(0)
            ))
        ),
        "{err:?}"
    );
    check_ok(&f.env);
}

fn service_err(e: merchant_desk::service::card::CardServiceError) -> ServiceError {
    match e {
        merchant_desk::service::card::CardServiceError::Service(s) => s,
        other => panic!("not a service error: {other:?}"),
    }
}

/// Every bad input of the issue: a clear answer naming the field, nothing written.
#[test]
fn bad_input_stores_nothing() {
    let mut f = fixture();
    let (txn, _, mask, amount) = a_sale(&f.env, 1, 0);
    let n0 = (
        count(&f.env, "fast_refunds"),
        count(&f.env, "applications"),
        count(&f.env, "ledger_lines"),
    );
    let try_one = |f: &mut Fx, i: FastRefundInput| {
        service_err(fr::apply(&mut f.env, &f.clerk, &i, PW, None).unwrap_err())
    };
    // Luhn.
    let mut i = input(txn, &mask, "1.00");
    let mut c: Vec<u8> = i.card_number.bytes().collect();
    let last = c.len() - 1;
    c[last] = b'0' + (c[last] - b'0' + 1) % 10;
    i.card_number = String::from_utf8(c).unwrap();
    assert_eq!(
        try_one(&mut f, i),
        ServiceError::Invalid {
            field: "card_number",
            problem: Problem::Card(CardProblem::Luhn)
        }
    );
    // Another card (passes Luhn, other last four).
    let other = format!(
        "{}{}",
        &mask[..mask.len() - 4],
        if mask.ends_with("1111") {
            "2222"
        } else {
            "1111"
        }
    );
    let mut i = input(txn, &mask, "1.00");
    i.card_number = card_for(&other);
    assert_eq!(
        try_one(&mut f, i),
        ServiceError::Invalid {
            field: "card_number",
            problem: Problem::Card(CardProblem::NotTheOriginal)
        }
    );
    // ID: wrong check character, impossible birth date.
    let mut i = input(txn, &mask, "1.00");
    i.holder.id_number = "110105194912310021".into();
    assert_eq!(
        try_one(&mut f, i),
        ServiceError::Invalid {
            field: "id_number",
            problem: Problem::IdNumber(IdProblem::CheckChar)
        }
    );
    let mut i = input(txn, &mask, "1.00");
    i.holder.id_number = "110105194902300027".into();
    assert_eq!(
        try_one(&mut f, i),
        ServiceError::Invalid {
            field: "id_number",
            problem: Problem::IdNumber(IdProblem::BirthDate)
        }
    );
    // A city outside the province.
    let mut i = input(txn, &mask, "1.00");
    i.holder.province = "北京市".into();
    i.holder.city = "杭州市".into();
    let e = try_one(&mut f, i);
    assert!(
        matches!(
            e,
            ServiceError::Invalid {
                field: "city",
                problem: Problem::CityNotInProvince(..)
            }
        ),
        "{e:?}"
    );
    // More than refundable, counting an ordinary refund.
    refunds::apply(
        &mut f.env,
        &f.clerk,
        &RefundInput {
            txn_id: txn,
            amount: "5.00".into(),
            pay_password: PW.into(),
            ..RefundInput::default()
        },
    )
    .unwrap();
    let n0 = (n0.0, n0.1, n0.2);
    let e = try_one(
        &mut f,
        input(
            txn,
            &mask,
            &merchant_desk::domain::money::format_fen(amount - 499),
        ),
    );
    assert_eq!(
        e,
        ServiceError::Refused(Rule::ExceedsRefundable(amount - 500))
    );
    assert_eq!(count(&f.env, "fast_refunds"), n0.0);
    assert_eq!(count(&f.env, "ledger_lines"), n0.2);
    let _ = &f.admin;
    check_ok(&f.env);
}

/// An unsupported bank for the card type refuses with the bank named.
#[test]
fn unsupported_bank_refused() {
    let mut f = fixture();
    let (txn, _, mask, _) = a_sale(&f.env, 1, 0);
    let bank: String = f.env.store.sql_for_tests().query_row(
        "SELECT b.code FROM transactions t JOIN banks b ON b.code = t.bank_code WHERE t.id = ?1",
        params![txn], |r| r.get(0)).unwrap();
    f.env
        .store
        .sql_for_tests()
        .execute(
            "UPDATE banks SET fast_refund_credit = 0, fast_refund_debit = 0 WHERE code = ?1",
            params![bank.as_str()],
        )
        .unwrap();
    let o = fr::original(&f.env, &f.clerk, txn).unwrap();
    assert_eq!(o.ineligible, Some(Ineligible::BankUnsupported));
    let e = service_err(
        fr::apply(&mut f.env, &f.clerk, &input(txn, &mask, "1.00"), PW, None).unwrap_err(),
    );
    assert_eq!(
        e,
        ServiceError::Refused(Rule::FastRefundIneligible(Ineligible::BankUnsupported))
    );
    assert_eq!(count(&f.env, "fast_refunds"), 0);
}

/// The store's switch: off refuses.
#[test]
fn switch_off_refuses() {
    let mut f = fixture();
    let (txn, _, mask, _) = a_sale(&f.env, 1, 0);
    fr::set_enabled(&mut f.env, &f.admin, 1, false, PW).unwrap();
    let e = service_err(
        fr::apply(&mut f.env, &f.clerk, &input(txn, &mask, "1.00"), PW, None).unwrap_err(),
    );
    assert_eq!(e, ServiceError::Refused(Rule::FastRefundDisabled));
}

/// At most three resubmissions; then cancel credits the money back and frees the amount.
#[test]
fn resubmit_capped_then_cancel_credits_back() {
    let mut f = fixture();
    let (txn, _, mask, amount) = a_sale(&f.env, 1, 0);
    let before = ledger(&f.env, 1);
    let row = fr::apply(&mut f.env, &f.clerk, &input(txn, &mask, "2.00"), PW, None).unwrap();
    for n in 0..3 {
        outcome(&mut f.env, &row.order_no, OutcomeResult::Exception, "N01");
        let r = fr::resubmit(
            &mut f.env,
            &f.clerk,
            row.id,
            &holder(),
            &card_for(&mask),
            PW,
        )
        .unwrap();
        assert_eq!(r.submissions, n + 2);
    }
    outcome(&mut f.env, &row.order_no, OutcomeResult::Exception, "N03");
    let e = fr::resubmit(
        &mut f.env,
        &f.clerk,
        row.id,
        &holder(),
        &card_for(&mask),
        PW,
    )
    .unwrap_err();
    assert_eq!(e, ServiceError::Refused(Rule::ResubmitLimit(3)));
    assert_eq!(
        fr::detail(&f.env, &f.clerk, row.id)
            .unwrap()
            .row
            .submissions,
        4
    );
    let c = fr::cancel(&mut f.env, &f.clerk, row.id, PW).unwrap();
    assert_eq!(c.status, FastRefundStatus::Cancelled);
    assert_eq!(ledger(&f.env, 1), before);
    let o = fr::original(&f.env, &f.clerk, txn).unwrap();
    assert_eq!(o.refundable.left_fen, amount);
    check_ok(&f.env);
}

/// A failure credits the money back.
#[test]
fn failure_credits_back() {
    let mut f = fixture();
    let (txn, _, mask, _) = a_sale(&f.env, 1, 0);
    let before = ledger(&f.env, 1);
    let row = fr::apply(&mut f.env, &f.clerk, &input(txn, &mask, "3.00"), PW, None).unwrap();
    outcome(&mut f.env, &row.order_no, OutcomeResult::Failed, "R03");
    assert_eq!(ledger(&f.env, 1), before);
    let q = fr::query(
        &f.env,
        &f.clerk,
        &FastRefundFilter {
            status: Some(FastRefundStatus::Failed),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(q.len(), 1);
    check_ok(&f.env);
}

/// Review mode: pending with a hold, approved by the checker with the card; F6 checked again.
#[test]
fn review_mode_waits_and_approval_pays() {
    let mut f = fixture();
    merchant_desk::service::settings::set_refund(&mut f.env, &f.admin, 1, true, 0).unwrap();
    let (txn, _, mask, _) = a_sale(&f.env, 1, 0);
    let before = ledger(&f.env, 1);
    let row = fr::apply(&mut f.env, &f.clerk, &input(txn, &mask, "4.00"), PW, None).unwrap();
    assert_eq!(row.status, FastRefundStatus::PendingReview);
    assert_eq!(ledger(&f.env, 1), before);
    let av = review::available(&f.env, &f.admin, 1).unwrap();
    assert!(av.held_fen >= 400, "{av:?}");
    check_ok(&f.env);
    // The administrator rejects it (no card needed to reject): the hold is released.
    let page = review::inbox(&f.env, &f.admin, &review::InboxQuery::default(), 0).unwrap();
    let item = page
        .rows
        .iter()
        .find(|r| r.kind == ApplicationKind::FastRefund)
        .expect("in the inbox");
    review::decide(
        &mut f.env,
        &f.admin,
        &[ItemRef::from(item)],
        false,
        "wrong amount",
        refunds::Confirmation {
            pay_password: PW,
            pin: None,
        },
    )
    .unwrap();
    let d = fr::detail(&f.env, &f.clerk, row.id).unwrap();
    assert_eq!(d.row.status, FastRefundStatus::Rejected);
    assert_eq!(ledger(&f.env, 1), before);
    check_ok(&f.env);
}

/// Batch: the quota crossed by the 7th row refuses the whole file naming the row; a good file
/// makes one batch application.
#[test]
fn batch_quota_by_seventh_row_refused_whole() {
    let mut f = fixture();
    // A quota of ¥60: six rows of ¥10 fit, the seventh does not.
    merchant_desk::service::settings::set_refund(&mut f.env, &f.admin, 1, false, 6000).unwrap();
    let mut lines = Vec::new();
    for k in 0..7 {
        let (_, rrn, mask, _) = a_sale(&f.env, 1, k);
        lines.push((k as usize + 2, rrn.clone(), input(0, &mask, "10.00")));
    }
    let b = BatchInput {
        batch_no: "B20261123001".into(),
        lines: lines.clone(),
    };
    let before = count(&f.env, "fast_refunds");
    let check = fr::validate_batch(&f.env, &f.clerk, &b).unwrap();
    assert_eq!(check.bad.len(), 1);
    assert_eq!(check.bad[0].row, 8);
    assert_eq!(
        check.bad[0].error,
        ServiceError::Refused(Rule::ExceedsQuota(0))
    );
    let e = service_err(fr::apply_batch(&mut f.env, &f.clerk, &b, PW, None).unwrap_err());
    assert!(
        matches!(e, ServiceError::Refused(Rule::Items(ref v)) if v[0].0 == "row 8"),
        "{e:?}"
    );
    assert_eq!(count(&f.env, "fast_refunds"), before);
    let b = BatchInput {
        batch_no: "B20261123001".into(),
        lines: lines[..6].to_vec(),
    };
    let (app, check) = fr::apply_batch(&mut f.env, &f.clerk, &b, PW, None).unwrap();
    assert_eq!(check.count, 6);
    assert_eq!(check.total_fen, 6000);
    assert!(app > 0);
    assert_eq!(count(&f.env, "fast_refunds"), before + 6);
    check_ok(&f.env);
}

fn csv_line(rrn: &str, order: &str, mask: &str, id_number: &str) -> String {
    format!(
        "B20261202001,{rrn},{order},10.00,张小三,身份证,{id_number},,上海市,上海市,工商银行上海静安支行,{},\n",
        card_for(mask)
    )
}

fn run_import(db: &TestDb, file: &std::path::Path) -> std::process::Output {
    std::process::Command::new(common::bin())
        .args(["--lang", "en", "fast-refund-import", "--db"])
        .arg(&db.path)
        .args(["--operator", "clerk", "--file"])
        .arg(file)
        .env("MERCHANT_DESK_PASSWORD", PW)
        .env("MERCHANT_DESK_PAY_PASSWORD", PW)
        .env_remove("MERCHANT_DESK_PIN")
        .output()
        .unwrap()
}

/// `fast-refund-import`: a file with a bad row is refused whole naming the row; a good one
/// makes one batch application.
#[test]
fn fast_refund_import_cli() {
    let f = fixture();
    let header = "批次号,原交易参考号/订单号,退货订单号,退货金额,持卡人姓名,证件类型,证件号码,开户银行,开卡省份,开卡城市,开户支行,银行卡号,备注\n";
    let (_, rrn1, mask1, _) = a_sale(&f.env, 1, 0);
    let (_, rrn2, mask2, _) = a_sale(&f.env, 1, 1);
    let bad = f._db.dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        format!(
            "{header}{}{}",
            csv_line(&rrn1, "FR1", &mask1, "11010519491231002X"),
            csv_line(&rrn2, "FR2", &mask2, "110105194912310021")
        ),
    )
    .unwrap();
    let out = run_import(&f._db, &bad);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("row 3") && text.contains("check character"),
        "{text}"
    );
    assert_eq!(count(&f.env, "fast_refunds"), 0);
    let good = f._db.dir.path().join("good.csv");
    std::fs::write(
        &good,
        format!(
            "{header}{}{}",
            csv_line(&rrn1, "FR1", &mask1, "11010519491231002X"),
            csv_line(&rrn2, "FR2", &mask2, "11010519491231002X")
        ),
    )
    .unwrap();
    let out = run_import(&f._db, &good);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("2 rows"), "{text}");
    assert_eq!(count(&f.env, "fast_refunds"), 2);
    check_ok(&f.env);
}

/// Review mode approved by the checker with the card: paid then; F6 again at approval — a
/// quota lowered meanwhile refuses the approval and nothing changes.
#[test]
fn approval_pays_and_rechecks_the_quota() {
    use merchant_desk::card::{VirtualCard, VirtualReader};
    use merchant_desk::service::card;
    use merchant_desk::service::session::CardReaders;
    let mut f = fixture();
    let reader = VirtualReader::new("test reader");
    reader.insert(VirtualCard::from_seed("checker-key"));
    f.env.readers = CardReaders::Virtual(reader.clone());
    let checker_id: i64 = f
        .env
        .store
        .sql_for_tests()
        .query_row(
            "SELECT id FROM operators WHERE login = 'checker'",
            params![],
            |r| r.get(0),
        )
        .unwrap();
    card::bind_card(
        &mut f.env,
        &f.admin,
        checker_id,
        &mut reader.transport(),
        "123456",
    )
    .unwrap();
    let checker = f._db.login_with_card(&mut f.env, "checker", "123456");
    merchant_desk::service::settings::set_refund(&mut f.env, &f.admin, 1, true, 0).unwrap();
    let (txn, _, mask, _) = a_sale(&f.env, 1, 0);
    let before = ledger(&f.env, 1);
    let row = fr::apply(&mut f.env, &f.clerk, &input(txn, &mask, "6.00"), PW, None).unwrap();
    let item = |env: &Env| {
        let page = review::inbox(env, &checker, &review::InboxQuery::default(), 0).unwrap();
        ItemRef::from(
            page.rows
                .iter()
                .find(|r| r.kind == ApplicationKind::FastRefund)
                .unwrap(),
        )
    };
    // The quota lowered below what is applied today: approval refused, nothing changes.
    merchant_desk::service::settings::set_refund(&mut f.env, &f.admin, 1, true, 100).unwrap();
    let it = item(&f.env);
    let e = review::decide(
        &mut f.env,
        &checker,
        &[it],
        true,
        "",
        refunds::Confirmation {
            pay_password: PW,
            pin: Some("123456"),
        },
    )
    .unwrap_err();
    assert!(format!("{e:?}").contains("ExceedsQuota"), "{e:?}");
    assert_eq!(
        fr::detail(&f.env, &f.clerk, row.id).unwrap().row.status,
        FastRefundStatus::PendingReview
    );
    merchant_desk::service::settings::set_refund(&mut f.env, &f.admin, 1, true, 0).unwrap();
    let it = item(&f.env);
    review::decide(
        &mut f.env,
        &checker,
        &[it],
        true,
        "",
        refunds::Confirmation {
            pay_password: PW,
            pin: Some("123456"),
        },
    )
    .unwrap();
    let d = fr::detail(&f.env, &f.clerk, row.id).unwrap();
    assert_eq!(d.row.status, FastRefundStatus::Processing);
    assert!(d.application.checker_approval_id.is_some());
    assert_eq!(ledger(&f.env, 1), before - 600);
    check_ok(&f.env);
}

/// The function is checked in the service: an operator without 快速退货 is refused, and so is
/// every list and detail.
#[test]
fn without_the_function_refused() {
    let mut f = fixture();
    let (txn, _, mask, _) = a_sale(&f.env, 1, 0);
    let monitor = f._db.login(&mut f.env, "monitor");
    let e = service_err(
        fr::apply(&mut f.env, &monitor, &input(txn, &mask, "1.00"), PW, None).unwrap_err(),
    );
    assert!(matches!(e, ServiceError::Denied(_)), "{e:?}");
    assert!(matches!(
        fr::exceptions(&f.env, &monitor),
        Err(ServiceError::Denied(_))
    ));
    assert!(matches!(
        fr::supported_banks(&f.env, &monitor),
        Err(ServiceError::Denied(_))
    ));
    assert_eq!(count(&f.env, "fast_refunds"), 0);
}

/// The template the app writes is read back by the import in both languages: its headers are
/// understood, and its example line is judged on its values (here: an original this database
/// does not hold), with nothing stored.
#[test]
fn the_written_template_is_read_back_in_both_languages() {
    use merchant_desk::service::fast_refund_import::{self as fi, ImportFailure};
    let mut f = fixture();
    let dir = tempfile::tempdir().unwrap();
    for lang in [
        merchant_desk::domain::lang::Lang::Zh,
        merchant_desk::domain::lang::Lang::En,
    ] {
        let path = fi::write_template(&dir.path().join(format!("t-{lang:?}")), lang).unwrap();
        assert!(path.extension().is_some_and(|e| e == "xlsx"));
        let before = f
            .env
            .store
            .query_i64_for_tests("SELECT count(*) FROM fast_refunds")
            .unwrap();
        match fi::import(&mut f.env, &f.clerk, &path, PW, None) {
            Err(ImportFailure::Lines(lines)) => {
                assert_eq!(lines.len(), 1, "{lines:?}");
                assert_eq!(lines[0].row, 2);
            }
            other => panic!("{lang:?}: {other:?}"),
        }
        assert_eq!(
            f.env
                .store
                .query_i64_for_tests("SELECT count(*) FROM fast_refunds")
                .unwrap(),
            before
        );
    }
}

/// Runs a tape of tests/tapes on the fixture's database, its `{NAME}`s replaced; the screens it
/// asked for, by name.
fn run_screen_tape(
    f: &Fx,
    name: &str,
    vars: &[(&str, String)],
) -> std::collections::HashMap<String, String> {
    let mut src = std::fs::read_to_string(format!(
        "{}/tests/tapes/{name}.tape",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    for (k, v) in vars {
        src = src.replace(&format!("{{{k}}}"), v);
    }
    let mut out = Vec::new();
    match merchant_desk::script::runner::run_tape(
        &src,
        &f._db.path,
        merchant_desk::ui::text::Lang::Zh,
        None,
        &mut out,
    ) {
        Ok(run) => {
            // MD_SHOW_TAPES=1 prints the screens, to look at them.
            if std::env::var_os("MD_SHOW_TAPES").is_some() {
                for (shot, text) in &run.screenshots {
                    eprintln!("--- {name}/{shot}\n{text}");
                }
            }
            run.screenshots.into_iter().collect()
        }
        Err(e) => panic!("{name}.tape: {e:?}\n{}", String::from_utf8_lossy(&out)),
    }
}

/// The batch upload screen: a bad file refused whole naming its row (nothing stored), a good
/// one confirmed with its totals and lines before the payment password, then one batch.
#[test]
fn batch_upload_screen_confirms_before_storing() {
    let f = fixture();
    let downloads = f._db.dir.path().join("downloads");
    std::fs::create_dir(&downloads).unwrap();
    merchant_desk::store::merchants::set_setting(
        &f.env.store.read(),
        "download_dir",
        &downloads.display().to_string(),
    )
    .unwrap();
    let header = "批次号,原交易参考号/订单号,退货订单号,退货金额,持卡人姓名,证件类型,证件号码,开户银行,开卡省份,开卡城市,开户支行,银行卡号,备注\n";
    let (_, rrn1, mask1, _) = a_sale(&f.env, 1, 0);
    let (_, rrn2, mask2, _) = a_sale(&f.env, 1, 1);
    let line = |rrn: &str, order: &str, mask: &str, id: &str| csv_line(rrn, order, mask, id);
    std::fs::write(
        downloads.join("bad.csv"),
        format!(
            "{header}{}{}",
            line(&rrn1, "FR1", &mask1, "11010519491231002X"),
            line(&rrn2, "FR2", &mask2, "110105194912310021")
        ),
    )
    .unwrap();
    std::fs::write(
        downloads.join("good.csv"),
        format!(
            "{header}{}{}",
            line(&rrn1, "FR1", &mask1, "11010519491231002X"),
            line(&rrn2, "FR2", &mask2, "11010519491231002X")
        ),
    )
    .unwrap();
    let ledger_before = ledger(&f.env, 1);
    let shots = run_screen_tape(&f, "fast_refund_batch", &[]);
    let refused = &shots["refused"];
    assert!(refused.contains("第 3 行"), "{refused}");
    assert!(refused.contains("证件号码"), "{refused}");
    let confirm = &shots["confirm"];
    assert!(
        confirm.contains("批次 B20261202001：2 笔，合计 20.00"),
        "{confirm}"
    );
    assert!(
        confirm.contains(&rrn1) && confirm.contains(&rrn2),
        "{confirm}"
    );
    assert!(
        shots["stored"].contains("2 笔，合计 20.00"),
        "{}",
        shots["stored"]
    );
    let rows = fr::query(
        &f.env,
        &f.clerk,
        &FastRefundFilter {
            batch_no: Some("B20261202001".into()),
            ..FastRefundFilter::default()
        },
    )
    .unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows
        .iter()
        .all(|r| r.status == FastRefundStatus::Processing));
    assert_eq!(ledger(&f.env, 1), ledger_before - 2_000);
    check_ok(&f.env);
}

/// The exception path through the screens: 异常 (wrong branch) corrected and sent again from
/// the exception list, then 成功 from the feed; the ordinary refund of the rest allowed and one
/// cent more refused; the ledger and `check` agree.
#[test]
fn exception_corrected_and_resent_through_the_screens() {
    let mut f = fixture();
    let (txn, _rrn, mask, amount) = a_sale(&f.env, 1, 0);
    let before = ledger(&f.env, 1);
    let part = amount / 2;
    let typed = merchant_desk::domain::money::format_fen(part);
    let row = fr::apply(&mut f.env, &f.clerk, &input(txn, &mask, &typed), PW, None).unwrap();
    outcome(&mut f.env, &row.order_no, OutcomeResult::Exception, "N02");
    let shots = run_screen_tape(&f, "fast_refund_exception", &[("CARD", card_for(&mask))]);
    assert!(
        shots["exceptions"].contains(&row.order_no),
        "{}",
        shots["exceptions"]
    );
    assert!(shots["resent"].contains("处理中"), "{}", shots["resent"]);
    let d = fr::detail(&f.env, &f.clerk, row.id).unwrap();
    assert_eq!(d.row.status, FastRefundStatus::Processing);
    assert_eq!(d.row.submissions, 2);
    assert_eq!(d.row.branch, "工商银行上海南京西路支行");
    // The place kept as it was (filled in by the form), named in words in the history; the
    // bank by its names.
    assert_eq!(d.place, Some(("上海市".to_string(), "上海市".to_string())));
    assert!(
        d.bank.as_ref().is_some_and(|(zh, _)| !zh.is_empty()),
        "{:?}",
        d.bank
    );
    let resent = d.events.iter().find(|e| e.event == "resubmitted").unwrap();
    assert_eq!(
        resent.detail,
        "上海市 工商银行上海静安支行 → 上海市 工商银行上海南京西路支行"
    );
    outcome(&mut f.env, &row.order_no, OutcomeResult::Success, "");
    assert_eq!(ledger(&f.env, 1), before - part);
    let rest = amount - part;
    let refund = |env: &mut Env, fen: i64| {
        refunds::apply(
            env,
            &f.clerk,
            &RefundInput {
                txn_id: txn,
                amount: merchant_desk::domain::money::format_fen(fen),
                pay_password: PW.into(),
                ..RefundInput::default()
            },
        )
    };
    assert_eq!(
        refund(&mut f.env, rest + 1).unwrap_err(),
        ServiceError::Refused(Rule::ExceedsRefundable(rest))
    );
    refund(&mut f.env, rest).unwrap();
    check_ok(&f.env);
}

/// The per-store switch on the screen (付款设置 `f`): a wrong payment password changes nothing;
/// switched off, the store's sales are refused for fast refunds, the other stores unchanged.
#[test]
fn switch_through_the_settings_screen() {
    let mut f = fixture();
    let shots = run_screen_tape(&f, "fast_refund_switch", &[]);
    assert!(
        shots["off"].contains("快速退货（退到持卡人银行卡）: 未开通"),
        "{}",
        shots["off"]
    );
    let (txn, _, mask, _) = a_sale(&f.env, 1, 0);
    let o = fr::original(&f.env, &f.clerk, txn).unwrap();
    assert!(!o.fast_refund_enabled);
    assert!(fr::apply(&mut f.env, &f.clerk, &input(txn, &mask, "1.00"), PW, None).is_err());
    let (txn2, _, mask2, _) = a_sale(&f.env, 2, 0);
    fr::apply(&mut f.env, &f.clerk, &input(txn2, &mask2, "1.00"), PW, None).unwrap();
    let changes = f
        .env
        .store
        .sql_for_tests()
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'fast_refund.enable'
               AND operator_id = ?1",
            params![f.admin.operator_id],
            |r| r.get::<i64>(0),
        )
        .unwrap();
    // Three from the fixture, one from the screen (the wrong password changed nothing).
    assert_eq!(changes, 4);
    check_ok(&f.env);
}

/// A batch is one store's: a line whose original is another store's is named with its row and
/// the store, nothing stored.
#[test]
fn batch_of_two_stores_names_the_other_stores_line() {
    let mut f = fixture();
    let (t1, r1, m1, _) = a_sale(&f.env, 1, 0);
    let (t2, r2, m2, _) = a_sale(&f.env, 2, 0);
    let other_store = merchant_desk::store::merchants::all(&f.env.store.read())
        .unwrap()
        .into_iter()
        .find(|m| m.id == 2)
        .unwrap()
        .merchant_no;
    let batch = BatchInput {
        batch_no: "B2STORES".into(),
        lines: vec![
            (2, r1, input(t1, &m1, "1.00")),
            (3, r2, input(t2, &m2, "1.00")),
        ],
    };
    let check = fr::validate_batch(&f.env, &f.clerk, &batch).unwrap();
    assert_eq!(check.bad.len(), 1);
    assert_eq!(check.bad[0].row, 3);
    assert_eq!(
        check.bad[0].error,
        ServiceError::Refused(Rule::BatchOtherStore(other_store))
    );
    let before = count(&f.env, "fast_refunds");
    assert!(fr::apply_batch(&mut f.env, &f.clerk, &batch, PW, None).is_err());
    assert_eq!(count(&f.env, "fast_refunds"), before);
}

/// A batch file with bad lines is refused in the audit log too, with its lines (nothing stored).
#[test]
fn a_batch_check_with_bad_lines_is_audited_as_refused() {
    let f = fixture();
    let (t1, r1, m1, _) = a_sale(&f.env, 1, 0);
    let mut bad = input(t1, &m1, "1.00");
    bad.holder.id_number = "110105194912310021".into();
    let batch = BatchInput {
        batch_no: "BAUDIT".into(),
        lines: vec![(2, r1, bad)],
    };
    let check = fr::validate_batch(&f.env, &f.clerk, &batch).unwrap();
    assert_eq!(check.bad.len(), 1);
    let audited: i64 = f
        .env
        .store
        .sql_for_tests()
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'fast_refund.batch_check.refused'",
            params![],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 1);
    assert_eq!(count(&f.env, "fast_refunds"), 0);
}
