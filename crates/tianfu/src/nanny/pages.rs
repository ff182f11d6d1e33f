//! The staff console for the nanny service: its routes, and every action a nanny takes from a
//! ticket's page (`ticket_page`): follow-ups, steps, handing over, closing. The served person's
//! view is `served_pages`. Forms work without JavaScript; a refused form comes back with what
//! was typed and the reason beside the field.

use axum::Form;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use tianfu_domain::FieldErrors;

use super::service::{self, FollowupRequest, LinkRequest, StepRequest};
use super::store;
use super::ticket_page::{FollowupDraft, detail_page};
use crate::platform::auth::{Actor, ClientIp, PageStaff};
use crate::platform::error::AppError;
use crate::platform::page::PageError;
use crate::{App, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/tickets", get(super::queue::list))
        .route("/admin/tickets/report", get(super::report_pages::report))
        .route(
            "/admin/tickets/report.xlsx",
            get(super::report_pages::export),
        )
        .route(
            "/admin/plan-templates",
            get(super::plan_pages::templates).post(super::plan_pages::save_templates),
        )
        .route("/admin/tickets/{id}", get(super::ticket_page::detail))
        .route("/admin/tickets/{id}/followups", post(add_followup))
        .route("/admin/tickets/{id}/steps", post(add_step))
        .route("/admin/tickets/{id}/steps/{step}", post(change_step))
        .route("/admin/tickets/{id}/steps/{step}/done", post(complete_step))
        .route("/admin/tickets/{id}/assign", post(assign))
        .route("/admin/tickets/{id}/close", post(close))
        .merge(super::workbench::routes())
        .route("/me/nanny", get(super::served_pages::served))
        .route("/me/nanny/{id}/rating", post(super::served_pages::rate))
}

/// Every refusal of a form in one line, above the form (each also stands beside its field).
pub(super) fn summary(errors: &FieldErrors) -> String {
    errors
        .iter()
        .map(|(_, m)| m.to_owned())
        .collect::<Vec<_>>()
        .join("；")
}

/// Runs a nanny's action on an open ticket in their scope, then goes back to the ticket page,
/// or shows the page again with the reason (and what was typed in the follow-up form) when
/// the action was refused.
async fn act(
    app: &App,
    actor: Actor,
    id: i64,
    ip: Option<&str>,
    draft: FollowupDraft,
    action: impl AsyncFnOnce(&store::TicketRow) -> Result<(), AppError>,
) -> Result<Response, PageError> {
    act_to(app, actor, id, ip, draft, async move |ticket| {
        action(ticket)
            .await
            .map(|()| format!("/admin/tickets/{id}"))
    })
    .await
}

/// [`act`] for an action that says where to go next (a list with a message, the ticket page
/// with one).
pub(super) async fn act_to(
    app: &App,
    actor: Actor,
    id: i64,
    ip: Option<&str>,
    draft: FollowupDraft,
    action: impl AsyncFnOnce(&store::TicketRow) -> Result<String, AppError>,
) -> Result<Response, PageError> {
    let result = match service::for_action(app, &actor, id, ip).await {
        Ok(ticket) => action(&ticket).await,
        Err(error) => Err(error),
    };
    match result {
        Ok(to) => Ok(Redirect::to(&to).into_response()),
        Err(AppError::Validation(errors)) => {
            let message = summary(&errors);
            let page = detail_page(app, actor, id, ip, draft, errors, Some(message)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(AppError::Conflict { message, .. }) => {
            let page =
                detail_page(app, actor, id, ip, draft, FieldErrors::new(), Some(message)).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(other) => Err(PageError::new(other, Some(actor))),
    }
}

/// The follow-up form's fields: `channel`, `note`, `outcome`, and any number of `link=kind:id`.
pub(super) fn followup_from(fields: &[(String, String)]) -> (FollowupDraft, FollowupRequest) {
    let value = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let draft = FollowupDraft {
        channel: value("channel"),
        note: value("note"),
        outcome: value("outcome"),
    };
    let links = fields
        .iter()
        .filter(|(k, _)| k == "link")
        .filter_map(|(_, v)| v.split_once(':'))
        .map(|(kind, id)| LinkRequest {
            kind: kind.to_owned(),
            id: id.parse().unwrap_or(0),
        })
        .collect();
    let request = FollowupRequest {
        channel: draft.channel.clone(),
        note: draft.note.clone(),
        outcome: Some(draft.outcome.clone()),
        links,
    };
    (draft, request)
}

/// The follow-up form.
pub async fn add_followup(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (draft, request) = followup_from(&fields);
    let by = actor.clone();
    act(&app, actor, id, ip.as_deref(), draft, async |ticket| {
        service::add_followup(&app, &by, ticket, &request)
            .await
            .map(|_| ())
    })
    .await
}

#[derive(Debug, Default, Deserialize)]
pub struct StepForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    due_date: String,
    /// save or delete.
    #[serde(default)]
    action: String,
}

pub async fn add_step(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    Form(form): Form<StepForm>,
) -> Result<Response, PageError> {
    let request = StepRequest {
        name: form.name,
        due_date: form.due_date,
    };
    let by = actor.clone();
    act(
        &app,
        actor,
        id,
        ip.as_deref(),
        FollowupDraft::default(),
        async |ticket| service::add_step(&app, &by, ticket, &request).await,
    )
    .await
}

pub async fn change_step(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Path((id, step)): Path<(i64, i64)>,
    Form(form): Form<StepForm>,
) -> Result<Response, PageError> {
    let by = actor.clone();
    act(
        &app,
        actor,
        id,
        ip.as_deref(),
        FollowupDraft::default(),
        async |ticket| {
            if form.action == "delete" {
                service::remove_step(&app, &by, ticket, step).await
            } else {
                let request = StepRequest {
                    name: form.name,
                    due_date: form.due_date,
                };
                service::change_step(&app, &by, ticket, step, &request).await
            }
        },
    )
    .await
}

pub async fn complete_step(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Path((id, step)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let by = actor.clone();
    act(
        &app,
        actor,
        id,
        ip.as_deref(),
        FollowupDraft::default(),
        async |ticket| service::complete_step(&app, &by, ticket, step).await,
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    assignee_id: String,
}

pub async fn assign(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    Form(form): Form<AssignForm>,
) -> Result<Response, PageError> {
    let by = actor.clone();
    let assignee = form.assignee_id.trim().parse().unwrap_or(0);
    act(
        &app,
        actor,
        id,
        ip.as_deref(),
        FollowupDraft::default(),
        async |ticket| service::reassign(&app, &by, ticket, assignee, ip.as_deref()).await,
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
pub struct CloseForm {
    #[serde(default)]
    reason: String,
}

pub async fn close(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    Form(form): Form<CloseForm>,
) -> Result<Response, PageError> {
    let by = actor.clone();
    act(
        &app,
        actor,
        id,
        ip.as_deref(),
        FollowupDraft::default(),
        async |ticket| service::close(&app, &by, ticket, &form.reason).await,
    )
    .await
}
