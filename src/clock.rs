//! The clock the application is given. The real terminal uses the system clock; scripted runs use
//! a virtual clock that `Sleep` and `Now` move, so idle locks and live refreshes are reproducible.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use jiff::civil::{Date, DateTime};
use jiff::tz::{Offset, TimeZone};
use jiff::Timestamp;

/// Business time is China Standard Time: UTC+8 all year (no daylight saving since 1991), so a
/// fixed offset is exact and needs no time-zone database on the machine.
pub fn business_tz() -> TimeZone {
    TimeZone::fixed(Offset::constant(8))
}

pub trait Clock: Send + Sync {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> i64;
}

#[derive(Debug, Default, Clone)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        Timestamp::now().as_millisecond()
    }
}

/// A clock that only moves when told to. Cloning shares the same time.
#[derive(Debug, Clone)]
pub struct VirtualClock(Arc<AtomicI64>);

impl VirtualClock {
    pub fn new(ms: i64) -> Self {
        VirtualClock(Arc::new(AtomicI64::new(ms)))
    }
    pub fn set_ms(&self, ms: i64) {
        self.0.store(ms, Ordering::SeqCst)
    }
    pub fn advance_ms(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for VirtualClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

pub type SharedClock = Arc<dyn Clock>;

/// The business date (Asia/Shanghai) of a moment, as the integer `YYYYMMDD` the store keeps.
pub fn date_of_ms(ms: i64) -> Date {
    let ts = Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH);
    ts.to_zoned(business_tz()).date()
}

pub fn ymd(date: Date) -> i32 {
    date.year() as i32 * 10000 + date.month() as i32 * 100 + date.day() as i32
}

pub fn date_from_ymd(v: i32) -> Option<Date> {
    Date::new((v / 10000) as i16, ((v / 100) % 100) as i8, (v % 100) as i8).ok()
}

/// Start of a business day in Unix milliseconds.
pub fn day_start_ms(date: Date) -> i64 {
    date.to_zoned(business_tz())
        .map(|z| z.timestamp().as_millisecond())
        .unwrap_or(0)
}

pub fn datetime_of_ms(ms: i64) -> DateTime {
    let ts = Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH);
    ts.to_zoned(business_tz()).datetime()
}

/// `2026-11-23 10:00:05`
pub fn format_ms(ms: i64) -> String {
    datetime_of_ms(ms).strftime("%Y-%m-%d %H:%M:%S").to_string()
}

pub fn format_ymd(v: i32) -> String {
    format!("{:04}-{:02}-{:02}", v / 10000, (v / 100) % 100, v % 100)
}

/// Parses `2026-11-23`, `20261123` or `2026-11-23 10:00[:ss]` in business time.
pub fn parse_datetime_ms(s: &str) -> Option<i64> {
    let s = s.trim();
    let dt: DateTime = if let Ok(d) = parse_date(s) {
        d.to_datetime(jiff::civil::Time::midnight())
    } else if let Ok(dt) = s.parse::<DateTime>() {
        dt
    } else {
        return None;
    };
    dt.to_zoned(business_tz())
        .ok()
        .map(|z| z.timestamp().as_millisecond())
}

/// A text that is not a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotADate;

/// A date typed by a person: `2026-11-23`, `2026/11/23` or `20261123`.
pub fn parse_date(s: &str) -> Result<Date, NotADate> {
    let s = s.trim();
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        let v: i32 = s.parse().map_err(|_| NotADate)?;
        return date_from_ymd(v).ok_or(NotADate);
    }
    let norm = s.replace('/', "-");
    let parts: Vec<&str> = norm.split('-').collect();
    if parts.len() != 3 {
        return Err(NotADate);
    }
    let y: i16 = parts[0].parse().map_err(|_| NotADate)?;
    let m: i8 = parts[1].parse().map_err(|_| NotADate)?;
    let d: i8 = parts[2].parse().map_err(|_| NotADate)?;
    if !(1970..=9999).contains(&y) {
        return Err(NotADate);
    }
    Date::new(y, m, d).map_err(|_| NotADate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn business_dates_are_utc_plus_8() {
        // 2026-11-22 16:30 UTC is already 2026-11-23 00:30 in Shanghai.
        let ms = parse_datetime_ms("2026-11-23 00:30").unwrap();
        assert_eq!(ymd(date_of_ms(ms)), 20261123);
        assert_eq!(ymd(date_of_ms(ms - 3_600_000)), 20261122);
        assert_eq!(format_ms(ms), "2026-11-23 00:30:00");
    }

    #[test]
    fn typed_dates() {
        assert_eq!(ymd(parse_date("2026/1/5").unwrap()), 20260105);
        assert_eq!(ymd(parse_date("20261123").unwrap()), 20261123);
        assert!(parse_date("2026-02-30").is_err());
        assert!(parse_date("yesterday").is_err());
    }
}
