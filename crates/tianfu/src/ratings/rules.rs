//! The rules of a rating, pure: its kinds and levels, the review chain county → city → province
//! as a state machine, who may take which step, and what a case and an application must say.

use tianfu_domain::{Department, FieldErrors, RegionCode, RegionLevel, Role};

use crate::platform::auth::Actor;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectKind {
    Studio,
    Case,
}

impl SubjectKind {
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        match text.trim() {
            "studio" => Ok(SubjectKind::Studio),
            "case" => Ok(SubjectKind::Case),
            _ => Err("评定对象只能是 studio（科创工作室）或 case（案例）"),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Studio => "studio",
            SubjectKind::Case => "case",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SubjectKind::Studio => "科创工作室",
            SubjectKind::Case => "案例",
        }
    }

    /// The departments whose staff review it: a studio is the scientists' department's work; a
    /// case, between a scientist and an organisation, either department's.
    pub fn departments(self) -> &'static [Department] {
        match self {
            SubjectKind::Studio => &[Department::Worker],
            SubjectKind::Case => &[Department::Worker, Department::Org],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Typical,
    Excellent,
}

impl Level {
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        match text.trim() {
            "typical" => Ok(Level::Typical),
            "excellent" => Ok(Level::Excellent),
            _ => Err("等级只能是 typical（典型）或 excellent（精品）"),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Typical => "typical",
            Level::Excellent => "excellent",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Level::Typical => "典型",
            Level::Excellent => "精品",
        }
    }
}

/// The badge's words: 2026年度精品科创工作室, 2025年度典型案例.
pub fn badge(year: i32, level: Level, kind: SubjectKind) -> String {
    format!("{year}年度{}{}", level.label(), kind.label())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    CountyReview,
    CityReview,
    ProvinceReview,
    Approved,
    Rejected,
    Revoked,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::CountyReview,
        Status::CityReview,
        Status::ProvinceReview,
        Status::Approved,
        Status::Rejected,
        Status::Revoked,
    ];

    pub fn parse(text: &str) -> Option<Self> {
        Status::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::CountyReview => "county_review",
            Status::CityReview => "city_review",
            Status::ProvinceReview => "province_review",
            Status::Approved => "approved",
            Status::Rejected => "rejected",
            Status::Revoked => "revoked",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::CountyReview => "待县级审核",
            Status::CityReview => "待市级审核",
            Status::ProvinceReview => "待省级审核",
            Status::Approved => "已评定",
            Status::Rejected => "未通过",
            Status::Revoked => "已撤销",
        }
    }

    /// The level whose staff decide now, for a status awaiting a decision.
    pub fn step(self) -> Option<RegionLevel> {
        match self {
            Status::CountyReview => Some(RegionLevel::County),
            Status::CityReview => Some(RegionLevel::City),
            Status::ProvinceReview => Some(RegionLevel::Province),
            _ => None,
        }
    }

    pub fn step_name(self) -> &'static str {
        match self {
            Status::CountyReview => "county",
            Status::CityReview => "city",
            Status::ProvinceReview => "province",
            _ => "",
        }
    }
}

/// Where the chain starts for a subject in `region`: its county; the city when it lies in a
/// city's own region (no county); the province for the province itself.
pub fn first_status(region: &RegionCode) -> Status {
    match region.level() {
        RegionLevel::County | RegionLevel::Township => Status::CountyReview,
        RegionLevel::City => Status::CityReview,
        RegionLevel::Province => Status::ProvinceReview,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
}

impl Decision {
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        match text.trim() {
            "approve" => Ok(Decision::Approve),
            "reject" => Ok(Decision::Reject),
            _ => Err("审核结论只能是 approve（通过）或 reject（不通过）"),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::Reject => "reject",
        }
    }
}

/// The status a decision leads to, or why it cannot be taken now.
pub fn decide(from: Status, decision: Decision) -> Result<Status, &'static str> {
    match (from, decision) {
        (Status::CountyReview, Decision::Approve) => Ok(Status::CityReview),
        (Status::CityReview, Decision::Approve) => Ok(Status::ProvinceReview),
        (Status::ProvinceReview, Decision::Approve) => Ok(Status::Approved),
        (s, Decision::Reject) if s.step().is_some() => Ok(Status::Rejected),
        _ => Err("该评定已不在审核中"),
    }
}

