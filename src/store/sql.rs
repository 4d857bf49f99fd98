//! The store's one door to a database, embedded SQLite or a PostgreSQL server: parameters, rows,
//! statements and errors that read the same on both, so every query of the store is written once.
//!
//! The SQL is written in SQLite's spelling (`?1` placeholders) and kept portable; on PostgreSQL
//! a statement is translated once (placeholders to `$n`, `group_concat` to `string_agg`, `LIKE`
//! to `ILIKE`, as SQLite's LIKE ignores ASCII case) and prepared once per connection. Values are
//! bound by the type the server infers for each placeholder, so a Rust `i64` fills an `int4` or a
//! `bigint` alike, and a column is read by what it holds (a `numeric` sum as an integer), the way
//! SQLite's dynamic typing does.

use std::cell::RefCell;
use std::collections::HashMap;

use super::{StoreError, StoreErrorKind};

/// The store's own result.
pub type SqlResult<T> = Result<T, StoreError>;

/// One value, as bound to a placeholder or read from a column. (No floating point: money is
/// integer fen.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Null,
    Integer(i64),
    Text(String),
    Blob(Vec<u8>),
}

/// A value that can be bound to a placeholder on either backend.
pub trait Param: rusqlite::ToSql {
    fn value(&self) -> Value;
}

macro_rules! int_param {
    ($($t:ty),*) => {$(
        impl Param for $t {
            fn value(&self) -> Value {
                Value::Integer(*self as i64)
            }
        }
    )*};
}
int_param!(i64, i32, i16, i8, u32, u16, u8);

impl Param for bool {
    fn value(&self) -> Value {
        Value::Integer(*self as i64)
    }
}
impl Param for str {
    fn value(&self) -> Value {
        Value::Text(self.to_owned())
    }
}
impl Param for String {
    fn value(&self) -> Value {
        Value::Text(self.clone())
    }
}
impl Param for [u8] {
    fn value(&self) -> Value {
        Value::Blob(self.to_vec())
    }
}
impl Param for Vec<u8> {
    fn value(&self) -> Value {
        Value::Blob(self.clone())
    }
}
impl<const N: usize> Param for [u8; N] {
    fn value(&self) -> Value {
        Value::Blob(self.to_vec())
    }
}
impl<T: Param> Param for Option<T> {
    fn value(&self) -> Value {
        match self {
            Some(v) => v.value(),
            None => Value::Null,
        }
    }
}
impl<T: Param + ?Sized> Param for &T {
    fn value(&self) -> Value {
        (**self).value()
    }
}
impl<T: Param + ?Sized> Param for Box<T> {
    fn value(&self) -> Value {
        (**self).value()
    }
}
impl Param for Value {
    fn value(&self) -> Value {
        self.clone()
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Integer(n)
    }
}
impl From<i32> for Value {
    fn from(n: i32) -> Self {
        Value::Integer(n as i64)
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Text(s)
    }
}
impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Text(s.to_owned())
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Integer(b as i64)
    }
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null => ValueRef::Null,
            Value::Integer(i) => ValueRef::Integer(*i),
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
            Value::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

/// The parameters of one statement: `params![a, b]`, an array of one type, or a slice.
pub trait Params {
    fn list(&self) -> Vec<&dyn Param>;
}
impl<const N: usize> Params for &[&dyn Param; N] {
    fn list(&self) -> Vec<&dyn Param> {
        self.to_vec()
    }
}
impl<T: Param, const N: usize> Params for [T; N] {
    fn list(&self) -> Vec<&dyn Param> {
        self.iter().map(|p| p as &dyn Param).collect()
    }
}
impl<T: Param> Params for &[T] {
    fn list(&self) -> Vec<&dyn Param> {
        self.iter().map(|p| p as &dyn Param).collect()
    }
}
impl<T: Param> Params for &Vec<T> {
    fn list(&self) -> Vec<&dyn Param> {
        self.iter().map(|p| p as &dyn Param).collect()
    }
}
impl<T: Param> Params for Vec<T> {
    fn list(&self) -> Vec<&dyn Param> {
        self.iter().map(|p| p as &dyn Param).collect()
    }
}

