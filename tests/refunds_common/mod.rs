//! Helpers of the refund tests: demo databases at a chosen time, batch files, and the check.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use merchant_desk::clock::{parse_datetime_ms, VirtualClock};
use merchant_desk::demo::{self, DemoOptions};
use merchant_desk::service::{auth, check, Env, Session};
use merchant_desk::store::Store;

pub const PW: &str = demo::DEMO_PASSWORD;

pub struct Db {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
    pub clock: VirtualClock,
}

impl Db {
    /// A demo database of `days` days of `per_day` transactions up to `now` (Asia/Shanghai),
    /// every store in direct refund mode (the demo puts one in review mode; a test that wants
    /// review mode sets it).
    pub fn demo_at(now: &str, days: u32, per_day: u32, seed: u64) -> Db {
        let dir = tempfile::tempdir().unwrap();
        // A SQLite file in the folder, or a new database on the PostgreSQL server under test.
        let path = merchant_desk::store::testing::fresh_database(dir.path());
        let clock = VirtualClock::new(parse_datetime_ms(now).unwrap());
        let mut env = Env::new(Store::open(&path).unwrap(), Arc::new(clock.clone()));
        demo::populate(
            &mut env,
            DemoOptions {
                days,
                per_day,
                seed,
            },
        )
        .unwrap();
        for m in merchant_desk::store::merchants::all(&env.store.read()).unwrap() {
            merchant_desk::store::merchants::set_refund_settings(
                &env.store.read(),
                m.id,
                "direct",
                0,
            )
            .unwrap();
        }
        Db { dir, path, clock }
    }

    /// A copy of this database in a new folder, with its own clock at the same time.
    pub fn copy(&self) -> Db {
        let dir = tempfile::tempdir().unwrap();
        let path = merchant_desk::store::testing::copy_database(&self.path, dir.path());
        Db {
            dir,
            path,
            clock: VirtualClock::new(merchant_desk::clock::Clock::now_ms(&self.clock)),
        }
    }

    pub fn env(&self) -> Env {
        let mut env = Env::new(
            Store::open(&self.path).unwrap(),
            Arc::new(self.clock.clone()),
        );
        env.workstation = "test-host".into();
        env
    }

    pub fn login(&self, env: &mut Env, login: &str) -> Session {
        auth::login(env, login, PW).unwrap().session().unwrap()
    }

    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// Asserts that every invariant holds, printing the report when one does not.
pub fn assert_invariants(store: &Store) {
    let report = check::run(store).unwrap();
    assert!(report.ok(), "invariants broken:\n{}", report.text());
}

/// (id, rrn, amount) of successful sales nobody has refunded yet, oldest first.
pub fn fresh_sales(store: &Store, n: usize) -> Vec<(i64, String, i64)> {
    let mut st = store
        .sql_for_tests()
        .prepare(
            "SELECT t.id, t.rrn, t.amount_fen FROM transactions t
             WHERE t.txn_type = 'sale' AND t.status = 'success' AND t.refunded_fen = 0
               AND NOT EXISTS (SELECT 1 FROM refund_applications r WHERE r.txn_id = t.id)
             ORDER BY t.id LIMIT ?1",
        )
        .unwrap();
    st.query_map([n as i64], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

pub fn count(store: &Store, sql: &str) -> i64 {
    store
        .sql_for_tests()
        .query_row(sql, merchant_desk::store::params![], |r| r.get(0))
        .unwrap()
}

/// A cell of a test workbook.
#[derive(Debug, Clone)]
pub enum X {
    T(String),
    N(f64),
    E,
}

pub fn t(s: impl Into<String>) -> X {
    X::T(s.into())
}

/// Writes a one-sheet .xlsx: a header row and the rows below it.
pub fn write_xlsx(path: &Path, header: &[&str], rows: &[Vec<X>]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 1, c as u16);
            match cell {
                X::T(s) => {
                    ws.write_string(r, c, s).unwrap();
                }
                X::N(n) => {
                    ws.write_number(r, c, *n).unwrap();
                }
                X::E => {}
            }
        }
    }
    wb.save(path).unwrap();
}

pub const HEADER: &[&str] = &[
    "批次号",
    "原交易参考号/订单号",
    "退货订单号",
    "退货金额",
    "备注",
];

/// A batch row: batch no, reference, refund order no, amount (yuan, as a number), remark.
pub fn row(batch: &str, reference: &str, order: &str, yuan: f64, remark: &str) -> Vec<X> {
    vec![t(batch), t(reference), t(order), X::N(yuan), t(remark)]
}

/// A good batch file of one row per sale, refunding `fen_of(amount)` of each.
pub fn batch_file(
    path: &Path,
    batch: &str,
    sales: &[(i64, String, i64)],
    fen_of: impl Fn(i64) -> i64,
) {
    let rows: Vec<Vec<X>> = sales
        .iter()
        .enumerate()
        .map(|(i, (_, rrn, amount))| {
            row(
                batch,
                rrn,
                &format!("{batch}R{i:05}"),
                fen_of(*amount) as f64 / 100.0,
                "",
            )
        })
        .collect();
    write_xlsx(path, HEADER, &rows);
}
