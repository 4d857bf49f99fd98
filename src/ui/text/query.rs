//! Strings of settlement query, the complete transaction query, the monitor and exports.

use super::T;

// Screens (menu names as in the manuals)
pub const SCR_SETTLEMENT_QUERY: T = T("结算查询", "Settlement query");
pub const SCR_SETTLEMENT_YESTERDAY: T = T("昨日结算明细", "Yesterday's settlements");
pub const SCR_SETTLEMENT_TXNS: T = T("结算交易列表", "Settlement transactions");
pub const SCR_MONITOR: T = T("实时交易监控", "Real-time monitor");
pub const SCR_SUMMARY: T = T("交易汇总", "Transaction summary");
pub const SCR_SLIP: T = T("重打印签购单", "Reprint sales slip");

// Settlement query
pub const SETTLE_FROM: T = T("结算日期从", "Settled from");
pub const SETTLE_TO: T = T("结算日期至", "Settled to");
pub const MERCHANT: T = T("商户", "Merchant");
pub const MERCHANT_HINT: T = T("商户编号或名称", "number or name");
pub const SETTLE_STATUS: T = T("结算状态", "Status");
pub const ST_SETTLED: T = T("已结算", "Settled");
pub const ST_PAID: T = T("已划款", "Paid out");
pub const COL_SETTLE_DATE: T = T("结算日期", "Settled");
pub const COL_MERCHANT_NO: T = T("商户编号", "Merchant no.");
pub const COL_MERCHANT: T = T("商户名称", "Merchant");
pub const COL_COUNT: T = T("笔数", "Count");
pub const COL_TRADE: T = T("交易金额", "Trade");
pub const COL_FEE: T = T("手续费", "Fee");
pub const COL_REFUND: T = T("退货金额", "Refunds");
pub const COL_NET: T = T("结算净额", "Net");
pub const COL_STATUS: T = T("状态", "Status");
pub const SETTLE_PAGE_INFO: T = T(
    "第 {p}/{n} 页  共 {c} 条结算",
    "Page {p}/{n}  {c} settlements",
);
pub const SETTLE_EMPTY: T = T(
    "没有符合条件的结算记录",
    "No settlement matches these conditions",
);
pub const SETTLE_SCOPE_NOTE: T = T(
    "（金额只含您的终端组的交易）",
    "(figures of your terminal groups only)",
);
pub const SETTLEMENT_OF: T = T(
    "结算 {d}  {m}  {k} 笔  净额 {a}",
    "Settlement {d}  {m}  {k} transactions  net {a}",
);
pub const KEY_TXN_LIST: T = T("该结算的交易列表", "the settlement's transactions");
pub const KEY_YESTERDAY_SETTLE: T = T("昨日结算", "yesterday's settlements");

// The advanced query (高级查询)
pub const KEY_ADVANCED: T = T("高级查询（显示/隐藏）", "advanced query (show/hide)");
pub const ADVANCED_OFF: T = T(
    "已隐藏高级查询，其条件已清除",
    "Advanced query hidden; its conditions were cleared",
);
pub const CARD_ORG: T = T("卡组织", "Card org.");
pub const CARD_TYPE: T = T("卡类型", "Card type");
pub const BANK: T = T("发卡行", "Issuer");
pub const MIN_AMOUNT: T = T("最低金额", "Min amount");
pub const MAX_AMOUNT: T = T("最高金额", "Max amount");
pub const CARD_LAST4: T = T("卡号后四位", "Last four");
pub const BATCH_NO: T = T("批次号", "Batch no.");
pub const AUTH_CODE: T = T("授权码", "Auth code");
pub const P_AMOUNT_ORDER: T = T("低于最低金额", "below the minimum");
pub const P_NO_BANK: T = T(
    "没有唯一匹配的发卡行（输入代码或名称）",
    "names no single bank (type its code or name)",
);
pub const P_NO_MERCHANT: T = T(
    "没有唯一匹配的商户（输入商户编号或名称）",
    "names no single merchant (number or name)",
);

