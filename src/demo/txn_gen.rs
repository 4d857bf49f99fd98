//! Realistic transactions for the demo terminals: the mix of types, statuses, card organisations
//! and amounts a department store sees. Used for the demo days and by the live feed.

use crate::domain::txn::{TxnStatus, TxnType};
use crate::store::Db;
use crate::store::SqlResult;

use crate::clock::{date_of_ms, day_start_ms, ymd};
use crate::domain::money::fee_fen;
use crate::domain::txn::{fee_class, CardType};
use crate::store::merchants;
use crate::store::reference::{self, CardBin};
use crate::store::transactions::{self, NewTxn, TxnInserter};

use super::rng::Rng;

struct Terminal {
    id: i64,
    merchant_id: i64,
}

/// A recent captured sale that a void or a refund can point at, with its card (a void or a
/// refund is made with the sale's card).
#[derive(Clone)]
struct RecentSale {
    id: i64,
    terminal: usize,
    amount_fen: i64,
    refunded_fen: i64,
    /// Index into `bins`.
    bin: usize,
    card_masked: String,
}

/// The card organisations a card is drawn from, in the order `card` names them.
const ORGS: [&str; 5] = ["CUP", "VISA", "MC", "JCB", "AMEX"];

/// `v` as `N` decimal digits (the lowest `N`, zero-padded), without allocating.
fn digits<const N: usize>(buf: &mut [u8; N], mut v: u64) -> &str {
    for b in buf.iter_mut().rev() {
        *b = b'0' + (v % 10) as u8;
        v /= 10;
    }
    std::str::from_utf8(buf).expect("ascii digits")
}

pub struct TxnGenerator {
    rng: Rng,
    terminals: Vec<Terminal>,
    rates: Vec<merchants::FeeRate>,
    bins: Vec<CardBin>,
    /// For each of `ORGS`, the indexes of its bins.
    bins_by_org: [Vec<usize>; 5],
    /// Next RRN sequence number; RRNs are a bijection of it, so they never repeat. Taken from
    /// the database's counter inside each writing transaction (as many as it writes).
    rrn_seq: u64,
    /// (terminal index -> (batch day, last voucher number)); a batch's counter is read from the
    /// database the first time a transaction writes into it.
    vouchers: Vec<(i64, u32)>,
    recent: Vec<RecentSale>,
    /// The masked card number of the row being written (its buffer kept between rows).
    masked: String,
}

const MS_PER_DAY: i64 = 86_400_000;

impl TxnGenerator {
    pub fn load(conn: &Db, seed: u64) -> SqlResult<TxnGenerator> {
        let terminals: Vec<Terminal> = merchants::terminals(conn)?
            .into_iter()
            .filter(|t| t.status == crate::domain::txn::TerminalStatus::Active)
            .map(|t| Terminal {
                id: t.id,
                merchant_id: t.merchant_id,
            })
            .collect();
        let n = terminals.len();
        let existing = transactions::count(conn)? as u64;
        let bins = reference::card_bins(conn)?;
        let bins_by_org = ORGS.map(|org| {
            (0..bins.len())
                .filter(|&i| bins[i].card_org == org)
                .collect::<Vec<usize>>()
        });
        Ok(TxnGenerator {
            rng: Rng::new(seed.wrapping_add(existing)),
            terminals,
            rates: merchants::fee_rates(conn)?,
            bins,
            bins_by_org,
            rrn_seq: 0,
            vouchers: vec![(i64::MIN, 0); n],
            recent: Vec::new(),
            masked: String::new(),
        })
    }

    pub fn has_terminals(&self) -> bool {
        !self.terminals.is_empty()
    }

    /// Writes `per_day` transactions spread over a business day (fewer at night), only those
    /// before `until_ms`. Returns how many were written.
    pub fn fill_day(
        &mut self,
        conn: &Db,
        day: jiff::civil::Date,
        per_day: u32,
        until_ms: i64,
    ) -> SqlResult<u64> {
        if self.terminals.is_empty() {
            return Ok(0);
        }
        let start = day_start_ms(day);
        let mut times: Vec<i64> = (0..per_day).map(|_| start + self.time_of_day()).collect();
        times.sort_unstable();
        times.retain(|&t| t < until_ms);
        self.recent.clear();
        self.begin_transaction(conn, times.len() as u64)?;
        let mut ins = TxnInserter::new(conn)?;
        let mut written = 0;
        for t in times {
            self.write_one(conn, &mut ins, t)?;
            written += 1;
        }
        Ok(written)
    }

    /// One transaction at `at_ms`, as the live feed writes it.
    pub fn write_at(&mut self, conn: &Db, at_ms: i64) -> SqlResult<()> {
        self.begin_transaction(conn, 1)?;
        let mut ins = TxnInserter::new(conn)?;
        self.write_one(conn, &mut ins, at_ms)
    }

