//! The rules of 志愿服务队 and service hours, free of I/O: a team's fields, its members' roles,
//! which questions a team answers, the Beijing year an hour belongs to, and the verification
//! number printed on a certificate.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sha2::{Digest, Sha256};

use crate::kepu::audience;

pub const NAME_MAX_CHARS: usize = 30;
pub const INTRO_MAX_CHARS: usize = 2000;
/// How many team members one question is routed to, at most, whatever the number of teams that
/// fit it (leaders first, the asker's county's teams first): enough to be answered, few enough
/// not to become noise.
pub const MEMBERS_ROUTED: usize = 20;
/// Who prints a certificate.
pub const ISSUER: &str = "天府科技云服务中心";

/// A member's place in a team.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TeamRole {
    Leader,
    Member,
}

impl TeamRole {
    pub fn parse(text: Option<&str>) -> Result<TeamRole, String> {
        match text.map(str::trim).unwrap_or("") {
            "" | "member" => Ok(TeamRole::Member),
            "leader" => Ok(TeamRole::Leader),
            _ => Err("队内身份只能是 member（队员）或 leader（队长）".into()),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TeamRole::Leader => "leader",
            TeamRole::Member => "member",
        }
    }
}

pub fn role_label(role: &str) -> &'static str {
    match role {
        "leader" => "队长",
        "member" => "队员",
        _ => "未知",
    }
}

/// Only 科技志愿者 and 科技工作者 serve in a team.
pub fn may_serve(role: tianfu_domain::Role) -> bool {
    matches!(
        role,
        tianfu_domain::Role::Volunteer | tianfu_domain::Role::Worker
    )
}

/// A team's fields as typed: each a channel (by code or by its name, stored as the code) or a
/// tag word; at least one, at most eight, no repeats. `channels` are (code, name).
pub fn parse_fields(
    items: &[String],
    channels: &[(String, String)],
) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    let mut tags: Vec<String> = Vec::new();
    for item in items.iter().map(|i| i.trim()).filter(|i| !i.is_empty()) {
        match channels
            .iter()
            .find(|(code, name)| code == item || name == item)
        {
            Some((code, _)) => {
                if !out.contains(code) {
                    out.push(code.clone());
                }
            }
            None => tags.push(item.to_owned()),
        }
    }
    for tag in audience::parse_tags(&tags)? {
        if !out.contains(&tag) {
            out.push(tag);
        }
    }
    if out.is_empty() {
        return Err("请至少填写一个服务领域（科普栏目或关键词，如 农业技术、柑橘）".into());
    }
    if out.len() > audience::MAX_TAGS {
        return Err(format!("服务领域最多{}个", audience::MAX_TAGS));
    }
    Ok(out)
}

/// How fields read: a channel's name, a tag as it is.
pub fn field_labels(fields: &[String], channels: &[(String, String)]) -> Vec<String> {
    fields
        .iter()
        .map(|f| {
            channels
                .iter()
                .find(|(code, _)| code == f)
                .map(|(_, name)| name.clone())
                .unwrap_or_else(|| f.clone())
        })
        .collect()
}

/// Does a question fit a team's fields: its channel is one of them, or one of the team's words
/// (two characters or more, so a lone character matches nothing by accident) is in its text.
pub fn answers(fields: &[String], channel: Option<&str>, text: &str) -> bool {
    fields.iter().any(|f| {
        Some(f.as_str()) == channel || (f.chars().count() >= 2 && text.contains(f.as_str()))
    })
}

fn beijing() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8")
}

/// The Beijing year of an instant (hours served on New Year's Eve night in Sichuan count in
/// the year they were served there, as the province's figures count them).
pub fn year_of(at: DateTime<Utc>) -> i32 {
    at.with_timezone(&beijing()).year()
}

/// A year asked for: 2000 to 2100.
pub fn check_year(year: i32) -> Result<i32, String> {
    if crate::platform::period::DATE_YEARS.contains(&year) {
        Ok(year)
    } else {
        Err("年份应在2000年至2100年之间".into())
    }
}

/// The instants a Beijing year covers: [1 January 00:00 Beijing, the next 1 January).
pub fn year_bounds(year: i32) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = |y: i32| {
        NaiveDate::from_ymd_opt(y, 1, 1)
            .expect("a year in 2000..=2100")
            .and_hms_opt(0, 0, 0)
            .expect("midnight")
            .and_local_timezone(beijing())
            .single()
            .expect("a fixed offset has one midnight")
            .with_timezone(&Utc)
    };
    (start(year), start(year + 1))
}

/// Hours with one decimal, as the figures show them (150 minutes → "2.5").
pub fn hours_label(minutes: i64) -> String {
    format!("{:.1}", minutes as f64 / 60.0)
}

