use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use tianfu_domain::ticket::{PlanTemplate, TemplateStep, validate_template};
use tianfu_domain::{RegionCode, Role, TicketKind};
use utoipa::{IntoParams, ToSchema};

use super::plan;
use super::report::{self, Period, Report};
use super::service::{self, FollowupRequest, StepRequest};
use super::store::{self, TicketFilter};
use super::view::{TicketDetail, TicketView};
use crate::AppState;
use crate::platform::api::{ApiJson, ApiPath, ApiQuery, ListResponse, Paging};
use crate::platform::auth::{ApiStaff, ApiUser, ClientIp};
use crate::platform::error::{AppError, ErrorBody};
use crate::platform::scope::{self, RegionScope};

use crate::platform::openapi::{schema_from_json, wire_enum, wire_names};
use tianfu_domain::TicketStatus;
use tianfu_domain::ticket::Channel;

wire_enum!(
    TicketKindName,
    wire_names(TicketKind::ALL, TicketKind::as_str, false)
);
wire_enum!(
    /// A ticket kind to filter by; empty means all.
    TicketKindFilter,
    wire_names(TicketKind::ALL, TicketKind::as_str, true)
);
wire_enum!(
    /// A ticket status to filter by; empty means both.
    TicketStatusFilter,
    wire_names(TicketStatus::ALL, TicketStatus::as_str, true)
);
wire_enum!(
    /// `today` (今日到期), or empty for any due date.
    DueFilter,
    vec![String::new(), "today".to_owned()]
);
wire_enum!(
    ChannelName,
    wire_names(Channel::ALL, Channel::as_str, false)
);

/// The body of a follow-up, as [`FollowupRequest`] reads it.
pub struct FollowupBody;

impl utoipa::PartialSchema for FollowupBody {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        schema_from_json(serde_json::json!({
            "type": "object",
            "additionalProperties": false,
            "required": ["channel", "note"],
            "properties": {
                "channel": {"$ref": "#/components/schemas/ChannelName",
                            "description": "phone（电话）, visit（上门走访）, online（线上沟通） or meeting（会议座谈）"},
                "note": {"type": "string", "pattern": "\\S", "maxLength": 2000,
                         "description": "What was discussed, up to 2,000 characters."},
                "outcome": {"type": ["string", "null"], "maxLength": 200,
                            "description": "What came of it, up to 200 characters."},
                "links": {"type": "array", "items": {"$ref": "#/components/schemas/LinkRequest"},
                          "description": "Matches recommended, inquiries or deals that followed: public listings, the served person's own inquiries and deals."},
            },
        }))
    }
}

impl utoipa::ToSchema for FollowupBody {}

/// The body of a step, as [`StepRequest`] reads it.
pub struct StepBody;

impl utoipa::PartialSchema for StepBody {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        schema_from_json(serde_json::json!({
            "type": "object",
            "additionalProperties": false,
            "required": ["name", "due_date"],
            "properties": {
                "name": {"type": "string", "pattern": "\\S", "maxLength": 30},
                "due_date": {"type": "string", "format": "date",
                             "description": "The day it is due, YYYY-MM-DD (Beijing time; due at the end of that day), not before today, before 2101."},
            },
        }))
    }
}

