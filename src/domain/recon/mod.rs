//! Reconciliation against the acquirer's files (spec/money-out.md §7, Y7): the canonical row
//! every format profile reads into, the local transaction it is matched with, the mismatch
//! categories of §7.4, and the matching algorithm of §7.3 as pure functions. No I/O: the excel
//! layer hands the file's records in, the store hands the local rows in.

pub mod matching;
pub mod profile;

use crate::domain::txn::{coded_enum, TxnStatus, TxnType};

coded_enum!(Category {
    Matched = "matched",
    MissingLocal = "missing_local",
    MissingAcquirer = "missing_acquirer",
    ExpectedNextDay = "expected_next_day",
    AmountDiff = "amount_diff",
    FeeDiff = "fee_diff",
    StatusDiff = "status_diff",
    TypeDiff = "type_diff",
    DateDiff = "date_diff",
    CardDiff = "card_diff",
    Duplicate = "duplicate",
    Unparseable = "unparseable",
});

impl Category {
    /// The categories an exception can have, in the order a run's summary lists them.
    pub const EXCEPTIONS: &'static [Category] = &[
        Category::MissingLocal,
        Category::MissingAcquirer,
        Category::ExpectedNextDay,
        Category::AmountDiff,
        Category::FeeDiff,
        Category::StatusDiff,
        Category::TypeDiff,
        Category::DateDiff,
        Category::CardDiff,
        Category::Duplicate,
        Category::Unparseable,
    ];
}

coded_enum!(Pass {
    Rrn = "rrn",
    OrderNo = "order_no",
    TerminalBatchVoucher = "terminal_batch_voucher",
    TerminalVoucherDate = "terminal_voucher_date",
    TerminalVoucherAmount = "terminal_voucher_amount",
    Manual = "manual",
});

coded_enum!(ExceptionStatus {
    Open = "open",
    Resolved = "resolved",
});

coded_enum!(Resolution {
    Adjusted = "adjusted",
    AcceptedDifference = "accepted_difference",
    Ignored = "ignored",
    MatchedByHand = "matched_by_hand",
    ResolvedNextDay = "resolved_next_day",
});

coded_enum!(RunStatus {
    Active = "active",
    Superseded = "superseded",
});

/// Which way the money went: sales and completions bring it in, refunds and voids give it back.
/// Matching never pairs rows of different directions; a sale against a completion is a type
/// difference, not a different transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Direction {
    In,
    Refund,
    Void,
}

pub fn direction(t: TxnType) -> Direction {
    match t {
        TxnType::Sale | TxnType::Completion => Direction::In,
        TxnType::Refund => Direction::Refund,
        TxnType::Void => Direction::Void,
    }
}

/// One parsed row of an acquirer's file, in canonical fields. Amounts are positive fen; the
/// type carries the direction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRow {
    /// The line (or sheet row) number in the file, 1-based.
    pub line: u32,
    pub merchant_no: String,
    pub terminal_no: String,
    pub batch_no: Option<String>,
    pub voucher_no: Option<String>,
    /// Twelve digits.
    pub rrn: Option<String>,
    pub order_no: Option<String>,
    pub trade_date: i32,
    /// Seconds after midnight, when the file has the time.
    pub trade_time: Option<u32>,
    pub txn_type: TxnType,
    pub status: TxnStatus,
    pub amount_fen: i64,
    pub fee_fen: Option<i64>,
    pub card_masked: Option<String>,
}

impl FileRow {
    /// The key a resolution is carried over by when a file is imported again.
    pub fn key(&self) -> String {
        match &self.rrn {
            Some(r) => format!("rrn:{r}:{:?}", direction(self.txn_type)),
            None => format!(
                "tv:{}:{}:{}:{}:{}:{:?}",
                self.terminal_no,
                self.batch_no.as_deref().unwrap_or(""),
                self.voucher_no.as_deref().unwrap_or(""),
                self.order_no.as_deref().unwrap_or(""),
                self.trade_date,
                direction(self.txn_type)
            ),
        }
    }

    pub fn card_last4(&self) -> Option<&str> {
        let c = self.card_masked.as_deref()?;
        (c.len() >= 4).then(|| &c[c.len() - 4..])
    }
}

/// A transaction of this database, as matching needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalRow {
    pub txn_id: i64,
    pub terminal_no: String,
    pub batch_no: String,
    pub voucher_no: String,
    pub rrn: String,
    pub order_no: Option<String>,
    pub trade_date: i32,
    pub txn_ms: i64,
    /// Seconds after business midnight.
    pub trade_time: u32,
    pub txn_type: TxnType,
    pub status: TxnStatus,
    pub amount_fen: i64,
    pub fee_fen: i64,
    pub card_masked: String,
    pub settle_date: Option<i32>,
}

impl LocalRow {
    pub fn key(&self) -> String {
        format!("rrn:{}:{:?}", self.rrn, direction(self.txn_type))
    }
}

/// `YYYYMMDD` plus or minus days, through the calendar; an impossible date stays as it is.
pub fn add_days(ymd: i32, days: i32) -> i32 {
    let Ok(d) = jiff::civil::Date::new(
        (ymd / 10000) as i16,
        (ymd / 100 % 100) as i8,
        (ymd % 100) as i8,
    ) else {
        return ymd;
    };
    match d.checked_add(jiff::Span::new().days(days as i64)) {
        Ok(n) => n.year() as i32 * 10000 + n.month() as i32 * 100 + n.day() as i32,
        Err(_) => ymd,
    }
}

/// Whole days from `a` to `b`.
pub fn days_between(a: i32, b: i32) -> i32 {
    let mk =
        |v: i32| jiff::civil::Date::new((v / 10000) as i16, (v / 100 % 100) as i8, (v % 100) as i8);
    match (mk(a), mk(b)) {
        (Ok(x), Ok(y)) => (y - x).get_days(),
        _ => i32::MAX,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_cross_months_and_years() {
        assert_eq!(add_days(20261231, 1), 20270101);
        assert_eq!(add_days(20260301, -1), 20260228);
        assert_eq!(days_between(20261130, 20261202), 2);
        assert_eq!(days_between(20261202, 20261201), -1);
    }
}
