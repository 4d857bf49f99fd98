//! Payee contacts 联系人 (A5, spec/money-out.md §5, K §3.3.2): platform accounts (a store of
//! this group, by its merchant number: the name is looked up, not typed) and bank accounts
//! (name, bank, province and city, branch, the number typed twice, 对公/对私, mobile, remark),
//! added one at a time or from the contact template (K §3.3.2.2.2) with every row checked. The
//! number is stored in full and shown masked; the full number only after the payment password,
//! and that reveal is audited. Contacts belong to the group, not to an operator.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::domain::audit::Fields;
use crate::domain::function::Function;
use crate::domain::lang::{Lang, T};
use crate::domain::payee::{self as d, PayeeKind};
use crate::domain::review::{check_account_no, mask_account_no, AccountNoProblem, HolderType};
use crate::excel::export::ExportError;
use crate::excel::import::{
    cell_id, cell_text, duplicates_in_file, find_columns, read_table_upto, Expected, Reason,
    RowError, TemplateColumn,
};
use crate::store::payees::{self as q, NewPayee, PayeeRow};
use crate::store::{merchants, review as rq, Db};

use super::batch_refund::BatchError;
use super::error::{invalid, Problem, Rule};
use super::kernel::{Needs, Uc, Who};
use super::{Env, ServiceError, ServiceResult, Session};

/// A payee as screens see it: the number masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayeeView {
    pub id: i64,
    pub kind: PayeeKind,
    pub account_name: String,
    /// `*****0771` for a bank account; a platform account (a merchant number) shows in full.
    pub account: String,
    pub holder_type: Option<HolderType>,
    pub bank_zh: String,
    pub bank_en: String,
    pub province_zh: String,
    pub province_en: String,
    pub city_zh: String,
    pub city_en: String,
    pub branch: String,
    pub mobile: String,
    pub remark: String,
    pub added_ms: i64,
    pub last_used_ms: Option<i64>,
    pub use_count: i64,
}

fn view(p: &PayeeRow) -> PayeeView {
    PayeeView {
        id: p.id,
        kind: p.kind,
        account_name: p.account_name.clone(),
        account: match p.kind {
            PayeeKind::Bank => mask_account_no(&p.account_no),
            PayeeKind::Platform => p.account_no.clone(),
        },
        holder_type: p.holder_type,
        bank_zh: p.bank_zh.clone(),
        bank_en: p.bank_en.clone(),
        province_zh: p.province_zh.clone(),
        province_en: p.province_en.clone(),
        city_zh: p.city_zh.clone(),
        city_en: p.city_en.clone(),
        branch: p.branch.clone(),
        mobile: p.mobile.clone(),
        remark: p.remark.clone(),
        added_ms: p.added_ms,
        last_used_ms: p.last_used_ms,
        use_count: p.use_count,
    }
}

/// What the add form sends. A platform payee needs only `account_no` (a merchant number of
/// this group) and optionally a remark.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PayeeInput {
    pub kind: Option<PayeeKind>,
    pub account_name: String,
    pub holder_type: Option<HolderType>,
    pub bank: String,
    pub province: String,
    pub city: String,
    pub branch: String,
    pub account_no: String,
    pub account_no_again: String,
    pub mobile: String,
    pub remark: String,
    pub pay_password: String,
}

/// A bank payee's fields as typed or read from a file row.
struct Raw<'a> {
    account_name: &'a str,
    holder_type: Option<HolderType>,
    bank: &'a str,
    province: &'a str,
    city: &'a str,
    branch: &'a str,
    account_no: &'a str,
    mobile: &'a str,
    remark: &'a str,
}

/// A bank payee that passed every check.
struct Checked {
    account_name: String,
    holder_type: HolderType,
    bank_code: String,
    city_id: i64,
    branch: String,
    account_no: String,
    mobile: String,
    remark: String,
}

fn account_problem(p: AccountNoProblem) -> Problem {
    match p {
        AccountNoProblem::Empty => Problem::Required,
        AccountNoProblem::NotDigits => Problem::NotDigits,
        AccountNoProblem::Length(a, b) => Problem::AccountLength(a, b),
    }
}