/// The number printed on a certificate: the year, the person and a check of the three facts it
/// certifies (person, year, minutes). Reprinting gives the same number; any other total would
/// give another, so staff can tell a certificate from its number and the ledger.
pub fn verification_number(user: i64, year: i32, minutes: i64) -> String {
    let digest = Sha256::digest(format!("tianfu:volunteer-hours:{user}:{year}:{minutes}"));
    let check: String = digest[..4].iter().map(|b| format!("{b:02X}")).collect();
    format!("ZY{year}-{user:06}-{check}")
}

/// (year, person) of a number as printed (`ZY2026-000123-1A2B3C4D`, any case, spaces trimmed);
/// `None` when it is not shaped like one. Whether its check holds is for the ledger to say.
pub fn parse_verification_number(text: &str) -> Option<(i32, i64)> {
    let text = text.trim().to_ascii_uppercase();
    let rest = text.strip_prefix("ZY")?;
    let mut parts = rest.split('-');
    let (year, user, check) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || year.len() != 4
        || check.len() != 8
        || !check.bytes().all(|b| b.is_ascii_hexdigit())
        || user.is_empty()
        || user.len() > 18
        || !user.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    Some((year.parse().ok()?, user.parse().ok()?))
}

/// A certificate's number as it would have been printed after each service of the year (the
/// running totals, oldest first): a certificate printed in June stays verifiable in December.
/// The year's services are few, so this is a handful of hashes.
pub fn printed_totals(user: i64, year: i32, minutes: &[i64]) -> Vec<(i64, String)> {
    minutes
        .iter()
        .scan(0, |total, m| {
            *total += m;
            Some(*total)
        })
        .filter(|total| *total > 0)
        .map(|total| (total, verification_number(user, year, total)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn channels() -> Vec<(String, String)> {
        vec![
            ("agriculture".into(), "农业技术".into()),
            ("health".into(), "健康生活".into()),
        ]
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn fields_are_channels_by_code_or_name_and_tags() {
        let parsed = parse_fields(
            &strings(&["农业技术", "柑橘", "health", "agriculture", " "]),
            &channels(),
        );
        assert_eq!(parsed.unwrap(), strings(&["agriculture", "health", "柑橘"]));
        assert!(parse_fields(&strings(&[" "]), &channels()).is_err());
        assert!(parse_fields(&strings(&["<b>"]), &channels()).is_err());
        let many: Vec<String> = (0..9).map(|i| format!("词{i}")).collect();
        assert!(parse_fields(&many, &channels()).is_err());
        assert_eq!(
            field_labels(&strings(&["agriculture", "柑橘"]), &channels()),
            strings(&["农业技术", "柑橘"])
        );
    }

    #[test]
    fn a_question_fits_by_channel_or_by_a_word_of_two_characters_or_more() {
        let fields = strings(&["health", "柑橘", "鸡"]);
        assert!(answers(&fields, Some("health"), "头疼"));
        assert!(answers(&fields, None, "柑橘裂果怎么办"));
        assert!(!answers(&fields, Some("agriculture"), "鸡下蛋少"));
    }

    #[test]
    fn a_year_is_beijing_time() {
        let (start, end) = year_bounds(2026);
        assert_eq!(start.to_rfc3339(), "2025-12-31T16:00:00+00:00");
        assert_eq!(end.to_rfc3339(), "2026-12-31T16:00:00+00:00");
        assert_eq!(year_of(start), 2026);
        assert_eq!(year_of(start - chrono::Duration::seconds(1)), 2025);
        assert!(check_year(1999).is_err());
        assert_eq!(check_year(2026), Ok(2026));
    }

    #[test]
    fn the_verification_number_depends_on_person_year_and_total() {
        let number = verification_number(123, 2026, 150);
        assert!(number.starts_with("ZY2026-000123-"), "{number}");
        assert_eq!(number, verification_number(123, 2026, 150));
        assert_ne!(number, verification_number(123, 2026, 151));
        assert_ne!(number, verification_number(124, 2026, 150));
        assert_eq!(
            parse_verification_number(&format!(" {} ", number.to_lowercase())),
            Some((2026, 123))
        );
        assert_eq!(parse_verification_number("ZY2026-000123"), None);
        assert_eq!(parse_verification_number("ZY2026-00x123-1A2B3C4D"), None);
        assert_eq!(parse_verification_number("AB2026-000123-1A2B3C4D"), None);
        let printed = printed_totals(123, 2026, &[120, 30]);
        assert_eq!(printed.len(), 2);
        assert_eq!(printed[1], (150, number));
        assert_eq!(hours_label(150), "2.5");
        assert_eq!(hours_label(100), "1.7");
    }
}
