//! `GET /api/v1/search` and the `/search` page: Chinese full-text search over published
//! listings, with filters, sorting, highlighted snippets and paging.

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use tianfu_domain::{Fen, Industry, ListingKind, ServiceType};
use tianfu_search::{ListingKind as IndexKind, SearchQuery, Sort};
use utoipa::{IntoParams, ToSchema};

use super::suggestion::{Suggestion, run_forgiving};
use super::view::price_label;
use crate::platform::api::{ApiQuery, Paging};
use crate::platform::auth::{Actor, MaybeUser};
use crate::platform::clock::shanghai;
use crate::platform::error::{AppError, ErrorBody};
use crate::platform::page::{PageError, Pager, url_encode};
use crate::{App, AppState};

#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Words to look for; empty lists the newest.
    pub q: Option<String>,
    /// offer, achievement, need or studio; empty means all of them.
    #[param(value_type = Option<crate::market::api::SearchKind>)]
    pub kind: Option<String>,
    /// Region subtree.
    #[param(value_type = Option<crate::platform::openapi::RegionCodeFilter>)]
    pub region_code: Option<String>,
    /// GB/T 4754 code.
    #[param(value_type = Option<crate::market::api::IndustryFilter>)]
    pub industry: Option<String>,
    /// development, transfer, consulting or service.
    #[param(value_type = Option<crate::market::api::ServiceTypeFilter>)]
    pub service_type: Option<String>,
    /// Lowest price in yuan, e.g. 12 or 12.50; empty means none.
    #[param(pattern = r"^([0-9]{1,11}(\.[0-9]{1,2})?)?$")]
    pub price_min: Option<String>,
    /// Highest price in yuan; empty means none.
    #[param(pattern = r"^([0-9]{1,11}(\.[0-9]{1,2})?)?$")]
    pub price_max: Option<String>,
    /// relevance (default) or newest.
    #[param(value_type = Option<crate::market::api::SearchSort>)]
    pub sort: Option<String>,
    /// 1-based page number.
    #[param(minimum = 1, maximum = 2147483647)]
    pub page: Option<u32>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchItem {
    pub kind: String,
    pub kind_label: String,
    pub id: i64,
    pub title: String,
    /// Escaped text with matches in `<mark>`.
    pub snippet: String,
    pub region_code: String,
    pub region_name: String,
    pub industry: String,
    pub industry_name: String,
    pub price_fen: Option<i64>,
    pub price_label: String,
    pub published_at: chrono::DateTime<chrono::Utc>,
    pub score: f32,
}

fn some(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Turns the parameters into an index query, refusing unknown values field by field.
fn parse(app: &App, params: &SearchParams) -> Result<(SearchQuery, Paging), AppError> {
    let mut errors = tianfu_domain::FieldErrors::new();
    // Studios are searchable too (finding an expert, not only a listing); no kind means all.
    let kinds = match some(&params.kind) {
        Some(kind) => match IndexKind::parse(kind) {
            Some(kind) => vec![kind],
            None => {
                errors.add(
                    "kind",
                    "类别只能是：offer（科技所能）、achievement（科技成果）、need（科技所需）、studio（科创工作室）、kepu（科普）、question（科普问答）",
                );
                Vec::new()
            }
        },
        None => Vec::new(),
    };
    let region_code = some(&params.region_code).and_then(|code| match app.regions.find(code) {
        Some(region) => Some(region.code.to_string()),
        None => {
            errors.add("region_code", "地区代码不存在");
            None
        }
    });
    let industry = some(&params.industry)
        .and_then(|code| errors.check("industry", Industry::parse(code)))
        .map(|i| i.code().to_owned());
    let service_type = some(&params.service_type)
        .and_then(|t| errors.check("service_type", ServiceType::parse(t)))
        .map(|t| t.as_str().to_owned());
    let price_min = some(&params.price_min)
        .and_then(|p| errors.check("price_min", Fen::parse_yuan(p)))
        .map(Fen::get);
    let price_max = some(&params.price_max)
        .and_then(|p| errors.check("price_max", Fen::parse_yuan(p)))
        .map(Fen::get);
    let sort = match some(&params.sort) {
        None | Some("relevance") => Sort::Relevance,
        Some("newest") => Sort::Newest,
        Some(_) => {
            errors.add("sort", "排序只能是 relevance（相关度）或 newest（最新）");
            Sort::Relevance
        }
    };
    errors.into_result()?;
    let paging = Paging {
        page: params.page,
        per_page: params.per_page,
    };
    let query = SearchQuery {
        q: params
            .q
            .clone()
            .unwrap_or_default()
            .chars()
            .take(100)
            .collect(),
        kinds,
        region_code,
        industry,
        service_type,
        price_min_fen: price_min,
        price_max_fen: price_max,
        sort,
        offset: paging.offset() as usize,
        limit: paging.limit() as usize,
    };
    Ok((query, paging))
}

/// One page of results.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchList {
    pub items: Vec<SearchItem>,
    pub total: i64,
    /// When no listing has all the words, partial matches are counted up to 1,000 only; this
    /// says the count stopped there and there are at least `total`.
    pub total_is_lower_bound: bool,
    /// On the first page of a search by relevance, up to five listings that mean what the
    /// words mean without using them (鸡下蛋少 → 蛋鸡产蛋率), not among the literal results
    /// and not counted in `total`.
    pub related: Vec<RelatedItem>,
    /// 您是不是要找: when the words found little (at most three listings), a correction towards
    /// words the market uses; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<Suggestion>,
}

