//! The staff console's 志愿服务队 (`/admin/kepu/teams`): the teams of the staff member's region
//! with their hours this year and the form to form one, and the region's volunteers by hours
//! served; `/admin/kepu/teams/{id}`: one team's members with each one's hours. Everything is
//! bounded by the staff member's subtree; hours come from the ledger.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use tianfu_domain::FieldErrors;

use super::hours::{self, VolunteerRow};
use super::rules;
use super::service::{self, TeamInput};
use super::store;
use super::views::{self, TeamSummary, TeamView};
use crate::AppState;
use crate::kepu::activities::api::mask_phone;
use crate::platform::api::Paging;
use crate::platform::auth::{Actor, ClientIp, PageStaff};
use crate::platform::error::AppError;
use crate::platform::page::{PageError, Pager};
use crate::platform::scope::{self, RegionScope, staff_scope};
use crate::staff::pages::{RegionOption, region_options};

#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct TeamForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub region_code: String,
    /// Channel codes ticked.
    #[serde(default)]
    pub channels: Vec<String>,
    /// Other field words, separated by commas, 、 or spaces.
    #[serde(default)]
    pub tags: String,
    #[serde(default)]
    pub intro: String,
    #[serde(default)]
    pub leader_phone: String,
}

pub struct TeamLine {
    pub team: TeamSummary,
    pub hours: String,
}

pub struct VolunteerLine {
    pub row: VolunteerRow,
    pub phone: String,
    pub region_name: String,
    pub hours: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "kepu/volunteers/staff.html")]
pub struct StaffPage {
    me: Option<Actor>,
    scope_name: String,
    year: i32,
    teams: Vec<TeamLine>,
    pager: Pager,
    volunteers: Vec<VolunteerLine>,
    volunteer_pager: Pager,
    volunteer_count: i64,
    region_hours: String,
    can_create: bool,
    regions: Vec<RegionOption>,
    channels: Vec<(String, String, bool)>,
    form: TeamForm,
    errors: FieldErrors,
}

impl StaffPage {
    fn field_error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or_default()
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct StaffParams {
    page: Option<u32>,
    vpage: Option<u32>,
}

fn subtree(scope: &RegionScope) -> Option<tianfu_domain::RegionCode> {
    match scope {
        RegionScope::All => None,
        RegionScope::Subtree(root) => Some(root.clone()),
    }
}

async fn staff_page(
    app: &AppState,
    actor: Actor,
    params: &StaffParams,
    form: TeamForm,
    errors: FieldErrors,
) -> Result<StaffPage, PageError> {
    let fail = |e: AppError, me: &Actor| PageError::new(e, Some(me.clone()));
    let scope = staff_scope(&actor).unwrap_or(RegionScope::Subtree(actor.region.clone()));
    let region = subtree(&scope);
    let paging = Paging {
        page: params.page,
        per_page: Some(30),
    };
    let (teams, total) = views::list(app, region.as_ref(), paging)
        .await
        .map_err(|e| fail(e, &actor))?;
    let year = rules::year_of(app.clock.now());
    let (from, to) = rules::year_bounds(year);
    let ids: Vec<i64> = teams.iter().map(|t| t.id).collect();
    let minutes = hours::team_minutes(&app.db, &ids, from, to).await?;
    let volunteer_paging = Paging {
        page: params.vpage,
        per_page: Some(30),
    };
    let (rows, people, region_minutes) =
        hours::region_volunteers(&app.db, region.as_ref(), from, to, volunteer_paging).await?;
    let channels = views::channel_list(app)
        .await
        .map_err(|e| fail(e, &actor))?
        .into_iter()
        .map(|(code, name)| {
            let ticked = form.channels.contains(&code);
            (code, name, ticked)
        })
        .collect();
    let selected = if form.region_code.is_empty() {
        actor.region.to_string()
    } else {
        form.region_code.clone()
    };
    Ok(StaffPage {
        scope_name: scope.name(&app.regions),
        teams: teams
            .into_iter()
            .map(|team| TeamLine {
                hours: rules::hours_label(minutes.get(&team.id).copied().unwrap_or(0)),
                team,
            })
            .collect(),
        pager: Pager::new(paging.page(), paging.per_page(), total),
        volunteers: rows
            .into_iter()
            .map(|row| VolunteerLine {
                phone: mask_phone(&row.phone),
                region_name: app.regions.full_name_of(&row.region_code),
                hours: rules::hours_label(row.minutes),
                row,
            })
            .collect(),
        volunteer_pager: Pager::new(volunteer_paging.page(), volunteer_paging.per_page(), people),
        volunteer_count: people,
        region_hours: rules::hours_label(region_minutes),
        can_create: scope::works_in(&actor, service::DEPARTMENT),
        regions: region_options(app, &scope, true, &selected),
        channels,
        form,
        errors,
        year,
        me: Some(actor),
    })
}

/// 志愿服务队管理.
pub async fn staff(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    Query(params): Query<StaffParams>,
) -> Result<StaffPage, PageError> {
    staff_page(
        &app,
        actor,
        &params,
        TeamForm::default(),
        FieldErrors::new(),
    )
    .await
}

/// 组建志愿服务队 from the form: on success to the team's console page; refused input shows the
/// form again with each field's reason (422, or 409 for a taken name).
pub async fn create(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let form = TeamForm {
        name: value("name"),
        region_code: value("region_code"),
        channels: pairs
            .iter()
            .filter(|(k, _)| k == "channels")
            .map(|(_, v)| v.clone())
            .collect(),
        tags: value("tags"),
        intro: value("intro"),
        leader_phone: value("leader_phone"),
    };
    let mut fields = form.channels.clone();
    fields.extend(
        form.tags
            .split([',', '，', '、', ' ', '　', ';', '；'])
            .map(str::to_owned),
    );
    let input = TeamInput {
        name: form.name.clone(),
        region_code: form.region_code.clone(),
        fields,
        intro: form.intro.clone(),
        leader_phone: form.leader_phone.clone(),
    };
    match service::create(&app, &actor, &input, ip.as_deref()).await {
        Ok(id) => Ok(Redirect::to(&format!("/admin/kepu/teams/{id}")).into_response()),
        Err(error @ (AppError::Validation(_) | AppError::Conflict { .. })) => {
            let status = error.status();
            let errors = match error {
                AppError::Validation(errors) | AppError::Conflict { fields: errors, .. } => errors,
                _ => FieldErrors::new(),
            };
            let page = staff_page(&app, actor, &StaffParams::default(), form, errors).await?;
            Ok((status, page).into_response())
        }
        Err(error) => Err(PageError::new(error, Some(actor))),
    }
}

pub struct MemberLine {
    pub user_id: i64,
    pub name: String,
    pub phone: String,
    pub role_label: &'static str,
    pub joined_on: String,
    pub hours: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "kepu/volunteers/staff_team.html")]
