//! Eight workstations at once, measured on both backends in one run (Y6): two appliers, two
//! reviewers racing on the same applications, a feed at 200 transactions/s, the settlement run,
//! a finance user's queries and a background export, for 20 seconds each, then the proof of
//! `tests/workstations.rs` (every write once, one winner per race, `check`, the audit chain, no
//! lock seen) and each operation's throughput and latency.
//!
//! ```sh
//! scripts/with-postgres.sh cargo run --release --example bench_load          # both backends
//! cargo run --release --example bench_load -- --seconds 10 sqlite            # SQLite only
//! ```
//!
//! The PostgreSQL run uses the server in `MERCHANT_DESK_TEST_PG` (scripts/with-postgres.sh sets
//! it: a throwaway cluster on a Unix socket); without one it is skipped with a word.

#[path = "../tests/load/mod.rs"]
mod load;

use std::process::Command;

fn main() {
    if load::worker_from_env() {
        return;
    }
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut seconds = 20.0;
    if let Some(i) = args.iter().position(|a| a == "--seconds") {
        seconds = args[i + 1].parse().expect("--seconds N");
        args.drain(i..i + 2);
    }
    let wanted = |b: &str| args.is_empty() || args.iter().any(|a| a == b);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let downloads = dir.path().join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let mut backends = Vec::new();
    if wanted("sqlite") {
        backends.push(("SQLite", dir.path().join("load.sqlite3")));
    }
    if wanted("postgres") {
        match std::env::var("MERCHANT_DESK_TEST_PG") {
            Ok(server) if !server.is_empty() => {
                let name = format!("md_load_{}", std::process::id());
                let mut admin = postgres::Client::connect(&server, postgres::NoTls).unwrap();
                admin
                    .batch_execute(&format!("CREATE DATABASE {name}"))
                    .unwrap();
                backends.push((
                    "PostgreSQL",
                    merchant_desk::store::testing::with_database(&server, &name).into(),
                ));
            }
            _ => eprintln!(
                "no MERCHANT_DESK_TEST_PG (run under scripts/with-postgres.sh): PostgreSQL skipped"
            ),
        }
    }
    let mut rows = Vec::new();
    for (label, db) in &backends {
        eprintln!("{label}: preparing {}", db.display());
        load::prepare(db, &downloads, 2_000);
        eprintln!("{label}: eight workers for {seconds} s ...");
        let report = load::run(db, seconds, || {
            Command::new(std::env::current_exe().unwrap())
        });
        println!(
            "{label}: {} applications, {} approvals ({} races lost and told), {} transactions fed, {} refunds cleared by the run: every write once, check and audit chain pass, no lock seen",
            report.applied, report.decided, report.races_lost, report.fed, report.refunds_cleared
        );
        rows.extend(report.table_rows(label));
    }
    println!("\n| backend | operation | count | per second | p50 (ms) | p99 (ms) | max (ms) |");
    println!("|---|---|---:|---:|---:|---:|---:|");
    for r in rows {
        println!("{r}");
    }
}
