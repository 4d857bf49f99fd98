//! Every string the screens show, in Chinese (the default) and English, in one place.

use crate::domain::function::Function;
use crate::service::{Problem, Rule, ServiceError};

pub use crate::domain::lang::{Lang, T};

pub mod t {
    use super::T;

    pub const APP_NAME: T = T("商户管理后台", "Merchant Back Office");
    // Login
    pub const LOGIN_TITLE: T = T("操作员登录", "Operator login");
    pub const FIELD_LOGIN: T = T("操作员", "Operator");
    pub const FIELD_PASSWORD: T = T("密码", "Password");
    pub const LOGIN_HINT: T = T(
        "输入操作员名和密码，按 Enter 登录",
        "Type your operator name and password, then Enter",
    );
    pub const LOGIN_SUBMIT: T = T("登录", "log in");
    pub const CARD_PIN: T = T("USB Key PIN", "USB key PIN");
    pub const CARD_LOGIN_HINT: T = T(
        "请插入您的 USB Key，输入 PIN 后按 Enter",
        "Insert your USB key, type its PIN and press Enter",
    );
    pub const CARD_PULLED: T = T(
        "USB Key 已拔出：插回后继续",
        "The USB key was pulled out: put it back to go on",
    );
    pub const MUST_CHANGE: T = T(
        "管理员已重置您的密码，请先修改密码",
        "Your password was reset: change it first",
    );
    // Shell
    pub const HOME_TITLE: T = T("首页", "Home");
    pub const MENU: T = T("功能菜单", "Menu");
    pub const MERCHANT_INFO: T = T("商户信息", "Merchants");
    pub const MERCHANT_NO: T = T("商户编号", "Merchant no.");
    pub const MERCHANT_NAME: T = T("商户名称", "Merchant");
    pub const BALANCE: T = T("账户余额", "Balance");
    pub const RECENT: T = T("最近交易", "Recent transactions");
    pub const OPERATOR: T = T("操作员", "Operator");
    pub const ROLES: T = T("角色", "Roles");
    pub const NO_RECENT: T = T("暂无交易", "No transactions yet");
    pub const OPEN: T = T("打开", "open");
    pub const LOGOUT: T = T("退出登录", "Log out");
    pub const LOGGED_OUT: T = T("已退出登录", "Logged out");
    // Screens (menu names as in the manuals)
    pub const SCR_TXN_QUERY: T = T("交易查询", "Transaction query");
    pub const SCR_TXN_TODAY: T = T("当日交易明细", "Today's transactions");
    pub const SCR_TXN_YESTERDAY: T = T("昨日交易明细", "Yesterday's transactions");
    pub const SCR_TXN_DETAIL: T = T("交易明细", "Transaction detail");
    pub const SCR_CHANGE_PASSWORD: T = T("修改密码", "Change password");
    pub const SCR_CHANGE_PAY_PASSWORD: T = T("修改支付密码", "Change payment password");
    // Transaction query
    pub const FROM_DATE: T = T("开始日期", "From date");
    pub const TO_DATE: T = T("结束日期", "To date");
    pub const TERMINAL: T = T("终端号", "Terminal");
    pub const TXN_TYPE: T = T("交易类型", "Type");
    pub const TXN_STATUS: T = T("交易状态", "Status");
    pub const RRN: T = T("参考号", "Reference no.");
    pub const ALL: T = T("全部", "All");
    pub const COL_TIME: T = T("交易时间", "Time");
    pub const COL_AMOUNT: T = T("金额", "Amount");
    pub const COL_CARD: T = T("卡号", "Card");
    pub const COL_ORG: T = T("卡组织", "Card org.");
    pub const COL_MERCHANT: T = T("商户", "Merchant");
    pub const PAGE_INFO: T = T(
        "第 {p}/{n} 页  共 {c} 笔  金额 {a}",
        "Page {p}/{n}  {c} rows  amount {a}",
    );
    /// A settlement's list: the rows summed as the settlement counts them.
    pub const SETTLED_PAGE_INFO: T = T(
        "第 {p}/{n} 页  共 {c} 笔  计入结算：交易 {a}  手续费 {f}  退货 {r}",
        "Page {p}/{n}  {c} rows  settled: trade {a}  fees {f}  refunds {r}",
    );
    /// The column that says how the settlement counted a row, and its values.
    pub const COL_COUNTED: T = T("计入结算", "Settled as");
    pub const COUNTED_TRADE: T = T("交易", "trade");
    pub const COUNTED_REFUND: T = T("退货", "refund");
    pub const COUNTED_NOT: T = T("不计入", "not");
    pub const COL_COUNTED_TRADE: T = T("计入交易金额", "Settled trade");
    pub const COL_COUNTED_REFUND: T = T("计入退货金额", "Settled refund");
    pub const EMPTY_RESULT: T = T(
        "没有符合条件的交易",
        "No transaction matches these conditions",
    );
    pub const NO_QUERY_YET: T = T(
        "输入条件，按 Enter 查询",
        "Fill in the conditions and press Enter",
    );
    pub const JUMP_PROMPT: T = T("跳转到第几页：", "Go to page: ");
    pub const QUERY_FIELD_HINT: T = T("空格/←→ 切换选项", "Space/←→ change the option");
    // Transaction kinds and states
    pub const TYPE_SALE: T = T("消费", "Sale");
    pub const TYPE_VOID: T = T("撤销", "Void");
    pub const TYPE_REFUND: T = T("退货", "Refund");
    pub const TYPE_COMPLETION: T = T("预授权完成", "Completion");
    pub const ST_SUCCESS: T = T("成功", "Success");
    pub const ST_FAILED: T = T("失败", "Failed");
    pub const ST_VOIDED: T = T("已撤销", "Voided");
    pub const ST_REVERSED: T = T("已冲正", "Reversed");
    pub const CARD_DEBIT: T = T("借记卡", "Debit");
    pub const CARD_CREDIT: T = T("贷记卡", "Credit");
    // Transaction detail
    pub const BATCH_NO: T = T("批次号", "Batch no.");
    pub const VOUCHER_NO: T = T("凭证号", "Voucher no.");
    pub const AUTH_CODE: T = T("授权码", "Auth code");
    pub const TXN_AMOUNT: T = T("交易金额", "Amount");
    pub const FEE: T = T("手续费", "Fee");
    pub const CARD_TYPE: T = T("卡类型", "Card type");
    pub const ISSUER: T = T("发卡行", "Issuing bank");
    pub const TRADE_DATE: T = T("交易日期", "Trade date");
    pub const SETTLE_DATE: T = T("清算日期", "Settlement date");
    pub const REFUNDED: T = T("已退货金额", "Refunded so far");
    pub const POS_OPERATOR: T = T("POS操作员", "POS operator");
    pub const ORDER_NO: T = T("订单号", "Order no.");
    pub const NOT_SETTLED: T = T("未清算", "not settled");
    // Change password
    pub const OLD_PASSWORD: T = T("旧密码", "Old password");
    pub const NEW_PASSWORD: T = T("新密码", "New password");
    pub const NEW_PASSWORD_AGAIN: T = T("确认新密码", "New password again");
    pub const OLD_PAY_PASSWORD: T = T(
        "旧支付密码（未设置时为登录密码）",
        "Old payment password (login password if never set)",
    );
    pub const PASSWORD_RULE: T = T(
        "{min}–{max} 个字符，不能含空格",
        "{min}–{max} characters, no spaces",
    );
    pub const PASSWORD_CHANGED: T = T("密码已修改", "Password changed");
    pub const PAY_PASSWORD_CHANGED: T = T("支付密码已修改", "Payment password changed");
    pub const SAVE: T = T("保存", "save");
    pub const DIALOG_KEYS: T = T(
        "Tab/↑↓ 换字段  空格/←→ 选择  Enter 下一项/保存  Ctrl+S 保存  Esc 取消",
        "Tab/↑↓ fields  Space/←→ choose  Enter next/save  Ctrl+S save  Esc cancel",
    );
    // Overlays
    pub const HELP_TITLE: T = T("帮助 — 按键", "Help — keys");
    pub const HELP_SCREEN: T = T("本屏", "This screen");
    pub const HELP_GLOBAL: T = T("所有屏幕", "Every screen");
    pub const HELP_CLOSE: T = T("Esc 关闭", "Esc closes");
    pub const PALETTE_TITLE: T = T("转到屏幕", "Go to screen");
    pub const PALETTE_HINT: T = T(
        "输入名称、英文或拼音首字母，Enter 打开",
        "Type a name, English or pinyin initials; Enter opens",
    );
    pub const PALETTE_NONE: T = T("没有匹配的屏幕", "No screen matches");
    pub const QUIT_CONFIRM: T = T(
        "确定退出商户管理后台？  Enter/y 退出   Esc/n 取消",
        "Quit merchant-desk?  Enter/y quits   Esc/n cancels",
    );
    pub const LOCKED_TITLE: T = T("屏幕已锁定", "Screen locked");
    pub const LOCKED_HINT: T = T(
        "输入 {login} 的登录密码，按 Enter 解锁",
        "Type the login password of {login} and press Enter",
    );
    pub const EXPORT_CANCEL_HINT: T = T("（Ctrl+E 取消）", "(Ctrl+E cancels)");
    pub const NOTHING_TO_EXPORT: T = T("本屏没有可导出的列表", "This screen has no list to export");
    pub const NOT_LOGGED_IN: T = T("请先登录", "Log in first");
    // Key help
    pub const KEY_PALETTE: T = T("转到任意屏幕", "go to any screen");
    pub const KEY_HELP: T = T("帮助（本覆盖层）", "help (this overlay)");
    pub const KEY_REFRESH: T = T("重新查询/刷新", "run the query again / refresh");
    pub const KEY_EXPORT: T = T("导出当前列表为 .xlsx", "export the current list to .xlsx");
    pub const KEY_LOCK: T = T("锁屏", "lock the screen");
    pub const KEY_QUIT: T = T("退出（需确认）", "quit (asks first)");
    pub const KEY_BACK: T = T("返回、关闭、取消", "back, close, cancel");
    pub const KEY_ENTER: T = T("打开、确认、查询", "open, confirm, run the query");
    pub const KEY_FIELDS: T = T("下一个/上一个字段", "next / previous field");
    pub const KEY_NEXT_FIELD: T = T("下一个字段", "next field");
    pub const KEY_PREV_FIELD: T = T("上一个字段", "previous field");
    pub const KEY_MOVE: T = T("在列表中移动", "move in a list");
    pub const KEY_RUN_QUERY: T = T("查询", "run the query");
    pub const KEY_NEXT_PAGE: T = T("下一页", "next page");
    pub const KEY_PREV_PAGE: T = T("上一页", "previous page");
    pub const KEY_FIRST_PAGE: T = T("首页", "first page");
    pub const KEY_LAST_PAGE: T = T("末页", "last page");
    pub const KEY_JUMP_PAGE: T = T("跳转到页", "jump to page");
    pub const KEY_DETAIL: T = T("查看明细", "open the detail");
    pub const KEY_TODAY: T = T("当日交易", "today's transactions");
    pub const KEY_YESTERDAY: T = T("昨日交易", "yesterday's transactions");
    pub const KEY_TO_LIST: T = T("条件/列表切换", "switch between conditions and list");
    pub const KEY_CLEAR: T = T("清空条件", "clear the conditions");
    pub const KEY_OPTION: T = T("切换选项", "change the option");
    pub const KEY_LOGOUT: T = T("退出登录", "log out");
    pub const KEY_SUBMIT: T = T("提交", "submit");
    // Errors
    pub const ERR_BAD_CREDENTIALS: T = T("操作员或密码错误", "Wrong operator name or password");
    pub const ERR_PAY_BLOCKED: T = T(
        "支付密码错误次数过多，资金操作已冻结至 {until}",
        "Too many wrong payment passwords: money actions are blocked until {until}",
    );
    pub const ERR_FILE: T = T("文件错误：{e}", "File error: {e}");
    pub const ERR_BUSY: T = T(
        "数据库正忙（其他工作站正在写入），请稍后重试",
        "The database is busy (another workstation is writing); try again",
    );
    pub const ERR_CARD_REFUSED: T = T("快捷盾未能确认", "The USB key did not confirm");
    pub const ERR_BAD_FILE: T = T(
        "文件有错误行，未导入",
        "The file has bad rows; nothing imported",
    );
    pub const ERR_LOCKED: T = T(
        "操作员已锁定，{until} 自动解锁，或请管理员解锁",
        "Operator locked until {until}, or until an administrator unlocks it",
    );
    pub const ERR_DISABLED: T = T(
        "操作员已停用，请联系管理员",
        "Operator disabled: ask an administrator",
    );
    pub const ERR_DENIED: T = T(
        "无权限：您的角色没有「{f}」功能",
        "Not permitted: your roles lack \"{f}\"",
    );
    pub const ERR_SESSION_ENDED: T = T(
        "您的操作员已被停用，会话已结束",
        "Your operator was disabled; the session has ended",
    );
    pub const ERR_NOT_FOUND: T = T("记录不存在", "Not found");
    pub const ERR_OUT_OF_SCOPE: T = T("该记录不在您的终端组范围内", "Outside your terminal groups");
    pub const ERR_STORE: T = T("数据库错误：{e}", "Database error: {e}");
    pub const P_REQUIRED: T = T("必填", "required");
    pub const P_TOO_SHORT: T = T("至少 {n} 个字符", "at least {n} characters");
    pub const P_TOO_LONG: T = T("最多 {n} 个字符", "at most {n} characters");
    pub const P_HAS_SPACE: T = T("不能含空格", "no spaces allowed");
    pub const P_MISMATCH: T = T("两次输入不一致", "the two entries differ");
    pub const P_SAME_AS_OLD: T = T("不能与旧密码相同", "must differ from the old one");
    pub const P_BAD_DATE: T = T("日期应为 YYYY-MM-DD", "a date is YYYY-MM-DD");
    pub const P_DATE_ORDER: T = T("结束日期早于开始日期", "ends before it starts");
    pub const P_FUTURE_DATE: T = T("不能晚于今天", "cannot be after today");
    pub const P_BAD_RRN: T = T("参考号为 12 位数字", "12 digits");
    pub const P_BAD_TERMINAL: T = T("终端号为 8 位字母或数字", "8 letters or digits");
    pub const P_BAD_AMOUNT: T = T("金额大于零，最多两位小数", "above zero, at most 2 decimals");
    pub const P_UNKNOWN: T = T("不存在", "does not exist");
    pub const P_WRONG_PASSWORD: T = T("密码错误", "wrong password");
    pub const P_DUPLICATE: T = T("已存在，不能重复", "already exists");
    pub const P_LENGTH: T = T("应为 {n} 个字符", "must be {n} characters");
    pub const P_RANGE: T = T(
        "应为 {a} 到 {b} 之间的整数",
        "a whole number from {a} to {b}",
    );
    pub const P_BAD_LOGIN: T = T(
        "只能含字母、数字和 _ . -，最多 32 个",
        "letters, digits and _ . - only, at most 32",
    );
    pub const ERR_LAST_ADMIN: T = T(
        "这是最后一个在用的管理员，不能停用或去掉管理员角色",
        "This is the last active administrator: it cannot be disabled or lose the role",
    );
    pub const ERR_SELF_DISABLE: T = T("不能停用自己", "You cannot disable yourself");
    pub const ERR_ADMIN_ROLE_FIXED: T = T(
        "内置角色不能删除，管理员角色不能修改",
        "Built-in roles cannot be deleted and the administrator role cannot be changed",
    );
    pub const ERR_OWN_APPLICATION: T = T(
        "不能审核自己提交的申请",
        "Nobody reviews their own application",
    );
    pub const ERR_ALREADY_DECIDED: T = T(
        "申请 #{id} 已由其他审核员处理，本次未做任何更改",
        "Application #{id} was decided by another reviewer first; nothing was changed",
    );
    pub const ERR_NOT_REFUNDABLE: T = T(
        "只有成功的消费和预授权完成交易可以退货",
        "Only successful sales and completions can be refunded",
    );
    pub const ERR_EXCEEDS_REFUNDABLE: T = T(
        "退货金额超过可退金额 {left}",
        "More than what is left to refund ({left})",
    );
    pub const ERR_EXCEEDS_QUOTA: T = T(
        "超过今日退货额度，剩余 {left}",
        "More than today's refund quota has left ({left})",
    );
    pub const ERR_IN_USE: T = T("仍在使用中：{who}", "Still in use by: {who}");
}

