//! Strings of refund application, review, refund query, the pending clearing list, the account
//! ledger and the settlement run.

use super::T;

pub const SCR_APPLY: T = T("退货申请", "Refund application");
pub const SCR_REVIEW: T = T("退货审核", "Refund review");
pub const SCR_QUERY: T = T("退货申请查询", "Refund query");
pub const SCR_PENDING_CLEARING: T = T("待清算退货列表", "Refunds waiting for clearing");
pub const SCR_LEDGER: T = T("收支明细", "Account ledger");
pub const SCR_SETTLE: T = T("日终结算", "Settlement run");

pub const ORIGINAL: T = T("原交易", "Original transaction");
pub const AMOUNT: T = T("退货金额", "Refund amount");
pub const REMARK: T = T("备注", "Remark");
pub const REFUND_ORDER_NO: T = T("退货订单号", "Refund order no.");
pub const PAY_PASSWORD: T = T("支付密码", "Payment password");
pub const PIN: T = T("USB Key PIN", "USB key PIN");
pub const LEFT: T = T("可退金额", "Left to refund");
pub const OPEN: T = T("处理中的退货", "Refunds under way");
pub const REFUNDED: T = T("已退金额", "Refunded");
pub const MODE: T = T("退货模式", "Refund mode");
pub const MODE_DIRECT: T = T("直接退货", "direct");
pub const MODE_REVIEW: T = T("需审核", "with review");
pub const QUOTA_LEFT: T = T("今日额度剩余", "Quota left today");
pub const NO_QUOTA: T = T("不限", "no limit");
pub const FIND_HINT: T = T(
    "输入原交易参考号按 Enter 查找，再填退货金额、备注和支付密码",
    "Type the original's reference number and Enter, then amount, remark, payment password",
);
pub const APPLIED_REVIEW: T = T(
    "退货申请 #{id} 已提交，等待审核",
    "Refund application #{id} is waiting for review",
);
pub const APPLIED_DIRECT: T = T(
    "退货申请 #{id} 已提交，待清算",
    "Refund application #{id} is submitted for clearing",
);

pub const ID: T = T("编号", "No.");
pub const APPLIED_AT: T = T("申请时间", "Applied");
pub const APPLICANT: T = T("申请人", "Applicant");
pub const REVIEWER: T = T("审核人", "Reviewer");
pub const STATUS: T = T("状态", "Status");
pub const ST_PENDING_REVIEW: T = T("待审核", "Pending review");
pub const ST_REJECTED: T = T("已拒绝", "Rejected");
pub const ST_SUBMITTED: T = T("已提交", "Submitted");
pub const ST_PENDING_CLEARING: T = T("待清算", "Waiting for balance");
pub const ST_COMPLETED: T = T("已完成", "Completed");
pub const EV_APPLIED: T = T("申请", "applied");
pub const EV_APPROVED: T = T("审核通过", "approved");
pub const EV_REJECTED: T = T("审核拒绝", "rejected");
pub const EV_SUBMITTED: T = T("提交清算", "submitted");
pub const EV_PENDING_CLEARING: T = T("余额不足，待清算", "waiting for balance");
pub const EV_CLEARED: T = T("已清算", "cleared");
pub const HISTORY: T = T("处理记录", "History");
pub const SYSTEM: T = T("系统", "system");
pub const NO_PENDING: T = T(
    "没有待审核的退货申请",
    "No refund application waits for review",
);
pub const NO_REFUNDS: T = T("没有符合条件的退货申请", "No refund application matches");
pub const MARKED: T = T("已选 {n} 笔，合计 {a}", "{n} marked, total {a}");
pub const APPROVE: T = T("同意退货", "Approve");
pub const REJECT: T = T("拒绝退货", "Reject");
pub const DECIDED: T = T("已处理 {n} 笔", "{n} decided");
pub const OWN: T = T("本人申请", "own");
pub const CARD_NEEDED: T = T(
    "需要插入您的 USB Key 并输入 PIN",
    "Insert your USB key and type its PIN",
);
pub const KEY_MARK: T = T("选中/取消", "mark / unmark");
pub const KEY_MARK_ALL: T = T("全选/全不选", "mark all / none");
pub const KEY_APPROVE: T = T("同意所选", "approve the marked");
pub const KEY_REJECT: T = T("拒绝所选", "reject the marked");
pub const KEY_APPLY: T = T("提交退货申请", "apply");
pub const KEY_REFUND_THIS: T = T("对此交易申请退货", "apply for a refund of it");
pub const KEY_FIND: T = T("查找原交易", "find the original");

