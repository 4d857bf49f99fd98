//! For the test suites only: their own SQL on either backend, and a fresh database on the
//! PostgreSQL server the suite runs against. No layer of the application calls these.

use std::path::{Path, PathBuf};

use super::sql::{Params, Row, SqlResult, Stmt};
use super::{Db, Store};

/// The tests' own SQL through the store's door: the same calls as the store's own code.
#[derive(Clone, Copy)]
pub struct TestSql<'a> {
    db: Db<'a>,
}

impl<'a> TestSql<'a> {
    pub fn prepare(&self, sql: &str) -> SqlResult<Stmt<'a>> {
        self.db.prepare(sql)
    }
    pub fn execute<P: Params>(&self, sql: &str, params: P) -> SqlResult<usize> {
        self.db.execute(sql, params)
    }
    pub fn query_row<T, P, F>(&self, sql: &str, params: P, f: F) -> SqlResult<T>
    where
        P: Params,
        F: FnOnce(&Row<'_, '_>) -> SqlResult<T>,
    {
        self.db.query_row(sql, params, f)
    }
    pub fn execute_batch(&self, sql: &str) -> SqlResult<()> {
        self.db.execute_batch(sql)
    }
    /// The database's tables, by name.
    pub fn tables(&self) -> SqlResult<Vec<String>> {
        let sql = if self.db.is_postgres() {
            "SELECT table_name::text FROM information_schema.tables
             WHERE table_schema = current_schema() ORDER BY 1"
        } else {
            "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name"
        };
        self.db
            .prepare(sql)?
            .query_map(super::params![], |r| r.get(0))?
            .collect()
    }
    /// Whether the suite runs this on a PostgreSQL server.
    pub fn is_postgres(&self) -> bool {
        self.db.is_postgres()
    }
}

impl Store {
    #[doc(hidden)]
    pub fn sql_for_tests(&self) -> TestSql<'_> {
        TestSql { db: self.read() }
    }
}

/// The backend the test suite runs on: `MERCHANT_DESK_TEST_BACKEND=postgres` with the server in
/// `MERCHANT_DESK_TEST_PG` (scripts/with-postgres.sh sets it), else SQLite.
pub fn postgres_under_test() -> Option<String> {
    let wanted = std::env::var("MERCHANT_DESK_TEST_BACKEND")
        .is_ok_and(|b| b.eq_ignore_ascii_case("postgres"));
    if !wanted {
        return None;
    }
    match std::env::var("MERCHANT_DESK_TEST_PG") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => panic!(
            "MERCHANT_DESK_TEST_BACKEND=postgres needs MERCHANT_DESK_TEST_PG: run the suite under scripts/with-postgres.sh"
        ),
    }
}

/// Where a test's database lives: `md.sqlite3` in `dir`, or on the PostgreSQL server under
/// test a new, empty database of its own (its address, as `--db` takes it).
pub fn fresh_database(dir: &Path) -> PathBuf {
    let Some(server) = postgres_under_test() else {
        return dir.join("md.sqlite3");
    };
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "md_test_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let mut admin = postgres::Client::connect(&server, postgres::NoTls)
        .unwrap_or_else(|e| panic!("the PostgreSQL server under test: {e}"));
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
    PathBuf::from(with_database(&server, &name))
}

/// A copy of a test database: SQLite's `VACUUM INTO`, or on a server a new database made from
/// the first as its template (nobody may be connected to it meanwhile).
pub fn copy_database(from: &Path, dir: &Path) -> PathBuf {
    let Some(server) = postgres_under_test() else {
        let to = dir.join("md.sqlite3");
        let src = rusqlite::Connection::open(from).expect("open the test database");
        src.execute("VACUUM INTO ?1", [to.to_str().expect("a UTF-8 path")])
            .expect("VACUUM INTO");
        return to;
    };
    let source = from
        .to_str()
        .and_then(|u| u.rsplit('/').next())
        .expect("a database name")
        .to_string();
    let to = fresh_name();
    let mut admin = postgres::Client::connect(&server, postgres::NoTls).expect("the server");
    // A template must have no other sessions: the test's own connections to it are closed (they
    // open again by themselves on their next statement); closed sessions take a moment to
    // leave, so it is tried again for up to five seconds.
    let mut tries = 0;
    loop {
        admin
            .execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                 WHERE datname = $1 AND pid <> pg_backend_pid()",
                &[&source],
            )
            .expect("close the sessions of the template");
        match admin.batch_execute(&format!("CREATE DATABASE {to} TEMPLATE {source}")) {
            Ok(()) => break,
            Err(_) if tries < 50 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            Err(e) => panic!("CREATE DATABASE {to} TEMPLATE {source}: {e:?}"),
        }
    }
    PathBuf::from(with_database(&server, &to))
}

fn fresh_name() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!(
        "md_copy_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// The server's URL with another database name (the last path segment).
pub fn with_database(server: &str, name: &str) -> String {
    let (head, tail) = match server.split_once('?') {
        Some((h, q)) => (h, format!("?{q}")),
        None => (server, String::new()),
    };
    let scheme_end = head.find("://").map(|i| i + 3).unwrap_or(0);
    match head[scheme_end..].find('/') {
        Some(slash) => format!("{}/{name}{tail}", &head[..scheme_end + slash]),
        None => format!("{head}/{name}{tail}"),
    }
}

/// For a test of SQLite's own file handling (locks, WAL, copying the file): true, with a notice,
/// when the suite runs on PostgreSQL, where the test has nothing to test.
pub fn sqlite_only(what: &str) -> bool {
    let on_server = postgres_under_test().is_some();
    if on_server {
        eprintln!("SQLite only, not run on PostgreSQL: {what}");
    }
    on_server
}
