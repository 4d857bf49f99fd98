//! Refund benchmark (issue 6): the daily settlement run for one day of a large database, with and
//! without 999 refunds to clear, and importing + validating a 999-row batch refund file.
//!
//! ```text
//! cargo run --release --example bench_refunds                    # 30 days × 27,000 a day
//! cargo run --release --example bench_refunds -- --days 370      # about 10 million rows
//! cargo run --release --example bench_refunds -- --per-day 27000 --runs 5 --dir /tmp/bench
//! ```
//!
//! Goals: the settlement run for a day (about 27,000 transactions) < 300 ms; importing and
//! validating a 999-row file < 50 ms. The database is built once by the demo generator (the last
//! day left unsettled) and copied for each settlement run, so every run settles the same day.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use merchant_desk::clock::{parse_datetime_ms, VirtualClock};
use merchant_desk::demo::{self, DemoOptions};
use merchant_desk::excel::import::read_table;
use merchant_desk::service::{auth, batch_refund, password, settlement, Env};
use merchant_desk::store::{operators, Store};

const NOW: &str = "2026-11-23 23:59";
const SETTLE_DATE: i32 = 20261124;

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn env_at(path: &Path) -> Env {
    let clock = VirtualClock::new(parse_datetime_ms(NOW).unwrap());
    Env::new(Store::open(path).unwrap(), Arc::new(clock))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// A copy of the database file (checkpointed first, so the copy is whole).
fn copy_db(from: &Path, to: &Path) {
    let c = rusqlite::Connection::open(from).unwrap();
    c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    drop(c);
    let _ = std::fs::remove_file(to.with_extension("sqlite3-wal"));
    let _ = std::fs::remove_file(to.with_extension("sqlite3-shm"));
    std::fs::copy(from, to).unwrap();
}

/// Successful sales of the unsettled day nobody refunded, `n` of them from `skip` on.
fn sales(conn: &rusqlite::Connection, skip: usize, n: usize) -> Vec<(String, i64)> {
    let mut st = conn
        .prepare(
            "SELECT rrn, amount_fen FROM transactions WHERE settle_date IS NULL
               AND txn_type = 'sale' AND status = 'success' AND refunded_fen = 0
               AND NOT EXISTS (SELECT 1 FROM refund_applications r WHERE r.txn_id = transactions.id)
             ORDER BY id LIMIT ?1 OFFSET ?2",
        )
        .unwrap();
    st.query_map([n as i64, skip as i64], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn write_batch(path: &Path, batch: &str, rows: &[(String, i64)]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in [
        "批次号",
        "原交易参考号/订单号",
        "退货订单号",
        "退货金额",
        "备注",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (i, (rrn, amount)) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, batch).unwrap();
        ws.write_string(r, 1, rrn).unwrap();
        ws.write_string(r, 2, format!("{batch}R{i:04}")).unwrap();
        ws.write_number(r, 3, ((amount / 3).max(1)) as f64 / 100.0)
            .unwrap();
        ws.write_string(r, 4, "批量退货").unwrap();
    }
    wb.save(path).unwrap();
}

fn settle(env: &mut Env) -> (Duration, settlement::SettleReport) {
    // The run is made on its settlement day (a run never settles ahead of its business day).
    env.clock = Arc::new(VirtualClock::new(
        parse_datetime_ms("2026-11-24 00:30").unwrap(),
    ));
    let t = Instant::now();
    let r = settlement::run(env, SETTLE_DATE).unwrap();
    (t.elapsed(), r)
}

fn main() {
    let days = arg("--days", 30) as u32;
    let per_day = arg("--per-day", 27_000) as u32;
    let runs = arg("--runs", 3).max(1) as usize;
    let dir: PathBuf = std::env::args()
        .skip_while(|a| a != "--dir")
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir)
        .join(format!("bench_refunds_{days}x{per_day}"));
    std::fs::create_dir_all(&dir).unwrap();
    let base = dir.join("base.sqlite3");
    if !base.exists() {
        eprintln!(
            "building {days} days × {per_day} transactions in {} ...",
            base.display()
        );
        let t = Instant::now();
        let tmp = dir.join("building.sqlite3");
        let _ = std::fs::remove_file(&tmp);
        let mut env = env_at(&tmp);
        let s = demo::populate(
            &mut env,
            DemoOptions {
                days,
                per_day,
                seed: 11,
            },
        )
        .unwrap();
        drop(env);
        copy_db(&tmp, &base);
        std::fs::remove_file(&tmp).unwrap();
        eprintln!(
            "  {} transactions in {:.1} s",
            s.transactions,
            t.elapsed().as_secs_f64()
        );
    }
    let (total, day): (i64, i64) = {
        let c = rusqlite::Connection::open(&base).unwrap();
        (
            c.query_row("SELECT count(*) FROM transactions", [], |r| r.get(0))
                .unwrap(),
            c.query_row(
                "SELECT count(*) FROM transactions WHERE settle_date IS NULL",
                [],
                |r| r.get(0),
            )
            .unwrap(),
        )
    };

    // 1. The settlement run of the unsettled day, on fresh copies.
    let work = dir.join("work.sqlite3");
    let mut plain = Vec::new();
    for _ in 0..runs {
        copy_db(&base, &work);
        let mut env = env_at(&work);
        let (d, r) = settle(&mut env);
        assert_eq!(r.txn_count, day);
        plain.push(ms(d));
    }

    // 2. The same run with 999 submitted refunds to clear (imported as a batch first).
    let mut clearing = Vec::new();
    let mut cleared = 0;
    for _ in 0..runs {
        copy_db(&base, &work);
        let mut env = env_at(&work);
        let clerk = auth::login(&mut env, "clerk", demo::DEMO_PASSWORD)
            .unwrap()
            .session()
            .unwrap();
        let rows = sales(env.store.raw_connection_for_tests(), 0, 999);
        let f = dir.join("clear.xlsx");
        write_batch(&f, "BENCHCLEAR", &rows);
        batch_refund::import(&mut env, &clerk, &f, demo::DEMO_PASSWORD).unwrap();
        let (d, r) = settle(&mut env);
        cleared = r.refunds_cleared;
        clearing.push(ms(d));
    }

    // 3. Importing and validating 999-row files (each on other sales, each committed).
    copy_db(&base, &work);
    let mut env = env_at(&work);
    let clerk = auth::login(&mut env, "clerk", demo::DEMO_PASSWORD)
        .unwrap()
        .session()
        .unwrap();
    let (mut import, mut read, mut pw) = (Vec::new(), Vec::new(), Vec::new());
    let hash = operators::by_login(&env.store.read(), "clerk")
        .unwrap()
        .unwrap()
        .pay_password_hash
        .unwrap();
    for i in 0..runs.max(5) {
        let rows = sales(env.store.raw_connection_for_tests(), 0, 999);
        assert_eq!(rows.len(), 999, "not enough sales left on the day");
        let f = dir.join(format!("batch{i}.xlsx"));
        write_batch(&f, &format!("BENCH{i}"), &rows);
        let t = Instant::now();
        read_table(&f, 999).unwrap();
        read.push(ms(t.elapsed()));
        let t = Instant::now();
        assert!(password::verify(&hash, demo::DEMO_PASSWORD));
        pw.push(ms(t.elapsed()));
        let t = Instant::now();
        let s = batch_refund::import(&mut env, &clerk, &f, demo::DEMO_PASSWORD).unwrap();
        import.push(ms(t.elapsed()));
        assert_eq!(s.rows, 999);
    }
    let report = merchant_desk::service::check::run(&env.store).unwrap();
    assert!(report.ok(), "{}", report.text());

    let (imp, pwm) = (median(import), median(pw));
    println!();
    println!(
        "database: {total} transactions ({days} days × {per_day}); the day settled: {day} transactions"
    );
    println!();
    println!("| measurement (median of {runs}+ runs, release)              |   ms   | goal    |");
    println!("|----------------------------------------------------------|-------:|---------|");
    println!(
        "| settlement run, one day ({day} txns)                    | {:6.1} | < 300   |",
        median(plain)
    );
    println!(
        "| same run clearing {cleared} refunds                            | {:6.1} | < 300   |",
        median(clearing)
    );
    println!("| 999-row batch import: read + validate + store (total)    | {imp:6.1} | < 50    |");
    println!("|   of which the payment password (argon2id verify)        | {pwm:6.1} |         |");
    println!(
        "|   the import without the password check                  | {:6.1} | < 50    |",
        imp - pwm
    );
    println!(
        "| reading the 999-row .xlsx alone                          | {:6.1} |         |",
        median(read)
    );
}
