//! SQL of the six-month outcomes (`fair_outcomes`): claiming an edition once, asking both sides
//! of its accepted meetings and of its deals in a few set-wise statements, reading one's own
//! questions and answering one once.

use chrono::{DateTime, Utc};

use crate::fair::signing::store::deal_project;
use crate::platform::api::Paging;
use crate::platform::db::Db;
use crate::platform::tx::{Guarded, Tx};
use crate::{on_db, on_tx};

/// Editions that closed at or before `closed_by`, whose signing period is over too (every fair
/// deal there will be is made), and were not asked yet: (id, name).
pub async fn due(
    db: &Db,
    closed_by: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as::<_, (i64, String)>(
            "SELECT id, name FROM fairs WHERE outcomes_asked_at IS NULL AND closes_at <= $1 AND signing_until <= $2 \
             ORDER BY id LIMIT 100",
        )
        .bind(closed_by)
        .bind(now)
        .fetch_all(pool)
        .await
    })
}

/// Marks the edition asked, if nobody did first (one guarded statement).
pub async fn claim(tx: &mut Tx, fair_id: i64, now: DateTime<Utc>) -> Result<Guarded, sqlx::Error> {
    let changed = on_tx!(tx, conn => {
        sqlx::query("UPDATE fairs SET outcomes_asked_at = $1 WHERE id = $2 AND outcomes_asked_at IS NULL")
            .bind(now)
            .bind(fair_id)
            .execute(&mut **conn)
            .await
            .map(|done| done.rows_affected())
    })?;
    Ok(Guarded::of(changed))
}

/// Both sides of every accepted meeting, in its project's hall.
const ASK_MEETINGS: &str = "INSERT INTO fair_outcomes (fair_id, subject_kind, subject_id, user_id, hall_code, asked_at) \
     SELECT m.fair_id, 'meeting', m.id, m.requester_id, p.hall_code, $2 FROM fair_meetings m JOIN fair_projects p ON p.id = m.project_id \
       WHERE m.fair_id = $1 AND m.status = 'accepted' \
     UNION ALL \
     SELECT m.fair_id, 'meeting', m.id, m.owner_id, p.hall_code, $2 FROM fair_meetings m JOIN fair_projects p ON p.id = m.project_id \
       WHERE m.fair_id = $1 AND m.status = 'accepted' \
     ON CONFLICT (subject_kind, subject_id, user_id) DO NOTHING";

/// Both sides of every deal made at the edition, in its project's hall (else the deal's city).
const ASK_DEALS: &str = concat!(
    "INSERT INTO fair_outcomes (fair_id, subject_kind, subject_id, user_id, hall_code, asked_at) \
     SELECT d.fair_id, 'deal', d.id, d.buyer_id, COALESCE(p.hall_code, SUBSTR(d.region_code, 1, 4)), $2 \
       FROM deals d LEFT JOIN fair_projects p ON p.id = ",
    deal_project!(),
    " WHERE d.fair_id = $1 AND d.stage IN ('signed', 'performing', 'completed') \
     UNION ALL \
     SELECT d.fair_id, 'deal', d.id, d.seller_id, COALESCE(p.hall_code, SUBSTR(d.region_code, 1, 4)), $2 \
       FROM deals d LEFT JOIN fair_projects p ON p.id = ",
    deal_project!(),
    " WHERE d.fair_id = $1 AND d.stage IN ('signed', 'performing', 'completed') \
     ON CONFLICT (subject_kind, subject_id, user_id) DO NOTHING"
);

/// One notice per person asked, linking to where they answer.
const NOTIFY: &str = "INSERT INTO notifications (user_id, text, link, created_at) \
     SELECT DISTINCT user_id, $2, '/me/fair-outcomes', $3 FROM fair_outcomes WHERE fair_id = $1 AND answered_at IS NULL";

