//! Strings of system management (operators, roles, terminals, groups, settings, audit log).

use super::T;

pub const SCR_OPERATORS: T = T("操作员管理", "Operators");
pub const SCR_ROLES: T = T("角色与功能", "Roles and functions");
pub const SCR_TERMINALS: T = T("终端管理", "Terminals");
pub const SCR_GROUPS: T = T("终端组管理", "Terminal groups");
pub const SCR_SETTINGS: T = T("商户设置", "Merchant settings");
pub const SCR_AUDIT: T = T("操作日志", "Audit log");

pub const LOGIN: T = T("登录名", "Login");
pub const DISPLAY_NAME: T = T("姓名", "Name");
pub const ROLES: T = T("角色", "Roles");
pub const SCOPE: T = T("终端组范围", "Terminal groups");
pub const SCOPE_ALL: T = T("全部", "All");
pub const SCOPE_HINT: T = T("都不选即全部终端组", "none ticked: every group");
pub const STATUS: T = T("状态", "Status");
pub const CARD: T = T("USB Key", "USB key");
pub const ACTIVE: T = T("启用", "Active");
pub const DISABLED: T = T("停用", "Disabled");
pub const LOCKED: T = T("锁定", "Locked");
pub const MUST_CHANGE: T = T("待改密", "must change pw");
pub const INITIAL_PASSWORD: T = T("初始登录密码", "First login password");
pub const INITIAL_PAY_PASSWORD: T = T("初始支付密码", "First payment password");
pub const OPTIONAL: T = T("可不填", "optional");
pub const NEW_PASSWORD: T = T("新登录密码", "New login password");
pub const NEW_PAY_PASSWORD: T = T("新支付密码", "New payment password");
pub const ADD_OPERATOR: T = T("新增操作员", "New operator");
pub const EDIT_OPERATOR: T = T("修改操作员", "Edit operator");
pub const RESET_PASSWORD: T = T("重置登录密码", "Reset login password");
pub const SET_PAY_PASSWORD: T = T("设置支付密码", "Set payment password");
pub const NO_OPERATORS: T = T("没有操作员", "No operators");
pub const SAVED: T = T("已保存", "Saved");
pub const OPERATOR_CREATED: T = T(
    "已新增，首次登录须修改密码",
    "Created; the operator changes the password at first login",
);
pub const PASSWORD_RESET: T = T(
    "已重置，下次登录须修改密码",
    "Reset; the operator changes it at the next login",
);
pub const UNLOCKED: T = T("已解锁", "Unlocked");
pub const ENABLED: T = T("已启用", "Enabled");
pub const WAS_DISABLED: T = T("已停用", "Disabled");
pub const CONFIRM_DELETE: T = T(
    "确定删除「{name}」？ y 删除  其他键取消",
    "Delete \"{name}\"? y deletes, any other key cancels",
);
pub const DELETED: T = T("已删除", "Deleted");

pub const KEY_ADD: T = T("新增", "add");
pub const KEY_EDIT: T = T("修改", "edit");
pub const KEY_TOGGLE_ACTIVE: T = T("停用/启用", "disable / enable");
pub const KEY_RESET_PASSWORD: T = T("重置登录密码", "reset login password");
pub const KEY_PAY_PASSWORD: T = T("设置支付密码", "set payment password");
pub const KEY_UNLOCK: T = T("解锁", "unlock");
pub const KEY_RENAME: T = T("改名", "rename");
pub const KEY_DELETE: T = T("删除", "delete");
pub const KEY_TOGGLE_FUNCTION: T = T("勾选/取消功能", "tick / untick the function");
pub const KEY_ROLE_COLUMN: T = T("换角色", "other role");
pub const KEY_MOVE_GROUP: T = T("移到终端组", "move to a group");
pub const KEY_MEMBERS: T = T("成员", "members");
pub const KEY_TOGGLE_MEMBER: T = T("加入/移出本组", "add to / remove from the group");
pub const KEY_POLICY: T = T("密码与锁屏", "passwords and idle lock");
pub const KEY_NEXT_PAGE: T = T("更早的记录", "older rows");

pub const ROLE_NAME: T = T("角色名称", "Role name");
pub const ADD_ROLE: T = T("新增角色", "New role");
pub const RENAME_ROLE: T = T("角色改名", "Rename role");
pub const FUNCTION: T = T("功能", "Function");
pub const BUILTIN: T = T("内置", "built-in");
pub const HOLDERS: T = T("使用者", "Held by");

pub const TERMINAL_NO: T = T("终端号", "Terminal");
pub const MERCHANT: T = T("所属商户", "Merchant");
pub const SERIAL_NO: T = T("序列号", "Serial no.");
pub const TERMINAL_NAME: T = T("名称", "Name");
pub const LOCATION: T = T("位置", "Location");
pub const GROUP: T = T("终端组", "Group");
pub const NO_GROUP: T = T("（无）", "(none)");
pub const ADD_TERMINAL: T = T("新增终端", "New terminal");
pub const EDIT_TERMINAL: T = T("修改终端", "Edit terminal");
pub const MOVE_TERMINAL: T = T("移动终端", "Move terminal");
pub const NO_TERMINALS: T = T("没有终端", "No terminals");

