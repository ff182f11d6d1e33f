//! The booking job: settles each view written by the recorder once the two minutes after it
//! have passed — a repeat, flagged, or counted and booked in the ledger with what follows from
//! a read (the resource's read count, what the region reads most, the reader's interests, an
//! opened push). Runs on one node at a time (a lease).
//!
//! A batch of a thousand views is decided in memory from three reads (the readers' views around
//! the batch, the accounts seen on its browsers and addresses, the deliveries waiting for its
//! readers) and written back with a few set-wise statements, so booking keeps well ahead of
//! reading. The views' state change is guarded (`state = 'new'`, every row or the batch rolls
//! back), and every booking has a once-only key, so a batch run twice books nothing twice.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use tianfu_domain::RegionCode;

use super::rules::{self, Flag};
use crate::kepu::profile::store::score;
use crate::kepu::resources::store::{self as resources, ResourceRow};
use crate::ledger::{Event, EventKind, lease};
use crate::platform::db::placeholders as marks;
use crate::platform::error::AppError;
use crate::platform::tx::Tx;
use crate::{App, on_db, on_tx};

const BATCH: i64 = 1_000;
const LEASE: &str = "kepu.views";
/// How much one read teaches about a person's interests (a chosen interest weighs 1).
const READ_WEIGHT: f64 = 0.3;

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
    let _turn = app.kepu_views.booking.lock().await;
    let mut settled = 0;
    loop {
        let done = pass(app, app.clock.now()).await?;
        settled += done;
        if done < BATCH as usize {
            return Ok(settled);
        }
    }
}

/// What the batch decided for each view.
#[derive(Debug, Default)]
struct Decisions {
    counted: Vec<i64>,
    repeats: Vec<i64>,
    flagged: Vec<(i64, Flag)>,
}

