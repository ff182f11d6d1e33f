//! 科创会 (the yearly science-and-innovation fair): its phases, the three project categories, the
//! sectors, review criteria, the robust aggregate of reviewers' scores and selection by rank
//! within each hall's quota. Pure: the app stores, these functions decide.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use crate::fields::FieldErrors;

crate::labelled_enum!(
    /// What a project is at the fair: a capability or an achievement as 待推广的高新技术 or
    /// 待转化的科技成果, a need as 待攻克的科技难题.
    Category, "项目类别" {
        Technology => "technology", "待推广的高新技术";
        Achievement => "achievement", "待转化的科技成果";
        Problem => "problem", "待攻克的科技难题";
    }
);

impl Category {
    /// Whether a listing of `listing_kind` may enter as this category.
    pub fn accepts(self, listing_kind: &str) -> bool {
        match self {
            Category::Technology | Category::Achievement => {
                matches!(listing_kind, "offer" | "achievement")
            }
            Category::Problem => listing_kind == "need",
        }
    }

    /// The category a listing enters as when none is named.
    pub fn default_for(listing_kind: &str) -> Option<Category> {
        match listing_kind {
            "offer" => Some(Category::Technology),
            "achievement" => Some(Category::Achievement),
            "need" => Some(Category::Problem),
            _ => None,
        }
    }
}

crate::labelled_enum!(
    /// Sichuan's six leading industries plus modern agriculture (六大优势产业 + 现代农业).
    Sector, "产业领域" {
        Electronics => "electronics", "电子信息";
        Equipment => "equipment", "装备制造";
        Food => "food", "食品轻纺";
        Energy => "energy", "能源化工";
        Materials => "materials", "先进材料";
        Medicine => "medicine", "医药健康";
        Agriculture => "agriculture", "现代农业";
    }
);

impl Sector {
    /// The sector a listing's GB/T 4754 industry code most likely belongs to, when the one who
    /// enters it names none.
    pub fn from_industry(code: &str) -> Option<Sector> {
        let code = code.trim().to_ascii_uppercase();
        let division: u32 = code.get(1..3).and_then(|d| d.parse().ok()).unwrap_or(0);
        match code.get(..1)? {
            "A" => Some(Sector::Agriculture),
            "I" => Some(Sector::Electronics),
            "D" | "B" => Some(Sector::Energy),
            "Q" => Some(Sector::Medicine),
            "C" => Some(match division {
                13..=19 => Sector::Food,
                25 | 26 | 28 => Sector::Energy,
                27 => Sector::Medicine,
                29..=33 => Sector::Materials,
                39 => Sector::Electronics,
                _ => Sector::Equipment,
            }),
            "M" => Some(Sector::Equipment),
            _ => None,
        }
    }
}

crate::labelled_enum!(
    /// An edition's phases, in order, each from the previous one's end.
    Phase, "阶段" {
        Collecting => "collecting", "征集";
        Reviewing => "reviewing", "遴选";
        InSession => "in_session", "会期";
        Signing => "signing", "签约";
        FollowUp => "follow_up", "跟踪";
    }
);

/// An edition's dates: projects are collected until `collect_until`, reviewed and selected until
/// the fair opens, the fair runs `opens_at`..`closes_at`, signing goes on until `signing_until`,
/// and follow-up after that.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    pub collect_until: DateTime<Utc>,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub signing_until: DateTime<Utc>,
}

/// How long after the fair closes both sides are asked for an outcome.
pub const OUTCOME_AFTER_DAYS: i64 = 182;
/// An unanswered 1:1 meeting request lapses after this long, freeing its slot.
pub const MEETING_EXPIRES_DAYS: i64 = 3;
/// Reviewers every project needs at least.
pub const MIN_REVIEWERS: u32 = 3;
/// Major projects the province picks per category.
pub const MAJOR_PER_CATEGORY: i64 = 10;

impl Schedule {
    pub fn phase(&self, now: DateTime<Utc>) -> Phase {
        if now < self.collect_until {
            Phase::Collecting
        } else if now < self.opens_at {
            Phase::Reviewing
        } else if now < self.closes_at {
            Phase::InSession
        } else if now < self.signing_until {
            Phase::Signing
        } else {
            Phase::FollowUp
        }
    }

