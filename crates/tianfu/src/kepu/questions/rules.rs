//! The pure rules of 向科学要答案: what a question must say, who may see and answer it, how the
//! asker is named in public, how answers are threaded.

use tianfu_domain::{FieldErrors, Role};

use crate::platform::auth::Actor;
use crate::platform::scope;

pub const TITLE_MAX_CHARS: usize = 60;
pub const BODY_MAX_CHARS: usize = 2000;
pub const ANSWER_MAX_CHARS: usize = 3000;
/// Hours a question may wait for its first answer before it goes to the city's staff.
pub const ESCALATE_AFTER_HOURS: i64 = 48;
/// How many scientists (by their studio) a question is routed to.
pub const SCIENTISTS: usize = 3;
/// How many volunteers who opted in for the channel a question is routed to.
pub const VOLUNTEERS: i64 = 10;
/// Answers nest at most this deep on screen; deeper replies line up under the last level.
pub const MAX_DEPTH: usize = 3;

/// Where a question stands. `Open`: nobody but the asker has answered; `Answered`: someone
/// has; `Accepted`: the asker accepted an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Open,
    Answered,
    Accepted,
}

impl Status {
    pub fn parse(text: &str) -> Option<Status> {
        match text {
            "open" => Some(Status::Open),
            "answered" => Some(Status::Answered),
            "accepted" => Some(Status::Accepted),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Answered => "answered",
            Status::Accepted => "accepted",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Open => "待回答",
            Status::Answered => "已回答",
            Status::Accepted => "已采纳",
        }
    }

    /// Answered questions are the ones the public may read (unless private).
    pub fn is_answered(self) -> bool {
        self != Status::Open
    }
}

/// The words a route's reason is stored with, and how it reads.
pub fn reason_label(reason: &str) -> String {
    if let Some(team) = reason.strip_prefix("team:") {
        return format!("志愿服务队“{team}”");
    }
    match reason {
        "studio" => "科创工作室与问题相符",
        "field" => "志愿解答该领域问题",
        "county" => "本地全民科普服务部",
        "city" => "48小时未获回答，升级至市级",
        _ => "指派",
    }
    .to_owned()
}

/// How the public sees the asker: the region they live in, e.g. 邻水县网友.
pub fn asker_label(region_name: &str) -> String {
    let name = region_name.trim();
    if name.is_empty() {
        "四川网友".to_owned()
    } else {
        format!("{name}网友")
    }
}

/// A question as asked, checked: every bad field named at once, in Chinese.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewQuestion {
    pub title: String,
    pub body: String,
    pub channel: Option<String>,
    pub private: bool,
    pub photo_id: Option<i64>,
}

pub fn parse_question(
    title: &str,
    body: &str,
    channel: Option<&str>,
    private: bool,
    photo_id: Option<i64>,
    channels: &[String],
) -> Result<NewQuestion, FieldErrors> {
    let mut errors = FieldErrors::new();
    let title = title.trim();
    if title.is_empty() {
        errors.add("title", "请填写问题标题");
    } else if title.chars().count() > TITLE_MAX_CHARS {
        errors.add("title", format!("问题标题不能超过{TITLE_MAX_CHARS}字"));
    }
    let body = body.trim();
    if body.chars().count() > BODY_MAX_CHARS {
        errors.add("body", format!("问题描述不能超过{BODY_MAX_CHARS}字"));
    }
    let channel = channel.map(str::trim).filter(|c| !c.is_empty());
    if let Some(code) = channel
        && !channels.iter().any(|c| c == code)
    {
        errors.add(
            "channel",
            format!("未知的栏目“{code}”，可选：{}", channels.join("、")),
        );
    }
    if photo_id.is_some_and(|id| id <= 0) {
        errors.add("photo_id", "图片不存在");
    }
    errors.into_result()?;
    Ok(NewQuestion {
        title: title.to_owned(),
        body: body.to_owned(),
        channel: channel.map(str::to_owned),
        private,
        photo_id,
    })
}

pub fn parse_answer(body: &str) -> Result<String, FieldErrors> {
    let body = body.trim();
    if body.is_empty() {
        return Err(FieldErrors::single("body", "请填写回答内容"));
    }
    if body.chars().count() > ANSWER_MAX_CHARS {
        return Err(FieldErrors::single(
            "body",
            format!("回答内容不能超过{ANSWER_MAX_CHARS}字"),
        ));
    }
    Ok(body.to_owned())
}

