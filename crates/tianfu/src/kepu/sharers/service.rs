//! Who may do what with 科普员, and the acts. 全民科普服务部 staff (and administrators) appoint,
//! list and revoke within their region's subtree; a 科普员 sees their own record and reach;
//! nobody else sees any.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tianfu_domain::{FieldErrors, Phone, RegionCode, RegionLevel, Role};
use utoipa::ToSchema;

use super::reach::{self, Reach, SharedResource};
use super::reports::{self, OfflineTotals};
use super::store::{self, Appointment, Candidate, SharerFilter, SharerRow};
use crate::App;
use crate::platform::api::Paging;
use crate::platform::audit::{self, AuditEntry};
use crate::platform::auth::Actor;
use crate::platform::error::AppError;
use crate::platform::scope::{self, RegionScope};
use crate::platform::tx::Guarded;

pub const DEPARTMENT: &str = "kepu";
/// The longest village name kept (行政村/社区 names are short).
pub const VILLAGE_MAX: usize = 30;

pub fn status_label(status: &str) -> &'static str {
    match status {
        "active" => "在任",
        "revoked" => "已撤销",
        _ => "未知",
    }
}

/// 全民科普服务部 staff and administrators manage 科普员; anyone else is refused (audited).
pub async fn ensure_kepu_staff(app: &App, actor: &Actor, ip: Option<&str>) -> Result<(), AppError> {
    if scope::works_in(actor, DEPARTMENT) {
        return Ok(());
    }
    audit::record(
        &app.db,
        app.clock.now(),
        AuditEntry {
            actor: Some(actor.id),
            action: "permission.denied",
            subject: "kepu.sharers",
            ip,
            detail: "not kepu staff",
        },
    )
    .await;
    Err(AppError::Forbidden(
        "科普员管理仅限全民科普服务部工作人员".into(),
    ))
}

/// A 科普员 as the API and pages show them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SharerView {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub phone: String,
    /// public (群众) or volunteer (科技志愿者).
    pub role: String,
    /// The share code their links carry (`?from=`).
    pub code: String,
    /// The township (9 digits).
    pub region_code: String,
    /// "四川省 广安市 邻水县 鼎屏镇".
    pub region_name: String,
    /// The village or community they serve, if one was named.
    pub village: Option<String>,
    /// active (在任) or revoked (已撤销).
    pub status: String,
    pub status_label: String,
    pub appointed_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// Reads through their links.
    pub reach: Reach,
}

/// One 科普员 with what they shared most and their offline activities.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SharerDetail {
    #[serde(flatten)]
    pub sharer: SharerView,
    /// The resources read most through their links (at most ten).
    pub top_resources: Vec<SharedResource>,
    /// Offline activities they reported.
    pub offline: OfflineTotals,
}

pub fn view(app: &App, row: SharerRow, reach: Reach) -> SharerView {
    SharerView {
        region_name: app.regions.full_name_of(&row.region_code),
        status_label: status_label(&row.status).to_owned(),
        id: row.id,
        user_id: row.user_id,
        name: row.name,
        phone: row.phone,
        role: row.role,
        code: row.code,
        region_code: row.region_code,
        village: row.village,
        status: row.status,
        appointed_at: row.appointed_at,
        revoked_at: row.revoked_at,
        reach,
    }
}

/// What staff typed to appoint someone.
#[derive(Debug, Clone, Default)]
pub struct AppointInput {
    pub phone: Option<String>,
    pub user_id: Option<i64>,
    pub region_code: String,
    pub village: Option<String>,
}

/// The township of a request: a 9-digit code of the tree.
pub fn parse_township(app: &App, text: &str, errors: &mut FieldErrors) -> Option<RegionCode> {
    let text = text.trim();
    if text.is_empty() {
        errors.add("region_code", "请选择乡镇（街道）");
        return None;
    }
    match app.regions.find(text) {
        Some(region) if region.level() == RegionLevel::Township => Some(region.code.clone()),
        Some(_) => {
            errors.add(
                "region_code",
                "科普员须任命到乡镇（街道），请填写9位乡镇代码",
            );
            None
        }
        None => {
            errors.add("region_code", "乡镇（街道）代码不存在");
            None
        }
    }
}

