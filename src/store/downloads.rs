//! The downloads list (下载中心): one row per background export, with its state.

use super::Db;
use crate::store::sql::{params, OptionalExtension, Row};
use crate::store::SqlResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DownloadState {
    Running,
    Done,
    Failed,
    Cancelled,
}

impl DownloadState {
    pub fn as_str(self) -> &'static str {
        match self {
            DownloadState::Running => "running",
            DownloadState::Done => "done",
            DownloadState::Failed => "failed",
            DownloadState::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> Option<DownloadState> {
        Some(match s {
            "running" => DownloadState::Running,
            "done" => DownloadState::Done,
            "failed" => DownloadState::Failed,
            "cancelled" => DownloadState::Cancelled,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DownloadRow {
    pub id: i64,
    pub operator_id: i64,
    pub title: String,
    pub path: String,
    pub state: DownloadState,
    pub row_count: i64,
    pub message: String,
    pub started_ms: i64,
    pub finished_ms: Option<i64>,
}

const COLS: &str =
    "id, operator_id, title, path, state, row_count, message, started_ms, finished_ms";

fn download_row(r: &Row) -> SqlResult<DownloadRow> {
    let state: String = r.get(4)?;
    Ok(DownloadRow {
        id: r.get(0)?,
        operator_id: r.get(1)?,
        title: r.get(2)?,
        path: r.get(3)?,
        state: DownloadState::parse(&state).unwrap_or(DownloadState::Failed),
        row_count: r.get(5)?,
        message: r.get(6)?,
        started_ms: r.get(7)?,
        finished_ms: r.get(8)?,
    })
}

/// Records a new export as running; returns its id.
pub fn insert_running(
    conn: &Db,
    operator_id: i64,
    title: &str,
    path: &str,
    started_ms: i64,
) -> SqlResult<i64> {
    conn.execute(
        "INSERT INTO downloads (operator_id, title, path, state, started_ms)
         VALUES (?1, ?2, ?3, 'running', ?4)",
        params![operator_id, title, path, started_ms],
    )?;
    conn.last_insert_rowid()
}

/// Ends a running export. Only a running row changes, so a finish is recorded once; returns
/// whether it was.
pub fn finish(
    conn: &Db,
    id: i64,
    state: DownloadState,
    row_count: i64,
    message: &str,
    finished_ms: i64,
) -> SqlResult<bool> {
    let n = conn.execute(
        "UPDATE downloads SET state = ?2, row_count = ?3, message = ?4, finished_ms = ?5
         WHERE id = ?1 AND state = 'running'",
        params![id, state.as_str(), row_count, message, finished_ms],
    )?;
    Ok(n == 1)
}

/// An operator's downloads, newest first, at most `limit`.
pub fn list_for_operator(conn: &Db, operator_id: i64, limit: i64) -> SqlResult<Vec<DownloadRow>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM downloads WHERE operator_id = ?1 ORDER BY id DESC LIMIT ?2"
    ))?;
    let rows = st.query_map(params![operator_id, limit], download_row)?;
    rows.collect()
}

pub fn get(conn: &Db, id: i64) -> SqlResult<Option<DownloadRow>> {
    conn.query_row(
        &format!("SELECT {COLS} FROM downloads WHERE id = ?1"),
        [id],
        download_row,
    )
    .optional()
}

/// Marks an operator's exports still `running` that started before `before_ms` as failed with
/// `message` — for rows a crashed or killed process left behind. The caller decides the cut-off
/// (e.g. its own session start), since other live sessions may be exporting right now.
pub fn fail_stale(
    conn: &Db,
    operator_id: i64,
    before_ms: i64,
    message: &str,
    now_ms: i64,
) -> SqlResult<usize> {
    conn.execute(
        "UPDATE downloads SET state = 'failed', message = ?3, finished_ms = ?4
         WHERE operator_id = ?1 AND state = 'running' AND started_ms < ?2",
        params![operator_id, before_ms, message, now_ms],
    )
}

/// Marks an operator's finished export whose file was deleted: `message` says so. A running
/// one, or another operator's, does not change; returns whether it did.
pub fn mark_deleted(conn: &Db, id: i64, operator_id: i64, message: &str) -> SqlResult<bool> {
    let n = conn.execute(
        "UPDATE downloads SET message = ?3
         WHERE id = ?1 AND operator_id = ?2 AND state <> 'running'",
        params![id, operator_id, message],
    )?;
    Ok(n == 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn running_then_finished_newest_first() {
        let store = Store::open_in_memory();
        let c = &store.read();
        let op = crate::store::operators::insert(
            c,
            &crate::store::operators::NewOperator {
                login: "dl_test",
                display_name: "t",
                password_hash: "$argon2id$x",
                pay_password_hash: None,
                must_change_password: false,
                all_groups: true,
                created_ms: 0,
            },
        )
        .unwrap();
        let a = insert_running(c, op, "交易查询", "/tmp/a.xlsx", 1000).unwrap();
        let b = insert_running(c, op, "结算查询", "/tmp/b.xlsx", 2000).unwrap();
        assert!(finish(c, a, DownloadState::Done, 42, "", 1500).unwrap());
        assert!(!finish(c, a, DownloadState::Failed, 0, "again", 1600).unwrap());
        let list = list_for_operator(c, op, 10).unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].id, b);
        assert_eq!(list[0].state, DownloadState::Running);
        assert_eq!(list[1].state, DownloadState::Done);
        assert_eq!(list[1].row_count, 42);
        assert_eq!(list[1].finished_ms, Some(1500));
        assert_eq!(fail_stale(c, op, 2500, "interrupted", 3000).unwrap(), 1);
        assert_eq!(get(c, b).unwrap().unwrap().state, DownloadState::Failed);
    }
}