pub fn parse_rating(rating: Option<i64>) -> Result<Option<i64>, FieldErrors> {
    match rating {
        Some(r) if !(1..=5).contains(&r) => Err(FieldErrors::single("rating", "评分应为1到5星")),
        other => Ok(other),
    }
}

/// What the rules need to know about a question and the person looking at it.
#[derive(Debug, Clone, Copy)]
pub struct Seen<'a> {
    pub asker_id: i64,
    pub region: &'a tianfu_domain::RegionCode,
    pub private: bool,
    pub status: Status,
    /// Was the question routed to the viewer?
    pub routed: bool,
}

/// Scientists and volunteers answer questions; that is why they may read open ones.
fn answers_questions(role: Role) -> bool {
    matches!(role, Role::Worker | Role::Volunteer)
}

/// May `viewer` (none: anonymous) read the question? Its asker, the people it was routed to and
/// staff whose region covers it always; scientists and volunteers any question that is not
/// private; everyone an answered public one.
pub fn can_view(q: &Seen<'_>, viewer: Option<&Actor>) -> bool {
    let Some(viewer) = viewer else {
        return !q.private && q.status.is_answered();
    };
    viewer.id.0 == q.asker_id
        || q.routed
        || scope::can_view_region(viewer, q.region)
        || (!q.private && (q.status.is_answered() || answers_questions(viewer.role)))
}

/// May `viewer` answer (or reply in the thread)? The asker (to follow up), the people it was
/// routed to, staff whose region covers it, and any scientist or volunteer for a question that
/// is not private.
pub fn can_answer(q: &Seen<'_>, viewer: &Actor) -> bool {
    viewer.id.0 == q.asker_id
        || q.routed
        || scope::can_view_region(viewer, q.region)
        || (!q.private && answers_questions(viewer.role))
}

/// Orders answers as a thread: each answer followed by its replies (oldest first), with its
/// depth (0 for a top-level answer), capped at [`MAX_DEPTH`]. `answers` are (id, parent) in id
/// order; an answer whose parent is missing is treated as top-level.
pub fn thread_order(answers: &[(i64, Option<i64>)]) -> Vec<(usize, usize)> {
    let known = |id: i64| answers.iter().any(|(a, _)| *a == id);
    let mut out = Vec::with_capacity(answers.len());
    let mut stack: Vec<(usize, usize)> = answers
        .iter()
        .enumerate()
        .filter(|(_, (_, parent))| !parent.is_some_and(known))
        .map(|(i, _)| (i, 0))
        .rev()
        .collect();
    while let Some((index, depth)) = stack.pop() {
        out.push((index, depth.min(MAX_DEPTH)));
        let id = answers[index].0;
        let children = answers
            .iter()
            .enumerate()
            .filter(|(_, (_, parent))| *parent == Some(id))
            .map(|(i, _)| (i, depth + 1))
            .rev();
        stack.extend(children);
    }
    out
}

/// The words a question teaches about its asker's interests: its channel and the two longest
/// words of its title that make a good tag.
pub fn interests_of(channel: Option<&str>, title_words: &[String]) -> Vec<String> {
    let mut words: Vec<&String> = title_words
        .iter()
        .filter(|w| w.chars().count() >= 2 && w.chars().all(|c| !c.is_ascii_punctuation()))
        .filter(|w| crate::kepu::audience::parse_tag(w).is_ok())
        .collect();
    words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    let mut out: Vec<String> = channel.map(str::to_owned).into_iter().collect();
    for word in words {
        if out.len() >= 3 {
            break;
        }
        if !out.contains(word) && !STOP_WORDS.contains(&word.as_str()) {
            out.push(word.clone());
        }
    }
    out
}

const STOP_WORDS: &[&str] = &[
    "怎么",
    "怎么办",
    "为什么",
    "什么",
    "如何",
    "可以",
    "是不是",
    "请问",
    "一下",
];

#[cfg(test)]
mod tests {
    use super::*;
    use tianfu_domain::{RegionCode, UserId};

    fn actor(id: i64, role: Role, region: &str) -> Actor {
        Actor {
            id: UserId(id),
            role,
            name: "某人".into(),
            phone: "13700000000".into(),
            region: RegionCode::parse(region).unwrap(),
            region_name: String::new(),
            department: None,
            badges: Default::default(),
        }
    }

