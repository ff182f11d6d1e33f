//! The plan templates new tickets get, over the API: read by staff, configured by
//! administrators (`/api/v1/admin/plan-templates/{kind}`).

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use tianfu_domain::ticket::{PlanTemplate, TemplateStep, validate_template};
use tianfu_domain::{Role, TicketKind};
use utoipa::ToSchema;

use super::api::TicketKindName;
use super::plan;
use crate::AppState;
use crate::platform::api::{ApiJson, ApiPath};
use crate::platform::auth::{ApiStaff, ClientIp};
use crate::platform::error::{AppError, ErrorBody};
use crate::platform::scope;

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
