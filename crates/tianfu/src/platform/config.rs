use std::net::SocketAddr;
use std::path::PathBuf;

use super::scope::ReviewRules;

/// Everything the application is told from outside, read once at start-up and passed in.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where `serve` listens.
    pub bind: SocketAddr,
    /// Holds the SQLite file and, later, the search index.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// The npm `node_modules` folder the front-end packages (htmx, Pico CSS) are served from.
    pub node_modules_dir: PathBuf,
    /// Session cookies get the `Secure` flag when the site is served over HTTPS.
    pub secure_cookies: bool,
    /// Which departments review which listing kinds (`TIANFU_REVIEW_DEPARTMENTS`).
    pub review: ReviewRules,
    /// 精准科普 settings (`TIANFU_KEPU_PUSHES_PER_WEEK`, `TIANFU_KEPU_MAX_UPLOAD_MB`).
    pub kepu: KepuConfig,
    /// A deal signed at or above this amount (fen) counts in the official figures only once
    /// staff have verified its contract (`TIANFU_DEAL_VERIFY_ABOVE_FEN`, default 5,000万元).
    pub deal_verify_above_fen: i64,
    /// How long a live score sheet is shared (`TIANFU_SCORES_CACHE_SECONDS`, default 60; 0: never).
    pub scores_cache_seconds: u64,
    /// A client presenting `Authorization: Bearer <this>` may read `/metrics` from anywhere
    /// (`TIANFU_METRICS_TOKEN`); without it only clients on this machine may.
    pub metrics_token: Option<String>,
    /// Idle timeouts, lifetimes and the staff second factor (`platform::session_policy`).
    pub sessions: super::session_policy::SessionPolicy,
    /// Rate limits and sign-in delays (`platform::limits`; `TIANFU_LIMIT_*`, `TIANFU_LOGIN_*`).
    pub limits: super::limits::LimitsConfig,
    /// Registration needs a code sent to the phone (`TIANFU_VERIFY_PHONE=0` turns it off, e.g.
    /// for a closed demo without SMS); on by default.
    pub verify_phone: bool,
}

/// 5,000万元 in fen.
pub const DEFAULT_DEAL_VERIFY_ABOVE_FEN: i64 = 5_000_000_000;

#[derive(Debug, Clone)]
pub struct KepuConfig {
    /// A resident receives at most this many pushes in seven days; the rest wait.
    pub pushes_per_week: u32,
    /// The largest media file accepted, in bytes.
    pub max_upload_bytes: usize,
    /// The site's address as phones reach it (`TIANFU_PUBLIC_URL`, e.g. https://kjy.sc.gov.cn),
    /// for the links in check-in QR codes; without it, the address the request came to.
    pub public_url: Option<String>,
}

impl Default for KepuConfig {
    fn default() -> Self {
        KepuConfig {
            pushes_per_week: 3,
            max_upload_bytes: 50 * 1024 * 1024,
            public_url: None,
        }
    }
}

impl KepuConfig {
    fn from_env() -> anyhow::Result<Self> {
        let mut config = KepuConfig::default();
        if let Ok(text) = std::env::var("TIANFU_KEPU_PUSHES_PER_WEEK") {
            config.pushes_per_week = text
                .parse()
                .map_err(|e| anyhow::anyhow!("TIANFU_KEPU_PUSHES_PER_WEEK: {e}"))?;
        }
        if let Ok(text) = std::env::var("TIANFU_KEPU_MAX_UPLOAD_MB") {
            let mb: usize = text
                .parse()
                .map_err(|e| anyhow::anyhow!("TIANFU_KEPU_MAX_UPLOAD_MB: {e}"))?;
            config.max_upload_bytes = mb * 1024 * 1024;
        }
        if let Ok(url) = std::env::var("TIANFU_PUBLIC_URL") {
            let url = url.trim().trim_end_matches('/').to_owned();
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                anyhow::bail!("TIANFU_PUBLIC_URL must start with http:// or https://");
            }
            config.public_url = Some(url);
        }
        Ok(config)
    }
}

impl Config {
    pub fn from_env() -> anyhow::Result<Self> {
        let data_dir =
            PathBuf::from(std::env::var("TIANFU_DATA_DIR").unwrap_or_else(|_| "./data".into()));
        let database_url = std::env::var("TIANFU_DATABASE_URL")
            .unwrap_or_else(|_| format!("sqlite://{}", data_dir.join("tianfu.db").display()));
        let bind = std::env::var("TIANFU_BIND")
            .unwrap_or_else(|_| "127.0.0.1:8080".into())
            .parse()
            .map_err(|e| anyhow::anyhow!("TIANFU_BIND is not an address: {e}"))?;
        let node_modules_dir = PathBuf::from(
            std::env::var("TIANFU_NODE_MODULES").unwrap_or_else(|_| "./node_modules".into()),
        );
        let secure_cookies =
            std::env::var("TIANFU_SECURE_COOKIES").is_ok_and(|v| v == "1" || v == "true");
        let review = match std::env::var("TIANFU_REVIEW_DEPARTMENTS") {
            Ok(text) => ReviewRules::parse(&text)
                .map_err(|e| anyhow::anyhow!("TIANFU_REVIEW_DEPARTMENTS: {e}"))?,
            Err(_) => ReviewRules::default(),
        };
        let deal_verify_above_fen = match std::env::var("TIANFU_DEAL_VERIFY_ABOVE_FEN") {
            Ok(text) => text
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|fen| *fen > 0)
                .ok_or_else(|| {
                    anyhow::anyhow!("TIANFU_DEAL_VERIFY_ABOVE_FEN must be a positive amount in fen")
                })?,
            Err(_) => DEFAULT_DEAL_VERIFY_ABOVE_FEN,
        };
        let scores_cache_seconds = match std::env::var("TIANFU_SCORES_CACHE_SECONDS") {
            Ok(text) => text.trim().parse::<u64>().map_err(|_| {
                anyhow::anyhow!("TIANFU_SCORES_CACHE_SECONDS must be a number of seconds")
            })?,
            Err(_) => 60,
        };
        let metrics_token = std::env::var("TIANFU_METRICS_TOKEN")
            .ok()
            .map(|token| token.trim().to_owned())
            .filter(|token| !token.is_empty());
        let verify_phone = std::env::var("TIANFU_VERIFY_PHONE")
            .map(|v| !matches!(v.trim(), "0" | "false" | "off" | "no"))
            .unwrap_or(true);
        Ok(Self {
            sessions: super::session_policy::SessionPolicy::from_env()?,
            limits: super::limits::LimitsConfig::from_env()?,
            verify_phone,
            metrics_token,
            deal_verify_above_fen,
            scores_cache_seconds,
            kepu: KepuConfig::from_env()?,
            review,
            bind,
            data_dir,
            database_url,
            node_modules_dir,
            secure_cookies,
        })
    }
}
