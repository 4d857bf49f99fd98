//! The database: opening and migrating it (an embedded SQLite file, or a PostgreSQL server), and
//! every query. No SQL lives outside this folder; `sql` is the one door to either backend.

pub mod audit;
pub mod cards;
pub mod check;
pub mod copy;
pub mod downloads;
pub mod fast_refunds;
pub mod merchants;
pub mod migrate;
pub mod operators;
pub mod payees;
pub mod payout_limits;
mod pg;
pub mod recon;
pub mod recon_ignore;
pub mod reference;
pub mod refunds;
pub mod review;
pub mod review_lists;
pub mod settlement_query;
pub mod settlements;
pub mod sql;
pub mod statements;
pub mod summaries;
#[doc(hidden)]
pub mod testing;
pub mod transactions;
pub mod transfers;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension as _};

pub use sql::{params, OptionalExtension, Param, Params, Row, SqlResult, Value};
use sql::{PgConn, Stmt};

/// A database error as the store reports it: SQLite's code is kept, so a busy database (another
/// writer holds the lock past the busy timeout) is told apart from a broken file or a refused
/// constraint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct StoreError {
    pub kind: StoreErrorKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreErrorKind {
    /// Another writer held the database longer than the busy timeout: retrying may succeed.
    Busy,
    /// A UNIQUE, CHECK or FOREIGN KEY constraint refused the change.
    Constraint,
    /// A status change outside the domain's table of transitions.
    Transition,
    /// The disk (or the file system's quota) is full.
    Full,
    /// The file is not readable as a database, or is damaged.
    Corrupt,
    /// A query that must return a row returned none.
    NoRows,
    /// The connection to the database server was lost (the change it carried was not made).
    Lost,
    /// The file or its folder cannot be written.
    ReadOnly,
    Other,
}

impl StoreError {
    pub fn is_busy(&self) -> bool {
        self.kind == StoreErrorKind::Busy
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode as C;
        if matches!(e, rusqlite::Error::QueryReturnedNoRows) {
            return sql::no_rows();
        }
        let kind = match e.sqlite_error_code() {
            Some(C::DatabaseBusy | C::DatabaseLocked) => StoreErrorKind::Busy,
            Some(C::ConstraintViolation) => StoreErrorKind::Constraint,
            Some(C::DiskFull) => StoreErrorKind::Full,
            Some(C::DatabaseCorrupt | C::NotADatabase) => StoreErrorKind::Corrupt,
            Some(C::ReadOnly | C::CannotOpen) => StoreErrorKind::ReadOnly,
            _ => StoreErrorKind::Other,
        };
        StoreError {
            kind,
            message: e.to_string(),
        }
    }
}

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> Self {
        use postgres::error::SqlState as S;
        let message = match e.as_db_error() {
            Some(db) => db.message().to_string(),
            None => e.to_string(),
        };
        let kind = if e.is_closed() {
            StoreErrorKind::Lost
        } else {
            match e.code() {
                Some(c) if c.code().starts_with("23") => StoreErrorKind::Constraint,
                // Connection exceptions, and the server ending the session (shut down, the
                // session terminated by an administrator).
                Some(c) if c.code().starts_with("08") || c.code().starts_with("57P") => {
                    StoreErrorKind::Lost
                }
                Some(c)
                    if *c == S::T_R_SERIALIZATION_FAILURE
                        || *c == S::T_R_DEADLOCK_DETECTED
                        || *c == S::LOCK_NOT_AVAILABLE
                        || *c == S::QUERY_CANCELED =>
                {
                    StoreErrorKind::Busy
                }
                Some(c) if *c == S::DISK_FULL || *c == S::OUT_OF_MEMORY => StoreErrorKind::Full,
                Some(c)
                    if *c == S::READ_ONLY_SQL_TRANSACTION || *c == S::INSUFFICIENT_PRIVILEGE =>
                {
                    StoreErrorKind::ReadOnly
                }
                Some(c) if *c == S::DATA_CORRUPTED || *c == S::INDEX_CORRUPTED => {
                    StoreErrorKind::Corrupt
                }
                Some(_) => StoreErrorKind::Other,
                // No code and not closed: the socket failed mid-statement.
                None if message.contains("connection") => StoreErrorKind::Lost,
                None => StoreErrorKind::Other,
            }
        };
        StoreError { kind, message }
    }
}

