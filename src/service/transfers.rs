//! Transfers 转账 (X1–X4, spec/money-out.md §3): a single transfer, the on-screen rows (≤ 5) and
//! a file (≤ 999 rows) all become one batch of rows under one application (kind `transfer` for a
//! single one, `transfer_batch` otherwise) holding amount + fee of every row. The batch is
//! validated whole: any bad row refuses it with every bad row and its reason, and nothing is
//! stored. A reviewer approves the whole batch (payment password + card, through
//! `review::decide`); approval debits the ledger, posts the hold, moves every row 初始 → 处理中,
//! and credits a store of this group at once (处理中 → 成功 in the same transaction). The outcome
//! feed moves the other rows: 成功, 失败 (credited back), and for bank rows 成功 → 退票 (credited
//! back). A rejected, cancelled or expired batch releases its hold and cancels its rows.

use std::collections::HashMap;
use std::path::Path;

use crate::domain::audit::Fields;
use crate::domain::function::Function;
use crate::domain::lang::Lang;
use crate::domain::money::format_fen;
use crate::domain::review::{mask_account_no, ApplicationKind, ApplicationStatus, HoldState};
use crate::domain::transfer::{
    check_row, field, is_id, BatchStatus, CheckedRow, PayeeKind, Reference, RowInput, RowProblem,
    TransferStatus, MAX_FILE_ROWS, MAX_FORM_ROWS, MAX_REMARK,
};
use crate::excel::import::{ImportError, Reason, RowError};
use crate::store::review::{self as rq, ApplicationRow, NewApplication};
use crate::store::transfers::{self as q, NewBatch, NewTransfer};
/// A batch and its rows as [`BatchView`] holds them (screens read them from here, never from
/// the store).
pub use crate::store::transfers::{BatchRow, TransferRow};
use crate::store::{settlements, Db};

use super::card::CardServiceError;
use super::error::{invalid, Problem, Rule};
use super::kernel::{Needs, Uc, Who};
use super::outcomes::{Outcome, OutcomeResult};
use super::refunds::card_required_in;
use super::review::{available_in, command, command_int, expiry_ms, require_merchant};
use super::signing::Decision;
use super::{Env, ServiceError, ServiceResult, Session};

// The columns of the files, as errors name them (Chinese; `column_name` words them).
pub const COL_BATCH_NO: &str = "商户批次号";
pub const COL_PLATFORM_ACCOUNT: &str = "收款平台账户";
pub const COL_PLATFORM_NAME: &str = "收款户名";
pub const COL_NAME: &str = "收款开户名";
pub const COL_BANK: &str = "收款开户银行";
pub const COL_PROVINCE: &str = "收款银行所在省份";
pub const COL_CITY: &str = "收款银行所在市";
pub const COL_BRANCH: &str = "收款支行名称";
pub const COL_ACCOUNT: &str = "收款银行帐号";
pub const COL_ACCOUNT_AGAIN: &str = "确认银行账号";
pub const COL_AMOUNT: &str = "转账金额（元）";
pub const COL_PUBLIC_PRIVATE: &str = "对公对私";
pub const COL_MOBILE: &str = "收款人联系手机";
pub const COL_REMARK: &str = "转账备注";
pub const COL_ORDER_NO: &str = "商户订单号";
/// Control totals (optional): 总笔数 and 总金额 of the whole file, on any row (the first one
/// filled counts; every other filled one must say the same).
pub const COL_TOTAL_COUNT: &str = "总笔数";
pub const COL_TOTAL_AMOUNT: &str = "总金额（元）";

/// The version the templates carry (a cell of their reference sheet).
pub const TEMPLATE_VERSION: &str = "ZZ-X2-1";
/// The templates' reference sheet (template version, accepted banks), in both languages: the
/// import ignores a visible sheet of these names.
pub const REFERENCE_SHEETS: &[&str] = &["填写说明与可选银行", "Notes and banks"];

const COLUMN_WORDS: &[(&str, &str)] = &[
    (COL_BATCH_NO, "Merchant batch no."),
    (COL_PLATFORM_ACCOUNT, "Payee platform account"),
    (COL_PLATFORM_NAME, "Payee name"),
    (COL_NAME, "Payee account name"),
    (COL_BANK, "Payee bank"),
    (COL_PROVINCE, "Province"),
    (COL_CITY, "City"),
    (COL_BRANCH, "Branch"),
    (COL_ACCOUNT, "Account no."),
    (COL_ACCOUNT_AGAIN, "Account no. again"),
    (COL_AMOUNT, "Amount (yuan)"),
    (COL_PUBLIC_PRIVATE, "Public/private"),
    (COL_MOBILE, "Payee mobile"),
    (COL_REMARK, "Remark"),
    (COL_ORDER_NO, "Merchant order no."),
    (COL_TOTAL_COUNT, "Total count"),
    (COL_TOTAL_AMOUNT, "Total amount (yuan)"),
];

/// A column's name in the operator's language.
pub fn column_name(zh: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => COLUMN_WORDS
            .iter()
            .find(|(z, _)| *z == zh)
            .map(|(_, e)| e.to_string())
            .unwrap_or_else(|| zh.to_string()),
    }
}

fn column_of(kind: PayeeKind, f: &str) -> &'static str {
    let platform = kind == PayeeKind::Platform;
    match f {
        field::ACCOUNT_NO if platform => COL_PLATFORM_ACCOUNT,
        field::ACCOUNT_NO => COL_ACCOUNT,
        field::ACCOUNT_NO_AGAIN => COL_ACCOUNT_AGAIN,
        field::ACCOUNT_NAME if platform => COL_PLATFORM_NAME,
        field::ACCOUNT_NAME => COL_NAME,
        field::BANK => COL_BANK,
        field::PROVINCE => COL_PROVINCE,
        field::CITY => COL_CITY,
        field::BRANCH => COL_BRANCH,
        field::AMOUNT => COL_AMOUNT,
        field::ORDER_NO => COL_ORDER_NO,
        field::MOBILE => COL_MOBILE,
        field::REMARK => COL_REMARK,
        _ => "",
    }
}

fn other(zh: impl Into<String>, en: impl Into<String>) -> Reason {
    Reason::Other {
        zh: zh.into(),
        en: en.into(),
    }
}

fn reason_of(p: &RowProblem) -> Reason {
    use crate::domain::money::AmountError as A;
    match p {
        RowProblem::Required => Reason::Required,
        RowProblem::Amount(A::Empty) => Reason::Required,
        RowProblem::Amount(A::NotANumber) => Reason::NotANumber,
        RowProblem::Amount(A::TooManyDecimals) => Reason::TooManyDecimals,
        RowProblem::Amount(A::NotPositive) => Reason::NotPositive,
        RowProblem::Amount(A::TooLarge) => Reason::TooLarge,
        RowProblem::IdFormat => other("最多 32 位字母或数字", "at most 32 letters or digits"),
        RowProblem::TooLong(n) => Reason::TooLong(*n),
        RowProblem::TooShort(n) => other(
            format!("至少 {n} 个字符"),
            format!("at least {n} characters"),
        ),
        RowProblem::AccountNotDigits => other("账号只能是数字", "digits only"),
        RowProblem::AccountLength(a, b) => other(
            format!("账号应为 {a}–{b} 位数字"),
            format!("{a} to {b} digits"),
        ),
        RowProblem::AccountMismatch => {
            other("两次输入的账号不一致", "the two account numbers differ")
        }
        RowProblem::UnknownAccount => other("收款账户不存在", "no such platform account"),
        RowProblem::NameMismatch => {
            other("账户名与账号不符", "the name does not match the account")
        }
        RowProblem::ToSelf => other(
            "不能转账给自己",
            "cannot transfer to the paying store itself",
        ),
        RowProblem::UnknownBank => other("不支持的银行", "not a bank of the list"),
        RowProblem::UnknownCity => other("城市不在该省份", "no such city in that province"),
        RowProblem::CreditCard => other("不支持信用卡", "credit cards are not accepted"),
        RowProblem::BinOtherBank(b) => other(
            format!("卡号与开户银行不符（{b}）"),
            format!("the card belongs to another bank ({b})"),
        ),
        RowProblem::BadMobile => other("手机号格式错误", "not a mobile number"),
        RowProblem::NameAllDigits => other("户名不能全是数字", "a name cannot be digits only"),
    }
}

