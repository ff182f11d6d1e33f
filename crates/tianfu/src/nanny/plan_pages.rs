//! The administrators' plan-template page: each ticket kind's steps and escalation threshold.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use tianfu_domain::ticket::{PlanTemplate, TemplateStep, validate_template};
use tianfu_domain::{FieldErrors, Role, TicketKind};

use super::plan;
use crate::platform::auth::{Actor, ClientIp, PageStaff};
use crate::platform::error::AppError;
use crate::platform::page::PageError;
use crate::{App, AppState};

/// A template as form rows: a few empty rows past the configured steps, to add new ones.
pub struct TemplateForm {
    pub kind: &'static str,
    pub label: &'static str,
    pub escalate_after_days: String,
    pub rows: Vec<(String, String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "nanny/templates.html")]
pub struct TemplatesPage {
    me: Option<Actor>,
    forms: Vec<TemplateForm>,
    errors: FieldErrors,
    saved: bool,
}

const EXTRA_ROWS: usize = 3;

fn form_of(kind: TicketKind, template: &PlanTemplate) -> TemplateForm {
    let mut rows: Vec<_> = template
        .steps
        .iter()
        .map(|s| {
            (
                s.name.clone(),
                s.due_days.to_string(),
                s.repeat_days.map(|d| d.to_string()).unwrap_or_default(),
            )
        })
        .collect();
    rows.extend(std::iter::repeat_n(
        (String::new(), String::new(), String::new()),
        EXTRA_ROWS,
    ));
    TemplateForm {
        kind: kind.as_str(),
        label: kind.label(),
        escalate_after_days: template.escalate_after_days.to_string(),
        rows,
    }
}

async fn ensure_admin(app: &App, actor: &Actor, ip: Option<&str>) -> Result<(), PageError> {
    crate::platform::scope::ensure(app, actor, actor.role == Role::Admin, "plan-templates", ip)
        .await
        .map_err(|_| {
            PageError::new(
                AppError::Forbidden("仅管理员可以配置服务计划模板".into()),
                Some(actor.clone()),
            )
        })
}

#[derive(serde::Deserialize)]
pub struct SavedQuery {
    saved: Option<bool>,
}

pub async fn templates(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Query(query): Query<SavedQuery>,
) -> Result<TemplatesPage, PageError> {
    ensure_admin(&app, &actor, ip.as_deref()).await?;
    let mut forms = Vec::new();
    for kind in TicketKind::ALL {
        forms.push(form_of(*kind, &plan::load(&app.db, *kind).await?));
    }
    Ok(TemplatesPage {
        me: Some(actor),
        forms,
        errors: FieldErrors::new(),
        saved: query.saved.unwrap_or(false),
    })
}

/// Saves one kind's template from `kind`, `escalate_after_days` and rows of `name`, `due_days`,
/// `repeat_days` (blank rows are skipped).
pub async fn save_templates(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    ensure_admin(&app, &actor, ip.as_deref()).await?;
    let value = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let all = |name: &str| {
        fields
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .collect::<Vec<_>>()
    };
    let kind = TicketKind::parse(&value("kind"))
        .map_err(|e| PageError::new(AppError::validation("kind", e), Some(actor.clone())))?;
    let (names, due, repeat) = (all("name"), all("due_days"), all("repeat_days"));
    let mut errors = FieldErrors::new();
    let mut steps = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let (due_days, repeat_days) = (
            due.get(i).cloned().unwrap_or_default(),
            repeat.get(i).cloned().unwrap_or_default(),
        );
        if name.is_empty() && due_days.is_empty() && repeat_days.is_empty() {
            continue;
        }
        let index = steps.len();
        let due_days = due_days.parse::<u32>().unwrap_or_else(|_| {
            errors.add(&format!("steps[{index}].due_days"), "完成时限须为天数");
            1
        });
        let repeat_days = if repeat_days.is_empty() {
            None
        } else {
            Some(repeat_days.parse::<u32>().unwrap_or_else(|_| {
                errors.add(&format!("steps[{index}].repeat_days"), "重复周期须为天数");
                7
            }))
        };
        steps.push(TemplateStep {
            name: name.clone(),
            due_days,
            repeat_days,
        });
    }
    let escalate_after_days = value("escalate_after_days").parse::<u32>().unwrap_or(0);
    let template = PlanTemplate {
        steps,
        escalate_after_days,
    };
    if let Err(more) = validate_template(&template) {
        for (field, message) in more.iter() {
            errors.add(field, message);
        }
    }
    if errors.is_empty() {
        plan::save(&app.db, kind, &template, actor.id.0, app.clock.now()).await?;
        return Ok(Redirect::to("/admin/plan-templates?saved=true").into_response());
    }
    let mut forms = Vec::new();
    for other in TicketKind::ALL {
        if *other == kind {
            let mut form = form_of(kind, &template);
            form.escalate_after_days = value("escalate_after_days");
            forms.push(form);
        } else {
            forms.push(form_of(*other, &plan::load(&app.db, *other).await?));
        }
    }
    let page = TemplatesPage {
        me: Some(actor),
        forms,
        errors,
        saved: false,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
