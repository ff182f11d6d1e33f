//! SQL for questions, answers and routes. Each act is one transaction: its rows, its ledger
//! events, its notifications and its outbox row commit together; a state change is one guarded
//! statement.

use chrono::{DateTime, Utc};
use tianfu_domain::RegionCode;

use super::rules::{NewQuestion, Status};
use crate::ledger::{Event, EventKind};
use crate::platform::api::Paging;
use crate::platform::db::Db;
use crate::platform::tx::{Guarded, Tx};
use crate::{on_db, on_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QuestionRow {
    pub id: i64,
    pub asker_id: i64,
    pub title: String,
    pub body: String,
    pub photo_id: Option<i64>,
    pub channel: Option<String>,
    pub region_code: String,
    pub private: bool,
    pub status: String,
    pub accepted_answer_id: Option<i64>,
    pub rating: Option<i64>,
    pub escalated_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub answers: i64,
    /// The photo's content hash, which names its file (`/kepu/media/{sha256}`).
    pub photo_sha256: Option<String>,
}

impl QuestionRow {
    pub fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::Open)
    }

    /// The question's region; a corrupt code is an error, never a guess.
    pub fn region(&self) -> Result<RegionCode, sqlx::Error> {
        RegionCode::parse(&self.region_code)
            .map_err(|e| sqlx::Error::Decode(format!("question {} region: {e}", self.id).into()))
    }

    pub fn link(&self) -> String {
        format!("/kepu/questions/{}", self.id)
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AnswerRow {
    pub id: i64,
    pub question_id: i64,
    pub parent_id: Option<i64>,
    pub author_id: i64,
    pub author_name: String,
    pub author_role: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RouteRow {
    pub user_id: i64,
    pub name: String,
    pub reason: String,
    pub created_at: DateTime<Utc>,
}

macro_rules! question_select {
    () => {
        "SELECT q.id, q.asker_id, q.title, q.body, q.photo_id, q.channel, q.region_code, q.private, q.status, \
         q.accepted_answer_id, q.rating, q.escalated_at, q.created_at, q.updated_at, \
         (SELECT COUNT(*) FROM kepu_answers a WHERE a.question_id = q.id) AS answers, \
         (SELECT m.sha256 FROM kepu_media m WHERE m.id = q.photo_id) AS photo_sha256 \
         FROM kepu_questions q"
    };
}

pub async fn find(db: &Db, id: i64) -> Result<Option<QuestionRow>, sqlx::Error> {
    const SQL: &str = concat!(question_select!(), " WHERE q.id = $1");
    on_db!(db, pool => sqlx::query_as::<_, QuestionRow>(SQL).bind(id).fetch_optional(pool).await)
}

/// The channels' codes and names, in their order.
pub async fn channels(db: &Db) -> Result<Vec<(String, String)>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as("SELECT code, name FROM kepu_channels ORDER BY position, code").fetch_all(pool).await
    })
}

pub async fn is_routed(db: &Db, question: i64, user: i64) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = on_db!(db, pool => {
        sqlx::query_scalar("SELECT user_id FROM kepu_question_routes WHERE question_id = $1 AND user_id = $2")
            .bind(question).bind(user).fetch_optional(pool).await
    })?;
    Ok(found.is_some())
}

pub async fn routes(db: &Db, question: i64) -> Result<Vec<RouteRow>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as::<_, RouteRow>(
            "SELECT r.user_id, u.name, r.reason, r.created_at FROM kepu_question_routes r JOIN users u ON u.id = r.user_id \
             WHERE r.question_id = $1 ORDER BY r.created_at, r.user_id",
        )
        .bind(question)
        .fetch_all(pool)
        .await
    })
}

pub async fn answers(db: &Db, question: i64) -> Result<Vec<AnswerRow>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as::<_, AnswerRow>(
            "SELECT a.id, a.question_id, a.parent_id, a.author_id, u.name AS author_name, u.role AS author_role, a.body, a.created_at \
             FROM kepu_answers a JOIN users u ON u.id = a.author_id WHERE a.question_id = $1 ORDER BY a.id",
        )
        .bind(question)
        .fetch_all(pool)
        .await
    })
}

/// The MIME type of media `id` when `uploader` uploaded it.
pub async fn media_of(db: &Db, id: i64, uploader: i64) -> Result<Option<String>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_scalar("SELECT mime FROM kepu_media WHERE id = $1 AND uploader_id = $2")
            .bind(id).bind(uploader).fetch_optional(pool).await
    })
}

