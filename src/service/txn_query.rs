//! Transaction query (T1, T2, T3, T8): turning what the operator typed into a filter, and reading
//! pages, totals and details within the operator's terminal-group scope.

use crate::clock::{day_start_ms, parse_date};
use crate::domain::function::Function;
use crate::domain::ids;
use crate::domain::money::parse_amount;
use crate::domain::txn::{CardType, TxnStatus, TxnType};
use crate::store::transactions::{self, PageAt, Totals, TxnFilter, TxnKey, TxnRow};
use crate::store::{merchants, reference};

use super::error::{invalid, Problem};
use super::kernel::{Needs, Uc, Who};
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
    pub advanced: AdvancedInput,
}

/// The advanced query (高级查询, T2) as typed; empty fields do not narrow the result.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdvancedInput {
    /// A card organisation code (`CUP`, `VISA`, ...).
    pub card_org: Option<String>,
    pub card_type: Option<CardType>,
    /// A bank code, or part of the bank's Chinese or English name.
    pub bank: String,
    pub min_amount: String,
    pub max_amount: String,
    pub card_last4: String,
    pub batch_no: String,
    pub auth_code: String,
    /// A merchant number, or part of the merchant's name.
    pub merchant: String,
}

impl AdvancedInput {
    pub fn is_empty(&self) -> bool {
        *self == AdvancedInput::default()
    }
}

/// Checks the whole form, the advanced fields included, and builds the filter. Bank and merchant
/// are looked up by code or by a part of their name that names exactly one.
pub fn build_filter_in(env: &Env, input: &TxnQueryInput) -> ServiceResult<TxnFilter> {
    let mut f = build_filter(input)?;
    let a = &input.advanced;
    f.card_org = a.card_org.clone();
    f.card_type = a.card_type.map(|c| c.code().to_string());
    let amount = |field: &'static str, s: &str| -> ServiceResult<Option<i64>> {
        match s.trim() {
            "" => Ok(None),
            s => parse_amount(s)
                .map(Some)
                .or_else(|_| invalid(field, Problem::BadAmount)),
        }
    };
    f.min_fen = amount("min_amount", &a.min_amount)?;
    f.max_fen = amount("max_amount", &a.max_amount)?;
    if let (Some(lo), Some(hi)) = (f.min_fen, f.max_fen) {
        if hi < lo {
            return invalid("max_amount", Problem::DateOrder);
        }
    }
    // Card's last four, batch number and auth code: exactly so many digits (or letters).
    let exact = |field: &'static str, s: &str, len: usize, ok: fn(&str) -> bool| match s
        .trim()
        .to_ascii_uppercase()
    {
        s if s.is_empty() => Ok(None),
        s if ok(&s) => Ok(Some(s)),
        _ => invalid(field, Problem::Length(len)),
    };
    f.card_last4 = exact("card_last4", &a.card_last4, 4, |s| {
        s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit())
    })?;
    f.batch_no = exact("batch_no", &a.batch_no, 6, ids::is_six_digits)?;
    f.auth_code = exact("auth_code", &a.auth_code, 6, ids::is_auth_code)?;
    f.bank_code = resolve_bank(env, &a.bank)?;
    f.merchant_id = resolve_merchant(env, "merchant", &a.merchant)?;
    Ok(f)
}

/// A bank typed as its code or a part of its name that names one bank.
fn resolve_bank(env: &Env, typed: &str) -> ServiceResult<Option<String>> {
    let q = typed.trim();
    if q.is_empty() {
        return Ok(None);
    }
    let banks = reference::banks(&env.store.read())?;
    if let Some((code, _, _)) = banks.iter().find(|(c, _, _)| c.eq_ignore_ascii_case(q)) {
        return Ok(Some(code.clone()));
    }
    let lower = q.to_lowercase();
    let hits: Vec<&(String, String, String)> = banks
        .iter()
        .filter(|(_, zh, en)| zh.contains(q) || en.to_lowercase().contains(&lower))
        .collect();
    match hits.as_slice() {
        [one] => Ok(Some(one.0.clone())),
        _ => invalid("bank", Problem::Unknown),
    }
}

