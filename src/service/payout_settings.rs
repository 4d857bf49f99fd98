//! 付款设置 (money-out settings of a store, SY5 for money out, spec/money-out.md §1.2, §1.3, §1.7):
//! `allow_self_approval` (off by default, shown with K's warning 「不建议」), the payout fees per
//! kind (data, default zero) and the withdrawal limits (single and daily; none by default).
//! Administrators only; every change through the kernel, audited with before and after.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use crate::domain::audit::Fields;
use crate::domain::function::Function;
use crate::domain::money::{format_fen, parse_amount, AmountError};
use crate::domain::review::{PayoutFee, PayoutFeeKind};
use crate::store::{merchants, payout_limits, review as rq};

use super::error::{invalid, Problem};
use super::kernel::{Needs, Uc, Who};
use super::{Env, ServiceError, ServiceResult, Session};

/// A store's money-out settings as the screen shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutSettings {
    pub merchant_id: i64,
    pub allow_self_approval: bool,
    /// Every kind, in `PayoutFeeKind::ALL` order; a kind without a row costs nothing.
    pub fees: Vec<(PayoutFeeKind, PayoutFee)>,
    pub withdraw_single_fen: Option<i64>,
    pub withdraw_daily_fen: Option<i64>,
    /// The merchant's agreement to fast refunds (快速退货, F1): off, no fast refund of the store.
    pub fast_refund_enabled: bool,
}

/// A fee as typed: the rate in percent (at most four decimals: `0.05` is 500 ppm), and the
/// fixed part, the minimum and the cap in yuan (blank: none; the fixed part blank is zero).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeeInput {
    pub rate_percent: String,
    pub fixed: String,
    pub min: String,
    pub cap: String,
}

fn store(uc: &Uc, merchant_id: i64) -> ServiceResult<merchants::MerchantRow> {
    let m = merchants::all(&uc.db())?
        .into_iter()
        .find(|m| m.id == merchant_id)
        .ok_or(ServiceError::NotFound)?;
    if let Some(gs) = uc.scope() {
        if !rq::merchant_in_groups(&uc.db(), m.id, gs)? {
            return Err(ServiceError::OutOfScope);
        }
    }
    Ok(m)
}

fn read(uc: &Uc, merchant_id: i64) -> ServiceResult<PayoutSettings> {
    let db = uc.db();
    let mut fees = Vec::new();
    for k in PayoutFeeKind::ALL {
        fees.push((*k, rq::payout_fee(&db, merchant_id, *k)?));
    }
    let (single, daily) = payout_limits::withdraw_limits(&db, merchant_id)?;
    Ok(PayoutSettings {
        merchant_id,
        allow_self_approval: rq::allow_self_approval(&db, merchant_id)?,
        fees,
        withdraw_single_fen: single,
        withdraw_daily_fen: daily,
        fast_refund_enabled: crate::store::fast_refunds::enabled(&db, merchant_id)?,
    })
}

pub fn get(env: &Env, session: &Session, merchant_id: i64) -> ServiceResult<PayoutSettings> {
    env.query(
        Who::Operator(session),
        Needs::function(&Function::MerchantSettings),
        "merchant.payout_settings",
        |uc| {
            store(uc, merchant_id)?;
            read(uc, merchant_id)
        },
    )
}

/// Yuan to fen where zero is allowed (a fee may be nothing); blank is `None`.
fn fen_or_zero(field: &'static str, s: &str) -> ServiceResult<Option<i64>> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if t.parse::<Decimal>().is_ok_and(|d| d.is_zero()) {
        return Ok(Some(0));
    }
    parse_amount(t)
        .map(Some)
        .map_err(|e| ServiceError::Invalid {
            field,
            problem: match e {
                AmountError::Empty => Problem::Required,
                _ => Problem::BadAmount,
            },
        })
}

/// A rate in percent to parts per million: 0 to 100, at most four decimals.
fn rate_ppm(s: &str) -> ServiceResult<i64> {
    let t = s.trim().trim_end_matches('%');
    if t.is_empty() {
        return Ok(0);
    }
    let d: Decimal = t.parse().map_err(|_| ServiceError::Invalid {
        field: "rate",
        problem: Problem::BadRate,
    })?;
    if d.normalize().scale() > 4 || d < Decimal::ZERO || d > Decimal::ONE_HUNDRED {
        return invalid("rate", Problem::BadRate);
    }
    Ok((d * Decimal::from(10_000)).to_i64().unwrap_or(0))
}

