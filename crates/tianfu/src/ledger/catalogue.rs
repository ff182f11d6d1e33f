//! The event catalogue: every kind of countable act, with the dimensions it carries, and beside
//! it the metrics — the one place where every figure the platform shows is defined.
//!
//! Dimensions every event has: `at` (UTC), `region_code` (where the act happened: the listing's,
//! the deal's, the ticket's or the person's region), `actor_id` (who did it, none for the system),
//! `subject_kind`/`subject_id` (what it is about). Optional: `counterpart_id` (the other person:
//! a deal's other party, a ticket's served person, an inquiry's other side), `amount_fen`,
//! `contract_kind` (a deal's contract type), `outcome` (how a ticket closed, a review's decision),
//! `quantity` (minutes of service), `source` (a fair edition, a follow-up's channel), `weight`
//! (+1, or -1 for a compensating row that undoes an earlier one, its amount negated).

use serde::Serialize;
use utoipa::ToSchema;

macro_rules! event_kinds {
    ($($variant:ident => $text:literal, $label:literal;)+) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum EventKind { $($variant),+ }

        impl EventKind {
            pub const ALL: &'static [EventKind] = &[$(EventKind::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $(EventKind::$variant => $text),+ }
            }

            /// How a page names it.
            pub fn label(self) -> &'static str {
                match self { $(EventKind::$variant => $label),+ }
            }

            pub fn parse(text: &str) -> Option<EventKind> {
                match text { $($text => Some(EventKind::$variant),)+ _ => None }
            }
        }
    };
}

event_kinds! {
    // Accounts. subject: the user, subject_kind their role. Verification is booked by the staff
    // act that verifies an organisation (not in the platform yet).
    UserRegistered => "user.registered", "注册";
    OrgVerified => "org.verified", "单位认证";
    // Studios. subject: the studio.
    StudioOpened => "studio.opened", "开设科创工作室";
    // A rating (典型/精品) given by staff at the end of the county → city → province chain
    // (`ratings`): outcome the level; once per rating, a revocation books its compensating row.
    StudioRated => "studio.rated", "工作室评定";
    // The same for a case (案例, a completed deal written up by its parties). subject: the case.
    CaseRated => "case.rated", "案例评定";
    // Listings. subject: the listing, subject_kind offer|achievement|need. `published` is once per
    // listing; approving it again after an edit is `republished`.
    ListingSubmitted => "listing.submitted", "提交发布";
    ListingPublished => "listing.published", "审核通过并发布";
    ListingRepublished => "listing.republished", "修改后重新发布";
    ListingRejected => "listing.rejected", "审核未通过";
    ListingWithdrawn => "listing.withdrawn", "撤回";
    ListingClosed => "listing.closed", "关闭";
    // A need past its deadline, closed by the platform (no expiry job yet).
    ListingExpired => "listing.expired", "到期";
    // Inquiries (洽谈). subject: the inquiry; actor the requester (opened) or the owner
    // (answered, once: their first reply); counterpart the other side.
    InquiryOpened => "inquiry.opened", "发起洽谈";
    InquiryAnswered => "inquiry.answered", "回复洽谈";
    InquiryEnded => "inquiry.ended", "结束洽谈";
    // 为您推荐. subject: the recommendation; counterpart its recipient.
    RecommendationShown => "recommendation.shown", "推送推荐";
    RecommendationContacted => "recommendation.contacted", "推荐后联系";
    RecommendationDismissed => "recommendation.dismissed", "推荐被标记不感兴趣";
    // Deals. subject: the deal; amount, contract_kind; counterpart the other party. `signed` has a
    // compensating row (weight -1) when a signed deal is terminated.
    DealCreated => "deal.created", "交易意向";
    DealNegotiating => "deal.negotiating", "进入洽谈";
    DealSigned => "deal.signed", "签约";
    // A deal signed at or above the verification threshold (`TIANFU_DEAL_VERIFY_ABOVE_FEN`):
    // booked instead of `deal.signed`, with the amount, until staff verify its contract. Staff's
    // verification or rejection (and a termination first) books its compensating row dated at
    // the signing, so the awaiting figure of any period is what still awaits; verification then
    // books `deal.signed`, dated at the signing too (`market::integrity`).
    DealSignedUnverified => "deal.signed_unverified", "签约（大额待核验）";
    // Staff's decision on a large deal's contract: outcome verified|rejected; actor the staff
    // member, counterpart the buyer.
    DealVerified => "deal.verified", "大额交易核验";
    DealPerforming => "deal.performing", "履约";
    DealCompleted => "deal.completed", "完成";
    DealTerminated => "deal.terminated", "终止";
    AchievementTransferred => "achievement.transferred", "科技成果转化";
    // Nanny tickets. subject: the ticket, subject_kind person|need; counterpart the served
    // person; `closed` carries outcome deal|closed, `followed_up` its channel as source.
    TicketOpened => "ticket.opened", "保姆单建单";
    TicketAssigned => "ticket.assigned", "保姆单分派";
    TicketFollowedUp => "ticket.followed_up", "保姆单跟进";
    TicketEscalated => "ticket.escalated", "保姆单升级督办";
    TicketClosed => "ticket.closed", "保姆单办结";
    TicketRated => "ticket.rated", "服务评价";
    // 科普 resources. subject: the resource; actor its author (published) or its reader.
    KepuPublished => "kepu.published", "科普资源发布";
    // A counted view: the same reader within 30 minutes is one; flagged views are not booked
    // (and one booked before its reader was flagged is reversed). Actor: the signed-in reader,
    // none for an anonymous browser session.
    KepuViewed => "kepu.viewed", "科普浏览";
    // 服务量 (人次): one row each time a person is served — source `view` (a counted view by a
    // signed-in reader), `answer` (an answer received; subject the question), `push` (a push
    // opened; subject the push) — actor the person served, so 服务群众数 counts them distinctly.
    KepuServed => "kepu.served", "科普服务";
    // A campaign sent: subject the push; quantity the recipients.
    KepuPushed => "kepu.pushed", "精准推送";
    // Questions. subject: the question; asked by its asker, answered by the answerer
    // (counterpart the asker), accepted by the asker (counterpart the answerer).
    QuestionAsked => "question.asked", "科普提问";
    QuestionAnswered => "question.answered", "科普问答";
    AnswerAccepted => "answer.accepted", "答案被采纳";
    VolunteerServed => "volunteer.served", "志愿服务";
    // 科创会. subject: the fair project (subject_kind `fair_project`), outcome its category
    // (technology | achievement | problem); source `fair:<edition>`;
    // actor who entered it (owner or nominating staff) or the organiser who ran the selection.
    // `selected` is once per project; the nanny follows it with the project's follow-up ticket.
    FairProjectEntered => "fair.project_entered", "科创会项目征集";
    FairProjectSelected => "fair.project_selected", "科创会项目入选";
}

