//! Words of the key bar, the help overlay and the palette.

use super::T;

/// The key bar's last entry: the help has the rest.
pub const MORE: T = T("更多", "more");
/// The help's and the palette's scroll markers: `{n}` lines or entries out of sight.
pub const ABOVE: T = T("↑ 上方还有 {n} 行", "↑ {n} more above");
pub const BELOW: T = T("↓ 下方还有 {n} 行", "↓ {n} more below");
pub const ENTRIES_ABOVE: T = T("↑ 还有 {n} 项", "↑ {n} more");
pub const ENTRIES_BELOW: T = T("↓ 还有 {n} 项", "↓ {n} more");
/// The help's groups after the screen's own keys and the global ones.
pub const IN_LIST: T = T("列表中", "In a list");
pub const IN_FORM: T = T("表单中", "In a form");
pub const SEARCH: T = T("在结果中查找", "search the result");
pub const NEXT_PREV_ROW: T = T("下一笔/上一笔", "next / previous row");
pub const LAST_ROW: T = T("已是本页最后一笔", "This is the page's last row");
pub const FIRST_ROW: T = T("已是本页第一笔", "This is the page's first row");
pub const SORT: T = T(
    "按列排序（再按换列/换方向）",
    "sort by a column (again: other way, next column)",
);
pub const DEMO_OPERATORS: T = T(
    "演示库操作员（密码 {p}）：{list}",
    "Demo operators (password {p}): {list}",
);