/// A status change the domain's table of transitions does not allow; the store refuses it.
#[derive(Debug, thiserror::Error)]
#[error("{name} may not change from {from} to {to}")]
pub struct TransitionRefused {
    pub name: &'static str,
    pub from: &'static str,
    pub to: &'static str,
}

/// Refuses a status change outside the domain's table. Every status update of the store calls it
/// before it writes, so no path can make a completed refund pending again.
pub(crate) fn allowed<T: crate::domain::Transitions>(from: T, to: T) -> SqlResult<()> {
    if from.may_become(to) {
        Ok(())
    } else {
        Err(StoreError {
            kind: StoreErrorKind::Transition,
            message: TransitionRefused {
                name: T::NAME,
                from: from.code(),
                to: to.code(),
            }
            .to_string(),
        })
    }
}

/// Reads a coded enum column (a status or a type); an unknown code is an error, not a default.
pub(crate) fn coded<T: crate::domain::Coded>(r: &Row, i: usize) -> SqlResult<T> {
    let s: String = r.get(i)?;
    T::from_code(&s).ok_or_else(|| StoreError {
        kind: StoreErrorKind::Corrupt,
        message: format!("column {i}: unknown {} {s:?}", T::NAME),
    })
}

/// The database as one use case sees it: outside a transaction (reads), or inside the write
/// transaction the service kernel holds. Only the store's functions can run SQL on it; every other
/// layer merely hands it on, so no SQL and no connection leaks out of this folder.
#[derive(Clone, Copy)]
pub struct Db<'a> {
    pub(in crate::store) conn: Conn<'a>,
}

#[derive(Clone, Copy)]
pub(in crate::store) enum Conn<'a> {
    Lite(&'a Connection),
    Pg(&'a PgConn),
}

impl<'a> Db<'a> {
    pub(in crate::store) fn lite(conn: &'a Connection) -> Db<'a> {
        Db {
            conn: Conn::Lite(conn),
        }
    }
    /// Whether this is a PostgreSQL server (for the few statements whose spelling must differ).
    pub(in crate::store) fn is_postgres(&self) -> bool {
        matches!(self.conn, Conn::Pg(_))
    }
    pub(in crate::store) fn prepare_cached(&self, sql: &str) -> SqlResult<Stmt<'a>> {
        match self.conn {
            Conn::Lite(c) => Ok(Stmt::lite_cached(c.prepare_cached(sql)?)),
            Conn::Pg(c) => Stmt::pg(c, sql),
        }
    }
    pub(in crate::store) fn prepare(&self, sql: &str) -> SqlResult<Stmt<'a>> {
        match self.conn {
            Conn::Lite(c) => Ok(Stmt::lite(c.prepare(sql)?)),
            Conn::Pg(c) => Stmt::pg(c, sql),
        }
    }
    pub(in crate::store) fn execute<P: Params>(&self, sql: &str, params: P) -> SqlResult<usize> {
        self.prepare_cached(sql)?.execute(params)
    }
    pub(in crate::store) fn query_row<T, P, F>(&self, sql: &str, params: P, f: F) -> SqlResult<T>
    where
        P: Params,
        F: FnOnce(&Row<'_, '_>) -> SqlResult<T>,
    {
        self.prepare_cached(sql)?.query_row(params, f)
    }
    /// Statements without parameters, in SQLite's spelling on SQLite only; each backend's own
    /// DDL goes through [`Db::execute_native`].
    pub(in crate::store) fn execute_batch(&self, sql: &str) -> SqlResult<()> {
        match self.conn {
            Conn::Lite(c) => Ok(c.execute_batch(sql)?),
            Conn::Pg(c) => c.batch(&sql::translate(sql)),
        }
    }
    /// The id the last INSERT gave its row (on PostgreSQL, the session's last sequence value:
    /// the identity column of that row).
    pub(in crate::store) fn last_insert_rowid(&self) -> SqlResult<i64> {
        match self.conn {
            Conn::Lite(c) => Ok(c.last_insert_rowid()),
            Conn::Pg(_) => self.query_row("SELECT lastval()", params![], |r| r.get(0)),
        }
    }
}

/// Runs `f` inside a savepoint of the write transaction `db` belongs to: when `f` fails, what it
/// wrote is undone, and only that; the transaction goes on (a file of independent lines, each
/// kept or refused on its own, in one commit).
pub fn in_savepoint<T, E: From<StoreError>>(
    db: &Db,
    f: impl FnOnce() -> Result<T, E>,
) -> Result<T, E> {
    db.execute_batch("SAVEPOINT line")?;
    match f() {
        Ok(v) => {
            db.execute_batch("RELEASE SAVEPOINT line")?;
            Ok(v)
        }
        Err(e) => {
            db.execute_batch("ROLLBACK TO SAVEPOINT line; RELEASE SAVEPOINT line")?;
            Err(e)
        }
    }
}

