//! The fan-out job: turns a queued campaign into one delivery row per recipient and one in-app
//! notification per delivery, set-wise, a range of user ids per transaction, and later delivers
//! what the weekly limit held back.
//!
//! - A campaign goes `queued` → `sending` → `done`, each step one guarded UPDATE.
//! - Each chunk (a range of user ids) is one transaction: `INSERT … SELECT` of the audience's
//!   deliveries (`ON CONFLICT DO NOTHING`: a replayed chunk writes nothing twice), the
//!   notifications of the rows it just delivered (found by their `delivered_at`, which is the
//!   chunk's own timestamp), and the campaign's `delivered` count. Where a crashed run stopped
//!   is the campaign's largest delivered user id, so a restart resumes there.
//! - The weekly limit: a resident with `pushes_per_week` deliveries in the last seven days, or
//!   with a campaign already waiting, gets the delivery as `waiting` and no notification. The
//!   promotion pass delivers waiting rows oldest campaign first once their window frees up.
//! - In a server the job polls every second under a lease, so one node fans out; the promotion
//!   pass runs every five minutes (and in every [`settle`](super::settle)).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, DurationRound, Utc};
use tianfu_domain::RegionCode;

use super::store::{self, PushRow};
use super::target::Target;
use crate::kepu::audience::Audience;
use crate::ledger::lease;
use crate::platform::db::Db;
use crate::platform::error::AppError;
use crate::platform::tx::Guarded;
use crate::{App, AppState, on_db};

const LEASE: &str = "kepu.pushes";
const POLL: StdDuration = StdDuration::from_secs(1);
const PROMOTE_EVERY: StdDuration = StdDuration::from_secs(300);

