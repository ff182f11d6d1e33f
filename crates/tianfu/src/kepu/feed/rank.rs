//! The feed's ranking: pure, so that what puts an item first can be tested and explained.
//! An item scores for the reader's interests (chosen and learned), their group, being local,
//! freshness and quality (read to the end, liked), and what their region reads most; a push
//! addressed to them comes first. Channels are mixed: each pick lowers the rest of its channel.

use chrono::{DateTime, Utc};

#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: i64,
    pub channel: String,
    pub tags: Vec<String>,
    pub audiences: Vec<String>,
    pub region_code: Option<String>,
    pub published_at: DateTime<Utc>,
    pub reads: i64,
    pub completions: i64,
    pub likes: i64,
    /// Reads by people of the reader's region (for visitors who are not signed in).
    pub region_reads: i64,
    /// Pushed to this reader and not opened yet.
    pub pushed: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Reader {
    pub audience: Option<String>,
    /// (interest, weight), strongest first.
    pub interests: Vec<(String, f64)>,
    /// The reader's region code (a county, a city or the province).
    pub region_code: Option<String>,
}

/// Names for the reasons: channel code → name, region code → name, audience → label.
pub trait Names {
    fn channel(&self, code: &str) -> String;
    fn region(&self, code: &str) -> String;
    fn audience(&self, code: &str) -> String;
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    pub id: i64,
    pub score: f64,
    pub reason: String,
    pub pushed: bool,
}

const PUSHED: f64 = 10.0;
const INTEREST: f64 = 1.0;
const INTEREST_CAP: f64 = 3.0;
const AUDIENCE: f64 = 0.6;
const SAME_COUNTY: f64 = 1.2;
const SAME_CITY: f64 = 0.8;
/// A resource meant for another region is kept, far down.
const ELSEWHERE: f64 = 0.2;
const FRESH: f64 = 0.8;
const FRESH_HALF_LIFE_DAYS: f64 = 30.0;
const POPULAR: f64 = 0.5;
const MIX: f64 = 0.75;

fn popularity(reads: i64) -> f64 {
    ((1 + reads.max(0)) as f64).ln() / 1000f64.ln()
}

fn quality(c: &Candidate) -> f64 {
    let reads = c.reads.max(0) as f64;
    let mut q = 0.3 * popularity(c.reads).min(1.5);
    if reads >= 5.0 {
        q +=
            0.4 * (c.completions as f64 / reads).min(1.0) + 0.3 * (c.likes as f64 / reads).min(1.0);
    }
    q
}

/// Where the resource stands against the reader's region: a bonus and a reason, or a penalty.
fn locality(c: &Candidate, reader: &Reader, names: &dyn Names) -> (f64, f64, Option<String>) {
    let (Some(own), Some(theirs)) = (c.region_code.as_deref(), reader.region_code.as_deref())
    else {
        return (0.0, 1.0, None);
    };
    // A township's resource is local to its whole county: the next township is a short ride
    // away, and a reader who named no township is somewhere in the county too.
    let own_county = own.get(..6).unwrap_or(own);
    if !theirs.starts_with(own_county) {
        return (0.0, ELSEWHERE, None);
    }
    let named = if theirs.starts_with(own) {
        own
    } else {
        own_county
    };
    let reason = Some(format!("{}本地科普", names.region(named)));
    match own_county.len() {
        6 => (SAME_COUNTY, 1.0, reason),
        4 => (SAME_CITY, 1.0, reason),
        _ => (0.0, 1.0, None),
    }
}