/// Reference data from the database, for the row rules.
struct Refs<'a, 'b>(&'a Db<'b>);

impl Reference for Refs<'_, '_> {
    fn platform_account(&self, account_no: &str) -> Option<(String, Option<i64>)> {
        q::platform_account(self.0, account_no).ok().flatten()
    }
    fn bank(&self, code_or_name: &str) -> Option<String> {
        rq::bank(self.0, code_or_name).ok().flatten().map(|b| b.0)
    }
    fn city(&self, province: &str, city: &str) -> Option<i64> {
        // The one province/city resolution of every bank payee (a failed read: no city, so
        // the row is refused).
        super::payees::resolve_city(self.0, province, city)
            .ok()
            .and_then(|r| r.ok().flatten())
    }
    fn bin(&self, bin: &str) -> Option<(String, String)> {
        rq::bin_bank(self.0, bin).ok().flatten()
    }
}

/// Where the rows come from (limits differ: 1, 5, 999).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// 单笔转账 (X1): one row, order number generated when blank.
    Single,
    /// The on-screen multi-row form: at most 5 rows.
    Form,
    /// A file: at most 999 rows.
    File,
}

/// A transfer as submitted: the rows of one paying store and one payee kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferRequest {
    pub merchant_id: i64,
    pub kind: PayeeKind,
    pub origin: Origin,
    /// Required for a file and the form; generated for a single transfer when `None`.
    pub batch_no: Option<String>,
    pub rows: Vec<RowInput>,
    /// The row numbers to report (a file's own, as Excel shows them); default 1, 2, …
    pub row_nos: Vec<u32>,
    pub file_name: String,
    pub remark: String,
    /// Control totals of the file, when given: 总笔数 and 总金额 (fen).
    pub control_count: Option<usize>,
    pub control_total_fen: Option<i64>,
}

impl TransferRequest {
    pub fn single(merchant_id: i64, kind: PayeeKind, row: RowInput) -> TransferRequest {
        TransferRequest {
            merchant_id,
            kind,
            origin: Origin::Single,
            batch_no: None,
            rows: vec![row],
            row_nos: Vec::new(),
            file_name: String::new(),
            remark: String::new(),
            control_count: None,
            control_total_fen: None,
        }
    }
}

/// Why a transfer was refused; nothing of it was stored.
#[derive(Debug, Clone, PartialEq)]
pub enum TransferError {
    Service(ServiceError),
    Card(CardServiceError),
    /// Not .xlsx or .csv, unreadable, or without data rows.
    File(ImportError),
    /// Every bad row with its reason (row 0: the batch as a whole).
    Rows(Vec<RowError>),
}

impl From<ServiceError> for TransferError {
    fn from(e: ServiceError) -> Self {
        TransferError::Service(e)
    }
}

impl From<crate::store::StoreError> for TransferError {
    fn from(e: crate::store::StoreError) -> Self {
        TransferError::Service(e.into())
    }
}

/// A bad row in the operator's language: `第 3 行 转账金额（元）：金额最多两位小数`.
pub fn row_message(e: &RowError, lang: Lang) -> String {
    let reason = e.reason.message(lang == Lang::Zh);
    let column = column_name(&e.column, lang);
    match (lang, e.row, column.is_empty()) {
        (Lang::Zh, 0, _) => reason,
        (Lang::En, 0, _) => reason,
        (Lang::Zh, r, true) => format!("第 {r} 行：{reason}"),
        (Lang::Zh, r, false) => format!("第 {r} 行 {column}：{reason}"),
        (Lang::En, r, true) => format!("row {r}: {reason}"),
        (Lang::En, r, false) => format!("row {r}, {column}: {reason}"),
    }
}

