//! The ledger of record: one row per countable act, written by the act's own transaction
//! ([`crate::platform::tx::Tx::record`]), with the dimensions the catalogue names. Every figure is
//! a count or sum over these rows (through the daily rollups), so each can be traced to them.
//!
//! - `catalogue`: the event kinds and the metric definitions.
//! - `follow`: followers that react to events with their own cursor (the rollup, the nanny's
//!   tickets, 为您推荐), each pass under a lease so that one node runs it at a time.
//! - `lease`: the leases.
//! - `rollup`: daily figures per region and ancestor; `tianfu stats rebuild` and `verify`.

pub mod catalogue;
pub mod follow;
pub mod lease;
pub mod rollup;

use chrono::{DateTime, Utc};
use tianfu_domain::RegionCode;

pub use catalogue::EventKind;

use crate::on_tx;
use crate::platform::tx::Tx;

/// One act, as the ledger records it. Build it with [`Event::new`] and the setters.
#[derive(Debug, Clone)]
pub struct Event {
    pub kind: EventKind,
    pub region_code: String,
    pub actor: Option<i64>,
    pub subject_kind: String,
    pub subject_id: i64,
    pub counterpart: Option<i64>,
    pub amount_fen: Option<i64>,
    pub contract_kind: Option<String>,
    pub outcome: Option<String>,
    pub quantity: Option<i64>,
    pub source: Option<String>,
    pub weight: i64,
    pub once_key: Option<String>,
}

impl Event {
    pub fn new(kind: EventKind, region: &RegionCode, subject_kind: &str, subject_id: i64) -> Self {
        Event {
            kind,
            region_code: region.as_str().to_owned(),
            actor: None,
            subject_kind: subject_kind.to_owned(),
            subject_id,
            counterpart: None,
            amount_fen: None,
            contract_kind: None,
            outcome: None,
            quantity: None,
            source: None,
            weight: 1,
            once_key: None,
        }
    }

    pub fn actor(mut self, actor: impl Into<Option<i64>>) -> Self {
        self.actor = actor.into();
        self
    }

    pub fn counterpart(mut self, who: impl Into<Option<i64>>) -> Self {
        self.counterpart = who.into();
        self
    }

    pub fn amount(mut self, fen: i64) -> Self {
        self.amount_fen = Some(fen);
        self
    }

    pub fn contract(mut self, kind: &str) -> Self {
        self.contract_kind = Some(kind.to_owned());
        self
    }

    pub fn outcome(mut self, outcome: &str) -> Self {
        self.outcome = Some(outcome.to_owned());
        self
    }

    pub fn source(mut self, source: &str) -> Self {
        self.source = Some(source.to_owned());
        self
    }

    /// An act that happens once per subject: keyed `<kind>:<subject id>` under a UNIQUE index.
    pub fn once(mut self) -> Self {
        self.once_key = Some(format!("{}:{}", self.kind.as_str(), self.subject_id));
        self
    }

    /// An act that happens once per key of the acting slice's choosing (e.g. one view).
    pub fn once_as(mut self, key: String) -> Self {
        self.once_key = Some(key);
        self
    }

    pub fn quantity(mut self, quantity: i64) -> Self {
        self.quantity = Some(quantity);
        self
    }

    /// The compensating row for this (once-only) act: weight -1, amount negated, keyed
    /// `<kind>.reversed:<subject id>` so that it too is booked at most once.
    pub fn reversal(mut self) -> Self {
        self.weight = -1;
        self.amount_fen = self.amount_fen.map(|a| -a);
        self.once_key = Some(format!(
            "{}.reversed:{}",
            self.kind.as_str(),
            self.subject_id
        ));
        self
    }
}

/// `NOT EXISTS` first: on PostgreSQL a refused `ON CONFLICT` insert still takes an id, and every
/// such hole would hold the followers up (`follow.rs`); `ON CONFLICT` then settles the rare race.
const INSERT_SQL: &str = "INSERT INTO ledger_events (at, kind, region_code, actor_id, subject_kind, subject_id, counterpart_id, \
     amount_fen, contract_kind, outcome, quantity, source, weight, once_key, recorded_at) \
     SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15 \
     WHERE NOT EXISTS (SELECT 1 FROM ledger_events WHERE once_key = $14) ON CONFLICT (once_key) DO NOTHING";