/// `params![a, b, c]`: the parameters of one statement, of any bindable types.
#[macro_export]
#[doc(hidden)]
macro_rules! store_params {
    () => {
        &[] as &[&dyn $crate::store::sql::Param]
    };
    ($($p:expr),+ $(,)?) => {
        &[$(&$p as &dyn $crate::store::sql::Param),+] as &[&dyn $crate::store::sql::Param]
    };
}
pub use crate::store_params as params;

/// The values of an iterator as the parameters of one statement.
pub fn params_from_iter<I>(it: I) -> Vec<Value>
where
    I: IntoIterator,
    I::Item: Param,
{
    it.into_iter().map(|p| p.value()).collect()
}

fn lite_params<'p>(ps: &'p [&'p dyn Param]) -> impl rusqlite::Params + 'p {
    rusqlite::params_from_iter(ps.iter().map(|p| *p as &dyn rusqlite::ToSql))
}

/// One row of a result, from either backend.
pub enum Row<'r, 's> {
    Lite(&'r rusqlite::Row<'s>),
    Pg(&'r postgres::Row),
}

impl Row<'_, '_> {
    /// The number of columns.
    pub fn column_count(&self) -> usize {
        match self {
            Row::Lite(r) => r.as_ref().column_count(),
            Row::Pg(r) => r.len(),
        }
    }

    /// Column `i` (from 0) as `T`; a NULL, a wrong type or an out-of-range integer is an error.
    pub fn get<T: FromCell>(&self, i: usize) -> SqlResult<T> {
        match self {
            Row::Lite(r) => T::from_lite(r, i),
            Row::Pg(r) => {
                let cell: Cell = r.try_get(i).map_err(StoreError::from)?;
                T::from_value(cell.0).map_err(|why| StoreError {
                    kind: StoreErrorKind::Other,
                    message: format!("column {i} ({}): {why}", r.columns()[i].name()),
                })
            }
        }
    }
}

/// A type a column can be read as.
pub trait FromCell: Sized {
    fn from_lite(r: &rusqlite::Row, i: usize) -> SqlResult<Self>;
    fn from_value(v: Value) -> Result<Self, String>;
}

macro_rules! int_cell {
    ($($t:ty),*) => {$(
        impl FromCell for $t {
            fn from_lite(r: &rusqlite::Row, i: usize) -> SqlResult<Self> {
                Ok(r.get(i)?)
            }
            fn from_value(v: Value) -> Result<Self, String> {
                match v {
                    Value::Integer(n) => <$t>::try_from(n).map_err(|_| format!("{n} out of range")),
                    other => Err(format!("expected an integer, found {other:?}")),
                }
            }
        }
    )*};
}
int_cell!(i64, i32, i16, u32, u16, u8);

impl FromCell for bool {
    fn from_lite(r: &rusqlite::Row, i: usize) -> SqlResult<Self> {
        Ok(r.get(i)?)
    }
    fn from_value(v: Value) -> Result<Self, String> {
        match v {
            Value::Integer(n) => Ok(n != 0),
            other => Err(format!("expected a truth value, found {other:?}")),
        }
    }
}
impl FromCell for String {
    fn from_lite(r: &rusqlite::Row, i: usize) -> SqlResult<Self> {
        Ok(r.get(i)?)
    }
    fn from_value(v: Value) -> Result<Self, String> {
        match v {
            Value::Text(s) => Ok(s),
            other => Err(format!("expected text, found {other:?}")),
        }
    }
}
impl FromCell for Vec<u8> {
    fn from_lite(r: &rusqlite::Row, i: usize) -> SqlResult<Self> {
        Ok(r.get(i)?)
    }
    fn from_value(v: Value) -> Result<Self, String> {
        match v {
            Value::Blob(b) => Ok(b),
            other => Err(format!("expected bytes, found {other:?}")),
        }
    }
}
impl FromCell for Value {
    fn from_lite(r: &rusqlite::Row, i: usize) -> SqlResult<Self> {
        use rusqlite::types::ValueRef;
        Ok(match r.get_ref(i)? {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(n) => Value::Integer(n),
            ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
            ValueRef::Blob(b) => Value::Blob(b.to_vec()),
            ValueRef::Real(x) => {
                return Err(StoreError {
                    kind: StoreErrorKind::Other,
                    message: format!("column {i}: a floating-point value ({x}) where none belongs"),
                })
            }
        })
    }
    fn from_value(v: Value) -> Result<Self, String> {
        Ok(v)
    }
}
impl<T: FromCell> FromCell for Option<T> {
    fn from_lite(r: &rusqlite::Row, i: usize) -> SqlResult<Self> {
        use rusqlite::types::ValueRef;
        match r.get_ref(i)? {
            ValueRef::Null => Ok(None),
            _ => T::from_lite(r, i).map(Some),
        }
    }
    fn from_value(v: Value) -> Result<Self, String> {
        match v {
            Value::Null => Ok(None),
            v => T::from_value(v).map(Some),
        }
    }
}

/// `.optional()` on a one-row result: no row is `None`, not an error.
pub trait OptionalExtension<T> {
    fn optional(self) -> SqlResult<Option<T>>;
}
impl<T> OptionalExtension<T> for SqlResult<T> {
    fn optional(self) -> SqlResult<Option<T>> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.kind == StoreErrorKind::NoRows => Ok(None),
            Err(e) => Err(e),
        }
    }
}

