//! Demo data generation at size: `demo` of 370 days into a new file, timed, with the peak
//! memory of the process; the file is checked and removed afterwards.
//!
//! ```sh
//! cargo run --release --example bench_demo                 # 10 million (27,000 a day)
//! cargo run --release --example bench_demo -- --per-day 2700   # 1 million
//! ```
//!
//! The file goes to `--dir` (default: the system's temporary folder).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use merchant_desk::clock::SystemClock;
use merchant_desk::demo::{self, DemoOptions};
use merchant_desk::store::Store;

fn arg<T: std::str::FromStr>(name: &str, default: T) -> T {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn peak_rss_mb() -> i64 {
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    u.ru_maxrss / 1024
}

fn main() {
    let per_day: u32 = arg("--per-day", 27_000);
    let days: u32 = arg("--days", 370);
    let dir: PathBuf = arg("--dir", std::env::temp_dir());
    let path = dir.join(format!("bench_demo_{days}x{per_day}.sqlite3"));
    let _ = std::fs::remove_file(&path);
    let t = Instant::now();
    let s = demo::create(
        &path,
        Arc::new(SystemClock),
        DemoOptions {
            days,
            per_day,
            seed: 1,
        },
    )
    .unwrap();
    let secs = t.elapsed().as_secs_f64();
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!(
        "{} transactions, {} settlements in {:.1} s ({:.0} transactions/s), peak {} MB, file {:.1} GB",
        s.transactions,
        s.settlements,
        secs,
        s.transactions as f64 / secs,
        peak_rss_mb(),
        size as f64 / 1e9
    );
    let store = Store::open(&path).unwrap();
    let report = merchant_desk::service::check::run(&store).unwrap();
    println!(
        "check: {}",
        if report.ok() {
            "all invariants hold"
        } else {
            "BROKEN"
        }
    );
    drop(store);
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}
