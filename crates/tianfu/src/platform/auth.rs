//! Passwords, sessions and who is asking.
//!
//! A session is a random 256-bit token; only its SHA-256 is stored, so a stolen database holds
//! no usable tokens. Pages carry it in an HttpOnly, SameSite=Lax cookie (which also keeps other
//! sites from posting our forms with it); the API in `Authorization: Bearer`. Sessions live in
//! the database, so any app node can serve any request.
//!
//! A session also ends when idle too long or past its absolute lifetime (shorter for staff, see
//! `platform::session_policy`), and at once when its account is disabled: the one query that
//! resolves a token checks all three. Its last-seen time is written at most once a minute.

use std::net::SocketAddr;
use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::{ConnectInfo, FromRequestParts, OriginalUri};
use axum::http::HeaderValue;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use tianfu_domain::{Department, RegionCode, Role, UserId};

use super::audit::{self, AuditEntry};
use super::db::Db;
use super::error::AppError;
use super::page::{PageError, url_encode};
use crate::{AppState, on_db};

pub const COOKIE_NAME: &str = "tianfu_session";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    Cookie,
    Bearer,
}

impl SessionKind {
    fn as_str(self) -> &'static str {
        match self {
            SessionKind::Cookie => "cookie",
            SessionKind::Bearer => "bearer",
        }
    }

    fn lifetime(self) -> Duration {
        match self {
            SessionKind::Cookie => Duration::days(7),
            SessionKind::Bearer => Duration::days(30),
        }
    }
}

/// Hashes with argon2id (the crate's default) on a blocking thread: it is meant to be slow.
pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?
    .map_err(|e| AppError::Internal(anyhow::anyhow!("argon2: {e}")))
}

/// Checks a password against a stored hash. With no stored hash (unknown phone) it checks
/// against a dummy so that the answer takes as long and reveals nothing.
pub async fn verify_password(password: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        static DUMMY: OnceLock<String> = OnceLock::new();
        let dummy = DUMMY.get_or_init(|| {
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default()
                .hash_password(b"dummy-password-0", &salt)
                .expect("argon2 hashes")
                .to_string()
        });
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| dummy.clone());
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return false;
        };
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
            && known
    })
    .await
    .unwrap_or(false)
}

pub fn token_hash(token: &str) -> String {
    to_hex(&Sha256::digest(token.as_bytes()))
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Starts a session and returns the token to hand to the client (never stored as is).
pub async fn create_session(
    db: &Db,
    user: UserId,
    kind: SessionKind,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    create_session_from(db, user, kind, now, None, None).await
}

/// A random hex string of `bytes` bytes: session tokens and their public ids.
pub fn random_hex(bytes: usize) -> String {
    let mut raw = vec![0u8; bytes];
    OsRng.fill_bytes(&mut raw);
    to_hex(&raw)
}

/// Starts a session remembering where it began (for the list of one's sessions).
pub async fn create_session_from(
    db: &Db,
    user: UserId,
    kind: SessionKind,
    now: DateTime<Utc>,
    ip: Option<&str>,
    user_agent: Option<&str>,
) -> Result<String, AppError> {
    let token = random_hex(32);
    let user_agent: Option<String> = user_agent.map(|ua| ua.chars().take(300).collect());
    on_db!(db, pool => {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, kind, created_at, expires_at, public_id, last_seen_at, ip, user_agent) \
             VALUES ($1, $2, $3, $4, $5, $6, $4, $7, $8)",
        )
        .bind(token_hash(&token))
        .bind(user.0)
        .bind(kind.as_str())
        .bind(now)
        .bind(now + kind.lifetime())
        .bind(random_hex(16))
        .bind(ip)
        .bind(user_agent.as_deref())
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    Ok(token)
}

pub async fn end_session(db: &Db, token: &str) -> Result<(), AppError> {
    on_db!(db, pool => {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash(token)).execute(pool).await.map(|_| ())
    })?;
    Ok(())
}

/// The session cookie of someone signing in on a page. It lasts as long as the server keeps the
/// session at most: the shorter of a page session's lifetime and the policy's absolute lifetime
/// for the role (a staff member's 12 hours), so a browser does not keep a cookie of a session
/// that has ended.
pub fn session_cookie_for(
    policy: &super::session_policy::SessionPolicy,
    staff: bool,
    token: &str,
    secure: bool,
) -> HeaderValue {
    let lifetime = SessionKind::Cookie.lifetime().min(policy.max_age(staff));
    cookie_lasting(token, secure, lifetime)
}