/// A coded value as its code: the store's enums and plain text alike.
pub trait AsCode {
    fn as_code(&self) -> &str;
}

impl AsCode for str {
    fn as_code(&self) -> &str {
        self
    }
}

impl AsCode for String {
    fn as_code(&self) -> &str {
        self
    }
}

impl<C: crate::domain::Coded> AsCode for C {
    fn as_code(&self) -> &str {
        self.code()
    }
}

pub fn txn_type(code: &(impl AsCode + ?Sized)) -> T {
    match code.as_code() {
        "sale" => t::TYPE_SALE,
        "void" => t::TYPE_VOID,
        "refund" => t::TYPE_REFUND,
        "completion" => t::TYPE_COMPLETION,
        _ => T("?", "?"),
    }
}

pub fn txn_status(code: &(impl AsCode + ?Sized)) -> T {
    match code.as_code() {
        "success" => t::ST_SUCCESS,
        "failed" => t::ST_FAILED,
        "voided" => t::ST_VOIDED,
        "reversed" => t::ST_REVERSED,
        _ => T("?", "?"),
    }
}

/// How the settlement counts a transaction (`domain::txn::Counted::code`).
pub fn counted(code: &str) -> T {
    match code {
        "trade" => t::COUNTED_TRADE,
        "refund" => t::COUNTED_REFUND,
        _ => t::COUNTED_NOT,
    }
}

