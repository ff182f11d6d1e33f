//! Builds the application from configuration: connects and migrates the database, assembles
//! the routes of every feature, and serves them on a listener it is handed (port 0 in tests).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::http::StatusCode;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::IntoResponse;
use axum::routing::{any, get};
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;

use crate::ledger::follow::Follower;
use crate::market::indexer::{self, IndexerCursor};
use crate::platform::clock::Clock;
use crate::platform::config::Config;
use crate::platform::db::Db;
use crate::platform::error::{self, AppError};
use crate::platform::metrics::{self, Metrics};
use crate::platform::sms::{OutboxSms, SmsSender};
use crate::platform::{assets, csrf, headers, limits, openapi, page, rejections, telemetry};
use crate::{
    accounts, kepu, ledger, market, matching, nanny, notifications, performance, ratings, regions,
    staff, stats,
};
use tianfu_search::SearchIndex;

/// Everything a request handler may need, shared by all of them.
pub struct App {
    pub config: Config,
    pub db: Db,
    pub clock: Clock,
    pub metrics: Metrics,
    pub regions: regions::RegionTree,
    /// Derived from the database by the indexer; see [`crate::market::indexer`].
    pub search: Arc<SearchIndex>,
    /// Where the indexer stands in the outbox; the lock also makes indexing passes take turns.
    pub indexer: tokio::sync::Mutex<IndexerCursor>,
    /// This process's name among the nodes sharing the database, for job leases.
    pub node: String,
    /// Reads of 科普 resources waiting to be written (`kepu::views`).
    pub kepu_views: kepu::views::Buffer,
    /// What the 科普 feed reads on every request, for half a minute (`kepu::feed::cache`).
    pub kepu_feed: kepu::feed::cache::FeedCache,
    /// Map outlines built once from node_modules (`regions::geo`).
    pub map_outlines: regions::geo::Outlines,
    /// Live score sheets for a minute (`performance::scores::cache`).
    pub score_sheets: performance::scores::cache::SheetCache,
    /// Rate-limit counters of this node (`platform::limits`).
    pub limiter: limits::Limiter,
    /// Where text messages go (`platform::sms`): the outbox file unless a gateway is plugged in.
    pub sms: Arc<dyn SmsSender>,
}

/// Everything that follows the ledger. A new slice that reacts to events adds its follower here;
/// the slices that act know none of them.
pub static FOLLOWERS: &[Follower] = &[
    ledger::rollup::FOLLOWER,
    nanny::follow::FOLLOWER,
    matching::follow::FOLLOWER,
];

/// Where the search index lives: on disk for the server (one writer per data directory), in
/// memory for one-shot commands that may run beside a server (`migrate`, `demo`, `staff add`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexPlace {
    Disk,
    Memory,
}

pub type AppState = Arc<App>;

impl App {
    /// Connects, applies pending migrations, loads the region tree and opens the search index
    /// in the data directory.
    pub async fn start(config: Config) -> anyhow::Result<AppState> {
        Self::start_with(config, IndexPlace::Disk).await
    }

    pub async fn start_with(config: Config, place: IndexPlace) -> anyhow::Result<AppState> {
        let sms = Arc::new(OutboxSms::in_dir(&config.data_dir));
        Self::start_with_sms(config, place, sms).await
    }

    /// As [`App::start_with`], with text messages going to `sms` (a gateway, or tests' memory).
    pub async fn start_with_sms(
        config: Config,
        place: IndexPlace,
        sms: Arc<dyn SmsSender>,
    ) -> anyhow::Result<AppState> {
        if config.database_url.starts_with("sqlite:") {
            std::fs::create_dir_all(&config.data_dir)?;
        }
        let db = Db::connect(&config.database_url).await?;
        db.migrate().await?;
        let regions = regions::store::load_tree(&db).await?;
        let search = match place {
            IndexPlace::Disk => SearchIndex::open(&indexer::index_dir(&config)).map_err(|e| {
                anyhow::anyhow!(
                    "cannot open the search index in {}: {e} (is another tianfu server using this data directory?)",
                    indexer::index_dir(&config).display()
                )
            })?,
            IndexPlace::Memory => SearchIndex::in_memory()?,
        };
        // Where a listing is, is the region's signal, not words to match on.
        search.set_place_names(
            regions
                .all()
                .filter(|r| r.level() <= tianfu_domain::RegionLevel::County)
                .map(|r| r.name.clone()),
        )?;
        let cursor = IndexerCursor::load(&config, place);
        Ok(Arc::new(App {
            config,
            db,
            clock: Clock::default(),
            metrics: Metrics::default(),
            regions,
            search: Arc::new(search),
            indexer: tokio::sync::Mutex::new(cursor),
            node: ledger::lease::node_name(),
            kepu_views: Default::default(),
            kepu_feed: Default::default(),
            map_outlines: Default::default(),
            score_sheets: Default::default(),
            limiter: Default::default(),
            sms,
        }))
    }
}

