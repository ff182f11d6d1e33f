//! Audit review (等保 level 3 安全审计): administrators search the audit log written by
//! `platform::audit` — who, what, on what, from where, with what outcome — and export what they
//! found. Rows are only ever read here; migration 0017 makes the database refuse changes.
//!
//! - `filter`: the query as people and programs send it, parsed into a checked filter.
//! - `store`: the search's SQL (only the conditions a request sets).
//! - `export`: CSV (UTF-8 with BOM, for Excel) and xlsx.
//! - `api`, `pages`: JSON and HTML, for administrators only.

pub mod api;
pub mod export;
pub mod filter;
pub mod pages;
pub mod store;

use axum::Router;
use axum::routing::get;
use utoipa::OpenApi;

use crate::AppState;
use crate::platform::auth::Actor;
use crate::platform::scope;
use crate::{App, platform::error::AppError};
use tianfu_domain::Role;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/audit", get(api::search))
        .route("/api/v1/admin/audit/export", get(api::export))
        .route("/admin/audit", get(pages::index))
        .route("/admin/audit/export", get(pages::export))
}

pub fn api_doc() -> utoipa::openapi::OpenApi {
    AuditApi::openapi()
}

#[derive(OpenApi)]
#[openapi(
    paths(api::search, api::export),
    components(schemas(filter::OutcomeName, filter::ExportFormat)),
    tags((name = "audit", description = "安全审计：管理员按时间、操作人、操作、对象与结果查询并导出审计日志")),
)]
struct AuditApi;

/// Only administrators review the audit log: staff of every level are refused, and the refusal
/// is itself audited.
pub async fn ensure_admin(app: &App, actor: &Actor, ip: Option<&str>) -> Result<(), AppError> {
    scope::ensure(app, actor, actor.role == Role::Admin, "audit_log", ip)
        .await
        .map_err(|_| AppError::Forbidden("仅系统管理员可以查看审计日志".into()))
}
