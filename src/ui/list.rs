//! One definition per list (`ListSpec`): each column's header in both languages, its kind, width
//! rule, priority and cell functions. The table draws from it (widths from the content shown,
//! totals included; money, counts and ids are never cut: when the columns don't fit, the
//! lower-priority ones hide and the top border says how many), the help names the hidden
//! columns, and the .xlsx export takes its headers, kinds and cells from it — so the three can
//! no longer disagree by position.

use std::sync::Arc;

use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

use crate::excel::{CellValue, ColKind};
use crate::service::exports::Columns;
use crate::ui::text::{Lang, T};
use crate::ui::theme;

/// What a column holds; it decides alignment, whether the cell may be shortened and the kind
/// of the export's column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Fen, right-aligned, never cut; totalled in the export.
    Money,
    /// Fen as a running figure (a balance): like money, not totalled.
    Balance,
    /// A whole number, right-aligned, never cut.
    Count,
    /// An identifier (reference, terminal, merchant number, card): never cut.
    Id,
    /// A date `YYYYMMDD` (exported as a date).
    Date,
    /// A time (exported as date and time).
    Time,
    /// Words: may be shortened with `…` when the screen is narrow.
    Text,
}

impl Kind {
    pub fn right(self) -> bool {
        matches!(self, Kind::Money | Kind::Balance | Kind::Count)
    }
    pub fn xlsx(self) -> ColKind {
        match self {
            Kind::Money => ColKind::Money,
            Kind::Balance => ColKind::Balance,
            Kind::Count => ColKind::Int,
            Kind::Id | Kind::Text => ColKind::Text,
            Kind::Date => ColKind::Date,
            Kind::Time => ColKind::DateTime,
        }
    }
}

/// How wide a column is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    /// The widest of its header, its cells on screen and its total.
    Content,
    /// Text that gives way first: its content width when there is room, down to `min` (cut
    /// with `…`) when there is not.
    Shrink { min: u16 },
    /// A name whose end tells it apart (a store of a chain): like `Shrink`, but cut in the
    /// middle, so "Xinyuan Dept. Store, Xujiahui" reads "Xinyu…, Xujiahui", not "Xinyuan Dep…".
    Name { min: u16 },
}

/// Where a column appears.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Show {
    /// On screen and in the export; `priority` 0 never hides, higher numbers hide first.
    Both { priority: u8 },
    /// On screen only.
    Screen { priority: u8 },
    /// In the export only.
    Export,
}

pub struct Col<R: 'static> {
    pub header: T,
    pub kind: Kind,
    pub width: Width,
    pub show: Show,
    /// The cell as the screen shows it.
    pub cell: fn(&R, Lang) -> String,
    /// The cell as the export writes it.
    pub value: fn(&R, Lang) -> CellValue<'static>,
}

impl<R> Col<R> {
    fn priority(&self) -> Option<u8> {
        match self.show {
            Show::Both { priority } | Show::Screen { priority } => Some(priority),
            Show::Export => None,
        }
    }
    fn exported(&self) -> bool {
        !matches!(self.show, Show::Screen { .. })
    }
}

/// A list's one definition.
pub struct ListSpec<R: 'static> {
    pub cols: &'static [Col<R>],
}

/// The columns chosen for a width: indexes into `ListSpec::cols` and their widths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fit {
    pub shown: Vec<usize>,
    pub widths: Vec<u16>,
    /// Screen columns left out because they did not fit.
    pub hidden: Vec<usize>,
}

/// The gutter before the first column: the selection marker `›` and a space.
pub const GUTTER: u16 = 2;
pub const MARKER: &str = "›";

pub fn width_of(s: &str) -> u16 {
    UnicodeWidthStr::width(s).min(u16::MAX as usize) as u16
}

