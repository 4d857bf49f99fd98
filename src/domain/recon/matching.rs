//! The matching algorithm of spec §7.3, pure: duplicates first, then pass by pass, every step
//! taking what it matched out of both sides; then every difference of each pair; then the
//! leftovers, with the cut-off rule for "expected next day". Suggestions (pass 4) are only
//! offered for a person to confirm.

use std::collections::{HashMap, HashSet};

use super::{add_days, days_between, direction, Category, Direction, FileRow, LocalRow, Pass};
use crate::domain::txn::TxnStatus;

/// What matching needs besides the two sides.
#[derive(Debug, Clone)]
pub struct Params {
    /// The acquirer's clearing date of the file, `YYYYMMDD`.
    pub date: i32,
    /// A local transaction at or after this time of day (seconds) is expected in the next
    /// day's file instead of missing (default 23:00).
    pub cutoff_secs: u32,
    /// Local transactions already matched by an active run of another date: a file row
    /// matching one of them is a duplicate across runs.
    pub matched_elsewhere: HashSet<i64>,
}

/// A matched pair (indexes into the two slices) and every difference found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    pub file: usize,
    pub local: usize,
    pub pass: Pass,
    pub diffs: Vec<Category>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub pairs: Vec<Pair>,
    /// File rows beyond the first of their key, or matching a transaction another run matched.
    pub duplicates: Vec<usize>,
    pub missing_local: Vec<usize>,
    pub missing_acquirer: Vec<usize>,
    pub expected_next_day: Vec<usize>,
    /// (file row, local row) candidates of pass 4, for a person to confirm.
    pub suggestions: Vec<(usize, usize)>,
}

/// A local transaction the acquirer never sees: failed at the terminal or reversed by it.
fn never_reaches_acquirer(l: &LocalRow) -> bool {
    matches!(l.status, TxnStatus::Failed | TxnStatus::Reversed)
}

/// Every difference of a matched pair, in a fixed order.
pub fn differences(f: &FileRow, l: &LocalRow) -> Vec<Category> {
    let mut d = Vec::new();
    if f.amount_fen != l.amount_fen {
        d.push(Category::AmountDiff);
    }
    if f.fee_fen.is_some_and(|fee| fee != l.fee_fen) {
        d.push(Category::FeeDiff);
    }
    if f.status != l.status {
        d.push(Category::StatusDiff);
    }
    if f.txn_type != l.txn_type {
        d.push(Category::TypeDiff);
    }
    if f.trade_date != l.trade_date {
        d.push(Category::DateDiff);
    }
    if let Some(c) = &f.card_masked {
        if !cards_agree(c, &l.card_masked) {
            d.push(Category::CardDiff);
        }
    }
    d
}

/// Two masked card numbers agree when their visible digits do (files mask differently:
/// `622848******1234` vs `6228****1234`).
pub fn cards_agree(a: &str, b: &str) -> bool {
    let last = |s: &str| s.chars().rev().take(4).collect::<String>();
    let first = |s: &str| {
        s.chars()
            .take_while(|c| c.is_ascii_digit())
            .collect::<String>()
    };
    let (fa, fb) = (first(a), first(b));
    let n = fa.len().min(fb.len());
    last(a) == last(b) && fa[..n] == fb[..n]
}

fn dup_key(f: &FileRow) -> String {
    match &f.rrn {
        Some(r) => format!("r{r}{:?}", direction(f.txn_type)),
        None => format!(
            "k{}|{}|{}|{}|{}|{}|{:?}",
            f.merchant_no,
            f.terminal_no,
            f.batch_no.as_deref().unwrap_or(""),
            f.voucher_no.as_deref().unwrap_or(""),
            f.order_no.as_deref().unwrap_or(""),
            f.trade_date,
            direction(f.txn_type)
        ),
    }
}

