use chrono::{DateTime, Utc};
use tianfu_domain::{RegionCode, UserId};

use crate::ledger::{Event, EventKind};
use crate::platform::api::Paging;
use crate::platform::db::{Db, is_unique_violation};
use crate::platform::error::AppError;
use crate::{on_db, on_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StudioRow {
    pub id: i64,
    pub owner_id: i64,
    pub owner_name: String,
    pub name: String,
    pub intro: String,
    pub fields: String,
    pub region_code: String,
    pub rating: String,
    pub created_at: DateTime<Utc>,
    /// pending (never approved yet), published or rejected.
    pub status: String,
    /// An edit of a published studio waiting for review (the public reads the columns above).
    pub draft_name: Option<String>,
    pub draft_intro: Option<String>,
    pub draft_fields: Option<String>,
    /// Set while something waits for review.
    pub submitted_at: Option<DateTime<Utc>>,
    /// Counts the owner's submissions: a decision applies to the revision the reviewer read.
    pub revision: i64,
    pub review_reason: Option<String>,
}

impl StudioRow {
    /// Everyone may see it: approved once (an edit waiting for review does not hide it).
    pub fn is_public(&self) -> bool {
        self.status == "published"
    }

    /// Something of it waits for staff review (a new studio, or an edit).
    pub fn in_review(&self) -> bool {
        self.submitted_at.is_some()
    }

    /// The text the owner last submitted: the draft of an edit, else the studio's own.
    pub fn proposed(&self) -> (String, String, String) {
        (
            self.draft_name.clone().unwrap_or_else(|| self.name.clone()),
            self.draft_intro
                .clone()
                .unwrap_or_else(|| self.intro.clone()),
            self.draft_fields
                .clone()
                .unwrap_or_else(|| self.fields.clone()),
        )
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberRow {
    pub name: String,
    pub title: String,
}

pub struct NewStudio {
    pub name: String,
    pub intro: String,
    pub fields: Vec<String>,
    pub members: Vec<(String, String)>,
}

macro_rules! studio_select {
    () => {
        "SELECT s.id, s.owner_id, u.name AS owner_name, s.name, s.intro, s.fields, s.region_code, s.rating, s.created_at, \
         s.status, s.draft_name, s.draft_intro, s.draft_fields, s.submitted_at, s.revision, s.review_reason \
         FROM studios s JOIN users u ON u.id = s.owner_id "
    };
}
pub(crate) use studio_select;

/// Opens a studio: the studio, its members and the `studio.opened` ledger event together. It is
/// public once staff approve it (`super::review`).
pub async fn open(
    db: &Db,
    owner: UserId,
    region: &RegionCode,
    studio: &NewStudio,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let result: Result<i64, sqlx::Error> = async {
        let mut tx = db.begin().await?;
        let id: i64 = on_tx!(&mut tx, conn => sqlx::query_scalar(
            "INSERT INTO studios (owner_id, name, intro, fields, region_code, rating, created_at, status, submitted_at, revision) \
             VALUES ($1, $2, $3, $4, $5, 'normal', $6, 'pending', $6, 1) RETURNING id",
        )
        .bind(owner.0)
        .bind(&studio.name)
        .bind(&studio.intro)
        .bind(studio.fields.join("\n"))
        .bind(region.as_str())
        .bind(now)
        .fetch_one(&mut **conn)
        .await)?;
        for (name, title) in &studio.members {
            on_tx!(&mut tx, conn => sqlx::query("INSERT INTO studio_members (studio_id, name, title) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(name)
                .bind(title)
                .execute(&mut **conn)
                .await.map(|done| done.rows_affected()))?;
        }
        // The indexer tails the outbox: once approved, the studio is findable by the needs it
        // answers (the indexer leaves out a studio that is not public).
        tx.outbox("studio", id, now).await?;
        let event = Event::new(EventKind::StudioOpened, region, "studio", id).actor(owner.0).once();
        tx.record(now, &event).await?;
        tx.commit().await?;
        Ok(id)
    }
    .await;
    result.map_err(|error| {
        if is_unique_violation(&error, "studios", "owner_id") {
            crate::accounts::store::conflict("name", "您已开设科创工作室，每位用户限开一个")
        } else {
            error.into()
        }
    })
}

pub async fn find(db: &Db, id: i64) -> Result<Option<StudioRow>, sqlx::Error> {
    const SQL: &str = concat!(studio_select!(), "WHERE s.id = $1");
    on_db!(db, pool => sqlx::query_as::<_, StudioRow>(SQL).bind(id).fetch_optional(pool).await)
}

pub async fn find_by_owner(db: &Db, owner: UserId) -> Result<Option<StudioRow>, sqlx::Error> {
    const SQL: &str = concat!(studio_select!(), "WHERE s.owner_id = $1");
    on_db!(db, pool => sqlx::query_as::<_, StudioRow>(SQL).bind(owner.0).fetch_optional(pool).await)
}

pub async fn members(db: &Db, studio: i64) -> Result<Vec<MemberRow>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as::<_, MemberRow>("SELECT name, title FROM studio_members WHERE studio_id = $1 ORDER BY id")
            .bind(studio)
            .fetch_all(pool)
            .await
    })
}

/// Completed deals in which the studio's owner was the provider.
pub async fn completed_deals(db: &Db, owner: i64) -> Result<i64, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_scalar("SELECT COUNT(*) FROM deals WHERE seller_id = $1 AND stage = 'completed'").bind(owner).fetch_one(pool).await
    })
}

/// Deals signed with the studio's owner as the provider: signed, being performed or completed.
pub async fn signed_deals(db: &Db, owner: i64) -> Result<i64, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_scalar("SELECT COUNT(*) FROM deals WHERE seller_id = $1 AND stage IN ('signed', 'performing', 'completed')").bind(owner).fetch_one(pool).await
    })
}

/// All public studios, newest first.
pub async fn list(db: &Db, paging: Paging) -> Result<(Vec<StudioRow>, i64), sqlx::Error> {
    const SQL: &str = concat!(
        studio_select!(),
        "WHERE s.status = 'published' ORDER BY s.id DESC LIMIT $1 OFFSET $2"
    );
    on_db!(db, pool => {
        let rows = sqlx::query_as::<_, StudioRow>(SQL).bind(paging.limit()).bind(paging.offset()).fetch_all(pool).await?;
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM studios WHERE status = 'published'").fetch_one(pool).await?;
        Ok((rows, total))
    })
}
