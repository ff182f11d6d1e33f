//! The market's pages (Simplified Chinese, server-rendered, working without JavaScript): the
//! market front page, one page per listing, studios, the publishing forms and "my listings" in
//! the workspace, and the staff review queue. They call the same `service` functions as the
//! API, so the pages and the API can never disagree about who may see or change what.

mod form_input;
mod forms;
mod listings;
mod review;
mod studio;
mod studio_review;
mod undo;

use axum::Router;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tianfu_domain::ListingKind;

use super::service;
use super::store::{self, ListingRow};
use super::view::ListingView;
use crate::platform::auth::{Actor, ClientIp, PageUser};
use crate::platform::clock::shanghai;
use crate::platform::error::AppError;
use crate::platform::page::PageError;
use crate::{App, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/market", get(listings::market))
        .route("/offers/{id}", get(listings::offer))
        .route("/achievements/{id}", get(listings::achievement))
        .route("/needs/{id}", get(listings::need))
        .route("/me/listings", get(listings::mine))
        .route("/me/listings/{id}/status", post(listings::change_status))
        .route("/me/listings/{id}/undo", post(undo::undo))
        .route("/me/listings/{id}/reopen", post(undo::reopen))
        .route("/me/listings/new", get(forms::new_form).post(forms::create))
        .route(
            "/me/listings/{id}/edit",
            get(forms::edit_form).post(forms::update),
        )
        .route("/studios/{id}", get(studio::show))
        .route("/me/studio", get(studio::mine).post(studio::open))
        .route("/admin/reviews", get(review::queue))
        .route("/admin/reviews/batch", post(review::batch))
        .route("/admin/reviews/{kind}/{id}", post(review::decide))
        .route("/admin/studios/reviews", get(studio_review::queue))
        .route("/admin/studios/{id}/review", post(studio_review::decide))
}

/// The public page of a listing: `/offers/1`, `/achievements/2`, `/needs/3`.
pub fn detail_href(kind: &str, id: i64) -> String {
    format!("/{kind}s/{id}")
}

/// A path id that is not a number is a page that does not exist, not a bad request.
fn parse_id(raw: &str, what: &str) -> Result<i64, AppError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| AppError::not_found(what))
}

/// A 1-based page number from a query string; anything unreadable is the first page.
fn page_number(raw: Option<&str>) -> u32 {
    raw.and_then(|p| p.trim().parse::<u32>().ok())
        .unwrap_or(1)
        .max(1)
}

/// One listing as a line of a list: the view plus the captions that differ by kind.
pub struct Line {
    pub href: String,
    pub view: ListingView,
    pub kind_label: &'static str,
    /// 服务类型 / 成果类型 / 需求类型.
    pub type_caption: &'static str,
    pub type_label: String,
    /// 价格 or 预算.
    pub price_caption: &'static str,
    /// Date of publication (Asia/Shanghai), empty when not published.
    pub published: String,
    /// When it was last submitted for review (Asia/Shanghai).
    pub submitted: String,
    /// Its owner's 撤回/关闭 can still be undone (`market::undo`).
    pub undoable: bool,
}

impl Line {
    pub fn new(app: &App, row: ListingRow) -> Self {
        let submitted = shanghai(row.updated_at);
        let undoable = crate::market::undo::undoable(&row, app.clock.now());
        Line {
            undoable,
            ..Line::from_view(ListingView::new(app, row), submitted)
        }
    }

    pub fn from_view(view: ListingView, submitted: String) -> Self {
        let kind = ListingKind::parse(&view.kind).unwrap_or(ListingKind::Offer);
        let (type_caption, type_label, price_caption) = match kind {
            ListingKind::Offer => ("服务类型", view.service_type_label.clone(), "价格"),
            ListingKind::Achievement => ("成果类型", view.achievement_kind_label.clone(), "价格"),
            ListingKind::Need => ("需求类型", view.need_kind_label.clone(), "预算"),
        };
        Line {
            href: detail_href(&view.kind, view.id),
            kind_label: kind.label(),
            type_caption,
            type_label: type_label.unwrap_or_default(),
            price_caption,
            published: view
                .published_at
                .map(|at| shanghai(at).chars().take(10).collect())
                .unwrap_or_default(),
            submitted,
            undoable: false,
            view,
        }
    }
}

/// The signed-in person's own listing named by the path (`/me/listings/{id}/…`), for a change:
/// what every "my listing" action (撤回/关闭, 撤销, 重新提交, 修改) starts from. A visitor not signed
/// in goes to the login page; a path that is no listing, or one they may not see, is a 404; one
/// they may see but is someone else's is a 403, audited through `service::owned`.
pub struct MyListing {
    pub actor: Actor,
    pub row: ListingRow,
    pub kind: ListingKind,
}

impl FromRequestParts<AppState> for MyListing {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Response> {
        let PageUser(actor) = PageUser::from_request_parts(parts, app).await?;
        let ClientIp(ip) = ClientIp::from_request_parts(parts, app)
            .await
            .unwrap_or(ClientIp(None));
        let fail = |e| PageError::new(e, Some(actor.clone())).into_response();
        let Path(raw) = Path::<String>::from_request_parts(parts, app)
            .await
            .map_err(|_| fail(AppError::not_found("内容")))?;
        let id = parse_id(&raw, "内容").map_err(fail)?;
        let kind = store::find(&app.db, id)
            .await
            .map_err(|e| fail(e.into()))?
            .and_then(|row| row.kind())
            .ok_or_else(|| fail(AppError::not_found("内容")))?;
        let row = service::owned(app, &actor, kind, id, ip.as_deref())
            .await
            .map_err(fail)?;
        Ok(MyListing { actor, row, kind })
    }
}

/// The first message of an error, for a line at the top of a page.
pub fn first_message(error: &AppError) -> String {
    error
        .fields()
        .into_values()
        .next()
        .unwrap_or_else(|| error.to_string())
}
