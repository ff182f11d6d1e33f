//! A project's page in its hall (`/fairs/{id}/projects/{pid}`): pitch, pictures, video, owner
//! and organisation, a link to its listing, the 我感兴趣 form and, while the fair is in session,
//! the 预约1对1洽谈 form. Both forms post to page routes and work without JavaScript.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use tianfu_domain::fair::Phase;

use super::pages::Edition;
use super::{meetings, service, store};
use crate::AppState;
use crate::fair::editions::service::find as find_fair;
use crate::fair::projects::api::ProjectView;
use crate::fair::projects::service::visible;
use crate::platform::auth::{Actor, MaybeUser, PageUser};
use crate::platform::clock::shanghai;
use crate::platform::done::{self, Done, DoneQuery};
use crate::platform::error::AppError;
use crate::platform::page::PageError;

/// A time as a datetime-local field shows it (Beijing).
fn local_input(at: DateTime<Utc>) -> String {
    shanghai(at).replace(' ', "T")
}

/// A video we can play in the page (a file uploaded here or a video file's address); anything
/// else is linked.
fn playable(url: &str) -> bool {
    let path = url
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    url.starts_with("/files/")
        || [".mp4", ".webm", ".ogg", ".ogv", ".m4v", ".mov"]
            .iter()
            .any(|ext| path.ends_with(ext))
}

#[derive(Template, WebTemplate)]
#[template(path = "fair/halls/project.html")]
pub struct ProjectPage {
    me: Option<Actor>,
    edition: Edition,
    project: ProjectView,
    hall_name: String,
    listing_href: String,
    video_playable: bool,
    is_owner: bool,
    /// Selected and the list published: visitors may act on it.
    on_show: bool,
    /// The inquiry the viewer's earlier interest became.
    my_inquiry: Option<String>,
    in_session: bool,
    held_slots: Vec<String>,
    slot_min: String,
    slot_max: String,
    notice: Option<String>,
    error: Option<String>,
    error_link: Option<String>,
}

async fn page(
    app: &AppState,
    me: Option<Actor>,
    id: i64,
    pid: i64,
    notice: Option<String>,
    error: Option<(String, Option<String>)>,
) -> Result<ProjectPage, PageError> {
    let fail = |e: AppError| PageError::new(e, me.clone());
    let fair = find_fair(app, id).await.map_err(fail)?;
    let row = visible(app, me.as_ref(), &fair, pid).await.map_err(fail)?;
    let now = app.clock.now();
    let on_show = row.is_selected() && fair.selection_published();
    let my_inquiry = match &me {
        Some(me) => store::interest_of(&app.db, pid, me.id.0)
            .await?
            .map(|inquiry| match inquiry {
                Some(inquiry) => format!("/me/inquiries/{inquiry}"),
                None => "/me/inquiries".to_owned(),
            }),
        None => None,
    };
    let in_session = fair.phase(now) == Phase::InSession;
    let held_slots = if in_session && on_show {
        store::held_slots(&app.db, pid, now)
            .await?
            .into_iter()
            .map(shanghai)
            .collect()
    } else {
        Vec::new()
    };
    let (error, error_link) = match error {
        Some((message, link)) => (Some(message), link),
        None => (None, None),
    };
    Ok(ProjectPage {
        is_owner: me.as_ref().is_some_and(|m| m.id.0 == row.owner_id),
        hall_name: service::hall_name(app, &row.hall_code).unwrap_or_default(),
        listing_href: format!("/{}s/{}", row.listing_kind, row.listing_id),
        video_playable: row.video_url.as_deref().is_some_and(playable),
        project: ProjectView::of(app, me.as_ref(), &fair, row),
        edition: Edition::of(app, &fair),
        // The browser counts `step` from `min`: start it on a half hour, as slots are.
        slot_min: local_input(next_half_hour(fair.opens_at.max(now))),
        slot_max: local_input(fair.closes_at),
        me,
        on_show,
        my_inquiry,
        in_session,
        held_slots,
        notice,
        error,
        error_link,
    })
}

pub async fn show(
    State(app): State<AppState>,
    MaybeUser(me): MaybeUser,
    Path((id, pid)): Path<(i64, i64)>,
    Query(done): Query<DoneQuery>,
) -> Result<ProjectPage, PageError> {
    page(&app, me, id, pid, done.message(), None).await
}

/// A refused act shown on the project's page (with its status), anything else as an error page.
async fn refused(app: &AppState, actor: Actor, id: i64, pid: i64, error: AppError) -> Response {
    match error {
        AppError::Conflict { .. } | AppError::Validation(_) | AppError::Forbidden(_) => {
            let status = error.status();
            let fields = error.fields();
            let link = fields.get("inquiry").cloned();
            let message = match &error {
                AppError::Validation(_) => fields
                    .iter()
                    .find(|(k, _)| k.as_str() != "inquiry")
                    .map(|(_, v)| v.clone())
                    .unwrap_or_else(|| error.to_string()),
                _ => error.to_string(),
            };
            match page(app, Some(actor), id, pid, None, Some((message, link))).await {
                Ok(page) => (status, page).into_response(),
                Err(error) => error.into_response(),
            }
        }
        other => PageError::new(other, Some(actor)).into_response(),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct InterestForm {
    #[serde(default)]
    message: String,
}

pub async fn interest(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    Path((id, pid)): Path<(i64, i64)>,
    Form(form): Form<InterestForm>,
) -> Response {
    let done = async {
        let fair = find_fair(&app, id).await?;
        service::interest(&app, &actor, &fair, pid, &form.message).await
    }
    .await;
    match done {
        Ok(_) => done::redirect(&format!("/fairs/{id}/projects/{pid}"), Done::InterestSent)
            .into_response(),
        Err(error) => refused(&app, actor, id, pid, error).await,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct MeetingForm {
    #[serde(default)]
    slot_at: String,
    #[serde(default)]
    message: String,
}

pub async fn meeting(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    Path((id, pid)): Path<(i64, i64)>,
    Form(form): Form<MeetingForm>,
) -> Response {
    let done = async {
        let fair = find_fair(&app, id).await?;
        meetings::request(&app, &actor, &fair, pid, &form.slot_at, &form.message).await
    }
    .await;
    match done {
        Ok(_) => done::redirect(
            &format!("/fairs/{id}/projects/{pid}"),
            Done::MeetingRequested,
        )
        .into_response(),
        Err(error) => refused(&app, actor, id, pid, error).await,
    }
}

/// The first hour or half hour at or after `at`.
fn next_half_hour(at: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
    use chrono::DurationRound;
    let half = chrono::Duration::minutes(30);
    match at.duration_trunc(half) {
        Ok(floor) if floor == at => at,
        Ok(floor) => floor + half,
        Err(_) => at,
    }
}

#[cfg(test)]
mod tests {
    use super::playable;

    #[test]
    fn files_and_video_addresses_play_others_are_linked() {
        assert!(playable("/files/ab12.mp4"));
        assert!(playable("https://cdn.example.cn/v/demo.MP4?sig=1"));
        assert!(!playable("https://v.qq.com/x/page/abc.html"));
    }

    #[test]
    fn slots_start_on_the_half_hour() {
        use chrono::TimeZone;
        let at = |h, m| chrono::Utc.with_ymd_and_hms(2026, 5, 20, h, m, 0).unwrap();
        assert_eq!(super::next_half_hour(at(10, 7)), at(10, 30));
        assert_eq!(super::next_half_hour(at(10, 30)), at(10, 30));
        assert_eq!(super::next_half_hour(at(10, 45)), at(11, 0));
    }
}
