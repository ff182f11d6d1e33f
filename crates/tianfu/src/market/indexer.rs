//! Keeps the search index in step with the database by tailing the outbox.
//!
//! Every listing change writes an outbox row in its own transaction, so a committed change is
//! never missed: the indexer reads outbox rows past its position, re-reads each listing, puts
//! published ones in the index and takes everything else out, commits the index, and only then
//! advances its position (a file beside the index). A crash between the two replays a few rows,
//! which is harmless because indexing a listing is idempotent. Each app node keeps its own index
//! and its own position, so every node converges on the same results.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tianfu_domain::UserId;
use tianfu_search::{ListingDoc, ListingKind as IndexKind};

use super::store::{self, ListingRow};
use super::studios::document::document as studio_document;
use super::studios::store::{self as studios, StudioRow};
use crate::platform::config::Config;
use crate::platform::error::AppError;
use crate::startup::IndexPlace;
use crate::{App, AppState, on_db};

const BATCH: i64 = 500;

/// On PostgreSQL an outbox id is taken when a transaction inserts its row, not when it commits,
/// so a smaller id can become visible after a larger one, and a rolled-back transaction leaves
/// a hole for ever. The position therefore only steps over a hole once the row after it is this
/// old: by then the transaction that held the missing id has long committed or rolled back.
const GAP_PATIENCE_SECONDS: i64 = 30;

pub fn index_dir(config: &Config) -> PathBuf {
    config.data_dir.join("index")
}

/// The indexer's place in the outbox: every row up to `position` is in the index, and so is
/// every id in `applied` (rows seen beyond a hole that may still fill).
#[derive(Debug, Default)]
pub struct IndexerCursor {
    file: Option<PathBuf>,
    position: i64,
    applied: BTreeSet<i64>,
}

impl IndexerCursor {
    /// The position saved beside an on-disk index; an index in memory starts from the top.
    pub fn load(config: &Config, place: IndexPlace) -> Self {
        let file = (place == IndexPlace::Disk).then(|| index_dir(config).join("outbox_position"));
        let position = file.as_deref().map(read_position).unwrap_or(0);
        IndexerCursor {
            file,
            position,
            applied: BTreeSet::new(),
        }
    }

    pub fn position(&self) -> i64 {
        self.position
    }

    /// Moves the position over the applied rows that follow it without a hole.
    fn advance(&mut self) {
        while let Some(&first) = self.applied.first() {
            if first > self.position + 1 {
                break;
            }
            self.applied.pop_first();
            self.position = self.position.max(first);
        }
    }

    /// The first applied row beyond a hole, if any.
    fn beyond_hole(&self) -> Option<i64> {
        self.applied.first().copied()
    }

    /// Gives up waiting for the ids before `id`: they belonged to transactions that rolled back.
    fn skip_hole_before(&mut self, id: i64) {
        self.position = self.position.max(id - 1);
        self.advance();
    }

    fn save(&self) -> std::io::Result<()> {
        match &self.file {
            Some(path) => write_position(path, self.position),
            None => Ok(()),
        }
    }
}

