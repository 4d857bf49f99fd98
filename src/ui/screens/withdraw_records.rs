//! 提现记录 (A4 records, RV2 conditions; K 「提现记录」): the withdrawals of the stores in scope,
//! newest first: 申请时间, 交易订单号, 商户, 提现类型, 金额, 服务费, 提现账户 (masked), 审核状态, 状态,
//! 到账时间, 原因. Conditions: store, 申请时间 (一周内/一个月内/三个月内/全部), status, method and the
//! order number; Enter runs the query from the conditions, Tab moves between them and the list,
//! Ctrl+E exports every row the conditions select.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Position, Rect};
use ratatui::text::Span;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::clock::format_ms;
use crate::domain::money::format_fen;
use crate::domain::review::{WithdrawMethod, WithdrawalStatus};
use crate::excel::CellValue;
use crate::service::review;
use crate::service::review_lists;
use crate::service::views::{WithdrawalRecord, WithdrawalRecordQuery};
use crate::ui::keymap;
use crate::ui::list::{self, Col, Kind, ListSpec, ListView, Show, Width};
use crate::ui::query::{FormKey, QueryList};
use crate::ui::text::money_out as tm;
use crate::ui::text::{t, Lang, T};
use crate::ui::theme;
use crate::ui::widgets::form::{Field, Form, Label};

use super::{Cx, Nav, Outcome, Screen, View};

/// 一周内 / 一个月内 / 三个月内 (days back), then 全部.
const RANGES: [(T, Option<i64>); 4] = [
    (tm::WEEK, Some(7)),
    (tm::MONTH, Some(31)),
    (tm::QUARTER, Some(92)),
    (tm::ALL_TIME, None),
];

fn method_word(m: WithdrawMethod) -> T {
    match m {
        WithdrawMethod::Normal => tm::NORMAL_SHORT,
        WithdrawMethod::Fast => tm::FAST_SHORT,
    }
}

fn store_of(r: &WithdrawalRecord, lang: Lang) -> String {
    if lang == Lang::Zh || r.merchant_name_en.is_empty() {
        r.merchant_name.clone()
    } else {
        r.merchant_name_en.clone()
    }
}

fn bank_of(r: &WithdrawalRecord, lang: Lang) -> String {
    if lang == Lang::Zh {
        r.bank_zh.clone()
    } else {
        r.bank_en.clone()
    }
}

fn review_of(r: &WithdrawalRecord, lang: Lang) -> String {
    r.review_status
        .map(|s| tm::status(s).get(lang).to_string())
        .unwrap_or_default()
}

fn arrived_of(r: &WithdrawalRecord) -> String {
    match (r.status, r.finished_ms) {
        (WithdrawalStatus::Success, Some(ms)) => format_ms(ms)[5..16].to_string(),
        _ => String::new(),
    }
}

fn reason_of(r: &WithdrawalRecord, lang: Lang) -> String {
    match &r.reason_code {
        Some(code) => format!(
            "{code} {}",
            if lang == Lang::Zh {
                &r.reason_zh
            } else {
                &r.reason_en
            }
        ),
        None => String::new(),
    }
}

/// The withdrawal record list, on screen and in the export.
pub static WITHDRAWAL_LIST: ListSpec<WithdrawalRecord> = ListSpec {
    cols: WITHDRAWAL_COLS,
};

