//! 对账 (Y7, spec/money-out.md §7.5): the runs, newest first; a run's summary with a bar per
//! category (Y8) and its exceptions, the selected one side by side (ours | the acquirer's |
//! difference) with the match pass and its resolution; each open exception resolved with a
//! remark (a, d, g, or y for a suggested hand match); Ctrl+E the run as one workbook. `i`
//! imports an acquirer's file: a path typed or chosen among the files of the demo's acquirer
//! folder and the download folder (those already imported marked); the run opens, or the
//! refusal is shown whole (nothing stored). `merchant-desk recon import` does the same for
//! nightly scripts. `f` shows the format profiles an import recognises, as the data they are.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::clock::format_ms;
use crate::domain::money::format_fen;
use crate::domain::recon::{Category, ExceptionStatus, Resolution, RunStatus};
use crate::service::exports;
use crate::service::recon;
use crate::service::recon_ignore;
use crate::service::views::{ExceptionRow, IgnoreProposal, RunDetail, RunRow};
use crate::ui::keymap;
use crate::ui::text::recon as tr;
use crate::ui::text::{Lang, T};
use crate::ui::theme;
use crate::ui::widgets::table::Selection;

use super::{Cx, Nav, Outcome, Screen, View};

struct RunView {
    detail: RunDetail,
    exceptions: Vec<ExceptionRow>,
    sel: Selection,
    /// A resolution chosen, its remark being typed.
    resolving: Option<(Resolution, String)>,
    /// Proposals to ignore awaiting a second person.
    pending: Vec<IgnoreProposal>,
}

impl RunView {
    fn pending_of(&self, exception_id: i64) -> Option<&IgnoreProposal> {
        self.pending.iter().find(|p| p.exception_id == exception_id)
    }
}

/// The import panel: the path being typed, the files offered, the last refusal.
struct ImportPanel {
    path: String,
    files: Vec<recon::OfferedFile>,
    /// The offered file last chosen with ↑↓.
    chosen: Option<usize>,
    refused: Option<String>,
}

pub struct Recon {
    runs: Vec<RunRow>,
    sel: Selection,
    open: Option<RunView>,
    importing: Option<ImportPanel>,
    /// The format profiles shown (f), the one selected.
    profiles: Option<Selection>,
}

fn status_word(s: RunStatus) -> T {
    match s {
        RunStatus::Active => tr::ACTIVE,
        RunStatus::Superseded => tr::SUPERSEDED,
    }
}

impl Recon {
    pub fn open(cx: &mut Cx) -> Outcome {
        let mut s = Recon {
            runs: Vec::new(),
            sel: Selection::default(),
            open: None,
            importing: None,
            profiles: None,
        };
        let o = s.load(cx);
        if o.message.as_ref().is_some_and(|m| !m.1) {
            return o;
        }
        Outcome::nav(Nav::Push(Box::new(s)))
    }

    fn load(&mut self, cx: &mut Cx) -> Outcome {
        match recon::runs(cx.env, cx.session, 500) {
            Ok(r) => {
                self.runs = r;
                self.sel.clamp(self.runs.len());
                Outcome::none()
            }
            Err(e) => Outcome::error(cx.error_text(&e, |f| f.to_string())),
        }
    }

    fn open_run(&mut self, cx: &mut Cx, run_id: i64) -> Outcome {
        let d = recon::run(cx.env, cx.session, run_id);
        let e = recon::exceptions(cx.env, cx.session, run_id, None);
        let p = recon_ignore::pending(cx.env, cx.session, run_id);
        match (d, e, p) {
            (Ok(detail), Ok(exceptions), Ok(pending)) => {
                let keep = self.open.as_ref().map(|o| o.sel.index).unwrap_or(0);
                let mut sel = Selection { index: keep };
                sel.clamp(exceptions.len());
                self.open = Some(RunView {
                    detail,
                    exceptions,
                    sel,
                    resolving: None,
                    pending,
                });
                Outcome::none()
            }
            (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
                Outcome::error(cx.error_text(&e, |f| f.to_string()))
            }
        }
    }
}

