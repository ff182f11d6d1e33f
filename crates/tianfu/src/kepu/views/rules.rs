//! When a view counts: pure rules over the reads around it, so that they can be tested and
//! explained.

use chrono::{DateTime, Duration, Utc};

/// The same reader reading the same resource again within this counts once.
pub const REPEAT_WINDOW: Duration = Duration::minutes(30);
/// A view is settled once this much time has passed after it: the reads after it are known.
pub const SETTLE_AFTER: Duration = Duration::minutes(2);
/// Reading this many resources within two minutes either side of a view is faster than a
/// person reads (the scripts that inflate figures read twenty a minute).
pub const TOO_FAST_READS: usize = 8;
pub const TOO_FAST_WINDOW: Duration = Duration::minutes(2);
/// This many accounts reading from one browser within an hour, or twice as many from one
/// address, is one device farming accounts.
pub const ACCOUNTS_PER_DEVICE: usize = 5;
pub const ACCOUNTS_PER_ADDRESS: usize = 10;
pub const SHARED_WINDOW: Duration = Duration::hours(1);

/// Why a view is left out, with the evidence a person can check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    pub reason: &'static str,
    pub evidence: String,
}

/// The reader's own reads (times) within `TOO_FAST_WINDOW` either side of the view, the view
/// included.
pub fn too_fast(reads_around: usize) -> Option<Flag> {
    (reads_around >= TOO_FAST_READS).then(|| Flag {
        reason: "too_fast",
        evidence: format!(
            "该读者在本次浏览前后{}分钟内浏览了{}篇资源（正常阅读少于{}篇）",
            TOO_FAST_WINDOW.num_minutes(),
            reads_around,
            TOO_FAST_READS
        ),
    })
}

/// Distinct accounts seen on the view's browser and on its address in the hour before it.
pub fn shared_device(accounts_on_device: usize, accounts_on_address: usize) -> Option<Flag> {
    if accounts_on_device >= ACCOUNTS_PER_DEVICE {
        return Some(Flag {
            reason: "shared_device",
            evidence: format!(
                "同一浏览器1小时内有{accounts_on_device}个账号浏览（阈值{ACCOUNTS_PER_DEVICE}）"
            ),
        });
    }
    (accounts_on_address >= ACCOUNTS_PER_ADDRESS).then(|| Flag {
        reason: "shared_device",
        evidence: format!(
            "同一网络地址1小时内有{accounts_on_address}个账号浏览（阈值{ACCOUNTS_PER_ADDRESS}）"
        ),
    })
}

/// How a page names a flag.
pub fn label(reason: &str) -> &'static str {
    match reason {
        "too_fast" => "浏览过快",
        "shared_device" => "一机多号",
        _ => "其他",
    }
}

/// Is a view at `at` settled by `now`?
pub fn settled(at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now - at >= SETTLE_AFTER
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_reading_is_not_flagged_and_a_script_is() {
        assert_eq!(too_fast(3), None);
        let flag = too_fast(20).unwrap();
        assert_eq!(flag.reason, "too_fast");
        assert!(flag.evidence.contains("20篇"), "{}", flag.evidence);
    }

    #[test]
    fn many_accounts_on_one_browser_or_address_are_flagged() {
        assert_eq!(shared_device(1, 3), None);
        assert_eq!(shared_device(5, 5).unwrap().reason, "shared_device");
        assert!(shared_device(1, 12).unwrap().evidence.contains("网络地址"));
    }

    #[test]
    fn a_view_settles_two_minutes_later() {
        let at = Utc::now();
        assert!(!settled(at, at + Duration::seconds(90)));
        assert!(settled(at, at + Duration::seconds(120)));
    }
}
