//! The demo's acquirer files (spec §7.5): for a day, a POS statement (the Allinpay layout of
//! spec §7.1 b) of one store's transactions, with a few deliberate differences of every
//! category, so a new user sees a real run at once: an amount, a fee, a status, a type, a date
//! and a card that differ; a transaction left out (missing at the acquirer) and one the
//! acquirer has under another reference and voucher (missing locally, suggested for a hand
//! match); one the acquirer has that we never had; a row twice; two unreadable rows (three
//! decimals, a reference in scientific notation). Transactions at or after the 23:00 cut-off
//! are left for the next day's file, as an acquirer does.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::domain::money::format_fen;
use crate::domain::recon::LocalRow;
use crate::domain::txn::{TxnStatus, TxnType};
use crate::service::recon::{day_transactions, CUTOFF_SECS};
use crate::service::{Env, ServiceResult};

pub const HEADER: &str = "商户号,门店名称,终端号,交易时间,交易类型,交易批次号,凭证号,参考号,卡号,卡类别,交易金额,手续费,交易日期,订单号,交易状态";

fn type_word(t: TxnType) -> &'static str {
    match t {
        TxnType::Sale => "消费",
        TxnType::Completion => "预授权完成",
        TxnType::Refund => "退货",
        TxnType::Void => "撤销",
    }
}

fn status_word(s: TxnStatus) -> &'static str {
    match s {
        TxnStatus::Success => "成功",
        TxnStatus::Failed => "失败",
        TxnStatus::Voided => "已撤销",
        TxnStatus::Reversed => "已冲正",
    }
}

fn ymd_text(d: i32) -> String {
    format!("{:04}-{:02}-{:02}", d / 10000, d / 100 % 100, d % 100)
}