pub(crate) fn no_rows() -> StoreError {
    StoreError {
        kind: StoreErrorKind::NoRows,
        message: "the query returned no rows".into(),
    }
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL: one connection with its prepared statements.

/// A connection to a PostgreSQL server, with the statements prepared on it.
pub struct PgConn {
    pub(crate) client: RefCell<postgres::Client>,
    statements: RefCell<HashMap<String, postgres::Statement>>,
    pub(crate) url: String,
    /// Notifications of other connections' commits seen so far (the monitor's change counter).
    pub(crate) changes: std::cell::Cell<i64>,
    /// Whether a transaction is open: a connection lost inside one is reported (the change is
    /// gone with it), one lost between transactions is opened again.
    pub(crate) in_transaction: std::cell::Cell<bool>,
}

/// The channel every write transaction notifies on commit.
pub(crate) const CHANGES_CHANNEL: &str = "merchant_desk_changes";

impl PgConn {
    pub fn connect(url: &str) -> Result<PgConn, postgres::Error> {
        let mut client = postgres::Client::connect(url, postgres::NoTls)?;
        client.batch_execute(&format!(
            "SET client_min_messages = warning; SET TIME ZONE 'UTC'; LISTEN {CHANGES_CHANNEL}"
        ))?;
        Ok(PgConn {
            client: RefCell::new(client),
            statements: RefCell::new(HashMap::new()),
            url: url.to_string(),
            changes: std::cell::Cell::new(0),
            in_transaction: std::cell::Cell::new(false),
        })
    }

    /// A lost connection is opened again (the prepared statements with it); a transaction that
    /// was open is gone with the old connection, so only a caller about to begin one calls this.
    pub(crate) fn reconnect_if_closed(&self) -> Result<(), postgres::Error> {
        if self.client.borrow().is_closed() {
            self.reconnect()?;
        }
        Ok(())
    }

    fn reconnect(&self) -> Result<(), postgres::Error> {
        let fresh = PgConn::connect(&self.url)?;
        *self.client.borrow_mut() = fresh.client.into_inner();
        self.statements.borrow_mut().clear();
        Ok(())
    }

    fn statement(&self, sql: &str) -> SqlResult<postgres::Statement> {
        if let Some(s) = self.statements.borrow().get(sql) {
            return Ok(s.clone());
        }
        let translated = translate(sql);
        // A statement the server cannot prepare is the program's mistake: name it.
        let st = self.prepare_inferring(&translated).map_err(|e| {
            let mut err = StoreError::from(e);
            let head: String = translated.split_whitespace().collect::<Vec<_>>().join(" ");
            err.message = format!(
                "{} (in: {})",
                err.message,
                head.chars().take(160).collect::<String>()
            );
            err
        })?;
        self.statements
            .borrow_mut()
            .insert(sql.to_string(), st.clone());
        Ok(st)
    }

    /// Prepares a statement, the parameters typed by the server. `(?1 IS NULL OR col < ?1)`,
    /// the store's way to say "no condition", leaves PostgreSQL unable to type `$1` where it
    /// first meets it (and a failed prepare would abort the transaction it is in); so the types
    /// of such a statement are learnt first from the same statement with each `$n IS NULL` read
    /// as false, and the statement prepared with them.
    fn prepare_inferring(&self, sql: &str) -> Result<postgres::Statement, postgres::Error> {
        static NULL_TEST: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
        let re = NULL_TEST.get_or_init(|| {
            regex::Regex::new(r"(?i)\$[0-9]+\s+IS\s+(NOT\s+)?NULL").expect("a regex")
        });
        let mut client = self.client.borrow_mut();
        if !re.is_match(sql) {
            return client.prepare(sql);
        }
        let probe = re.replace_all(sql, |c: &regex::Captures| {
            if c.get(1).is_some() { "TRUE" } else { "FALSE" }.to_string()
        });
        let types = client.prepare(&probe)?.params().to_vec();
        client.prepare_typed(sql, &types)
    }

    fn values(ps: &[&dyn Param]) -> Vec<Value> {
        ps.iter().map(|p| p.value()).collect()
    }

    /// Runs `f`; outside a transaction a connection found lost is opened again and `f` run
    /// once more (nothing was half done: the statement never reached a live server). Inside a
    /// transaction the loss is reported, and the transaction is gone with the connection.
    fn retrying<T>(&self, f: impl Fn() -> SqlResult<T>) -> SqlResult<T> {
        match f() {
            Err(e) if e.kind == StoreErrorKind::Lost && !self.in_transaction.get() => {
                self.reconnect()?;
                f()
            }
            other => other,
        }
    }

    pub(crate) fn query(&self, sql: &str, ps: &[&dyn Param]) -> SqlResult<Vec<postgres::Row>> {
        let vals = Self::values(ps);
        let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = vals
            .iter()
            .map(|v| v as &(dyn postgres::types::ToSql + Sync))
            .collect();
        self.retrying(|| {
            let st = self.statement(sql)?;
            Ok(self.client.borrow_mut().query(&st, &refs)?)
        })
    }

    pub(crate) fn execute(&self, sql: &str, ps: &[&dyn Param]) -> SqlResult<usize> {
        let vals = Self::values(ps);
        let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = vals
            .iter()
            .map(|v| v as &(dyn postgres::types::ToSql + Sync))
            .collect();
        self.retrying(|| {
            let st = self.statement(sql)?;
            Ok(self.client.borrow_mut().execute(&st, &refs)? as usize)
        })
    }

    /// Several statements without parameters (a schema, a transaction's bracket).
    pub(crate) fn batch(&self, sql: &str) -> SqlResult<()> {
        self.retrying(|| Ok(self.client.borrow_mut().batch_execute(sql)?))
    }

    /// Streams rows into `table` with `COPY … FROM STDIN` (text format): one round trip for a
    /// whole table, many times faster than INSERTs for the big copies of `migrate-to` and the
    /// demo. Inside the caller's transaction, so a failed copy leaves nothing.
    pub(crate) fn copy_in(
        &self,
        table: &str,
        columns: &[String],
        rows: &mut dyn FnMut() -> SqlResult<Option<Vec<Value>>>,
    ) -> SqlResult<u64> {
        use std::io::Write;
        let mut client = self.client.borrow_mut();
        let mut writer =
            client.copy_in(&format!("COPY {table} ({}) FROM STDIN", columns.join(", ")))?;
        let io = |e: std::io::Error| StoreError {
            kind: StoreErrorKind::Other,
            message: format!("copying into {table}: {e}"),
        };
        let mut line = String::new();
        let mut n = 0u64;
        while let Some(row) = rows()? {
            line.clear();
            for (i, v) in row.iter().enumerate() {
                if i > 0 {
                    line.push('\t');
                }
                copy_text(&mut line, v);
            }
            line.push('\n');
            writer.write_all(line.as_bytes()).map_err(io)?;
            n += 1;
        }
        writer.finish()?;
        Ok(n)
    }

    /// Counts the change notifications that arrived since the last call (never blocks).
    pub(crate) fn poll_changes(&self) -> SqlResult<i64> {
        let mut client = self.client.borrow_mut();
        // One round trip: the server sends the notifications of commits made before it ahead
        // of its answer, so none still in flight is missed.
        client.batch_execute("")?;
        let mut n = self.changes.get();
        let mut notes = client.notifications();
        let mut it = notes.iter();
        while let Some(_note) = postgres::fallible_iterator::FallibleIterator::next(&mut it)? {
            n += 1;
        }
        self.changes.set(n);
        Ok(n)
    }
}

/// SQLite's spelling to PostgreSQL's: `?N` and `?` placeholders to `$N`, and the few functions
/// and operators that differ. String literals and quoted names are left alone.
/// One value in COPY's text format: `\N` for NULL, backslash escapes for the characters that
/// separate fields and rows, `bytea` as `\\x` and hex.
fn copy_text(out: &mut String, v: &Value) {
    use std::fmt::Write;
    match v {
        Value::Null => out.push_str("\\N"),
        Value::Integer(n) => {
            let _ = write!(out, "{n}");
        }
        Value::Text(t) => {
            for c in t.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\t' => out.push_str("\\t"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    c => out.push(c),
                }
            }
        }
        Value::Blob(b) => {
            out.push_str("\\\\x");
            for byte in b {
                let _ = write!(out, "{byte:02x}");
            }
        }
    }
}

