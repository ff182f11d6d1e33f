//! The booking job: settles each view written by the recorder once the two minutes after it
//! have passed — a repeat, flagged, or counted and booked in the ledger with what follows from
//! a read (the resource's read count, what the region reads most, the reader's interests, an
//! opened push). Runs on one node at a time (a lease); every change is guarded by the view's
//! state, and every booking has a once-only key, so a pass that is run twice books nothing twice.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use tianfu_domain::RegionCode;

use super::rules::{self, Flag};
use crate::kepu::resources::store::{self as resources, ResourceRow};
use crate::ledger::{Event, EventKind, lease};
use crate::platform::error::AppError;
use crate::platform::tx::{Guarded, Tx};
use crate::{App, on_db, on_tx};

const BATCH: i64 = 1_000;
const LEASE: &str = "kepu.views";

#[derive(Debug, Clone, sqlx::FromRow)]
struct ViewRow {
    id: i64,
    resource_id: i64,
    reader: String,
    user_id: Option<i64>,
    region_code: String,
    ip: Option<String>,
    device: Option<String>,
    at: DateTime<Utc>,
}

/// One pass under the lease, if this node holds it.
pub async fn run_leased(app: &App) -> Result<usize, AppError> {
    if !lease::hold(&app.db, LEASE, &app.node).await? {
        return Ok(0);
    }
    run(app).await
}

/// Settles every view that is old enough; answers how many.
pub async fn run(app: &App) -> Result<usize, AppError> {
    let mut settled = 0;
    loop {
        let done = pass(app, app.clock.now()).await?;
        settled += done;
        if done < BATCH as usize {
            return Ok(settled);
        }
    }
}

async fn pass(app: &App, now: DateTime<Utc>) -> Result<usize, AppError> {
    let cutoff = now - rules::SETTLE_AFTER;
    let views: Vec<ViewRow> = on_db!(&app.db, pool => sqlx::query_as(
        "SELECT id, resource_id, reader, user_id, region_code, ip, device, at FROM kepu_views \
         WHERE state = 'new' AND at <= $1 ORDER BY id LIMIT $2")
        .bind(cutoff).bind(BATCH).fetch_all(pool).await)?;
    if views.is_empty() {
        return Ok(0);
    }
    let mut ids: Vec<i64> = views.iter().map(|v| v.resource_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let resources: HashMap<i64, ResourceRow> = resources::find_any(&app.db, &ids)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let mut ordered = views;
    ordered.sort_by_key(|v| (v.at, v.id));
    let mut tx = app.db.begin().await?;
    for view in &ordered {
        settle(&mut tx, view, resources.get(&view.resource_id)).await?;
    }
    tx.commit().await?;
    Ok(ordered.len())
}

async fn settle(
    tx: &mut Tx,
    view: &ViewRow,
    resource: Option<&ResourceRow>,
) -> Result<(), AppError> {
    let repeats: i64 = on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT COUNT(*) FROM kepu_views WHERE reader = $1 AND resource_id = $2 AND state = 'counted' AND at > $3 AND at <= $4")
        .bind(&view.reader).bind(view.resource_id).bind(view.at - rules::REPEAT_WINDOW).bind(view.at)
        .fetch_one(&mut **conn).await)?;
    if repeats > 0 {
        mark(tx, view.id, "repeat", None).await?;
        opened_pushes(tx, view).await?;
        return Ok(());
    }
    if let Some(flag) = flag_of(tx, view).await? {
        mark(tx, view.id, "flagged", Some(&flag)).await?;
        return Ok(());
    }
    if mark(tx, view.id, "counted", None).await? == Guarded::Lost {
        return Ok(());
    }
    let region = RegionCode::parse(&view.region_code).map_err(|e| {
        AppError::Internal(anyhow::anyhow!("view {} has a bad region: {e}", view.id))
    })?;
    let viewed = Event::new(EventKind::KepuViewed, &region, "resource", view.resource_id)
        .actor(view.user_id)
        .once_as(format!("kepu.viewed:view:{}", view.id));
    tx.record(view.at, &viewed).await?;
    let served = Event::new(EventKind::KepuServed, &region, "resource", view.resource_id)
        .actor(view.user_id)
        .source("view")
        .once_as(format!("kepu.served:view:{}", view.id));
    tx.record(view.at, &served).await?;
    on_tx!(tx, conn => sqlx::query("UPDATE kepu_resources SET reads = reads + 1 WHERE id = $1")
        .bind(view.resource_id).execute(&mut **conn).await.map(|done| done.rows_affected()))?;
    for code in region.ancestors_and_self() {
        on_tx!(tx, conn => sqlx::query(
            "INSERT INTO kepu_region_reads (region_code, resource_id, reads) VALUES ($1, $2, 1) \
             ON CONFLICT (region_code, resource_id) DO UPDATE SET reads = kepu_region_reads.reads + 1")
            .bind(code.as_str()).bind(view.resource_id).execute(&mut **conn).await.map(|done| done.rows_affected()))?;
    }
    if let Some(user) = view.user_id {
        on_tx!(tx, conn => sqlx::query(
            "INSERT INTO kepu_reads (user_id, resource_id, first_at, last_at) VALUES ($1, $2, $3, $3) \
             ON CONFLICT (user_id, resource_id) DO UPDATE SET last_at = excluded.last_at")
            .bind(user).bind(view.resource_id).bind(view.at).execute(&mut **conn).await.map(|done| done.rows_affected()))?;
        if let Some(resource) = resource {
            let mut interests = resource.tag_list();
            interests.push(resource.channel.clone());
            crate::kepu::profile::store::learn(tx, user, &interests, READ_WEIGHT, view.at).await?;
        }
        opened_pushes(tx, view).await?;
    }
    Ok(())
}