/// Every rule of §1.7 over a bank payee, each problem with its field; all of them, so a file
/// row lists everything wrong with it at once.
fn check_bank(db: &Db, raw: &Raw) -> ServiceResult<Result<Checked, Vec<(&'static str, Problem)>>> {
    let mut bad: Vec<(&'static str, Problem)> = Vec::new();
    let name = raw.account_name.trim();
    let n = name.chars().count();
    if n == 0 {
        bad.push(("account_name", Problem::Required));
    } else if n > d::MAX_NAME {
        bad.push(("account_name", Problem::TooLong(d::MAX_NAME)));
    } else if !d::name_has_letters(name) {
        bad.push(("account_name", Problem::NoLetters));
    }
    let bank = match raw.bank.trim() {
        "" => {
            bad.push(("bank", Problem::Required));
            None
        }
        b => match q::bank(db, b)? {
            Some(found) => Some(found),
            None => {
                bad.push(("bank", Problem::Unknown));
                None
            }
        },
    };
    let province = raw.province.trim();
    let city = raw.city.trim();
    let mut city_id = None;
    if province.is_empty() {
        bad.push(("province", Problem::Required));
    } else if city.is_empty() {
        bad.push(("city", Problem::Required));
    }
    if !province.is_empty() {
        match resolve_city(db, province, city)? {
            Ok(id) => city_id = id,
            Err(problem) => bad.push(problem),
        }
    }
    let branch = raw.branch.trim();
    let nb = branch.chars().count();
    if nb == 0 {
        bad.push(("branch", Problem::Required));
    } else if nb < d::MIN_BRANCH {
        bad.push(("branch", Problem::TooShort(d::MIN_BRANCH)));
    } else if nb > d::MAX_BRANCH {
        bad.push(("branch", Problem::TooLong(d::MAX_BRANCH)));
    }
    let holder = raw.holder_type.unwrap_or(HolderType::Personal);
    let digits = match check_account_no(raw.account_no, holder) {
        Ok(digits) => Some(digits),
        Err(p) => {
            bad.push(("account_no", account_problem(p)));
            None
        }
    };
    if let (Some(digits), Some((bank_code, _, _))) = (&digits, &bank) {
        if holder == HolderType::Personal {
            if let Some((bin_bank, _)) = rq::bin_bank(db, &digits[..6])? {
                if &bin_bank != bank_code {
                    let (_, zh, en) = q::bank(db, &bin_bank)?.unwrap_or_default();
                    bad.push(("account_no", Problem::BinOtherBank(zh, en)));
                }
            }
        }
    }
    let mobile = raw.mobile.trim();
    if !mobile.is_empty() && !d::is_mobile(mobile) {
        bad.push(("mobile", Problem::BadMobile));
    }
    let remark = raw.remark.trim();
    if remark.chars().count() > d::MAX_REMARK {
        bad.push(("remark", Problem::TooLong(d::MAX_REMARK)));
    }
    if !bad.is_empty() {
        return Ok(Err(bad));
    }
    let (Some(digits), Some((bank_code, _, _)), Some(city_id)) = (digits, bank, city_id) else {
        return Ok(Err(vec![("account_no", Problem::Required)]));
    };
    Ok(Ok(Checked {
        account_name: name.to_string(),
        holder_type: holder,
        bank_code,
        city_id,
        branch: branch.to_string(),
        account_no: digits,
        mobile: mobile.to_string(),
        remark: remark.to_string(),
    }))
}

fn insert_checked(uc: &Uc, c: &Checked) -> ServiceResult<i64> {
    let db = uc.db();
    let id = q::insert(
        &db,
        &NewPayee {
            kind: PayeeKind::Bank,
            account_name: &c.account_name,
            account_no: &c.account_no,
            holder_type: Some(c.holder_type),
            bank_code: Some(&c.bank_code),
            city_id: Some(c.city_id),
            branch: &c.branch,
            mobile: &c.mobile,
            remark: &c.remark,
            added_by: uc.operator()?,
            added_ms: uc.now_ms,
        },
    )?;
    Ok(id)
}

fn room_for(db: &Db, more: usize) -> ServiceResult<()> {
    let n = q::active_count(db)? as usize;
    if n + more > d::MAX_PAYEES {
        return Err(ServiceError::Refused(Rule::TooManyPayees(d::MAX_PAYEES)));
    }
    Ok(())
}

/// The active payees of a kind, oldest first; `keyword` matches the name, the remark or the
/// account's last four.
pub fn list(
    env: &Env,
    session: &Session,
    kind: PayeeKind,
    keyword: &str,
) -> ServiceResult<Vec<PayeeView>> {
    env.query(
        Who::Operator(session),
        Needs::function(&Function::ContactManage),
        "payee.list",
        |uc| Ok(q::list(&uc.db(), kind, keyword)?.iter().map(view).collect()),
    )
}

/// The group's store that a platform account number names: (name, English name).
pub fn platform_name(env: &Env, session: &Session, merchant_no: &str) -> ServiceResult<String> {
    env.query(
        Who::Operator(session),
        Needs::function(&Function::ContactManage),
        "payee.lookup",
        |uc| Ok(platform_store(&uc.db(), merchant_no)?.name),
    )
}

fn platform_store(db: &Db, merchant_no: &str) -> ServiceResult<merchants::MerchantRow> {
    let no = merchant_no.trim();
    if no.is_empty() {
        return invalid("account_no", Problem::Required);
    }
    if !no.bytes().all(|b| b.is_ascii_digit()) {
        return invalid("account_no", Problem::NotDigits);
    }
    if no.len() != 15 {
        return invalid("account_no", Problem::Length(15));
    }
    merchants::all(db)?
        .into_iter()
        .find(|m| m.merchant_no == no)
        .ok_or(ServiceError::Invalid {
            field: "account_no",
            problem: Problem::Unknown,
        })
}

/// Adds one payee with the payment password. A bank payee: every field checked (§1.7: the
/// number's digits and length for its holder type, typed twice, a personal card's BIN naming
/// the bank chosen, the city in its province, the branch, mobile and remark), and no active
/// contact with the same number. A platform payee: a store of this group by its merchant
/// number; its name is the store's.
pub fn add(env: &mut Env, session: &Session, input: &PayeeInput) -> ServiceResult<PayeeView> {
    let kind = input.kind.ok_or(ServiceError::Invalid {
        field: "kind",
        problem: Problem::Required,
    })?;
    env.act(
        Who::Operator(session),
        Needs::function(&Function::ContactManage).paid(&input.pay_password),
        "payee.add",
        |uc| {
            let db = uc.db();
            let id = match kind {
                PayeeKind::Platform => {
                    let m = platform_store(&db, &input.account_no)?;
                    let remark = input.remark.trim();
                    if remark.chars().count() > d::MAX_REMARK {
                        return invalid("remark", Problem::TooLong(d::MAX_REMARK));
                    }
                    if q::exists(&db, kind, &m.merchant_no)? {
                        return invalid("account_no", Problem::PayeeExists);
                    }
                    room_for(&db, 1)?;
                    q::insert(
                        &db,
                        &NewPayee {
                            kind,
                            account_name: &m.name,
                            account_no: &m.merchant_no,
                            holder_type: None,
                            bank_code: None,
                            city_id: None,
                            branch: "",
                            mobile: "",
                            remark,
                            added_by: uc.operator()?,
                            added_ms: uc.now_ms,
                        },
                    )?
                }
                PayeeKind::Bank => {
                    let raw = Raw {
                        account_name: &input.account_name,
                        holder_type: input.holder_type,
                        bank: &input.bank,
                        province: &input.province,
                        city: &input.city,
                        branch: &input.branch,
                        account_no: &input.account_no,
                        mobile: &input.mobile,
                        remark: &input.remark,
                    };
                    let c = match check_bank(&db, &raw)? {
                        Ok(c) => c,
                        Err(bad) => {
                            let (field, problem) = bad.into_iter().next().expect("a problem");
                            return invalid(field, problem);
                        }
                    };
                    let again: String = input
                        .account_no_again
                        .chars()
                        .filter(|c| !c.is_whitespace())
                        .collect();
                    if again != c.account_no {
                        return invalid("account_no_again", Problem::Mismatch);
                    }
                    if q::exists(&db, kind, &c.account_no)? {
                        return invalid("account_no", Problem::PayeeExists);
                    }
                    room_for(&db, 1)?;
                    insert_checked(uc, &c)?
                }
            };
            let row = q::get(&db, id)?.ok_or(ServiceError::NotFound)?;
            let v = view(&row);
            uc.audit_change(
                "payee.add",
                &format!("payee#{id}"),
                &Fields::new(),
                &Fields::new()
                    .text("kind", kind.code())
                    .text("name", &v.account_name)
                    .text("account", &v.account),
            )?;
            Ok(v)
        },
    )
}

/// Deletes a payee (softly: history keeps it), with the payment password.
pub fn delete(env: &mut Env, session: &Session, id: i64, pay_password: &str) -> ServiceResult<()> {
    env.act(
        Who::Operator(session),
        Needs::function(&Function::ContactManage).paid(pay_password),
        "payee.delete",
        |uc| {
            let db = uc.db();
            let p = q::get(&db, id)?.ok_or(ServiceError::NotFound)?;
            if !q::delete(&db, id, uc.now_ms)? {
                return Err(ServiceError::NotFound);
            }
            uc.audit_change(
                "payee.delete",
                &format!("payee#{id}"),
                &Fields::new()
                    .text("status", "active")
                    .text("name", &p.account_name)
                    .text("account", &view(&p).account),
                &Fields::new().text("status", "deleted"),
            )
        },
    )
}

/// The full account number of a payee, after the payment password; the reveal is audited.
pub fn reveal(
    env: &mut Env,
    session: &Session,
    id: i64,
    pay_password: &str,
) -> ServiceResult<String> {
    env.act(
        Who::Operator(session),
        Needs::function(&Function::ContactManage).paid(pay_password),
        "payee.reveal",
        |uc| {
            let p = q::get(&uc.db(), id)?.ok_or(ServiceError::NotFound)?;
            uc.audit(
                "payee.reveal",
                &format!("payee#{id}"),
                "",
                &mask_account_no(&p.account_no),
            )?;
            Ok(p.account_no)
        },
    )
}

// ---------------------------------------------------------------------------------------------
// The contact file (K §3.3.2.2.2)

/// What a good contact file became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    pub file_name: String,
    pub rows: usize,
    pub ids: Vec<i64>,
}

