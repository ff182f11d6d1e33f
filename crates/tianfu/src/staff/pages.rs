use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tianfu_domain::{Department, FieldErrors, RegionCode, RegionLevel, Role};

use super::api::{UserQuery, UserSummary, filter_for};
use super::store::{self, NewStaff};
use crate::platform::api::Paging;
use crate::platform::auth::{Actor, ClientIp, PageStaff};
use crate::platform::clock::shanghai;
use crate::platform::error::AppError;
use crate::platform::page::{PageError, Pager, url_encode};
use crate::platform::scope::{RegionScope, staff_scope};
use crate::{App, AppState};

pub struct RegionOption {
    pub code: String,
    pub label: String,
    pub selected: bool,
}

/// Every region the actor may pick, top down, indented by level. The staff console's user list,
/// the new-staff form and the nanny console's filters and reports all offer this list.
/// Townships (some 3,000) are offered only within a county's own scope: a city's or the
/// province's list would grow tenfold for choices its staff reach through the county.
pub fn region_options(
    app: &App,
    scope: &RegionScope,
    include_root: bool,
    selected: &str,
) -> Vec<RegionOption> {
    let roots: Vec<RegionCode> = match scope {
        RegionScope::All => app
            .regions
            .provinces()
            .into_iter()
            .map(|r| r.code.clone())
            .collect(),
        RegionScope::Subtree(root) => vec![root.clone()],
    };
    let with_townships =
        matches!(scope, RegionScope::Subtree(root) if root.level() >= RegionLevel::County);
    let mut options = Vec::new();
    let mut stack: Vec<(RegionCode, bool)> = roots
        .into_iter()
        .rev()
        .map(|code| (code, include_root))
        .collect();
    while let Some((code, include)) = stack.pop() {
        let Some(region) = app.regions.get(&code) else {
            continue;
        };
        if include {
            let indent = "　".repeat(code.level() as usize - 1);
            options.push(RegionOption {
                code: code.to_string(),
                label: format!("{indent}{}", region.name),
                selected: code.as_str() == selected,
            });
        }
        for child in app.regions.children(Some(&code)).into_iter().rev() {
            if with_townships || child.level() < RegionLevel::Township {
                stack.push((child.code.clone(), true));
            }
        }
    }
    options
}

pub struct UserLine {
    pub id: i64,
    pub name: String,
    pub role_label: String,
    pub org_name: String,
    pub phone: String,
    pub region_name: String,
    pub registered_at: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/users.html")]
pub struct UsersPage {
    me: Option<Actor>,
    scope_name: String,
    q: String,
    role: String,
    roles: &'static [Role],
    regions: Vec<RegionOption>,
    users: Vec<UserLine>,
    pager: Pager,
    /// The query string without `page`, for paging links.
    base_query: String,
    can_add_staff: bool,
    /// Administrators review the audit log (`/admin/audit`).
    can_audit: bool,
}

pub async fn users(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Query(query): Query<UserQuery>,
) -> Result<UsersPage, PageError> {
    let page_error = |e: AppError| PageError::new(e, Some(actor.clone()));
    let filter = filter_for(&app, &actor, &query, ip.as_deref())
        .await
        .map_err(page_error)?;
    let paging = Paging::fixed(query.page, 20);
    let (rows, total) = store::list_users(&app.db, &filter, paging)
        .await
        .map_err(|e| page_error(e.into()))?;
    let scope = staff_scope(&actor).unwrap_or(RegionScope::All);
    let scope_name = scope.name(&app.regions);
    let users = rows
        .into_iter()
        .map(|row| {
            let summary = UserSummary::new(&app, row);
            UserLine {
                id: summary.id,
                registered_at: shanghai(summary.created_at),
                name: summary.name,
                role_label: summary.role_label,
                org_name: summary.org_name.unwrap_or_default(),
                phone: summary.phone,
                region_name: summary.region_name,
            }
        })
        .collect();
    let q = query.q.clone().unwrap_or_default();
    let role = query.role.clone().unwrap_or_default();
    let region = query.region_code.clone().unwrap_or_default();
    let base_query = format!(
        "q={}&role={}&region_code={}",
        url_encode(&q),
        url_encode(&role),
        url_encode(&region)
    );
    Ok(UsersPage {
        regions: region_options(&app, &scope, true, &region),
        can_add_staff: actor.role == Role::Admin || actor.region.level() < RegionLevel::County,
        can_audit: actor.role == Role::Admin,
        pager: Pager::of(&paging, total),
        me: Some(actor),
        scope_name,
        q,
        role,
        roles: Role::ALL,
        users,
        base_query,
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct StaffForm {
    #[serde(default)]
    phone: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    department: String,
    #[serde(default)]
    region_code: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/new_staff.html")]
pub struct NewStaffPage {
    me: Option<Actor>,
    form: StaffForm,
    errors: FieldErrors,
    error: Option<String>,
    departments: &'static [Department],
    regions: Vec<RegionOption>,
}

fn new_staff_page(
    app: &App,
    actor: Actor,
    form: StaffForm,
    errors: FieldErrors,
    error: Option<String>,
) -> NewStaffPage {
    let scope = staff_scope(&actor).unwrap_or(RegionScope::All);
    let include_root = actor.role == Role::Admin;
    let mut regions = region_options(app, &scope, include_root, &form.region_code);
    // Service centres stop at the county: no staff in a township.
    regions.retain(|r| RegionCode::parse(&r.code).is_ok_and(|c| c.level() <= RegionLevel::County));
    NewStaffPage {
        me: Some(actor),
        form,
        errors,
        error,
        departments: Department::ALL,
        regions,
    }
}

pub async fn new_staff_form(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
) -> NewStaffPage {
    new_staff_page(&app, actor, StaffForm::default(), FieldErrors::new(), None)
}

pub async fn create_staff(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Form(form): Form<StaffForm>,
) -> Result<Response, PageError> {
    let input = NewStaff {
        phone: form.phone.clone(),
        password: form.password.clone(),
        name: form.name.clone(),
        region_code: form.region_code.clone(),
        department: form.department.clone(),
        admin: false,
    };
    match store::add_staff(&app, Some((&actor, ip.as_deref())), input).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/admin/users?role=staff&region_code={}",
            url_encode(&form.region_code)
        ))
        .into_response()),
        Err(AppError::Validation(errors) | AppError::Conflict { fields: errors, .. }) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            new_staff_page(&app, actor, form, errors, None),
        )
            .into_response()),
        Err(AppError::Forbidden(message)) => Ok((
            StatusCode::FORBIDDEN,
            new_staff_page(&app, actor, form, FieldErrors::new(), Some(message)),
        )
            .into_response()),
        Err(other) => Err(PageError::new(other, Some(actor))),
    }
}
