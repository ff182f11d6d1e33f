//! What a read does: the view noted for the recorder, and the reader's quality signals (read to
//! the end, liked), each once per reader.

use sha2::{Digest, Sha256};

use super::store::ResourceRow;
use crate::kepu::views::{self, Hit};
use crate::platform::auth::Actor;
use crate::platform::error::AppError;
use crate::{App, on_tx};

/// A short stable digest (for a device's user agent; never shown).
pub fn short_hash(text: &str) -> String {
    format!("{:x}", Sha256::digest(text.as_bytes()))[..16].to_owned()
}

/// Notes a read of a published resource: by a signed-in person, or by a browser identified by
/// its reader cookie.
pub async fn note_read(
    app: &App,
    row: &ResourceRow,
    actor: Option<&Actor>,
    cookie: Option<&str>,
    ip: Option<String>,
    device: Option<String>,
    sharer_code: Option<String>,
) {
    let (reader, user_id, region_code) = match (actor, cookie) {
        (Some(actor), _) => (
            format!("u:{}", actor.id.0),
            Some(actor.id.0),
            actor.region.as_str().to_owned(),
        ),
        (None, Some(cookie)) => (format!("s:{cookie}"), None, row.region_or_province()),
        (None, None) => return,
    };
    views::record(
        app,
        Hit {
            resource_id: row.id,
            reader,
            user_id,
            region_code,
            ip,
            device,
            sharer_code,
            at: app.clock.now(),
        },
    )
    .await;
}

/// Marks the reader's read as completed and/or liked; each raises the resource's count once.
/// Answers the read's state afterwards.
pub async fn mark_progress(
    app: &App,
    user: i64,
    resource: i64,
    completed: bool,
    liked: bool,
) -> Result<(bool, bool), AppError> {
    let now = app.clock.now();
    let mut tx = app.db.begin().await?;
    on_tx!(&mut tx, conn => sqlx::query(
        "INSERT INTO kepu_reads (user_id, resource_id, first_at, last_at) VALUES ($1, $2, $3, $3) ON CONFLICT (user_id, resource_id) DO NOTHING")
        .bind(user).bind(resource).bind(now).execute(&mut **conn).await.map(|done| done.rows_affected()))?;
    if completed {
        let changed = on_tx!(&mut tx, conn => sqlx::query(
            "UPDATE kepu_reads SET completed = TRUE WHERE user_id = $1 AND resource_id = $2 AND NOT completed")
            .bind(user).bind(resource).execute(&mut **conn).await.map(|done| done.rows_affected()))?;
        if changed == 1 {
            on_tx!(&mut tx, conn => sqlx::query("UPDATE kepu_resources SET completions = completions + 1 WHERE id = $1")
                .bind(resource).execute(&mut **conn).await.map(|done| done.rows_affected()))?;
        }
    }
    if liked {
        let changed = on_tx!(&mut tx, conn => sqlx::query(
            "UPDATE kepu_reads SET liked = TRUE WHERE user_id = $1 AND resource_id = $2 AND NOT liked")
            .bind(user).bind(resource).execute(&mut **conn).await.map(|done| done.rows_affected()))?;
        if changed == 1 {
            on_tx!(&mut tx, conn => sqlx::query("UPDATE kepu_resources SET likes = likes + 1 WHERE id = $1")
                .bind(resource).execute(&mut **conn).await.map(|done| done.rows_affected()))?;
        }
    }
    let state: (bool, bool) = on_tx!(&mut tx, conn => sqlx::query_as(
        "SELECT completed, liked FROM kepu_reads WHERE user_id = $1 AND resource_id = $2")
        .bind(user).bind(resource).fetch_one(&mut **conn).await)?;
    tx.commit().await?;
    Ok(state)
}
