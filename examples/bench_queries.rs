//! Query benchmarks on 1 million and 10 million transactions: the app's own query code (service
//! layer: permission check, scope, joins, row mapping) against the same SQL run directly through
//! the database's own client (rusqlite; the postgres crate), on SQLite and — when a server is
//! given — on PostgreSQL over the same data, in one run.
//!
//! ```sh
//! cargo run --release --example bench_queries            # 1m and 10m, SQLite
//! cargo run --release --example bench_queries -- 1m      # only 1m
//! scripts/with-postgres.sh cargo run --release --example bench_queries -- 10m   # and PostgreSQL
//! ```
//!
//! PostgreSQL: the server in `MD_BENCH_PG` or else `MERCHANT_DESK_TEST_PG` (scripts/with-postgres.sh
//! sets it: a throwaway cluster on a Unix socket). The SQLite file is copied onto it as
//! `migrate-to` does (COPY, one transaction, then ANALYZE) into the database `md_bench_<size>`,
//! kept for later runs on the same server; the copy's time is printed.
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

/// The same SQL run directly through the backend's own client.
enum Raw {
    Lite(rusqlite::Connection),
    Pg(Box<PgRaw>),
}

/// A server connection with its prepared statements.
struct PgRaw(
    std::cell::RefCell<postgres::Client>,
    std::cell::RefCell<std::collections::HashMap<String, postgres::Statement>>,
);

impl Raw {
    fn pg_sql(sql: &str) -> String {
        // `?` and `?N` → `$N`.
        let mut out = String::new();
        let mut n = 0;
        let mut chars = sql.chars().peekable();
        while let Some(c) = chars.next() {
            if c != '?' {
                out.push(c);
                continue;
            }
            let mut digits = String::new();
            while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                digits.push(*d);
                chars.next();
            }
            if digits.is_empty() {
                n += 1;
                digits = n.to_string();
            }
            out.push('$');
            out.push_str(&digits);
        }
        out
    }

    /// Runs `sql` and reads every column of every row, as the app does.
    fn rows(&self, sql: &str, args: &[i64]) -> usize {
        match self {
            Raw::Lite(c) => {
                let mut st = c.prepare_cached(sql).unwrap();
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
            Raw::Pg(pg) => {
                let PgRaw(c, cache) = &**pg;
                let mut c = c.borrow_mut();
                let st = cache
                    .borrow_mut()
                    .entry(sql.to_string())
                    .or_insert_with(|| c.prepare(&Self::pg_sql(sql)).unwrap())
                    .clone();
                let ps: Vec<&(dyn postgres::types::ToSql + Sync)> = args
                    .iter()
                    .map(|a| a as &(dyn postgres::types::ToSql + Sync))
                    .collect();
                let rows = c.query(&st, &ps).unwrap();
                for r in &rows {
                    for (i, col) in r.columns().iter().enumerate() {
                        use postgres::types::Type;
                        match *col.type_() {
                            Type::INT8 => drop(r.get::<_, Option<i64>>(i)),
                            Type::INT4 => drop(r.get::<_, Option<i32>>(i)),
                            Type::BOOL => drop(r.get::<_, Option<bool>>(i)),
                            Type::NUMERIC => drop(r.get::<_, Option<rust_decimal::Decimal>>(i)),
                            _ => drop(r.get::<_, Option<String>>(i)),
                        }
                    }
                }
                rows.len()
            }
        }
    }

    /// The first column of the first row, as a number.
    fn one(&self, sql: &str, args: &[i64]) -> i64 {
        match self {
            Raw::Lite(c) => c
                .query_row(sql, rusqlite::params_from_iter(args.iter().copied()), |r| {
                    r.get(0)
                })
                .unwrap(),
            Raw::Pg(pg) => {
                let c = &pg.0;
                let ps: Vec<&(dyn postgres::types::ToSql + Sync)> = args
                    .iter()
                    .map(|a| a as &(dyn postgres::types::ToSql + Sync))
                    .collect();
                let row = c.borrow_mut().query_one(&Self::pg_sql(sql), &ps).unwrap();
                match *row.columns()[0].type_() {
                    postgres::types::Type::INT4 => row.get::<_, i32>(0) as i64,
                    postgres::types::Type::NUMERIC => {
                        use rust_decimal::prelude::ToPrimitive;
                        row.get::<_, rust_decimal::Decimal>(0).to_i64().unwrap()
                    }
                    _ => row.get(0),
                }
            }
        }
    }
}

