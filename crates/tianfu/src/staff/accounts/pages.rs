//! `/admin/accounts`: an administrator finds an account by phone or name and disables or enables it.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tianfu_domain::{Role, UserId};

use super::store;
use crate::AppState;
use crate::platform::auth::{Actor, ClientIp, PageStaff};
use crate::platform::clock::shanghai;
use crate::platform::page::{PageError, url_encode};

pub struct AccountLine {
    pub id: i64,
    pub name: String,
    pub phone: String,
    pub role_label: String,
    pub disabled: Option<String>,
    pub reason: String,
    pub is_me: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/accounts.html")]
pub struct AccountsPage {
    me: Option<Actor>,
    q: String,
    accounts: Vec<AccountLine>,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct AccountsQuery {
    #[serde(default)]
    q: String,
    done: Option<String>,
    error: Option<String>,
}

pub async fn page(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Query(query): Query<AccountsQuery>,
) -> Result<AccountsPage, PageError> {
    let fail = |e| PageError::new(e, Some(actor.clone()));
    super::ensure_admin(&app, &actor, ip.as_deref())
        .await
        .map_err(fail)?;
    let q = query.q.trim().to_owned();
    let rows = if q.is_empty() {
        Vec::new()
    } else {
        store::find(&app.db, &q).await.map_err(|e| fail(e.into()))?
    };
    let accounts = rows
        .into_iter()
        .map(|row| AccountLine {
            is_me: row.id == actor.id.0,
            id: row.id,
            name: row.name,
            phone: row.phone,
            role_label: Role::parse(&row.role)
                .map(|r| r.label().to_owned())
                .unwrap_or(row.role),
            disabled: row.disabled_at.map(shanghai),
            reason: row.disabled_reason.unwrap_or_default(),
        })
        .collect();
    let notice = match query.done.as_deref() {
        Some("disabled") => Some("账号已停用，其所有登录已退出".to_owned()),
        Some("enabled") => Some("账号已启用".to_owned()),
        _ => None,
    };
    Ok(AccountsPage {
        me: Some(actor),
        q,
        accounts,
        notice,
        error: query.error,
    })
}

#[derive(Debug, Deserialize)]
pub struct ReasonForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    q: String,
}

fn back(q: &str, outcome: Result<&str, String>) -> Response {
    let tail = match outcome {
        Ok(done) => format!("done={done}"),
        Err(message) => format!("error={}", url_encode(&message)),
    };
    Redirect::to(&format!("/admin/accounts?q={}&{tail}", url_encode(q))).into_response()
}

pub async fn disable(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    Form(form): Form<ReasonForm>,
) -> Result<Response, PageError> {
    match super::disable(&app, &actor, UserId(id), &form.reason, ip.as_deref()).await {
        Ok(_) => Ok(back(&form.q, Ok("disabled"))),
        Err(
            e @ (crate::platform::error::AppError::Internal(_)
            | crate::platform::error::AppError::Forbidden(_)),
        ) => Err(PageError::new(e, Some(actor))),
        Err(refusal) => {
            let message = refusal
                .fields()
                .into_values()
                .next()
                .unwrap_or_else(|| refusal.to_string());
            Ok(back(&form.q, Err(message)))
        }
    }
}

pub async fn enable(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    Form(form): Form<ReasonForm>,
) -> Result<Response, PageError> {
    match super::enable(&app, &actor, UserId(id), ip.as_deref()).await {
        Ok(_) => Ok(back(&form.q, Ok("enabled"))),
        Err(
            e @ (crate::platform::error::AppError::Internal(_)
            | crate::platform::error::AppError::Forbidden(_)),
        ) => Err(PageError::new(e, Some(actor))),
        Err(refusal) => Ok(back(&form.q, Err(refusal.to_string()))),
    }
}
