//! 浏览量 and 服务量. A read is noted in memory (cheap for the request) and written in batches;
//! a booking job then settles each view once the two minutes around it are known: the same
//! reader within 30 minutes counts once, and reading no person does (too fast, many accounts on
//! one device or address) is flagged — kept, shown to the province's staff with the evidence,
//! and left out of the official figures. Counted views are booked in the ledger (`kepu.viewed`,
//! and `kepu.served` for a signed-in reader) with the read's quality signals.

pub mod api;
pub mod book;
pub mod rules;

use std::sync::Mutex;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use chrono::{DateTime, Utc};
use tokio::task::JoinHandle;

use crate::platform::error::AppError;
use crate::platform::tx::Tx;
use crate::{App, AppState, on_tx};

/// One read as the request saw it.
#[derive(Debug, Clone)]
pub struct Hit {
    pub resource_id: i64,
    /// `u:<user id>` or `s:<browser cookie>`.
    pub reader: String,
    pub user_id: Option<i64>,
    /// The reader's region (a signed-in person's), else the resource's.
    pub region_code: String,
    pub ip: Option<String>,
    pub device: Option<String>,
    /// The 科普员 whose shared link brought the reader.
    pub sharer_code: Option<String>,
    pub at: DateTime<Utc>,
}

/// Reads noted since the last write. Several nodes each keep their own; the booking job, which
/// runs on one node at a time, settles what all of them wrote.
#[derive(Debug, Default)]
pub struct Buffer {
    hits: Mutex<Vec<Hit>>,
    /// Booking passes on this node take turns (the server's job, a command, a test's settle);
    /// the lease keeps other nodes out.
    booking: tokio::sync::Mutex<()>,
}

/// More than this many waiting reads are written at once by the request that adds one, so a
/// burst cannot grow the buffer without bound.
const MAX_BUFFERED: usize = 5_000;

impl Buffer {
    /// Notes a read; answers true when the buffer is full and should be written now.
    pub fn push(&self, hit: Hit) -> bool {
        let mut hits = self.hits.lock().unwrap_or_else(|e| e.into_inner());
        hits.push(hit);
        hits.len() >= MAX_BUFFERED
    }

    fn take(&self) -> Vec<Hit> {
        std::mem::take(&mut *self.hits.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// Notes a read of a resource; the job writes it within a quarter of a second.
pub async fn record(app: &App, hit: Hit) {
    if app.kepu_views.push(hit)
        && let Err(error) = flush(app).await
    {
        error.log_if_internal();
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/kepu/flags", get(api::flags))
        .route("/admin/kepu/flags", get(api::flags_page))
}

/// Writes the buffered reads in one transaction, leaving out a reader's repeats within the
/// batch (the booking job catches repeats across batches).
pub async fn flush(app: &App) -> Result<(), AppError> {
    let mut hits = app.kepu_views.take();
    if hits.is_empty() {
        return Ok(());
    }
    hits.sort_by(|a, b| (&a.reader, a.resource_id, a.at).cmp(&(&b.reader, b.resource_id, b.at)));
    let mut kept: Vec<Hit> = Vec::with_capacity(hits.len());
    for hit in hits {
        let repeat = kept.last().is_some_and(|last| {
            last.reader == hit.reader
                && last.resource_id == hit.resource_id
                && hit.at - last.at < rules::REPEAT_WINDOW
        });
        if !repeat {
            kept.push(hit);
        }
    }
    let mut tx = app.db.begin().await?;
    for chunk in kept.chunks(200) {
        insert(&mut tx, chunk).await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn insert(tx: &mut Tx, hits: &[Hit]) -> Result<(), sqlx::Error> {
    let mut sql = String::from(
        "INSERT INTO kepu_views (resource_id, reader, user_id, region_code, ip, device, sharer_code, at, state) VALUES ",
    );
    for i in 0..hits.len() {
        let b = i * 8;
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!(
            "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, 'new')",
            b + 1,
            b + 2,
            b + 3,
            b + 4,
            b + 5,
            b + 6,
            b + 7,
            b + 8
        ));
    }
    on_tx!(tx, conn => {
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for hit in hits {
            query = query
                .bind(hit.resource_id)
                .bind(&hit.reader)
                .bind(hit.user_id)
                .bind(&hit.region_code)
                .bind(hit.ip.as_deref())
                .bind(hit.device.as_deref())
                .bind(hit.sharer_code.as_deref())
                .bind(hit.at);
        }
        query.execute(&mut **conn).await.map(|done| done.rows_affected())
    })?;
    Ok(())
}

/// The writer (every quarter of a second) and the booking job (every few seconds, under a
/// lease).
pub fn spawn(app: AppState) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(250));
        let mut passes: u32 = 0;
        loop {
            tick.tick().await;
            if let Err(error) = flush(&app).await {
                error.log_if_internal();
            }
            passes = passes.wrapping_add(1);
            if passes.is_multiple_of(8)
                && let Err(error) = book::run_leased(&app).await
            {
                error.log_if_internal();
            }
        }
    })
}

/// Writes what is still buffered, when the server stops.
pub async fn flush_on_shutdown(app: &App) {
    if let Err(error) = flush(app).await {
        error.log_if_internal();
    }
}
