//! Cross-site request forgery, refused in one layer (`startup::with_layers`) for every route:
//!
//! - **Same origin.** A state-changing request (POST, PUT, PATCH, DELETE) that carries one of
//!   our cookies must come from a page of this site: its `Origin`, or its `Referer` when a
//!   browser sends no `Origin`, names our scheme and host ([`origin`]).
//! - **A token.** It must also carry the token of the secret it holds, in the form field
//!   `csrf_token` or the `X-CSRF-Token` header ([`token`]). The secret is the session cookie, or
//!   before sign-in a pre-session cookie set with the first page that has a form, so the login
//!   and registration forms are protected as well (another site cannot sign a person in as the
//!   attacker). Pages get the token on the way out ([`html`]): every unsafe form, and a
//!   `<meta>` for scripts, without templates having to remember it. The field is read from
//!   url-encoded bodies (and taken out before the handler sees them) and from the first part
//!   of multipart bodies ([`multipart`]).
//! - **Page forms need a cookie.** A form post to a page with neither cookie is refused, since no
//!   page of ours could have sent it (that is the login-CSRF case of a first visit).
//!
//! API clients that authenticate with `Authorization: Bearer` are not affected: a browser never
//! adds that header to a cross-site request, and with it the session cookie is not consulted.
//! Nor are cookie-less API calls (registration, login, public reads).

mod html;
mod multipart;
mod origin;
mod token;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub use token::token_for;

use super::audit::{self, AuditEntry};
use super::auth::COOKIE_NAME;
use super::cookies;
use super::error::AppError;
use super::page::PageError;
use crate::AppState;

/// The pre-session cookie: the secret of visitors who are not signed in.
pub const CSRF_COOKIE: &str = "tianfu_csrf";
/// The form field pages carry the token in.
pub const FIELD: &str = "csrf_token";
/// The header scripts and htmx carry the token in.
pub const HEADER: &str = "x-csrf-token";

/// The largest form body read to find the token; the `Form` extractor allows no more (2 MB).
const FORM_LIMIT: usize = 2 * 1024 * 1024;

/// The layer: checks state-changing requests, then puts the token into the page answered.
pub async fn guard(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let request = if is_unsafe(request.method()) {
        match check(&app, request).await {
            Ok(request) => request,
            Err(refusal) => return refusal,
        }
    } else {
        request
    };
    let secure = app.config.secure_cookies || cookies::forwarded_https(request.headers());
    let secret = secret(request.headers());
    let response = next.run(request).await;
    protect_page(response, secret, secure).await
}

fn is_unsafe(method: &Method) -> bool {
    !matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

/// The secret a request holds: its session cookie, else its pre-session cookie.
fn secret(headers: &HeaderMap) -> Option<String> {
    cookies::read(headers, COOKIE_NAME).or_else(|| cookies::read(headers, CSRF_COOKIE))
}

fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// Passes the request on (a form body without its token field) or answers the refusal.
async fn check(app: &AppState, request: Request) -> Result<Request, Response> {
    let bearer = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bearer "));
    if bearer {
        return Ok(request);
    }
    let who = Who {
        path: request.uri().path().to_owned(),
        ip: request
            .extensions()
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip().to_string()),
    };
    let api = is_api(&who.path);
    let Some(secret) = secret(request.headers()) else {
        if api {
            return Ok(request);
        }
        let reason = "页面已过期或未从本站打开，请刷新页面后重新提交";
        return Err(refuse(app, &who, reason, "no cookie").await);
    };
    if let Err(reason) = origin::check(request.headers(), request.uri(), app.config.secure_cookies)
    {
        return Err(refuse(app, &who, reason, "cross-origin").await);
    }
    let expected = token_for(&secret);
    const BAD_TOKEN: &str = "安全令牌无效或已过期，请刷新页面后重新提交";
    let header = request
        .headers()
        .get(HEADER)
        .map(|v| v.to_str().unwrap_or_default().to_owned());
    if header.is_none()
        && let Some(boundary) = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(multipart::boundary)
    {
        let (parts, body) = request.into_parts();
        let Ok((given, body)) = multipart::first_field(body, &boundary).await else {
            return Err(refuse(app, &who, BAD_TOKEN, "unreadable body").await);
        };
        let request = Request::from_parts(parts, body);
        return if given.is_some_and(|given| token::matches(&given, &expected)) {
            Ok(request)
        } else {
            Err(refuse(app, &who, BAD_TOKEN, "wrong token").await)
        };
    }
    // A url-encoded body loses its token field whether or not the header carried the token
    // (htmx sends both), so handlers never see it.
    let (field, request) = if is_form(request.headers()) {
        let (mut parts, body) = request.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, FORM_LIMIT).await else {
            let error = crate::platform::rejections::too_large();
            return Err(if api {
                error.into_response()
            } else {
                PageError::new(error, None).into_response()
            });
        };
        let (field, rest) = take_field(&bytes);
        parts
            .headers
            .insert(CONTENT_LENGTH, HeaderValue::from(rest.len()));
        (field, Request::from_parts(parts, Body::from(rest)))
    } else {
        (None, request)
    };
    match header.or(field) {
        Some(given) if token::matches(&given, &expected) => Ok(request),
        Some(_) => Err(refuse(app, &who, BAD_TOKEN, "wrong token").await),
        None => {
            let reason = "缺少安全令牌，请从本站页面提交";
            Err(refuse(app, &who, reason, "no token").await)
        }
    }
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

