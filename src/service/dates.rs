//! Date ranges as operators type them in query forms: either end may be empty, a bad date names
//! its field, and a range that ends before it starts is refused.

use crate::clock::{day_start_ms, parse_date};

use super::error::{invalid, Problem};
use super::ServiceResult;

/// `[from, to]` in business days as a half-open range of unix ms; fields `from_date`, `to_date`.
pub fn day_range(from: &str, to: &str) -> ServiceResult<(Option<i64>, Option<i64>)> {
    let day = |field: &'static str, s: &str| match s.trim() {
        "" => Ok(None),
        s => parse_date(s)
            .map(Some)
            .or_else(|_| invalid(field, Problem::BadDate)),
    };
    let from = day("from_date", from)?;
    let to = day("to_date", to)?;
    if let (Some(a), Some(b)) = (from, to) {
        if b < a {
            return invalid("to_date", Problem::DateOrder);
        }
    }
    Ok((
        from.map(day_start_ms),
        to.map(|d| day_start_ms(d.tomorrow().unwrap_or(d))),
    ))
}

/// `[from, to]` as the store's business-day integers (`YYYYMMDD`), for lists kept by day; the
/// same fields and refusals as [`day_range`].
pub fn ymd_range(from: &str, to: &str) -> ServiceResult<(Option<i32>, Option<i32>)> {
    let (from_ms, to_ms) = day_range(from, to)?;
    Ok((
        from_ms.map(|ms| crate::clock::ymd(crate::clock::date_of_ms(ms))),
        // `to_ms` is the start of the day after: its day before is the last day asked for.
        to_ms.map(|ms| crate::clock::ymd(crate::clock::date_of_ms(ms - 1))),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::ServiceError;

    #[test]
    fn ranges() {
        assert_eq!(day_range("", "").unwrap(), (None, None));
        let (a, b) = day_range("2026-11-22", "2026-11-22").unwrap();
        assert_eq!(b.unwrap() - a.unwrap(), 86_400_000);
        assert_eq!(
            day_range("2026-11-23", "2026-11-22"),
            Err(ServiceError::Invalid {
                field: "to_date",
                problem: Problem::DateOrder
            })
        );
        assert!(matches!(
            day_range("x", ""),
            Err(ServiceError::Invalid {
                field: "from_date",
                ..
            })
        ));
    }

    #[test]
    fn business_day_integers() {
        assert_eq!(
            ymd_range("2026-11-22", "2026-11-30").unwrap(),
            (Some(20261122), Some(20261130))
        );
        assert_eq!(ymd_range("", "2026-12-01").unwrap(), (None, Some(20261201)));
        assert!(ymd_range("2026-12-02", "2026-12-01").is_err());
    }
}
