//! Offline activities a 科普员 reports (讲座、入户宣讲、科普大篷车…): title, the day it was held,
//! the place, how many attended, photos and a note. The region's 全民科普服务部 staff confirm or
//! reject each one once (a guarded change).
//!
//! Nothing is booked into 服务量 (`kepu_services`) when a report is confirmed. That metric is a
//! Count in the catalogue: the sum of the weights of `kepu.served` rows, one row per person served,
//! the person its actor (so 服务群众数 can count people distinctly). A report's attendance is a
//! number the 科普员 typed, not people the platform knows; booking it would mean either one row
//! with a weight of hundreds (which breaks what a weight means: +1, or -1 to undo) or hundreds of
//! rows without a person behind them. So attendance stays here, shown as reported reach
//! (线下活动 场次 and 参与人次, confirmed ones apart), and the official figures stay what the
//! platform itself observed.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::platform::api::Paging;
use crate::platform::db::Db;
use crate::platform::error::AppError;
use crate::platform::scope::RegionScope;
use crate::platform::tx::Guarded;
use crate::{on_db, on_tx};

pub fn status_label(status: &str) -> &'static str {
    match status {
        "pending" => "待确认",
        "confirmed" => "已确认",
        "rejected" => "未通过",
        _ => "未知",
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportRow {
    pub id: i64,
    pub sharer_id: i64,
    pub sharer_user: i64,
    pub sharer_name: String,
    pub region_code: String,
    pub village: Option<String>,
    pub title: String,
    pub held_at: DateTime<Utc>,
    pub place: String,
    pub attendance: i64,
    /// JSON array of the photos' SHA-256 (their media names).
    pub photos: String,
    pub note: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
}

const SELECT: &str = "SELECT r.id, r.sharer_id, s.user_id AS sharer_user, u.name AS sharer_name, s.region_code, s.village, \
     r.title, r.held_at, r.place, r.attendance, r.photos, r.note, r.status, r.created_at \
     FROM kepu_sharer_reports r JOIN kepu_sharers s ON s.id = r.sharer_id JOIN users u ON u.id = s.user_id";

/// A report as the API and pages show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = SharerReport)]
pub struct ReportView {
    pub id: i64,
    pub sharer_id: i64,
    pub sharer_name: String,
    /// The 科普员's township.
    pub region_code: String,
    pub region_name: String,
    pub village: Option<String>,
    pub title: String,
    /// The day it was held (Beijing time), YYYY-MM-DD.
    #[schema(value_type = String, format = Date)]
    pub held_on: NaiveDate,
    pub place: String,
    /// As reported by the 科普员.
    pub attendance: i64,
    /// Where each photo is served.
    pub photos: Vec<String>,
    pub note: String,
    /// pending (待确认), confirmed (已确认) or rejected (未通过).
    pub status: String,
    pub status_label: String,
    pub created_at: DateTime<Utc>,
}

pub fn view(app: &crate::App, row: ReportRow) -> ReportView {
    let photos: Vec<String> = serde_json::from_str(&row.photos).unwrap_or_default();
    ReportView {
        region_name: app.regions.full_name_of(&row.region_code),
        status_label: status_label(&row.status).to_owned(),
        held_on: crate::platform::clock::shanghai_date(row.held_at),
        photos: photos
            .into_iter()
            .map(|sha| format!("/kepu/media/{sha}"))
            .collect(),
        id: row.id,
        sharer_id: row.sharer_id,
        sharer_name: row.sharer_name,
        region_code: row.region_code,
        village: row.village,
        title: row.title,
        place: row.place,
        attendance: row.attendance,
        note: row.note,
        status: row.status,
        created_at: row.created_at,
    }
}

/// A 科普员's offline activities in figures: reported reach, never booked as 服务量.
#[derive(Debug, Clone, Copy, Default, Serialize, ToSchema, sqlx::FromRow)]
#[schema(as = SharerOfflineTotals)]
pub struct OfflineTotals {
    /// Reports of every status.
    pub reports: i64,
    pub pending: i64,
    pub confirmed: i64,
    /// Attendance of the confirmed reports, as reported (人次).
    pub confirmed_attendance: i64,
}

pub async fn totals(db: &Db, sharer: i64) -> Result<OfflineTotals, AppError> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, OfflineTotals>(
        "SELECT COUNT(*) AS reports, \
         COALESCE(SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), 0) AS pending, \
         COALESCE(SUM(CASE WHEN status = 'confirmed' THEN 1 ELSE 0 END), 0) AS confirmed, \
         COALESCE(CAST(SUM(CASE WHEN status = 'confirmed' THEN attendance ELSE 0 END) AS BIGINT), 0) AS confirmed_attendance \
         FROM kepu_sharer_reports WHERE sharer_id = $1")
        .bind(sharer).fetch_one(pool).await)?)
}

/// A report, checked.
#[derive(Debug, Clone)]
pub struct NewReport {
    pub title: String,
    pub held_at: DateTime<Utc>,
    pub place: String,
    pub attendance: i64,
    /// SHA-256 of each photo.
    pub photos: Vec<String>,
    pub note: String,
}