const WITHDRAWAL_COLS: &[Col<WithdrawalRecord>] = &[
    Col {
        header: tm::APPLIED_AT,
        kind: Kind::Time,
        width: Width::Content,
        show: Show::Both { priority: 0 },
        cell: |r, _| format_ms(r.created_ms)[5..16].to_string(),
        value: |r, _| CellValue::DateTime(r.created_ms),
    },
    Col {
        header: tm::ORDER_NO,
        kind: Kind::Id,
        width: Width::Content,
        show: Show::Both { priority: 0 },
        cell: |r, _| r.order_no.clone(),
        value: |r, _| CellValue::text(r.order_no.clone()),
    },
    Col {
        header: tm::STORE,
        kind: Kind::Text,
        width: Width::Name { min: 8 },
        show: Show::Both { priority: 3 },
        cell: store_of,
        value: |r, lang| CellValue::text(store_of(r, lang)),
    },
    Col {
        header: tm::WITHDRAW_KIND,
        kind: Kind::Text,
        width: Width::Content,
        show: Show::Both { priority: 1 },
        cell: |r, lang| method_word(r.method).get(lang).to_string(),
        value: |r, lang| CellValue::text(method_word(r.method).get(lang)),
    },
    Col {
        header: tm::AMOUNT,
        kind: Kind::Money,
        width: Width::Content,
        show: Show::Both { priority: 0 },
        cell: |r, _| format_fen(r.amount_fen),
        value: |r, _| CellValue::Money(r.amount_fen),
    },
    Col {
        header: tm::FEE,
        kind: Kind::Money,
        width: Width::Content,
        show: Show::Both { priority: 2 },
        cell: |r, _| format_fen(r.fee_fen),
        value: |r, _| CellValue::Money(r.fee_fen),
    },
    Col {
        header: tm::BANK,
        kind: Kind::Text,
        width: Width::Shrink { min: 8 },
        show: Show::Both { priority: 3 },
        cell: bank_of,
        value: |r, lang| CellValue::text(bank_of(r, lang)),
    },
    Col {
        header: tm::WITHDRAW_ACCOUNT_COL,
        kind: Kind::Id,
        width: Width::Content,
        show: Show::Both { priority: 1 },
        cell: |r, _| r.masked.clone(),
        value: |r, _| CellValue::text(r.masked.clone()),
    },
    Col {
        header: tm::REVIEW_STATUS,
        kind: Kind::Text,
        width: Width::Content,
        show: Show::Both { priority: 1 },
        cell: review_of,
        value: |r, lang| CellValue::text(review_of(r, lang)),
    },
    Col {
        header: tm::WITHDRAW_STATUS,
        kind: Kind::Text,
        width: Width::Content,
        show: Show::Both { priority: 0 },
        cell: |r, lang| tm::withdrawal_status(r.status).get(lang).to_string(),
        value: |r, lang| CellValue::text(tm::withdrawal_status(r.status).get(lang)),
    },
    Col {
        header: tm::ARRIVED_AT,
        kind: Kind::Text,
        width: Width::Content,
        show: Show::Both { priority: 2 },
        cell: |r, _| arrived_of(r),
        value: |r, _| CellValue::text(arrived_of(r)),
    },
    Col {
        header: tm::REASON,
        kind: Kind::Text,
        width: Width::Shrink { min: 6 },
        show: Show::Both { priority: 4 },
        cell: reason_of,
        value: |r, lang| CellValue::text(reason_of(r, lang)),
    },
];

pub struct WithdrawRecords {
    stores: Vec<(i64, String, String)>,
    /// The conditions, the rows found, their order and what ran.
    q: QueryList<WithdrawalRecord>,
}

impl WithdrawRecords {
    pub fn open(cx: &mut Cx) -> Outcome {
        let lang = cx.lang;
        let stores = match review::stores(cx.env, cx.session) {
            Ok(s) => s,
            Err(e) => return Outcome::error(cx.error_text(&e, |k| k.to_string())),
        };
        let mut store_opts: Vec<Label> = vec![tm::ALL.into()];
        store_opts.extend(stores.iter().map(|s| {
            Label::S(if lang == Lang::Zh || s.2.is_empty() {
                s.1.clone()
            } else {
                s.2.clone()
            })
        }));
        let mut status_opts: Vec<Label> = vec![tm::ALL.into()];
        status_opts.extend(
            WithdrawalStatus::ALL
                .iter()
                .map(|s| Label::T(tm::withdrawal_status(*s))),
        );
        let mut form = Form::new(vec![
            Field::choice_of("store", tm::STORE, store_opts),
            Field::choice_of(
                "time",
                tm::TIME_RANGE,
                RANGES.iter().map(|(t, _)| Label::T(*t)).collect(),
            ),
            Field::choice_of("status", tm::WITHDRAW_STATUS, status_opts),
            Field::choice(
                "method",
                tm::WITHDRAW_KIND,
                vec![tm::ALL, tm::NORMAL_SHORT, tm::FAST_SHORT],
            ),
            Field::text("keyword", tm::ORDER_KEYWORD),
        ]);
        // 「默认查询近一个月内的订单」 (K §3.5.1.1).
        form.set_choice("time", 1);
        form.fit_labels(lang);
        let mut s = WithdrawRecords {
            stores,
            q: QueryList::new(form),
        };
        let o = s.run(cx);
        if o.message.is_some() {
            return o;
        }
        Outcome::nav(Nav::Push(Box::new(s)))
    }

