//! The pure rules: when a need looks bulk-posted, and what a hold says. No I/O here.
//!
//! - Near-duplicate: the character bigrams of title + description (letters and digits only,
//!   lower-cased) against each of the account's needs of the last 30 days; a Jaccard similarity
//!   of [`SIMILARITY_THRESHOLD`] or more holds the need. Bigrams suit Chinese (no word breaks)
//!   and tolerate a changed number or place name, which is what spreadsheet scripts vary.
//! - Burst: more than [`BURST_LIMIT`] needs by one account within an hour is a bulk post,
//!   however different they read.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};

/// Needs this similar (Jaccard over bigrams) to an earlier one of the same account are held.
pub const SIMILARITY_THRESHOLD: f64 = 0.8;
/// More needs than this within [`BURST_WINDOW`] by one account is a bulk post.
pub const BURST_LIMIT: usize = 5;
pub const BURST_WINDOW: Duration = Duration::hours(1);
/// How far back a new need is compared.
pub const LOOKBACK: Duration = Duration::days(30);

/// An earlier need of the same account.
#[derive(Debug, Clone)]
pub struct Earlier {
    pub id: i64,
    pub title: String,
    pub text: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    NearDuplicate,
    Burst,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::NearDuplicate => "near_duplicate",
            Rule::Burst => "burst",
        }
    }
}

/// Why a need is held: the evidence staff see.
#[derive(Debug, Clone, PartialEq)]
pub struct Hold {
    pub rule: Rule,
    /// The earlier need it is most like (near-duplicate), with its title and date.
    pub similar: Option<(i64, String, DateTime<Utc>)>,
    pub similarity: f64,
    /// This need and the account's others within the hour.
    pub burst_count: usize,
}

impl Hold {
    pub fn similarity_permille(&self) -> i64 {
        (self.similarity * 1000.0).round() as i64
    }

    /// The reason as staff and the submitter read it, e.g.
    /// "疑似批量重复发布：与 11月3日《…》相似度 0.92".
    pub fn reason(&self) -> String {
        let burst = if self.burst_count > BURST_LIMIT {
            format!("；一小时内发布 {} 条", self.burst_count)
        } else {
            String::new()
        };
        match (&self.rule, &self.similar) {
            (Rule::NearDuplicate, Some((_, title, at))) => format!(
                "疑似批量重复发布：与 {}《{}》相似度 {:.2}{burst}",
                crate::platform::clock::shanghai_date(*at).format("%-m月%-d日"),
                title,
                self.similarity
            ),
            _ => format!("疑似批量发布：一小时内发布 {} 条科技所需", self.burst_count),
        }
    }
}