pub fn router(app: AppState) -> Router {
    let routes = Router::new()
        .merge(accounts::routes())
        .merge(regions::routes())
        .merge(staff::routes())
        .merge(market::routes())
        .merge(matching::routes())
        .merge(nanny::routes())
        .merge(notifications::routes())
        .merge(stats::routes())
        .merge(kepu::routes())
        .merge(performance::routes())
        .merge(ratings::routes())
        .merge(crate::fair::routes())
        .merge(crate::audit::routes())
        .merge(openapi::routes())
        .merge(assets::routes(&app.config.node_modules_dir))
        .route("/healthz", get(healthz))
        .route(
            "/metrics",
            get(metrics::metrics).layer(from_fn_with_state(app.clone(), headers::metrics_guard)),
        )
        .route("/api/{*rest}", any(api_not_found))
        .fallback(page::not_found);
    with_layers(routes, app)
}

/// The layers every route and the fallback run under, innermost first: the framework's plain
/// English refusals become our envelope or page, a panic becomes the 500 envelope (logged in the
/// request's span, so with its request id), cross-site requests are refused and pages get their
/// CSRF token (`platform::csrf`), floods are refused before any of that (`platform::limits`),
/// every answer gets the security headers, then the metrics count
/// the answer, then the trace span wraps it all.
pub fn with_layers(routes: Router<AppState>, app: AppState) -> Router {
    routes
        .layer(from_fn(rejections::in_our_words))
        .layer(CatchPanicLayer::custom(error::panic_response))
        .layer(from_fn_with_state(app.clone(), csrf::guard))
        .layer(from_fn_with_state(
            app.clone(),
            crate::platform::cookies::secure_when_https,
        ))
        .layer(from_fn_with_state(app.clone(), limits::guard))
        .layer(from_fn(headers::secure))
        .layer(from_fn_with_state(app.clone(), metrics::track))
        .layer(telemetry::trace_layer())
        .with_state(app)
}

async fn healthz(axum::extract::State(app): axum::extract::State<AppState>) -> impl IntoResponse {
    if app.db.ping().await {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
    }
}

async fn api_not_found() -> AppError {
    AppError::NotFound("接口不存在".into())
}

/// A started application bound to its listener.
pub struct Server {
    pub app: AppState,
    listener: TcpListener,
}

impl Server {
    pub fn new(app: AppState, listener: TcpListener) -> Self {
        Self { app, listener }
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Starts the jobs and serves until `shutdown` resolves, then lets requests in flight
    /// finish, brings the index up to date and commits it.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        match indexer::rebuild_if_missing(&self.app).await {
            Ok(Some(indexed)) => {
                tracing::info!(
                    indexed,
                    "search index was missing: rebuilt from the database"
                )
            }
            Ok(None) => {}
            Err(error) => error.log_if_internal(),
        }
        let indexer_job = indexer::spawn(self.app.clone());
        let nightly_matches = matching::recommend::spawn_nightly(self.app.clone());
        let nanny_clock = nanny::clock::spawn(self.app.clone());
        let followers = ledger::follow::spawn(self.app.clone(), FOLLOWERS);
        let kepu_jobs = kepu::spawn_jobs(self.app.clone());
        let monthly = performance::monthly::spawn(self.app.clone());
        let fair_outcomes = crate::fair::after::jobs::spawn(self.app.clone());
        let fair_meetings = crate::fair::halls::expiry::spawn(self.app.clone());
        let service = router(self.app.clone()).into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown)
            .await?;
        indexer_job.abort();
        nightly_matches.abort();
        nanny_clock.abort();
        for follower in followers {
            follower.abort();
        }
        for job in kepu_jobs {
            job.abort();
        }
        monthly.abort();
        fair_outcomes.abort();
        fair_meetings.abort();
        kepu::views::flush_on_shutdown(&self.app).await;
        for follower in FOLLOWERS {
            let _ = ledger::lease::release(&self.app.db, follower.name, &self.app.node).await;
        }
        if let Err(error) = indexer::catch_up(&self.app).await {
            error.log_if_internal();
        }
        self.app.db.close().await;
        Ok(())
    }
}
