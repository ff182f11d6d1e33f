//! `/fairs/{id}/report` and `/fairs/{id}/report.xlsx`: the edition's figures for staff and the
//! organisers. The fair is the province's event, so every staff member sees the whole edition,
//! and the page says so to those whose console is limited to a region.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::service::{self, Stats};
use crate::AppState;
use crate::fair::editions::service::find as find_fair;
use crate::fair::organiser;
use crate::platform::auth::{Actor, MaybeUser, PageStaff};
use crate::platform::error::AppError;
use crate::platform::page::PageError;

pub struct OutcomeLine {
    pub name: String,
    pub counts: Vec<i64>,
    pub pending: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "fair/stats/report.html")]
pub struct ReportPage {
    me: Option<Actor>,
    s: Stats,
    /// The reader's console is limited to a region, but these are the whole edition's figures.
    whole_edition_note: bool,
    outcome_names: Vec<&'static str>,
    outcome_lines: Vec<OutcomeLine>,
    outcome_total: OutcomeLine,
}

pub async fn report(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    Path(id): Path<i64>,
) -> Result<ReportPage, PageError> {
    let page_error = |e| PageError::new(e, Some(actor.clone()));
    let fair = find_fair(&app, id).await.map_err(page_error)?;
    let s = service::build(&app, &fair).await.map_err(page_error)?;
    let line = |name: &str, o: &service::OutcomeCounts| OutcomeLine {
        name: name.to_owned(),
        counts: o.labelled().iter().map(|(_, n)| *n).collect(),
        pending: o.pending,
    };
    let outcome_lines = s
        .by_region
        .iter()
        .filter(|h| h.outcomes != service::OutcomeCounts::default())
        .map(|h| line(&h.name, &h.outcomes))
        .collect();
    Ok(ReportPage {
        whole_edition_note: !organiser(&actor),
        outcome_names: s.outcomes.labelled().iter().map(|(l, _)| *l).collect(),
        outcome_total: line("合计", &s.outcomes),
        outcome_lines,
        me: Some(actor),
        s,
    })
}

/// The workbook: staff only (401 without signing in, 403 for others, as an API would answer a
/// download).
pub async fn export(
    State(app): State<AppState>,
    MaybeUser(actor): MaybeUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let Some(actor) = actor else {
        return Err(PageError::new(AppError::unauthorized(), None));
    };
    if !actor.is_staff() {
        return Err(PageError::new(
            AppError::Forbidden("科创会数据报表仅供服务中心工作人员下载".into()),
            Some(actor),
        ));
    }
    let page_error = |e| PageError::new(e, Some(actor.clone()));
    let fair = find_fair(&app, id).await.map_err(page_error)?;
    let s = service::build(&app, &fair).await.map_err(page_error)?;
    let bytes = super::xlsx::to_xlsx(&s).map_err(|e| page_error(AppError::Internal(e.into())))?;
    let disposition = crate::performance::reports::xlsx::disposition(
        &format!("fair-{id}-report.xlsx"),
        &format!("{}数据统计.xlsx", fair.name),
    );
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}