/// Only a rating in force can be revoked.
pub fn revoke(from: Status) -> Result<Status, &'static str> {
    match from {
        Status::Approved => Ok(Status::Revoked),
        _ => Err("只有已评定的才能撤销"),
    }
}

fn in_department(actor: &Actor, kind: SubjectKind) -> bool {
    actor.role == Role::Admin
        || (actor.role == Role::Staff
            && actor
                .department
                .is_some_and(|d| kind.departments().contains(&d)))
}

fn covers(actor: &Actor, region: &RegionCode) -> bool {
    actor.role == Role::Admin || (actor.role == Role::Staff && actor.region.contains(region))
}

/// May the actor take the step `status` awaits, for a subject of `kind` in `region`? Staff of
/// that very level whose region contains the subject, of a reviewing department; a county's
/// staff never take the city's step, nor a city's the county's. Administrators take any.
pub fn can_decide(actor: &Actor, kind: SubjectKind, region: &RegionCode, status: Status) -> bool {
    let Some(step) = status.step() else {
        return false;
    };
    if actor.role == Role::Admin {
        return true;
    }
    in_department(actor, kind) && covers(actor, region) && actor.region.level() == step
}

/// May staff put a subject forward (提名)? Reviewing staff of any level whose region contains it.
pub fn can_nominate(actor: &Actor, kind: SubjectKind, region: &RegionCode) -> bool {
    in_department(actor, kind) && covers(actor, region)
}

/// May the actor revoke a rating? Province staff, or a city's staff for subjects in their city,
/// of a reviewing department; administrators.
pub fn can_revoke(actor: &Actor, kind: SubjectKind, region: &RegionCode) -> bool {
    in_department(actor, kind)
        && covers(actor, region)
        && (actor.role == Role::Admin
            || matches!(
                actor.region.level(),
                RegionLevel::Province | RegionLevel::City
            ))
}

/// The years one may apply for: this year, or last year while its list is still being made.
pub fn check_year(year: i32, this_year: i32) -> Result<i32, String> {
    if year == this_year || year == this_year - 1 {
        Ok(year)
    } else {
        Err(format!(
            "评定年度只能是{}年或{}年",
            this_year - 1,
            this_year
        ))
    }
}

fn length(text: &str) -> usize {
    text.trim().chars().count()
}

/// Checks a text field: trimmed, between `min` and `max` characters; `name` is its Chinese name.
pub fn check_text(
    errors: &mut FieldErrors,
    field: &str,
    name: &str,
    text: &str,
    min: usize,
    max: usize,
) -> String {
    let n = length(text);
    if n == 0 && min > 0 {
        errors.add(field, format!("请填写{name}"));
    } else if n < min {
        errors.add(field, format!("{name}至少{min}个字（现为{n}个字）"));
    } else if n > max {
        errors.add(field, format!("{name}不能超过{max}个字（现为{n}个字）"));
    }
    text.trim().to_owned()
}

/// A case's words, checked together so that every bad field is named at once.
pub struct CaseText {
    pub title: String,
    pub story: String,
    pub lessons: String,
}

pub fn check_case(title: &str, story: &str, lessons: &str) -> Result<CaseText, FieldErrors> {
    let mut errors = FieldErrors::new();
    let text = CaseText {
        title: check_text(&mut errors, "title", "案例标题", title, 4, 60),
        story: check_text(&mut errors, "story", "案例经过", story, 50, 5000),
        lessons: check_text(&mut errors, "lessons", "经验启示", lessons, 0, 2000),
    };
    errors.into_result().map(|()| text)
}

/// Preset reasons a reviewer picks from (the form also takes their own words).
pub const REJECT_REASONS: &[&str] = &[
    "材料不完整，请补充后重新申报",
    "业绩指标未达到本级评定要求",
    "案例内容与实际交易不符",
    "本年度名额已满",
];

pub const REVOKE_REASONS: &[&str] = &[
    "经核查存在弄虚作假",
    "发生严重违约或投诉属实",
    "工作室已停止服务",
];

#[cfg(test)]
mod tests {
    use super::*;
    use tianfu_domain::UserId;

