//! Security headers on every response, and who may read `/metrics`.
//!
//! The Content-Security-Policy allows scripts and styles from this site only: the templates carry
//! no inline scripts, `on*=` handlers, `style=` attributes or `<style>` blocks (their behaviour and
//! presentation live in `static/app.js` and `static/app.css`). `<script type="application/json">`
//! data blocks are data, not scripts, and need nothing. Images may also be `data:`/`blob:` (Pico's
//! icons, charts saved as pictures) and `https:` (a fair project may show pictures and a video
//! from an https address, see `fair/projects/service.rs`).

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{
    AUTHORIZATION, CACHE_CONTROL, CONTENT_SECURITY_POLICY, COOKIE, REFERRER_POLICY,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::auth::COOKIE_NAME;
use super::error::AppError;
use crate::AppState;

pub const POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data: blob: https:; media-src 'self' blob: https:; font-src 'self' data:; \
     connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
     frame-ancestors 'none'";

/// Paths whose answers concern a person or an account whoever asks (sign-in answers carry a
/// token; `/me` and `/admin` show personal data), besides any answer to a signed-in request.
const PERSONAL_PREFIXES: &[&str] = &[
    "/me",
    "/admin",
    "/api/",
    "/login",
    "/register",
    "/logout",
    "/metrics",
];

/// Middleware adding the security headers. Static assets keep the caching their route sets;
/// everything personal is `no-store`, so neither a shared proxy nor the browser's history keeps it.
pub async fn secure(request: Request, next: Next) -> Response {
    let personal = !request.uri().path().starts_with("/assets/")
        && (carries_credentials(request.headers())
            || PERSONAL_PREFIXES
                .iter()
                .any(|prefix| under(request.uri().path(), prefix)));
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(POLICY));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if personal {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// `/me` covers `/me` and `/me/...` but not `/members`; a prefix ending in `/` covers what
/// starts with it.
fn under(path: &str, prefix: &str) -> bool {
    match path.strip_prefix(prefix) {
        Some(rest) => prefix.ends_with('/') || rest.is_empty() || rest.starts_with('/'),
        None => false,
    }
}

/// Whether the request names a session: a bearer token or the session cookie (valid or not).
fn carries_credentials(headers: &HeaderMap) -> bool {
    headers.contains_key(AUTHORIZATION)
        || headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .any(|pair| pair.trim().split_once('=').map(|(name, _)| name) == Some(COOKIE_NAME))
}

/// Guards `/metrics`: a client on this machine that no proxy speaks for, or one presenting
/// `Authorization: Bearer $TIANFU_METRICS_TOKEN`. Anyone else gets the API's 404, so the route
/// does not even show that it exists.
pub async fn metrics_guard(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    let token = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim);
    if may_read_metrics(
        peer,
        forwarded(request.headers()),
        token,
        app.config.metrics_token.as_deref(),
    ) {
        next.run(request).await
    } else {
        AppError::NotFound("接口不存在".into()).into_response()
    }
}

/// A reverse proxy on the same machine connects from loopback on behalf of someone else, and
/// says so in one of these headers; such a request is not a local one.
fn forwarded(headers: &HeaderMap) -> bool {
    ["forwarded", "x-forwarded-for", "x-real-ip"]
        .iter()
        .any(|name| headers.contains_key(*name))
}

fn may_read_metrics(
    peer: Option<IpAddr>,
    forwarded: bool,
    token: Option<&str>,
    expected: Option<&str>,
) -> bool {
    let local = peer.is_some_and(|ip| ip.is_loopback()) && !forwarded;
    let bearer = match (token, expected) {
        (Some(given), Some(expected)) if !expected.is_empty() => {
            constant_time_eq(given.as_bytes(), expected.as_bytes())
        }
        _ => false,
    };
    local || bearer
}

/// Compares without stopping at the first difference, so the time taken says nothing about how
/// much of a guess was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_cover_their_subtree_only() {
        assert!(under("/me", "/me"));
        assert!(under("/me/listings", "/me"));
        assert!(!under("/members", "/me"));
        assert!(under("/api/v1/me", "/api/"));
        assert!(!under("/market", "/me"));
    }

    #[test]
    fn metrics_for_loopback_or_the_token() {
        let local: IpAddr = "127.0.0.1".parse().unwrap();
        let remote: IpAddr = "203.0.113.9".parse().unwrap();
        assert!(may_read_metrics(Some(local), false, None, None));
        assert!(!may_read_metrics(Some(local), true, None, None));
        assert!(!may_read_metrics(Some(remote), false, None, None));
        assert!(!may_read_metrics(Some(remote), false, Some(""), Some("")));
        assert!(!may_read_metrics(
            Some(remote),
            false,
            Some("guess"),
            Some("s3cret")
        ));
        assert!(may_read_metrics(
            Some(remote),
            true,
            Some("s3cret"),
            Some("s3cret")
        ));
    }

    #[test]
    fn the_session_cookie_or_a_bearer_counts_as_signed_in() {
        let mut headers = HeaderMap::new();
        assert!(!carries_credentials(&headers));
        headers.insert(COOKIE, HeaderValue::from_static("theme=dark"));
        assert!(!carries_credentials(&headers));
        headers.insert(
            COOKIE,
            HeaderValue::from_static("theme=dark; tianfu_session=abc"),
        );
        assert!(carries_credentials(&headers));
    }

    /// The policy holds only while the templates carry nothing inline: this reads every one.
    #[test]
    fn templates_carry_no_inline_script_or_style() {
        fn visit(dir: &std::path::Path, found: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).expect("templates folder") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    visit(&path, found);
                    continue;
                }
                let text = std::fs::read_to_string(&path).expect("template text");
                let name = path.display();
                for (at, _) in text.match_indices("<script") {
                    let tag = &text[at..at + text[at..].find('>').unwrap_or(0)];
                    if !tag.contains(" src=") && !tag.contains(r#"type="application/json""#) {
                        found.push(format!("{name}: inline script {tag}"));
                    }
                }
                if text.contains("<style") || text.contains(" style=") {
                    found.push(format!("{name}: inline style"));
                }
                if text.contains("javascript:") {
                    found.push(format!("{name}: javascript: URL"));
                }
                // ` on…=` inside a tag: an event handler attribute.
                for (at, _) in text.match_indices(" on") {
                    let rest = &text[at + 3..];
                    let word = rest
                        .find(|c: char| !c.is_ascii_lowercase())
                        .map(|end| &rest[..end])
                        .unwrap_or("");
                    if !word.is_empty() && rest[word.len()..].starts_with('=') {
                        found.push(format!("{name}: handler on{word}="));
                    }
                }
            }
        }
        let mut found = Vec::new();
        visit(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates"),
            &mut found,
        );
        assert!(found.is_empty(), "{found:#?}");
    }
}
