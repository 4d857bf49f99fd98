//! Strings of the money-out features: the review inbox (我的待审核), application records,
//! bank accounts and withdrawal, and their refusals.

use super::{Lang, T};
use crate::domain::function::Function;
use crate::domain::money::format_fen;
use crate::domain::review::{
    ApplicationKind, ApplicationStatus, BankAccountStatus, WithdrawalStatus,
};
use crate::service::{Problem, Rule};

pub const SCR_INBOX: T = T("我的待审核", "My pending reviews");
pub const SCR_RECORDS: T = T("申请记录", "Application records");
pub const SCR_BANK_ACCOUNTS: T = T("银行账户", "Bank accounts");
pub const SCR_WITHDRAW: T = T("提现", "Withdraw");

pub fn function_name(f: Function) -> T {
    use Function::*;
    match f {
        FastRefundReview => T("快速退货审核", "Review fast refunds"),
        TransferApply => T("转账", "Transfer"),
        TransferReview => T("转账审核", "Review transfers"),
        WithdrawApply => T("提现", "Withdraw"),
        WithdrawReview => T("提现审核", "Review withdrawals"),
        ReviewInbox => SCR_INBOX,
        ApplicationRecords => SCR_RECORDS,
        BankAccountManage => SCR_BANK_ACCOUNTS,
        ContactManage => T("联系人", "Payee contacts"),
        StatementDownload => T("结算对账单", "Statements"),
        Reconcile => T("对账", "Reconciliation"),
        ReconcileResolve => T("差异处理", "Resolve reconciliation exceptions"),
        _ => T("?", "?"),
    }
}

pub fn kind(k: ApplicationKind) -> T {
    use ApplicationKind::*;
    match k {
        Refund => T("退货", "Refund"),
        RefundBatch => T("批量退货", "Batch refund"),
        FastRefund => T("快速退货", "Fast refund"),
        FastRefundBatch => T("批量快速退货", "Batch fast refund"),
        Transfer => T("转账", "Transfer"),
        TransferBatch => T("批量转账", "Batch transfer"),
        Withdrawal => T("提现", "Withdrawal"),
        BankAccount => T("银行账户", "Bank account"),
    }
}

pub fn status(s: ApplicationStatus) -> T {
    use ApplicationStatus::*;
    match s {
        PendingReview => T("待审核", "Pending review"),
        Approved => T("审核通过", "Approved"),
        Rejected => T("审核拒绝", "Rejected"),
        Cancelled => T("已撤销", "Cancelled"),
        Expired => T("已过期", "Expired"),
        AutoApproved => T("免审通过", "Approved without review"),
    }
}

pub fn withdrawal_status(s: WithdrawalStatus) -> T {
    use WithdrawalStatus::*;
    match s {
        PendingReview => T("待审核", "Pending review"),
        Processing => T("处理中", "Submitted to bank"),
        Success => T("已到账", "Paid"),
        Failed => T("失败", "Failed"),
        Rejected => T("审核拒绝", "Rejected"),
        Cancelled => T("已撤销", "Cancelled"),
        Expired => T("已过期", "Expired"),
    }
}

pub fn account_status(s: BankAccountStatus) -> T {
    match s {
        BankAccountStatus::PendingReview => T("待审核", "Pending review"),
        BankAccountStatus::Active => T("有效", "Active"),
        BankAccountStatus::Deleted => T("已删除", "Deleted"),
    }
}

