//! 签到: the venue shows a QR code (a one-use code in a link); the attendee scans it with their
//! phone, signed in, and confirms. A code is spent by the first account that uses it and is
//! void once the activity ends; the venue's screen then shows the next one. A check-in is the
//! evidence behind 服务量 and 服务群众数 (an attendee served) and behind a volunteer's hours.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use chrono::{DateTime, Utc};
use serde::Serialize;
use tianfu_domain::FieldErrors;
use utoipa::ToSchema;

use super::rules::{self, Role};
use super::service::{self, ensure_manager, region_of};
use super::store;
use crate::App;
use crate::ledger::{Event, EventKind};
use crate::platform::auth::Actor;
use crate::platform::error::AppError;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckinCode {
    pub code: String,
    /// What the QR image holds: the page an attendee opens to check in.
    pub url: String,
    pub expires_at: DateTime<Utc>,
}

fn conflict(field: Option<&str>, message: &str) -> AppError {
    AppError::Conflict {
        message: message.to_owned(),
        fields: field
            .map(|f| FieldErrors::single(f, message))
            .unwrap_or_default(),
    }
}

/// The path a code's QR image points at (the screen prefixes the site's address).
pub fn checkin_path(activity: i64, code: &str) -> String {
    format!("/kepu/checkin?activity={activity}&code={code}")
}

fn fresh_code() -> String {
    let mut random = [0u8; rules::CODE_LEN];
    OsRng.fill_bytes(&mut random);
    rules::code_from(random)
}

/// A new code for the venue (its managers only), good until the activity ends.
pub async fn issue(
    app: &App,
    actor: &Actor,
    id: i64,
    ip: Option<&str>,
) -> Result<CheckinCode, AppError> {
    let row = service::find(app, id).await?;
    ensure_manager(app, actor, &row, ip).await?;
    issue_for(app, &row, actor.id.0).await
}

async fn issue_for(
    app: &App,
    row: &store::ActivityRow,
    issuer: i64,
) -> Result<CheckinCode, AppError> {
    let now = app.clock.now();
    if row.status != "open" {
        return Err(conflict(None, "该活动已取消"));
    }
    if row.ends_at <= now {
        return Err(conflict(None, "活动已结束，不能再签到"));
    }
    let code = fresh_code();
    let mut tx = app.db.begin().await?;
    store::insert_code(&mut tx, &code, row.id, issuer, now, row.ends_at).await?;
    tx.commit().await?;
    Ok(CheckinCode {
        url: checkin_path(row.id, &code),
        code,
        expires_at: row.ends_at,
    })
}