/// Cuts `s` to `w` display columns in the middle: its start, `…`, and as much of its end as fits.
/// The start all of `names` share, when at least two differ and each keeps something after it.
pub fn common_prefix(names: &[String]) -> Option<String> {
    let first = names.first()?;
    if names.iter().all(|n| n == first) {
        return None;
    }
    let mut n = first.chars().count();
    for other in &names[1..] {
        n = n.min(
            first
                .chars()
                .zip(other.chars())
                .take_while(|(a, b)| a == b)
                .count(),
        );
    }
    // Not in the middle of a word: "Xinyuan Dept. Store, " of "…, Xujiahui" and "…, Xinjiekou".
    let chars: Vec<char> = first.chars().collect();
    while n > 0 && chars[n - 1].is_ascii_alphanumeric() {
        n -= 1;
    }
    let p: String = first.chars().take(n).collect();
    (n > 0 && names.iter().all(|x| x.chars().count() > n)).then_some(p)
}

/// A name in a column too narrow for its list's names: every one without the `prefix` they
/// share (marked `…`), so they read alike; cut in the middle if still too long.
pub fn cut_common(s: &str, prefix: &str, w: u16) -> String {
    cut_common_marked(s, prefix, w, true)
}

/// `cut_common`, with or without the `…` that marks the start left out: a list whose parts do
/// not all fit with it shows them all without it ("W. Nanji…", "Xujiahui", "Xinjiekou").
pub fn cut_common_marked(s: &str, prefix: &str, w: u16, mark: bool) -> String {
    match s.strip_prefix(prefix) {
        Some(rest) if mark => ellipsis(&format!("…{rest}"), w),
        Some(rest) => ellipsis(rest, w),
        None => ellipsis_middle(s, w),
    }
}

/// Whether every name, its shared start left out, fits `w` with the `…` marker.
pub fn marker_fits(names: &[String], prefix: &str, w: u16) -> bool {
    names
        .iter()
        .all(|n| n.strip_prefix(prefix).is_none_or(|rest| width_of(rest) < w))
}

pub fn ellipsis_middle(s: &str, w: u16) -> String {
    if width_of(s) <= w {
        return s.to_string();
    }
    if w < 4 {
        return ellipsis(s, w);
    }
    let head_w = (w - 1) / 3;
    let head = ellipsis(s, head_w + 1);
    let head = head.trim_end_matches('…');
    let room = w - width_of(head) - 1;
    let mut tail: Vec<char> = Vec::new();
    let mut used = 0u16;
    for c in s.chars().rev() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0) as u16;
        if used + cw > room {
            break;
        }
        used += cw;
        tail.push(c);
    }
    tail.reverse();
    format!("{head}…{}", tail.into_iter().collect::<String>())
}

/// Cuts `s` to `w` display columns, ending with `…` when anything was left out.
pub fn ellipsis(s: &str, w: u16) -> String {
    if width_of(s) <= w {
        return s.to_string();
    }
    if w == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0u16;
    let mut rest = s.chars();
    for c in rest.by_ref() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0) as u16;
        if used + cw + 1 > w {
            // A number is never cut: "交易笔数 40" does not read "交易笔数 4…".
            if c.is_ascii_digit()
                || (matches!(c, ',' | '.') && out.ends_with(|d: char| d.is_ascii_digit()))
            {
                while out.ends_with(|d: char| d.is_ascii_digit() || d == ',' || d == '.') {
                    out.pop();
                }
            }
            break;
        }
        out.push(c);
        used += cw;
    }
    out.push('…');
    out
}

impl<R> ListSpec<R> {
    /// The headers and kinds of the export, in order.
    pub fn export_columns(&self, lang: Lang) -> Vec<(String, ColKind)> {
        self.cols
            .iter()
            .filter(|c| c.exported())
            .map(|c| (c.header.get(lang).to_string(), c.kind.xlsx()))
            .collect()
    }