impl std::fmt::Display for TransferError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TransferError::Service(e) => write!(f, "{e}"),
            TransferError::Card(e) => write!(f, "{e}"),
            TransferError::File(e) => write!(f, "{}", e.message(false)),
            TransferError::Rows(rows) => {
                for (i, r) in rows.iter().enumerate() {
                    if i > 0 {
                        writeln!(f)?;
                    }
                    write!(f, "{}", row_message(r, Lang::En))?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for TransferError {}

/// A batch that passed every check: what the confirmation screen shows before the payment
/// password (商户批次号, 转账笔数, 转账金额, 服务费, 总金额, the rows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    pub merchant_id: i64,
    pub kind: PayeeKind,
    pub batch_no: String,
    pub rows: Vec<(CheckedRow, i64)>,
    pub amount_fen: i64,
    pub fee_fen: i64,
    pub total_fen: i64,
    pub available_fen: i64,
    /// Same account and amount twice in one file: a warning, not an error (row numbers).
    pub duplicate_payees: Vec<(u32, u32)>,
}

fn row_error(row: u32, column: &str, reason: Reason) -> RowError {
    RowError {
        row,
        column: column.to_string(),
        reason,
    }
}

/// Fills a row from the payee contact `id` (F3): its account number in full (typed twice, as
/// it were), and the name, bank, province, city and branch the operator left blank. False when
/// there is no active contact of that kind.
fn from_contact(db: &Db, kind: PayeeKind, id: i64, input: &mut RowInput) -> ServiceResult<bool> {
    use crate::domain::payee::{PayeeKind as Contact, PayeeStatus};
    let Some(p) = crate::store::payees::get(db, id)? else {
        return Ok(false);
    };
    let same_kind = match (p.kind, kind) {
        (Contact::Platform, PayeeKind::Platform) => true,
        (Contact::Bank, k) if k.is_bank() => p.holder_type.is_none() || p.holder_type == k.holder(),
        _ => false,
    };
    if p.status != PayeeStatus::Active || !same_kind {
        return Ok(false);
    }
    let fill = |field: &mut String, value: &str| {
        if field.trim().is_empty() {
            *field = value.to_string();
        }
    };
    input.account_no = p.account_no.clone();
    if input.account_no_again.is_some() {
        input.account_no_again = Some(p.account_no.clone());
    }
    fill(&mut input.account_name, &p.account_name);
    if kind.is_bank() {
        fill(
            &mut input.bank,
            p.bank_code.as_deref().unwrap_or(&p.bank_zh),
        );
        fill(&mut input.province, &p.province_zh);
        fill(&mut input.city, &p.city_zh);
        fill(&mut input.branch, &p.branch);
    }
    Ok(true)
}

/// The available balance of a paying store (the transfer form shows it as the store is chosen).
pub fn available(
    env: &Env,
    session: &Session,
    merchant_id: i64,
) -> ServiceResult<crate::service::views::Available> {
    env.query(
        Who::Operator(session),
        Needs::function(&Function::TransferApply),
        "transfer.available",
        |uc| {
            require_merchant(uc, merchant_id)?;
            available_in(&uc.db(), merchant_id)
        },
    )
}

/// Validates the whole request against the rules and the database; stores nothing.
fn prepare_in(uc: &Uc, req: &TransferRequest) -> Result<Prepared, TransferError> {
    let m = require_merchant(uc, req.merchant_id)?;
    let db = uc.db();
    let max = match req.origin {
        Origin::Single => 1,
        Origin::Form => MAX_FORM_ROWS,
        Origin::File => MAX_FILE_ROWS,
    };
    if req.rows.is_empty() {
        return Err(TransferError::File(ImportError::Empty));
    }
    let row_no = |i: usize| req.row_nos.get(i).copied().unwrap_or(i as u32 + 1);
    if req.rows.len() > max {
        return Err(TransferError::Rows(vec![row_error(
            row_no(max),
            "",
            other(
                format!("超过 {max} 行上限，请分成多个文件"),
                format!("beyond the limit of {max} rows: split the file"),
            ),
        )]));
    }
    if req.remark.chars().count() > MAX_REMARK {
        return Err(ServiceError::Invalid {
            field: "remark",
            problem: Problem::TooLong(MAX_REMARK),
        }
        .into());
    }
    let mut errors: Vec<RowError> = Vec::new();
    let batch_no = match (&req.batch_no, req.origin) {
        (Some(b), _) => {
            let b = b.trim().to_string();
            if b.is_empty() {
                errors.push(row_error(0, COL_BATCH_NO, Reason::Required));
            } else if !is_id(&b) {
                errors.push(row_error(0, COL_BATCH_NO, reason_of(&RowProblem::IdFormat)));
            } else if q::batch_no_exists(&db, m.id, &b)? {
                errors.push(row_error(
                    0,
                    COL_BATCH_NO,
                    other("该批次号已使用过", "this batch number was used before"),
                ));
            }
            b
        }
        (None, Origin::Single) => q::next_single_no(&db, m.id, uc.today)?,
        (None, _) => {
            errors.push(row_error(0, COL_BATCH_NO, Reason::Required));
            String::new()
        }
    };
    let refs = Refs(&db);
    let mut seen_orders: HashMap<String, u32> = HashMap::new();
    let mut seen_payees: HashMap<(String, i64), u32> = HashMap::new();
    let mut duplicate_payees = Vec::new();
    let mut rows = Vec::with_capacity(req.rows.len());
    let avail = available_in(&db, m.id)?;
    let mut running = 0i64;
    for (i, input) in req.rows.iter().enumerate() {
        let r = row_no(i);
        let mut input = input.clone();
        if req.origin == Origin::Single && input.order_no.trim().is_empty() {
            input.order_no = batch_no.clone();
        }
        if let Some(pid) = input.payee_id {
            if !from_contact(&db, req.kind, pid, &mut input)? {
                errors.push(row_error(
                    r,
                    column_of(req.kind, field::ACCOUNT_NO),
                    other(
                        "联系人不存在或类型不符",
                        "no such contact of this payee kind",
                    ),
                ));
                continue;
            }
        }
        // Repeated in the file: the later rows are wrong, whatever else is wrong with them.
        let order = input.order_no.trim().to_string();
        let repeated = match seen_orders.get(&order) {
            Some(first) if !order.is_empty() => {
                errors.push(row_error(r, COL_ORDER_NO, Reason::DuplicateInFile(*first)));
                true
            }
            _ => {
                seen_orders.insert(order, r);
                false
            }
        };
        let checked = match check_row(req.kind, &input, &m.merchant_no, &refs) {
            Ok(c) => c,
            Err(problems) => {
                for (f, p) in problems {
                    errors.push(row_error(r, column_of(req.kind, f), reason_of(&p)));
                }
                continue;
            }
        };
        if repeated {
            continue;
        }
        if q::order_no_exists(&db, m.id, &checked.order_no)? {
            errors.push(row_error(
                r,
                COL_ORDER_NO,
                other("该商户订单号已使用过", "this order number was used before"),
            ));
            continue;
        }
        if req.kind == PayeeKind::Platform {
            if let Some(t) = checked.target_merchant_id {
                // Another store of the group: in the operator's scope too.
                if require_merchant(uc, t).is_err() {
                    errors.push(row_error(
                        r,
                        COL_PLATFORM_ACCOUNT,
                        other(
                            "收款账户不在您的范围内",
                            "the payee store is outside your scope",
                        ),
                    ));
                    continue;
                }
            }
        }
        let key = (checked.account_no.clone(), checked.amount_fen);
        match seen_payees.get(&key) {
            Some(first) => duplicate_payees.push((*first, r)),
            None => {
                seen_payees.insert(key, r);
            }
        }
        let fee = rq::payout_fee(&db, m.id, req.kind.fee_kind())?.of(checked.amount_fen);
        running += checked.amount_fen + fee;
        if running > avail.available_fen
            && errors.iter().all(|e| e.column != COL_AMOUNT || e.row != r)
        {
            errors.push(row_error(
                r,
                COL_AMOUNT,
                other(
                    format!(
                        "余额不足（可用余额 ¥{}，已计入前面各行）",
                        format_fen(avail.available_fen.max(0))
                    ),
                    format!(
                        "insufficient balance (available ¥{}, counting the rows above)",
                        format_fen(avail.available_fen.max(0))
                    ),
                ),
            ));
            // One message for the balance is enough.
            running = i64::MIN / 2;
        }
        rows.push((checked, fee));
    }
    let amount_fen: i64 = rows.iter().map(|(c, _)| c.amount_fen).sum();
    let fee_fen: i64 = rows.iter().map(|(_, f)| *f).sum();
    if let Some(n) = req.control_count {
        if n != req.rows.len() {
            errors.push(row_error(
                0,
                COL_TOTAL_COUNT,
                other(
                    format!("总笔数 {n} 与明细 {} 笔不符", req.rows.len()),
                    format!(
                        "the control count {n} does not match the {} rows",
                        req.rows.len()
                    ),
                ),
            ));
        }
    }
    if let Some(t) = req.control_total_fen {
        if errors.is_empty() && t != amount_fen {
            errors.push(row_error(
                0,
                COL_TOTAL_AMOUNT,
                other(
                    format!(
                        "总金额 {} 与明细合计 {} 不符",
                        format_fen(t),
                        format_fen(amount_fen)
                    ),
                    format!(
                        "the control total {} does not match the rows' {}",
                        format_fen(t),
                        format_fen(amount_fen)
                    ),
                ),
            ));
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.row);
        return Err(TransferError::Rows(errors));
    }
    Ok(Prepared {
        merchant_id: m.id,
        kind: req.kind,
        batch_no,
        rows,
        amount_fen,
        fee_fen,
        total_fen: amount_fen + fee_fen,
        available_fen: avail.available_fen,
        duplicate_payees,
    })
}

/// Validates a transfer without storing anything (「检查银行信息」 and the confirmation screen).
pub fn preview(
    env: &Env,
    session: &Session,
    req: &TransferRequest,
) -> Result<Prepared, TransferError> {
    let mut refused: Option<TransferError> = None;
    let outcome = env.query(
        Who::Operator(session),
        Needs::function(&Function::TransferApply),
        "transfer.preview",
        |uc| match prepare_in(uc, req) {
            // What the confirmation shows: a bank account number masked, as everywhere.
            Ok(mut p) => {
                for (row, _) in &mut p.rows {
                    if row.kind.is_bank() {
                        row.account_no = mask_account_no(&row.account_no);
                    }
                }
                Ok(p)
            }
            Err(TransferError::Service(e)) => Err(e),
            Err(bad) => {
                refused = Some(bad);
                Err(ServiceError::Refused(Rule::BadFile))
            }
        },
    );
    match (outcome, refused) {
        (Err(_), Some(bad)) => Err(bad),
        (outcome, _) => outcome.map_err(TransferError::Service),
    }
}

/// What a stored transfer became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    pub application: ApplicationRow,
    pub batch_id: i64,
    pub batch_no: String,
    pub rows: usize,
    pub amount_fen: i64,
    pub fee_fen: i64,
}