fn hms(s: u32) -> String {
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// One line of the POS statement.
#[allow(clippy::too_many_arguments)]
pub fn line(
    merchant_no: &str,
    store: &str,
    l: &LocalRow,
    amount: &str,
    fee: &str,
    date: i32,
) -> String {
    format!(
        "{merchant_no},{store},{},{},{},{},{},`{},{},{},{amount},{fee},{},{},{}",
        l.terminal_no,
        hms(l.trade_time),
        type_word(l.txn_type),
        l.batch_no,
        l.voucher_no,
        l.rrn,
        l.card_masked,
        "",
        ymd_text(date),
        l.order_no.as_deref().unwrap_or(""),
        status_word(l.status),
    )
}

/// The statement text: every transaction as it is, or with the deliberate differences.
pub fn statement_text(
    merchant_no: &str,
    store: &str,
    date: i32,
    local: &[LocalRow],
    deliberate: bool,
) -> String {
    let rows: Vec<&LocalRow> = local
        .iter()
        .filter(|l| {
            l.trade_date == date
                && !matches!(l.status, TxnStatus::Failed | TxnStatus::Reversed)
                && l.trade_time < CUTOFF_SECS
        })
        .collect();
    let mut out = String::new();
    let _ = writeln!(out, "{HEADER}");
    let sales: Vec<usize> = (0..rows.len())
        .filter(|&i| rows[i].txn_type == TxnType::Sale && rows[i].status == TxnStatus::Success)
        .collect();
    let pick = |k: usize| sales.get(k).copied();
    let (amount_at, fee_at, status_at, type_at, date_at, left_out, dup_at, card_at) = (
        pick(0),
        pick(1),
        pick(2),
        pick(3),
        pick(4),
        pick(5),
        pick(6),
        pick(7),
    );
    let mut count = 0;
    for (i, l) in rows.iter().enumerate() {
        let mut r = (*l).clone();
        let mut amount = r.amount_fen;
        let mut fee = r.fee_fen;
        let mut day = date;
        if deliberate {
            if Some(i) == left_out {
                // The acquirer has it under another reference and voucher, a minute later.
                r.rrn = format!(
                    "{:0>12}",
                    (r.rrn.parse::<u64>().unwrap_or(0) + 500_000_000_000) % 1_000_000_000_000
                );
                r.voucher_no = "999999".into();
                r.trade_time += 60;
            } else if Some(i) == amount_at {
                amount += 100;
            } else if Some(i) == fee_at {
                fee += 5;
            } else if Some(i) == status_at {
                r.status = TxnStatus::Voided;
            } else if Some(i) == type_at {
                r.txn_type = TxnType::Completion;
            } else if Some(i) == date_at {
                day = crate::domain::recon::add_days(date, -1);
            } else if Some(i) == card_at {
                let keep = r.card_masked.len() - 4;
                r.card_masked = format!("{}0000", &r.card_masked[..keep]);
            }
        }
        let text = line(
            merchant_no,
            store,
            &r,
            &format_fen(amount).replace(',', ""),
            &format_fen(fee).replace(',', ""),
            day,
        );
        let _ = writeln!(out, "{text}");
        count += 1;
        if deliberate && Some(i) == dup_at {
            let _ = writeln!(out, "{text}");
            count += 1;
        }
    }
    if deliberate {
        if let Some(&first) = rows.first() {
            // One the acquirer has and we never had.
            let mut ghost = first.clone();
            ghost.rrn = "990000000001".into();
            ghost.voucher_no = "999001".into();
            ghost.amount_fen = 8888;
            ghost.txn_type = TxnType::Sale;
            ghost.status = TxnStatus::Success;
            let _ = writeln!(
                out,
                "{}",
                line(merchant_no, store, &ghost, "88.88", "0.53", date)
            );
            // Two rows that cannot be read: three decimals, and Excel's scientific notation.
            let mut bad = line(merchant_no, store, &ghost, "12.345", "0.07", date);
            bad = bad.replace("`990000000001", "`990000000002");
            let _ = writeln!(out, "{bad}");
            let sci = line(merchant_no, store, &ghost, "10.00", "0.06", date)
                .replace("`990000000001", "8.1E+11");
            let _ = writeln!(out, "{sci}");
            count += 3;
        }
    }
    // The summary line: the count of detail rows (the amount left blank, as some acquirers do).
    let _ = writeln!(out, "合计,{count},");
    out
}

/// Writes `acquirer-<merchant>-<yyyymmdd>.csv` into `dir` for one store and day.
pub fn write_file(
    env: &Env,
    dir: &Path,
    merchant_id: i64,
    merchant_no: &str,
    store: &str,
    date: i32,
    deliberate: bool,
) -> ServiceResult<PathBuf> {
    let local = day_transactions(env, merchant_id, date)?;
    let text = statement_text(merchant_no, store, date, &local, deliberate);
    let path = dir.join(format!("acquirer-{merchant_no}-{date}.csv"));
    std::fs::write(&path, text).map_err(|e| crate::service::ServiceError::File(e.to_string()))?;
    Ok(path)
}

/// The demo acquirer's file of a day: every store of the group, the first with the deliberate
/// differences, the others as they are. `acquirer-<yyyymmdd>.csv` in `dir`.
pub fn write_day(env: &Env, dir: &Path, date: i32) -> ServiceResult<PathBuf> {
    let stores = crate::service::recon::stores(env)?;
    let mut body = Vec::new();
    for (i, (id, no, name)) in stores.iter().enumerate() {
        let local = day_transactions(env, *id, date)?;
        let text = statement_text(no, name, date, &local, i == 0);
        let lines: Vec<&str> = text.lines().collect();
        body.extend(lines[1..lines.len() - 1].iter().map(|l| l.to_string()));
    }
    let mut out = String::new();
    let _ = writeln!(out, "{HEADER}");
    for l in &body {
        let _ = writeln!(out, "{l}");
    }
    let _ = writeln!(out, "合计,{},", body.len());
    std::fs::create_dir_all(dir).map_err(|e| crate::service::ServiceError::File(e.to_string()))?;
    let path = dir.join(format!("acquirer-{date}.csv"));
    std::fs::write(&path, out).map_err(|e| crate::service::ServiceError::File(e.to_string()))?;
    Ok(path)
}

/// One file per day from `first` up to yesterday.
pub fn write_days(env: &Env, dir: &Path, first: i32, today: i32) -> ServiceResult<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut d = first;
    while d < today {
        out.push(write_day(env, dir, d)?);
        d = crate::domain::recon::add_days(d, 1);
    }
    Ok(out)
}
