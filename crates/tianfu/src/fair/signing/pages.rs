//! `/fairs/{id}/signing`: the collective-signing list (集中签约) with the edition's totals.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use tianfu_domain::fair::Category;

use super::api::{SigningParams, SigningView, TotalsView};
use super::{service, store};
use crate::AppState;
use crate::fair::editions::service::find as find_fair;
use crate::platform::auth::{Actor, MaybeUser};
use crate::platform::page::{PageError, Pager, url_encode};

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "fair/signing/list.html")]
pub struct SigningPage {
    me: Option<Actor>,
    fair_id: i64,
    fair_name: String,
    items: Vec<SigningView>,
    totals: TotalsView,
    halls: Vec<Choice>,
    categories: Vec<Choice>,
    pager: Pager,
    pager_base: String,
}

pub async fn list(
    State(app): State<AppState>,
    MaybeUser(me): MaybeUser,
    Path(id): Path<i64>,
    Query(params): Query<SigningParams>,
) -> Result<SigningPage, PageError> {
    let page_error = |e| PageError::new(e, me.clone());
    let fair = find_fair(&app, id).await.map_err(page_error)?;
    let filter = params.filter().map_err(page_error)?;
    let paging = params.paging();
    let (rows, total) = store::signed_deals(&app.db, fair.id, &filter, paging).await?;
    let totals = service::totals(&app, fair.id).await.map_err(page_error)?;
    let totals = TotalsView::of(&app, &totals);
    let hall = filter.hall.clone().unwrap_or_default();
    let category = filter.category.clone().unwrap_or_default();
    let mut halls = vec![Choice {
        value: String::new(),
        label: "全部展厅".into(),
        selected: hall.is_empty(),
    }];
    halls.extend(
        totals
            .by_hall
            .iter()
            .filter(|t| !t.code.is_empty())
            .map(|t| Choice {
                value: t.code.clone(),
                label: t.name.clone(),
                selected: t.code == hall,
            }),
    );
    if !hall.is_empty() && !halls.iter().any(|c| c.selected) {
        halls.push(Choice {
            label: service::hall_name(&app, &hall),
            value: hall.clone(),
            selected: true,
        });
    }
    let mut categories = vec![Choice {
        value: String::new(),
        label: "全部类别".into(),
        selected: category.is_empty(),
    }];
    categories.extend(Category::ALL.iter().map(|c| Choice {
        value: c.as_str().into(),
        label: c.label().into(),
        selected: c.as_str() == category,
    }));
    Ok(SigningPage {
        fair_id: fair.id,
        fair_name: fair.name,
        items: rows.into_iter().map(|r| SigningView::of(&app, r)).collect(),
        totals,
        halls,
        categories,
        pager: Pager::new(paging.page(), paging.per_page(), total),
        pager_base: format!(
            "/fairs/{id}/signing?hall={}&category={}&",
            url_encode(&hall),
            url_encode(&category)
        ),
        me,
    })
}