pub fn parse_village(text: Option<&str>, errors: &mut FieldErrors) -> Option<String> {
    let text = text.map(str::trim).filter(|t| !t.is_empty())?;
    if text.chars().count() > VILLAGE_MAX {
        errors.add("village", format!("村（社区）名称不超过{VILLAGE_MAX}个字"));
        return None;
    }
    if text.chars().any(|c| c.is_control() || "<>\"'&".contains(c)) {
        errors.add("village", "村（社区）名称不能包含特殊符号");
        return None;
    }
    Some(text.to_owned())
}

/// The person named by phone or by id (exactly one of them).
async fn find_person(
    app: &App,
    input: &AppointInput,
    errors: &mut FieldErrors,
) -> Result<Option<(Candidate, &'static str)>, AppError> {
    let phone = input
        .phone
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty());
    let found = match (phone, input.user_id) {
        (Some(_), Some(_)) => {
            errors.add("phone", "手机号和用户编号只填一个");
            return Ok(None);
        }
        (None, None) => {
            errors.add("phone", "请填写要任命的人的手机号");
            return Ok(None);
        }
        (Some(phone), None) => match Phone::parse(phone) {
            Err(e) => {
                errors.add("phone", e.to_string());
                return Ok(None);
            }
            Ok(phone) => store::candidate_by_phone(&app.db, phone.as_str())
                .await?
                .map(|c| (c, "phone")),
        },
        (None, Some(id)) => store::candidate_by_id(&app.db, id)
            .await?
            .map(|c| (c, "user_id")),
    };
    let field = if phone.is_some() { "phone" } else { "user_id" };
    match found {
        None => {
            errors.add(field, "未找到该用户，请确认其已在平台注册");
            Ok(None)
        }
        Some((candidate, field))
            if !matches!(
                Role::parse(&candidate.role),
                Ok(Role::Public | Role::Volunteer)
            ) =>
        {
            errors.add(field, "只能任命群众或科技志愿者为科普员");
            Ok(None)
        }
        Some(found) => Ok(Some(found)),
    }
}

/// 任命科普员: every field's problem at once (422), then the scope (403), then the one-active
/// rule (409).
pub async fn appoint(
    app: &App,
    actor: &Actor,
    input: &AppointInput,
    ip: Option<&str>,
) -> Result<SharerView, AppError> {
    ensure_kepu_staff(app, actor, ip).await?;
    let mut errors = FieldErrors::new();
    let person = find_person(app, input, &mut errors).await?;
    let township = parse_township(app, &input.region_code, &mut errors);
    let village = parse_village(input.village.as_deref(), &mut errors);
    errors.into_result()?;
    let (Some((person, field)), Some(township)) = (person, township) else {
        return Err(AppError::validation("region_code", "任命信息有误"));
    };
    scope::ensure(
        app,
        actor,
        scope::can_view_region(actor, &township),
        &format!("region:{township}"),
        ip,
    )
    .await?;
    // Staff see only the people of their own subtree; someone registered elsewhere is not
    // theirs to look up or appoint.
    let home = RegionCode::parse(&person.region_code)
        .map_err(|_| AppError::Internal(anyhow::anyhow!("user {} has a bad region", person.id)))?;
    scope::ensure(
        app,
        actor,
        scope::can_view_region(actor, &home),
        &format!("user:{}", person.id),
        ip,
    )
    .await?;
    let place = format!(
        "{}{}",
        app.regions.full_name(&township).replace(' ', ""),
        village.as_deref().unwrap_or_default()
    );
    let notice = format!(
        "您已被任命为{place}的智慧科普传播员（科普员）。在“我的科普员”中可获取分享链接、查看传播量、报告线下活动。"
    );
    let appointment = Appointment {
        person: person.id,
        township: &township,
        village: village.as_deref(),
        by: actor.id.0,
        notice: &notice,
    };
    let id = store::appoint(&app.db, &appointment, app.clock.now())
        .await?
        .ok_or_else(|| AppError::Conflict {
            message: format!("{}已是在任的科普员，请先撤销原任命", person.name),
            fields: FieldErrors::single(field, "该用户已是在任的科普员"),
        })?;
    let row = store::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("sharer {id} vanished")))?;
    let reach = reach::of_one(&app.db, &row, reach::month_start(app)).await?;
    Ok(view(app, row, reach))
}