/// User ids per transaction: SQLite holds its one writer for the chunk, so its chunks are
/// smaller; PostgreSQL writers do not block readers.
fn chunk(db: &Db) -> i64 {
    match db {
        Db::Sqlite(_) => 20_000,
        Db::Postgres(_) => 50_000,
    }
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PassReport {
    pub finished: usize,
    pub delivered: u64,
    pub promoted: u64,
}

/// One runner per node at a time (the server's job and a test's `settle` share a node name);
/// the lease keeps other nodes out.
fn runner(app: &App) -> Arc<tokio::sync::Mutex<()>> {
    static RUNNERS: Mutex<Option<HashMap<String, Arc<tokio::sync::Mutex<()>>>>> = Mutex::new(None);
    let mut runners = RUNNERS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    runners
        .get_or_insert_with(HashMap::new)
        .entry(app.node.clone())
        .or_default()
        .clone()
}

/// Now, to the microsecond, so a timestamp written and compared again matches on both engines.
fn now(app: &App) -> DateTime<Utc> {
    app.clock
        .now()
        .duration_trunc(Duration::microseconds(1))
        .expect("truncating to a microsecond fits")
}

/// Fans out every queued or unfinished campaign, then (if `promote`) delivers what waited.
pub async fn pass(app: &App, promote: bool) -> Result<PassReport, AppError> {
    let runner = runner(app);
    let _turn = runner.lock().await;
    let mut report = PassReport::default();
    let pending: Vec<i64> = on_db!(&app.db, pool => {
        sqlx::query_scalar("SELECT id FROM kepu_pushes WHERE status IN ('queued', 'sending') ORDER BY id")
            .fetch_all(pool).await
    })?;
    for id in pending {
        let Some(push) = store::find(&app.db, id).await? else {
            continue;
        };
        match fan_out(app, push).await? {
            Some(delivered) => {
                report.finished += 1;
                report.delivered += delivered;
            }
            None => return Ok(report),
        }
    }
    if promote {
        report.promoted = promote_waiting(app).await?;
    }
    Ok(report)
}

/// The campaign's audience as it was sent.
fn target_of(push: &PushRow) -> Result<Target, AppError> {
    let region = RegionCode::parse(&push.region_code)
        .map_err(|e| anyhow::anyhow!("push {} has region {:?}: {e}", push.id, push.region_code))?;
    let audiences = push
        .audience_list()
        .iter()
        .map(|a| {
            Audience::parse(a).ok_or_else(|| anyhow::anyhow!("push {} has audience {a:?}", push.id))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Target {
        region,
        audiences,
        interests: push.interest_list(),
    })
}

fn notice(push: &PushRow) -> (String, String) {
    (
        format!("科普推送：{}", push.resource_title),
        format!("/kepu/resources/{}?push={}", push.resource_id, push.id),
    )
}

/// Runs one campaign to the end: `Some(delivered)` when done, `None` when this node lost the
/// lease on the way (another node carries on from where it stopped).
async fn fan_out(app: &App, push: PushRow) -> Result<Option<u64>, AppError> {
    if push.status == "queued" {
        let started = on_db!(&app.db, pool => {
            sqlx::query("UPDATE kepu_pushes SET status = 'sending' WHERE id = $1 AND status = 'queued'")
                .bind(push.id).execute(pool).await.map(|done| done.rows_affected())
        })?;
        if Guarded::of(started) == Guarded::Lost {
            return Ok(Some(0));
        }
    }
    let target = target_of(&push)?;
    let mut after: i64 = on_db!(&app.db, pool => {
        sqlx::query_scalar("SELECT COALESCE(MAX(user_id), 0) FROM kepu_push_deliveries WHERE push_id = $1")
            .bind(push.id).fetch_one(pool).await
    })?;
    let last: i64 = on_db!(&app.db, pool => {
        sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM users").fetch_one(pool).await
    })?;
    let step = chunk(&app.db);
    let mut delivered = 0;
    while after < last {
        if !lease::hold(&app.db, LEASE, &app.node).await? {
            return Ok(None);
        }
        // A resource withdrawn while its campaign is going out is told to nobody more.
        let still_published: bool = on_db!(&app.db, pool => {
            sqlx::query_scalar("SELECT COUNT(*) > 0 FROM kepu_resources WHERE id = $1 AND status = 'published'")
                .bind(push.resource_id).fetch_one(pool).await
        })?;
        if !still_published {
            break;
        }
        let upto = (after + step).min(last);
        delivered += deliver_chunk(app, &push, &target, after, upto).await?;
        after = upto;
        tokio::task::yield_now().await;
    }
    let at = now(app);
    on_db!(&app.db, pool => {
        sqlx::query("UPDATE kepu_pushes SET status = 'done', finished_at = $2 WHERE id = $1 AND status = 'sending'")
            .bind(push.id).bind(at).execute(pool).await.map(|done| done.rows_affected())
    })?;
    Ok(Some(delivered))
}

/// Whether resident `u` must wait, as one correlated probe of their own deliveries (index
/// `kepu_push_deliveries_user`): a waiting campaign weighs the whole limit `$4`, a delivery since
/// `$3` weighs one. A probe per resident is planned the same whatever the tables' statistics
/// say; a join against an aggregate is not (without statistics PostgreSQL nested-loops it).
const LOAD: &str = "(SELECT COALESCE(SUM(CASE WHEN d.status = 'waiting' THEN $4 ELSE 1 END), 0) \
     FROM kepu_push_deliveries d WHERE d.user_id = u.id AND (d.status = 'waiting' OR d.delivered_at > $3))";

/// The deliveries of residents with ids in `(after, upto]`, their notifications and the count,
/// in one transaction. Answers how many were told now.
async fn deliver_chunk(
    app: &App,
    push: &PushRow,
    target: &Target,
    after: i64,
    upto: i64,
) -> Result<u64, AppError> {
    let at = now(app);
    let week_ago = at - Duration::days(7);
    let cap = i64::from(app.config.kepu.pushes_per_week);
    let (filter, binds) = target.filter(8);
    // Every row gets the chunk's timestamp; the held ones lose it again in the next statement
    // (so the probe is evaluated once per resident, not once per column).
    let insert = format!(
        "INSERT INTO kepu_push_deliveries (push_id, user_id, region_code, status, delivered_at) \
         SELECT $1, u.id, u.region_code, CASE WHEN {LOAD} >= $4 THEN 'waiting' ELSE 'delivered' END, $2 \
         FROM users u WHERE u.id > $5 AND u.id <= $6 AND u.created_at <= $7 AND {filter} \
         ON CONFLICT (push_id, user_id) DO NOTHING"
    );
    let (text, link) = notice(push);
    let told = on_db!(&app.db, pool => async {
        let mut tx = pool.begin().await?;
        let mut query = sqlx::query(sqlx::AssertSqlSafe(insert))
            .bind(push.id).bind(at).bind(week_ago).bind(cap).bind(after).bind(upto).bind(push.created_at);
        for value in &binds {
            query = query.bind(value.as_str());
        }
        query.execute(&mut *tx).await?;
        sqlx::query(
            "UPDATE kepu_push_deliveries SET delivered_at = NULL \
             WHERE push_id = $1 AND user_id > $2 AND user_id <= $3 AND status = 'waiting' AND delivered_at = $4",
        )
        .bind(push.id).bind(after).bind(upto).bind(at)
        .execute(&mut *tx).await?;
        let told = sqlx::query(
            "INSERT INTO notifications (user_id, text, link, created_at) \
             SELECT user_id, $1, $2, $3 FROM kepu_push_deliveries \
             WHERE push_id = $4 AND user_id > $5 AND user_id <= $6 AND delivered_at = $3",
        )
        .bind(&text).bind(&link).bind(at).bind(push.id).bind(after).bind(upto)
        .execute(&mut *tx).await?.rows_affected();
        if told > 0 {
            sqlx::query("UPDATE kepu_pushes SET delivered = delivered + $2 WHERE id = $1")
                .bind(push.id).bind(told as i64).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok::<u64, sqlx::Error>(told)
    }.await)?;
    Ok(told)
}

/// Delivers waiting rows whose resident has room again in their seven-day window, oldest
/// campaign first (a resident's later campaign never overtakes an earlier one still waiting).
pub async fn promote_waiting(app: &App) -> Result<u64, AppError> {
    let pushes: Vec<i64> = on_db!(&app.db, pool => {
        sqlx::query_scalar("SELECT DISTINCT push_id FROM kepu_push_deliveries WHERE status = 'waiting' ORDER BY push_id")
            .fetch_all(pool).await
    })?;
    let step = chunk(&app.db);
    let mut promoted = 0;
    for id in pushes {
        let Some(push) = store::find(&app.db, id).await? else {
            continue;
        };
        let (first, last): (Option<i64>, Option<i64>) = on_db!(&app.db, pool => {
            sqlx::query_as("SELECT MIN(user_id), MAX(user_id) FROM kepu_push_deliveries WHERE push_id = $1 AND status = 'waiting'")
                .bind(id).fetch_one(pool).await
        })?;
        let (Some(first), Some(last)) = (first, last) else {
            continue;
        };
        let mut after = first - 1;
        while after < last {
            if !lease::hold(&app.db, LEASE, &app.node).await? {
                return Ok(promoted);
            }
            let upto = (after + step).min(last);
            promoted += promote_chunk(app, &push, after, upto).await?;
            after = upto;
            tokio::task::yield_now().await;
        }
    }
    Ok(promoted)
}

async fn promote_chunk(app: &App, push: &PushRow, after: i64, upto: i64) -> Result<u64, AppError> {
    let at = now(app);
    let week_ago = at - Duration::days(7);
    let cap = i64::from(app.config.kepu.pushes_per_week);
    let (text, link) = notice(push);
    let told = on_db!(&app.db, pool => async {
        let mut tx = pool.begin().await?;
        let told = sqlx::query(
            "UPDATE kepu_push_deliveries SET status = 'delivered', delivered_at = $2 \
             WHERE push_id = $1 AND status = 'waiting' AND user_id > $5 AND user_id <= $6 \
               AND (SELECT COALESCE(SUM(CASE WHEN d.status = 'waiting' THEN $4 ELSE 1 END), 0) FROM kepu_push_deliveries d \
                   WHERE d.user_id = kepu_push_deliveries.user_id \
                     AND ((d.status = 'waiting' AND d.push_id < $1) OR d.delivered_at > $3)) < $4",
        )
        .bind(push.id).bind(at).bind(week_ago).bind(cap).bind(after).bind(upto)
        .execute(&mut *tx).await?.rows_affected();
        if told > 0 {
            sqlx::query(
                "INSERT INTO notifications (user_id, text, link, created_at) \
                 SELECT user_id, $1, $2, $3 FROM kepu_push_deliveries \
                 WHERE push_id = $4 AND user_id > $5 AND user_id <= $6 AND delivered_at = $3",
            )
            .bind(&text).bind(&link).bind(at).bind(push.id).bind(after).bind(upto)
            .execute(&mut *tx).await?;
            sqlx::query("UPDATE kepu_pushes SET delivered = delivered + $2 WHERE id = $1")
                .bind(push.id).bind(told as i64).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok::<u64, sqlx::Error>(told)
    }.await)?;
    Ok(told)
}

/// Polls every second under the lease; delivers what waited every five minutes.
pub fn spawn(app: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut promoted_at: Option<Instant> = None;
        loop {
            tokio::time::sleep(POLL).await;
            match lease::hold(&app.db, LEASE, &app.node).await {
                Ok(true) => {}
                Ok(false) => continue,
                Err(error) => {
                    AppError::from(error).log_if_internal();
                    continue;
                }
            }
            let promote = promoted_at.is_none_or(|at| at.elapsed() >= PROMOTE_EVERY);
            match pass(&app, promote).await {
                Ok(report) => {
                    if promote {
                        promoted_at = Some(Instant::now());
                    }
                    if report != PassReport::default() {
                        tracing::info!(?report, "kepu push pass");
                    }
                }
                Err(error) => error.log_if_internal(),
            }
        }
    })
}