impl utoipa::ToSchema for StepBody {}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TicketQuery {
    /// Only tickets assigned to me.
    pub mine: Option<bool>,
    /// person, need or fair.
    #[param(value_type = Option<TicketKindFilter>)]
    pub kind: Option<String>,
    /// open or closed.
    #[param(value_type = Option<TicketStatusFilter>)]
    pub status: Option<String>,
    /// A region inside my scope.
    #[param(value_type = Option<crate::platform::openapi::RegionCodeFormat>)]
    pub region_code: Option<String>,
    /// Only tickets with an overdue step.
    pub overdue: Option<bool>,
    /// Only tickets escalated to a higher level.
    pub escalated: Option<bool>,
    /// Words in the subject, the served person's name or phone (e.g. the phone's last digits).
    #[param(max_length = 30)]
    pub q: Option<String>,
    /// `today`: open tickets whose next step falls due today (Beijing time).
    #[param(value_type = Option<DueFilter>)]
    pub due: Option<String>,
    /// Only my open tickets handed to me in the last 24 hours or not yet opened (新分派).
    pub fresh: Option<bool>,
    /// 1-based page number.
    #[param(minimum = 1, maximum = 2147483647)]
    pub page: Option<u32>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

/// Turns a query into a filter inside the actor's scope; a region outside it is refused.
pub async fn filter_for(
    app: &crate::App,
    actor: &crate::platform::auth::Actor,
    query: &TicketQuery,
    ip: Option<&str>,
) -> Result<TicketFilter, AppError> {
    let own = scope::staff_scope(actor).unwrap_or(RegionScope::Subtree(actor.region.clone()));
    let requested = match query
        .region_code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        Some(code) => Some(
            RegionCode::parse(code)
                .map_err(|e| AppError::validation("region_code", e.to_string()))?,
        ),
        None => None,
    };
    let narrowed = own.narrow(requested.as_ref());
    scope::ensure(app, actor, narrowed.is_some(), "tickets:list", ip).await?;
    let kind = match query
        .kind
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty())
    {
        Some(k) => Some(
            TicketKind::parse(k)
                .map_err(|e| AppError::validation("kind", e))?
                .as_str()
                .to_owned(),
        ),
        None => None,
    };
    let status = match query
        .status
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => Some(
            tianfu_domain::TicketStatus::parse(s)
                .map_err(|e| AppError::validation("status", e))?
                .as_str()
                .to_owned(),
        ),
        None => None,
    };
    Ok(TicketFilter {
        scope: narrowed,
        // Administrators see every department's tickets; staff their own department's.
        department: (actor.role != tianfu_domain::Role::Admin).then(|| {
            actor
                .department
                .map(|d| d.as_str().to_owned())
                .unwrap_or_default()
        }),
        // 新分派 is always about my own tickets.
        assignee: (query.mine.unwrap_or(false) || query.fresh.unwrap_or(false))
            .then_some(actor.id.0),
        served: None,
        kind,
        status,
        overdue_only: query.overdue.unwrap_or(false),
        escalated_only: query.escalated.unwrap_or(false),
        due_between: match query.due.as_deref().map(str::trim) {
            None | Some("") => None,
            Some("today") => Some(super::desk::today_bounds(app.clock.now())),
            Some(_) => {
                return Err(AppError::validation(
                    "due",
                    "到期筛选只能是 today（今日到期）",
                ));
            }
        },
        fresh_since: query
            .fresh
            .unwrap_or(false)
            .then(|| super::desk::fresh_since(app.clock.now())),
        search: super::desk::search_pattern(query.q.as_deref())?,
    })
}

/// Nanny tickets (保姆单) in my region's subtree, due soonest first.
#[utoipa::path(get, path = "/api/v1/tickets", tag = "nanny", params(TicketQuery),
    responses((status = 200, body = inline(ListResponse<TicketView>)), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiQuery(query): ApiQuery<TicketQuery>,
) -> Result<Json<ListResponse<TicketView>>, AppError> {
    let filter = filter_for(&app, &actor, &query, ip.as_deref()).await?;
    let paging = Paging {
        page: query.page,
        per_page: query.per_page,
    };
    let (rows, total) = store::list(&app.db, &filter, paging).await?;
    Ok(Json(ListResponse {
        items: rows.into_iter().map(|r| TicketView::new(&app, r)).collect(),
        total,
    }))
}

