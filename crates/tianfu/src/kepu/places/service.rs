//! Who may keep which place, the checked input, and a place as the API shows it.

use serde::Serialize;
use tianfu_domain::{FieldErrors, RegionCode};
use utoipa::ToSchema;

use super::store::{PlaceFields, PlaceRow};
use crate::App;
use crate::platform::auth::Actor;
use crate::platform::error::AppError;
use crate::platform::scope;

pub const DEPARTMENT: &str = "kepu";

crate::platform::openapi::wire_enum!(
    /// base 科普共享基地, estation 科普e站.
    PlaceKindName,
    vec!["base".into(), "estation".into()]
);

pub fn kind_label(kind: &str) -> &'static str {
    match kind {
        "base" => "科普共享基地",
        "estation" => "科普e站",
        _ => "科普场所",
    }
}

pub fn status_label(status: &str) -> &'static str {
    match status {
        "open" => "开放中",
        "closed" => "暂停开放",
        _ => "未知",
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlaceView {
    pub id: i64,
    /// base 科普共享基地 or estation 科普e站.
    pub kind: String,
    pub kind_label: String,
    pub name: String,
    pub region_code: String,
    /// "四川省 广安市 邻水县 …".
    pub region_name: String,
    pub address: String,
    /// WGS-84 degrees, when the place is pinned.
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub opening_hours: String,
    /// How many people it receives at once.
    pub capacity: Option<i64>,
    /// What it offers: 展品, 课程, 设备…
    pub offers: Vec<String>,
    /// Photo URLs (`/kepu/media/{sha256}`).
    pub photos: Vec<String>,
    pub intro: String,
    /// open or closed.
    pub status: String,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

pub fn view(app: &App, row: &PlaceRow) -> PlaceView {
    let photos: Vec<String> = serde_json::from_str(&row.photos).unwrap_or_default();
    PlaceView {
        id: row.id,
        kind: row.kind.clone(),
        kind_label: kind_label(&row.kind).to_owned(),
        name: row.name.clone(),
        region_code: row.region_code.clone(),
        region_name: app.regions.full_name_of(&row.region_code),
        address: row.address.clone(),
        latitude: row.latitude,
        longitude: row.longitude,
        opening_hours: row.opening_hours.clone(),
        capacity: row.capacity,
        offers: serde_json::from_str(&row.offers).unwrap_or_default(),
        photos: photos
            .into_iter()
            .map(|sha| format!("/kepu/media/{sha}"))
            .collect(),
        intro: row.intro.clone(),
        status: row.status.clone(),
        updated_at: row.updated_at,
    }
}

/// A place as typed, before checking.
#[derive(Debug, Clone, Default)]
pub struct PlaceInput {
    pub kind: String,
    pub name: String,
    pub region_code: String,
    pub address: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub opening_hours: String,
    pub capacity: Option<i64>,
    pub offers: Vec<String>,
    pub photo_ids: Vec<i64>,
    pub intro: String,
    pub status: String,
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
        errors.add(field, format!("{what}不能超过{max}个字"));
    }
    value.to_owned()
}

/// Checks every field at once (422 naming each); photos must be images already uploaded.
pub async fn check(app: &App, input: &PlaceInput) -> Result<PlaceFields, AppError> {
    let mut errors = FieldErrors::new();
    let kind = input.kind.trim();
    if !matches!(kind, "base" | "estation") {
        errors.add(
            "kind",
            "场所类型只能是 科普共享基地 base 或 科普e站 estation",
        );
    }
    let name = text(&mut errors, "name", &input.name, "场所名称", 60, true);
    let address = text(&mut errors, "address", &input.address, "地址", 120, true);
    let opening_hours = text(
        &mut errors,
        "opening_hours",
        &input.opening_hours,
        "开放时间",
        60,
        false,
    );
    let intro = text(&mut errors, "intro", &input.intro, "场所介绍", 2000, false);
    let region = match app.regions.find(input.region_code.trim()) {
        Some(region) => Some(region.code.clone()),
        None => {
            errors.add("region_code", "请选择场所所在的地区（县或乡镇）");
            None
        }
    };
    match (input.latitude, input.longitude) {
        (None, None) => {}
        (Some(lat), Some(lng)) => {
            if !(18.0..=54.0).contains(&lat) {
                errors.add("latitude", "纬度应在18至54度之间（中国境内）");
            }
            if !(73.0..=136.0).contains(&lng) {
                errors.add("longitude", "经度应在73至136度之间（中国境内）");
            }
        }
        (None, Some(_)) => errors.add("latitude", "请同时填写纬度和经度"),
        (Some(_), None) => errors.add("longitude", "请同时填写纬度和经度"),
    }
    if input.capacity.is_some_and(|c| !(1..=100_000).contains(&c)) {
        errors.add("capacity", "接待能力应在1至100000人之间");
    }
    let mut offers = Vec::new();
    if input.offers.len() > 12 {
        errors.add("offers", "服务项目最多12项");
    }
    for offer in &input.offers {
        let offer = offer.trim();
        if offer.is_empty() {
            continue;
        }
        if offer.chars().count() > 20 {
            errors.add("offers", "每个服务项目不能超过20个字");
        } else if !offers.iter().any(|o| o == offer) {
            offers.push(offer.to_owned());
        }
    }
    let status = match input.status.trim() {
        "" | "open" => "open",
        "closed" => "closed",
        _ => {
            errors.add("status", "状态只能是 open（开放中）或 closed（暂停开放）");
            "open"
        }
    };
    if input.photo_ids.len() > 9 {
        errors.add("photo_ids", "照片最多9张");
    }
    let mut photos = Vec::new();
    for id in input.photo_ids.iter().take(9) {
        match crate::kepu::resources::media::find(&app.db, *id).await? {
            Some(media) if media.mime.starts_with("image/") => photos.push(media.sha256),
            Some(_) => errors.add("photo_ids", "照片只能是图片"),
            None => errors.add("photo_ids", format!("照片 {id} 不存在，请先上传")),
        }
    }
    errors.into_result()?;
    Ok(PlaceFields {
        kind: kind.to_owned(),
        name,
        region_code: region.expect("checked above"),
        address,
        latitude: input.latitude,
        longitude: input.longitude,
        opening_hours,
        capacity: input.capacity,
        offers,
        photos,
        intro,
        status: status.to_owned(),
    })
}

/// 全民科普服务部 staff keep the places of their subtree; administrators any.
pub fn may_keep(actor: &Actor, region: &RegionCode) -> bool {
    scope::works_in(actor, DEPARTMENT) && scope::can_view_region(actor, region)
}

pub async fn ensure_keeper(
    app: &App,
    actor: &Actor,
    region: &RegionCode,
    ip: Option<&str>,
) -> Result<(), AppError> {
    if !scope::works_in(actor, DEPARTMENT) {
        return Err(AppError::Forbidden(
            "科普场所由全民科普服务部工作人员维护".into(),
        ));
    }
    scope::ensure(
        app,
        actor,
        may_keep(actor, region),
        &format!("region:{region}"),
        ip,
    )
    .await
}

/// 新增场所: answers its id.
pub async fn create(
    app: &App,
    actor: &Actor,
    input: &PlaceInput,
    ip: Option<&str>,
) -> Result<i64, AppError> {
    if !scope::works_in(actor, DEPARTMENT) {
        return Err(AppError::Forbidden(
            "科普场所由全民科普服务部工作人员维护".into(),
        ));
    }
    let fields = check(app, input).await?;
    ensure_keeper(app, actor, &fields.region_code, ip).await?;
    let mut tx = app.db.begin().await?;
    let id = super::store::insert(&mut tx, &fields, actor.id.0, app.clock.now()).await?;
    tx.commit().await?;
    Ok(id)
}

/// Applies a patch over the stored place, checked as a whole.
pub async fn update(
    app: &App,
    actor: &Actor,
    id: i64,
    patch: super::api::PlacePatch,
    ip: Option<&str>,
) -> Result<PlaceRow, AppError> {
    let row = find_kept(app, actor, id, ip).await?;
    let photo_ids = match patch.photo_ids {
        Some(ids) => ids,
        None => current_photo_ids(app, &row).await?,
    };
    let input = PlaceInput {
        kind: patch.kind.unwrap_or(row.kind.clone()),
        name: patch.name.unwrap_or(row.name.clone()),
        region_code: patch.region_code.unwrap_or(row.region_code.clone()),
        address: patch.address.unwrap_or(row.address.clone()),
        latitude: patch.latitude.or(row.latitude),
        longitude: patch.longitude.or(row.longitude),
        opening_hours: patch.opening_hours.unwrap_or(row.opening_hours.clone()),
        capacity: patch.capacity.or(row.capacity),
        offers: patch
            .offers
            .unwrap_or_else(|| serde_json::from_str(&row.offers).unwrap_or_default()),
        photo_ids,
        intro: patch.intro.unwrap_or(row.intro.clone()),
        status: patch.status.unwrap_or(row.status.clone()),
    };
    save(app, actor, id, &input, row.updated_at, ip).await
}

/// The place, if the actor keeps it (its region's 全民科普服务部 staff).
pub async fn find_kept(
    app: &App,
    actor: &Actor,
    id: i64,
    ip: Option<&str>,
) -> Result<PlaceRow, AppError> {
    let row = super::store::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("科普场所"))?;
    let current = RegionCode::parse(&row.region_code)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("place {id} region: {e}")))?;
    ensure_keeper(app, actor, &current, ip).await?;
    Ok(row)
}

