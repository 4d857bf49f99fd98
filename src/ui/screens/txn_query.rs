//! Transaction query 交易查询 (T1, T2, T6, T7, T8): the basic conditions and the advanced ones
//! (F6), a list of 20 rows a page with next, previous, first, last and jump, the detail of a row
//! (T3), and the summary tabs of the result (F7). The same screen lists a settlement's
//! transactions (S3).

use crossterm::event::{KeyCode, KeyEvent};
use jiff::civil::Date;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

use crate::clock::{date_of_ms, format_ms};
use crate::domain::money::format_fen;
use crate::domain::txn::{counted, Counted};
use crate::domain::txn::{CardType, TxnStatus, TxnType, CARD_ORGS};
use crate::excel::CellValue;
use crate::service::txn_query::{self, AdvancedInput, TxnQueryInput, PAGE_SIZE};
use crate::service::views::{
    Breakdown, PageAt, SettledTotals, SettlementRow, Totals, TxnFilter, TxnRow,
};
use crate::service::{Problem, ServiceError};
use crate::ui::action::Action;
use crate::ui::keymap;
use crate::ui::keymap::{ch, help_lines, key, lookup, Binding, KeyPat};
use crate::ui::list::{self, Col, Kind, ListSpec, ListView, Show, Width};
use crate::ui::text::{self, query as q, t, Lang, T};
use crate::ui::theme;
use crate::ui::widgets::form::{Field, Form};

use super::downloads::words;
use super::summary::SummaryScreen;
use super::txn_detail::TxnDetail;
use super::{Cx, Nav, Outcome, Screen, View};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    Run,
    Today,
    Yesterday,
    Clear,
    NextField,
    PrevField,
    NextPage,
    PrevPage,
    FirstPage,
    LastPage,
    Jump,
    Search,
    Sort,
    Advanced,
    Summary,
    /// One of the shared vocabulary's actions (moving in a list, Back).
    Shared(Action),
}

const KEY_TODAY: KeyPat = key(KeyCode::F(2));
const KEY_YESTERDAY: KeyPat = key(KeyCode::F(3));
const KEY_CLEAR: KeyPat = key(KeyCode::F(4));
const KEY_ADVANCED: KeyPat = key(KeyCode::F(6));
const KEY_SUMMARY: KeyPat = key(KeyCode::F(7));

/// Keys while the conditions have the focus.
const FORM_KEYS: &[Binding<Act>] = &[
    Binding {
        keys: &[key(KeyCode::Enter)],
        action: Act::Run,
        help: t::KEY_RUN_QUERY,
    },
    Binding {
        keys: keymap::NEXT_FIELD,
        action: Act::NextField,
        help: t::KEY_NEXT_FIELD,
    },
    Binding {
        keys: keymap::PREV_FIELD,
        action: Act::PrevField,
        help: t::KEY_PREV_FIELD,
    },
    Binding {
        keys: &[KEY_TODAY],
        action: Act::Today,
        help: t::KEY_TODAY,
    },
    Binding {
        keys: &[KEY_YESTERDAY],
        action: Act::Yesterday,
        help: t::KEY_YESTERDAY,
    },
    Binding {
        keys: &[KEY_CLEAR],
        action: Act::Clear,
        help: t::KEY_CLEAR,
    },
    Binding {
        keys: &[KEY_ADVANCED],
        action: Act::Advanced,
        help: q::KEY_ADVANCED,
    },
    Binding {
        keys: &[KEY_SUMMARY],
        action: Act::Summary,
        help: q::KEY_SUMMARY,
    },
    Binding {
        keys: keymap::keys(Action::Back),
        action: Act::Shared(Action::Back),
        help: t::KEY_BACK,
    },
];

/// Keys while the list has the focus.
const LIST_KEYS: &[Binding<Act>] = &[
    Binding {
        keys: &[key(KeyCode::Enter)],
        action: Act::Run,
        help: t::KEY_DETAIL,
    },
    Binding {
        keys: keymap::keys(Action::Up),
        action: Act::Shared(Action::Up),
        help: t::KEY_MOVE,
    },
    Binding {
        keys: keymap::keys(Action::Down),
        action: Act::Shared(Action::Down),
        help: t::KEY_MOVE,
    },
    Binding {
        keys: &[key(KeyCode::PageDown), ch('n')],
        action: Act::NextPage,
        help: t::KEY_NEXT_PAGE,
    },
    Binding {
        keys: &[key(KeyCode::PageUp), ch('p')],
        action: Act::PrevPage,
        help: t::KEY_PREV_PAGE,
    },
    Binding {
        keys: &[key(KeyCode::Home)],
        action: Act::FirstPage,
        help: t::KEY_FIRST_PAGE,
    },
    Binding {
        keys: &[key(KeyCode::End)],
        action: Act::LastPage,
        help: t::KEY_LAST_PAGE,
    },
    Binding {
        keys: &[ch('g')],
        action: Act::Jump,
        help: t::KEY_JUMP_PAGE,
    },
    Binding {
        keys: &[ch('/')],
        action: Act::Search,
        help: crate::ui::text::keys::SEARCH,
    },
    Binding {
        keys: &[ch('s')],
        action: Act::Sort,
        help: crate::ui::text::keys::SORT_TIME,
    },
    Binding {
        keys: &[key(KeyCode::Tab), key(KeyCode::BackTab)],
        action: Act::NextField,
        help: t::KEY_TO_LIST,
    },
    Binding {
        keys: &[KEY_TODAY],
        action: Act::Today,
        help: t::KEY_TODAY,
    },
    Binding {
        keys: &[KEY_YESTERDAY],
        action: Act::Yesterday,
        help: t::KEY_YESTERDAY,
    },
    Binding {
        keys: &[KEY_SUMMARY],
        action: Act::Summary,
        help: q::KEY_SUMMARY,
    },
    Binding {
        keys: &[KEY_ADVANCED],
        action: Act::Advanced,
        help: q::KEY_ADVANCED,
    },
    Binding {
        keys: keymap::keys(Action::Back),
        action: Act::Shared(Action::Back),
        help: t::KEY_BACK,
    },
];

const TYPE_OPTIONS: &[T] = &[
    t::ALL,
    t::TYPE_SALE,
    t::TYPE_VOID,
    t::TYPE_REFUND,
    t::TYPE_COMPLETION,
];
const STATUS_OPTIONS: &[T] = &[
    t::ALL,
    t::ST_SUCCESS,
    t::ST_FAILED,
    t::ST_VOIDED,
    t::ST_REVERSED,
];
const CARD_TYPE_OPTIONS: &[T] = &[t::ALL, t::CARD_DEBIT, t::CARD_CREDIT];

