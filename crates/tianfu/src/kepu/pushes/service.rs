//! Who may push where, and the acts: preview, send, list, read a campaign's figures.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tianfu_domain::{FieldErrors, RegionCode};
use utoipa::ToSchema;

use super::api::PushRequest;
use super::store::{self, PushRow};
use super::target::Target;
use crate::App;
use crate::kepu::resources;
use crate::platform::api::Paging;
use crate::platform::audit::{self, AuditEntry};
use crate::platform::auth::Actor;
use crate::platform::clock::shanghai;
use crate::platform::error::AppError;
use crate::platform::scope::{self, RegionScope};

pub const DEPARTMENT: &str = "kepu";

pub fn status_label(status: &str) -> &'static str {
    match status {
        "queued" => "排队中",
        "sending" => "推送中",
        "done" => "已完成",
        _ => "未知",
    }
}

/// 全民科普服务部 staff and administrators push; anyone else is refused (audited).
pub async fn ensure_pusher(app: &App, actor: &Actor, ip: Option<&str>) -> Result<(), AppError> {
    if scope::works_in(actor, DEPARTMENT) {
        return Ok(());
    }
    audit::record(
        &app.db,
        app.clock.now(),
        AuditEntry {
            actor: Some(actor.id),
            action: "permission.denied",
            subject: "kepu.pushes",
            ip,
            detail: "not kepu staff",
        },
    )
    .await;
    Err(AppError::Forbidden(
        "精准推送仅限全民科普服务部工作人员使用".into(),
    ))
}

/// The target, checked: every field's problem at once (422), then the region against the
/// sender's scope (403).
async fn checked_target(
    app: &App,
    actor: &Actor,
    region_code: &str,
    audiences: &[String],
    interests: &[String],
    mut errors: FieldErrors,
    ip: Option<&str>,
) -> Result<Target, AppError> {
    let target = Target::parse(app, region_code, audiences, interests, &mut errors);
    errors.into_result()?;
    let target = target.ok_or_else(|| AppError::validation("region_code", "推送对象有误"))?;
    let subject = format!("region:{}", target.region);
    scope::ensure(
        app,
        actor,
        scope::can_view_region(actor, &target.region),
        &subject,
        ip,
    )
    .await?;
    Ok(target)
}

pub async fn preview(
    app: &App,
    actor: &Actor,
    region_code: &str,
    audiences: &[String],
    interests: &[String],
    ip: Option<&str>,
) -> Result<i64, AppError> {
    ensure_pusher(app, actor, ip).await?;
    let target = checked_target(
        app,
        actor,
        region_code,
        audiences,
        interests,
        FieldErrors::new(),
        ip,
    )
    .await?;
    target.count(&app.db).await
}

/// 发送: answers the campaign's id and its recipients counted now.
pub async fn send(
    app: &App,
    actor: &Actor,
    request: &PushRequest,
    ip: Option<&str>,
) -> Result<(i64, i64), AppError> {
    ensure_pusher(app, actor, ip).await?;
    let mut errors = FieldErrors::new();
    if request.resource_id <= 0 {
        errors.add("resource_id", "请选择要推送的科普资源");
    } else {
        match resources::store::find(&app.db, request.resource_id).await? {
            None => errors.add("resource_id", "要推送的科普资源不存在"),
            Some(resource) if !resource.is_published() => {
                errors.add("resource_id", "该科普资源尚未发布，不能推送")
            }
            Some(_) => {}
        }
    }
    let target = checked_target(
        app,
        actor,
        &request.region_code,
        &request.audiences,
        &request.interests,
        errors,
        ip,
    )
    .await?;
    let recipients = target.count(&app.db).await?;
    let id = store::send(
        &app.db,
        actor.id.0,
        request.resource_id,
        &target,
        recipients,
        app.clock.now(),
    )
    .await?
    .ok_or_else(|| AppError::validation("resource_id", "该科普资源尚未发布，不能推送"))?;
    Ok((id, recipients))
}