struct Line {
    what: String,
    app: f64,
    raw: f64,
    goal: &'static str,
}

fn bench(label: &str, mut env: Env, direct: &Raw, place: &str) -> Vec<Line> {
    let total = direct.one("SELECT count(*) FROM transactions", &[]);
    let session: Session = auth::login(&mut env, "admin", demo::DEMO_PASSWORD)
        .expect("admin")
        .session()
        .expect("admin");
    let last = direct.one("SELECT max(trade_date) FROM transactions", &[]) as i32;
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
    // The issue's goals: a page under 1 ms on SQLite, under 5 ms on PostgreSQL over a socket.
    let page_goal = if matches!(direct, Raw::Pg(..)) {
        "< 5 ms"
    } else {
        "< 1 ms"
    };
    let tid = direct.one(
        "SELECT id FROM terminals WHERE terminal_no = '10000001'",
        &[],
    );
    println!(
        "\n{label}: {total} transactions in {place}; 31 days {}..{}",
        first_day, last_day
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
        assert_eq!(direct.rows(&first_sql, &[from_ms, to_ms, tid]), 20);
    });
    out.push(Line {
        what: "first page (a terminal's month)".into(),
        app,
        raw,
        goal: page_goal,
    });

    // Page 500 by keyset (next page from the 499th), and by a jump.
    let count = txn_query::totals(e, s, &terminal_month).unwrap().count as usize;
    let deep = 499usize.min(count / 20 - 1);
    let page = txn_query::jump(e, s, &terminal_month, deep - 1, count).unwrap();
    let key = page.last().unwrap().key_in(&terminal_month);
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
            direct.rows(&keyset_sql, &[from_ms, to_ms, tid, key.value, key.id]),
            20
        );
    });
    out.push(Line {
        what: format!("page {} by keyset (next page)", deep + 1),
        app,
        raw,
        goal: page_goal,
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
        assert_eq!(direct.rows(&offset_sql, &[from_ms, to_ms, tid]), 20);
    });
    out.push(Line {
        what: format!("page {} by jump (g {})", deep + 1, deep + 1),
        app,
        raw,
        goal: page_goal,
    });

    // Sorted by amount (`s` twice): the first page and the next page of a terminal's month,
    // and of one day of every store (the keyset on amount, id; the rows of the condition are
    // sorted, no index has that order).
    for (what, f) in [
        ("a terminal's month", terminal_month.clone()),
        (
            "one day, every store",
            TxnFilter {
                from_ms: Some(day_start_ms(last_day)),
                to_ms: Some(to_ms),
                ..Default::default()
            },
        ),
    ] {
        let f = TxnFilter {
            by_amount: true,
            ..f
        };
        let mut first = Vec::new();
        let app = median_ms(20, || {
            first = txn_query::page(e, s, &f, PageAt::First).unwrap();
            assert_eq!(first.len(), 20);
        });
        out.push(Line {
            what: format!("first page by amount ({what})"),
            app,
            raw: f64::NAN,
            goal: "no goal",
        });
        let key = first.last().unwrap().key_in(&f);
        let app = median_ms(20, || {
            let rows = txn_query::page(e, s, &f, PageAt::After(key)).unwrap();
            assert_eq!(rows.len(), 20);
        });
        out.push(Line {
            what: format!("next page by amount ({what})"),
            app,
            raw: f64::NAN,
            goal: "no goal",
        });
    }

    // Count and sum over 31 days.
    let app = median_ms(5, || {
        txn_query::totals(e, s, &month).unwrap();
    });
    let raw = median_ms(5, || {
        direct.rows(
            "SELECT count(*), sum(amount_fen), sum(fee_fen) FROM transactions
             WHERE txn_ms >= ?1 AND txn_ms < ?2",
            &[from_ms, to_ms],
        );
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
            assert!(direct.rows(&sql, &[from_ms, to_ms]) > 0);
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
        direct.rows(
            "SELECT card_org, count(*), sum(amount_fen), sum(fee_fen) FROM transactions
             WHERE txn_ms >= ?1 AND txn_ms < ?2 AND amount_fen >= ?3 GROUP BY 1",
            &[from_ms, to_ms, 100_000],
        );
    });
    out.push(Line {
        what: "summary by card org., amount ≥ 1,000 (row GROUP BY)".into(),
        app,
        raw,
        goal: "≤ 1.2× raw",
    });
    out
}

