//! The `tianfu` command: serve the platform, migrate, load demo data, add staff, rebuild the
//! search index, back up and restore, run benchmarks.

use clap::{Parser, Subcommand};
use tianfu::platform::config::Config;
use tianfu::platform::telemetry;
use tianfu::{App, IndexPlace, Server, demo, market, staff};
use tianfu_domain::Department;

#[derive(Parser)]
#[command(name = "tianfu", about = "天府科技云 · Tianfu S&T Cloud")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Apply pending migrations and serve pages, API and jobs (TIANFU_BIND, default 127.0.0.1:8080).
    Serve,
    /// Apply pending migrations and load the region tree, then exit.
    Migrate,
    /// Fill the database with a believable province of demo accounts (idempotent).
    Demo,
    /// Manage service-centre staff accounts.
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// Rebuild the search index from the database (stop the server first).
    Reindex,
    /// Snapshot the SQLite database (safe while the server runs) and copy the data directory's
    /// files (not the search index) into DIR, a new or empty folder, with a manifest. For
    /// PostgreSQL, prints pg_dump guidance and exits 2.
    Backup { dir: std::path::PathBuf },
    /// Restore a backup made by `tianfu backup` into an empty (or new) data directory; refuses
    /// to overwrite an existing database. The search index is rebuilt when the server starts.
    Restore { dir: std::path::PathBuf },
    /// The ledger's figures: rebuild the daily rollups, or verify them against the raw events.
    Stats {
        #[command(subcommand)]
        command: StatsCommand,
    },
    /// Measure speed and memory (figures are printed, nothing is asserted).
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Build a generated corpus of listings and measure index build, size, memory and search
    /// latency (single client and 32 concurrent).
    Search {
        #[arg(long, default_value_t = 1_000_000)]
        listings: usize,
        /// Where to build the index (wiped first); defaults to a folder in the temp directory.
        #[arg(long)]
        dir: Option<std::path::PathBuf>,
    },
    /// Score matching on the labelled evaluation set (engine against plain BM25), then measure
    /// top-10 latency over a generated market and the throughput of a full refresh.
    Match {
        #[arg(long, default_value_t = 1_000_000)]
        capabilities: usize,
        #[arg(long)]
        dir: Option<std::path::PathBuf>,
        /// Keep the market an earlier run generated in --dir (for profiling the queries).
        #[arg(long)]
        reuse: bool,
    },
    /// Fill a fresh database with the rollups of a year's ledger events and time the scores of
    /// all 204 cities and counties, publishing, and the dashboard API's work.
    Performance {
        #[arg(long, default_value_t = 100_000_000)]
        events: u64,
        /// A PostgreSQL server URL to run on instead of SQLite (a database is created and dropped).
        #[arg(long)]
        postgres: Option<String>,
    },
    /// Fill a fresh database with an edition of the fair at province scale and time ranking and
    /// selection over all its projects, and a hall's page served to 32 clients at once.
    Fair {
        #[arg(long, default_value_t = 10_000)]
        projects: usize,
        #[arg(long, default_value_t = 30_000)]
        reviews: usize,
        /// A PostgreSQL server URL to run on instead of SQLite (a database is created and dropped).
        #[arg(long)]
        postgres: Option<String>,
    },
    /// Fill a fresh database with ledger events over a year and time the rollup's catch-up, a
    /// province's figures, a county's evidence page and `stats verify`.
    Stats {
        #[arg(long, default_value_t = 10_000_000)]
        events: usize,
        /// A PostgreSQL server URL to run on instead of SQLite (a database is created and dropped).
        #[arg(long)]
        postgres: Option<String>,
    },
    /// Fill a fresh database with residents and 科普 resources and time the feed (32 clients),
    /// the view recorder and booking job, and 服务群众数 over a year of views.
    Kepu {
        #[arg(long, default_value_t = 1_000_000)]
        residents: usize,
        #[arg(long, default_value_t = 100_000)]
        resources: usize,
        #[arg(long, default_value_t = 200_000)]
        views: usize,
        /// A PostgreSQL server URL to run on instead of SQLite (a database is created and dropped).
        #[arg(long)]
        postgres: Option<String>,
    },
    /// Fill a fresh database with residents and time a province-wide 精准推送 campaign's
    /// fan-out (deliveries and notifications) and requests made while it runs.
    Push {
        #[arg(long, default_value_t = 1_000_000)]
        residents: usize,
        /// A PostgreSQL server URL to run on instead of SQLite (a database is created and dropped).
        #[arg(long)]
        postgres: Option<String>,
    },
    /// A popular 科普 activity under a rush: concurrent sign-ups for its seats, cancellations
    /// passing seats to the waiting list, check-ins with one-use codes, and the list near me.
    Activities {
        #[arg(long, default_value_t = 5_000)]
        residents: usize,
        #[arg(long, default_value_t = 100_000)]
        activities: usize,
        #[arg(long, default_value_t = 1_000)]
        seats: i64,
        /// A PostgreSQL server URL to run on instead of SQLite (a database is created and dropped).
        #[arg(long)]
        postgres: Option<String>,
    },
    /// Fill a fresh database with open nanny tickets and time the SLA clock's passes.
    Sla {
        #[arg(long, default_value_t = 100_000)]
        tickets: usize,
        /// A PostgreSQL server URL (e.g. postgres://postgres@127.0.0.1:5432) to run on instead
        /// of SQLite; a database is created there for the run and dropped after.
        #[arg(long)]
        postgres: Option<String>,
    },
}

