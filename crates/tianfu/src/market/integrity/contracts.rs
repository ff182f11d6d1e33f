//! Contract files of deals, uploaded by the parties for staff to verify a large deal. Kept under
//! the data directory by SHA-256 (like 科普 media) but never public: only the parties and the
//! staff whose region covers the deal read them.

use std::path::PathBuf;

use axum::Json;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::market::deals::service as deals;
use crate::platform::api::ApiPath;
use crate::platform::auth::{ApiUser, ClientIp};
use crate::platform::config::Config;
use crate::platform::error::{AppError, ErrorBody};
use crate::{App, AppState, on_db};

/// The largest contract file accepted.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;

/// PDF, PNG or JPEG (a scan or photo of the signed contract), from the file's first bytes.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else {
        None
    }
}

fn path_of(config: &Config, sha256: &str) -> PathBuf {
    config
        .data_dir
        .join("deal_contracts")
        .join(&sha256[..2])
        .join(sha256)
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
#[schema(as = DealContract)]
pub struct ContractView {
    pub id: i64,
    pub deal_id: i64,
    /// application/pdf, image/png or image/jpeg, read from the file itself.
    pub mime: String,
    pub bytes: i64,
    pub sha256: String,
    pub uploader_id: i64,
    pub created_at: DateTime<Utc>,
    /// Where the parties and the deal's staff read it.
    #[sqlx(skip)]
    pub url: String,
}

pub async fn latest(
    db: &crate::platform::db::Db,
    deal_id: i64,
) -> Result<Option<ContractView>, AppError> {
    let row: Option<ContractView> = on_db!(db, pool => sqlx::query_as(
        "SELECT id, deal_id, mime, bytes, sha256, uploader_id, created_at FROM deal_contracts WHERE deal_id = $1 ORDER BY id DESC LIMIT 1")
        .bind(deal_id).fetch_optional(pool).await)?;
    Ok(row.map(|mut c| {
        c.url = format!("/api/v1/deals/{deal_id}/contract");
        c
    }))
}

/// Stores `bytes` as the deal's contract (a later upload replaces it for reading; all are kept).
pub async fn store(
    app: &App,
    deal_id: i64,
    uploader: i64,
    bytes: &[u8],
) -> Result<ContractView, AppError> {
    if bytes.is_empty() {
        return Err(AppError::validation("file", "文件不能为空"));
    }
    let mime = sniff(bytes)
        .ok_or_else(|| AppError::UnsupportedMedia("合同请上传 PDF，或 PNG/JPEG 扫描件".into()))?;
    let sha256 = format!("{:x}", Sha256::digest(bytes));
    let path = path_of(&app.config, &sha256);
    if !path.exists() {
        let dir = path.parent().expect("contract path has a folder");
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
        // One temporary name per upload: two uploads of the same file at once must not share it.
        static UPLOADS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = UPLOADS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let temporary = path.with_extension(format!("upload-{}-{n}", std::process::id()));
        tokio::fs::write(&temporary, bytes)
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
        tokio::fs::rename(&temporary, &path)
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
    }
    let now = app.clock.now();
    on_db!(&app.db, pool => sqlx::query(
        "INSERT INTO deal_contracts (deal_id, sha256, mime, bytes, uploader_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(deal_id).bind(&sha256).bind(mime).bind(bytes.len() as i64).bind(uploader).bind(now)
        .execute(pool).await.map(|d| d.rows_affected()))?;
    latest(&app.db, deal_id)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("contract of deal {deal_id} vanished")))
}

/// Upload the signed contract of a deal (a party only) as the request body: PDF, PNG or JPEG,
/// up to 20 MB. Staff verify a large deal against it.
#[utoipa::path(post, path = "/api/v1/deals/{id}/contract", tag = "market",
    params(("id" = i64, Path)),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "合同文件：PDF，或 PNG/JPEG 扫描件"),
    responses((status = 201, body = ContractView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn upload(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<i64>,
    request: Request,
) -> Result<(StatusCode, Json<ContractView>), AppError> {
    let deal = deals::visible(&app, &actor, id, ip.as_deref()).await?;
    if !deal.is_party(actor.id) {
        return Err(AppError::Forbidden("只有交易双方可以上传合同".into()));
    }
    let too_large =
        || AppError::TooLarge(format!("文件过大：最大 {} MB", MAX_BYTES / (1024 * 1024)));
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_BYTES) {
        return Err(too_large());
    }
    let bytes = axum::body::to_bytes(request.into_body(), MAX_BYTES)
        .await
        .map_err(|_| too_large())?;
    let view = store(&app, id, actor.id.0, &bytes).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// The deal's latest contract file, for its parties and the staff whose region covers it.
#[utoipa::path(get, path = "/api/v1/deals/{id}/contract", tag = "market", params(("id" = i64, Path)),
    responses((status = 200, description = "合同文件（PDF，或 PNG/JPEG 扫描件）", content(
        (Vec<u8> = "application/pdf"), (Vec<u8> = "image/png"), (Vec<u8> = "image/jpeg"))), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn download(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, AppError> {
    deals::visible(&app, &actor, id, ip.as_deref()).await?;
    let contract = latest(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("合同"))?;
    let bytes = tokio::fs::read(path_of(&app.config, &contract.sha256))
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let extension = match contract.mime.as_str() {
        "application/pdf" => "pdf",
        "image/png" => "png",
        _ => "jpg",
    };
    Ok((
        [
            (header::CONTENT_TYPE, contract.mime.clone()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"deal-{id}-contract.{extension}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        Body::from(bytes),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contracts_are_known_by_their_first_bytes() {
        assert_eq!(sniff(b"%PDF-1.7\n"), Some("application/pdf"));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(sniff(b"<html>"), None);
        assert_eq!(sniff(b"PK\x03\x04"), None);
    }
}