/// The keys of the advanced fields, in form order.
const ADVANCED_KEYS: &[&str] = &[
    "merchant",
    "card_org",
    "card_type",
    "bank",
    "min_amount",
    "max_amount",
    "card_last4",
    "batch_no",
    "auth_code",
];

fn basic_fields() -> Vec<Field> {
    vec![
        Field::text("from_date", t::FROM_DATE),
        Field::text("to_date", t::TO_DATE),
        Field::text("terminal_no", t::TERMINAL),
        Field::choice("txn_type", t::TXN_TYPE, TYPE_OPTIONS.to_vec()),
        Field::choice("status", t::TXN_STATUS, STATUS_OPTIONS.to_vec()),
        Field::text("rrn", t::RRN),
    ]
}

fn advanced_fields() -> Vec<Field> {
    let mut orgs = vec![t::ALL];
    orgs.extend(CARD_ORGS.iter().map(|c| text::card_org(c)));
    vec![
        Field::text("merchant", q::MERCHANT),
        Field::choice("card_org", q::CARD_ORG, orgs),
        Field::choice("card_type", q::CARD_TYPE, CARD_TYPE_OPTIONS.to_vec()),
        Field::text("bank", q::BANK),
        Field::text("min_amount", q::MIN_AMOUNT),
        Field::text("max_amount", q::MAX_AMOUNT),
        Field::text("card_last4", q::CARD_LAST4),
        Field::text("batch_no", q::BATCH_NO),
        Field::text("auth_code", q::AUTH_CODE),
    ]
}

/// The words for a field's problem; the advanced fields say more than the generic ones.
fn problem_text(field: &str, p: &Problem, lang: Lang) -> String {
    match (field, p) {
        ("max_amount", Problem::DateOrder) => q::P_AMOUNT_ORDER.get(lang).into(),
        ("bank", Problem::Unknown) => q::P_NO_BANK.get(lang).into(),
        ("merchant", Problem::Unknown) => q::P_NO_MERCHANT.get(lang).into(),
        _ => text::field_problem(p, lang),
    }
}

/// The result of the last query: its filter and totals, and the page on screen.
struct Results {
    filter: TxnFilter,
    /// The conditions as they read when the query ran, and when: the export's first rows.
    conditions: Vec<String>,
    run_ms: i64,
    totals: Totals,
    /// A settlement's list: its rows summed as the settlement counts them.
    settled: Option<SettledTotals>,
    /// The rows by what they mean.
    breakdown: Breakdown,
    rows: Vec<TxnRow>,
    /// The page shown, counted in the order shown.
    page: usize,
    selected: usize,
    /// Oldest first (`s`): the pages are the newest-first pages in reverse, rows reversed, so
    /// the keyset paging reads the same index either way (the first page holds the remainder).
    asc: bool,
}

impl Results {
    fn pages(&self) -> usize {
        (self.totals.count as usize).div_ceil(PAGE_SIZE).max(1)
    }

    /// Rows on the newest end's page when it is not full (oldest first: the first page).
    fn rest(&self) -> usize {
        (self.totals.count as usize)
            .saturating_sub((self.pages() - 1) * PAGE_SIZE)
            .max(1)
    }

    /// (page, row) of the `i`-th row in the order shown.
    fn place(&self, i: usize) -> (usize, usize) {
        if !self.asc || i < self.rest() {
            if self.asc {
                (0, i)
            } else {
                (i / PAGE_SIZE, i % PAGE_SIZE)
            }
        } else {
            let j = i - self.rest();
            (1 + j / PAGE_SIZE, j % PAGE_SIZE)
        }
    }

    /// The position in the order shown of the selected row.
    fn position(&self) -> usize {
        if self.asc && self.page > 0 {
            self.rest() + (self.page - 1) * PAGE_SIZE + self.selected
        } else {
            self.page * PAGE_SIZE + self.selected
        }
    }
}

pub struct TxnQuery {
    form: Form,
    advanced: bool,
    list_focus: bool,
    results: Option<Results>,
    /// The page number being typed after `g`.
    jump: Option<String>,
    /// `/` search within the whole result.
    search: Option<list::Search>,
    /// `s`: oldest (smallest) first instead of newest (largest) first; the sorted column's
    /// arrow says which.
    oldest_first: bool,
    /// `s`: ordered by amount instead of by time (`s` goes time ▼, time ▲, amount ▼, amount ▲).
    by_amount: bool,
    /// Conditions the screen was opened with and keeps (a settlement's transactions).
    base: TxnFilter,
    /// A settlement's list: the settlement's refunds and net, to show what the list adds up to.
    settlement: Option<(i64, i64)>,
    /// What the screen is, and a line that says what the fixed conditions are.
    title: T,
    heading: Option<String>,
}

/// The most rows `/` searches (the whole result up to this).
const SEARCH_LIMIT: usize = 200_000;

/// The transaction list, on screen and in the export (T5).
pub static TXN_LIST: ListSpec<TxnRow> = ListSpec { cols: TXN_COLS };

/// The column whose header shows the order (▼ newest/largest first, ▲ oldest/smallest first):
/// the time, or the amount.
fn sorted_col(spec: &ListSpec<TxnRow>, by_amount: bool) -> usize {
    let header = if by_amount {
        t::TXN_AMOUNT
    } else {
        t::COL_TIME
    };
    spec.cols
        .iter()
        .position(|c| c.header == header)
        .unwrap_or(0)
}
/// A settlement's transaction list (S3).
pub static SETTLEMENT_TXN_LIST: ListSpec<TxnRow> = ListSpec {
    cols: SETTLEMENT_TXN_COLS,
};

fn merchant_name(r: &TxnRow, lang: Lang) -> String {
    if lang == Lang::En && !r.merchant_name_en.is_empty() {
        r.merchant_name_en.clone()
    } else {
        r.merchant_name.clone()
    }
}