    /// One exported row.
    pub fn export_row(&self, row: &R, lang: Lang) -> Vec<CellValue<'static>> {
        self.cols
            .iter()
            .filter(|c| c.exported())
            .map(|c| (c.value)(row, lang))
            .collect()
    }

    /// What the export service needs: the headers, kinds and a cell function per row.
    pub fn columns(&'static self, lang: Lang) -> Columns<R> {
        Columns {
            headers: self
                .export_columns(lang)
                .into_iter()
                .map(|(h, _)| h)
                .collect(),
            kinds: self
                .cols
                .iter()
                .filter(|c| c.exported())
                .map(|c| c.kind.xlsx())
                .collect(),
            cells: Arc::new(move |r: &R| self.export_row(r, lang)),
            preamble: Vec::new(),
        }
    }

    /// Which columns fit `width` (the gutter excluded) with these rows and totals on screen.
    pub fn fit(&self, rows: &[R], totals: Option<&[String]>, lang: Lang, width: u16) -> Fit {
        self.fit_sorted(rows, totals, lang, width, None)
    }

    /// `fit`, with the sorted column's header one arrow wider.
    pub fn fit_sorted(
        &self,
        rows: &[R],
        totals: Option<&[String]>,
        lang: Lang,
        width: u16,
        sort: Option<Sort>,
    ) -> Fit {
        // Content widths of every screen column.
        let content: Vec<u16> = self
            .cols
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut w = width_of(&self.header(i, lang, sort));
                for r in rows {
                    w = w.max(width_of(&(c.cell)(r, lang)));
                }
                if let Some(t) = totals.and_then(|t| t.get(i)) {
                    w = w.max(width_of(t));
                }
                w
            })
            .collect();
        let min_of = |i: usize| match self.cols[i].width {
            Width::Content => content[i],
            Width::Shrink { min } | Width::Name { min } => min.min(content[i]),
        };
        let mut shown: Vec<usize> = (0..self.cols.len())
            .filter(|&i| self.cols[i].priority().is_some())
            .collect();
        let mut hidden = Vec::new();
        let need = |shown: &[usize]| -> u32 {
            shown.iter().map(|&i| min_of(i) as u32).sum::<u32>()
                + shown.len().saturating_sub(1) as u32
        };
        while need(&shown) > width as u32 && !shown.is_empty() {
            // The highest priority number goes first; among equals the rightmost.
            let (pos, _) = shown
                .iter()
                .enumerate()
                .max_by_key(|(pos, &i)| (self.cols[i].priority().unwrap_or(0), *pos))
                .unwrap();
            let drop = if self.cols[shown[pos]].priority() == Some(0) {
                // Nothing left to hide: the rightmost column goes rather than be cut.
                shown.len() - 1
            } else {
                pos
            };
            hidden.push(shown.remove(drop));
        }
        hidden.sort_unstable();
        let mut widths: Vec<u16> = shown.iter().map(|&i| min_of(i)).collect();
        // Room left goes to the shrinkable columns, up to their content, the more important
        // first.
        let mut spare = (width as u32).saturating_sub(need(&shown));
        let mut order: Vec<(usize, usize)> = shown.iter().copied().enumerate().collect();
        order.sort_by_key(|&(k, i)| (self.cols[i].priority().unwrap_or(0), k));
        for (k, i) in order {
            let grow = (content[i] - widths[k]) as u32;
            let add = grow.min(spare);
            widths[k] += add as u16;
            spare -= add;
        }
        Fit {
            shown,
            widths,
            hidden,
        }
    }

    /// The headers of the hidden columns, for the help and the marker.
    pub fn hidden_names(&self, fit: &Fit, lang: Lang) -> Vec<&'static str> {
        fit.hidden
            .iter()
            .map(|&i| self.cols[i].header.get(lang))
            .collect()
    }
}

/// What a list shows: its rows (one page), an optional totals row (a cell per column of the
/// spec, empty where there is none), the selection and the rows to grey.
pub struct ListView<'a, R: 'static> {
    pub spec: &'a ListSpec<R>,
    pub rows: &'a [R],
    pub totals: Option<&'a [String]>,
    /// `Some` when the list has the focus.
    pub selected: Option<usize>,
    /// Where the selection is when the list does not have the focus (kept for scrolling).
    pub cursor: usize,
    pub dim: fn(&R) -> bool,
    pub lang: Lang,
    /// Said instead of the table when there are no rows.
    pub empty: &'a str,
    /// `Some`: a full box with this title; `None`: a rule on top.
    pub title: Option<&'a str>,
    /// The column the rows are sorted by (its header shows the arrow).
    pub sort: Option<Sort>,
}