/// Applies for a transfer: validated whole (a bad row stores nothing), then one batch, its rows
/// (初始), one application waiting for review and one hold of amount + fee. Needs the transfer
/// function and the payment password; an applicant with a card bound signs it with the card.
pub fn submit(
    env: &mut Env,
    session: &Session,
    req: &TransferRequest,
    pay_password: &str,
    pin: Option<&str>,
) -> Result<Submitted, TransferError> {
    let env_ref: &Env = env;
    let mut refused: Option<TransferError> = None;
    let mut card_failure: Option<CardServiceError> = None;
    let outcome = env_ref.act(
        Who::Operator(session),
        Needs::function(&Function::TransferApply).paid(pay_password),
        "transfer.apply",
        |uc| {
            let p = match prepare_in(uc, req) {
                Ok(p) => p,
                Err(TransferError::Service(e)) => return Err(e),
                Err(bad) => {
                    refused = Some(bad);
                    return Err(ServiceError::Refused(Rule::BadFile));
                }
            };
            store_in(uc, env_ref, req, &p, pin, &mut card_failure, None)
        },
    );
    match (outcome, refused, card_failure) {
        (Err(_), Some(bad), _) => Err(bad),
        (Err(_), None, Some(card)) => Err(TransferError::Card(card)),
        (outcome, _, _) => outcome.map_err(TransferError::Service),
    }
}

fn store_in(
    uc: &Uc,
    env: &Env,
    req: &TransferRequest,
    p: &Prepared,
    pin: Option<&str>,
    card_failure: &mut Option<CardServiceError>,
    reissue_of: Option<i64>,
) -> ServiceResult<Submitted> {
    let db = uc.db();
    let me = uc.operator()?;
    let single = req.origin == Origin::Single;
    let batch_id = match q::insert_batch(
        &db,
        &NewBatch {
            merchant_id: p.merchant_id,
            batch_no: &p.batch_no,
            single,
            file_name: &req.file_name,
            row_count: p.rows.len() as i64,
            amount_fen: p.amount_fen,
            fee_fen: p.fee_fen,
            remark: req.remark.trim(),
            created_by: me,
            created_ms: uc.now_ms,
        },
    ) {
        Ok(id) => id,
        // Another workstation stored the same batch number first.
        Err(e) if e.kind == crate::store::StoreErrorKind::Constraint => {
            return invalid("batch_no", Problem::Duplicate);
        }
        Err(e) => return Err(e.into()),
    };
    for (i, (c, fee)) in p.rows.iter().enumerate() {
        q::insert_transfer(
            &db,
            &NewTransfer {
                batch_id,
                line_no: i as i64 + 1,
                merchant_id: p.merchant_id,
                order_no: &c.order_no,
                payee_kind: c.kind,
                account_no: &c.account_no,
                account_name: &c.account_name,
                bank_code: c.bank_code.as_deref(),
                city_id: c.city_id,
                branch: &c.branch,
                target_merchant_id: c.target_merchant_id,
                amount_fen: c.amount_fen,
                fee_fen: *fee,
                mobile: &c.mobile,
                remark: &c.remark,
                created_ms: uc.now_ms,
                reissue_of,
            },
        )?;
    }
    let kind = if single {
        ApplicationKind::Transfer
    } else {
        ApplicationKind::TransferBatch
    };
    let payee = if single {
        let c = &p.rows[0].0;
        match (&c.bank_code, c.kind) {
            (Some(b), _) => format!("{b} {} {}", mask_account_no(&c.account_no), c.account_name),
            (None, _) => format!("{} {}", c.account_no, c.account_name),
        }
    } else {
        format!("{} × {}", p.rows.len(), p.kind.code())
    };
    let cmd = command(
        kind,
        &[
            ("merchant_id", p.merchant_id.to_string()),
            ("batch_id", batch_id.to_string()),
            ("batch_no", p.batch_no.clone()),
            ("payee_kind", p.kind.code().to_string()),
            ("rows", p.rows.len().to_string()),
            ("amount_fen", p.amount_fen.to_string()),
            ("fee_fen", p.fee_fen.to_string()),
        ],
    );
    let app = rq::insert_application(
        &db,
        &NewApplication {
            kind,
            ref_table: "transfer_batches",
            ref_id: batch_id,
            merchant_id: p.merchant_id,
            order_no: &p.batch_no,
            amount_fen: p.amount_fen,
            fee_fen: p.fee_fen,
            payee_display: &payee,
            command: &cmd,
            remark: req.remark.trim(),
            maker_id: me,
            made_ms: uc.now_ms,
            expires_ms: expiry_ms(&db, uc.now_ms)?,
            idempotency_key: &format!("transfer:{}:{}", p.merchant_id, p.batch_no),
        },
    )?;
    rq::insert_hold(&db, p.merchant_id, app, p.total_fen, uc.now_ms)?;
    rq::add_event(&db, app, uc.now_ms, Some(me), "applied", req.remark.trim())?;
    uc.audit_change(
        "transfer.apply",
        &format!(
            "transfer_batch#{batch_id} application#{app} batch={}",
            p.batch_no
        ),
        &Fields::new(),
        &Fields::new()
            .int("rows", p.rows.len() as i64)
            .int("amount_fen", p.amount_fen)
            .int("fee_fen", p.fee_fen)
            .text("kind", p.kind.code())
            .text("status", ApplicationStatus::PendingReview.code()),
    )?;
    if card_required_in(&db, me)? {
        let d = Decision {
            kind: kind.code().into(),
            ids: vec![app],
            amounts_fen: vec![p.total_fen],
            operator_id: me,
            operator_login: uc.login().to_string(),
            at_ms: uc.now_ms,
            decision: "apply".into(),
            remark: req.remark.trim().into(),
        };
        let signed = super::signing::approval_of(
            env,
            &db,
            true,
            pin.filter(|p| !p.is_empty()),
            &d,
            card_failure,
        )?;
        rq::set_maker_approval(&db, app, signed)?;
    }
    Ok(Submitted {
        application: rq::application(&db, app)?.ok_or(ServiceError::NotFound)?,
        batch_id,
        batch_no: p.batch_no.clone(),
        rows: p.rows.len(),
        amount_fen: p.amount_fen,
        fee_fen: p.fee_fen,
    })
}

