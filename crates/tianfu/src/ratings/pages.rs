//! Public pages: the yearly list (`/ratings`), one rating (`/ratings/{id}`, with the staff's
//! forms when it awaits their step), a case (`/cases/{id}`); and my cases and applications
//! (`/me/ratings`), writing and editing a case.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tianfu_domain::FieldErrors;

use super::api::ListParams;
use super::cases::{self, CaseRow};
use super::rules::{self, REJECT_REASONS, REVOKE_REASONS, Status};
use super::service::{self, RatingInput};
use super::store;
use super::view::{CaseView, RatingView};
use crate::AppState;
use crate::market::studios::store as studios;
use crate::platform::auth::{Actor, ClientIp, MaybeUser, PageUser};
use crate::platform::error::AppError;
use crate::platform::page::{PageError, Pager};

#[derive(Template, WebTemplate)]
#[template(path = "ratings/list.html")]
pub struct ListPage {
    me: Option<Actor>,
    year: Option<i32>,
    years: Vec<i32>,
    level: String,
    kind: String,
    items: Vec<RatingView>,
    pager: Pager,
}

pub async fn list(
    State(app): State<AppState>,
    MaybeUser(me): MaybeUser,
    Query(params): Query<ListParams>,
) -> Result<ListPage, PageError> {
    let fail = |e: AppError| PageError::new(e, me.clone());
    let mut params = params;
    let this_year = service::this_year(&app);
    params.year = Some(params.year.unwrap_or(this_year));
    let filter = params.filter().map_err(fail)?;
    let paging = params.paging();
    let (rows, total) = store::list(&app.db, &filter, paging)
        .await
        .map_err(|e| fail(e.into()))?;
    Ok(ListPage {
        year: params.year,
        years: (this_year - 4..=this_year).rev().collect(),
        level: params.level.clone().unwrap_or_default(),
        kind: params.subject_kind.clone().unwrap_or_default(),
        items: rows.into_iter().map(|r| RatingView::new(&app, r)).collect(),
        pager: Pager::new(paging.page(), paging.per_page(), total),
        me,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "ratings/show.html")]
pub struct ShowPage {
    me: Option<Actor>,
    rating: RatingView,
    can_decide: bool,
    can_revoke: bool,
    reject_reasons: &'static [&'static str],
    revoke_reasons: &'static [&'static str],
    error: Option<String>,
}

async fn show_page(
    app: &AppState,
    me: Option<Actor>,
    id: i64,
    error: Option<String>,
) -> Result<ShowPage, PageError> {
    let fail = |e: AppError| PageError::new(e, me.clone());
    let row = service::visible(app, me.as_ref(), id).await.map_err(fail)?;
    let (kind, region, status) = (row.kind(), row.region(), row.status());
    let (can_decide, can_revoke) = match (&me, kind, region, status) {
        (Some(a), Some(k), Some(r), Some(s)) => (
            rules::can_decide(a, k, &r, s),
            s == Status::Approved && rules::can_revoke(a, k, &r),
        ),
        _ => (false, false),
    };
    Ok(ShowPage {
        rating: RatingView::full(app, row).await.map_err(fail)?,
        can_decide,
        can_revoke,
        reject_reasons: REJECT_REASONS,
        revoke_reasons: REVOKE_REASONS,
        error,
        me,
    })
}

pub async fn show(
    State(app): State<AppState>,
    MaybeUser(me): MaybeUser,
    Path(id): Path<i64>,
) -> Result<ShowPage, PageError> {
    show_page(&app, me, id, None).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    decision: String,
    preset: String,
    reason: String,
}

impl DecisionForm {
    /// The reviewer's own words, else the preset they picked.
    fn reason(&self) -> Option<String> {
        [&self.reason, &self.preset]
            .into_iter()
            .map(|r| r.trim())
            .find(|r| !r.is_empty())
            .map(str::to_owned)
    }
}

