//! Money is exact: `Decimal` with two places in code, INTEGER fen (cents) in SQLite.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

/// Fen (1/100 yuan) to a two-place decimal.
pub fn from_fen(fen: i64) -> Decimal {
    Decimal::new(fen, 2)
}

/// A decimal with at most two places to fen; `None` when it has more places or is out of range.
pub fn to_fen(d: Decimal) -> Option<i64> {
    let normal = d.normalize();
    if normal.scale() > 2 {
        return None;
    }
    (normal * Decimal::ONE_HUNDRED).to_i64()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmountError {
    Empty,
    NotANumber,
    TooManyDecimals,
    NotPositive,
    TooLarge,
}

/// Parses an amount typed by a person (`12`, `12.5`, `1,234.56`) to fen; it must be above zero.
pub fn parse_amount(s: &str) -> Result<i64, AmountError> {
    let t = s.trim().replace([',', '，'], "");
    if t.is_empty() {
        return Err(AmountError::Empty);
    }
    if !t
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
    {
        return Err(AmountError::NotANumber);
    }
    let d: Decimal = t.parse().map_err(|_| AmountError::NotANumber)?;
    if d.normalize().scale() > 2 {
        return Err(AmountError::TooManyDecimals);
    }
    if d <= Decimal::ZERO {
        return Err(AmountError::NotPositive);
    }
    let fen = to_fen(d).ok_or(AmountError::TooLarge)?;
    if fen > 100_000_000_000 {
        return Err(AmountError::TooLarge);
    }
    Ok(fen)
}

/// `1,234.56`; negative amounts keep their sign.
pub fn format_fen(fen: i64) -> String {
    let neg = fen < 0;
    let abs = fen.unsigned_abs();
    let yuan = abs / 100;
    let cents = abs % 100;
    let digits = yuan.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{}{}.{:02}", if neg { "-" } else { "" }, grouped, cents)
}

/// A merchant discount fee: `amount × rate` (rate in parts per million), rounded half up to the
/// fen, then capped where the card class has a cap (debit cards).
pub fn fee_fen(amount_fen: i64, rate_ppm: i64, cap_fen: Option<i64>) -> i64 {
    let fee = (Decimal::from(amount_fen) * Decimal::from(rate_ppm) / Decimal::from(1_000_000))
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
        .unwrap_or(0);
    match cap_fen {
        Some(cap) => fee.min(cap),
        None => fee,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_exact_amounts() {
        assert_eq!(parse_amount("12"), Ok(1200));
        assert_eq!(parse_amount("0.1"), Ok(10));
        assert_eq!(parse_amount("1,234.56"), Ok(123456));
        assert_eq!(parse_amount("12.340"), Ok(1234));
        assert_eq!(parse_amount("1.005"), Err(AmountError::TooManyDecimals));
        assert_eq!(parse_amount("0"), Err(AmountError::NotPositive));
        assert_eq!(parse_amount("-3"), Err(AmountError::NotPositive));
        assert_eq!(parse_amount("abc"), Err(AmountError::NotANumber));
        assert_eq!(parse_amount(" "), Err(AmountError::Empty));
    }

    #[test]
    fn formats_with_groups() {
        assert_eq!(format_fen(0), "0.00");
        assert_eq!(format_fen(5), "0.05");
        assert_eq!(format_fen(123456789), "1,234,567.89");
        assert_eq!(format_fen(-100000), "-1,000.00");
        assert_eq!(from_fen(123456).to_string(), "1234.56");
    }

    #[test]
    fn fees_round_half_up_and_cap() {
        // 0.5% of 100.01 yuan = 50.005 fen -> 50.01? no: 10001 fen * 0.005 = 50.005 fen -> 50
        assert_eq!(fee_fen(10001, 5000, None), 50);
        assert_eq!(fee_fen(10100, 5000, None), 51); // 50.5 -> 51
        assert_eq!(fee_fen(1_000_000, 5000, Some(2000)), 2000); // capped at 20 yuan
        assert_eq!(fee_fen(10000, 25000, None), 250);
    }
}
