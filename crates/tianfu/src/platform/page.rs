//! Server-rendered pages: the error page, and small helpers every page uses.

use askama::Template;
use askama_web::WebTemplate;
use axum::response::{IntoResponse, Response};

use super::auth::Actor;
use super::error::AppError;

/// An error shown as a Chinese page in the site's shell, with the right status.
pub struct PageError {
    error: AppError,
    me: Option<Actor>,
}

impl PageError {
    pub fn new(error: AppError, me: Option<Actor>) -> Self {
        Self { error, me }
    }
}

impl From<AppError> for PageError {
    fn from(error: AppError) -> Self {
        Self { error, me: None }
    }
}

impl From<sqlx::Error> for PageError {
    fn from(error: sqlx::Error) -> Self {
        AppError::from(error).into()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage {
    me: Option<Actor>,
    title: String,
    message: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        self.error.log_if_internal();
        let title = match self.error.status().as_u16() {
            401 => "请先登录",
            403 => "无权访问",
            404 => "页面不存在",
            423 => "账号已锁定",
            429 => "操作过于频繁",
            500..=599 => "服务器开小差了",
            _ => "请求有误",
        };
        let page = ErrorPage {
            me: self.me,
            title: title.into(),
            message: self.error.to_string(),
        };
        let mut response = (self.error.status(), page).into_response();
        self.error.add_retry_after(&mut response);
        response
    }
}

/// The unknown-page answer for everything outside `/api`.
pub async fn not_found() -> PageError {
    PageError::new(
        AppError::NotFound("您要找的页面不存在或已被移除".into()),
        None,
    )
}

/// Percent-encodes a value for a query string (`?next=…`, paging links).
pub fn url_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Where to go after signing in (or another act that returns somewhere): `next` when it is a
/// path on this site, otherwise `/me`. The answer is always a normalised local path that is
/// safe to put in a `Location` header.
pub fn safe_next(next: Option<&str>) -> String {
    local_next(next).unwrap_or_else(|| "/me".to_owned())
}

/// `next` when it is a path on this site (by the rule of [`safe_next`]), else nothing: for acts
/// whose own default differs from `/me` (registration lands on its welcome).
pub fn local_next(next: Option<&str>) -> Option<String> {
    next.and_then(local_path)
}

/// `path` carrying `next` along (`/register?next=…`) unless `next` is the default `/me`, so a
/// visitor who moves between 登录 and 注册 keeps the link they came with.
pub fn carrying_next(path: &str, next: &str) -> String {
    if next == "/me" || next.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?next={}", url_encode(next))
    }
}

/// The longest `next` followed; a longer one is not a link anyone clicked.
const MAX_NEXT_LEN: usize = 2048;

/// Parses `raw` as a local path, or refuses it.
///
/// Browsers drop tabs and newlines anywhere in a URL and read `\` as `/` (so `/\t/evil.example`
/// and `/\evil.example` go to another host), and a target may be percent-encoded once more by
/// whoever built the link. So the text must start with exactly one `/`, hold no control
/// character and no backslash, and so must every percent-decoding of it. What passes is
/// rebuilt from its segments (`.` and `..` resolved, empty segments dropped) and percent-encoded
/// where a header could not carry it.
fn local_path(raw: &str) -> Option<String> {
    if raw.len() > MAX_NEXT_LEN {
        return None;
    }
    let mut text = raw.to_owned();
    // Each round decodes one layer; a target still changing after four is refused.
    for _ in 0..4 {
        if !plainly_local(&text) {
            return None;
        }
        let decoded = percent_decode(&text);
        if decoded == text {
            return Some(normalise(raw));
        }
        text = decoded;
    }
    None
}

/// One `/` first, then anything but a second `/`, a backslash or a control character.
fn plainly_local(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next() == Some('/')
        && !matches!(chars.next(), Some('/') | Some('\\'))
        && !text.chars().any(|c| c.is_control() || c == '\\')
}