    /// When the six-month outcome requests go out.
    pub fn outcomes_due(&self) -> DateTime<Utc> {
        self.closes_at + Duration::days(OUTCOME_AFTER_DAYS)
    }

    /// Checks the dates are in order; errors are keyed by field.
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        if self.opens_at <= self.collect_until {
            errors.add("opens_at", "开幕时间应晚于征集截止时间（中间留出遴选）");
        }
        if self.closes_at <= self.opens_at {
            errors.add("closes_at", "闭幕时间应晚于开幕时间");
        }
        if self.closes_at - self.opens_at > Duration::days(31) {
            errors.add("closes_at", "会期不能超过31天");
        }
        if self.signing_until < self.closes_at {
            errors.add("signing_until", "签约截止时间不能早于闭幕时间");
        }
        if self.signing_until - self.closes_at > Duration::days(366) {
            errors.add("signing_until", "签约期不能超过一年");
        }
        errors.into_result()
    }
}

crate::labelled_enum!(
    /// The "1+3+4+22+N" programme: an opening, 科创沙龙, major-project roadshows, the regional
    /// zones, the collective signing, and anything else.
    SessionKind, "活动类型" {
        Opening => "opening", "开幕式";
        Salon => "salon", "科创沙龙";
        Roadshow => "roadshow", "重大项目路演";
        Zone => "zone", "地区专场";
        Signing => "signing", "集中签约";
        Other => "other", "其他活动";
    }
);

crate::labelled_enum!(
    /// What came of a meeting or a deal six months after the fair.
    Outcome, "对接成效" {
        None => "none", "无进一步联系";
        Knowledge => "knowledge", "获得知识";
        Contact => "contact", "建立有价值的联系";
        Negotiating => "negotiating", "正在洽谈";
        Agreement => "agreement", "达成协议";
    }
);

/// One review criterion with its weight (percent of the whole).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Criterion {
    pub key: String,
    pub name: String,
    pub weight: u32,
}

/// The criteria an edition gets unless its administrator configures others.
pub fn default_criteria() -> Vec<Criterion> {
    let c = |key: &str, name: &str, weight| Criterion {
        key: key.into(),
        name: name.into(),
        weight,
    };
    vec![
        c("advanced", "技术先进性", 30),
        c("market", "市场前景", 30),
        c("feasibility", "转化可行性", 25),
        c("impact", "带动效益", 15),
    ]
}

/// Checks an edition's criteria: 1 to 10, keys unique and plain, names 2–20 characters,
/// weights positive and summing to 100. Errors are keyed `criteria[i].field`.
pub fn validate_criteria(criteria: &[Criterion]) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::new();
    if criteria.is_empty() || criteria.len() > 10 {
        errors.add("criteria", "评审指标应为1到10项");
    }
    let mut seen = std::collections::HashSet::new();
    for (i, c) in criteria.iter().enumerate() {
        let key_ok = !c.key.is_empty()
            && c.key.len() <= 30
            && c.key
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_');
        if !key_ok {
            errors.add(
                &format!("criteria[{i}].key"),
                "指标代码只能由小写字母、数字和下划线组成，最长30个字符",
            );
        } else if !seen.insert(c.key.as_str()) {
            errors.add(&format!("criteria[{i}].key"), "指标代码重复");
        }
        let name_len = c.name.trim().chars().count();
        if !(2..=20).contains(&name_len) {
            errors.add(&format!("criteria[{i}].name"), "指标名称应为2到20个字");
        }
        if c.weight == 0 || c.weight > 100 {
            errors.add(&format!("criteria[{i}].weight"), "权重应为1到100");
        }
    }
    let total: u32 = criteria.iter().map(|c| c.weight).sum();
    if !criteria.is_empty() && total != 100 && errors.is_empty() {
        errors.add("criteria", format!("各指标权重之和应为100，现为{total}"));
    }
    errors.into_result()
}