pub const GROUP_NAME: T = T("终端组名称", "Group name");
pub const MEMBERS: T = T("终端数", "Terminals");
pub const ADD_GROUP: T = T("新增终端组", "New terminal group");
pub const RENAME_GROUP: T = T("终端组改名", "Rename group");
pub const NO_GROUPS: T = T("没有终端组", "No terminal groups");
pub const MEMBERS_OF: T = T(
    "{name} 的成员（空格加入/移出）",
    "Members of {name} (Space adds/removes)",
);
pub const IN_GROUP: T = T("本组", "in group");

pub const REFUND_MODE: T = T("退货模式", "Refund mode");
pub const MODE_DIRECT: T = T("直接退货", "Direct");
pub const MODE_REVIEW: T = T("退货审核", "With review");
pub const QUOTA: T = T("每日退货额度(元)", "Daily refund quota (yuan)");
pub const QUOTA_NONE: T = T("0 表示不限", "0: no limit");
pub const QUOTA_UNLIMITED: T = T("不限", "no limit");
pub const MERCHANT_REFUND: T = T("退货设置", "Refund settings");
pub const POLICY: T = T("密码与锁屏", "Passwords and idle lock");
pub const MIN_LEN: T = T("密码最短长度", "Password minimum length");
pub const MAX_LEN: T = T("密码最长长度", "Password maximum length");
pub const IDLE_MINUTES: T = T("无操作锁屏(分钟)", "Idle lock (minutes)");
pub const IDLE_HINT: T = T("0 表示不自动锁屏", "0: never lock by itself");
pub const POLICY_LINE: T = T(
    "密码 {min}–{max} 个字符；无操作 {idle} 分钟锁屏",
    "Passwords {min}–{max} characters; idle lock after {idle} minutes",
);

pub const AUDIT_TIME: T = T("时间", "Time");
pub const AUDIT_OPERATOR: T = T("操作员", "Operator");
pub const AUDIT_WORKSTATION: T = T("工作站", "Workstation");
pub const AUDIT_ACTION: T = T("动作", "Action");
pub const AUDIT_TARGET: T = T("对象", "Target");
pub const AUDIT_BEFORE: T = T("修改前", "Before");
pub const AUDIT_AFTER: T = T("修改后", "After");
pub const AUDIT_ACTION_PREFIX: T = T("动作前缀", "Action starts with");
pub const AUDIT_EMPTY: T = T("没有符合条件的日志", "No log rows match");
pub const AUDIT_PAGE: T = T(
    "第 {p} 页（每页 {n} 条，最新在前）",
    "Page {p} ({n} a page, newest first)",
);

pub const KEY_BIND_CARD: T = T("绑定 USB Key", "bind the USB key");
pub const KEY_UNBIND_CARD: T = T("解绑 USB Key", "unbind the USB key");
pub const UNBIND_CARD: T = T("解绑 USB Key", "Unbind the USB key of");
pub const YOUR_PAY_PASSWORD: T = T("您的支付密码", "Your payment password");
pub const CARD_BOUND: T = T(
    "USB Key {serial} 已绑定给 {login}",
    "USB key {serial} is bound to {login}",
);
pub const CARD_UNBOUND: T = T("USB Key 已解绑", "USB key unbound");
pub const CARD_SETTINGS: T = T("USB Key 设置", "USB key settings");
pub const KEY_CARD_SETTINGS: T = T("USB Key 设置", "USB key settings");
pub const READER: T = T("读卡器名称", "Reader name");
pub const READERS_NOW: T = T("已连接：{list}", "connected: {list}");
pub const LOGIN_POLICY: T = T("登录要求", "Login requires");
pub const POLICY_BOUND: T = T(
    "绑定了 USB Key 的操作员",
    "the card of operators with one bound",
);
pub const POLICY_ALL: T = T("所有操作员都须用 USB Key", "a card for every operator");
pub const CARD_LINE: T = T("读卡器：{reader}；{policy}", "Reader: {reader}; {policy}");
pub const NO_READER: T = T("（未设置）", "(not set)");
pub const CONFIRM_DISABLE: T = T("停用操作员？", "Disable the operator?");
pub const COL_ROLES_WORD: T = T("角色", "Roles");
pub const DISABLE_EFFECT: T = T(
    "停用后该操作员立即退出登录，重新启用前不能登录",
    "Disabled, the operator is logged out at once and cannot log in until enabled",
);
pub const DISABLE_KEYS: T = T("Enter 停用    Esc 取消", "Enter disables    Esc cancels");
pub const NOT_LOCKED: T = T(
    "{login} 没有被锁定，无需解锁",
    "{login} is not locked: nothing to unlock",
);
