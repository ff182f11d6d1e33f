//! The staff console for the nanny service: my tickets (due soon first), my region's tickets
//! with filters, and the ticket page with plan, history and every action; the served person's
//! view in their workspace. Forms work without JavaScript; a refused form comes back with what
//! was typed and the reason beside the field.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use tianfu_domain::{Channel, FieldErrors};

use super::service::{self, FollowupRequest, LinkRequest, StepRequest};
use super::store;
use super::view::TicketDetail;
use crate::platform::api::Paging;
use crate::platform::auth::{Actor, ClientIp, PageStaff, PageUser};
use crate::platform::error::AppError;
use crate::platform::page::{PageError, Pager};
use crate::{App, AppState, on_db};

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
        .route("/admin/tickets/{id}", get(detail))
        .route("/admin/tickets/{id}/followups", post(add_followup))
        .route("/admin/tickets/{id}/steps", post(add_step))
        .route("/admin/tickets/{id}/steps/{step}", post(change_step))
        .route("/admin/tickets/{id}/steps/{step}/done", post(complete_step))
        .route("/admin/tickets/{id}/assign", post(assign))
        .route("/admin/tickets/{id}/close", post(close))
        .merge(super::workbench::routes())
        .route("/me/nanny", get(served))
        .route("/me/nanny/{id}/rating", post(rate))
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub(super) fn choices<T: Copy>(
    all: &[T],
    selected: &str,
    value: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<Choice> {
    all.iter()
        .map(|&item| Choice {
            value: value(item).to_owned(),
            label: label(item).to_owned(),
            selected: value(item) == selected,
        })
        .collect()
}

/// Something the nanny may attach to a follow-up.
pub struct Attachable {
    pub value: String,
    pub label: String,
}

#[derive(Debug, Default, Clone)]
pub struct FollowupDraft {
    pub channel: String,
    pub note: String,
    pub outcome: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "nanny/detail.html")]
pub struct DetailPage {
    me: Option<Actor>,
    t: TicketDetail,
    channels: &'static [Channel],
    matches: Vec<Attachable>,
    related: Vec<Attachable>,
    candidates: Vec<Choice>,
    draft: FollowupDraft,
    errors: FieldErrors,
    error: Option<String>,
    today: String,
    /// What the last action did (已保存跟进并完成…).
    notice: Option<String>,
    /// The earliest undone step, which 保存并完成此步 completes (0 when none).
    current_step_id: i64,
    current_step_name: String,
}

impl DetailPage {
    fn field_error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
}

async fn detail_page(
    app: &App,
    actor: Actor,
    id: i64,
    ip: Option<&str>,
    draft: FollowupDraft,
    errors: FieldErrors,
    error: Option<String>,
) -> Result<DetailPage, PageError> {
    let page_error = |e: AppError| PageError::new(e, Some(actor.clone()));
    let ticket = service::for_staff(app, &actor, id, ip)
        .await
        .map_err(page_error)?;
    let matches = attachable_matches(app, &ticket).await;
    let related = related_acts(app, ticket.served_id)
        .await
        .map_err(|e| page_error(e.into()))?;
    let candidates = service::candidates(app, &actor, &ticket)
        .await
        .map_err(page_error)?
        .into_iter()
        .map(|(id, name, region, load)| Choice {
            selected: ticket.assignee_id == Some(id),
            value: id.to_string(),
            label: format!(
                "{name}（{}，在办{load}单）",
                app.regions.full_name_of(&region)
            ),
        })
        .collect();
    let t = TicketDetail::load(app, ticket)
        .await
        .map_err(|e| page_error(e.into()))?;
    let (current_step_id, current_step_name) = t
        .steps
        .iter()
        .find(|s| s.done_at.is_none())
        .map_or((0, String::new()), |s| (s.id, s.name.clone()));
    Ok(DetailPage {
        notice: None,
        current_step_id,
        current_step_name,
        me: Some(actor),
        t,
        channels: Channel::ALL,
        matches,
        related,
        candidates,
        draft,
        errors,
        error,
        today: crate::platform::clock::shanghai_date(app.clock.now()).to_string(),
    })
}