/// Scores one candidate: (score, reason).
pub fn score(
    c: &Candidate,
    reader: &Reader,
    now: DateTime<Utc>,
    names: &dyn Names,
) -> (f64, String) {
    let mut reason: Option<String> = None;
    let mut total = 0.0;
    if c.pushed {
        total += PUSHED;
        reason = Some("精准推送给您".to_owned());
    }
    let mut interest_score = 0.0;
    let mut best: Option<(&str, f64)> = None;
    for (interest, weight) in &reader.interests {
        if c.channel == *interest || c.tags.iter().any(|t| t == interest) {
            interest_score += weight;
            if best.is_none_or(|(_, w)| *weight > w) {
                best = Some((interest, *weight));
            }
        }
    }
    total += INTEREST * interest_score.min(INTEREST_CAP);
    if reason.is_none()
        && let Some((interest, _)) = best
    {
        let shown = if interest == c.channel {
            names.channel(interest)
        } else {
            interest.to_owned()
        };
        reason = Some(format!("因为您关注“{shown}”"));
    }
    let (local, factor, local_reason) = locality(c, reader, names);
    total += local;
    if reason.is_none() {
        reason = local_reason;
    }
    if let Some(audience) = &reader.audience
        && c.audiences.iter().any(|a| a == audience)
    {
        total += AUDIENCE;
        if reason.is_none() {
            reason = Some(format!("适合{}", names.audience(audience)));
        }
    }
    if c.region_reads > 0 {
        total += POPULAR * popularity(c.region_reads);
        if reason.is_none() && c.region_reads >= 3 {
            reason = Some("本地区热读".to_owned());
        }
    }
    let age_days = (now - c.published_at).num_seconds().max(0) as f64 / 86_400.0;
    total += FRESH * 0.5f64.powf(age_days / FRESH_HALF_LIFE_DAYS);
    total += quality(c);
    let reason = reason.unwrap_or_else(|| {
        if age_days < 7.0 {
            "最新发布".to_owned()
        } else {
            format!("{}精选", names.channel(&c.channel))
        }
    });
    (total * factor, reason)
}