/// One transaction, dropped without `commit` it rolls back. A write transaction holds the
/// database's one write lock from the start (SQLite: BEGIN IMMEDIATE; PostgreSQL: a
/// transaction-scoped advisory lock), so two workstations never both read a state and then both
/// write a decision based on it, and the audit chain is appended by one writer at a time.
pub struct WriteTx<'a> {
    inner: TxInner<'a>,
}

enum TxInner<'a> {
    Lite(Option<rusqlite::Transaction<'a>>),
    Pg {
        conn: &'a PgConn,
        write: bool,
        open: bool,
    },
}

impl WriteTx<'_> {
    pub fn db(&self) -> Db<'_> {
        match &self.inner {
            TxInner::Lite(tx) => Db::lite(tx.as_ref().expect("an open transaction")),
            TxInner::Pg { conn, .. } => Db {
                conn: Conn::Pg(conn),
            },
        }
    }
    pub fn commit(mut self) -> Result<(), StoreError> {
        match &mut self.inner {
            TxInner::Lite(tx) => Ok(tx.take().expect("an open transaction").commit()?),
            TxInner::Pg { conn, write, open } => {
                *open = false;
                conn.in_transaction.set(false);
                if *write {
                    conn.batch(&format!("NOTIFY {}; COMMIT", sql::CHANGES_CHANNEL))
                } else {
                    conn.batch("COMMIT")
                }
            }
        }
    }
}

impl Drop for WriteTx<'_> {
    fn drop(&mut self) {
        if let TxInner::Pg {
            conn, open: true, ..
        } = &self.inner
        {
            // A failed rollback means the connection is gone, and the transaction with it.
            let _ = conn.batch("ROLLBACK");
            conn.in_transaction.set(false);
        }
    }
}

/// `PRAGMA application_id` of a merchant-desk file ("MDSK"), so a foreign SQLite file is refused.
pub const APPLICATION_ID: i32 = 0x4d44_534b;

#[derive(Debug)]
pub enum OpenError {
    /// The file cannot be opened or read at all.
    CannotOpen(PathBuf, String),
    /// A SQLite (or other) file that is not ours.
    NotOurs(PathBuf),
    /// Written by a newer merchant-desk than this one.
    TooNew {
        path: PathBuf,
        found: i32,
        known: i32,
    },
    Migration(String),
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpenError::CannotOpen(p, e) => write!(
                f,
                "cannot open database {}: {e}; it was left unchanged",
                p.display()
            ),
            OpenError::NotOurs(p) => write!(
                f,
                "{} is not a merchant-desk database; it was left unchanged",
                p.display()
            ),
            OpenError::TooNew { path, found, known } => write!(
                f,
                "{} was written by a newer merchant-desk (schema {found}, this program knows up to {known}); it was left unchanged",
                path.display()
            ),
            OpenError::Migration(e) => write!(f, "database upgrade failed: {e}"),
        }
    }
}

impl std::error::Error for OpenError {}

/// Where a database is: an embedded SQLite file, or a PostgreSQL server (`postgres://…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    File(PathBuf),
    Server(String),
}

impl Location {
    /// `postgres://…` or `postgresql://…` (or a `host=… dbname=…` connection string) is a
    /// server; anything else is a file's path.
    pub fn parse(s: &str) -> Location {
        let lower = s.trim_start().to_ascii_lowercase();
        if lower.starts_with("postgres://")
            || lower.starts_with("postgresql://")
            || (lower.contains("host=") && lower.contains("dbname="))
        {
            Location::Server(s.trim().to_string())
        } else {
            Location::File(PathBuf::from(s))
        }
    }

    pub fn file(&self) -> Option<&Path> {
        match self {
            Location::File(p) => Some(p),
            Location::Server(_) => None,
        }
    }

    pub fn is_server(&self) -> bool {
        matches!(self, Location::Server(_))
    }
}

/// A server's address is shown without its password.
impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::File(p) => write!(f, "{}", p.display()),
            Location::Server(url) => f.write_str(&pg::without_password(url)),
        }
    }
}

enum Backend {
    Lite(Connection),
    Pg(Box<PgConn>),
}