/// Re-issues a failed or returned row (退票) as a new single transfer through review (X4): the
/// same payee and amount checked again against the rules and the balance, a new order number,
/// a new application and hold; the new row names the row it re-issues, so a row is re-issued
/// once. Needs the transfer function and the payment password (and the card when bound).
pub fn reissue(
    env: &mut Env,
    session: &Session,
    transfer_id: i64,
    pay_password: &str,
    pin: Option<&str>,
) -> Result<Submitted, TransferError> {
    let env_ref: &Env = env;
    let mut refused: Option<TransferError> = None;
    let mut card_failure: Option<CardServiceError> = None;
    let outcome = env_ref.act(
        Who::Operator(session),
        Needs::function(&Function::TransferApply).paid(pay_password),
        "transfer.reissue",
        |uc| {
            let db = uc.db();
            let t = q::transfer(&db, transfer_id)?.ok_or(ServiceError::NotFound)?;
            require_merchant(uc, t.merchant_id)?;
            if !t.status.credited_back() {
                return Err(ServiceError::Refused(Rule::NotReissuable));
            }
            if let Some(by) = q::reissued_by(&db, t.id)? {
                return Err(ServiceError::Refused(Rule::AlreadyReissued(by)));
            }
            let (province, city) = match t.city_id {
                Some(c) => q::place_of(&db, c)?.unwrap_or_default(),
                None => Default::default(),
            };
            let row = RowInput {
                account_no: t.account_no.clone(),
                account_no_again: None,
                account_name: t.account_name.clone(),
                bank: t.bank_code.clone().unwrap_or_default(),
                province,
                city,
                branch: t.branch.clone(),
                amount: crate::domain::money::from_fen(t.amount_fen).to_string(),
                order_no: String::new(),
                mobile: t.mobile.clone(),
                remark: t.remark.clone(),
                payee_id: None,
            };
            let mut req = TransferRequest::single(t.merchant_id, t.payee_kind, row);
            req.remark = t.remark.clone();
            let p = match prepare_in(uc, &req) {
                Ok(p) => p,
                Err(TransferError::Service(e)) => return Err(e),
                Err(bad) => {
                    refused = Some(bad);
                    return Err(ServiceError::Refused(Rule::BadFile));
                }
            };
            let sent = store_in(uc, env_ref, &req, &p, pin, &mut card_failure, Some(t.id))?;
            uc.audit_change(
                "transfer.reissue",
                &format!(
                    "transfer#{} batch={} application#{}",
                    t.id, sent.batch_no, sent.application.id
                ),
                &Fields::new().text("status", t.status.code()),
                &Fields::new()
                    .text("reissued_as", &sent.batch_no)
                    .int("amount_fen", t.amount_fen),
            )?;
            Ok(sent)
        },
    );
    match (outcome, refused, card_failure) {
        (Err(_), Some(bad), _) => Err(bad),
        (Err(_), None, Some(card)) => Err(TransferError::Card(card)),
        (outcome, _, _) => outcome.map_err(TransferError::Service),
    }
}

fn move_row(
    db: &Db,
    t: &TransferRow,
    to: TransferStatus,
    at: i64,
    code: Option<&str>,
    text: &str,
) -> ServiceResult<()> {
    if !t.status.may_become_for(to, t.payee_kind)
        || !q::set_status(db, t.id, t.status, to, at, code, text)?
    {
        return Err(ServiceError::Refused(Rule::OutcomeNotApplicable));
    }
    Ok(())
}

/// A transfer application decided (approved, or rejected/cancelled/expired when `approve` is
/// false), inside the decision's transaction (`review::decide`, `review::cancel`, expiry).
pub(crate) fn decided_in(uc: &Uc, a: &ApplicationRow, approve: bool) -> ServiceResult<()> {
    let db = uc.db();
    let batch_id = command_int(&a.command, "batch_id")?;
    let rows = q::rows_of(&db, batch_id)?;
    if !approve {
        for t in &rows {
            move_row(&db, t, TransferStatus::Cancelled, uc.now_ms, None, "")?;
        }
        rq::end_hold(&db, a.id, HoldState::Released, uc.now_ms)?;
        return Ok(());
    }
    if !rq::end_hold(&db, a.id, HoldState::Posted, uc.now_ms)? {
        return Err(ServiceError::Refused(Rule::AlreadyDecided(a.id)));
    }
    for t in &rows {
        move_row(&db, t, TransferStatus::Processing, uc.now_ms, None, "")?;
        settlements::append_ledger(
            &db,
            t.merchant_id,
            uc.now_ms,
            "transfer",
            -t.amount_fen,
            Some("transfers"),
            Some(t.id),
            &t.order_no,
        )?;
        if t.fee_fen > 0 {
            settlements::append_ledger(
                &db,
                t.merchant_id,
                uc.now_ms,
                "fee",
                -t.fee_fen,
                Some("transfers"),
                Some(t.id),
                &t.order_no,
            )?;
        }
        // A store of this group is credited at once.
        if let Some(target) = t.target_merchant_id {
            settlements::append_ledger(
                &db,
                target,
                uc.now_ms,
                "transfer",
                t.amount_fen,
                Some("transfers"),
                Some(t.id),
                &t.order_no,
            )?;
            let mut now = t.clone();
            now.status = TransferStatus::Processing;
            move_row(&db, &now, TransferStatus::Success, uc.now_ms, None, "")?;
        }
    }
    rq::add_event(&db, a.id, uc.now_ms, uc.operator_id(), "processing", "")?;
    Ok(())
}

/// One outcome of the feed for a transfer row (类型 `transfer`, 商户订单号 = the row's order
/// number): 成功, 失败 (credited back) or 退票 (bank rows that succeeded; credited back).
pub(crate) fn outcome_in(uc: &Uc, o: &Outcome) -> ServiceResult<()> {
    let db = uc.db();
    let found = q::by_order_no(&db, o.order_no.trim())?;
    let t = match found.as_slice() {
        [] => return invalid("order_no", Problem::Unknown),
        [t] => t.clone(),
        _ => return invalid("order_no", Problem::Duplicate),
    };
    let at = o.at_ms.unwrap_or(uc.now_ms);
    let (to, code, text) = match o.result {
        OutcomeResult::Success => (TransferStatus::Success, None, String::new()),
        OutcomeResult::Failed | OutcomeResult::Returned => {
            let code = o.reason_code.trim();
            if code.is_empty() {
                return invalid("reason_code", Problem::Required);
            }
            let (zh, _, _) = rq::reason_code(&db, code)?.ok_or(ServiceError::Invalid {
                field: "reason_code",
                problem: Problem::Unknown,
            })?;
            let text = if o.reason_text.trim().is_empty() {
                zh
            } else {
                o.reason_text.trim().to_string()
            };
            let to = if o.result == OutcomeResult::Failed {
                TransferStatus::Failed
            } else {
                TransferStatus::Returned
            };
            (to, Some(code.to_string()), text)
        }
        OutcomeResult::Exception => return Err(ServiceError::Refused(Rule::OutcomeNotApplicable)),
    };
    move_row(&db, &t, to, at, code.as_deref(), &text)?;
    if to.credited_back() {
        let memo = format!("{} {}", t.order_no, code.as_deref().unwrap_or_default());
        settlements::append_ledger(
            &db,
            t.merchant_id,
            uc.now_ms,
            "transfer",
            t.amount_fen,
            Some("transfers"),
            Some(t.id),
            &memo,
        )?;
        if t.fee_fen > 0 {
            settlements::append_ledger(
                &db,
                t.merchant_id,
                uc.now_ms,
                "fee",
                t.fee_fen,
                Some("transfers"),
                Some(t.id),
                &memo,
            )?;
        }
    }
    uc.audit_change(
        "transfer.outcome",
        &format!("transfer#{} order={}", t.id, t.order_no),
        &Fields::new().text("status", t.status.code()),
        &Fields::new()
            .text("status", to.code())
            .text("reason", code.as_deref().unwrap_or_default()),
    )
}

// ---------------------------------------------------------------------------------------------
// Records

/// A batch with its rows and derived status (转账记录, the batch detail).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchView {
    pub batch: BatchRow,
    pub application: ApplicationRow,
    pub status: BatchStatus,
    pub rows: Vec<TransferRow>,
    /// (count, fen) of 成功, 失败 and 退票.
    pub success: (usize, i64),
    pub failed: (usize, i64),
    pub returned: (usize, i64),
}