/// The first `take` candidates in feed order: scored, then picked best first, each pick
/// lowering the rest of its channel so that one channel does not fill the page. Ties go to the
/// newer resource. A pick only scans until the raw scores fall below the best lowered score
/// found (lowering never raises a score), so a page costs little however many candidates there
/// are.
pub fn rank(
    candidates: &[Candidate],
    reader: &Reader,
    now: DateTime<Utc>,
    names: &dyn Names,
    take: usize,
) -> Vec<Ranked> {
    let mut scored: Vec<(f64, String, &Candidate)> = candidates
        .iter()
        .map(|c| {
            let (s, reason) = score(c, reader, now, names);
            (s, reason, c)
        })
        .collect();
    let order = |a: &(f64, String, &Candidate), b: &(f64, String, &Candidate)| {
        b.0.total_cmp(&a.0)
            .then_with(|| b.2.published_at.cmp(&a.2.published_at))
            .then_with(|| b.2.id.cmp(&a.2.id))
    };
    scored.sort_by(order);
    let mut picked_per_channel: std::collections::HashMap<&str, i32> = Default::default();
    let mut out = Vec::with_capacity(take.min(scored.len()));
    while out.len() < take && !scored.is_empty() {
        let mut best: Option<(usize, f64)> = None;
        for (i, (raw, _, c)) in scored.iter().enumerate() {
            if best.is_some_and(|(_, b)| b > *raw) {
                break;
            }
            let n = picked_per_channel
                .get(c.channel.as_str())
                .copied()
                .unwrap_or(0);
            let effective = if c.pushed { *raw } else { raw * MIX.powi(n) };
            // Strictly greater: among equals the earlier (newer) one stays.
            if best.is_none_or(|(_, b)| effective > b) {
                best = Some((i, effective));
            }
        }
        let (index, _) = best.expect("not empty");
        let (s, reason, c) = scored.remove(index);
        *picked_per_channel.entry(c.channel.as_str()).or_default() += 1;
        out.push(Ranked {
            id: c.id,
            score: s,
            reason,
            pushed: c.pushed,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    struct TestNames;
    impl Names for TestNames {
        fn channel(&self, code: &str) -> String {
            match code {
                "agriculture" => "农业技术".into(),
                other => other.into(),
            }
        }
        fn region(&self, code: &str) -> String {
            format!("地区{code}")
        }
        fn audience(&self, code: &str) -> String {
            match code {
                "farmer" => "农民".into(),
                other => other.into(),
            }
        }
    }

    fn candidate(
        id: i64,
        channel: &str,
        tags: &[&str],
        region: Option<&str>,
        days_old: i64,
    ) -> Candidate {
        Candidate {
            id,
            channel: channel.into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            audiences: vec!["farmer".into()],
            region_code: region.map(str::to_owned),
            published_at: Utc::now() - Duration::days(days_old),
            reads: 0,
            completions: 0,
            likes: 0,
            region_reads: 0,
            pushed: false,
        }
    }

    fn farmer() -> Reader {
        Reader {
            audience: Some("farmer".into()),
            interests: vec![("柑橘".into(), 1.0)],
            region_code: Some("511623".into()),
        }
    }

    #[test]
    fn a_local_article_on_what_the_reader_follows_comes_first_with_its_reason() {
        let cs = vec![
            candidate(1, "health", &["高血压"], None, 1),
            candidate(2, "agriculture", &["柑橘"], Some("511623"), 20),
            candidate(3, "agriculture", &["柑橘"], None, 20),
        ];
        let ranked = rank(&cs, &farmer(), Utc::now(), &TestNames, 10);
        assert_eq!(ranked[0].id, 2);
        assert_eq!(ranked[0].reason, "因为您关注“柑橘”");
        assert_eq!(ranked[1].id, 3);
    }

    #[test]
    fn another_countys_advice_sinks_and_a_push_tops_everything() {
        let mut pushed = candidate(4, "safety", &["地震"], None, 60);
        pushed.pushed = true;
        let cs = vec![
            candidate(1, "agriculture", &["柑橘"], Some("510824"), 1),
            candidate(2, "agriculture", &["水稻"], None, 1),
            pushed,
        ];
        let ranked = rank(&cs, &farmer(), Utc::now(), &TestNames, 10);
        assert_eq!(ranked[0].id, 4);
        assert_eq!(ranked[0].reason, "精准推送给您");
        assert_eq!(ranked.last().unwrap().id, 1, "{ranked:?}");
    }

    #[test]
    fn a_townships_resource_is_local_to_its_county() {
        let mut in_township = farmer();
        in_township.region_code = Some("511623100".into());
        let here = candidate(1, "health", &[], Some("511623100"), 1);
        let next_door = candidate(2, "health", &[], Some("511623101"), 1);
        let elsewhere = candidate(3, "health", &[], Some("511621100"), 1);
        let county = candidate(4, "health", &[], Some("511623"), 1);
        let local = |c: &Candidate, r: &Reader| locality(c, r, &TestNames);
        assert_eq!(
            local(&here, &in_township),
            (SAME_COUNTY, 1.0, Some("地区511623100本地科普".into()))
        );
        assert_eq!(
            local(&next_door, &in_township),
            (SAME_COUNTY, 1.0, Some("地区511623本地科普".into()))
        );
        assert_eq!(local(&county, &in_township).0, SAME_COUNTY);
        assert_eq!(local(&elsewhere, &in_township).1, ELSEWHERE);
        // A reader who named only the county.
        assert_eq!(local(&here, &farmer()).0, SAME_COUNTY);
    }

    #[test]
    fn channels_are_mixed() {
        let mut cs: Vec<Candidate> = (1..=5)
            .map(|i| candidate(i, "agriculture", &["柑橘"], None, i))
            .collect();
        cs.push(candidate(9, "health", &[], None, 3));
        let ranked = rank(&cs, &farmer(), Utc::now(), &TestNames, 10);
        let position = ranked.iter().position(|r| r.id == 9).unwrap();
        assert!(
            position < 5,
            "health should interleave, got {position}: {ranked:?}"
        );
    }

    #[test]
    fn ranking_is_stable_for_the_same_input() {
        let cs: Vec<Candidate> = (1..=8)
            .map(|i| candidate(i, "earth", &[], None, 10))
            .collect();
        let now = Utc::now();
        assert_eq!(
            rank(&cs, &Reader::default(), now, &TestNames, 10),
            rank(&cs, &Reader::default(), now, &TestNames, 10)
        );
    }
}