/// A reviewer's score from per-criterion scores (each 0–100): the weighted mean. Errors name
/// the criterion missing, unknown or out of range.
pub fn weighted_score(
    criteria: &[Criterion],
    given: &HashMap<String, f64>,
) -> Result<f64, FieldErrors> {
    let mut errors = FieldErrors::new();
    for key in given.keys() {
        if !criteria.iter().any(|c| &c.key == key) {
            errors.add(&format!("criteria.{key}"), "本届没有这项评审指标");
        }
    }
    let mut sum = 0.0;
    let mut weights = 0.0;
    for c in criteria {
        match given.get(&c.key) {
            Some(v) if v.is_finite() && (0.0..=100.0).contains(v) => {
                sum += v * f64::from(c.weight);
                weights += f64::from(c.weight);
            }
            Some(_) => errors.add(&format!("criteria.{}", c.key), "分数应在0到100之间"),
            None => errors.add(
                &format!("criteria.{}", c.key),
                format!("请为“{}”打分", c.name),
            ),
        }
    }
    errors.into_result()?;
    Ok(if weights > 0.0 { sum / weights } else { 0.0 })
}

/// The aggregate of a project's scores, robust to one extreme reviewer: with three or more
/// scores the highest and the lowest are dropped and the rest averaged (with three, that is the
/// median); with fewer there is no aggregate (the project is not yet fully reviewed).
pub fn trimmed_mean(scores: &[f64]) -> Option<f64> {
    if scores.len() < MIN_REVIEWERS as usize {
        return None;
    }
    let mut sorted = scores.to_vec();
    sorted.sort_by(f64::total_cmp);
    let kept = &sorted[1..sorted.len() - 1];
    Some(kept.iter().sum::<f64>() / kept.len() as f64)
}

/// A project as ranking sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    pub id: i64,
    pub hall_code: String,
    pub category: Category,
    pub score: Option<f64>,
    pub review_count: u32,
}

/// Where ranking put a project: its rank within its hall and category (1-based; none when it has
/// no aggregate yet) and whether it is selected.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placing {
    pub id: i64,
    pub group_rank: Option<u32>,
    pub selected: bool,
}

/// Ranks each hall's projects within their category by aggregate (higher first; ties by more
/// reviews, then the earlier entry) and selects the first `quota` of each group, or every ranked
/// project where the group has no quota. A project without an aggregate is neither ranked nor
/// selected. Returns one placing per project, in the input's order.
pub fn select(projects: &[Ranked], quotas: &HashMap<(String, Category), u32>) -> Vec<Placing> {
    let mut groups: HashMap<(&str, Category), Vec<&Ranked>> = HashMap::new();
    for p in projects.iter().filter(|p| p.score.is_some()) {
        groups
            .entry((p.hall_code.as_str(), p.category))
            .or_default()
            .push(p);
    }
    let mut placed: HashMap<i64, (u32, bool)> = HashMap::with_capacity(projects.len());
    for ((hall, category), mut group) in groups {
        group.sort_by(|a, b| {
            b.score
                .unwrap_or(0.0)
                .total_cmp(&a.score.unwrap_or(0.0))
                .then(b.review_count.cmp(&a.review_count))
                .then(a.id.cmp(&b.id))
        });
        let quota = quotas
            .get(&(hall.to_owned(), category))
            .copied()
            .unwrap_or(u32::MAX);
        for (i, p) in group.iter().enumerate() {
            let rank = i as u32 + 1;
            placed.insert(p.id, (rank, rank <= quota));
        }
    }
    projects
        .iter()
        .map(|p| {
            let (rank, selected) = placed
                .get(&p.id)
                .map_or((None, false), |&(r, s)| (Some(r), s));
            Placing {
                id: p.id,
                group_rank: rank,
                selected,
            }
        })
        .collect()
}

/// The hall a project shows in: its city's (the first four digits of its region), or the
/// province's own ('51') for a listing registered at the province level.
pub fn hall_of(region_code: &str) -> &str {
    region_code.get(..4).unwrap_or("51")
}

