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
            500..=599 => "服务器开小差了",
            _ => "请求有误",
        };
        let page = ErrorPage {
            me: self.me,
            title: title.into(),
            message: self.error.to_string(),
        };
        (self.error.status(), page).into_response()
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

/// A `next` target is followed only when it is a path on this site, never another host.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => {
            path.to_owned()
        }
        _ => "/me".to_owned(),
    }
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
        assert_eq!(safe_next(Some("//evil.example/")), "/me");
        assert_eq!(safe_next(Some("https://evil.example/")), "/me");
        assert_eq!(safe_next(None), "/me");
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
