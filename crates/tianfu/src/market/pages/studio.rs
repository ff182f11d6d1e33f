//! A studio's public page, and opening one's own studio from the workspace.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tianfu_domain::{FieldErrors, Role};

use super::{Line, parse_id};
use crate::AppState;
use crate::market::studios::api::{self as studio_api, MemberRequest, StudioRequest, StudioView};
use crate::market::studios::store;
use crate::platform::auth::{Actor, ClientIp, MaybeUser, PageUser};
use crate::platform::error::AppError;
use crate::platform::page::PageError;
use crate::platform::scope;

#[derive(Template, WebTemplate)]
#[template(path = "market/studio.html")]
pub struct StudioPage {
    me: Option<Actor>,
    studio: StudioView,
    offers: Vec<Line>,
    achievements: Vec<Line>,
    /// Its 典型/精品 ratings in force, e.g. 2026年度精品科创工作室.
    badges: Vec<String>,
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
        .ok_or_else(|| fail(AppError::not_found("工作室")))?;
    let mut studio = studio_api::studio_view(&app, row).await.map_err(fail)?;
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

/// My studio: a link to it when it exists, the form to open one for a scientist who has none.
#[derive(Template, WebTemplate)]
#[template(path = "market/my_studio.html")]
pub struct MyStudioPage {
    me: Option<Actor>,
    existing: Option<(i64, String)>,
    allowed: bool,
    form: StudioForm,
    errors: FieldErrors,
}

pub async fn mine(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
) -> Result<MyStudioPage, PageError> {
    let existing = store::find_by_owner(&app.db, actor.id)
        .await
        .map_err(|e| PageError::new(e.into(), Some(actor.clone())))?
        .map(|s| (s.id, s.name));
    Ok(MyStudioPage {
        allowed: actor.role == Role::Worker,
        me: Some(actor),
        existing,
        form: StudioForm::default(),
        errors: FieldErrors::new(),
    })
}

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
    let again = |actor: Actor, form: StudioForm, errors: FieldErrors, status: StatusCode| {
        let page = MyStudioPage {
            me: Some(actor),
            existing: None,
            allowed: true,
            form,
            errors,
        };
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
