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
/// This is the one money parser of every input (forms, .xlsx, .csv).
///
/// Grouping commas (`,` or the full-width `，`) are accepted only as thousands separators in the
/// whole part: one to three digits, then groups of exactly three (`1,234,567.89`). Any other comma
/// (`12,34`, the European decimal comma, `1,2345`, `,5`, `1.234,5`) is not a number: taking it
/// out would store an amount 100 times too large.
pub fn parse_amount(s: &str) -> Result<i64, AmountError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(AmountError::Empty);
    }
    let plain = ungroup(t).ok_or(AmountError::NotANumber)?;
    if !plain
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
    {
        return Err(AmountError::NotANumber);
    }
    let d: Decimal = plain.parse().map_err(|_| AmountError::NotANumber)?;
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

/// The amount with its thousands separators taken out; `None` when a comma stands anywhere but
/// between groups of three digits of the whole part. Text without commas is returned as is.
fn ungroup(t: &str) -> Option<String> {
    if !t.contains([',', '，']) {
        return Some(t.to_string());
    }
    let body = t.strip_prefix('-').unwrap_or(t);
    let (whole, frac) = match body.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (body, None),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if frac.is_some_and(|f| !digits(f)) {
        return None;
    }
    let mut groups = whole.split([',', '，']);
    let first = groups.next()?;
    if first.is_empty() || first.len() > 3 || !digits(first) || first.starts_with('0') {
        return None;
    }
    if !groups.all(|g| g.len() == 3 && digits(g)) {
        return None;
    }
    Some(t.replace([',', '，'], ""))
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
    fn grouping_commas_only_in_groups_of_three() {
        // Hard edges 2: a European decimal comma is not a grouping comma.
        assert_eq!(parse_amount("12,34"), Err(AmountError::NotANumber));
        assert_eq!(parse_amount("1,2345"), Err(AmountError::NotANumber));
        assert_eq!(parse_amount("1234,5"), Err(AmountError::NotANumber));
        assert_eq!(parse_amount("1.234,50"), Err(AmountError::NotANumber));
        assert_eq!(parse_amount("1,234,5"), Err(AmountError::NotANumber));
        assert_eq!(parse_amount("1,23,456"), Err(AmountError::NotANumber));
        assert_eq!(parse_amount(",123"), Err(AmountError::NotANumber));
        assert_eq!(parse_amount("123,"), Err(AmountError::NotANumber));
        assert_eq!(parse_amount("1,,234"), Err(AmountError::NotANumber));
        assert_eq!(parse_amount("1234,567"), Err(AmountError::NotANumber));
        assert_eq!(parse_amount("0,123"), Err(AmountError::NotANumber));
        assert_eq!(parse_amount("1.5,0"), Err(AmountError::NotANumber));
        assert_eq!(parse_amount("12.34,"), Err(AmountError::NotANumber));
        assert_eq!(parse_amount("1 234"), Err(AmountError::NotANumber));
        assert_eq!(parse_amount("+5"), Err(AmountError::NotANumber));
        assert_eq!(parse_amount("5-"), Err(AmountError::NotANumber));
        assert_eq!(parse_amount("1e3"), Err(AmountError::NotANumber));
        assert_eq!(parse_amount("1,234"), Ok(123400));
        assert_eq!(parse_amount("1,234.50"), Ok(123450));
        assert_eq!(parse_amount("1，234.50"), Ok(123450));
        assert_eq!(parse_amount("12,345,678.9"), Ok(1234567890));
        assert_eq!(parse_amount(" 999,999.99 "), Ok(99999999));
        assert_eq!(
            parse_amount("12,345.678"),
            Err(AmountError::TooManyDecimals)
        );
        assert_eq!(parse_amount("-1,234"), Err(AmountError::NotPositive));
        assert_eq!(parse_amount("12.34"), Ok(1234));
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