fn fee_fields(f: &PayoutFee) -> Fields {
    let opt = |v: Option<i64>| v.map(format_fen).unwrap_or_else(|| "-".into());
    Fields::new()
        .int("rate_ppm", f.rate_ppm)
        .text("fixed", &format_fen(f.fixed_fen))
        .text("min", &opt(f.min_fen))
        .text("cap", &opt(f.cap_fen))
}

/// Sets one payout fee of a store, every part checked (a minimum above the cap is refused).
pub fn set_fee(
    env: &mut Env,
    session: &Session,
    merchant_id: i64,
    kind: PayoutFeeKind,
    input: &FeeInput,
) -> ServiceResult<PayoutFee> {
    let fee = PayoutFee {
        rate_ppm: rate_ppm(&input.rate_percent)?,
        fixed_fen: fen_or_zero("fixed", &input.fixed)?.unwrap_or(0),
        min_fen: fen_or_zero("min", &input.min)?,
        cap_fen: fen_or_zero("cap", &input.cap)?,
    };
    if let (Some(min), Some(cap)) = (fee.min_fen, fee.cap_fen) {
        if min > cap {
            return invalid("min", Problem::AboveCap);
        }
    }
    env.act(
        Who::Operator(session),
        Needs::function(&Function::MerchantSettings),
        "merchant.payout_fee",
        |uc| {
            let m = store(uc, merchant_id)?;
            let before = rq::payout_fee(&uc.db(), m.id, kind)?;
            rq::set_payout_fee(&uc.db(), m.id, kind, &fee)?;
            uc.audit_change(
                "merchant.payout_fee",
                &format!("{} {}", m.merchant_no, kind.code()),
                &fee_fields(&before),
                &fee_fields(&fee),
            )?;
            Ok(fee)
        },
    )
}

/// Sets a store's withdrawal limits in yuan; blank is no limit.
pub fn set_withdraw_limits(
    env: &mut Env,
    session: &Session,
    merchant_id: i64,
    single: &str,
    daily: &str,
) -> ServiceResult<(Option<i64>, Option<i64>)> {
    let positive = |field: &'static str, s: &str| -> ServiceResult<Option<i64>> {
        if s.trim().is_empty() {
            return Ok(None);
        }
        parse_amount(s)
            .map(Some)
            .map_err(|_| ServiceError::Invalid {
                field,
                problem: Problem::BadAmount,
            })
    };
    let single = positive("single", single)?;
    let daily = positive("daily", daily)?;
    if let (Some(s), Some(d)) = (single, daily) {
        if s > d {
            return invalid("single", Problem::AboveDailyLimit);
        }
    }
    env.act(
        Who::Operator(session),
        Needs::function(&Function::MerchantSettings),
        "merchant.withdraw_limits",
        |uc| {
            let m = store(uc, merchant_id)?;
            let (b_single, b_daily) = payout_limits::withdraw_limits(&uc.db(), m.id)?;
            payout_limits::set_withdraw_limits(&uc.db(), m.id, single, daily)?;
            let f = |s: Option<i64>, d: Option<i64>| {
                let opt = |v: Option<i64>| v.map(format_fen).unwrap_or_else(|| "-".into());
                Fields::new().text("single", &opt(s)).text("daily", &opt(d))
            };
            uc.audit_change(
                "merchant.withdraw_limits",
                &m.merchant_no,
                &f(b_single, b_daily),
                &f(single, daily),
            )?;
            Ok((single, daily))
        },
    )
}

/// Refuses a withdrawal of `amount_fen` above the store's single limit, or above what its daily
/// limit leaves of the business day (withdrawals pending, processing or paid count).
pub(crate) fn check_withdraw_limits(
    uc: &Uc,
    merchant_id: i64,
    amount_fen: i64,
) -> ServiceResult<()> {
    let db = uc.db();
    let (single, daily) = payout_limits::withdraw_limits(&db, merchant_id)?;
    if let Some(limit) = single {
        if amount_fen > limit {
            return Err(ServiceError::Refused(
                super::error::Rule::WithdrawSingleLimit(limit),
            ));
        }
    }
    if let Some(limit) = daily {
        let day = crate::clock::date_of_ms(uc.now_ms);
        let from = crate::clock::day_start_ms(day);
        let to = from + 86_400_000;
        let used = payout_limits::withdrawn_between(&db, merchant_id, from, to)?;
        if used + amount_fen > limit {
            return Err(ServiceError::Refused(
                super::error::Rule::WithdrawDailyLimit(limit, (limit - used).max(0)),
            ));
        }
    }
    Ok(())
}
