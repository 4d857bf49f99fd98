//! Applications (maker-checker), holds, payout fees, the merchant's own bank accounts,
//! withdrawals and reason codes (schema v6). Every status update names the status it expects and
//! the domain's table allows the change (`allowed`), so two reviewers never both decide.

use crate::store::sql::{params, params_from_iter, OptionalExtension, Row, Value};
use crate::store::SqlResult;

use super::{allowed, coded, Db};
use crate::domain::review::{
    AccountNature, ApplicationKind, ApplicationStatus, BankAccountStatus, HoldState, HolderType,
    PayoutFee, PayoutFeeKind, ReasonOutcome, WithdrawMethod, WithdrawalStatus,
};

// ---------------------------------------------------------------------------------------------
// Merchant settings and fees

pub fn allow_self_approval(conn: &Db, merchant_id: i64) -> SqlResult<bool> {
    conn.prepare_cached("SELECT allow_self_approval FROM merchants WHERE id = ?1")?
        .query_row([merchant_id], |r| r.get::<i64>(0))
        .optional()
        .map(|v| v == Some(1))
}

pub fn set_allow_self_approval(conn: &Db, merchant_id: i64, on: bool) -> SqlResult<bool> {
    let n = conn
        .prepare_cached("UPDATE merchants SET allow_self_approval = ?2 WHERE id = ?1")?
        .execute(params![merchant_id, on as i64])?;
    Ok(n == 1)
}

/// The fee of a payout kind for a merchant; no row costs nothing.
pub fn payout_fee(conn: &Db, merchant_id: i64, kind: PayoutFeeKind) -> SqlResult<PayoutFee> {
    Ok(conn
        .prepare_cached(
            "SELECT rate_ppm, min_fen, cap_fen, fixed_fen FROM payout_fees
             WHERE merchant_id = ?1 AND kind = ?2",
        )?
        .query_row(params![merchant_id, kind.code()], |r| {
            Ok(PayoutFee {
                rate_ppm: r.get(0)?,
                min_fen: r.get(1)?,
                cap_fen: r.get(2)?,
                fixed_fen: r.get(3)?,
            })
        })
        .optional()?
        .unwrap_or_default())
}

pub fn set_payout_fee(
    conn: &Db,
    merchant_id: i64,
    kind: PayoutFeeKind,
    fee: &PayoutFee,
) -> SqlResult<()> {
    conn.prepare_cached(
        "INSERT INTO payout_fees (merchant_id, kind, rate_ppm, min_fen, cap_fen, fixed_fen)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (merchant_id, kind) DO UPDATE SET rate_ppm = ?3, min_fen = ?4, cap_fen = ?5,
            fixed_fen = ?6",
    )?
    .execute(params![
        merchant_id,
        kind.code(),
        fee.rate_ppm,
        fee.min_fen,
        fee.cap_fen,
        fee.fixed_fen
    ])?;
    Ok(())
}

/// A reason code of the outcome feed: (中文, English, outcome).
pub fn reason_code(conn: &Db, code: &str) -> SqlResult<Option<(String, String, ReasonOutcome)>> {
    conn.prepare_cached("SELECT name_zh, name_en, outcome FROM reason_codes WHERE code = ?1")?
        .query_row([code], |r| Ok((r.get(0)?, r.get(1)?, coded(r, 2)?)))
        .optional()
}

// ---------------------------------------------------------------------------------------------
// Reference data for bank accounts

