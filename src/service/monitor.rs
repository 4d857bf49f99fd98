//! Real-time monitor 实时交易监控 (M1): the latest transactions in the operator's scope, the
//! counts per minute of the last minutes, and a cheap test of whether another process wrote.

use crate::domain::function::Function;
use crate::store::summaries;
use crate::store::transactions::{self, PageAt, TxnFilter, TxnRow};

use super::kernel::{Needs, Who};
use super::{Env, ServiceResult, Session};

pub const LATEST: usize = 20;

/// What the monitor shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    /// Newest first.
    pub latest: Vec<TxnRow>,
    /// Transactions per minute, oldest first, the current minute last.
    pub per_minute: Vec<u64>,
}

/// The latest `LATEST` transactions and `minutes` per-minute counts up to now.
pub fn snapshot(env: &Env, session: &Session, minutes: usize) -> ServiceResult<Snapshot> {
    env.query(
        Who::Operator(session),
        Needs::function(&Function::Monitor),
        "monitor",
        |uc| {
            let conn = &uc.db();
            let filter = TxnFilter {
                group_scope: uc.scope().map(|s| s.to_vec()),
                ..Default::default()
            };
            let latest = transactions::page(conn, &filter, PageAt::First, LATEST)?;
            // Up to the end of the current minute, so the last bar fills as the minute goes on.
            let now = uc.now_ms;
            let end = now - now.rem_euclid(60_000) + 60_000;
            let per_minute = summaries::per_minute(conn, uc.scope(), end, minutes)?;
            Ok(Snapshot { latest, per_minute })
        },
    )
}

/// Notices commits of other connections to the database file through SQLite's
/// `PRAGMA data_version`, which costs no I/O beyond a shared-memory read in WAL mode.
#[derive(Debug, Default)]
pub struct Watch {
    seen: Option<i64>,
}

impl Watch {
    /// True the first time, and whenever another connection committed since the last call.
    pub fn changed(&mut self, env: &Env) -> bool {
        match env.store.data_version() {
            Ok(v) => {
                let changed = self.seen != Some(v);
                self.seen = Some(v);
                changed
            }
            Err(_) => true,
        }
    }
}