fn read_position(path: &Path) -> i64 {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0)
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
        service_type: row
            .service_type
            .clone()
            .or_else(|| row.need_kind.clone())
            .or_else(|| row.achievement_kind.clone()),
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
    let mut cursor = app.indexer.lock().await;
    let mut scanned = cursor.position;
    let mut applied = 0;
    loop {
        let rows: Vec<(i64, String, i64)> = on_db!(&app.db, pool => {
            sqlx::query_as("SELECT id, entity_kind, entity_id FROM outbox WHERE id > $1 ORDER BY id LIMIT $2").bind(scanned).bind(BATCH).fetch_all(pool).await
        })?;
        let Some(&(last, _, _)) = rows.last() else {
            break;
        };
        scanned = last;
        let fresh: Vec<&(i64, String, i64)> = rows
            .iter()
            .filter(|(id, _, _)| !cursor.applied.contains(id))
            .collect();
        if fresh.is_empty() {
            continue;
        }
        let mut entities: Vec<(&str, i64)> = fresh
            .iter()
            .map(|(_, kind, entity)| (kind.as_str(), *entity))
            .collect();
        entities.sort_unstable();
        entities.dedup();
        // A studio's document includes its owner's listings: refresh it once per batch, however
        // many of the owner's listings changed.
        let mut owners = BTreeSet::new();
        for (kind, id) in entities {
            match kind {
                "studio" => apply_studio(app, id).await?,
                "kepu" => apply_other(app, IndexKind::Kepu, id).await?,
                "question" => apply_other(app, IndexKind::Question, id).await?,
                _ => owners.extend(apply(app, id).await?),
            }
        }
        for owner in owners {
            if let Some(studio) = studios::find_by_owner(&app.db, UserId(owner)).await?
                && studio.is_public()
            {
                index_studio(app, &studio).await?;
            }
        }
        commit(app).await?;
        applied += fresh.len();
        cursor.applied.extend(fresh.iter().map(|(id, _, _)| *id));
    }
    let before = cursor.position;
    cursor.advance();
    if let Some(first) = cursor.beyond_hole() {
        let created: Option<DateTime<Utc>> = on_db!(&app.db, pool => {
            sqlx::query_scalar("SELECT created_at FROM outbox WHERE id = $1").bind(first).fetch_optional(pool).await
        })?;
        if created.is_some_and(|t| (app.clock.now() - t).num_seconds() >= GAP_PATIENCE_SECONDS) {
            cursor.skip_hole_before(first);
        }
    }
    if cursor.position != before {
        cursor.save().map_err(internal)?;
    }
    Ok(applied)
}

/// Puts a published listing in the index and takes any other out. Returns the owner of a
/// capability or achievement, whose studio must follow: what they publish is its expertise.
async fn apply(app: &App, id: i64) -> Result<Option<i64>, AppError> {
    let Some(row) = store::find(&app.db, id).await? else {
        return Ok(None);
    };
    if row.is_published() {
        if let Some(doc) = document(&row) {
            app.search.upsert(&doc).map_err(internal)?;
        }
    } else if let Some(kind) = index_kind(&row.kind) {
        app.search.delete(kind, id).map_err(internal)?;
    }
    Ok((row.kind != "need").then_some(row.owner_id))
}

/// A 科普 resource or a question: in the index while its slice gives a document for it.
async fn apply_other(app: &App, kind: IndexKind, id: i64) -> Result<(), AppError> {
    let doc = match kind {
        IndexKind::Kepu => crate::kepu::resources::index::document(app, id).await?,
        _ => crate::kepu::questions::document(app, id).await?,
    };
    match doc {
        Some(doc) => app.search.upsert(&doc).map_err(internal),
        None => app.search.delete(kind, id).map_err(internal),
    }
}

/// A studio is in the index while it is public (approved by staff), with its approved text.
async fn apply_studio(app: &App, id: i64) -> Result<(), AppError> {
    match studios::find(&app.db, id).await? {
        Some(studio) if studio.is_public() => index_studio(app, &studio).await,
        Some(_) => app.search.delete(IndexKind::Studio, id).map_err(internal),
        None => Ok(()),
    }
}

async fn index_studio(app: &App, studio: &StudioRow) -> Result<(), AppError> {
    let doc = studio_document(&app.db, studio).await?;
    app.search.upsert(&doc).map_err(internal)
}

async fn commit(app: &App) -> Result<(), AppError> {
    let search = app.search.clone();
    tokio::task::spawn_blocking(move || search.commit())
        .await
        .map_err(internal)?
        .map_err(internal)
}

/// Rebuilds the index when the data directory has none: an on-disk index without a saved
/// position is new (a fresh or restored data directory, an index deleted by hand) or was never
/// brought up to date. The server calls it before it serves and before its jobs start, so no
/// write races the rebuild on this node. Returns how many documents it indexed, if it rebuilt.
pub async fn rebuild_if_missing(app: &App) -> Result<Option<usize>, AppError> {
    let missing = {
        let cursor = app.indexer.lock().await;
        cursor.file.as_deref().is_some_and(|file| !file.exists())
    };
    if !missing {
        return Ok(None);
    }
    let any: Option<i64> = on_db!(&app.db, pool => sqlx::query_scalar("SELECT MAX(id) FROM outbox").fetch_one(pool).await)?;
    if any.is_none() {
        // A new database: nothing to index, only the position to save.
        app.indexer.lock().await.save().map_err(internal)?;
        return Ok(None);
    }
    rebuild(app).await.map(Some)
}

