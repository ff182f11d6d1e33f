//! `tianfu backup <dir>` and `tianfu restore <dir>` for the embedded setup (等保 数据备份恢复).
//!
//! A backup is a folder: `tianfu.db`, a consistent snapshot of the SQLite database taken with
//! `VACUUM INTO` (a read transaction, so the server keeps serving and writing while it runs);
//! `files/`, the data directory's other files (科普 media, deal contracts); and `manifest.json`
//! with the size and SHA-256 of each, the schema version and a few row counts. The database is
//! taken first and the files after: files are only ever added, named by their hash, so every file
//! the snapshot refers to is already on disk when it is copied. The search index is left out:
//! it is derived, and a server that finds none rebuilds it from the database on start
//! (`market::indexer::rebuild_if_missing`).
//!
//! A restore checks every hash first, refuses to overwrite an existing database or file, and
//! only then copies. PostgreSQL deployments use `pg_dump`/`pg_restore` instead
//! ([`postgres_guidance`]).

pub mod files;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, SqliteConnection};

use crate::platform::config::Config;
use files::{FileEntry, copy_hashed, hash_file};

pub const MANIFEST: &str = "manifest.json";
pub const DATABASE: &str = "tianfu.db";
pub const FILES: &str = "files";
/// The folder of the data directory a backup leaves out: derived, rebuilt on start.
pub const INDEX: &str = "index";
const FORMAT: u32 = 1;

/// Tables whose row counts the manifest records, so that a restore can be checked by eye.
const COUNTED: &[&str] = &["users", "listings", "deals", "ledger_events", "audit_log"];

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub created_at: DateTime<Utc>,
    pub tianfu_version: String,
    /// The newest migration applied to the snapshot.
    pub schema_version: i64,
    pub database: FileEntry,
    /// Paths relative to the data directory, stored under `files/`.
    pub files: Vec<FileEntry>,
    pub counts: BTreeMap<String, i64>,
}

pub fn is_postgres(config: &Config) -> bool {
    config.database_url.starts_with("postgres:") || config.database_url.starts_with("postgresql:")
}

/// What a PostgreSQL deployment does instead (printed by both commands, which then exit 2).
pub fn postgres_guidance(config: &Config) -> String {
    format!(
        "当前数据库是 PostgreSQL，tianfu backup/restore 只处理内置的 SQLite 数据库，本次未做任何操作。\n\
         PostgreSQL 请用其自带工具（可在服务运行时进行）：\n\
         \x20 备份：pg_dump --format=custom --file=tianfu.dump \"$TIANFU_DATABASE_URL\"\n\
         \x20 恢复：createdb tianfu_restored && pg_restore --no-owner --dbname=postgres://…/tianfu_restored tianfu.dump\n\
         数据目录 {} 中的上传文件与合同请另行复制（rsync 等）；其中的 index 为搜索索引，无需备份，启动时会自动重建。\n\
         生产环境还应配置 WAL 归档或流复制，并把备份存到异地。",
        config.data_dir.display()
    )
}

/// The SQLite file the configuration names.
pub fn database_path(config: &Config) -> anyhow::Result<PathBuf> {
    let options = SqliteConnectOptions::from_str(&config.database_url).with_context(|| {
        format!(
            "TIANFU_DATABASE_URL is not a SQLite URL: {}",
            config.database_url
        )
    })?;
    Ok(options.get_filename().to_path_buf())
}

async fn open(path: &Path, create: bool) -> anyhow::Result<SqliteConnection> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(create)
        .busy_timeout(Duration::from_secs(30));
    SqliteConnection::connect_with(&options)
        .await
        .with_context(|| format!("cannot open {}", path.display()))
}