/// A campaign in a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PushSummary {
    pub id: i64,
    pub resource_id: i64,
    pub resource_title: String,
    pub author_name: String,
    pub region_code: String,
    pub region_name: String,
    /// Audience codes; empty for everyone.
    pub audiences: Vec<String>,
    /// Interests; empty for any.
    pub interests: Vec<String>,
    /// queued, sending or done.
    pub status: String,
    pub status_label: String,
    /// The audience's size when it was sent.
    pub recipients: i64,
    /// Told so far (a notification sent); the rest wait for their weekly limit or the job.
    pub delivered: i64,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Beijing time, for pages.
    #[serde(skip)]
    pub created_label: String,
}

/// A campaign's figures in one region one level below its own.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PushRegionFigures {
    pub region_code: String,
    pub region_name: String,
    pub delivered: i64,
    pub waiting: i64,
    pub opened: i64,
    /// opened / delivered, 0 to 1.
    pub open_rate: f64,
}

/// One campaign with its progress and figures.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PushDetail {
    #[serde(flatten)]
    pub push: PushSummary,
    /// Held back by the weekly limit, delivered when the resident's week has room.
    pub waiting: i64,
    /// Delivered and opened.
    pub opened: i64,
    /// opened / delivered, 0 to 1.
    pub open_rate: f64,
    /// Share of the recipients handled so far (delivered or waiting), 0 to 1.
    pub progress: f64,
    pub by_region: Vec<PushRegionFigures>,
}

fn rate(part: i64, whole: i64) -> f64 {
    if whole <= 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

fn summary(app: &App, row: PushRow) -> PushSummary {
    PushSummary {
        region_name: app.regions.full_name_of(&row.region_code),
        status_label: status_label(&row.status).to_owned(),
        audiences: row.audience_list(),
        interests: row.interest_list(),
        created_label: shanghai(row.created_at),
        id: row.id,
        resource_id: row.resource_id,
        resource_title: row.resource_title,
        author_name: row.author_name,
        region_code: row.region_code,
        status: row.status,
        recipients: row.recipients,
        delivered: row.delivered,
        created_at: row.created_at,
        finished_at: row.finished_at,
    }
}

pub async fn list(
    app: &App,
    actor: &Actor,
    paging: Paging,
    ip: Option<&str>,
) -> Result<(Vec<PushSummary>, i64), AppError> {
    ensure_pusher(app, actor, ip).await?;
    let scope = scope::staff_scope(actor).unwrap_or(RegionScope::Subtree(actor.region.clone()));
    let (rows, total) = store::list(&app.db, &scope, paging).await?;
    Ok((rows.into_iter().map(|r| summary(app, r)).collect(), total))
}

pub async fn detail(
    app: &App,
    actor: &Actor,
    id: i64,
    ip: Option<&str>,
) -> Result<PushDetail, AppError> {
    ensure_pusher(app, actor, ip).await?;
    let row = store::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("推送"))?;
    let region = RegionCode::parse(&row.region_code).map_err(|e| anyhow::anyhow!("{e}"))?;
    scope::ensure(
        app,
        actor,
        scope::can_view_region(actor, &region),
        &format!("push:{id}"),
        ip,
    )
    .await?;
    let figures = store::figures_by_region(&app.db, &row).await?;
    let by_region: Vec<PushRegionFigures> = figures
        .into_iter()
        .map(|f| PushRegionFigures {
            region_name: app
                .regions
                .find(&f.region_code)
                .map_or_else(|| f.region_code.clone(), |r| r.name.clone()),
            open_rate: rate(f.opened, f.delivered),
            region_code: f.region_code,
            delivered: f.delivered,
            waiting: f.waiting,
            opened: f.opened,
        })
        .collect();
    let delivered: i64 = by_region.iter().map(|r| r.delivered).sum();
    let waiting: i64 = by_region.iter().map(|r| r.waiting).sum();
    let opened: i64 = by_region.iter().map(|r| r.opened).sum();
    let progress = if row.status == "done" {
        1.0
    } else {
        rate(delivered + waiting, row.recipients).min(1.0)
    };
    let mut push = summary(app, row);
    // The grouped count is the truth; the row's running count may lag a promotion by a moment.
    push.delivered = delivered;
    Ok(PushDetail {
        push,
        waiting,
        opened,
        open_rate: rate(opened, delivered),
        progress,
        by_region,
    })
}
