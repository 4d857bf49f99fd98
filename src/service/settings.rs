//! Merchant settings (SY5): refund mode and daily refund quota per merchant, the password policy
//! and the idle lock. Shown and changed by administrators only.

use crate::domain::audit::Fields;
use crate::domain::function::Function;
use crate::store::merchants::{self, MerchantRow};

use super::auth::{idle_lock_minutes, policy};
use super::error::{invalid, Problem};
use super::kernel::{Needs, Who};
use super::{Env, ServiceError, ServiceResult, Session};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub merchants: Vec<MerchantRow>,
    pub password_min_len: usize,
    pub password_max_len: usize,
    pub idle_lock_minutes: i64,
}

pub fn get(env: &Env, session: &Session) -> ServiceResult<Settings> {
    let p = policy(env);
    let idle = idle_lock_minutes(env);
    env.query(
        Who::Operator(session),
        Needs::function(&Function::MerchantSettings),
        "settings.get",
        |uc| {
            Ok(Settings {
                merchants: merchants::all(&uc.db())?,
                password_min_len: p.min_len,
                password_max_len: p.max_len,
                idle_lock_minutes: idle,
            })
        },
    )
}

pub fn set_refund(
    env: &mut Env,
    session: &Session,
    merchant_id: i64,
    review_mode: bool,
    quota_fen: i64,
) -> ServiceResult<()> {
    const ACTION: &str = "merchant.refund_settings";
    env.act(
        Who::Operator(session),
        Needs::function(&Function::MerchantSettings),
        ACTION,
        |uc| {
            if quota_fen < 0 {
                return invalid("quota", Problem::BadAmount);
            }
            let db = uc.db();
            let before = merchants::all(&db)?
                .into_iter()
                .find(|m| m.id == merchant_id)
                .ok_or(ServiceError::NotFound)?;
            let mode = if review_mode { "review" } else { "direct" };
            merchants::set_refund_settings(&db, merchant_id, mode, quota_fen)?;
            uc.audit_change(
                ACTION,
                &before.merchant_no,
                &Fields::new()
                    .text("mode", &before.refund_mode)
                    .int("quota_fen", before.daily_refund_quota_fen),
                &Fields::new().text("mode", mode).int("quota_fen", quota_fen),
            )
        },
    )
}

/// Password length bounds and idle lock minutes (0 turns the idle lock off).
pub fn set_policy(
    env: &mut Env,
    session: &Session,
    min_len: i64,
    max_len: i64,
    idle_minutes: i64,
) -> ServiceResult<()> {
    if !(6..=32).contains(&min_len) {
        return invalid("min_len", Problem::Range(6, 32));
    }
    if !(min_len..=64).contains(&max_len) {
        return invalid("max_len", Problem::Range(min_len, 64));
    }
    if !(0..=240).contains(&idle_minutes) {
        return invalid("idle", Problem::Range(0, 240));
    }
    let before = policy(env);
    let before_idle = idle_lock_minutes(env);
    env.act(
        Who::Operator(session),
        Needs::function(&Function::MerchantSettings),
        "settings.policy",
        |uc| {
            let db = uc.db();
            merchants::set_setting(&db, "password_min_len", &min_len.to_string())?;
            merchants::set_setting(&db, "password_max_len", &max_len.to_string())?;
            merchants::set_setting(&db, "idle_lock_minutes", &idle_minutes.to_string())?;
            uc.audit(
                "settings.policy",
                "",
                &format!(
                    "password={}..{} idle={before_idle}",
                    before.min_len, before.max_len
                ),
                &format!("password={min_len}..{max_len} idle={idle_minutes}"),
            )
        },
    )
}

/// `set_refund` from what was typed: the quota in yuan (empty or 0: no limit).
pub fn set_refund_typed(
    env: &mut Env,
    session: &Session,
    merchant_id: i64,
    review_mode: bool,
    quota_yuan: &str,
) -> ServiceResult<()> {
    let q = quota_yuan.trim();
    let fen = if q.is_empty() || q == "0" {
        0
    } else {
        crate::domain::money::parse_amount(q).or_else(|_| invalid("quota", Problem::BadAmount))?
    };
    set_refund(env, session, merchant_id, review_mode, fen)
}

/// `set_policy` from what was typed.
pub fn set_policy_typed(
    env: &mut Env,
    session: &Session,
    min_len: &str,
    max_len: &str,
    idle_minutes: &str,
) -> ServiceResult<()> {
    let num = |field: &'static str, s: &str, lo: i64, hi: i64| -> ServiceResult<i64> {
        s.trim()
            .parse::<i64>()
            .or_else(|_| invalid(field, Problem::Range(lo, hi)))
    };
    let min = num("min_len", min_len, 6, 32)?;
    let max = num("max_len", max_len, min, 64)?;
    let idle = num("idle", idle_minutes, 0, 240)?;
    set_policy(env, session, min, max, idle)
}
