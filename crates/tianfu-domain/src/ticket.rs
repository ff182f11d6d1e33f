//! The nanny service's rules (保姆式服务): ticket kinds, plan templates turned into a timetable,
//! follow-up and rating validation, and when an overdue step escalates. Pure: the app stores
//! and schedules, these functions decide.

use chrono::{DateTime, Duration, Utc};

use crate::account::Department;
use crate::fields::FieldErrors;

crate::labelled_enum!(
    /// 一人一策 follows a registered scientist; 一单一策 follows a published need; 一项一策
    /// follows a project selected for the 科创会 until it is signed.
    TicketKind, "服务单类型" {
        Person => "person", "一人一策";
        Need => "need", "一单一策";
        Fair => "fair", "一项一策（科创会）";
    }
);

impl TicketKind {
    /// The service-centre department that nurses this kind of ticket.
    pub fn department(self) -> Department {
        match self {
            TicketKind::Person => Department::Worker,
            TicketKind::Need | TicketKind::Fair => Department::Org,
        }
    }
}

crate::labelled_enum!(
    TicketStatus, "服务单状态" {
        Open => "open", "跟进中";
        Closed => "closed", "已办结";
    }
);

crate::labelled_enum!(
    /// How a nanny reached the person: online and offline follow-ups both count (跟踪问效).
    Channel, "联系方式" {
        Phone => "phone", "电话";
        Visit => "visit", "上门走访";
        Online => "online", "线上沟通";
        Meeting => "meeting", "会议座谈";
    }
);

/// The most steps a plan may hold; a plan longer than this is not a plan a nanny can follow.
pub const MAX_STEPS: usize = 20;
const MAX_STEP_NAME: usize = 30;
const MAX_NOTE: usize = 2000;
const MAX_OUTCOME: usize = 200;
const MAX_REASON: usize = 200;

/// One step of a plan template: done within `due_days` of the ticket opening; a repeating step
/// (a follow-up every 30 days) comes back `repeat_days` after each time it is done.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TemplateStep {
    pub name: String,
    pub due_days: u32,
    pub repeat_days: Option<u32>,
}

/// A ticket kind's plan: its steps, and how many days past due a step may stay undone before
/// the ticket is escalated to the parent region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanTemplate {
    pub steps: Vec<TemplateStep>,
    pub escalate_after_days: u32,
}

/// The plan a new ticket gets when an administrator has not configured one: first contact
/// within 3 days, diagnosis within 7, recommendations within 15, a visit every 30 days; a fair
/// project's first contact within 7 days, its needs sorted out within 15, talks towards signing
/// within 30, and a visit every 30 days.
pub fn default_template(kind: TicketKind) -> PlanTemplate {
    let step = |name: &str, due_days, repeat_days| TemplateStep {
        name: name.to_owned(),
        due_days,
        repeat_days,
    };
    let steps = match kind {
        TicketKind::Person => vec![
            step("首次联系", 3, None),
            step("了解专长与意向", 7, None),
            step("推荐对接需求", 15, None),
            step("定期回访", 30, Some(30)),
        ],
        TicketKind::Need => vec![
            step("首次联系", 3, None),
            step("需求诊断", 7, None),
            step("推荐专家与成果", 15, None),
            step("定期回访", 30, Some(30)),
        ],
        TicketKind::Fair => vec![
            step("入选后首次联系", 7, None),
            step("梳理对接需求", 15, None),
            step("促成洽谈签约", 30, None),
            step("定期回访", 30, Some(30)),
        ],
    };
    PlanTemplate {
        steps,
        escalate_after_days: 7,
    }
}

/// Checks a template an administrator submitted; errors are keyed `steps[i].field`.
pub fn validate_template(template: &PlanTemplate) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::new();
    if template.steps.is_empty() {
        errors.add("steps", "计划至少需要一个步骤");
    }
    if template.steps.len() > MAX_STEPS {
        errors.add("steps", format!("计划最多{MAX_STEPS}个步骤"));
    }
    for (i, step) in template.steps.iter().enumerate() {
        if let Err(e) = step_name(&step.name) {
            errors.add(&format!("steps[{i}].name"), e);
        }
        if !(1..=365).contains(&step.due_days) {
            errors.add(&format!("steps[{i}].due_days"), "完成时限须在1到365天之间");
        }
        if let Some(repeat) = step.repeat_days
            && !(7..=365).contains(&repeat)
        {
            errors.add(
                &format!("steps[{i}].repeat_days"),
                "重复周期须在7到365天之间",
            );
        }
    }
    if !(1..=90).contains(&template.escalate_after_days) {
        errors.add("escalate_after_days", "逾期升级天数须在1到90天之间");
    }
    errors.into_result()
}