const TXN_COLS: &[Col<TxnRow>] = &[
    Col {
        header: t::COL_TIME,
        kind: Kind::Time,
        width: Width::Content,
        show: Show::Both { priority: 0 },
        cell: |r, _| format_ms(r.txn_ms)[5..].to_string(),
        value: |r, _| CellValue::DateTime(r.txn_ms),
    },
    Col {
        header: t::RRN,
        kind: Kind::Id,
        width: Width::Content,
        show: Show::Both { priority: 0 },
        cell: |r, _| r.rrn.clone(),
        value: |r, _| CellValue::text(r.rrn.clone()),
    },
    Col {
        header: t::VOUCHER_NO,
        kind: Kind::Id,
        width: Width::Content,
        show: Show::Export,
        cell: |r, _| r.voucher_no.clone(),
        value: |r, _| CellValue::text(r.voucher_no.clone()),
    },
    Col {
        header: t::BATCH_NO,
        kind: Kind::Id,
        width: Width::Content,
        show: Show::Export,
        cell: |r, _| r.batch_no.clone(),
        value: |r, _| CellValue::text(r.batch_no.clone()),
    },
    Col {
        header: t::MERCHANT_NO,
        kind: Kind::Id,
        width: Width::Content,
        show: Show::Export,
        cell: |r, _| r.merchant_no.clone(),
        value: |r, _| CellValue::text(r.merchant_no.clone()),
    },
    Col {
        header: t::MERCHANT_NAME,
        kind: Kind::Text,
        width: Width::Content,
        show: Show::Export,
        cell: merchant_name,
        value: |r, lang| CellValue::text(merchant_name(r, lang)),
    },
    Col {
        header: t::TERMINAL,
        kind: Kind::Id,
        width: Width::Content,
        show: Show::Both { priority: 3 },
        cell: |r, _| r.terminal_no.clone(),
        value: |r, _| CellValue::text(r.terminal_no.clone()),
    },
    Col {
        header: t::TXN_TYPE,
        kind: Kind::Text,
        width: Width::Content,
        show: Show::Both { priority: 1 },
        cell: |r, lang| text::txn_type(&r.txn_type).get(lang).to_string(),
        value: |r, lang| CellValue::text(text::txn_type(&r.txn_type).get(lang)),
    },
    Col {
        header: t::TXN_STATUS,
        kind: Kind::Text,
        width: Width::Content,
        show: Show::Both { priority: 2 },
        cell: |r, lang| text::txn_status(&r.status).get(lang).to_string(),
        value: |r, lang| CellValue::text(text::txn_status(&r.status).get(lang)),
    },
    Col {
        header: t::TXN_AMOUNT,
        kind: Kind::Money,
        width: Width::Content,
        show: Show::Both { priority: 0 },
        cell: |r, _| format_fen(r.amount_fen),
        value: |r, _| CellValue::Money(r.amount_fen),
    },
    Col {
        header: t::FEE,
        kind: Kind::Money,
        width: Width::Content,
        show: Show::Export,
        cell: |r, _| format_fen(r.fee_fen),
        value: |r, _| CellValue::Money(r.fee_fen),
    },
    Col {
        header: t::COL_CARD,
        kind: Kind::Id,
        width: Width::Content,
        show: Show::Both { priority: 5 },
        cell: |r, _| r.card_masked.clone(),
        value: |r, _| CellValue::text(r.card_masked.clone()),
    },
    Col {
        header: t::COL_ORG,
        kind: Kind::Text,
        width: Width::Content,
        show: Show::Both { priority: 4 },
        cell: |r, lang| text::card_org(&r.card_org).get(lang).to_string(),
        value: |r, lang| CellValue::text(text::card_org(&r.card_org).get(lang)),
    },
    Col {
        header: t::CARD_TYPE,
        kind: Kind::Text,
        width: Width::Content,
        show: Show::Export,
        cell: |r, lang| text::card_type(&r.card_type).get(lang).to_string(),
        value: |r, lang| CellValue::text(text::card_type(&r.card_type).get(lang)),
    },
    Col {
        header: t::ISSUER,
        kind: Kind::Text,
        width: Width::Content,
        show: Show::Export,
        cell: |r, _| r.bank_name.clone(),
        value: |r, lang| {
            CellValue::text(if lang == Lang::En && !r.bank_name_en.is_empty() {
                r.bank_name_en.clone()
            } else {
                r.bank_name.clone()
            })
        },
    },
    Col {
        header: t::AUTH_CODE,
        kind: Kind::Id,
        width: Width::Content,
        show: Show::Export,
        cell: |r, _| r.auth_code.clone(),
        value: |r, _| CellValue::text(r.auth_code.clone()),
    },
    Col {
        header: t::TRADE_DATE,
        kind: Kind::Date,
        width: Width::Content,
        show: Show::Export,
        cell: |r, _| crate::clock::format_ymd(r.trade_date),
        value: |r, _| CellValue::Date(r.trade_date),
    },
    Col {
        header: t::SETTLE_DATE,
        kind: Kind::Date,
        width: Width::Content,
        show: Show::Export,
        cell: |r, _| {
            r.settle_date
                .map(crate::clock::format_ymd)
                .unwrap_or_default()
        },
        value: |r, _| CellValue::opt_date(r.settle_date),
    },
    Col {
        header: t::REFUNDED,
        kind: Kind::Money,
        width: Width::Content,
        show: Show::Export,
        cell: |r, _| format_fen(r.refunded_fen),
        value: |r, _| CellValue::Money(r.refunded_fen),
    },
    Col {
        header: t::COL_COUNTED,
        kind: Kind::Text,
        width: Width::Content,
        show: Show::Export,
        cell: |r, lang| {
            text::counted(counted(r.txn_type, r.status).code())
                .get(lang)
                .to_string()
        },
        value: |r, lang| {
            CellValue::text(text::counted(counted(r.txn_type, r.status).code()).get(lang))
        },
    },
    Col {
        header: t::COL_COUNTED_TRADE,
        kind: Kind::Money,
        width: Width::Content,
        show: Show::Export,
        cell: |r, _| format_fen(r.amount_fen),
        value: |r, _| {
            CellValue::opt_money(
                (counted(r.txn_type, r.status) == Counted::Trade).then_some(r.amount_fen),
            )
        },
    },
    Col {
        header: t::COL_COUNTED_REFUND,
        kind: Kind::Money,
        width: Width::Content,
        show: Show::Export,
        cell: |r, _| format_fen(r.amount_fen),
        value: |r, _| {
            CellValue::opt_money(
                (counted(r.txn_type, r.status) == Counted::Refund).then_some(r.amount_fen),
            )
        },
    },
];

