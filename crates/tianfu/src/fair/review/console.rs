//! The organisers' review console, `/admin/fairs/{id}/review`: invite a reviewer by phone
//! number, assign every project its reviewers in one click, the ranking per hall and category
//! (trimmed mean, number of scores, who would be selected), publishing the selection (after a
//! confirmation) and the major-project marks with their count per category. Forms without JS.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tianfu_domain::fair::{Category, MAJOR_PER_CATEGORY, Sector};
use tianfu_domain::{FieldErrors, RegionCode};

use super::api::ReviewerView;
use super::reviewers::{self, ReviewerInput, ensure_organiser};
use super::selection::{self, RankFilter};
use super::selection_api::{RankingItem, hall_ok};
use super::selection_store::majors_by_category;
use crate::AppState;
use crate::fair::editions::service::find as find_fair;
use crate::fair::store::FairRow;
use crate::platform::api::Paging;
use crate::platform::auth::{Actor, PageStaff};
use crate::platform::clock::shanghai;
use crate::platform::done::{self, Done};
use crate::platform::error::AppError;
use crate::platform::page::{PageError, Pager, url_encode};

#[derive(Debug, Default, Clone, Deserialize)]
pub struct ConsoleParams {
    #[serde(default)]
    pub hall: String,
    #[serde(default)]
    pub category: String,
    pub page: Option<u32>,
    pub done: Option<String>,
    pub n: Option<u64>,
    pub short: Option<u64>,
}

/// The invitation form as typed.
#[derive(Debug, Default, Clone)]
pub struct InviteForm {
    pub phone: String,
    pub org_name: String,
    pub sectors: Vec<String>,
}

/// Consecutive ranking rows of one hall and category.
pub struct Group {
    pub title: String,
    pub quota: String,
    pub rows: Vec<RankingItem>,
}

#[derive(Template, WebTemplate)]
#[template(path = "fair/review/console.html")]
pub struct ConsolePage {
    me: Option<Actor>,
    fair_id: i64,
    fair_name: String,
    phase_label: &'static str,
    published: Option<String>,
    min_reviewers: i64,
    notice: Option<String>,
    error: Option<String>,
    form: InviteForm,
    errors: FieldErrors,
    sectors: Vec<(&'static str, &'static str, bool)>,
    reviewers: Vec<ReviewerView>,
    reviewers_total: i64,
    halls: Vec<(String, String, bool)>,
    categories: Vec<(&'static str, &'static str, bool)>,
    hall: String,
    category: String,
    groups: Vec<Group>,
    pager: Pager,
    pager_base: String,
    majors: Vec<(&'static str, i64)>,
    major_cap: i64,
}

impl ConsolePage {
    fn field_error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or_default()
    }
}

const PER_PAGE: u32 = 50;

fn console(id: i64) -> String {
    format!("/admin/fairs/{id}/review")
}

/// The `?done=` message, with the numbers `n` and `short` the assignment and publishing carry.
fn notice_of(params: &ConsoleParams) -> Option<String> {
    let n = params.n.unwrap_or(0);
    Some(match Done::parse(params.done.as_deref()?)? {
        Done::ReviewsAssigned => match params.short.unwrap_or(0) {
            0 => format!("已新分配{n}人次评审，每个项目都有足够的评审专家。"),
            short => format!(
                "已新分配{n}人次评审；仍有{short}个项目评审专家不足（表中标为“专家不足”），请邀请更多其他地区、其他单位的专家后再分配。"
            ),
        },
        Done::SelectionPublished => format!("遴选结果已发布：{n}个项目入选，已通知所有项目方。"),
        other => other.message(),
    })
}

