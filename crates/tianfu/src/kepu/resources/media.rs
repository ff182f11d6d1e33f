//! Uploaded media: video, audio and images, checked by their first bytes (not by what the
//! client claims), kept under the data directory named by their SHA-256, and served with HTTP
//! range requests so that a phone can seek in a video.

use std::path::PathBuf;

use axum::Json;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::platform::api::ApiPath;
use crate::platform::auth::ApiUser;
use crate::platform::config::Config;
use crate::platform::error::{AppError, ErrorBody};
use crate::{AppState, on_db};

/// A media type the platform keeps, recognised from the file's first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    Video,
    Audio,
    Image,
}

/// The media type of `bytes`, from their signature: MP4/M4A (ISO BMFF), WebM, MP3, OGG, WAV,
/// PNG, JPEG, GIF, WebP. Anything else is refused.
pub fn sniff(bytes: &[u8]) -> Option<(&'static str, MediaKind)> {
    let starts = |prefix: &[u8]| bytes.starts_with(prefix);
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        let brand = &bytes[8..12];
        return Some(if brand == b"M4A " || brand == b"M4B " {
            ("audio/mp4", MediaKind::Audio)
        } else {
            ("video/mp4", MediaKind::Video)
        });
    }
    if starts(&[0x1A, 0x45, 0xDF, 0xA3]) {
        return Some(("video/webm", MediaKind::Video));
    }
    if starts(b"ID3") || (bytes.len() >= 2 && bytes[0] == 0xFF && bytes[1] & 0xE0 == 0xE0) {
        return Some(("audio/mpeg", MediaKind::Audio));
    }
    if starts(b"OggS") {
        return Some(("audio/ogg", MediaKind::Audio));
    }
    if bytes.len() >= 12 && starts(b"RIFF") && &bytes[8..12] == b"WAVE" {
        return Some(("audio/wav", MediaKind::Audio));
    }
    if bytes.len() >= 12 && starts(b"RIFF") && &bytes[8..12] == b"WEBP" {
        return Some(("image/webp", MediaKind::Image));
    }
    if starts(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        return Some(("image/png", MediaKind::Image));
    }
    if starts(&[0xFF, 0xD8, 0xFF]) {
        return Some(("image/jpeg", MediaKind::Image));
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return Some(("image/gif", MediaKind::Image));
    }
    None
}

pub fn kind_of(mime: &str) -> MediaKind {
    match mime.split('/').next() {
        Some("video") => MediaKind::Video,
        Some("audio") => MediaKind::Audio,
        _ => MediaKind::Image,
    }
}

fn media_dir(config: &Config) -> PathBuf {
    config.data_dir.join("kepu_media")
}

fn path_of(config: &Config, sha256: &str) -> PathBuf {
    media_dir(config).join(&sha256[..2]).join(sha256)
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct MediaView {
    pub id: i64,
    pub sha256: String,
    /// What the file is, from its first bytes: video/mp4, audio/mpeg, image/png…
    pub mime: String,
    pub bytes: i64,
    /// Where it is served (with range requests).
    #[sqlx(skip)]
    pub url: String,
}

pub async fn find(db: &crate::platform::db::Db, id: i64) -> Result<Option<MediaView>, AppError> {
    let row: Option<MediaView> = on_db!(db, pool => sqlx::query_as("SELECT id, sha256, mime, bytes FROM kepu_media WHERE id = $1").bind(id).fetch_optional(pool).await)?;
    Ok(row.map(|mut m| {
        m.url = format!("/kepu/media/{}", m.sha256);
        m
    }))
}

/// Upload a video, audio file or image as the request body (any Content-Type; the type is
/// read from the file itself). The same file uploaded twice is stored once.
#[utoipa::path(post, path = "/api/v1/kepu/media", tag = "kepu",
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "文件内容：MP4/WebM 视频，MP3/M4A/OGG/WAV 音频，PNG/JPEG/GIF/WebP 图片"),
    responses((status = 201, body = MediaView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn upload(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    request: Request,
) -> Result<(StatusCode, Json<MediaView>), AppError> {
    let limit = app.config.kepu.max_upload_bytes;
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let too_large = || AppError::TooLarge(format!("文件过大：最大 {} MB", limit / (1024 * 1024)));
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let bytes = axum::body::to_bytes(request.into_body(), limit)
        .await
        .map_err(|_| too_large())?;
    if bytes.is_empty() {
        return Err(AppError::validation("file", "文件不能为空"));
    }
    let (mime, kind) = sniff(&bytes).ok_or_else(|| {
        AppError::UnsupportedMedia(
            "不支持的文件类型：视频请用 MP4/WebM，音频请用 MP3/M4A/OGG/WAV，图片请用 PNG/JPEG/GIF/WebP".into(),
        )
    })?;
    if kind != MediaKind::Image && !super::api::may_write(&actor) {
        return Err(AppError::Forbidden(
            "只有科普工作人员、科技工作者和科技志愿者可以上传视频和音频".into(),
        ));
    }
    let sha256 = format!("{:x}", Sha256::digest(&bytes));
    let path = path_of(&app.config, &sha256);
    if !path.exists() {
        let dir = path.parent().expect("media path has a folder");
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
        let temporary = path.with_extension(format!("upload-{}", std::process::id()));
        tokio::fs::write(&temporary, &bytes)
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
        tokio::fs::rename(&temporary, &path)
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
    }
    let now = app.clock.now();
    let id: i64 = on_db!(&app.db, pool => sqlx::query_scalar(
        "INSERT INTO kepu_media (sha256, mime, bytes, uploader_id, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (sha256) DO UPDATE SET sha256 = excluded.sha256 RETURNING id")
        .bind(&sha256).bind(mime).bind(bytes.len() as i64).bind(actor.id.0).bind(now)
        .fetch_one(pool).await)?;
    let view = find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("media {id} vanished")))?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Serves a stored file by its hash, with range requests (a phone seeks in a video).
pub async fn serve(
    State(app): State<AppState>,
    ApiPath(sha256): ApiPath<String>,
    request: Request,
) -> Result<Response, AppError> {
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::not_found("文件"));
    }
    let mime: Option<String> = on_db!(&app.db, pool => sqlx::query_scalar("SELECT mime FROM kepu_media WHERE sha256 = $1").bind(&sha256).fetch_optional(pool).await)?;
    let mime: mime::Mime = mime
        .and_then(|m| m.parse().ok())
        .ok_or_else(|| AppError::not_found("文件"))?;
    let mut service =
        tower_http::services::ServeFile::new_with_mime(path_of(&app.config, &sha256), &mime);
    let response = service
        .try_call(request)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let mut response = response.map(Body::new).into_response();
    let headers: &mut HeaderMap = response.headers_mut();
    // Named by content: the same URL never changes.
    headers.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_known_by_their_first_bytes() {
        let mut mp4 = vec![0, 0, 0, 0x18];
        mp4.extend_from_slice(b"ftypisom\0\0\0\0");
        assert_eq!(sniff(&mp4), Some(("video/mp4", MediaKind::Video)));
        assert_eq!(
            sniff(b"ID3\x04\0\0"),
            Some(("audio/mpeg", MediaKind::Audio))
        );
        assert_eq!(
            sniff(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0]),
            Some(("image/png", MediaKind::Image))
        );
        assert_eq!(sniff(b"<html><script>"), None);
        assert_eq!(sniff(b"MZ\x90\0"), None);
    }
}