pub fn problem(p: &Problem, lang: Lang) -> String {
    match p {
        Problem::NotDigits => T("只能是数字", "digits only").get(lang).into(),
        Problem::AccountLength(a, b) => T("应为 {a}–{b} 位数字", "must be {a}–{b} digits")
            .get(lang)
            .replace("{a}", &a.to_string())
            .replace("{b}", &b.to_string()),
        Problem::BinOtherBank(zh, en) => T(
            "卡号与开户银行不符（卡号属于{b}）",
            "the number belongs to another bank ({b})",
        )
        .get(lang)
        .replace("{b}", if lang == Lang::Zh { zh } else { en }),
        Problem::CreditCard => T("不支持信用卡", "credit cards are not accepted")
            .get(lang)
            .into(),
        Problem::CityNotInProvince(p, zh, en) => crate::domain::payee::R_CITY_NOT_IN_PROVINCE
            .get(lang)
            .replace("{p}", p)
            .replace("{q}", if lang == Lang::Zh { zh } else { en }),
        Problem::NoLetters => crate::domain::payee::R_NO_LETTERS.get(lang).into(),
        Problem::BadMobile => crate::domain::payee::R_BAD_MOBILE.get(lang).into(),
        Problem::PayeeExists => crate::domain::payee::R_EXISTS.get(lang).into(),
        Problem::AboveDailyLimit => T("不能高于每日限额", "cannot be above the daily limit")
            .get(lang)
            .into(),
        Problem::AboveCap => T("不能高于最高服务费", "cannot be above the cap")
            .get(lang)
            .into(),
        Problem::BadRate => T(
            "应为 0–100 的百分数，最多四位小数",
            "a percentage from 0 to 100, at most four decimals",
        )
        .get(lang)
        .into(),
        _ => "?".into(),
    }
}

pub fn rule(r: &Rule, lang: Lang) -> String {
    match r {
        Rule::InsufficientBalance(avail) => T(
            "余额不足（可用余额 ¥{a}）",
            "Not enough balance (available ¥{a})",
        )
        .get(lang)
        .replace("{a}", &format_fen(*avail)),
        Rule::TooManyBankAccounts(n) => T("最多可添加 {n} 张银行卡", "At most {n} bank accounts")
            .get(lang)
            .replace("{n}", &n.to_string()),
        Rule::TooManyPayees(n) => T("联系人最多 {n} 个", "At most {n} payee contacts")
            .get(lang)
            .replace("{n}", &n.to_string()),
        Rule::WithdrawSingleLimit(limit) => T(
            "提现金额超过单笔限额 ¥{l}",
            "Above the single withdrawal limit of ¥{l}",
        )
        .get(lang)
        .replace("{l}", &format_fen(*limit)),
        Rule::WithdrawDailyLimit(limit, left) => T(
            "超过每日提现限额 ¥{l}（今日还可提现 ¥{r}）",
            "Above the daily withdrawal limit of ¥{l} (¥{r} left today)",
        )
        .get(lang)
        .replace("{l}", &format_fen(*limit))
        .replace("{r}", &format_fen(*left)),
        Rule::AccountNotUsable => T(
            "提现账户不可用：须为本商户已审核通过、户名与商户名称一致的账户",
            "The account cannot be used: it must be this store's, approved, in the store's name",
        )
        .get(lang)
        .into(),
        Rule::AccountInUse => T(
            "该账户有待审核或处理中的提现，不能删除",
            "A pending or processing withdrawal pays to this account; it cannot be deleted",
        )
        .get(lang)
        .into(),
        Rule::NoReviewRight(k) => T("无权审核：{k}", "Not permitted to review: {k}")
            .get(lang)
            .replace("{k}", kind(*k).get(lang)),
        Rule::Expired(id) => T("申请 #{id} 已过期", "Application #{id} has expired")
            .get(lang)
            .replace("{id}", &id.to_string()),
        Rule::NotOwnApplication => T(
            "只能撤销本人提交的申请",
            "Only its applicant can cancel an application",
        )
        .get(lang)
        .into(),
        Rule::OutcomeNotApplicable => T(
            "该结果不适用于此笔记录的当前状态",
            "This result does not apply to the item as it stands",
        )
        .get(lang)
        .into(),
        Rule::Items(items) => {
            let head = T(
                "整批未处理，以下记录不符合条件：",
                "Nothing was decided; these items do not qualify: ",
            )
            .get(lang);
            let list: Vec<String> = items
                .iter()
                .map(|(label, r)| {
                    format!(
                        "{} — {}",
                        item_label(label, lang),
                        super::error(
                            &crate::service::ServiceError::Refused(r.clone()),
                            lang,
                            |f| f.to_string(),
                        )
                    )
                })
                .collect();
            format!("{head}{}", list.join("；"))
        }
        _ => "?".into(),
    }
}

