//! A period of whole days in Beijing time, `from` to `to` inclusive, as reports and figures take
//! it from a query: `YYYY-MM-DD`, a missing end meaning today and a missing start the beginning
//! of this month or year.
//!
//! Also the one rule for every date and time a person or a program gives us ([`DATE_YEARS`]).

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};

use super::clock::shanghai_date;
use super::error::AppError;

/// The years a date or time in a request may name, 2000-01-01 to 2100-12-31. Anything else is a
/// typo or a probe: a far-off year overflows date arithmetic (a period's end plus one day), and a
/// five-digit year (`+10000-01-01`) would sort before 2026 where times are compared as text.
pub const DATE_YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// Refuses a date outside [`DATE_YEARS`]; `what` names the date in Chinese (e.g. 截止日期).
pub fn check_date(date: NaiveDate, what: &str) -> Result<NaiveDate, String> {
    if DATE_YEARS.contains(&date.year()) {
        Ok(date)
    } else {
        Err(out_of_range(what))
    }
}

/// Refuses a time outside [`DATE_YEARS`] (read in Beijing time, as people give it).
pub fn check_time(time: DateTime<Utc>, what: &str) -> Result<DateTime<Utc>, String> {
    check_date(shanghai_date(time), what).map(|_| time)
}

/// Reads a `YYYY-MM-DD` day within [`DATE_YEARS`].
pub fn parse_day(text: &str, what: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{what}格式应为 YYYY-MM-DD"))
        .and_then(|date| check_date(date, what))
}

fn out_of_range(what: &str) -> String {
    format!(
        "{what}应在{}年至{}年之间",
        DATE_YEARS.start(),
        DATE_YEARS.end()
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// Where a period starts when the query does not say.
#[derive(Debug, Clone, Copy)]
pub enum Since {
    MonthStart,
    YearStart,
}

impl Period {
    /// Parses `from`/`to`; every problem is a field error in Chinese.
    pub fn parse(
        from: Option<&str>,
        to: Option<&str>,
        now: DateTime<Utc>,
        since: Since,
    ) -> Result<Period, AppError> {
        let today = shanghai_date(now);
        let parse =
            |field: &str, value: Option<&str>, default: NaiveDate| match value.map(str::trim) {
                None | Some("") => Ok(default),
                Some(v) => parse_day(v, "日期").map_err(|e| AppError::validation(field, e)),
            };
        let start = match since {
            Since::MonthStart => today.with_day0(0).expect("day one exists"),
            Since::YearStart => {
                NaiveDate::from_ymd_opt(today.year(), 1, 1).expect("1 January exists")
            }
        };
        let period = Period {
            from: parse("from", from, start)?,
            to: parse("to", to, today)?,
        };
        if period.to < period.from {
            return Err(AppError::validation("to", "结束日期不能早于开始日期"));
        }
        if (period.to - period.from).num_days() > 3660 {
            return Err(AppError::validation("from", "统计区间不能超过十年"));
        }
        Ok(period)
    }

    /// `[start, end)` in UTC.
    pub fn bounds(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        let start = |d: NaiveDate| {
            Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight")) - Duration::hours(8)
        };
        (start(self.from), start(self.to + Duration::days(1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times_stay_within_the_two_centuries() {
        assert!(parse_day("2000-01-01", "截止日期").is_ok());
        assert!(parse_day("2100-12-31", "截止日期").is_ok());
        assert_eq!(
            parse_day("2101-01-01", "截止日期"),
            Err("截止日期应在2000年至2100年之间".to_owned())
        );
        assert!(parse_day("1999-12-31", "截止日期").is_err());
        assert!(parse_day("+262142-12-31", "日期").is_err());
        assert!(parse_day("+10000-01-01", "日期").is_err());
        // 2100-12-31 23:00 in Beijing is still 2100; 2100-12-31 17:00 UTC is already 2101 there.
        let late = Utc.with_ymd_and_hms(2100, 12, 31, 15, 0, 0).unwrap();
        assert!(check_time(late, "开始时间").is_ok());
        let later = Utc.with_ymd_and_hms(2100, 12, 31, 17, 0, 0).unwrap();
        assert!(check_time(later, "开始时间").is_err());
    }

    #[test]
    fn defaults_and_refusals() {
        let now = Utc.with_ymd_and_hms(2026, 11, 29, 3, 0, 0).unwrap();
        let year = Period::parse(None, None, now, Since::YearStart).unwrap();
        assert_eq!(year.from.to_string(), "2026-01-01");
        assert_eq!(year.to.to_string(), "2026-11-29");
        let month = Period::parse(None, Some(""), now, Since::MonthStart).unwrap();
        assert_eq!(month.from.to_string(), "2026-11-01");
        assert!(
            Period::parse(
                Some("2026-12-01"),
                Some("2026-11-01"),
                now,
                Since::YearStart
            )
            .is_err()
        );
        assert!(Period::parse(Some("+262142-12-31"), None, now, Since::YearStart).is_err());
        assert!(Period::parse(Some("1999-12-31"), None, now, Since::YearStart).is_err());
        assert!(Period::parse(None, Some("+10000-01-01"), now, Since::YearStart).is_err());
        // A Beijing day begins at 16:00 UTC the day before.
        let (start, end) = Period::parse(
            Some("2026-04-01"),
            Some("2026-04-01"),
            now,
            Since::YearStart,
        )
        .unwrap()
        .bounds();
        assert_eq!(start, Utc.with_ymd_and_hms(2026, 3, 31, 16, 0, 0).unwrap());
        assert_eq!(end, Utc.with_ymd_and_hms(2026, 4, 1, 16, 0, 0).unwrap());
    }
}