/// An open merchant-desk database.
pub struct Store {
    backend: Backend,
    /// Where it is: other connections (a background export, a card decision) open it again.
    pub location: Location,
    /// The indexes a bulk load dropped (their SQL), built again when it ends.
    deferred_indexes: std::sync::Mutex<Vec<String>>,
}

/// The indexes of `transactions` a bulk load builds after the rows instead of row by row: none
/// of them is read while the demo builds. Kept: `txn_time` (the rollups a day at a time, the
/// voucher counters), `txn_settle_date` (the settlement run of every day) and the reference
/// number's unique index (a constraint).
const DEFERRED_INDEXES: &[&str] = &[
    "txn_terminal_time",
    "txn_merchant_time",
    "txn_settlement",
    "txn_order_no",
];

impl Store {
    /// Opens (creating when missing) and migrates a database file. The file is inspected
    /// read-only first, so a file that is not ours, or is newer, is never touched.
    ///
    /// A `postgres://…` "path" is a server's address: the store opens it with [`Store::open_at`],
    /// so every caller that hands on `--db` serves both backends.
    pub fn open(path: &Path) -> Result<Store, OpenError> {
        match path.to_str().map(Location::parse) {
            Some(server @ Location::Server(_)) => Store::open_at(&server),
            _ => Store::open_file(path),
        }
    }

