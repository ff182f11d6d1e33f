//! The periods scores are kept for: a year, its quarters and its months.

use chrono::{Datelike, NaiveDate};

use crate::performance::measures;
use crate::platform::error::AppError;
use crate::platform::period::Period;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    Year,
    Quarter(u32),
    Month(u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScorePeriod {
    pub year: i32,
    pub span: Span,
}

pub const YEARS: std::ops::RangeInclusive<i32> = 2020..=2100;

impl ScorePeriod {
    /// `year`, `q1`…`q4` or `m1`…`m12` (also `m01`); the whole year when absent.
    pub fn parse(year: i32, text: Option<&str>) -> Result<ScorePeriod, AppError> {
        if !YEARS.contains(&year) {
            return Err(AppError::validation("year", "年度应在2020至2100之间"));
        }
        let text = text.map(str::trim).unwrap_or("").to_ascii_lowercase();
        let bad = || AppError::validation("period", "统计期应为 year、q1至q4 或 m1至m12");
        let span = match text.as_str() {
            "" | "year" => Span::Year,
            t if t.starts_with('q') => match t[1..].parse::<u32>() {
                Ok(q @ 1..=4) => Span::Quarter(q),
                _ => return Err(bad()),
            },
            t if t.starts_with('m') => match t[1..].parse::<u32>() {
                Ok(m @ 1..=12) => Span::Month(m),
                _ => return Err(bad()),
            },
            _ => return Err(bad()),
        };
        Ok(ScorePeriod { year, span })
    }

    /// How it is stored and named in links: 2026, 2026-Q3, 2026-07.
    pub fn key(&self) -> String {
        match self.span {
            Span::Year => self.year.to_string(),
            Span::Quarter(q) => format!("{}-Q{q}", self.year),
            Span::Month(m) => format!("{}-{m:02}", self.year),
        }
    }

    /// The query value: year, q3, m7.
    pub fn param(&self) -> String {
        match self.span {
            Span::Year => "year".into(),
            Span::Quarter(q) => format!("q{q}"),
            Span::Month(m) => format!("m{m}"),
        }
    }

    pub fn label(&self) -> String {
        const QUARTERS: [&str; 4] = ["一", "二", "三", "四"];
        match self.span {
            Span::Year => format!("{}年度", self.year),
            Span::Quarter(q) => format!("{}年第{}季度", self.year, QUARTERS[(q - 1) as usize]),
            Span::Month(m) => format!("{}年{m}月", self.year),
        }
    }

    fn months(&self) -> std::ops::RangeInclusive<u32> {
        match self.span {
            Span::Year => 1..=12,
            Span::Quarter(q) => (q * 3 - 2)..=(q * 3),
            Span::Month(m) => m..=m,
        }
    }

    pub fn days(&self) -> Period {
        measures::days(self.year, self.months()).expect("a year in range has its days")
    }

    /// The share of the year's target that is due in it.
    pub fn fraction(&self) -> f64 {
        match self.span {
            Span::Year => 1.0,
            Span::Quarter(_) => 0.25,
            Span::Month(_) => 1.0 / 12.0,
        }
    }

    pub fn previous(&self) -> ScorePeriod {
        let (year, span) = match self.span {
            Span::Year => (self.year - 1, Span::Year),
            Span::Quarter(1) => (self.year - 1, Span::Quarter(4)),
            Span::Quarter(q) => (self.year, Span::Quarter(q - 1)),
            Span::Month(1) => (self.year - 1, Span::Month(12)),
            Span::Month(m) => (self.year, Span::Month(m - 1)),
        };
        ScorePeriod { year, span }
    }

    pub fn has_ended(&self, today: NaiveDate) -> bool {
        self.days().to < today
    }

    /// Every month, quarter and the year itself, in that order.
    pub fn all_of(year: i32) -> Vec<ScorePeriod> {
        (1..=12)
            .map(Span::Month)
            .chain((1..=4).map(Span::Quarter))
            .chain([Span::Year])
            .map(|span| ScorePeriod { year, span })
            .collect()
    }

    /// The month `today` falls in.
    pub fn month_of(today: NaiveDate) -> ScorePeriod {
        ScorePeriod {
            year: today.year(),
            span: Span::Month(today.month()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_parse_name_and_step_back() {
        let m1 = ScorePeriod::parse(2026, Some("m1")).unwrap();
        assert_eq!(m1.key(), "2026-01");
        assert_eq!(m1.previous().key(), "2025-12");
        let q3 = ScorePeriod::parse(2026, Some("Q3")).unwrap();
        assert_eq!(q3.key(), "2026-Q3");
        assert_eq!(q3.label(), "2026年第三季度");
        assert_eq!(q3.days().from.to_string(), "2026-07-01");
        assert_eq!(q3.days().to.to_string(), "2026-09-30");
        assert_eq!(
            ScorePeriod::parse(2026, None)
                .unwrap()
                .days()
                .to
                .to_string(),
            "2026-12-31"
        );
        assert!(ScorePeriod::parse(2026, Some("m13")).is_err());
        assert!(ScorePeriod::parse(2026, Some("q0")).is_err());
        assert!(ScorePeriod::parse(1999, None).is_err());
        let today = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        assert!(
            ScorePeriod::parse(2026, Some("m10"))
                .unwrap()
                .has_ended(today)
        );
        assert!(
            !ScorePeriod::parse(2026, Some("m11"))
                .unwrap()
                .has_ended(today)
        );
    }
}
