use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use super::store;
use crate::AppState;
use crate::platform::api::{ApiQuery, Paging};
use crate::platform::auth::ApiUser;
use crate::platform::error::{AppError, ErrorBody};

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationView {
    pub id: i64,
    pub text: String,
    /// The page the notification is about.
    pub link: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub read: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationList {
    pub items: Vec<NotificationView>,
    pub total: i64,
    pub unread: i64,
}

/// The signed-in user's notifications, newest first, with the unread count.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "market", params(Paging),
    responses((status = 200, body = NotificationList), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Json<NotificationList>, AppError> {
    let (rows, total, unread) = store::list(&app.db, actor.id, paging).await?;
    let items = rows
        .into_iter()
        .map(|r| NotificationView {
            id: r.id,
            text: r.text,
            link: r.link,
            created_at: r.created_at,
            read: r.read_at.is_some(),
        })
        .collect();
    Ok(Json(NotificationList {
        items,
        total,
        unread,
    }))
}

/// Mark every notification read.
#[utoipa::path(post, path = "/api/v1/notifications/read", tag = "market",
    responses((status = 204), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
pub async fn mark_read(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<StatusCode, AppError> {
    store::mark_all_read(&app.db, actor.id, app.clock.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}