async fn console_page(
    app: &AppState,
    me: Actor,
    fair: FairRow,
    params: &ConsoleParams,
    form: InviteForm,
    errors: FieldErrors,
    error: Option<String>,
) -> Result<ConsolePage, PageError> {
    let fail = |e: AppError| PageError::new(e, Some(me.clone()));
    let hall = params.hall.trim().to_owned();
    let category = Category::parse(&params.category).ok();
    let filter = RankFilter {
        hall: Some(hall.clone()).filter(|h| hall_ok(h)),
        category,
    };
    let ranked = selection::ranking(app, &me, &fair, &filter)
        .await
        .map_err(fail)?;
    let paging = Paging {
        page: params.page,
        per_page: Some(PER_PAGE),
    };
    let total = i64::try_from(ranked.len()).unwrap_or(i64::MAX);
    let pager = Pager::new(paging.page(), paging.per_page(), total);
    let skip = (pager.page - 1) as usize * PER_PAGE as usize;
    let mut groups: Vec<Group> = Vec::new();
    for p in ranked.into_iter().skip(skip).take(PER_PAGE as usize) {
        let item = RankingItem::of(app, p);
        let title = format!(
            "{} · {}",
            hall_name(app, &item.hall_code),
            item.category_label
        );
        match groups.last_mut() {
            Some(g) if g.title == title => g.rows.push(item),
            _ => groups.push(Group {
                title,
                quota: item
                    .quota
                    .map_or("名额不限".into(), |q| format!("名额 {q} 个")),
                rows: vec![item],
            }),
        }
    }
    let (reviewers, reviewers_total) = reviewers::list(
        app,
        &me,
        &fair,
        Paging {
            page: Some(1),
            per_page: Some(100),
        },
    )
    .await
    .map_err(fail)?;
    let counted = majors_by_category(&app.db, fair.id).await?;
    let province = RegionCode::parse(crate::fair::PROVINCE).expect("province code");
    let mut halls = vec![(String::new(), "全部展厅".to_owned(), !hall_ok(&hall))];
    halls.push(("51".into(), "省直单位".into(), hall == "51"));
    for city in app.regions.children(Some(&province)) {
        let code = city.code.as_str().to_owned();
        halls.push((code.clone(), city.name.clone(), code == hall));
    }
    Ok(ConsolePage {
        fair_id: fair.id,
        phase_label: fair.phase(app.clock.now()).label(),
        published: fair.selection_published_at.map(shanghai),
        min_reviewers: i64::from(fair.min_reviewers),
        notice: notice_of(params),
        error,
        sectors: Sector::ALL
            .iter()
            .map(|s| {
                (
                    s.as_str(),
                    s.label(),
                    form.sectors.iter().any(|x| x == s.as_str()),
                )
            })
            .collect(),
        form,
        errors,
        reviewers: reviewers
            .into_iter()
            .map(|r| ReviewerView::of(app, r))
            .collect(),
        reviewers_total,
        halls,
        categories: Category::ALL
            .iter()
            .map(|c| (c.as_str(), c.label(), category == Some(*c)))
            .collect(),
        pager_base: format!(
            "/admin/fairs/{}/review?hall={}&category={}&",
            fair.id,
            url_encode(&hall),
            url_encode(category.map_or("", Category::as_str))
        ),
        hall,
        category: category.map_or(String::new(), |c| c.as_str().to_owned()),
        groups,
        pager,
        majors: Category::ALL
            .iter()
            .map(|c| {
                let n = counted
                    .iter()
                    .find(|(k, _)| k == c.as_str())
                    .map_or(0, |(_, n)| *n);
                (c.label(), n)
            })
            .collect(),
        major_cap: MAJOR_PER_CATEGORY,
        fair_name: fair.name,
        me: Some(me),
    })
}

fn hall_name(app: &AppState, code: &str) -> String {
    if code == crate::fair::PROVINCE {
        "省直单位".into()
    } else {
        app.regions
            .find(code)
            .map_or_else(|| code.to_owned(), |r| r.name.clone())
    }
}

async fn organiser_fair(app: &AppState, me: &Actor, id: i64) -> Result<FairRow, PageError> {
    let fail = |e: AppError| PageError::new(e, Some(me.clone()));
    ensure_organiser(me).map_err(fail)?;
    find_fair(app, id).await.map_err(fail)
}

/// 评审遴选: the console.
pub async fn show(
    State(app): State<AppState>,
    PageStaff(me): PageStaff,
    Path(id): Path<i64>,
    Query(params): Query<ConsoleParams>,
) -> Result<ConsolePage, PageError> {
    let fair = organiser_fair(&app, &me, id).await?;
    console_page(
        &app,
        me,
        fair,
        &params,
        InviteForm::default(),
        FieldErrors::new(),
        None,
    )
    .await
}