/// A listing related to the words searched rather than matching them.
#[derive(Debug, Serialize, ToSchema)]
pub struct RelatedItem {
    #[serde(flatten)]
    pub item: SearchItem,
    /// Why it is related, e.g. “鸡下蛋少”即“蛋鸡产蛋率” or 相近词：拉稀≈腹泻.
    pub reason: String,
}

pub(crate) async fn run(app: &App, query: SearchQuery) -> Result<SearchList, AppError> {
    let search = app.search.clone();
    let results = tokio::task::spawn_blocking(move || search.search(&query))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(|e| AppError::Internal(anyhow::anyhow!("search: {e}")))?;
    let item = |hit: tianfu_search::SearchHit| SearchItem {
        kind_label: match hit.kind {
            IndexKind::Studio => "科创工作室",
            IndexKind::Kepu => "科普",
            IndexKind::Question => "科普问答",
            other => ListingKind::parse(other.as_str()).map_or("", |k| k.label()),
        }
        .to_owned(),
        kind: hit.kind.as_str().to_owned(),
        id: hit.id,
        title: hit.title,
        snippet: hit.snippet_html,
        region_name: app.regions.full_name_of(&hit.region_code),
        region_code: hit.region_code,
        industry_name: Industry::label_for(&hit.industry),
        industry: hit.industry,
        // A studio has no price; "面议" would say it has one to discuss.
        price_label: if matches!(
            hit.kind,
            IndexKind::Studio | IndexKind::Kepu | IndexKind::Question
        ) {
            String::new()
        } else {
            price_label(hit.price_fen)
        },
        price_fen: hit.price_fen,
        published_at: chrono::DateTime::from_timestamp(hit.published_at, 0).unwrap_or_default(),
        score: hit.score,
    };
    Ok(SearchList {
        related: results
            .related
            .into_iter()
            .map(|r| RelatedItem {
                item: item(r.hit),
                reason: r.reason,
            })
            .collect(),
        items: results.hits.into_iter().map(item).collect(),
        total: results.total as i64,
        total_is_lower_bound: results.total_capped,
        suggestion: None,
    })
}

/// Full-text search of published listings and studios; newest first when `q` is empty.
#[utoipa::path(get, path = "/api/v1/search", tag = "market", params(SearchParams),
    responses((status = 200, body = SearchList), (status = 422, body = ErrorBody)))]
