//! The market front page, one page per listing, and "my listings" with withdraw and close.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tianfu_domain::{ListingKind, ListingStatus, TicketKind, UserId};

use super::{Line, MyListing, first_message, page_number, parse_id};
use crate::market::service;
use crate::market::store::{self, ListingFilter};
use crate::market::studios::store as studios;
use crate::matching::{self, MatchItem};
use crate::platform::api::Paging;
use crate::platform::auth::{Actor, MaybeUser, PageUser};
use crate::platform::clock::shanghai;
use crate::platform::done::{self, Done, DoneQuery};
use crate::platform::error::AppError;
use crate::platform::page::{PageError, Pager, safe_next, url_encode};
use crate::platform::scope::{self, RegionScope};
use crate::{App, AppState};

const PER_PAGE: u32 = 12;

pub struct CityOption {
    pub code: String,
    pub name: String,
    pub selected: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct MarketQuery {
    kind: Option<String>,
    page: Option<String>,
    region_code: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "market/index.html")]
pub struct MarketPage {
    me: Option<Actor>,
    kinds: &'static [ListingKind],
    kind: &'static str,
    kind_label: &'static str,
    cities: Vec<CityOption>,
    region_code: String,
    lines: Vec<Line>,
    pager: Pager,
    /// The list's address up to `page=`, for paging links.
    pager_base: String,
}

