//! The fair's public pages, phone first: the editions (`/fairs`), one edition with its phase,
//! programme by kind and the grid of halls (`/fairs/{id}`), and a hall's selected projects with
//! filters and paging (`/fairs/{id}/halls/{code}`). A project's own page is `project_pages`.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use tianfu_domain::fair::{Category, Sector, SessionKind};

use super::service::{self, HallView};
use super::store::{self, CardRow, HallFilter};
use crate::AppState;
use crate::fair::editions::service::find as find_fair;
use crate::fair::sessions::api::SessionView;
use crate::fair::store::{FairRow, list_fairs};
use crate::platform::api::Paging;
use crate::platform::auth::{Actor, MaybeUser};
use crate::platform::clock::shanghai;
use crate::platform::page::{PageError, Pager, url_encode};

/// An edition as the pages show it.
pub struct Edition {
    pub id: i64,
    pub name: String,
    pub year: i32,
    pub intro: String,
    pub phase_label: &'static str,
    pub collect_until: String,
    pub opens_at: String,
    pub closes_at: String,
    pub signing_until: String,
    pub published: bool,
}

impl Edition {
    pub fn of(app: &AppState, fair: &FairRow) -> Self {
        Edition {
            id: fair.id,
            name: fair.name.clone(),
            year: fair.year,
            intro: fair.intro.clone(),
            phase_label: fair.phase(app.clock.now()).label(),
            collect_until: shanghai(fair.collect_until),
            opens_at: shanghai(fair.opens_at),
            closes_at: shanghai(fair.closes_at),
            signing_until: shanghai(fair.signing_until),
            published: fair.selection_published(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct PageParams {
    page: Option<u32>,
}

#[derive(Template, WebTemplate)]
#[template(path = "fair/halls/fairs.html")]
pub struct FairsPage {
    me: Option<Actor>,
    editions: Vec<Edition>,
    pager: Pager,
    pager_base: String,
}

/// 科创会: the editions, newest first.
pub async fn fairs(
    State(app): State<AppState>,
    MaybeUser(me): MaybeUser,
    Query(params): Query<PageParams>,
) -> Result<FairsPage, PageError> {
    let paging = Paging {
        page: params.page,
        per_page: Some(20),
    };
    let (rows, total) = list_fairs(&app.db, paging).await?;
    Ok(FairsPage {
        me,
        editions: rows.iter().map(|f| Edition::of(&app, f)).collect(),
        pager: Pager::new(paging.page(), paging.per_page(), total),
        pager_base: "/fairs?".into(),
    })
}

/// The sessions of one kind, for the programme.
pub struct ProgrammePart {
    pub label: &'static str,
    pub sessions: Vec<SessionView>,
}

#[derive(Template, WebTemplate)]
#[template(path = "fair/halls/fair.html")]
pub struct FairPage {
    me: Option<Actor>,
    edition: Edition,
    programme: Vec<ProgrammePart>,
    halls: Vec<HallView>,
}

/// One edition: its phase and dates, the programme grouped by kind, and the halls.
pub async fn fair(
    State(app): State<AppState>,
    MaybeUser(me): MaybeUser,
    Path(id): Path<i64>,
) -> Result<FairPage, PageError> {
    let fair = find_fair(&app, id)
        .await
        .map_err(|e| PageError::new(e, me.clone()))?;
    let sessions = crate::fair::sessions::store::programme(&app.db, fair.id).await?;
    let mut views: Vec<SessionView> = sessions
        .into_iter()
        .map(|s| SessionView::of(&app, s))
        .collect();
    let programme = SessionKind::ALL
        .iter()
        .filter_map(|kind| {
            let (of_kind, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut views)
                .into_iter()
                .partition(|s| s.kind == kind.as_str());
            views = rest;
            (!of_kind.is_empty()).then(|| ProgrammePart {
                label: kind.label(),
                sessions: of_kind,
            })
        })
        .collect();
    let halls = service::hall_views(&app, &fair)
        .await
        .map_err(|e| PageError::new(e, me.clone()))?;
    Ok(FairPage {
        edition: Edition::of(&app, &fair),
        me,
        programme,
        halls,
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct HallParams {
    category: Option<String>,
    sector: Option<String>,
    q: Option<String>,
    page: Option<u32>,
}

/// A project's card in a hall.
pub struct Card {
    pub id: i64,
    pub title: String,
    pub category_label: &'static str,
    pub sector_label: &'static str,
    pub who: String,
    pub region_name: String,
    pub pitch: String,
    /// The first picture, if any.
    pub picture: Option<String>,
    pub has_video: bool,
    pub major: bool,
}

impl Card {
    fn of(app: &AppState, row: CardRow) -> Self {
        let images: Vec<String> = serde_json::from_str(&row.images).unwrap_or_default();
        Card {
            category_label: Category::parse(&row.category).map_or("未知", Category::label),
            sector_label: Sector::parse(&row.sector).map_or("未知", Sector::label),
            who: row.org_name.unwrap_or(row.owner_name),
            region_name: app.regions.full_name_of(&row.region_code),
            pitch: row.pitch.chars().take(80).collect(),
            picture: images.into_iter().next(),
            has_video: row.video_url.is_some(),
            major: row.major,
            id: row.id,
            title: row.title,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "fair/halls/hall.html")]
pub struct HallPage {
    me: Option<Actor>,
    edition: Edition,
    code: String,
    name: String,
    cards: Vec<Card>,
    categories: &'static [Category],
    sectors: &'static [Sector],
    category: String,
    sector: String,
    q: String,
    pager: Pager,
    pager_base: String,
}

/// A filter value from a query string: trimmed, empty for none, and only a known one.
fn known<T>(value: Option<&str>, parse: impl Fn(&str) -> Result<T, String>) -> String {
    value
        .map(str::trim)
        .filter(|v| parse(v).is_ok())
        .unwrap_or("")
        .to_owned()
}

/// 云展厅: a hall's selected projects (once the selected list is published; a notice before),
/// filtered by category, sector and words, a page at a time.
pub async fn hall(
    State(app): State<AppState>,
    MaybeUser(me): MaybeUser,
    Path((id, code)): Path<(i64, String)>,
    Query(params): Query<HallParams>,
) -> Result<HallPage, PageError> {
    let fair = find_fair(&app, id)
        .await
        .map_err(|e| PageError::new(e, me.clone()))?;
    let Some(name) = service::hall_name(&app, &code) else {
        return Err(PageError::new(
            crate::platform::error::AppError::not_found("展厅"),
            me,
        ));
    };
    let category = known(params.category.as_deref(), Category::parse);
    let sector = known(params.sector.as_deref(), Sector::parse);
    let q: String = params
        .q
        .as_deref()
        .map(str::trim)
        .unwrap_or("")
        .replace(['%', '_'], "")
        .chars()
        .take(50)
        .collect();
    let paging = Paging {
        page: params.page,
        per_page: Some(12),
    };
    let (cards, total) = if fair.selection_published() {
        let filter = HallFilter {
            category: (!category.is_empty()).then(|| category.clone()),
            sector: (!sector.is_empty()).then(|| sector.clone()),
            q: (!q.is_empty()).then(|| q.clone()),
        };
        let (rows, total) = store::hall_projects(&app.db, fair.id, &code, &filter, paging).await?;
        (rows.into_iter().map(|r| Card::of(&app, r)).collect(), total)
    } else {
        (Vec::new(), 0)
    };
    Ok(HallPage {
        pager: Pager::new(paging.page(), paging.per_page(), total),
        pager_base: format!(
            "/fairs/{id}/halls/{code}?category={}&sector={}&q={}&",
            url_encode(&category),
            url_encode(&sector),
            url_encode(&q)
        ),
        edition: Edition::of(&app, &fair),
        me,
        code,
        name,
        cards,
        categories: Category::ALL,
        sectors: Sector::ALL,
        category,
        sector,
        q,
    })
}