pub fn card_type(code: &(impl AsCode + ?Sized)) -> T {
    match code.as_code() {
        "credit" => t::CARD_CREDIT,
        _ => t::CARD_DEBIT,
    }
}

pub fn card_org(code: &str) -> T {
    match code {
        "CUP" => T("银联", "UnionPay"),
        "VISA" => T("VISA", "VISA"),
        "MC" => T("万事达", "MasterCard"),
        "JCB" => T("JCB", "JCB"),
        "AMEX" => T("美国运通", "American Express"),
        _ => T("?", "?"),
    }
}

pub fn function_name(f: Function) -> T {
    use Function::*;
    match f {
        TxnQuery => t::SCR_TXN_QUERY,
        TxnExport => T("交易导出", "Export transactions"),
        SettlementQuery => T("结算查询", "Settlement query"),
        Monitor => T("实时交易监控", "Real-time monitor"),
        RefundApply => T("退货申请", "Refund application"),
        RefundReview => T("退货审核", "Refund review"),
        RefundQuery => T("退货申请查询", "Refund query"),
        FastRefund => T("快速退货", "Fast refund"),
        AccountView => T("账户", "Account"),
        RoleManage => T("角色管理", "Roles"),
        OperatorManage => T("操作员管理", "Operators"),
        TerminalManage => T("终端管理", "Terminals"),
        MerchantSettings => T("商户设置", "Merchant settings"),
        AuditView => T("操作日志", "Audit log"),
        SettlementRun => T("日终结算", "Settlement run"),
        other => money_out::function_name(other),
    }
}

