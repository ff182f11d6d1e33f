//! The acts on offline reports: a 科普员 reports, staff of the region confirm or reject, each
//! side lists what is theirs.

use chrono::{NaiveDate, TimeZone, Utc};
use tianfu_domain::{FieldErrors, RegionCode};

use super::reports::{self, NewReport, ReportView};
use super::service::ensure_kepu_staff;
use super::store;
use crate::App;
use crate::kepu::resources::media::{MediaKind, kind_of};
use crate::platform::api::Paging;
use crate::platform::auth::Actor;
use crate::platform::clock::shanghai_date;
use crate::platform::error::AppError;
use crate::platform::period::check_date;
use crate::platform::scope::{self, RegionScope};
use crate::platform::tx::Guarded;

pub const TITLE_MAX: usize = 60;
pub const PLACE_MAX: usize = 60;
pub const NOTE_MAX: usize = 500;
pub const ATTENDANCE_MAX: i64 = 10_000;
pub const PHOTOS_MAX: usize = 9;

/// What the 科普员 sent, before checking.
#[derive(Debug, Clone, Default)]
pub struct ReportInput {
    pub title: String,
    pub held_on: String,
    pub place: String,
    pub attendance: i64,
    pub photos: Vec<i64>,
    pub note: String,
}

fn text(
    errors: &mut FieldErrors,
    field: &str,
    value: &str,
    what: &str,
    max: usize,
    required: bool,
) -> String {
    let value = value.trim();
    if required && value.is_empty() {
        errors.add(field, format!("请填写{what}"));
    } else if value.chars().count() > max {
        errors.add(field, format!("{what}不超过{max}个字"));
    } else if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        errors.add(field, format!("{what}含有无法显示的字符"));
    }
    value.to_owned()
}

/// Every field's problem at once; photos must be images uploaded through the media API.
pub async fn check(app: &App, author: i64, input: &ReportInput) -> Result<NewReport, AppError> {
    let mut errors = FieldErrors::new();
    let title = text(
        &mut errors,
        "title",
        &input.title,
        "活动名称",
        TITLE_MAX,
        true,
    );
    let place = text(
        &mut errors,
        "place",
        &input.place,
        "活动地点",
        PLACE_MAX,
        true,
    );
    let note = text(
        &mut errors,
        "note",
        &input.note,
        "活动说明",
        NOTE_MAX,
        false,
    );
    let today = shanghai_date(app.clock.now());
    let held_on = match NaiveDate::parse_from_str(input.held_on.trim(), "%Y-%m-%d") {
        Err(_) if input.held_on.trim().is_empty() => {
            errors.add("held_on", "请填写活动日期");
            None
        }
        Err(_) => {
            errors.add("held_on", "活动日期格式应为 YYYY-MM-DD");
            None
        }
        Ok(date) => match check_date(date, "活动日期") {
            Err(e) => {
                errors.add("held_on", e);
                None
            }
            Ok(date) if date > today => {
                errors.add("held_on", "活动日期不能晚于今天（请在活动举办后报告）");
                None
            }
            Ok(date) => Some(date),
        },
    };
    if !(1..=ATTENDANCE_MAX).contains(&input.attendance) {
        errors.add("attendance", format!("参与人数应在1到{ATTENDANCE_MAX}之间"));
    }
    let mut ids = input.photos.clone();
    ids.sort_unstable();
    ids.dedup();
    let mut photos = Vec::new();
    if ids.len() > PHOTOS_MAX {
        errors.add("photos", format!("照片最多{PHOTOS_MAX}张"));
    } else {
        let found = reports::media(&app.db, author, &ids).await?;
        for id in &input.photos {
            match found.iter().find(|(m, ..)| m == id) {
                None => {
                    errors.add(
                        "photos",
                        format!("照片{id}不存在或不是您上传的，请重新上传"),
                    );
                }
                Some((_, _, mime)) if kind_of(mime) != MediaKind::Image => {
                    errors.add("photos", "只能附上图片（PNG、JPEG、GIF、WebP）");
                }
                Some((_, sha, _)) if !photos.contains(sha) => photos.push(sha.clone()),
                Some(_) => {}
            }
        }
    }
    errors.into_result()?;
    let held_on = held_on.ok_or_else(|| AppError::validation("held_on", "请填写活动日期"))?;
    // Midnight in Beijing of the day it was held.
    let held_at = Utc.from_utc_datetime(&held_on.and_hms_opt(0, 0, 0).expect("midnight"))
        - chrono::Duration::hours(8);
    Ok(NewReport {
        title,
        held_at,
        place,
        attendance: input.attendance,
        photos,
        note,
    })
}

