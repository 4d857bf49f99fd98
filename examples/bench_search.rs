//! How long `/` takes over a result of 20,000 transactions (goal: under 20 ms a keystroke): the
//! rows' shown cells are lowercased once when the search opens, then each keystroke searches
//! them all. Release build:
//!
//!     cargo run --release --example bench_search

use std::sync::Arc;
use std::time::Instant;

use merchant_desk::clock::{parse_datetime_ms, VirtualClock};
use merchant_desk::demo::{self, DemoOptions};
use merchant_desk::service::txn_query::{self, TxnQueryInput};
use merchant_desk::service::{auth, Env};
use merchant_desk::store::Store;
use merchant_desk::ui::list::Search;
use merchant_desk::ui::screens::txn_query::TXN_LIST;
use merchant_desk::ui::text::Lang;

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("search.sqlite3");
    let clock = VirtualClock::new(parse_datetime_ms("2026-11-23 10:00").unwrap());
    let mut env = Env::new(Store::open(&path).unwrap(), Arc::new(clock));
    demo::populate(
        &mut env,
        DemoOptions {
            days: 4,
            per_day: 7_000,
            seed: 1,
        },
    )
    .unwrap();
    let s = auth::login(&mut env, "finance", demo::DEMO_PASSWORD)
        .unwrap()
        .session()
        .unwrap();
    let f = txn_query::build_filter_in(&env, &TxnQueryInput::default()).unwrap();
    let t0 = Instant::now();
    let rows = txn_query::all_rows(&env, &s, &f, 200_000).unwrap();
    let read = t0.elapsed();
    let t1 = Instant::now();
    let mut search = Search::new(&TXN_LIST, &rows, Lang::Zh, 0);
    let build = t1.elapsed();
    println!("| what | rows | ms |");
    println!("|---|---:|---:|");
    println!(
        "| reading the result | {} | {:.1} |",
        rows.len(),
        read.as_secs_f64() * 1e3
    );
    println!(
        "| lowercasing the shown cells once | {} | {:.1} |",
        rows.len(),
        build.as_secs_f64() * 1e3
    );
    let mut slowest = 0f64;
    let mut total = 0f64;
    let typed = [
        "1", "13", "135", "1,35", "1,358", "1,358.", "消", "消费", "银联", "6222",
    ];
    for t in typed {
        let start = Instant::now();
        search.set(t);
        let ms = start.elapsed().as_secs_f64() * 1e3;
        slowest = slowest.max(ms);
        total += ms;
    }
    println!(
        "| one keystroke (mean of {}, slowest {:.2}) | {} | {:.2} |",
        typed.len(),
        slowest,
        rows.len(),
        total / typed.len() as f64
    );
}
