//! Flagged views for the province's staff: kept with their evidence, left out of the figures.

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{Query, State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tianfu_domain::Role;
use utoipa::{IntoParams, ToSchema};

use super::rules;
use crate::platform::api::{ApiQuery, ListResponse, Paging};
use crate::platform::auth::{Actor, ApiStaff, PageStaff};
use crate::platform::error::{AppError, ErrorBody};
use crate::platform::page::{PageError, Pager};
use crate::{App, AppState, on_db};

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct FlaggedView {
    pub id: i64,
    pub resource_id: i64,
    pub resource_title: String,
    /// `u:<user id>` for a signed-in reader, `s:<cookie>` for a browser.
    pub reader: String,
    pub user_id: Option<i64>,
    pub region_code: String,
    pub ip: Option<String>,
    /// too_fast（浏览过快） or shared_device（一机多号）.
    pub flag: String,
    pub evidence: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FlagsQuery {
    #[param(minimum = 1, maximum = 2147483647)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

/// Only the province decides what gaming is: province-level 全民科普服务部 staff and
/// administrators.
fn may_see_flags(actor: &Actor) -> bool {
    actor.role == Role::Admin
        || (crate::platform::scope::works_in(actor, "kepu") && actor.region.as_str().len() == 2)
}

async fn load(app: &App, paging: Paging) -> Result<(Vec<FlaggedView>, i64), AppError> {
    let rows: Vec<FlaggedView> = on_db!(&app.db, pool => sqlx::query_as(
        "SELECT v.id, v.resource_id, r.title AS resource_title, v.reader, v.user_id, v.region_code, v.ip, \
                COALESCE(v.flag, '') AS flag, COALESCE(v.evidence, '') AS evidence, v.at \
         FROM kepu_views v JOIN kepu_resources r ON r.id = v.resource_id \
         WHERE v.state = 'flagged' ORDER BY v.id DESC LIMIT $1 OFFSET $2")
        .bind(paging.limit()).bind(paging.offset()).fetch_all(pool).await)?;
    let total: i64 = on_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM kepu_views WHERE state = 'flagged'").fetch_one(pool).await)?;
    Ok((rows, total))
}

/// Views left out of the official figures as reading no person does, newest first, with the
/// evidence.
#[utoipa::path(get, path = "/api/v1/kepu/flags", tag = "kepu", params(FlagsQuery),
    responses((status = 200, body = inline(ListResponse<FlaggedView>)), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn flags(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ApiQuery(query): ApiQuery<FlagsQuery>,
) -> Result<Json<ListResponse<FlaggedView>>, AppError> {
    if !may_see_flags(&actor) {
        return Err(AppError::Forbidden(
            "异常浏览由省级全民科普服务部核查".into(),
        ));
    }
    let (items, total) = load(
        &app,
        Paging {
            page: query.page,
            per_page: query.per_page,
        },
    )
    .await?;
    Ok(Json(ListResponse { items, total }))
}

pub struct FlagLine {
    pub view: FlaggedView,
    pub label: &'static str,
    pub at: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "kepu/flags.html")]
pub struct FlagsPage {
    me: Option<Actor>,
    lines: Vec<FlagLine>,
    total: i64,
    pager: Pager,
    pager_base: &'static str,
}

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    page: Option<String>,
}

pub async fn flags_page(
    State(app): State<AppState>,
    PageStaff(me): PageStaff,
    Query(query): Query<PageQuery>,
) -> Result<FlagsPage, PageError> {
    let fail = |e| PageError::new(e, Some(me.clone()));
    if !may_see_flags(&me) {
        return Err(fail(AppError::Forbidden(
            "异常浏览由省级全民科普服务部核查".into(),
        )));
    }
    let paging = Paging {
        page: query.page.and_then(|p| p.trim().parse().ok()),
        per_page: Some(50),
    };
    let (rows, total) = load(&app, paging).await.map_err(fail)?;
    let lines = rows
        .into_iter()
        .map(|view| FlagLine {
            label: rules::label(&view.flag),
            at: crate::platform::clock::shanghai(view.at),
            view,
        })
        .collect();
    Ok(FlagsPage {
        me: Some(me),
        lines,
        total,
        pager: Pager::new(paging.page(), paging.per_page(), total),
        pager_base: "/admin/kepu/flags?",
    })
}