/// A settlement's transactions (S3): how the settlement counted each row, in the card
/// organisation's place on screen; the same columns in the export.
const SETTLEMENT_TXN_COLS: &[Col<TxnRow>] = &[
    Col {
        header: t::COL_TIME,
        kind: Kind::Time,
        width: Width::Content,
        show: Show::Both { priority: 0 },
        cell: |r, _| format_ms(r.txn_ms)[5..].to_string(),
        value: |r, _| CellValue::DateTime(r.txn_ms),
    },
    Col {
        header: t::RRN,
        kind: Kind::Id,
        width: Width::Content,
        show: Show::Both { priority: 0 },
        cell: |r, _| r.rrn.clone(),
        value: |r, _| CellValue::text(r.rrn.clone()),
    },
    Col {
        header: t::VOUCHER_NO,
        kind: Kind::Id,
        width: Width::Content,
        show: Show::Export,
        cell: |r, _| r.voucher_no.clone(),
        value: |r, _| CellValue::text(r.voucher_no.clone()),
    },
    Col {
        header: t::BATCH_NO,
        kind: Kind::Id,
        width: Width::Content,
        show: Show::Export,
        cell: |r, _| r.batch_no.clone(),
        value: |r, _| CellValue::text(r.batch_no.clone()),
    },
    Col {
        header: t::MERCHANT_NO,
        kind: Kind::Id,
        width: Width::Content,
        show: Show::Export,
        cell: |r, _| r.merchant_no.clone(),
        value: |r, _| CellValue::text(r.merchant_no.clone()),
    },
    Col {
        header: t::MERCHANT_NAME,
        kind: Kind::Text,
        width: Width::Content,
        show: Show::Export,
        cell: merchant_name,
        value: |r, lang| CellValue::text(merchant_name(r, lang)),
    },
    Col {
        header: t::TERMINAL,
        kind: Kind::Id,
        width: Width::Content,
        show: Show::Both { priority: 3 },
        cell: |r, _| r.terminal_no.clone(),
        value: |r, _| CellValue::text(r.terminal_no.clone()),
    },
    Col {
        header: t::TXN_TYPE,
        kind: Kind::Text,
        width: Width::Content,
        show: Show::Both { priority: 1 },
        cell: |r, lang| text::txn_type(&r.txn_type).get(lang).to_string(),
        value: |r, lang| CellValue::text(text::txn_type(&r.txn_type).get(lang)),
    },
    Col {
        header: t::TXN_STATUS,
        kind: Kind::Text,
        width: Width::Content,
        show: Show::Both { priority: 2 },
        cell: |r, lang| text::txn_status(&r.status).get(lang).to_string(),
        value: |r, lang| CellValue::text(text::txn_status(&r.status).get(lang)),
    },
    Col {
        header: t::TXN_AMOUNT,
        kind: Kind::Money,
        width: Width::Content,
        show: Show::Both { priority: 0 },
        cell: |r, _| format_fen(r.amount_fen),
        value: |r, _| CellValue::Money(r.amount_fen),
    },
    Col {
        header: t::FEE,
        kind: Kind::Money,
        width: Width::Content,
        show: Show::Export,
        cell: |r, _| format_fen(r.fee_fen),
        value: |r, _| CellValue::Money(r.fee_fen),
    },
    Col {
        header: t::COL_CARD,
        kind: Kind::Id,
        width: Width::Content,
        show: Show::Both { priority: 5 },
        cell: |r, _| r.card_masked.clone(),
        value: |r, _| CellValue::text(r.card_masked.clone()),
    },
    Col {
        header: t::COL_ORG,
        kind: Kind::Text,
        width: Width::Content,
        show: Show::Export,
        cell: |r, lang| text::card_org(&r.card_org).get(lang).to_string(),
        value: |r, lang| CellValue::text(text::card_org(&r.card_org).get(lang)),
    },
    Col {
        header: t::CARD_TYPE,
        kind: Kind::Text,
        width: Width::Content,
        show: Show::Export,
        cell: |r, lang| text::card_type(&r.card_type).get(lang).to_string(),
        value: |r, lang| CellValue::text(text::card_type(&r.card_type).get(lang)),
    },
    Col {
        header: t::ISSUER,
        kind: Kind::Text,
        width: Width::Content,
        show: Show::Export,
        cell: |r, _| r.bank_name.clone(),
        value: |r, lang| {
            CellValue::text(if lang == Lang::En && !r.bank_name_en.is_empty() {
                r.bank_name_en.clone()
            } else {
                r.bank_name.clone()
            })
        },
    },
    Col {
        header: t::AUTH_CODE,
        kind: Kind::Id,
        width: Width::Content,
        show: Show::Export,
        cell: |r, _| r.auth_code.clone(),
        value: |r, _| CellValue::text(r.auth_code.clone()),
    },
    Col {
        header: t::TRADE_DATE,
        kind: Kind::Date,
        width: Width::Content,
        show: Show::Export,
        cell: |r, _| crate::clock::format_ymd(r.trade_date),
        value: |r, _| CellValue::Date(r.trade_date),
    },
    Col {
        header: t::SETTLE_DATE,
        kind: Kind::Date,
        width: Width::Content,
        show: Show::Export,
        cell: |r, _| {
            r.settle_date
                .map(crate::clock::format_ymd)
                .unwrap_or_default()
        },
        value: |r, _| CellValue::opt_date(r.settle_date),
    },
    Col {
        header: t::REFUNDED,
        kind: Kind::Money,
        width: Width::Content,
        show: Show::Export,
        cell: |r, _| format_fen(r.refunded_fen),
        value: |r, _| CellValue::Money(r.refunded_fen),
    },
    Col {
        header: t::COL_COUNTED,
        kind: Kind::Text,
        width: Width::Content,
        show: Show::Both { priority: 4 },
        cell: |r, lang| {
            text::counted(counted(r.txn_type, r.status).code())
                .get(lang)
                .to_string()
        },
        value: |r, lang| {
            CellValue::text(text::counted(counted(r.txn_type, r.status).code()).get(lang))
        },
    },
    Col {
        header: t::COL_COUNTED_TRADE,
        kind: Kind::Money,
        width: Width::Content,
        show: Show::Export,
        cell: |r, _| format_fen(r.amount_fen),
        value: |r, _| {
            CellValue::opt_money(
                (counted(r.txn_type, r.status) == Counted::Trade).then_some(r.amount_fen),
            )
        },
    },
    Col {
        header: t::COL_COUNTED_REFUND,
        kind: Kind::Money,
        width: Width::Content,
        show: Show::Export,
        cell: |r, _| format_fen(r.amount_fen),
        value: |r, _| {
            CellValue::opt_money(
                (counted(r.txn_type, r.status) == Counted::Refund).then_some(r.amount_fen),
            )
        },
    },
];

impl TxnQuery {
    pub fn new(_lang: Lang) -> TxnQuery {
        let mut form = Form::new(basic_fields());
        form.label_width = 10;
        TxnQuery {
            form,
            advanced: false,
            list_focus: false,
            results: None,
            jump: None,
            oldest_first: false,
            by_amount: false,
            search: None,
            base: TxnFilter::default(),
            title: t::SCR_TXN_QUERY,
            heading: None,
            settlement: None,
        }
    }