pub(crate) fn translate(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let b = sql.as_bytes();
    let mut i = 0;
    let mut highest = 0usize;
    while i < b.len() {
        let c = b[i];
        match c {
            b'\'' | b'"' => {
                let q = c;
                let start = i;
                i += 1;
                while i < b.len() {
                    if b[i] == q {
                        if i + 1 < b.len() && b[i + 1] == q {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                i = (i + 1).min(b.len());
                out.push_str(&sql[start..i]);
            }
            b'?' => {
                i += 1;
                let start = i;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                let n = if start == i {
                    highest + 1
                } else {
                    sql[start..i].parse().unwrap_or(highest + 1)
                };
                highest = highest.max(n);
                out.push('$');
                out.push_str(&n.to_string());
            }
            _ if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                let word = &sql[start..i];
                if word.eq_ignore_ascii_case("indexed") {
                    // SQLite's `INDEXED BY name` planner hint: PostgreSQL plans alone.
                    let rest = &sql[i..];
                    let trimmed = rest.trim_start();
                    if trimmed.len() >= 2 && trimmed[..2].eq_ignore_ascii_case("by") {
                        let after_by = trimmed[2..].trim_start();
                        let name_len = after_by
                            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                            .unwrap_or(after_by.len());
                        i = sql.len() - after_by.len() + name_len;
                        continue;
                    }
                }
                if word.eq_ignore_ascii_case("group_concat") {
                    out.push_str("string_agg");
                } else if word.eq_ignore_ascii_case("like") {
                    out.push_str("ILIKE");
                } else {
                    out.push_str(word);
                }
            }
            _ => {
                let ch = sql[i..].chars().next().unwrap_or(' ');
                out.push(ch);
                i += ch.len_utf8();
            }
        }
    }
    out
}

impl postgres::types::ToSql for Value {
    fn to_sql(
        &self,
        ty: &postgres::types::Type,
        out: &mut bytes::BytesMut,
    ) -> Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
        use postgres::types::{IsNull, Type};
        let wrong = || -> Box<dyn std::error::Error + Sync + Send> {
            format!("cannot bind {self:?} to a {ty} placeholder").into()
        };
        match self {
            Value::Null => return Ok(IsNull::Yes),
            Value::Integer(n) => match *ty {
                Type::INT8 => n.to_sql(ty, out)?,
                Type::INT4 => i32::try_from(*n).map_err(|_| wrong())?.to_sql(ty, out)?,
                Type::INT2 => i16::try_from(*n).map_err(|_| wrong())?.to_sql(ty, out)?,
                Type::BOOL => (*n != 0).to_sql(ty, out)?,
                Type::NUMERIC => rust_decimal::Decimal::from(*n).to_sql(ty, out)?,
                Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
                    n.to_string().as_str().to_sql(&Type::TEXT, out)?
                }
                _ => return Err(wrong()),
            },
            Value::Text(s) => match *ty {
                Type::INT8 => s.parse::<i64>().map_err(|_| wrong())?.to_sql(ty, out)?,
                Type::INT4 => s.parse::<i32>().map_err(|_| wrong())?.to_sql(ty, out)?,
                Type::BYTEA => s.as_bytes().to_sql(ty, out)?,
                _ => {
                    out.extend_from_slice(s.as_bytes());
                    IsNull::No
                }
            },
            Value::Blob(v) => match *ty {
                Type::BYTEA => v.as_slice().to_sql(ty, out)?,
                _ => return Err(wrong()),
            },
        };
        Ok(IsNull::No)
    }

    fn accepts(_: &postgres::types::Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

/// A column of any type, read into a `Value` (the server's typing to SQLite's).
struct Cell(Value);

impl<'a> postgres::types::FromSql<'a> for Cell {
    fn from_sql(
        ty: &postgres::types::Type,
        raw: &'a [u8],
    ) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        use postgres::types::Type;
        Ok(Cell(match *ty {
            Type::INT8 => Value::Integer(i64::from_sql(ty, raw)?),
            Type::INT4 => Value::Integer(i32::from_sql(ty, raw)? as i64),
            Type::INT2 => Value::Integer(i16::from_sql(ty, raw)? as i64),
            Type::OID => Value::Integer(u32::from_sql(ty, raw)? as i64),
            Type::BOOL => Value::Integer(bool::from_sql(ty, raw)? as i64),
            Type::NUMERIC => {
                let d = rust_decimal::Decimal::from_sql(ty, raw)?;
                if !d.fract().is_zero() {
                    return Err(format!("a fraction ({d}) where an integer belongs").into());
                }
                Value::Integer(i64::try_from(d).map_err(|_| format!("{d} out of range"))?)
            }
            Type::BYTEA => Value::Blob(raw.to_vec()),
            _ => Value::Text(String::from_utf8(raw.to_vec())?),
        }))
    }

    fn from_sql_null(
        _: &postgres::types::Type,
    ) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Cell(Value::Null))
    }

    fn accepts(_: &postgres::types::Type) -> bool {
        true
    }
}