/// The SQLite file of `label` copied onto the server as database `md_bench_<label>` (kept: a
/// later run on the same server reuses it).
fn on_server(server: &str, label: &str, file: &Path) -> String {
    let name = format!("md_bench_{label}");
    let url = merchant_desk::store::testing::with_database(server, &name);
    let mut admin = postgres::Client::connect(server, postgres::NoTls).expect("the server");
    let exists = admin
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .unwrap()
        .is_some();
    if exists {
        let ready = Store::open(Path::new(&url))
            .ok()
            .and_then(|s| {
                s.query_i64_for_tests("SELECT count(*) FROM transactions")
                    .ok()
            })
            .is_some_and(|n| n > 0);
        if ready {
            return url;
        }
        admin
            .batch_execute(&format!("DROP DATABASE {name}"))
            .unwrap();
    }
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    eprintln!(
        "copying {} onto {url} (COPY, as migrate-to) ...",
        file.display()
    );
    let t = Instant::now();
    let from = Store::open(file).expect("the SQLite file");
    let to = Store::open(Path::new(&url)).expect("the server database");
    let report = merchant_desk::store::copy::copy_all(&from, &to).expect("the copy");
    eprintln!(
        "copied {} rows in {:.0} s",
        report.rows(),
        t.elapsed().as_secs_f64()
    );
    url
}

fn main() {
    let dir = std::env::var_os("MD_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp/md-bench"));
    std::fs::create_dir_all(&dir).unwrap();
    let server = ["MD_BENCH_PG", "MERCHANT_DESK_TEST_PG"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()));
    let wanted: Vec<String> = std::env::args().skip(1).collect();
    // 100k: a quick try of the benchmark itself, only when asked for.
    let sizes = [("100k", 270u32), ("1m", 2_700u32), ("10m", 27_000u32)];
    let mut table = Vec::new();
    for (label, per_day) in sizes {
        let asked = wanted.iter().any(|w| w == label);
        if (!wanted.is_empty() || label == "100k") && !asked {
            continue;
        }
        let file = dir.join(format!("{label}.sqlite3"));
        let env = build(&file, per_day);
        let raw = Raw::Lite(rusqlite::Connection::open(&file).unwrap());
        let lines = bench(label, env, &raw, &file.display().to_string());
        table.push((format!("{label} SQLite"), lines));
        if let Some(server) = &server {
            let url = on_server(server, label, &file);
            let env = Env::new(
                Store::open(Path::new(&url)).expect("open"),
                Arc::new(SystemClock),
            );
            let raw = Raw::Pg(Box::new(PgRaw(
                std::cell::RefCell::new(postgres::Client::connect(&url, postgres::NoTls).unwrap()),
                Default::default(),
            )));
            let lines = bench(label, env, &raw, &url);
            table.push((format!("{label} PostgreSQL"), lines));
        }
    }
    println!("\n| rows | what | app (ms) | raw SQL (ms) | app / raw | goal |");
    println!("|---|---|---:|---:|---:|---|");
    for (label, lines) in &table {
        for l in lines {
            // A line without a raw twin (NaN) prints dashes.
            let (raw, ratio) = if l.raw.is_nan() {
                ("–".to_string(), "–".to_string())
            } else {
                (
                    format!("{:.3}", l.raw),
                    format!("{:.2}", l.app / l.raw.max(1e-9)),
                )
            };
            println!(
                "| {label} | {} | {:.3} | {raw} | {ratio} | {} |",
                l.what, l.app, l.goal
            );
        }
    }
}
