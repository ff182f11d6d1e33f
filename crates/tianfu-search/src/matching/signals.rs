//! The platform signals that reorder close matches after retrieval. Each is a small factor
//! around 1.0: they decide between listings that answer a need about equally well, and never
//! lift a weak answer over a clearly better one.

/// Same county, same city (GB/T 2260 prefixes): local service is cheaper and faster. Two
/// townships of one county, or a township and its county, are the same county.
pub fn region(query: &str, candidate: &str) -> (f32, Option<RegionFit>) {
    if query.len() >= 6 && candidate.get(..6) == query.get(..6) {
        (1.10, Some(RegionFit::SameCounty))
    } else if query.len() >= 4 && candidate.get(..4) == query.get(..4) {
        (1.05, Some(RegionFit::SameCity))
    } else {
        (1.0, None)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionFit {
    SameCounty,
    SameCity,
}

/// Same GB/T 4754 section ("A03" and "A01" are both agriculture, forestry, husbandry, fishery).
pub fn industry(query: &str, candidate: &str) -> f32 {
    match (query.chars().next(), candidate.chars().next()) {
        (Some(a), Some(b)) if a == b => 1.15,
        _ => 1.0,
    }
}

/// Does the kind of help offered suit the kind of need? Either side may be the query.
pub fn kind_fit(a: Option<&str>, b: Option<&str>) -> bool {
    let suits = |need: &str, service: &str| match need {
        "problem" => matches!(service, "development" | "consulting" | "service"),
        "cooperation" => matches!(service, "development" | "transfer"),
        "talent" => matches!(service, "consulting" | "service"),
        "equipment" => service == "service",
        _ => false,
    };
    match (a, b) {
        (Some(a), Some(b)) => suits(a, b) || suits(b, a),
        _ => false,
    }
}

/// Price against budget (either side may be the need); 面议 on either side is neutral.
pub fn budget(a: Option<i64>, b: Option<i64>, query_is_need: bool) -> (f32, bool) {
    let (budget, price) = if query_is_need { (a, b) } else { (b, a) };
    match (budget, price) {
        (Some(budget), Some(price)) if price <= budget => (1.05, true),
        (Some(budget), Some(price)) if price <= budget + budget / 2 => (1.0, false),
        (Some(_), Some(_)) => (0.92, false),
        _ => (1.0, false),
    }
}

/// Fresh listings are likelier to be answered; stale ones a little less.
pub fn recency(published_at: i64, now: i64) -> f32 {
    const DAY: i64 = 86_400;
    if now <= 0 || published_at <= 0 {
        return 1.0;
    }
    match (now - published_at) / DAY {
        age if age <= 90 => 1.03,
        age if age > 730 => 0.95,
        _ => 1.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearer_is_better_but_only_a_little() {
        assert_eq!(
            region("511011", "511011"),
            (1.10, Some(RegionFit::SameCounty))
        );
        assert_eq!(
            region("511011", "511024"),
            (1.05, Some(RegionFit::SameCity))
        );
        assert_eq!(region("511011", "510104"), (1.0, None));
        for (query, candidate) in [
            ("511623100", "511623"),
            ("511623", "511623101"),
            ("511623100", "511623101"),
        ] {
            assert_eq!(
                region(query, candidate),
                (1.10, Some(RegionFit::SameCounty)),
                "{query} {candidate}"
            );
        }
        assert_eq!(
            region("511623100", "511621100"),
            (1.05, Some(RegionFit::SameCity))
        );
        assert_eq!(
            region("5110", "511024"),
            (1.05, Some(RegionFit::SameCity)),
            "a city-level listing"
        );
        // A clearly better match (BM25 twice as high) far away still wins.
        assert!(2.0 * region("511011", "510104").0 > 1.0 * region("511011", "511011").0);
    }

    #[test]
    fn the_same_section_counts() {
        assert!(industry("A03", "A01") > 1.0);
        assert_eq!(industry("A03", "C"), 1.0);
        assert_eq!(industry("", "C"), 1.0);
    }

    #[test]
    fn kinds_of_help_suit_kinds_of_need_both_ways() {
        assert!(kind_fit(Some("problem"), Some("consulting")));
        assert!(kind_fit(Some("development"), Some("cooperation")));
        assert!(!kind_fit(Some("equipment"), Some("transfer")));
        assert!(!kind_fit(None, Some("service")));
    }

    #[test]
    fn within_budget_is_preferred_and_far_over_is_not() {
        assert_eq!(budget(Some(2_000_000), Some(800_000), true), (1.05, true));
        assert_eq!(
            budget(Some(800_000), Some(2_000_000), false),
            (1.05, true),
            "an offer asking about needs"
        );
        assert_eq!(budget(Some(2_000_000), Some(2_800_000), true).0, 1.0);
        assert!(budget(Some(2_000_000), Some(9_000_000), true).0 < 1.0);
        assert_eq!(budget(None, Some(9_000_000), true), (1.0, false), "面议");
    }

    #[test]
    fn fresh_listings_lead_stale_ones() {
        let now = 1_800_000_000;
        assert!(recency(now - 10 * 86_400, now) > recency(now - 400 * 86_400, now));
        assert!(recency(now - 800 * 86_400, now) < 1.0);
        assert_eq!(recency(now, 0), 1.0);
    }
}
