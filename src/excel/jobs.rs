//! Background exports: one thread per export, progress the UI polls each tick, a cancel flag,
//! and a row in the downloads list (下载中心) from start to finish.
//!
//! The job knows nothing of screens nor of the database: the UI keeps the [`ExportJob`], draws
//! [`ExportJob::progress`] as a gauge and calls [`ExportJob::cancel`] on Esc; the export service
//! keeps the downloads list, through the `on_finish` it hands to [`ExportJob::start`].

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crate::excel::export::{write_xlsx, ExportError, RowSink, SheetSpec};

/// Called on the job's thread when the file is finished, failed or cancelled, with the final
/// state and the rows written; answers whether the outcome was recorded.
pub type OnFinish = Box<dyn FnOnce(&JobState, u64) -> bool + Send>;

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

/// What a job's work sees of its job: where to tell progress, whether it was cancelled.
pub struct JobControl {
    shared: Arc<Shared>,
}

impl JobControl {
    /// The rows done so far.
    pub fn done(&self, rows: u64) {
        self.shared.rows_done.store(rows, Ordering::Relaxed);
    }
    /// The rows expected, once known.
    pub fn set_total(&self, total: u64) {
        self.shared.total.store(total, Ordering::Relaxed);
    }
    pub fn cancelled(&self) -> bool {
        self.shared.cancel.load(Ordering::Relaxed)
    }
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
}

impl ExportJob {
    /// Starts the export on a thread. `produce` runs on that thread and pushes every row into
    /// the sink, passing sink errors on with `?` so a cancel stops it at once; `on_finish` runs
    /// there after it.
    pub fn start<F>(
        download_id: i64,
        req: ExportRequest,
        on_finish: OnFinish,
        produce: F,
    ) -> std::io::Result<ExportJob>
    where
        F: FnOnce(&mut RowSink<'_>) -> Result<(), ExportError> + Send + 'static,
    {
        let path = req.path.clone();
        let spec = req.spec;
        let work = move |c: &JobControl| {
            let mut progress = |n: u64| c.done(n);
            write_xlsx(&path, &spec, &c.shared.cancel, &mut progress, produce)
        };
        ExportJob::start_work(
            download_id,
            req.path,
            req.title,
            req.total_rows,
            req.chinese,
            on_finish,
            work,
        )
    }

    /// Starts a job that writes its file itself (a workbook of several sheets): `work` runs on
    /// the job's thread, tells the rows done (and the total once known) through the
    /// [`JobControl`], stops with [`ExportError::Cancelled`] when asked, leaves no file under
    /// `path` on any error, and answers the rows written; `on_finish` runs there after it.
    pub fn start_work<W>(
        download_id: i64,
        path: PathBuf,
        title: String,
        total_rows: Option<u64>,
        chinese: bool,
        on_finish: OnFinish,
        work: W,
    ) -> std::io::Result<ExportJob>
    where
        W: FnOnce(&JobControl) -> Result<u64, ExportError> + Send + 'static,
    {
        let shared = Arc::new(Shared {
            rows_done: AtomicU64::new(0),
            total: AtomicU64::new(total_rows.unwrap_or(UNKNOWN)),
            cancel: AtomicBool::new(false),
            outcome: Mutex::new(None),
        });
        let thread = {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name("export".into())
                .spawn(move || {
                    let control = JobControl {
                        shared: shared.clone(),
                    };
                    let result = work(&control);
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
                    let recorded = on_finish(&state, rows);
                    *shared.outcome.lock().unwrap_or_else(|p| p.into_inner()) =
                        Some((state, recorded));
                })?
        };
        Ok(ExportJob {
            shared,
            thread: Some(thread),
            download_id,
            path,
            title,
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

    /// The final state and rows of a finished job whose outcome `on_finish` could not record
    /// (an in-memory database, or the file could not be opened); `None` while it runs or once
    /// recorded. The caller records it and calls [`ExportJob::mark_recorded`].
    pub fn unrecorded(&self) -> Option<(JobState, u64)> {
        let guard = self
            .shared
            .outcome
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        match guard.as_ref() {
            Some((state, false)) => {
                Some((state.clone(), self.shared.rows_done.load(Ordering::Relaxed)))
            }
            _ => None,
        }
    }

    pub fn mark_recorded(&self) {
        if let Some((_, recorded)) = self
            .shared
            .outcome
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_mut()
        {
            *recorded = true;
        }
    }

    /// Waits for the thread to end and returns the final state (for commands and tests).
    pub fn wait(mut self) -> JobState {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.progress().state
    }
}
