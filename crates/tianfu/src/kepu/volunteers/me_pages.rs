//! A volunteer's own pages: `/me/volunteer` (my hours this year, what I served, my teams) and
//! `/me/volunteer/certificate?year=` (志愿服务时长证明, made to be printed). Both read the
//! ledger through `hours::of_person`, the same rows the province's figure sums, and only ever
//! the signed-in person's own.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use serde::Deserialize;

use super::hours::{self, ServedItem};
use super::rules;
use super::store;
use crate::AppState;
use crate::platform::auth::{Actor, PageUser};
use crate::platform::clock::shanghai_date;
use crate::platform::error::AppError;
use crate::platform::page::PageError;

#[derive(Debug, Default, Deserialize)]
pub struct YearParams {
    year: Option<String>,
}

/// The year a page asks for: this Beijing year when left out; a 422 page for anything else
/// than a year in 2000..=2100.
fn year_of(app: &AppState, asked: Option<&str>) -> Result<i32, AppError> {
    match asked.map(str::trim).filter(|y| !y.is_empty()) {
        None => Ok(rules::year_of(app.clock.now())),
        Some(text) => text
            .parse::<i32>()
            .map_err(|_| "年份应为四位数字，如 2026".to_owned())
            .and_then(rules::check_year)
            .map_err(|m| AppError::validation("year", m)),
    }
}

/// A team of mine: (id, name, role label).
type MyTeam = (i64, String, &'static str);

async fn my_teams(app: &AppState, me: &Actor) -> Result<Vec<MyTeam>, PageError> {
    Ok(store::teams_of(&app.db, me.id.0)
        .await?
        .into_iter()
        .map(|(id, name, role)| (id, name, rules::role_label(&role)))
        .collect())
}

#[derive(Template, WebTemplate)]
#[template(path = "kepu/volunteers/mine.html")]
pub struct MinePage {
    me: Option<Actor>,
    year: i32,
    /// This year and the two before, to switch between.
    years: Vec<i32>,
    hours: String,
    count: usize,
    items: Vec<ServedItem>,
    teams: Vec<MyTeam>,
}

impl MinePage {
    fn hours_of(&self, item: &ServedItem) -> String {
        rules::hours_label(item.minutes)
    }
}

/// 我的志愿服务.
pub async fn mine(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    Query(params): Query<YearParams>,
) -> Result<MinePage, PageError> {
    let year = year_of(&app, params.year.as_deref())
        .map_err(|e| PageError::new(e, Some(actor.clone())))?;
    let this_year = rules::year_of(app.clock.now());
    let served = hours::of_person(&app.db, actor.id.0, year).await?;
    Ok(MinePage {
        years: (this_year - 2..=this_year).rev().collect(),
        hours: rules::hours_label(served.minutes),
        count: served.items.len(),
        items: served.items,
        teams: my_teams(&app, &actor).await?,
        year,
        me: Some(actor),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "kepu/volunteers/certificate.html")]
pub struct CertificatePage {
    me: Option<Actor>,
    name: String,
    phone: String,
    region_name: String,
    year: i32,
    hours: String,
    items: Vec<ServedItem>,
    teams: Vec<MyTeam>,
    issuer: &'static str,
    issued_on: String,
    number: String,
}

impl CertificatePage {
    fn hours_of(&self, item: &ServedItem) -> String {
        rules::hours_label(item.minutes)
    }

    fn team_names(&self) -> String {
        self.teams
            .iter()
            .map(|(_, name, _)| name.as_str())
            .collect::<Vec<_>>()
            .join("、")
    }
}

/// 志愿服务时长证明: the person's hours of a year as the ledger has them, with a number that
/// checks the person, the year and the total.
pub async fn certificate(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    Query(params): Query<YearParams>,
) -> Result<CertificatePage, PageError> {
    let year = year_of(&app, params.year.as_deref())
        .map_err(|e| PageError::new(e, Some(actor.clone())))?;
    let served = hours::of_person(&app.db, actor.id.0, year).await?;
    // A certificate of no hours certifies nothing: say so instead of printing one.
    if served.minutes == 0 {
        return Err(PageError::new(
            AppError::Conflict {
                message: format!(
                    "您{year}年还没有经现场签到核验的志愿服务时长，暂不能出具证明。以志愿者身份报名科普活动并在现场扫码签到后即可开具。"
                ),
                fields: Default::default(),
            },
            Some(actor),
        ));
    }
    Ok(CertificatePage {
        name: actor.name.clone(),
        phone: tianfu_domain::Phone::parse(&actor.phone)
            .map(|p| p.masked())
            .unwrap_or_else(|_| "****".into()),
        region_name: actor.region_name.clone(),
        hours: rules::hours_label(served.minutes),
        number: rules::verification_number(actor.id.0, year, served.minutes),
        issued_on: shanghai_date(app.clock.now())
            .format("%Y年%m月%d日")
            .to_string(),
        issuer: rules::ISSUER,
        teams: my_teams(&app, &actor).await?,
        items: served.items,
        year,
        me: Some(actor),
    })
}