fn problem(p: &Problem, lang: Lang) -> String {
    let n = |tx: T, n: usize| tx.get(lang).replace("{n}", &n.to_string());
    match p {
        Problem::Required => t::P_REQUIRED.get(lang).into(),
        Problem::TooShort(k) => n(t::P_TOO_SHORT, *k),
        Problem::TooLong(k) => n(t::P_TOO_LONG, *k),
        Problem::HasSpace => t::P_HAS_SPACE.get(lang).into(),
        Problem::Mismatch => t::P_MISMATCH.get(lang).into(),
        Problem::SameAsOld => t::P_SAME_AS_OLD.get(lang).into(),
        Problem::BadDate => t::P_BAD_DATE.get(lang).into(),
        Problem::DateOrder => t::P_DATE_ORDER.get(lang).into(),
        Problem::FutureDate => t::P_FUTURE_DATE.get(lang).into(),
        Problem::BadRrn => t::P_BAD_RRN.get(lang).into(),
        Problem::BadTerminalNo => t::P_BAD_TERMINAL.get(lang).into(),
        Problem::BadAmount => t::P_BAD_AMOUNT.get(lang).into(),
        Problem::Unknown => t::P_UNKNOWN.get(lang).into(),
        Problem::WrongPassword => t::P_WRONG_PASSWORD.get(lang).into(),
        Problem::Duplicate => t::P_DUPLICATE.get(lang).into(),
        Problem::Length(k) => n(t::P_LENGTH, *k),
        Problem::Range(a, b) => t::P_RANGE
            .get(lang)
            .replace("{a}", &a.to_string())
            .replace("{b}", &b.to_string()),
        Problem::BadLogin => t::P_BAD_LOGIN.get(lang).into(),
        other => money_out::problem(other, lang),
    }
}

