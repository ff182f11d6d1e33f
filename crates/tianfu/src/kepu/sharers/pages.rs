//! `/me/sharer`: my 科普员 dashboard, phone first — my code and links to share (copy, QR), my
//! reach, what I shared most, my offline activity reports and the form to report one. Forms
//! work without JavaScript (photos are attached by the page's script through the media API).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tianfu_domain::{FieldErrors, RegionCode};

use super::report_service::{self, ReportInput};
use super::reports::ReportView;
use super::service::{self, SharerDetail};
use super::share;
use super::store;
use crate::platform::api::Paging;
use crate::platform::auth::{Actor, PageUser};
use crate::platform::clock::shanghai_date;
use crate::platform::done::{self, Done, DoneQuery};
use crate::platform::error::AppError;
use crate::platform::page::PageError;
use crate::{App, AppState, on_db};

/// A resource to share, with its link.
pub struct ShareItem {
    pub id: i64,
    pub title: String,
    pub url: String,
}

/// What was typed in the report form.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ReportForm {
    pub title: String,
    pub held_on: String,
    pub place: String,
    pub attendance: String,
    /// Media ids separated by commas (filled in by the page's upload script).
    pub photos: String,
    pub note: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "kepu/sharers/dashboard.html")]
pub struct DashboardPage {
    me: Option<Actor>,
    d: SharerDetail,
    active: bool,
    appointed_on: String,
    origin: String,
    to_share: Vec<ShareItem>,
    reports: Vec<ReportView>,
    reports_total: i64,
    form: ReportForm,
    errors: FieldErrors,
    today: String,
    notice: Option<String>,
}

impl DashboardPage {
    fn field_error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or_default()
    }

    fn top_url(&self, resource_id: &i64) -> String {
        format!(
            "{}{}",
            self.origin,
            share::link_path(*resource_id, &self.d.sharer.code)
        )
    }
}

/// The newest published resources meant for the township's county, city or the whole province.
async fn to_share(app: &App, township: &RegionCode) -> Result<Vec<(i64, String)>, AppError> {
    let mut codes: Vec<String> = township
        .ancestors_and_self()
        .iter()
        .map(|c| c.to_string())
        .collect();
    codes.truncate(4);
    let sql = format!(
        "SELECT id, title FROM kepu_resources WHERE status = 'published' \
         AND (region_code IS NULL OR region_code IN ({})) ORDER BY id DESC LIMIT 10",
        crate::platform::db::placeholders(0, codes.len())
    );
    Ok(on_db!(&app.db, pool => {
        let mut query = sqlx::query_as::<_, (i64, String)>(sqlx::AssertSqlSafe(sql));
        for code in &codes {
            query = query.bind(code);
        }
        query.fetch_all(pool).await
    })?)
}

async fn dashboard_page(
    app: &App,
    actor: Actor,
    headers: &HeaderMap,
    form: ReportForm,
    errors: FieldErrors,
    notice: Option<String>,
) -> Result<DashboardPage, PageError> {
    let fail = |e: AppError, actor: &Actor| PageError::new(e, Some(actor.clone()));
    let (row, d) = match service::mine(app, &actor).await {
        Ok(found) => found,
        Err(AppError::NotFound(_)) => {
            return Err(fail(
                AppError::Forbidden(
                    "您还不是科普员。智慧科普传播员由所在县（市、区）全民科普服务部任命。".into(),
                ),
                &actor,
            ));
        }
        Err(e) => return Err(fail(e, &actor)),
    };
    let origin = share::site_origin(&app.config, headers);
    let items = if row.is_active() {
        to_share(app, &row.region().map_err(|e| fail(e, &actor))?)
            .await
            .map_err(|e| fail(e, &actor))?
    } else {
        Vec::new()
    };
    let to_share = items
        .into_iter()
        .map(|(id, title)| ShareItem {
            url: format!("{origin}{}", share::link_path(id, &row.code)),
            id,
            title,
        })
        .collect();
    let first = Paging {
        page: Some(1),
        per_page: Some(20),
    };
    let (reports, reports_total) = report_service::mine(app, &actor, first)
        .await
        .map_err(|e| fail(e, &actor))?;
    Ok(DashboardPage {
        active: row.is_active(),
        appointed_on: shanghai_date(row.appointed_at).to_string(),
        today: shanghai_date(app.clock.now()).to_string(),
        origin,
        to_share,
        reports,
        reports_total,
        form,
        errors,
        notice,
        d,
        me: Some(actor),
    })
}

