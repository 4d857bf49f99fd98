//! `merchant-desk check`: verifies the invariants money and refunds must keep, and names each
//! one that is broken with the records that break it. Read-only.
//!
//! - every ledger line's running balance is the previous one plus its amount, and the balance is
//!   the sum of the lines;
//! - each settlement adds up its linked transactions, plus the refunds cleared on its date;
//! - each settlement is credited once, by its net before refunds cleared;
//! - money is conserved: per merchant, the ledger sums to the settlements' net (cleared refunds
//!   are attributed to the settlement of the day they cleared) plus other movements;
//! - no transaction is refunded beyond its amount (open applications included), and what it has
//!   had refunded is its completed applications plus its POS refunds;
//! - no merchant's applications of a day exceed the daily refund quota in force when made;
//! - every application's history follows the allowed transitions and ends in its status;
//! - every completed application is cleared exactly once (one refund ledger line), and no other;
//! - a batch holds every row it counted;
//! - every application's state change is in the audit chain;
//! - the daily rollups equal the raw aggregation of the transactions;
//! - holds, withdrawals and applications agree (`check_review.rs`);
//! - the audit chain verifies.

use crate::store::SqlResult;
use std::collections::{BTreeMap, HashMap};

use crate::store::Db;

use crate::domain::refund::RefundStatus;
use crate::store::check::{self as q, Application, AuditLine};

use super::audit::{verify_in, ChainCheck};

/// How many breaches of one invariant are listed (the count is always given).
const SHOWN: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invariant {
    pub name: &'static str,
    pub what: &'static str,
    /// The records that break it, described; empty when it holds.
    pub breaches: Vec<String>,
    /// How many breaches there are in all (more than listed when many).
    pub count: usize,
}

impl Invariant {
    pub(crate) fn new(name: &'static str, what: &'static str) -> Invariant {
        Invariant {
            name,
            what,
            breaches: Vec::new(),
            count: 0,
        }
    }
    pub(crate) fn breach(&mut self, s: String) {
        self.count += 1;
        if self.breaches.len() < SHOWN {
            self.breaches.push(s);
        }
    }
    pub fn holds(&self) -> bool {
        self.count == 0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub invariants: Vec<Invariant>,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.invariants.iter().all(Invariant::holds)
    }
    pub fn broken(&self) -> Vec<&Invariant> {
        self.invariants.iter().filter(|i| !i.holds()).collect()
    }
    /// One line per invariant, and one per listed breach under a broken one.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for i in &self.invariants {
            if i.holds() {
                out.push_str(&format!("ok      {}: {}\n", i.name, i.what));
            } else {
                out.push_str(&format!(
                    "BROKEN  {}: {} ({} breaches)\n",
                    i.name, i.what, i.count
                ));
                for b in &i.breaches {
                    out.push_str(&format!("        - {b}\n"));
                }
                if i.count > i.breaches.len() {
                    out.push_str(&format!(
                        "        - ... and {} more\n",
                        i.count - i.breaches.len()
                    ));
                }
            }
        }
        out
    }
}

/// Runs every check. Reads in one transaction, so the checks see one state of the file even
/// while others write.
pub fn run(store: &crate::store::Store) -> Result<Report, crate::store::StoreError> {
    let tx = store.begin_read()?;
    let r = run_in(&tx.db())?;
    tx.commit()?;
    Ok(r)
}

