//! Ratings' SQL. Each act is one transaction: the guarded change of `status` (one row or the act
//! lost a race), its line in `rating_decisions`, its ledger row and its notifications.

use chrono::{DateTime, Utc};
use tianfu_domain::{FieldErrors, RegionCode};

use super::rules::{Level, Status, SubjectKind};
use crate::ledger::{Event, EventKind};
use crate::platform::api::Paging;
use crate::platform::db::{Db, is_unique_violation};
use crate::platform::error::AppError;
use crate::platform::tx::{Guarded, Tx};
use crate::{on_db, on_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RatingRow {
    pub id: i64,
    pub subject_kind: String,
    pub subject_id: i64,
    pub subject_name: String,
    pub level: String,
    pub year: i32,
    pub region_code: String,
    pub owner_id: i64,
    pub applicant_id: i64,
    pub nominated: bool,
    pub statement: String,
    pub status: String,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

impl RatingRow {
    pub fn kind(&self) -> Option<SubjectKind> {
        SubjectKind::parse(&self.subject_kind).ok()
    }
    pub fn level(&self) -> Option<Level> {
        Level::parse(&self.level).ok()
    }
    pub fn status(&self) -> Option<Status> {
        Status::parse(&self.status)
    }
    pub fn region(&self) -> Option<RegionCode> {
        RegionCode::parse(&self.region_code).ok()
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DecisionRow {
    pub step: String,
    pub decision: String,
    pub reason: Option<String>,
    pub actor_name: String,
    pub at: DateTime<Utc>,
}

macro_rules! rating_select {
    () => {
        "SELECT id, subject_kind, subject_id, subject_name, level, year, region_code, owner_id, applicant_id, nominated, \
         statement, status, reason, created_at, updated_at, decided_at FROM ratings "
    };
}

pub struct NewRating {
    pub kind: SubjectKind,
    pub subject_id: i64,
    pub subject_name: String,
    pub level: Level,
    pub year: i32,
    pub region: RegionCode,
    pub owner: i64,
    pub applicant: i64,
    pub nominated: bool,
    pub statement: String,
    pub status: Status,
}

async fn log(
    tx: &mut Tx,
    rating: i64,
    step: &str,
    decision: &str,
    reason: Option<&str>,
    actor: i64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "INSERT INTO rating_decisions (rating_id, step, decision, reason, actor_id, at) VALUES ($1, $2, $3, $4, $5, $6)";
    on_tx!(tx, conn => sqlx::query(SQL).bind(rating).bind(step).bind(decision).bind(reason).bind(actor).bind(now)
        .execute(&mut **conn).await.map(|done| done.rows_affected()))?;
    Ok(())
}

/// Files an application or a nomination at the first step of its chain. A second rating of the
/// same subject and year in force is refused by the unique index (409 naming `subject_id`).
pub async fn create(db: &Db, new: &NewRating, now: DateTime<Utc>) -> Result<i64, AppError> {
    const SQL: &str = "INSERT INTO ratings (subject_kind, subject_id, subject_name, level, year, region_code, owner_id, \
         applicant_id, nominated, statement, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id";
    let result: Result<i64, sqlx::Error> = async {
        let mut tx = db.begin().await?;
        let id: i64 = on_tx!(&mut tx, conn => sqlx::query_scalar(SQL)
            .bind(new.kind.as_str()).bind(new.subject_id).bind(&new.subject_name).bind(new.level.as_str())
            .bind(new.year).bind(new.region.as_str()).bind(new.owner).bind(new.applicant).bind(new.nominated)
            .bind(&new.statement).bind(new.status.as_str()).bind(now)
            .fetch_one(&mut **conn).await)?;
        let what = if new.nominated { "nominate" } else { "apply" };
        log(&mut tx, id, "apply", what, None, new.applicant, now).await?;
        if new.owner != new.applicant {
            let text = format!(
                "“{}”被推荐参评{}年度{}{}，现{}",
                new.subject_name,
                new.year,
                new.level.label(),
                new.kind.label(),
                new.status.label()
            );
            tx.notify(new.owner, &text, &format!("/ratings/{id}"), now).await?;
        }
        tx.commit().await?;
        Ok(id)
    }
    .await;
    result.map_err(|error| {
        if is_unique_violation(&error, "ratings", "subject_kind") {
            AppError::Conflict {
                message: "该对象本年度已有评定申报或评定结果".into(),
                fields: FieldErrors::single(
                    "subject_id",
                    "该对象本年度已申报或已评定，不能重复申报",
                ),
            }
        } else {
            error.into()
        }
    })
}

/// What a decision does besides moving the status.
pub struct Act<'a> {
    pub rating: &'a RatingRow,
    pub from: Status,
    pub to: Status,
    pub step: &'a str,
    pub decision: &'a str,
    pub reason: Option<&'a str>,
    pub actor: i64,
    /// The ledger row the act books (final approval, or revocation's compensating row).
    pub event: Option<Event>,
    pub notice: String,
}

/// Moves a rating from `from` to `to` if no one moved it first (else `Lost`), with its log
/// line, ledger row, the studio's shown level and the notices, in one transaction.
pub async fn act(db: &Db, act: &Act<'_>, now: DateTime<Utc>) -> Result<Guarded, sqlx::Error> {
    const SQL: &str = "UPDATE ratings SET status = $1, reason = COALESCE($2, reason), updated_at = $3, \
         decided_at = CASE WHEN $1 = 'approved' THEN $3 ELSE decided_at END WHERE id = $4 AND status = $5";
    let mut tx = db.begin().await?;
    let changed = on_tx!(&mut tx, conn => sqlx::query(SQL)
        .bind(act.to.as_str()).bind(act.reason).bind(now).bind(act.rating.id).bind(act.from.as_str())
        .execute(&mut **conn).await.map(|done| done.rows_affected()))?;
    if Guarded::of(changed) == Guarded::Lost {
        return Ok(Guarded::Lost);
    }
    log(
        &mut tx,
        act.rating.id,
        act.step,
        act.decision,
        act.reason,
        act.actor,
        now,
    )
    .await?;
    if let Some(event) = &act.event {
        tx.record(now, event).await?;
    }
    if act.rating.subject_kind == "studio" && matches!(act.to, Status::Approved | Status::Revoked) {
        sync_studio(&mut tx, act.rating.subject_id).await?;
    }
    let link = format!("/ratings/{}", act.rating.id);
    tx.notify(act.rating.owner_id, &act.notice, &link, now)
        .await?;
    if act.rating.applicant_id != act.rating.owner_id && act.rating.applicant_id != act.actor {
        tx.notify(act.rating.applicant_id, &act.notice, &link, now)
            .await?;
    }
    tx.commit().await?;
    Ok(Guarded::Changed)
}

/// The studio's shown level (`studios.rating`, read by its page and by matching) follows its
/// latest rating in force.
async fn sync_studio(tx: &mut Tx, studio: i64) -> Result<(), sqlx::Error> {
    const SQL: &str = "UPDATE studios SET rating = COALESCE((SELECT r.level FROM ratings r WHERE r.subject_kind = 'studio' \
         AND r.subject_id = $1 AND r.status = 'approved' ORDER BY r.year DESC, r.id DESC LIMIT 1), 'normal') WHERE id = $1";
    on_tx!(tx, conn => sqlx::query(SQL).bind(studio).execute(&mut **conn).await.map(|done| done.rows_affected()))?;
    Ok(())
}

pub async fn find(db: &Db, id: i64) -> Result<Option<RatingRow>, sqlx::Error> {
    const SQL: &str = concat!(rating_select!(), "WHERE id = $1");
    on_db!(db, pool => sqlx::query_as::<_, RatingRow>(SQL).bind(id).fetch_optional(pool).await)
}

pub async fn decisions(db: &Db, id: i64) -> Result<Vec<DecisionRow>, sqlx::Error> {
    const SQL: &str = "SELECT d.step, d.decision, d.reason, u.name AS actor_name, d.at FROM rating_decisions d \
         JOIN users u ON u.id = d.actor_id WHERE d.rating_id = $1 ORDER BY d.id";
    on_db!(db, pool => sqlx::query_as::<_, DecisionRow>(SQL).bind(id).fetch_all(pool).await)
}

/// The ratings in force of one subject, newest year first: its badges.
pub async fn in_force(
    db: &Db,
    kind: SubjectKind,
    id: i64,
) -> Result<Vec<(i32, String)>, sqlx::Error> {
    const SQL: &str = "SELECT year, level FROM ratings WHERE subject_kind = $1 AND subject_id = $2 \
         AND status = 'approved' ORDER BY year DESC, id DESC";
    on_db!(db, pool => sqlx::query_as::<_, (i32, String)>(SQL).bind(kind.as_str()).bind(id).fetch_all(pool).await)
}

/// The public list: ratings in force, filtered by what the request sets (each filter bound only
/// when set, so each variant is served by `ratings_year`).
pub struct ListFilter {
    pub year: Option<i32>,
    pub level: Option<Level>,
    pub kind: Option<SubjectKind>,
}

pub async fn list(
    db: &Db,
    filter: &ListFilter,
    paging: Paging,
) -> Result<(Vec<RatingRow>, i64), sqlx::Error> {
    let mut conditions = vec!["status = 'approved'".to_owned()];
    let mut binds: Vec<String> = Vec::new();
    let mut year = None;
    if let Some(y) = filter.year {
        conditions.push("year = $1".into());
        year = Some(y);
    }
    for (column, value) in [
        ("level", filter.level.map(|l| l.as_str())),
        ("subject_kind", filter.kind.map(|k| k.as_str())),
    ] {
        if let Some(value) = value {
            binds.push(value.to_owned());
            conditions.push(format!("{column} = ${}", binds.len() + 1));
        }
    }
    let where_clause = conditions.join(" AND ");
    let n = binds.len() + 1;
    let rows_sql = format!(
        "{} WHERE {where_clause} ORDER BY year DESC, CASE level WHEN 'excellent' THEN 0 ELSE 1 END, decided_at DESC, id DESC LIMIT ${} OFFSET ${}",
        rating_select!(),
        n + 1,
        n + 2
    );
    let count_sql = format!("SELECT COUNT(*) FROM ratings WHERE {where_clause}");
    // Safe: only column names and numbered placeholders of this function are spliced in.
    on_db!(db, pool => {
        let mut rows = sqlx::query_as::<_, RatingRow>(sqlx::AssertSqlSafe(rows_sql)).bind(year.unwrap_or(0));
        let mut count = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(count_sql)).bind(year.unwrap_or(0));
        for value in &binds {
            rows = rows.bind(value.clone());
            count = count.bind(value.clone());
        }
        let rows = rows.bind(paging.limit()).bind(paging.offset()).fetch_all(pool).await?;
        let total = count.fetch_one(pool).await?;
        Ok((rows, total))
    })
}

/// What awaits `status`'s step in a region's subtree (`[low, high)` of codes), for subjects of
/// the given kinds, oldest first.
pub async fn queue(
    db: &Db,
    status: Status,
    bounds: &(String, String),
    kinds: &[SubjectKind],
    limit: i64,
) -> Result<Vec<RatingRow>, sqlx::Error> {
    const SQL: &str = concat!(
        rating_select!(),
        "WHERE status = $1 AND region_code >= $2 AND region_code < $3 AND subject_kind IN ($4, $5) ORDER BY id LIMIT $6"
    );
    let first = kinds.first().map_or("", |k| k.as_str());
    let second = kinds.get(1).map_or(first, |k| k.as_str());
    on_db!(db, pool => sqlx::query_as::<_, RatingRow>(SQL).bind(status.as_str()).bind(&bounds.0).bind(&bounds.1)
        .bind(first).bind(second).bind(limit).fetch_all(pool).await)
}

/// The ratings a person owns or applied for, newest first.
pub async fn mine(db: &Db, user: i64) -> Result<Vec<RatingRow>, sqlx::Error> {
    const SQL: &str = concat!(
        rating_select!(),
        "WHERE owner_id = $1 UNION SELECT id, subject_kind, subject_id, subject_name, level, year, region_code, owner_id, \
         applicant_id, nominated, statement, status, reason, created_at, updated_at, decided_at FROM ratings \
         WHERE applicant_id = $1 ORDER BY id DESC LIMIT 100"
    );
    on_db!(db, pool => sqlx::query_as::<_, RatingRow>(SQL).bind(user).fetch_all(pool).await)
}

/// The ledger row of a final approval: `studio.rated` or `case.rated`, outcome the level, once
/// per rating; revocation books its compensating row (weight -1), also once.
pub fn rated_event(rating: &RatingRow, actor: i64, reversal: bool) -> Option<Event> {
    let kind = match rating.kind()? {
        SubjectKind::Studio => EventKind::StudioRated,
        SubjectKind::Case => EventKind::CaseRated,
    };
    let event = Event::new(
        kind,
        &rating.region()?,
        &rating.subject_kind,
        rating.subject_id,
    )
    .actor(actor)
    .counterpart(rating.owner_id)
    .outcome(&rating.level);
    let key = format!("{}:rating:{}", kind.as_str(), rating.id);
    Some(if reversal {
        // `reversal` keys by subject; a subject may be rated again another year, so key by rating.
        let reversed = format!("{}.reversed:rating:{}", kind.as_str(), rating.id);
        event.reversal().once_as(reversed)
    } else {
        event.once_as(key)
    })
}
