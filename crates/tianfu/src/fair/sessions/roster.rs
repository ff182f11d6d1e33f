//! The door's screen (`/fairs/{id}/sessions/{sid}/roster`): who registered for a session, found
//! by name or phone, each checked in with one button — for organisers and the staff of the
//! session's region, the same people the check-in act allows.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::service;
use super::store::SessionRow;
use crate::AppState;
use crate::fair::editions::service::find as find_fair;
use crate::on_db;
use crate::platform::api::Paging;
use crate::platform::auth::{Actor, ClientIp, PageStaff};
use crate::platform::clock::shanghai;
use crate::platform::db::Db;
use crate::platform::error::AppError;
use crate::platform::page::{PageError, Pager};

const PER_PAGE: u32 = 50;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RosterRow {
    pub user_id: i64,
    pub name: String,
    pub phone: String,
    pub status: String,
    pub checked_in_at: Option<DateTime<Utc>>,
}

/// A page of a session's registrations, by name or phone when `q` is given; the session's
/// registrations are read by its primary key's prefix.
async fn roster(
    db: &Db,
    session: i64,
    q: Option<&str>,
    paging: Paging,
) -> Result<(Vec<RosterRow>, i64), sqlx::Error> {
    const WHERE: &str = "WHERE r.session_id = $1 AND r.status = 'registered' \
        AND ($2 IS NULL OR u.name LIKE '%' || $2 || '%' OR u.phone LIKE '%' || $2 || '%') ";
    let list = format!(
        "SELECT r.user_id, u.name, u.phone, r.status, r.checked_in_at FROM fair_registrations r JOIN users u ON u.id = r.user_id \
         {WHERE}ORDER BY r.checked_in_at IS NOT NULL, u.name, r.user_id LIMIT $3 OFFSET $4"
    );
    let count = format!(
        "SELECT COUNT(*) FROM fair_registrations r JOIN users u ON u.id = r.user_id {WHERE}"
    );
    let q = q.map(|q| q.replace(['%', '_'], ""));
    on_db!(db, pool => {
        let rows = sqlx::query_as::<_, RosterRow>(sqlx::AssertSqlSafe(list.as_str()))
            .bind(session).bind(q.as_deref()).bind(paging.limit()).bind(paging.offset()).fetch_all(pool).await?;
        let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(count.as_str()))
            .bind(session).bind(q.as_deref()).fetch_one(pool).await?;
        Ok((rows, total))
    })
}

pub struct Line {
    pub user_id: i64,
    pub name: String,
    pub phone: String,
    pub checked_in: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "fair/sessions/roster.html")]
pub struct RosterPage {
    me: Option<Actor>,
    fair_id: i64,
    session_id: i64,
    title: String,
    when: String,
    registered: i32,
    checked_in: i64,
    q: String,
    q_encoded: String,
    lines: Vec<Line>,
    pager: Pager,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RosterQuery {
    pub q: Option<String>,
    pub page: Option<u32>,
    pub done: Option<String>,
}

async fn allowed(app: &AppState, actor: &Actor, id: i64, sid: i64) -> Result<SessionRow, AppError> {
    let fair = find_fair(app, id).await?;
    let session = service::find(app, &fair, sid).await?;
    if !service::may_check_in(actor, &session) {
        return Err(AppError::Forbidden(
            "只有组织者和活动所在地区的工作人员可以签到".into(),
        ));
    }
    Ok(session)
}

async fn page(
    app: &AppState,
    actor: Actor,
    id: i64,
    sid: i64,
    query: RosterQuery,
    error: Option<String>,
) -> Result<RosterPage, PageError> {
    let fail = |e: AppError| PageError::new(e, Some(actor.clone()));
    let session = allowed(app, &actor, id, sid).await.map_err(fail)?;
    let q = query
        .q
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(str::to_owned);
    let paging = Paging {
        page: query.page,
        per_page: Some(PER_PAGE),
    };
    let (rows, total) = roster(&app.db, sid, q.as_deref(), paging)
        .await
        .map_err(|e| fail(e.into()))?;
    let checked_in = super::store::checked_in(&app.db, sid)
        .await
        .map_err(|e| fail(e.into()))?;
    // The notice names the person from the records, never from the address.
    let notice = match query.done.as_deref().and_then(|d| d.parse::<i64>().ok()) {
        Some(user) => crate::fair::review::store::find_user(&app.db, user)
            .await
            .map_err(|e| fail(e.into()))?
            .map(|u| format!("已为{}签到", u.name)),
        None => None,
    };
    Ok(RosterPage {
        me: Some(actor),
        fair_id: id,
        session_id: sid,
        when: service::when_label(session.starts_at, session.ends_at),
        title: session.title,
        registered: session.registered,
        checked_in,
        q: q.unwrap_or_default(),
        lines: rows
            .into_iter()
            .map(|r| Line {
                user_id: r.user_id,
                name: r.name,
                phone: r.phone,
                checked_in: r.checked_in_at.map(shanghai),
            })
            .collect(),
        pager: Pager::new(paging.page(), paging.per_page(), total),
        notice,
        q_encoded: crate::platform::page::url_encode(query.q.as_deref().unwrap_or("")),
        error,
    })
}

pub async fn show(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    Path((id, sid)): Path<(i64, i64)>,
    Query(query): Query<RosterQuery>,
) -> Result<RosterPage, PageError> {
    page(&app, actor, id, sid, query, None).await
}

#[derive(Debug, Default, Deserialize)]
pub struct CheckInForm {
    #[serde(default)]
    pub user_id: String,
    #[serde(default)]
    pub q: String,
}

pub async fn check_in(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Path((id, sid)): Path<(i64, i64)>,
    Form(form): Form<CheckInForm>,
) -> Result<Response, PageError> {
    let result = async {
        let session = allowed(&app, &actor, id, sid).await?;
        let user_id = form
            .user_id
            .trim()
            .parse::<i64>()
            .map_err(|_| AppError::validation("user_id", "请选择签到的人"))?;
        service::check_in(&app, &actor, &session, user_id, ip.as_deref()).await
    }
    .await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!(
            "/fairs/{id}/sessions/{sid}/roster?q={}&done={}",
            crate::platform::page::url_encode(&form.q),
            form.user_id.trim()
        ))
        .into_response()),
        Err(error @ (AppError::Conflict { .. } | AppError::Validation(_))) => {
            let status = if matches!(error, AppError::Conflict { .. }) {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let message = match &error {
                AppError::Validation(fields) => fields
                    .iter()
                    .map(|(_, m)| m.to_owned())
                    .collect::<Vec<_>>()
                    .join("；"),
                other => other.to_string(),
            };
            let query = RosterQuery {
                q: Some(form.q.clone()),
                ..RosterQuery::default()
            };
            Ok((
                status,
                page(&app, actor, id, sid, query, Some(message)).await?,
            )
                .into_response())
        }
        Err(other) => Err(PageError::new(other, Some(actor))),
    }
}