impl Recon {
    fn start_import(&mut self, cx: &mut Cx) -> Outcome {
        match recon::offered_files(cx.env, cx.session, 200) {
            Ok(files) => {
                self.importing = Some(ImportPanel {
                    path: String::new(),
                    files,
                    chosen: None,
                    refused: None,
                });
                Outcome::none()
            }
            Err(e) => Outcome::error(cx.error_text(&e, |f| f.to_string())),
        }
    }

    fn import_key(&mut self, k: &KeyEvent, cx: &mut Cx) -> Outcome {
        let Some(p) = &mut self.importing else {
            return Outcome::none();
        };
        let n = p.files.len();
        let pick = |p: &mut ImportPanel, i: usize| {
            p.chosen = Some(i);
            p.path = p.files[i].path.display().to_string();
        };
        match k.code {
            _ if keymap::is_back(k) => {
                self.importing = None;
                Outcome::none()
            }
            _ if keymap::is_arrow_down(k) && n > 0 => {
                let i = p.chosen.map_or(0, |i| (i + 1).min(n - 1));
                pick(p, i);
                Outcome::none()
            }
            _ if keymap::is_arrow_up(k) && n > 0 => {
                let i = p.chosen.map_or(0, |i| i.saturating_sub(1));
                pick(p, i);
                Outcome::none()
            }
            KeyCode::Backspace => {
                p.path.pop();
                p.chosen = None;
                Outcome::none()
            }
            KeyCode::Char(c) => {
                p.path.push(c);
                p.chosen = None;
                Outcome::none()
            }
            KeyCode::Enter => self.import(cx),
            _ => Outcome::none(),
        }
    }

    fn import(&mut self, cx: &mut Cx) -> Outcome {
        let lang = cx.lang;
        let Some(p) = &mut self.importing else {
            return Outcome::none();
        };
        let typed = p.path.trim().to_string();
        if typed.is_empty() {
            let why = crate::ui::text::field_problem(&crate::service::Problem::Required, lang);
            p.refused = Some(why.clone());
            return Outcome::error(why);
        }
        let mut path = std::path::PathBuf::from(&typed);
        if path.is_relative() {
            path = exports::folder(cx.env).join(path);
        }
        let req = recon::ImportRequest {
            path: path.clone(),
            format: None,
            date: None,
        };
        match recon::import(cx.env, cx.session, &req) {
            Ok(s) => {
                self.importing = None;
                let _ = self.load(cx);
                let msg = tr::IMP_DONE
                    .get(lang)
                    .replace(
                        "{file}",
                        &path
                            .file_name()
                            .map(|f| f.to_string_lossy().into_owned())
                            .unwrap_or_default(),
                    )
                    .replace("{runs}", &s.runs.len().to_string())
                    .replace("{open}", &s.open.to_string());
                if let Some(first) = s.runs.first() {
                    if let Some(i) = self.runs.iter().position(|r| r.id == first.run_id) {
                        self.sel.index = i;
                    }
                    self.open = None;
                    let o = self.open_run(cx, first.run_id);
                    if o.message.is_some() {
                        return o;
                    }
                }
                Outcome::ok(msg)
            }
            Err(e) => {
                let why = match &e {
                    recon::ReconError::File(f) => f.message(lang),
                    recon::ReconError::Service(e) => cx.error_text(e, |f| f.to_string()),
                };
                let msg = format!("{}{why}", tr::IMP_REFUSED.get(lang));
                if let Some(p) = &mut self.importing {
                    p.refused = Some(why);
                }
                Outcome::error(msg)
            }
        }
    }

