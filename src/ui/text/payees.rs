//! Strings of 联系人 (payee contacts, A5).

use super::T;

pub const SCR_PAYEES: T = T("联系人", "Payee contacts");
pub const TAB_PLATFORM: T = T("平台账户", "Platform accounts");
pub const TAB_BANK: T = T("银行账户", "Bank accounts");
pub const NAME: T = T("户名", "Account name");
pub const ACCOUNT: T = T("账户", "Account");
pub const BANK_BRANCH: T = T("开户行/支行", "Bank / branch");
pub const PLACE: T = T("省市", "City");
pub const HOLDER: T = T("对公对私", "Holder");
pub const MOBILE: T = T("收款人联系手机", "Mobile");
pub const REMARK: T = T("备注", "Remark");
pub const LAST_USED: T = T("最近使用", "Last used");
pub const USES: T = T("使用次数", "Uses");
pub const PLATFORM_NO: T = T("平台账号（商户号）", "Platform account (merchant no.)");
pub const ACCOUNT_NO: T = T("银行帐号", "Account no.");
pub const ACCOUNT_NO_AGAIN: T = T("确认银行帐号", "Account no. again");
pub const FILE: T = T("文件", "File");
pub const KEYWORD: T = T("关键字", "Keyword");
pub const SEARCH_HINT: T = T(
    "请输入您想搜索的联系人（户名、账号后四位、备注）",
    "Search a contact (name, last four digits, remark)",
);
pub const ADD_PLATFORM: T = T("添加平台账户联系人", "Add a platform contact");
pub const ADD_BANK: T = T("添加银行账户联系人", "Add a bank contact");
pub const IMPORT: T = T("导入联系人模板", "Import the contact template");
pub const ADDED: T = T("联系人 {n} {a} 已添加", "Contact {n} {a} added");
pub const DELETE: T = T("删除联系人", "Delete the contact");
pub const DELETED: T = T("联系人 {n} 已删除", "Contact {n} deleted");
pub const REVEAL: T = T("显示完整账号", "Show the full number");
pub const REVEALED: T = T("完整账号：{n}", "Full number: {n}");
pub const IMPORTED: T = T("已从 {f} 添加 {n} 个联系人", "{n} contacts added from {f}");
pub const REFUSED: T = T(
    "文件未导入：{n} 处错误，未保存任何数据（Esc 关闭）",
    "File not imported: {n} problems, nothing stored (Esc closes)",
);
pub const FILE_REFUSED: T = T("文件未导入：{e}", "File not imported: {e}");
pub const TEMPLATE_WRITTEN: T = T("模板已保存：{p}", "Template written: {p}");
pub const TEMPLATE_NAME: (&str, &str) = ("联系人模板.xlsx", "payee_template.xlsx");
pub const EMPTY: T = T(
    "没有联系人（a 添加，i 导入模板）",
    "No contacts (a adds, i imports the template)",
);
pub const EMPTY_PLATFORM: T = T(
    "没有平台账户联系人（a 添加）",
    "No platform contacts (a adds one)",
);
pub const CONFIRM_PLATFORM: T = T(
    "核对户名后按 Enter 或 Ctrl+S 确认添加",
    "Check the name, then Enter or Ctrl+S adds the contact",
);
pub const BAD_ROWS: T = T("文件中的错误", "Problems in the file");
pub const KEY_TAB: T = T("平台账户 / 银行账户", "platform / bank accounts");
pub const KEY_ADD: T = T("添加", "add");
pub const KEY_DELETE: T = T("删除（支付密码）", "delete (payment password)");
pub const KEY_REVEAL: T = T(
    "显示完整账号（支付密码）",
    "show the full number (payment password)",
);
pub const KEY_IMPORT: T = T("导入模板", "import the template");
pub const KEY_TEMPLATE: T = T("下载模板", "write the template");
pub const KEY_SEARCH: T = T("搜索", "search");
pub const PAY_PASSWORD: T = T("支付密码", "Payment password");
