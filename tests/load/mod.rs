//! Several workstations at once on one database (Y6): eight processes for a bounded time — two
//! appliers, two reviewers racing on the same applications, a feed at 200 transactions a second,
//! a settlement run, queries and an export — then proof that every write landed once, every race
//! had one winner, the invariants and the audit chain hold, and nobody saw the database locked.
//! Shared by the test `tests/workstations.rs` (short, on the backend under test) and the
//! benchmark `examples/bench_load.rs` (longer, on both backends, with the figures for README).
//!
//! A worker is this same program started again with `MD_LOAD_ROLE` set: the caller says how
//! (a test binary runs its ignored worker test, the example runs itself); each worker prints one
//! line per event (`LAT op µs`, `APPLIED id`, `DECIDED id`, `TOLD id`, `FED n`, `LOCKED …`,
//! `UNEXPECTED …`) on its standard output.

#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use merchant_desk::clock::{date_of_ms, ymd, SystemClock};
use merchant_desk::demo::{self, DemoOptions};
use merchant_desk::service::card::CardServiceError;
use merchant_desk::service::exports::{self, Code, Sheet};
use merchant_desk::service::refunds::{self, Confirmation, RefundInput};
use merchant_desk::service::{
    auth, check, settings, settlement, summaries, txn_query, Env, Rule, ServiceError, Session,
};
use merchant_desk::store::summaries::GroupBy;
use merchant_desk::store::transactions::{PageAt, TxnFilter};
use merchant_desk::store::{merchants, params, Store};

/// The eight workers: role and index.
pub const WORKERS: [(&str, usize); 8] = [
    ("applier", 0),
    ("applier", 1),
    ("reviewer", 0),
    ("reviewer", 1),
    ("feed", 0),
    ("settle", 0),
    ("query", 0),
    ("export", 0),
];

const PW: &str = demo::DEMO_PASSWORD;

fn wall_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_millis() as i64
}

fn env_of(db: &Path) -> Env {
    let store = Store::open(db).unwrap_or_else(|e| panic!("open {}: {e}", db.display()));
    let mut env = Env::new(store, Arc::new(SystemClock));
    env.workstation = format!("load-{}", std::process::id());
    env
}

fn login(env: &mut Env, who: &str) -> Session {
    auth::login(env, who, PW)
        .unwrap_or_else(|e| panic!("{who} logs in: {e}"))
        .session()
        .unwrap_or_else(|| panic!("{who} needs a card"))
}

/// The demo group at the real time (the feed writes at the real time too), every store reviewing
/// its refunds, exports into `downloads`.
pub fn prepare(db: &Path, downloads: &Path, per_day: u32) {
    demo::create(
        db,
        Arc::new(SystemClock),
        DemoOptions {
            days: 3,
            per_day,
            seed: 7,
        },
    )
    .expect("the demo database");
    let mut env = env_of(db);
    let admin = login(&mut env, "admin");
    for m in merchants::all(&env.store.read()).unwrap() {
        settings::set_refund(&mut env, &admin, m.id, true, 0).unwrap();
    }
    merchants::set_setting(
        &env.store.read(),
        "download_dir",
        &downloads.display().to_string(),
    )
    .unwrap();
}

/// Whether an error is the database saying it is locked or busy: never allowed to reach an
/// operator (writers wait their turn).
fn is_locked(text: &str) -> bool {
    let t = text.to_lowercase();
    t.contains("locked") || t.contains("busy")
}

/// Prints an error line: locked (a failure of the load test) or unexpected.
fn report_error(what: &str, text: String) {
    if is_locked(&text) {
        println!("LOCKED {what}: {text}");
    } else {
        println!("UNEXPECTED {what}: {text}");
    }
}

fn timed<T>(op: &str, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let v = f();
    println!("LAT {op} {}", t.elapsed().as_micros());
    v
}