/// `%XX` sequences decoded (invalid ones left as they are); bytes that are not UTF-8 become
/// U+FFFD, which is not a control character, so the caller's checks still read them.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let (Some(high), Some(low)) = (
                bytes.get(i + 1).and_then(|b| (*b as char).to_digit(16)),
                bytes.get(i + 2).and_then(|b| (*b as char).to_digit(16)),
            )
        {
            out.push((high * 16 + low) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The path's segments resolved as a browser would (`.` dropped, `..` climbing, never above the
/// root), empty segments dropped so no `//` survives, then the query and fragment kept; every
/// byte a `Location` header should not carry raw is percent-encoded.
fn normalise(path: &str) -> String {
    let (path, rest) = match path.find(['?', '#']) {
        Some(at) => path.split_at(at),
        None => (path, ""),
    };
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." | "%2e" | "%2E" => {}
            ".." | "%2e%2e" | "%2E%2E" | ".%2e" | "%2e." | ".%2E" | "%2E." => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    let mut out = format!("/{}", segments.join("/"));
    if path.ends_with('/') && !segments.is_empty() {
        out.push('/');
    }
    out.push_str(rest);
    out.bytes()
        .map(|b| {
            if b.is_ascii_graphic() && !b"\"<>`{}|^".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Links for a paged list: page numbers around the current one and the total page count.
pub struct Pager {
    pub page: u32,
    pub pages: u32,
    pub total: i64,
}

impl Pager {
    pub fn new(page: u32, per_page: u32, total: i64) -> Self {
        let pages = ((total.max(0) as u64).div_ceil(u64::from(per_page)) as u32).max(1);
        Self {
            page: page.min(pages),
            pages,
            total,
        }
    }

    /// The pager of a list read with `paging` that found `total` rows.
    pub fn of(paging: &super::api::Paging, total: i64) -> Self {
        Self::new(paging.page(), paging.per_page(), total)
    }

    pub fn window(&self) -> Vec<u32> {
        let start = self.page.saturating_sub(3).max(1);
        let end = (self.page + 3).min(self.pages);
        (start..=end).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(
            safe_next(Some("/admin/users?page=2")),
            "/admin/users?page=2"
        );
        assert_eq!(safe_next(Some("/me")), "/me");
        assert_eq!(safe_next(Some("/market/offers/7")), "/market/offers/7");
        assert_eq!(safe_next(Some("/search?q=a%2Fb")), "/search?q=a%2Fb");
        assert_eq!(safe_next(None), "/me");
        assert_eq!(safe_next(Some("")), "/me");
    }

    #[test]
    fn next_refuses_other_hosts_however_written() {
        for attempt in [
            "//evil.example/",
            "https://evil.example/",
            "evil.example/phish",
            "me",
            " /me",
            "/\tevil.example",
            "/\t/evil.example/phish",
            "/%09/evil.example/phish",
            "/%0a",
            "/\n",
            "/\r\n/evil",
            "/\\evil.example",
            "\\/evil.example",
            "/x\\..\\..\\evil",
            "/%2F/evil.example",
            "/%2f%2fevil.example",
            "/%5Cevil.example",
            "/%5c/evil",
            "/%252F/evil.example",
            "/%25252F/evil.example",
            "/%00",
            "/ok\u{7f}",
            "/ok\u{85}",
            "javascript:alert(1)",
        ] {
            assert_eq!(safe_next(Some(attempt)), "/me", "{attempt:?}");
        }
        assert_eq!(safe_next(Some(&format!("/{}", "a".repeat(3000)))), "/me");
    }

    #[test]
    fn next_is_normalised() {
        // Dot segments and doubled slashes inside are resolved as a browser would, never above /.
        assert_eq!(safe_next(Some("/a/./b/../c")), "/a/c");
        assert_eq!(safe_next(Some("/../../etc")), "/etc");
        assert_eq!(safe_next(Some("/.//evil.example")), "/evil.example");
        assert_eq!(safe_next(Some("/a//b/")), "/a/b/");
        assert_eq!(safe_next(Some("/%2e%2e/x")), "/x");
        // What a header cannot carry raw is encoded; the query is kept.
        assert_eq!(
            safe_next(Some("/搜索 页?q=张")),
            "/%E6%90%9C%E7%B4%A2%20%E9%A1%B5?q=%E5%BC%A0"
        );
        assert_eq!(safe_next(Some("/x?a=\"<b>\"")), "/x?a=%22%3Cb%3E%22");
        // The answer is always a valid Location value.
        for next in ["/a b", "/é", "/x?y=\u{fffd}"] {
            assert!(axum::http::HeaderValue::from_str(&safe_next(Some(next))).is_ok());
        }
    }

    #[test]
    fn next_is_carried_between_login_and_register_unless_default() {
        assert_eq!(carrying_next("/register", "/me"), "/register");
        assert_eq!(
            carrying_next("/register", "/kepu/checkin?code=AB&x=1"),
            "/register?next=/kepu/checkin%3Fcode%3DAB%26x%3D1"
        );
        assert_eq!(local_next(Some("//evil.example")), None);
        assert_eq!(local_next(Some("/kepu/x")).as_deref(), Some("/kepu/x"));
    }

    #[test]
    fn pager_counts_pages_and_clamps() {
        let pager = Pager::new(9, 20, 41);
        assert_eq!((pager.page, pager.pages), (3, 3));
        assert_eq!(pager.window(), vec![1, 2, 3]);
        assert_eq!(Pager::new(1, 20, 0).pages, 1);
    }

    #[test]
    fn url_encoding_escapes_chinese_and_separators() {
        assert_eq!(url_encode("张 &"), "%E5%BC%A0%20%26");
        assert_eq!(url_encode("/me?x=1"), "/me%3Fx%3D1");
    }
}
