//! The fair's programme and halls, free of I/O: when a session may take place, which slots a
//! 1:1 meeting may be booked in, when an unanswered request lapses, and the meeting's states.

use chrono::{DateTime, Duration, Timelike, Utc};

use crate::fair::MEETING_EXPIRES_DAYS;

/// The province's own hall (省直单位), beside the 21 cities' halls.
pub const PROVINCE_HALL: &str = "51";
/// The most projects one session presents.
pub const MAX_SESSION_PROJECTS: usize = 100;
/// Seats one session offers at most.
pub const MAX_CAPACITY: i64 = 100_000;

/// A session takes place within its edition's days: it ends after it starts, starts no earlier
/// than the opening and ends no later than the closing. Errors name the field.
pub fn session_times(
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    opens_at: DateTime<Utc>,
    closes_at: DateTime<Utc>,
) -> Result<(), (&'static str, &'static str)> {
    if ends_at <= starts_at {
        return Err(("ends_at", "结束时间应晚于开始时间"));
    }
    if starts_at < opens_at {
        return Err(("starts_at", "活动应在本届科创会会期内（不早于开幕时间）"));
    }
    if ends_at > closes_at {
        return Err(("ends_at", "活动应在本届科创会会期内（不晚于闭幕时间）"));
    }
    Ok(())
}

/// Why a 1:1 meeting may not be booked at `slot`: not on the hour or half hour, outside the
/// fair's days, or already past. `None` when the slot is bookable.
pub fn slot_problem(
    slot: DateTime<Utc>,
    opens_at: DateTime<Utc>,
    closes_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<&'static str> {
    if !(slot.minute() == 0 || slot.minute() == 30) || slot.second() != 0 || slot.nanosecond() != 0
    {
        return Some("洽谈时段应为整点或半点（如 10:00、10:30）");
    }
    if slot < opens_at || slot >= closes_at {
        return Some("洽谈时段应在本届科创会会期内");
    }
    if slot <= now {
        return Some("该时段已过，请选择之后的时段");
    }
    None
}

/// When a request made at `created_at` for `slot` lapses unanswered: after
/// [`MEETING_EXPIRES_DAYS`], or when its slot comes, whichever is sooner (a request nobody
/// answered before its time can no longer be kept).
pub fn meeting_expires_at(created_at: DateTime<Utc>, slot: DateTime<Utc>) -> DateTime<Utc> {
    (created_at + Duration::days(MEETING_EXPIRES_DAYS)).min(slot)
}

crate::labelled_enum!(
    /// A 1:1 meeting request's state. `requested` and `accepted` hold the slot.
    MeetingStatus, "预约状态" {
        Requested => "requested", "待答复";
        Accepted => "accepted", "已接受";
        Declined => "declined", "已婉拒";
        Expired => "expired", "已过期";
        Cancelled => "cancelled", "已取消";
    }
);

crate::labelled_enum!(
    /// The owner's answer to a meeting request.
    Decision, "答复" {
        Accept => "accept", "接受";
        Decline => "decline", "婉拒";
    }
);

impl Decision {
    /// The status the answer moves a request to.
    pub fn status(self) -> MeetingStatus {
        match self {
            Decision::Accept => MeetingStatus::Accepted,
            Decision::Decline => MeetingStatus::Declined,
        }
    }
}

/// The label of a stored meeting status ("未知" for anything else).
pub fn meeting_status_label(status: &str) -> &'static str {
    MeetingStatus::parse(status).map_or("未知", MeetingStatus::label)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, day, hour, minute, 0).unwrap()
    }

    #[test]
    fn sessions_stay_within_the_fair() {
        let (opens, closes) = (at(10, 0, 0), at(13, 0, 0));
        assert!(session_times(at(10, 1, 0), at(10, 3, 0), opens, closes).is_ok());
        assert_eq!(
            session_times(at(10, 3, 0), at(10, 3, 0), opens, closes)
                .unwrap_err()
                .0,
            "ends_at"
        );
        assert_eq!(
            session_times(at(9, 23, 0), at(10, 3, 0), opens, closes)
                .unwrap_err()
                .0,
            "starts_at"
        );
        assert_eq!(
            session_times(at(12, 23, 0), at(13, 1, 0), opens, closes)
                .unwrap_err()
                .0,
            "ends_at"
        );
    }

    #[test]
    fn slots_are_on_the_hour_or_half_hour_within_the_fair_and_ahead() {
        let (opens, closes, now) = (at(10, 0, 0), at(13, 0, 0), at(10, 2, 0));
        assert_eq!(slot_problem(at(11, 2, 0), opens, closes, now), None);
        assert_eq!(slot_problem(at(11, 2, 30), opens, closes, now), None);
        assert!(slot_problem(at(11, 2, 15), opens, closes, now).is_some());
        assert!(slot_problem(at(11, 2, 0) + Duration::seconds(1), opens, closes, now).is_some());
        assert!(slot_problem(at(13, 0, 0), opens, closes, now).is_some());
        assert!(slot_problem(at(9, 10, 0), opens, closes, now).is_some());
        assert!(slot_problem(at(10, 1, 30), opens, closes, now).is_some());
    }

    #[test]
    fn requests_lapse_after_three_days_or_at_their_slot() {
        let created = at(1, 8, 0);
        assert_eq!(meeting_expires_at(created, at(20, 10, 0)), at(4, 8, 0));
        assert_eq!(meeting_expires_at(created, at(2, 10, 0)), at(2, 10, 0));
    }

    #[test]
    fn answers_move_to_their_status_and_labels_are_chinese() {
        assert_eq!(Decision::Accept.status(), MeetingStatus::Accepted);
        assert_eq!(Decision::parse("decline"), Ok(Decision::Decline));
        assert!(Decision::parse("maybe").is_err());
        assert_eq!(meeting_status_label("expired"), "已过期");
        assert_eq!(meeting_status_label("x"), "未知");
    }
}