fn expected() -> [Expected<'static>; 9] {
    [
        Expected {
            name: d::COL_NAME.0,
            accepted: &["收款开户名", "开户名", "户名", "Account name", "Name"],
            required: true,
        },
        Expected {
            name: d::COL_BANK.0,
            accepted: &["收款开户银行", "开户银行", "Bank"],
            required: true,
        },
        Expected {
            name: d::COL_PROVINCE.0,
            accepted: &["收款银行所在省份", "省份", "Province"],
            required: true,
        },
        Expected {
            name: d::COL_CITY.0,
            accepted: &["收款银行所在市", "收款银行所在城市", "城市", "City"],
            required: true,
        },
        Expected {
            name: d::COL_BRANCH.0,
            accepted: &["收款银行名称", "开户支行", "支行名称", "Branch"],
            required: true,
        },
        Expected {
            name: d::COL_ACCOUNT_NO.0,
            accepted: &[
                "收款银行帐号",
                "收款银行账号",
                "银行账号",
                "银行帐号",
                "Account no.",
                "Account number",
            ],
            required: true,
        },
        Expected {
            name: d::COL_REMARK.0,
            accepted: &["备注", "Remark", "Remarks"],
            required: false,
        },
        Expected {
            name: d::COL_HOLDER.0,
            accepted: &["对公对私", "Company / personal", "Company/personal"],
            required: false,
        },
        Expected {
            name: d::COL_MOBILE.0,
            accepted: &["收款人联系手机", "手机", "Mobile"],
            required: false,
        },
    ]
}