fn run_in(conn: &Db) -> SqlResult<Report> {
    let lines = q::ledger_lines(conn)?;
    let settlements = q::settlements(conn)?;
    let apps = q::applications(conn)?;
    let mut out = Vec::new();

    // The ledger's running balance.
    let mut running = Invariant::new(
        "ledger_running_balance",
        "each ledger line's balance = the previous line's balance + its amount",
    );
    let mut sums = Invariant::new(
        "balance_is_sum_of_lines",
        "each merchant's balance = the sum of its ledger lines",
    );
    let mut by_merchant: BTreeMap<i64, (i64, i64)> = BTreeMap::new(); // (sum, last balance)
    for l in &lines {
        let e = by_merchant.entry(l.merchant_id).or_insert((0, 0));
        if l.balance_fen != e.1 + l.amount_fen {
            running.breach(format!(
                "merchant {} ledger line #{}: previous balance {} + amount {} ≠ balance {}",
                l.merchant_id, l.id, e.1, l.amount_fen, l.balance_fen
            ));
        }
        e.0 += l.amount_fen;
        e.1 = l.balance_fen;
    }
    for (m, (sum, last)) in &by_merchant {
        let balance = crate::store::merchants::balance_fen(conn, *m)?;
        if balance != *sum || *last != *sum {
            sums.breach(format!(
                "merchant {m}: balance {balance}, sum of lines {sum}"
            ));
        }
    }
    out.push(running);
    out.push(sums);

    // Settlements against their transactions, and their ledger credit.
    let mut matches = Invariant::new(
        "settlement_matches_transactions",
        "each settlement's count, trade, fees and refunds = its linked transactions + the refunds cleared on its date; net = trade − fees − refunds",
    );
    let mut credited = Invariant::new(
        "settlement_credited_once",
        "each settlement is credited to the ledger once, by trade − fees − POS refunds",
    );
    let mut credit_lines: HashMap<i64, Vec<(i64, i64)>> = HashMap::new();
    for l in lines.iter().filter(|l| l.kind == "settlement") {
        match (l.ref_table.as_deref(), l.ref_id) {
            (Some("settlements"), Some(id)) => credit_lines
                .entry(id)
                .or_default()
                .push((l.id, l.amount_fen)),
            _ => credited.breach(format!(
                "ledger line #{} is a settlement credit that names no settlement",
                l.id
            )),
        }
    }
    let mut net_by_merchant: BTreeMap<i64, i64> = BTreeMap::new();
    for s in &settlements {
        *net_by_merchant.entry(s.merchant_id).or_default() += s.net_fen;
        let mut diffs = Vec::new();
        if s.txn_count != s.linked_count {
            diffs.push(format!("count {} ≠ {} linked", s.txn_count, s.linked_count));
        }
        if s.trade_fen != s.linked_trade_fen {
            diffs.push(format!(
                "trade {} ≠ {} linked",
                s.trade_fen, s.linked_trade_fen
            ));
        }
        if s.fee_fen != s.linked_fee_fen {
            diffs.push(format!("fees {} ≠ {} linked", s.fee_fen, s.linked_fee_fen));
        }
        if s.refund_fen != s.linked_pos_refund_fen + s.cleared_fen {
            diffs.push(format!(
                "refunds {} ≠ {} at the POS + {} cleared",
                s.refund_fen, s.linked_pos_refund_fen, s.cleared_fen
            ));
        }
        if s.net_fen != s.trade_fen - s.fee_fen - s.refund_fen {
            diffs.push(format!("net {} ≠ trade − fees − refunds", s.net_fen));
        }
        if !diffs.is_empty() {
            matches.breach(format!(
                "settlement #{} (merchant {}, {}): {}",
                s.id,
                s.merchant_id,
                s.settle_date,
                diffs.join("; ")
            ));
        }
        let expected = s.trade_fen - s.fee_fen - s.linked_pos_refund_fen;
        let got = credit_lines.remove(&s.id).unwrap_or_default();
        let ok = match got.as_slice() {
            [] => expected == 0,
            [(_, amount)] => *amount == expected,
            _ => false,
        };
        if !ok {
            credited.breach(format!(
                "settlement #{} (merchant {}, {}): expected one credit of {}, found {:?} (line, amount)",
                s.id, s.merchant_id, s.settle_date, expected, got
            ));
        }
    }
    for (sid, got) in credit_lines {
        credited.breach(format!(
            "ledger lines {got:?} credit settlement #{sid}, which does not exist"
        ));
    }
    for (id, m, d) in q::cleared_without_settlement(conn)? {
        matches.breach(format!(
            "refund #{id} of merchant {m} cleared on {d}, a date with no settlement of its merchant"
        ));
    }
    out.push(matches);
    out.push(credited);

    // What a settlement's transaction list shows (its own query) against the settlement row.
    let mut listed = Invariant::new(
        "settlement_list_matches",
        "each settlement's transaction list, summed as the list sums it, = the settlement's count, trade and fees; no voided sale keeps a fee",
    );
    for s in &settlements {
        let filter = crate::store::transactions::TxnFilter {
            settlement_id: Some(s.id),
            ..Default::default()
        };
        let t = crate::store::transactions::settled_totals(conn, &filter)?;
        if (t.count, t.trade_fen, t.fee_fen) != (s.txn_count, s.trade_fen, s.fee_fen) {
            listed.breach(format!(
                "settlement #{} (merchant {}, {}): the list shows {} rows, trade {}, fees {}; the settlement {}, {}, {}",
                s.id, s.merchant_id, s.settle_date, t.count, t.trade_fen, t.fee_fen,
                s.txn_count, s.trade_fen, s.fee_fen
            ));
        }
    }
    for (id, rrn, fee) in q::voided_with_fee(conn)? {
        listed.breach(format!(
            "voided sale #{id} ({rrn}) keeps a fee of {fee}: a void cancels the fee"
        ));
    }
    out.push(listed);

    let mut not_ahead = Invariant::new(
        "settlement_not_ahead_of_its_run",
        "no settlement is dated after the business day its run was made on",
    );
    for (id, m, d, run_day) in q::settlements_after_their_run(conn)? {
        not_ahead.breach(format!(
            "settlement #{id} (merchant {m}) is dated {d} but was made on {run_day}"
        ));
    }
    out.push(not_ahead);

    // Money conserved.
    let mut conserved = Invariant::new(
        "money_conserved",
        "per merchant: sum of ledger = sum of settlements' net (cleared refunds included) + other movements",
    );
    let mut ledger_by: BTreeMap<i64, (i64, i64)> = BTreeMap::new(); // (settlement+refund, other)
    for l in &lines {
        let e = ledger_by.entry(l.merchant_id).or_default();
        // A fast refund's debit and credit back are payouts (other movements), checked by
        // `check_fast_refund`.
        let fast = l.ref_table.as_deref() == Some("fast_refunds");
        if (l.kind == "settlement" || l.kind == "refund") && !fast {
            e.0 += l.amount_fen;
        } else {
            e.1 += l.amount_fen;
        }
    }
    for m in q::merchant_ids(conn)? {
        let (ledger, other) = ledger_by.get(&m).copied().unwrap_or_default();
        let net = net_by_merchant.get(&m).copied().unwrap_or_default();
        if ledger != net {
            conserved.breach(format!(
                "merchant {m}: settlement and refund lines {ledger} ≠ settlements' net {net} (other movements {other})"
            ));
        }
    }
    out.push(conserved);

    // Refunds within each transaction's amount.
    let mut within = Invariant::new(
        "refund_within_amount",
        "no transaction refunded beyond its amount: refunded + open applications ≤ amount; refunded = completed applications + POS refunds",
    );
    let (txns, total) = q::refund_breaches(conn, SHOWN)?;
    for t in &txns {
        within.breach(format!(
            "transaction #{} rrn {}: amount {}, refunded {}, open {}, completed {}, at the POS {}",
            t.id,
            t.rrn,
            t.amount_fen,
            t.refunded_fen,
            t.open_fen,
            t.completed_fen,
            t.pos_refund_fen
        ));
    }
    within.count = total as usize;
    out.push(within);

    let audit_rows = q::refund_audit(conn)?;
    out.push(quota_check(conn, &apps, &audit_rows)?);

    // Transitions, clearing and audit.
    let events = q::refund_events(conn)?;
    let mut ev_by: HashMap<i64, Vec<(String, String)>> = HashMap::new();
    for (id, ev, st, _) in events {
        ev_by.entry(id).or_default().push((ev, st));
    }
    let mut refund_lines: HashMap<i64, Vec<(i64, i64, i64)>> = HashMap::new();
    let mut cleared = Invariant::new(
        "cleared_at_most_once",
        "each completed application has exactly one refund ledger line of its amount; other applications none",
    );
    for l in lines
        .iter()
        .filter(|l| l.kind == "refund" && l.ref_table.as_deref() != Some("fast_refunds"))
    {
        match (l.ref_table.as_deref(), l.ref_id) {
            (Some("refund_applications"), Some(id)) => {
                refund_lines
                    .entry(id)
                    .or_default()
                    .push((l.id, l.merchant_id, l.amount_fen))
            }
            _ => cleared.breach(format!(
                "ledger line #{} is a refund debit that names no application",
                l.id
            )),
        }
    }
    let mut transitions = Invariant::new(
        "allowed_transitions",
        "each application's history starts with 'applied', moves only by allowed transitions and ends in its status",
    );
    let mut audited = Invariant::new(
        "refunds_audited",
        "each application's apply, decision and clearing is in the audit log",
    );
    let mut audit_count: HashMap<(i64, &str), usize> = HashMap::new();
    for AuditLine { action, target, .. } in &audit_rows {
        if let Some(id) = refund_id_of(target) {
            *audit_count.entry((id, action.as_str())).or_default() += 1;
        }
    }
    for a in &apps {
        let evs = ev_by.remove(&a.id).unwrap_or_default();
        if let Some(problem) = history_problem(a, &evs) {
            transitions.breach(format!("refund #{} ({}): {problem}", a.id, a.status));
        }
        let lines = refund_lines.remove(&a.id).unwrap_or_default();
        let completed = a.status == RefundStatus::Completed.code();
        let ok = match lines.as_slice() {
            [] => !completed,
            [(_, m, amount)] => completed && *m == a.merchant_id && *amount == -a.amount_fen,
            _ => false,
        };
        if !ok {
            cleared.breach(format!(
                "refund #{} ({}, amount {}): refund ledger lines {:?} (line, merchant, amount)",
                a.id, a.status, a.amount_fen, lines
            ));
        }
        let count = |ev: &str| evs.iter().filter(|(e, _)| e == ev).count();
        for (ev, action) in [
            ("applied", "refund.apply"),
            ("approved", "refund.approve"),
            ("rejected", "refund.reject"),
            ("cleared", "refund.cleared"),
        ] {
            let n = audit_count.get(&(a.id, action)).copied().unwrap_or(0);
            if count(ev) != n {
                audited.breach(format!(
                    "refund #{}: {} '{ev}' events but {n} '{action}' audit rows",
                    a.id,
                    count(ev)
                ));
            }
        }
    }
    for (id, _) in ev_by {
        transitions.breach(format!("events of refund #{id}, which does not exist"));
    }
    for (id, l) in refund_lines {
        cleared.breach(format!(
            "ledger lines {l:?} debit refund #{id}, which does not exist"
        ));
    }
    out.push(transitions);
    out.push(cleared);

    let mut batches = Invariant::new(
        "batches_whole",
        "each refund batch holds exactly the rows and total it counted",
    );
    for (id, no, rows, total, n, sum) in q::batches(conn)? {
        if rows != n || total != sum {
            batches.breach(format!(
                "batch #{id} {no}: {rows} rows of {total} counted, {n} applications of {sum} found"
            ));
        }
    }
    out.push(batches);
    out.push(audited);

    let mut rollups = Invariant::new(
        "rollups_match",
        "the daily rollups (txn_daily) = the raw aggregation of the transactions",
    );
    let (extra, missing) = q::rollup_differences(conn, SHOWN)?;
    for e in extra {
        rollups.breach(format!("rollup has {e}, the transactions do not"));
    }
    for m in missing {
        rollups.breach(format!("transactions sum to {m}, the rollup does not"));
    }
    out.push(rollups);
    out.extend(super::check_review::invariants(conn)?);
    out.extend(super::check_recon::invariants(conn)?);
    out.extend(super::check_fast_refund::invariants(conn)?);
    out.extend(super::transfers::invariants(conn)?);

    let mut chain = Invariant::new("audit_chain", "the audit log's hash chain verifies");
    if let ChainCheck::Broken { id, reason } = verify_in(conn)? {
        chain.breach(format!("row {id}: {reason}"));
    }
    out.push(chain);

    Ok(Report { invariants: out })
}

