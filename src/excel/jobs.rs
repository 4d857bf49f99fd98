//! Background exports: one thread per export, progress the UI polls each tick, a cancel flag,
//! and a row in the downloads list (下载中心) from start to finish.
//!
//! The job knows nothing of screens: the UI keeps the [`ExportJob`], draws
//! [`ExportJob::progress`] as a gauge, calls [`ExportJob::cancel`] on Esc, and reads the
//! downloads list with `store::downloads::list_for_operator`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crate::clock::SharedClock;
use crate::excel::export::{write_xlsx, ExportError, RowSink, SheetSpec};
use crate::store::downloads::{self, DownloadState};
use crate::store::Store;

/// What to export and where.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    pub operator_id: i64,
    /// The title the downloads list shows (e.g. "交易查询 2026-11-01..2026-11-23").
    pub title: String,
    /// The final file name; the folder must exist.
    pub path: PathBuf,
    pub spec: SheetSpec,
    /// Rows expected, when the caller counted them (drives the gauge's fraction).
    pub total_rows: Option<u64>,
    /// Language of the message kept in the downloads list.
    pub chinese: bool,
}

/// Where a job stands.
#[derive(Debug, Clone, PartialEq)]
pub enum JobState {
    Running,
    Done { rows: u64 },
    Failed { message: String },
    Cancelled,
}

impl JobState {
    pub fn is_finished(&self) -> bool {
        !matches!(self, JobState::Running)
    }
}

/// A snapshot for one frame.
#[derive(Debug, Clone, PartialEq)]
pub struct JobProgress {
    pub rows_done: u64,
    pub total: Option<u64>,
    pub state: JobState,
}

impl JobProgress {
    /// 0.0–1.0 for a gauge; `None` while the total is unknown.
    pub fn fraction(&self) -> Option<f64> {
        if let JobState::Done { .. } = self.state {
            return Some(1.0);
        }
        match self.total {
            Some(0) => Some(1.0),
            Some(t) => Some((self.rows_done as f64 / t as f64).min(1.0)),
            None => None,
        }
    }
}

const UNKNOWN: u64 = u64::MAX;

struct Shared {
    rows_done: AtomicU64,
    total: AtomicU64,
    cancel: AtomicBool,
    /// The final state and whether it reached the downloads table.
    outcome: Mutex<Option<(JobState, bool)>>,
}

/// A running (or finished) export. Dropping it does not stop the thread; cancel first if that
/// is what is wanted.
pub struct ExportJob {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
    /// The job's row in `downloads`.
    pub download_id: i64,
    pub path: PathBuf,
    pub title: String,
    clock: SharedClock,
}

