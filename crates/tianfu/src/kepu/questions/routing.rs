//! Who a question goes to: the three scientists whose studio and expertise fit it best (the
//! matching engine, as for a need's experts), the members of the 志愿服务队 near the asker whose
//! fields fit it, the volunteers and scientists who opted in to answer its channel, and the
//! 全民科普服务部 staff of the asker's county (climbing to the city and the province when the
//! county has none). The asker is never among them.
//!
//! Routing runs in the asking request, before its transaction, and the routes commit with the
//! question: the slice routes its own questions, so no other slice needs to follow the ledger
//! for it, and a question is never visible without the people it was routed to.

use tianfu_domain::RegionCode;
use tianfu_search::ListingKind as IndexKind;
use tianfu_search::matching::{Engine, MatchQuery};

use super::rules::{SCIENTISTS, VOLUNTEERS};
use super::store::{self, Route};
use crate::App;
use crate::kepu::volunteers::answerers;
use crate::matching::track;
use crate::platform::error::AppError;

/// The routes for a question of `asker` in `region` with these words.
pub async fn routes_for(
    app: &App,
    asker: i64,
    region: &RegionCode,
    text: &str,
    channel: Option<&str>,
) -> Result<Vec<Route>, AppError> {
    let mut routes: Vec<Route> = Vec::new();
    let add = |routes: &mut Vec<Route>, user_id: i64, reason: String| {
        if user_id != asker && !routes.iter().any(|r| r.user_id == user_id) {
            routes.push(Route { user_id, reason });
        }
    };
    for owner in scientists_for(app, asker, region, text).await? {
        add(&mut routes, owner, "studio".into());
    }
    // 志愿服务队 whose fields fit the question (`kepu::volunteers::answerers`).
    for (user, reason) in answerers::routes_for(app, region, text, channel).await? {
        add(&mut routes, user, reason);
    }
    if let Some(channel) = channel {
        for user in store::answerers_for(&app.db, channel, region, VOLUNTEERS).await? {
            add(&mut routes, user, "field".into());
        }
    }
    // Staff work at the county and above, so a township's asker goes to the county's.
    for level in region.up_to_county().ancestors_and_self().iter().rev() {
        let staff = store::kepu_staff_at(&app.db, level.as_str()).await?;
        if !staff.is_empty() {
            for user in staff {
                add(&mut routes, user, "county".into());
            }
            break;
        }
    }
    Ok(routes)
}

/// The owners of the studios that answer `text` best, the track record reordering near
/// neighbours as it does for a need's experts.
async fn scientists_for(
    app: &App,
    asker: i64,
    region: &RegionCode,
    text: &str,
) -> Result<Vec<i64>, AppError> {
    let query = MatchQuery {
        text: text.to_owned(),
        kinds: vec![IndexKind::Studio],
        industry: String::new(),
        region_code: region.as_str().to_owned(),
        service_type: None,
        price_fen: None,
        now: app.clock.now().timestamp(),
        own: None,
        exclude: Vec::new(),
        limit: SCIENTISTS * 2,
    };
    let search = app.search.clone();
    let hits = tokio::task::spawn_blocking(move || search.matches(&query, Engine::Full))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(|e| AppError::Internal(anyhow::anyhow!("matching a question: {e}")))?;
    let studio_ids: Vec<i64> = hits
        .iter()
        .filter(|h| h.kind == IndexKind::Studio)
        .map(|h| h.id)
        .collect();
    let owner_of = track::by_id(
        &app.db,
        "SELECT id, owner_id FROM studios WHERE id IN ({ids})",
        &studio_ids,
    )
    .await?;
    let owners: Vec<i64> = studio_ids
        .iter()
        .filter_map(|id| owner_of.get(id).copied())
        .collect();
    let records = track::of_many(&app.db, &owners).await?;
    let mut ranked: Vec<(i64, f32)> = Vec::new();
    for hit in hits.iter().filter(|h| h.kind == IndexKind::Studio) {
        let Some(owner) = owner_of.get(&hit.id).copied().filter(|o| *o != asker) else {
            continue;
        };
        if ranked.iter().any(|(o, _)| *o == owner) {
            continue;
        }
        let (factor, _) = records.get(&owner).copied().unwrap_or_default().factor();
        ranked.push((owner, hit.score * factor));
    }
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    Ok(ranked
        .into_iter()
        .take(SCIENTISTS)
        .map(|(o, _)| o)
        .collect())
}
