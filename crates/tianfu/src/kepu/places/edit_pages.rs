//! `/admin/kepu/places/{id}/edit`: the region's 全民科普服务部 staff correct a place, move its
//! pin, change its photos, or pause it (暂停开放: it leaves the public list and map and takes no
//! new activities). The form carries the version it was read at, so an edit made meanwhile by
//! someone else is never overwritten. Works without JavaScript (photos need the upload script).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use tianfu_domain::FieldErrors;

use super::pages::{PlaceForm, input_of};
use super::service;
use super::store::PlaceRow;
use crate::AppState;
use crate::platform::auth::{Actor, ClientIp, PageStaff};
use crate::platform::done::{self, Done};
use crate::platform::error::AppError;
use crate::platform::page::PageError;
use crate::platform::scope::{RegionScope, staff_scope};
use crate::staff::pages::{RegionOption, region_options};

#[derive(Template, WebTemplate)]
#[template(path = "kepu/places/edit.html")]
pub struct EditPage {
    me: Option<Actor>,
    id: i64,
    name: String,
    /// The `updated_at` the form was filled from (RFC 3339).
    version: String,
    photos: Vec<String>,
    regions: Vec<RegionOption>,
    form: PlaceForm,
    errors: FieldErrors,
    error: Option<String>,
}

impl EditPage {
    fn field_error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or_default()
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct EditForm {
    #[serde(flatten)]
    place: PlaceForm,
    #[serde(default)]
    version: String,
    #[serde(default)]
    clear_photos: String,
}

/// The stored place as the form shows it.
async fn form_of(app: &AppState, row: &PlaceRow) -> Result<PlaceForm, AppError> {
    let offers: Vec<String> = serde_json::from_str(&row.offers).unwrap_or_default();
    let photo_ids = service::current_photo_ids(app, row).await?;
    Ok(PlaceForm {
        kind: row.kind.clone(),
        name: row.name.clone(),
        region_code: row.region_code.clone(),
        address: row.address.clone(),
        latitude: row.latitude.map(|v| v.to_string()).unwrap_or_default(),
        longitude: row.longitude.map(|v| v.to_string()).unwrap_or_default(),
        opening_hours: row.opening_hours.clone(),
        capacity: row.capacity.map(|v| v.to_string()).unwrap_or_default(),
        offers: offers.join("、"),
        intro: row.intro.clone(),
        photo_ids: photo_ids
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(","),
        status: row.status.clone(),
    })
}

fn page(
    app: &AppState,
    actor: Actor,
    row: &PlaceRow,
    version: String,
    form: PlaceForm,
    errors: FieldErrors,
    error: Option<String>,
) -> EditPage {
    let scope = staff_scope(&actor).unwrap_or(RegionScope::Subtree(actor.region.clone()));
    let view = service::view(app, row);
    EditPage {
        id: row.id,
        name: row.name.clone(),
        version,
        photos: view.photos,
        regions: region_options(app, &scope, true, &form.region_code),
        form,
        errors,
        error,
        me: Some(actor),
    }
}

pub async fn edit(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
) -> Result<EditPage, PageError> {
    let row = match service::find_kept(&app, &actor, id, ip.as_deref()).await {
        Ok(row) => row,
        Err(e) => return Err(PageError::new(e, Some(actor))),
    };
    let form = form_of(&app, &row)
        .await
        .map_err(|e| PageError::new(e, Some(actor.clone())))?;
    let version = row.updated_at.to_rfc3339();
    Ok(page(
        &app,
        actor,
        &row,
        version,
        form,
        FieldErrors::new(),
        None,
    ))
}

pub async fn save(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    Form(form): Form<EditForm>,
) -> Result<Response, PageError> {
    let row = match service::find_kept(&app, &actor, id, ip.as_deref()).await {
        Ok(row) => row,
        Err(e) => return Err(PageError::new(e, Some(actor))),
    };
    let mut errors = FieldErrors::new();
    let mut input = input_of(&form.place, &mut errors);
    if !form.clear_photos.is_empty() {
        let existing = service::current_photo_ids(&app, &row)
            .await
            .map_err(|e| PageError::new(e, Some(actor.clone())))?;
        input.photo_ids.retain(|id| !existing.contains(id));
    }
    // A form without a version (or a garbled one) is treated as stale rather than trusted.
    let seen = DateTime::parse_from_rfc3339(form.version.trim())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
    let result = if errors.is_empty() {
        service::save(&app, &actor, id, &input, seen, ip.as_deref()).await
    } else {
        Err(AppError::Validation(errors))
    };
    match result {
        Ok(_) => Ok(done::redirect(&format!("/kepu/places/{id}"), Done::Saved).into_response()),
        Err(AppError::Validation(errors)) => {
            let page = page(&app, actor, &row, form.version, form.place, errors, None);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(AppError::Conflict { .. }) => {
            // Someone saved first: what was typed stays on the page, now against their
            // version, so saving again is a choice made knowing it.
            let page = page(
                &app,
                actor,
                &row,
                row.updated_at.to_rfc3339(),
                form.place,
                FieldErrors::new(),
                Some(
                    "该场所刚被他人修改过。您填写的内容仍在下方，核对后再次保存将以此为准。".into(),
                ),
            );
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(error) => Err(PageError::new(error, Some(actor))),
    }
}
