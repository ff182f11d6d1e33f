//! Every cookie the site sets gets `Secure` when the request came over HTTPS: when the site is
//! configured as served over HTTPS (`TIANFU_SECURE_COOKIES`), or when the request carries
//! `X-Forwarded-Proto: https`. Trust that header only behind a reverse proxy that sets it (and
//! overwrites whatever the client sent): a client can send it itself, though all it gains is a
//! cookie its own plain-HTTP connection will not send back.
//!
//! One layer rather than a flag at each `Set-Cookie`, so that a cookie added later cannot forget.

use axum::extract::{Request, State};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

/// The value of the request's cookie `name` (trimmed), if it holds a non-empty one.
pub fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}

pub fn forwarded_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"))
}

pub async fn secure_when_https(
    State(app): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let https = app.config.secure_cookies || forwarded_https(request.headers());
    let mut response = next.run(request).await;
    if https {
        mark_secure(response.headers_mut());
    }
    response
}

fn mark_secure(headers: &mut HeaderMap) {
    let cookies: Vec<HeaderValue> = headers.get_all(SET_COOKIE).iter().cloned().collect();
    if cookies.is_empty() {
        return;
    }
    headers.remove(SET_COOKIE);
    for cookie in cookies {
        headers.append(SET_COOKIE, with_secure(cookie));
    }
}

fn with_secure(cookie: HeaderValue) -> HeaderValue {
    let Ok(text) = cookie.to_str() else {
        return cookie;
    };
    let already = text
        .split(';')
        .any(|attribute| attribute.trim().eq_ignore_ascii_case("secure"));
    if already {
        return cookie;
    }
    HeaderValue::from_str(&format!("{text}; Secure")).unwrap_or(cookie)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_secure_once() {
        let plain = HeaderValue::from_static("a=1; Path=/; HttpOnly");
        assert_eq!(with_secure(plain), "a=1; Path=/; HttpOnly; Secure");
        let secure = HeaderValue::from_static("a=1; Path=/; Secure");
        assert_eq!(with_secure(secure), "a=1; Path=/; Secure");
    }

    #[test]
    fn reads_a_cookie_by_name() {
        let mut headers = HeaderMap::new();
        assert_eq!(read(&headers, "a"), None);
        headers.insert(COOKIE, HeaderValue::from_static("ab=0; a= 1 ; empty="));
        headers.append(COOKIE, HeaderValue::from_static("b=2"));
        assert_eq!(read(&headers, "a").as_deref(), Some("1"));
        assert_eq!(read(&headers, "b").as_deref(), Some("2"));
        assert_eq!(read(&headers, "empty"), None);
        assert_eq!(read(&headers, "c"), None);
    }

    #[test]
    fn reads_the_first_forwarded_proto() {
        let mut headers = HeaderMap::new();
        assert!(!forwarded_https(&headers));
        headers.insert("x-forwarded-proto", HeaderValue::from_static("https, http"));
        assert!(forwarded_https(&headers));
        headers.insert("x-forwarded-proto", HeaderValue::from_static("http"));
        assert!(!forwarded_https(&headers));
    }
}