#[derive(Subcommand)]
enum StatsCommand {
    /// Empty the daily rollups and roll the whole ledger up again.
    Rebuild,
    /// Recompute every rollup from the raw events; print each difference and exit 1 if any.
    Verify,
}

#[derive(Subcommand)]
enum StaffCommand {
    /// Create a staff account for a region and department.
    Add {
        #[arg(long)]
        phone: String,
        #[arg(long)]
        password: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        region_code: String,
        /// worker, org or kepu.
        #[arg(long)]
        department: String,
        /// Make an administrator instead (all regions).
        #[arg(long)]
        admin: bool,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    telemetry::init_logging();
    let cli = Cli::parse();
    let config = Config::from_env()?;
    match cli.command {
        Command::Serve => {
            let listener = tokio::net::TcpListener::bind(config.bind).await?;
            let app = App::start(config).await?;
            let server = Server::new(app, listener);
            tracing::info!(addr = %server.local_addr()?, database = server.app.db.backend_name(), "serving");
            server.run(shutdown_signal()).await?;
            tracing::info!("stopped");
        }
        Command::Migrate => {
            let app = App::start_with(config, IndexPlace::Memory).await?;
            println!("数据库已迁移（{}）", app.db.backend_name());
        }
        Command::Demo => {
            let app = App::start_with(config, IndexPlace::Memory).await?;
            let report = demo::load(&app).await?;
            println!("{report}");
        }
        Command::Staff {
            command:
                StaffCommand::Add {
                    phone,
                    password,
                    name,
                    region_code,
                    department,
                    admin,
                },
        } => {
            let app = App::start_with(config, IndexPlace::Memory).await?;
            Department::parse(&department).map_err(|e| anyhow::anyhow!(e))?;
            let input = staff::store::NewStaff {
                phone,
                password,
                name,
                region_code,
                department,
                admin,
            };
            match staff::store::add_staff(&app, None, input).await {
                Ok(id) => println!("已创建工作人员账号 #{id}"),
                Err(
                    tianfu::platform::error::AppError::Validation(fields)
                    | tianfu::platform::error::AppError::Conflict { fields, .. },
                ) => {
                    for (field, message) in fields.iter() {
                        eprintln!("{field}: {message}");
                    }
                    std::process::exit(2);
                }
                Err(other) => return Err(anyhow::anyhow!(other.to_string())),
            }
        }
        Command::Reindex => {
            let app = App::start(config).await?;
            let indexed = market::indexer::rebuild(&app)
                .await
                .map_err(|e| anyhow::anyhow!(e.to_string()))?;
            println!("搜索索引已重建：{indexed} 条已发布的信息");
        }
        Command::Backup { dir } => {
            if tianfu::backup::is_postgres(&config) {
                eprintln!("{}", tianfu::backup::postgres_guidance(&config));
                std::process::exit(2);
            }
            match tianfu::backup::backup(&config, &dir).await {
                Ok(manifest) => println!(
                    "备份完成：{}（数据库 {} 字节，文件 {} 个，结构版本 {}）",
                    dir.display(),
                    manifest.database.bytes,
                    manifest.files.len(),
                    manifest.schema_version
                ),
                Err(error) => {
                    eprintln!("备份失败：{error:#}");
                    std::process::exit(1);
                }
            }
        }
        Command::Restore { dir } => {
            if tianfu::backup::is_postgres(&config) {
                eprintln!("{}", tianfu::backup::postgres_guidance(&config));
                std::process::exit(2);
            }
            match tianfu::backup::restore(&config, &dir).await {
                Ok(manifest) => println!(
                    "恢复完成：数据目录 {}（备份于 {}，文件 {} 个）；启动服务时将重建搜索索引",
                    config.data_dir.display(),
                    manifest.created_at,
                    manifest.files.len()
                ),
                Err(error) => {
                    eprintln!("恢复失败：{error:#}");
                    std::process::exit(1);
                }
            }
        }
        Command::Bench {
            command: BenchCommand::Search { listings, dir },
        } => {
            let dir = dir.unwrap_or_else(|| std::env::temp_dir().join("tianfu-bench-search"));
            let report =
                tokio::task::spawn_blocking(move || tianfu_search::bench::run(listings, &dir))
                    .await??;
            print!("{report}");
        }
        Command::Bench {
            command:
                BenchCommand::Match {
                    capabilities,
                    dir,
                    reuse,
                },
        } => {
            let dir = dir.unwrap_or_else(|| std::env::temp_dir().join("tianfu-bench-match"));
            let report = tokio::task::spawn_blocking(move || {
                tianfu_search::bench::matching::run(capabilities, &dir, reuse)
            })
            .await??;
            print!("{report}");
        }
        Command::Bench {
            command: BenchCommand::Sla { tickets, postgres },
        } => {
            print!("{}", tianfu::nanny::bench::run(tickets, postgres).await?);
        }
        Command::Bench {
            command:
                BenchCommand::Kepu {
                    residents,
                    resources,
                    views,
                    postgres,
                },
        } => {
            print!(
                "{}",
                tianfu::kepu::bench::run(residents, resources, views, postgres).await?
            );
        }
        Command::Bench {
            command:
                BenchCommand::Push {
                    residents,
                    postgres,
                },
        } => {
            print!(
                "{}",
                tianfu::kepu::pushes::bench::run(residents, postgres).await?
            );
        }
        Command::Bench {
            command:
                BenchCommand::Activities {
                    residents,
                    activities,
                    seats,
                    postgres,
                },
        } => {
            print!(
                "{}",
                tianfu::kepu::activities::bench::run(residents, activities, seats, postgres)
                    .await?
            );
        }
        Command::Bench {
            command: BenchCommand::Performance { events, postgres },
        } => {
            print!(
                "{}",
                tianfu::performance::bench::run(events, postgres).await?
            );
        }
        Command::Bench {
            command:
                BenchCommand::Fair {
                    projects,
                    reviews,
                    postgres,
                },
        } => {
            print!(
                "{}",
                tianfu::fair::bench::run(projects, reviews, postgres).await?
            );
        }
        Command::Bench {
            command: BenchCommand::Stats { events, postgres },
        } => {
            print!("{}", tianfu::stats::bench::run(events, postgres).await?);
        }
        Command::Stats { command } => {
            let app = App::start_with(config, IndexPlace::Memory).await?;
            let failed = |e: tianfu::platform::error::AppError| anyhow::anyhow!(e.to_string());
            match command {
                StatsCommand::Rebuild => {
                    // A server rolling up holds the lease; rebuilding beside it would race it.
                    if !tianfu::ledger::rollup::lease_for_command(&app).await? {
                        anyhow::bail!(
                            "a running server is rolling up the ledger: stop it first (its lease lapses 30 s after)"
                        );
                    }
                    tianfu::ledger::rollup::reset(&app.db).await?;
                    let rolled =
                        tianfu::ledger::follow::catch_up(&app, &tianfu::ledger::rollup::FOLLOWER)
                            .await
                            .map_err(failed)?;
                    println!("统计汇总已重建：{rolled} 条台账记录");
                }
                StatsCommand::Verify => {
                    let v = tianfu::ledger::rollup::verify(&app).await.map_err(failed)?;
                    for difference in &v.differences {
                        println!("{difference}");
                    }
                    println!(
                        "核对完成：台账记录 {} 条（至 #{}），汇总键 {} 个，差异 {} 处",
                        v.events,
                        v.position,
                        v.keys,
                        v.differences.len()
                    );
                    if !v.differences.is_empty() {
                        std::process::exit(1);
                    }
                }
            }
        }
    }
    Ok(())
}

/// Resolves on SIGTERM or Ctrl-C, so that requests in flight finish before the process exits.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