    fn open_file(path: &Path) -> Result<Store, OpenError> {
        let cannot = |e: rusqlite::Error| open_problem(path, e);
        if path.exists() {
            let meta = std::fs::metadata(path)
                .map_err(|e| OpenError::CannotOpen(path.to_path_buf(), e.to_string()))?;
            if meta.is_dir() {
                return Err(OpenError::CannotOpen(
                    path.to_path_buf(),
                    "it is a directory".into(),
                ));
            }
            if meta.len() > 0 {
                let ro = Connection::open_with_flags(
                    path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )
                .map_err(cannot)?;
                ro.busy_timeout(Duration::from_secs(10)).map_err(cannot)?;
                let app_id: i32 = ro
                    .query_row("PRAGMA application_id", [], |r| r.get(0))
                    .map_err(cannot)?;
                let version: i32 = ro
                    .query_row("PRAGMA user_version", [], |r| r.get(0))
                    .map_err(cannot)?;
                let tables: i64 = ro
                    .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
                    .map_err(cannot)?;
                if app_id != APPLICATION_ID && (app_id != 0 || tables > 0) {
                    return Err(OpenError::NotOurs(path.to_path_buf()));
                }
                if version > migrate::LATEST {
                    return Err(OpenError::TooNew {
                        path: path.to_path_buf(),
                        found: version,
                        known: migrate::LATEST,
                    });
                }
            }
        } else if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| OpenError::CannotOpen(path.to_path_buf(), e.to_string()))?;
            }
        }
        let mut conn = Connection::open(path).map_err(cannot)?;
        configure(&conn).map_err(cannot)?;
        migrate::migrate(&mut conn).map_err(|e| OpenError::Migration(e.to_string()))?;
        Ok(Store {
            backend: Backend::Lite(conn),
            location: Location::File(path.to_path_buf()),
            deferred_indexes: Default::default(),
        })
    }

    /// Opens the database wherever it is (see [`Location`]).
    pub fn open_at(location: &Location) -> Result<Store, OpenError> {
        match location {
            Location::File(p) => Store::open_file(p),
            Location::Server(url) => Ok(Store {
                backend: Backend::Pg(Box::new(pg::open(url)?)),
                location: location.clone(),
                deferred_indexes: Default::default(),
            }),
        }
    }

    /// Where a second connection to this database opens, or `None` for an in-memory database,
    /// which has no second connection.
    pub fn sibling_location(&self) -> Option<Location> {
        match &self.location {
            Location::File(p) => {
                let s = p.to_string_lossy();
                (!(s.is_empty() || s == ":memory:" || s.starts_with("file::memory:")))
                    .then(|| self.location.clone())
            }
            Location::Server(_) => Some(self.location.clone()),
        }
    }

    /// Whether the database is on a PostgreSQL server.
    pub fn is_server(&self) -> bool {
        matches!(self.backend, Backend::Pg(_))
    }

    /// An in-memory database, for unit tests.
    pub fn open_in_memory() -> Store {
        let mut conn = Connection::open_in_memory().expect("in-memory sqlite");
        configure(&conn).expect("configure");
        migrate::migrate(&mut conn).expect("migrate");
        Store {
            backend: Backend::Lite(conn),
            location: Location::File(PathBuf::from(":memory:")),
            deferred_indexes: Default::default(),
        }
    }

    /// A write transaction (see `WriteTx`). Only the service kernel begins one.
    pub fn begin(&self) -> Result<WriteTx<'_>, StoreError> {
        match &self.backend {
            Backend::Lite(c) => Ok(WriteTx {
                inner: TxInner::Lite(Some(rusqlite::Transaction::new_unchecked(
                    c,
                    rusqlite::TransactionBehavior::Immediate,
                )?)),
            }),
            Backend::Pg(c) => {
                c.reconnect_if_closed()?;
                c.batch(&format!(
                    "BEGIN; SELECT pg_advisory_xact_lock({})",
                    pg::WRITE_LOCK
                ))?;
                c.in_transaction.set(true);
                Ok(WriteTx {
                    inner: TxInner::Pg {
                        conn: c,
                        write: true,
                        open: true,
                    },
                })
            }
        }
    }

    /// A read transaction: one consistent snapshot for a query and its totals.
    pub fn begin_read(&self) -> Result<WriteTx<'_>, StoreError> {
        match &self.backend {
            Backend::Lite(c) => Ok(WriteTx {
                inner: TxInner::Lite(Some(rusqlite::Transaction::new_unchecked(
                    c,
                    rusqlite::TransactionBehavior::Deferred,
                )?)),
            }),
            Backend::Pg(c) => {
                c.reconnect_if_closed()?;
                c.batch("BEGIN ISOLATION LEVEL REPEATABLE READ")?;
                c.in_transaction.set(true);
                Ok(WriteTx {
                    inner: TxInner::Pg {
                        conn: c,
                        write: false,
                        open: true,
                    },
                })
            }
        }
    }

    /// The raw connection, for the integration tests' own SQL (counting rows, breaking a row on
    /// purpose) on SQLite. No layer of the application calls it.
    #[doc(hidden)]
    pub fn raw_connection_for_tests(&self) -> &Connection {
        match &self.backend {
            Backend::Lite(c) => c,
            Backend::Pg(_) => panic!("raw_connection_for_tests: a SQLite-only test"),
        }
    }

    /// Runs the tests' own SQL (SQLite's spelling, no parameters) on either backend.
    #[doc(hidden)]
    pub fn execute_for_tests(&self, sql: &str) -> Result<(), StoreError> {
        self.read().execute_batch(sql)
    }

    /// The first column of the first row of the tests' own query, on either backend.
    #[doc(hidden)]
    pub fn query_i64_for_tests(&self, sql: &str) -> Result<i64, StoreError> {
        self.read().query_row(sql, params![], |r| r.get(0))
    }

    fn lite(&self) -> Option<&Connection> {
        match &self.backend {
            Backend::Lite(c) => Some(c),
            Backend::Pg(_) => None,
        }
    }

    /// A private file being filled in bulk (the demo builder): no journal, no syncs and the file
    /// held exclusively while `on`, since a failed build is thrown away; the secondary indexes
    /// of `transactions` that nothing reads meanwhile ([`DEFERRED_INDEXES`]) are dropped, and
    /// built again in one sorted pass each when it ends; then shared locking, WAL and normal
    /// syncs again.
    pub fn set_bulk_load(&self, on: bool) -> Result<(), StoreError> {
        let Some(conn) = self.lite() else {
            // A server's database is shared; its writes stay durable and indexed.
            return Ok(());
        };
        let mut deferred = self
            .deferred_indexes
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if on {
            conn.execute_batch(
                "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
                 PRAGMA locking_mode = EXCLUSIVE;",
            )?;
            for name in DEFERRED_INDEXES {
                let sql: Option<String> = conn
                    .query_row(
                        "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?1",
                        [name],
                        |r| r.get(0),
                    )
                    .optional()?;
                if let Some(sql) = sql {
                    conn.execute_batch(&format!("DROP INDEX {name}"))?;
                    deferred.push(sql);
                }
            }
        } else {
            // CREATE INDEX sorts in memory as large as the page cache and spills the rest to
            // temporary files: to files (not memory) and with a smaller cache meanwhile, so the
            // build stays within its memory bound.
            conn.execute_batch("PRAGMA temp_store = FILE; PRAGMA cache_size = -16384;")?;
            for sql in deferred.drain(..) {
                conn.execute_batch(&sql)?;
            }
            conn.execute_batch(&format!(
                "PRAGMA temp_store = MEMORY; PRAGMA cache_size = {CACHE_SIZE};"
            ))?;
            // Shared locking takes effect when the file is next read; WAL after that, so the
            // file is not left in exclusive WAL mode.
            conn.execute_batch(
                "PRAGMA locking_mode = NORMAL; SELECT count(*) FROM sqlite_schema;
                 PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;",
            )?;
        }
        Ok(())
    }

    /// Folds the write-ahead log into the database file, so the file holds everything alone
    /// (before it is renamed or copied).
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        match self.lite() {
            Some(c) => Ok(c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")?),
            None => Ok(()),
        }
    }

    /// The database for reading outside a transaction.
    pub fn read(&self) -> Db<'_> {
        match &self.backend {
            Backend::Lite(c) => Db::lite(c),
            Backend::Pg(c) => Db { conn: Conn::Pg(c) },
        }
    }

    /// A number that changes whenever another connection commits: SQLite's `data_version`, or
    /// on PostgreSQL the count of change notifications (LISTEN/NOTIFY) received.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        match &self.backend {
            Backend::Lite(c) => Ok(c.query_row("PRAGMA data_version", [], |r| r.get(0))?),
            Backend::Pg(c) => c.poll_changes(),
        }
    }
}