pub async fn market(
    State(app): State<AppState>,
    MaybeUser(me): MaybeUser,
    Query(query): Query<MarketQuery>,
) -> Result<MarketPage, PageError> {
    let kind = query
        .kind
        .as_deref()
        .and_then(|k| ListingKind::parse(k).ok())
        .unwrap_or(ListingKind::Offer);
    // An unknown region code shows the whole province rather than an error.
    let region = query
        .region_code
        .as_deref()
        .and_then(|code| app.regions.find(code))
        .map(|r| r.code.clone());
    let region_code = region.as_ref().map(|r| r.to_string()).unwrap_or_default();
    let paging = Paging {
        page: Some(page_number(query.page.as_deref())),
        per_page: Some(PER_PAGE),
    };
    let filter = ListingFilter {
        kinds: None,
        kind: Some(kind),
        status: Some(ListingStatus::Published),
        owner: None,
        scope: region.map(RegionScope::Subtree),
    };
    let (rows, total) = store::list(&app.db, &filter, paging)
        .await
        .map_err(|e| PageError::new(e.into(), me.clone()))?;
    let cities = app
        .regions
        .find("51")
        .map(|sichuan| app.regions.children(Some(&sichuan.code)))
        .unwrap_or_default()
        .into_iter()
        .map(|city| CityOption {
            code: city.code.to_string(),
            name: city.name.clone(),
            selected: city.code.as_str() == region_code,
        })
        .collect();
    Ok(MarketPage {
        me,
        kinds: ListingKind::ALL,
        kind: kind.as_str(),
        kind_label: kind.label(),
        cities,
        lines: rows.into_iter().map(|row| Line::new(&app, row)).collect(),
        pager: Pager::new(paging.page(), paging.per_page(), total),
        pager_base: format!(
            "/market?kind={}&region_code={}&",
            kind.as_str(),
            url_encode(&region_code)
        ),
        region_code,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "market/detail.html")]
pub struct DetailPage {
    me: Option<Actor>,
    line: Line,
    created: String,
    studio_name: Option<String>,
    is_owner: bool,
    /// A signed-in non-owner looking at a published listing may open an inquiry.
    can_inquire: bool,
    /// Staff of the listing's region looking at a pending listing may decide on it here.
    can_review: bool,
    login_href: String,
    /// The sticky 立即咨询 bar's target, for anyone but the owner of a published listing: the
    /// inquiry form below, or signing in first and coming back to it. Owners' phones are not
    /// public (see /privacy), so there is no 拨打电话 on a listing.
    contact_href: Option<String>,
    /// The engine's best matches for a published listing, shown to everyone who may see it.
    matches: Vec<MatchLine>,
    matches_heading: &'static str,
    /// Matches that share only characters or a broad area: shown, as leads, only when
    /// nothing fits.
    leads: Vec<MatchLine>,
    /// A published listing none of whose matches answers it.
    nothing_fits: bool,
    /// The need's nanny (name, phone), for its owner when nothing fits.
    nanny: Option<(String, String)>,
    /// What the owner's last action did (`?done=`).
    done: Option<String>,
    /// The viewer's own deals on this listing: (id, stage label).
    my_deals: Vec<(i64, String)>,
}

pub struct MatchLine {
    href: String,
    kind_label: &'static str,
    title: String,
    region_name: String,
    reasons: Vec<String>,
}

impl MatchLine {
    fn new(item: MatchItem) -> Self {
        let kind_label = match item.kind.as_str() {
            "studio" => "科创工作室",
            other => ListingKind::parse(other).map_or("", |k| k.label()),
        };
        MatchLine {
            href: format!("/{}s/{}", item.kind, item.id),
            kind_label,
            title: item.title,
            region_name: item.region_name,
            reasons: item.reasons,
        }
    }
}

/// Shown on a listing's page; the full list is in the API.
const MATCHES_SHOWN: usize = 6;

async fn detail(
    app: &App,
    me: Option<Actor>,
    kind: ListingKind,
    raw_id: &str,
) -> Result<DetailPage, PageError> {
    let fail = |e| PageError::new(e, me.clone());
    let id = parse_id(raw_id, kind.label()).map_err(fail)?;
    let row = service::visible(app, me.as_ref(), kind, id)
        .await
        .map_err(fail)?;
    let created = shanghai(row.created_at);
    let studio_name = match row.studio_id {
        Some(studio) => studios::find(&app.db, studio)
            .await
            .map_err(|e| fail(e.into()))?
            // A studio not yet approved is not linked from public pages.
            .filter(|s| s.is_public())
            .map(|s| s.name),
        None => None,
    };
    let is_owner = me
        .as_ref()
        .is_some_and(|a| scope::owns(a, UserId(row.owner_id)));
    let published = row.is_published();
    let pending = row.status() == Some(ListingStatus::Pending);
    let can_review = pending
        && me
            .as_ref()
            .zip(row.region())
            .is_some_and(|(a, region)| scope::can_view_region(a, &region));
    // A page without its matches is still the listing's page: a failed search is logged,
    // not shown (and not taken for "nothing fits").
    let found = if published {
        match matching::all_for(app, &row, MATCHES_SHOWN).await {
            Ok(items) => Some(items),
            Err(error) => {
                error.log_if_internal();
                None
            }
        }
    } else {
        None
    };
    let nothing_fits = found
        .as_ref()
        .is_some_and(|items| !items.iter().any(|i| i.fits));
    let (matches, leads): (Vec<_>, Vec<_>) =
        found.unwrap_or_default().into_iter().partition(|i| i.fits);
    let nanny = if nothing_fits && is_owner && kind == ListingKind::Need {
        match crate::nanny::store::nanny_of(&app.db, TicketKind::Need, row.id).await {
            Ok(nanny) => nanny,
            Err(error) => {
                AppError::from(error).log_if_internal();
                None
            }
        }
    } else {
        None
    };
    let matches: Vec<MatchLine> = matches.into_iter().map(MatchLine::new).collect();
    let leads: Vec<MatchLine> = if nothing_fits {
        leads.into_iter().map(MatchLine::new).collect()
    } else {
        Vec::new()
    };
    let matches_heading = match kind {
        ListingKind::Need => "智能匹配：能解决这项需求的能力、成果与专家",
        ListingKind::Offer | ListingKind::Achievement => "智能匹配：可能需要它的企业需求",
    };
    // The template renders `description_html` unescaped: it was sanitised by ammonia
    // (`market::sanitize::rich_text`) when it was written, so only harmless tags remain.
    let line = Line::new(app, row);
    let can_inquire = published && me.is_some() && !is_owner;
    let contact_href = if can_inquire {
        Some("#inquiry".to_owned())
    } else if published && me.is_none() {
        Some(format!(
            "/login?next={}",
            url_encode(&format!("{}#inquiry", line.href))
        ))
    } else {
        None
    };
    let my_deals = match &me {
        Some(me) => crate::market::deals::store::mine_on_listing(&app.db, me.id, line.view.id)
            .await?
            .into_iter()
            .map(|(id, stage)| {
                let label = tianfu_domain::DealStage::parse(&stage)
                    .map(|s| s.label().to_owned())
                    .unwrap_or(stage);
                (id, label)
            })
            .collect(),
        None => Vec::new(),
    };
    Ok(DetailPage {
        my_deals,
        can_inquire,
        contact_href,
        login_href: format!("/login?next={}", url_encode(&line.href)),
        me,
        line,
        created,
        studio_name,
        is_owner,
        can_review,
        matches,
        matches_heading,
        leads,
        nothing_fits,
        nanny,
        done: None,
    })
}

pub async fn offer(
    State(app): State<AppState>,
    MaybeUser(me): MaybeUser,
    Path(id): Path<String>,
    Query(done): Query<DoneQuery>,
) -> Result<DetailPage, PageError> {
    let mut page = detail(&app, me, ListingKind::Offer, &id).await?;
    page.done = done.message();
    Ok(page)
}

pub async fn achievement(
    State(app): State<AppState>,
    MaybeUser(me): MaybeUser,
    Path(id): Path<String>,
    Query(done): Query<DoneQuery>,
) -> Result<DetailPage, PageError> {
    let mut page = detail(&app, me, ListingKind::Achievement, &id).await?;
    page.done = done.message();
    Ok(page)
}

pub async fn need(
    State(app): State<AppState>,
    MaybeUser(me): MaybeUser,
    Path(id): Path<String>,
    Query(done): Query<DoneQuery>,
) -> Result<DetailPage, PageError> {
    let mut page = detail(&app, me, ListingKind::Need, &id).await?;
    page.done = done.message();
    Ok(page)
}

#[derive(Debug, Default, Deserialize)]
pub struct MineQuery {
    page: Option<String>,
    done: Option<String>,
}

pub struct PublishLink {
    pub kind: &'static str,
    pub label: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "market/mine.html")]
