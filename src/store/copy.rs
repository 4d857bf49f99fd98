//! Moving house: a whole database copied into an empty one on another backend (`migrate-to`,
//! SQLite → PostgreSQL), in one transaction on the target, so it is all there or none of it.

use super::sql::{params, Param, Value};
use super::{Db, SqlResult, Store, StoreError, StoreErrorKind};

/// Rows copied, per table, in the order they were copied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CopyReport {
    pub tables: Vec<(String, u64)>,
}

impl CopyReport {
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|(_, n)| n).sum()
    }
}

/// Rows per INSERT: one round trip for many rows, within the server's 65,535 parameters.
const BATCH: usize = 500;

/// Copies every table of `from` (a SQLite file) into `to` (a new database of the same schema
/// version, holding only the reference data it was created with), keeping every id, so the
/// audit chain and the signatures verify on the target. The daily rollups are not copied: the
/// target's triggers sum them as the transactions arrive. Refused when the versions differ or
/// the target already holds a merchant group.
pub fn copy_all(from: &Store, to: &Store) -> Result<CopyReport, StoreError> {
    let refuse = |message: String| StoreError {
        kind: StoreErrorKind::Other,
        message,
    };
    let source = from.read();
    let tables = creation_order(&source)?;
    let held: i64 = to
        .read()
        .query_row("SELECT count(*) FROM merchants", params![], |r| r.get(0))?;
    if held > 0 {
        return Err(refuse(format!(
            "{} already holds a merchant group; migrate-to copies into an empty database",
            to.location
        )));
    }
    let tx = to.begin()?;
    let target = tx.db();
    // What the target was created with (reference data, counters) gives way to the source's.
    for table in tables.iter().rev() {
        if table != "md_meta" {
            target.execute_batch(&format!("DELETE FROM {table}"))?;
        }
    }
    let mut report = CopyReport::default();
    let on_pg = target.is_postgres();
    if on_pg {
        // The rollups are summed once after the copy, not row by row by the triggers (ten
        // million trigger calls would take most of the copy's time). The DDL is part of the
        // transaction: a failed copy leaves the triggers as they were.
        target.execute_batch("ALTER TABLE transactions DISABLE TRIGGER USER")?;
    }
    for table in &tables {
        if table == "txn_daily" {
            continue;
        }
        let n = match target.conn {
            super::Conn::Pg(conn) => copy_table_by_copy(&source, conn, table)?,
            super::Conn::Lite(_) => copy_table(&source, &target, table)?,
        };
        report.tables.push((table.clone(), n));
    }
    if on_pg {
        target.execute_batch(
            "INSERT INTO txn_daily (trade_date, settle_date, merchant_id, terminal_id, txn_type,
                 status, card_org, card_type, txn_count, amount_fen, fee_fen)
             SELECT trade_date, coalesce(settle_date, 0), merchant_id, terminal_id, txn_type,
                 status, card_org, card_type, count(*), sum(amount_fen), sum(fee_fen)
             FROM transactions
             GROUP BY trade_date, coalesce(settle_date, 0), merchant_id, terminal_id, txn_type,
                 status, card_org, card_type;
             ALTER TABLE transactions ENABLE TRIGGER USER",
        )?;
    }
    if target.is_postgres() {
        for table in &tables {
            // An identity column continues after the highest id copied.
            let has_identity: bool = target.query_row(
                "SELECT count(*) > 0 FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name = ?1
                   AND column_name = 'id' AND is_identity = 'YES'",
                params![table.as_str()],
                |r| r.get(0),
            )?;
            if has_identity {
                target.execute_batch(&format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'),
                        (SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
                ))?;
            }
        }
    }
    tx.commit()?;
    if on_pg {
        // Fresh statistics, so the planner knows the tables are no longer empty.
        to.read().execute_batch("ANALYZE")?;
    }
    Ok(report)
}

fn columns_of(source: &Db, table: &str) -> SqlResult<Vec<String>> {
    source
        .prepare(&format!(
            "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
        ))?
        .query_map(params![], |r| r.get(0))?
        .collect()
}

/// One table streamed with COPY (PostgreSQL targets).
fn copy_table_by_copy(source: &Db, target: &super::PgConn, table: &str) -> SqlResult<u64> {
    let columns = columns_of(source, table)?;
    let list = columns.join(", ");
    let mut select = source.prepare(&format!("SELECT {list} FROM {table}"))?;
    let mut rows = select.query(params![])?;
    let width = columns.len();
    target.copy_in(table, &columns, &mut || match rows.next()? {
        Some(r) => (0..width)
            .map(|i| r.get::<Value>(i))
            .collect::<SqlResult<Vec<_>>>()
            .map(Some),
        None => Ok(None),
    })
}

/// The source's tables in the order they were created, which is an order their foreign keys
/// allow (a table is made after the tables it references).
fn creation_order(db: &Db) -> SqlResult<Vec<String>> {
    if db.is_postgres() {
        return Err(StoreError {
            kind: StoreErrorKind::Other,
            message: "migrate-to copies from a SQLite file".into(),
        });
    }
    db.prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
         ORDER BY rowid",
    )?
    .query_map(params![], |r| r.get(0))?
    .collect()
}

fn copy_table(source: &Db, target: &Db, table: &str) -> SqlResult<u64> {
    let columns = columns_of(source, table)?;
    let list = columns.join(", ");
    let mut select = source.prepare(&format!("SELECT {list} FROM {table}"))?;
    let mut rows = select.query(params![])?;
    let mut pending: Vec<Value> = Vec::with_capacity(BATCH * columns.len());
    let mut copied = 0u64;
    let flush = |pending: &mut Vec<Value>| -> SqlResult<()> {
        if pending.is_empty() {
            return Ok(());
        }
        let n = pending.len() / columns.len();
        let mut sql = format!("INSERT INTO {table} ({list}) VALUES ");
        for row in 0..n {
            if row > 0 {
                sql.push(',');
            }
            sql.push('(');
            for c in 0..columns.len() {
                if c > 0 {
                    sql.push(',');
                }
                sql.push_str(&format!("?{}", row * columns.len() + c + 1));
            }
            sql.push(')');
        }
        let ps: Vec<&dyn Param> = pending.iter().map(|v| v as &dyn Param).collect();
        target.prepare_cached(&sql)?.execute(ps.as_slice())?;
        pending.clear();
        Ok(())
    };
    while let Some(r) = rows.next()? {
        for i in 0..columns.len() {
            pending.push(r.get::<Value>(i)?);
        }
        copied += 1;
        if copied.is_multiple_of(BATCH as u64) {
            flush(&mut pending)?;
        }
    }
    flush(&mut pending)?;
    Ok(copied)
}