/// The bank and card type a BIN (first six digits) names, when `card_bins` knows it.
pub fn bin_bank(conn: &Db, bin: &str) -> SqlResult<Option<(String, String)>> {
    conn.prepare_cached("SELECT bank_code, card_type FROM card_bins WHERE bin = ?1")?
        .query_row([bin], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
}

/// A bank by its code or its Chinese name: (code, 中文, English).
pub fn bank(conn: &Db, code_or_name: &str) -> SqlResult<Option<(String, String, String)>> {
    conn.prepare_cached(
        "SELECT code, name_zh, name_en FROM banks WHERE code = ?1 OR name_zh = ?1 LIMIT 1",
    )?
    .query_row([code_or_name], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
    .optional()
}

// ---------------------------------------------------------------------------------------------
// Bank accounts

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankAccountRow {
    pub id: i64,
    pub merchant_id: i64,
    pub merchant_name: String,
    pub holder_type: HolderType,
    pub nature: AccountNature,
    pub bank_code: String,
    pub bank_zh: String,
    pub bank_en: String,
    pub province_zh: String,
    pub city_zh: String,
    pub branch: String,
    /// In full: only the service's reveal (after the payment password) hands it to a screen.
    pub account_no: String,
    pub account_name: String,
    pub status: BankAccountStatus,
    pub is_default: bool,
    pub added_by: i64,
    pub added_ms: i64,
}

const BA_COLS: &str =
    "b.id, b.merchant_id, m.name, b.holder_type, b.nature, b.bank_code, k.name_zh,
    k.name_en, p.name_zh, c.name_zh, b.branch, b.account_no, b.account_name, b.status,
    b.is_default, b.added_by, b.added_ms";
const BA_JOINS: &str = "JOIN merchants m ON m.id = b.merchant_id
    JOIN banks k ON k.code = b.bank_code
    JOIN cities c ON c.id = b.city_id
    JOIN provinces p ON p.code = c.province_code";

fn ba_row(r: &Row) -> SqlResult<BankAccountRow> {
    Ok(BankAccountRow {
        id: r.get(0)?,
        merchant_id: r.get(1)?,
        merchant_name: r.get(2)?,
        holder_type: coded(r, 3)?,
        nature: coded(r, 4)?,
        bank_code: r.get(5)?,
        bank_zh: r.get(6)?,
        bank_en: r.get(7)?,
        province_zh: r.get(8)?,
        city_zh: r.get(9)?,
        branch: r.get(10)?,
        account_no: r.get(11)?,
        account_name: r.get(12)?,
        status: coded(r, 13)?,
        is_default: r.get::<i64>(14)? == 1,
        added_by: r.get(15)?,
        added_ms: r.get(16)?,
    })
}

pub struct NewBankAccount<'a> {
    pub merchant_id: i64,
    pub holder_type: HolderType,
    pub nature: AccountNature,
    pub bank_code: &'a str,
    pub city_id: i64,
    pub branch: &'a str,
    pub account_no: &'a str,
    pub account_name: &'a str,
    pub added_by: i64,
    pub added_ms: i64,
}

pub fn insert_bank_account(conn: &Db, a: &NewBankAccount) -> SqlResult<i64> {
    conn.prepare_cached(
        "INSERT INTO bank_accounts (merchant_id, holder_type, nature, bank_code, city_id, branch,
            account_no, account_name, status, added_by, added_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending_review', ?9, ?10)",
    )?
    .execute(params![
        a.merchant_id,
        a.holder_type.code(),
        a.nature.code(),
        a.bank_code,
        a.city_id,
        a.branch,
        a.account_no,
        a.account_name,
        a.added_by,
        a.added_ms
    ])?;
    conn.last_insert_rowid()
}

pub fn bank_account(conn: &Db, id: i64) -> SqlResult<Option<BankAccountRow>> {
    conn.prepare_cached(&format!(
        "SELECT {BA_COLS} FROM bank_accounts b {BA_JOINS} WHERE b.id = ?1"
    ))?
    .query_row([id], ba_row)
    .optional()
}

/// A merchant's accounts that are not deleted, oldest first.
pub fn bank_accounts(conn: &Db, merchant_id: i64) -> SqlResult<Vec<BankAccountRow>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {BA_COLS} FROM bank_accounts b {BA_JOINS}
         WHERE b.merchant_id = ?1 AND b.status <> 'deleted' ORDER BY b.id"
    ))?;
    let v = st.query_map([merchant_id], ba_row)?.collect();
    v
}

/// Accounts that count against the limit of 20 (waiting for review or active).
pub fn live_bank_account_count(conn: &Db, merchant_id: i64) -> SqlResult<i64> {
    conn.prepare_cached(
        "SELECT count(*) FROM bank_accounts WHERE merchant_id = ?1 AND status <> 'deleted'",
    )?
    .query_row([merchant_id], |r| r.get(0))
}

pub fn bank_account_no_exists(conn: &Db, merchant_id: i64, account_no: &str) -> SqlResult<bool> {
    conn.prepare_cached(
        "SELECT 1 FROM bank_accounts WHERE merchant_id = ?1 AND account_no = ?2
         AND status <> 'deleted'",
    )?
    .query_row(params![merchant_id, account_no], |_| Ok(()))
    .optional()
    .map(|o| o.is_some())
}

/// Moves an account from one status to another; false when it was not in `from`.
pub fn set_bank_account_status(
    conn: &Db,
    id: i64,
    from: BankAccountStatus,
    to: BankAccountStatus,
    at_ms: i64,
) -> SqlResult<bool> {
    allowed(from, to)?;
    let n = conn
        .prepare_cached(
            "UPDATE bank_accounts SET status = ?3,
                deleted_ms = CASE WHEN ?3 = 'deleted' THEN ?4 ELSE deleted_ms END,
                is_default = CASE WHEN ?3 = 'deleted' THEN 0 ELSE is_default END
             WHERE id = ?1 AND status = ?2",
        )?
        .execute(params![id, from.code(), to.code(), at_ms])?;
    Ok(n == 1)
}

pub fn set_default_bank_account(conn: &Db, merchant_id: i64, id: i64) -> SqlResult<bool> {
    conn.prepare_cached("UPDATE bank_accounts SET is_default = 0 WHERE merchant_id = ?1")?
        .execute([merchant_id])?;
    let n = conn
        .prepare_cached(
            "UPDATE bank_accounts SET is_default = 1
             WHERE id = ?1 AND merchant_id = ?2 AND status = 'active'",
        )?
        .execute(params![id, merchant_id])?;
    Ok(n == 1)
}

/// Whether a pending or processing withdrawal pays to the account.
pub fn bank_account_in_use(conn: &Db, id: i64) -> SqlResult<bool> {
    conn.prepare_cached(
        "SELECT 1 FROM withdrawals WHERE bank_account_id = ?1
         AND status IN ('pending_review', 'processing') LIMIT 1",
    )?
    .query_row([id], |_| Ok(()))
    .optional()
    .map(|o| o.is_some())
}