    fn draw_import(&self, p: &ImportPanel, f: &mut Frame, area: Rect, lang: Lang) -> Position {
        let mut lines = vec![
            Line::from(Span::styled(tr::IMP_TITLE.get(lang), theme::title())),
            Line::from(vec![
                Span::styled(tr::IMP_PATH.get(lang), theme::label()),
                Span::raw(p.path.clone()),
            ]),
        ];
        let typed_w = unicode_width::UnicodeWidthStr::width(
            format!("{}{}", tr::IMP_PATH.get(lang), p.path).as_str(),
        ) as u16;
        let cursor = Position::new(
            (area.x + typed_w).min(area.right().saturating_sub(1)),
            area.y + 1,
        );
        // A refusal in full, wrapped to the width: the header found and the nearest profile.
        if let Some(why) = &p.refused {
            lines.push(Line::from(Span::styled(
                format!("{}{why}", tr::IMP_REFUSED.get(lang)),
                theme::error(),
            )));
        }
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            tr::IMP_FILES.get(lang),
            theme::header(),
        )));
        if p.files.is_empty() {
            lines.push(Line::from(Span::styled(
                tr::IMP_NO_FILES.get(lang),
                theme::dim(),
            )));
        }
        let head = lines.len() as u16;
        let room = area.height.saturating_sub(head + 2) as usize;
        let chosen = p.chosen.unwrap_or(0);
        let start = chosen.saturating_sub(room.saturating_sub(1));
        for (i, o) in p.files.iter().enumerate().skip(start).take(room) {
            let on = p.chosen == Some(i);
            let name = o.path.display().to_string();
            let mark = if o.imported {
                format!("  ({})", tr::IMP_IMPORTED_MARK.get(lang))
            } else {
                String::new()
            };
            lines.push(Line::from(Span::styled(
                format!("{}{name}{mark}", theme::marker(on)),
                if on {
                    theme::selected()
                } else if o.imported {
                    theme::dim()
                } else {
                    ratatui::style::Style::default()
                },
            )));
        }
        f.render_widget(
            Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: false }),
            area,
        );
        cursor
    }
}

/// The format profiles (f): the list, then the selected one as data: layout, encodings,
/// amount unit, prefix and comment lines, summary, the field map, the type and status maps.
fn draw_profiles(index: usize, f: &mut Frame, area: Rect, lang: Lang) -> Position {
    use crate::domain::recon::profile::{AmountUnit, Encoding, Layout as PLayout};
    let all = recon::profiles();
    let zh = lang == Lang::Zh;
    let mut lines = vec![Line::from(Span::styled(
        tr::PF_TITLE.get(lang),
        theme::title(),
    ))];
    for (i, p) in all.iter().enumerate() {
        let on = i == index;
        lines.push(Line::from(Span::styled(
            format!(
                "{}{:<9} {}",
                theme::marker(on),
                p.code,
                if zh { p.name_zh } else { p.name_en }
            ),
            if on {
                theme::selected()
            } else {
                ratatui::style::Style::default()
            },
        )));
    }
    lines.push(Line::from(""));
    let Some(p) = all.get(index) else {
        f.render_widget(Paragraph::new(lines), area);
        return Position::new(area.x, area.y + 1);
    };
    let field = |x: crate::domain::recon::profile::Field| {
        if zh {
            recon::field_zh(x).to_string()
        } else {
            x.code().to_string()
        }
    };
    let label = |t: T| Span::styled(format!("{}: ", t.get(lang)), theme::label());
    let enc: Vec<&str> = p
        .encodings
        .iter()
        .map(|e| match e {
            Encoding::Utf8 => "UTF-8",
            Encoding::Gbk => "GBK",
            Encoding::Gb18030 => "GB18030",
        })
        .collect();
    let unit = match p.amount_unit {
        AmountUnit::Yuan => tr::PF_YUAN.get(lang),
        AmountUnit::Fen => tr::PF_FEN.get(lang),
    };
    let layout = match p.layout {
        PLayout::Delimited => tr::PF_DELIMITED.get(lang).to_string(),
        PLayout::Fixed(w) => format!(
            "{} {}",
            tr::PF_FIXED.get(lang),
            w.iter()
                .map(|(_, n)| n.to_string())
                .collect::<Vec<_>>()
                .join("+")
        ),
    };
    lines.push(Line::from(vec![label(tr::PF_LAYOUT), Span::raw(layout)]));
    lines.push(Line::from(vec![
        label(tr::PF_ENCODINGS),
        Span::raw(enc.join(", ")),
        Span::raw("  "),
        label(tr::PF_UNIT),
        Span::raw(unit),
    ]));
    let mut extra = Vec::new();
    if let Some(x) = p.strip_prefix {
        extra.push(format!("{} «{x}»", tr::PF_PREFIX.get(lang)));
    }
    if let Some(x) = p.comment_prefix {
        extra.push(format!("{} «{x}»", tr::PF_COMMENT.get(lang)));
    }
    if let Some(sm) = p.summary {
        extra.push(format!(
            "{} «{}» ({}{})",
            tr::PF_SUMMARY.get(lang),
            sm.starts,
            sm.count,
            if sm.amount.is_empty() {
                String::new()
            } else {
                format!(", {}", sm.amount)
            }
        ));
    }
    if p.signed_refunds {
        extra.push(tr::PF_SIGNED.get(lang).to_string());
    }
    if !extra.is_empty() {
        lines.push(Line::from(Span::raw(extra.join(" · "))));
    }
    // The field map: each field with the header names it is read from (or its width).
    let map: Vec<String> = match p.layout {
        PLayout::Delimited => p
            .columns
            .iter()
            .filter(|(_, names)| !names.is_empty())
            .map(|(x, names)| {
                let req = if p.required.contains(x) { "*" } else { "" };
                format!("{}{req}←{}", field(*x), names.join("/"))
            })
            .collect(),
        PLayout::Fixed(w) => w
            .iter()
            .filter_map(|(x, n)| x.map(|x| format!("{}[{n}]", field(x))))
            .collect(),
    };
    lines.push(Line::from(vec![
        label(tr::PF_FIELDS),
        Span::raw(map.join("  ")),
    ]));
    if !p.type_map.is_empty() {
        let t: Vec<String> = p
            .type_map
            .iter()
            .map(|(k, v)| format!("{k}={}", v.code()))
            .collect();
        lines.push(Line::from(vec![
            label(tr::PF_TYPES),
            Span::raw(format!("({}) {}", field(p.type_from), t.join(" "))),
        ]));
    }
    if !p.status_map.is_empty() {
        let t: Vec<String> = p
            .status_map
            .iter()
            .map(|(k, v)| format!("{k}={}", v.code()))
            .collect();
        lines.push(Line::from(vec![
            label(tr::PF_STATUSES),
            Span::raw(t.join(" ")),
        ]));
    }
    f.render_widget(
        Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: false }),
        area,
    );
    Position::new(area.x, area.y + 1 + index as u16)
}