fn batch_view(db: &Db, b: BatchRow) -> ServiceResult<BatchView> {
    let application =
        rq::application_of(db, "transfer_batches", b.id)?.ok_or(ServiceError::NotFound)?;
    let mut rows = q::rows_of(db, b.id)?;
    // A bank account number leaves the service masked: the records and their exports never
    // hold it whole.
    for r in &mut rows {
        if r.payee_kind.is_bank() {
            r.account_no = mask_account_no(&r.account_no);
        }
    }
    let statuses: Vec<TransferStatus> = rows.iter().map(|r| r.status).collect();
    let sum = |s: TransferStatus| {
        let v: Vec<&TransferRow> = rows.iter().filter(|r| r.status == s).collect();
        (v.len(), v.iter().map(|r| r.amount_fen).sum())
    };
    Ok(BatchView {
        status: BatchStatus::derive(application.status, &statuses),
        success: sum(TransferStatus::Success),
        failed: sum(TransferStatus::Failed),
        returned: sum(TransferStatus::Returned),
        application,
        batch: b,
        rows,
    })
}

/// Who may read the transfer records (the menu offers 转账记录 to them).
pub const READERS: &[Function] = &[
    Function::TransferApply,
    Function::TransferReview,
    Function::ApplicationRecords,
];

/// The transfer batches of a store, newest first (at most 2,000).
pub fn records(env: &Env, session: &Session, merchant_id: i64) -> ServiceResult<Vec<BatchView>> {
    env.query(
        Who::Operator(session),
        Needs::any(READERS),
        "transfer.records",
        |uc| {
            require_merchant(uc, merchant_id)?;
            let db = uc.db();
            q::batches(&db, merchant_id, 2_000)?
                .into_iter()
                .map(|b| batch_view(&db, b))
                .collect()
        },
    )
}

/// The conditions of 转账记录: the paying store, 申请时间 from/to (ms, `to` exclusive), the
/// derived batch status and part of the batch number.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordQuery {
    pub merchant_id: i64,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub status: Option<BatchStatus>,
    pub batch_no: String,
}

/// The batches of a store that meet the conditions, newest first: the time and the batch
/// number chosen in the database (at most 2,000 of them), the status derived from each batch's
/// rows.
pub fn find(env: &Env, session: &Session, q: &RecordQuery) -> ServiceResult<Vec<BatchView>> {
    let keyword = q.batch_no.trim().to_lowercase();
    if keyword.chars().count() > crate::domain::transfer::MAX_ID_LEN {
        return invalid(
            "batch_no",
            Problem::TooLong(crate::domain::transfer::MAX_ID_LEN),
        );
    }
    env.query(
        Who::Operator(session),
        Needs::any(READERS),
        "transfer.records",
        |uc| {
            require_merchant(uc, q.merchant_id)?;
            let db = uc.db();
            let mut v = Vec::new();
            for b in q::batches_matching(&db, q.merchant_id, q.from_ms, q.to_ms, &keyword, 2_000)? {
                let view = batch_view(&db, b)?;
                if q.status.is_none_or(|s| view.status == s) {
                    v.push(view);
                }
            }
            Ok(v)
        },
    )
}

/// One batch with every row.
pub fn batch(env: &Env, session: &Session, batch_id: i64) -> ServiceResult<BatchView> {
    env.query(
        Who::Operator(session),
        Needs::any(READERS),
        "transfer.detail",
        |uc| {
            let db = uc.db();
            let b = q::batch(&db, batch_id)?.ok_or(ServiceError::NotFound)?;
            require_merchant(uc, b.merchant_id)?;
            batch_view(&db, b)
        },
    )
}

/// Adds or renames an account of the platform directory (accounts outside this database).
pub fn set_platform_account(
    env: &mut Env,
    session: &Session,
    account_no: &str,
    name: &str,
) -> ServiceResult<()> {
    let no = account_no.trim();
    let name = name.trim();
    if !is_id(no) {
        return invalid("account_no", Problem::TooLong(32));
    }
    if name.is_empty() || name.chars().count() > 60 {
        return invalid("account_name", Problem::TooLong(60));
    }
    env.act(
        Who::Operator(session),
        Needs::function(&Function::MerchantSettings),
        "transfer.directory",
        |uc| {
            q::upsert_platform_account(&uc.db(), no, name)?;
            uc.audit("transfer.directory", no, "", name)
        },
    )
}

// ---------------------------------------------------------------------------------------------
// Invariants (`check`)

/// What `check` proves of transfers (held applications of the kinds `transfer` and
/// `transfer_batch` are proved here, not by `check_review`, since their ledger lines name the
/// rows): a pending batch holds amount + fee and its rows are 初始; an approved one has its hold
/// posted and no row 初始 or cancelled; an ended one has its hold released and every row
/// cancelled. Every row's ledger lines agree with its status (never paid: none; paid:
/// −(amount + fee); failed or returned: credited back, netting zero), a store of the group got
/// exactly the amount of each paid internal row, and a batch's totals are its rows'.
pub(crate) fn invariants(db: &Db) -> crate::store::SqlResult<Vec<super::check::Invariant>> {
    use super::check::Invariant;
    let mut ledger = Invariant::new(
        "transfer_rows_ledger",
        "every transfer row's ledger lines agree with its status, credited back once",
    );
    let mut review = Invariant::new(
        "transfer_batches_review",
        "a transfer batch's hold, rows and totals agree with its application",
    );
    let mut reissue = Invariant::new(
        "transfer_reissue",
        "a re-issued transfer row failed or came back, and its re-issue pays the same payee the same amount from the same store",
    );
    let every = q::all(db)?;
    let by_id: HashMap<i64, &TransferRow> = every.iter().map(|t| (t.id, t)).collect();
    for t in &every {
        let Some(of) = t.reissue_of else { continue };
        match by_id.get(&of) {
            None => reissue.breach(format!(
                "transfer {} (#{}) re-issues a missing row #{of}",
                t.order_no, t.id
            )),
            Some(o) => {
                if !o.status.credited_back()
                    || o.merchant_id != t.merchant_id
                    || o.amount_fen != t.amount_fen
                    || o.account_no != t.account_no
                    || o.payee_kind != t.payee_kind
                {
                    reissue.breach(format!(
                        "transfer {} (#{}) re-issues {} (#{}, {}) but differs from it",
                        t.order_no,
                        t.id,
                        o.order_no,
                        o.id,
                        o.status.code()
                    ));
                }
            }
        }
    }
    let mut by_batch: HashMap<i64, Vec<TransferRow>> = HashMap::new();
    let sums = q::ledger_sums(db)?;
    let ledger_of = |merchant: i64, row: i64| sums.get(&(merchant, row)).copied().unwrap_or(0);
    for t in every {
        let paid = ledger_of(t.merchant_id, t.id);
        let want = match t.status {
            TransferStatus::Processing | TransferStatus::Success => -(t.amount_fen + t.fee_fen),
            _ => 0,
        };
        if paid != want {
            ledger.breach(format!(
                "transfer {} (#{}): ledger {} where {} needs {}",
                t.order_no,
                t.id,
                format_fen(paid),
                t.status.code(),
                format_fen(want)
            ));
        }
        if let Some(target) = t.target_merchant_id {
            let got = ledger_of(target, t.id);
            let due = if t.status == TransferStatus::Success {
                t.amount_fen
            } else {
                0
            };
            if got != due {
                ledger.breach(format!(
                    "transfer {} (#{}): the payee store got {} where {} is due",
                    t.order_no,
                    t.id,
                    format_fen(got),
                    format_fen(due)
                ));
            }
        }
        by_batch.entry(t.batch_id).or_default().push(t);
    }
    let mut ids: Vec<i64> = by_batch.keys().copied().collect();
    ids.sort_unstable();
    for id in ids {
        let rows = &by_batch[&id];
        let Some(b) = q::batch(db, id)? else {
            review.breach(format!("transfer rows of a missing batch #{id}"));
            continue;
        };
        let amount: i64 = rows.iter().map(|r| r.amount_fen).sum();
        let fee: i64 = rows.iter().map(|r| r.fee_fen).sum();
        if b.row_count != rows.len() as i64 || b.amount_fen != amount || b.fee_fen != fee {
            review.breach(format!(
                "transfer batch {}: totals {}/{}/{} differ from its rows {}/{amount}/{fee}",
                b.batch_no,
                b.row_count,
                b.amount_fen,
                b.fee_fen,
                rows.len()
            ));
        }
        let Some(a) = rq::application_of(db, "transfer_batches", id)? else {
            review.breach(format!("transfer batch {} has no application", b.batch_no));
            continue;
        };
        let hold = rq::hold_of(db, a.id)?;
        let all = |f: &dyn Fn(TransferStatus) -> bool| rows.iter().all(|r| f(r.status));
        let ok = a.amount_fen == amount
            && a.fee_fen == fee
            && match a.status {
                ApplicationStatus::PendingReview => {
                    hold == Some((amount + fee, HoldState::Active))
                        && all(&|s| s == TransferStatus::Init)
                }
                ApplicationStatus::Approved | ApplicationStatus::AutoApproved => {
                    hold == Some((amount + fee, HoldState::Posted))
                        && all(&|s| !matches!(s, TransferStatus::Init | TransferStatus::Cancelled))
                }
                _ => {
                    hold == Some((amount + fee, HoldState::Released))
                        && all(&|s| s == TransferStatus::Cancelled)
                }
            };
        if !ok {
            review.breach(format!(
                "transfer batch {} (application #{}, {}): hold {hold:?}, rows {:?}",
                b.batch_no,
                a.id,
                a.status.code(),
                rows.iter().map(|r| r.status.code()).collect::<Vec<_>>()
            ));
        }
    }
    Ok(vec![ledger, review, reissue])
}