/// One ticket with its plan and history.
#[utoipa::path(get, path = "/api/v1/tickets/{id}", tag = "nanny", params(("id" = i64, Path)),
    responses((status = 200, body = TicketDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<TicketDetail>, AppError> {
    let ticket = service::for_staff(&app, &actor, id, ip.as_deref()).await?;
    Ok(Json(TicketDetail::load(&app, ticket).await?))
}

async fn detail(app: &crate::App, id: i64) -> Result<Json<TicketDetail>, AppError> {
    let ticket = store::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("服务单"))?;
    Ok(Json(TicketDetail::load(app, ticket).await?))
}

/// Log a follow-up (跟踪问效): phone, visit, online or meeting, with a note and an outcome.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/followups", tag = "nanny", params(("id" = i64, Path)), request_body = FollowupBody,
    responses((status = 201, body = TicketDetail), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn add_followup(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<FollowupRequest>,
) -> Result<(StatusCode, Json<TicketDetail>), AppError> {
    let ticket = service::for_action(&app, &actor, id, ip.as_deref()).await?;
    service::add_followup(&app, &actor, &ticket, &request).await?;
    Ok((StatusCode::CREATED, detail(&app, id).await?))
}

/// Add a step to the ticket's plan.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/steps", tag = "nanny", params(("id" = i64, Path)), request_body = StepBody,
    responses((status = 201, body = TicketDetail), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn add_step(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<StepRequest>,
) -> Result<(StatusCode, Json<TicketDetail>), AppError> {
    let ticket = service::for_action(&app, &actor, id, ip.as_deref()).await?;
    service::add_step(&app, &actor, &ticket, &request).await?;
    Ok((StatusCode::CREATED, detail(&app, id).await?))
}

/// Rename or move an undone step.
#[utoipa::path(patch, path = "/api/v1/tickets/{id}/steps/{step}", tag = "nanny", params(("id" = i64, Path), ("step" = i64, Path)), request_body = StepBody,
    responses((status = 200, body = TicketDetail), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn change_step(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiPath((id, step)): ApiPath<(i64, i64)>,
    ApiJson(request): ApiJson<StepRequest>,
) -> Result<Json<TicketDetail>, AppError> {
    let ticket = service::for_action(&app, &actor, id, ip.as_deref()).await?;
    service::change_step(&app, &actor, &ticket, step, &request).await?;
    detail(&app, id).await
}

/// Remove an undone step.
#[utoipa::path(delete, path = "/api/v1/tickets/{id}/steps/{step}", tag = "nanny", params(("id" = i64, Path), ("step" = i64, Path)),
    responses((status = 200, body = TicketDetail), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn remove_step(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiPath((id, step)): ApiPath<(i64, i64)>,
) -> Result<Json<TicketDetail>, AppError> {
    let ticket = service::for_action(&app, &actor, id, ip.as_deref()).await?;
    service::remove_step(&app, &actor, &ticket, step).await?;
    detail(&app, id).await
}

/// Mark a step done; a repeating step comes back after its period.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/steps/{step}/done", tag = "nanny", params(("id" = i64, Path), ("step" = i64, Path)),
    responses((status = 200, body = TicketDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)), security(("bearer" = [])))]
pub async fn complete_step(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiPath((id, step)): ApiPath<(i64, i64)>,
) -> Result<Json<TicketDetail>, AppError> {
    let ticket = service::for_action(&app, &actor, id, ip.as_deref()).await?;
    service::complete_step(&app, &actor, &ticket, step).await?;
    detail(&app, id).await
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    /// A staff member whose region covers the ticket's.
    #[serde(default)]
    #[schema(required = true, minimum = 1)]
    pub assignee_id: i64,
}

/// Reassign the ticket to a staff member within my scope whose region covers it.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/assign", tag = "nanny", params(("id" = i64, Path)), request_body = AssignRequest,
    responses((status = 200, body = TicketDetail), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn assign(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<AssignRequest>,
) -> Result<Json<TicketDetail>, AppError> {
    let ticket = service::for_action(&app, &actor, id, ip.as_deref()).await?;
    service::reassign(&app, &actor, &ticket, request.assignee_id, ip.as_deref()).await?;
    detail(&app, id).await
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseRequest {
    /// 2 to 200 characters.
    #[serde(default)]
    #[schema(required = true, max_length = 200, pattern = r"\S[\s\S]*\S")]
    pub reason: String,
}

/// Close the ticket by hand, with a reason (a signed deal closes it by itself).
#[utoipa::path(post, path = "/api/v1/tickets/{id}/close", tag = "nanny", params(("id" = i64, Path)), request_body = CloseRequest,
    responses((status = 200, body = TicketDetail), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn close(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<CloseRequest>,
) -> Result<Json<TicketDetail>, AppError> {
    let ticket = service::for_action(&app, &actor, id, ip.as_deref()).await?;
    service::close(&app, &actor, &ticket, &request.reason).await?;
    detail(&app, id).await
}

/// The tickets that serve me: who my nanny is, the plan and the progress.
#[utoipa::path(get, path = "/api/v1/me/tickets", tag = "nanny", params(Paging),
    responses((status = 200, body = inline(ListResponse<TicketDetail>))), security(("bearer" = [])))]
pub async fn mine(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Json<ListResponse<TicketDetail>>, AppError> {
    let (items, total) = TicketDetail::served_by(&app, actor.id.0, paging).await?;
    Ok(Json(ListResponse { items, total }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingRequest {
    /// 1 to 5.
    #[serde(default)]
    #[schema(required = true, minimum = 1, maximum = 5)]
    pub stars: i64,
    /// Up to 200 characters.
    #[schema(max_length = 200)]
    pub comment: Option<String>,
}

/// Rate the service I received (rating again replaces it).
#[utoipa::path(post, path = "/api/v1/tickets/{id}/rating", tag = "nanny", params(("id" = i64, Path)), request_body = RatingRequest,
    responses((status = 200, body = TicketDetail), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn rate(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<RatingRequest>,
) -> Result<Json<TicketDetail>, AppError> {
    let ticket = service::for_served(&app, &actor, id).await?;
    service::rate(&app, &ticket, request.stars, request.comment.as_deref()).await?;
    let ticket = service::for_served(&app, &actor, id).await?;
    Ok(Json(TicketDetail::load(&app, ticket).await?.for_served()))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    #[param(value_type = Option<crate::platform::openapi::RegionCodeFormat>)]
    pub region_code: Option<String>,
    /// YYYY-MM-DD, Beijing time, 2000 to 2100; default the first of this month.
    #[param(value_type = Option<crate::market::api::Deadline>)]
    pub from: Option<String>,
    /// YYYY-MM-DD inclusive, not before `from`; default today.
    #[param(value_type = Option<crate::market::api::Deadline>)]
    pub to: Option<String>,
}

/// Resolves the report's region inside the actor's scope.
pub async fn report_for(
    app: &crate::App,
    actor: &crate::platform::auth::Actor,
    query: &ReportQuery,
    ip: Option<&str>,
) -> Result<Report, AppError> {
    let ticket_query = TicketQuery {
        region_code: query.region_code.clone(),
        ..Default::default()
    };
    let filter = filter_for(app, actor, &ticket_query, ip).await?;
    let period = Period::parse(
        query.from.as_deref(),
        query.to.as_deref(),
        app.clock.now(),
        crate::platform::period::Since::MonthStart,
    )?;
    report::build(app, &filter.scope.unwrap_or(RegionScope::All), period).await
}

/// The nanny service's figures for a region and period, with a line per nanny.
#[utoipa::path(get, path = "/api/v1/tickets/report", tag = "nanny", params(ReportQuery),
    responses((status = 200, body = Report), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn report(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> Result<Json<Report>, AppError> {
    Ok(Json(report_for(&app, &actor, &query, ip.as_deref()).await?))
}

#[derive(Debug, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanTemplateBody {
    #[schema(min_items = 1, max_items = 20)]
    pub steps: Vec<TemplateStepBody>,
    /// Days a step may stay overdue before the ticket goes up to the parent region.
    #[schema(minimum = 1, maximum = 90)]
    pub escalate_after_days: u32,
}

#[derive(Debug, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateStepBody {
    #[serde(default)]
    #[schema(required = true, max_length = 30, pattern = r"\S")]
    pub name: String,
    /// Due this many days after the ticket opens.
    #[schema(minimum = 1, maximum = 365)]
    pub due_days: u32,
    /// Comes back this many days after each time it is done.
    #[schema(minimum = 7, maximum = 365)]
    pub repeat_days: Option<u32>,
}

fn kind_from_path(kind: &str) -> Result<TicketKind, AppError> {
    TicketKind::parse(kind).map_err(|_| AppError::NotFound("没有这种服务单类型".into()))
}

impl From<PlanTemplate> for PlanTemplateBody {
    fn from(t: PlanTemplate) -> Self {
        PlanTemplateBody {
            steps: t
                .steps
                .into_iter()
                .map(|s| TemplateStepBody {
                    name: s.name,
                    due_days: s.due_days,
                    repeat_days: s.repeat_days,
                })
                .collect(),
            escalate_after_days: t.escalate_after_days,
        }
    }
}

/// The plan new tickets of a kind get.
#[utoipa::path(get, path = "/api/v1/admin/plan-templates/{kind}", tag = "nanny", params(("kind" = TicketKindName, Path, description = "person, need or fair")),
    responses((status = 200, body = PlanTemplateBody), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get_template(
    State(app): State<AppState>,
    ApiStaff(_actor): ApiStaff,
    ApiPath(kind): ApiPath<String>,
) -> Result<Json<PlanTemplateBody>, AppError> {
    Ok(Json(
        plan::load(&app.db, kind_from_path(&kind)?).await?.into(),
    ))
}

/// Configure the plan new tickets of a kind get (administrators only).
#[utoipa::path(put, path = "/api/v1/admin/plan-templates/{kind}", tag = "nanny", params(("kind" = TicketKindName, Path, description = "person, need or fair")), request_body = PlanTemplateBody,
    responses((status = 200, body = PlanTemplateBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn put_template(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiPath(kind): ApiPath<String>,
    ApiJson(body): ApiJson<PlanTemplateBody>,
) -> Result<Json<PlanTemplateBody>, AppError> {
    let kind = kind_from_path(&kind)?;
    scope::ensure(
        &app,
        &actor,
        actor.role == Role::Admin,
        "plan-templates",
        ip.as_deref(),
    )
    .await
    .map_err(|_| AppError::Forbidden("仅管理员可以配置服务计划模板".into()))?;
    let template = PlanTemplate {
        steps: body
            .steps
            .into_iter()
            .map(|s| TemplateStep {
                name: s.name.trim().to_owned(),
                due_days: s.due_days,
                repeat_days: s.repeat_days,
            })
            .collect(),
        escalate_after_days: body.escalate_after_days,
    };
    validate_template(&template)?;
    plan::save(&app.db, kind, &template, actor.id.0, app.clock.now()).await?;
    Ok(Json(template.into()))
}
