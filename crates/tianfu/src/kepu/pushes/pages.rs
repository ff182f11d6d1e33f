//! `/admin/kepu/pushes`: the campaigns of one's region and the compose form (预览人数, then
//! 发送); `/admin/kepu/pushes/{id}`: a campaign's progress and figures by region. Forms work
//! without JavaScript.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use tianfu_domain::FieldErrors;

use super::api::PushRequest;
use super::service::{self, PushDetail, PushSummary};
use super::store;
use crate::kepu::audience::Audience;
use crate::platform::api::Paging;
use crate::platform::auth::{Actor, ClientIp, PageStaff};
use crate::platform::error::AppError;
use crate::platform::page::{PageError, Pager};
use crate::platform::scope::{RegionScope, staff_scope};
use crate::staff::pages::{RegionOption, region_options};
use crate::{App, AppState};

/// What was typed in the compose form.
#[derive(Debug, Default, Clone)]
pub struct Draft {
    pub resource_id: String,
    pub region_code: String,
    pub audiences: Vec<String>,
    pub interests: String,
}

impl Draft {
    fn interest_list(&self) -> Vec<String> {
        self.interests
            .split([',', '，', ' ', '　', '、', ';', '；'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

pub struct AudienceOption {
    pub code: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

pub struct ResourceOption {
    pub id: i64,
    pub title: String,
    pub selected: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "kepu/pushes/list.html")]
pub struct ListPage {
    me: Option<Actor>,
    scope_name: String,
    pushes: Vec<PushSummary>,
    pager: Pager,
    draft: Draft,
    resources: Vec<ResourceOption>,
    regions: Vec<RegionOption>,
    audiences: Vec<AudienceOption>,
    errors: FieldErrors,
    error: Option<String>,
    /// The count shown after 预览人数; the 发送 button appears with it.
    preview: Option<i64>,
    per_week: u32,
}

impl ListPage {
    fn field_error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or_default()
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct PageQuery {
    page: Option<u32>,
}

#[allow(clippy::too_many_arguments)]
async fn list_page(
    app: &App,
    actor: Actor,
    page: Option<u32>,
    draft: Draft,
    errors: FieldErrors,
    error: Option<String>,
    preview: Option<i64>,
    ip: Option<&str>,
) -> Result<ListPage, PageError> {
    let paging = Paging {
        page,
        per_page: Some(20),
    };
    let (pushes, total) = match service::list(app, &actor, paging, ip).await {
        Ok(found) => found,
        Err(error) => return Err(PageError::new(error, Some(actor))),
    };
    let scope = staff_scope(&actor).unwrap_or(RegionScope::Subtree(actor.region.clone()));
    let selected = if draft.region_code.is_empty() {
        actor.region.to_string()
    } else {
        draft.region_code.clone()
    };
    let resources = store::recent_resources(&app.db)
        .await?
        .into_iter()
        .map(|(id, title)| ResourceOption {
            selected: draft.resource_id == id.to_string(),
            id,
            title,
        })
        .collect();
    let audiences = Audience::ALL
        .iter()
        .map(|a| AudienceOption {
            code: a.as_str(),
            label: a.label(),
            checked: draft.audiences.iter().any(|c| c == a.as_str()),
        })
        .collect();
    Ok(ListPage {
        scope_name: scope.name(&app.regions),
        regions: region_options(app, &scope, true, &selected),
        pager: Pager::new(paging.page(), paging.per_page(), total),
        pushes,
        draft,
        resources,
        audiences,
        errors,
        error,
        preview,
        per_week: app.config.kepu.pushes_per_week,
        me: Some(actor),
    })
}

pub async fn list(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Query(query): Query<PageQuery>,
) -> Result<ListPage, PageError> {
    list_page(
        &app,
        actor,
        query.page,
        Draft::default(),
        FieldErrors::new(),
        None,
        None,
        ip.as_deref(),
    )
    .await
}

/// The compose form: `action=preview` shows the count, `action=send` sends and opens the
/// campaign's page.
pub async fn compose(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let value = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let draft = Draft {
        resource_id: value("resource_id"),
        region_code: value("region_code"),
        audiences: fields
            .iter()
            .filter(|(k, _)| k == "audiences")
            .map(|(_, v)| v.clone())
            .collect(),
        interests: value("interests"),
    };
    let ip = ip.as_deref();
    let result = if value("action") == "send" {
        let request = PushRequest {
            resource_id: draft.resource_id.parse().unwrap_or(0),
            region_code: draft.region_code.clone(),
            audiences: draft.audiences.clone(),
            interests: draft.interest_list(),
        };
        match service::send(&app, &actor, &request, ip).await {
            Ok((id, _)) => {
                return Ok(Redirect::to(&format!("/admin/kepu/pushes/{id}")).into_response());
            }
            Err(error) => Err(error),
        }
    } else {
        service::preview(
            &app,
            &actor,
            &draft.region_code,
            &draft.audiences,
            &draft.interest_list(),
            ip,
        )
        .await
    };
    match result {
        Ok(count) => {
            let page = list_page(
                &app,
                actor,
                None,
                draft,
                FieldErrors::new(),
                None,
                Some(count),
                ip,
            )
            .await?;
            Ok(page.into_response())
        }
        Err(AppError::Validation(errors)) => {
            let message = errors
                .iter()
                .map(|(_, m)| m.to_owned())
                .collect::<Vec<_>>()
                .join("；");
            let page = list_page(&app, actor, None, draft, errors, Some(message), None, ip).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(PageError::new(other, Some(actor))),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "kepu/pushes/detail.html")]
pub struct DetailPage {
    me: Option<Actor>,
    p: PushDetail,
    audience_labels: String,
    finished_label: String,
}

fn percent(rate: f64) -> String {
    format!("{:.1}%", rate * 100.0)
}

pub async fn detail(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
) -> Result<DetailPage, PageError> {
    let p = match service::detail(&app, &actor, id, ip.as_deref()).await {
        Ok(p) => p,
        Err(error) => return Err(PageError::new(error, Some(actor))),
    };
    let audience_labels = if p.push.audiences.is_empty() {
        "全部人群".to_owned()
    } else {
        p.push
            .audiences
            .iter()
            .filter_map(|a| Audience::parse(a))
            .map(Audience::label)
            .collect::<Vec<_>>()
            .join("、")
    };
    let finished_label = p
        .push
        .finished_at
        .map(crate::platform::clock::shanghai)
        .unwrap_or_default();
    Ok(DetailPage {
        me: Some(actor),
        p,
        audience_labels,
        finished_label,
    })
}

impl DetailPage {
    fn percent(&self, rate: &f64) -> String {
        percent(*rate)
    }
}