/// Runs one worker, as `MD_LOAD_ROLE`/`MD_LOAD_INDEX` say, on `MD_LOAD_DB` from `MD_LOAD_START`
/// until `MD_LOAD_UNTIL` (wall-clock ms). Returns false when this process is no worker.
pub fn worker_from_env() -> bool {
    let Ok(role) = std::env::var("MD_LOAD_ROLE") else {
        return false;
    };
    let var = |k: &str| std::env::var(k).unwrap_or_else(|_| panic!("{k}"));
    let db = PathBuf::from(var("MD_LOAD_DB"));
    let index: usize = var("MD_LOAD_INDEX").parse().unwrap();
    let start: i64 = var("MD_LOAD_START").parse().unwrap();
    let until: i64 = var("MD_LOAD_UNTIL").parse().unwrap();
    let mut env = env_of(&db);
    // Set up (log in) before the common start, so every worker begins at once.
    let ready = prepare_worker(&role, index, &mut env);
    while wall_ms() < start {
        std::thread::sleep(Duration::from_millis(1));
    }
    match role.as_str() {
        "applier" => applier(&mut env, ready, index, until),
        "reviewer" => reviewer(&mut env, ready, until),
        "feed" => feeder(&mut env, until),
        "settle" => settler(&mut env, start, until),
        "query" => querier(&env, ready, until),
        "export" => exporter(&env, ready, until),
        other => panic!("no such worker: {other}"),
    }
    true
}

fn prepare_worker(role: &str, index: usize, env: &mut Env) -> Option<Session> {
    let who = match (role, index) {
        ("applier", _) => "clerk",
        ("reviewer", 0) => "checker",
        ("reviewer", _) => "admin",
        ("query", _) | ("export", _) => "finance",
        _ => return None,
    };
    Some(login(env, who))
}

