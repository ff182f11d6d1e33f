//! Pages: a resource with its player (`/kepu/resources/{id}`), writing one (`/kepu/write`), and
//! the 科普 staff's resources and review queue (`/admin/kepu/resources`).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::api::{self, ResourceView};
use super::content::ResourceBody;
use super::store::{self, ResourceFilter};
use crate::kepu::audience::{Audience, Format};
use crate::platform::api::Paging;
use crate::platform::auth::{Actor, ClientIp, MaybeUser, PageStaff, PageUser};
use crate::platform::error::AppError;
use crate::platform::page::PageError;
use crate::{App, AppState, on_db};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/kepu/resources/{id}", get(show))
        .route("/kepu/resources/{id}/progress", post(progress))
        .route("/kepu/write", get(write_form).post(write))
        .route("/admin/kepu/resources", get(staff_list))
        .route("/admin/kepu/resources/{id}/review", post(review))
}

/// The cookie that tells one anonymous browser from another, for 浏览量 (no person behind it).
const READER_COOKIE: &str = "tianfu_reader";

fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .filter(|v| v.len() == 32 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn new_reader_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let seed = format!(
        "{:?}{}{}",
        std::time::SystemTime::now(),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    super::reader::short_hash(&seed) + &super::reader::short_hash(&(seed + "2"))
}

#[derive(Template, WebTemplate)]
#[template(path = "kepu/resource.html")]
pub struct ResourcePage {
    me: Option<Actor>,
    v: ResourceView,
    is_author: bool,
    can_review: bool,
    completed: bool,
    liked: bool,
    published: String,
    /// For an active 科普员: this resource's link with their share code.
    share: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    /// A 科普员's share code.
    from: Option<String>,
}

pub async fn show(
    State(app): State<AppState>,
    MaybeUser(me): MaybeUser,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<ShowQuery>,
) -> Result<Response, PageError> {
    let fail = |e| PageError::new(e, me.clone());
    let id: i64 = id
        .parse()
        .map_err(|_| fail(AppError::not_found("科普资源")))?;
    let row = api::readable(&app, me.as_ref(), id).await.map_err(fail)?;
    let mut set_cookie = None;
    if row.is_published() {
        let cookie = cookie_value(&headers, READER_COOKIE);
        let reader = match (&me, cookie) {
            (Some(_), cookie) => cookie,
            (None, Some(cookie)) => Some(cookie),
            (None, None) => {
                let fresh = new_reader_id();
                set_cookie = Some(fresh.clone());
                Some(fresh)
            }
        };
        let device = reader.as_ref().map(|r| format!("c:{r}"));
        let sharer = query
            .from
            .filter(|c| crate::kepu::sharers::share::is_code_shaped(c));
        super::reader::note_read(
            &app,
            &row,
            me.as_ref(),
            reader.as_deref(),
            ip,
            device,
            sharer,
        )
        .await;
    }
    let (completed, liked) = match &me {
        Some(me) => read_state(&app, me.id.0, id).await.map_err(fail)?,
        None => (false, false),
    };
    let is_author = me.as_ref().is_some_and(|m| m.id.0 == row.author_id);
    let can_review = me.as_ref().is_some_and(|m| {
        row.status == "pending"
            && api::may_review(
                m,
                &tianfu_domain::RegionCode::parse(&row.region_or_province())
                    .unwrap_or_else(|_| tianfu_domain::RegionCode::parse("51").expect("province")),
            )
    });
    let published = row
        .published_at
        .map(crate::platform::clock::shanghai)
        .unwrap_or_default();
    let share = if row.is_published() {
        crate::kepu::sharers::pages::share_link_for(&app, me.as_ref(), &headers, id).await
    } else {
        None
    };
    let v = ResourceView::new(&app, row).await.map_err(fail)?;
    let page = ResourcePage {
        me,
        v,
        is_author,
        can_review,
        completed,
        liked,
        published,
        share,
    };
    let mut response = page.into_response();
    if let Some(value) = set_cookie
        && let Ok(header_value) = HeaderValue::from_str(&format!(
            "{READER_COOKIE}={value}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax"
        ))
    {
        response
            .headers_mut()
            .append(header::SET_COOKIE, header_value);
    }
    Ok(response)
}

async fn read_state(app: &App, user: i64, resource: i64) -> Result<(bool, bool), AppError> {
    let state: Option<(bool, bool)> = on_db!(&app.db, pool => sqlx::query_as(
        "SELECT completed, liked FROM kepu_reads WHERE user_id = $1 AND resource_id = $2")
        .bind(user).bind(resource).fetch_optional(pool).await)?;
    Ok(state.unwrap_or((false, false)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProgressForm {
    completed: String,
    liked: String,
}

pub async fn progress(
    State(app): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
    Form(form): Form<ProgressForm>,
) -> Result<Response, PageError> {
    let fail = |e| PageError::new(e, Some(me.clone()));
    let id: i64 = id
        .parse()
        .map_err(|_| fail(AppError::not_found("科普资源")))?;
    let row = api::readable(&app, Some(&me), id).await.map_err(fail)?;
    if row.is_published() {
        super::reader::mark_progress(
            &app,
            me.id.0,
            id,
            !form.completed.is_empty(),
            !form.liked.is_empty(),
        )
        .await
        .map_err(fail)?;
    }
    Ok(Redirect::to(&format!("/kepu/resources/{id}#actions")).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "kepu/write.html")]
pub struct WritePage {
    me: Option<Actor>,
    form: WriteForm,
    channels: Vec<(String, String)>,
    audiences: [Audience; 5],
    formats: [Format; 3],
    direct: bool,
    errors: std::collections::BTreeMap<String, String>,
    mine: Vec<ResourceView>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct WriteForm {
    title: String,
    body: String,
    format: String,
    channel: String,
    audiences: Vec<String>,
    /// Separated by commas or spaces.
    tags: String,
    region_code: String,
    summary: String,
    media_id: String,
    cover_id: String,
}

impl WriteForm {
    fn has_audience(&self, code: &&str) -> bool {
        self.audiences.iter().any(|a| a == code)
    }
}

async fn write_page(
    app: &App,
    me: Actor,
    form: WriteForm,
    errors: std::collections::BTreeMap<String, String>,
) -> Result<WritePage, PageError> {
    let fail = |e| PageError::new(e, Some(me.clone()));
    if !api::may_write(&me) {
        return Err(fail(AppError::Forbidden(
            "只有全民科普服务部工作人员、科技工作者和科技志愿者可以发布科普资源".into(),
        )));
    }
    let channels = store::channels(&app.db).await.map_err(fail)?;
    let (rows, _) = store::list(
        &app.db,
        &ResourceFilter {
            author: Some(me.id.0),
            ..Default::default()
        },
        Paging {
            page: Some(1),
            per_page: Some(20),
        },
    )
    .await
    .map_err(fail)?;
    let mine = rows
        .into_iter()
        .map(|row| ResourceView::with(app, row, &channels, None, None))
        .collect();
    Ok(WritePage {
        direct: api::publishes_directly(&me),
        me: Some(me),
        form,
        channels,
        audiences: Audience::ALL,
        formats: Format::ALL,
        errors,
        mine,
    })
}

pub async fn write_form(
    State(app): State<AppState>,
    PageUser(me): PageUser,
) -> Result<WritePage, PageError> {
    let form = WriteForm {
        format: "article".into(),
        ..Default::default()
    };
    write_page(&app, me, form, Default::default()).await
}

pub async fn write(
    State(app): State<AppState>,
    PageUser(me): PageUser,
    axum::extract::RawForm(raw): axum::extract::RawForm,
) -> Result<Response, PageError> {
    // Checkboxes repeat their name; serde_urlencoded cannot read a repeated key into a Vec.
    let mut form = WriteForm::default();
    for (key, value) in form_urlencoded::parse(&raw) {
        let value = value.into_owned();
        match key.as_ref() {
            "title" => form.title = value,
            "body" => form.body = value,
            "format" => form.format = value,
            "channel" => form.channel = value,
            "audiences" => form.audiences.push(value),
            "tags" => form.tags = value,
            "region_code" => form.region_code = value,
            "summary" => form.summary = value,
            "media_id" => form.media_id = value,
            "cover_id" => form.cover_id = value,
            _ => {}
        }
    }
    let id = |text: &str| text.trim().parse::<i64>().ok();
    let body = ResourceBody {
        title: form.title.clone(),
        body: form.body.clone(),
        format: form.format.clone(),
        channel: form.channel.clone(),
        audiences: form.audiences.clone(),
        tags: form
            .tags
            .split([',', '，', ' ', '、'])
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect(),
        region_code: Some(form.region_code.clone()),
        summary: Some(form.summary.clone()),
        media_id: id(&form.media_id),
        cover_id: id(&form.cover_id),
    };
    match api::create_as(&app, &me, &body).await {
        Ok(row) => Ok(Redirect::to(&format!("/kepu/resources/{}", row.id)).into_response()),
        Err(AppError::Validation(fields)) => Ok(write_page(&app, me, form, fields.into_map())
            .await?
            .into_response()),
        Err(error) => Err(PageError::new(error, Some(me))),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "kepu/staff_resources.html")]
pub struct StaffResourcesPage {
    me: Option<Actor>,
    scope_name: String,
    pending: Vec<ResourceView>,
    pending_total: i64,
    recent: Vec<ResourceView>,
    error: Option<String>,
    pager: crate::platform::page::Pager,
    pager_base: &'static str,
}

#[derive(Debug, Default, Deserialize)]
pub struct StaffQuery {
    error: Option<String>,
    page: Option<String>,
}

pub async fn staff_list(
    State(app): State<AppState>,
    PageStaff(me): PageStaff,
    Query(query): Query<StaffQuery>,
) -> Result<StaffResourcesPage, PageError> {
    let fail = |e| PageError::new(e, Some(me.clone()));
    let Some(scope) = api::review_scope(&me) else {
        return Err(fail(AppError::Forbidden(
            "科普资源由全民科普服务部管理".into(),
        )));
    };
    let channels = store::channels(&app.db).await.map_err(fail)?;
    let first = Paging {
        page: query.page.as_deref().and_then(|p| p.trim().parse().ok()),
        per_page: Some(20),
    };
    let (pending, pending_total) = store::list(
        &app.db,
        &ResourceFilter {
            status: Some("pending".into()),
            scope: Some(scope.clone()),
            ..Default::default()
        },
        first,
    )
    .await
    .map_err(fail)?;
    let (recent, _) = store::list(
        &app.db,
        &ResourceFilter {
            status: Some("published".into()),
            scope: Some(scope.clone()),
            ..Default::default()
        },
        Paging {
            page: Some(1),
            per_page: Some(20),
        },
    )
    .await
    .map_err(fail)?;
    let view = |rows: Vec<store::ResourceRow>| -> Vec<ResourceView> {
        rows.into_iter()
            .map(|row| ResourceView::with(&app, row, &channels, None, None))
            .collect()
    };
    Ok(StaffResourcesPage {
        scope_name: scope.name(&app.regions),
        pending: view(pending),
        pending_total,
        recent: view(recent),
        me: Some(me),
        error: query.error.filter(|e| !e.is_empty()),
        pager: crate::platform::page::Pager::new(first.page(), first.per_page(), pending_total),
        pager_base: "/admin/kepu/resources?",
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReviewForm {
    decision: String,
    reason: String,
}

pub async fn review(
    State(app): State<AppState>,
    PageStaff(me): PageStaff,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(form): Form<ReviewForm>,
) -> Result<Response, PageError> {
    let fail = |e| PageError::new(e, Some(me.clone()));
    let id: i64 = id
        .parse()
        .map_err(|_| fail(AppError::not_found("科普资源")))?;
    match api::decide(
        &app,
        &me,
        id,
        &form.decision,
        Some(&form.reason),
        ip.as_deref(),
    )
    .await
    {
        Ok(()) => Ok(Redirect::to("/admin/kepu/resources").into_response()),
        Err(error @ (AppError::Validation(_) | AppError::Conflict { .. })) => {
            let message = error
                .fields()
                .into_values()
                .next()
                .unwrap_or_else(|| error.to_string());
            Ok(Redirect::to(&format!(
                "/admin/kepu/resources?error={}",
                crate::platform::page::url_encode(&message)
            ))
            .into_response())
        }
        Err(error) => Err(fail(error)),
    }
}