/// Writes the contact template for `lang` (both languages' headers are accepted on import). A
/// path without .xlsx gets it; returns the path written.
pub fn write_template(path: &Path, lang: Lang) -> Result<PathBuf, ExportError> {
    let path = match path.extension() {
        Some(e) if e.eq_ignore_ascii_case("xlsx") => path.to_path_buf(),
        _ => {
            let mut p = path.as_os_str().to_owned();
            p.push(".xlsx");
            PathBuf::from(p)
        }
    };
    let col = |t: T, text: bool, example: &'static str, width: f64| TemplateColumn {
        header: t.get(lang),
        text,
        example,
        width,
    };
    let cols = [
        col(d::COL_NAME, true, "张三", 16.0),
        col(d::COL_BANK, true, "工商银行", 14.0),
        col(d::COL_PROVINCE, true, "上海市", 14.0),
        col(d::COL_CITY, true, "上海市", 14.0),
        col(d::COL_BRANCH, true, "工商银行上海徐汇支行", 26.0),
        col(d::COL_ACCOUNT_NO, true, "6222021234567890128", 24.0),
        col(d::COL_REMARK, true, "", 20.0),
        col(d::COL_HOLDER, true, "对私", 10.0),
        col(d::COL_MOBILE, true, "", 14.0),
    ];
    crate::excel::import::write_template(&path, d::TEMPLATE_SHEET.get(lang), &cols)?;
    Ok(path)
}