    /// At the start of a writing transaction (`conn` holds the write lock): takes `n` reference
    /// numbers from the database's counter and forgets the voucher counters, so another writer's
    /// numbers since are never reused.
    fn begin_transaction(&mut self, conn: &Db, n: u64) -> SqlResult<()> {
        self.rrn_seq = transactions::take_sequence(conn, "rrn", n)?;
        for v in &mut self.vouchers {
            v.0 = i64::MIN;
        }
        Ok(())
    }

    /// Milliseconds into the day: most trade between 10:00 and 22:00.
    fn time_of_day(&mut self) -> i64 {
        let hour_weights: [u64; 24] = [
            1, 1, 0, 0, 0, 0, 1, 2, 4, 8, 12, 14, 16, 13, 12, 12, 13, 14, 16, 17, 16, 12, 7, 3,
        ];
        let total: u64 = hour_weights.iter().sum();
        let mut pick = self.rng.below(total);
        let mut hour = 0;
        for (h, w) in hour_weights.iter().enumerate() {
            if pick < *w {
                hour = h as i64;
                break;
            }
            pick -= w;
        }
        hour * 3_600_000 + self.rng.below(3_600_000) as i64
    }

    fn amount(&mut self) -> i64 {
        // Yuan ranges by how often a store sees them; most tickets are whole yuan.
        let (lo, hi): (i64, i64) = match self.rng.below(100) {
            0..=39 => (10, 100),
            40..=74 => (100, 500),
            75..=92 => (500, 2_000),
            _ => (2_000, 20_000),
        };
        let yuan = lo + self.rng.below((hi - lo) as u64) as i64;
        let cents = if self.rng.chance(600) {
            0
        } else {
            self.rng.below(100) as i64
        };
        yuan * 100 + cents
    }

    /// A card: the index of its bin and the masked number, written into `masked`.
    fn card(&mut self, masked: &mut String) -> usize {
        let org = match self.rng.below(100) {
            0..=79 => 0,
            80..=87 => 1,
            88..=93 => 2,
            94..=97 => 3,
            _ => 4,
        };
        let choices = &self.bins_by_org[org];
        let bin_idx = if choices.is_empty() {
            self.rng.below(self.bins.len() as u64) as usize
        } else {
            *self.rng.pick(choices)
        };
        let bin = &self.bins[bin_idx];
        let len = match ORGS[org] {
            "AMEX" => 15,
            "CUP" if bin.card_type == "debit" && self.rng.chance(500) => 19,
            _ => 16,
        }
        .max(16);
        let mut last4 = [0u8; 4];
        let last4 = digits(&mut last4, self.rng.below(10_000));
        masked.clear();
        masked.push_str(&bin.bin);
        for _ in 0..len - 10 {
            masked.push('*');
        }
        masked.push_str(last4);
        bin_idx
    }

    fn next_rrn(&mut self) -> u64 {
        // In order of the sequence: unique, and the reference number index only ever grows at
        // its end (a scattered order made every insert into a large file a random page write).
        let v = (self.rrn_seq + 260_000_000_000) % 1_000_000_000_000;
        self.rrn_seq += 1;
        v
    }

    fn auth_code(&mut self) -> [u8; 6] {
        const CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
        let mut code = [0u8; 6];
        for c in &mut code {
            *c = CHARS[self.rng.below(CHARS.len() as u64) as usize];
        }
        code
    }

    fn fee(&self, merchant_id: i64, card_org: &str, card_type: &str, amount_fen: i64) -> i64 {
        let ct = CardType::from_code(card_type).unwrap_or(CardType::Debit);
        let class = fee_class(card_org, ct);
        self.rates
            .iter()
            .find(|(m, c, _, _)| *m == merchant_id && c == class)
            .map(|(_, _, ppm, cap)| fee_fen(amount_fen, *ppm, *cap))
            .unwrap_or(0)
    }