fn cookie_lasting(token: &str, secure: bool, lifetime: Duration) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let max_age = lifetime.num_seconds();
    HeaderValue::from_str(&format!(
        "{COOKIE_NAME}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .expect("hex token is a valid header")
}

pub fn clear_cookie() -> HeaderValue {
    HeaderValue::from_static("tianfu_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}

/// The signed-in person, as every handler sees them.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: UserId,
    pub role: Role,
    pub name: String,
    pub phone: String,
    pub region: RegionCode,
    pub region_name: String,
    pub department: Option<Department>,
    /// Unread counts for the header; filled by the page extractors only (zero elsewhere).
    pub badges: super::badges::Badges,
}

impl Actor {
    pub fn is_staff(&self) -> bool {
        self.role.is_staff()
    }
}

#[derive(sqlx::FromRow)]
struct SessionActorRow {
    #[sqlx(flatten)]
    actor: ActorRow,
    public_id: Option<String>,
    last_seen_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct ActorRow {
    id: i64,
    role: String,
    name: String,
    phone: String,
    region_code: String,
    region_name: String,
    department: Option<String>,
}

impl TryFrom<ActorRow> for Actor {
    type Error = AppError;

    fn try_from(row: ActorRow) -> Result<Self, AppError> {
        let corrupt =
            |what: &str| AppError::Internal(anyhow::anyhow!("user {} has a bad {what}", row.id));
        Ok(Actor {
            id: UserId(row.id),
            role: Role::parse(&row.role).map_err(|_| corrupt("role"))?,
            region: RegionCode::parse(&row.region_code).map_err(|_| corrupt("region"))?,
            department: row
                .department
                .as_deref()
                .map(Department::parse)
                .transpose()
                .map_err(|_| corrupt("department"))?,
            name: row.name,
            phone: row.phone,
            region_name: row.region_name,
            badges: Default::default(),
        })
    }
}

/// The actor a live session belongs to, with the session's public id. A session resolves only
/// while within its kind's lifetime, not idle beyond its idle limit, younger than its absolute
/// lifetime, and of an account that is not disabled. Its last-seen time is then moved on by one
/// guarded UPDATE at most once a minute.
async fn actor_for_token(
    app: &AppState,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<(Actor, String)>, AppError> {
    let policy = &app.config.sessions;
    let hash = token_hash(token);
    let row = on_db!(&app.db, pool => {
        sqlx::query_as::<_, SessionActorRow>(
            "SELECT u.id, u.role, u.name, u.phone, u.region_code, r.name AS region_name, u.department, \
                    s.public_id, s.last_seen_at \
             FROM sessions s JOIN users u ON u.id = s.user_id JOIN regions r ON r.code = u.region_code \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled_at IS NULL \
               AND COALESCE(s.last_seen_at, s.created_at) > CASE WHEN u.role IN ('staff', 'admin') THEN $3 ELSE $4 END \
               AND s.created_at > CASE WHEN u.role IN ('staff', 'admin') THEN $5 ELSE $6 END",
        )
        .bind(&hash)
        .bind(now)
        .bind(now - policy.idle(true))
        .bind(now - policy.idle(false))
        .bind(now - policy.max_age(true))
        .bind(now - policy.max_age(false))
        .fetch_optional(pool)
        .await
    })?;
    let Some(row) = row else {
        return Ok(None);
    };
    if row
        .last_seen_at
        .is_none_or(|seen| super::session_policy::needs_touch(seen, now))
    {
        // Guarded by the time read: of two requests racing here only one writes.
        on_db!(&app.db, pool => {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2 AND (last_seen_at IS NULL OR last_seen_at <= $3)")
                .bind(now)
                .bind(&hash)
                .bind(now - super::session_policy::TOUCH_EVERY)
                .execute(pool)
                .await
                .map(|_| ())
        })?;
    }
    let public_id = row.public_id.unwrap_or_default();
    Ok(Some((Actor::try_from(row.actor)?, public_id)))
}

/// A token that no longer resolves but whose session row is still there has timed out (or its
/// account was disabled): the row is deleted and the page says why the person must sign in.
async fn end_stale_session(db: &Db, token: &str) -> Result<bool, AppError> {
    let deleted = on_db!(db, pool => {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash(token))
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
    })?;
    Ok(deleted > 0)
}

/// A user as an actor without a session, for commands and jobs acting on someone's behalf
/// (demo data, automatic acts).
pub async fn actor_by_id(db: &Db, id: UserId) -> Result<Option<Actor>, AppError> {
    let row = on_db!(db, pool => {
        sqlx::query_as::<_, ActorRow>(
            "SELECT u.id, u.role, u.name, u.phone, u.region_code, r.name AS region_name, u.department \
             FROM users u JOIN regions r ON r.code = u.region_code WHERE u.id = $1",
        )
        .bind(id.0)
        .fetch_optional(pool)
        .await
    })?;
    row.map(Actor::try_from).transpose()
}

/// The session token a request carries: the bearer token, else the cookie.
pub fn request_token(parts: &Parts) -> Option<String> {
    if let Some(bearer) = parts
        .headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        return Some(bearer.trim().to_owned());
    }
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.to_owned())
        .filter(|value| !value.is_empty())
}

pub fn client_ip(parts: &Parts) -> Option<String> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
}

