//! Query benchmarks on 1 million and 10 million transactions: the app's own query code (service
//! layer: permission check, scope, joins, row mapping) against the same SQL run directly through
//! rusqlite, both in one run.
//!
//! ```sh
//! cargo run --release --example bench_queries            # 1m and 10m
//! cargo run --release --example bench_queries -- 1m      # only 1m
//! ```
//!
//! The databases are built once with the demo generator (370 days × 2,700 or 27,000 a day) and
//! cached as /tmp/md-bench/{1m,10m}.sqlite3 (`MD_BENCH_DIR` moves them); the same files come from
//! `merchant-desk demo --db /tmp/md-bench/10m.sqlite3 --days 370 --per-day 27000`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use merchant_desk::clock::{date_from_ymd, day_start_ms, SystemClock};
use merchant_desk::demo::{self, DemoOptions};
use merchant_desk::service::{auth, summaries, txn_query, Env, Session};
use merchant_desk::store::summaries::GroupBy;
use merchant_desk::store::transactions::{PageAt, TxnFilter};
use merchant_desk::store::Store;

fn median_ms(runs: usize, mut f: impl FnMut()) -> f64 {
    f(); // warm the cache and the statement cache
    let mut v: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn build(path: &Path, per_day: u32) -> Env {
    if !path.exists() {
        eprintln!(
            "building {} (370 days × {per_day}); this is cached for later runs ...",
            path.display()
        );
        let t = Instant::now();
        demo::create(
            path,
            Arc::new(SystemClock),
            DemoOptions {
                days: 370,
                per_day,
                seed: 1,
            },
        )
        .expect("demo database");
        eprintln!("built in {:.0} s", t.elapsed().as_secs_f64());
    }
    Env::new(Store::open(path).expect("open"), Arc::new(SystemClock))
}

const RAW_COLS: &str =
    "t.id, t.rrn, t.voucher_no, t.batch_no, t.merchant_id, m.merchant_no, m.name,
    tm.terminal_no, t.txn_ms, t.trade_date, t.txn_type, t.status, t.amount_fen, t.fee_fen,
    t.card_masked, t.card_org, t.card_type, t.bank_code, b.name_zh, b.name_en, t.auth_code,
    t.pos_operator, t.order_no, t.settle_date, t.settlement_id, t.refunded_fen";
const RAW_JOINS: &str = "JOIN merchants m ON m.id = t.merchant_id
    JOIN terminals tm ON tm.id = t.terminal_id JOIN banks b ON b.code = t.bank_code";

/// Runs raw SQL and reads every column of every row, as the app does.
fn raw_rows(env: &Env, sql: &str, args: &[i64]) -> usize {
    let mut st = env
        .store
        .raw_connection_for_tests()
        .prepare_cached(sql)
        .unwrap();
    let mut rows = st
        .query(rusqlite::params_from_iter(args.iter().copied()))
        .unwrap();
    let mut n = 0;
    while let Some(r) = rows.next().unwrap() {
        for i in 0..r.as_ref().column_count() {
            let _: rusqlite::types::Value = r.get(i).unwrap();
        }
        n += 1;
    }
    n
}

struct Line {
    what: String,
    app: f64,
    raw: f64,
    goal: &'static str,
}

fn bench(label: &str, path: &Path, per_day: u32) -> Vec<Line> {
    let mut env = build(path, per_day);
    let total: i64 = env
        .store
        .raw_connection_for_tests()
        .query_row("SELECT count(*) FROM transactions", [], |r| r.get(0))
        .unwrap();
    let session: Session = auth::login(&mut env, "admin", demo::DEMO_PASSWORD)
        .expect("admin")
        .session()
        .expect("admin");
    let last: i32 = env
        .store
        .raw_connection_for_tests()
        .query_row("SELECT max(trade_date) FROM transactions", [], |r| r.get(0))
        .unwrap();
    let last_day = date_from_ymd(last).unwrap();
    let first_day = last_day.checked_sub(jiff::Span::new().days(30)).unwrap();
    let from_ms = day_start_ms(first_day);
    let to_ms = day_start_ms(last_day.tomorrow().unwrap());
    let month = TxnFilter {
        from_ms: Some(from_ms),
        to_ms: Some(to_ms),
        ..Default::default()
    };
    let terminal_month = TxnFilter {
        terminal_no: Some("10000001".into()),
        ..month.clone()
    };
    let tid: i64 = env
        .store
        .raw_connection_for_tests()
        .query_row(
            "SELECT id FROM terminals WHERE terminal_no = '10000001'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    println!(
        "\n{label}: {total} transactions in {}; 31 days {}..{}",
        path.display(),
        first_day,
        last_day
    );
    let mut out = Vec::new();
    let e = &env;
    let s = &session;

    // First page of one terminal's month.
    let app = median_ms(50, || {
        let rows = txn_query::page(e, s, &terminal_month, PageAt::First).unwrap();
        assert_eq!(rows.len(), 20);
    });
    let first_sql = format!(
        "SELECT {RAW_COLS} FROM transactions t {RAW_JOINS}
         WHERE t.txn_ms >= ? AND t.txn_ms < ? AND t.terminal_id = ?
         ORDER BY t.txn_ms DESC, t.id DESC LIMIT 20"
    );
    let raw = median_ms(50, || {
        assert_eq!(raw_rows(e, &first_sql, &[from_ms, to_ms, tid]), 20);
    });
    out.push(Line {
        what: "first page (a terminal's month)".into(),
        app,
        raw,
        goal: "< 2 ms",
    });

    // Page 500 by keyset (next page from the 499th), and by a jump.
    let count = txn_query::totals(e, s, &terminal_month).unwrap().count as usize;
    let deep = 499usize.min(count / 20 - 1);
    let page = txn_query::jump(e, s, &terminal_month, deep - 1, count).unwrap();
    let key = page.last().unwrap().key();
    let app = median_ms(50, || {
        let rows = txn_query::page(e, s, &terminal_month, PageAt::After(key)).unwrap();
        assert_eq!(rows.len(), 20);
    });
    let keyset_sql = format!(
        "SELECT {RAW_COLS} FROM transactions t {RAW_JOINS}
         WHERE t.txn_ms >= ? AND t.txn_ms < ? AND t.terminal_id = ?
           AND (t.txn_ms, t.id) < (?, ?)
         ORDER BY t.txn_ms DESC, t.id DESC LIMIT 20"
    );
    let raw = median_ms(50, || {
        assert_eq!(
            raw_rows(e, &keyset_sql, &[from_ms, to_ms, tid, key.txn_ms, key.id]),
            20
        );
    });
    out.push(Line {
        what: format!("page {} by keyset (next page)", deep + 1),
        app,
        raw,
        goal: "< 2 ms",
    });
    let app = median_ms(20, || {
        let rows = txn_query::jump(e, s, &terminal_month, deep, count).unwrap();
        assert_eq!(rows.len(), 20);
    });
    let offset_sql = format!(
        "SELECT {RAW_COLS} FROM transactions t {RAW_JOINS}
         WHERE t.txn_ms >= ? AND t.txn_ms < ? AND t.terminal_id = ?
         ORDER BY t.txn_ms DESC, t.id DESC LIMIT 20 OFFSET {}",
        deep * 20
    );
    let raw = median_ms(20, || {
        assert_eq!(raw_rows(e, &offset_sql, &[from_ms, to_ms, tid]), 20);
    });
    out.push(Line {
        what: format!("page {} by jump (g {})", deep + 1, deep + 1),
        app,
        raw,
        goal: "< 2 ms",
    });

    // Count and sum over 31 days.
    let app = median_ms(5, || {
        txn_query::totals(e, s, &month).unwrap();
    });
    let raw = median_ms(5, || {
        e.store
            .raw_connection_for_tests()
            .query_row(
                "SELECT count(*), sum(amount_fen), sum(fee_fen) FROM transactions
                 WHERE txn_ms >= ?1 AND txn_ms < ?2",
                [from_ms, to_ms],
                |r| r.get::<_, i64>(0),
            )
            .unwrap();
    });
    out.push(Line {
        what: "count + sum, 31 days".into(),
        app,
        raw,
        goal: "",
    });

    // The four summaries of 31 days: rollups vs the raw GROUP BY.
    let raw_group = |key: &str| {
        format!(
            "SELECT {key}, count(*), sum(amount_fen), sum(fee_fen) FROM transactions
             WHERE txn_ms >= ?1 AND txn_ms < ?2 GROUP BY 1"
        )
    };
    let keys = [
        (GroupBy::TradeDate, "trade date", "trade_date"),
        (GroupBy::SettleDate, "settlement date", "settle_date"),
        (GroupBy::Merchant, "merchant", "merchant_id"),
        (GroupBy::CardOrg, "card organisation", "card_org"),
    ];
    for (by, name, col) in keys {
        let app = median_ms(10, || {
            let sum = summaries::summarize(e, s, &month, by).unwrap();
            assert!(sum.from_rollups);
        });
        let sql = raw_group(col);
        let raw = median_ms(3, || {
            let mut st = e
                .store
                .raw_connection_for_tests()
                .prepare_cached(&sql)
                .unwrap();
            let n = st
                .query_map([from_ms, to_ms], |r| r.get::<_, i64>(1))
                .unwrap()
                .count();
            assert!(n > 0);
        });
        out.push(Line {
            what: format!("summary by {name}, 31 days (rollups)"),
            app,
            raw,
            goal: "< 50 ms",
        });
    }
    // A filter the rollups cannot answer: the GROUP BY path.
    let big = TxnFilter {
        min_fen: Some(100_000),
        ..month.clone()
    };
    let app = median_ms(3, || {
        let sum = summaries::summarize(e, s, &big, GroupBy::CardOrg).unwrap();
        assert!(!sum.from_rollups);
    });
    let raw = median_ms(3, || {
        let mut st = e
            .store
            .raw_connection_for_tests()
            .prepare_cached(
                "SELECT card_org, count(*), sum(amount_fen), sum(fee_fen) FROM transactions
                 WHERE txn_ms >= ?1 AND txn_ms < ?2 AND amount_fen >= ?3 GROUP BY 1",
            )
            .unwrap();
        st.query_map([from_ms, to_ms, 100_000], |r| r.get::<_, i64>(1))
            .unwrap()
            .count();
    });
    out.push(Line {
        what: "summary by card org., amount ≥ 1,000 (row GROUP BY)".into(),
        app,
        raw,
        goal: "≤ 1.2× raw",
    });
    out
}

fn main() {
    let dir = std::env::var_os("MD_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp/md-bench"));
    std::fs::create_dir_all(&dir).unwrap();
    let wanted: Vec<String> = std::env::args().skip(1).collect();
    let sizes = [("1m", 2_700u32), ("10m", 27_000u32)];
    let mut table = Vec::new();
    for (label, per_day) in sizes {
        if !wanted.is_empty() && !wanted.iter().any(|w| w == label) {
            continue;
        }
        let lines = bench(label, &dir.join(format!("{label}.sqlite3")), per_day);
        table.push((label, lines));
    }
    println!("\n| rows | what | app (ms) | raw SQL (ms) | app / raw | goal |");
    println!("|---|---|---:|---:|---:|---|");
    for (label, lines) in &table {
        for l in lines {
            println!(
                "| {label} | {} | {:.3} | {:.3} | {:.2} | {} |",
                l.what,
                l.app,
                l.raw,
                l.app / l.raw.max(1e-9),
                l.goal
            );
        }
    }
}