/// 报告线下活动: written only while the 科普员 is active (the insert is guarded by the
/// appointment's status), `None` otherwise.
pub async fn create(
    db: &Db,
    sharer: i64,
    report: &NewReport,
    at: DateTime<Utc>,
) -> Result<Option<i64>, AppError> {
    let photos = serde_json::to_string(&report.photos).map_err(anyhow::Error::from)?;
    let mut tx = db.begin().await?;
    let id: Option<i64> = on_tx!(&mut tx, conn => sqlx::query_scalar(
        "INSERT INTO kepu_sharer_reports (sharer_id, title, held_at, place, attendance, photos, note, status, created_at) \
         SELECT id, $2, $3, $4, $5, $6, $7, 'pending', $8 FROM kepu_sharers WHERE id = $1 AND status = 'active' RETURNING id")
        .bind(sharer).bind(&report.title).bind(report.held_at).bind(&report.place)
        .bind(report.attendance).bind(&photos).bind(&report.note).bind(at)
        .fetch_optional(&mut **conn).await)?;
    tx.commit().await?;
    Ok(id)
}

pub async fn find(db: &Db, id: i64) -> Result<Option<ReportRow>, AppError> {
    let sql = format!("{SELECT} WHERE r.id = $1");
    Ok(
        on_db!(db, pool => sqlx::query_as::<_, ReportRow>(sqlx::AssertSqlSafe(sql))
        .bind(id).fetch_optional(pool).await)?,
    )
}

/// One 科普员's reports, newest first.
pub async fn of_sharer(
    db: &Db,
    sharer: i64,
    paging: Paging,
) -> Result<(Vec<ReportRow>, i64), AppError> {
    let sql = format!("{SELECT} WHERE r.sharer_id = $1 ORDER BY r.id DESC LIMIT $2 OFFSET $3");
    let rows = on_db!(db, pool => sqlx::query_as::<_, ReportRow>(sqlx::AssertSqlSafe(sql))
        .bind(sharer).bind(paging.limit()).bind(paging.offset()).fetch_all(pool).await)?;
    let total: i64 = on_db!(db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM kepu_sharer_reports WHERE sharer_id = $1")
        .bind(sharer).fetch_one(pool).await)?;
    Ok((rows, total))
}

/// Reports of the 科普员 of a region subtree in one status, newest first.
pub async fn in_scope(
    db: &Db,
    scope: &RegionScope,
    status: &str,
    paging: Paging,
) -> Result<(Vec<ReportRow>, i64), AppError> {
    let (low, high) = match scope {
        RegionScope::All => (String::new(), "~".to_owned()),
        RegionScope::Subtree(root) => root.subtree_bounds(),
    };
    const WHERE: &str = "s.region_code >= $1 AND s.region_code < $2 AND r.status = $3";
    let sql = format!("{SELECT} WHERE {WHERE} ORDER BY r.id DESC LIMIT $4 OFFSET $5");
    let rows = on_db!(db, pool => sqlx::query_as::<_, ReportRow>(sqlx::AssertSqlSafe(sql))
        .bind(&low).bind(&high).bind(status).bind(paging.limit()).bind(paging.offset())
        .fetch_all(pool).await)?;
    let count = format!(
        "SELECT COUNT(*) FROM kepu_sharer_reports r JOIN kepu_sharers s ON s.id = r.sharer_id WHERE {WHERE}"
    );
    let total: i64 = on_db!(db, pool => sqlx::query_scalar(sqlx::AssertSqlSafe(count))
        .bind(&low).bind(&high).bind(status).fetch_one(pool).await)?;
    Ok((rows, total))
}

/// 确认 or 退回: pending → `to`, the 科普员 told, in one transaction; `Lost` when the report
/// was already decided (a second click, or another staff member first).
pub async fn decide(
    db: &Db,
    report: &ReportRow,
    to: &str,
    notice: &str,
    at: DateTime<Utc>,
) -> Result<Guarded, AppError> {
    let mut tx = db.begin().await?;
    let changed = on_tx!(&mut tx, conn => sqlx::query(
        "UPDATE kepu_sharer_reports SET status = $2 WHERE id = $1 AND status = 'pending'")
        .bind(report.id).bind(to)
        .execute(&mut **conn).await.map(|done| done.rows_affected()))?;
    if Guarded::of(changed) == Guarded::Lost {
        return Ok(Guarded::Lost);
    }
    tx.notify(report.sharer_user, notice, "/me/sharer#reports", at)
        .await?;
    tx.commit().await?;
    Ok(Guarded::Changed)
}

/// The photos a report names, by media id: (id, sha256, mime) of those that exist and that
/// `uploader` uploaded (a report's evidence is its author's own pictures, not anyone's).
pub async fn media(
    db: &Db,
    uploader: i64,
    ids: &[i64],
) -> Result<Vec<(i64, String, String)>, AppError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, sha256, mime FROM kepu_media WHERE uploader_id = $1 AND id IN ({})",
        crate::platform::db::placeholders(1, ids.len())
    );
    Ok(on_db!(db, pool => {
        let mut query = sqlx::query_as::<_, (i64, String, String)>(sqlx::AssertSqlSafe(sql)).bind(uploader);
        for id in ids {
            query = query.bind(*id);
        }
        query.fetch_all(pool).await
    })?)
}
