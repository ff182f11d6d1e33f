//! Rate limits (等保 level 3: 防暴力破解、防恶意注册、防刷接口): per client address, and per
//! account where there is one, on registration, sign-in, password reset, verification codes,
//! search and every write. One layer ([`guard`], in `startup::with_layers`) counts every request
//! of those kinds; handlers that know more (the phone number a code is for) call [`Limiter::hit`].
//!
//! The counters are kept in memory, per node: with N nodes behind a balancer an address may do
//! up to N times the limit. That is accepted on purpose — these limits only blunt floods; what
//! must hold across nodes (sign-in delays, code cooldowns and tries) is in the database
//! (`accounts::login_guard`, `accounts::phone_codes`). Time is the application's clock, so tests
//! move it instead of sleeping. Behind a reverse proxy every client shares the proxy's address:
//! run the limits there as well, or serve directly.

pub mod config;
pub mod delay;

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Mutex;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::Method;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};

pub use config::{Limit, LimitsConfig};

use super::error::AppError;
use super::page::PageError;
use crate::AppState;

/// What a request is counted as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    Register,
    Login,
    Reset,
    Codes,
    CodesPerPhone,
    Search,
    Writes,
    WritesPerAccount,
}

impl Rule {
    pub fn limit(self, config: &LimitsConfig) -> Limit {
        match self {
            Rule::Register => config.register,
            Rule::Login => config.login,
            Rule::Reset => config.reset,
            Rule::Codes => config.codes,
            Rule::CodesPerPhone => config.codes_per_phone,
            Rule::Search => config.search,
            Rule::Writes => config.writes,
            Rule::WritesPerAccount => config.writes_per_account,
        }
    }
}

/// The paths a rule other than the general write limit applies to (API and page alike).
fn classify(method: &Method, path: &str) -> Option<Rule> {
    let write = [Method::POST, Method::PUT, Method::PATCH, Method::DELETE].contains(method);
    if !write {
        return (*method == Method::GET && (path == "/search" || path == "/api/v1/search"))
            .then_some(Rule::Search);
    }
    Some(match path {
        "/api/v1/auth/register" | "/register" => Rule::Register,
        "/api/v1/auth/login" | "/login" | "/login/totp" => Rule::Login,
        "/api/v1/auth/password-reset" | "/forgot-password" => Rule::Reset,
        "/api/v1/auth/phone-codes" | "/phone-codes" => Rule::Codes,
        _ => Rule::Writes,
    })
}

/// Counters in fixed windows: a window opens with a key's first request and holds `count`.
#[derive(Default)]
pub struct Limiter {
    windows: Mutex<Windows>,
}

#[derive(Default)]
struct Windows {
    open: HashMap<(Rule, String), Window>,
    swept: Option<DateTime<Utc>>,
}

struct Window {
    opened: DateTime<Utc>,
    seconds: u64,
    used: u32,
}

/// Past this many keys, closed windows are swept out, at most every ten seconds (so a flood of
/// distinct keys does not make every request walk the map).
const SWEEP_ABOVE: usize = 50_000;
const SWEEP_EVERY_SECONDS: i64 = 10;

impl Limiter {
    /// Counts one request of `rule` by `key`; over the limit, the seconds until it may try again.
    pub fn hit(&self, limit: Limit, rule: Rule, key: &str, now: DateTime<Utc>) -> Result<(), u64> {
        let mut guard = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let Windows { open, swept } = &mut *guard;
        if open.len() > SWEEP_ABOVE
            && swept.is_none_or(|at| now - at > Duration::seconds(SWEEP_EVERY_SECONDS))
        {
            open.retain(|_, w| w.closes() > now);
            *swept = Some(now);
        }
        let window = open
            .entry((rule, key.to_owned()))
            .or_insert_with(|| Window {
                opened: now,
                seconds: limit.window_seconds,
                used: 0,
            });
        if window.closes() <= now {
            *window = Window {
                opened: now,
                seconds: limit.window_seconds,
                used: 0,
            };
        }
        if window.used >= limit.count {
            let left = (window.closes() - now).num_milliseconds().max(0) as u64;
            return Err(left.div_ceil(1000).max(1));
        }
        window.used += 1;
        Ok(())
    }
}

impl Window {
    fn closes(&self) -> DateTime<Utc> {
        self.opened + Duration::seconds(self.seconds as i64)
    }
}

