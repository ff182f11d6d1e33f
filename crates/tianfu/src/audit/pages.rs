//! `/admin/audit`: the audit search for administrators, with CSV and xlsx export of what it
//! found. Staff are refused (403, audited); nobody signed in goes to the login page.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tianfu_domain::FieldErrors;

use super::api::{ExportQuery, export_file};
use super::ensure_admin;
use super::filter::{ACTIONS, AuditQuery, OUTCOMES, action_label, outcome_label};
use super::store;
use crate::AppState;
use crate::platform::api::Paging;
use crate::platform::auth::{Actor, ClientIp, PageStaff};
use crate::platform::clock::shanghai;
use crate::platform::error::AppError;
use crate::platform::page::{PageError, Pager};

pub struct AuditLineView {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub action_code: String,
    pub outcome: String,
    pub outcome_code: String,
    pub subject: String,
    pub ip: String,
    pub detail: String,
}

pub struct Choice {
    pub code: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

/// The conditions as typed, to fill the form again.
#[derive(Default)]
pub struct Typed {
    pub from: String,
    pub to: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit/index.html")]
pub struct AuditPage {
    me: Option<Actor>,
    typed: Typed,
    errors: FieldErrors,
    actions: Vec<Choice>,
    outcomes: Vec<Choice>,
    lines: Vec<AuditLineView>,
    pager: Pager,
    /// The query string without `page`, for the export links.
    base_query: String,
    /// `/admin/audit?<base_query>&`, for the shared pager (`market/pager.html`).
    pager_base: String,
}

fn choices(all: &'static [(&'static str, &'static str)], selected: &str) -> Vec<Choice> {
    all.iter()
        .map(|&(code, label)| Choice {
            code,
            label,
            selected: code == selected,
        })
        .collect()
}

pub async fn index(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Query(query): Query<AuditQuery>,
) -> Result<Response, PageError> {
    let page_error = |e: AppError| PageError::new(e, Some(actor.clone()));
    ensure_admin(&app, &actor, ip.as_deref())
        .await
        .map_err(page_error)?;
    let paging = Paging {
        page: query.page,
        per_page: Some(50),
    };
    let (lines, total, errors, status) = match query.filter() {
        Ok(filter) => {
            let (rows, total) = store::search(&app.db, &filter, paging)
                .await
                .map_err(|e| page_error(e.into()))?;
            (rows, total, FieldErrors::new(), StatusCode::OK)
        }
        Err(AppError::Validation(errors)) => {
            (Vec::new(), 0, errors, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(other) => return Err(page_error(other)),
    };
    let lines = lines
        .into_iter()
        .map(|line| AuditLineView {
            at: shanghai(line.at),
            actor: match (&line.actor_name, &line.actor_phone) {
                (Some(name), Some(phone)) => format!("{name}（{phone}）"),
                _ => "（未登录）".to_owned(),
            },
            action: action_label(&line.action),
            outcome: outcome_label(&line.outcome).to_owned(),
            action_code: line.action,
            outcome_code: line.outcome,
            subject: line.subject,
            ip: line.ip.unwrap_or_default(),
            detail: line.detail,
        })
        .collect();
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let page = AuditPage {
        me: Some(actor),
        pager_base: format!("/admin/audit?{}&", query.base_query()),
        base_query: query.base_query(),
        typed: Typed {
            from: text(&query.from),
            to: text(&query.to),
            actor: text(&query.actor),
            action: text(&query.action),
            subject: text(&query.subject),
        },
        errors,
        actions: choices(ACTIONS, ""),
        outcomes: choices(OUTCOMES, query.outcome.as_deref().unwrap_or("")),
        lines,
        pager: Pager::new(paging.page(), paging.per_page(), total),
    };
    Ok((status, page).into_response())
}

/// The file of what the search found, as `/admin/audit/export?…&format=csv|xlsx`.
pub async fn export(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Query(query): Query<ExportQuery>,
) -> Result<Response, PageError> {
    let page_error = |e: AppError| PageError::new(e, Some(actor.clone()));
    ensure_admin(&app, &actor, ip.as_deref())
        .await
        .map_err(page_error)?;
    export_file(&app, &actor, ip.as_deref(), &query)
        .await
        .map_err(page_error)
}
