//! `/me/profile` (the person's own profile, editable) and `/admin/kepu/profiles` (aggregates for
//! staff).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::api::{self, ProfileBody};
use super::region;
use super::store::{self, Aggregates, Profile};
use crate::kepu::audience::Audience;
use crate::kepu::resources::store as resources;
use crate::platform::auth::{Actor, PageStaff, PageUser};
use crate::platform::error::AppError;
use crate::platform::page::PageError;
use crate::platform::scope::staff_scope;
use crate::{App, AppState};

#[derive(Template, WebTemplate)]
#[template(path = "kepu/profile.html")]
pub struct ProfilePage {
    me: Option<Actor>,
    profile: Profile,
    audiences: [Audience; 5],
    channels: Vec<(String, String)>,
    /// Chosen interests that are not channels, as typed.
    other_interests: String,
    /// The person's county and its townships to choose from (none above the county, or for
    /// staff): (code, name, selected).
    county: Option<(String, String)>,
    townships: Vec<(String, String, bool)>,
    saved: bool,
    error: Option<String>,
}

impl ProfilePage {
    fn chosen(&self, interest: &str) -> bool {
        self.profile
            .interests
            .iter()
            .any(|i| i.chosen && i.interest == interest)
    }

    fn is_audience(&self, code: &str) -> bool {
        self.profile.audience.as_deref() == Some(code)
    }

    /// A channel code's name, else the interest itself.
    fn name_of(&self, interest: &str) -> String {
        self.channels
            .iter()
            .find(|(c, _)| c == interest)
            .map_or_else(|| interest.to_owned(), |(_, n)| n.clone())
    }
}

async fn page(
    app: &App,
    me: Actor,
    saved: bool,
    error: Option<String>,
) -> Result<ProfilePage, PageError> {
    let fail = |e| PageError::new(e, Some(me.clone()));
    let profile = store::load(&app.db, me.id.0, app.clock.now())
        .await
        .map_err(fail)?;
    let channels = resources::channels(&app.db).await.map_err(fail)?;
    let other_interests = profile
        .interests
        .iter()
        .filter(|i| i.chosen && !channels.iter().any(|(c, _)| *c == i.interest))
        .map(|i| i.interest.clone())
        .collect::<Vec<_>>()
        .join("，");
    let townships: Vec<(String, String, bool)> = region::choices(&app.regions, &me)
        .into_iter()
        .map(|t| (t.code.to_string(), t.name.clone(), t.code == me.region))
        .collect();
    let county = me
        .region
        .county()
        .filter(|_| !townships.is_empty())
        .and_then(|c| app.regions.get(&c))
        .map(|c| (c.code.to_string(), c.name.clone()));
    Ok(ProfilePage {
        me: Some(me),
        profile,
        audiences: Audience::ALL,
        channels,
        other_interests,
        county,
        townships,
        saved,
        error,
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    saved: Option<String>,
}

pub async fn show(
    State(app): State<AppState>,
    PageUser(me): PageUser,
    Query(query): Query<ShowQuery>,
) -> Result<ProfilePage, PageError> {
    page(&app, me, query.saved.is_some(), None).await
}

pub async fn save(
    State(app): State<AppState>,
    PageUser(me): PageUser,
    axum::extract::RawForm(raw): axum::extract::RawForm,
) -> Result<Response, PageError> {
    let mut body = ProfileBody::default();
    for (key, value) in form_urlencoded::parse(&raw) {
        match key.as_ref() {
            "audience" => body.audience = Some(value.into_owned()),
            "region_code" => body.region_code = Some(value.into_owned()),
            "channels" => body.interests.push(value.into_owned()),
            "interests" => body.interests.extend(
                value
                    .split([',', '，', ' ', '、'])
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned),
            ),
            _ => {}
        }
    }
    match api::save(&app, &me, &body).await {
        Ok(_) => Ok(Redirect::to("/me/profile?saved=1").into_response()),
        Err(error @ (AppError::Validation(_) | AppError::Conflict { .. })) => {
            let message = error.fields().into_values().next().unwrap_or_default();
            Ok(page(&app, me, false, Some(message)).await?.into_response())
        }
        Err(error) => Err(PageError::new(error, Some(me))),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ForgetForm {
    interest: String,
}

/// Drops one learned interest; the chosen ones stay.
pub async fn forget(
    State(app): State<AppState>,
    PageUser(me): PageUser,
    Form(form): Form<ForgetForm>,
) -> Result<Response, PageError> {
    let fail = |e| PageError::new(e, Some(me.clone()));
    let profile = store::load(&app.db, me.id.0, app.clock.now())
        .await
        .map_err(fail)?;
    let body = ProfileBody {
        audience: profile.audience.clone(),
        interests: profile
            .interests
            .iter()
            .filter(|i| i.chosen)
            .map(|i| i.interest.clone())
            .collect(),
        forget: vec![form.interest],
        region_code: None,
    };
    api::save(&app, &me, &body).await.map_err(fail)?;
    Ok(Redirect::to("/me/profile?saved=1").into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "kepu/profile_stats.html")]
pub struct StatsPage {
    me: Option<Actor>,
    region_code: String,
    region_name: String,
    audience: String,
    audiences: [Audience; 5],
    found: Aggregates,
}

impl StatsPage {
    fn audience_label(&self, code: &str) -> &'static str {
        Audience::parse(code).map_or("未填写", Audience::label)
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct StatsQuery {
    region_code: Option<String>,
    audience: Option<String>,
}

pub async fn stats(
    State(app): State<AppState>,
    PageStaff(me): PageStaff,
    Query(query): Query<StatsQuery>,
) -> Result<StatsPage, PageError> {
    let fail = |e| PageError::new(e, Some(me.clone()));
    let scope = staff_scope(&me).ok_or_else(|| fail(AppError::Forbidden("仅限工作人员".into())))?;
    let region = api::stats_region(&scope, query.region_code.as_deref()).map_err(fail)?;
    let audience = query
        .audience
        .as_deref()
        .and_then(Audience::parse)
        .map(Audience::as_str);
    let found = api::aggregates(&app, &region, audience)
        .await
        .map_err(fail)?;
    Ok(StatsPage {
        region_name: app.regions.full_name(&region),
        region_code: region.as_str().to_owned(),
        audience: audience.unwrap_or_default().to_owned(),
        audiences: Audience::ALL,
        found,
        me: Some(me),
    })
}
