//! The publishing form for the three kinds, new and edit. A form with mistakes comes back whole
//! (422) with a Chinese message beside each field; nothing is stored until every field is right.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tianfu_domain::{
    AchievementKind, FieldErrors, Industry, ListingKind, Maturity, NeedKind, ServiceType,
    TransferMode,
};

use super::form_input::{ListingForm, validate};
use super::{MyListing, detail_href};
use crate::AppState;
use crate::market::service;
use crate::market::store::ListingRow;
use crate::platform::auth::{Actor, ClientIp, PageUser};
use crate::platform::error::AppError;
use crate::platform::page::PageError;

#[derive(Template, WebTemplate)]
#[template(path = "market/form.html")]
pub struct FormPage {
    me: Option<Actor>,
    kind: &'static str,
    kind_label: &'static str,
    action: String,
    /// Where "取消" goes.
    back: String,
    editing: bool,
    form: ListingForm,
    errors: FieldErrors,
    error: Option<String>,
    industries: Vec<Industry>,
    service_types: &'static [ServiceType],
    achievement_kinds: &'static [AchievementKind],
    maturities: &'static [Maturity],
    transfer_modes: &'static [TransferMode],
    need_kinds: &'static [NeedKind],
}

struct Target {
    kind: ListingKind,
    action: String,
    back: String,
    editing: bool,
}

fn form_page(
    actor: Actor,
    target: Target,
    form: ListingForm,
    errors: FieldErrors,
    error: Option<String>,
) -> FormPage {
    FormPage {
        me: Some(actor),
        kind: target.kind.as_str(),
        kind_label: target.kind.label(),
        action: target.action,
        back: target.back,
        editing: target.editing,
        form,
        error: error.or_else(|| errors.get("status").map(str::to_owned)),
        errors,
        industries: Industry::all().collect(),
        service_types: ServiceType::ALL,
        achievement_kinds: AchievementKind::ALL,
        maturities: Maturity::ALL,
        transfer_modes: TransferMode::ALL,
        need_kinds: NeedKind::ALL,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct KindQuery {
    kind: Option<String>,
}

/// The kind asked for, or the first kind the person may publish; a refusal names who may.
fn publish_target(actor: &Actor, query: &KindQuery) -> Result<Target, AppError> {
    let kind = match query.kind.as_deref().filter(|k| !k.is_empty()) {
        Some(kind) => ListingKind::parse(kind).map_err(|_| AppError::not_found("发布类别"))?,
        None if service::may_publish(actor.role, ListingKind::Offer) => ListingKind::Offer,
        None => ListingKind::Need,
    };
    if !service::may_publish(actor.role, kind) {
        return Err(AppError::Forbidden(match kind {
            ListingKind::Need => "仅企事业单位、科技工作者和群众可以发布科技所需".into(),
            _ => format!("仅科技工作者和企事业单位可以发布{}", kind.label()),
        }));
    }
    Ok(Target {
        kind,
        action: format!("/me/listings/new?kind={}", kind.as_str()),
        back: "/me/listings".into(),
        editing: false,
    })
}

pub async fn new_form(
    PageUser(actor): PageUser,
    Query(query): Query<KindQuery>,
) -> Result<FormPage, PageError> {
    let target =
        publish_target(&actor, &query).map_err(|e| PageError::new(e, Some(actor.clone())))?;
    Ok(form_page(
        actor,
        target,
        ListingForm::default(),
        FieldErrors::new(),
        None,
    ))
}

pub async fn create(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    ClientIp(ip): ClientIp,
    Query(query): Query<KindQuery>,
    Form(form): Form<ListingForm>,
) -> Result<Response, PageError> {
    let target =
        publish_target(&actor, &query).map_err(|e| PageError::new(e, Some(actor.clone())))?;
    let listing = match validate(&app, target.kind, &form) {
        Ok(listing) => listing,
        Err(errors) => {
            let page = form_page(actor, target, form, errors, None);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    match service::submit(&app, &actor, &listing, ip.as_deref()).await {
        Ok(id) => Ok(Redirect::to(&detail_href(target.kind.as_str(), id)).into_response()),
        Err(error) => Err(PageError::new(error, Some(actor))),
    }
}

fn edit_target(row: &ListingRow, kind: ListingKind) -> Target {
    Target {
        kind,
        action: format!("/me/listings/{}/edit", row.id),
        back: detail_href(kind.as_str(), row.id),
        editing: true,
    }
}

pub async fn edit_form(MyListing { actor, row, kind }: MyListing) -> FormPage {
    let form = ListingForm::from_row(&row);
    form_page(
        actor,
        edit_target(&row, kind),
        form,
        FieldErrors::new(),
        None,
    )
}

pub async fn update(
    State(app): State<AppState>,
    MyListing { actor, row, kind }: MyListing,
    Form(form): Form<ListingForm>,
) -> Result<Response, PageError> {
    let target = edit_target(&row, kind);
    let result = match validate(&app, kind, &form) {
        Ok(listing) => service::edit(&app, &row, &listing, None).await,
        Err(errors) => Err(AppError::Validation(errors)),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&target.back).into_response()),
        Err(AppError::Validation(errors)) => {
            let page = form_page(actor, target, form, errors, None);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(error) => Err(PageError::new(error, Some(actor))),
    }
}