// ---------------------------------------------------------------------------------------------
// Files (X2): the platform and bank templates, .xlsx or .csv (UTF-8 or GBK)

/// The columns of the bank-account template (K §3.4.2.4), in order, and whether required.
pub const BANK_COLUMNS: &[(&str, bool)] = &[
    (COL_BATCH_NO, true),
    (COL_NAME, true),
    (COL_BANK, true),
    (COL_PROVINCE, true),
    (COL_CITY, true),
    (COL_BRANCH, true),
    (COL_ACCOUNT, true),
    (COL_AMOUNT, true),
    (COL_PUBLIC_PRIVATE, true),
    (COL_MOBILE, false),
    (COL_REMARK, false),
    (COL_ORDER_NO, true),
    (COL_TOTAL_COUNT, false),
    (COL_TOTAL_AMOUNT, false),
];

/// The columns of the platform-account template (K §3.4.2.2.2, with the payee name added).
pub const PLATFORM_COLUMNS: &[(&str, bool)] = &[
    (COL_BATCH_NO, true),
    (COL_PLATFORM_ACCOUNT, true),
    (COL_PLATFORM_NAME, true),
    (COL_AMOUNT, true),
    (COL_MOBILE, false),
    (COL_REMARK, false),
    (COL_ORDER_NO, true),
    (COL_TOTAL_COUNT, false),
    (COL_TOTAL_AMOUNT, false),
];

/// Reads a filled template into a request: the kind from its header (a 对公对私 column: bank
/// accounts, else platform accounts); every row's 商户批次号 the same.
pub fn read_file(path: &Path, merchant_id: i64) -> Result<TransferRequest, TransferError> {
    use crate::excel::import::{
        cell_id, cell_text, find_columns, read_table_upto_except, Expected,
    };
    let table = read_table_upto_except(path, MAX_FILE_ROWS, REFERENCE_SHEETS)
        .map_err(TransferError::File)?;
    let header: Vec<String> = table
        .header
        .cells
        .iter()
        .map(|c| cell_text(c).trim().to_string())
        .collect();
    let bank = header.iter().any(|h| {
        let h = h.trim_start_matches(['*', '＊']).trim();
        h == COL_PUBLIC_PRIVATE || h.eq_ignore_ascii_case("Public/private")
    });
    let names: &[(&str, bool)] = if bank { BANK_COLUMNS } else { PLATFORM_COLUMNS };
    let expected: Vec<Expected> = names
        .iter()
        .map(|(name, required)| Expected {
            name,
            accepted: COLUMN_WORDS
                .iter()
                .find(|(z, _)| z == name)
                .map(|(_, e)| std::slice::from_ref(e))
                .unwrap_or(&[]),
            required: *required,
        })
        .collect();
    let cols = find_columns(&table.header, &expected).map_err(TransferError::Rows)?;
    if table.rows.is_empty() {
        return Err(TransferError::File(ImportError::Empty));
    }
    let idx = |name: &str| {
        expected
            .iter()
            .position(|e| e.name == name)
            .and_then(|i| cols[i])
    };
    let mut errors = Vec::new();
    let mut batch_no: Option<(u32, String)> = None;
    let mut kind = if bank {
        None
    } else {
        Some(PayeeKind::Platform)
    };
    let mut rows = Vec::new();
    let mut row_nos = Vec::new();
    let mut control_count: Option<(u32, usize)> = None;
    let mut control_total: Option<(u32, i64)> = None;
    for r in &table.rows {
        if let Some(c) = idx(COL_TOTAL_COUNT).map(|i| r.cell(i)) {
            match cell_id(c) {
                Ok(v) => match v.parse::<usize>() {
                    Ok(n) => match control_count {
                        None => control_count = Some((r.row_no, n)),
                        Some((_, m)) if m == n => {}
                        Some((first, _)) => errors.push(row_error(
                            r.row_no,
                            COL_TOTAL_COUNT,
                            other(
                                format!("与第 {first} 行的总笔数不同"),
                                format!("differs from the total count of row {first}"),
                            ),
                        )),
                    },
                    Err(_) => errors.push(row_error(r.row_no, COL_TOTAL_COUNT, Reason::NotANumber)),
                },
                Err(Reason::Required) => {}
                Err(reason) => errors.push(row_error(r.row_no, COL_TOTAL_COUNT, reason)),
            }
        }
        if let Some(c) = idx(COL_TOTAL_AMOUNT).map(|i| r.cell(i)) {
            match crate::excel::import::cell_money(c) {
                Ok(fen) => match control_total {
                    None => control_total = Some((r.row_no, fen)),
                    Some((_, t)) if t == fen => {}
                    Some((first, _)) => errors.push(row_error(
                        r.row_no,
                        COL_TOTAL_AMOUNT,
                        other(
                            format!("与第 {first} 行的总金额不同"),
                            format!("differs from the total amount of row {first}"),
                        ),
                    )),
                },
                Err(Reason::Required) => {}
                Err(reason) => errors.push(row_error(r.row_no, COL_TOTAL_AMOUNT, reason)),
            }
        }
        let text = |name: &str| idx(name).map(|i| cell_text(r.cell(i))).unwrap_or_default();
        match idx(COL_BATCH_NO).map(|i| cell_id(r.cell(i))) {
            Some(Ok(b)) => match &batch_no {
                None => batch_no = Some((r.row_no, b)),
                Some((first, v)) if *v != b => errors.push(row_error(
                    r.row_no,
                    COL_BATCH_NO,
                    other(
                        format!("与第 {first} 行的批次号不同：一个文件只能有一个批次号"),
                        format!("differs from row {first}: a file holds one batch number"),
                    ),
                )),
                Some(_) => {}
            },
            Some(Err(reason)) => errors.push(row_error(r.row_no, COL_BATCH_NO, reason)),
            None => {}
        }
        // Identifiers read as Excel kept them; amounts through the one money parser.
        let id_text = |name: &str, errors: &mut Vec<RowError>| -> String {
            match idx(name).map(|i| cell_id(r.cell(i))) {
                Some(Ok(s)) => s,
                Some(Err(Reason::Required)) | None => String::new(),
                Some(Err(reason)) => {
                    errors.push(row_error(r.row_no, name, reason));
                    String::new()
                }
            }
        };
        let amount = match idx(COL_AMOUNT).map(|i| r.cell(i)) {
            Some(c) => match crate::excel::import::cell_money(c) {
                Ok(fen) => crate::domain::money::from_fen(fen).to_string(),
                Err(Reason::Required) => String::new(),
                Err(reason) => {
                    errors.push(row_error(r.row_no, COL_AMOUNT, reason));
                    String::new()
                }
            },
            None => String::new(),
        };
        let (account_col, name_col) = if bank {
            (COL_ACCOUNT, COL_NAME)
        } else {
            (COL_PLATFORM_ACCOUNT, COL_PLATFORM_NAME)
        };
        if bank {
            match PayeeKind::from_public_private(&text(COL_PUBLIC_PRIVATE)) {
                Some(k) if kind.is_none() => kind = Some(k),
                Some(k) if kind == Some(k) => {}
                Some(_) => errors.push(row_error(
                    r.row_no,
                    COL_PUBLIC_PRIVATE,
                    other(
                        "一个文件只能全部对公或全部对私",
                        "a file holds either public or private accounts",
                    ),
                )),
                None => errors.push(row_error(
                    r.row_no,
                    COL_PUBLIC_PRIVATE,
                    other("应为 对公 或 对私", "must be 对公 or 对私"),
                )),
            }
        }
        rows.push(RowInput {
            account_no: id_text(account_col, &mut errors),
            account_no_again: None,
            account_name: text(name_col),
            bank: text(COL_BANK),
            province: text(COL_PROVINCE),
            city: text(COL_CITY),
            branch: text(COL_BRANCH),
            amount,
            order_no: id_text(COL_ORDER_NO, &mut errors),
            mobile: id_text(COL_MOBILE, &mut errors),
            remark: text(COL_REMARK),
            payee_id: None,
        });
        row_nos.push(r.row_no);
    }
    if !errors.is_empty() {
        return Err(TransferError::Rows(errors));
    }
    Ok(TransferRequest {
        merchant_id,
        kind: kind.unwrap_or(PayeeKind::BankPersonal),
        origin: Origin::File,
        batch_no: batch_no.map(|b| b.1),
        rows,
        row_nos,
        file_name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        remark: String::new(),
        control_count: control_count.map(|c| c.1),
        control_total_fen: control_total.map(|c| c.1),
    })
}