/// The characters that carry meaning, lower-cased: punctuation, spaces and symbols go.
fn normalise(text: &str) -> Vec<char> {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn bigrams(text: &str) -> HashSet<(char, char)> {
    let chars = normalise(text);
    let mut set: HashSet<(char, char)> = chars.windows(2).map(|w| (w[0], w[1])).collect();
    if chars.len() == 1 {
        set.insert((chars[0], ' '));
    }
    set
}

/// Jaccard similarity of the two texts' character bigrams, 0.0 to 1.0 (two empty texts: 0).
pub fn similarity(a: &str, b: &str) -> f64 {
    let (a, b) = (bigrams(a), bigrams(b));
    let union = a.union(&b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(&b).count() as f64 / union as f64
}

/// The text a need is compared by.
pub fn comparable(title: &str, description: &str) -> String {
    format!("{title}\n{description}")
}

/// Whether a new need (its comparable text, submitted at `now`) is held, given the same
/// account's earlier needs (any status, the listing itself excluded).
pub fn assess(text: &str, now: DateTime<Utc>, earlier: &[Earlier]) -> Option<Hold> {
    let recent: Vec<&Earlier> = earlier
        .iter()
        .filter(|e| now - e.created_at <= LOOKBACK)
        .collect();
    let burst_count = 1 + recent
        .iter()
        .filter(|e| now - e.created_at <= BURST_WINDOW)
        .count();
    let best = recent
        .iter()
        .map(|e| (similarity(text, &e.text), *e))
        .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.id.cmp(&a.1.id)));
    match best {
        Some((value, e)) if value >= SIMILARITY_THRESHOLD => Some(Hold {
            rule: Rule::NearDuplicate,
            similar: Some((e.id, e.title.clone(), e.created_at)),
            similarity: value,
            burst_count,
        }),
        _ if burst_count > BURST_LIMIT => Some(Hold {
            rule: Rule::Burst,
            similar: None,
            similarity: best.map_or(0.0, |b| b.0),
            burst_count,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, hour, minute, 0)
            .unwrap()
    }

    fn earlier(id: i64, text: &str, when: DateTime<Utc>) -> Earlier {
        Earlier {
            id,
            title: text.chars().take(8).collect(),
            text: text.into(),
            created_at: when,
        }
    }

    const SPREADSHEET: &str = "求购蛋鸡饲料配方优化技术\n我司在内江市东兴区养殖蛋鸡两万只，产蛋率偏低，饲料浪费严重，寻求配方优化服务";

    #[test]
    fn a_changed_place_name_is_still_a_near_duplicate() {
        let other = SPREADSHEET.replace("东兴区", "资中县");
        let value = similarity(SPREADSHEET, &other);
        assert!(value >= SIMILARITY_THRESHOLD, "{value}");
        assert_eq!(similarity(SPREADSHEET, SPREADSHEET), 1.0);
    }

    #[test]
    fn different_needs_are_not_similar() {
        let value = similarity(
            SPREADSHEET,
            "柑橘黄龙病防治\n果园出现黄化叶片，希望专家上门诊断并提出防治方案",
        );
        assert!(value < 0.2, "{value}");
        assert_eq!(similarity("", ""), 0.0);
        assert_eq!(similarity("，。！", "abc"), 0.0);
    }

    #[test]
    fn punctuation_spaces_and_case_do_not_matter() {
        assert_eq!(similarity("ABC 技术，服务", "abc技术服务"), 1.0);
    }

    #[test]
    fn the_first_need_is_never_held_and_the_copy_is() {
        let now = at(3, 10, 0);
        assert_eq!(assess(SPREADSHEET, now, &[]), None);
        let hold = assess(
            &SPREADSHEET.replace("两万", "三万"),
            now,
            &[earlier(7, SPREADSHEET, at(3, 9, 58))],
        )
        .expect("held");
        assert_eq!(hold.rule, Rule::NearDuplicate);
        assert_eq!(hold.similar.as_ref().map(|s| s.0), Some(7));
        assert_eq!(hold.burst_count, 2);
        assert!(
            hold.reason().starts_with("疑似批量重复发布：与 11月3日《"),
            "{}",
            hold.reason()
        );
        assert!(hold.reason().contains("相似度 0.9"), "{}", hold.reason());
    }

    #[test]
    fn needs_older_than_thirty_days_are_not_compared() {
        let old = at(3, 10, 0) - Duration::days(31);
        assert_eq!(
            assess(SPREADSHEET, at(3, 10, 0), &[earlier(1, SPREADSHEET, old)]),
            None
        );
    }

    #[test]
    fn the_sixth_need_within_an_hour_is_a_burst() {
        let now = at(3, 10, 0);
        let topics = [
            "柑橘黄龙病防治",
            "茶叶采摘机械",
            "生猪疫病监测",
            "水稻烘干设备",
            "猕猴桃溃疡病",
        ];
        let five: Vec<Earlier> = topics
            .iter()
            .enumerate()
            .map(|(i, t)| earlier(i as i64 + 1, t, now - Duration::minutes(10 * i as i64 + 1)))
            .collect();
        assert_eq!(
            assess("白酒酿造工艺改进", now, &five[..4]),
            None,
            "five in the hour is allowed"
        );
        let hold = assess("白酒酿造工艺改进", now, &five).expect("held");
        assert_eq!((hold.rule, hold.burst_count), (Rule::Burst, 6));
        assert_eq!(hold.reason(), "疑似批量发布：一小时内发布 6 条科技所需");
        // The same six spread over a day are no burst.
        let spread: Vec<Earlier> = five
            .iter()
            .map(|e| Earlier {
                created_at: now - Duration::hours(e.id * 2),
                ..e.clone()
            })
            .collect();
        assert_eq!(assess("白酒酿造工艺改进", now, &spread), None);
    }
}