/// The browser's own description of itself, kept with a session for the list of sessions.
pub fn user_agent(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

#[derive(Clone)]
struct Resolved(Option<(Actor, String)>);

/// Marks a request whose session had timed out, so that the login page can say so.
#[derive(Clone)]
struct SessionTimedOut;

/// Resolves the session once per request and keeps the answer in the request's extensions.
async fn resolve(parts: &mut Parts, app: &AppState) -> Result<Option<Actor>, AppError> {
    if let Some(Resolved(found)) = parts.extensions.get::<Resolved>() {
        return Ok(found.as_ref().map(|(actor, _)| actor.clone()));
    }
    let found = match request_token(parts) {
        Some(token) => {
            let found = actor_for_token(app, &token, app.clock.now()).await?;
            if found.is_none() && end_stale_session(&app.db, &token).await? {
                parts.extensions.insert(SessionTimedOut);
            }
            found
        }
        None => None,
    };
    parts.extensions.insert(Resolved(found.clone()));
    Ok(found.map(|(actor, _)| actor))
}

/// The public id of the session this request came with, once an extractor has resolved it.
pub fn current_session_id(parts: &Parts) -> Option<String> {
    parts
        .extensions
        .get::<Resolved>()
        .and_then(|Resolved(found)| found.as_ref().map(|(_, id)| id.clone()))
}

async fn refuse_non_staff(parts: &Parts, app: &AppState, actor: &Actor) -> String {
    let path = parts.uri.path().to_owned();
    let ip = client_ip(parts);
    audit::record(
        &app.db,
        app.clock.now(),
        AuditEntry {
            actor: Some(actor.id),
            action: "permission.denied",
            subject: &path,
            ip: ip.as_deref(),
            detail: "not staff",
        },
    )
    .await;
    "仅服务中心工作人员可以访问".to_owned()
}

/// A signed-in user, for the API: 401 otherwise.
pub struct ApiUser(pub Actor);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, AppError> {
        resolve(parts, app)
            .await?
            .map(ApiUser)
            .ok_or_else(AppError::unauthorized)
    }
}

/// Whoever is signed in, if anyone, for API endpoints that anonymous callers may also use.
pub struct ApiMaybeUser(pub Option<Actor>);

impl FromRequestParts<AppState> for ApiMaybeUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, AppError> {
        Ok(ApiMaybeUser(resolve(parts, app).await?))
    }
}

/// A signed-in staff member or administrator, for the API: 401 or 403 (audited) otherwise.
pub struct ApiStaff(pub Actor);

impl FromRequestParts<AppState> for ApiStaff {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, AppError> {
        let actor = resolve(parts, app)
            .await?
            .ok_or_else(AppError::unauthorized)?;
        if !actor.is_staff() {
            return Err(AppError::Forbidden(
                refuse_non_staff(parts, app, &actor).await,
            ));
        }
        Ok(ApiStaff(actor))
    }
}

/// The actor with the header's unread counts; a failed count is logged and shows none.
async fn with_badges(app: &AppState, mut actor: Actor) -> Actor {
    match super::badges::count(&app.db, actor.id).await {
        Ok(badges) => actor.badges = badges,
        Err(error) => AppError::from(error).log_if_internal(),
    }
    actor
}

/// Whoever is signed in, if anyone; pages use it to draw the header.
pub struct MaybeUser(pub Option<Actor>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, PageError> {
        let actor = resolve(parts, app)
            .await
            .map_err(|e| PageError::new(e, None))?;
        Ok(MaybeUser(match actor {
            Some(actor) => Some(with_badges(app, actor).await),
            None => None,
        }))
    }
}

/// A signed-in user, for pages: otherwise off to the login page, coming back afterwards.
pub struct PageUser(pub Actor);

pub struct LoginRedirect(String);

impl IntoResponse for LoginRedirect {
    fn into_response(self) -> Response {
        Redirect::to(&self.0).into_response()
    }
}

fn login_redirect(parts: &Parts) -> LoginRedirect {
    let uri = parts
        .extensions
        .get::<OriginalUri>()
        .map(|OriginalUri(u)| u.clone())
        .unwrap_or_else(|| parts.uri.clone());
    let target = uri.path_and_query().map(|pq| pq.as_str()).unwrap_or("/");
    let timed_out = if parts.extensions.get::<SessionTimedOut>().is_some() {
        "&expired=1"
    } else {
        ""
    };
    LoginRedirect(format!("/login?next={}{timed_out}", url_encode(target)))
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Response> {
        match resolve(parts, app).await {
            Ok(Some(actor)) => Ok(PageUser(with_badges(app, actor).await)),
            Ok(None) => Err(login_redirect(parts).into_response()),
            Err(error) => Err(PageError::new(error, None).into_response()),
        }
    }
}

/// A signed-in staff member, for the staff console pages.
pub struct PageStaff(pub Actor);

impl FromRequestParts<AppState> for PageStaff {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Response> {
        let PageUser(actor) = PageUser::from_request_parts(parts, app).await?;
        if !actor.is_staff() {
            let message = refuse_non_staff(parts, app, &actor).await;
            return Err(PageError::new(AppError::Forbidden(message), Some(actor)).into_response());
        }
        Ok(PageStaff(actor))
    }
}

/// The address the request came from, for the audit log (absent when the server was not started
/// with connection info, as in some tests).
pub struct ClientIp(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(client_ip(parts)))
    }
}