// ---------------------------------------------------------------------------------------------
// Withdrawals

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WithdrawalRow {
    pub id: i64,
    pub order_no: String,
    pub merchant_id: i64,
    pub bank_account_id: i64,
    pub method: WithdrawMethod,
    pub amount_fen: i64,
    pub fee_fen: i64,
    pub status: WithdrawalStatus,
    pub created_ms: i64,
    pub approved_ms: Option<i64>,
    pub approved_date: Option<i32>,
    pub finished_ms: Option<i64>,
    pub reason_code: Option<String>,
    pub reason_text: String,
}

const W_COLS: &str = "id, order_no, merchant_id, bank_account_id, method, amount_fen, fee_fen,
    status, created_ms, approved_ms, approved_date, finished_ms, reason_code, reason_text";

fn w_row(r: &Row) -> SqlResult<WithdrawalRow> {
    Ok(WithdrawalRow {
        id: r.get(0)?,
        order_no: r.get(1)?,
        merchant_id: r.get(2)?,
        bank_account_id: r.get(3)?,
        method: coded(r, 4)?,
        amount_fen: r.get(5)?,
        fee_fen: r.get(6)?,
        status: coded(r, 7)?,
        created_ms: r.get(8)?,
        approved_ms: r.get(9)?,
        approved_date: r.get(10)?,
        finished_ms: r.get(11)?,
        reason_code: r.get(12)?,
        reason_text: r.get(13)?,
    })
}

pub struct NewWithdrawal<'a> {
    pub order_no: &'a str,
    pub merchant_id: i64,
    pub bank_account_id: i64,
    pub method: WithdrawMethod,
    pub amount_fen: i64,
    pub fee_fen: i64,
    pub created_ms: i64,
}

pub fn insert_withdrawal(conn: &Db, w: &NewWithdrawal) -> SqlResult<i64> {
    conn.prepare_cached(
        "INSERT INTO withdrawals (order_no, merchant_id, bank_account_id, method, amount_fen,
            fee_fen, status, created_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending_review', ?7)",
    )?
    .execute(params![
        w.order_no,
        w.merchant_id,
        w.bank_account_id,
        w.method.code(),
        w.amount_fen,
        w.fee_fen,
        w.created_ms
    ])?;
    conn.last_insert_rowid()
}

pub fn withdrawal(conn: &Db, id: i64) -> SqlResult<Option<WithdrawalRow>> {
    conn.prepare_cached(&format!("SELECT {W_COLS} FROM withdrawals WHERE id = ?1"))?
        .query_row([id], w_row)
        .optional()
}

pub fn withdrawal_by_order(conn: &Db, order_no: &str) -> SqlResult<Option<WithdrawalRow>> {
    conn.prepare_cached(&format!(
        "SELECT {W_COLS} FROM withdrawals WHERE order_no = ?1"
    ))?
    .query_row([order_no], w_row)
    .optional()
}

/// Normal withdrawals approved before a settlement date and still on their way (T+1).
pub fn normal_withdrawals_due(conn: &Db, settle_date: i32) -> SqlResult<Vec<WithdrawalRow>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {W_COLS} FROM withdrawals WHERE status = 'processing' AND method = 'normal'
         AND approved_date < ?1 ORDER BY id"
    ))?;
    let v = st.query_map([settle_date], w_row)?.collect();
    v
}

/// Fast withdrawals approved and still on their way (the bank's answer is awaited), oldest first.
pub fn fast_withdrawals_processing(conn: &Db) -> SqlResult<Vec<WithdrawalRow>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {W_COLS} FROM withdrawals WHERE status = 'processing' AND method = 'fast'
         ORDER BY id"
    ))?;
    let v = st.query_map(params![], w_row)?.collect();
    v
}

/// The next merchant order number of a day: `yyyymmdd` and a six-digit daily sequence.
pub fn next_withdrawal_order_no(conn: &Db, day: i32) -> SqlResult<String> {
    let prefix = day.to_string();
    let max: Option<String> = conn
        .prepare_cached(
            "SELECT max(order_no) FROM withdrawals WHERE order_no >= ?1 AND order_no < ?2
             AND length(order_no) = 14",
        )?
        .query_row(params![prefix, format!("{}", day + 1)], |r| r.get(0))?;
    let next = max
        .and_then(|m| m[8..].parse::<u32>().ok())
        .map_or(1, |n| n + 1);
    Ok(format!("{prefix}{next:06}"))
}

/// Moves a withdrawal between statuses; false when it was not in `from`. Approval stamps the
/// approval time and business date, an ending stamps the finish time and the reason.
#[allow(clippy::too_many_arguments)]
pub fn set_withdrawal_status(
    conn: &Db,
    id: i64,
    from: WithdrawalStatus,
    to: WithdrawalStatus,
    at_ms: i64,
    date: Option<i32>,
    reason_code: Option<&str>,
    reason_text: &str,
) -> SqlResult<bool> {
    allowed(from, to)?;
    let n = conn
        .prepare_cached(
            "UPDATE withdrawals SET status = ?3,
                approved_ms = CASE WHEN ?3 = 'processing' THEN ?4 ELSE approved_ms END,
                approved_date = CASE WHEN ?3 = 'processing' THEN ?5 ELSE approved_date END,
                finished_ms = CASE WHEN ?3 <> 'processing' THEN ?4 ELSE finished_ms END,
                reason_code = coalesce(?6, reason_code),
                reason_text = CASE WHEN ?7 <> '' THEN ?7 ELSE reason_text END
             WHERE id = ?1 AND status = ?2",
        )?
        .execute(params![
            id,
            from.code(),
            to.code(),
            at_ms,
            date,
            reason_code,
            reason_text
        ])?;
    Ok(n == 1)
}