/// How a metric is computed from its events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// The sum of the events' weights: each act counts 1, a reversal -1.
    Count,
    /// The sum of their amounts in fen (a reversal's amount is negative).
    Amount,
    /// The sum of their quantities, in minutes, shown in hours.
    Hours,
    /// The number of distinct actors, exactly.
    DistinctActors,
}

/// One figure: which events, how measured.
#[derive(Debug, Clone, Copy)]
pub struct Metric {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: EventKind,
    /// Only events about this kind of subject (e.g. `worker` among registrations).
    pub subject_kind: Option<&'static str>,
    /// Only events with this outcome (e.g. tickets closed with a `deal`).
    pub outcome: Option<&'static str>,
    pub measure: Measure,
}

const fn metric(
    name: &'static str,
    label: &'static str,
    kind: EventKind,
    subject_kind: Option<&'static str>,
    measure: Measure,
) -> Metric {
    Metric {
        name,
        label,
        kind,
        subject_kind,
        outcome: None,
        measure,
    }
}

use EventKind as E;
use Measure::{Amount, Count, DistinctActors, Hours};

/// The figures of `../shared/DESIGN.md`, in its order.
pub const METRICS: &[Metric] = &[
    metric(
        "workers_registered",
        "科技工作者注册",
        E::UserRegistered,
        Some("worker"),
        Count,
    ),
    metric(
        "orgs_registered",
        "企事业单位注册",
        E::UserRegistered,
        Some("org"),
        Count,
    ),
    metric(
        "residents_registered",
        "群众注册",
        E::UserRegistered,
        Some("public"),
        Count,
    ),
    metric("studios_opened", "科创工作室", E::StudioOpened, None, Count),
    metric(
        "studios_rated",
        "典型/精品科创工作室",
        E::StudioRated,
        None,
        Count,
    ),
    metric("cases_rated", "典型/精品案例", E::CaseRated, None, Count),
    metric(
        "offers_published",
        "科技所能发布",
        E::ListingPublished,
        Some("offer"),
        Count,
    ),
    metric(
        "achievements_published",
        "科技成果发布",
        E::ListingPublished,
        Some("achievement"),
        Count,
    ),
    metric(
        "needs_published",
        "科技所需发布",
        E::ListingPublished,
        Some("need"),
        Count,
    ),
    metric("inquiries", "洽谈", E::InquiryOpened, None, Count),
    metric("deals_signed", "签约交易", E::DealSigned, None, Count),
    metric("deals_amount_fen", "签约金额", E::DealSigned, None, Amount),
    metric(
        "deals_awaiting_verification",
        "大额交易待核验",
        E::DealSignedUnverified,
        None,
        Count,
    ),
    metric(
        "deals_awaiting_verification_fen",
        "待核验金额",
        E::DealSignedUnverified,
        None,
        Amount,
    ),
    metric(
        "transfers",
        "成果转化",
        E::AchievementTransferred,
        None,
        Count,
    ),
    metric(
        "transfers_amount_fen",
        "成果转化金额",
        E::AchievementTransferred,
        None,
        Amount,
    ),
    metric("tickets_opened", "保姆单建单", E::TicketOpened, None, Count),
    Metric {
        outcome: Some("deal"),
        ..metric(
            "tickets_closed_with_deal",
            "保姆单促成签约",
            E::TicketClosed,
            None,
            Count,
        )
    },
    metric("kepu_views", "科普浏览量", E::KepuViewed, None, Count),
    metric(
        "kepu_services",
        "科普服务量（人次）",
        E::KepuServed,
        None,
        Count,
    ),
    metric(
        "kepu_people_served",
        "科普服务群众数",
        E::KepuServed,
        None,
        DistinctActors,
    ),
    metric(
        "questions_answered",
        "科普问答",
        E::QuestionAnswered,
        None,
        Count,
    ),
    metric(
        "volunteer_hours",
        "志愿服务时长（小时）",
        E::VolunteerServed,
        None,
        Hours,
    ),
];

