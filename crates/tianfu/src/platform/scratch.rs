//! A throw-away database for a benchmark: a SQLite file in a temp folder, or a new database on a
//! PostgreSQL server, migrated and with the region tree loaded; dropped again by
//! [`Scratch::finish`].

use std::path::PathBuf;

use super::config::Config;
use crate::{App, AppState, IndexPlace};

pub struct Scratch {
    pub app: AppState,
    dir: PathBuf,
    /// The server URL and the database made there.
    postgres: Option<(String, String)>,
}

impl Scratch {
    /// `name` tells the benchmarks apart (`sla`, `stats`); `postgres` is a server URL such as
    /// `postgres://postgres@127.0.0.1:5432`, or none for SQLite.
    pub async fn start(name: &str, postgres: Option<&str>) -> anyhow::Result<Scratch> {
        let id = format!("tianfu_bench_{name}_{}", std::process::id());
        let dir = std::env::temp_dir().join(&id);
        std::fs::create_dir_all(&dir)?;
        let database_url = match postgres {
            Some(admin) => {
                let mut conn =
                    <sqlx::PgConnection as sqlx::Connection>::connect(&format!("{admin}/postgres"))
                        .await?;
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {id}")))
                    .execute(&mut conn)
                    .await?;
                format!("{admin}/{id}")
            }
            None => format!("sqlite://{}", dir.join("bench.db").display()),
        };
        let config = Config {
            bind: "127.0.0.1:0".parse()?,
            data_dir: dir.clone(),
            database_url,
            node_modules_dir: dir.clone(),
            secure_cookies: false,
            review: Default::default(),
            kepu: Default::default(),
            deal_verify_above_fen: super::config::DEFAULT_DEAL_VERIFY_ABOVE_FEN,
            scores_cache_seconds: 60,
            metrics_token: None,
            sessions: Default::default(),
            limits: super::limits::LimitsConfig::unreachable(),
            verify_phone: false,
        };
        let app = App::start_with(config, IndexPlace::Memory).await?;
        Ok(Scratch {
            app,
            dir,
            postgres: postgres.map(|admin| (admin.to_owned(), id)),
        })
    }

    pub async fn finish(self) -> anyhow::Result<()> {
        self.app.db.close().await;
        if let Some((admin, name)) = &self.postgres {
            let mut conn =
                <sqlx::PgConnection as sqlx::Connection>::connect(&format!("{admin}/postgres"))
                    .await?;
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name}"
            )))
            .execute(&mut conn)
            .await?;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
        Ok(())
    }
}

/// The benchmarks' generator: deterministic, so two runs seed the same data.
pub struct Lcg(pub u64);

impl Lcg {
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// A duration as the benchmarks print it.
pub fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