/// What the matching engine recommends for the ticket's subject: for a need, its best
/// capabilities and achievements; for a 科创会 project, the matches of its listing; for a
/// scientist, the needs that fit their latest listing.
async fn attachable_matches(app: &App, ticket: &store::TicketRow) -> Vec<Attachable> {
    let listing_id: Option<i64> = if ticket.kind == "need" {
        Some(ticket.subject_id)
    } else if ticket.kind == "fair" {
        on_db!(&app.db, pool => {
            sqlx::query_scalar("SELECT listing_id FROM fair_projects WHERE id = $1")
                .bind(ticket.subject_id)
                .fetch_optional(pool)
                .await
        })
        .ok()
        .flatten()
    } else {
        on_db!(&app.db, pool => {
            sqlx::query_scalar("SELECT id FROM listings WHERE owner_id = $1 AND status = 'published' AND kind <> 'need' ORDER BY id DESC LIMIT 1")
                .bind(ticket.served_id)
                .fetch_optional(pool)
                .await
        })
        .ok()
        .flatten()
    };
    let Some(listing) = listing_id else {
        return Vec::new();
    };
    let Ok(Some(row)) = crate::market::store::find(&app.db, listing).await else {
        return Vec::new();
    };
    crate::matching::for_listing(app, &row, 5)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|m| Attachable {
            value: format!("listing:{}", m.id),
            label: format!(
                "{}（{}）",
                m.title,
                m.reasons.first().cloned().unwrap_or_default()
            ),
        })
        .collect()
}

/// The served person's latest inquiries and deals, to attach what followed a recommendation.
async fn related_acts(app: &App, served: i64) -> Result<Vec<Attachable>, sqlx::Error> {
    let rows: Vec<(String, i64, String)> = on_db!(&app.db, pool => {
        sqlx::query_as(
            "SELECT * FROM (SELECT 'inquiry' AS kind, i.id, l.title FROM inquiries i JOIN listings l ON l.id = i.listing_id \
               WHERE i.owner_id = $1 OR i.requester_id = $1 ORDER BY i.id DESC LIMIT 10) a \
             UNION ALL SELECT * FROM (SELECT 'deal' AS kind, d.id, l.title FROM deals d \
               JOIN listings l ON l.id = COALESCE(d.need_id, d.offer_id, d.achievement_id) \
               WHERE d.buyer_id = $1 OR d.seller_id = $1 ORDER BY d.id DESC LIMIT 10) b",
        )
        .bind(served)
        .fetch_all(pool)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(kind, id, title)| Attachable {
            label: format!(
                "{} #{id}：{title}",
                if kind == "deal" { "交易" } else { "洽谈" }
            ),
            value: format!("{kind}:{id}"),
        })
        .collect())
}

pub async fn detail(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    Query(done): Query<super::workbench::DoneQuery>,
) -> Result<DetailPage, PageError> {
    let me = actor.id.0;
    let notice = super::workbench::done_message(&app, &actor, &done).await;
    let mut page = detail_page(
        &app,
        actor,
        id,
        ip.as_deref(),
        FollowupDraft::default(),
        FieldErrors::new(),
        None,
    )
    .await?;
    if let Some(row) = store::find(&app.db, id).await? {
        super::desk::mark_seen(&app, &row, me).await?;
    }
    page.notice = notice;
    Ok(page)
}

/// Every refusal of a form in one line, above the form (each also stands beside its field).
fn summary(errors: &FieldErrors) -> String {
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

#[derive(Template, WebTemplate)]
#[template(path = "nanny/served.html")]
pub struct ServedPage {
    me: Option<Actor>,
    tickets: Vec<TicketDetail>,
    error: Option<String>,
    pager: Pager,
    pager_base: &'static str,
}

/// Each ticket shows its whole plan and history: a few to a page.
const SERVED_PER_PAGE: u32 = 10;

async fn served_page(
    app: &App,
    actor: Actor,
    page: Option<u32>,
    error: Option<String>,
) -> Result<ServedPage, PageError> {
    let paging = Paging {
        page,
        per_page: Some(SERVED_PER_PAGE),
    };
    let (tickets, total) = TicketDetail::served_by(app, actor.id.0, paging).await?;
    Ok(ServedPage {
        me: Some(actor),
        tickets,
        error,
        pager: Pager::new(paging.page(), paging.per_page(), total),
        pager_base: "/me/nanny?",
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct ServedQuery {
    page: Option<String>,
}

pub async fn served(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    Query(query): Query<ServedQuery>,
) -> Result<ServedPage, PageError> {
    let page = query.page.and_then(|p| p.trim().parse().ok());
    served_page(&app, actor, page, None).await
}

#[derive(Debug, Default, Deserialize)]
pub struct RatingForm {
    #[serde(default)]
    stars: String,
    #[serde(default)]
    comment: String,
}

pub async fn rate(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<RatingForm>,
) -> Result<Response, PageError> {
    let ticket = service::for_served(&app, &actor, id)
        .await
        .map_err(|e| PageError::new(e, Some(actor.clone())))?;
    let stars = form.stars.trim().parse().unwrap_or(0);
    match service::rate(&app, &ticket, stars, Some(&form.comment)).await {
        Ok(()) => Ok(Redirect::to("/me/nanny").into_response()),
        Err(AppError::Validation(errors)) => {
            let message = summary(&errors);
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                served_page(&app, actor, None, Some(message)).await?,
            )
                .into_response())
        }
        Err(other) => Err(PageError::new(other, Some(actor))),
    }
}
