//! Lists per kind (RV2, spec/money-out.md §4 and §5 A4): 提现记录, the withdrawals of the stores
//! in scope with their review status and their payout status. Portable SQL: numbered
//! placeholders, `coalesce`, booleans compared explicitly.

use crate::store::sql::{params_from_iter, Row, Value};
use crate::store::SqlResult;

use super::{coded, Db};
use crate::domain::review::{ApplicationStatus, WithdrawMethod, WithdrawalStatus};

/// One withdrawal as its record list shows it. The account number is in full: the service masks
/// it before a screen sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WithdrawalRecordRow {
    pub id: i64,
    pub order_no: String,
    pub merchant_id: i64,
    pub merchant_name: String,
    pub merchant_name_en: String,
    pub method: WithdrawMethod,
    pub amount_fen: i64,
    pub fee_fen: i64,
    pub status: WithdrawalStatus,
    pub review_status: Option<ApplicationStatus>,
    pub maker: String,
    pub created_ms: i64,
    pub finished_ms: Option<i64>,
    pub reason_code: Option<String>,
    pub reason_zh: String,
    pub reason_en: String,
    pub bank_account_id: i64,
    pub bank_zh: String,
    pub bank_en: String,
    pub account_no: String,
    pub account_name: String,
}

/// What the list selects; empty `merchant_ids` selects nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WithdrawalRecordFilter {
    pub merchant_ids: Vec<i64>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub status: Option<WithdrawalStatus>,
    pub method: Option<WithdrawMethod>,
    /// The order number, exactly.
    pub order_no: Option<String>,
}

fn row(r: &Row) -> SqlResult<WithdrawalRecordRow> {
    let review: Option<String> = r.get(9)?;
    Ok(WithdrawalRecordRow {
        id: r.get(0)?,
        order_no: r.get(1)?,
        merchant_id: r.get(2)?,
        merchant_name: r.get(3)?,
        merchant_name_en: r.get(4)?,
        method: coded(r, 5)?,
        amount_fen: r.get(6)?,
        fee_fen: r.get(7)?,
        status: coded(r, 8)?,
        review_status: review.as_deref().and_then(ApplicationStatus::from_code),
        maker: r.get(10)?,
        created_ms: r.get(11)?,
        finished_ms: r.get(12)?,
        reason_code: r.get(13)?,
        reason_zh: r.get(14)?,
        reason_en: r.get(15)?,
        bank_account_id: r.get(16)?,
        bank_zh: r.get(17)?,
        bank_en: r.get(18)?,
        account_no: r.get(19)?,
        account_name: r.get(20)?,
    })
}

/// The withdrawals the filter selects, newest first, at most `limit`.
pub fn withdrawal_records(
    conn: &Db,
    f: &WithdrawalRecordFilter,
    limit: usize,
) -> SqlResult<Vec<WithdrawalRecordRow>> {
    if f.merchant_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut args: Vec<Value> = Vec::new();
    let mut arg = |v: Value| {
        args.push(v);
        format!("?{}", args.len())
    };
    let ids: Vec<String> = f.merchant_ids.iter().map(|m| arg((*m).into())).collect();
    let mut c = vec![format!("w.merchant_id IN ({})", ids.join(", "))];
    if let Some(v) = f.from_ms {
        c.push(format!("w.created_ms >= {}", arg(v.into())));
    }
    if let Some(v) = f.to_ms {
        c.push(format!("w.created_ms < {}", arg(v.into())));
    }
    if let Some(s) = f.status {
        c.push(format!("w.status = {}", arg(s.code().to_string().into())));
    }
    if let Some(m) = f.method {
        c.push(format!("w.method = {}", arg(m.code().to_string().into())));
    }
    if let Some(o) = &f.order_no {
        c.push(format!("w.order_no = {}", arg(o.clone().into())));
    }
    let lim = arg((limit as i64).into());
    let sql = format!(
        "SELECT w.id, w.order_no, w.merchant_id, m.name, m.name_en, w.method, w.amount_fen,
                w.fee_fen, w.status, a.status, coalesce(o.login, ''), w.created_ms,
                w.finished_ms, w.reason_code, coalesce(rc.name_zh, ''), coalesce(rc.name_en, ''),
                w.bank_account_id, k.name_zh, k.name_en, b.account_no, b.account_name
         FROM withdrawals w
         JOIN merchants m ON m.id = w.merchant_id
         JOIN bank_accounts b ON b.id = w.bank_account_id
         JOIN banks k ON k.code = b.bank_code
         LEFT JOIN applications a ON a.ref_table = 'withdrawals' AND a.ref_id = w.id
         LEFT JOIN operators o ON o.id = a.maker_id
         LEFT JOIN reason_codes rc ON rc.code = w.reason_code
         WHERE {}
         ORDER BY w.created_ms DESC, w.id DESC
         LIMIT {lim}",
        c.join(" AND ")
    );
    let mut st = conn.prepare_cached(&sql)?;
    let v = st.query_map(params_from_iter(args), row)?.collect();
    v
}
