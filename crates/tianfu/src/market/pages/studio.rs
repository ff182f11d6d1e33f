//! A studio's public page, and opening and editing one's own studio from the workspace.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tianfu_domain::{FieldErrors, Role};

use super::{Line, parse_id};
use crate::AppState;
use crate::market::studios::api::{self as studio_api, MemberRequest, StudioRequest, StudioView};
use crate::market::studios::{review, store};
use crate::platform::auth::{Actor, ClientIp, MaybeUser, PageUser};
use crate::platform::error::AppError;
use crate::platform::page::PageError;
use crate::platform::scope;
use crate::platform::tx::Guarded;

#[derive(Template, WebTemplate)]
#[template(path = "market/studio.html")]
pub struct StudioPage {
    me: Option<Actor>,
    studio: StudioView,
    offers: Vec<Line>,
    achievements: Vec<Line>,
    /// Its 典型/精品 ratings in force, e.g. 2026年度精品科创工作室.
    badges: Vec<String>,
    is_owner: bool,
    /// Why staff refused the last submission, for the owner.
    review_reason: Option<String>,
    /// The sticky 立即咨询 bar's target: the first listing's inquiry form.
    contact_href: Option<String>,
}

pub async fn show(
    State(app): State<AppState>,
    MaybeUser(me): MaybeUser,
    Path(id): Path<String>,
) -> Result<StudioPage, PageError> {
    let fail = |e| PageError::new(e, me.clone());
    let id = parse_id(&id, "工作室").map_err(fail)?;
    let row = store::find(&app.db, id)
        .await
        .map_err(|e| fail(e.into()))?
        .filter(|row| studio_api::visible(me.as_ref(), row))
        .ok_or_else(|| fail(AppError::not_found("工作室")))?;
    let is_owner = me.as_ref().is_some_and(|a| a.id.0 == row.owner_id);
    let review_reason = row.review_reason.clone().filter(|_| is_owner);
    let mut studio = studio_api::studio_view(&app, row).await.map_err(fail)?;
    // 立即咨询 opens the inquiry form of the studio's first capability (or achievement):
    // inquiries are about a listing, and the owner's phone is not public.
    let contact_href = studio
        .offers
        .first()
        .or(studio.achievements.first())
        .filter(|_| !is_owner && studio.status == "published")
        .map(|l| format!("{}#inquiry", super::detail_href(&l.kind, l.id)));
    let badges = crate::ratings::view::studio_badges(&app, id)
        .await
        .map_err(fail)?;
    let lines = |views: Vec<_>| -> Vec<Line> {
        views
            .into_iter()
            .map(|view| Line::from_view(view, String::new()))
            .collect()
    };
    Ok(StudioPage {
        is_owner,
        review_reason,
        contact_href,
        offers: lines(std::mem::take(&mut studio.offers)),
        achievements: lines(std::mem::take(&mut studio.achievements)),
        studio,
        badges,
        me,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StudioForm {
    name: String,
    intro: String,
    /// Comma-separated research fields.
    fields: String,
    /// One member a line: "姓名 职称".
    members: String,
    /// Set by the edit form: the studio's revision the owner edited.
    revision: String,
}

impl StudioForm {
    fn request(&self) -> StudioRequest {
        let members = self
            .members
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .map(|line| match line.split_once(char::is_whitespace) {
                Some((name, title)) => MemberRequest {
                    name: name.to_owned(),
                    title: title.trim().to_owned(),
                },
                None => MemberRequest {
                    name: line.to_owned(),
                    title: String::new(),
                },
            })
            .collect();
        StudioRequest {
            name: Some(self.name.clone()),
            intro: Some(self.intro.clone()),
            fields: Some(vec![self.fields.clone()]),
            members: Some(members),
        }
    }
}

/// The owner's studio as their workspace shows it.
pub struct MyStudio {
    id: i64,
    /// The public name (the approved text).
    name: String,
    public: bool,
    in_review: bool,
    review_reason: Option<String>,
}

/// My studio: opening one (a scientist who has none), or its state and the form to edit its
/// name, introduction and fields (each edit goes to staff review).
#[derive(Template, WebTemplate)]
#[template(path = "market/my_studio.html")]
pub struct MyStudioPage {
    me: Option<Actor>,
    existing: Option<MyStudio>,
    allowed: bool,
    form: StudioForm,
    errors: FieldErrors,
    /// A line at the top: what just happened, or why it did not.
    notice: Option<&'static str>,
    error: Option<String>,
}

impl MyStudioPage {
    fn new(actor: Actor, row: Option<&store::StudioRow>, form: StudioForm) -> Self {
        MyStudioPage {
            allowed: actor.role == Role::Worker,
            me: Some(actor),
            existing: row.map(|row| MyStudio {
                id: row.id,
                name: row.name.clone(),
                public: row.is_public(),
                in_review: row.in_review(),
                review_reason: row.review_reason.clone(),
            }),
            form,
            errors: FieldErrors::new(),
            notice: None,
            error: None,
        }
    }
}

/// The edit form, filled with what the owner last submitted (an edit waiting or refused, or the
/// studio's own text).
fn edit_form(row: &store::StudioRow) -> StudioForm {
    let (name, intro, fields) = row.proposed();
    StudioForm {
        name,
        intro,
        fields: fields.split('\n').collect::<Vec<_>>().join("，"),
        members: String::new(),
        revision: row.revision.to_string(),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct MineQuery {
    saved: Option<String>,
}

pub async fn mine(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    Query(query): Query<MineQuery>,
) -> Result<MyStudioPage, PageError> {
    let row = store::find_by_owner(&app.db, actor.id)
        .await
        .map_err(|e| PageError::new(e.into(), Some(actor.clone())))?;
    let form = row.as_ref().map(edit_form).unwrap_or_default();
    let mut page = MyStudioPage::new(actor, row.as_ref(), form);
    if query.saved.is_some() {
        page.notice = Some("已提交，等待服务中心审核；审核通过后公开展示。");
    }
    Ok(page)
}

/// Opens a studio, or (with the `revision` the edit form carries) submits an edit of one's own.
pub async fn open(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    ClientIp(ip): ClientIp,
    Form(form): Form<StudioForm>,
) -> Result<Response, PageError> {
    let allowed = actor.role == Role::Worker;
    if let Err(_refused) = scope::ensure(&app, &actor, allowed, "studio:open", ip.as_deref()).await
    {
        let error = AppError::Forbidden("仅科技工作者可以开设科创工作室".into());
        return Err(PageError::new(error, Some(actor)));
    }
    if !form.revision.is_empty() {
        return edit(app, actor, form).await;
    }
    let again = |actor: Actor, form: StudioForm, errors: FieldErrors, status: StatusCode| {
        let mut page = MyStudioPage::new(actor, None, form);
        page.errors = errors;
        (status, page).into_response()
    };
    let studio = match studio_api::validate(&form.request()) {
        Ok(studio) => studio,
        Err(errors) => return Ok(again(actor, form, errors, StatusCode::UNPROCESSABLE_ENTITY)),
    };
    match store::open(&app.db, actor.id, &actor.region, &studio, app.clock.now()).await {
        Ok(id) => Ok(Redirect::to(&format!("/studios/{id}")).into_response()),
        Err(AppError::Conflict { fields, .. }) => {
            Ok(again(actor, form, fields, StatusCode::CONFLICT))
        }
        Err(other) => Err(PageError::new(other, Some(actor))),
    }
}

async fn edit(app: AppState, actor: Actor, form: StudioForm) -> Result<Response, PageError> {
    let fail = |e: AppError, actor: &Actor| PageError::new(e, Some(actor.clone()));
    let row = store::find_by_owner(&app.db, actor.id)
        .await
        .map_err(|e| fail(e.into(), &actor))?
        .ok_or_else(|| fail(AppError::not_found("工作室"), &actor))?;
    let revision = form.revision.trim().parse::<i64>().unwrap_or(-1);
    let studio = match studio_api::validate(&form.request()) {
        Ok(studio) => studio,
        Err(errors) => {
            let mut page = MyStudioPage::new(actor, Some(&row), form);
            page.errors = errors;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let now = app.clock.now();
    match review::edit(&app.db, actor.id, row.id, revision, &studio, now).await {
        Ok(Guarded::Changed) => Ok(Redirect::to("/me/studio?saved=1").into_response()),
        Ok(Guarded::Lost) => {
            let mut page = MyStudioPage::new(actor, Some(&row), form);
            page.form.revision = row.revision.to_string();
            page.error = Some(
                "工作室在您编辑期间已有变化（可能刚被审核），请核对后再次提交；您填写的内容仍在下方。"
                    .into(),
            );
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(fail(e.into(), &actor)),
    }
}