impl Tx {
    /// Books `event` at `at` in this transaction. Answers false when a once-only event was
    /// booked before (its key exists), in which case nothing is written.
    pub async fn record(&mut self, at: DateTime<Utc>, event: &Event) -> Result<bool, sqlx::Error> {
        let written = on_tx!(self, conn => {
            sqlx::query(INSERT_SQL)
                .bind(at)
                .bind(event.kind.as_str())
                .bind(&event.region_code)
                .bind(event.actor)
                .bind(&event.subject_kind)
                .bind(event.subject_id)
                .bind(event.counterpart)
                .bind(event.amount_fen)
                .bind(event.contract_kind.as_deref())
                .bind(event.outcome.as_deref())
                .bind(event.quantity)
                .bind(event.source.as_deref())
                .bind(event.weight)
                .bind(event.once_key.as_deref())
                .bind(chrono::Utc::now())
                .execute(&mut **conn)
                .await.map(|done| done.rows_affected())
        })?;
        Ok(written == 1)
    }
}

impl Tx {
    /// Books many events at once, for a job that settles acts in bulk (the 科普 views): one
    /// multi-row insert per thousand events. Each event must carry a once-only key; one booked
    /// before is skipped by `ON CONFLICT`, which on PostgreSQL leaves an id hole the followers
    /// step over (rare: only a replayed batch conflicts). Answers how many were written.
    pub async fn record_many(
        &mut self,
        events: &[(DateTime<Utc>, Event)],
    ) -> Result<u64, sqlx::Error> {
        let recorded_at = chrono::Utc::now();
        let mut written = 0;
        for chunk in events.chunks(1000) {
            written += on_tx!(self, conn => {
                let mut query = sqlx::QueryBuilder::new(
                    "INSERT INTO ledger_events (at, kind, region_code, actor_id, subject_kind, subject_id, counterpart_id, \
                     amount_fen, contract_kind, outcome, quantity, source, weight, once_key, recorded_at) ",
                );
                query.push_values(chunk, |mut b, (at, event)| {
                    b.push_bind(*at)
                        .push_bind(event.kind.as_str())
                        .push_bind(event.region_code.clone())
                        .push_bind(event.actor)
                        .push_bind(event.subject_kind.clone())
                        .push_bind(event.subject_id)
                        .push_bind(event.counterpart)
                        .push_bind(event.amount_fen)
                        .push_bind(event.contract_kind.clone())
                        .push_bind(event.outcome.clone())
                        .push_bind(event.quantity)
                        .push_bind(event.source.clone())
                        .push_bind(event.weight)
                        .push_bind(event.once_key.clone())
                        .push_bind(recorded_at);
                });
                query.push(" ON CONFLICT (once_key) DO NOTHING");
                query.build().execute(&mut **conn).await.map(|done| done.rows_affected())
            })?;
        }
        Ok(written)
    }
}

/// A ledger row as followers and the evidence pages read it.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct LedgerRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub kind: String,
    pub region_code: String,
    pub actor_id: Option<i64>,
    pub subject_kind: String,
    pub subject_id: i64,
    pub counterpart_id: Option<i64>,
    pub amount_fen: Option<i64>,
    pub contract_kind: Option<String>,
    pub outcome: Option<String>,
    pub quantity: Option<i64>,
    pub source: Option<String>,
    /// 1, or -1 for a row that undoes an earlier one (0 for a row voided as a duplicate).
    pub weight: i64,
    /// When the row was written (wall clock); none for rows from before the ledger kept it.
    #[serde(skip)]
    pub recorded_at: Option<DateTime<Utc>>,
}

impl LedgerRow {
    pub fn kind(&self) -> Option<EventKind> {
        EventKind::parse(&self.kind)
    }
}

/// The columns of a [`LedgerRow`], for `concat!` into queries.
#[macro_export]
macro_rules! ledger_columns {
    () => {
        "id, at, kind, region_code, actor_id, subject_kind, subject_id, counterpart_id, amount_fen, \
         contract_kind, outcome, quantity, source, weight, recorded_at"
    };
}