/// "2 columns hidden: Card, Card org." in the top border.
pub fn hidden_marker(names: &[&str], lang: Lang) -> String {
    match lang {
        Lang::Zh => format!(" ‹另有 {} 列未显示：{}› ", names.len(), names.join("、")),
        Lang::En => format!(
            " ‹{} more column{}: {}› ",
            names.len(),
            if names.len() == 1 { "" } else { "s" },
            names.join(", ")
        ),
    }
}

fn cell(text: String, right: bool) -> Cell<'static> {
    if right {
        Cell::from(Line::from(text).right_aligned())
    } else {
        Cell::from(text)
    }
}

/// Draws the list under a top border, its totals on the last line; returns the selected row's
/// position.
pub fn draw<R>(f: &mut Frame, area: Rect, view: &ListView<R>) -> Option<Position> {
    let lang = view.lang;
    let spec = view.spec;
    let mut block = match view.title {
        Some(title) => Block::default()
            .borders(Borders::ALL)
            .title(format!(" {title} ")),
        None => Block::default().borders(Borders::TOP),
    };
    let inner = block.inner(area);
    if view.rows.is_empty() {
        f.render_widget(
            Paragraph::new(Span::styled(view.empty.to_string(), theme::dim())).block(block),
            area,
        );
        return None;
    }
    let fit = spec.fit_sorted(
        view.rows,
        view.totals,
        lang,
        inner.width.saturating_sub(GUTTER),
        view.sort,
    );
    if !fit.hidden.is_empty() {
        let names = spec.hidden_names(&fit, lang);
        let marker = hidden_marker(&names, lang);
        // Too long for the border: just the count.
        let taken = view.title.map_or(0, |t| width_of(t) + 4);
        let marker = if width_of(&marker) + taken + 2 > area.width {
            match lang {
                Lang::Zh => format!(" ‹+{} 列› ", names.len()),
                Lang::En => format!(" ‹+{} col.› ", names.len()),
            }
        } else {
            marker
        };
        block = block.title(Line::from(Span::styled(marker, theme::dim())).right_aligned());
    }
    f.render_widget(block, area);
    let area = inner;
    let totals_h = u16::from(view.totals.is_some());
    let [list, total_area] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(totals_h)]).areas(area);
    let mut widths = vec![Constraint::Length(1)];
    widths.extend(fit.widths.iter().map(|w| Constraint::Length(*w)));
    // A name column too narrow for its names: the start they all share (the chain's name) goes
    // first, so what tells them apart stays ("…南京西路店", "…Xujiahui").
    let prefixes: Vec<Option<(String, bool)>> = fit
        .shown
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            if !matches!(spec.cols[i].width, Width::Name { .. }) {
                return None;
            }
            let cells: Vec<String> = view
                .rows
                .iter()
                .map(|r| (spec.cols[i].cell)(r, lang))
                .collect();
            if !cells.iter().any(|c| width_of(c) > fit.widths[k]) {
                return None;
            }
            let p = common_prefix(&cells)?;
            let mark = marker_fits(&cells, &p, fit.widths[k]);
            Some((p, mark))
        })
        .collect();
    let shown_text = |i: usize, k: usize, s: String| -> Cell<'static> {
        let c = &spec.cols[i];
        let s = match (c.kind, c.width) {
            (Kind::Text, Width::Name { .. }) => ellipsis_middle(&s, fit.widths[k]),
            (Kind::Text, _) => ellipsis(&s, fit.widths[k]),
            _ => s,
        };
        cell(s, c.kind.right())
    };
    let mut header = vec![Cell::from("")];
    header.extend(
        fit.shown
            .iter()
            .enumerate()
            .map(|(k, &i)| shown_text(i, k, spec.header(i, lang, view.sort))),
    );
    // Rows under the header.
    let visible = list.height.saturating_sub(1).max(1) as usize;
    let sel = view
        .selected
        .unwrap_or(view.cursor)
        .min(view.rows.len() - 1);
    let offset = sel.saturating_sub(visible - 1);
    let body = view
        .rows
        .iter()
        .enumerate()
        .skip(offset)
        .take(visible)
        .map(|(n, r)| {
            let is_sel = view.selected == Some(n);
            let mut cells = vec![Cell::from(if is_sel { MARKER } else { " " })];
            cells.extend(fit.shown.iter().enumerate().map(|(k, &i)| {
                let text = (spec.cols[i].cell)(r, lang);
                match &prefixes[k] {
                    Some((p, mark)) => {
                        shown_text(i, k, cut_common_marked(&text, p, fit.widths[k], *mark))
                    }
                    None => shown_text(i, k, text),
                }
            }));
            let style = if is_sel {
                theme::selected()
            } else if (view.dim)(r) {
                theme::dim()
            } else {
                Style::default()
            };
            Row::new(cells).style(style)
        });
    f.render_widget(
        Table::new(body, widths.clone())
            .header(Row::new(header).style(theme::header()))
            .column_spacing(1),
        list,
    );
    if let Some(t) = view.totals {
        let mut cells = vec![Cell::from("")];
        cells.extend(
            fit.shown
                .iter()
                .enumerate()
                .map(|(k, &i)| shown_text(i, k, t.get(i).cloned().unwrap_or_default())),
        );
        f.render_widget(
            Table::new([Row::new(cells).style(theme::header())], widths).column_spacing(1),
            total_area,
        );
    }
    view.selected
        .map(|_| Position::new(list.x, list.y + 1 + (sel - offset) as u16))
}