async fn pass(app: &App, now: DateTime<Utc>) -> Result<usize, AppError> {
    let cutoff = now - rules::SETTLE_AFTER;
    let mut views: Vec<ViewRow> = on_db!(&app.db, pool => sqlx::query_as(
        "SELECT id, resource_id, reader, user_id, region_code, ip, device, at FROM kepu_views \
         WHERE state = 'new' AND at <= $1 ORDER BY id LIMIT $2")
        .bind(cutoff).bind(BATCH).fetch_all(pool).await)?;
    if views.is_empty() {
        return Ok(0);
    }
    views.sort_by_key(|v| (v.at, v.id));
    let first = views.first().map(|v| v.at).unwrap_or(now);
    let last = views.last().map(|v| v.at).unwrap_or(now);
    let around = neighbours(
        app,
        &views,
        first - rules::REPEAT_WINDOW,
        last + rules::TOO_FAST_WINDOW,
    )
    .await?;
    let shared = accounts_seen(app, &views, first - rules::SHARED_WINDOW, last).await?;
    let decisions = decide(&views, &around, &shared);

    let mut ids: Vec<i64> = views.iter().map(|v| v.resource_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let resources: HashMap<i64, ResourceRow> = resources::find_any(&app.db, &ids)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let by_id: HashMap<i64, &ViewRow> = views.iter().map(|v| (v.id, v)).collect();
    let counted: Vec<&ViewRow> = decisions.counted.iter().map(|id| by_id[id]).collect();
    let opened: Vec<&ViewRow> = decisions
        .counted
        .iter()
        .chain(&decisions.repeats)
        .map(|id| by_id[id])
        .filter(|v| v.user_id.is_some())
        .collect();

    let mut tx = app.db.begin().await?;
    set_state(&mut tx, &decisions.repeats, "repeat").await?;
    set_state(&mut tx, &decisions.counted, "counted").await?;
    for (id, flag) in &decisions.flagged {
        let changed = on_tx!(&mut tx, conn => sqlx::query(
            "UPDATE kepu_views SET state = 'flagged', flag = $1, evidence = $2 WHERE id = $3 AND state = 'new'")
            .bind(flag.reason).bind(&flag.evidence).bind(*id)
            .execute(&mut **conn).await.map(|done| done.rows_affected()))?;
        if changed != 1 {
            return Err(lost());
        }
    }
    book(&mut tx, &counted).await?;
    count_reads(&mut tx, &counted).await?;
    learn(&mut tx, &counted, &resources).await?;
    open_pushes(&mut tx, &opened).await?;
    tx.commit().await?;
    Ok(views.len())
}

fn lost() -> AppError {
    AppError::Conflict {
        message: "another node settled these views".into(),
        fields: Default::default(),
    }
}

/// A reader's views around the batch: (reader, resource, at, counted).
type Around = HashMap<String, Vec<(i64, DateTime<Utc>, bool, i64)>>;

async fn neighbours(
    app: &App,
    views: &[ViewRow],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Around, AppError> {
    let mut readers: Vec<&str> = views.iter().map(|v| v.reader.as_str()).collect();
    readers.sort_unstable();
    readers.dedup();
    let mut around: Around = HashMap::new();
    for chunk in readers.chunks(500) {
        let sql = format!(
            "SELECT reader, resource_id, at, state, id FROM kepu_views WHERE at >= $1 AND at <= $2 AND reader IN ({})",
            marks(2, chunk.len())
        );
        let rows: Vec<(String, i64, DateTime<Utc>, String, i64)> = on_db!(&app.db, pool => {
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(from).bind(to);
            for reader in chunk {
                query = query.bind(*reader);
            }
            query.fetch_all(pool).await
        })?;
        for (reader, resource, at, state, id) in rows {
            around
                .entry(reader)
                .or_default()
                .push((resource, at, state == "counted", id));
        }
    }
    Ok(around)
}

/// Signed-in accounts seen on each browser (`d:`) and address (`a:`): (key → [(at, user)]).
type Seen = HashMap<String, Vec<(DateTime<Utc>, i64)>>;

async fn accounts_seen(
    app: &App,
    views: &[ViewRow],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Seen, AppError> {
    let mut seen: Seen = HashMap::new();
    for (column, prefix, keys) in [
        (
            "device",
            "d:",
            views
                .iter()
                .filter(|v| v.user_id.is_some())
                .filter_map(|v| v.device.as_deref())
                .collect::<Vec<_>>(),
        ),
        (
            "ip",
            "a:",
            views
                .iter()
                .filter(|v| v.user_id.is_some())
                .filter_map(|v| v.ip.as_deref())
                .collect::<Vec<_>>(),
        ),
    ] {
        let mut keys = keys;
        keys.sort_unstable();
        keys.dedup();
        for chunk in keys.chunks(500) {
            let sql = format!(
                "SELECT {column}, at, user_id FROM kepu_views WHERE at > $1 AND at <= $2 AND user_id IS NOT NULL AND {column} IN ({})",
                marks(2, chunk.len())
            );
            let rows: Vec<(String, DateTime<Utc>, i64)> = on_db!(&app.db, pool => {
                let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(from).bind(to);
                for key in chunk {
                    query = query.bind(*key);
                }
                query.fetch_all(pool).await
            })?;
            for (key, at, user) in rows {
                seen.entry(format!("{prefix}{key}"))
                    .or_default()
                    .push((at, user));
            }
        }
    }
    Ok(seen)
}

fn distinct_users(seen: &Seen, key: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> usize {
    seen.get(key).map_or(0, |rows| {
        rows.iter()
            .filter(|(at, _)| *at > from && *at <= to)
            .map(|(_, user)| *user)
            .collect::<HashSet<_>>()
            .len()
    })
}

/// Decides every view of the batch, oldest first, from what was read around it.
fn decide(views: &[ViewRow], around: &Around, seen: &Seen) -> Decisions {
    let mut decisions = Decisions::default();
    // Counted reads per (reader, resource): those counted before, and this batch's as decided.
    let mut counted: HashMap<(&str, i64), Vec<DateTime<Utc>>> = HashMap::new();
    for (reader, rows) in around {
        for (resource, at, was_counted, _) in rows {
            if *was_counted {
                counted
                    .entry((reader.as_str(), *resource))
                    .or_default()
                    .push(*at);
            }
        }
    }
    for view in views {
        let key = (view.reader.as_str(), view.resource_id);
        let repeat = counted.get(&key).is_some_and(|times| {
            times
                .iter()
                .any(|t| *t > view.at - rules::REPEAT_WINDOW && *t <= view.at)
        });
        if repeat {
            decisions.repeats.push(view.id);
            continue;
        }
        let reads_around = around.get(&view.reader).map_or(1, |rows| {
            rows.iter()
                .filter(|(_, at, _, _)| {
                    *at >= view.at - rules::TOO_FAST_WINDOW
                        && *at <= view.at + rules::TOO_FAST_WINDOW
                })
                .map(|(resource, ..)| *resource)
                .collect::<HashSet<_>>()
                .len()
        });
        let mut flag = rules::too_fast(reads_around);
        if flag.is_none() && view.user_id.is_some() {
            let since = view.at - rules::SHARED_WINDOW;
            let on_device = view.device.as_ref().map_or(0, |d| {
                distinct_users(seen, &format!("d:{d}"), since, view.at)
            });
            let on_address = view.ip.as_ref().map_or(0, |a| {
                distinct_users(seen, &format!("a:{a}"), since, view.at)
            });
            flag = rules::shared_device(on_device, on_address);
        }
        match flag {
            Some(flag) => decisions.flagged.push((view.id, flag)),
            None => {
                counted.entry(key).or_default().push(view.at);
                decisions.counted.push(view.id);
            }
        }
    }
    decisions
}

/// Moves `ids` from new to `state`, all of them or none (another node got there first).
async fn set_state(tx: &mut Tx, ids: &[i64], state: &str) -> Result<(), AppError> {
    for chunk in ids.chunks(500) {
        let sql = format!(
            "UPDATE kepu_views SET state = $1 WHERE state = 'new' AND id IN ({})",
            marks(1, chunk.len())
        );
        let changed = on_tx!(tx, conn => {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(state);
            for id in chunk {
                query = query.bind(*id);
            }
            query.execute(&mut **conn).await.map(|done| done.rows_affected())
        })?;
        if changed != chunk.len() as u64 {
            return Err(lost());
        }
    }
    Ok(())
}

/// `kepu.viewed` and `kepu.served` (source `view`) for each counted view, keyed by the view.
async fn book(tx: &mut Tx, counted: &[&ViewRow]) -> Result<(), AppError> {
    let mut events = Vec::with_capacity(counted.len() * 2);
    for view in counted {
        let region = RegionCode::parse(&view.region_code).map_err(|e| {
            AppError::Internal(anyhow::anyhow!("view {} has a bad region: {e}", view.id))
        })?;
        events.push((
            view.at,
            Event::new(EventKind::KepuViewed, &region, "resource", view.resource_id)
                .actor(view.user_id)
                .once_as(format!("kepu.viewed:view:{}", view.id)),
        ));
        events.push((
            view.at,
            Event::new(EventKind::KepuServed, &region, "resource", view.resource_id)
                .actor(view.user_id)
                .source("view")
                .once_as(format!("kepu.served:view:{}", view.id)),
        ));
    }
    tx.record_many(&events).await?;
    Ok(())
}

/// A reader's first and last read of a resource in a batch.
type Span = (DateTime<Utc>, DateTime<Utc>);

/// The resources' read counts, what each region reads most, and the readers' reads.
async fn count_reads(tx: &mut Tx, counted: &[&ViewRow]) -> Result<(), AppError> {
    let mut per_resource: BTreeMap<i64, i64> = BTreeMap::new();
    let mut per_region: BTreeMap<(String, i64), i64> = BTreeMap::new();
    let mut per_reader: BTreeMap<(i64, i64), Span> = BTreeMap::new();
    for view in counted {
        *per_resource.entry(view.resource_id).or_default() += 1;
        // What a region reads is kept down to the county: a township's handful of reads would
        // rank nothing, and the feed looks no lower (`feed/mod.rs`).
        if let Ok(region) = RegionCode::parse(&view.region_code) {
            for code in region.up_to_county().ancestors_and_self() {
                *per_region
                    .entry((code.as_str().to_owned(), view.resource_id))
                    .or_default() += 1;
            }
        }
        if let Some(user) = view.user_id {
            let span = per_reader
                .entry((user, view.resource_id))
                .or_insert((view.at, view.at));
            span.0 = span.0.min(view.at);
            span.1 = span.1.max(view.at);
        }
    }
    let per_resource: Vec<(i64, i64)> = per_resource.into_iter().collect();
    for chunk in per_resource.chunks(400) {
        let values = (0..chunk.len())
            .map(|i| {
                format!(
                    "SELECT CAST(${} AS BIGINT) AS id, CAST(${} AS BIGINT) AS n",
                    2 * i + 1,
                    2 * i + 2
                )
            })
            .collect::<Vec<_>>()
            .join(" UNION ALL ");
        let sql = format!(
            "UPDATE kepu_resources SET reads = kepu_resources.reads + v.n FROM ({values}) AS v WHERE kepu_resources.id = v.id"
        );
        on_tx!(tx, conn => {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (id, n) in chunk {
                query = query.bind(*id).bind(*n);
            }
            query.execute(&mut **conn).await.map(|done| done.rows_affected())
        })?;
    }
    let per_region: Vec<((String, i64), i64)> = per_region.into_iter().collect();
    for chunk in per_region.chunks(500) {
        on_tx!(tx, conn => {
            let mut query = sqlx::QueryBuilder::new("INSERT INTO kepu_region_reads (region_code, resource_id, reads) ");
            query.push_values(chunk, |mut b, ((region, resource), n)| {
                b.push_bind(region.clone()).push_bind(*resource).push_bind(*n);
            });
            query.push(" ON CONFLICT (region_code, resource_id) DO UPDATE SET reads = kepu_region_reads.reads + excluded.reads");
            query.build().execute(&mut **conn).await.map(|done| done.rows_affected())
        })?;
    }
    let per_reader: Vec<((i64, i64), Span)> = per_reader.into_iter().collect();
    for chunk in per_reader.chunks(500) {
        on_tx!(tx, conn => {
            let mut query = sqlx::QueryBuilder::new("INSERT INTO kepu_reads (user_id, resource_id, first_at, last_at) ");
            query.push_values(chunk, |mut b, ((user, resource), (first, last))| {
                b.push_bind(*user).push_bind(*resource).push_bind(*first).push_bind(*last);
            });
            query.push(" ON CONFLICT (user_id, resource_id) DO UPDATE SET last_at = excluded.last_at");
            query.build().execute(&mut **conn).await.map(|done| done.rows_affected())
        })?;
    }
    Ok(())
}

/// What the readers read teaches their interests: each counted read adds [`READ_WEIGHT`] to the
/// resource's tags and channel, as stored scores that simply add up (see `profile::store`).
async fn learn(
    tx: &mut Tx,
    counted: &[&ViewRow],
    resources: &HashMap<i64, ResourceRow>,
) -> Result<(), AppError> {
    // (user, interest) → (score gained, latest read)
    let mut gained: BTreeMap<(i64, String), (f64, DateTime<Utc>)> = BTreeMap::new();
    for view in counted {
        let (Some(user), Some(resource)) = (view.user_id, resources.get(&view.resource_id)) else {
            continue;
        };
        for interest in resource
            .tag_list()
            .into_iter()
            .chain([resource.channel.clone()])
        {
            let entry = gained.entry((user, interest)).or_insert((0.0, view.at));
            entry.0 += score(READ_WEIGHT, view.at);
            entry.1 = entry.1.max(view.at);
        }
    }
    let rows: Vec<_> = gained.into_iter().collect();
    for chunk in rows.chunks(500) {
        on_tx!(tx, conn => {
            let mut query = sqlx::QueryBuilder::new("INSERT INTO kepu_interests (user_id, interest, chosen, weight, updated_at) ");
            query.push_values(chunk, |mut b, ((user, interest), (gain, at))| {
                b.push_bind(*user).push_bind(interest.clone()).push_bind(false).push_bind(*gain).push_bind(*at);
            });
            query.push(" ON CONFLICT (user_id, interest) DO UPDATE SET weight = kepu_interests.weight + excluded.weight, updated_at = excluded.updated_at");
            query.build().execute(&mut **conn).await.map(|done| done.rows_affected())
        })?;
    }
    Ok(())
}

/// Signed-in readers opening a resource that was pushed to them: the delivery is opened, and
/// the opening is a service (服务量) booked once per push and person.
async fn open_pushes(tx: &mut Tx, views: &[&ViewRow]) -> Result<(), AppError> {
    let mut users: Vec<i64> = views.iter().filter_map(|v| v.user_id).collect();
    users.sort_unstable();
    users.dedup();
    let read: HashMap<(i64, i64), DateTime<Utc>> = views
        .iter()
        .filter_map(|v| v.user_id.map(|u| ((u, v.resource_id), v.at)))
        .collect();
    let mut events = Vec::new();
    for chunk in users.chunks(500) {
        let sql = format!(
            "SELECT d.push_id, d.user_id, p.resource_id, d.region_code FROM kepu_push_deliveries d \
             JOIN kepu_pushes p ON p.id = d.push_id WHERE d.status = 'delivered' AND d.user_id IN ({})",
            marks(0, chunk.len())
        );
        let waiting: Vec<(i64, i64, i64, String)> = on_tx!(tx, conn => {
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
            for user in chunk {
                query = query.bind(*user);
            }
            query.fetch_all(&mut **conn).await
        })?;
        for (push, user, resource, region) in waiting {
            let Some(at) = read.get(&(user, resource)) else {
                continue;
            };
            let changed = on_tx!(tx, conn => sqlx::query(
                "UPDATE kepu_push_deliveries SET status = 'opened', opened_at = $1 WHERE push_id = $2 AND user_id = $3 AND status = 'delivered'")
                .bind(*at).bind(push).bind(user).execute(&mut **conn).await.map(|done| done.rows_affected()))?;
            if changed == 1
                && let Ok(region) = RegionCode::parse(&region)
            {
                events.push((
                    *at,
                    Event::new(EventKind::KepuServed, &region, "push", push)
                        .actor(user)
                        .source("push")
                        .once_as(format!("kepu.served:push:{push}:{user}")),
                ));
            }
        }
    }
    tx.record_many(&events).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn view(id: i64, reader: &str, resource: i64, at: DateTime<Utc>) -> ViewRow {
        ViewRow {
            id,
            resource_id: resource,
            reader: reader.into(),
            user_id: Some(1),
            region_code: "511623".into(),
            ip: None,
            device: None,
            at,
        }
    }

    fn around_of(views: &[ViewRow]) -> Around {
        let mut around: Around = HashMap::new();
        for v in views {
            around
                .entry(v.reader.clone())
                .or_default()
                .push((v.resource_id, v.at, false, v.id));
        }
        around
    }

    #[test]
    fn a_reread_within_half_an_hour_is_a_repeat_and_later_counts_again() {
        let t = Utc::now();
        let views = vec![
            view(1, "u:1", 7, t),
            view(2, "u:1", 7, t + Duration::minutes(10)),
            view(3, "u:1", 7, t + Duration::minutes(45)),
        ];
        let d = decide(&views, &around_of(&views), &HashMap::new());
        assert_eq!(d.counted, vec![1, 3]);
        assert_eq!(d.repeats, vec![2]);
    }

    #[test]
    fn a_burst_of_reads_is_flagged_whole() {
        let t = Utc::now();
        let views: Vec<ViewRow> = (0..10)
            .map(|i| view(i, "u:9", i, t + Duration::seconds(i * 5)))
            .collect();
        let d = decide(&views, &around_of(&views), &HashMap::new());
        assert!(d.counted.is_empty());
        assert_eq!(d.flagged.len(), 10);
    }
}