/// Matches the file's rows against the local candidates (the merchant's transactions with a
/// trade date within a day of `params.date`).
pub fn match_rows(file: &[FileRow], local: &[LocalRow], params: &Params) -> Outcome {
    let mut out = Outcome::default();
    let mut open_f: Vec<bool> = vec![true; file.len()];
    let mut open_l: Vec<bool> = vec![true; local.len()];

    // 1. Duplicates within the file.
    let mut seen: HashSet<String> = HashSet::new();
    for (i, f) in file.iter().enumerate() {
        if !seen.insert(dup_key(f)) {
            out.duplicates.push(i);
            open_f[i] = false;
        }
    }

    let take = |out: &mut Outcome,
                open_f: &mut [bool],
                open_l: &mut [bool],
                fi: usize,
                li: usize,
                pass: Pass| {
        open_f[fi] = false;
        open_l[li] = false;
        if params.matched_elsewhere.contains(&local[li].txn_id) {
            out.duplicates.push(fi);
        } else {
            out.pairs.push(Pair {
                file: fi,
                local: li,
                pass,
                diffs: differences(&file[fi], &local[li]),
            });
        }
    };

    // 2. By reference number and direction (unique locally by construction).
    let by_rrn: HashMap<(&str, Direction), usize> = local
        .iter()
        .enumerate()
        .map(|(i, l)| ((l.rrn.as_str(), direction(l.txn_type)), i))
        .collect();
    for fi in 0..file.len() {
        if !open_f[fi] {
            continue;
        }
        let f = &file[fi];
        if let Some(r) = &f.rrn {
            if let Some(&li) = by_rrn.get(&(r.as_str(), direction(f.txn_type))) {
                if open_l[li] {
                    take(&mut out, &mut open_f, &mut open_l, fi, li, Pass::Rrn);
                }
            }
        }
    }

    // 2b. Wallet bills: the merchant order number is their reference.
    let mut by_order: HashMap<(&str, Direction), Vec<usize>> = HashMap::new();
    for (i, l) in local.iter().enumerate() {
        if let Some(o) = &l.order_no {
            by_order
                .entry((o.as_str(), direction(l.txn_type)))
                .or_default()
                .push(i);
        }
    }
    for fi in 0..file.len() {
        if !open_f[fi] {
            continue;
        }
        let f = &file[fi];
        if let Some(o) = &f.order_no {
            if let Some(c) = by_order.get(&(o.as_str(), direction(f.txn_type))) {
                let open: Vec<usize> = c.iter().copied().filter(|&i| open_l[i]).collect();
                if open.len() == 1 {
                    take(
                        &mut out,
                        &mut open_f,
                        &mut open_l,
                        fi,
                        open[0],
                        Pass::OrderNo,
                    );
                }
            }
        }
    }

    // 3. Terminal + batch + voucher on the trade date; without the batch the amount must agree.
    let mut by_tbv: HashMap<(&str, &str, &str, i32), Vec<usize>> = HashMap::new();
    let mut by_tv: HashMap<(&str, &str, i32), Vec<usize>> = HashMap::new();
    for (i, l) in local.iter().enumerate() {
        by_tbv
            .entry((&l.terminal_no, &l.batch_no, &l.voucher_no, l.trade_date))
            .or_default()
            .push(i);
        by_tv
            .entry((&l.terminal_no, &l.voucher_no, l.trade_date))
            .or_default()
            .push(i);
    }
    for fi in 0..file.len() {
        if !open_f[fi] {
            continue;
        }
        let f = &file[fi];
        let Some(v) = f.voucher_no.as_deref() else {
            continue;
        };
        let dir = direction(f.txn_type);
        let (cands, pass): (Vec<usize>, Pass) = match f.batch_no.as_deref() {
            Some(b) => (
                by_tbv
                    .get(&(f.terminal_no.as_str(), b, v, f.trade_date))
                    .map(|c| {
                        c.iter()
                            .copied()
                            .filter(|&i| open_l[i] && direction(local[i].txn_type) == dir)
                            .collect()
                    })
                    .unwrap_or_default(),
                Pass::TerminalBatchVoucher,
            ),
            None => (
                by_tv
                    .get(&(f.terminal_no.as_str(), v, f.trade_date))
                    .map(|c| {
                        c.iter()
                            .copied()
                            .filter(|&i| {
                                open_l[i]
                                    && direction(local[i].txn_type) == dir
                                    && local[i].amount_fen == f.amount_fen
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                Pass::TerminalVoucherDate,
            ),
        };
        if cands.len() == 1 {
            take(&mut out, &mut open_f, &mut open_l, fi, cands[0], pass);
        }
    }

    // 4. Terminal + voucher + amount within a day either side; only a single candidate on
    // both sides matches.
    let mut by_tva: HashMap<(&str, &str, i64), Vec<usize>> = HashMap::new();
    for (i, l) in local.iter().enumerate() {
        if open_l[i] {
            by_tva
                .entry((&l.terminal_no, &l.voucher_no, l.amount_fen))
                .or_default()
                .push(i);
        }
    }
    let mut file_tva: HashMap<(&str, &str, i64), usize> = HashMap::new();
    for (fi, f) in file.iter().enumerate() {
        if open_f[fi] {
            if let Some(v) = f.voucher_no.as_deref() {
                *file_tva
                    .entry((&f.terminal_no, v, f.amount_fen))
                    .or_default() += 1;
            }
        }
    }
    for fi in 0..file.len() {
        if !open_f[fi] {
            continue;
        }
        let f = &file[fi];
        let Some(v) = f.voucher_no.as_deref() else {
            continue;
        };
        let k = (f.terminal_no.as_str(), v, f.amount_fen);
        if file_tva.get(&k) != Some(&1) {
            continue;
        }
        let cands: Vec<usize> = by_tva
            .get(&k)
            .map(|c| {
                c.iter()
                    .copied()
                    .filter(|&i| {
                        open_l[i]
                            && direction(local[i].txn_type) == direction(f.txn_type)
                            && days_between(local[i].trade_date, f.trade_date).abs() <= 1
                    })
                    .collect()
            })
            .unwrap_or_default();
        if cands.len() == 1 {
            take(
                &mut out,
                &mut open_f,
                &mut open_l,
                fi,
                cands[0],
                Pass::TerminalVoucherAmount,
            );
        }
    }

    // 5. Suggestions: terminal + amount + card's last four + within five minutes.
    for fi in 0..file.len() {
        if !open_f[fi] {
            continue;
        }
        let f = &file[fi];
        let (Some(last4), Some(t)) = (f.card_last4(), f.trade_time) else {
            continue;
        };
        for (li, l) in local.iter().enumerate() {
            if open_l[li]
                && l.terminal_no == f.terminal_no
                && l.amount_fen == f.amount_fen
                && l.card_masked.ends_with(last4)
                && l.trade_date == f.trade_date
                && (l.trade_time as i64 - t as i64).abs() <= 300
            {
                out.suggestions.push((fi, li));
            }
        }
    }

    // 6. Leftovers.
    out.missing_local = (0..file.len()).filter(|&i| open_f[i]).collect();
    let next = add_days(params.date, 1);
    for (li, l) in local.iter().enumerate() {
        if !open_l[li] || never_reaches_acquirer(l) {
            continue;
        }
        if l.trade_date == params.date {
            if l.trade_time >= params.cutoff_secs {
                out.expected_next_day.push(li);
            } else {
                out.missing_acquirer.push(li);
            }
        } else if l.trade_date == next {
            // Tomorrow's: the next file settles it; nothing to report today.
        }
    }
    out.duplicates.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::txn::TxnType;

    fn local(id: i64, rrn: &str, voucher: &str, amount: i64) -> LocalRow {
        LocalRow {
            txn_id: id,
            terminal_no: "10000001".into(),
            batch_no: "000001".into(),
            voucher_no: voucher.into(),
            rrn: rrn.into(),
            order_no: None,
            trade_date: 20261201,
            txn_ms: 0,
            trade_time: 10 * 3600,
            txn_type: TxnType::Sale,
            status: TxnStatus::Success,
            amount_fen: amount,
            fee_fen: amount * 6 / 1000,
            card_masked: "622848******1234".into(),
            settle_date: Some(20261201),
        }
    }

    fn file_of(l: &LocalRow) -> FileRow {
        FileRow {
            line: 2,
            merchant_no: "104310058120001".into(),
            terminal_no: l.terminal_no.clone(),
            batch_no: Some(l.batch_no.clone()),
            voucher_no: Some(l.voucher_no.clone()),
            rrn: Some(l.rrn.clone()),
            order_no: None,
            trade_date: l.trade_date,
            trade_time: Some(l.trade_time),
            txn_type: l.txn_type,
            status: l.status,
            amount_fen: l.amount_fen,
            fee_fen: Some(l.fee_fen),
            card_masked: Some(l.card_masked.clone()),
        }
    }

    fn params() -> Params {
        Params {
            date: 20261201,
            cutoff_secs: 23 * 3600,
            matched_elsewhere: HashSet::new(),
        }
    }

    #[test]
    fn equal_rows_match_by_reference_without_differences() {
        let l = vec![local(1, "000000000001", "000001", 10000)];
        let f = vec![file_of(&l[0])];
        let o = match_rows(&f, &l, &params());
        assert_eq!(o.pairs.len(), 1);
        assert_eq!(o.pairs[0].pass, Pass::Rrn);
        assert!(o.pairs[0].diffs.is_empty());
        assert!(o.missing_local.is_empty() && o.missing_acquirer.is_empty());
    }

    #[test]
    fn duplicates_come_first_and_every_difference_is_recorded() {
        let l = vec![local(1, "000000000001", "000001", 10000)];
        let mut f1 = file_of(&l[0]);
        f1.amount_fen = 10001;
        f1.fee_fen = Some(99);
        f1.status = TxnStatus::Voided;
        f1.txn_type = TxnType::Completion;
        let f = vec![f1.clone(), f1];
        let o = match_rows(&f, &l, &params());
        assert_eq!(o.duplicates, vec![1]);
        assert_eq!(
            o.pairs[0].diffs,
            vec![
                Category::AmountDiff,
                Category::FeeDiff,
                Category::StatusDiff,
                Category::TypeDiff
            ]
        );
    }

    #[test]
    fn without_reference_the_terminal_batch_and_voucher_decide() {
        let l = vec![
            local(1, "000000000001", "000001", 10000),
            local(2, "000000000002", "000002", 20000),
        ];
        let mut f = file_of(&l[1]);
        f.rrn = None;
        let o = match_rows(&[f.clone()], &l, &params());
        assert_eq!(o.pairs[0].local, 1);
        assert_eq!(o.pairs[0].pass, Pass::TerminalBatchVoucher);
        // Without the batch the amount has to agree too.
        f.batch_no = None;
        f.amount_fen = 20001;
        let o = match_rows(&[f.clone()], &l, &params());
        assert!(o.pairs.is_empty());
        assert_eq!(o.missing_local, vec![0]);
        f.amount_fen = 20000;
        let o = match_rows(&[f], &l, &params());
        assert_eq!(o.pairs[0].pass, Pass::TerminalVoucherDate);
    }

    #[test]
    fn voucher_and_amount_across_a_day_only_when_unique() {
        let mut a = local(1, "000000000001", "000007", 5000);
        a.trade_date = 20261130;
        let mut b = local(2, "000000000002", "000007", 5000);
        b.batch_no = "000002".into();
        b.trade_date = 20261202;
        let mut f = file_of(&a);
        f.rrn = None;
        f.batch_no = None;
        f.trade_date = 20261201;
        // Two candidates (the day before and the day after): no automatic match.
        let o = match_rows(&[f.clone()], &[a.clone(), b], &params());
        assert!(o.pairs.is_empty());
        let o = match_rows(&[f], &[a], &params());
        assert_eq!(o.pairs[0].pass, Pass::TerminalVoucherAmount);
        assert!(o.pairs[0].diffs.contains(&Category::DateDiff));
    }

    #[test]
    fn leftovers_respect_the_cut_off_and_suggestions_are_never_matches() {
        let mut late = local(1, "000000000001", "000001", 10000);
        late.trade_time = 23 * 3600 + 60;
        let early = local(2, "000000000002", "000002", 20000);
        let mut failed = local(3, "000000000003", "000003", 30000);
        failed.status = TxnStatus::Failed;
        // The acquirer has the early one under another reference and voucher: a suggestion.
        let mut f = file_of(&early);
        f.rrn = Some("999999999999".into());
        f.voucher_no = Some("000099".into());
        f.trade_time = Some(10 * 3600 + 120);
        let o = match_rows(&[f], &[late, early, failed], &params());
        assert!(o.pairs.is_empty());
        assert_eq!(o.expected_next_day, vec![0]);
        assert_eq!(o.missing_acquirer, vec![1]);
        assert_eq!(o.missing_local, vec![0]);
        assert_eq!(o.suggestions, vec![(0, 1)]);
    }

    #[test]
    fn a_transaction_matched_by_another_run_is_a_duplicate() {
        let l = vec![local(1, "000000000001", "000001", 10000)];
        let mut p = params();
        p.matched_elsewhere.insert(1);
        let o = match_rows(&[file_of(&l[0])], &l, &p);
        assert!(o.pairs.is_empty());
        assert_eq!(o.duplicates, vec![0]);
        assert!(o.missing_acquirer.is_empty());
    }

    #[test]
    fn masked_cards_compare_by_what_both_show() {
        assert!(cards_agree("622848******1234", "6228****1234"));
        assert!(!cards_agree("622848******1234", "622848******4321"));
        assert!(!cards_agree("622848******1234", "621700******1234"));
    }
}
