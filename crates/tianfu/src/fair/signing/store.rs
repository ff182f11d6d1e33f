//! SQL of the signing: a deal's session, the edition's signed deals with their project, and the
//! totals of signed deals and amounts read from the ledger (`deal.signed` rows with source
//! `fair:<id>`, reversals included), by the project's hall, category and sector.

use chrono::{DateTime, Utc};

use crate::on_db;
use crate::platform::api::Paging;
use crate::platform::db::Db;

/// The project a fair deal is attributed to: the first selected project of its edition among
/// the deal's listings (a deal may name a need and a capability that both entered). Needs the
/// deal as `d`.
macro_rules! deal_project {
    () => {
        "(SELECT MIN(p2.id) FROM fair_projects p2 WHERE p2.fair_id = d.fair_id AND p2.status = 'selected' \
         AND p2.listing_id IN (d.need_id, d.offer_id, d.achievement_id))"
    };
}
pub(crate) use deal_project;

/// The edition a session belongs to, if the session exists.
pub async fn session_fair(db: &Db, session_id: i64) -> Result<Option<i64>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_scalar::<_, i64>("SELECT fair_id FROM fair_sessions WHERE id = $1")
            .bind(session_id)
            .fetch_optional(pool)
            .await
    })
}

/// A signed deal of an edition as the collective-signing list shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SigningRow {
    pub id: i64,
    pub title: String,
    pub buyer_name: String,
    pub seller_name: String,
    pub amount_fen: i64,
    pub contract_type: String,
    pub stage: String,
    pub session_id: Option<i64>,
    pub session_title: Option<String>,
    pub project_id: Option<i64>,
    pub category: Option<String>,
    pub hall_code: Option<String>,
    pub sector: Option<String>,
    /// awaiting | verified | rejected | withdrawn, for a deal at or above the threshold.
    pub verification: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// Which signed deals a list shows.
#[derive(Debug, Clone, Default)]
pub struct SigningFilter {
    pub hall: Option<String>,
    pub category: Option<String>,
}

const SIGNING_FROM: &str = concat!(
    "FROM deals d JOIN users b ON b.id = d.buyer_id JOIN users s ON s.id = d.seller_id \
     LEFT JOIN organizations bo ON bo.user_id = d.buyer_id LEFT JOIN organizations so ON so.user_id = d.seller_id \
     LEFT JOIN listings l ON l.id = COALESCE(d.need_id, d.offer_id, d.achievement_id) \
     LEFT JOIN fair_sessions fs ON fs.id = d.fair_session_id \
     LEFT JOIN deal_verifications v ON v.deal_id = d.id \
     LEFT JOIN fair_projects p ON p.id = ",
    deal_project!(),
    " WHERE d.fair_id = $1 AND d.stage IN ('signed', 'performing', 'completed') \
     AND ($2 IS NULL OR p.hall_code = $2) AND ($3 IS NULL OR p.category = $3) "
);

/// A page of the edition's signed deals (signed, performing or completed), newest first, and how
/// many there are (index deals_fair).
pub async fn signed_deals(
    db: &Db,
    fair_id: i64,
    filter: &SigningFilter,
    paging: Paging,
) -> Result<(Vec<SigningRow>, i64), sqlx::Error> {
    const LIST: &str = "SELECT d.id, COALESCE(p.title, l.title, '') AS title, COALESCE(bo.name, b.name) AS buyer_name, \
         COALESCE(so.name, s.name) AS seller_name, d.amount_fen, d.contract_type, d.stage, d.fair_session_id AS session_id, \
         fs.title AS session_title, p.id AS project_id, p.category, p.hall_code, p.sector, v.status AS verification, d.updated_at ";
    let list = format!("{LIST}{SIGNING_FROM}ORDER BY d.id DESC LIMIT $4 OFFSET $5");
    let count = format!("SELECT COUNT(*) {SIGNING_FROM}");
    on_db!(db, pool => {
        let rows = sqlx::query_as::<_, SigningRow>(sqlx::AssertSqlSafe(list.as_str()))
            .bind(fair_id).bind(filter.hall.as_deref()).bind(filter.category.as_deref())
            .bind(paging.limit()).bind(paging.offset())
            .fetch_all(pool).await?;
        let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(count.as_str()))
            .bind(fair_id).bind(filter.hall.as_deref()).bind(filter.category.as_deref())
            .fetch_one(pool).await?;
        Ok((rows, total))
    })
}

/// Signed deals and their amounts booked for an edition, for one (hall, category, sector) of
/// the projects they are attributed to (none when a deal's project cannot be found).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SignedGroup {
    pub hall_code: Option<String>,
    pub category: Option<String>,
    pub sector: Option<String>,
    pub deals: i64,
    pub amount_fen: i64,
}

/// The ledger's `deal.signed` rows of the edition (a large deal's only once verified; a
/// termination's reversal takes it back), grouped by the project's hall, category and sector.
/// The literal `source LIKE 'fair:%'` lets both engines use the partial index
/// `ledger_events_fair_source`.
pub async fn signed_totals(db: &Db, fair_id: i64) -> Result<Vec<SignedGroup>, sqlx::Error> {
    const SQL: &str = concat!(
        "SELECT p.hall_code, p.category, p.sector, CAST(COALESCE(SUM(e.weight), 0) AS BIGINT) AS deals, \
         CAST(COALESCE(SUM(e.amount_fen), 0) AS BIGINT) AS amount_fen \
         FROM ledger_events e JOIN deals d ON d.id = e.subject_id LEFT JOIN fair_projects p ON p.id = ",
        deal_project!(),
        " WHERE e.source = $1 AND e.source LIKE 'fair:%' AND e.kind = 'deal.signed' AND e.subject_kind = 'deal' \
         GROUP BY p.hall_code, p.category, p.sector"
    );
    let source = crate::market::deals::store::fair_source(fair_id);
    on_db!(db, pool => sqlx::query_as::<_, SignedGroup>(SQL).bind(&source).fetch_all(pool).await)
}