/// `s` padded with spaces to `w` terminal columns (Chinese counts two), on the right (`left`)
/// or on the left.
fn pad(s: &str, w: usize, left: bool) -> String {
    let n = unicode_width::UnicodeWidthStr::width(s);
    let fill = " ".repeat(w.saturating_sub(n));
    if left {
        format!("{s}{fill}")
    } else {
        format!("{fill}{s}")
    }
}

fn money(v: Option<i64>) -> String {
    v.map(format_fen).unwrap_or_default()
}

fn side_by_side(e: &ExceptionRow, lang: Lang) -> Vec<Line<'static>> {
    let l = |s: String| Span::raw(s);
    let w = |t: T| t.get(lang).to_string();
    let row = |name: &str, ours: String, theirs: String, diff: String| {
        Line::from(vec![
            Span::styled(pad(name, 10, true), theme::label()),
            l(format!("{}  ", pad(&ours, 22, false))),
            l(format!("{}  ", pad(&theirs, 22, false))),
            Span::styled(diff, theme::header()),
        ])
    };
    let diff = |a: Option<i64>, b: Option<i64>| match (a, b) {
        (Some(x), Some(y)) if x != y => format_fen(y - x),
        _ => String::new(),
    };
    let ours_amount = e.local_amount.or(e.local_fen);
    let theirs_amount = e.file_amount.or(e.file_fen);
    let mut v = vec![
        Line::from(vec![
            Span::styled(pad("", 10, true), theme::label()),
            Span::styled(
                format!("{}  ", pad(tr::OURS.get(lang), 22, false)),
                theme::header(),
            ),
            Span::styled(
                format!("{}  ", pad(tr::THEIRS.get(lang), 22, false)),
                theme::header(),
            ),
            Span::styled(tr::DIFFERENCE.get(lang).to_string(), theme::header()),
        ]),
        row(
            &w(tr::W_RRN),
            e.local_rrn.clone().unwrap_or_default(),
            e.file_rrn.clone().unwrap_or_default(),
            String::new(),
        ),
        row(
            &w(tr::W_TERM_VCH),
            format!(
                "{} {}",
                e.local_terminal.clone().unwrap_or_default(),
                e.local_voucher.clone().unwrap_or_default()
            ),
            format!(
                "{} {}",
                e.file_terminal.clone().unwrap_or_default(),
                e.file_voucher.clone().unwrap_or_default()
            ),
            String::new(),
        ),
        row(
            &w(tr::W_AMOUNT),
            money(ours_amount),
            money(theirs_amount),
            diff(ours_amount, theirs_amount),
        ),
        row(
            &w(tr::W_FEE),
            money(e.local_fee),
            money(e.file_fee),
            diff(e.local_fee, e.file_fee),
        ),
        row(
            &w(tr::W_TYPE_STATUS),
            match (e.local_type, e.local_status) {
                (Some(t), Some(s)) => format!("{}/{}", t.code(), s.code()),
                _ => String::new(),
            },
            match (e.file_type, e.file_status) {
                (Some(t), Some(s)) => format!("{}/{}", t.code(), s.code()),
                _ => String::new(),
            },
            String::new(),
        ),
        row(
            &w(tr::W_DATE),
            e.local_date.map(|d| d.to_string()).unwrap_or_default(),
            e.file_date.map(|d| d.to_string()).unwrap_or_default(),
            String::new(),
        ),
        row(
            &w(tr::W_CARD),
            e.local_card.clone().unwrap_or_default(),
            e.file_card.clone().unwrap_or_default(),
            String::new(),
        ),
    ];
    let mut info = Vec::new();
    if let Some(p) = e.pass {
        info.push(format!("{}: {}", tr::PASS.get(lang), p.code()));
    }
    if let Some(t) = e.suggested_txn_id {
        info.push(format!("{} #{t} (y)", tr::SUGGESTED.get(lang)));
    }
    if e.category == Category::Unparseable {
        let why = if lang == Lang::Zh {
            &e.file_value
        } else {
            &e.local_value
        };
        info.push(format!("{why}: {}", e.raw.clone().unwrap_or_default()));
    }
    match (e.status, e.resolution) {
        (ExceptionStatus::Resolved, Some(r)) => info.push(format!(
            "{} {} · {} {}",
            tr::RESOLVED.get(lang),
            tr::resolution(r).get(lang),
            e.resolved_by.clone().unwrap_or_default(),
            e.remark
        )),
        _ => info.push(tr::PENDING.get(lang).to_string()),
    }
    v.push(Line::from(Span::styled(info.join("  "), theme::dim())));
    v
}