/// The token field's value and the body without it, every other pair left byte for byte (so
/// handlers that read every pair, or refuse unknown fields, never see it).
fn take_field(body: &[u8]) -> (Option<String>, Bytes) {
    let mut found = None;
    let mut kept: Vec<&[u8]> = Vec::new();
    for pair in body.split(|b| *b == b'&') {
        let mut decoded = form_urlencoded::parse(pair);
        match decoded.next() {
            Some((name, value)) if name == FIELD => {
                found.get_or_insert_with(|| value.into_owned());
            }
            _ if pair.is_empty() => {}
            _ => kept.push(pair),
        }
    }
    (found, Bytes::from(kept.join(&b'&')))
}

/// What the audit log records of a refused request.
struct Who {
    path: String,
    ip: Option<String>,
}

/// 403 in the JSON envelope for the API, as the Chinese error page otherwise; audited.
async fn refuse(app: &AppState, who: &Who, reason: &str, detail: &str) -> Response {
    audit::record(
        &app.db,
        app.clock.now(),
        AuditEntry {
            actor: None,
            action: "csrf.refused",
            subject: &who.path,
            ip: who.ip.as_deref(),
            detail,
        },
    )
    .await;
    let error = AppError::Forbidden(reason.to_owned());
    if is_api(&who.path) {
        error.into_response()
    } else {
        PageError::new(error, None).into_response()
    }
}

/// Puts the token into an HTML answer that needs it. The secret is the one the browser will
/// hold once it has this answer: a session cookie the answer sets wins over the request's; with
/// none at all and a form on the page, a pre-session cookie is set now.
async fn protect_page(response: Response, secret: Option<String>, secure: bool) -> Response {
    let is_html = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !is_html {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let Ok(page) = std::str::from_utf8(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    let needs_form_token = html::has_unsafe_form(page);
    let secret = match set_session(&parts.headers) {
        Some(Some(session)) => Some(session),
        Some(None) => None, // signing out: the session the request held is gone
        None => secret,
    };
    let secret = match secret {
        Some(secret) => secret,
        None if needs_form_token => {
            let fresh = token::new_secret();
            let secure = if secure { "; Secure" } else { "" };
            let cookie = format!("{CSRF_COOKIE}={fresh}; Path=/; HttpOnly; SameSite=Lax{secure}");
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                parts.headers.append(SET_COOKIE, value);
            }
            fresh
        }
        None => return Response::from_parts(parts, Body::from(bytes)),
    };
    let page = html::inject(page, &token_for(&secret));
    parts.headers.remove(CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(page))
}

/// What an answer does to the session cookie: `Some(Some(token))` sets one, `Some(None)` clears
/// it, `None` leaves it alone.
fn set_session(headers: &HeaderMap) -> Option<Option<String>> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next()?.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| Some(value.to_owned()).filter(|v| !v.is_empty()))
}

#[cfg(test)]
mod tests {
    use axum::http::header::COOKIE;

    use super::*;

    #[test]
    fn the_token_field_is_taken_out_and_the_rest_kept_as_sent() {
        let (token, rest) = take_field(b"name=%E5%BC%A0&csrf_token=abc&score_1=9+5&x=");
        assert_eq!(token.as_deref(), Some("abc"));
        assert_eq!(&rest[..], b"name=%E5%BC%A0&score_1=9+5&x=");
        let (token, rest) = take_field(b"a=1");
        assert_eq!(token, None);
        assert_eq!(&rest[..], b"a=1");
    }

    #[test]
    fn cookies_are_read_by_name() {
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, "a=1; tianfu_csrf=pre; other=2".parse().unwrap());
        assert_eq!(secret(&headers).as_deref(), Some("pre"));
        headers.append(COOKIE, "tianfu_session=sess".parse().unwrap());
        assert_eq!(secret(&headers).as_deref(), Some("sess"));
    }
}