// Summary tabs (T6)
pub const KEY_SUMMARY: T = T("汇总", "summary");
pub const KEY_TABS: T = T("切换汇总方式", "switch the summary");
pub const TAB_TRADE_DATE: T = T("按交易日期", "By trade date");
pub const TAB_SETTLE_DATE: T = T("按清算日期", "By settlement date");
pub const TAB_MERCHANT: T = T("按商户", "By merchant");
pub const TAB_CARD_ORG: T = T("按卡组织", "By card org.");
pub const COL_TRADE_DATE: T = T("交易日期", "Trade date");
pub const COL_SETTLE_DAY: T = T("清算日期", "Settled");
pub const COL_CARD_ORG: T = T("卡组织", "Card org.");
pub const COL_AMOUNT: T = T("金额", "Amount");
pub const COL_SHARE: T = T("占比", "Share");
pub const UNSETTLED: T = T("未清算", "not settled");
pub const TOTAL: T = T("合计", "Total");
pub const SUMMARY_EMPTY: T = T("没有可汇总的交易", "No transactions to sum");
pub const FROM_ROLLUPS: T = T("来源：日汇总表", "from the daily rollups");
pub const FROM_ROWS: T = T("来源：逐笔汇总", "summed row by row");
pub const NET_NOTE: T = T(
    "结算净额 = 成功消费与预授权完成 − 手续费 − 成功退货",
    "Net = captured sales and completions − fees − captured refunds",
);

// Reprinting the sales slip (T4)
pub const KEY_REPRINT: T = T("重打印签购单", "reprint the sales slip");
pub const KEY_SAVE_SLIP: T = T("保存为文本文件", "save as a text file");
pub const KEY_COPY: T = T("商户存根/持卡人存根", "merchant / cardholder copy");
pub const SLIP_TODAY: T = T(
    "当日交易请在 POS 上重打印；这里只重打印当日以前的交易",
    "Reprint today's transactions at the POS; here only those from before today",
);
pub const SLIP_NOT_CAPTURED: T = T(
    "失败的交易没有签购单",
    "A declined transaction has no sales slip",
);
pub const SLIP_SAVED: T = T("签购单已保存到 {path}", "Slip saved to {path}");
pub const SLIP_SAVE_FAILED: T = T("签购单未能保存：{e}", "The slip was not saved: {e}");
// The slip itself prints both languages, as a POS does.
pub const SLIP_TITLE: T = T("银联POS签购单", "POS SALES SLIP");
pub const SLIP_MERCHANT_COPY: T = T("商户存根", "MERCHANT COPY");
pub const SLIP_CARDHOLDER_COPY: T = T("持卡人存根", "CARDHOLDER COPY");
pub const SLIP_MERCHANT_NAME: T = T("商户名称", "MERCHANT NAME");
pub const SLIP_MERCHANT_NO: T = T("商户编号", "MERCHANT NO.");
pub const SLIP_TERMINAL: T = T("终端编号", "TERMINAL NO.");
pub const SLIP_OPERATOR: T = T("操作员号", "OPERATOR NO.");
pub const SLIP_CARD: T = T("卡号", "CARD NO.");
pub const SLIP_ISSUER: T = T("发卡行", "ISSUER");
pub const SLIP_ACQUIRER: T = T("收单行", "ACQUIRER");
pub const SLIP_TYPE: T = T("交易类型", "TRANS TYPE");
pub const SLIP_BATCH: T = T("批次号", "BATCH NO.");
pub const SLIP_VOUCHER: T = T("凭证号", "VOUCHER NO.");
pub const SLIP_AUTH: T = T("授权码", "AUTH NO.");
pub const SLIP_REF: T = T("参考号", "REFER NO.");
pub const SLIP_DATETIME: T = T("日期/时间", "DATE/TIME");
pub const SLIP_AMOUNT: T = T("金额", "AMOUNT");
pub const SLIP_REPRINT: T = T("重打印", "REPRINT");
pub const SLIP_SIGNATURE: T = T("持卡人签名", "CARDHOLDER SIGNATURE");
pub const SLIP_ACK: T = T(
    "本人确认以上交易，同意将其记入本卡账户",
    "I ACKNOWLEDGE SATISFACTORY RECEIPT OF RELATIVE GOODS/SERVICES",
);
pub const SLIP_ACQUIRER_DEFAULT: T = T("银联商务", "CHINA UMS");