/// Writes a whole place over the version its editor saw (`seen`, its `updated_at`): a change
/// someone made in between is never overwritten (409). The place may move only within the
/// actor's region.
pub async fn save(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &PlaceInput,
    seen: chrono::DateTime<chrono::Utc>,
    ip: Option<&str>,
) -> Result<PlaceRow, AppError> {
    find_kept(app, actor, id, ip).await?;
    let fields = check(app, input).await?;
    ensure_keeper(app, actor, &fields.region_code, ip).await?;
    let mut tx = app.db.begin().await?;
    if !super::store::update(&mut tx, id, &fields, seen, app.clock.now()).await? {
        return Err(AppError::Conflict {
            message: "该场所刚被他人修改，请刷新后重试".into(),
            fields: FieldErrors::new(),
        });
    }
    tx.commit().await?;
    super::store::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("科普场所"))
}

/// The media ids behind a place's stored photo hashes (a patch re-checks them).
pub async fn current_photo_ids(app: &App, row: &PlaceRow) -> Result<Vec<i64>, AppError> {
    let hashes: Vec<String> = serde_json::from_str(&row.photos).unwrap_or_default();
    let mut ids = Vec::new();
    for sha in hashes {
        let id: Option<i64> = crate::on_db!(&app.db, pool => sqlx::query_scalar(
            "SELECT id FROM kepu_media WHERE sha256 = $1").bind(&sha).fetch_optional(pool).await)?;
        ids.extend(id);
    }
    Ok(ids)
}