/// Reads and submits a file (the command line and the upload screen). A file with any bad
/// row — in its cells or against the rules and the database — stores nothing and lists every
/// bad row (the cells first: a file whose cells are wrong is not checked against the rules).
pub fn import_file(
    env: &mut Env,
    session: &Session,
    merchant_id: i64,
    path: &Path,
    pay_password: &str,
    pin: Option<&str>,
) -> Result<Submitted, TransferError> {
    let req = read_file(path, merchant_id)?;
    submit(env, session, &req, pay_password, pin)
}

/// Writes the bank-account (`bank`) or platform-account template in `lang`: required columns
/// marked `*` (the import ignores the mark and accepts either language), one example row,
/// identifier columns formatted as text. A path without .xlsx gets it; returns the path.
pub fn write_template(
    path: &Path,
    bank: bool,
    lang: Lang,
) -> Result<std::path::PathBuf, crate::excel::export::ExportError> {
    use crate::excel::import::TemplateColumn;
    let path = match path.extension() {
        Some(e) if e.eq_ignore_ascii_case("xlsx") => path.to_path_buf(),
        _ => {
            let mut p = path.as_os_str().to_owned();
            p.push(".xlsx");
            std::path::PathBuf::from(p)
        }
    };
    let example = |zh: &str| -> &'static str {
        match zh {
            COL_BATCH_NO => "PL20261123001",
            COL_PLATFORM_ACCOUNT => "104310058120002",
            COL_PLATFORM_NAME => "鑫源百货徐家汇店",
            COL_NAME => "张三",
            COL_BANK => "工商银行",
            COL_PROVINCE => "四川省",
            COL_CITY => "成都市",
            COL_BRANCH => "工商银行成都高新支行",
            COL_ACCOUNT => "6222021001123456",
            COL_AMOUNT => "12.34",
            COL_PUBLIC_PRIVATE => "对私",
            COL_ORDER_NO => "ZZ202611230001",
            COL_TOTAL_COUNT => "1",
            COL_TOTAL_AMOUNT => "12.34",
            _ => "",
        }
    };
    let names: &[(&str, bool)] = if bank { BANK_COLUMNS } else { PLATFORM_COLUMNS };
    let headers: Vec<String> = names
        .iter()
        .map(|(zh, req)| {
            let h = column_name(zh, lang);
            if *req {
                format!("*{h}")
            } else {
                h
            }
        })
        .collect();
    let cols: Vec<TemplateColumn> = names
        .iter()
        .zip(&headers)
        .map(|((zh, _), h)| TemplateColumn {
            header: h,
            text: *zh != COL_AMOUNT && *zh != COL_TOTAL_AMOUNT,
            example: example(zh),
            width: 0.0,
        })
        .collect();
    let sheet = match (bank, lang) {
        (true, Lang::Zh) => "批量转账到银行账户",
        (true, Lang::En) => "Transfer to bank accounts",
        (false, Lang::Zh) => "批量转账到平台账户",
        (false, Lang::En) => "Transfer to platform accounts",
    };
    // The reference sheet: the template's version, what the columns accept, the banks.
    let words = |zh: &str, en: &str| match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => en.to_string(),
    };
    let mut rows = vec![
        vec![words("模板版本", "Template version"), TEMPLATE_VERSION.to_string()],
        vec![words(
            "带 * 的列必填；一个文件一个批次号，最多 999 行；总笔数、总金额可不填，填了须与明细相符",
            "Columns marked * are required; one batch number a file, at most 999 rows; total count and total amount are optional, and must match the rows when given",
        )],
        Vec::new(),
    ];
    if bank {
        rows.push(vec![words(
            "可选银行（收款开户银行填名称或代码）",
            "Accepted banks (name or code)",
        )]);
        rows.push(vec![
            words("代码", "Code"),
            words("名称", "Name"),
            words("英文名称", "English name"),
        ]);
        rows.extend(
            crate::store::reference::bank_list()
                .into_iter()
                .map(|(code, zh, en)| vec![code, zh, en]),
        );
        rows.push(Vec::new());
        rows.push(vec![
            words("对公对私", "Public/private"),
            words("对公 或 对私", "对公 or 对私"),
        ]);
    }
    let reference = crate::excel::import::ReferenceSheet {
        name: match lang {
            Lang::Zh => REFERENCE_SHEETS[0],
            Lang::En => REFERENCE_SHEETS[1],
        },
        rows,
    };
    crate::excel::import::write_template_with(&path, sheet, &cols, Some(&reference))?;
    Ok(path)
}