pub fn metric_named(name: &str) -> Option<&'static Metric> {
    METRICS.iter().find(|m| m.name == name)
}

/// The kinds whose actors are counted distinctly by some metric; the rollup keeps their people.
pub fn counts_people(kind: EventKind) -> bool {
    METRICS
        .iter()
        .any(|m| m.kind == kind && m.measure == DistinctActors)
}

/// A metric as the API describes it.
#[derive(Debug, Serialize, ToSchema)]
pub struct MetricInfo {
    pub name: &'static str,
    pub label: &'static str,
    pub event_kind: &'static str,
    pub subject_kind: Option<&'static str>,
    pub outcome: Option<&'static str>,
    /// count, amount_fen, hours or distinct_people.
    pub measure: &'static str,
}

impl From<&Metric> for MetricInfo {
    fn from(m: &Metric) -> Self {
        MetricInfo {
            name: m.name,
            label: m.label,
            event_kind: m.kind.as_str(),
            subject_kind: m.subject_kind,
            outcome: m.outcome,
            measure: match m.measure {
                Count => "count",
                Amount => "amount_fen",
                Hours => "hours",
                DistinctActors => "distinct_people",
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_and_names_are_unique() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.as_str()), Some(*kind));
        }
        let mut names: Vec<_> = METRICS.iter().map(|m| m.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), METRICS.len());
    }

    #[test]
    fn the_design_metrics_are_all_defined() {
        for name in [
            "workers_registered",
            "orgs_registered",
            "residents_registered",
            "studios_opened",
            "offers_published",
            "achievements_published",
            "needs_published",
            "inquiries",
            "deals_signed",
            "deals_amount_fen",
            "transfers",
            "transfers_amount_fen",
            "tickets_opened",
            "tickets_closed_with_deal",
            "kepu_views",
            "kepu_services",
            "kepu_people_served",
            "questions_answered",
            "volunteer_hours",
        ] {
            assert!(metric_named(name).is_some(), "{name}");
        }
        assert!(counts_people(EventKind::KepuServed));
        assert!(!counts_people(EventKind::DealSigned));
    }
}
