//! Lists per kind (RV2, spec/money-out.md §4, §5 A4): 提现记录, the withdrawals of the stores in
//! the operator's scope with their review and payout statuses, by time (一周内/一个月内/三个月内),
//! store, status, method and order number. Account numbers are masked here, before any screen.

use crate::domain::function::Function;
use crate::domain::review::{mask_account_no, ApplicationStatus, WithdrawMethod, WithdrawalStatus};
use crate::store::merchants;
use crate::store::review as rq;
use crate::store::review_lists::{self as q, WithdrawalRecordFilter};

use super::kernel::{Needs, Who};
use super::{Env, ServiceError, ServiceResult, Session};

/// At most this many records in one answer (the screen holds them whole; Ctrl+E exports them).
pub const MAX_RECORDS: usize = 10_000;

/// What the withdrawal record list asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WithdrawalRecordQuery {
    /// `None`: every store in scope.
    pub merchant_id: Option<i64>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub status: Option<WithdrawalStatus>,
    pub method: Option<WithdrawMethod>,
    pub keyword: String,
}

/// One withdrawal as the list shows it: the account masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WithdrawalRecord {
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
    /// When the money arrived (已到账) or the payout failed.
    pub finished_ms: Option<i64>,
    pub reason_code: Option<String>,
    pub reason_zh: String,
    pub reason_en: String,
    pub bank_zh: String,
    pub bank_en: String,
    /// `*****0771`
    pub masked: String,
    pub account_name: String,
}

/// Who may read the withdrawal records (the menu offers 提现记录 to the same operators).
pub const WITHDRAWAL_READERS: &[Function] = &[
    Function::WithdrawApply,
    Function::WithdrawReview,
    Function::AccountView,
];

/// The withdrawals the query selects, newest first, of the stores in the operator's scope.
pub fn withdrawal_records(
    env: &Env,
    session: &Session,
    qy: &WithdrawalRecordQuery,
) -> ServiceResult<Vec<WithdrawalRecord>> {
    env.query(
        Who::Operator(session),
        Needs::any(WITHDRAWAL_READERS),
        "withdrawal.records",
        |uc| {
            let db = uc.db();
            let mut ids = Vec::new();
            for m in merchants::all(&db)? {
                let in_scope = match uc.scope() {
                    None => true,
                    Some(gs) => rq::merchant_in_groups(&db, m.id, gs)?,
                };
                if in_scope && qy.merchant_id.is_none_or(|want| want == m.id) {
                    ids.push(m.id);
                }
            }
            if let Some(want) = qy.merchant_id {
                if ids.is_empty() {
                    return Err(if merchants::all(&db)?.iter().any(|m| m.id == want) {
                        ServiceError::OutOfScope
                    } else {
                        ServiceError::NotFound
                    });
                }
            }
            let kw = qy.keyword.trim();
            let f = WithdrawalRecordFilter {
                merchant_ids: ids,
                from_ms: qy.from_ms,
                to_ms: qy.to_ms,
                status: qy.status,
                method: qy.method,
                order_no: (!kw.is_empty()).then(|| kw.to_string()),
            };
            Ok(q::withdrawal_records(&db, &f, MAX_RECORDS)?
                .into_iter()
                .map(|r| WithdrawalRecord {
                    masked: mask_account_no(&r.account_no),
                    id: r.id,
                    order_no: r.order_no,
                    merchant_id: r.merchant_id,
                    merchant_name: r.merchant_name,
                    merchant_name_en: r.merchant_name_en,
                    method: r.method,
                    amount_fen: r.amount_fen,
                    fee_fen: r.fee_fen,
                    status: r.status,
                    review_status: r.review_status,
                    maker: r.maker,
                    created_ms: r.created_ms,
                    finished_ms: r.finished_ms,
                    reason_code: r.reason_code,
                    reason_zh: r.reason_zh,
                    reason_en: r.reason_en,
                    bank_zh: r.bank_zh,
                    bank_en: r.bank_en,
                    account_name: r.account_name,
                })
                .collect())
        },
    )
}