fn refund_id_of(target: &str) -> Option<i64> {
    target
        .strip_prefix("refund#")
        .and_then(|s| s.split_whitespace().next())
        .and_then(|s| s.parse().ok())
}

fn quota_of(s: &str) -> Option<i64> {
    crate::domain::audit::Fields::parse(s).get_int("quota_fen")
}

/// No day's applications of a merchant exceed the quota in force when each was made. The
/// audit chain orders applications and quota changes; at each application, the day's
/// applications made up to it that still hold money (all but rejected ones) must fit in the
/// quota then in force. (An application rejected later counted when the next ones were made,
/// so leaving it out never reports a breach that was not one.)
fn quota_check(conn: &Db, apps: &[Application], audit: &[AuditLine]) -> SqlResult<Invariant> {
    let mut inv = Invariant::new(
        "daily_quota",
        "no merchant's refund applications of a day (all but rejected) exceed the daily quota in force when they were made",
    );
    let merchants = crate::store::merchants::all(conn)?;
    let id_of_no: HashMap<&str, i64> = merchants
        .iter()
        .map(|m| (m.merchant_no.as_str(), m.id))
        .collect();
    // The quota each merchant had before the first change the chain records.
    let mut quota: HashMap<i64, i64> = merchants
        .iter()
        .map(|m| (m.id, m.daily_refund_quota_fen))
        .collect();
    let mut seen = std::collections::HashSet::new();
    for a in audit
        .iter()
        .filter(|a| a.action == "merchant.refund_settings")
    {
        if let (Some(m), Some(q)) = (id_of_no.get(a.target.as_str()), quota_of(&a.before)) {
            if seen.insert(*m) {
                quota.insert(*m, q);
            }
        }
    }
    let by_id: HashMap<i64, &Application> = apps.iter().map(|a| (a.id, a)).collect();
    let mut held: HashMap<(i64, i32), i64> = HashMap::new();
    for line in audit {
        if line.action == "merchant.refund_settings" {
            if let (Some(m), Some(q)) = (id_of_no.get(line.target.as_str()), quota_of(&line.after))
            {
                quota.insert(*m, q);
            }
            continue;
        }
        if line.action != "refund.apply" {
            continue;
        }
        let Some(a) = refund_id_of(&line.target).and_then(|id| by_id.get(&id)) else {
            continue;
        };
        if a.status == RefundStatus::Rejected.code() {
            continue;
        }
        let h = held.entry((a.merchant_id, a.apply_date)).or_default();
        *h += a.amount_fen;
        let q = quota.get(&a.merchant_id).copied().unwrap_or(0);
        if q > 0 && *h > q {
            inv.breach(format!(
                "merchant {} on {}: with refund #{} the day holds {}, quota {}",
                a.merchant_id, a.apply_date, a.id, h, q
            ));
        }
    }
    Ok(inv)
}