    /// A settlement's transaction list (S3), already run.
    pub fn for_settlement(cx: &mut Cx, row: &SettlementRow, heading: String) -> TxnQuery {
        let mut s = TxnQuery::new(cx.lang);
        s.base.settlement_id = Some(row.id);
        s.settlement = Some((row.refund_fen, row.net_fen));
        s.title = q::SCR_SETTLEMENT_TXNS;
        s.heading = Some(heading);
        let _ = s.run(cx);
        s
    }

    /// The list's definition: a settlement's transactions say how each was counted.
    fn spec(&self) -> &'static ListSpec<TxnRow> {
        if self.base.settlement_id.is_some() {
            &SETTLEMENT_TXN_LIST
        } else {
            &TXN_LIST
        }
    }

    /// The totals under the list, each piece whole: by what the rows mean, or, for a
    /// settlement's list, as the settlement counts them (equal to the settlement row).
    fn totals_pieces(&self, r: &Results, lang: Lang) -> Vec<String> {
        let n = |c: i64| q::BD_COUNT.get(lang).replace("{n}", &c.to_string());
        let b = &r.breakdown;
        match (&r.settled, self.settlement) {
            (Some(s), Some((refund_fen, _net_fen))) => {
                let cleared = refund_fen - s.pos_refund_fen;
                let mut v = vec![
                    q::BD_SETTLED.get(lang).to_string(),
                    format!(
                        "{} {} {}",
                        q::BD_TRADE.get(lang),
                        n(b.trade_count),
                        format_fen(s.trade_fen)
                    ),
                    format!("{} {}", q::BD_FEE.get(lang), format_fen(s.fee_fen)),
                    format!(
                        "{} {}",
                        q::BD_POS_REFUND.get(lang),
                        format_fen(s.pos_refund_fen)
                    ),
                ];
                if cleared != 0 {
                    v.push(format!(
                        "{} {}",
                        q::BD_CLEARED.get(lang),
                        format_fen(cleared)
                    ));
                }
                v.push(format!(
                    "{} {}",
                    q::BD_NET.get(lang),
                    format_fen(s.trade_fen - s.fee_fen - refund_fen)
                ));
                v
            }
            _ => {
                let mut v = vec![format!(
                    "{} {} {}",
                    q::BD_TRADE.get(lang),
                    n(b.trade_count),
                    format_fen(b.trade_fen)
                )];
                for (label, c, fen) in [
                    (q::BD_REFUND, b.refund_count, b.refund_fen),
                    (q::BD_VOID, b.void_count, b.void_fen),
                    (q::BD_FAILED, b.failed_count, b.failed_fen),
                ] {
                    if c > 0 {
                        v.push(format!("{} {} {}", label.get(lang), n(c), format_fen(fen)));
                    }
                }
                v.push(format!("{} {}", q::BD_FEE.get(lang), format_fen(b.fee_fen)));
                v.push(format!(
                    "{} {}",
                    q::BD_NET.get(lang),
                    format_fen(b.net_fen())
                ));
                v
            }
        }
    }

    /// Shows or hides the advanced fields; hiding clears them.
    fn toggle_advanced(&mut self, lang: Lang) -> Outcome {
        let mut values: Vec<(&'static str, String, usize)> = self
            .form
            .fields
            .iter()
            .map(|f| (f.key, self.form.value(f.key), self.form.choice(f.key)))
            .collect();
        let focus = self.form.focus_key();
        self.advanced = !self.advanced;
        let mut fields = basic_fields();
        if self.advanced {
            fields.extend(advanced_fields());
        } else {
            values.retain(|(k, _, _)| !ADVANCED_KEYS.contains(k));
        }
        let mut form = Form::new(fields);
        form.label_width = 10;
        for (k, v, c) in values {
            form.set_value(k, &v);
            form.set_choice(k, c);
        }
        form.focus_on(if self.advanced { "merchant" } else { focus });
        self.form = form;
        self.list_focus = false;
        if self.advanced {
            Outcome::none()
        } else {
            Outcome::ok(q::ADVANCED_OFF.get(lang).into())
        }
    }

    /// The shortcut screens (T7): the query for one day, already run.
    pub fn for_day(cx: &mut Cx, day: Date) -> Outcome {
        let mut q = TxnQuery::new(cx.lang);
        let msg = q.set_day_and_run(cx, day);
        Outcome {
            nav: Nav::Push(Box::new(q)),
            message: msg.message,
            ..Default::default()
        }
    }

    fn set_day_and_run(&mut self, cx: &mut Cx, day: Date) -> Outcome {
        let d = day.strftime("%Y-%m-%d").to_string();
        self.form.set_value("from_date", &d);
        self.form.set_value("to_date", &d);
        self.run(cx)
    }

    fn input(&self) -> TxnQueryInput {
        let ty = self.form.choice("txn_type");
        let st = self.form.choice("status");
        let org = self.form.choice("card_org");
        let ct = self.form.choice("card_type");
        TxnQueryInput {
            from_date: self.form.value("from_date"),
            to_date: self.form.value("to_date"),
            terminal_no: self.form.value("terminal_no"),
            txn_type: (ty > 0).then(|| TxnType::ALL[ty - 1]),
            status: (st > 0).then(|| TxnStatus::ALL[st - 1]),
            rrn: self.form.value("rrn"),
            advanced: AdvancedInput {
                card_org: (org > 0).then(|| CARD_ORGS[org - 1].to_string()),
                card_type: (ct > 0).then(|| CardType::ALL[ct - 1]),
                bank: self.form.value("bank"),
                min_amount: self.form.value("min_amount"),
                max_amount: self.form.value("max_amount"),
                card_last4: self.form.value("card_last4"),
                batch_no: self.form.value("batch_no"),
                auth_code: self.form.value("auth_code"),
                merchant: self.form.value("merchant"),
            },
        }
    }

    fn fail(&mut self, cx: &Cx, e: ServiceError) -> Outcome {
        let lang = cx.lang;
        if let ServiceError::Invalid { field, problem } = &e {
            let words = problem_text(field, problem, lang);
            self.form.mark(field, words.clone());
            self.list_focus = false;
            // A refused query shows no result: the old one would read as the answer.
            self.results = None;
            return Outcome::error(format!("{}: {words}", self.form.label_of(field, lang)));
        }
        self.results = None;
        self.list_focus = false;
        Outcome::error(cx.error_text(&e, |k| self.form.label_of(k, lang)))
    }

    /// Checks the conditions and runs the query from its first page.
    fn run(&mut self, cx: &mut Cx) -> Outcome {
        let mut filter = match txn_query::build_filter_in(cx.env, &self.input()) {
            Ok(f) => f,
            Err(e) => return self.fail(cx, e),
        };
        filter.settlement_id = self.base.settlement_id;
        filter.by_amount = self.by_amount;
        self.form.clear_marks();
        let asc = self.oldest_first;
        let result = txn_query::totals(cx.env, cx.session, &filter).and_then(|totals| {
            // Oldest first starts at the oldest end: its page holds the remainder.
            let pages = (totals.count as usize).div_ceil(PAGE_SIZE).max(1);
            let rest = (totals.count as usize)
                .saturating_sub((pages - 1) * PAGE_SIZE)
                .max(1);
            let at = if asc {
                PageAt::Last(rest)
            } else {
                PageAt::First
            };
            txn_query::page(cx.env, cx.session, &filter, at).map(|mut rows| {
                if asc {
                    rows.reverse();
                }
                (totals, rows)
            })
        });
        let breakdown = match txn_query::breakdown(cx.env, cx.session, &filter) {
            Ok(b) => b,
            Err(e) => return self.fail(cx, e),
        };
        let settled = match filter.settlement_id {
            Some(_) => match txn_query::settled_totals(cx.env, cx.session, &filter) {
                Ok(s) => Some(s),
                Err(e) => return self.fail(cx, e),
            },
            None => None,
        };
        match result {
            Ok((totals, rows)) => {
                self.list_focus = !rows.is_empty();
                let mut conditions: Vec<String> = self.heading.iter().cloned().collect();
                conditions.extend(self.form.conditions(cx.lang));
                self.results = Some(Results {
                    filter,
                    conditions,
                    run_ms: cx.now_ms(),
                    totals,
                    settled,
                    breakdown,
                    rows,
                    page: 0,
                    selected: 0,
                    asc,
                });
                Outcome::none()
            }
            Err(e) => self.fail(cx, e),
        }
    }

    /// Moves to another page; `select_last` puts the selection on its last row.
    fn go(&mut self, cx: &mut Cx, target: PageTarget, select_last: bool) -> Outcome {
        let Some(r) = self.results.as_mut() else {
            return Outcome::none();
        };
        let pages = r.pages();
        let asc = r.asc;
        // The page's oldest and newest rows, whichever way it is shown.
        let oldest = r
            .rows
            .iter()
            .map(|row| row.key_in(&r.filter))
            .min_by_key(|k| (k.value, k.id));
        let newest = r
            .rows
            .iter()
            .map(|row| row.key_in(&r.filter))
            .max_by_key(|k| (k.value, k.id));
        let older = oldest.map(PageAt::After);
        let newer = newest.map(PageAt::Before);
        let rest = r.rest();
        let (at, page) = match target {
            PageTarget::Next if r.page + 1 < pages => match if asc { newer } else { older } {
                Some(at) => (Some(at), r.page + 1),
                None => return Outcome::none(),
            },
            PageTarget::Prev if r.page > 0 => match if asc { older } else { newer } {
                Some(at) => (Some(at), r.page - 1),
                None => return Outcome::none(),
            },
            PageTarget::First if asc => (Some(PageAt::Last(rest)), 0),
            PageTarget::First => (Some(PageAt::First), 0),
            PageTarget::Last if asc => (Some(PageAt::First), pages - 1),
            PageTarget::Last => (Some(PageAt::Last(rest)), pages - 1),
            PageTarget::Index(i) => (None, i.min(pages - 1)),
            _ => return Outcome::none(),
        };
        // The newest-first page that holds the page shown.
        let index = if asc { pages - 1 - page } else { page };
        let rows = match at {
            Some(at) => txn_query::page(cx.env, cx.session, &r.filter, at),
            None => txn_query::jump(
                cx.env,
                cx.session,
                &r.filter,
                index,
                r.totals.count as usize,
            ),
        }
        .map(|mut rows| {
            if asc {
                rows.reverse();
            }
            rows
        });
        match rows {
            Ok(rows) => {
                r.selected = if select_last {
                    rows.len().saturating_sub(1)
                } else {
                    0
                };
                r.rows = rows;
                r.page = page;
                Outcome::none()
            }
            Err(e) => Outcome::error(cx.error_text(&e, |k| k.to_string())),
        }
    }

    fn open_selected(&mut self, cx: &mut Cx) -> Outcome {
        let Some(r) = self.results.as_ref().filter(|r| r.selected < r.rows.len()) else {
            return Outcome::none();
        };
        let ids: Vec<i64> = r.rows.iter().map(|row| row.id).collect();
        match TxnDetail::open_in(cx, ids, r.selected) {
            Ok(d) => Outcome::nav(Nav::Push(Box::new(d))),
            Err(e) => Outcome::error(cx.error_text(&e, |k| k.to_string())),
        }
    }

    /// The summary tabs of the current result (T6).
    fn open_summary(&mut self, cx: &mut Cx) -> Outcome {
        let Some(r) = &self.results else {
            return Outcome::error(t::NO_QUERY_YET.get(cx.lang).into());
        };
        match SummaryScreen::open(cx, r.filter.clone()) {
            Ok(s) => Outcome::nav(Nav::Push(Box::new(s))),
            Err(e) => Outcome::error(cx.error_text(&e, |k| k.to_string())),
        }
    }

    /// `/`: every row of the result, searched as typed.
    fn start_search(&mut self, cx: &mut Cx) -> Outcome {
        let Some(r) = &self.results else {
            return Outcome::none();
        };
        let origin = r.position();
        let asc = r.asc;
        match txn_query::all_rows(cx.env, cx.session, &r.filter, SEARCH_LIMIT) {
            Ok(mut rows) => {
                if asc {
                    rows.reverse();
                }
                self.search = Some(list::Search::new(self.spec(), &rows, cx.lang, origin));
                Outcome::none()
            }
            Err(e) => Outcome::error(cx.error_text(&e, |k| k.to_string())),
        }
    }

    fn handle_search(&mut self, k: &KeyEvent, cx: &mut Cx) -> Outcome {
        let Some(s) = self.search.as_mut() else {
            return Outcome::none();
        };
        match k.code {
            KeyCode::Enter => {
                self.search = None;
                return Outcome::none();
            }
            _ if keymap::is_back(k) => {
                self.search = None;
                return Outcome::none();
            }
            _ if keymap::is_arrow_down(k) => s.step(true),
            _ if keymap::is_arrow_up(k) => s.step(false),
            KeyCode::Backspace => {
                let mut t = s.typed.clone();
                t.pop();
                s.set(&t);
            }
            KeyCode::Char(c)
                if !k
                    .modifiers
                    .contains(crossterm::event::KeyModifiers::CONTROL) =>
            {
                let t = format!("{}{c}", s.typed);
                s.set(&t);
            }
            _ => return Outcome::none(),
        }
        let Some(target) = s.target() else {
            return Outcome::none();
        };
        let Some((page, row)) = self.results.as_ref().map(|r| r.place(target)) else {
            return Outcome::none();
        };
        let same_page = self.results.as_ref().is_some_and(|r| r.page == page);
        if !same_page {
            let out = self.go(cx, PageTarget::Index(page), false);
            if out.message.is_some() {
                return out;
            }
        }
        if let Some(r) = self.results.as_mut() {
            r.selected = row.min(r.rows.len().saturating_sub(1));
        }
        Outcome::none()
    }

    fn handle_jump(&mut self, k: &KeyEvent, cx: &mut Cx) -> Outcome {
        let Some(typed) = self.jump.as_mut() else {
            return Outcome::none();
        };
        match k.code {
            KeyCode::Char(c) if c.is_ascii_digit() && typed.len() < 9 => typed.push(c),
            KeyCode::Backspace => {
                typed.pop();
            }
            _ if keymap::is_back(k) => self.jump = None,
            KeyCode::Enter => {
                let n: usize = typed.parse().unwrap_or(0);
                self.jump = None;
                if n >= 1 {
                    return self.go(cx, PageTarget::Index(n - 1), false);
                }
            }
            _ => {}
        }
        Outcome::none()
    }

    fn handle_list(&mut self, act: Act, cx: &mut Cx) -> Outcome {
        match act {
            Act::Run => return self.open_selected(cx),
            Act::Shared(Action::Up) => {
                if let Some(r) = self.results.as_mut() {
                    if r.selected > 0 {
                        r.selected -= 1;
                    } else if r.page > 0 {
                        return self.go(cx, PageTarget::Prev, true);
                    }
                }
            }
            Act::Shared(Action::Down) => {
                if let Some(r) = self.results.as_mut() {
                    if r.selected + 1 < r.rows.len() {
                        r.selected += 1;
                    } else if r.page + 1 < r.pages() {
                        return self.go(cx, PageTarget::Next, false);
                    }
                }
            }
            Act::NextPage => return self.go(cx, PageTarget::Next, false),
            Act::PrevPage => return self.go(cx, PageTarget::Prev, false),
            Act::FirstPage => return self.go(cx, PageTarget::First, false),
            Act::LastPage => return self.go(cx, PageTarget::Last, false),
            Act::Jump => self.jump = Some(String::new()),
            Act::Search => return self.start_search(cx),
            Act::Sort => {
                // Time ▼ → time ▲ → amount ▼ → amount ▲: the orders keyset paging reads at any
                // depth (ties by id).
                if self.oldest_first {
                    self.by_amount = !self.by_amount;
                }
                self.oldest_first = !self.oldest_first;
                let (asc, by_amount) = (self.oldest_first, self.by_amount);
                if let Some(r) = self.results.as_mut() {
                    r.asc = asc;
                    r.filter.by_amount = by_amount;
                    r.page = 0;
                    r.rows.clear();
                    return self.go(cx, PageTarget::First, false);
                }
            }
            Act::NextField | Act::PrevField => self.list_focus = false,
            Act::Shared(Action::Back) => self.list_focus = false,
            Act::Summary => return self.open_summary(cx),
            Act::Advanced => return self.toggle_advanced(cx.lang),
            Act::Today | Act::Yesterday | Act::Clear | Act::Shared(_) => {}
        }
        Outcome::none()
    }
}