/// Names a registered person as one who runs the place.
pub async fn add_manager(
    app: &App,
    actor: &Actor,
    id: i64,
    phone: &str,
    ip: Option<&str>,
) -> Result<(), AppError> {
    let row = super::store::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("科普场所"))?;
    let region = RegionCode::parse(&row.region_code)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("place {id} region: {e}")))?;
    ensure_keeper(app, actor, &region, ip).await?;
    let user = user_by_phone(app, phone).await?;
    let mut tx = app.db.begin().await?;
    if !super::store::add_manager(&mut tx, id, user.0).await? {
        return Err(AppError::Conflict {
            message: "此人已是该场所的管理员".into(),
            fields: FieldErrors::single("phone", "此人已是该场所的管理员"),
        });
    }
    tx.notify(
        user.0,
        &format!(
            "您已被设为科普场所“{}”的管理员，可以为它发布科普活动",
            row.name
        ),
        &format!("/kepu/places/{id}"),
        app.clock.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A registered person by phone: (id, name); a field error when there is none.
pub async fn user_by_phone(app: &App, phone: &str) -> Result<(i64, String), AppError> {
    let phone = tianfu_domain::Phone::parse(phone)
        .map_err(|e| AppError::validation("phone", e.to_string()))?;
    let found: Option<(i64, String)> = crate::on_db!(&app.db, pool => sqlx::query_as(
        "SELECT id, name FROM users WHERE phone = $1").bind(phone.as_str()).fetch_optional(pool).await)?;
    found.ok_or_else(|| AppError::validation("phone", "该手机号尚未注册"))
}