// ---------------------------------------------------------------------------------------------
// Applications

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationRow {
    pub id: i64,
    pub kind: ApplicationKind,
    pub ref_table: String,
    pub ref_id: i64,
    pub merchant_id: i64,
    pub merchant_name: String,
    pub order_no: String,
    pub amount_fen: i64,
    pub fee_fen: i64,
    pub payee_display: String,
    pub command: Vec<u8>,
    pub remark: String,
    pub maker_id: i64,
    pub maker: String,
    pub made_ms: i64,
    pub maker_approval_id: Option<i64>,
    pub checker: Option<String>,
    pub checked_ms: Option<i64>,
    pub checker_approval_id: Option<i64>,
    pub review_remark: Option<String>,
    pub status: ApplicationStatus,
    pub expires_ms: i64,
    pub self_approved: bool,
}

const A_COLS: &str = "a.id, a.kind, a.ref_table, a.ref_id, a.merchant_id, m.name, a.order_no,
    a.amount_fen, a.fee_fen, a.payee_display, a.command, a.remark, a.maker_id, mk.login,
    a.made_ms, ck.login, a.checked_ms, a.checker_approval_id, a.review_remark, a.status,
    a.expires_ms, a.self_approved, a.maker_approval_id";
const A_JOINS: &str = "JOIN merchants m ON m.id = a.merchant_id
    JOIN operators mk ON mk.id = a.maker_id
    LEFT JOIN operators ck ON ck.id = a.checker_id";

fn a_row(r: &Row) -> SqlResult<ApplicationRow> {
    Ok(ApplicationRow {
        id: r.get(0)?,
        kind: coded(r, 1)?,
        ref_table: r.get(2)?,
        ref_id: r.get(3)?,
        merchant_id: r.get(4)?,
        merchant_name: r.get(5)?,
        order_no: r.get(6)?,
        amount_fen: r.get(7)?,
        fee_fen: r.get(8)?,
        payee_display: r.get(9)?,
        command: r.get(10)?,
        remark: r.get(11)?,
        maker_id: r.get(12)?,
        maker: r.get(13)?,
        made_ms: r.get(14)?,
        checker: r.get(15)?,
        checked_ms: r.get(16)?,
        checker_approval_id: r.get(17)?,
        review_remark: r.get(18)?,
        status: coded(r, 19)?,
        expires_ms: r.get(20)?,
        self_approved: r.get::<i64>(21)? == 1,
        maker_approval_id: r.get(22)?,
    })
}

pub struct NewApplication<'a> {
    pub kind: ApplicationKind,
    pub ref_table: &'a str,
    pub ref_id: i64,
    pub merchant_id: i64,
    pub order_no: &'a str,
    pub amount_fen: i64,
    pub fee_fen: i64,
    pub payee_display: &'a str,
    pub command: &'a [u8],
    pub remark: &'a str,
    pub maker_id: i64,
    pub made_ms: i64,
    pub expires_ms: i64,
    pub idempotency_key: &'a str,
}

pub fn insert_application(conn: &Db, a: &NewApplication) -> SqlResult<i64> {
    conn.prepare_cached(
        "INSERT INTO applications (kind, ref_table, ref_id, merchant_id, order_no, amount_fen,
            fee_fen, payee_display, command, remark, maker_id, made_ms, status, expires_ms,
            idempotency_key)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'pending_review', ?13, ?14)",
    )?
    .execute(params![
        a.kind.code(),
        a.ref_table,
        a.ref_id,
        a.merchant_id,
        a.order_no,
        a.amount_fen,
        a.fee_fen,
        a.payee_display,
        a.command,
        a.remark,
        a.maker_id,
        a.made_ms,
        a.expires_ms,
        a.idempotency_key
    ])?;
    conn.last_insert_rowid()
}

pub fn application(conn: &Db, id: i64) -> SqlResult<Option<ApplicationRow>> {
    conn.prepare_cached(&format!(
        "SELECT {A_COLS} FROM applications a {A_JOINS} WHERE a.id = ?1"
    ))?
    .query_row([id], a_row)
    .optional()
}

pub fn application_by_key(conn: &Db, key: &str) -> SqlResult<Option<ApplicationRow>> {
    conn.prepare_cached(&format!(
        "SELECT {A_COLS} FROM applications a {A_JOINS} WHERE a.idempotency_key = ?1"
    ))?
    .query_row([key], a_row)
    .optional()
}

pub fn application_of(
    conn: &Db,
    ref_table: &str,
    ref_id: i64,
) -> SqlResult<Option<ApplicationRow>> {
    conn.prepare_cached(&format!(
        "SELECT {A_COLS} FROM applications a {A_JOINS} WHERE a.ref_table = ?1 AND a.ref_id = ?2"
    ))?
    .query_row(params![ref_table, ref_id], a_row)
    .optional()
}

/// The maker's signature of an application (an applicant with a card bound).
pub fn set_maker_approval(conn: &Db, id: i64, approval_id: i64) -> SqlResult<()> {
    conn.prepare_cached("UPDATE applications SET maker_approval_id = ?2 WHERE id = ?1")?
        .execute(params![id, approval_id])?;
    Ok(())
}

