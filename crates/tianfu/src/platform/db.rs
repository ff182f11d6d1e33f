//! The database: an embedded SQLite file by default, PostgreSQL when the URL says so.
//!
//! SQL is written once, in the subset both engines share (`$n` placeholders, `RETURNING`,
//! `ON CONFLICT`), and run against whichever pool is live through [`on_db!`]. The body of an
//! `on_db!` is the same text for both arms and is type-checked for each engine; only the DDL
//! differs, in `migrations/sqlite` and `migrations/postgres`.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs the same code against whichever pool is live: `on_db!(db, pool => query.fetch_one(pool).await)`.
#[macro_export]
macro_rules! on_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::platform::db::Db::Sqlite($pool) => $body,
            $crate::platform::db::Db::Postgres($pool) => $body,
        }
    };
}

impl Db {
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await?;
            Ok(Db::Postgres(pool))
        } else {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                // WAL lets readers go on while one writer commits; NORMAL sync is durable in WAL
                // mode except for the last transactions on power loss, the usual trade for a
                // single-node deployment.
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true);
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(options)
                .await?;
            Ok(Db::Sqlite(pool))
        }
    }

    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self {
            Db::Sqlite(pool) => sqlx::migrate!("migrations/sqlite").run(pool).await,
            Db::Postgres(pool) => sqlx::migrate!("migrations/postgres").run(pool).await,
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    pub async fn close(&self) {
        on_db!(self, pool => pool.close().await)
    }

    /// Answers whether the database takes queries; `/healthz` asks it.
    pub async fn ping(&self) -> bool {
        on_db!(self, pool => sqlx::query("SELECT 1").execute(pool).await.is_ok())
    }
}

/// `count` numbered placeholders after the first `offset` binds (`$3, $4, $5`), for an `IN (…)`
/// list whose values are bound one by one. Only placeholders are ever spliced into SQL text.
pub fn placeholders(offset: usize, count: usize) -> String {
    (offset + 1..=offset + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// True when `error` is a violation of the unique constraint on `table.column`. Constraints are
/// named `<table>_<column>_key` in both migrations; SQLite reports the columns instead of the
/// name, so both spellings are recognised.
pub fn is_unique_violation(error: &sqlx::Error, table: &str, column: &str) -> bool {
    let Some(db_error) = error.as_database_error() else {
        return false;
    };
    if !db_error.is_unique_violation() {
        return false;
    }
    let constraint = format!("{table}_{column}_key");
    db_error.constraint() == Some(constraint.as_str())
        || db_error.message().contains(&format!("{table}.{column}"))
}
