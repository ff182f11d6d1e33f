//! Posting and overseeing activities: `/kepu/activities/new` (staff, place managers and team
//! leaders; the form offers the places and teams the person may post for) and
//! `/admin/kepu/activities` (the activities of a staff member's region with their sign-ups).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tianfu_domain::FieldErrors;

use super::pages::audience_choices;
use super::service::{self, ActivityInput, ActivityView};
use super::store::ActivityFilter;
use crate::kepu::places;
use crate::platform::api::Paging;
use crate::platform::auth::{Actor, ClientIp, PageStaff, PageUser};
use crate::platform::error::AppError;
use crate::platform::page::{PageError, Pager};
use crate::platform::scope::{self, RegionScope, staff_scope};
use crate::staff::pages::{RegionOption, region_options};
use crate::{App, AppState, on_db};

#[derive(Debug, Default, Clone, Deserialize)]
pub struct ActivityForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub region_code: String,
    #[serde(default)]
    pub place_id: String,
    #[serde(default)]
    pub team_id: String,
    #[serde(default)]
    pub starts_at: String,
    #[serde(default)]
    pub ends_at: String,
    #[serde(default)]
    pub capacity: String,
    #[serde(default)]
    pub audiences: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "kepu/activities/new.html")]
pub struct NewPage {
    me: Option<Actor>,
    form: ActivityForm,
    regions: Vec<RegionOption>,
    places: Vec<(i64, String, bool)>,
    teams: Vec<(i64, String, bool)>,
    audiences: Vec<(&'static str, &'static str, bool)>,
    errors: FieldErrors,
    /// 全民科普服务部 staff, or someone with a place or a team to post for; anyone else is
    /// told who posts instead of being shown a form that would refuse them.
    may_post: bool,
}

impl StaffPage {
    fn checked_in_of(&self, id: &i64) -> i64 {
        self.checked_in.get(id).copied().unwrap_or(0)
    }
}

impl NewPage {
    fn field_error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or_default()
    }
}

/// The places a person may post at: those of a staff member's region, and those they manage.
async fn place_choices(
    app: &App,
    actor: &Actor,
    selected: &str,
) -> Result<Vec<(i64, String, bool)>, AppError> {
    let mut rows = places::store::managed_by(&app.db, actor.id.0).await?;
    if scope::works_in(actor, places::service::DEPARTMENT)
        && let Some(scope) = staff_scope(actor)
    {
        let filter = places::store::PlaceFilter {
            region: match scope {
                RegionScope::All => None,
                RegionScope::Subtree(root) => Some(root),
            },
            open_only: true,
            ..Default::default()
        };
        let paging = Paging {
            page: Some(1),
            per_page: Some(100),
        };
        let (more, _) = places::store::list(&app.db, &filter, paging).await?;
        for place in more {
            if !rows.iter().any(|p| p.id == place.id) {
                rows.push(place);
            }
        }
    }
    Ok(rows
        .into_iter()
        .map(|p| {
            let label = format!("{}（{}）", p.name, places::service::kind_label(&p.kind));
            (p.id, label, selected == p.id.to_string())
        })
        .collect())
}

/// The teams a person leads.
async fn team_choices(
    app: &App,
    actor: &Actor,
    selected: &str,
) -> Result<Vec<(i64, String, bool)>, AppError> {
    let rows: Vec<(i64, String)> = on_db!(&app.db, pool => sqlx::query_as(
        "SELECT t.id, t.name FROM kepu_teams t JOIN kepu_team_members m ON m.team_id = t.id \
         WHERE m.user_id = $1 AND m.role = 'leader' ORDER BY t.id")
        .bind(actor.id.0).fetch_all(pool).await)?;
    Ok(rows
        .into_iter()
        .map(|(id, name)| (id, name, selected == id.to_string()))
        .collect())
}

async fn new_page(
    app: &App,
    actor: Actor,
    form: ActivityForm,
    errors: FieldErrors,
) -> Result<NewPage, PageError> {
    let fail = |e: AppError| PageError::new(e, None);
    let scope = staff_scope(&actor)
        .filter(|_| scope::works_in(&actor, places::service::DEPARTMENT))
        .unwrap_or(RegionScope::Subtree(actor.region.clone()));
    let selected = if form.region_code.is_empty() {
        actor.region.to_string()
    } else {
        form.region_code.clone()
    };
    let places = place_choices(app, &actor, &form.place_id)
        .await
        .map_err(fail)?;
    let teams = team_choices(app, &actor, &form.team_id)
        .await
        .map_err(fail)?;
    Ok(NewPage {
        may_post: scope::works_in(&actor, places::service::DEPARTMENT)
            || !places.is_empty()
            || !teams.is_empty(),
        regions: region_options(app, &scope, true, &selected),
        places,
        teams,
        audiences: audience_choices(&form.audiences),
        form,
        errors,
        me: Some(actor),
    })
}