/// Staff of 全民科普服务部 stationed exactly at `region`.
pub async fn kepu_staff_at(db: &Db, region: &str) -> Result<Vec<i64>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_scalar("SELECT id FROM users WHERE role = 'staff' AND department = 'kepu' AND region_code = $1 ORDER BY id LIMIT 20")
            .bind(region).fetch_all(pool).await
    })
}

/// Up to `limit` people who opted in to answer `channel`, those of the asker's county first,
/// then of their city, then the rest of the province.
pub async fn answerers_for(
    db: &Db,
    channel: &str,
    region: &RegionCode,
    limit: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    // Near first: the asker's county (any of its townships), then city. For an asker above the
    // county, "county" is their own code, which only people of that very region match.
    let county = region.up_to_county().as_str().to_owned();
    let city: String = region.as_str().chars().take(4).collect();
    on_db!(db, pool => {
        sqlx::query_scalar(
            "SELECT f.user_id FROM kepu_answerer_fields f JOIN users u ON u.id = f.user_id \
             WHERE f.channel = $1 AND u.role IN ('volunteer', 'worker') \
             ORDER BY CASE WHEN substr(u.region_code, 1, 6) = $2 THEN 0 WHEN substr(u.region_code, 1, 4) = $3 THEN 1 ELSE 2 END, f.user_id \
             LIMIT $4",
        )
        .bind(channel).bind(county).bind(city).bind(limit).fetch_all(pool).await
    })
}

/// The channels `user` opted in to answer.
pub async fn fields_of(db: &Db, user: i64) -> Result<Vec<String>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_scalar("SELECT channel FROM kepu_answerer_fields WHERE user_id = $1 ORDER BY channel")
            .bind(user).fetch_all(pool).await
    })
}

/// Replaces the channels `user` answers in.
pub async fn set_fields(db: &Db, user: i64, channels: &[String]) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, conn => {
        sqlx::query("DELETE FROM kepu_answerer_fields WHERE user_id = $1").bind(user).execute(&mut **conn).await?;
        for channel in channels {
            sqlx::query("INSERT INTO kepu_answerer_fields (user_id, channel) VALUES ($1, $2)")
                .bind(user).bind(channel).execute(&mut **conn).await?;
        }
        Ok::<_, sqlx::Error>(())
    })?;
    tx.commit().await
}

/// A route: who gets the question, and why (`studio`, `team:<队名>`, `field`, `county`, `city`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub user_id: i64,
    pub reason: String,
}

async fn add_routes(
    tx: &mut Tx,
    question: i64,
    title: &str,
    routes: &[Route],
    text: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    // Each person once (the first reason wins), in one insert; only those newly routed are told.
    let mut seen = std::collections::HashSet::new();
    let routes: Vec<&Route> = routes.iter().filter(|r| seen.insert(r.user_id)).collect();
    if routes.is_empty() {
        return Ok(());
    }
    let added: Vec<i64> = on_tx!(&mut *tx, conn => {
        let mut query = sqlx::QueryBuilder::new("INSERT INTO kepu_question_routes (question_id, user_id, reason, created_at) ");
        query.push_values(&routes, |mut b, route| {
            b.push_bind(question).push_bind(route.user_id).push_bind(route.reason.as_str()).push_bind(now);
        });
        query.push(" ON CONFLICT (question_id, user_id) DO NOTHING RETURNING user_id");
        query.build_query_scalar().fetch_all(&mut **conn).await
    })?;
    if added.is_empty() {
        return Ok(());
    }
    let message = format!("{text}：“{title}”");
    let link = format!("/kepu/questions/{question}");
    on_tx!(&mut *tx, conn => {
        let mut query = sqlx::QueryBuilder::new("INSERT INTO notifications (user_id, text, link, created_at) ");
        query.push_values(&added, |mut b, user| {
            b.push_bind(*user).push_bind(message.clone()).push_bind(link.clone()).push_bind(now);
        });
        query.build().execute(&mut **conn).await.map(|done| done.rows_affected())
    })?;
    Ok(())
}