/// Why a reviewer may not review a project: the same organisation as its owner, or the same
/// county. `None` when there is no conflict.
pub fn conflict(
    reviewer_region: &str,
    reviewer_org: Option<&str>,
    project_region: &str,
    owner_org: Option<&str>,
) -> Option<&'static str> {
    let same_org = matches!((reviewer_org, owner_org), (Some(a), Some(b)) if !a.trim().is_empty() && a.trim() == b.trim());
    if same_org {
        return Some("评审专家与项目方属同一单位，应当回避");
    }
    let county = |code: &str| code.get(..6).map(str::to_owned);
    if reviewer_region.len() >= 6 && county(reviewer_region) == county(project_region) {
        return Some("评审专家与项目同属一个县（市、区），应当回避");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, day, 0, 0, 0).unwrap()
    }

    #[test]
    fn phases_follow_the_dates() {
        let s = Schedule {
            collect_until: at(5),
            opens_at: at(10),
            closes_at: at(12),
            signing_until: at(20),
        };
        assert!(s.validate().is_ok());
        assert_eq!(s.phase(at(1)), Phase::Collecting);
        assert_eq!(s.phase(at(5)), Phase::Reviewing);
        assert_eq!(s.phase(at(11)), Phase::InSession);
        assert_eq!(s.phase(at(12)), Phase::Signing);
        assert_eq!(s.phase(at(25)), Phase::FollowUp);
        let bad = Schedule {
            opens_at: at(4),
            ..s
        };
        assert!(bad.validate().unwrap_err().get("opens_at").is_some());
    }

    #[test]
    fn one_extreme_reviewer_barely_moves_the_aggregate() {
        assert_eq!(trimmed_mean(&[80.0, 82.0]), None);
        assert_eq!(trimmed_mean(&[80.0, 82.0, 0.0]), Some(80.0));
        assert_eq!(trimmed_mean(&[80.0, 100.0, 82.0, 84.0]), Some(83.0));
        let plain_mean = (80.0 + 82.0 + 0.0) / 3.0;
        assert!(plain_mean < 55.0, "a plain mean would sink the project");
    }

    #[test]
    fn selection_ranks_within_hall_and_category_up_to_the_quota() {
        let p = |id, hall: &str, category, score| Ranked {
            id,
            hall_code: hall.into(),
            category,
            score,
            review_count: 3,
        };
        let projects = vec![
            p(1, "5101", Category::Technology, Some(70.0)),
            p(2, "5101", Category::Technology, Some(90.0)),
            p(3, "5101", Category::Technology, Some(80.0)),
            p(4, "5101", Category::Problem, Some(10.0)),
            p(5, "5110", Category::Technology, Some(60.0)),
            p(6, "5101", Category::Technology, None),
        ];
        let quotas = HashMap::from([(("5101".to_owned(), Category::Technology), 2)]);
        let placed = select(&projects, &quotas);
        let of = |id| placed.iter().find(|p| p.id == id).copied().unwrap();
        assert_eq!((of(2).group_rank, of(2).selected), (Some(1), true));
        assert_eq!((of(3).group_rank, of(3).selected), (Some(2), true));
        assert_eq!((of(1).group_rank, of(1).selected), (Some(3), false));
        // No quota for these groups: every ranked project is selected.
        assert!(of(4).selected && of(5).selected);
        assert_eq!((of(6).group_rank, of(6).selected), (None, false));
    }

    #[test]
    fn criteria_weights_and_scores() {
        let criteria = default_criteria();
        assert!(validate_criteria(&criteria).is_ok());
        let mut off = criteria.clone();
        off[0].weight = 10;
        assert!(
            validate_criteria(&off)
                .unwrap_err()
                .get("criteria")
                .is_some()
        );
        let given: HashMap<String, f64> = [
            ("advanced", 100.0),
            ("market", 100.0),
            ("feasibility", 0.0),
            ("impact", 0.0),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        assert_eq!(weighted_score(&criteria, &given).unwrap(), 60.0);
        let mut missing = given.clone();
        missing.remove("impact");
        assert!(
            weighted_score(&criteria, &missing)
                .unwrap_err()
                .get("criteria.impact")
                .is_some()
        );
    }

    #[test]
    fn conflicts_by_organisation_and_county() {
        assert!(conflict("511002", None, "511002", None).is_some());
        assert!(conflict("511011", None, "511002", None).is_none());
        assert!(conflict("51", Some("四川大学"), "511002", Some("四川大学")).is_some());
        assert!(conflict("5110", None, "511002", None).is_none());
    }

    #[test]
    fn sectors_and_halls() {
        assert_eq!(Sector::from_industry("A03"), Some(Sector::Agriculture));
        assert_eq!(Sector::from_industry("C38"), Some(Sector::Equipment));
        assert_eq!(Sector::from_industry("C27"), Some(Sector::Medicine));
        assert_eq!(hall_of("511002"), "5110");
        assert_eq!(hall_of("51"), "51");
        assert!(Category::Problem.accepts("need") && !Category::Problem.accepts("offer"));
    }
}