/// An offending item's label (`withdrawal 20261123000001`) in words.
fn item_label(label: &str, lang: Lang) -> String {
    match label.split_once(' ') {
        Some(("merchant", rest)) => format!("{} {rest}", T("商户", "Store").get(lang)),
        Some((k, rest)) => match ApplicationKind::from_code(k) {
            Some(k) => format!("{} {rest}", kind(k).get(lang)),
            None => label.to_string(),
        },
        None => label.to_string(),
    }
}

// The inbox and the records
pub const KIND: T = T("审核类型", "Kind");
pub const ORDER_NO: T = T("交易订单号", "Order no.");
pub const APPLIED_AT: T = T("申请时间", "Applied");
pub const AMOUNT: T = T("金额(元)", "Amount");
pub const FEE: T = T("服务费(元)", "Fee");
pub const APPLICANT: T = T("申请人", "Applicant");
pub const PAYEE: T = T("收款账户", "Payee account");
pub const STORE: T = T("商户", "Store");
pub const REVIEW_STATUS: T = T("审核状态", "Review status");
pub const TIME_RANGE: T = T("申请时间", "Applied");
pub const WEEK: T = T("一周内", "last week");
pub const MONTH: T = T("一个月内", "last month");
pub const QUARTER: T = T("三个月内", "last three months");
pub const KEYWORD: T = T("关键字", "Keyword");
pub const ALL: T = T("全部", "all");
pub const NONE_PENDING: T = T("没有待审核的申请", "Nothing waits for your review");
pub const PAGE_INFO: T = T(
    "第 {p}/{n} 页  共 {c} 笔  合计 {a}",
    "Page {p}/{n}  {c} items  total {a}",
);
pub const MARKED: T = T("已选 {n} 笔，合计 {a}", "{n} marked, total {a}");
pub const AVAILABLE_OF: T = T("{m} 可用余额 {a}", "{m} available {a}");
pub const OWN_PENDING: T = T(
    "另有 {n} 笔为您本人提交，需其他审核员处理",
    "{n} more are your own: another reviewer decides them",
);
pub const APPROVE_TITLE: T = T("审核通过", "Approve");
pub const REJECT_TITLE: T = T("审核拒绝", "Reject");
pub const SUMMARY: T = T("{n} 笔（{k}），合计 {a}", "{n} items ({k}), total {a}");
pub const DECIDED: T = T("已审核 {n} 笔", "{n} decided");
pub const REMARK: T = T("备注", "Remark");
pub const PAY_PASSWORD: T = T("支付密码", "Payment password");
pub const PIN: T = T("USB Key PIN", "USB key PIN");
pub const CARD_NEEDED: T = T(
    "审核需要插入快捷盾（USB Key）并输入 PIN",
    "Approving needs your USB key inserted and its PIN",
);
pub const KEY_MARK: T = T("选中/取消", "mark / unmark");
pub const KEY_MARK_PAGE: T = T("全选本页", "mark the page");
pub const KEY_APPROVE: T = T("审核通过所选", "approve the marked");
pub const KEY_REJECT: T = T("审核拒绝所选", "reject the marked");
pub const KEY_TIME: T = T("切换申请时间", "change the time range");
pub const KEY_KIND: T = T("切换审核类型", "change the kind");
pub const KEY_STORE: T = T("切换商户", "change the store");
pub const KEY_KEYWORD: T = T(
    "关键字（订单号/参考号）",
    "keyword (order or reference no.)",
);
pub const KEY_CANCEL_APP: T = T("撤销本人待审核申请", "cancel your pending application");
pub const CANCELLED: T = T("申请 {o} 已撤销", "Application {o} cancelled");
pub const EMPTY_RECORDS: T = T("没有申请记录", "No applications");