/// 提问: the question, its routes (each told), the asker's learned interests and the ledger's
/// `question.asked`, in one transaction.
pub async fn ask(
    db: &Db,
    asker: i64,
    region: &RegionCode,
    question: &NewQuestion,
    routes: &[Route],
    interests: &[String],
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let mut tx = db.begin().await?;
    let id: i64 = on_tx!(&mut tx, conn => {
        sqlx::query_scalar(
            "INSERT INTO kepu_questions (asker_id, title, body, photo_id, channel, region_code, private, status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $8) RETURNING id",
        )
        .bind(asker)
        .bind(&question.title)
        .bind(&question.body)
        .bind(question.photo_id)
        .bind(question.channel.as_deref())
        .bind(region.as_str())
        .bind(question.private)
        .bind(now)
        .fetch_one(&mut **conn)
        .await
    })?;
    add_routes(
        &mut tx,
        id,
        &question.title,
        routes,
        "有一个问题请您解答",
        now,
    )
    .await?;
    crate::kepu::profile::store::learn(&mut tx, asker, interests, 1.0, now).await?;
    let event = Event::new(EventKind::QuestionAsked, region, "question", id)
        .actor(asker)
        .once();
    tx.record(now, &event).await?;
    tx.commit().await?;
    Ok(id)
}

