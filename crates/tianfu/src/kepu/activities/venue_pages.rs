//! The venue's pages: the check-in screen of an activity (a QR image that moves on once used,
//! refreshed with htmx), its attendance for those who run it, and the check-in page a scanned
//! code opens on the attendee's phone (`/kepu/checkin`).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::api::RosterItem;
use super::checkin::{self, CheckinResult};
use super::rules;
use super::service::{self, ActivityView};
use super::store;
use crate::AppState;
use crate::platform::api::Paging;
use crate::platform::auth::{Actor, ClientIp, PageUser};
use crate::platform::clock::shanghai;
use crate::platform::error::AppError;
use crate::platform::page::{PageError, Pager};

#[derive(Template, WebTemplate)]
#[template(path = "kepu/activities/screen.html")]
pub struct ScreenPage {
    me: Option<Actor>,
    activity: ActivityView,
    /// Check-in is open now.
    open: bool,
    code: CodeFragment,
}

#[derive(Template, WebTemplate)]
#[template(path = "kepu/activities/screen_code.html")]
pub struct CodeFragment {
    activity_id: i64,
    code: String,
    link: String,
    svg: String,
    checked_in: i64,
    confirmed: i64,
}

async fn fragment(
    app: &AppState,
    actor: &Actor,
    id: i64,
    headers: &HeaderMap,
    ip: Option<&str>,
) -> Result<CodeFragment, AppError> {
    let code = checkin::current(app, actor, id, ip).await?;
    let link = format!(
        "{}{}",
        crate::kepu::sharers::share::site_origin(&app.config, headers),
        code.url
    );
    let (_, checked_in, _, _, _) = store::tallies(&app.db, id).await?;
    let row = service::find(app, id).await?;
    Ok(CodeFragment {
        activity_id: id,
        svg: checkin::qr_svg(&link)?,
        code: code.code,
        link,
        checked_in,
        confirmed: row.confirmed,
    })
}

/// 签到屏: shown at the venue; the QR image moves on to a fresh code once one is used.
pub async fn screen(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<ScreenPage, PageError> {
    let fail = |e: AppError, me: &Actor| PageError::new(e, Some(me.clone()));
    let row = service::find(&app, id).await.map_err(|e| fail(e, &actor))?;
    let code = fragment(&app, &actor, id, &headers, ip.as_deref())
        .await
        .map_err(|e| fail(e, &actor))?;
    Ok(ScreenPage {
        open: rules::checkin_open(row.starts_at, row.ends_at, app.clock.now()),
        activity: service::view(&app, &row, app.clock.now()),
        code,
        me: Some(actor),
    })
}

pub async fn screen_code(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<CodeFragment, PageError> {
    fragment(&app, &actor, id, &headers, ip.as_deref())
        .await
        .map_err(|e| PageError::new(e, Some(actor)))
}

#[derive(Template, WebTemplate)]
#[template(path = "kepu/activities/attendance.html")]
pub struct AttendancePage {
    me: Option<Actor>,
    activity: ActivityView,
    roster: Vec<RosterItem>,
    waiting: i64,
    checked_in: i64,
    volunteers: i64,
    rating: Option<String>,
    pager: Pager,
    pager_base: String,
}

impl AttendancePage {
    fn at(&self, item: &RosterItem) -> String {
        item.checked_in_at.map(shanghai).unwrap_or_default()
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct PageParams {
    pub page: Option<u32>,
}

/// 签到名单: who signed up, who is waiting, who checked in, their feedback.
pub async fn attendance(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    Query(params): Query<PageParams>,
) -> Result<AttendancePage, PageError> {
    let fail = |e: AppError, me: &Actor| PageError::new(e, Some(me.clone()));
    let row = service::find(&app, id).await.map_err(|e| fail(e, &actor))?;
    service::ensure_manager(&app, &actor, &row, ip.as_deref())
        .await
        .map_err(|e| fail(e, &actor))?;
    let paging = Paging {
        page: params.page,
        per_page: Some(50),
    };
    let (rows, total) = store::roster(&app.db, id, paging).await?;
    let (waiting, checked_in, volunteers, rated, stars) = store::tallies(&app.db, id).await?;
    let roster = rows.into_iter().map(RosterItem::from).collect();
    Ok(AttendancePage {
        activity: service::view(&app, &row, app.clock.now()),
        roster,
        waiting,
        checked_in,
        volunteers,
        rating: (rated > 0).then(|| format!("{:.1}", stars as f64 / rated as f64)),
        pager: Pager::new(paging.page(), paging.per_page(), total),
        pager_base: format!("/kepu/activities/{id}/attendance?"),
        me: Some(actor),
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct CheckinParams {
    activity: Option<String>,
    code: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "kepu/activities/checkin.html")]
pub struct CheckinPage {
    me: Option<Actor>,
    activity: Option<ActivityView>,
    code: String,
    done: Option<CheckinResult>,
    error: Option<String>,
}

impl CheckinPage {
    fn hours(&self) -> String {
        self.done
            .as_ref()
            .map(|d| format!("{:.1}", d.minutes as f64 / 60.0))
            .unwrap_or_default()
    }
}

/// What a scanned code opens (signed in): the activity and a button to confirm.
pub async fn checkin_page(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    Query(params): Query<CheckinParams>,
) -> Result<Response, PageError> {
    let id = params
        .activity
        .as_deref()
        .and_then(|a| a.trim().parse::<i64>().ok());
    let code = params.code.unwrap_or_default();
    let Some(id) = id else {
        let page = CheckinPage {
            me: Some(actor),
            activity: None,
            code,
            done: None,
            error: Some("签到链接不完整，请重新扫描现场的签到二维码".into()),
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let row = service::find(&app, id)
        .await
        .map_err(|e| PageError::new(e, Some(actor.clone())))?;
    let activity = service::view_for(&app, &row, Some(&actor))
        .await
        .map_err(|e| PageError::new(e, Some(actor.clone())))?;
    Ok(CheckinPage {
        me: Some(actor),
        activity: Some(activity),
        code,
        done: None,
        error: None,
    }
    .into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct CheckinForm {
    #[serde(default)]
    activity: String,
    #[serde(default)]
    code: String,
}

pub async fn checkin(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    Form(form): Form<CheckinForm>,
) -> Result<Response, PageError> {
    let Ok(id) = form.activity.trim().parse::<i64>() else {
        return Err(PageError::new(
            AppError::validation("activity", "签到链接不完整"),
            Some(actor),
        ));
    };
    let result = checkin::check_in(&app, &actor, id, &form.code).await;
    let row = service::find(&app, id)
        .await
        .map_err(|e| PageError::new(e, Some(actor.clone())))?;
    let activity = service::view_for(&app, &row, Some(&actor))
        .await
        .map_err(|e| PageError::new(e, Some(actor.clone())))?;
    let (status, done, error) = match result {
        Ok(done) => (StatusCode::OK, Some(done), None),
        Err(error @ (AppError::Conflict { .. } | AppError::Validation(_))) => {
            let message = error
                .fields()
                .into_values()
                .next()
                .unwrap_or_else(|| error.to_string());
            (error.status(), None, Some(message))
        }
        Err(error) => return Err(PageError::new(error, Some(actor))),
    };
    let page = CheckinPage {
        me: Some(actor),
        activity: Some(activity),
        code: form.code,
        done,
        error,
    };
    Ok((status, page).into_response())
}
