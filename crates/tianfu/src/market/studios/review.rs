//! Staff review of studios: a new studio is public once approved; an edit of a public studio
//! waits in the `draft_*` columns while the public keeps reading the approved text, and replaces
//! it when approved. Each change is one guarded statement on the revision the actor read, so an
//! owner's later edit is never approved unseen.

use chrono::{DateTime, Utc};
use tianfu_domain::UserId;

use super::store::{NewStudio, StudioRow, studio_select};
use crate::on_tx;
use crate::platform::db::Db;
use crate::platform::error::AppError;
use crate::platform::scope::RegionScope;
use crate::platform::tx::Guarded;

/// The owner's edit of name, introduction and fields, made on `revision`. A studio that is not
/// public yet (pending or refused) takes the text at once and goes (back) to review; a public
/// one keeps its text and holds the edit as a draft until approved.
pub async fn edit(
    db: &Db,
    owner: UserId,
    id: i64,
    revision: i64,
    studio: &NewStudio,
    now: DateTime<Utc>,
) -> Result<Guarded, sqlx::Error> {
    const SQL: &str = "UPDATE studios SET \
        draft_name = CASE WHEN status = 'published' THEN $1 ELSE NULL END, \
        draft_intro = CASE WHEN status = 'published' THEN $2 ELSE NULL END, \
        draft_fields = CASE WHEN status = 'published' THEN $3 ELSE NULL END, \
        name = CASE WHEN status = 'published' THEN name ELSE $1 END, \
        intro = CASE WHEN status = 'published' THEN intro ELSE $2 END, \
        fields = CASE WHEN status = 'published' THEN fields ELSE $3 END, \
        status = CASE WHEN status = 'published' THEN 'published' ELSE 'pending' END, \
        submitted_at = $4, review_reason = NULL, revision = revision + 1 \
        WHERE id = $5 AND owner_id = $6 AND revision = $7";
    let mut tx = db.begin().await?;
    let changed = on_tx!(&mut tx, conn => sqlx::query(SQL)
        .bind(&studio.name)
        .bind(&studio.intro)
        .bind(studio.fields.join("\n"))
        .bind(now)
        .bind(id)
        .bind(owner.0)
        .bind(revision)
        .execute(&mut **conn)
        .await
        .map(|done| done.rows_affected()))?;
    // A studio that was not public leaves the index at once (it never was in it, but a
    // refused one's text changed); a public one's index entry stays as approved.
    tx.outbox("studio", id, now).await?;
    tx.commit().await?;
    Ok(Guarded::of(changed))
}

fn bounds(scope: &RegionScope) -> (String, String) {
    match scope {
        RegionScope::All => (String::new(), "~".to_owned()),
        RegionScope::Subtree(region) => region.subtree_bounds(),
    }
}

/// A page of the studios waiting for review in `scope`, oldest submission first.
pub async fn waiting(
    db: &Db,
    scope: &RegionScope,
    limit: i64,
    offset: i64,
) -> Result<Vec<StudioRow>, sqlx::Error> {
    let (low, high) = bounds(scope);
    const SQL: &str = concat!(
        studio_select!(),
        "WHERE s.submitted_at IS NOT NULL AND s.region_code >= $1 AND s.region_code < $2 \
         ORDER BY s.submitted_at, s.id LIMIT $3 OFFSET $4"
    );
    crate::on_db!(db, pool => sqlx::query_as::<_, StudioRow>(SQL)
        .bind(low)
        .bind(high)
        .bind(limit)
        .bind(offset)
        .fetch_all(pool)
        .await)
}

/// How many studios wait for review in `scope` (few: `studios_waiting` holds only those).
pub async fn count_waiting(db: &Db, scope: &RegionScope) -> Result<i64, sqlx::Error> {
    let (low, high) = bounds(scope);
    crate::on_db!(db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM studios WHERE submitted_at IS NOT NULL AND region_code >= $1 AND region_code < $2")
        .bind(low)
        .bind(high)
        .fetch_one(pool)
        .await)
}

/// Approves what waits on `revision`: a new studio becomes public, an edit replaces the public
/// text. Tells the owner and queues the studio for the index.
pub async fn approve(
    db: &Db,
    studio: &StudioRow,
    revision: i64,
    staff: UserId,
    now: DateTime<Utc>,
) -> Result<Guarded, sqlx::Error> {
    const SQL: &str = "UPDATE studios SET \
        name = COALESCE(draft_name, name), intro = COALESCE(draft_intro, intro), \
        fields = COALESCE(draft_fields, fields), draft_name = NULL, draft_intro = NULL, \
        draft_fields = NULL, status = 'published', submitted_at = NULL, review_reason = NULL, \
        reviewed_by = $1, reviewed_at = $2 \
        WHERE id = $3 AND revision = $4 AND submitted_at IS NOT NULL";
    decide(db, SQL, studio, revision, staff, None, now).await
}

/// Refuses what waits on `revision`, with the reason the owner reads. A new studio stays
/// hidden (status rejected); a public one keeps its approved text, and the refused edit stays
/// as the owner's draft to correct.
pub async fn reject(
    db: &Db,
    studio: &StudioRow,
    revision: i64,
    staff: UserId,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Guarded, sqlx::Error> {
    const SQL: &str = "UPDATE studios SET \
        status = CASE WHEN status = 'published' THEN 'published' ELSE 'rejected' END, \
        submitted_at = NULL, review_reason = $5, reviewed_by = $1, reviewed_at = $2 \
        WHERE id = $3 AND revision = $4 AND submitted_at IS NOT NULL";
    decide(db, SQL, studio, revision, staff, Some(reason), now).await
}

async fn decide(
    db: &Db,
    sql: &'static str,
    studio: &StudioRow,
    revision: i64,
    staff: UserId,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Guarded, sqlx::Error> {
    let mut tx = db.begin().await?;
    let changed = on_tx!(&mut tx, conn => {
        let mut query = sqlx::query(sql).bind(staff.0).bind(now).bind(studio.id).bind(revision);
        if let Some(reason) = reason {
            query = query.bind(reason);
        }
        query.execute(&mut **conn).await.map(|done| done.rows_affected())
    })?;
    let guarded = Guarded::of(changed);
    if guarded == Guarded::Changed {
        let link = format!("/studios/{}", studio.id);
        let text = match reason {
            None => "您的科创工作室已通过审核，现已公开展示".to_owned(),
            Some(reason) => format!("您的科创工作室未通过审核：{reason}。修改后可重新提交"),
        };
        tx.notify(studio.owner_id, &text, &link, now).await?;
        tx.outbox("studio", studio.id, now).await?;
    }
    tx.commit().await?;
    Ok(guarded)
}

/// A decision or an edit that found the studio changed under it.
pub fn conflict(message: &str) -> AppError {
    AppError::Conflict {
        message: message.to_owned(),
        fields: Default::default(),
    }
}