/// The refusal: 429 with `Retry-After`, in the JSON envelope under `/api`, a Chinese page elsewhere.
pub fn too_many(path: &str, retry_after: u64) -> Response {
    let error = AppError::TooManyRequests { retry_after };
    if path == "/api" || path.starts_with("/api/") {
        error.into_response()
    } else {
        PageError::new(error, None).into_response()
    }
}

/// The layer: counts the request against its address (and, for writes, its session) and
/// refuses it when over the limit, before anything else is done for it.
pub async fn guard(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let Some(rule) = classify(request.method(), request.uri().path()) else {
        return next.run(request).await;
    };
    let address = request
        .extensions()
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|ConnectInfo(addr)| address_key(&addr.ip().to_string()))
        .unwrap_or_else(|| "unknown".into());
    let now = app.clock.now();
    let limits = &app.config.limits;
    let mut checks = vec![(rule, format!("ip:{address}"))];
    if rule == Rule::Writes
        && let Some(session) = session_key(request.headers())
    {
        checks.push((Rule::WritesPerAccount, session));
    }
    for (rule, key) in checks {
        if let Err(retry_after) = app.limiter.hit(rule.limit(limits), rule, &key, now) {
            tracing::warn!(?rule, %address, retry_after, "rate limited");
            return too_many(request.uri().path(), retry_after);
        }
    }
    next.run(request).await
}

/// The address a client is counted under: an IPv4 address as it is, an IPv6 address by its /64
/// (one customer's network; counting each address would give an attacker 2^64 counters).
pub fn address_key(ip: &str) -> String {
    match ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(std::net::IpAddr::V6(v6)) => v6
            .to_ipv4_mapped()
            .map(|v4| v4.to_string())
            .unwrap_or_default(),
        _ => ip.to_owned(),
    }
}

/// Who is writing, when they are signed in: a digest of the bearer token or session cookie (the
/// token itself is not kept). A forged token only gets the caller its own counter.
fn session_key(headers: &axum::http::HeaderMap) -> Option<String> {
    let bearer = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let cookie = || {
        headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == super::auth::COOKIE_NAME)
            .map(|(_, value)| value)
    };
    let token = bearer.or_else(cookie)?;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    token.trim().hash(&mut hasher);
    Some(format!("session:{:x}", hasher.finish()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_sorted_by_rule() {
        assert_eq!(classify(&Method::POST, "/register"), Some(Rule::Register));
        assert_eq!(
            classify(&Method::POST, "/api/v1/auth/login"),
            Some(Rule::Login)
        );
        assert_eq!(classify(&Method::POST, "/login/totp"), Some(Rule::Login));
        assert_eq!(classify(&Method::GET, "/api/v1/search"), Some(Rule::Search));
        assert_eq!(classify(&Method::DELETE, "/api/v1/x/1"), Some(Rule::Writes));
        assert_eq!(classify(&Method::GET, "/register"), None);
        assert_eq!(classify(&Method::GET, "/api/v1/needs"), None);
    }

    #[test]
    fn an_ipv6_client_is_counted_by_its_network() {
        assert_eq!(address_key("203.0.113.7"), "203.0.113.7");
        assert_eq!(address_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(
            address_key("2001:db8:1:2:bbbb::9"),
            address_key("2001:db8:1:2:aaaa::1")
        );
        assert_eq!(address_key("::ffff:192.0.2.1"), "192.0.2.1");
    }

    #[test]
    fn a_window_holds_its_count_and_then_opens_again() {
        let limiter = Limiter::default();
        let limit = Limit::new(2, 60);
        let start = Utc::now();
        assert!(limiter.hit(limit, Rule::Login, "a", start).is_ok());
        assert!(limiter.hit(limit, Rule::Login, "a", start).is_ok());
        let later = start + Duration::seconds(15);
        assert_eq!(limiter.hit(limit, Rule::Login, "a", later), Err(45));
        // Another key and another rule have their own counters.
        assert!(limiter.hit(limit, Rule::Login, "b", later).is_ok());
        assert!(limiter.hit(limit, Rule::Register, "a", later).is_ok());
        let next_window = start + Duration::seconds(60);
        assert!(limiter.hit(limit, Rule::Login, "a", next_window).is_ok());
    }
}
