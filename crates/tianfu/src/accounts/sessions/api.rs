//! `GET /api/v1/me/sessions`, `DELETE /api/v1/me/sessions/{id}`,
//! `POST /api/v1/me/sessions/sign-out-others`.

use axum::Json;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::Serialize;
use utoipa::ToSchema;

use super::{device, store};
use crate::platform::audit::{self, AuditEntry};
use crate::platform::auth::{Actor, ApiUser, client_ip, current_session_id};
use crate::platform::error::{AppError, ErrorBody};
use crate::{App, AppState};

/// A signed-in user with the public id of the session they came with.
pub struct ApiSession {
    pub actor: Actor,
    pub session: String,
    pub ip: Option<String>,
}

impl FromRequestParts<AppState> for ApiSession {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, AppError> {
        let ApiUser(actor) = ApiUser::from_request_parts(parts, app).await?;
        let session = current_session_id(parts).ok_or_else(AppError::unauthorized)?;
        Ok(ApiSession {
            actor,
            session,
            ip: client_ip(parts),
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    /// A random public id of the session (not its token, nor derived from it).
    pub id: String,
    /// `cookie` (a browser) or `bearer` (an API token).
    pub kind: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Updated at most once a minute.
    pub last_seen_at: chrono::DateTime<chrono::Utc>,
    /// The address the session began from, when known.
    pub ip: Option<String>,
    /// e.g. "Chrome · Windows", "微信 · iOS".
    pub user_agent: String,
    /// Whether this is the session the request came with.
    pub current: bool,
}

pub async fn views(app: &App, actor: &Actor, current: &str) -> Result<Vec<SessionView>, AppError> {
    let rows = store::list(&app.db, actor.id, app.clock.now()).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let id = row.public_id.unwrap_or_default();
            SessionView {
                current: id == current,
                id,
                kind: row.kind,
                created_at: row.created_at,
                last_seen_at: row.last_seen_at.unwrap_or(row.created_at),
                ip: row.ip,
                user_agent: device::summary(row.user_agent.as_deref()),
            }
        })
        .collect())
}

/// Ends one of one's own sessions and audits it.
pub async fn end_one(app: &App, me: &ApiSession, id: &str) -> Result<(), AppError> {
    if !store::end_own(&app.db, me.actor.id, id).await? {
        return Err(AppError::not_found("会话"));
    }
    audit::record(
        &app.db,
        app.clock.now(),
        AuditEntry {
            actor: Some(me.actor.id),
            action: "session.ended",
            subject: &format!("user:{}", me.actor.id.0),
            ip: me.ip.as_deref(),
            detail: if id == me.session {
                "own current session"
            } else {
                "another own session"
            },
        },
    )
    .await;
    Ok(())
}

/// Ends every session of one's own but the current one and audits it.
pub async fn end_others(app: &App, me: &ApiSession) -> Result<u64, AppError> {
    let ended = store::end_others(&app.db, me.actor.id, &me.session).await?;
    audit::record(
        &app.db,
        app.clock.now(),
        AuditEntry {
            actor: Some(me.actor.id),
            action: "session.signed_out_others",
            subject: &format!("user:{}", me.actor.id.0),
            ip: me.ip.as_deref(),
            detail: &format!("{ended} other sessions ended"),
        },
    )
    .await;
    Ok(ended)
}

/// One's own live sessions (browsers and API tokens), the current one marked.
#[utoipa::path(get, path = "/api/v1/me/sessions", tag = "accounts",
    responses((status = 200, body = [SessionView]), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list(
    State(app): State<AppState>,
    me: ApiSession,
) -> Result<Json<Vec<SessionView>>, AppError> {
    Ok(Json(views(&app, &me.actor, &me.session).await?))
}

/// End one of one's own sessions (another person's id is not found).
#[utoipa::path(delete, path = "/api/v1/me/sessions/{id}", tag = "accounts", params(("id" = String, Path, description = "The session's public id")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn end(
    State(app): State<AppState>,
    me: ApiSession,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    end_one(&app, &me, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SignedOutOthers {
    /// How many other sessions ended.
    pub ended: u64,
}

/// Sign out everywhere else: every other session of one's own ends; this one stays.
#[utoipa::path(post, path = "/api/v1/me/sessions/sign-out-others", tag = "accounts",
    responses((status = 200, body = SignedOutOthers), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
pub async fn sign_out_others(
    State(app): State<AppState>,
    me: ApiSession,
) -> Result<Json<SignedOutOthers>, AppError> {
    let ended = end_others(&app, &me).await?;
    Ok(Json(SignedOutOthers { ended }))
}