    fn staff(region: &str, department: Department) -> Actor {
        Actor {
            id: UserId(1),
            role: Role::Staff,
            name: "测试".into(),
            phone: "13800000000".into(),
            region: RegionCode::parse(region).unwrap(),
            region_name: String::new(),
            department: Some(department),
            badges: Default::default(),
        }
    }

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    #[test]
    fn the_chain_runs_county_city_province_and_a_reject_ends_it() {
        let mut status = first_status(&code("511011"));
        assert_eq!(status, Status::CountyReview);
        for expected in [Status::CityReview, Status::ProvinceReview, Status::Approved] {
            status = decide(status, Decision::Approve).unwrap();
            assert_eq!(status, expected);
        }
        assert!(decide(Status::Approved, Decision::Approve).is_err());
        assert!(decide(Status::Approved, Decision::Reject).is_err());
        assert_eq!(
            decide(Status::CityReview, Decision::Reject),
            Ok(Status::Rejected)
        );
        assert!(decide(Status::Rejected, Decision::Approve).is_err());
        assert_eq!(revoke(Status::Approved), Ok(Status::Revoked));
        assert!(revoke(Status::ProvinceReview).is_err());
        assert!(revoke(Status::Revoked).is_err());
    }

    #[test]
    fn a_subject_without_a_county_starts_at_its_city() {
        assert_eq!(first_status(&code("5110")), Status::CityReview);
        assert_eq!(first_status(&code("511011100")), Status::CountyReview);
        assert_eq!(first_status(&code("51")), Status::ProvinceReview);
    }

    #[test]
    fn each_step_is_its_own_levels_and_inside_its_region() {
        let region = code("511011");
        let county = staff("511011", Department::Worker);
        let other_county = staff("511024", Department::Worker);
        let city = staff("5110", Department::Worker);
        let province = staff("51", Department::Worker);
        let kind = SubjectKind::Studio;
        assert!(can_decide(&county, kind, &region, Status::CountyReview));
        assert!(!can_decide(
            &other_county,
            kind,
            &region,
            Status::CountyReview
        ));
        assert!(!can_decide(&city, kind, &region, Status::CountyReview));
        assert!(!can_decide(&county, kind, &region, Status::CityReview));
        assert!(can_decide(&city, kind, &region, Status::CityReview));
        assert!(!can_decide(
            &staff("5101", Department::Worker),
            kind,
            &region,
            Status::CityReview
        ));
        assert!(can_decide(&province, kind, &region, Status::ProvinceReview));
        assert!(!can_decide(&province, kind, &region, Status::Approved));
        let kepu = staff("5110", Department::Kepu);
        assert!(!can_decide(&kepu, kind, &region, Status::CityReview));
        let org = staff("5110", Department::Org);
        assert!(!can_decide(&org, kind, &region, Status::CityReview));
        assert!(can_decide(
            &org,
            SubjectKind::Case,
            &region,
            Status::CityReview
        ));
    }

    #[test]
    fn only_city_and_province_staff_revoke_and_anyone_in_scope_nominates() {
        let region = code("511011");
        let kind = SubjectKind::Studio;
        assert!(!can_revoke(
            &staff("511011", Department::Worker),
            kind,
            &region
        ));
        assert!(can_revoke(
            &staff("5110", Department::Worker),
            kind,
            &region
        ));
        assert!(!can_revoke(
            &staff("5101", Department::Worker),
            kind,
            &region
        ));
        assert!(can_revoke(&staff("51", Department::Worker), kind, &region));
        assert!(can_nominate(
            &staff("511011", Department::Worker),
            kind,
            &region
        ));
        assert!(!can_nominate(
            &staff("511024", Department::Worker),
            kind,
            &region
        ));
    }

    #[test]
    fn texts_and_years_are_checked_with_the_fields_named() {
        let errors = check_case("短", "太短了", "").err().unwrap().into_map();
        assert!(errors["title"].contains("案例标题至少4个字"), "{errors:?}");
        assert!(errors["story"].contains("案例经过"), "{errors:?}");
        assert!(!errors.contains_key("lessons"));
        assert!(check_case("蛋鸡增产合作", &"经过".repeat(30), "").is_ok());
        assert_eq!(check_year(2026, 2026), Ok(2026));
        assert_eq!(check_year(2025, 2026), Ok(2025));
        assert!(
            check_year(2024, 2026)
                .unwrap_err()
                .contains("2025年或2026年")
        );
        assert_eq!(
            badge(2026, Level::Excellent, SubjectKind::Studio),
            "2026年度精品科创工作室"
        );
        assert_eq!(
            badge(2025, Level::Typical, SubjectKind::Case),
            "2025年度典型案例"
        );
    }
}
