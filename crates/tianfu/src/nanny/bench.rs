//! `tianfu bench sla`: the SLA clock's pass over a province of open tickets. It fills a fresh
//! database (SQLite in a temp folder, or a new PostgreSQL database next to `--postgres`) with
//! one nanny per county and `tickets` open tickets opened over the last 60 days, four steps
//! each, the earlier steps mostly done; then times the clock's first pass (everything overdue
//! so far is marked, the worst lapses escalated), a second pass straight after (nothing new:
//! the steady state of a minute-by-minute job), and a pass a day later.

use std::fmt::Write;
use std::time::Instant;

use chrono::{Duration, Utc};
use tianfu_domain::RegionLevel;

use super::clock;
use crate::platform::scratch::Scratch;
use crate::{App, on_db};

/// Rows per multi-row INSERT: well inside both engines' parameter limits.
const BATCH: usize = 500;

struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

pub async fn run(tickets: usize, postgres: Option<String>) -> anyhow::Result<String> {
    let scratch = Scratch::start("sla", postgres.as_deref()).await?;
    let result = measure(&scratch.app, tickets).await;
    scratch.finish().await?;
    result
}

async fn measure(app: &App, tickets: usize) -> anyhow::Result<String> {
    let mut out = String::new();
    let backend = app.db.backend_name();
    writeln!(
        out,
        "SLA clock benchmark on {backend}: {tickets} open tickets, 4 steps each"
    )?;
    let started = Instant::now();
    let staff = seed_staff(app).await?;
    let (steps, done) = seed_tickets(app, tickets, &staff).await?;
    writeln!(
        out,
        "  seeded {} nannies, {tickets} tickets, {steps} steps ({done} done) in {:.1} s",
        staff.len(),
        started.elapsed().as_secs_f64()
    )?;
    for (label, advance) in [
        ("first pass (backlog)", 0),
        ("second pass (steady state)", 0),
        ("a day later", 1),
    ] {
        app.clock.advance(Duration::days(advance));
        let started = Instant::now();
        let report = clock::tick(app)
            .await
            .map_err(|e| anyhow::anyhow!(e.to_string()))?;
        writeln!(
            out,
            "  {label:<28} {:>8.1} ms  steps marked overdue {:>7}, tickets escalated {:>6}",
            started.elapsed().as_secs_f64() * 1000.0,
            report.overdue_steps,
            report.escalated
        )?;
    }
    Ok(out)
}

/// One worker-department nanny per county, and one per city to escalate to.
async fn seed_staff(app: &App) -> anyhow::Result<Vec<(i64, String)>> {
    let now = Utc::now();
    let mut counties = Vec::new();
    let mut regions = Vec::new();
    for city in app
        .regions
        .children(Some(&tianfu_domain::RegionCode::parse("51")?))
    {
        regions.push(city.code.clone());
        for county in app.regions.children(Some(&city.code)) {
            regions.push(county.code.clone());
        }
    }
    for (i, region) in regions.iter().enumerate() {
        let id: i64 = on_db!(&app.db, pool => {
            sqlx::query_scalar(
                "INSERT INTO users (role, phone, password_hash, name, region_code, department, created_at) \
                 VALUES ('staff', $1, 'x', $2, $3, 'worker', $4) RETURNING id",
            )
            .bind(format!("139{i:08}"))
            .bind(format!("保姆{i}"))
            .bind(region.as_str())
            .bind(now)
            .fetch_one(pool)
            .await
        })?;
        if region.level() == RegionLevel::County {
            counties.push((id, region.to_string()));
        }
    }
    Ok(counties)
}