/// The first rows of an export: what the list is, the conditions of the query that ran and
/// when it ran.
pub fn preamble(title: &str, conditions: &[String], run_ms: i64, lang: Lang) -> Vec<String> {
    use crate::ui::text::query as q;
    let sep = if lang == Lang::Zh { "；" } else { "; " };
    let colon = if lang == Lang::Zh { "：" } else { ": " };
    let conds = if conditions.is_empty() {
        q::EXPORT_NO_CONDITIONS.get(lang).to_string()
    } else {
        conditions.join(sep)
    };
    vec![
        title.to_string(),
        format!("{}{colon}{conds}", q::EXPORT_CONDITIONS.get(lang)),
        format!(
            "{}{colon}{}",
            q::EXPORT_RUN_AT.get(lang),
            crate::clock::format_ms(run_ms)
        ),
    ]
}

/// Help lines naming the columns a narrow screen leaves out.
pub fn help_hidden<R>(spec: &ListSpec<R>, fit: &Fit, lang: Lang) -> Option<(String, String)> {
    if fit.hidden.is_empty() {
        return None;
    }
    let names = spec.hidden_names(fit, lang);
    Some((
        match lang {
            Lang::Zh => "列".to_string(),
            Lang::En => "Columns".to_string(),
        },
        hidden_marker(&names, lang).trim().to_string(),
    ))
}

/// `s`: the column a list held whole is sorted by, and which way; the header shows ▲ or ▼.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub col: usize,
    pub desc: bool,
}

fn cmp_values(a: &CellValue, b: &CellValue) -> std::cmp::Ordering {
    use CellValue::*;
    let rank = |v: &CellValue| match v {
        Empty => 0,
        _ => 1,
    };
    match (a, b) {
        (Money(x), Money(y)) | (Int(x), Int(y)) | (DateTime(x), DateTime(y)) => x.cmp(y),
        (Date(x), Date(y)) => x.cmp(y),
        (Text(x), Text(y)) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)),
    }
}

impl<R> ListSpec<R> {
    /// The next sort `s` gives: the next shown column ascending, then descending, then none.
    pub fn next_sort(&self, cur: Option<Sort>) -> Option<Sort> {
        let shown: Vec<usize> = (0..self.cols.len())
            .filter(|&i| self.cols[i].priority().is_some() && self.cols[i].exported())
            .collect();
        match cur {
            None => shown.first().map(|&col| Sort { col, desc: false }),
            Some(Sort { col, desc: false }) => Some(Sort { col, desc: true }),
            Some(Sort { col, desc: true }) => {
                let next = shown.iter().position(|&c| c == col).map(|p| p + 1)?;
                shown.get(next).map(|&col| Sort { col, desc: false })
            }
        }
    }