/// Records a review decision if the application is still pending; false when someone else
/// decided (or it was cancelled or expired) first.
#[allow(clippy::too_many_arguments)]
pub fn decide_application(
    conn: &Db,
    id: i64,
    to: ApplicationStatus,
    checker_id: i64,
    at_ms: i64,
    remark: &str,
    approval_id: i64,
    self_approved: bool,
) -> SqlResult<bool> {
    allowed(ApplicationStatus::PendingReview, to)?;
    let n = conn
        .prepare_cached(
            "UPDATE applications SET status = ?2, checker_id = ?3, checked_ms = ?4,
                review_remark = ?5, checker_approval_id = ?6, self_approved = ?7
             WHERE id = ?1 AND status = 'pending_review'",
        )?
        .execute(params![
            id,
            to.code(),
            checker_id,
            at_ms,
            remark,
            approval_id,
            self_approved as i64
        ])?;
    Ok(n == 1)
}

/// Ends a pending application without a decision (cancelled by its maker, or expired).
pub fn end_application(conn: &Db, id: i64, to: ApplicationStatus, at_ms: i64) -> SqlResult<bool> {
    allowed(ApplicationStatus::PendingReview, to)?;
    let n = conn
        .prepare_cached(
            "UPDATE applications SET status = ?2, checked_ms = ?3
             WHERE id = ?1 AND status = 'pending_review'",
        )?
        .execute(params![id, to.code(), at_ms])?;
    Ok(n == 1)
}

/// Pending applications whose time ran out.
pub fn expired_pending(conn: &Db, now_ms: i64) -> SqlResult<Vec<i64>> {
    let mut st = conn.prepare_cached(
        "SELECT id FROM applications WHERE status = 'pending_review' AND expires_ms <= ?1
         ORDER BY id",
    )?;
    let v = st.query_map([now_ms], |r| r.get(0))?.collect();
    v
}

