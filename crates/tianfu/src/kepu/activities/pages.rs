//! The pages of 科普活动, phone first: activities near me (`/kepu/activities`), one activity
//! with sign-up, cancel and feedback, and my tickets (`/me/activities`). The venue's pages
//! (check-in screen, attendance, the check-in page) are in `venue_pages`. Forms work without
//! JavaScript.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::rules::{self, Role};
use super::service::{self, ActivityView};
use super::store;
use super::venue_pages::PageParams;
use crate::AppState;
use crate::kepu::audience::Audience;
use crate::platform::api::Paging;
use crate::platform::auth::{Actor, ClientIp, MaybeUser, PageUser};
use crate::platform::clock::shanghai;
use crate::platform::done::{self, Done, DoneQuery};
use crate::platform::error::AppError;
use crate::platform::page::{PageError, Pager, url_encode};

#[derive(Debug, Default, Deserialize)]
pub struct IndexParams {
    region_code: Option<String>,
    when: Option<String>,
    page: Option<u32>,
    /// 离我最近: the browser's location, sent when the person asks (never stored).
    lat: Option<String>,
    lng: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "kepu/activities/index.html")]
pub struct IndexPage {
    me: Option<Actor>,
    activities: Vec<ActivityView>,
    region_code: String,
    region_name: String,
    when: String,
    pager: Pager,
    pager_base: String,
    /// Offer 发布活动 (staff of 全民科普服务部, place managers, team leaders).
    can_post: bool,
    /// Ordered by distance from this point, the person's location (离我最近).
    point: Option<super::nearby::Point>,
    /// Why the location sent could not be used (the list is then by time, answered as 422).
    error: Option<String>,
}

/// The county a person lives in (a township's county), or the province for visitors.
pub fn home_county(app: &AppState, me: Option<&Actor>) -> String {
    me.map(|m| m.region.as_str().chars().take(6).collect::<String>())
        .filter(|code| app.regions.find(code).is_some())
        .unwrap_or_else(|| "51".to_owned())
}

/// 身边的科普活动: the coming activities of the person's county unless they ask for another
/// region.
pub async fn index(
    State(app): State<AppState>,
    MaybeUser(me): MaybeUser,
    Query(params): Query<IndexParams>,
) -> Result<Response, PageError> {
    let region_code = params
        .region_code
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| home_county(&app, me.as_ref()));
    let when = params.when.unwrap_or_default();
    let filter = super::api::filter_of(&app, Some(&region_code), Some(&when))
        .map_err(|e| PageError::new(e, me.clone()))?;
    // A location that cannot be used is said above the list, which stays in time order.
    let (point, error) =
        match super::nearby::parse_point(params.lat.as_deref(), params.lng.as_deref()) {
            Ok(point) => (point, None),
            Err(errors) => (
                None,
                Some(errors.iter().map(|(_, m)| m).collect::<Vec<_>>().join("；")),
            ),
        };
    let paging = Paging {
        page: params.page,
        per_page: Some(20),
    };
    let listed = match point {
        Some(at) => super::near_me::list(&app, &filter, paging, at).await,
        None => service::list(&app, &filter, paging).await,
    };
    let (activities, total) = listed.map_err(|e| PageError::new(e, me.clone()))?;
    // The pages of a list by distance carry the point along (in the address only).
    let near = point
        .map(|p| format!("lat={}&lng={}&", p.lat, p.lng))
        .unwrap_or_default();
    let can_post = match &me {
        Some(m)
            if crate::platform::scope::works_in(m, crate::kepu::places::service::DEPARTMENT) =>
        {
            true
        }
        Some(m) => store::posts_for_something(&app.db, m.id.0).await?,
        None => false,
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = IndexPage {
        error,
        can_post,
        region_name: app.regions.full_name_of(&region_code),
        pager: Pager::new(paging.page(), paging.per_page(), total),
        pager_base: format!(
            "/kepu/activities?region_code={}&when={}&{near}",
            url_encode(&region_code),
            url_encode(&when)
        ),
        point,
        me,
        activities,
        region_code,
        when,
    };
    Ok((status, page).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "kepu/activities/show.html")]
pub struct ShowPage {
    me: Option<Actor>,
    activity: ActivityView,
    can_manage: bool,
    can_volunteer: bool,
    checkin_open: bool,
    notice: Option<String>,
    error: Option<String>,
}

impl ShowPage {
    /// Holds a live sign-up (confirmed or waiting).
    fn signed_up(&self) -> bool {
        self.activity
            .my_signup
            .as_ref()
            .is_some_and(|s| s.status != "cancelled")
    }
}

async fn show_page(
    app: &AppState,
    me: Option<Actor>,
    id: i64,
    notice: Option<String>,
    error: Option<String>,
) -> Result<ShowPage, PageError> {
    let row = service::find(app, id)
        .await
        .map_err(|e| PageError::new(e, me.clone()))?;
    let activity = service::view_for(app, &row, me.as_ref())
        .await
        .map_err(|e| PageError::new(e, me.clone()))?;
    let can_manage = match &me {
        Some(me) => service::may_manage(app, me, &row)
            .await
            .map_err(|e| PageError::new(e, None))?,
        None => false,
    };
    let can_volunteer = match &me {
        Some(me) => {
            me.role == tianfu_domain::Role::Volunteer
                || store::in_any_team(&app.db, me.id.0).await?
        }
        None => false,
    };
    Ok(ShowPage {
        checkin_open: rules::checkin_open(row.starts_at, row.ends_at, app.clock.now()),
        activity,
        can_manage,
        can_volunteer,
        notice,
        error,
        me,
    })
}