/// What a form shows beside a field that has a problem.
pub fn field_problem(p: &Problem, lang: Lang) -> String {
    problem(p, lang)
}

/// A service's refusal in the operator's language. `field_label` names the field of an
/// `Invalid` error.
pub fn error(e: &ServiceError, lang: Lang, field_label: impl Fn(&str) -> String) -> String {
    match e {
        ServiceError::Denied(f) => t::ERR_DENIED
            .get(lang)
            .replace("{f}", function_name(*f).get(lang)),
        ServiceError::Invalid { field, problem: p } => {
            format!("{}: {}", field_label(field), problem(p, lang))
        }
        ServiceError::BadCredentials => t::ERR_BAD_CREDENTIALS.get(lang).into(),
        ServiceError::PayBlocked { until_ms } => t::ERR_PAY_BLOCKED
            .get(lang)
            .replace("{until}", &crate::clock::format_ms(*until_ms)[..16]),
        ServiceError::File(e) => t::ERR_FILE.get(lang).replace("{e}", e),
        ServiceError::Locked { until_ms } => t::ERR_LOCKED
            .get(lang)
            .replace("{until}", &crate::clock::format_ms(*until_ms)[..16]),
        ServiceError::Disabled => t::ERR_DISABLED.get(lang).into(),
        ServiceError::SessionEnded => t::ERR_SESSION_ENDED.get(lang).into(),
        ServiceError::NotFound => t::ERR_NOT_FOUND.get(lang).into(),
        ServiceError::OutOfScope => t::ERR_OUT_OF_SCOPE.get(lang).into(),
        ServiceError::Store(s) if s.is_busy() => t::ERR_BUSY.get(lang).into(),
        ServiceError::Store(s) => t::ERR_STORE.get(lang).replace("{e}", &s.message),
        ServiceError::Refused(rule) => match rule {
            Rule::LastAdmin => t::ERR_LAST_ADMIN.get(lang).into(),
            Rule::SelfDisable => t::ERR_SELF_DISABLE.get(lang).into(),
            Rule::AdminRoleFixed => t::ERR_ADMIN_ROLE_FIXED.get(lang).into(),
            Rule::InUse(who) => t::ERR_IN_USE.get(lang).replace("{who}", &who.join(", ")),
            Rule::OwnApplication => t::ERR_OWN_APPLICATION.get(lang).into(),
            Rule::AlreadyDecided(id) => t::ERR_ALREADY_DECIDED
                .get(lang)
                .replace("{id}", &id.to_string()),
            Rule::NotRefundable => t::ERR_NOT_REFUNDABLE.get(lang).into(),
            Rule::ExceedsRefundable(left) => t::ERR_EXCEEDS_REFUNDABLE
                .get(lang)
                .replace("{left}", &crate::domain::money::format_fen(*left)),
            Rule::ExceedsQuota(left) => t::ERR_EXCEEDS_QUOTA
                .get(lang)
                .replace("{left}", &crate::domain::money::format_fen(*left)),
            Rule::CardRefused => t::ERR_CARD_REFUSED.get(lang).into(),
            Rule::BadFile => t::ERR_BAD_FILE.get(lang).into(),
            other => money_out::rule(other, lang),
        },
    }
}

// The strings of each area live beside this file, so the whole text of the app stays in this one
// module while different screens grow without touching each other's lists.
pub mod admin;
pub mod card;
pub mod keys;
pub mod money_out;
pub mod payees;
pub mod query;
pub mod refund;
pub mod review;

/// A refusal of a use case that involves the USB key, in words.
pub fn card_error(e: &crate::service::card::CardServiceError, lang: Lang) -> String {
    card::service(e, lang)
}
