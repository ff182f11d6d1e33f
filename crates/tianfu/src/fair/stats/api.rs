//! `GET /api/v1/fairs/{id}/stats`: an edition's figures, for everyone.

use axum::Json;
use axum::extract::State;

use super::service::{self, Stats};
use crate::AppState;
use crate::fair::editions::service::find as find_fair;
use crate::platform::api::ApiPath;
use crate::platform::error::{AppError, ErrorBody};

/// An edition's figures: projects collected and selected (by category, city and sector), 1:1
/// meetings, interest, registrations and check-ins, deals signed and their amount (from the
/// ledger: a large deal once verified, a terminated one taken back), and the six-month outcomes
/// by city.
#[utoipa::path(get, path = "/api/v1/fairs/{id}/stats", tag = "fairs",
    params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, body = Stats), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Stats>, AppError> {
    let fair = find_fair(&app, id).await?;
    Ok(Json(service::build(&app, &fair).await?))
}