    /// Sorts rows by a column's value (numbers as numbers, dates as dates), stable.
    pub fn sort(&self, rows: &mut [R], sort: Sort, lang: Lang) {
        let value = self.cols[sort.col].value;
        rows.sort_by(|a, b| {
            let o = cmp_values(&value(a, lang), &value(b, lang));
            if sort.desc {
                o.reverse()
            } else {
                o
            }
        });
    }

    /// The header of a column, with the sort arrow when it is the sorted one.
    pub fn header(&self, i: usize, lang: Lang, sort: Option<Sort>) -> String {
        let h = self.cols[i].header.get(lang);
        match sort {
            Some(s) if s.col == i => format!("{h}{}", if s.desc { "▼" } else { "▲" }),
            _ => h.to_string(),
        }
    }
}

/// `/` search within a whole result: each row's shown cells, lowercased once, searched as the
/// operator types; the selection goes to the first match at or after where the search began.
pub struct Search {
    pub typed: String,
    hay: Vec<String>,
    /// Row indexes (in the result) that match.
    pub matches: Vec<usize>,
    /// Which match is selected.
    pub current: usize,
    origin: usize,
}

impl Search {
    pub fn new<R>(spec: &ListSpec<R>, rows: &[R], lang: Lang, origin: usize) -> Search {
        let hay = rows
            .iter()
            .map(|r| {
                spec.cols
                    .iter()
                    .filter(|c| c.priority().is_some())
                    .map(|c| (c.cell)(r, lang))
                    .collect::<Vec<_>>()
                    .join("\u{1}")
                    .to_lowercase()
            })
            .collect();
        Search::from_hay(hay, origin)
    }

    pub fn from_hay(hay: Vec<String>, origin: usize) -> Search {
        Search {
            typed: String::new(),
            hay,
            matches: Vec::new(),
            current: 0,
            origin,
        }
    }

    /// Searches again for what is typed now.
    pub fn set(&mut self, typed: &str) {
        self.typed = typed.to_string();
        let needle = typed.to_lowercase();
        self.matches = if needle.is_empty() {
            Vec::new()
        } else {
            self.hay
                .iter()
                .enumerate()
                .filter(|(_, h)| h.contains(&needle))
                .map(|(i, _)| i)
                .collect()
        };
        self.current = self
            .matches
            .iter()
            .position(|&i| i >= self.origin)
            .unwrap_or(0);
    }

    /// The row the search points at.
    pub fn target(&self) -> Option<usize> {
        self.matches.get(self.current).copied()
    }

    /// The next (or previous) match, round the end.
    pub fn step(&mut self, forward: bool) {
        let n = self.matches.len();
        if n > 0 {
            self.current = if forward {
                (self.current + 1) % n
            } else {
                (self.current + n - 1) % n
            };
        }
    }

