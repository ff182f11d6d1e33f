//! Keeps the search index in step with the database by tailing the outbox.
//!
//! Every listing change writes an outbox row in its own transaction, so a committed change is
//! never missed: the indexer reads outbox rows past its position, re-reads each listing, puts
//! published ones in the index and takes everything else out, commits the index, and only then
//! advances its position (a file beside the index). A crash between the two replays a few rows,
//! which is harmless because indexing a listing is idempotent. Each app node keeps its own index
//! and its own position, so every node converges on the same results.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tianfu_search::{ListingDoc, ListingKind as IndexKind};

use super::store::{self, ListingRow};
use crate::platform::error::AppError;
use crate::{App, AppState, on_db};

const BATCH: i64 = 500;

fn position_file(app: &App) -> PathBuf {
    app.config.data_dir.join("index").join("outbox_position")
}

fn read_position(path: &Path) -> i64 {
    std::fs::read_to_string(path).ok().and_then(|s| s.trim().parse().ok()).unwrap_or(0)
}

fn write_position(path: &Path, position: i64) -> std::io::Result<()> {
    let temporary = path.with_extension("tmp");
    std::fs::write(&temporary, position.to_string())?;
    std::fs::rename(temporary, path)
}

fn index_kind(kind: &str) -> Option<IndexKind> {
    IndexKind::parse(kind)
}

pub fn document(row: &ListingRow) -> Option<ListingDoc> {
    Some(ListingDoc {
        kind: index_kind(&row.kind)?,
        id: row.id,
        title: row.title.clone(),
        body: row.description_text.clone(),
        keywords: row.keyword_list(),
        region_code: row.region_code.clone(),
        industry: row.industry.clone(),
        service_type: row.service_type.clone().or_else(|| row.need_kind.clone()).or_else(|| row.achievement_kind.clone()),
        price_fen: row.price_fen,
        published_at: row.published_at.unwrap_or(row.updated_at).timestamp(),
    })
}

fn internal(error: impl std::fmt::Display) -> AppError {
    AppError::Internal(anyhow::anyhow!("search index: {error}"))
}

/// Brings the index up to date with every committed change; returns how many outbox rows it
/// applied. Safe to call from several tasks: they take turns.
pub async fn catch_up(app: &App) -> Result<usize, AppError> {
    let _turn = app.indexer_turn.lock().await;
    let path = position_file(app);
    let mut position = read_position(&path);
    let mut applied = 0;
    loop {
        let rows: Vec<(i64, i64)> = on_db!(&app.db, pool => {
            sqlx::query_as("SELECT id, entity_id FROM outbox WHERE id > $1 ORDER BY id LIMIT $2").bind(position).bind(BATCH).fetch_all(pool).await
        })?;
        let Some(&(last, _)) = rows.last() else { break };
        let mut ids: Vec<i64> = rows.iter().map(|(_, entity)| *entity).collect();
        ids.sort_unstable();
        ids.dedup();
        for id in ids {
            match store::find(&app.db, id).await? {
                Some(row) if row.is_published() => {
                    if let Some(doc) = document(&row) {
                        app.search.upsert(&doc).map_err(internal)?;
                    }
                }
                Some(row) => {
                    if let Some(kind) = index_kind(&row.kind) {
                        app.search.delete(kind, id).map_err(internal)?;
                    }
                }
                None => {}
            }
        }
        let search = app.search.clone();
        tokio::task::spawn_blocking(move || search.commit()).await.map_err(internal)?.map_err(internal)?;
        write_position(&path, last).map_err(internal)?;
        applied += rows.len();
        position = last;
    }
    Ok(applied)
}

/// Rebuilds the index from the database (`tianfu reindex`): every published listing, then the
/// position set to the newest outbox row.
pub async fn rebuild(app: &App) -> Result<usize, AppError> {
    let _turn = app.indexer_turn.lock().await;
    app.search.clear().map_err(internal)?;
    let newest: Option<i64> = on_db!(&app.db, pool => sqlx::query_scalar("SELECT MAX(id) FROM outbox").fetch_one(pool).await)?;
    let mut after = 0i64;
    let mut indexed = 0;
    loop {
        let ids: Vec<i64> = on_db!(&app.db, pool => {
            sqlx::query_scalar("SELECT id FROM listings WHERE status = 'published' AND id > $1 ORDER BY id LIMIT $2")
                .bind(after)
                .bind(BATCH)
                .fetch_all(pool)
                .await
        })?;
        let Some(&last) = ids.last() else { break };
        for id in ids {
            if let Some(doc) = store::find(&app.db, id).await?.as_ref().and_then(document) {
                app.search.upsert(&doc).map_err(internal)?;
                indexed += 1;
            }
        }
        after = last;
    }
    let search = app.search.clone();
    tokio::task::spawn_blocking(move || search.commit()).await.map_err(internal)?.map_err(internal)?;
    write_position(&position_file(app), newest.unwrap_or(0)).map_err(internal)?;
    Ok(indexed)
}

/// The background job: catch up, then look again a quarter of a second later, so a committed
/// change is searchable within a second. `TIANFU_INDEXER=off` stops it (to test recovery).
pub fn spawn(app: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        if std::env::var("TIANFU_INDEXER").is_ok_and(|v| v == "off") {
            tracing::warn!("indexer is off (TIANFU_INDEXER=off)");
            return;
        }
        loop {
            if let Err(error) = catch_up(&app).await {
                error.log_if_internal();
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    })
}