/// Rebuilds the index from the database (`tianfu reindex`): every published listing and every
/// studio, then the position set to the newest outbox row.
pub async fn rebuild(app: &App) -> Result<usize, AppError> {
    let mut cursor = app.indexer.lock().await;
    app.search.clear().map_err(internal)?;
    let newest: Option<i64> = on_db!(&app.db, pool => sqlx::query_scalar("SELECT MAX(id) FROM outbox").fetch_one(pool).await)?;
    let mut after = 0i64;
    let mut indexed = 0;
    while let Some(ids) = next_ids(app, PUBLISHED_AFTER, after).await? {
        for &id in &ids {
            if let Some(doc) = store::find(&app.db, id).await?.as_ref().and_then(document) {
                app.search.upsert(&doc).map_err(internal)?;
                indexed += 1;
            }
        }
        after = ids[ids.len() - 1];
    }
    indexed += rebuild_studios(app).await?;
    indexed += rebuild_others(app, IndexKind::Kepu, KEPU_PUBLISHED_AFTER).await?;
    indexed += rebuild_others(app, IndexKind::Question, QUESTIONS_AFTER).await?;
    commit(app).await?;
    let search = app.search.clone();
    tokio::task::spawn_blocking(move || search.merge_segments())
        .await
        .map_err(internal)?
        .map_err(internal)?;
    cursor.position = newest.unwrap_or(0);
    cursor.applied.clear();
    cursor.save().map_err(internal)?;
    Ok(indexed)
}

async fn rebuild_studios(app: &App) -> Result<usize, AppError> {
    let mut after = 0i64;
    let mut indexed = 0;
    while let Some(ids) = next_ids(app, STUDIOS_AFTER, after).await? {
        for &id in &ids {
            apply_studio(app, id).await?;
            indexed += 1;
        }
        after = ids[ids.len() - 1];
    }
    Ok(indexed)
}

async fn rebuild_others(app: &App, kind: IndexKind, sql: &'static str) -> Result<usize, AppError> {
    let mut after = 0i64;
    let mut indexed = 0;
    while let Some(ids) = next_ids(app, sql, after).await? {
        for &id in &ids {
            apply_other(app, kind, id).await?;
            indexed += 1;
        }
        after = ids[ids.len() - 1];
    }
    Ok(indexed)
}

const KEPU_PUBLISHED_AFTER: &str =
    "SELECT id FROM kepu_resources WHERE status = 'published' AND id > $1 ORDER BY id LIMIT $2";
const QUESTIONS_AFTER: &str = "SELECT id FROM kepu_questions WHERE id > $1 ORDER BY id LIMIT $2";
const PUBLISHED_AFTER: &str =
    "SELECT id FROM listings WHERE status = 'published' AND id > $1 ORDER BY id LIMIT $2";
const STUDIOS_AFTER: &str =
    "SELECT id FROM studios WHERE status = 'published' AND id > $1 ORDER BY id LIMIT $2";

/// The next batch of ids past `after` by `sql` (which takes `after` and the batch size), or
/// `None` when there are no more.
async fn next_ids(app: &App, sql: &'static str, after: i64) -> Result<Option<Vec<i64>>, AppError> {
    let ids: Vec<i64> = on_db!(&app.db, pool => {
        sqlx::query_scalar(sql).bind(after).bind(BATCH).fetch_all(pool).await
    })?;
    Ok((!ids.is_empty()).then_some(ids))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn cursor(position: i64, applied: &[i64]) -> IndexerCursor {
        IndexerCursor {
            file: None,
            position,
            applied: applied.iter().copied().collect(),
        }
    }

    #[test]
    fn the_position_moves_over_rows_without_holes_only() {
        let mut c = cursor(3, &[4, 5, 7, 8]);
        c.advance();
        assert_eq!(c.position(), 5, "6 may still commit");
        assert_eq!(c.beyond_hole(), Some(7));
        c.applied.insert(6);
        c.advance();
        assert_eq!(c.position(), 8);
        assert_eq!(c.beyond_hole(), None);
    }

    #[test]
    fn an_old_hole_is_stepped_over() {
        let mut c = cursor(5, &[7, 8, 10]);
        c.skip_hole_before(7);
        assert_eq!(c.position(), 8);
        assert_eq!(c.beyond_hole(), Some(10));
    }
}