pub struct MinePage {
    me: Option<Actor>,
    lines: Vec<Line>,
    pager: Pager,
    pager_base: String,
    publish: Vec<PublishLink>,
    error: Option<String>,
    done: Option<String>,
}

async fn mine_page(
    app: &App,
    actor: Actor,
    page: u32,
    error: Option<String>,
) -> Result<MinePage, PageError> {
    let paging = Paging {
        page: Some(page),
        per_page: Some(20),
    };
    let filter = ListingFilter {
        kinds: None,
        owner: Some(actor.id),
        ..ListingFilter::default()
    };
    let (rows, total) = store::list(&app.db, &filter, paging)
        .await
        .map_err(|e| PageError::new(e.into(), Some(actor.clone())))?;
    let publish = ListingKind::ALL
        .iter()
        .filter(|kind| service::may_publish(actor.role, **kind))
        .map(|kind| PublishLink {
            kind: kind.as_str(),
            label: kind.label(),
        })
        .collect();
    Ok(MinePage {
        me: Some(actor),
        lines: rows.into_iter().map(|row| Line::new(app, row)).collect(),
        pager: Pager::new(paging.page(), paging.per_page(), total),
        pager_base: "/me/listings?".into(),
        publish,
        error,
        done: None,
    })
}

pub async fn mine(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    Query(query): Query<MineQuery>,
) -> Result<MinePage, PageError> {
    let mut page = mine_page(&app, actor, page_number(query.page.as_deref()), None).await?;
    page.done = DoneQuery { done: query.done }.message();
    Ok(page)
}

#[derive(Debug, Default, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    status: String,
    next: Option<String>,
}

/// Withdraws (撤回) or closes (关闭) one's listing, then goes back where the button was.
pub async fn change_status(
    State(app): State<AppState>,
    MyListing { actor, row, .. }: MyListing,
    Form(form): Form<StatusForm>,
) -> Result<Response, PageError> {
    let fail = |e| PageError::new(e, Some(actor.clone()));
    match service::change_status(&app, &row, &form.status).await {
        Ok(()) => {
            let next = match form.next.as_deref() {
                Some(next) => safe_next(Some(next)),
                None => "/me/listings".to_owned(),
            };
            let done = if form.status == "closed" {
                Done::Closed
            } else {
                Done::Withdrawn
            };
            Ok(done::redirect(&next, done).into_response())
        }
        Err(error) if error.status() == StatusCode::UNPROCESSABLE_ENTITY => {
            let message = format!("“{}”：{}", row.title, first_message(&error));
            let page = mine_page(&app, actor, 1, Some(message)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(fail(other)),
    }
}
