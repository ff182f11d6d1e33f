//! The audit search's SQL. Only reads: audit rows are never updated or deleted (the database
//! refuses it since migration 0017).

use chrono::{DateTime, Utc};

use super::filter::AuditFilter;
use crate::on_db;
use crate::platform::api::Paging;
use crate::platform::db::Db;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditLine {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub actor_phone: Option<String>,
    pub action: String,
    pub subject: String,
    pub ip: Option<String>,
    pub outcome: String,
    pub detail: String,
}

const SELECT: &str = "SELECT a.id, a.at, a.actor_id, u.name AS actor_name, u.phone AS actor_phone, \
     a.action, a.subject, a.ip, a.outcome, a.detail \
     FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id";

/// Appends `WHERE` with only the conditions the filter sets, each bound, so the time index, the
/// actor index or the action index serves the search. The actor is found by phone (unique) or
/// exact name (indexed), never by scanning users.
macro_rules! push_audit_filter {
    ($query:expr, $filter:expr) => {{
        let query = &mut $query;
        let filter: &AuditFilter = $filter;
        query.push(" WHERE 1 = 1");
        if let Some(since) = filter.since {
            query.push(" AND a.at >= ").push_bind(since);
        }
        if let Some(before) = filter.before {
            query.push(" AND a.at < ").push_bind(before);
        }
        if let Some(actor) = filter.actor.clone() {
            query
                .push(" AND a.actor_id IN (SELECT id FROM users WHERE phone = ")
                .push_bind(actor.clone())
                .push(" OR name = ")
                .push_bind(actor)
                .push(")");
        }
        if let Some(action) = filter.action.clone() {
            query.push(" AND a.action = ").push_bind(action);
        }
        if let Some(pattern) = filter.subject_pattern.clone() {
            query
                .push(" AND LOWER(a.subject) LIKE ")
                .push_bind(pattern)
                .push(" ESCAPE '\\'");
        }
        if let Some(outcome) = filter.outcome.clone() {
            query.push(" AND a.outcome = ").push_bind(outcome);
        }
    }};
}

/// A page of matching rows, newest first, and how many match.
pub async fn search(
    db: &Db,
    filter: &AuditFilter,
    paging: Paging,
) -> Result<(Vec<AuditLine>, i64), sqlx::Error> {
    on_db!(db, pool => {
        let mut rows = sqlx::QueryBuilder::new(SELECT);
        push_audit_filter!(rows, filter);
        rows.push(" ORDER BY a.at DESC, a.id DESC LIMIT ")
            .push_bind(paging.limit())
            .push(" OFFSET ")
            .push_bind(paging.offset());
        let rows = rows.build_query_as::<AuditLine>().fetch_all(pool).await?;
        let mut count = sqlx::QueryBuilder::new("SELECT COUNT(*) FROM audit_log a");
        push_audit_filter!(count, filter);
        let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
        Ok((rows, total))
    })
}

/// How many rows match, to refuse an export too large to hand over in one file.
pub async fn count(db: &Db, filter: &AuditFilter) -> Result<i64, sqlx::Error> {
    on_db!(db, pool => {
        let mut count = sqlx::QueryBuilder::new("SELECT COUNT(*) FROM audit_log a");
        push_audit_filter!(count, filter);
        count.build_query_scalar().fetch_one(pool).await
    })
}

/// Every matching row, newest first, at most `limit`.
pub async fn all(db: &Db, filter: &AuditFilter, limit: i64) -> Result<Vec<AuditLine>, sqlx::Error> {
    on_db!(db, pool => {
        let mut rows = sqlx::QueryBuilder::new(SELECT);
        push_audit_filter!(rows, filter);
        rows.push(" ORDER BY a.at DESC, a.id DESC LIMIT ").push_bind(limit);
        rows.build_query_as::<AuditLine>().fetch_all(pool).await
    })
}