// ---------------------------------------------------------------------------------------------
// Statements and result rows over either backend.

/// A prepared statement on either backend.
pub struct Stmt<'a> {
    inner: StmtInner<'a>,
}

enum StmtInner<'a> {
    LiteCached(rusqlite::CachedStatement<'a>),
    Lite(rusqlite::Statement<'a>),
    Pg { conn: &'a PgConn, sql: String },
}

impl<'a> Stmt<'a> {
    pub(crate) fn lite_cached(s: rusqlite::CachedStatement<'a>) -> Self {
        Stmt {
            inner: StmtInner::LiteCached(s),
        }
    }
    pub(crate) fn lite(s: rusqlite::Statement<'a>) -> Self {
        Stmt {
            inner: StmtInner::Lite(s),
        }
    }
    pub(crate) fn pg(conn: &'a PgConn, sql: &str) -> SqlResult<Self> {
        conn.statement(sql)?;
        Ok(Stmt {
            inner: StmtInner::Pg {
                conn,
                sql: sql.to_string(),
            },
        })
    }

    fn lite_mut(&mut self) -> Option<&mut rusqlite::Statement<'a>> {
        match &mut self.inner {
            StmtInner::LiteCached(s) => Some(s),
            StmtInner::Lite(s) => Some(s),
            StmtInner::Pg { .. } => None,
        }
    }

    pub fn execute<P: Params>(&mut self, ps: P) -> SqlResult<usize> {
        let list = ps.list();
        if let Some(s) = self.lite_mut() {
            return Ok(s.execute(lite_params(&list))?);
        }
        let StmtInner::Pg { conn, sql } = &self.inner else {
            unreachable!()
        };
        conn.execute(sql, &list)
    }

    /// Runs an INSERT and returns the id it gave its row.
    pub fn insert<P: Params>(&mut self, ps: P) -> SqlResult<i64> {
        let list = ps.list();
        if let Some(s) = self.lite_mut() {
            return Ok(s.insert(lite_params(&list))?);
        }
        let StmtInner::Pg { conn, sql } = &self.inner else {
            unreachable!()
        };
        conn.execute(sql, &list)?;
        let rows = conn.query("SELECT lastval()", &[])?;
        let cell: Cell = rows[0].try_get(0)?;
        i64::from_value(cell.0).map_err(|m| StoreError {
            kind: StoreErrorKind::Other,
            message: m,
        })
    }

    /// Every row, each mapped by `f` (lazily on SQLite, which may stream millions).
    pub fn query_map<T, P, F>(&mut self, ps: P, f: F) -> SqlResult<MappedRows<'_, F>>
    where
        P: Params,
        F: FnMut(&Row<'_, '_>) -> SqlResult<T>,
    {
        let rows = self.query(ps)?;
        Ok(MappedRows { rows, f })
    }

    pub fn query_row<T, P, F>(&mut self, ps: P, f: F) -> SqlResult<T>
    where
        P: Params,
        F: FnOnce(&Row<'_, '_>) -> SqlResult<T>,
    {
        let mut rows = self.query(ps)?;
        match rows.next()? {
            Some(r) => f(&r),
            None => Err(no_rows()),
        }
    }

    pub fn exists<P: Params>(&mut self, ps: P) -> SqlResult<bool> {
        let mut rows = self.query(ps)?;
        Ok(rows.next()?.is_some())
    }

    pub fn query<P: Params>(&mut self, ps: P) -> SqlResult<Rows<'_>> {
        let list = ps.list();
        match &mut self.inner {
            StmtInner::LiteCached(s) => Ok(Rows::Lite(s.query(lite_params(&list))?)),
            StmtInner::Lite(s) => Ok(Rows::Lite(s.query(lite_params(&list))?)),
            StmtInner::Pg { conn, sql } => {
                let rows = conn.query(sql, &list)?;
                Ok(Rows::pg(rows))
            }
        }
    }
}