/// 回答: the answer (a reply when `parent` is set). The first answer by someone other than the
/// asker makes the question answered — guarded, so it happens once — and books
/// `question.answered` (the answerer, counterpart the asker) and `kepu.served` from `answer`
/// (the asker served), each once per question. The asker and the author of the answer replied
/// to are told; the question is re-indexed.
pub async fn answer(
    db: &Db,
    question: &QuestionRow,
    author: i64,
    parent: Option<&AnswerRow>,
    body: &str,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let region = question.region()?;
    let mut tx = db.begin().await?;
    let id: i64 = on_tx!(&mut tx, conn => {
        sqlx::query_scalar(
            "INSERT INTO kepu_answers (question_id, parent_id, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(question.id)
        .bind(parent.map(|p| p.id))
        .bind(author)
        .bind(body)
        .bind(now)
        .fetch_one(&mut **conn)
        .await
    })?;
    let first = if author != question.asker_id {
        let changed = on_tx!(&mut tx, conn => {
            sqlx::query("UPDATE kepu_questions SET status = 'answered', updated_at = $1 WHERE id = $2 AND status = 'open'")
                .bind(now).bind(question.id).execute(&mut **conn).await.map(|done| done.rows_affected())
        })?;
        Guarded::of(changed) == Guarded::Changed
    } else {
        on_tx!(&mut tx, conn => {
            sqlx::query("UPDATE kepu_questions SET updated_at = $1 WHERE id = $2")
                .bind(now).bind(question.id).execute(&mut **conn).await.map(|done| done.rows_affected())
        })?;
        false
    };
    if first {
        let answered = Event::new(
            EventKind::QuestionAnswered,
            &region,
            "question",
            question.id,
        )
        .actor(author)
        .counterpart(question.asker_id)
        .once();
        tx.record(now, &answered).await?;
        let mut served = Event::new(EventKind::KepuServed, &region, "question", question.id)
            .actor(question.asker_id)
            .counterpart(author)
            .source("answer");
        // Once per question; keyed apart from the views' and pushes' rows of the same kind.
        served.once_key = Some(format!("kepu.served:question:{}", question.id));
        tx.record(now, &served).await?;
    }
    let link = question.link();
    if author != question.asker_id {
        tx.notify(
            question.asker_id,
            &format!("您的问题“{}”有了新回答", question.title),
            &link,
            now,
        )
        .await?;
    }
    if let Some(parent) = parent
        && parent.author_id != author
        && parent.author_id != question.asker_id
    {
        tx.notify(
            parent.author_id,
            &format!("您在“{}”下的回答有了回复", question.title),
            &link,
            now,
        )
        .await?;
    }
    tx.outbox("question", question.id, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// 采纳: the asker accepts `answer` (and may rate it), once: guarded on no answer accepted yet.
/// Books `answer.accepted` (the asker, counterpart the answerer) and tells the answerer.
pub async fn accept(
    db: &Db,
    question: &QuestionRow,
    answer: &AnswerRow,
    rating: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Guarded, sqlx::Error> {
    let region = question.region()?;
    let mut tx = db.begin().await?;
    let changed = on_tx!(&mut tx, conn => {
        sqlx::query(
            "UPDATE kepu_questions SET status = 'accepted', accepted_answer_id = $1, rating = $2, updated_at = $3 \
             WHERE id = $4 AND status = 'answered' AND accepted_answer_id IS NULL",
        )
        .bind(answer.id)
        .bind(rating)
        .bind(now)
        .bind(question.id)
        .execute(&mut **conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    let guarded = Guarded::of(changed);
    if guarded == Guarded::Lost {
        return Ok(guarded);
    }
    let event = Event::new(EventKind::AnswerAccepted, &region, "question", question.id)
        .actor(question.asker_id)
        .counterpart(answer.author_id)
        .once();
    tx.record(now, &event).await?;
    let stars = rating.map(|r| format!("，评分{r}星")).unwrap_or_default();
    tx.notify(
        answer.author_id,
        &format!("您对“{}”的回答被提问者采纳{stars}", question.title),
        &question.link(),
        now,
    )
    .await?;
    tx.outbox("question", question.id, now).await?;
    tx.commit().await?;
    Ok(guarded)
}

/// Which questions a list shows; only the conditions set are written into the query.
#[derive(Debug, Clone, Default)]
pub struct QuestionFilter {
    /// Routed to this user (待我回答).
    pub assigned_to: Option<i64>,
    /// Asked by this user.
    pub asker: Option<i64>,
    /// In this region's subtree (a staff member's queue).
    pub region: Option<RegionCode>,
    /// Only answered questions that are not private (what the public reads).
    pub public_only: bool,
    pub status: Option<Status>,
}

macro_rules! push_question_filter {
    ($query:expr, $filter:expr) => {{
        let query = &mut $query;
        let filter: &QuestionFilter = $filter;
        query.push(" WHERE 1 = 1");
        if let Some(user) = filter.assigned_to {
            query
                .push(" AND q.id IN (SELECT question_id FROM kepu_question_routes WHERE user_id = ")
                .push_bind(user)
                .push(")");
        }
        if let Some(asker) = filter.asker {
            query.push(" AND q.asker_id = ").push_bind(asker);
        }
        if let Some(region) = &filter.region {
            let (low, high) = region.subtree_bounds();
            query.push(" AND q.region_code >= ").push_bind(low);
            query.push(" AND q.region_code < ").push_bind(high);
        }
        if filter.public_only {
            query.push(" AND q.private = FALSE AND q.status IN ('answered', 'accepted')");
        }
        if let Some(status) = filter.status {
            query.push(" AND q.status = ").push_bind(status.as_str());
        }
    }};
}

/// A page of questions, newest first, and how many match.
pub async fn list(
    db: &Db,
    filter: &QuestionFilter,
    paging: Paging,
) -> Result<(Vec<QuestionRow>, i64), sqlx::Error> {
    on_db!(db, pool => {
        let mut rows = sqlx::QueryBuilder::new(question_select!());
        push_question_filter!(rows, filter);
        rows.push(" ORDER BY q.id DESC LIMIT ")
            .push_bind(paging.limit())
            .push(" OFFSET ")
            .push_bind(paging.offset());
        let rows = rows.build_query_as::<QuestionRow>().fetch_all(pool).await?;
        let mut count = sqlx::QueryBuilder::new("SELECT COUNT(*) FROM kepu_questions q");
        push_question_filter!(count, filter);
        let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
        Ok((rows, total))
    })
}

/// Questions that waited since before `cutoff` without an answer: marked escalated set-wise
/// (one statement, whatever their number), each routed to its city's 全民科普服务部 staff (the
/// province's when the city has none), who are told. Answers how many were escalated.
pub async fn escalate(
    db: &Db,
    cutoff: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<usize, sqlx::Error> {
    let mut tx = db.begin().await?;
    let escalated: Vec<(i64, String, String)> = on_tx!(&mut tx, conn => {
        sqlx::query_as(
            "UPDATE kepu_questions SET escalated_at = $1, updated_at = $1 \
             WHERE escalated_at IS NULL AND status = 'open' AND created_at < $2 RETURNING id, title, region_code",
        )
        .bind(now)
        .bind(cutoff)
        .fetch_all(&mut **conn)
        .await
    })?;
    let mut staff_of: std::collections::HashMap<String, Vec<i64>> = Default::default();
    for (id, title, region) in &escalated {
        let city: String = region.chars().take(4).collect();
        if !staff_of.contains_key(&city) {
            let mut staff = staff_at(&mut tx, &city).await?;
            if staff.is_empty() {
                staff = staff_at(&mut tx, &city[..2.min(city.len())]).await?;
            }
            staff_of.insert(city.clone(), staff);
        }
        let routes: Vec<Route> = staff_of[&city]
            .iter()
            .map(|&user_id| Route {
                user_id,
                reason: "city".into(),
            })
            .collect();
        add_routes(
            &mut tx,
            *id,
            title,
            &routes,
            "有一个问题48小时未获回答，请督办解答",
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(escalated.len())
}

async fn staff_at(tx: &mut Tx, region: &str) -> Result<Vec<i64>, sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query_scalar("SELECT id FROM users WHERE role = 'staff' AND department = 'kepu' AND region_code = $1 ORDER BY id LIMIT 20")
            .bind(region).fetch_all(&mut **conn).await
    })
}