impl Screen for Recon {
    fn title(&self) -> T {
        tr::SCR_RECON
    }

    fn help(&self, lang: Lang) -> Vec<(String, String)> {
        match &self.open {
            None if self.profiles.is_some() => {
                vec![("↑↓".into(), tr::PF_KEYS.get(lang).into())]
            }
            None if self.importing.is_some() => {
                vec![("Enter".into(), tr::IMP_KEYS.get(lang).into())]
            }
            None => tr::key_lines(tr::KEYS_RUNS, lang),
            Some(_) => tr::key_lines(tr::KEYS_RUN, lang),
        }
    }

    fn editing_text(&self) -> bool {
        self.importing.is_some() || self.open.as_ref().is_some_and(|o| o.resolving.is_some())
    }

    fn handle_key(&mut self, k: &KeyEvent, cx: &mut Cx) -> Outcome {
        if self.importing.is_some() {
            return self.import_key(k, cx);
        }
        if let Some(sel) = &mut self.profiles {
            if keymap::is_back(k) {
                self.profiles = None;
            } else {
                sel.handle(k, recon::profiles().len());
            }
            return Outcome::none();
        }
        let Some(view) = &mut self.open else {
            if k.code == KeyCode::Char('i') {
                return self.start_import(cx);
            }
            if k.code == KeyCode::Char('f') {
                self.profiles = Some(Selection::default());
                return Outcome::none();
            }
            if self.sel.handle(k, self.runs.len()) {
                return Outcome::none();
            }
            return match k.code {
                _ if keymap::is_back(k) => Outcome::nav(Nav::Pop),
                KeyCode::Enter => match self.runs.get(self.sel.index) {
                    Some(r) => {
                        let id = r.id;
                        self.open_run(cx, id)
                    }
                    None => Outcome::none(),
                },
                _ => Outcome::none(),
            };
        };
        if let Some((res, remark)) = &mut view.resolving {
            return match k.code {
                _ if keymap::is_back(k) => {
                    view.resolving = None;
                    Outcome::none()
                }
                KeyCode::Enter => {
                    let (res, remark) = (*res, remark.clone());
                    let Some(e) = view.exceptions.get(view.sel.index) else {
                        return Outcome::none();
                    };
                    let (id, run) = (e.id, view.detail.run.id);
                    match recon::resolve(cx.env, cx.session, id, res, &remark) {
                        Ok(done) => {
                            let o = self.open_run(cx, run);
                            let _ = self.load(cx);
                            if o.message.is_some() {
                                o
                            } else if done == recon::Resolved::AwaitingSecond {
                                Outcome::ok(format!("#{id} {}", tr::IGN_PROPOSED.get(cx.lang)))
                            } else {
                                Outcome::ok(format!("#{id} {}", tr::resolution(res).get(cx.lang)))
                            }
                        }
                        Err(e) => Outcome::error(cx.error_text(&e, |f| f.to_string())),
                    }
                }
                KeyCode::Backspace => {
                    remark.pop();
                    Outcome::none()
                }
                KeyCode::Char(c) => {
                    remark.push(c);
                    Outcome::none()
                }
                _ => Outcome::none(),
            };
        }
        if view.sel.handle(k, view.exceptions.len()) {
            return Outcome::none();
        }
        let selected = view.exceptions.get(view.sel.index).map(|e| e.id);
        let proposed = selected.is_some_and(|id| view.pending_of(id).is_some());
        let open = !proposed
            && view
                .exceptions
                .get(view.sel.index)
                .is_some_and(|e| e.status == ExceptionStatus::Open);
        if let (true, Some(id), KeyCode::Char(c @ ('c' | 'x'))) = (proposed, selected, k.code) {
            let confirm = c == 'c';
            let run = view.detail.run.id;
            return match recon_ignore::decide(cx.env, cx.session, id, confirm) {
                Ok(()) => {
                    let o = self.open_run(cx, run);
                    let _ = self.load(cx);
                    if o.message.is_some() {
                        o
                    } else {
                        let w = if confirm {
                            tr::IGN_CONFIRMED
                        } else {
                            tr::IGN_REJECTED
                        };
                        Outcome::ok(format!("#{id} {}", w.get(cx.lang)))
                    }
                }
                Err(e) => Outcome::error(cx.error_text(&e, |f| f.to_string())),
            };
        }
        let choose = |r: Resolution| Some((r, String::new()));
        match k.code {
            _ if keymap::is_back(k) => {
                self.open = None;
                Outcome::none()
            }
            KeyCode::Char('a') if open => {
                view.resolving = choose(Resolution::Adjusted);
                Outcome::none()
            }
            KeyCode::Char('d') if open => {
                view.resolving = choose(Resolution::AcceptedDifference);
                Outcome::none()
            }
            KeyCode::Char('g') if open => {
                view.resolving = choose(Resolution::Ignored);
                Outcome::none()
            }
            KeyCode::Char('y')
                if open && view.exceptions[view.sel.index].suggested_txn_id.is_some() =>
            {
                view.resolving = choose(Resolution::MatchedByHand);
                Outcome::none()
            }
            _ => Outcome::none(),
        }
    }

