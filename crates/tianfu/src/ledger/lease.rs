//! Leases for jobs that must run on one node at a time (the rollup and the other followers, the
//! nanny clock, the nightly recommendation refresh). A node holds a job's lease for [`TTL`] and
//! renews it with each pass; when it stops, another node takes the lease over once it lapses.
//! Wall-clock time is used (never the app's test clock), so two nodes agree on it.

use chrono::{Duration, Utc};

use crate::on_db;
use crate::platform::db::Db;

pub const TTL: Duration = Duration::seconds(30);

const ACQUIRE_SQL: &str = "INSERT INTO job_leases (name, holder, until) VALUES ($1, $2, $3) \
     ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until \
     WHERE job_leases.holder = excluded.holder OR job_leases.until < $4";

/// Takes or renews `job`'s lease for `node`; false while another node holds it.
pub async fn hold(db: &Db, job: &str, node: &str) -> Result<bool, sqlx::Error> {
    let now = Utc::now();
    let changed = on_db!(db, pool => {
        sqlx::query(ACQUIRE_SQL).bind(job).bind(node).bind(now + TTL).bind(now).execute(pool).await.map(|done| done.rows_affected())
    })?;
    Ok(changed == 1)
}

/// Gives up `job`'s lease at shutdown, so another node need not wait for it to lapse.
pub async fn release(db: &Db, job: &str, node: &str) -> Result<(), sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query("DELETE FROM job_leases WHERE name = $1 AND holder = $2").bind(job).bind(node).execute(pool).await.map(|done| done.rows_affected())
    })?;
    Ok(())
}

/// A name for this process among the nodes sharing a database.
pub fn node_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("node-{}-{nanos:x}", std::process::id())
}
