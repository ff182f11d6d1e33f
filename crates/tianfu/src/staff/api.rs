use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tianfu_domain::{Department, Role, UserId};
use utoipa::{IntoParams, ToSchema};

use super::store::{self, NewStaff, UserFilter, UserRow};
use crate::platform::api::{ApiJson, ApiPath, ApiQuery, ListResponse, Paging};
use crate::platform::auth::{Actor, ApiStaff, ClientIp};
use crate::platform::error::{AppError, ErrorBody};
use crate::platform::scope::{self, staff_scope};
use crate::{App, AppState};

#[derive(Debug, Serialize, ToSchema)]
pub struct UserSummary {
    pub id: i64,
    pub role: String,
    pub role_label: String,
    pub name: String,
    pub phone: String,
    pub region_code: String,
    pub region_name: String,
    pub department: Option<String>,
    pub org_name: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl UserSummary {
    pub fn new(app: &App, row: UserRow) -> Self {
        let region_name = app.regions.full_name_of(&row.region_code);
        UserSummary {
            role_label: Role::parse(&row.role)
                .map(|r| r.label().to_owned())
                .unwrap_or_default(),
            department: row.department.filter(|d| Department::parse(d).is_ok()),
            id: row.id,
            role: row.role,
            name: row.name,
            phone: row.phone,
            region_code: row.region_code,
            region_name,
            org_name: row.org_name,
            created_at: row.created_at,
        }
    }
}

crate::platform::openapi::wire_enum!(
    /// A user's role; empty means any.
    RoleName,
    crate::platform::openapi::wire_names(Role::ALL, Role::as_str, true)
);

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// Part of a name, phone number or organisation name.
    pub q: Option<String>,
    /// Only this role.
    #[param(value_type = Option<RoleName>)]
    pub role: Option<String>,
    /// Only this region's subtree (must lie inside the staff member's own).
    #[param(value_type = Option<crate::platform::openapi::RegionCodeFilter>)]
    pub region_code: Option<String>,
    /// 1-based page number.
    #[param(minimum = 1, maximum = 2147483647)]
    pub page: Option<u32>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

/// Builds the filter for a staff member's request: a requested region outside their scope is
/// refused (and audited), an unknown one is a field error.
pub async fn filter_for(
    app: &App,
    actor: &Actor,
    query: &UserQuery,
    ip: Option<&str>,
) -> Result<UserFilter, AppError> {
    let scope = staff_scope(actor)
        .ok_or_else(|| AppError::Forbidden("仅服务中心工作人员可以访问".into()))?;
    let requested = match query.region_code.as_deref().filter(|c| !c.is_empty()) {
        Some(code) => Some(
            app.regions
                .find(code)
                .ok_or_else(|| AppError::validation("region_code", "地区代码不存在"))?
                .code
                .clone(),
        ),
        None => None,
    };
    let narrowed = scope.narrow(requested.as_ref());
    let subject = format!(
        "users-in-region:{}",
        requested.as_ref().map(|r| r.as_str()).unwrap_or("")
    );
    scope::ensure(app, actor, narrowed.is_some(), &subject, ip).await?;
    let role = match query.role.as_deref().filter(|r| !r.is_empty()) {
        Some(role) => Some(Role::parse(role).map_err(|e| AppError::validation("role", e))?),
        None => None,
    };
    Ok(UserFilter {
        scope: narrowed,
        query: query.q.clone().unwrap_or_default(),
        role,
    })
}

/// The users of the staff member's region subtree, newest first.
#[utoipa::path(get, path = "/api/v1/admin/users", tag = "staff", params(UserQuery),
    responses((status = 200, body = inline(ListResponse<UserSummary>)), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_users(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiQuery(query): ApiQuery<UserQuery>,
) -> Result<Json<ListResponse<UserSummary>>, AppError> {
    let filter = filter_for(&app, &actor, &query, ip.as_deref()).await?;
    let paging = Paging {
        page: query.page,
        per_page: query.per_page,
    };
    let (rows, total) = store::list_users(&app.db, &filter, paging).await?;
    Ok(Json(ListResponse {
        items: rows
            .into_iter()
            .map(|row| UserSummary::new(&app, row))
            .collect(),
        total,
    }))
}

/// One user, if they lie in the staff member's region subtree.
#[utoipa::path(get, path = "/api/v1/admin/users/{id}", tag = "staff", params(("id" = i64, Path)),
    responses((status = 200, body = UserSummary), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_user(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<UserSummary>, AppError> {
    let row = store::find_user(&app.db, UserId(id))
        .await?
        .ok_or_else(|| AppError::not_found("用户"))?;
    let region = app.regions.find(&row.region_code).map(|r| r.code.clone());
    let allowed = region.is_some_and(|r| scope::can_view_region(&actor, &r));
    scope::ensure(&app, &actor, allowed, &format!("user:{id}"), ip.as_deref()).await?;
    Ok(Json(UserSummary::new(&app, row)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedStaff {
    pub id: i64,
}

/// Create a staff account for a region strictly below one's own.
#[utoipa::path(post, path = "/api/v1/admin/staff", tag = "staff", request_body = NewStaff,
    responses((status = 201, body = CreatedStaff), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_staff(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiJson(input): ApiJson<NewStaff>,
) -> Result<(StatusCode, Json<CreatedStaff>), AppError> {
    let id = store::add_staff(&app, Some((&actor, ip.as_deref())), input).await?;
    Ok((StatusCode::CREATED, Json(CreatedStaff { id: id.0 })))
}
