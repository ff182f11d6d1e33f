//! `GET /api/v1/admin/audit` and `/api/v1/admin/audit/export`: the audit search and its export
//! for administrators (staff and users get 403, audited; nobody signed in 401).

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::filter::{AuditQuery, action_label, outcome_label};
use super::store::{self, AuditLine};
use super::{ensure_admin, export};
use crate::platform::api::{ApiQuery, ListResponse, Paging};
use crate::platform::audit::{self as audit_log, AuditEntry};
use crate::platform::auth::{Actor, ApiStaff, ClientIp};
use crate::platform::error::{AppError, ErrorBody};
use crate::{App, AppState};

/// One audit row: who did what to what, from where, with what outcome.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditItem {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// The signed-in person who acted; none for an anonymous attempt (an unknown phone).
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub actor_phone: Option<String>,
    /// A dotted English verb, e.g. `login.failure`, `permission.denied`.
    pub action: String,
    /// The action in Chinese.
    pub action_label: String,
    /// What was acted on: a path, `user:42`, a masked phone.
    pub subject: String,
    /// The client's address.
    pub ip: Option<String>,
    /// `success`, `failure` or `denied`.
    pub outcome: String,
    pub outcome_label: String,
    pub detail: String,
}

impl From<AuditLine> for AuditItem {
    fn from(line: AuditLine) -> Self {
        AuditItem {
            action_label: action_label(&line.action),
            outcome_label: outcome_label(&line.outcome).to_owned(),
            id: line.id,
            at: line.at,
            actor_id: line.actor_id,
            actor_name: line.actor_name,
            actor_phone: line.actor_phone,
            action: line.action,
            subject: line.subject,
            ip: line.ip,
            outcome: line.outcome,
            detail: line.detail,
        }
    }
}

/// Search the audit log, newest first. Every condition is optional.
#[utoipa::path(get, path = "/api/v1/admin/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = inline(ListResponse<AuditItem>)), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn search(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Json<ListResponse<AuditItem>>, AppError> {
    ensure_admin(&app, &actor, ip.as_deref()).await?;
    let filter = query.filter()?;
    let paging = Paging {
        page: query.page,
        per_page: query.per_page,
    };
    let (rows, total) = store::search(&app.db, &filter, paging).await?;
    Ok(Json(ListResponse {
        items: rows.into_iter().map(AuditItem::from).collect(),
        total,
    }))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// From this day on (Asia/Shanghai, `YYYY-MM-DD`).
    #[param(pattern = r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")]
    pub from: Option<String>,
    /// Up to and including this day (Asia/Shanghai, `YYYY-MM-DD`).
    #[param(pattern = r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")]
    pub to: Option<String>,
    /// Who acted: their mobile number or their exact name.
    pub actor: Option<String>,
    /// The action exactly, e.g. `login.failure`.
    pub action: Option<String>,
    /// Part of what was acted on.
    pub subject: Option<String>,
    /// Only this outcome.
    #[param(value_type = Option<super::filter::OutcomeName>)]
    pub outcome: Option<String>,
    /// `csv` (UTF-8 with BOM, the default) or `xlsx`.
    #[param(value_type = Option<super::filter::ExportFormat>)]
    pub format: Option<String>,
}

impl ExportQuery {
    pub fn search(&self) -> AuditQuery {
        AuditQuery {
            from: self.from.clone(),
            to: self.to.clone(),
            actor: self.actor.clone(),
            action: self.action.clone(),
            subject: self.subject.clone(),
            outcome: self.outcome.clone(),
            page: None,
            per_page: None,
        }
    }
}

/// Export the matching rows (at most 50,000, newest first) as CSV or xlsx. The export is itself
/// audited (`audit.exported`).
#[utoipa::path(get, path = "/api/v1/admin/audit/export", tag = "audit", params(ExportQuery),
    responses(
        (status = 200, description = "CSV (UTF-8 with BOM) or an xlsx workbook", content(
            (String = "text/csv"),
            (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn export(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> Result<Response, AppError> {
    ensure_admin(&app, &actor, ip.as_deref()).await?;
    export_file(&app, &actor, ip.as_deref(), &query).await
}

/// The export for the API and the page alike: checks, counts, writes the file, audits it.
pub async fn export_file(
    app: &App,
    actor: &Actor,
    ip: Option<&str>,
    query: &ExportQuery,
) -> Result<Response, AppError> {
    let format = match query.format.as_deref().map(str::trim) {
        None | Some("") | Some("csv") => "csv",
        Some("xlsx") => "xlsx",
        Some(_) => return Err(AppError::validation("format", "导出格式应为 csv 或 xlsx")),
    };
    let search = query.search();
    let filter = search.filter()?;
    let total = store::count(&app.db, &filter).await?;
    if total > export::MAX_ROWS {
        return Err(AppError::validation(
            "from",
            format!(
                "符合条件的记录有{total}条，一次最多导出{}条，请缩小时间范围",
                export::MAX_ROWS
            ),
        ));
    }
    let lines = store::all(&app.db, &filter, export::MAX_ROWS).await?;
    let (bytes, content_type) = match format {
        "xlsx" => (
            export::to_xlsx(&lines).map_err(|e| AppError::Internal(e.into()))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        _ => (export::to_csv(&lines), "text/csv; charset=utf-8"),
    };
    let detail = format!("{} rows as {format}; {}", lines.len(), search.base_query());
    audit_log::record(
        &app.db,
        app.clock.now(),
        AuditEntry {
            actor: Some(actor.id),
            action: "audit.exported",
            subject: "audit_log",
            ip,
            detail: &detail,
        },
    )
    .await;
    let disposition = crate::performance::reports::xlsx::disposition(
        &format!("audit-log.{format}"),
        &format!("审计日志.{format}"),
    );
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}