/// Asks both sides of the edition's accepted meetings and deals, and tells each person once.
/// Answers how many questions were put.
pub async fn ask(
    tx: &mut Tx,
    fair_id: i64,
    fair_name: &str,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let text = format!("{fair_name}闭幕已满半年，请告诉我们您在会上的对接取得了什么成效");
    on_tx!(tx, conn => {
        let meetings = sqlx::query(ASK_MEETINGS).bind(fair_id).bind(now).execute(&mut **conn).await?.rows_affected();
        let deals = sqlx::query(ASK_DEALS).bind(fair_id).bind(now).execute(&mut **conn).await?.rows_affected();
        sqlx::query(NOTIFY).bind(fair_id).bind(&text).bind(now).execute(&mut **conn).await?;
        Ok(meetings + deals)
    })
}

/// A question put to one person, with what it is about.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutcomeRow {
    pub id: i64,
    pub fair_id: i64,
    pub fair_name: String,
    pub subject_kind: String,
    pub subject_id: i64,
    pub user_id: i64,
    pub hall_code: String,
    pub outcome: Option<String>,
    pub note: Option<String>,
    pub asked_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub title: String,
    pub counterpart_name: Option<String>,
}

macro_rules! outcome_select {
    () => {
        "SELECT o.id, o.fair_id, f.name AS fair_name, o.subject_kind, o.subject_id, o.user_id, o.hall_code, o.outcome, o.note, \
         o.asked_at, o.answered_at, COALESCE(mp.title, dl.title, '') AS title, \
         COALESCE(co.name, cu.name) AS counterpart_name \
         FROM fair_outcomes o JOIN fairs f ON f.id = o.fair_id \
         LEFT JOIN fair_meetings m ON o.subject_kind = 'meeting' AND m.id = o.subject_id \
         LEFT JOIN fair_projects mp ON mp.id = m.project_id \
         LEFT JOIN deals d ON o.subject_kind = 'deal' AND d.id = o.subject_id \
         LEFT JOIN listings dl ON dl.id = COALESCE(d.need_id, d.offer_id, d.achievement_id) \
         LEFT JOIN users cu ON cu.id = CASE WHEN o.subject_kind = 'meeting' \
           THEN (CASE WHEN m.requester_id = o.user_id THEN m.owner_id ELSE m.requester_id END) \
           ELSE (CASE WHEN d.buyer_id = o.user_id THEN d.seller_id ELSE d.buyer_id END) END \
         LEFT JOIN organizations co ON co.user_id = cu.id "
    };
}

pub async fn find(db: &Db, id: i64) -> Result<Option<OutcomeRow>, sqlx::Error> {
    const SQL: &str = concat!(outcome_select!(), "WHERE o.id = $1");
    on_db!(db, pool => sqlx::query_as::<_, OutcomeRow>(SQL).bind(id).fetch_optional(pool).await)
}

/// A page of the questions put to `user`, those awaiting an answer first (index
/// fair_outcomes_user).
pub async fn mine(
    db: &Db,
    user: i64,
    paging: Paging,
) -> Result<(Vec<OutcomeRow>, i64), sqlx::Error> {
    const SQL: &str = concat!(
        outcome_select!(),
        "WHERE o.user_id = $1 ORDER BY CASE WHEN o.answered_at IS NULL THEN 0 ELSE 1 END, o.id DESC LIMIT $2 OFFSET $3"
    );
    on_db!(db, pool => {
        let rows = sqlx::query_as::<_, OutcomeRow>(SQL).bind(user).bind(paging.limit()).bind(paging.offset()).fetch_all(pool).await?;
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM fair_outcomes WHERE user_id = $1").bind(user).fetch_one(pool).await?;
        Ok((rows, total))
    })
}

/// Records the person's answer, once (guarded on no answer yet).
pub async fn answer(
    db: &Db,
    id: i64,
    user: i64,
    outcome: &str,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Guarded, sqlx::Error> {
    let changed = on_db!(db, pool => {
        sqlx::query(
            "UPDATE fair_outcomes SET outcome = $1, note = $2, answered_at = $3 WHERE id = $4 AND user_id = $5 AND answered_at IS NULL",
        )
        .bind(outcome)
        .bind(note)
        .bind(now)
        .bind(id)
        .bind(user)
        .execute(pool)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(Guarded::of(changed))
}