/// A step's name, trimmed: 1 to 30 characters.
pub fn step_name(input: &str) -> Result<String, String> {
    let name = input.trim();
    if name.is_empty() {
        return Err("请填写步骤名称".into());
    }
    if name.chars().count() > MAX_STEP_NAME {
        return Err(format!("步骤名称不能超过{MAX_STEP_NAME}个字"));
    }
    Ok(name.to_owned())
}

/// A scheduled step on a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledStep {
    pub name: String,
    pub due_at: DateTime<Utc>,
    pub repeat_days: Option<u32>,
}

/// Turns a template into the ticket's timetable, counted from the moment it opened.
pub fn schedule(template: &PlanTemplate, opened_at: DateTime<Utc>) -> Vec<ScheduledStep> {
    template
        .steps
        .iter()
        .map(|step| ScheduledStep {
            name: step.name.clone(),
            due_at: opened_at + Duration::days(i64::from(step.due_days)),
            repeat_days: step.repeat_days,
        })
        .collect()
}

/// The next occurrence of a repeating step done at `done_at`, if it repeats.
pub fn next_occurrence(
    name: &str,
    repeat_days: Option<u32>,
    done_at: DateTime<Utc>,
) -> Option<ScheduledStep> {
    repeat_days.map(|days| ScheduledStep {
        name: name.to_owned(),
        due_at: done_at + Duration::days(i64::from(days)),
        repeat_days: Some(days),
    })
}

/// Has an undone step due at `due_at` been overdue longer than the threshold at `now`?
pub fn should_escalate(
    due_at: DateTime<Utc>,
    now: DateTime<Utc>,
    escalate_after_days: u32,
) -> bool {
    now - due_at > Duration::days(i64::from(escalate_after_days))
}

/// A follow-up as the nanny logged it, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Followup {
    pub channel: Channel,
    pub note: String,
    pub outcome: Option<String>,
}

pub fn validate_followup(
    channel: &str,
    note: &str,
    outcome: Option<&str>,
) -> Result<Followup, FieldErrors> {
    let mut errors = FieldErrors::new();
    let channel = errors.check("channel", Channel::parse(channel));
    let note = note.trim();
    if note.is_empty() {
        errors.add("note", "请填写跟进情况");
    } else if note.chars().count() > MAX_NOTE {
        errors.add("note", format!("跟进情况不能超过{MAX_NOTE}个字"));
    }
    let outcome = outcome.map(str::trim).filter(|o| !o.is_empty());
    if outcome.is_some_and(|o| o.chars().count() > MAX_OUTCOME) {
        errors.add("outcome", format!("跟进结果不能超过{MAX_OUTCOME}个字"));
    }
    match channel {
        Some(channel) if errors.is_empty() => Ok(Followup {
            channel,
            note: note.to_owned(),
            outcome: outcome.map(str::to_owned),
        }),
        _ => Err(errors),
    }
}

/// The reason a nanny gives when closing a ticket without a deal: 2 to 200 characters.
pub fn close_reason(input: &str) -> Result<String, String> {
    let reason = input.trim();
    if reason.chars().count() < 2 {
        return Err("请填写办结原因".into());
    }
    if reason.chars().count() > MAX_REASON {
        return Err(format!("办结原因不能超过{MAX_REASON}个字"));
    }
    Ok(reason.to_owned())
}