/// How much one read teaches about a person's interests (a chosen interest weighs 1).
const READ_WEIGHT: f64 = 0.3;

async fn mark(tx: &mut Tx, id: i64, state: &str, flag: Option<&Flag>) -> Result<Guarded, AppError> {
    let changed = on_tx!(tx, conn => sqlx::query(
        "UPDATE kepu_views SET state = $1, flag = $2, evidence = $3 WHERE id = $4 AND state = 'new'")
        .bind(state).bind(flag.map(|f| f.reason)).bind(flag.map(|f| f.evidence.as_str())).bind(id)
        .execute(&mut **conn).await.map(|done| done.rows_affected()))?;
    Ok(Guarded::of(changed))
}

async fn flag_of(tx: &mut Tx, view: &ViewRow) -> Result<Option<Flag>, AppError> {
    let around: i64 = on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT COUNT(DISTINCT resource_id) FROM kepu_views WHERE reader = $1 AND at >= $2 AND at <= $3")
        .bind(&view.reader).bind(view.at - rules::TOO_FAST_WINDOW).bind(view.at + rules::TOO_FAST_WINDOW)
        .fetch_one(&mut **conn).await)?;
    if let Some(flag) = rules::too_fast(around as usize) {
        return Ok(Some(flag));
    }
    if view.user_id.is_none() {
        return Ok(None);
    }
    let since = view.at - rules::SHARED_WINDOW;
    let on_device: i64 = match &view.device {
        Some(device) => on_tx!(tx, conn => sqlx::query_scalar(
            "SELECT COUNT(DISTINCT user_id) FROM kepu_views WHERE device = $1 AND at > $2 AND at <= $3")
            .bind(device).bind(since).bind(view.at).fetch_one(&mut **conn).await)?,
        None => 0,
    };
    let on_address: i64 = match &view.ip {
        Some(ip) => on_tx!(tx, conn => sqlx::query_scalar(
            "SELECT COUNT(DISTINCT user_id) FROM kepu_views WHERE ip = $1 AND at > $2 AND at <= $3")
            .bind(ip).bind(since).bind(view.at).fetch_one(&mut **conn).await)?,
        None => 0,
    };
    Ok(rules::shared_device(
        on_device as usize,
        on_address as usize,
    ))
}

/// A signed-in reader opening a resource that was pushed to them: the delivery is opened, and
/// the opening is a service (服务量) booked once per push and person.
async fn opened_pushes(tx: &mut Tx, view: &ViewRow) -> Result<(), AppError> {
    let Some(user) = view.user_id else {
        return Ok(());
    };
    let pushes: Vec<(i64, String)> = on_tx!(tx, conn => sqlx::query_as(
        "UPDATE kepu_push_deliveries SET status = 'opened', opened_at = $1 \
         WHERE user_id = $2 AND status = 'delivered' AND push_id IN (SELECT id FROM kepu_pushes WHERE resource_id = $3) \
         RETURNING push_id, region_code")
        .bind(view.at).bind(user).bind(view.resource_id).fetch_all(&mut **conn).await)?;
    for (push, region) in pushes {
        let Ok(region) = RegionCode::parse(&region) else {
            continue;
        };
        let served = Event::new(EventKind::KepuServed, &region, "push", push)
            .actor(user)
            .source("push")
            .once_as(format!("kepu.served:push:{push}:{user}"));
        tx.record(view.at, &served).await?;
    }
    Ok(())
}
