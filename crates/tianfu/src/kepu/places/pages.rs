//! `/kepu/places`: 科普共享基地 and 科普e站 near a person, as a list and on a map;
//! `/kepu/places/{id}`: one place with its coming activities; `/admin/kepu/places`: the places
//! of a staff member's region and the form to add one. Forms work without JavaScript.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tianfu_domain::FieldErrors;

use super::service::{self, PlaceInput, PlaceView};
use super::store;
use crate::AppState;
use crate::kepu::activities::service::ActivityView;
use crate::platform::api::Paging;
use crate::platform::auth::{Actor, ClientIp, MaybeUser, PageStaff};
use crate::platform::done::{self, Done, DoneQuery};
use crate::platform::error::AppError;
use crate::platform::page::{PageError, Pager, url_encode};
use crate::platform::scope::{RegionScope, staff_scope};
use crate::staff::pages::{RegionOption, region_options};

#[derive(Debug, Default, Deserialize)]
pub struct IndexParams {
    region_code: Option<String>,
    kind: Option<String>,
    page: Option<u32>,
}

#[derive(Template, WebTemplate)]
#[template(path = "kepu/places/index.html")]
pub struct IndexPage {
    me: Option<Actor>,
    places: Vec<PlaceView>,
    region_code: String,
    region_name: String,
    kind: String,
    pager: Pager,
    pager_base: String,
    /// The pinned places as JSON for the map: [{id, name, kind, lng, lat}].
    pins: String,
}

/// The region a person's list starts from: the one asked for, else their own county, else
/// the province.
fn start_region(app: &AppState, me: Option<&Actor>, asked: Option<&str>) -> String {
    match asked.map(str::trim) {
        Some(code) if !code.is_empty() => code.to_owned(),
        _ => me
            .map(|m| m.region.as_str().chars().take(6).collect())
            .filter(|code: &String| app.regions.find(code).is_some())
            .unwrap_or_else(|| "51".to_owned()),
    }
}

pub async fn index(
    State(app): State<AppState>,
    MaybeUser(me): MaybeUser,
    Query(params): Query<IndexParams>,
) -> Result<IndexPage, PageError> {
    let region_code = start_region(&app, me.as_ref(), params.region_code.as_deref());
    let kind = params.kind.unwrap_or_default();
    let mut filter = super::api::filter_of(&app, Some(&region_code), Some(&kind))
        .map_err(|e| PageError::new(e, me.clone()))?;
    filter.open_only = true;
    let paging = Paging {
        page: params.page,
        per_page: Some(30),
    };
    let (rows, total) = store::list(&app.db, &filter, paging).await?;
    let places: Vec<PlaceView> = rows.iter().map(|r| service::view(&app, r)).collect();
    let pins: Vec<serde_json::Value> = places
        .iter()
        .filter_map(|p| {
            Some(serde_json::json!({
                "id": p.id, "name": p.name, "kind": p.kind_label,
                "lng": p.longitude?, "lat": p.latitude?,
            }))
        })
        .collect();
    Ok(IndexPage {
        region_name: app.regions.full_name_of(&region_code),
        pager: Pager::new(paging.page(), paging.per_page(), total),
        pager_base: format!(
            "/kepu/places?region_code={}&kind={}&",
            url_encode(&region_code),
            url_encode(&kind)
        ),
        pins: serde_json::to_string(&pins).expect("json"),
        me,
        places,
        region_code,
        kind,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "kepu/places/show.html")]
pub struct ShowPage {
    me: Option<Actor>,
    place: PlaceView,
    managers: Vec<(i64, String)>,
    activities: Vec<ActivityView>,
    can_keep: bool,
    can_post: bool,
    notice: Option<String>,
    error: Option<String>,
}

pub async fn show(
    State(app): State<AppState>,
    MaybeUser(me): MaybeUser,
    Path(id): Path<i64>,
    Query(done): Query<DoneQuery>,
) -> Result<ShowPage, PageError> {
    show_page(&app, me, id, done.message(), None).await
}

async fn show_page(
    app: &AppState,
    me: Option<Actor>,
    id: i64,
    notice: Option<String>,
    error: Option<String>,
) -> Result<ShowPage, PageError> {
    let Some(row) = store::find(&app.db, id).await? else {
        return Err(PageError::new(AppError::not_found("科普场所"), me));
    };
    let managers = store::managers(&app.db, id).await?;
    let region = tianfu_domain::RegionCode::parse(&row.region_code).ok();
    let can_keep = me
        .as_ref()
        .zip(region.as_ref())
        .is_some_and(|(m, r)| service::may_keep(m, r));
    let can_post = can_keep
        || me
            .as_ref()
            .is_some_and(|m| managers.iter().any(|(u, _)| *u == m.id.0));
    let activities = crate::kepu::activities::service::upcoming_at_place(app, id)
        .await
        .map_err(|e| PageError::new(e, me.clone()))?;
    Ok(ShowPage {
        place: service::view(app, &row),
        managers,
        activities,
        can_keep,
        can_post,
        notice,
        error,
        me,
    })
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct PlaceForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub region_code: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub latitude: String,
    #[serde(default)]
    pub longitude: String,
    #[serde(default)]
    pub opening_hours: String,
    #[serde(default)]
    pub capacity: String,
    #[serde(default)]
    pub offers: String,
    #[serde(default)]
    pub intro: String,
    /// Uploaded photos' ids, separated by commas (the page's script fills it).
    #[serde(default)]
    pub photo_ids: String,
    /// open or closed (the edit form; a new place is open).
    #[serde(default)]
    pub status: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "kepu/places/staff.html")]
