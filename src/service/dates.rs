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
}
