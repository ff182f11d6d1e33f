//! 1:1 meetings (1对1洽谈) during the fair: a visitor asks a hall project's owner for a slot on
//! the hour or half hour; the owner accepts or declines; a request nobody answers lapses after
//! three days (or when its slot comes) and never blocks the slot — the request path lapses such
//! requests for the slot first, and a job sweeps the rest (`expiry`).

use chrono::{DateTime, Utc};
use serde::Serialize;
use tianfu_domain::FieldErrors;
use tianfu_domain::fair::Phase;
use tianfu_domain::fair_halls::{self, Decision, MeetingStatus, meeting_status_label};
use utoipa::ToSchema;

use super::service::hall_project;
use super::store::{self, MeetingRow, NewMeeting, Side};
use crate::App;
use crate::fair::store::FairRow;
use crate::kepu::activities::rules::parse_time;
use crate::platform::api::Paging;
use crate::platform::auth::Actor;
use crate::platform::clock::shanghai;
use crate::platform::error::AppError;
use crate::platform::tx::Tx;

pub const MESSAGE_MAX: usize = 500;
pub const MEETINGS_LINK: &str = "/me/fair-meetings";

fn conflict(message: &str) -> AppError {
    AppError::Conflict {
        message: message.to_owned(),
        fields: FieldErrors::new(),
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = FairMeeting)]
pub struct MeetingView {
    pub id: i64,
    pub fair_id: i64,
    pub project_id: i64,
    pub project_title: String,
    pub requester_id: i64,
    pub requester_name: String,
    pub owner_id: i64,
    pub owner_name: String,
    pub slot_at: DateTime<Utc>,
    /// The slot in Beijing time, "2026-12-05 10:30".
    pub slot_label: String,
    pub message: String,
    /// requested, accepted, declined, expired or cancelled.
    #[schema(value_type = FairMeetingStatusName)]
    pub status: String,
    /// 待答复, 已接受, 已婉拒, 已过期, 已取消.
    pub status_label: &'static str,
    pub reply: Option<String>,
    pub created_at: DateTime<Utc>,
    /// When an unanswered request lapses.
    pub expires_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
}

crate::platform::openapi::wire_enum!(
    /// requested 待答复, accepted 已接受, declined 已婉拒, expired 已过期, cancelled 已取消.
    FairMeetingStatusName,
    crate::platform::openapi::wire_names(MeetingStatus::ALL, MeetingStatus::as_str, false)
);

impl MeetingView {
    /// The view at `now`: a request past its time reads as expired even before the sweep.
    pub fn of(row: MeetingRow, now: DateTime<Utc>) -> Self {
        let status = if row.status == "requested" && row.expires_at <= now {
            "expired".to_owned()
        } else {
            row.status
        };
        MeetingView {
            status_label: meeting_status_label(&status),
            slot_label: shanghai(row.slot_at),
            status,
            id: row.id,
            fair_id: row.fair_id,
            project_id: row.project_id,
            project_title: row.project_title,
            requester_id: row.requester_id,
            requester_name: row.requester_name,
            owner_id: row.owner_id,
            owner_name: row.owner_name,
            slot_at: row.slot_at,
            message: row.message,
            reply: row.reply,
            created_at: row.created_at,
            expires_at: row.expires_at,
            answered_at: row.answered_at,
        }
    }
}

/// Tells each requester whose request lapsed.
async fn tell_lapsed(
    tx: &mut Tx,
    lapsed: &[(i64, i64, String)],
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    for (_, requester, title) in lapsed {
        tx.notify(
            *requester,
            &format!("您预约的“{title}”1对1洽谈，对方3天内未答复，预约已过期"),
            MEETINGS_LINK,
            now,
        )
        .await?;
    }
    Ok(())
}

