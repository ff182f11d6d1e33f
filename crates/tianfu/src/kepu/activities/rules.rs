//! The rules of an activity, free of I/O: its times and capacity, who may sign up as what,
//! when check-in is open, what a check-in code looks like, and the hours a volunteer served.

use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, TimeZone, Utc};

/// Check-in opens this long before an activity starts (people arrive early).
pub const CHECKIN_OPENS_BEFORE: Duration = Duration::hours(1);
/// An activity lasts at most this long (a 科普日 fair over a weekend at most).
pub const LONGEST: Duration = Duration::days(7);
/// The hours one check-in can earn a volunteer, whatever the activity's length.
pub const MOST_MINUTES_PER_CHECKIN: i64 = 12 * 60;
pub const MAX_CAPACITY: i64 = 100_000;
/// Letters a code is made of: no 0/O or 1/I/L, so a code read aloud or typed is unambiguous.
pub const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
pub const CODE_LEN: usize = 8;

/// A time typed by a person or a program: RFC 3339 (`2026-12-05T09:30:00+08:00`), or a local
/// time in Beijing without an offset (`2026-12-05T09:30`, what a datetime-local field sends).
pub fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("请填写时间".into());
    }
    let beijing = FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    let parsed = DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| {
            ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
                .iter()
                .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
                .and_then(|local| beijing.from_local_datetime(&local).single())
                .map(|t| t.with_timezone(&Utc))
                .ok_or(())
        })
        .map_err(|_| "时间格式应为 2026-12-05T09:30（北京时间）或带时区的 RFC 3339".to_owned())?;
    crate::platform::period::check_time(parsed, "时间")
}

/// The times of a new activity: it ends after it starts, within a week, and has not ended yet.
pub fn check_times(
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), (&'static str, &'static str)> {
    if ends_at <= starts_at {
        return Err(("ends_at", "结束时间应晚于开始时间"));
    }
    if ends_at - starts_at > LONGEST {
        return Err(("ends_at", "一场活动最长7天"));
    }
    if ends_at <= now {
        return Err(("ends_at", "结束时间已过，不能发布已结束的活动"));
    }
    Ok(())
}

/// Is check-in open at `now`: from an hour before the start until the end.
pub fn checkin_open(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now >= starts_at - CHECKIN_OPENS_BEFORE && now < ends_at
}

/// Arriving this late still counts from the start (people queue at the door).
pub const GRACE: Duration = Duration::minutes(15);

/// Minutes of service a volunteer's verified check-in earns: from the start (or a later
/// arrival, beyond the grace) to the end, rounded to the minute, capped.
pub fn minutes_served(
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    checked_in_at: DateTime<Utc>,
) -> i64 {
    let from = if checked_in_at <= starts_at + GRACE {
        starts_at
    } else {
        checked_in_at
    };
    ((ends_at - from).num_seconds() + 30)
        .div_euclid(60)
        .clamp(0, MOST_MINUTES_PER_CHECKIN)
}

/// Volunteers one activity takes at most (beyond that, hours are not believable).
pub const MAX_VOLUNTEERS: i64 = 30;

/// A code typed or scanned: upper-cased and trimmed; `None` when it cannot be one of ours.
pub fn normalise_code(text: &str) -> Option<String> {
    let code = text.trim().to_ascii_uppercase();
    (code.len() == CODE_LEN && code.bytes().all(|b| CODE_ALPHABET.contains(&b))).then_some(code)
}

/// A fresh code from random bytes (one byte per letter; the small bias is harmless for a
/// one-use code that expires with the activity).
pub fn code_from(random: [u8; CODE_LEN]) -> String {
    random
        .iter()
        .map(|b| CODE_ALPHABET[*b as usize % CODE_ALPHABET.len()] as char)
        .collect()
}

/// How a person takes part: as an attendee (takes a seat) or as a volunteer serving it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Attendee,
    Volunteer,
}

impl Role {
    pub fn parse(text: Option<&str>) -> Result<Role, String> {
        match text.map(str::trim).unwrap_or("") {
            "" | "attendee" => Ok(Role::Attendee),
            "volunteer" => Ok(Role::Volunteer),
            _ => Err("报名身份只能是 attendee（参加）或 volunteer（志愿服务）".into()),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Attendee => "attendee",
            Role::Volunteer => "volunteer",
        }
    }
}

pub fn signup_status_label(status: &str) -> &'static str {
    match status {
        "confirmed" => "报名成功",
        "waitlisted" => "候补中",
        "cancelled" => "已取消",
        _ => "未知",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        parse_time(text).unwrap()
    }

    #[test]
    fn local_times_are_beijing_and_offsets_are_honoured() {
        assert_eq!(at("2026-12-05T09:30"), at("2026-12-05T01:30:00Z"));
        assert_eq!(at("2026-12-05 09:30"), at("2026-12-05T09:30:00+08:00"));
        assert!(parse_time("+10000-01-01T00:00:00Z").is_err());
        // 23:00 on 31 December 1999 in Beijing; 23:00 UTC is already 2000 there.
        assert!(parse_time("1999-12-31T15:00:00Z").is_err());
        assert!(parse_time("1999-12-31T23:00:00Z").is_ok());
        assert!(parse_time("明天上午").is_err());
    }

    #[test]
    fn times_must_make_a_coming_activity_of_at_most_a_week() {
        let now = at("2026-12-01T00:00:00Z");
        let start = at("2026-12-05T01:00:00Z");
        assert!(check_times(start, start + Duration::hours(2), now).is_ok());
        assert_eq!(check_times(start, start, now).unwrap_err().0, "ends_at");
        assert!(check_times(start, start + Duration::days(8), now).is_err());
        assert!(check_times(now - Duration::hours(3), now - Duration::hours(1), now).is_err());
    }

    #[test]
    fn checkin_opens_an_hour_early_and_closes_at_the_end() {
        let start = at("2026-12-05T01:00:00Z");
        let end = start + Duration::hours(2);
        assert!(!checkin_open(start, end, start - Duration::minutes(61)));
        assert!(checkin_open(start, end, start - Duration::minutes(59)));
        assert!(checkin_open(start, end, end - Duration::seconds(1)));
        assert!(!checkin_open(start, end, end));
    }

    #[test]
    fn hours_run_from_the_start_or_a_late_arrival_to_the_end_capped_at_twelve() {
        let start = at("2026-12-05T01:00:00Z");
        let end = start + Duration::minutes(150);
        assert_eq!(
            minutes_served(start, end, start - Duration::minutes(40)),
            150
        );
        assert_eq!(
            minutes_served(start, end, start + Duration::minutes(10)),
            150
        );
        assert_eq!(
            minutes_served(start, end, start + Duration::seconds(3600 + 1)),
            90
        );
        assert_eq!(minutes_served(start, start + Duration::days(2), start), 720);
    }

    #[test]
    fn codes_use_the_unambiguous_alphabet() {
        let code = code_from([0, 1, 2, 3, 250, 251, 252, 255]);
        assert_eq!(code.len(), CODE_LEN);
        assert_eq!(normalise_code(&code.to_lowercase()), Some(code));
        assert_eq!(normalise_code("ABCDEFG0"), None);
        assert_eq!(normalise_code("ABC"), None);
    }
}
