//! A 科普员's share links (`/kepu/resources/{id}?from=<code>`) and their QR images: what they
//! copy into a WeChat group or print on a poster at the village's notice board.

use axum::http::{HeaderMap, header};

/// Could `text` be a share code (what a view may carry as `sharer_code`)? Letters and digits, 1
/// to 32 of them; whether a 科普员 holds it is decided when reach is counted, so an unknown code
/// counts to nobody.
pub fn is_code_shaped(text: &str) -> bool {
    (1..=32).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The link of a resource as a 科普员 shares it, as a path on this site.
pub fn link_path(resource_id: i64, code: &str) -> String {
    format!("/kepu/resources/{resource_id}?from={code}")
}

/// This site's origin as the request reached it (`https://host`), so a link copied or scanned
/// elsewhere comes back here. The host is taken only if it looks like one; the scheme from a
/// proxy's `X-Forwarded-Proto`, else from whether the site runs with secure cookies (behind
/// HTTPS).
pub fn origin(headers: &HeaderMap, secure: bool) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 253
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("localhost");
    let forwarded = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .filter(|p| matches!(*p, "http" | "https"));
    let scheme = forwarded.unwrap_or(if secure { "https" } else { "http" });
    format!("{scheme}://{host}")
}

/// The site's address for links people copy or scan (share links, the venue's check-in QR):
/// the configured public address (`TIANFU_PUBLIC_URL`), else [`origin`] of the request.
pub fn site_origin(config: &crate::platform::config::Config, headers: &HeaderMap) -> String {
    match &config.kepu.public_url {
        Some(url) => url.clone(),
        None => origin(headers, config.secure_cookies),
    }
}

/// The QR image of `url`, as SVG text; `None` if the text is too long for a QR code.
pub fn qr_svg(url: &str) -> Option<String> {
    crate::platform::qr::svg(url, 220)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_carries_the_code_and_its_qr_is_an_svg() {
        assert_eq!(link_path(7, "abc23"), "/kepu/resources/7?from=abc23");
        let svg = qr_svg("https://example.org/kepu/resources/7?from=abc23").unwrap();
        assert!(svg.contains("<svg"), "{svg}");
    }

    #[test]
    fn the_origin_ignores_a_host_that_is_not_one() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, "kepu.example.org:8080".parse().unwrap());
        assert_eq!(origin(&headers, true), "https://kepu.example.org:8080");
        headers.insert("x-forwarded-proto", "http".parse().unwrap());
        assert_eq!(origin(&headers, true), "http://kepu.example.org:8080");
        headers.insert(header::HOST, "evil.org/<script>".parse().unwrap());
        assert_eq!(origin(&headers, false), "http://localhost");
    }
}
