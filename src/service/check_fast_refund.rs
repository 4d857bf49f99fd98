//! The invariants of fast refunds, part of `merchant-desk check` (spec/money-out.md §2 F5–F6):
//!
//! - every fast refund holding money (处理中, 成功, 异常) is covered by exactly one debit of its
//!   amount; every failed or cancelled one also by exactly one credit of it back; a pending or
//!   rejected one has no ledger line;
//! - a fast-refund application's hold: active while pending, posted once paid, released when
//!   rejected, of the sum of its fast refunds;
//! - F6: ordinary and fast refunds together never exceed a transaction's amount, nor a store's
//!   daily quota on a day with fast refunds.

use crate::store::fast_refunds as q;
use crate::store::Db;
use crate::store::SqlResult;

use super::check::Invariant;

pub(crate) fn invariants(conn: &Db) -> SqlResult<Vec<Invariant>> {
    let mut covered = Invariant::new(
        "fast_refund_ledger",
        "every fast refund holding money is covered by exactly one debit, every failed or cancelled one by one credit back",
    );
    for c in q::ledger_cover(conn)? {
        let (want_debit, want_credit) = (c.status.debited(), c.status.credited_back());
        let debit_ok = if want_debit {
            c.debits == 1 && c.debit_fen == -c.amount_fen
        } else {
            c.debits == 0
        };
        let credit_ok = if want_credit {
            c.credits == 1 && c.credit_fen == c.amount_fen
        } else {
            c.credits == 0
        };
        if !(debit_ok && credit_ok) {
            covered.breach(format!(
                "fast refund #{} {} ({}): amount {}, {} debits of {}, {} credits of {}",
                c.id,
                c.order_no,
                c.status.code(),
                c.amount_fen,
                c.debits,
                c.debit_fen,
                c.credits,
                c.credit_fen
            ));
        }
    }
    let mut holds = Invariant::new(
        "fast_refund_holds",
        "a fast-refund application holds the sum of its fast refunds: active while pending, posted once paid, released when it ended unpaid",
    );
    for (id, status, amount, hold, state, sum) in q::application_holds(conn)? {
        let want = match status.as_str() {
            "pending_review" => "active",
            "approved" | "auto_approved" => "posted",
            _ => "released",
        };
        if hold != Some(amount) || state.as_deref() != Some(want) || sum != amount {
            holds.breach(format!(
                "application #{id} ({status}): amount {amount}, lines {sum}, hold {hold:?} {state:?}"
            ));
        }
    }
    let mut refundable = Invariant::new(
        "refunds_within_amount",
        "ordinary and fast refunds together never exceed a transaction's amount",
    );
    for (txn, amount, used) in q::over_refunded(conn)? {
        refundable.breach(format!(
            "transaction #{txn}: amount {amount}, refunds {used}"
        ));
    }
    let mut quota = Invariant::new(
        "refunds_within_quota",
        "ordinary and fast refunds of a day together never exceed the store's daily quota",
    );
    for (m, day, q, used) in q::quota_days(conn)? {
        if used > q {
            quota.breach(format!("merchant {m} on {day}: quota {q}, refunds {used}"));
        }
    }
    Ok(vec![covered, holds, refundable, quota])
}
