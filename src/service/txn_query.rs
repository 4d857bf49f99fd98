//! Transaction query (T1, T3, T8): turning what the operator typed into a filter, and reading
//! pages, totals and details within the operator's terminal-group scope.

use crate::clock::{day_start_ms, parse_date};
use crate::domain::function::Function;
use crate::domain::ids;
use crate::domain::txn::{TxnStatus, TxnType};
use crate::store::transactions::{self, PageAt, Totals, TxnFilter, TxnKey, TxnRow};

use super::error::{invalid, Problem};
use super::session::{require, scope};
use super::{Env, ServiceError, ServiceResult, Session};

pub const PAGE_SIZE: usize = 20;

/// The basic query form as typed; empty fields do not narrow the result.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TxnQueryInput {
    pub from_date: String,
    pub to_date: String,
    pub terminal_no: String,
    pub txn_type: Option<TxnType>,
    pub status: Option<TxnStatus>,
    pub rrn: String,
}

/// Checks the form and builds the filter; a bad field is named and nothing runs.
pub fn build_filter(input: &TxnQueryInput) -> ServiceResult<TxnFilter> {
    let mut f = TxnFilter::default();
    let from = match input.from_date.trim() {
        "" => None,
        s => Some(parse_date(s).or_else(|_| invalid("from_date", Problem::BadDate))?),
    };
    let to = match input.to_date.trim() {
        "" => None,
        s => Some(parse_date(s).or_else(|_| invalid("to_date", Problem::BadDate))?),
    };
    if let (Some(a), Some(b)) = (from, to) {
        if b < a {
            return invalid("to_date", Problem::DateOrder);
        }
    }
    f.from_ms = from.map(day_start_ms);
    f.to_ms = to.map(|d| day_start_ms(d.tomorrow().unwrap_or(d)));
    let term = input.terminal_no.trim();
    if !term.is_empty() {
        if !ids::is_terminal_no(term) {
            return invalid("terminal_no", Problem::BadTerminalNo);
        }
        f.terminal_no = Some(term.to_string());
    }
    let rrn = input.rrn.trim();
    if !rrn.is_empty() {
        if !ids::is_rrn(rrn) {
            return invalid("rrn", Problem::BadRrn);
        }
        f.rrn = Some(rrn.to_string());
    }
    f.txn_type = input.txn_type.map(|t| t.code().to_string());
    f.status = input.status.map(|s| s.code().to_string());
    Ok(f)
}

/// A query the operator may run: the filter with their scope applied.
fn scoped(env: &Env, session: &Session, filter: &TxnFilter) -> ServiceResult<TxnFilter> {
    require(env, session, Function::TxnQuery)?;
    let mut f = filter.clone();
    f.group_scope = scope(env, session)?;
    Ok(f)
}

pub fn totals(env: &Env, session: &Session, filter: &TxnFilter) -> ServiceResult<Totals> {
    let f = scoped(env, session, filter)?;
    Ok(transactions::totals(&env.store.conn, &f)?)
}

pub fn page(
    env: &Env,
    session: &Session,
    filter: &TxnFilter,
    at: PageAt,
) -> ServiceResult<Vec<TxnRow>> {
    let f = scoped(env, session, filter)?;
    Ok(transactions::page(&env.store.conn, &f, at, PAGE_SIZE)?)
}

/// Page `index` (0-based) of a result of `total` rows. The boundary is found on the index from
/// whichever end is nearer, then the page is read by key.
pub fn jump(
    env: &Env,
    session: &Session,
    filter: &TxnFilter,
    index: usize,
    total: usize,
) -> ServiceResult<Vec<TxnRow>> {
    let f = scoped(env, session, filter)?;
    let conn = &env.store.conn;
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let index = index.min(pages - 1);
    if index == 0 {
        return Ok(transactions::page(conn, &f, PageAt::First, PAGE_SIZE)?);
    }
    let offset = index * PAGE_SIZE;
    let from_end = offset > total / 2;
    let key: Option<TxnKey> = if from_end {
        // The newest row of the page, counted from the oldest end.
        let rows_on_or_after = total - offset;
        transactions::key_at(conn, &f, rows_on_or_after - 1, true)?
    } else {
        transactions::key_at(conn, &f, offset, false)?
    };
    match key {
        Some(k) => Ok(transactions::page_from(conn, &f, k, PAGE_SIZE)?),
        None => Ok(Vec::new()),
    }
}

/// One transaction, if the operator may see it.
pub fn detail(env: &Env, session: &Session, id: i64) -> ServiceResult<TxnRow> {
    require(env, session, Function::TxnQuery)?;
    let row = transactions::by_id(&env.store.conn, id)?.ok_or(ServiceError::NotFound)?;
    if let Some(groups) = scope(env, session)? {
        let g = transactions::terminal_group_of(&env.store.conn, id)?;
        if !g.is_some_and(|g| groups.contains(&g)) {
            return Err(ServiceError::OutOfScope);
        }
    }
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_fields_are_named() {
        let mut i = TxnQueryInput {
            from_date: "2026-11-23".into(),
            to_date: "2026-11-20".into(),
            ..Default::default()
        };
        assert_eq!(
            build_filter(&i),
            Err(ServiceError::Invalid {
                field: "to_date",
                problem: Problem::DateOrder
            })
        );
        i.to_date = "2026-11-31".into();
        assert!(matches!(
            build_filter(&i),
            Err(ServiceError::Invalid {
                field: "to_date",
                problem: Problem::BadDate
            })
        ));
        i.to_date = String::new();
        i.rrn = "12345".into();
        assert!(matches!(
            build_filter(&i),
            Err(ServiceError::Invalid { field: "rrn", .. })
        ));
        i.rrn = "123456789012".into();
        let f = build_filter(&i).unwrap();
        assert_eq!(f.rrn.as_deref(), Some("123456789012"));
        assert!(f.from_ms.is_some() && f.to_ms.is_none());
    }
}