/// 报告线下活动: only an active 科普员.
pub async fn submit(app: &App, actor: &Actor, input: &ReportInput) -> Result<ReportView, AppError> {
    let sharer = store::of_user(&app.db, actor.id.0)
        .await?
        .filter(|s| s.is_active())
        .ok_or_else(|| AppError::Forbidden("只有在任的科普员可以报告线下活动".into()))?;
    let report = check(app, actor.id.0, input).await?;
    let id = reports::create(&app.db, sharer.id, &report, app.clock.now())
        .await?
        .ok_or_else(|| AppError::Conflict {
            message: "您的科普员任命已撤销，不能再报告线下活动".into(),
            fields: FieldErrors::new(),
        })?;
    let row = reports::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("report {id} vanished")))?;
    Ok(reports::view(app, row))
}

/// The signed-in 科普员's own reports, newest first.
pub async fn mine(
    app: &App,
    actor: &Actor,
    paging: Paging,
) -> Result<(Vec<ReportView>, i64), AppError> {
    let sharer = store::of_user(&app.db, actor.id.0)
        .await?
        .ok_or_else(|| AppError::NotFound("您还不是科普员".into()))?;
    let (rows, total) = reports::of_sharer(&app.db, sharer.id, paging).await?;
    Ok((
        rows.into_iter().map(|r| reports::view(app, r)).collect(),
        total,
    ))
}

/// Reports of one status from the 科普员 of the actor's subtree (narrowed to `region`).
pub async fn in_scope(
    app: &App,
    actor: &Actor,
    region: Option<&RegionCode>,
    status: &str,
    paging: Paging,
    ip: Option<&str>,
) -> Result<(Vec<ReportView>, i64), AppError> {
    ensure_kepu_staff(app, actor, ip).await?;
    let scope = scope::staff_scope(actor).unwrap_or(RegionScope::Subtree(actor.region.clone()));
    let narrowed = scope.narrow(region);
    scope::ensure(
        app,
        actor,
        narrowed.is_some(),
        &format!(
            "region:{}",
            region.map(|r| r.to_string()).unwrap_or_default()
        ),
        ip,
    )
    .await?;
    let (rows, total) =
        reports::in_scope(&app.db, &narrowed.unwrap_or(scope), status, paging).await?;
    Ok((
        rows.into_iter().map(|r| reports::view(app, r)).collect(),
        total,
    ))
}

/// 确认 (`confirm`) or 退回 (`reject`, with an optional reason told to the 科普员). A second
/// decision on the same report is a 409 and changes nothing; a confirmation books nothing into
/// 服务量 (see `reports`).
pub async fn review(
    app: &App,
    actor: &Actor,
    id: i64,
    decision: &str,
    reason: Option<&str>,
    ip: Option<&str>,
) -> Result<ReportView, AppError> {
    ensure_kepu_staff(app, actor, ip).await?;
    let mut errors = FieldErrors::new();
    let to = match decision.trim() {
        "confirm" => "confirmed",
        "reject" => "rejected",
        "" => {
            errors.add("decision", "请选择确认或退回");
            ""
        }
        _ => {
            errors.add(
                "decision",
                "处理结果只能是 confirm（确认）或 reject（退回）",
            );
            ""
        }
    };
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if reason.is_some_and(|r| r.chars().count() > 200) {
        errors.add("reason", "退回原因不超过200个字");
    }
    errors.into_result()?;
    let row = reports::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("活动报告"))?;
    let region = RegionCode::parse(&row.region_code)
        .map_err(|_| AppError::Internal(anyhow::anyhow!("report {id} has a bad region")))?;
    scope::ensure(
        app,
        actor,
        scope::can_view_region(actor, &region),
        &format!("sharer_report:{id}"),
        ip,
    )
    .await?;
    let notice = if to == "confirmed" {
        format!("您报告的线下活动“{}”已确认。", row.title)
    } else {
        format!(
            "您报告的线下活动“{}”未通过确认{}",
            row.title,
            reason
                .map(|r| format!("：{r}"))
                .unwrap_or_else(|| "。".into())
        )
    };
    if reports::decide(&app.db, &row, to, &notice, app.clock.now()).await? == Guarded::Lost {
        return Err(AppError::Conflict {
            message: "该活动报告已处理过".into(),
            fields: FieldErrors::new(),
        });
    }
    let row = reports::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("活动报告"))?;
    Ok(reports::view(app, row))
}