pub async fn show(
    State(app): State<AppState>,
    MaybeUser(me): MaybeUser,
    Path(id): Path<i64>,
    Query(done): Query<DoneQuery>,
) -> Result<ShowPage, PageError> {
    show_page(&app, me, id, done.message(), None).await
}

/// A refused act shown on the activity's page (409/422), anything else as an error page.
async fn refused(
    app: &AppState,
    actor: Actor,
    id: i64,
    error: AppError,
) -> Result<Response, PageError> {
    match error {
        AppError::Conflict { .. } | AppError::Validation(_) | AppError::Forbidden(_) => {
            let status = error.status();
            let message = error
                .fields()
                .into_values()
                .next()
                .unwrap_or_else(|| error.to_string());
            let page = show_page(app, Some(actor), id, None, Some(message)).await?;
            Ok((status, page).into_response())
        }
        other => Err(PageError::new(other, Some(actor))),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct SignupForm {
    #[serde(default)]
    role: String,
}

pub async fn sign_up(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<SignupForm>,
) -> Result<Response, PageError> {
    let role = Role::parse(Some(&form.role)).unwrap_or(Role::Attendee);
    match service::sign_up(&app, &actor, id, role).await {
        Ok(signup) => {
            let what = if signup.status == "waitlisted" {
                Done::Waitlisted
            } else {
                Done::SignedUp
            };
            Ok(done::redirect(&format!("/kepu/activities/{id}"), what).into_response())
        }
        Err(error) => refused(&app, actor, id, error).await,
    }
}

pub async fn cancel(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    match service::cancel(&app, &actor, id).await {
        Ok(_) => Ok(
            done::redirect(&format!("/kepu/activities/{id}"), Done::SignupCancelled)
                .into_response(),
        ),
        Err(AppError::NotFound(message)) => {
            refused(
                &app,
                actor,
                id,
                AppError::Conflict {
                    message,
                    fields: Default::default(),
                },
            )
            .await
        }
        Err(error) => refused(&app, actor, id, error).await,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct CallOffForm {
    #[serde(default)]
    reason: String,
}

/// 取消活动 from the activity's page (it asks for confirmation first).
pub async fn call_off(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    Form(form): Form<CallOffForm>,
) -> Result<Response, PageError> {
    match service::call_off(&app, &actor, id, &form.reason, ip.as_deref()).await {
        Ok(_) => {
            Ok(done::redirect(&format!("/kepu/activities/{id}"), Done::CalledOff).into_response())
        }
        Err(error) => refused(&app, actor, id, error).await,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct FeedbackForm {
    #[serde(default)]
    rating: String,
    #[serde(default)]
    comment: String,
}

pub async fn feedback(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<FeedbackForm>,
) -> Result<Response, PageError> {
    let rating = form.rating.trim().parse().unwrap_or(0);
    match service::give_feedback(&app, &actor, id, rating, &form.comment).await {
        Ok(()) => Ok(
            done::redirect(&format!("/kepu/activities/{id}"), Done::FeedbackGiven).into_response(),
        ),
        Err(error) => refused(&app, actor, id, error).await,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "kepu/activities/mine.html")]
pub struct MinePage {
    me: Option<Actor>,
    items: Vec<MineLine>,
    pager: Pager,
    pager_base: String,
}

pub struct MineLine {
    pub activity_id: i64,
    pub title: String,
    pub when: String,
    pub place: String,
    pub role_label: &'static str,
    pub status_label: &'static str,
    pub checked_in: Option<String>,
    pub ended: bool,
}

/// 我的活动: my tickets — confirmed, waiting, checked in.
pub async fn mine(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    Query(params): Query<PageParams>,
) -> Result<MinePage, PageError> {
    let paging = Paging {
        page: params.page,
        per_page: Some(20),
    };
    let now = app.clock.now();
    let (rows, total) = store::mine(&app.db, actor.id.0, paging).await?;
    let items = rows
        .into_iter()
        .map(|r| MineLine {
            activity_id: r.activity_id,
            title: r.title,
            when: shanghai(r.starts_at),
            place: r
                .place_name
                .unwrap_or_else(|| app.regions.full_name_of(&r.region_code)),
            role_label: if r.role == "volunteer" {
                "志愿服务"
            } else {
                "参加"
            },
            status_label: rules::signup_status_label(&r.status),
            checked_in: r.checked_in_at.map(shanghai),
            ended: r.ends_at <= now,
        })
        .collect();
    Ok(MinePage {
        pager: Pager::new(paging.page(), paging.per_page(), total),
        pager_base: "/me/activities?".to_owned(),
        items,
        me: Some(actor),
    })
}

/// The audience choices of the activity form.
pub fn audience_choices(checked: &[String]) -> Vec<(&'static str, &'static str, bool)> {
    Audience::ALL
        .iter()
        .map(|a| {
            (
                a.as_str(),
                a.label(),
                checked.iter().any(|c| c == a.as_str()),
            )
        })
        .collect()
}