pub fn add_event(
    conn: &Db,
    application_id: i64,
    at_ms: i64,
    operator_id: Option<i64>,
    event: &str,
    remark: &str,
) -> SqlResult<()> {
    conn.prepare_cached(
        "INSERT INTO application_events (application_id, at_ms, operator_id, event, remark)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![application_id, at_ms, operator_id, event, remark])?;
    Ok(())
}

/// (time, operator login, event, remark), oldest first.
pub type AppEvent = (i64, Option<String>, String, String);

pub fn events(conn: &Db, application_id: i64) -> SqlResult<Vec<AppEvent>> {
    let mut st = conn.prepare_cached(
        "SELECT e.at_ms, o.login, e.event, e.remark FROM application_events e
         LEFT JOIN operators o ON o.id = e.operator_id WHERE e.application_id = ?1 ORDER BY e.id",
    )?;
    let v = st
        .query_map([application_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect();
    v
}

// ---------------------------------------------------------------------------------------------
// The inbox: pending applications of every kind, refunds included

/// Which table an inbox item lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    /// `refund_applications` (the refund review of R3/R4).
    Refund,
    /// `applications`.
    Application,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxRow {
    pub source: Source,
    pub id: i64,
    pub kind: ApplicationKind,
    pub merchant_id: i64,
    pub merchant_name: String,
    /// 交易订单号: the order number, or the reference number of a refund's original.
    pub order_no: String,
    pub made_ms: i64,
    pub amount_fen: i64,
    pub fee_fen: i64,
    pub maker_id: i64,
    pub maker: String,
    pub payee_display: String,
    pub expires_ms: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InboxFilter {
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    /// Empty: none (the service fills in the kinds the reviewer may review).
    pub kinds: Vec<ApplicationKind>,
    /// Exact order number / reference number.
    pub keyword: Option<String>,
    pub merchant_id: Option<i64>,
    /// The reviewer's own applications are left out (unless self-approval applies to them).
    pub exclude_maker: Option<i64>,
    /// Terminal groups the reviewer sees (`None`: all); a fund application is in scope when its
    /// store has a terminal in one of them.
    pub group_scope: Option<Vec<i64>>,
    /// Applications that expire at or before this moment are left out.
    pub now_ms: i64,
}

/// The conditions of the refund part: (extra joins, conditions, arguments). The reviewer's own
/// are left out when `exclude_own`; the joins are only those the conditions need.
fn refund_part(f: &InboxFilter, exclude_own: bool) -> (String, Vec<String>, Vec<Value>) {
    let mut joins = String::new();
    let mut c = vec!["r.status = 'pending_review'".to_string()];
    let mut args: Vec<Value> = Vec::new();
    if let Some(v) = f.from_ms {
        c.push("r.applied_ms >= ?".into());
        args.push(v.into());
    }
    if let Some(v) = f.to_ms {
        c.push("r.applied_ms < ?".into());
        args.push(v.into());
    }
    if let Some(k) = &f.keyword {
        joins.push_str(" JOIN transactions tk ON tk.id = r.txn_id");
        c.push("(tk.rrn = ? OR r.refund_order_no = ?)".into());
        args.push(k.clone().into());
        args.push(k.clone().into());
    }
    if let Some(m) = f.merchant_id {
        c.push("r.merchant_id = ?".into());
        args.push(m.into());
    }
    if let (true, Some(me)) = (exclude_own, f.exclude_maker) {
        c.push("r.applicant_id <> ?".into());
        args.push(me.into());
    }
    if let Some(gs) = &f.group_scope {
        joins.push_str(" JOIN terminals tg ON tg.id = r.terminal_id");
        c.push(format!(
            "tg.group_id IN ({})",
            super::placeholders(gs.len())
        ));
        args.extend(gs.iter().map(|g| Value::from(*g)));
    }
    (joins, c, args)
}

/// The conditions of the applications part (no joins needed).
fn app_part(
    f: &InboxFilter,
    kinds: &[ApplicationKind],
    exclude_own: bool,
) -> (Vec<String>, Vec<Value>) {
    let mut c = vec![
        "a.status = 'pending_review'".to_string(),
        format!("a.kind IN ({})", super::placeholders(kinds.len())),
        "a.expires_ms > ?".to_string(),
    ];
    let mut args: Vec<Value> = kinds
        .iter()
        .map(|k| Value::from(k.code().to_string()))
        .collect();
    args.push(f.now_ms.into());
    if let Some(v) = f.from_ms {
        c.push("a.made_ms >= ?".into());
        args.push(v.into());
    }
    if let Some(v) = f.to_ms {
        c.push("a.made_ms < ?".into());
        args.push(v.into());
    }
    if let Some(k) = &f.keyword {
        c.push("a.order_no = ?".into());
        args.push(k.clone().into());
    }
    if let Some(m) = f.merchant_id {
        c.push("a.merchant_id = ?".into());
        args.push(m.into());
    }
    if let (true, Some(me)) = (exclude_own, f.exclude_maker) {
        c.push("a.maker_id <> ?".into());
        args.push(me.into());
    }
    if let Some(gs) = &f.group_scope {
        c.push(format!(
            "a.merchant_id IN (SELECT merchant_id FROM terminals WHERE group_id IN ({}))",
            super::placeholders(gs.len())
        ));
        args.extend(gs.iter().map(|g| Value::from(*g)));
    }
    (c, args)
}

fn other_kinds(f: &InboxFilter) -> Vec<ApplicationKind> {
    f.kinds
        .iter()
        .copied()
        .filter(|k| *k != ApplicationKind::Refund)
        .collect()
}

fn inbox_row(r: &Row) -> SqlResult<InboxRow> {
    Ok(InboxRow {
        source: if r.get::<i64>(0)? == 0 {
            Source::Refund
        } else {
            Source::Application
        },
        id: r.get(1)?,
        kind: coded(r, 2)?,
        merchant_id: r.get(3)?,
        merchant_name: r.get(4)?,
        order_no: r.get(5)?,
        made_ms: r.get(6)?,
        amount_fen: r.get(7)?,
        fee_fen: r.get(8)?,
        maker_id: r.get(9)?,
        maker: r.get(10)?,
        payee_display: r.get(11)?,
        expires_ms: r.get(12)?,
    })
}

/// One page of the inbox, oldest first. Each part reads only the first `offset + limit` rows of
/// its index (status, time) and the two are merged, so the first page costs the same with ten
/// or ten thousand items waiting.
pub fn inbox_page(
    conn: &Db,
    f: &InboxFilter,
    offset: usize,
    limit: usize,
) -> SqlResult<Vec<InboxRow>> {
    let n = offset + limit;
    let mut parts = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    if f.kinds.contains(&ApplicationKind::Refund) {
        let (joins, c, a) = refund_part(f, true);
        parts.push(format!(
            "SELECT * FROM (SELECT 0 AS src, r.id AS id, 'refund' AS kind,
                r.merchant_id AS merchant_id, m.name AS merchant_name, t.rrn AS order_no,
                r.applied_ms AS made_ms, r.amount_fen AS amount_fen, 0 AS fee_fen,
                r.applicant_id AS maker_id, o.login AS maker, t.card_masked AS payee,
                CAST(NULL AS BIGINT) AS expires_ms
             FROM refund_applications r INDEXED BY refund_app_status{joins}
             JOIN transactions t ON t.id = r.txn_id JOIN merchants m ON m.id = r.merchant_id
             JOIN operators o ON o.id = r.applicant_id
             WHERE {} ORDER BY r.applied_ms, r.id LIMIT {n}) refund_part",
            c.join(" AND ")
        ));
        args.extend(a);
    }
    let kinds = other_kinds(f);
    if !kinds.is_empty() {
        let (c, a) = app_part(f, &kinds, true);
        parts.push(format!(
            "SELECT * FROM (SELECT 1 AS src, a.id AS id, a.kind AS kind,
                a.merchant_id AS merchant_id, m.name AS merchant_name, a.order_no AS order_no,
                a.made_ms AS made_ms, a.amount_fen AS amount_fen, a.fee_fen AS fee_fen,
                a.maker_id AS maker_id, o.login AS maker, a.payee_display AS payee,
                a.expires_ms AS expires_ms
             FROM applications a INDEXED BY applications_pending
             JOIN merchants m ON m.id = a.merchant_id JOIN operators o ON o.id = a.maker_id
             WHERE {} ORDER BY a.made_ms, a.id LIMIT {n}) application_part",
            c.join(" AND ")
        ));
        args.extend(a);
    }
    if parts.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT src, id, kind, merchant_id, merchant_name, order_no, made_ms, amount_fen, fee_fen,
            maker_id, maker, payee, expires_ms FROM ({}) inbox
         ORDER BY made_ms, src, id LIMIT {limit} OFFSET {offset}",
        parts.join(" UNION ALL ")
    );
    let mut st = conn.prepare_cached(&sql)?;
    let v = st.query_map(params_from_iter(args), inbox_row)?.collect();
    v
}

/// What the inbox holds under a filter: (items not the reviewer's own, their amount plus fees,
/// the reviewer's own).
pub fn inbox_count(conn: &Db, f: &InboxFilter) -> SqlResult<(i64, i64, i64)> {
    let me = f.exclude_maker.unwrap_or(0);
    let mut total = (0, 0, 0);
    if f.kinds.contains(&ApplicationKind::Refund) {
        let (joins, c, mut a) = refund_part(f, false);
        let sql = format!(
            "SELECT coalesce(sum(CASE WHEN r.applicant_id <> ? THEN 1 ELSE 0 END), 0),
                coalesce(sum(CASE WHEN r.applicant_id <> ? THEN r.amount_fen END), 0),
                coalesce(sum(CASE WHEN r.applicant_id = ? THEN 1 ELSE 0 END), 0)
             FROM refund_applications r INDEXED BY refund_app_pending_count{joins} WHERE {}",
            c.join(" AND ")
        );
        let mut args: Vec<Value> = vec![me.into(), me.into(), me.into()];
        args.append(&mut a);
        let (x, y, z): (i64, i64, i64) = conn
            .prepare_cached(&sql)?
            .query_row(params_from_iter(args), |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?;
        total = (total.0 + x, total.1 + y, total.2 + z);
    }
    let kinds = other_kinds(f);
    if !kinds.is_empty() {
        let (c, mut a) = app_part(f, &kinds, false);
        let sql = format!(
            "SELECT coalesce(sum(CASE WHEN a.maker_id <> ? THEN 1 ELSE 0 END), 0),
                coalesce(sum(CASE WHEN a.maker_id <> ? THEN a.amount_fen + a.fee_fen END), 0),
                coalesce(sum(CASE WHEN a.maker_id = ? THEN 1 ELSE 0 END), 0)
             FROM applications a INDEXED BY applications_count WHERE {}",
            c.join(" AND ")
        );
        let mut args: Vec<Value> = vec![me.into(), me.into(), me.into()];
        args.append(&mut a);
        let (x, y, z): (i64, i64, i64) = conn
            .prepare_cached(&sql)?
            .query_row(params_from_iter(args), |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?;
        total = (total.0 + x, total.1 + y, total.2 + z);
    }
    if f.exclude_maker.is_none() {
        total = (total.0 + total.2, total.1, 0);
    }
    Ok(total)
}

/// An applicant's (or everybody's) applications, newest first: 申请记录.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordFilter {
    pub maker_id: Option<i64>,
    pub kinds: Vec<ApplicationKind>,
    pub statuses: Vec<ApplicationStatus>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub keyword: Option<String>,
}

pub fn records(conn: &Db, f: &RecordFilter, limit: usize) -> SqlResult<Vec<ApplicationRow>> {
    let mut c = vec!["1 = 1".to_string()];
    let mut args: Vec<Value> = Vec::new();
    if let Some(m) = f.maker_id {
        c.push("a.maker_id = ?".into());
        args.push(m.into());
    }
    if !f.kinds.is_empty() {
        c.push(format!(
            "a.kind IN ({})",
            super::placeholders(f.kinds.len())
        ));
        args.extend(f.kinds.iter().map(|k| Value::from(k.code().to_string())));
    }
    if !f.statuses.is_empty() {
        c.push(format!(
            "a.status IN ({})",
            super::placeholders(f.statuses.len())
        ));
        args.extend(f.statuses.iter().map(|k| Value::from(k.code().to_string())));
    }
    if let Some(v) = f.from_ms {
        c.push("a.made_ms >= ?".into());
        args.push(v.into());
    }
    if let Some(v) = f.to_ms {
        c.push("a.made_ms < ?".into());
        args.push(v.into());
    }
    if let Some(k) = &f.keyword {
        c.push("a.order_no = ?".into());
        args.push(k.clone().into());
    }
    let sql = format!(
        "SELECT {A_COLS} FROM applications a {A_JOINS} WHERE {}
         ORDER BY a.made_ms DESC, a.id DESC LIMIT {limit}",
        c.join(" AND ")
    );
    let mut st = conn.prepare(&sql)?;
    let v = st.query_map(params_from_iter(args), a_row)?.collect();
    v
}

// ---------------------------------------------------------------------------------------------
// Holds

pub fn insert_hold(
    conn: &Db,
    merchant_id: i64,
    application_id: i64,
    amount_fen: i64,
    at_ms: i64,
) -> SqlResult<i64> {
    conn.prepare_cached(
        "INSERT INTO holds (merchant_id, application_id, amount_fen, created_ms)
         VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![merchant_id, application_id, amount_fen, at_ms])?;
    conn.last_insert_rowid()
}

/// The hold of an application: (amount, state).
pub fn hold_of(conn: &Db, application_id: i64) -> SqlResult<Option<(i64, HoldState)>> {
    conn.prepare_cached("SELECT amount_fen, state FROM holds WHERE application_id = ?1")?
        .query_row([application_id], |r| Ok((r.get(0)?, coded(r, 1)?)))
        .optional()
}

/// Posts or releases an application's active hold; false when it had none active.
pub fn end_hold(conn: &Db, application_id: i64, to: HoldState, at_ms: i64) -> SqlResult<bool> {
    allowed(HoldState::Active, to)?;
    let n = conn
        .prepare_cached(
            "UPDATE holds SET state = ?2, released_ms = ?3
             WHERE application_id = ?1 AND state = 'active'",
        )?
        .execute(params![application_id, to.code(), at_ms])?;
    Ok(n == 1)
}

/// Σ active holds of a merchant.
pub fn active_holds_fen(conn: &Db, merchant_id: i64) -> SqlResult<i64> {
    conn.prepare_cached(
        "SELECT coalesce(sum(amount_fen), 0) FROM holds WHERE merchant_id = ?1 AND state = 'active'",
    )?
    .query_row([merchant_id], |r| r.get(0))
}

// ---------------------------------------------------------------------------------------------
// What `merchant-desk check` reads

/// A money-holding application with its hold and ledger lines, for the invariants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldApplication {
    pub id: i64,
    pub kind: String,
    pub merchant_id: i64,
    pub status: String,
    pub amount_fen: i64,
    pub fee_fen: i64,
    /// The withdrawal's own status, when it is one.
    pub payout_status: Option<String>,
    pub hold_fen: Option<i64>,
    pub hold_state: Option<String>,
    /// Σ of the ledger's debit lines (negative) and credit lines (positive) for its payout.
    pub debits_fen: i64,
    pub debit_lines: i64,
    pub credits_fen: i64,
}

pub fn held_applications(conn: &Db) -> SqlResult<Vec<HeldApplication>> {
    let mut st = conn.prepare(
        "SELECT a.id, a.kind, a.merchant_id, a.status, a.amount_fen, a.fee_fen, w.status,
            h.amount_fen, h.state,
            (SELECT coalesce(sum(amount_fen), 0) FROM ledger_lines l
              WHERE l.ref_table = a.ref_table AND l.ref_id = a.ref_id AND l.amount_fen < 0),
            (SELECT count(*) FROM ledger_lines l
              WHERE l.ref_table = a.ref_table AND l.ref_id = a.ref_id AND l.amount_fen < 0),
            (SELECT coalesce(sum(amount_fen), 0) FROM ledger_lines l
              WHERE l.ref_table = a.ref_table AND l.ref_id = a.ref_id AND l.amount_fen > 0)
         FROM applications a
         LEFT JOIN withdrawals w ON a.ref_table = 'withdrawals' AND w.id = a.ref_id
         LEFT JOIN holds h ON h.application_id = a.id
         WHERE a.kind NOT IN ('bank_account', 'fast_refund', 'fast_refund_batch', 'transfer',
             'transfer_batch')
         ORDER BY a.id",
    )?;
    let v = st
        .query_map(params![], |r| {
            Ok(HeldApplication {
                id: r.get(0)?,
                kind: r.get(1)?,
                merchant_id: r.get(2)?,
                status: r.get(3)?,
                amount_fen: r.get(4)?,
                fee_fen: r.get(5)?,
                payout_status: r.get(6)?,
                hold_fen: r.get(7)?,
                hold_state: r.get(8)?,
                debits_fen: r.get(9)?,
                debit_lines: r.get(10)?,
                credits_fen: r.get(11)?,
            })
        })?
        .collect();
    v
}

/// (merchant, ledger balance, Σ active holds) of every merchant.
pub fn available_balances(conn: &Db) -> SqlResult<Vec<(i64, i64, i64)>> {
    let mut st = conn.prepare(
        "SELECT m.id,
            coalesce((SELECT balance_fen FROM ledger_lines WHERE merchant_id = m.id
                ORDER BY id DESC LIMIT 1), 0),
            coalesce((SELECT sum(amount_fen) FROM holds WHERE merchant_id = m.id
                AND state = 'active'), 0)
         FROM merchants m ORDER BY m.id",
    )?;
    let v = st
        .query_map(params![], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect();
    v
}

/// Bank-account applications whose account status does not follow their review status.
pub fn bank_account_mismatches(conn: &Db) -> SqlResult<Vec<(i64, String, String)>> {
    let mut st = conn.prepare(
        "SELECT a.id, a.status, b.status FROM applications a
         JOIN bank_accounts b ON a.ref_table = 'bank_accounts' AND b.id = a.ref_id
         WHERE NOT ((a.status = 'pending_review' AND b.status = 'pending_review')
                 OR (a.status = 'approved' AND b.status IN ('active', 'deleted'))
                 OR (a.status IN ('rejected', 'cancelled', 'expired') AND b.status = 'deleted'))",
    )?;
    let v = st
        .query_map(params![], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect();
    v
}

/// Whether a store has a terminal in one of these terminal groups (a fund operation's scope).
pub fn merchant_in_groups(conn: &Db, merchant_id: i64, groups: &[i64]) -> SqlResult<bool> {
    if groups.is_empty() {
        return Ok(false);
    }
    let sql = format!(
        "SELECT 1 FROM terminals WHERE merchant_id = ? AND group_id IN ({}) LIMIT 1",
        super::placeholders(groups.len())
    );
    let mut args: Vec<Value> = vec![merchant_id.into()];
    args.extend(groups.iter().map(|g| Value::from(*g)));
    conn.prepare_cached(&sql)?
        .query_row(params_from_iter(args), |_| Ok(()))
        .optional()
        .map(|o| o.is_some())
}