pub const LEDGER_TIME: T = T("时间", "Time");
pub const LEDGER_KIND: T = T("类型", "Kind");
pub const INCOME: T = T("收入", "Income");
pub const EXPENSE: T = T("支出", "Expense");
pub const RUNNING: T = T("余额", "Balance");
pub const MEMO: T = T("摘要", "Memo");
pub const KIND_SETTLEMENT: T = T("结算入账", "settlement");
pub const KIND_REFUND: T = T("退货支出", "refund");
pub const KIND_TRANSFER: T = T("转账", "transfer");
pub const KIND_WITHDRAWAL: T = T("提现", "withdrawal");
pub const KIND_TOPUP: T = T("充值", "top-up");
pub const KIND_FEE: T = T("手续费", "fee");
pub const NO_LINES: T = T("没有收支记录", "No ledger lines");
pub const KEY_MERCHANT: T = T("换商户", "other merchant");
pub const KEY_OLDER: T = T("更早", "older lines");
pub const KEY_NEWEST: T = T("最新", "newest lines");

pub const SETTLE_DATE: T = T("结算日期", "Settlement date");
pub const SETTLE_HINT: T = T(
    "结算该日期之前未结算的交易（T+1），并清算已提交的退货",
    "Settles the captured transactions before this date (T+1) and clears submitted refunds",
);
pub const SETTLED: T = T(
    "{date} 结算完成：{m} 个商户，{n} 笔交易，净额 {net}；清算退货 {r} 笔 {rf}，待清算 {w} 笔",
    "{date} settled: {m} merchants, {n} transactions, net {net}; {r} refunds cleared ({rf}), {w} waiting",
);

pub fn refund_status(code: &(impl super::AsCode + ?Sized)) -> T {
    match code.as_code() {
        "pending_review" => ST_PENDING_REVIEW,
        "rejected" => ST_REJECTED,
        "submitted" => ST_SUBMITTED,
        "pending_clearing" => ST_PENDING_CLEARING,
        "completed" => ST_COMPLETED,
        _ => T("?", "?"),
    }
}

pub fn refund_event(code: &str) -> T {
    match code {
        "applied" => EV_APPLIED,
        "approved" => EV_APPROVED,
        "rejected" => EV_REJECTED,
        "submitted" => EV_SUBMITTED,
        "pending_clearing" => EV_PENDING_CLEARING,
        "cleared" => EV_CLEARED,
        _ => T("?", "?"),
    }
}

pub fn ledger_kind(code: &(impl super::AsCode + ?Sized)) -> T {
    match code.as_code() {
        "settlement" => KIND_SETTLEMENT,
        "refund" => KIND_REFUND,
        "transfer" => KIND_TRANSFER,
        "withdrawal" => KIND_WITHDRAWAL,
        "topup" => KIND_TOPUP,
        "fee" => KIND_FEE,
        _ => T("?", "?"),
    }
}
pub const NONE_MARKED: T = T(
    "没有选中的申请：先按 Space 选中（* 全选），再同意或拒绝",
    "Nothing is marked: Space marks one (* marks all), then approve or reject",
);
pub const NOT_REFUNDABLE_WHY: T = T(
    "{type}（{status}）不能退货：只有成功的消费或预授权完成可以退货",
    "A {type} that is {status} cannot be refunded: only a successful sale or completion can",
);
pub const NOTHING_LEFT: T = T(
    "该交易已无可退金额：已退 {r}，处理中 {o}",
    "Nothing is left to refund on it: {r} refunded, {o} under way",
);
pub const SETTLE_WILL: T = T(
    "将结算 {date}：{m} 个商户，{n} 笔交易，净额 {net}",
    "Settling {date}: {m} merchants, {n} transactions, net {net}",
);
pub const SETTLE_SKIPS: T = T(
    "；已结算该日的 {k} 个商户不再结算",
    "; {k} merchants already settled for it are left as they are",
);
pub const SETTLE_REFUNDS: T = T(
    "待清算退货 {r} 笔 {rf}（余额够则清算）",
    "{r} refunds to clear, {rf} (as far as the balances go)",
);
pub const SETTLE_ASK: T = T("Enter 结算    Esc 取消", "Enter settles    Esc cancels");