/// Scientists and their tickets, opened over the last 60 days; steps due 3, 7, 15 and 30 days
/// after opening, each done on time with a high chance once its date has passed.
async fn seed_tickets(
    app: &App,
    tickets: usize,
    staff: &[(i64, String)],
) -> anyhow::Result<(usize, usize)> {
    let now = Utc::now();
    let mut rng = Lcg(2026);
    let plan = [
        ("首次联系", 3),
        ("了解专长与意向", 7),
        ("推荐对接需求", 15),
        ("定期回访", 30),
    ];
    let (mut steps, mut done) = (0, 0);
    let mut start = 0;
    while start < tickets {
        let end = (start + BATCH).min(tickets);
        let mut users = Vec::new();
        for i in start..end {
            let (nanny, region) = &staff[rng.below(staff.len() as u64) as usize];
            let opened = now - Duration::minutes(rng.below(60 * 24 * 60) as i64);
            users.push((i, *nanny, region.clone(), opened));
        }
        let user_sql = format!(
            "INSERT INTO users (role, phone, password_hash, name, region_code, created_at) VALUES {} RETURNING id",
            (0..users.len())
                .map(|k| format!(
                    "('worker', ${}, 'x', ${}, ${}, ${})",
                    k * 4 + 1,
                    k * 4 + 2,
                    k * 4 + 3,
                    k * 4 + 4
                ))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let ids: Vec<i64> = on_db!(&app.db, pool => {
            let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(user_sql.clone()));
            for (i, _, region, opened) in &users {
                q = q.bind(format!("150{i:08}")).bind(format!("科学家{i}")).bind(region.clone()).bind(*opened);
            }
            q.fetch_all(pool).await
        })?;
        let ticket_sql = format!(
            "INSERT INTO tickets (kind, subject_id, served_id, title, region_code, department, assignee_id, status, opened_at, updated_at) VALUES {} RETURNING id",
            (0..users.len())
                .map(|k| format!(
                    "('person', ${0}, ${0}, ${1}, ${2}, 'worker', ${3}, 'open', ${4}, ${4})",
                    k * 5 + 1,
                    k * 5 + 2,
                    k * 5 + 3,
                    k * 5 + 4,
                    k * 5 + 5
                ))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let ticket_ids: Vec<i64> = on_db!(&app.db, pool => {
            let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(ticket_sql.clone()));
            for (id, (i, nanny, region, opened)) in ids.iter().zip(&users) {
                q = q.bind(*id).bind(format!("科技工作者科学家{i}")).bind(region.clone()).bind(*nanny).bind(*opened);
            }
            q.fetch_all(pool).await
        })?;
        let mut rows = Vec::new();
        for (ticket, (_, _, _, opened)) in ticket_ids.iter().zip(&users) {
            for (name, days) in plan {
                let due = *opened + Duration::days(days);
                let finished = due < now && rng.below(100) < 85;
                let done_at = finished.then(|| due - Duration::hours(rng.below(48) as i64));
                done += usize::from(finished);
                rows.push((
                    *ticket,
                    name,
                    due,
                    (days == 30).then_some(30i64),
                    done_at,
                    *opened,
                ));
            }
        }
        steps += rows.len();
        let step_sql = format!(
            "INSERT INTO ticket_steps (ticket_id, name, due_at, repeat_days, done_at, created_at) VALUES {}",
            (0..rows.len())
                .map(|k| format!(
                    "(${}, ${}, ${}, ${}, ${}, ${})",
                    k * 6 + 1,
                    k * 6 + 2,
                    k * 6 + 3,
                    k * 6 + 4,
                    k * 6 + 5,
                    k * 6 + 6
                ))
                .collect::<Vec<_>>()
                .join(", ")
        );
        on_db!(&app.db, pool => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(step_sql.clone()));
            for (ticket, name, due, repeat, done_at, created) in &rows {
                q = q.bind(*ticket).bind(*name).bind(*due).bind(*repeat).bind(*done_at).bind(*created);
            }
            q.execute(pool).await.map(|_| ())
        })?;
        on_db!(&app.db, pool => {
            sqlx::query(
                "UPDATE tickets SET next_due_at = (SELECT MIN(due_at) FROM ticket_steps s WHERE s.ticket_id = tickets.id AND s.done_at IS NULL) \
                 WHERE id >= $1 AND id <= $2",
            )
            .bind(ticket_ids.first().copied().unwrap_or(0))
            .bind(ticket_ids.last().copied().unwrap_or(0))
            .execute(pool)
            .await
            .map(|_| ())
        })?;
        start = end;
    }
    Ok((steps, done))
}