fn column_of(field: &str) -> T {
    match field {
        "account_name" => d::COL_NAME,
        "bank" => d::COL_BANK,
        "province" => d::COL_PROVINCE,
        "city" => d::COL_CITY,
        "branch" => d::COL_BRANCH,
        "mobile" => d::COL_MOBILE,
        "remark" => d::COL_REMARK,
        "holder_type" => d::COL_HOLDER,
        _ => d::COL_ACCOUNT_NO,
    }
}

fn words(t: T) -> Reason {
    Reason::Other {
        zh: t.0.to_string(),
        en: t.1.to_string(),
    }
}

/// A field's problem as a file row's reason.
fn reason_of(field: &str, p: &Problem) -> Reason {
    let with = |t: T, pairs: &[(&str, String)]| {
        let (mut zh, mut en) = (t.0.to_string(), t.1.to_string());
        for (k, v) in pairs {
            zh = zh.replace(k, v);
            en = en.replace(k, v);
        }
        Reason::Other { zh, en }
    };
    match p {
        Problem::Required => Reason::Required,
        Problem::TooLong(n) => Reason::TooLong(*n),
        Problem::TooShort(n) => with(d::R_TOO_SHORT, &[("{n}", n.to_string())]),
        Problem::Unknown => words(match field {
            "bank" => d::R_UNKNOWN_BANK,
            "province" => d::R_UNKNOWN_PROVINCE,
            _ => d::R_UNKNOWN_CITY,
        }),
        Problem::CityNotInProvince(p, zh, en) => Reason::Other {
            zh: d::R_CITY_NOT_IN_PROVINCE
                .0
                .replace("{p}", p)
                .replace("{q}", zh),
            en: d::R_CITY_NOT_IN_PROVINCE
                .1
                .replace("{p}", p)
                .replace("{q}", en),
        },
        Problem::NotDigits => words(d::R_NOT_DIGITS),
        Problem::AccountLength(a, b) => with(
            d::R_ACCOUNT_LENGTH,
            &[("{a}", a.to_string()), ("{b}", b.to_string())],
        ),
        Problem::BinOtherBank(zh, en) => Reason::Other {
            zh: d::R_BIN_OTHER_BANK.0.replace("{b}", zh),
            en: d::R_BIN_OTHER_BANK.1.replace("{b}", en),
        },
        Problem::NoLetters => words(d::R_NO_LETTERS),
        Problem::BadMobile => words(d::R_BAD_MOBILE),
        Problem::PayeeExists => words(d::R_EXISTS),
        other => Reason::Other {
            zh: format!("{other:?}"),
            en: format!("{other:?}"),
        },
    }
}