/// What is wrong, by SQLite's error code: only a file SQLite says is no database is foreign. A
/// valid file SQLite cannot read (it must create `-shm` and `-wal` files beside it) is named
/// with the reason: a folder that is not writable, or a full disk.
fn open_problem(path: &Path, e: rusqlite::Error) -> OpenError {
    use rusqlite::ErrorCode;
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => OpenError::NotOurs(path.to_path_buf()),
        Some(
            ErrorCode::CannotOpen
            | ErrorCode::ReadOnly
            | ErrorCode::DiskFull
            | ErrorCode::SystemIoFailure
            | ErrorCode::PermissionDenied,
        ) => OpenError::CannotOpen(
            path.to_path_buf(),
            folder_problem(path).unwrap_or_else(|| e.to_string()),
        ),
        _ => OpenError::CannotOpen(path.to_path_buf(), e.to_string()),
    }
}

/// Why the database's folder cannot take a new file, if it cannot: tried with a small file that
/// is removed at once (the database itself is not touched).
fn folder_problem(path: &Path) -> Option<String> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let probe = dir.join(format!(".merchant-desk-probe-{}", std::process::id()));
    let tried = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .and_then(|mut f| {
            let r = f.write_all(&[0u8; 4096]).and_then(|_| f.sync_all());
            let _ = std::fs::remove_file(&probe);
            r
        });
    let e = tried.err()?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Some(folder_problem_text(dir, &name, &e))
}

fn folder_problem_text(dir: &Path, name: &str, e: &std::io::Error) -> String {
    match e.raw_os_error() {
        Some(libc::ENOSPC) | Some(libc::EDQUOT) => format!(
            "the disk holding {} is full: SQLite needs room for {name}-shm and {name}-wal beside the database",
            dir.display()
        ),
        Some(libc::EACCES) | Some(libc::EPERM) | Some(libc::EROFS) => format!(
            "the folder {} is not writable (read-only): SQLite must create {name}-shm and {name}-wal beside the database to read it",
            dir.display()
        ),
        _ => format!("the folder {} cannot take a new file: {e}", dir.display()),
    }
}

/// The page cache: 64 MiB (negative: KiB).
const CACHE_SIZE: i64 = -65536;

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(Duration::from_secs(10))?;
    // Every query of the store is prepared once per connection and kept. The query planner
    // stability guarantee keeps SQLite (built with STAT4) from re-preparing a kept statement each
    // time a bound value changes; the plans are the same for every value here.
    conn.set_prepared_statement_cache_capacity(256);
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "cache_size", CACHE_SIZE)?;
    Ok(())
}

/// Placeholders `?,?,?` for an IN list.
pub(crate) fn placeholders(n: usize) -> String {
    let mut s = String::with_capacity(n * 2);
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        s.push('?');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_problem_says_what_is_wrong() {
        let dir = Path::new("/data");
        let full = std::io::Error::from_raw_os_error(libc::ENOSPC);
        assert!(folder_problem_text(dir, "md.sqlite3", &full)
            .starts_with("the disk holding /data is full"));
        let ro = std::io::Error::from_raw_os_error(libc::EROFS);
        assert!(folder_problem_text(dir, "md.sqlite3", &ro).contains("not writable (read-only)"));
    }
}