// Real-time monitor (M1)
pub const MON_LIVE: T = T(
    "最新 20 笔，新交易写入后一秒内显示",
    "The latest 20, shown within a second of being written",
);
pub const MON_UPDATED: T = T("更新于 {t}", "updated {t}");
pub const MON_PER_MINUTE: T = T(
    "最近 {n} 分钟每分钟笔数（最高 {max} 笔）",
    "Transactions per minute, last {n} minutes (peak {max})",
);
pub const MON_EMPTY: T = T("暂无交易", "No transactions yet");
pub const MON_NEW: T = T("新到 {n} 笔", "{n} new");

// Exports (T5, S2, S3) and the downloads list (D1)
pub const SCR_DOWNLOADS: T = T("下载中心", "Downloads");
pub const EXPORT_TXNS: T = T("交易明细", "Transactions");
pub const EXPORT_SETTLEMENTS: T = T("结算明细", "Settlements");
pub const EXPORT_STARTED: T = T(
    "正在后台导出 {n} 行，可继续操作；Esc 取消",
    "Exporting {n} rows in the background; Esc cancels",
);
pub const EXPORT_PROGRESS: T = T("导出中 {done}/{total} 行", "Exporting {done}/{total} rows");
pub const EXPORT_DONE: T = T("已导出 {n} 行：{path}", "Exported {n} rows: {path}");
pub const EXPORT_FAILED: T = T("导出失败：{e}", "Export failed: {e}");
pub const EXPORT_CANCELLED: T = T("导出已取消，未留下文件", "Export cancelled; no file left");
pub const EXPORT_BUSY: T = T("上一个导出还在进行", "The previous export is still running");
pub const EXPORT_NOTHING: T = T("先查询，再导出结果", "Run a query first, then export it");
pub const COL_FILE: T = T("导出内容", "Export");
pub const COL_ROWS: T = T("行数", "Rows");
pub const COL_STARTED: T = T("开始时间", "Started");
pub const COL_PATH: T = T("文件", "File");
pub const DL_RUNNING: T = T("进行中", "Running");
pub const DL_DONE: T = T("完成", "Done");
pub const DL_FAILED: T = T("失败", "Failed");
pub const DL_CANCELLED: T = T("已取消", "Cancelled");
pub const DL_EMPTY: T = T(
    "还没有导出；在列表中按 Ctrl+E 导出",
    "No exports yet: press Ctrl+E in a list",
);
// The first rows of an export: what was asked and when.
pub const EXPORT_CONDITIONS: T = T("查询条件", "Conditions");
pub const EXPORT_NO_CONDITIONS: T = T("无（全部）", "none (everything)");
pub const EXPORT_RUN_AT: T = T("查询时间", "Queried at");
// Totals under a transaction list: what the rows mean, not one sum of everything.
pub const PAGE_ONLY: T = T("第 {p}/{n} 页  共 {c} 笔", "Page {p}/{n}  {c} rows");
pub const BD_TRADE: T = T("消费/完成", "Sales");
pub const BD_REFUND: T = T("退货", "Refunds");
pub const BD_VOID: T = T("撤销", "Voids");
pub const BD_FAILED: T = T("失败", "Failed");
pub const BD_FEE: T = T("手续费", "Fees");
pub const BD_NET: T = T("净额", "Net");
pub const BD_COUNT: T = T("{n} 笔", "({n})");
pub const BD_SETTLED: T = T("计入结算：", "Settled:");
pub const BD_POS_REFUND: T = T("POS 退货", "POS refunds");
pub const BD_CLEARED: T = T("清算退货", "Cleared refunds");