pub struct StaffTeamPage {
    me: Option<Actor>,
    team: TeamView,
    hours: String,
    members: Vec<MemberLine>,
    pager: Pager,
    pager_base: String,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct PageParams {
    page: Option<u32>,
}

/// One team for staff whose region covers it: every member (paged) with their hours this year.
pub async fn team(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    Query(params): Query<PageParams>,
) -> Result<StaffTeamPage, PageError> {
    let fail = |e: AppError, me: &Actor| PageError::new(e, Some(me.clone()));
    let row = service::find(&app, id).await.map_err(|e| fail(e, &actor))?;
    let region = row.region()?;
    scope::ensure(
        &app,
        &actor,
        scope::can_view_region(&actor, &region),
        &format!("kepu.team:{id}"),
        ip.as_deref(),
    )
    .await
    .map_err(|e| fail(e, &actor))?;
    let team = views::view(&app, &row, Some(&actor))
        .await
        .map_err(|e| fail(e, &actor))?;
    let paging = Paging {
        page: params.page,
        per_page: Some(50),
    };
    let (rows, total) = store::members(&app.db, id, paging).await?;
    let (from, to) = rules::year_bounds(team.year);
    let people: Vec<i64> = rows.iter().map(|r| r.user_id).collect();
    let minutes = hours::people_minutes(&app.db, &people, from, to).await?;
    let members = rows
        .into_iter()
        .map(|r| MemberLine {
            hours: rules::hours_label(minutes.get(&r.user_id).copied().unwrap_or(0)),
            user_id: r.user_id,
            name: r.name,
            phone: mask_phone(&r.phone),
            role_label: rules::role_label(&r.role),
            joined_on: crate::platform::clock::shanghai_date(r.joined_at).to_string(),
        })
        .collect();
    Ok(StaffTeamPage {
        hours: rules::hours_label(team.minutes_this_year),
        team,
        members,
        pager: Pager::new(paging.page(), paging.per_page(), total),
        pager_base: format!("/admin/kepu/teams/{id}?"),
        me: Some(actor),
    })
}