/// A merchant typed as its 15-digit number or a part of its name that names one merchant.
pub fn resolve_merchant(env: &Env, field: &'static str, typed: &str) -> ServiceResult<Option<i64>> {
    let q = typed.trim();
    if q.is_empty() {
        return Ok(None);
    }
    let all = merchants::all(&env.store.read())?;
    if let Some(m) = all.iter().find(|m| m.merchant_no == q) {
        return Ok(Some(m.id));
    }
    let lower = q.to_lowercase();
    let hits: Vec<i64> = all
        .iter()
        .filter(|m| m.name.contains(q) || m.name_en.to_lowercase().contains(&lower))
        .map(|m| m.id)
        .collect();
    match hits.as_slice() {
        [one] => Ok(Some(*one)),
        _ => invalid(field, Problem::Unknown),
    }
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

/// Runs `body` as a transaction query: the function checked, the filter limited to the
/// operator's scope. A settlement's transactions (S3) are open to whoever may query settlements
/// as well.
pub(crate) fn scoped<T>(
    env: &Env,
    session: &Session,
    filter: &TxnFilter,
    body: impl FnOnce(&Uc, &TxnFilter) -> ServiceResult<T>,
) -> ServiceResult<T> {
    const BY_SETTLEMENT: &[Function] = &[Function::TxnQuery, Function::SettlementQuery];
    let needs = if filter.settlement_id.is_some() {
        Needs::any(BY_SETTLEMENT)
    } else {
        Needs::function(&Function::TxnQuery)
    };
    env.query(Who::Operator(session), needs, "txn.query", |uc| {
        let mut f = filter.clone();
        f.group_scope = uc.scope().map(|s| s.to_vec());
        body(uc, &f)
    })
}

/// The count and sums under the list. Read from the daily rollups when the filter allows (the
/// same rule as the summaries), so a month of millions of rows answers in milliseconds.
pub fn totals(env: &Env, session: &Session, filter: &TxnFilter) -> ServiceResult<Totals> {
    use crate::store::summaries::{self, GroupBy};
    scoped(env, session, filter, |uc, f| {
        let db = uc.db();
        if let Some(d) = super::rollups::rollup_filter(&db, f)? {
            let rows = summaries::from_rollups(&db, &d, GroupBy::TradeDate)?;
            return Ok(rows.iter().fold(Totals::default(), |t, r| Totals {
                count: t.count + r.count,
                amount_fen: t.amount_fen + r.amount_fen,
                fee_fen: t.fee_fen + r.fee_fen,
            }));
        }
        Ok(transactions::totals(&db, f)?)
    })
}

/// The rows summed as the settlement run sums them (a settlement's list shows these, so its
/// totals equal the settlement row).
pub fn settled_totals(
    env: &Env,
    session: &Session,
    filter: &TxnFilter,
) -> ServiceResult<transactions::SettledTotals> {
    scoped(env, session, filter, |uc, f| {
        Ok(transactions::settled_totals(&uc.db(), f)?)
    })
}

/// The rows by what they mean (trade, refunds, voids, failed) and the net the settlement pays.
pub fn breakdown(
    env: &Env,
    session: &Session,
    filter: &TxnFilter,
) -> ServiceResult<transactions::Breakdown> {
    scoped(env, session, filter, |uc, f| {
        Ok(transactions::breakdown(&uc.db(), f)?)
    })
}

pub fn page(
    env: &Env,
    session: &Session,
    filter: &TxnFilter,
    at: PageAt,
) -> ServiceResult<Vec<TxnRow>> {
    scoped(env, session, filter, |uc, f| {
        Ok(transactions::page(&uc.db(), f, at, PAGE_SIZE)?)
    })
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
    scoped(env, session, filter, |uc, f| {
        let conn = &uc.db();
        let pages = total.div_ceil(PAGE_SIZE).max(1);
        let index = index.min(pages - 1);
        if index == 0 {
            return Ok(transactions::page(conn, f, PageAt::First, PAGE_SIZE)?);
        }
        let offset = index * PAGE_SIZE;
        let from_end = offset > total / 2;
        let key: Option<TxnKey> = if from_end {
            // The newest row of the page, counted from the oldest end.
            let rows_on_or_after = total - offset;
            transactions::key_at(conn, f, rows_on_or_after - 1, true)?
        } else {
            transactions::key_at(conn, f, offset, false)?
        };
        match key {
            Some(k) => Ok(transactions::page_from(conn, f, k, PAGE_SIZE)?),
            None => Ok(Vec::new()),
        }
    })
}

/// The transaction `id` as the use case's operator may see it.
pub(crate) fn visible_txn(uc: &Uc, id: i64) -> ServiceResult<TxnRow> {
    let db = uc.db();
    let row = transactions::by_id(&db, id)?.ok_or(ServiceError::NotFound)?;
    uc.require_group(transactions::terminal_group_of(&db, id)?)?;
    Ok(row)
}

/// One transaction, if the operator may see it (from the query, a settlement or the monitor).
pub fn detail(env: &Env, session: &Session, id: i64) -> ServiceResult<TxnRow> {
    const READERS: &[Function] = &[
        Function::TxnQuery,
        Function::SettlementQuery,
        Function::Monitor,
    ];
    env.query(
        Who::Operator(session),
        Needs::any(READERS),
        "txn.detail",
        |uc| visible_txn(uc, id),
    )
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