    fn query(&self, now_ms: i64) -> WithdrawalRecordQuery {
        let store = self.q.form.choice("store");
        let status = self.q.form.choice("status");
        WithdrawalRecordQuery {
            merchant_id: store
                .checked_sub(1)
                .and_then(|i| self.stores.get(i))
                .map(|s| s.0),
            from_ms: RANGES[self.q.form.choice("time").min(RANGES.len() - 1)]
                .1
                .map(|days| now_ms - days * 86_400_000),
            to_ms: None,
            status: status
                .checked_sub(1)
                .and_then(|i| WithdrawalStatus::ALL.get(i).copied()),
            method: match self.q.form.choice("method") {
                1 => Some(WithdrawMethod::Normal),
                2 => Some(WithdrawMethod::Fast),
                _ => None,
            },
            keyword: self.q.form.value("keyword"),
        }
    }

    fn run(&mut self, cx: &mut Cx) -> Outcome {
        let lang = cx.lang;
        let q = self.query(cx.now_ms());
        let result = review_lists::withdrawal_records(cx.env, cx.session, &q);
        let conditions = self.q.form.conditions(lang);
        self.q
            .answer(result, &WITHDRAWAL_LIST, lang, cx.now_ms(), conditions)
    }
}

impl Screen for WithdrawRecords {
    fn title(&self) -> T {
        tm::SCR_WITHDRAW_RECORDS
    }

    fn help(&self, lang: Lang) -> Vec<(String, String)> {
        let mut v = vec![("Enter".into(), t::KEY_RUN_QUERY.get(lang).into())];
        v.extend(QueryList::<WithdrawalRecord>::help(lang));
        v
    }

    fn editing_text(&self) -> bool {
        self.q.editing_text()
    }

    fn handle_key(&mut self, k: &KeyEvent, cx: &mut Cx) -> Outcome {
        if !self.q.list_focus {
            return match self.q.form_key(k) {
                FormKey::Run => {
                    let o = self.run(cx);
                    self.q.after_run(o)
                }
                FormKey::Done => Outcome::none(),
            };
        }
        if self.q.list_key(k) {
            return Outcome::none();
        }
        match k.code {
            _ if keymap::is_back(k) => Outcome::nav(Nav::Pop),
            KeyCode::Char('s') => {
                self.q.next_sort(&WITHDRAWAL_LIST, cx.lang, |rows| {
                    rows.sort_by_key(|r| std::cmp::Reverse((r.created_ms, r.id)))
                });
                Outcome::none()
            }
            _ => Outcome::none(),
        }
    }

    fn refresh(&mut self, cx: &mut Cx) -> Outcome {
        self.run(cx)
    }

    fn export(&mut self, cx: &mut Cx) -> Option<Outcome> {
        let title = tm::SCR_WITHDRAW_RECORDS.get(cx.lang);
        let needs = crate::domain::function::Function::WithdrawApply;
        Some(self.q.export(cx, &WITHDRAWAL_LIST, needs, title))
    }

    fn draw(&self, f: &mut Frame, area: Rect, v: &View) -> Option<Position> {
        let lang = v.lang;
        let cols = if area.width >= 110 { 3 } else { 2 };
        let fh = self.q.form.grid_height(cols);
        let [form_area, body, info] = super::query_layout(area, fh);
        let cursor = self
            .q
            .form
            .draw_grid(f, form_area, lang, !self.q.list_focus, cols);
        let focus = list::draw(
            f,
            body,
            &ListView {
                spec: &WITHDRAWAL_LIST,
                rows: &self.q.rows,
                totals: None,
                selected: self.q.list_focus.then_some(self.q.sel.index),
                cursor: self.q.sel.index,
                dim: |_| false,
                lang,
                empty: tm::NO_WITHDRAWALS.get(lang),
                title: Some(tm::SCR_WITHDRAW_RECORDS.get(lang)),
                sort: self.q.sort,
            },
        );
        let amount: i64 = self.q.rows.iter().map(|r| r.amount_fen).sum();
        let fee: i64 = self.q.rows.iter().map(|r| r.fee_fen).sum();
        let line = tm::ROWS_TOTAL
            .get(lang)
            .replace("{n}", &self.q.rows.len().to_string())
            .replace("{a}", &format_fen(amount))
            .replace("{f}", &format_fen(fee));
        f.render_widget(Paragraph::new(Span::styled(line, theme::label())), info);
        if self.q.list_focus {
            focus
        } else {
            cursor
        }
    }
}