/// Imports a filled contact template (K §3.3.2.2.2) with the payment password: every row is
/// checked as a single bank payee is (§1.7), a number twice in the file or already a contact is
/// refused, and a file with any bad row is refused whole with every bad row and its reason;
/// nothing of it is stored. Hidden sheets are never read; a bad file is refused as the batch
/// refund import refuses one.
pub fn import(
    env: &mut Env,
    session: &Session,
    path: &Path,
    pay_password: &str,
) -> Result<ImportSummary, BatchError> {
    let mut refused: Option<BatchError> = None;
    let outcome = env.act(
        Who::Operator(session),
        Needs::function(&Function::ContactManage).paid(pay_password),
        "payee.import",
        |uc| match import_in(uc, path) {
            Ok(s) => Ok(s),
            Err(BatchError::Service(e)) => Err(e),
            Err(bad) => {
                refused = Some(bad);
                Err(ServiceError::Refused(Rule::BadFile))
            }
        },
    );
    match (outcome, refused) {
        (Err(_), Some(bad)) => Err(bad),
        (outcome, _) => outcome.map_err(BatchError::Service),
    }
}

fn import_in(uc: &Uc, path: &Path) -> Result<ImportSummary, BatchError> {
    let table = read_table_upto(path, d::MAX_ROWS).map_err(BatchError::File)?;
    if table.rows.len() > d::MAX_ROWS {
        return Err(BatchError::Rows(vec![RowError {
            row: table.rows[d::MAX_ROWS].row_no,
            column: String::new(),
            reason: Reason::Other {
                zh: d::R_TOO_MANY_ROWS
                    .0
                    .replace("{max}", &d::MAX_ROWS.to_string())
                    .replace("{found}", &table.rows.len().to_string()),
                en: d::R_TOO_MANY_ROWS
                    .1
                    .replace("{max}", &d::MAX_ROWS.to_string())
                    .replace("{found}", &table.rows.len().to_string()),
            },
        }]));
    }
    let cols = find_columns(&table.header, &expected()).map_err(BatchError::Rows)?;
    let c = |i: usize| cols[i].expect("required column found");
    let db = uc.db();
    let mut errors: Vec<RowError> = Vec::new();
    let mut good: Vec<(u32, Checked)> = Vec::new();
    let mut numbers: Vec<(u32, String)> = Vec::new();
    for r in &table.rows {
        let row = r.row_no;
        let text = |i: Option<usize>| i.map(|i| cell_text(r.cell(i))).unwrap_or_default();
        // The account number as an identifier: a number cell that lost digits is refused.
        let account_no = match cell_id(r.cell(c(5))) {
            Ok(s) => s,
            Err(Reason::Required) => String::new(),
            Err(reason) => {
                errors.push(RowError {
                    row,
                    column: d::COL_ACCOUNT_NO.0.into(),
                    reason,
                });
                continue;
            }
        };
        let holder_text = text(cols[7]);
        let digits_len = account_no.chars().filter(char::is_ascii_digit).count();
        let holder = match holder_text.as_str() {
            "对公" | "company" | "Company" => Some(HolderType::Company),
            "对私" | "personal" | "Personal" => Some(HolderType::Personal),
            // Not said: a card-length number is personal, any other a company's account.
            "" if (16..=19).contains(&digits_len) => Some(HolderType::Personal),
            "" => Some(HolderType::Company),
            _ => {
                errors.push(RowError {
                    row,
                    column: d::COL_HOLDER.0.into(),
                    reason: words(d::R_BAD_HOLDER),
                });
                None
            }
        };
        let (name, bank, province, city, branch, remark, mobile) = (
            text(Some(c(0))),
            text(Some(c(1))),
            text(Some(c(2))),
            text(Some(c(3))),
            text(Some(c(4))),
            text(cols[6]),
            text(cols[8]),
        );
        let raw = Raw {
            account_name: &name,
            holder_type: holder,
            bank: &bank,
            province: &province,
            city: &city,
            branch: &branch,
            account_no: &account_no,
            mobile: &mobile,
            remark: &remark,
        };
        match check_bank(&db, &raw)? {
            Ok(ch) if holder.is_some() => {
                numbers.push((row, ch.account_no.clone()));
                good.push((row, ch));
            }
            Ok(_) => {}
            Err(bad) => {
                for (field, p) in bad {
                    errors.push(RowError {
                        row,
                        column: column_of(field).0.into(),
                        reason: reason_of(field, &p),
                    });
                }
            }
        }
    }
    // The same account twice in the file: the later rows are wrong, naming the first.
    let dups = duplicates_in_file(
        d::COL_ACCOUNT_NO.0,
        numbers.iter().map(|(r, n)| (*r, n.as_str())),
    );
    let dup_rows: HashSet<u32> = dups.iter().map(|e| e.row).collect();
    errors.extend(dups);
    for (row, ch) in &good {
        if !dup_rows.contains(row) && q::exists(&db, PayeeKind::Bank, &ch.account_no)? {
            errors.push(RowError {
                row: *row,
                column: d::COL_ACCOUNT_NO.0.into(),
                reason: words(d::R_EXISTS),
            });
        }
    }
    if errors.is_empty() {
        let n = q::active_count(&db)? as usize;
        if n + good.len() > d::MAX_PAYEES {
            errors.push(RowError {
                row: table.header.row_no,
                column: String::new(),
                reason: Reason::Other {
                    zh: d::R_TOO_MANY_PAYEES
                        .0
                        .replace("{max}", &d::MAX_PAYEES.to_string())
                        .replace("{n}", &n.to_string()),
                    en: d::R_TOO_MANY_PAYEES
                        .1
                        .replace("{max}", &d::MAX_PAYEES.to_string())
                        .replace("{n}", &n.to_string()),
                },
            });
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.row);
        return Err(BatchError::Rows(errors));
    }
    if good.is_empty() {
        return Err(BatchError::File(crate::excel::import::ImportError::Empty));
    }
    let mut ids = Vec::with_capacity(good.len());
    for (_, ch) in &good {
        ids.push(insert_checked(uc, ch)?);
    }
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    uc.audit(
        "payee.import",
        &format!("payees {}", ids.len()),
        "",
        &format!("rows={} file={file_name}", ids.len()),
    )?;
    Ok(ImportSummary {
        file_name,
        rows: ids.len(),
        ids,
    })
}