/// What is wrong with an application's history, if anything.
fn history_problem(a: &Application, evs: &[(String, String)]) -> Option<String> {
    use RefundStatus::*;
    let Some((first_ev, first_st)) = evs.first() else {
        return Some("no history".into());
    };
    if first_ev != "applied" {
        return Some(format!("history starts with '{first_ev}'"));
    }
    let mut cur = match RefundStatus::from_code(first_st) {
        Some(s @ (PendingReview | Submitted)) => s,
        _ => return Some(format!("applied as '{first_st}'")),
    };
    for (ev, st) in &evs[1..] {
        let Some(next) = RefundStatus::from_code(st) else {
            return Some(format!("unknown status '{st}'"));
        };
        let fits = match ev.as_str() {
            "approved" | "submitted" => next == Submitted,
            "rejected" => next == Rejected,
            "pending_clearing" => next == PendingClearing,
            "cleared" => next == Completed,
            _ => false,
        };
        if !fits {
            return Some(format!("event '{ev}' with status '{st}'"));
        }
        if next != cur && !cur.may_become(next) {
            return Some(format!(
                "'{}' → '{}' is not allowed",
                cur.code(),
                next.code()
            ));
        }
        if (ev == "approved" || ev == "rejected") && cur != PendingReview {
            return Some(format!("decided while '{}'", cur.code()));
        }
        cur = next;
    }
    if cur.code() != a.status {
        return Some(format!("history ends in '{}'", cur.code()));
    }
    let decided = evs.iter().any(|(e, _)| e == "approved" || e == "rejected");
    if decided != a.reviewer_id.is_some() || decided != a.approval_id.is_some() {
        return Some(format!(
            "decided in its history: {decided}; reviewer {:?}, approval {:?}",
            a.reviewer_id, a.approval_id
        ));
    }
    if a.reviewer_id == Some(a.applicant_id) {
        return Some("reviewed by its applicant".into());
    }
    if (a.status == Completed.code()) != a.cleared_date.is_some() {
        return Some(format!("clearing date {:?}", a.cleared_date));
    }
    None
}