pub struct StaffPage {
    me: Option<Actor>,
    scope_name: String,
    places: Vec<PlaceView>,
    pager: Pager,
    regions: Vec<RegionOption>,
    form: PlaceForm,
    errors: FieldErrors,
}

impl StaffPage {
    fn field_error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or_default()
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct StaffParams {
    page: Option<u32>,
}

async fn staff_page(
    app: &AppState,
    actor: Actor,
    page: Option<u32>,
    form: PlaceForm,
    errors: FieldErrors,
) -> Result<StaffPage, PageError> {
    let scope = staff_scope(&actor).unwrap_or(RegionScope::Subtree(actor.region.clone()));
    let filter = store::PlaceFilter {
        region: match &scope {
            RegionScope::All => None,
            RegionScope::Subtree(root) => Some(root.clone()),
        },
        ..Default::default()
    };
    let paging = Paging {
        page,
        per_page: Some(30),
    };
    let (rows, total) = store::list(&app.db, &filter, paging).await?;
    let selected = if form.region_code.is_empty() {
        actor.region.to_string()
    } else {
        form.region_code.clone()
    };
    Ok(StaffPage {
        scope_name: scope.name(&app.regions),
        places: rows.iter().map(|r| service::view(app, r)).collect(),
        pager: Pager::new(paging.page(), paging.per_page(), total),
        regions: region_options(app, &scope, true, &selected),
        form,
        errors,
        me: Some(actor),
    })
}

pub async fn staff(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    Query(params): Query<StaffParams>,
) -> Result<StaffPage, PageError> {
    staff_page(
        &app,
        actor,
        params.page,
        PlaceForm::default(),
        FieldErrors::new(),
    )
    .await
}

/// A number typed in a form: blank is none; anything else that is not a number is a field error.
pub fn number<T: std::str::FromStr>(
    errors: &mut FieldErrors,
    field: &str,
    text: &str,
    what: &str,
) -> Option<T> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    match text.parse() {
        Ok(value) => Some(value),
        Err(_) => {
            errors.add(field, format!("{what}应是数字"));
            None
        }
    }
}

/// The form as the service's input; numbers that are not numbers are field errors.
pub fn input_of(form: &PlaceForm, errors: &mut FieldErrors) -> PlaceInput {
    PlaceInput {
        kind: form.kind.clone(),
        name: form.name.clone(),
        region_code: form.region_code.clone(),
        address: form.address.clone(),
        latitude: number(errors, "latitude", &form.latitude, "纬度"),
        longitude: number(errors, "longitude", &form.longitude, "经度"),
        opening_hours: form.opening_hours.clone(),
        capacity: number(errors, "capacity", &form.capacity, "接待能力"),
        offers: form
            .offers
            .split([',', '，', '、', ' ', '　'])
            .map(str::to_owned)
            .collect(),
        photo_ids: form
            .photo_ids
            .split(',')
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .filter_map(|id| {
                let parsed = id.parse().ok();
                if parsed.is_none() {
                    errors.add("photo_ids", "照片编号有误，请重新上传");
                }
                parsed
            })
            .collect(),
        intro: form.intro.clone(),
        status: form.status.clone(),
    }
}

pub async fn create(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Form(form): Form<PlaceForm>,
) -> Result<Response, PageError> {
    let mut errors = FieldErrors::new();
    let mut input = input_of(&form, &mut errors);
    input.status = "open".into();
    let result = if errors.is_empty() {
        service::create(&app, &actor, &input, ip.as_deref()).await
    } else {
        Err(AppError::Validation(errors))
    };
    match result {
        Ok(id) => {
            Ok(done::redirect(&format!("/kepu/places/{id}"), Done::PlaceCreated).into_response())
        }
        Err(AppError::Validation(errors)) => {
            let page = staff_page(&app, actor, None, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(error) => Err(PageError::new(error, Some(actor))),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ManagerForm {
    #[serde(default)]
    phone: String,
}

pub async fn add_manager(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    Form(form): Form<ManagerForm>,
) -> Result<Response, PageError> {
    match service::add_manager(&app, &actor, id, &form.phone, ip.as_deref()).await {
        Ok(()) => {
            Ok(done::redirect(&format!("/kepu/places/{id}"), Done::ManagerAdded).into_response())
        }
        Err(error @ (AppError::Validation(_) | AppError::Conflict { .. })) => {
            let message = error
                .fields()
                .into_values()
                .next()
                .unwrap_or_else(|| error.to_string());
            let page = show_page(&app, Some(actor), id, None, Some(message)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(error) => Err(PageError::new(error, Some(actor))),
    }
}