#[derive(Debug, Clone, Copy)]
enum PageTarget {
    Next,
    Prev,
    First,
    Last,
    Index(usize),
}

impl Screen for TxnQuery {
    fn title(&self) -> T {
        self.title
    }

    fn help(&self, lang: Lang) -> Vec<(String, String)> {
        // The keys of the part that has the focus come first: the key bar shows those.
        let (first, second) = if self.list_focus {
            (LIST_KEYS, FORM_KEYS)
        } else {
            (FORM_KEYS, LIST_KEYS)
        };
        let mut v = help_lines(first, lang);
        v.extend(help_lines(second, lang));
        v.push(("Space/←→".into(), t::KEY_OPTION.get(lang).into()));
        // One line per key label: the first meaning wins in the key bar.
        let mut seen = std::collections::HashSet::new();
        v.retain(|(k, d)| seen.insert(format!("{k}{d}")));
        v
    }

    fn editing_text(&self) -> bool {
        self.jump.is_some()
            || self.search.is_some()
            || (!self.list_focus && self.form.editing_text())
    }

    fn handle_key(&mut self, k: &KeyEvent, cx: &mut Cx) -> Outcome {
        if self.jump.is_some() {
            return self.handle_jump(k, cx);
        }
        if self.search.is_some() {
            return self.handle_search(k, cx);
        }
        let today = date_of_ms(cx.now_ms());
        if self.list_focus {
            return match lookup(LIST_KEYS, k) {
                Some(Act::Today) => self.set_day_and_run(cx, today),
                Some(Act::Yesterday) => {
                    self.set_day_and_run(cx, today.yesterday().unwrap_or(today))
                }
                Some(Act::Shared(Action::Back)) if self.list_focus => {
                    self.list_focus = false;
                    Outcome::none()
                }
                Some(act) => self.handle_list(act, cx),
                None => Outcome::none(),
            };
        }
        match lookup(FORM_KEYS, k) {
            Some(Act::Run) => self.run(cx),
            Some(Act::NextField) => {
                let has_rows = self.results.as_ref().is_some_and(|r| !r.rows.is_empty());
                if self.form.is_last() && has_rows && k.code == KeyCode::Tab {
                    self.list_focus = true;
                } else {
                    self.form.next();
                }
                Outcome::none()
            }
            Some(Act::PrevField) => {
                self.form.prev();
                Outcome::none()
            }
            Some(Act::Today) => self.set_day_and_run(cx, today),
            Some(Act::Yesterday) => self.set_day_and_run(cx, today.yesterday().unwrap_or(today)),
            Some(Act::Clear) => {
                self.form.clear();
                self.results = None;
                Outcome::none()
            }
            Some(Act::Advanced) => self.toggle_advanced(cx.lang),
            Some(Act::Summary) => self.open_summary(cx),
            Some(Act::Shared(Action::Back)) => Outcome::nav(Nav::Pop),
            _ => {
                self.form.input(k);
                Outcome::none()
            }
        }
    }