/// A refused act shown on the console with its status; anything else as an error page.
async fn refused(
    app: &AppState,
    me: Actor,
    fair: FairRow,
    error: AppError,
) -> Result<Response, PageError> {
    match error {
        AppError::Conflict { .. } | AppError::Forbidden(_) | AppError::Validation(_) => {
            let status = error.status();
            let message = match &error {
                AppError::Validation(fields) => fields
                    .iter()
                    .next()
                    .map_or_else(|| error.to_string(), |(_, m)| m.to_owned()),
                _ => error.to_string(),
            };
            let page = console_page(
                app,
                me,
                fair,
                &ConsoleParams::default(),
                InviteForm::default(),
                FieldErrors::new(),
                Some(message),
            )
            .await?;
            Ok((status, page).into_response())
        }
        other => Err(PageError::new(other, Some(me))),
    }
}

/// Invites a reviewer by phone number (`phone`, `sectors`, `org_name`).
pub async fn invite(
    State(app): State<AppState>,
    PageStaff(me): PageStaff,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fair = organiser_fair(&app, &me, id).await?;
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let form = InviteForm {
        phone: value("phone"),
        org_name: value("org_name"),
        sectors: pairs
            .iter()
            .filter(|(k, _)| k == "sectors")
            .map(|(_, v)| v.clone())
            .collect(),
    };
    let input = ReviewerInput {
        user_id: None,
        phone: Some(form.phone.clone()),
        sectors: form.sectors.clone(),
        org_name: form.org_name.clone(),
    };
    match reviewers::invite(&app, &me, &fair, &input).await {
        Ok(_) => Ok(done::redirect(&console(id), Done::ReviewerInvited).into_response()),
        Err(AppError::Validation(errors)) => {
            let page = console_page(
                &app,
                me,
                fair,
                &ConsoleParams::default(),
                form,
                errors,
                None,
            )
            .await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(error) => refused(&app, me, fair, error).await,
    }
}

/// Gives every project its reviewers.
pub async fn assign(
    State(app): State<AppState>,
    PageStaff(me): PageStaff,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let fair = organiser_fair(&app, &me, id).await?;
    match reviewers::assign_all(&app, &me, &fair).await {
        Ok(assigned) => {
            let back = format!(
                "{}?n={}&short={}",
                console(id),
                assigned.assigned,
                assigned.short.len()
            );
            Ok(done::redirect(&back, Done::ReviewsAssigned).into_response())
        }
        Err(error) => refused(&app, me, fair, error).await,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct PublishForm {
    #[serde(default)]
    confirm: String,
}

/// Publishes the selection once the organiser ticked the confirmation.
pub async fn publish(
    State(app): State<AppState>,
    PageStaff(me): PageStaff,
    Path(id): Path<i64>,
    Form(form): Form<PublishForm>,
) -> Result<Response, PageError> {
    let fair = organiser_fair(&app, &me, id).await?;
    if form.confirm != "yes" {
        let error = AppError::validation("confirm", "请勾选确认后再发布遴选结果");
        return refused(&app, me, fair, error).await;
    }
    match selection::publish(&app, &me, &fair).await {
        Ok(summary) => {
            let back = format!("{}?n={}", console(id), summary.selected);
            Ok(done::redirect(&back, Done::SelectionPublished).into_response())
        }
        Err(error) => refused(&app, me, fair, error).await,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct MajorForm {
    #[serde(default)]
    major: String,
    #[serde(default)]
    hall: String,
    #[serde(default)]
    category: String,
    page: Option<u32>,
}

/// Marks a selected project major, or takes the mark off, and returns to the same view.
pub async fn major(
    State(app): State<AppState>,
    PageStaff(me): PageStaff,
    Path((id, pid)): Path<(i64, i64)>,
    Form(form): Form<MajorForm>,
) -> Result<Response, PageError> {
    let fair = organiser_fair(&app, &me, id).await?;
    match selection::set_major(&app, &me, &fair, pid, form.major == "true").await {
        Ok(()) => {
            let back = format!(
                "{}?hall={}&category={}&page={}#p{pid}",
                console(id),
                url_encode(&form.hall),
                url_encode(&form.category),
                form.page.unwrap_or(1)
            );
            Ok(done::redirect(&back, Done::MajorProjectsUpdated).into_response())
        }
        Err(error) => refused(&app, me, fair, error).await,
    }
}
