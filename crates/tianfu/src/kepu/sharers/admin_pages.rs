//! The staff console's 科普员 page `/admin/kepu/sharers`: appoint, the list with each one's
//! reach, revoke. (`coverage_pages` and `report_pages` hold the console's other two.) Forms work
//! without JavaScript.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tianfu_domain::{FieldErrors, RegionCode, RegionLevel};

use super::coverage;
use super::service::{self, AppointInput, SharerView};
use crate::platform::api::Paging;
use crate::platform::auth::{Actor, ClientIp, PageStaff};
use crate::platform::error::AppError;
use crate::platform::page::{PageError, Pager, url_encode};
use crate::platform::scope::{RegionScope, staff_scope};
use crate::{App, AppState};

/// Above this many counties in the staff member's region, the appoint form asks for the county
/// first instead of listing every township.
pub const COUNTIES_LISTED: usize = 24;

/// A county and its townships, for the appoint form's choice.
pub struct TownshipGroup {
    pub name: String,
    pub townships: Vec<(String, String, bool)>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct AppointForm {
    pub phone: String,
    pub region_code: String,
    pub village: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListParams {
    pub region_code: String,
    pub status: String,
    pub county: String,
    pub page: Option<u32>,
    pub appointed: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "kepu/sharers/staff.html")]
pub struct ListPage {
    me: Option<Actor>,
    scope_name: String,
    sharers: Vec<SharerView>,
    pager: Pager,
    params: ListParams,
    query: String,
    groups: Vec<TownshipGroup>,
    /// When the region has too many townships to list: its counties, to pick one first.
    counties: Vec<(String, String, bool)>,
    form: AppointForm,
    errors: FieldErrors,
    error: Option<String>,
}

impl ListPage {
    fn field_error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or_default()
    }
}

pub fn scope_of(actor: &Actor) -> RegionScope {
    staff_scope(actor).unwrap_or(RegionScope::Subtree(actor.region.clone()))
}

fn root_of(scope: &RegionScope) -> RegionCode {
    match scope {
        RegionScope::All => RegionCode::parse("51").expect("the province's code"),
        RegionScope::Subtree(root) => root.clone(),
    }
}

/// The townships the appoint form offers: all of them by county when there are few counties,
/// else those of the chosen county.
fn township_choice(
    app: &App,
    root: &RegionCode,
    county: &str,
    selected: &str,
) -> (Vec<TownshipGroup>, Vec<(String, String, bool)>) {
    let counties = coverage::counties_of(app, root);
    let group = |code: &RegionCode| TownshipGroup {
        name: app.regions.full_name(code),
        townships: app
            .regions
            .children(Some(code))
            .into_iter()
            .filter(|t| t.level() == RegionLevel::Township && root.contains(&t.code))
            .map(|t| {
                (
                    t.code.to_string(),
                    t.name.clone(),
                    t.code.as_str() == selected,
                )
            })
            .collect(),
    };
    if counties.len() <= COUNTIES_LISTED {
        return (counties.iter().map(group).collect(), Vec::new());
    }
    let chosen = if county.is_empty() && selected.len() == 9 {
        &selected[..6]
    } else {
        county
    };
    let picker = counties
        .iter()
        .map(|c| {
            (
                c.to_string(),
                app.regions.full_name(c),
                c.as_str() == chosen,
            )
        })
        .collect();
    let groups = counties
        .iter()
        .filter(|c| c.as_str() == chosen)
        .map(group)
        .collect();
    (groups, picker)
}

#[allow(clippy::too_many_arguments)]
async fn list_page(
    app: &App,
    actor: Actor,
    params: ListParams,
    form: AppointForm,
    errors: FieldErrors,
    error: Option<String>,
    ip: Option<&str>,
) -> Result<ListPage, PageError> {
    let fail = |e: AppError, actor: &Actor| PageError::new(e, Some(actor.clone()));
    let region = match params.region_code.trim() {
        "" => None,
        code => Some(
            app.regions
                .find(code)
                .map(|r| r.code.clone())
                .ok_or_else(|| {
                    fail(
                        AppError::validation("region_code", "地区代码不存在"),
                        &actor,
                    )
                })?,
        ),
    };
    let status = match params.status.as_str() {
        "active" | "revoked" => Some(params.status.as_str()),
        _ => None,
    };
    let paging = Paging {
        page: params.page,
        per_page: Some(20),
    };
    let (sharers, total) =
        match service::list(app, &actor, region.as_ref(), status, paging, ip).await {
            Ok(found) => found,
            Err(e) => return Err(fail(e, &actor)),
        };
    let scope = scope_of(&actor);
    let (groups, counties) =
        township_choice(app, &root_of(&scope), &params.county, &form.region_code);
    let query = format!(
        "region_code={}&status={}",
        url_encode(&params.region_code),
        url_encode(&params.status)
    );
    Ok(ListPage {
        scope_name: scope.name(&app.regions),
        pager: Pager::new(paging.page(), paging.per_page(), total),
        sharers,
        params,
        query,
        groups,
        counties,
        form,
        errors,
        error,
        me: Some(actor),
    })
}

pub async fn list(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Query(params): Query<ListParams>,
) -> Result<ListPage, PageError> {
    list_page(
        &app,
        actor,
        params,
        AppointForm::default(),
        FieldErrors::new(),
        None,
        ip.as_deref(),
    )
    .await
}

/// Errors a form shows on the page (422 and 409); any other is an error page.
async fn form_error(
    app: &App,
    actor: Actor,
    form: AppointForm,
    error: AppError,
    ip: Option<&str>,
) -> Result<Response, PageError> {
    let status = error.status();
    let (errors, message) = match error {
        AppError::Validation(errors) => {
            let message = errors
                .iter()
                .map(|(_, m)| m.to_owned())
                .collect::<Vec<_>>()
                .join("；");
            (errors, message)
        }
        AppError::Conflict { message, fields } => (fields, message),
        other => return Err(PageError::new(other, Some(actor))),
    };
    let page = list_page(
        app,
        actor,
        ListParams::default(),
        form,
        errors,
        Some(message),
        ip,
    )
    .await?;
    Ok((status, page).into_response())
}

pub async fn appoint(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Form(form): Form<AppointForm>,
) -> Result<Response, PageError> {
    let input = AppointInput {
        phone: Some(form.phone.clone()),
        user_id: None,
        region_code: form.region_code.clone(),
        village: Some(form.village.clone()),
    };
    match service::appoint(&app, &actor, &input, ip.as_deref()).await {
        Ok(view) => Ok(Redirect::to(&format!(
            "/admin/kepu/sharers?region_code={}&appointed={}",
            view.region_code, view.id
        ))
        .into_response()),
        Err(error) => form_error(&app, actor, form, error, ip.as_deref()).await,
    }
}

pub async fn revoke(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    match service::revoke(&app, &actor, id, ip.as_deref()).await {
        Ok(view) => Ok(Redirect::to(&format!(
            "/admin/kepu/sharers?region_code={}",
            view.region_code
        ))
        .into_response()),
        Err(error) => form_error(&app, actor, AppointForm::default(), error, ip.as_deref()).await,
    }
}
