//! The invariants of the money-out records, part of `merchant-desk check`:
//!
//! - every money-holding application is covered by exactly one hold or one debit, never both:
//!   pending → an active hold of its amount plus fee and no ledger line; approved (paying or
//!   paid) → the hold posted and one debit of amount plus fee; failed → that debit and a
//!   credit of the same back; rejected, cancelled or expired → the hold released, no line;
//! - an application's status and its payout's status agree;
//! - no store's available balance (ledger − active holds) is below zero;
//! - a bank account's status follows its application's.

use crate::store::review as q;
use crate::store::Db;
use crate::store::SqlResult;

use super::check::Invariant;

pub(crate) fn invariants(conn: &Db) -> SqlResult<Vec<Invariant>> {
    let mut covered = Invariant::new(
        "holds_cover_applications",
        "every money-holding application is covered by exactly one hold or one debit, never both",
    );
    let mut agree = Invariant::new(
        "application_payout_status",
        "an application's review status and its withdrawal's status agree",
    );
    for a in q::held_applications(conn)? {
        let total = a.amount_fen + a.fee_fen;
        let hold = (a.hold_fen, a.hold_state.as_deref());
        let payout = a.payout_status.as_deref().unwrap_or("");
        let expected_payout: &[&str] = match a.status.as_str() {
            "pending_review" => &["pending_review"],
            "approved" | "auto_approved" => &["processing", "success", "failed"],
            "rejected" => &["rejected"],
            "cancelled" => &["cancelled"],
            "expired" => &["expired"],
            _ => &[],
        };
        if !expected_payout.contains(&payout) {
            agree.breach(format!(
                "application #{} is {} but its withdrawal is {payout:?}",
                a.id, a.status
            ));
        }
        let ok = match a.status.as_str() {
            "pending_review" => {
                hold == (Some(total), Some("active")) && a.debit_lines == 0 && a.credits_fen == 0
            }
            "approved" | "auto_approved" => {
                let credited = if payout == "failed" { total } else { 0 };
                hold == (Some(total), Some("posted"))
                    && a.debits_fen == -total
                    && a.credits_fen == credited
            }
            _ => {
                hold == (Some(total), Some("released")) && a.debit_lines == 0 && a.credits_fen == 0
            }
        };
        if !ok {
            covered.breach(format!(
                "application #{} ({}, {}): amount+fee {total}, hold {:?} {:?}, debits {} in {} lines, credits {}",
                a.id,
                a.kind,
                a.status,
                a.hold_fen,
                a.hold_state,
                a.debits_fen,
                a.debit_lines,
                a.credits_fen
            ));
        }
    }
    let mut available = Invariant::new(
        "available_not_negative",
        "no store's available balance (ledger balance − active holds) is below zero",
    );
    for (m, ledger, held) in q::available_balances(conn)? {
        if ledger - held < 0 {
            available.breach(format!(
                "merchant {m}: ledger {ledger} − holds {held} = {}",
                ledger - held
            ));
        }
    }
    let mut accounts = Invariant::new(
        "bank_account_review",
        "a bank account is active only once its application was approved, deleted when it was not",
    );
    for (app, a_status, b_status) in q::bank_account_mismatches(conn)? {
        accounts.breach(format!(
            "application #{app} is {a_status}, its bank account {b_status}"
        ));
    }
    Ok(vec![covered, agree, available, accounts])
}