    fn refresh(&mut self, cx: &mut Cx) -> Outcome {
        self.run(cx)
    }

    fn kept_name(&self) -> Option<&'static str> {
        (self.base.settlement_id.is_none()).then_some("txn_query")
    }

    fn kept(&self) -> Option<(&'static str, super::Kept)> {
        Some((self.kept_name()?, self.form.snapshot()))
    }

    fn recall(&mut self, kept: &super::Kept) {
        // Only a screen opened empty takes them: a shortcut (today, yesterday) has its own.
        if self.results.is_none() {
            self.form.restore(kept);
        }
    }

    fn export(&mut self, cx: &mut Cx) -> Option<Outcome> {
        let lang = cx.lang;
        let Some(r) = &self.results else {
            return Some(Outcome::error(q::EXPORT_NOTHING.get(lang).into()));
        };
        // The recipe keeps the conditions, so 下载中心 can run the same export again.
        // The file in the order shown, and the order named among its conditions.
        let filter = TxnFilter {
            ascending: r.asc,
            ..r.filter.clone()
        };
        let mut conditions = r.conditions.clone();
        let sorted = &self.spec().cols[sorted_col(self.spec(), r.filter.by_amount)];
        conditions.push(format!(
            "{}{} {}",
            q::ORDER.get(lang),
            sorted.header.get(lang),
            if r.asc { "▲" } else { "▼" }
        ));
        let (spec, title) = (self.spec(), self.title);
        let recipe: crate::service::exports::Rerun = std::sync::Arc::new(move |env, s, run_ms| {
            let mut cols = spec.columns(lang);
            cols.preamble = list::preamble(title.get(lang), &conditions, run_ms, lang);
            let sheet = crate::service::exports::Sheet {
                title: title.get(lang).to_string(),
                headers: cols.headers.clone(),
                total_label: q::TOTAL.get(lang).into(),
                words: words(lang),
                chinese: lang == Lang::Zh,
            };
            crate::service::exports::start_txn_export_with(env, s, &filter, sheet, cols)
        });
        let count = r.totals.count;
        Some(
            match crate::service::exports::start_remembered(cx.env, cx.session, r.run_ms, recipe) {
                Ok(job) => Outcome::export(job).with_message(
                    q::EXPORT_STARTED
                        .get(lang)
                        .replace("{n}", &count.to_string()),
                    true,
                ),
                Err(e) => Outcome::error(cx.error_text(&e, |k| k.to_string())),
            },
        )
    }

    fn draw(&self, f: &mut Frame, area: Rect, v: &View) -> Option<Position> {
        let lang = v.lang;
        let cols = if area.width >= 110 { 3 } else { 2 };
        let form_h = self.form.grid_height(cols);
        let head_h = u16::from(self.heading.is_some());
        let totals_h = self.results.as_ref().map_or(0, |r| {
            totals_lines(&self.totals_pieces(r, lang), area.width).len() as u16
        });
        let [head_area, form_area, list_area, totals_area, info_area] = Layout::vertical([
            Constraint::Length(head_h),
            Constraint::Length(form_h + 1),
            Constraint::Min(3),
            Constraint::Length(totals_h),
            Constraint::Length(1),
        ])
        .areas(area);
        if let Some(h) = &self.heading {
            f.render_widget(
                Paragraph::new(Span::styled(h.clone(), theme::header())),
                head_area,
            );
        }
        let cursor = self.form.draw_grid(
            f,
            Rect::new(form_area.x, form_area.y, form_area.width, form_h),
            lang,
            !self.list_focus,
            cols,
        );
        let Some(r) = &self.results else {
            f.render_widget(
                Paragraph::new(Span::styled(t::NO_QUERY_YET.get(lang), theme::dim()))
                    .block(Block::default().borders(Borders::TOP)),
                list_area,
            );
            return cursor;
        };
        let row_at = list::draw(
            f,
            list_area,
            &ListView {
                spec: self.spec(),
                rows: &r.rows,
                totals: None,
                selected: self.list_focus.then_some(r.selected),
                cursor: r.selected,
                dim: |row| row.status != TxnStatus::Success,
                lang,
                empty: t::EMPTY_RESULT.get(lang),
                title: None,
                sort: Some(list::Sort {
                    col: sorted_col(self.spec(), r.filter.by_amount),
                    desc: !r.asc,
                }),
            },
        );
        let info = q::PAGE_ONLY
            .get(lang)
            .replace("{p}", &(r.page + 1).to_string())
            .replace("{n}", &r.pages().to_string())
            .replace("{c}", &r.totals.count.to_string());
        let totals = totals_lines(&self.totals_pieces(r, lang), totals_area.width);
        f.render_widget(
            Paragraph::new(
                totals
                    .into_iter()
                    .map(|l| Line::from(Span::styled(l, theme::header())))
                    .collect::<Vec<_>>(),
            ),
            totals_area,
        );
        let line = match (&self.jump, &self.search) {
            (Some(typed), _) => Line::from(vec![
                Span::styled(t::JUMP_PROMPT.get(lang), theme::focused()),
                Span::raw(typed.clone()),
            ]),
            (None, Some(s)) => Line::from(Span::styled(s.prompt(lang), theme::focused())),
            (None, None) => Line::from(Span::styled(info, theme::label())),
        };
        f.render_widget(Paragraph::new(line), info_area);
        if let Some(s) = &self.search {
            let w = unicode_width::UnicodeWidthStr::width(s.typed.as_str()) + 1;
            return Some(Position::new(info_area.x + w as u16, info_area.y));
        }
        if self.jump.is_some() {
            let w = unicode_width::UnicodeWidthStr::width(t::JUMP_PROMPT.get(lang));
            let typed = self.jump.as_ref().map_or(0, String::len);
            return Some(Position::new(info_area.x + (w + typed) as u16, info_area.y));
        }
        if self.list_focus {
            row_at
        } else {
            cursor
        }
    }
}

/// Packs the pieces into as few lines of `width` as they need, never cutting one.
fn totals_lines(pieces: &[String], width: u16) -> Vec<String> {
    use unicode_width::UnicodeWidthStr;
    let mut lines: Vec<String> = Vec::new();
    for p in pieces {
        match lines.last_mut() {
            Some(l) if l.width() + 2 + p.width() <= width as usize => {
                l.push_str("  ");
                l.push_str(p);
            }
            _ => lines.push(p.clone()),
        }
    }
    lines
}