    fn write_one(&mut self, conn: &Db, ins: &mut TxnInserter, at_ms: i64) -> SqlResult<()> {
        let trade_date = ymd(date_of_ms(at_ms));
        let roll = self.rng.below(100);
        // Voids and refunds act on a recent sale of this day, on the same terminal.
        let target = if roll < 7 && !self.recent.is_empty() {
            let i = self.rng.below(self.recent.len() as u64) as usize;
            Some(i)
        } else {
            None
        };
        let (kind, terminal_idx) = match (roll, target) {
            (0..=3, Some(i)) => ("void", self.recent[i].terminal),
            (4..=6, Some(i)) => ("refund", self.recent[i].terminal),
            (7..=9, _) => (
                "completion",
                self.rng.below(self.terminals.len() as u64) as usize,
            ),
            _ => ("sale", self.rng.below(self.terminals.len() as u64) as usize),
        };
        let terminal = &self.terminals[terminal_idx];
        let (terminal_id, merchant_id) = (terminal.id, terminal.merchant_id);
        // One batch per terminal per day: the day number since 2000 keeps it at six digits. The
        // voucher number restarts with each batch.
        let batch_day = at_ms.div_euclid(MS_PER_DAY);
        let mut batch_buf = [0u8; 6];
        let batch_no = digits(
            &mut batch_buf,
            (batch_day - 10_957).rem_euclid(1_000_000) as u64,
        );
        let (day, counter) = &mut self.vouchers[terminal_idx];
        if *day != batch_day {
            *day = batch_day;
            *counter = transactions::last_voucher(
                conn,
                terminal_id,
                batch_no,
                batch_day * MS_PER_DAY,
                (batch_day + 1) * MS_PER_DAY,
            )?;
        }
        *counter += 1;
        let mut voucher_buf = [0u8; 6];
        let voucher_no = digits(&mut voucher_buf, *counter as u64);
        let mut rrn_buf = [0u8; 12];
        let rrn = self.next_rrn();
        let rrn = digits(&mut rrn_buf, rrn);
        let failed = self.rng.chance(35);
        let status = if failed {
            TxnStatus::Failed
        } else {
            TxnStatus::Success
        };
        let auth_buf = if failed { None } else { Some(self.auth_code()) };
        let auth_code = auth_buf
            .as_ref()
            .map(|c| std::str::from_utf8(c).expect("ascii"))
            .unwrap_or("");
        let mut masked = std::mem::take(&mut self.masked);
        let (bin_idx, amount_fen, orig) = match (kind, target) {
            ("void" | "refund", Some(i)) => {
                // The sale's card (as written in its row, which a void or refund leaves as is).
                let sale = &self.recent[i];
                masked.clear();
                masked.push_str(&sale.card_masked);
                let left = sale.amount_fen - sale.refunded_fen;
                let (bin_idx, voided) = (sale.bin, kind == "void");
                let amount = if voided || left < 200 || self.rng.chance(500) {
                    left
                } else {
                    1 + self.rng.below(left as u64 - 1) as i64
                };
                (bin_idx, amount, Some(i))
            }
            _ => {
                let bin_idx = self.card(&mut masked);
                let amount = self.amount();
                (bin_idx, amount, None)
            }
        };
        let bin = &self.bins[bin_idx];
        let fee = if !failed && (kind == "sale" || kind == "completion") {
            self.fee(merchant_id, &bin.card_org, &bin.card_type, amount_fen)
        } else {
            0
        };
        let orig_txn_id = orig.map(|i| self.recent[i].id);
        let mut pos_buf = [0u8; 2];
        let pos_operator = digits(&mut pos_buf, 1 + self.rng.below(3));
        let id = ins.insert(&NewTxn {
            rrn,
            voucher_no,
            batch_no,
            merchant_id,
            terminal_id,
            txn_ms: at_ms,
            trade_date,
            txn_type: kind_code(kind),
            status,
            amount_fen,
            fee_fen: fee,
            card_masked: &masked,
            card_org: &bin.card_org,
            card_type: &bin.card_type,
            bank_code: &bin.bank_code,
            auth_code,
            pos_operator,
            order_no: None,
            orig_txn_id,
        });
        self.masked = masked;
        let id = id?;
        if failed {
            return Ok(());
        }
        match (kind, orig) {
            ("void", Some(i)) => {
                let sale = self.recent.swap_remove(i);
                transactions::void_sale(conn, sale.id)?;
            }
            ("refund", Some(i)) => {
                transactions::add_refunded(conn, self.recent[i].id, amount_fen)?;
                self.recent[i].refunded_fen += amount_fen;
                if self.recent[i].refunded_fen >= self.recent[i].amount_fen {
                    self.recent.swap_remove(i);
                }
            }
            _ => {
                if kind == "sale" {
                    if self.recent.len() >= 64 {
                        let drop = self.rng.below(64) as usize;
                        self.recent.swap_remove(drop);
                    }
                    self.recent.push(RecentSale {
                        id,
                        terminal: terminal_idx,
                        amount_fen,
                        refunded_fen: 0,
                        bin: bin_idx,
                        card_masked: self.masked.clone(),
                    });
                }
            }
        }
        Ok(())
    }
}

fn kind_code(kind: &str) -> TxnType {
    match kind {
        "void" => TxnType::Void,
        "refund" => TxnType::Refund,
        "completion" => TxnType::Completion,
        _ => TxnType::Sale,
    }
}