    fn refresh(&mut self, cx: &mut Cx) -> Outcome {
        let o = self.load(cx);
        match self.open.as_ref().map(|v| v.detail.run.id) {
            Some(id) => self.open_run(cx, id),
            None => o,
        }
    }

    fn export(&mut self, cx: &mut Cx) -> Option<Outcome> {
        let run = self.open.as_ref()?.detail.run.id;
        let dir = exports::folder(cx.env);
        Some(
            match recon::export_run(cx.env, cx.session, run, &dir, cx.lang) {
                Ok(p) => Outcome::ok(format!("{}{}", tr::EXPORTED.get(cx.lang), p.display())),
                Err(e) => Outcome::error(cx.error_text(&e, |f| f.to_string())),
            },
        )
    }

    fn draw(&self, f: &mut Frame, area: Rect, view: &View) -> Option<Position> {
        let lang = view.lang;
        if let Some(p) = &self.importing {
            return Some(self.draw_import(p, f, area, lang));
        }
        if let Some(sel) = &self.profiles {
            return Some(draw_profiles(sel.index, f, area, lang));
        }
        match &self.open {
            None => {
                if self.runs.is_empty() {
                    f.render_widget(
                        Paragraph::new(tr::NO_RUNS.get(lang)).style(theme::dim()),
                        area,
                    );
                    return None;
                }
                let cols: [(T, usize, bool); 10] = [
                    (tr::COL_DATE, 9, true),
                    (tr::COL_MERCHANT, 16, true),
                    (tr::COL_FORMAT, 8, true),
                    (tr::COL_FILE_ROWS, 9, false),
                    (tr::COL_LOCAL_ROWS, 9, false),
                    (tr::COL_MATCHED, 7, false),
                    (tr::COL_EXCEPTIONS, 6, false),
                    (tr::COL_OPEN, 6, false),
                    (tr::COL_STATUS, 9, true),
                    (tr::COL_FILE, 0, true),
                ];
                let head = format!(
                    "  {}",
                    cols.iter()
                        .map(|(t, w, l)| pad(t.get(lang), *w, *l))
                        .collect::<Vec<_>>()
                        .join(" ")
                );
                let mut lines = vec![Line::from(Span::styled(head, theme::header()))];
                let rows = area.height.saturating_sub(1) as usize;
                let start = self.sel.index.saturating_sub(rows.saturating_sub(1));
                for (i, r) in self.runs.iter().enumerate().skip(start).take(rows) {
                    let style = if i == self.sel.index {
                        theme::selected()
                    } else {
                        ratatui::style::Style::default()
                    };
                    let cells = [
                        r.recon_date.to_string(),
                        r.merchant_no.clone(),
                        r.profile.clone(),
                        r.file_rows.to_string(),
                        r.local_rows.to_string(),
                        r.matched_rows.to_string(),
                        r.exceptions.to_string(),
                        r.open.to_string(),
                        status_word(r.status).get(lang).to_string(),
                        format!(
                            "#{} {} {} {}",
                            r.id,
                            r.file_name,
                            r.imported_by,
                            format_ms(r.imported_ms)
                        ),
                    ];
                    let text = cells
                        .iter()
                        .zip(&cols)
                        .map(|(c, (_, w, l))| pad(c, *w, *l))
                        .collect::<Vec<_>>()
                        .join(" ");
                    lines.push(Line::from(Span::styled(
                        format!("{}{text}", theme::marker(i == self.sel.index)),
                        style,
                    )));
                }
                f.render_widget(Paragraph::new(lines), area);
                let y = (self.sel.index - start) as u16 + 1;
                Some(Position::new(area.x, area.y + y))
            }
            Some(v) => {
                let cats = &v.detail.categories;
                let [top, list, detail] = Layout::vertical([
                    Constraint::Length(cats.len() as u16 + 3),
                    Constraint::Min(3),
                    Constraint::Length(10),
                ])
                .areas(area);
                let r = &v.detail.run;
                let mut lines = vec![Line::from(Span::styled(
                    format!(
                        "#{} {} {} {} {}",
                        r.id,
                        r.recon_date,
                        r.merchant_no,
                        r.merchant_name,
                        status_word(r.status).get(lang)
                    ),
                    theme::title(),
                ))];
                lines.push(Line::from(vec![
                    Span::raw(format!(
                        "{} {} · {} {} · {} {} · {} {}",
                        tr::COL_FILE_ROWS.get(lang),
                        r.file_rows,
                        tr::COL_LOCAL_ROWS.get(lang),
                        r.local_rows,
                        tr::COL_MATCHED.get(lang),
                        r.matched_rows,
                        tr::COL_OPEN.get(lang),
                        r.open
                    )),
                    Span::styled(
                        if v.detail.settlement_differs {
                            format!("  {}", tr::SETTLEMENT_DIFFERS.get(lang))
                        } else {
                            String::new()
                        },
                        theme::error(),
                    ),
                ]));
                let max = cats.iter().map(|c| c.1).max().unwrap_or(1).max(1);
                // Label 20, counts 12, amounts 26: the bar gets what is left.
                let width = top.width.saturating_sub(60).clamp(1, 30) as i64;
                for (c, n, open, file_fen, local_fen) in cats {
                    let bar = "█".repeat(((n * width + max - 1) / max) as usize);
                    lines.push(Line::from(vec![
                        Span::styled(pad(tr::category(*c).get(lang), 20, true), theme::label()),
                        Span::raw(format!("{n:>5} {open:>5}  ")),
                        Span::styled(format!("{bar:<w$} ", w = width as usize), theme::key()),
                        Span::raw(format!(
                            "{:>12} {:>12}",
                            format_fen(*file_fen),
                            format_fen(*local_fen)
                        )),
                    ]));
                }
                f.render_widget(Paragraph::new(lines), top);
                let rows = list.height as usize;
                let start = v.sel.index.saturating_sub(rows.saturating_sub(1));
                let mut lines = Vec::new();
                for (i, e) in v.exceptions.iter().enumerate().skip(start).take(rows) {
                    let style = if i == v.sel.index {
                        theme::selected()
                    } else {
                        ratatui::style::Style::default()
                    };
                    let amount = e
                        .file_fen
                        .or(e.file_amount)
                        .or(e.local_fen)
                        .or(e.local_amount);
                    lines.push(Line::from(Span::styled(
                        format!(
                            "{}#{:<6} {} {:>5} {:<12} {:>12}  {}",
                            theme::marker(i == v.sel.index),
                            e.id,
                            pad(tr::category(e.category).get(lang), 18, true),
                            e.line_no.map(|l| l.to_string()).unwrap_or_default(),
                            e.local_rrn
                                .clone()
                                .or(e.file_rrn.clone())
                                .unwrap_or_default(),
                            money(amount),
                            match (e.status, e.resolution) {
                                (ExceptionStatus::Resolved, Some(r)) =>
                                    tr::resolution(r).get(lang).to_string(),
                                _ if v.pending_of(e.id).is_some() =>
                                    tr::IGN_PENDING.get(lang).to_string(),
                                _ => tr::PENDING.get(lang).to_string(),
                            }
                        ),
                        style,
                    )));
                }
                f.render_widget(Paragraph::new(lines), list);
                let mut d = match v.exceptions.get(v.sel.index) {
                    Some(e) => side_by_side(e, lang),
                    None => Vec::new(),
                };
                // A proposal to ignore: who, how much, why; c confirms, x rejects.
                if let Some(p) = v
                    .exceptions
                    .get(v.sel.index)
                    .and_then(|e| v.pending_of(e.id))
                {
                    if let Some(last) = d.last_mut() {
                        *last = Line::from(Span::styled(
                            format!(
                                "{} {} · {} {} · {} (c/x)",
                                tr::IGN_PENDING.get(lang),
                                format_fen(p.difference_fen),
                                p.proposed_login,
                                format_ms(p.proposed_ms),
                                p.remark
                            ),
                            theme::error(),
                        ));
                    }
                }
                if let Some((res, remark)) = &v.resolving {
                    d.push(Line::from(vec![
                        Span::styled(
                            format!("{} ", tr::resolution(*res).get(lang)),
                            theme::header(),
                        ),
                        Span::raw(format!("{}{remark}", tr::REMARK_PROMPT.get(lang))),
                    ]));
                    f.render_widget(Paragraph::new(d), detail);
                    let x = detail.x
                        + unicode_width::UnicodeWidthStr::width(
                            format!(
                                "{} {}{remark}",
                                tr::resolution(*res).get(lang),
                                tr::REMARK_PROMPT.get(lang)
                            )
                            .as_str(),
                        ) as u16;
                    return Some(Position::new(
                        x.min(detail.right().saturating_sub(1)),
                        detail.y + 9,
                    ));
                }
                f.render_widget(Paragraph::new(d), detail);
                let y = (v.sel.index - start) as u16;
                Some(Position::new(list.x, list.y + y))
            }
        }
    }
}
