//! One ticket's page for its nanny, `/admin/tickets/{id}`: the plan, the history, what the
//! matching engine suggests attaching to a follow-up, and the form of every action (the actions
//! themselves are in `pages`).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use tianfu_domain::{Channel, FieldErrors};

use super::service;
use super::store;
use super::view::TicketDetail;
use crate::platform::auth::{Actor, ClientIp, PageStaff};
use crate::platform::error::AppError;
use crate::platform::page::PageError;
use crate::{App, AppState, on_db};

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub(super) fn choices<T: Copy>(
    all: &[T],
    selected: &str,
    value: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<Choice> {
    all.iter()
        .map(|&item| Choice {
            value: value(item).to_owned(),
            label: label(item).to_owned(),
            selected: value(item) == selected,
        })
        .collect()
}

/// Something the nanny may attach to a follow-up.
pub struct Attachable {
    pub value: String,
    pub label: String,
}

#[derive(Debug, Default, Clone)]
pub struct FollowupDraft {
    pub channel: String,
    pub note: String,
    pub outcome: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "nanny/detail.html")]
pub struct DetailPage {
    me: Option<Actor>,
    t: TicketDetail,
    channels: &'static [Channel],
    matches: Vec<Attachable>,
    related: Vec<Attachable>,
    candidates: Vec<Choice>,
    draft: FollowupDraft,
    errors: FieldErrors,
    error: Option<String>,
    today: String,
    /// What the last action did (已保存跟进并完成…).
    notice: Option<String>,
    /// The earliest undone step, which 保存并完成此步 completes (0 when none).
    current_step_id: i64,
    current_step_name: String,
}

impl DetailPage {
    fn field_error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
}

pub(super) async fn detail_page(
    app: &App,
    actor: Actor,
    id: i64,
    ip: Option<&str>,
    draft: FollowupDraft,
    errors: FieldErrors,
    error: Option<String>,
) -> Result<DetailPage, PageError> {
    let page_error = |e: AppError| PageError::new(e, Some(actor.clone()));
    let ticket = service::for_staff(app, &actor, id, ip)
        .await
        .map_err(page_error)?;
    let matches = attachable_matches(app, &ticket).await;
    let related = related_acts(app, ticket.served_id)
        .await
        .map_err(|e| page_error(e.into()))?;
    let candidates = service::candidates(app, &actor, &ticket)
        .await
        .map_err(page_error)?
        .into_iter()
        .map(|(id, name, region, load)| Choice {
            selected: ticket.assignee_id == Some(id),
            value: id.to_string(),
            label: format!(
                "{name}（{}，在办{load}单）",
                app.regions.full_name_of(&region)
            ),
        })
        .collect();
    let t = TicketDetail::load(app, ticket)
        .await
        .map_err(|e| page_error(e.into()))?;
    let (current_step_id, current_step_name) = t
        .steps
        .iter()
        .find(|s| s.done_at.is_none())
        .map_or((0, String::new()), |s| (s.id, s.name.clone()));
    Ok(DetailPage {
        notice: None,
        current_step_id,
        current_step_name,
        me: Some(actor),
        t,
        channels: Channel::ALL,
        matches,
        related,
        candidates,
        draft,
        errors,
        error,
        today: crate::platform::clock::shanghai_date(app.clock.now()).to_string(),
    })
}

/// What the matching engine recommends for the ticket's subject: for a need, its best
/// capabilities and achievements; for a 科创会 project, the matches of its listing; for a
/// scientist, the needs that fit their latest listing.
async fn attachable_matches(app: &App, ticket: &store::TicketRow) -> Vec<Attachable> {
    let listing_id: Option<i64> = if ticket.kind == "need" {
        Some(ticket.subject_id)
    } else if ticket.kind == "fair" {
        on_db!(&app.db, pool => {
            sqlx::query_scalar("SELECT listing_id FROM fair_projects WHERE id = $1")
                .bind(ticket.subject_id)
                .fetch_optional(pool)
                .await
        })
        .ok()
        .flatten()
    } else {
        on_db!(&app.db, pool => {
            sqlx::query_scalar("SELECT id FROM listings WHERE owner_id = $1 AND status = 'published' AND kind <> 'need' ORDER BY id DESC LIMIT 1")
                .bind(ticket.served_id)
                .fetch_optional(pool)
                .await
        })
        .ok()
        .flatten()
    };
    let Some(listing) = listing_id else {
        return Vec::new();
    };
    let Ok(Some(row)) = crate::market::store::find(&app.db, listing).await else {
        return Vec::new();
    };
    crate::matching::for_listing(app, &row, 5)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|m| Attachable {
            value: format!("listing:{}", m.id),
            label: format!(
                "{}（{}）",
                m.title,
                m.reasons.first().cloned().unwrap_or_default()
            ),
        })
        .collect()
}

/// The served person's latest inquiries and deals, to attach what followed a recommendation.
async fn related_acts(app: &App, served: i64) -> Result<Vec<Attachable>, sqlx::Error> {
    let rows: Vec<(String, i64, String)> = on_db!(&app.db, pool => {
        sqlx::query_as(
            "SELECT * FROM (SELECT 'inquiry' AS kind, i.id, l.title FROM inquiries i JOIN listings l ON l.id = i.listing_id \
               WHERE i.owner_id = $1 OR i.requester_id = $1 ORDER BY i.id DESC LIMIT 10) a \
             UNION ALL SELECT * FROM (SELECT 'deal' AS kind, d.id, l.title FROM deals d \
               JOIN listings l ON l.id = COALESCE(d.need_id, d.offer_id, d.achievement_id) \
               WHERE d.buyer_id = $1 OR d.seller_id = $1 ORDER BY d.id DESC LIMIT 10) b",
        )
        .bind(served)
        .fetch_all(pool)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(kind, id, title)| Attachable {
            label: format!(
                "{} #{id}：{title}",
                if kind == "deal" { "交易" } else { "洽谈" }
            ),
            value: format!("{kind}:{id}"),
        })
        .collect())
}

pub async fn detail(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    Query(done): Query<super::workbench::DoneQuery>,
) -> Result<DetailPage, PageError> {
    let me = actor.id.0;
    let notice = super::workbench::done_message(&app, &actor, &done).await;
    let mut page = detail_page(
        &app,
        actor,
        id,
        ip.as_deref(),
        FollowupDraft::default(),
        FieldErrors::new(),
        None,
    )
    .await?;
    if let Some(row) = store::find(&app.db, id).await? {
        super::desk::mark_seen(&app, &row, me).await?;
    }
    page.notice = notice;
    Ok(page)
}