// Bank accounts
pub const BANK: T = T("开户银行", "Bank");
pub const BRANCH: T = T("开户支行", "Branch");
pub const PROVINCE: T = T("开户银行所在省份", "Province");
pub const CITY: T = T("开户银行所在城市", "City");
pub const ACCOUNT_NO: T = T("银行账号", "Account no.");
pub const ACCOUNT_NO_AGAIN: T = T("确认银行账号", "Account no. again");
pub const ACCOUNT_NAME: T = T("户名", "Account name");
pub const HOLDER: T = T("对公对私", "Company / personal");
pub const COMPANY: T = T("对公", "company");
pub const PERSONAL: T = T("对私", "personal");
pub const NATURE: T = T("账户性质", "Account kind");
pub const BASIC: T = T("基本户", "basic");
pub const GENERAL: T = T("一般户", "general");
pub const STATUS: T = T("状态", "Status");
pub const ADDED_AT: T = T("添加时间", "Added");
pub const ADD_ACCOUNT: T = T("添加银行账户", "Add a bank account");
pub const NAME_IS_MERCHANT: T = T(
    "开户名为商户名称：{m}（不能修改）",
    "The account name is the store's: {m} (fixed)",
);
pub const ADDED: T = T(
    "银行账户 {a} 已添加，待另一名操作员审核后生效",
    "Bank account {a} added: it takes effect once another operator approves it",
);
pub const REVEAL: T = T("显示完整账号", "Show the full number");
pub const REVEALED: T = T("完整账号：{n}", "Full number: {n}");
pub const DELETE: T = T("删除银行账户", "Delete the bank account");
pub const DELETED: T = T("银行账户 {a} 已删除", "Bank account {a} deleted");
pub const NO_ACCOUNTS: T = T(
    "尚未添加银行账户（a 添加）",
    "No bank account yet (a adds one)",
);
pub const KEY_ADD: T = T("添加", "add");
pub const KEY_DELETE: T = T("删除", "delete");
pub const KEY_REVEAL: T = T(
    "显示完整账号（支付密码）",
    "show the full number (payment password)",
);
pub const KEY_STORE_LR: T = T("切换商户", "change the store");

// Withdrawal
pub const WITHDRAW_ACCOUNT: T = T("请选择提现银行", "Withdrawal account");
pub const AVAILABLE: T = T("可用余额", "Available balance");
pub const LEDGER_BALANCE: T = T("账户余额", "Ledger balance");
pub const HELD: T = T("冻结金额（待审核/待付款）", "Held (pending)");
pub const WITHDRAW_AMOUNT: T = T("提现金额", "Amount");
pub const CAPITALS: T = T("大写", "In capitals");
pub const METHOD: T = T("提现方式", "Method");
pub const NORMAL: T = T("普通提现（T+1日到帐）", "Normal (next day)");
pub const FAST: T = T("快速提现（2小时到账）", "Fast (within 2 hours)");
pub const FEE_LABEL: T = T("服务费", "Fee");
pub const TOTAL: T = T("总额", "Total");
pub const NO_WITHDRAW_ACCOUNT: T = T(
    "请先添加提现银行账户（银行账户，审核通过后可用）",
    "Add a withdrawal account first (Bank accounts; usable once approved)",
);
pub const SUBMITTED: T = T(
    "您的提现请求已提交！订单号 {o}，等待审核",
    "Your withdrawal request was submitted: order {o}, waiting for review",
);
pub const WITHDRAW_HINT: T = T(
    "←→ 或空格切换选项，Tab 下一个字段，Ctrl+S 提交",
    "←→ or Space change an option, Tab next field, Ctrl+S submits",
);
pub const ENDING: T = T("尾号", "ending");

/// What the settlement run did for money out, after its refund words (nothing when nothing).
pub fn settled_more(r: &crate::service::settlement::SettleReport, lang: Lang) -> String {
    let mut s = String::new();
    if r.withdrawals_completed > 0 {
        s.push_str(
            &T("；普通提现到账 {n} 笔", "; {n} withdrawn")
                .get(lang)
                .replace("{n}", &r.withdrawals_completed.to_string()),
        );
    }
    if r.applications_expired > 0 {
        s.push_str(
            &T("；过期申请 {n} 笔", "; {n} applications expired")
                .get(lang)
                .replace("{n}", &r.applications_expired.to_string()),
        );
    }
    s
}
pub const KEY_STATUS: T = T("切换审核状态", "change the review status");
pub const SELF_APPROVED: T = T("本人审核（不建议）", "self-approved (not advised)");
pub const HISTORY: T = T("处理记录", "History");