pub async fn new(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
) -> Result<Response, PageError> {
    let page = new_page(&app, actor, ActivityForm::default(), FieldErrors::new()).await?;
    let status = if page.may_post {
        StatusCode::OK
    } else {
        StatusCode::FORBIDDEN
    };
    Ok((status, page).into_response())
}

pub async fn create(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    ClientIp(ip): ClientIp,
    axum_extra_form: Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let Form(pairs) = axum_extra_form;
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let form = ActivityForm {
        title: value("title"),
        description: value("description"),
        region_code: value("region_code"),
        place_id: value("place_id"),
        team_id: value("team_id"),
        starts_at: value("starts_at"),
        ends_at: value("ends_at"),
        capacity: value("capacity"),
        audiences: pairs
            .iter()
            .filter(|(k, _)| k == "audiences")
            .map(|(_, v)| v.clone())
            .collect(),
    };
    let mut errors = FieldErrors::new();
    let id_of = |errors: &mut FieldErrors, field: &str, text: &str| -> Option<i64> {
        if text.is_empty() {
            return None;
        }
        let parsed = text.parse().ok();
        if parsed.is_none() {
            errors.add(field, "请从列表中选择");
        }
        parsed
    };
    let place_id = id_of(&mut errors, "place_id", &form.place_id);
    let team_id = id_of(&mut errors, "team_id", &form.team_id);
    let capacity = match form.capacity.parse::<i64>() {
        Ok(n) => n,
        Err(_) => {
            errors.add("capacity", "名额应是1至100000之间的整数");
            0
        }
    };
    let input = ActivityInput {
        title: form.title.clone(),
        description: form.description.clone(),
        // A place names the region unless a finer one was picked.
        region_code: if place_id.is_some() && form.region_code == actor.region.as_str() {
            String::new()
        } else {
            form.region_code.clone()
        },
        place_id,
        team_id,
        starts_at: form.starts_at.clone(),
        ends_at: form.ends_at.clone(),
        capacity,
        audiences: form.audiences.clone(),
    };
    let result = if errors.is_empty() {
        service::create(&app, &actor, &input, ip.as_deref()).await
    } else {
        Err(AppError::Validation(errors))
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/kepu/activities/{id}")).into_response()),
        Err(AppError::Validation(errors)) => {
            let page = new_page(&app, actor, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(error) => Err(PageError::new(error, Some(actor))),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "kepu/activities/staff.html")]
pub struct StaffPage {
    me: Option<Actor>,
    scope_name: String,
    activities: Vec<ActivityView>,
    /// Check-ins of each listed activity.
    checked_in: std::collections::HashMap<i64, i64>,
    when: String,
    pager: Pager,
    pager_base: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct StaffParams {
    when: Option<String>,
    page: Option<u32>,
}

/// 科普活动管理: the activities of the staff member's region, coming or past.
pub async fn staff(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    Query(params): Query<StaffParams>,
) -> Result<StaffPage, PageError> {
    let scope = staff_scope(&actor).unwrap_or(RegionScope::Subtree(actor.region.clone()));
    let when = params.when.unwrap_or_default();
    let upcoming = when != "past";
    let filter = ActivityFilter {
        region: match &scope {
            RegionScope::All => None,
            RegionScope::Subtree(root) => Some(root.clone()),
        },
        upcoming: Some(upcoming),
        now: Some(app.clock.now()),
        ..Default::default()
    };
    let paging = Paging {
        page: params.page,
        per_page: Some(30),
    };
    let (activities, total) = service::list(&app, &filter, paging)
        .await
        .map_err(|e| PageError::new(e, Some(actor.clone())))?;
    let ids: Vec<i64> = activities.iter().map(|a| a.id).collect();
    let checked_in = super::store::checked_in_counts(&app.db, &ids).await?;
    Ok(StaffPage {
        checked_in,
        scope_name: scope.name(&app.regions),
        pager: Pager::new(paging.page(), paging.per_page(), total),
        pager_base: format!("/admin/kepu/activities?when={when}&"),
        activities,
        when,
        me: Some(actor),
    })
}