    #[test]
    fn the_public_sees_the_askers_county_not_their_name() {
        assert_eq!(asker_label("邻水县"), "邻水县网友");
        assert_eq!(asker_label(""), "四川网友");
    }

    #[test]
    fn a_question_needs_a_title_and_a_known_channel() {
        let channels = vec!["health".to_owned(), "agriculture".to_owned()];
        let errors =
            parse_question(" ", "", Some("cooking"), false, Some(0), &channels).unwrap_err();
        assert_eq!(errors.get("title"), Some("请填写问题标题"));
        assert!(errors.get("channel").unwrap().contains("cooking"));
        assert!(errors.get("photo_id").is_some());
        let ok = parse_question(
            " 鸡不下蛋 ",
            " 怎么办 ",
            Some("agriculture"),
            true,
            None,
            &channels,
        )
        .unwrap();
        assert_eq!(
            (ok.title.as_str(), ok.body.as_str()),
            ("鸡不下蛋", "怎么办")
        );
        assert!(parse_question(&"问".repeat(61), "", None, false, None, &channels).is_err());
        assert!(parse_rating(Some(6)).is_err() && parse_rating(Some(0)).is_err());
        assert_eq!(parse_rating(Some(5)).unwrap(), Some(5));
        assert!(parse_answer("  ").is_err());
    }

    #[test]
    fn a_private_question_is_its_askers_routed_peoples_and_local_staffs() {
        let county = RegionCode::parse("511623").unwrap();
        let q = Seen {
            asker_id: 1,
            region: &county,
            private: true,
            status: Status::Accepted,
            routed: false,
        };
        assert!(can_view(&q, Some(&actor(1, Role::Public, "511623"))));
        assert!(!can_view(&q, None));
        assert!(!can_view(&q, Some(&actor(2, Role::Worker, "511623"))));
        assert!(can_view(&q, Some(&actor(3, Role::Staff, "5116"))));
        assert!(!can_view(&q, Some(&actor(4, Role::Staff, "5101"))));
        assert!(can_view(
            &Seen { routed: true, ..q },
            Some(&actor(2, Role::Worker, "5101"))
        ));
        assert!(!can_answer(&q, &actor(2, Role::Volunteer, "5101")));
    }

    #[test]
    fn an_open_public_question_is_for_answerers_and_an_answered_one_for_all() {
        let county = RegionCode::parse("511623").unwrap();
        let open = Seen {
            asker_id: 1,
            region: &county,
            private: false,
            status: Status::Open,
            routed: false,
        };
        assert!(!can_view(&open, None));
        assert!(!can_view(&open, Some(&actor(5, Role::Public, "511623"))));
        assert!(can_view(&open, Some(&actor(2, Role::Volunteer, "5101"))));
        assert!(can_answer(&open, &actor(2, Role::Worker, "5101")));
        assert!(!can_answer(&open, &actor(5, Role::Public, "511623")));
        let answered = Seen {
            status: Status::Answered,
            ..open
        };
        assert!(can_view(&answered, None));
    }

    #[test]
    fn replies_follow_their_answer_and_nest_no_deeper_than_three() {
        // 1, 2 top level; 3 replies to 1; 4 to 3; 5 to 4; 6 to 5 (capped); 7 orphan.
        let answers = [
            (1, None),
            (2, None),
            (3, Some(1)),
            (4, Some(3)),
            (5, Some(4)),
            (6, Some(5)),
            (7, Some(99)),
        ];
        let order: Vec<(i64, usize)> = thread_order(&answers)
            .into_iter()
            .map(|(i, d)| (answers[i].0, d))
            .collect();
        assert_eq!(
            order,
            [(1, 0), (3, 1), (4, 2), (5, 3), (6, 3), (2, 0), (7, 0)]
        );
    }

    #[test]
    fn asking_teaches_the_channel_and_telling_words() {
        let words: Vec<String> = ["鸡", "怎么办", "蛋鸡", "产蛋率", "下降"]
            .iter()
            .map(|w| w.to_string())
            .collect();
        assert_eq!(
            interests_of(Some("agriculture"), &words),
            ["agriculture", "产蛋率", "蛋鸡"]
        );
        assert_eq!(interests_of(None, &[]), Vec::<String>::new());
    }
}