/// What the venue's screen shows now: the unused code, or a new one once it was spent.
pub async fn current(
    app: &App,
    actor: &Actor,
    id: i64,
    ip: Option<&str>,
) -> Result<CheckinCode, AppError> {
    let row = service::find(app, id).await?;
    ensure_manager(app, actor, &row, ip).await?;
    match store::current_code(&app.db, id, app.clock.now()).await? {
        Some((code, expires_at)) => Ok(CheckinCode {
            url: checkin_path(id, &code),
            code,
            expires_at,
        }),
        None => issue_for(app, &row, actor.id.0).await,
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckinResult {
    pub activity_id: i64,
    /// attendee or volunteer.
    pub role: String,
    pub checked_in_at: DateTime<Utc>,
    /// Service minutes credited to a volunteer (0 for an attendee).
    pub minutes: i64,
}

/// 签到 with a code from the venue. A person without a seat takes one if any is free (a
/// walk-in); the code is spent in the same transaction as the check-in, so a refused
/// check-in leaves it unused.
pub async fn check_in(
    app: &App,
    actor: &Actor,
    id: i64,
    typed: &str,
) -> Result<CheckinResult, AppError> {
    let code = rules::normalise_code(typed).ok_or_else(|| {
        AppError::validation("code", "签到码应为8位字母数字，请扫描现场的签到二维码")
    })?;
    let now = app.clock.now();
    // A bad code is refused before any lock is taken: guessing costs the site nothing.
    let invalid = || AppError::validation("code", "签到码无效，请扫描现场屏幕上的签到二维码");
    match store::code_of(&app.db, &code).await? {
        None => return Err(invalid()),
        Some(found) if found.activity_id != id => {
            return Err(AppError::validation("code", "这不是本场活动的签到码"));
        }
        Some(found) if found.expires_at <= now => {
            return Err(conflict(Some("code"), "签到码已过期：活动已结束"));
        }
        Some(found) if found.used_by.is_some_and(|u| u != actor.id.0) => {
            return Err(conflict(
                Some("code"),
                "该签到码已被他人使用，请扫描现场屏幕上的最新二维码",
            ));
        }
        Some(_) => {}
    }
    let mut tx = app.db.begin().await?;
    if !store::lock(&mut tx, id).await? {
        return Err(AppError::not_found("科普活动"));
    }
    let row = store::find_in(&mut tx, id)
        .await?
        .ok_or_else(|| AppError::not_found("科普活动"))?;
    let Some(found) = store::code_in(&mut tx, &code).await? else {
        return Err(AppError::validation(
            "code",
            "签到码无效，请扫描现场屏幕上的签到二维码",
        ));
    };
    if found.activity_id != id {
        return Err(AppError::validation("code", "这不是本场活动的签到码"));
    }
    if found.expires_at <= now || row.ends_at <= now {
        return Err(conflict(Some("code"), "签到码已过期：活动已结束"));
    }
    if row.status != "open" {
        return Err(conflict(None, "该活动已取消"));
    }
    if !rules::checkin_open(row.starts_at, row.ends_at, now) {
        return Err(conflict(None, "签到尚未开始：活动开始前1小时开放签到"));
    }
    let signup = store::signup_in(&mut tx, id, actor.id.0).await?;
    if signup.as_ref().is_some_and(|s| s.checked_in_at.is_some()) {
        return Err(conflict(None, "您已签到，无需重复签到"));
    }
    if let Some(used_by) = found.used_by {
        let message = if used_by == actor.id.0 {
            "您已签到，无需重复签到"
        } else {
            "该签到码已被他人使用，请扫描现场屏幕上的最新二维码"
        };
        return Err(conflict(Some("code"), message));
    }
    let signup = match signup.filter(|s| s.status != "cancelled") {
        Some(s) if s.status == "confirmed" => s,
        Some(s) => {
            // Waitlisted: a seat freed since lets them in; otherwise they wait.
            if !store::take_seat(&mut tx, id).await?
                || !store::move_signup(&mut tx, s.id, "waitlisted", "confirmed", now).await?
            {
                return Err(conflict(None, "您在候补名单中，暂无空余名额，不能签到"));
            }
            s
        }
        None => {
            if !store::take_seat(&mut tx, id).await?
                || !store::put_signup(
                    &mut tx,
                    id,
                    actor.id.0,
                    Role::Attendee.as_str(),
                    "confirmed",
                    now,
                )
                .await?
            {
                return Err(conflict(None, "活动名额已满，未报名不能签到"));
            }
            store::signup_in(&mut tx, id, actor.id.0)
                .await?
                .ok_or_else(|| AppError::Internal(anyhow::anyhow!("sign-up {id} vanished")))?
        }
    };
    if !store::use_code(&mut tx, &code, id, actor.id.0, now).await? {
        return Err(conflict(
            Some("code"),
            "该签到码已被他人使用，请扫描现场屏幕上的最新二维码",
        ));
    }
    if !store::check_in(&mut tx, signup.id, now).await? {
        return Err(conflict(None, "您已签到，无需重复签到"));
    }
    let region = region_of(&row)?;
    let minutes = if signup.role == Role::Volunteer.as_str() {
        if found.issued_by == actor.id.0 {
            return Err(conflict(Some("code"), "不能用自己出示的签到码为自己签到"));
        }
        if let Some(other) =
            store::overlapping_service(&mut tx, actor.id.0, id, row.starts_at, row.ends_at).await?
        {
            return Err(conflict(
                None,
                &format!("您已在同一时段的活动“{other}”签到服务，志愿服务时长不能重复计算"),
            ));
        }
        let minutes = rules::minutes_served(row.starts_at, row.ends_at, now);
        let served = Event::new(EventKind::VolunteerServed, &region, "activity", id)
            .actor(actor.id.0)
            .source("activity")
            .quantity(minutes)
            .once_as(format!("volunteer.served:activity:{id}:{}", actor.id.0));
        tx.record(now, &served).await?;
        minutes
    } else {
        let served = Event::new(EventKind::KepuServed, &region, "activity", id)
            .actor(actor.id.0)
            .counterpart(row.organiser_id)
            .source("activity")
            .once_as(format!("kepu.served:activity:{id}:{}", actor.id.0));
        tx.record(now, &served).await?;
        0
    };
    tx.commit().await?;
    Ok(CheckinResult {
        activity_id: id,
        role: signup.role,
        checked_in_at: now,
        minutes,
    })
}

/// The QR image of a link, as an SVG document (black on white, a quiet zone around it).
pub fn qr_svg(link: &str) -> Result<String, AppError> {
    crate::platform::qr::svg(link, 240)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no qr code for {link}")))
}