pub async fn dashboard(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    headers: HeaderMap,
    Query(done): Query<DoneQuery>,
) -> Result<DashboardPage, PageError> {
    dashboard_page(
        &app,
        actor,
        &headers,
        ReportForm::default(),
        FieldErrors::new(),
        done.message(),
    )
    .await
}

/// The report form: back to the dashboard when it was taken, else the form again with every
/// field's problem (422).
pub async fn report(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    headers: HeaderMap,
    Form(form): Form<ReportForm>,
) -> Result<Response, PageError> {
    let mut errors = FieldErrors::new();
    let attendance = match form.attendance.trim().parse::<i64>() {
        Ok(n) => n,
        Err(_) if form.attendance.trim().is_empty() => 0,
        Err(_) => {
            errors.add("attendance", "参与人数应为整数");
            0
        }
    };
    let photos: Vec<i64> = form
        .photos
        .split([',', ' '])
        .filter(|p| !p.trim().is_empty())
        .filter_map(|p| match p.trim().parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.add("photos", "照片上传有误，请重新选择");
                None
            }
        })
        .collect();
    let input = ReportInput {
        title: form.title.clone(),
        held_on: form.held_on.clone(),
        place: form.place.clone(),
        attendance,
        photos,
        note: form.note.clone(),
    };
    let result = if errors.is_empty() {
        report_service::submit(&app, &actor, &input).await
    } else {
        // A typing problem the form found: show it with every other field's problem.
        if let Err(AppError::Validation(more)) =
            report_service::check(&app, actor.id.0, &input).await
        {
            for (field, message) in more.iter() {
                errors.add(field, message);
            }
        }
        Err(AppError::Validation(errors))
    };
    match result {
        Ok(_) => Ok(done::redirect("/me/sharer#reports", Done::Reported).into_response()),
        Err(AppError::Validation(errors)) => {
            let page = dashboard_page(&app, actor, &headers, form, errors, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(PageError::new(other, Some(actor))),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct QrQuery {
    resource: Option<i64>,
}

/// The QR image of my link to a resource (for an active 科普员).
pub async fn qr(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    headers: HeaderMap,
    Query(query): Query<QrQuery>,
) -> Result<Response, PageError> {
    let missing = || PageError::new(AppError::not_found("二维码"), Some(actor.clone()));
    let resource = query.resource.filter(|id| *id > 0).ok_or_else(missing)?;
    let code = store::active_code(&app.db, actor.id.0)
        .await
        .map_err(|e| PageError::new(e, Some(actor.clone())))?
        .ok_or_else(missing)?;
    let url = format!(
        "{}{}",
        share::site_origin(&app.config, &headers),
        share::link_path(resource, &code)
    );
    let svg = share::qr_svg(&url).ok_or_else(missing)?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "private, max-age=3600"),
        ],
        svg,
    )
        .into_response())
}

/// The 分享 box of a resource page for an active 科普员: the link with their code.
pub async fn share_link_for(
    app: &App,
    actor: Option<&Actor>,
    headers: &HeaderMap,
    resource_id: i64,
) -> Option<String> {
    let actor = actor?;
    match store::active_code(&app.db, actor.id.0).await {
        Ok(code) => code.map(|code| {
            format!(
                "{}{}",
                share::site_origin(&app.config, headers),
                share::link_path(resource_id, &code)
            )
        }),
        Err(error) => {
            error.log_if_internal();
            None
        }
    }
}
