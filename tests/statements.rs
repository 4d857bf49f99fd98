//! Statements 结算对账单 (A3): a store's day and month workbooks, read back by another reader
//! (calamine): the summary's opening + every kind's net = closing = the ledger, to the fen; the
//! card transactions sheet's total = the settlement's net; the month has its by-day sheet and
//! the days that have a statement. Refused without the function. Runs on both backends.

mod common;

use calamine::{open_workbook, Data, Reader, Xlsx};
use common::TestDb;
use merchant_desk::domain::lang::Lang;
use merchant_desk::service::statements::{self, Period, StatementError};
use merchant_desk::service::ServiceError;
use merchant_desk::store::merchants;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

const DAY: i32 = 20261122;

fn fen(d: &Data) -> i64 {
    match d {
        Data::Float(f) => (Decimal::try_from(*f).unwrap().round_dp(2) * Decimal::ONE_HUNDRED)
            .to_i64()
            .unwrap(),
        Data::Int(i) => *i * 100,
        other => panic!("not money: {other:?}"),
    }
}

fn rows(path: &std::path::Path, sheet: &str) -> Vec<Vec<Data>> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let r = wb.worksheet_range(sheet).unwrap();
    r.rows().map(|x| x.to_vec()).collect()
}

fn label(r: &[Data]) -> String {
    match r.first() {
        Some(Data::String(s)) => s.clone(),
        _ => String::new(),
    }
}

#[test]
fn day_and_month_statements_agree_with_the_ledger_and_the_settlement() {
    let db = TestDb::demo(3, 150);
    let mut env = db.env();
    let finance = db.login(&mut env, "finance");
    let m = merchants::all(&env.store.read()).unwrap().remove(0);
    let out = db.dir.path().join("out");
    let path = statements::produce(
        &env,
        &finance,
        &m.merchant_no,
        Period::Day(DAY),
        &out,
        Lang::Zh,
    )
    .unwrap();
    let wb: Xlsx<_> = open_workbook(&path).unwrap();
    let names = wb.sheet_names().to_vec();
    assert_eq!(names[0], "汇总");
    assert!(names.contains(&"收单交易".to_string()), "{names:?}");
    let summary = rows(&path, "汇总");
    let find = |l: &str| {
        summary
            .iter()
            .find(|r| label(r) == l)
            .unwrap_or_else(|| panic!("{l}: {summary:?}"))
    };
    let opening = fen(&find("期初余额")[4]);
    let closing = fen(&find("期末余额")[4]);
    let ledger = fen(&find("账户余额（账本）")[4]);
    let acquiring = fen(&find("收单交易")[4]);
    let kinds = [
        "收单交易",
        "退货",
        "转账到平台账户",
        "转账到银行卡及提现",
        "退票",
        "其他",
    ];
    let nets: i64 = kinds.iter().map(|k| fen(&find(k)[4])).sum();
    assert_eq!(opening + nets, closing);
    assert_eq!(closing, ledger);
    // The ledger, read apart: the sum of the store's lines up to the end of the day (a
    // settlement line on its settlement date).
    let end =
        merchant_desk::clock::day_start_ms(merchant_desk::clock::date_from_ymd(DAY + 1).unwrap());
    let sql = format!(
        "SELECT coalesce(sum(l.amount_fen), 0) FROM ledger_lines l
         LEFT JOIN settlements s ON l.ref_table = 'settlements' AND s.id = l.ref_id
         WHERE l.merchant_id = {} AND ((s.id IS NOT NULL AND s.settle_date <= {DAY})
            OR (s.id IS NULL AND l.line_ms < {end}))",
        m.id
    );
    assert_eq!(env.store.query_i64_for_tests(&sql).unwrap(), closing);
    // The card transactions: the settlement's net for the day, to the fen.
    let settlement = env
        .store
        .query_i64_for_tests(&format!(
            "SELECT coalesce(sum(net_fen), 0) + coalesce((SELECT sum(a.amount_fen) FROM refund_applications a
                JOIN transactions t ON t.id = a.txn_id
                WHERE a.cleared_date = {DAY} AND t.merchant_id = {id}), 0)
             FROM settlements WHERE merchant_id = {id} AND settle_date = {DAY}",
            id = m.id
        ))
        .unwrap();
    assert_eq!(acquiring, settlement);
    let txn = rows(&path, "收单交易");
    let total = txn.last().unwrap();
    assert_eq!(label(total), "合计");
    assert_eq!(fen(total.last().unwrap()), acquiring);
    let count: i64 = env
        .store
        .query_i64_for_tests(&format!("SELECT count(*) FROM transactions t JOIN settlements s ON s.id = t.settlement_id WHERE s.merchant_id = {} AND s.settle_date = {DAY}", m.id))
        .unwrap();
    assert_eq!(txn.len() as i64 - 2, count);

    // The month: the same check, and a by-day sheet whose days are those with a statement.
    let month = statements::produce(
        &env,
        &finance,
        &m.merchant_no,
        Period::Month(DAY / 100),
        &out,
        Lang::En,
    )
    .unwrap();
    let summary = rows(&month, "Summary");
    let find = |l: &str| summary.iter().find(|r| label(r) == l).unwrap().clone();
    assert_eq!(
        fen(&find("Closing balance")[4]),
        fen(&find("Ledger balance")[4])
    );
    let by_day = rows(&month, "By day");
    let days = statements::days_with_statement(&env, &finance, &m.merchant_no, DAY / 100).unwrap();
    assert_eq!(by_day.len() - 1, days.len());
    assert!(days.contains(&DAY));
    let month_net: i64 = by_day.iter().skip(1).map(|r| fen(r.last().unwrap())).sum();
    assert_eq!(
        fen(&find("Opening balance")[4]) + month_net,
        fen(&find("Closing balance")[4])
    );
}

#[test]
fn a_statement_needs_the_function_and_every_group() {
    let db = TestDb::demo(2, 20);
    let mut env = db.env();
    let clerk = db.login(&mut env, "clerk");
    let m = merchants::all(&env.store.read()).unwrap().remove(0);
    let r = statements::produce(
        &env,
        &clerk,
        &m.merchant_no,
        Period::Day(DAY),
        db.dir.path(),
        Lang::Zh,
    );
    assert!(
        matches!(r, Err(StatementError::Service(ServiceError::Denied(_)))),
        "{r:?}"
    );
    let finance = db.login(&mut env, "finance");
    let r = statements::produce(
        &env,
        &finance,
        "999999999999999",
        Period::Day(DAY),
        db.dir.path(),
        Lang::Zh,
    );
    assert!(
        matches!(
            r,
            Err(StatementError::Service(ServiceError::Invalid {
                field: "merchant",
                ..
            }))
        ),
        "{r:?}"
    );
}
