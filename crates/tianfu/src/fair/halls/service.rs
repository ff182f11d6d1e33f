//! The halls as visitors see them — one per city and one for the province's institutions, open
//! all year once the selected list is published — and a visitor's interest, which becomes an
//! inquiry in the market on the project's listing and reaches the project's nanny.

use serde::Serialize;
use tianfu_domain::fair_halls::PROVINCE_HALL;
use tianfu_domain::{FieldErrors, ListingKind, RegionCode};
use utoipa::ToSchema;

use super::store;
use crate::App;
use crate::fair::projects::service::visible;
use crate::fair::store::{FairRow, ProjectRow};
use crate::market::inquiries::service as inquiries;
use crate::platform::auth::Actor;
use crate::platform::error::AppError;

/// One hall and how many selected projects it shows.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = FairHall)]
pub struct HallView {
    /// A city's code (5101…), or 51 for the province's own institutions.
    pub code: String,
    /// 成都市…, or 省直单位.
    pub name: String,
    /// Selected projects it shows (0 until the selected list is published).
    pub selected: i64,
}

/// The halls in order: the 21 cities by code, then the province's own.
pub fn halls(app: &App) -> Vec<(String, String)> {
    let mut halls: Vec<(String, String)> = RegionCode::parse(PROVINCE_HALL)
        .ok()
        .map(|province| app.regions.children(Some(&province)))
        .unwrap_or_default()
        .into_iter()
        .map(|r| (r.code.as_str().to_owned(), r.name.clone()))
        .collect();
    halls.push((PROVINCE_HALL.to_owned(), "省直单位".to_owned()));
    halls
}

/// The name of a hall, if `code` is one.
pub fn hall_name(app: &App, code: &str) -> Option<String> {
    halls(app)
        .into_iter()
        .find(|(c, _)| c == code)
        .map(|(_, name)| name)
}

pub async fn hall_views(app: &App, fair: &FairRow) -> Result<Vec<HallView>, AppError> {
    let counts = if fair.selection_published() {
        store::selected_counts(&app.db, fair.id).await?
    } else {
        Default::default()
    };
    Ok(halls(app)
        .into_iter()
        .map(|(code, name)| HallView {
            selected: counts.get(&code).copied().unwrap_or(0),
            code,
            name,
        })
        .collect())
}

fn conflict(message: &str) -> AppError {
    AppError::Conflict {
        message: message.to_owned(),
        fields: FieldErrors::new(),
    }
}

/// A hall's project a visitor may act on: visible to them, selected, the list published, and
/// not their own.
pub async fn hall_project(
    app: &App,
    actor: &Actor,
    fair: &FairRow,
    pid: i64,
    own: &str,
) -> Result<ProjectRow, AppError> {
    let project = visible(app, Some(actor), fair, pid).await?;
    if project.owner_id == actor.id.0 {
        return Err(AppError::Forbidden(own.to_owned()));
    }
    if !(project.is_selected() && fair.selection_published()) {
        return Err(conflict(
            "入选名单公布后，才能在云展厅对项目表达兴趣或预约洽谈",
        ));
    }
    Ok(project)
}

/// What an interest came to.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = FairInterestResult)]
pub struct InterestResult {
    pub project_id: i64,
    /// The inquiry (洽谈) it became, which the project's owner sees among theirs.
    pub inquiry_id: i64,
    /// `/me/inquiries/{inquiry_id}`.
    pub inquiry_link: String,
    /// Whether a nanny was found and told.
    pub nanny_notified: bool,
}

/// 我感兴趣: once per person and project. Opens (or continues) an inquiry on the project's
/// listing, which tells its owner; records the interest; tells the project's nanny — its
/// follow-up ticket's, else the least-loaded 企事业单位服务部 staff of its region.
pub async fn interest(
    app: &App,
    actor: &Actor,
    fair: &FairRow,
    pid: i64,
    message: &str,
) -> Result<InterestResult, AppError> {
    let message = inquiries::parse_message("message", message)?;
    let project = hall_project(app, actor, fair, pid, "不能对自己的项目表达兴趣").await?;
    if let Some(inquiry) = store::interest_of(&app.db, pid, actor.id.0).await? {
        return Err(already(inquiry));
    }
    let kind = ListingKind::parse(&project.listing_kind)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("fair project {pid} listing kind: {e}")))?;
    let inquiry = inquiries::open(app, actor, kind, project.listing_id, &message).await?;
    let now = app.clock.now();
    let ticket = store::follow_up_ticket(&app.db, pid).await?;
    let nanny = match ticket.and_then(|(_, assignee)| assignee) {
        Some(nanny) => Some(nanny),
        None => match RegionCode::parse(&project.region_code) {
            Ok(region) => crate::nanny::open::pick_nanny(&app.db, &region, "org")
                .await?
                .map(|(id, _)| id),
            Err(_) => None,
        },
    };
    let mut tx = app.db.begin().await?;
    if !store::insert_interest(&mut tx, fair.id, pid, actor.id.0, inquiry, now).await? {
        return Err(already(Some(inquiry)));
    }
    if let Some(nanny) = nanny {
        let link = match ticket {
            Some((ticket, _)) => format!("/admin/tickets/{ticket}"),
            None => format!("/fairs/{}/projects/{pid}", fair.id),
        };
        tx.notify(
            nanny,
            &format!(
                "{}在云展厅对科创会项目“{}”表达了兴趣，已转为洽谈，请跟进对接",
                actor.name, project.title
            ),
            &link,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(InterestResult {
        project_id: pid,
        inquiry_id: inquiry,
        inquiry_link: format!("/me/inquiries/{inquiry}"),
        nanny_notified: nanny.is_some(),
    })
}

/// The second interest in the same project: 409 pointing at the inquiry it became.
fn already(inquiry: Option<i64>) -> AppError {
    let mut fields = FieldErrors::new();
    if let Some(inquiry) = inquiry {
        fields.add("inquiry", format!("/me/inquiries/{inquiry}"));
    }
    AppError::Conflict {
        message: "您已对该项目表达过兴趣，请在“我的洽谈”中继续沟通".into(),
        fields,
    }
}
