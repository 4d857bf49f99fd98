//! Reconciliation and statement benchmarks on the 10-million-transaction database (370 days ×
//! 27,000 a day, three stores): importing and matching the demo acquirer's file of one day
//! (every store of the group, ≈ 27,000 rows) through `service::recon::import` (one
//! transaction: read, parse, match, store every row and exception, audit), and one store's
//! month statement through `service::statements::produce` (build, self-check, write the .xlsx).
//!
//! ```sh
//! cargo run --release --example bench_recon -- /tmp/md-bench-recon/10m.sqlite3 --runs 3
//! ```
//!
//! The database is `merchant-desk demo --db … --days 370 --per-day 27000` (the same file
//! bench_queries caches in /tmp/md-bench); use a copy, since opening it migrates it.

use std::sync::Arc;
use std::time::Instant;

use merchant_desk::clock::{date_of_ms, ymd, SystemClock};
use merchant_desk::demo::acquirer;
use merchant_desk::domain::lang::Lang;
use merchant_desk::domain::recon::add_days;
use merchant_desk::service::recon::{self, ImportRequest};
use merchant_desk::service::statements::{self, Period};
use merchant_desk::service::{auth, Env};
use merchant_desk::store::Store;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args.first().expect("the database file").clone();
    let runs: usize = args
        .iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(3);
    let store = Store::open(std::path::Path::new(&path)).expect("open");
    let mut env = Env::new(store, Arc::new(SystemClock));
    let txns = env
        .store
        .query_i64_for_tests("SELECT count(*) FROM transactions")
        .unwrap();
    let last: i32 = env
        .store
        .query_i64_for_tests("SELECT max(trade_date) FROM transactions")
        .unwrap() as i32;
    let day = add_days(last, -1);
    let session = auth::login(&mut env, "finance", "demo1234")
        .unwrap()
        .session()
        .expect("finance logs in without a card");
    let dir = tempfile::tempdir().unwrap();
    let file = acquirer::write_day(&env, dir.path(), day).unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    let rows = text.lines().count() - 2;
    println!("database: {txns} transactions; file of {day}: {rows} rows");
    let mut times = Vec::new();
    for i in 0..runs {
        // A new file each time (the same one twice is refused): a comment line makes it new;
        // each import supersedes the last.
        let p = dir.path().join(format!("acquirer-{day}-{i}.csv"));
        // (The moment in the comment: an earlier benchmark run on the same copy keeps its files.)
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        std::fs::write(
            &p,
            text.replacen('\n', &format!("\n# run {i} at {stamp}\n"), 1),
        )
        .unwrap();
        let t = Instant::now();
        let s = recon::import(
            &mut env,
            &session,
            &ImportRequest {
                path: p,
                format: None,
                date: Some(day),
            },
        )
        .unwrap();
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        println!(
            "import + match: {ms:.0} ms ({} runs, {} open)",
            s.runs.len(),
            s.open
        );
        times.push(ms);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    println!(
        "import + match, median of {runs}: {:.0} ms",
        times[times.len() / 2]
    );

    let merchant = env
        .store
        .query_i64_for_tests(
            "SELECT merchant_id FROM transactions GROUP BY merchant_id ORDER BY count(*) DESC LIMIT 1",
        )
        .unwrap();
    let no = merchant_desk::store::merchants::all(&env.store.read())
        .unwrap()
        .into_iter()
        .find(|m| m.id == merchant)
        .unwrap()
        .merchant_no;
    let today = ymd(date_of_ms(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64,
    ));
    let month = (add_days(last, -(last % 100)) / 100).min(today / 100);
    let mut times = Vec::new();
    let mut builds = Vec::new();
    for _ in 0..runs {
        // The build (read the ledger and the month's card transactions, self-check) apart.
        let t = Instant::now();
        statements::build(&env, &session, &no, Period::Month(month)).unwrap();
        builds.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        let p = statements::produce(
            &env,
            &session,
            &no,
            Period::Month(month),
            dir.path(),
            Lang::Zh,
        )
        .unwrap();
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        println!(
            "month statement {month} of {no}: {ms:.0} ms ({} bytes)",
            std::fs::metadata(&p).unwrap().len()
        );
        times.push(ms);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    builds.sort_by(|a, b| a.total_cmp(b));
    println!(
        "month statement, median of {runs}: {:.0} ms (of which the build: {:.0} ms)",
        times[times.len() / 2],
        builds[builds.len() / 2]
    );
}
