//! How long sessions live and whether staff need a second factor (等保 level 3, 会话管理).
//!
//! A session ends when it has been idle too long or has reached its absolute lifetime, whichever
//! comes first. Staff and administrators act on other people's data, so theirs are shorter.

use chrono::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffTotp {
    /// Staff may enrol a TOTP authenticator; once enrolled, logging in needs its code.
    Optional,
    /// Staff must: one who has not enrolled is led through enrolment when logging in.
    Required,
}

#[derive(Debug, Clone)]
pub struct SessionPolicy {
    /// Idle minutes after which a staff or administrator session ends (`TIANFU_STAFF_IDLE_MINUTES`, 30).
    pub staff_idle_minutes: i64,
    /// Idle minutes after which anyone else's session ends (`TIANFU_IDLE_MINUTES`, 3 days).
    pub idle_minutes: i64,
    /// Absolute lifetime of a staff or administrator session in hours
    /// (`TIANFU_STAFF_SESSION_HOURS`, 12).
    pub staff_max_hours: i64,
    /// Absolute lifetime of anyone else's session in hours (`TIANFU_SESSION_HOURS`); without it
    /// a page session lasts 7 days and an API token 30.
    pub max_hours: Option<i64>,
    /// `TIANFU_STAFF_TOTP=required|optional` (default optional).
    pub staff_totp: StaffTotp,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            staff_idle_minutes: 30,
            idle_minutes: 3 * 24 * 60,
            staff_max_hours: 12,
            max_hours: None,
            staff_totp: StaffTotp::Optional,
        }
    }
}

fn positive(name: &str) -> anyhow::Result<Option<i64>> {
    match std::env::var(name) {
        Ok(text) => text
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .map(Some)
            .ok_or_else(|| anyhow::anyhow!("{name} must be a positive whole number")),
        Err(_) => Ok(None),
    }
}

impl SessionPolicy {
    pub fn from_env() -> anyhow::Result<Self> {
        let mut policy = SessionPolicy::default();
        if let Some(n) = positive("TIANFU_STAFF_IDLE_MINUTES")? {
            policy.staff_idle_minutes = n;
        }
        if let Some(n) = positive("TIANFU_IDLE_MINUTES")? {
            policy.idle_minutes = n;
        }
        if let Some(n) = positive("TIANFU_STAFF_SESSION_HOURS")? {
            policy.staff_max_hours = n;
        }
        policy.max_hours = positive("TIANFU_SESSION_HOURS")?;
        policy.staff_totp = match std::env::var("TIANFU_STAFF_TOTP").as_deref().map(str::trim) {
            Ok("required") => StaffTotp::Required,
            Ok("optional") | Ok("") | Err(_) => StaffTotp::Optional,
            Ok(other) => {
                anyhow::bail!("TIANFU_STAFF_TOTP must be required or optional, not {other}")
            }
        };
        Ok(policy)
    }

    pub fn idle(&self, staff: bool) -> Duration {
        Duration::minutes(if staff {
            self.staff_idle_minutes
        } else {
            self.idle_minutes
        })
    }

    /// The absolute lifetime beyond the kind's own (7 days for pages, 30 for tokens).
    pub fn max_age(&self, staff: bool) -> Duration {
        if staff {
            Duration::hours(self.staff_max_hours)
        } else {
            self.max_hours
                .map(Duration::hours)
                .unwrap_or_else(|| Duration::days(30))
        }
    }
}

/// A session's last-seen time is written at most this often: a request within a minute of the
/// last write reads only, so busy pages do not write on every request.
pub const TOUCH_EVERY: Duration = Duration::minutes(1);

/// Whether a session last seen at `last_seen` should be touched now.
pub fn needs_touch(
    last_seen: chrono::DateTime<chrono::Utc>,
    now: chrono::DateTime<chrono::Utc>,
) -> bool {
    now - last_seen >= TOUCH_EVERY
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_sessions_are_shorter() {
        let policy = SessionPolicy::default();
        assert_eq!(policy.idle(true), Duration::minutes(30));
        assert!(policy.idle(false) > policy.idle(true));
        assert_eq!(policy.max_age(true), Duration::hours(12));
        assert!(policy.max_age(false) > policy.max_age(true));
    }

    #[test]
    fn touches_at_most_once_a_minute() {
        let now = chrono::Utc::now();
        assert!(!needs_touch(now - Duration::seconds(59), now));
        assert!(needs_touch(now - Duration::seconds(60), now));
    }
}