/// 科普员 inside the actor's scope (narrowed to `region` when given), with their reach.
pub async fn list(
    app: &App,
    actor: &Actor,
    region: Option<&RegionCode>,
    status: Option<&str>,
    paging: Paging,
    ip: Option<&str>,
) -> Result<(Vec<SharerView>, i64), AppError> {
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
    let filter = SharerFilter {
        scope: narrowed.unwrap_or(scope),
        status: status.map(str::to_owned),
    };
    let (rows, total) = store::list(&app.db, &filter, paging).await?;
    let reaches = reach::of_many(
        &app.db,
        &rows.iter().collect::<Vec<_>>(),
        reach::month_start(app),
    )
    .await?;
    let items = rows
        .into_iter()
        .map(|row| {
            let reach = reaches.get(&row.id).copied().unwrap_or_default();
            view(app, row, reach)
        })
        .collect();
    Ok((items, total))
}

async fn detail_of(app: &App, row: SharerRow) -> Result<SharerDetail, AppError> {
    let reach = reach::of_one(&app.db, &row, reach::month_start(app)).await?;
    let top_resources = reach::top_resources(&app.db, &row, 10).await?;
    let offline = reports::totals(&app.db, row.id).await?;
    Ok(SharerDetail {
        sharer: view(app, row, reach),
        top_resources,
        offline,
    })
}

/// One 科普员: for the region's 科普 staff, and for the 科普员 themself.
pub async fn detail(
    app: &App,
    actor: &Actor,
    id: i64,
    ip: Option<&str>,
) -> Result<SharerDetail, AppError> {
    let row = store::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("科普员"))?;
    let own = row.user_id == actor.id.0;
    if !own {
        ensure_kepu_staff(app, actor, ip).await?;
        let region = row.region()?;
        scope::ensure(
            app,
            actor,
            scope::can_view_region(actor, &region),
            &format!("sharer:{id}"),
            ip,
        )
        .await?;
    }
    detail_of(app, row).await
}

/// The signed-in person's own 科普员 record (active or revoked); 404 if they never were one.
pub async fn mine(app: &App, actor: &Actor) -> Result<(SharerRow, SharerDetail), AppError> {
    let row = store::of_user(&app.db, actor.id.0)
        .await?
        .ok_or_else(|| AppError::NotFound("您还不是科普员".into()))?;
    let detail = detail_of(app, row.clone()).await?;
    Ok((row, detail))
}

/// 撤销任命: staff of the township's subtree; 409 when it is not active.
pub async fn revoke(
    app: &App,
    actor: &Actor,
    id: i64,
    ip: Option<&str>,
) -> Result<SharerView, AppError> {
    ensure_kepu_staff(app, actor, ip).await?;
    let row = store::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("科普员"))?;
    let region = row.region()?;
    scope::ensure(
        app,
        actor,
        scope::can_view_region(actor, &region),
        &format!("sharer:{id}"),
        ip,
    )
    .await?;
    let notice = format!(
        "您在{}的科普员任命已撤销，感谢您为群众传播科学知识。",
        app.regions.full_name(&region).replace(' ', "")
    );
    if store::revoke(&app.db, &row, &notice, app.clock.now()).await? == Guarded::Lost {
        return Err(AppError::Conflict {
            message: "该科普员已被撤销任命".into(),
            fields: FieldErrors::new(),
        });
    }
    let row = store::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("科普员"))?;
    let reach = reach::of_one(&app.db, &row, reach::month_start(app)).await?;
    Ok(view(app, row, reach))
}
