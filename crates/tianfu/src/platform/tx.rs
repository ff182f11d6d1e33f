//! One typed transaction for a business act, on either engine. An act begins it, writes its own
//! rows with [`on_tx!`], and records what others must see through typed methods — the ledger
//! event (`record`, in `crate::ledger`), an in-app notification, an outbox row for the search
//! index — then commits once. Nothing is written if it is dropped before [`Tx::commit`].

use chrono::{DateTime, Utc};
use sqlx::{Postgres, Sqlite, Transaction};

use super::db::Db;

pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs the same code against the live transaction's connection:
/// `on_tx!(tx, conn => sqlx::query("…").execute(&mut **conn).await.map(|done| done.rows_affected()))`.
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx {
            $crate::platform::tx::Tx::Sqlite($conn) => $body,
            $crate::platform::tx::Tx::Postgres($conn) => $body,
        }
    };
}

/// What a guarded change found: the one row it meant to change, or none (someone else changed
/// it first, or it was never in the state the act starts from).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guarded {
    Changed,
    Lost,
}

impl Guarded {
    pub fn of(rows_affected: u64) -> Self {
        if rows_affected == 1 {
            Guarded::Changed
        } else {
            Guarded::Lost
        }
    }
}

impl Db {
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }
}

impl Tx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await,
            Tx::Postgres(tx) => tx.commit().await,
        }
    }

    /// Tells `user` something in the app, with a link to the thing it is about.
    pub async fn notify(
        &mut self,
        user: i64,
        text: &str,
        link: &str,
        at: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        const SQL: &str =
            "INSERT INTO notifications (user_id, text, link, created_at) VALUES ($1, $2, $3, $4)";
        on_tx!(self, conn => sqlx::query(SQL).bind(user).bind(text).bind(link).bind(at).execute(&mut **conn).await.map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// Queues `entity_kind` #`id` for the search indexer (`market/indexer.rs`).
    pub async fn outbox(
        &mut self,
        entity_kind: &str,
        id: i64,
        at: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        const SQL: &str =
            "INSERT INTO outbox (entity_kind, entity_id, created_at) VALUES ($1, $2, $3)";
        on_tx!(self, conn => sqlx::query(SQL).bind(entity_kind).bind(id).bind(at).execute(&mut **conn).await.map(|done| done.rows_affected()))?;
        Ok(())
    }
}
