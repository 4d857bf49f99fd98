//! `merchant-desk feed`: appends realistic transactions for the demo terminals, as the
//! acquirer's link would, until stopped. Each transaction is written in its own IMMEDIATE
//! transaction; while another process holds the database locked the feed waits and retries the
//! same transaction, so none is lost or written twice.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::clock::SharedClock;
use crate::store::Store;

use super::TxnGenerator;

#[derive(Debug, Clone, Copy)]
pub struct FeedOptions {
    /// Transactions per second (at least 1).
    pub rate: u32,
    pub seed: u64,
    /// Stop after this many (None: until stopped).
    pub limit: Option<u64>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FeedReport {
    pub written: u64,
    /// How many times a write found the database locked and was retried.
    pub retries: u64,
}

fn is_busy(e: &crate::store::StoreError) -> bool {
    e.is_busy()
}

/// Writes one transaction at `at_ms`, retrying while the database is locked. The generator's
/// state only moves on once the transaction has committed.
fn write_one(
    store: &mut Store,
    generator: &mut TxnGenerator,
    at_ms: i64,
    stop: &AtomicBool,
    report: &mut FeedReport,
) -> Result<bool, String> {
    let mut wait = Duration::from_millis(50);
    loop {
        // Take the write lock first: nothing is generated until the row can be written.
        let tx = match store.begin() {
            Ok(tx) => tx,
            Err(e) if is_busy(&e) => {
                report.retries += 1;
                if stop.load(Ordering::Relaxed) {
                    return Ok(false);
                }
                std::thread::sleep(wait);
                wait = (wait * 2).min(Duration::from_secs(2));
                continue;
            }
            Err(e) => return Err(e.to_string()),
        };
        generator
            .write_at(&tx.db(), at_ms)
            .map_err(|e| e.to_string())?;
        match tx.commit() {
            Ok(()) => return Ok(true),
            Err(e) if is_busy(&e) => {
                // With the write lock held a commit is not refused for a lock, but never drop
                // a row: the failed transaction rolled back, so write it again.
                report.retries += 1;
                std::thread::sleep(wait);
            }
            Err(e) => return Err(e.to_string()),
        }
    }
}

/// Feeds until `stop` is set (or `limit` rows are written). Times come from `clock`; `on_write`
/// hears the count so far and how long that write took.
pub fn run(
    store: &mut Store,
    clock: SharedClock,
    opts: FeedOptions,
    stop: &AtomicBool,
    mut on_write: impl FnMut(u64, Duration),
) -> Result<FeedReport, String> {
    let mut generator = TxnGenerator::load(&store.read(), opts.seed).map_err(|e| e.to_string())?;
    if !generator.has_terminals() {
        return Err("the database has no active terminals: run `merchant-desk demo` first".into());
    }
    let interval = Duration::from_micros(1_000_000 / u64::from(opts.rate.max(1)));
    let mut report = FeedReport::default();
    let mut next = Instant::now();
    while !stop.load(Ordering::Relaxed) && opts.limit.is_none_or(|n| report.written < n) {
        let at_ms = clock.now_ms();
        let began = Instant::now();
        if !write_one(store, &mut generator, at_ms, stop, &mut report)? {
            break;
        }
        report.written += 1;
        // How long the write took, waits for the lock included (the load test's latency).
        on_write(report.written, began.elapsed());
        next += interval;
        let now = Instant::now();
        if next > now {
            // Sleep in short steps so a stop is noticed quickly.
            while Instant::now() < next && !stop.load(Ordering::Relaxed) {
                std::thread::sleep((next - Instant::now()).min(Duration::from_millis(100)));
            }
        } else {
            next = now;
        }
    }
    Ok(report)
}
