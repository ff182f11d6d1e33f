//! The event ledger: one row per countable act (a registration, later a studio opened, a deal
//! signed…), written in the same transaction as the act, with the region it happened in. Every
//! number a dashboard shows is a count or sum over these rows, so it can be traced to records.

use tianfu_domain::{RegionCode, UserId};

pub struct LedgerEvent<'a> {
    /// e.g. `user.registered`.
    pub kind: &'a str,
    pub region: &'a RegionCode,
    pub actor: Option<UserId>,
    pub subject_kind: &'a str,
    pub subject_id: i64,
    pub amount_fen: Option<i64>,
}

pub const INSERT_SQL: &str = "INSERT INTO ledger_events (at, kind, region_code, actor_id, subject_kind, subject_id, amount_fen) \
     VALUES ($1, $2, $3, $4, $5, $6, $7)";

/// Appends an event inside the caller's transaction: `on_db!` a `Transaction`, then call this
/// with `&mut *tx`.
#[macro_export]
macro_rules! append_ledger_event {
    ($executor:expr, $at:expr, $event:expr) => {{
        let event: &$crate::platform::ledger::LedgerEvent<'_> = $event;
        sqlx::query($crate::platform::ledger::INSERT_SQL)
            .bind($at)
            .bind(event.kind)
            .bind(event.region.as_str())
            .bind(event.actor.map(|id| id.0))
            .bind(event.subject_kind)
            .bind(event.subject_id)
            .bind(event.amount_fen)
            .execute($executor)
            .await
    }};
}