/// 预约1对1洽谈: while the fair is in session, for a free slot on the hour or half hour within
/// its days; one live request per person and project. The owner is told.
pub async fn request(
    app: &App,
    actor: &Actor,
    fair: &FairRow,
    pid: i64,
    slot_at: &str,
    message: &str,
) -> Result<i64, AppError> {
    let now = app.clock.now();
    let mut errors = FieldErrors::new();
    let slot = errors.check("slot_at", parse_time(slot_at));
    if let Some(slot) = slot
        && let Some(problem) = fair_halls::slot_problem(slot, fair.opens_at, fair.closes_at, now)
    {
        errors.add("slot_at", problem);
    }
    let message = message.trim();
    if message.is_empty() {
        errors.add("message", "请简要说明洽谈内容");
    } else if message.chars().count() > MESSAGE_MAX {
        errors.add("message", format!("洽谈内容不能超过{MESSAGE_MAX}字"));
    }
    let project = hall_project(app, actor, fair, pid, "不能预约与自己的项目洽谈").await?;
    if fair.phase(now) != Phase::InSession {
        return Err(conflict("1对1洽谈预约仅在科创会会期内开放"));
    }
    errors.into_result()?;
    let slot = slot.expect("checked");
    let mut tx = app.db.begin().await?;
    let lapsed = store::expire_slot(&mut tx, pid, slot, now).await?;
    let lapsed: Vec<(i64, i64, String)> = lapsed
        .into_iter()
        .map(|(id, requester)| (id, requester, project.title.clone()))
        .collect();
    tell_lapsed(&mut tx, &lapsed, now).await?;
    if store::holds_live(&mut tx, pid, actor.id.0).await? {
        return Err(conflict("您已预约该项目的1对1洽谈，请等待对方答复"));
    }
    let new = NewMeeting {
        fair_id: fair.id,
        project_id: pid,
        requester_id: actor.id.0,
        owner_id: project.owner_id,
        slot_at: slot,
        message,
        expires_at: fair_halls::meeting_expires_at(now, slot),
    };
    let id = match store::insert_meeting(&mut tx, &new, now).await {
        Ok(id) => id,
        Err(error)
            if error
                .as_database_error()
                .is_some_and(|e| e.is_unique_violation()) =>
        {
            // Two keys can refuse it: this person's live request for the project (a
            // concurrent one that passed the check above), or the slot's. PostgreSQL names the
            // constraint; SQLite names its columns.
            let db = error.as_database_error().expect("checked");
            let mine = db.constraint() == Some("fair_meetings_requester_key")
                || db.message().contains("requester_id");
            return Err(if mine {
                conflict("您已预约该项目的1对1洽谈，请等待对方答复")
            } else {
                AppError::Conflict {
                    message: "该时段已被预约".into(),
                    fields: FieldErrors::single("slot_at", "该时段已被预约，请选择其他时段"),
                }
            });
        }
        Err(error) => return Err(error.into()),
    };
    tx.notify(
        project.owner_id,
        &format!(
            "{}预约与您就“{}”1对1洽谈，时间{}，请在3天内答复",
            actor.name,
            project.title,
            shanghai(slot)
        ),
        MEETINGS_LINK,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The meeting of this edition, if the actor takes part in it.
pub async fn find(
    app: &App,
    actor: &Actor,
    fair_id: Option<i64>,
    id: i64,
) -> Result<MeetingRow, AppError> {
    store::find_meeting(&app.db, id)
        .await?
        .filter(|m| fair_id.is_none_or(|f| f == m.fair_id))
        .filter(|m| m.owner_id == actor.id.0 || m.requester_id == actor.id.0)
        .ok_or_else(|| AppError::not_found("洽谈预约"))
}

/// The owner accepts or declines a request still waiting and not lapsed; the requester is told.
pub async fn answer(
    app: &App,
    actor: &Actor,
    meeting: &MeetingRow,
    decision: &str,
    reply: Option<&str>,
) -> Result<(), AppError> {
    if meeting.owner_id != actor.id.0 {
        return Err(AppError::Forbidden("只有项目方可以答复洽谈预约".into()));
    }
    let mut errors = FieldErrors::new();
    let decision = errors.check("decision", Decision::parse(decision));
    let reply = reply.map(str::trim).filter(|r| !r.is_empty());
    if reply.is_some_and(|r| r.chars().count() > MESSAGE_MAX) {
        errors.add("reply", format!("答复不能超过{MESSAGE_MAX}字"));
    }
    errors.into_result()?;
    let decision = decision.expect("checked");
    let now = app.clock.now();
    let mut tx = app.db.begin().await?;
    if !store::answer(&mut tx, meeting.id, decision.status().as_str(), reply, now).await? {
        let lapsed = meeting.status == "expired"
            || (meeting.status == "requested" && meeting.expires_at <= now);
        return Err(conflict(if lapsed {
            "该预约已过期（3天内未答复），不能再答复，时段已释放"
        } else {
            "该预约已答复或已取消"
        }));
    }
    let text = match decision {
        Decision::Accept => format!(
            "{}已接受您{}关于“{}”的1对1洽谈预约",
            meeting.owner_name,
            shanghai(meeting.slot_at),
            meeting.project_title
        ),
        Decision::Decline => format!(
            "{}婉拒了您关于“{}”的1对1洽谈预约",
            meeting.owner_name, meeting.project_title
        ),
    };
    tx.notify(meeting.requester_id, &text, MEETINGS_LINK, now)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The requester calls off a waiting or accepted request; the owner is told.
pub async fn cancel(app: &App, actor: &Actor, meeting: &MeetingRow) -> Result<(), AppError> {
    if meeting.requester_id != actor.id.0 {
        return Err(AppError::Forbidden("只有预约人可以取消预约".into()));
    }
    let now = app.clock.now();
    let mut tx = app.db.begin().await?;
    if !store::cancel_meeting(&mut tx, meeting.id, actor.id.0, app.clock.now()).await? {
        return Err(conflict("该预约已结束，不能取消"));
    }
    tx.notify(
        meeting.owner_id,
        &format!(
            "{}取消了{}关于“{}”的1对1洽谈预约",
            meeting.requester_name,
            shanghai(meeting.slot_at),
            meeting.project_title
        ),
        MEETINGS_LINK,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn list(
    app: &App,
    actor: &Actor,
    side: Side,
    fair: Option<i64>,
    paging: Paging,
) -> Result<(Vec<MeetingView>, i64), AppError> {
    let (rows, total) = store::meetings_of(&app.db, actor.id.0, side, fair, paging).await?;
    let now = app.clock.now();
    Ok((
        rows.into_iter().map(|r| MeetingView::of(r, now)).collect(),
        total,
    ))
}

/// One pass of the sweep at `app.clock.now()`: every request past its time lapses and its
/// requester is told. Answers how many lapsed.
pub async fn expire(app: &App) -> Result<usize, AppError> {
    let now = app.clock.now();
    let mut total = 0;
    loop {
        let mut tx = app.db.begin().await?;
        let lapsed = store::expire_lapsed(&mut tx, now).await?;
        let mut told = Vec::with_capacity(lapsed.len());
        for (id, requester, project) in &lapsed {
            told.push((
                *id,
                *requester,
                store::project_title(&mut tx, *project).await?,
            ));
        }
        tell_lapsed(&mut tx, &told, now).await?;
        tx.commit().await?;
        total += lapsed.len();
        if lapsed.len() < 500 {
            return Ok(total);
        }
    }
}