/// The served person's rating of the service: 1 to 5 stars and an optional comment.
pub fn validate_rating(
    stars: i64,
    comment: Option<&str>,
) -> Result<(u8, Option<String>), FieldErrors> {
    let mut errors = FieldErrors::new();
    if !(1..=5).contains(&stars) {
        errors.add("stars", "评分须为1到5星");
    }
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    if comment.is_some_and(|c| c.chars().count() > MAX_OUTCOME) {
        errors.add("comment", format!("评价不能超过{MAX_OUTCOME}个字"));
    }
    errors.into_result()?;
    Ok((stars as u8, comment.map(str::to_owned)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: u32) -> DateTime<Utc> {
        use chrono::TimeZone;
        Utc.with_ymd_and_hms(2026, 11, day, 0, 0, 0).unwrap()
    }

    #[test]
    fn a_template_becomes_a_timetable_from_the_opening_moment() {
        let steps = schedule(&default_template(TicketKind::Need), at(1));
        let due: Vec<_> = steps.iter().map(|s| (s.name.as_str(), s.due_at)).collect();
        assert_eq!(due[0], ("首次联系", at(4)));
        assert_eq!(due[1], ("需求诊断", at(8)));
        assert_eq!(due[2], ("推荐专家与成果", at(16)));
        assert_eq!(steps[3].repeat_days, Some(30));
    }

    #[test]
    fn only_repeating_steps_come_back() {
        assert_eq!(next_occurrence("首次联系", None, at(5)), None);
        let next = next_occurrence("定期回访", Some(30), at(1)).unwrap();
        assert_eq!(next.due_at, at(1) + Duration::days(30));
        assert_eq!(next.repeat_days, Some(30));
    }

    #[test]
    fn escalation_waits_for_the_threshold() {
        assert!(
            !should_escalate(at(1), at(8), 7),
            "exactly seven days is not beyond"
        );
        assert!(should_escalate(at(1), at(8) + Duration::minutes(1), 7));
        assert!(!should_escalate(at(10), at(8), 7), "not yet due");
    }

    #[test]
    fn templates_are_checked_step_by_step() {
        let mut template = default_template(TicketKind::Person);
        assert_eq!(validate_template(&template), Ok(()));
        template.steps[1].name = "  ".into();
        template.steps[2].due_days = 0;
        template.steps[3].repeat_days = Some(2);
        template.escalate_after_days = 0;
        let errors = validate_template(&template).unwrap_err();
        assert_eq!(errors.get("steps[1].name"), Some("请填写步骤名称"));
        assert!(errors.get("steps[2].due_days").is_some());
        assert!(errors.get("steps[3].repeat_days").is_some());
        assert!(errors.get("escalate_after_days").is_some());
        template.steps.clear();
        assert!(
            validate_template(&template)
                .unwrap_err()
                .get("steps")
                .is_some()
        );
    }

    #[test]
    fn a_followup_needs_a_known_channel_and_a_note() {
        let ok = validate_followup("visit", " 上门了解产线情况 ", Some("")).unwrap();
        assert_eq!(ok.channel, Channel::Visit);
        assert_eq!(ok.note, "上门了解产线情况");
        assert_eq!(ok.outcome, None);
        let errors = validate_followup("fax", "", None).unwrap_err();
        assert!(errors.get("channel").unwrap().contains("phone（电话）"));
        assert_eq!(errors.get("note"), Some("请填写跟进情况"));
        let long = "很".repeat(MAX_NOTE + 1);
        assert!(
            validate_followup("phone", &long, None)
                .unwrap_err()
                .get("note")
                .is_some()
        );
    }

    #[test]
    fn tickets_go_to_the_department_that_serves_them() {
        assert_eq!(TicketKind::Person.department(), Department::Worker);
        assert_eq!(TicketKind::Need.department(), Department::Org);
        assert_eq!(TicketKind::Fair.department(), Department::Org);
    }

    #[test]
    fn every_kind_has_a_valid_default_plan() {
        for kind in TicketKind::ALL {
            assert_eq!(
                validate_template(&default_template(*kind)),
                Ok(()),
                "{kind}"
            );
        }
        let fair = schedule(&default_template(TicketKind::Fair), at(1));
        assert_eq!(fair[0].due_at, at(8), "first contact within 7 days");
        assert_eq!(fair[3].repeat_days, Some(30));
    }

    #[test]
    fn ratings_are_one_to_five_stars() {
        assert_eq!(
            validate_rating(5, Some(" 很及时 ")),
            Ok((5, Some("很及时".into())))
        );
        assert!(validate_rating(0, None).unwrap_err().get("stars").is_some());
        assert!(validate_rating(6, None).is_err());
    }

    #[test]
    fn closing_by_hand_needs_a_reason() {
        assert!(close_reason(" ").is_err());
        assert_eq!(
            close_reason("已联系不上，本人放弃").as_deref(),
            Ok("已联系不上，本人放弃")
        );
    }
}