/// Takes a backup of the SQLite database and the data directory into `target` (new or empty).
pub async fn backup(config: &Config, target: &Path) -> anyhow::Result<Manifest> {
    if is_postgres(config) {
        bail!(postgres_guidance(config));
    }
    let database = database_path(config)?;
    if !database.is_file() {
        bail!("数据库文件 {} 不存在，没有可备份的数据", database.display());
    }
    if target.exists() && std::fs::read_dir(target)?.next().is_some() {
        bail!(
            "备份目录 {} 不为空：请指定一个新的或空的目录",
            target.display()
        );
    }
    std::fs::create_dir_all(target)?;
    let snapshot = target.join(DATABASE);
    let snapshot_text = snapshot
        .to_str()
        .context("the backup directory's path must be UTF-8")?
        .replace('\'', "''");

    let mut live = open(&database, false).await?;
    // One read transaction: a consistent copy however much the server writes meanwhile.
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "VACUUM INTO '{snapshot_text}'"
    )))
    .execute(&mut live)
    .await
    .context("VACUUM INTO failed")?;
    live.close().await?;

    let mut copy = open(&snapshot, false).await?;
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut copy)
        .await?;
    if check != "ok" {
        bail!("快照完整性检查未通过：{check}");
    }
    let schema_version: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations")
            .fetch_one(&mut copy)
            .await?;
    let mut counts = BTreeMap::new();
    for table in COUNTED {
        let sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}"));
        let count: i64 = sqlx::query_scalar(sql).fetch_one(&mut copy).await?;
        counts.insert((*table).to_owned(), count);
    }
    copy.close().await?;

    let data_dir = config.data_dir.clone();
    let target_dir = target.to_path_buf();
    let (database_entry, file_entries) = tokio::task::spawn_blocking(move || {
        let database_entry = FileEntry {
            path: DATABASE.to_owned(),
            ..hash_file(&target_dir.join(DATABASE))?
        };
        let skip = files::Skip::new(&data_dir, &database, &target_dir);
        let entries = files::copy_tree(&data_dir, &target_dir.join(FILES), &skip)?;
        anyhow::Ok((database_entry, entries))
    })
    .await??;

    let manifest = Manifest {
        format: FORMAT,
        created_at: Utc::now(),
        tianfu_version: env!("CARGO_PKG_VERSION").to_owned(),
        schema_version,
        database: database_entry,
        files: file_entries,
        counts,
    };
    std::fs::write(target.join(MANIFEST), serde_json::to_vec_pretty(&manifest)?)?;
    Ok(manifest)
}

/// Restores the backup in `source` into the configured (empty or new) data directory.
pub async fn restore(config: &Config, source: &Path) -> anyhow::Result<Manifest> {
    if is_postgres(config) {
        bail!(postgres_guidance(config));
    }
    let manifest: Manifest =
        serde_json::from_slice(&std::fs::read(source.join(MANIFEST)).with_context(|| {
            format!("{} 中没有 {MANIFEST}：不是 tianfu 的备份", source.display())
        })?)
        .context("manifest.json 无法读取")?;
    if manifest.format != FORMAT {
        bail!("备份格式 {} 不受支持", manifest.format);
    }
    let database = database_path(config)?;
    let data_dir = config.data_dir.clone();
    let source = source.to_path_buf();
    let plan = manifest.clone();
    tokio::task::spawn_blocking(move || restore_files(&plan, &source, &database, &data_dir))
        .await??;
    Ok(manifest)
}

fn restore_files(
    manifest: &Manifest,
    source: &Path,
    database: &Path,
    data_dir: &Path,
) -> anyhow::Result<()> {
    // Everything is checked before anything is written.
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let existing = PathBuf::from(format!("{}{suffix}", database.display()));
        if existing.exists() {
            bail!(
                "{} 已存在：恢复只写入空的（或新的）数据目录，不会覆盖已有数据库",
                existing.display()
            );
        }
    }
    files::verify(&source.join(DATABASE), &manifest.database)?;
    let mut targets = Vec::new();
    for entry in &manifest.files {
        let relative = files::safe_relative(&entry.path)?;
        let from = source.join(FILES).join(&relative);
        let to = data_dir.join(&relative);
        if to.exists() {
            bail!("{} 已存在：恢复不会覆盖已有文件", to.display());
        }
        files::verify(&from, entry)?;
        targets.push((from, to));
    }
    if let Some(parent) = database.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::create_dir_all(data_dir)?;
    // Copied under a temporary name and renamed, so a half-copied database never looks restored.
    let partial = PathBuf::from(format!("{}.restoring", database.display()));
    copy_hashed(&source.join(DATABASE), &partial)?;
    for (from, to) in targets {
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)?;
        }
        copy_hashed(&from, &to)?;
    }
    std::fs::rename(&partial, database)?;
    Ok(())
}