impl ExportJob {
    /// Records the export as running in `store`'s downloads list and starts it on a thread.
    ///
    /// `produce` runs on that thread and pushes every row into the sink; it should open its own
    /// connection (`Store::open(path)`) and stream its query, passing sink errors on with `?` so a
    /// cancel stops it at once. When the thread ends it opens the database file again to record
    /// the outcome; for an in-memory database call [`ExportJob::record`] instead.
    pub fn start<F>(
        store: &Store,
        clock: SharedClock,
        req: ExportRequest,
        produce: F,
    ) -> rusqlite::Result<ExportJob>
    where
        F: FnOnce(&mut RowSink<'_>) -> Result<(), ExportError> + Send + 'static,
    {
        let path_text = req.path.display().to_string();
        let download_id = downloads::insert_running(
            &store.conn,
            req.operator_id,
            &req.title,
            &path_text,
            clock.now_ms(),
        )?;
        let shared = Arc::new(Shared {
            rows_done: AtomicU64::new(0),
            total: AtomicU64::new(req.total_rows.unwrap_or(UNKNOWN)),
            cancel: AtomicBool::new(false),
            outcome: Mutex::new(None),
        });
        let db_path = file_db(&store.path);
        let thread = {
            let shared = shared.clone();
            let clock = clock.clone();
            let path = req.path.clone();
            let spec = req.spec;
            let chinese = req.chinese;
            std::thread::Builder::new()
                .name("export".into())
                .spawn(move || {
                    let mut progress = |n: u64| shared.rows_done.store(n, Ordering::Relaxed);
                    let result = write_xlsx(&path, &spec, &shared.cancel, &mut progress, produce);
                    let state = match result {
                        Ok(rows) => JobState::Done { rows },
                        Err(ExportError::Cancelled) => JobState::Cancelled,
                        Err(e) => JobState::Failed {
                            message: e.message(chinese),
                        },
                    };
                    let rows = match state {
                        JobState::Done { rows } => rows,
                        _ => shared.rows_done.load(Ordering::Relaxed),
                    };
                    if let JobState::Done { rows } = state {
                        shared.rows_done.store(rows, Ordering::Relaxed);
                    }
                    // The downloads row is written before the state is published, so a UI that
                    // sees the job finished finds the list already up to date.
                    let recorded = db_path.as_deref().is_some_and(|db| {
                        Store::open(db).is_ok_and(|s| {
                            record_outcome(&s, download_id, &state, rows, chinese, clock.now_ms())
                                .is_ok()
                        })
                    });
                    *shared.outcome.lock().unwrap_or_else(|p| p.into_inner()) =
                        Some((state, recorded));
                })
                .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?
        };
        Ok(ExportJob {
            shared,
            thread: Some(thread),
            download_id,
            path: req.path,
            title: req.title,
            clock,
        })
    }

    /// The current rows, total and state; cheap enough for every frame.
    pub fn progress(&self) -> JobProgress {
        let state = self
            .shared
            .outcome
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .map(|(s, _)| s.clone())
            .unwrap_or(JobState::Running);
        let total = self.shared.total.load(Ordering::Relaxed);
        JobProgress {
            rows_done: self.shared.rows_done.load(Ordering::Relaxed),
            total: (total != UNKNOWN).then_some(total),
            state,
        }
    }

    /// Sets the expected row count once the caller knows it.
    pub fn set_total(&self, total: u64) {
        self.shared.total.store(total, Ordering::Relaxed);
    }

    /// Asks the job to stop; it ends as [`JobState::Cancelled`] with no file left.
    pub fn cancel(&self) {
        self.shared.cancel.store(true, Ordering::Relaxed);
    }

    pub fn is_finished(&self) -> bool {
        self.shared
            .outcome
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
    }

    /// Records the outcome in `store`'s downloads list if the thread could not (in-memory
    /// database, or the file could not be opened). Harmless to call more than once; does nothing
    /// while the job runs.
    pub fn record(&self, store: &Store, chinese: bool) -> rusqlite::Result<()> {
        let mut guard = self
            .shared
            .outcome
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some((state, recorded)) = guard.as_mut() {
            if !*recorded {
                let rows = self.shared.rows_done.load(Ordering::Relaxed);
                record_outcome(
                    store,
                    self.download_id,
                    state,
                    rows,
                    chinese,
                    self.clock.now_ms(),
                )?;
                *recorded = true;
            }
        }
        Ok(())
    }

    /// Waits for the thread to end and returns the final state (for commands and tests).
    pub fn wait(mut self) -> JobState {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.progress().state
    }
}

/// The database file to reopen on the job thread, or `None` for an in-memory database.
fn file_db(path: &Path) -> Option<PathBuf> {
    let s = path.to_string_lossy();
    if s.is_empty() || s == ":memory:" || s.starts_with("file::memory:") {
        None
    } else {
        Some(path.to_path_buf())
    }
}

fn record_outcome(
    store: &Store,
    id: i64,
    state: &JobState,
    rows: u64,
    chinese: bool,
    now_ms: i64,
) -> rusqlite::Result<bool> {
    let (st, msg) = match state {
        JobState::Running => return Ok(false),
        JobState::Done { .. } => (DownloadState::Done, String::new()),
        JobState::Failed { message } => (DownloadState::Failed, message.clone()),
        JobState::Cancelled => (
            DownloadState::Cancelled,
            ExportError::Cancelled.message(chinese),
        ),
    };
    downloads::finish(&store.conn, id, st, rows as i64, &msg, now_ms)
}