/// A bad row of a contact file in the operator's language: `第 3 行 收款银行帐号：联系人已存在`.
pub fn row_message(e: &RowError, lang: Lang) -> String {
    let reason = e.reason.message(lang == Lang::Zh);
    let column = d::column_name(&e.column, lang);
    match (lang, column.is_empty()) {
        (Lang::Zh, true) => format!("第 {} 行：{reason}", e.row),
        (Lang::Zh, false) => format!("第 {} 行 {column}：{reason}", e.row),
        (Lang::En, true) => format!("row {}: {reason}", e.row),
        (Lang::En, false) => format!("row {}, {column}: {reason}", e.row),
    }
}

/// A typed province and city (names or codes) as the id of the city, or the field at fault: a
/// province that does not exist, or a city of another province — named with its own province,
/// so the operator sees at once which one was meant. An empty city gives `Ok(None)` (the caller
/// says it is required). Bank accounts, payees and every later form of a bank payee use it.
pub(crate) fn resolve_city(
    db: &Db,
    province: &str,
    city: &str,
) -> crate::store::SqlResult<Result<Option<i64>, (&'static str, Problem)>> {
    let Some(code) = q::province(db, province)? else {
        return Ok(Err(("province", Problem::Unknown)));
    };
    if city.is_empty() {
        return Ok(Ok(None));
    }
    if let Some(id) = q::city_in(db, code, city)? {
        return Ok(Ok(Some(id)));
    }
    Ok(Err(
        match q::provinces_of_city(db, city)?.into_iter().next() {
            Some((zh, en)) => (
                "city",
                Problem::CityNotInProvince(province.to_string(), zh, en),
            ),
            None => ("city", Problem::Unknown),
        },
    ))
}
