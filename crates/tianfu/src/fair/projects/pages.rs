//! `/me/fair-projects`: a scientist's or an organisation's projects at the fair, and entering
//! one of their published listings into the edition now collecting.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tianfu_domain::fair::{Category, Phase, Sector};
use tianfu_domain::{FieldErrors, ListingStatus, UserId};

use super::api::status_label;
use super::service::{self, ProjectInput};
use crate::AppState;
use crate::fair::store::{self, FairRow, ProjectFilter};
use crate::market::store::{self as listings, ListingFilter};
use crate::platform::api::Paging;
use crate::platform::auth::{Actor, PageUser};
use crate::platform::error::AppError;
use crate::platform::page::PageError;

#[derive(Debug, Default, Deserialize)]
pub struct EnterForm {
    #[serde(default)]
    pub listing_id: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub sector: String,
    #[serde(default)]
    pub pitch: String,
    #[serde(default)]
    pub org_name: String,
    /// Picture addresses, one per line.
    #[serde(default)]
    pub images: String,
    #[serde(default)]
    pub video_url: String,
}

pub struct MyProject {
    pub id: i64,
    pub title: String,
    pub category: &'static str,
    pub status: &'static str,
    pub group_rank: Option<i32>,
    pub major: bool,
}

pub struct ListingChoice {
    pub id: i64,
    pub label: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "fair/mine.html")]
pub struct MinePage {
    me: Option<Actor>,
    fair: Option<(i64, String, &'static str)>,
    collecting: bool,
    projects: Vec<MyProject>,
    listings: Vec<ListingChoice>,
    categories: Vec<(&'static str, &'static str)>,
    sectors: Vec<(&'static str, &'static str)>,
    form: EnterForm,
    errors: FieldErrors,
    saved: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct MineQuery {
    pub saved: Option<String>,
}

async fn mine_page(
    app: &AppState,
    actor: Actor,
    form: EnterForm,
    errors: FieldErrors,
    saved: bool,
) -> Result<MinePage, PageError> {
    let fail = |e: AppError| PageError::new(e, Some(actor.clone()));
    let now = app.clock.now();
    let fair: Option<FairRow> = store::current_fair(&app.db, now)
        .await
        .map_err(|e| fail(e.into()))?;
    let mut projects = Vec::new();
    if let Some(fair) = &fair {
        let filter = ProjectFilter {
            owner: Some(actor.id.0),
            ..ProjectFilter::default()
        };
        let (rows, _) = store::list_projects(
            &app.db,
            fair.id,
            &filter,
            Paging {
                page: None,
                per_page: Some(100),
            },
        )
        .await
        .map_err(|e| fail(e.into()))?;
        projects = rows
            .into_iter()
            .map(|p| MyProject {
                category: p.category().map_or("未知", Category::label),
                status: status_label(&p.status),
                group_rank: p.group_rank.filter(|_| fair.selection_published()),
                id: p.id,
                title: p.title,
                major: p.major,
            })
            .collect();
    }
    let filter = ListingFilter {
        owner: Some(UserId(actor.id.0)),
        status: Some(ListingStatus::Published),
        ..ListingFilter::default()
    };
    let (rows, _) = listings::list(
        &app.db,
        &filter,
        Paging {
            page: None,
            per_page: Some(100),
        },
    )
    .await
    .map_err(|e| fail(e.into()))?;
    let listings = rows
        .into_iter()
        .map(|l| ListingChoice {
            label: format!("{}：{}", l.kind().map_or("项目", |k| k.label()), l.title),
            id: l.id,
        })
        .collect();
    Ok(MinePage {
        collecting: fair
            .as_ref()
            .is_some_and(|f| f.phase(now) == Phase::Collecting),
        fair: fair.map(|f| (f.id, f.name.clone(), f.phase(now).label())),
        me: Some(actor),
        projects,
        listings,
        categories: Category::ALL
            .iter()
            .map(|c| (c.as_str(), c.label()))
            .collect(),
        sectors: Sector::ALL
            .iter()
            .map(|s| (s.as_str(), s.label()))
            .collect(),
        form,
        errors,
        saved,
    })
}

pub async fn mine(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    Query(query): Query<MineQuery>,
) -> Result<MinePage, PageError> {
    mine_page(
        &app,
        actor,
        EnterForm::default(),
        FieldErrors::new(),
        query.saved.is_some(),
    )
    .await
}

pub async fn enter(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    Form(form): Form<EnterForm>,
) -> Result<Response, PageError> {
    let fair = store::current_fair(&app.db, app.clock.now())
        .await
        .map_err(|e| PageError::new(e.into(), Some(actor.clone())))?;
    let Some(fair) = fair else {
        let errors = FieldErrors::single("form", "目前没有正在征集项目的科创会");
        return Ok((
            StatusCode::CONFLICT,
            mine_page(&app, actor, form, errors, false).await?,
        )
            .into_response());
    };
    let listing_id = form.listing_id.trim().parse::<i64>().ok();
    let kind = match listing_id {
        Some(id) => listings::find(&app.db, id)
            .await
            .map_err(|e| PageError::new(e.into(), Some(actor.clone())))?
            .map(|l| l.kind)
            .unwrap_or_default(),
        None => String::new(),
    };
    let input = ProjectInput {
        category: form.category.clone(),
        listing_kind: kind,
        listing_id,
        sector: form.sector.clone(),
        pitch: form.pitch.clone(),
        org_name: form.org_name.clone(),
        images: form
            .images
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
        video_url: form.video_url.clone(),
    };
    match service::enter(&app, &actor, &fair, &input).await {
        Ok(_) => Ok(Redirect::to("/me/fair-projects?saved=1").into_response()),
        Err(error) => {
            let (status, mut errors) = match error {
                AppError::Validation(fields) => (StatusCode::UNPROCESSABLE_ENTITY, fields),
                AppError::Conflict { message, .. } => {
                    (StatusCode::CONFLICT, FieldErrors::single("form", message))
                }
                AppError::Forbidden(message) => {
                    (StatusCode::FORBIDDEN, FieldErrors::single("form", message))
                }
                other => return Err(PageError::new(other, Some(actor))),
            };
            if let Some(message) = errors.get("listing_kind").map(str::to_owned) {
                errors.add("listing_id", message);
            }
            Ok((status, mine_page(&app, actor, form, errors, false).await?).into_response())
        }
    }
}

/// `/me/fair-reviews`: a reviewer's way in from their workspace — the current edition's
/// review page.
pub async fn my_reviews(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
) -> Result<Redirect, PageError> {
    let fair = store::current_fair(&app.db, app.clock.now())
        .await
        .map_err(|e| PageError::new(e.into(), Some(actor)))?;
    Ok(match fair {
        Some(fair) => Redirect::to(&format!("/fairs/{}/reviews", fair.id)),
        None => Redirect::to("/fairs"),
    })
}