    /// "/ 1,358  匹配 2/5" as the prompt line shows it.
    pub fn prompt(&self, lang: Lang) -> String {
        let found = if self.typed.is_empty() {
            String::new()
        } else if self.matches.is_empty() {
            match lang {
                Lang::Zh => "  无匹配".into(),
                Lang::En => "  no match".into(),
            }
        } else {
            match lang {
                Lang::Zh => format!(
                    "  匹配 {}/{}  ↑↓ 上/下一个  Enter 完成",
                    self.current + 1,
                    self.matches.len()
                ),
                Lang::En => format!(
                    "  match {}/{}  ↑↓ previous/next  Enter done",
                    self.current + 1,
                    self.matches.len()
                ),
            }
        };
        format!("/{}{found}", self.typed)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_text_cell_is_never_cut_inside_a_number() {
        assert_eq!(
            ellipsis("商户数 3，交易笔数 40", 20),
            "商户数 3，交易笔数 …"
        );
        assert_eq!(ellipsis("net 316,556.20 ok", 12), "net …");
        assert_eq!(ellipsis("abcdef", 4), "abc…");
    }

    #[test]
    fn a_chain_s_store_names_lose_their_shared_start_first() {
        let names: Vec<String> = ["鑫源百货南京西路店", "鑫源百货徐家汇店", "鑫源百货新街口店"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let p = common_prefix(&names).unwrap();
        assert_eq!(p, "鑫源百货");
        assert_eq!(cut_common(&names[0], &p, 16), "…南京西路店");
        assert_eq!(common_prefix(&names[..1]), None);
        let en: Vec<String> = [
            "Xinyuan Dept. Store, Xujiahui",
            "Xinyuan Dept. Store, Xinjiekou",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let p = common_prefix(&en).unwrap();
        assert_eq!(cut_common(&en[0], &p, 12), "…Xujiahui");
        assert!(!marker_fits(&en, &p, 9));
        assert_eq!(cut_common_marked(&en[1], &p, 9, false), "Xinjiekou");
        assert_eq!(cut_common_marked(&en[0], &p, 9, false), "Xujiahui");
        let far = "Xinyuan Dept. Store, W. Nanjing Rd";
        assert_eq!(cut_common_marked(far, &p, 9, false), "W. Nanji…");
    }

    use super::*;

    struct R(i64, &'static str);
    const COLS: &[Col<R>] = &[
        Col {
            header: crate::ui::text::t::W_NAME,
            kind: Kind::Text,
            width: Width::Shrink { min: 4 },
            show: Show::Both { priority: 0 },
            cell: |r, _| r.1.to_string(),
            value: |r, _| CellValue::text(r.1),
        },
        Col {
            header: crate::ui::text::t::W_NOTE,
            kind: Kind::Text,
            width: Width::Content,
            show: Show::Both { priority: 2 },
            cell: |_, _| "a long remark".into(),
            value: |_, _| CellValue::Empty,
        },
        Col {
            header: crate::ui::text::t::COL_AMOUNT,
            kind: Kind::Money,
            width: Width::Content,
            show: Show::Both { priority: 0 },
            cell: |r, _| crate::domain::money::format_fen(r.0),
            value: |r, _| CellValue::Money(r.0),
        },
    ];
    const SPEC: ListSpec<R> = ListSpec { cols: COLS };

    #[test]
    fn totals_widen_money_and_low_priority_hides_first() {
        let rows = [R(100, "鑫源百货徐家汇店")];
        let totals = ["合计".to_string(), String::new(), "11,367,951.24".into()];
        let fit = SPEC.fit(&rows, Some(&totals), Lang::Zh, 200);
        assert_eq!(fit.shown, vec![0, 1, 2]);
        assert_eq!(fit.widths[2], 13);
        let fit = SPEC.fit(&rows, Some(&totals), Lang::Zh, 24);
        assert_eq!(fit.shown, vec![0, 2]);
        assert_eq!(fit.hidden, vec![1]);
        assert_eq!(fit.widths, vec![10, 13]);
        // Below every minimum the rightmost column goes whole rather than be cut.
        let fit = SPEC.fit(&rows, Some(&totals), Lang::Zh, 12);
        assert_eq!(fit.shown, vec![0]);
    }

    #[test]
    fn search_goes_to_the_first_match_from_where_it_began() {
        let hay: Vec<String> = (0..20_000)
            .map(|i| format!("row {i} 鑫源 {}", i * 7))
            .collect();
        let mut s = Search::from_hay(hay, 100);
        s.set("row 1");
        assert_eq!(s.target(), Some(100));
        s.step(true);
        assert_eq!(s.target(), Some(101));
        s.set("鑫源 7");
        assert_eq!(s.target(), Some(100)); // 鑫源 700
        s.set("nothing");
        assert_eq!(s.target(), None);
    }

    #[test]
    fn export_columns_follow_the_spec() {
        let cols = SPEC.export_columns(Lang::En);
        assert_eq!(cols[2], ("Amount".to_string(), ColKind::Money));
        assert_eq!(ellipsis("鑫源百货徐家汇店", 7), "鑫源百…");
        assert_eq!(
            ellipsis_middle("Xinyuan Dept. Store, Xujiahui", 16),
            "Xinyu…, Xujiahui"
        );
        assert_eq!(
            ellipsis_middle("Xinyuan Dept. Store, W. Nanjing Rd", 16),
            "Xinyu…Nanjing Rd"
        );
    }
}