/// Applies for 1.00 refunds of yesterday's and older sales (the even ids for one applier, the
/// odd for the other), one after another.
fn applier(env: &mut Env, session: Option<Session>, index: usize, until: i64) {
    let session = session.expect("a session");
    let today = ymd(date_of_ms(wall_ms()));
    let candidates: Vec<i64> = {
        let sql = env.store.sql_for_tests();
        let mut st = sql
            .prepare(
                "SELECT id FROM transactions
                 WHERE txn_type = 'sale' AND status = 'success' AND refunded_fen = 0
                   AND amount_fen >= 100 AND trade_date < ?1 AND id % 2 = ?2
                 ORDER BY id DESC LIMIT 20000",
            )
            .unwrap();
        st.query_map(params![today, index as i64], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    for txn_id in candidates {
        if wall_ms() >= until {
            break;
        }
        let input = RefundInput {
            txn_id,
            amount: "1.00".into(),
            pay_password: PW.into(),
            ..Default::default()
        };
        match timed("apply for a refund", || {
            refunds::apply(env, &session, &input)
        }) {
            Ok(row) => println!("APPLIED {}", row.id),
            Err(ServiceError::Refused(rule)) => println!("REFUSED {rule:?}"),
            Err(e) => report_error("apply", e.to_string()),
        }
    }
}

/// Approves every pending application, oldest first, as fast as it can: the other reviewer does
/// the same, so most applications are raced for.
fn reviewer(env: &mut Env, session: Option<Session>, until: i64) {
    let session = session.expect("a session");
    while wall_ms() < until {
        let pending = match timed("list pending refunds", || refunds::pending(env, &session)) {
            Ok(p) => p,
            Err(e) => {
                report_error("pending", e.to_string());
                continue;
            }
        };
        if pending.is_empty() {
            std::thread::sleep(Duration::from_millis(20));
            continue;
        }
        for app in pending.iter().take(20) {
            if wall_ms() >= until {
                break;
            }
            let r = timed("approve a refund", || {
                refunds::review(
                    env,
                    &session,
                    &[app.id],
                    true,
                    "",
                    Confirmation {
                        pay_password: PW,
                        pin: None,
                    },
                )
            });
            match r {
                Ok(1) => println!("DECIDED {}", app.id),
                Err(CardServiceError::Service(ServiceError::Refused(Rule::AlreadyDecided(x))))
                    if x == app.id =>
                {
                    println!("TOLD {}", app.id)
                }
                Ok(n) => println!("UNEXPECTED review of {} decided {n}", app.id),
                Err(e) => report_error("review", e.to_string()),
            }
        }
    }
}

/// The acquirer's link: 200 transactions a second.
fn feeder(env: &mut Env, until: i64) {
    let stop = Arc::new(AtomicBool::new(false));
    let s = stop.clone();
    let timer = std::thread::spawn(move || {
        while wall_ms() < until {
            std::thread::sleep(Duration::from_millis(5));
        }
        s.store(true, std::sync::atomic::Ordering::Relaxed);
    });
    let report = demo::feed::run(
        &mut env.store,
        Arc::new(SystemClock),
        demo::feed::FeedOptions {
            rate: 200,
            seed: 11,
            limit: None,
        },
        &stop,
        |_, took| println!("LAT write a fed transaction {}", took.as_micros()),
    );
    timer.join().unwrap();
    match report {
        Ok(r) => println!("FED {}", r.written),
        Err(e) => report_error("feed", e),
    }
}

/// The settlement run of today, a third of the way in, while everything else goes on; and once
/// more near the end (a rerun settles nothing twice).
fn settler(env: &mut Env, start: i64, until: i64) {
    let today = ymd(date_of_ms(wall_ms()));
    for at in [start + (until - start) / 3, start + (until - start) * 3 / 4] {
        while wall_ms() < at {
            std::thread::sleep(Duration::from_millis(2));
        }
        match timed("settlement run", || settlement::run(env, today)) {
            Ok(r) => println!(
                "SETTLED {} {} {}",
                r.merchants_settled, r.txn_count, r.refunds_cleared
            ),
            Err(e) => report_error("settle", e.to_string()),
        }
    }
}

/// A finance user paging, jumping and summing the last three days, over and over.
fn querier(env: &Env, session: Option<Session>, until: i64) {
    let session = session.expect("a session");
    let now = wall_ms();
    let month = TxnFilter {
        from_ms: Some(now - 3 * 86_400_000),
        to_ms: Some(now + 86_400_000),
        ..Default::default()
    };
    while wall_ms() < until {
        let first = match timed("first page", || {
            txn_query::page(env, &session, &month, PageAt::First)
        }) {
            Ok(p) => p,
            Err(e) => {
                report_error("first page", e.to_string());
                continue;
            }
        };
        if let Some(last) = first.last() {
            let key = last.key_in(&month);
            if let Err(e) = timed("next page (keyset)", || {
                txn_query::page(env, &session, &month, PageAt::After(key))
            }) {
                report_error("next page", e.to_string());
            }
        }
        if let Err(e) = timed("count and sum", || txn_query::totals(env, &session, &month)) {
            report_error("totals", e.to_string());
        }
        if let Err(e) = timed("summary by merchant", || {
            summaries::summarize(env, &session, &month, GroupBy::Merchant)
        }) {
            report_error("summary", e.to_string());
        }
    }
}

/// Exports the last three days' transactions, one after another.
fn exporter(env: &Env, session: Option<Session>, until: i64) {
    let session = session.expect("a session");
    let now = wall_ms();
    let filter = TxnFilter {
        from_ms: Some(now - 3 * 86_400_000),
        to_ms: Some(now + 86_400_000),
        ..Default::default()
    };
    while wall_ms() < until {
        let n = exports::TXN_COLUMNS.len();
        let sheet = Sheet {
            title: "交易".into(),
            headers: (0..n).map(|i| format!("列{i}")).collect(),
            total_label: "合计".into(),
            words: Arc::new(|_: Code, v: &str| v.to_string()),
            chinese: true,
        };
        let t = Instant::now();
        match exports::start_txn_export(env, &session, &filter, sheet) {
            Ok(job) => {
                let path = job.path.clone();
                let state = job.wait();
                println!("LAT export 3 days (.xlsx) {}", t.elapsed().as_micros());
                if !matches!(state, merchant_desk::excel::jobs::JobState::Done { .. }) {
                    println!("UNEXPECTED export ended {state:?}");
                }
                let _ = std::fs::remove_file(path);
            }
            Err(e) => report_error("export", e.to_string()),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The run and its proof.

/// One operation's figures.
#[derive(Debug, Clone)]
pub struct OpStats {
    pub count: usize,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

#[derive(Debug, Clone)]
pub struct LoadReport {
    pub seconds: f64,
    pub ops: BTreeMap<String, OpStats>,
    pub applied: usize,
    pub decided: usize,
    pub races_lost: usize,
    pub refused: usize,
    pub fed: u64,
    pub settled_txns: i64,
    pub refunds_cleared: i64,
}

impl LoadReport {
    /// The figures as Markdown table rows, `label` in the first column.
    pub fn table_rows(&self, label: &str) -> Vec<String> {
        self.ops
            .iter()
            .map(|(op, s)| {
                format!(
                    "| {label} | {op} | {} | {:.1} | {:.2} | {:.2} | {:.2} |",
                    s.count, s.per_second, s.p50_ms, s.p99_ms, s.max_ms
                )
            })
            .collect()
    }
}

fn count(store: &Store, sql: &str) -> i64 {
    store.query_i64_for_tests(sql).unwrap()
}

/// Runs the eight workers on `db` (prepared with [`prepare`]) for `seconds`, each started by
/// `spawn` (the caller's way to start itself as a worker; the `MD_LOAD_*` variables are added
/// here), then proves what the module promises and returns the figures. Panics, naming the
/// broken promise, when one does not hold.
pub fn run(db: &Path, seconds: f64, spawn: impl Fn() -> Command) -> LoadReport {
    let before = Store::open(db).unwrap();
    let txns_before = count(&before, "SELECT count(*) FROM transactions");
    let refunds_before = count(
        &before,
        "SELECT coalesce(max(id), 0) FROM refund_applications",
    );
    drop(before);
    let start = wall_ms() + 3_000;
    let until = start + (seconds * 1000.0) as i64;
    let children: Vec<_> = WORKERS
        .iter()
        .map(|(role, index)| {
            let child = spawn()
                .env("MD_LOAD_ROLE", role)
                .env("MD_LOAD_INDEX", index.to_string())
                .env("MD_LOAD_DB", db)
                .env("MD_LOAD_START", start.to_string())
                .env("MD_LOAD_UNTIL", until.to_string())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start a worker");
            (format!("{role} {index}"), child)
        })
        .collect();
    // Each worker's output read on its own thread: read one after another, a worker that prints
    // much (the feed) would stall on a full pipe while an earlier one is waited for.
    let readers: Vec<_> = children
        .into_iter()
        .map(|(name, c)| {
            std::thread::spawn(move || (name, c.wait_with_output().expect("a worker ends")))
        })
        .collect();
    let outputs: Vec<(String, Output)> = readers
        .into_iter()
        .map(|r| r.join().expect("a reader thread"))
        .collect();

    let mut latencies: HashMap<String, Vec<u64>> = HashMap::new();
    let mut applied = Vec::new();
    let mut decided: Vec<i64> = Vec::new();
    let mut told: Vec<i64> = Vec::new();
    let mut problems = Vec::new();
    let (mut fed, mut refused, mut settled_txns, mut cleared) = (0u64, 0usize, 0i64, 0i64);
    for (name, out) in &outputs {
        assert!(
            out.status.success(),
            "worker {name} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            // The test harness may print its own words ahead of a worker's line.
            let Some(at) = [
                "LAT ",
                "APPLIED ",
                "DECIDED ",
                "TOLD ",
                "FED ",
                "REFUSED ",
                "SETTLED ",
                "LOCKED ",
                "UNEXPECTED ",
            ]
            .iter()
            .filter_map(|k| line.find(k))
            .min() else {
                continue;
            };
            let line = &line[at..];
            let (kind, rest) = line.split_once(' ').unwrap_or((line, ""));
            match kind {
                "LAT" => {
                    let (op, us) = rest.rsplit_once(' ').expect("LAT op µs");
                    latencies
                        .entry(op.to_string())
                        .or_default()
                        .push(us.parse().expect("µs"));
                }
                "APPLIED" => applied.push(rest.parse::<i64>().unwrap()),
                "DECIDED" => decided.push(rest.parse().unwrap()),
                "TOLD" => told.push(rest.parse().unwrap()),
                "FED" => fed += rest.parse::<u64>().unwrap(),
                "REFUSED" => refused += 1,
                "SETTLED" => {
                    let n = |i: usize| {
                        rest.split(' ')
                            .nth(i)
                            .and_then(|n| n.parse::<i64>().ok())
                            .unwrap_or(0)
                    };
                    settled_txns += n(1);
                    cleared += n(2);
                }
                _ => problems.push(format!("{name}: {line}")),
            }
        }
    }
    assert!(
        problems.is_empty(),
        "workers saw errors:\n{}",
        problems.join("\n")
    );

    let store = Store::open(db).unwrap();
    // Every application landed once: the ids the appliers were given are exactly the new rows.
    let unique: HashSet<i64> = applied.iter().copied().collect();
    assert_eq!(unique.len(), applied.len(), "an application id given twice");
    let new_rows = count(
        &store,
        &format!("SELECT count(*) FROM refund_applications WHERE id > {refunds_before}"),
    );
    assert_eq!(
        new_rows as usize,
        applied.len(),
        "applications stored ≠ applications made"
    );
    assert!(!applied.is_empty(), "the appliers applied for nothing");
    // Every race had one winner: no application decided twice, every loser told.
    let won: HashSet<i64> = decided.iter().copied().collect();
    assert_eq!(won.len(), decided.len(), "an application decided twice");
    for id in &told {
        assert!(
            won.contains(id),
            "refund #{id}: told it was decided, but nobody decided it"
        );
    }
    let twice = count(
        &store,
        "SELECT count(*) FROM (SELECT refund_id FROM refund_events
             WHERE event IN ('approved', 'rejected') GROUP BY refund_id HAVING count(*) > 1) AS d",
    );
    assert_eq!(twice, 0, "applications with two decisions in their history");
    let approved_now = count(
        &store,
        &format!(
            "SELECT count(*) FROM refund_applications WHERE id > {refunds_before}
               AND reviewer_id IS NOT NULL"
        ),
    );
    assert_eq!(
        approved_now as usize,
        won.len(),
        "decisions stored ≠ decisions made"
    );
    // Every fed transaction landed once.
    let txns_after = count(&store, "SELECT count(*) FROM transactions");
    assert_eq!(
        (txns_after - txns_before) as u64,
        fed,
        "transactions stored ≠ transactions fed"
    );
    assert!(fed > 0, "the feed wrote nothing");
    // The invariants and the audit chain.
    let report = check::run(&store).expect("check runs");
    assert!(report.ok(), "check after the load:\n{}", report.text());
    match merchant_desk::service::audit::verify(&store).expect("audit verify runs") {
        merchant_desk::service::audit::ChainCheck::Intact { .. } => {}
        broken => panic!("audit chain after the load: {broken:?}"),
    }

    let ops = latencies
        .into_iter()
        .map(|(op, mut v)| {
            v.sort_unstable();
            let at = |q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize] as f64 / 1000.0;
            let stats = OpStats {
                count: v.len(),
                per_second: v.len() as f64 / seconds,
                p50_ms: at(0.5),
                p99_ms: at(0.99),
                max_ms: *v.last().unwrap() as f64 / 1000.0,
            };
            (op, stats)
        })
        .collect();
    LoadReport {
        seconds,
        ops,
        applied: applied.len(),
        decided: won.len(),
        races_lost: told.len(),
        refused,
        fed,
        settled_txns,
        refunds_cleared: cleared,
    }
}