async fn after_act(
    app: &AppState,
    actor: Actor,
    id: i64,
    outcome: Result<(), AppError>,
    back: &str,
) -> Result<Response, PageError> {
    match outcome {
        Ok(()) => Ok(Redirect::to(back).into_response()),
        Err(AppError::Internal(cause)) => {
            Err(PageError::new(AppError::Internal(cause), Some(actor)))
        }
        Err(refusal) => {
            let status = refusal.status();
            let message = refusal.to_string();
            let detail = refusal.fields().into_values().next();
            let text = detail.map_or(message.clone(), |d| format!("{message}：{d}"));
            Ok((status, show_page(app, Some(actor), id, Some(text)).await?).into_response())
        }
    }
}

pub async fn decide(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, PageError> {
    let outcome = async {
        let row = service::to_act_on(&app, id).await?;
        let reason = form.reason();
        service::decide(
            &app,
            &actor,
            &row,
            &form.decision,
            reason.as_deref(),
            ip.as_deref(),
        )
        .await
        .map(|_| ())
    }
    .await;
    after_act(&app, actor, id, outcome, "/admin/ratings").await
}

pub async fn revoke(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, PageError> {
    let outcome = async {
        let row = service::to_act_on(&app, id).await?;
        let reason = form.reason().unwrap_or_default();
        service::revoke(&app, &actor, &row, &reason, ip.as_deref()).await
    }
    .await;
    let back = format!("/ratings/{id}");
    after_act(&app, actor, id, outcome, &back).await
}

#[derive(Template, WebTemplate)]
#[template(path = "ratings/case.html")]
pub struct CasePage {
    me: Option<Actor>,
    case: CaseView,
    is_party: bool,
}

pub async fn case(
    State(app): State<AppState>,
    MaybeUser(me): MaybeUser,
    Path(id): Path<i64>,
) -> Result<CasePage, PageError> {
    let fail = |e: AppError| PageError::new(e, me.clone());
    let row = cases::find(&app.db, id)
        .await
        .map_err(|e| fail(e.into()))?
        .ok_or_else(|| fail(AppError::not_found("案例")))?;
    let is_party = me.as_ref().is_some_and(|a| row.is_party(a.id));
    Ok(CasePage {
        case: CaseView::new(&app, row).await.map_err(fail)?,
        is_party,
        me,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "ratings/mine.html")]
pub struct MinePage {
    me: Option<Actor>,
    studio: Option<(i64, String)>,
    cases: Vec<CaseRow>,
    unwritten: Vec<(i64, i64)>,
    ratings: Vec<RatingView>,
    this_year: i32,
    errors: FieldErrors,
    form: ApplyForm,
}

async fn mine_page(
    app: &AppState,
    actor: Actor,
    form: ApplyForm,
    errors: FieldErrors,
) -> Result<MinePage, PageError> {
    let fail = |e: sqlx::Error| PageError::new(e.into(), Some(actor.clone()));
    let studio = studios::find_by_owner(&app.db, actor.id)
        .await
        .map_err(fail)?
        .map(|s| (s.id, s.name));
    let cases = cases::of_party(&app.db, actor.id).await.map_err(fail)?;
    let unwritten = cases::unwritten(&app.db, actor.id).await.map_err(fail)?;
    let ratings = store::mine(&app.db, actor.id.0)
        .await
        .map_err(fail)?
        .into_iter()
        .map(|r| RatingView::new(app, r))
        .collect();
    Ok(MinePage {
        this_year: service::this_year(app),
        me: Some(actor),
        studio,
        cases,
        unwritten,
        ratings,
        errors,
        form,
    })
}

pub async fn mine(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
) -> Result<MinePage, PageError> {
    mine_page(&app, actor, ApplyForm::default(), FieldErrors::new()).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ApplyForm {
    /// `studio:12` or `case:3`.
    pub subject: String,
    pub level: String,
    pub statement: String,
}

impl ApplyForm {
    pub fn input(&self) -> RatingInput {
        let (kind, id) = self.subject.split_once(':').unwrap_or(("", ""));
        RatingInput {
            subject_kind: kind.to_owned(),
            subject_id: id.parse().ok(),
            level: self.level.clone(),
            year: None,
            statement: self.statement.clone(),
        }
    }
}

/// The form's refusal as field errors, the rest as a page error.
pub fn form_errors(error: AppError) -> Result<(StatusCode, FieldErrors), AppError> {
    match error {
        AppError::Validation(fields) => Ok((StatusCode::UNPROCESSABLE_ENTITY, fields)),
        AppError::Conflict { fields, .. } => Ok((StatusCode::CONFLICT, fields)),
        other => Err(other),
    }
}

pub async fn apply(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    ClientIp(ip): ClientIp,
    Form(form): Form<ApplyForm>,
) -> Result<Response, PageError> {
    match service::apply(&app, &actor, &form.input(), ip.as_deref()).await {
        Ok(id) => Ok(Redirect::to(&format!("/ratings/{id}")).into_response()),
        Err(error) => match form_errors(error) {
            Ok((status, errors)) => {
                Ok((status, mine_page(&app, actor, form, errors).await?).into_response())
            }
            Err(other) => Err(PageError::new(other, Some(actor))),
        },
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "ratings/case_form.html")]
pub struct CaseFormPage {
    me: Option<Actor>,
    /// The case being edited, or none for a new one.
    case_id: Option<i64>,
    form: CaseForm,
    errors: FieldErrors,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CaseForm {
    deal_id: Option<i64>,
    title: String,
    story: String,
    lessons: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct NewCaseQuery {
    deal_id: Option<i64>,
}

pub async fn new_case(
    PageUser(actor): PageUser,
    Query(query): Query<NewCaseQuery>,
) -> CaseFormPage {
    CaseFormPage {
        me: Some(actor),
        case_id: None,
        form: CaseForm {
            deal_id: query.deal_id,
            ..CaseForm::default()
        },
        errors: FieldErrors::new(),
    }
}

fn form_again(actor: Actor, case_id: Option<i64>, form: CaseForm, error: AppError) -> Response {
    match form_errors(error) {
        Ok((status, errors)) => (
            status,
            CaseFormPage {
                me: Some(actor),
                case_id,
                form,
                errors,
            },
        )
            .into_response(),
        Err(other) => PageError::new(other, Some(actor)).into_response(),
    }
}

pub async fn create_case(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    Form(form): Form<CaseForm>,
) -> Result<Response, PageError> {
    match cases::create(
        &app,
        &actor,
        form.deal_id,
        &form.title,
        &form.story,
        &form.lessons,
    )
    .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/cases/{id}")).into_response()),
        Err(error) => Ok(form_again(actor, None, form, error)),
    }
}

pub async fn edit_case(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    Path(id): Path<i64>,
) -> Result<CaseFormPage, PageError> {
    let fail = |e: AppError| PageError::new(e, Some(actor.clone()));
    let row = cases::find(&app.db, id)
        .await
        .map_err(|e| fail(e.into()))?
        .ok_or_else(|| fail(AppError::not_found("案例")))?;
    if !row.is_party(actor.id) {
        return Err(fail(AppError::Forbidden(
            "只有交易双方可以修改该案例".into(),
        )));
    }
    Ok(CaseFormPage {
        case_id: Some(id),
        form: CaseForm {
            deal_id: Some(row.deal_id),
            title: row.title,
            story: row.story,
            lessons: row.lessons,
        },
        errors: FieldErrors::new(),
        me: Some(actor),
    })
}

pub async fn update_case(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<CaseForm>,
) -> Result<Response, PageError> {
    let outcome = async {
        let row = cases::find(&app.db, id)
            .await?
            .ok_or_else(|| AppError::not_found("案例"))?;
        let text = rules::check_case(&form.title, &form.story, &form.lessons)?;
        cases::update(&app, &actor, &row, &text).await
    }
    .await;
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/cases/{id}")).into_response()),
        Err(error) => Ok(form_again(actor, Some(id), form, error)),
    }
}
