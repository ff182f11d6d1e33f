//! The public pages of 志愿服务队, phone first: teams near me with a join button
//! (`/kepu/teams`), one team with its members, activities and hours (`/kepu/teams/{id}`), and
//! the forms behind its buttons — join, leave, and for leaders add and remove members. Forms
//! work without JavaScript; a refusal shows the team's page again with the reason.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::rules;
use super::service;
use super::store;
use super::views::{self, TeamSummary, TeamView};
use crate::AppState;
use crate::platform::api::Paging;
use crate::platform::auth::{Actor, ClientIp, MaybeUser, PageUser};
use crate::platform::done::{self, Done, DoneQuery};
use crate::platform::error::AppError;
use crate::platform::page::{PageError, Pager, url_encode};

#[derive(Debug, Default, Deserialize)]
pub struct IndexParams {
    region_code: Option<String>,
    page: Option<u32>,
}

#[derive(Template, WebTemplate)]
#[template(path = "kepu/volunteers/index.html")]
pub struct IndexPage {
    me: Option<Actor>,
    teams: Vec<TeamSummary>,
    /// The teams the person is in.
    mine: Vec<i64>,
    can_join: bool,
    region_code: String,
    region_name: String,
    pager: Pager,
    pager_base: String,
}

impl IndexPage {
    fn joined(&self, team: &i64) -> bool {
        self.mine.contains(team)
    }
}

/// Where the list starts: the region asked for, else the person's city (teams serve a whole
/// city's counties; the province's list when the city has none yet), else the province.
fn start_region(app: &AppState, me: Option<&Actor>, asked: Option<&str>) -> String {
    match asked {
        Some(code) => code.to_owned(),
        None => me
            .map(|m| m.region.as_str().chars().take(4).collect())
            .filter(|code: &String| app.regions.find(code).is_some())
            .unwrap_or_else(|| "51".to_owned()),
    }
}

/// 身边的志愿服务队.
pub async fn index(
    State(app): State<AppState>,
    MaybeUser(me): MaybeUser,
    Query(params): Query<IndexParams>,
) -> Result<IndexPage, PageError> {
    let asked = params
        .region_code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let mut region_code = start_region(&app, me.as_ref(), asked);
    let paging = Paging {
        page: params.page,
        per_page: Some(20),
    };
    let list = |code: String| {
        let app = app.clone();
        async move {
            let region = super::api::region_filter(&app, Some(&code))?;
            views::list(&app, region.as_ref(), paging).await
        }
    };
    let (mut teams, mut total) = list(region_code.clone())
        .await
        .map_err(|e| PageError::new(e, me.clone()))?;
    // A city without teams yet shows the province's, rather than an empty page.
    if total == 0 && asked.is_none() && region_code != "51" {
        region_code = "51".to_owned();
        (teams, total) = list(region_code.clone())
            .await
            .map_err(|e| PageError::new(e, me.clone()))?;
    }
    let mine = match &me {
        Some(me) => store::teams_of(&app.db, me.id.0)
            .await?
            .into_iter()
            .map(|(id, _, _)| id)
            .collect(),
        None => Vec::new(),
    };
    Ok(IndexPage {
        can_join: me.as_ref().is_some_and(|m| rules::may_serve(m.role)),
        region_name: app.regions.full_name_of(&region_code),
        pager: Pager::new(paging.page(), paging.per_page(), total),
        pager_base: format!("/kepu/teams?region_code={}&", url_encode(&region_code)),
        me,
        teams,
        mine,
        region_code,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "kepu/volunteers/show.html")]
pub struct ShowPage {
    me: Option<Actor>,
    team: TeamView,
    can_join: bool,
    can_manage: bool,
    hours: String,
    notice: Option<String>,
    error: Option<String>,
}

impl ShowPage {
    fn is_me(&self, user: &i64) -> bool {
        self.me.as_ref().is_some_and(|m| m.id.0 == *user)
    }
}

async fn show_page(
    app: &AppState,
    me: Option<Actor>,
    id: i64,
    notice: Option<String>,
    error: Option<String>,
) -> Result<ShowPage, PageError> {
    let fail = |e: AppError, me: &Option<Actor>| PageError::new(e, me.clone());
    let row = service::find(app, id).await.map_err(|e| fail(e, &me))?;
    let team = views::view(app, &row, me.as_ref())
        .await
        .map_err(|e| fail(e, &me))?;
    let can_manage = match &me {
        Some(m) => service::may_manage(app, m, &row)
            .await
            .map_err(|e| fail(e, &me))?,
        None => false,
    };
    Ok(ShowPage {
        can_join: team.my_role.is_none() && me.as_ref().is_some_and(|m| rules::may_serve(m.role)),
        hours: rules::hours_label(team.minutes_this_year),
        team,
        can_manage,
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

/// What an act came to: back to the team's page with a notice, or the page again with the
/// refusal (403, 404 of a member, 409, 422) in its status; anything else is an error page.
async fn after(
    app: &AppState,
    actor: Actor,
    id: i64,
    result: Result<(), AppError>,
    what: Done,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(done::redirect(&format!("/kepu/teams/{id}"), what).into_response()),
        Err(
            error @ (AppError::Conflict { .. }
            | AppError::Validation(_)
            | AppError::Forbidden(_)
            | AppError::NotFound(_)),
        ) if service::find(app, id).await.is_ok() => {
            let status = error.status();
            let message = error
                .fields()
                .into_values()
                .next()
                .unwrap_or_else(|| error.to_string());
            let page = show_page(app, Some(actor), id, None, Some(message)).await?;
            Ok((status, page).into_response())
        }
        Err(error) => Err(PageError::new(error, Some(actor))),
    }
}

pub async fn join(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let result = service::join(&app, &actor, id).await;
    after(&app, actor, id, result, Done::TeamJoined).await
}

pub async fn leave(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let result = service::remove(&app, &actor, id, actor.id.0, ip.as_deref()).await;
    after(&app, actor, id, result, Done::TeamLeft).await
}

#[derive(Debug, Default, Deserialize)]
pub struct MemberForm {
    #[serde(default)]
    phone: String,
    #[serde(default)]
    role: String,
}

pub async fn add_member(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    Form(form): Form<MemberForm>,
) -> Result<Response, PageError> {
    let result = service::add_member(
        &app,
        &actor,
        id,
        &form.phone,
        Some(&form.role),
        ip.as_deref(),
    )
    .await
    .map(|_| ());
    after(&app, actor, id, result, Done::MemberAdded).await
}

pub async fn remove_member(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    ClientIp(ip): ClientIp,
    Path((id, user)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let result = service::remove(&app, &actor, id, user, ip.as_deref()).await;
    let what = if user == actor.id.0 {
        Done::TeamLeft
    } else {
        Done::MemberRemoved
    };
    after(&app, actor, id, result, what).await
}
