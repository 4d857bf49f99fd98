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