/// The rows of a query, one at a time.
pub enum Rows<'s> {
    Lite(rusqlite::Rows<'s>),
    Pg {
        rows: std::vec::IntoIter<postgres::Row>,
        current: Option<postgres::Row>,
    },
}

impl<'s> Rows<'s> {
    fn pg(rows: Vec<postgres::Row>) -> Self {
        Rows::Pg {
            rows: rows.into_iter(),
            current: None,
        }
    }

    /// The next row, borrowed until the one after is asked for (a lending iterator, which
    /// `Iterator` cannot express).
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> SqlResult<Option<Row<'_, 's>>> {
        match self {
            Rows::Lite(r) => Ok(r.next()?.map(Row::Lite)),
            Rows::Pg { rows, current } => {
                *current = rows.next();
                Ok(current.as_ref().map(Row::Pg))
            }
        }
    }
}

/// The rows of a query, each mapped by the caller's function.
pub struct MappedRows<'s, F> {
    rows: Rows<'s>,
    f: F,
}

impl<T, F> Iterator for MappedRows<'_, F>
where
    F: FnMut(&Row<'_, '_>) -> SqlResult<T>,
{
    type Item = SqlResult<T>;

    fn next(&mut self) -> Option<SqlResult<T>> {
        match self.rows.next() {
            Ok(Some(r)) => Some((self.f)(&r)),
            Ok(None) => None,
            Err(e) => Some(Err(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::translate;

    #[test]
    fn sqlite_spelling_becomes_postgresql_spelling() {
        assert_eq!(
            translate("SELECT a FROM t WHERE x = ?1 AND y IN (?, ?) AND s = '?'"),
            "SELECT a FROM t WHERE x = $1 AND y IN ($2, $3) AND s = '?'"
        );
        assert_eq!(
            translate("SELECT group_concat(f, ',') FROM r INDEXED BY r_idx WHERE n LIKE ?2"),
            "SELECT string_agg(f, ',') FROM r  WHERE n ILIKE $2"
        );
        assert_eq!(translate("SELECT \"?\" FROM t"), "SELECT \"?\" FROM t");
    }
}
