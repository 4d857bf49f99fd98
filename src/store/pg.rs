//! PostgreSQL: opening a server's database, recognising it as ours, creating and migrating its
//! schema. Everything else goes through `sql` like SQLite does.

use std::path::PathBuf;

use super::sql::{params, PgConn};
use super::{migrate, reference, Conn, Db, OpenError};

/// The key of the advisory lock every write transaction holds ("MDSK"): writers take turns, as
/// SQLite's one write lock makes them, so a read-then-decide never races another workstation's.
pub(crate) const WRITE_LOCK: i64 = 0x4d44_534b;

/// The schema as of SQLite migration [`BASELINE`], written for PostgreSQL.
const SCHEMA: &str = include_str!("pg_schema.sql");
const BASELINE: i32 = 8;

/// The migrations after the baseline, PostgreSQL's spelling, in order (index 0 is version
/// BASELINE + 1). Each SQLite migration after the baseline has its twin here.
const STEPS: &[&str] = &[
    include_str!("pg_schema_v9.sql"),
    include_str!("pg_schema_v10.sql"),
    include_str!("pg_schema_v11.sql"),
    include_str!("pg_schema_v12.sql"),
    include_str!("pg_schema_v13.sql"),
    include_str!("pg_schema_v14.sql"),
    include_str!("pg_schema_v15.sql"),
];

/// A connection string without its password, for messages.
pub(crate) fn without_password(url: &str) -> String {
    // URL form: postgres://user:password@host/db
    if let Some(scheme_end) = url.find("://") {
        let rest = &url[scheme_end + 3..];
        if let Some(at) = rest.find('@') {
            let userinfo = &rest[..at];
            if let Some(colon) = userinfo.find(':') {
                return format!(
                    "{}{}:***{}",
                    &url[..scheme_end + 3],
                    &userinfo[..colon],
                    &rest[at..]
                );
            }
        }
        return url.to_string();
    }
    // Key-value form: host=… password=… dbname=…
    url.split_whitespace()
        .map(|kv| {
            if kv.to_ascii_lowercase().starts_with("password=") {
                "password=***".to_string()
            } else {
                kv.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn place(url: &str) -> PathBuf {
    PathBuf::from(without_password(url))
}

/// Connects, refuses a database that is not ours or is newer, and creates or migrates the schema
/// (each step one transaction under the write lock, so two workstations starting at once
/// migrate once).
pub(crate) fn open(url: &str) -> Result<PgConn, OpenError> {
    let conn = PgConn::connect(url)
        .map_err(|e| OpenError::CannotOpen(place(url), super::StoreError::from(e).message))?;
    let fail = |e: super::StoreError| OpenError::CannotOpen(place(url), e.message);
    let db = Db {
        conn: Conn::Pg(&conn),
    };
    loop {
        let version = schema_version(&db).map_err(fail)?;
        match version {
            Some(v) if v < 0 => return Err(OpenError::NotOurs(place(url))),
            Some(v) if v > migrate::LATEST => {
                return Err(OpenError::TooNew {
                    path: place(url),
                    found: v,
                    known: migrate::LATEST,
                })
            }
            Some(v) if v == migrate::LATEST => return Ok(conn),
            Some(v) => {
                conn.batch(&format!(
                    "BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK})"
                ))
                .map_err(fail)?;
                let step = || -> super::SqlResult<()> {
                    if schema_version(&db)? == Some(v) {
                        let sql = STEPS
                            .get((v - BASELINE) as usize)
                            .expect("a PostgreSQL twin for every migration after the baseline");
                        conn.batch(sql)?;
                        set_version(&db, v + 1)?;
                    }
                    conn.batch("COMMIT")
                };
                if let Err(e) = step() {
                    let _ = conn.batch("ROLLBACK");
                    return Err(OpenError::Migration(e.message));
                }
            }
            None => {
                let tables: i64 = db
                    .query_row(
                        "SELECT count(*) FROM information_schema.tables
                         WHERE table_schema = current_schema()",
                        params![],
                        |r| r.get(0),
                    )
                    .map_err(fail)?;
                if tables > 0 {
                    return Err(OpenError::NotOurs(place(url)));
                }
                conn.batch(&format!(
                    "BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK})"
                ))
                .map_err(fail)?;
                let create = || -> super::SqlResult<()> {
                    // Another workstation may have created it while this one waited.
                    if schema_version(&db)?.is_none() {
                        conn.batch(SCHEMA)?;
                        reference::load(&db)?;
                        set_version(&db, BASELINE)?;
                    }
                    conn.batch("COMMIT")
                };
                if let Err(e) = create() {
                    let _ = conn.batch("ROLLBACK");
                    return Err(OpenError::Migration(e.message));
                }
            }
        }
    }
}

/// The schema version of a merchant-desk database; `None` when it has no `md_meta` (an empty
/// database, or one that is not ours); a foreign `md_meta` is not ours either.
fn schema_version(db: &Db) -> super::SqlResult<Option<i32>> {
    let has_meta: bool = db.query_row(
        "SELECT to_regclass('md_meta') IS NOT NULL",
        params![],
        |r| r.get(0),
    )?;
    if !has_meta {
        return Ok(None);
    }
    let app: Option<String> = super::OptionalExtension::optional(db.query_row(
        "SELECT value FROM md_meta WHERE key = 'application'",
        params![],
        |r| r.get(0),
    ))?;
    if app.as_deref() != Some("merchant-desk") {
        return Ok(Some(-1));
    }
    let v: String = db.query_row(
        "SELECT value FROM md_meta WHERE key = 'schema_version'",
        params![],
        |r| r.get(0),
    )?;
    Ok(Some(v.parse().unwrap_or(i32::MAX)))
}

fn set_version(db: &Db, v: i32) -> super::SqlResult<()> {
    db.execute(
        "INSERT INTO md_meta (key, value) VALUES ('schema_version', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![v.to_string()],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_never_show_the_password() {
        assert_eq!(
            without_password("postgres://clerk:s3cret@db.example/md"),
            "postgres://clerk:***@db.example/md"
        );
        assert_eq!(
            without_password("host=/tmp/pg user=x password=s3cret dbname=md"),
            "host=/tmp/pg user=x password=*** dbname=md"
        );
        assert_eq!(
            without_password("postgresql://postgres@%2Ftmp%2Fpg/md"),
            "postgresql://postgres@%2Ftmp%2Fpg/md"
        );
    }
}
