//! Whether a request comes from a page of this site: its `Origin` (or, when a browser sends
//! none, its `Referer`) must name the scheme and host the request was sent to. Browsers set both
//! headers themselves, so another site cannot forge them.

use axum::http::header::{HOST, ORIGIN, REFERER};
use axum::http::{HeaderMap, Uri};

/// `Ok` when the request's origin is our own; otherwise the Chinese reason.
pub fn check(headers: &HeaderMap, uri: &Uri, secure: bool) -> Result<(), &'static str> {
    let claimed = match headers.get(ORIGIN) {
        Some(origin) => origin.to_str().ok().map(str::to_owned),
        None => headers
            .get(REFERER)
            .and_then(|v| v.to_str().ok())
            .and_then(origin_of_url),
    };
    let Some(claimed) = claimed else {
        return Err("请求缺少来源信息（Origin/Referer），已拒绝；请从本站页面提交");
    };
    let Some(own) = own_origin(headers, uri, secure) else {
        return Err("无法确定请求的目标站点，已拒绝");
    };
    match normalise(&claimed) {
        Some(claimed) if claimed == own => Ok(()),
        _ => Err("跨站请求已拒绝：请从本站页面提交"),
    }
}

/// `scheme://host[:port]` the request was sent to: the `Host` header (or the URI's authority,
/// as HTTP/2 carries it), with the scheme a proxy reports in `X-Forwarded-Proto`, else https
/// when the site is configured for secure cookies, else http.
fn own_origin(headers: &HeaderMap, uri: &Uri, secure: bool) -> Option<String> {
    let host = headers
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| uri.authority().map(|a| a.to_string()))?;
    let forwarded = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .filter(|p| p == "http" || p == "https");
    let scheme = forwarded
        .or_else(|| uri.scheme_str().map(str::to_owned))
        .unwrap_or_else(|| if secure { "https" } else { "http" }.to_owned());
    normalise(&format!("{scheme}://{host}"))
}

/// The origin part of an absolute URL (what a `Referer` holds).
fn origin_of_url(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    Some(format!("{scheme}://{authority}"))
}

/// Lower-cased, without a port that is the scheme's default; `None` for anything that is not
/// an http(s) origin (such as `null`, sent from sandboxed frames and some redirects).
fn normalise(origin: &str) -> Option<String> {
    let origin = origin.trim().to_ascii_lowercase();
    let (scheme, authority) = origin.split_once("://")?;
    if authority.is_empty() || authority.contains(['/', '@', ' ']) {
        return None;
    }
    let authority = match scheme {
        "http" => authority.strip_suffix(":80").unwrap_or(authority),
        "https" => authority.strip_suffix(":443").unwrap_or(authority),
        _ => return None,
    };
    Some(format!("{scheme}://{authority}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    fn check_with(pairs: &[(&'static str, &str)]) -> bool {
        check(&headers(pairs), &Uri::from_static("/admin/staff"), false).is_ok()
    }

    #[test]
    fn own_origin_passes_and_others_do_not() {
        let host = ("host", "127.0.0.1:8080");
        assert!(check_with(&[host, ("origin", "http://127.0.0.1:8080")]));
        assert!(!check_with(&[host, ("origin", "http://evil.example")]));
        assert!(!check_with(&[host, ("origin", "http://127.0.0.1:8081")]));
        assert!(!check_with(&[host, ("origin", "https://127.0.0.1:8080")]));
        assert!(!check_with(&[host, ("origin", "null")]));
        assert!(!check_with(&[host]));
    }

    #[test]
    fn referer_counts_only_without_origin() {
        let host = ("host", "tianfu.example");
        assert!(check_with(&[
            host,
            ("referer", "http://tianfu.example/admin/staff?x=1")
        ]));
        assert!(!check_with(&[
            host,
            ("referer", "http://tianfu.example.evil.org/")
        ]));
        assert!(!check_with(&[
            host,
            ("origin", "http://evil.example"),
            ("referer", "http://tianfu.example/")
        ]));
    }

    #[test]
    fn the_proxy_scheme_and_default_ports_are_understood() {
        let forwarded = [
            ("host", "tianfu.example"),
            ("x-forwarded-proto", "https"),
            ("origin", "https://tianfu.example:443"),
        ];
        assert!(check_with(&forwarded));
        let plain = [
            ("host", "Tianfu.Example:80"),
            ("origin", "http://tianfu.example"),
        ];
        assert!(check_with(&plain));
        let secure = headers(&[
            ("host", "tianfu.example"),
            ("origin", "https://tianfu.example"),
        ]);
        assert!(check(&secure, &Uri::from_static("/x"), true).is_ok());
    }
}