pub async fn api(
    State(app): State<AppState>,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> Result<Json<SearchList>, AppError> {
    let (query, _) = parse(&app, &params)?;
    Ok(Json(run_forgiving(&app, query).await?))
}

pub struct Hit {
    pub item: SearchItem,
    pub link: String,
    pub published: String,
    /// For a related result, why.
    pub reason: Option<String>,
}

impl Hit {
    fn new(item: SearchItem, reason: Option<String>) -> Self {
        Hit {
            link: match item.kind.as_str() {
                "kepu" => format!("/kepu/resources/{}", item.id),
                "question" => format!("/kepu/questions/{}", item.id),
                kind => format!("/{kind}s/{}", item.id),
            },
            published: shanghai(item.published_at),
            item,
            reason,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "search/search.html")]
pub struct SearchPage {
    me: Option<Actor>,
    params: SearchParams,
    error: Option<String>,
    hits: Vec<Hit>,
    related: Vec<Hit>,
    pager: Pager,
    total_is_lower_bound: bool,
    base_query: String,
    industries: Vec<Industry>,
    service_types: &'static [ServiceType],
    cities: Vec<(String, String)>,
    /// 您是不是要找, with the link that runs it.
    suggestion: Option<(Suggestion, String)>,
}

impl SearchPage {
    fn value(value: &Option<String>) -> &str {
        value.as_deref().unwrap_or("")
    }

    /// A filter is set when it has a value: the form sends every field, empty ones included.
    fn filtered(&self) -> bool {
        [
            &self.params.kind,
            &self.params.region_code,
            &self.params.industry,
            &self.params.service_type,
            &self.params.price_min,
            &self.params.price_max,
        ]
        .iter()
        .any(|v| !SearchPage::value(v).trim().is_empty())
    }
}

pub async fn page(
    State(app): State<AppState>,
    MaybeUser(me): MaybeUser,
    Query(params): Query<SearchParams>,
) -> Result<SearchPage, PageError> {
    let cities = app
        .regions
        .find("51")
        .map(|p| {
            app.regions
                .children(Some(&p.code))
                .into_iter()
                .map(|c| (c.code.to_string(), c.name.clone()))
                .collect()
        })
        .unwrap_or_default();
    let mut page = SearchPage {
        me,
        params: params.clone(),
        error: None,
        hits: Vec::new(),
        related: Vec::new(),
        pager: Pager::new(1, 20, 0),
        total_is_lower_bound: false,
        base_query: String::new(),
        industries: Industry::all().collect(),
        service_types: ServiceType::ALL,
        cities,
        suggestion: None,
    };
    let params = SearchParams {
        per_page: Some(20),
        ..params
    };
    match parse(&app, &params) {
        Ok((query, paging)) => {
            if let Some(me) = &page.me {
                crate::kepu::profile::learn_from_search(&app, me.id.0, &query.q).await;
            }
            let found = run_forgiving(&app, query)
                .await
                .map_err(|e| PageError::new(e, page.me.clone()))?;
            page.pager = Pager::new(paging.page(), paging.per_page(), found.total);
            page.total_is_lower_bound = found.total_is_lower_bound;
            page.suggestion = found.suggestion.map(|s| {
                let href = format!("/search?{}", query_string(&params, &s.text));
                (s, href)
            });
            page.hits = found
                .items
                .into_iter()
                .map(|item| Hit::new(item, None))
                .collect();
            page.related = found
                .related
                .into_iter()
                .map(|r| Hit::new(r.item, Some(r.reason)))
                .collect();
        }
        Err(error) => {
            page.error = Some(
                error
                    .fields()
                    .into_values()
                    .next()
                    .unwrap_or_else(|| error.to_string()),
            )
        }
    }
    page.base_query = query_string(&params, SearchPage::value(&params.q));
    Ok(page)
}

/// The page's query string with `q` as given and the filters that are set (an empty one
/// would read as a filter).
fn query_string(params: &SearchParams, q: &str) -> String {
    let mut out = format!("q={}", url_encode(q));
    for (name, value) in [
        ("kind", &params.kind),
        ("region_code", &params.region_code),
        ("industry", &params.industry),
        ("service_type", &params.service_type),
        ("price_min", &params.price_min),
        ("price_max", &params.price_max),
        ("sort", &params.sort),
    ] {
        let value = SearchPage::value(value).trim();
        if !value.is_empty() {
            out.push_str(&format!("&{name}={}", url_encode(value)));
        }
    }
    out
}