pub fn event(code: &str) -> T {
    match code {
        "applied" => T("申请", "applied"),
        "approved" => T("审核通过", "approved"),
        "rejected" => T("审核拒绝", "rejected"),
        "cancelled" => T("已撤销", "cancelled"),
        "expired" => T("已过期", "expired"),
        "processing" => T("已提交银行", "submitted to the bank"),
        "success" => T("已到账", "paid"),
        "failed" => T("失败", "failed"),
        _ => T("?", "?"),
    }
}
pub const MAKER_CARD: T = T(
    "您已绑定 USB Key：插入并输入 PIN，由它签署本申请",
    "You have a USB key bound: insert it and type its PIN to sign this application",
);

// 提现记录 (withdrawal records)
pub const SCR_WITHDRAW_RECORDS: T = T("提现记录", "Withdrawal records");
pub const WITHDRAW_KIND: T = T("提现类型", "Method");
pub const NORMAL_SHORT: T = T("普通", "normal");
pub const FAST_SHORT: T = T("快速", "fast");
pub const WITHDRAW_STATUS: T = T("状态", "Status");
pub const WITHDRAW_ACCOUNT_COL: T = T("提现账户", "Account");
pub const ARRIVED_AT: T = T("到账时间", "Paid at");
pub const REASON: T = T("原因", "Reason");
pub const ALL_TIME: T = T("全部", "all");
pub const ORDER_KEYWORD: T = T("关键字（交易订单号）", "Keyword (order no.)");
pub const NO_WITHDRAWALS: T = T("没有符合条件的提现记录", "No withdrawals match");
pub const ROWS_TOTAL: T = T(
    "{n} 笔  金额 {a}  服务费 {f}",
    "{n} rows  amount {a}  fee {f}",
);

// 付款设置 (money-out settings)
pub const SCR_PAYOUT_SETTINGS: T = T("付款设置", "Payout settings");
pub const SELF_APPROVAL: T = T("同一操作员申请并审核", "Self-approval");
pub const ON: T = T("开启", "on");
pub const OFF: T = T("关闭（默认）", "off (default)");
/// K §3.4.2.1, quoted.
pub const SELF_APPROVAL_WARNING: T = T(
    "对于同时具有申请和审核权限的操作员（我们不建议这么设置），插入快捷盾并输入支付密码即完成资金操作。",
    "An operator holding both the apply and the review functions then completes a money action alone with the USB key and the payment password. Not advised.",
);
pub const FEES: T = T("服务费", "Payout fees");
pub const FEE_KIND: T = T("付款类型", "Kind");
pub const RATE: T = T("费率(%)", "Rate (%)");
pub const FIXED: T = T("固定(元)", "Fixed");
pub const MIN_FEE: T = T("最低(元)", "Minimum");
pub const CAP_FEE: T = T("最高(元)", "Cap");
pub const LIMITS: T = T("提现限额", "Withdrawal limits");
pub const SINGLE_LIMIT: T = T("单笔限额(元)", "Single limit");
pub const DAILY_LIMIT: T = T("每日限额(元)", "Daily limit");
pub const NO_LIMIT: T = T("不限", "none");
pub const NONE_SET: T = T("—", "—");
pub const EDIT_FEE: T = T("修改服务费：{k}", "Payout fee: {k}");
pub const FEE_SAVED: T = T("服务费已保存：{k}", "Fee saved: {k}");
pub const LIMITS_SAVED: T = T("提现限额已保存", "Withdrawal limits saved");
pub const SELF_SAVED: T = T("同一操作员申请并审核：{v}", "Self-approval: {v}");
pub const KEY_SELF: T = T("同一操作员申请并审核", "self-approval");
pub const KEY_LIMITS: T = T("提现限额", "withdrawal limits");
pub const KEY_EDIT_FEE: T = T("修改所选服务费", "edit the selected fee");
pub const BLANK_IS_NONE: T = T("空白为不限/无", "blank: none");

pub fn fee_kind(k: crate::domain::review::PayoutFeeKind) -> T {
    use crate::domain::review::PayoutFeeKind::*;
    match k {
        TransferPlatform => T("转账到平台账户", "Transfer to a platform account"),
        TransferBankPrivate => T("转账到银行卡（对私）", "Transfer to a bank (personal)"),
        TransferBankPublic => T("转账到银行卡（对公）", "Transfer to a bank (company)"),
        WithdrawNormal => T("普通提现", "Normal withdrawal"),
        WithdrawFast => T("快速提现", "Fast withdrawal"),
    }
}
