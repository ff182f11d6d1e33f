//! Service hours, read from the ledger of record — the `volunteer.served` rows a verified
//! check-in books (`activities::checkin`), never from sign-ups — so that a volunteer's
//! certificate, a team's figure and the province's `volunteer_hours` agree to the minute.
//!
//! A person's hours are one range of the `ledger_events_actor` index (migration 0009). A team's
//! are its activities' rows, found by their once-only keys (`volunteer.served:activity:{id}:{user}`)
//! from the team's checked-in volunteers, so no index on the ledger's subject is needed. A
//! region's volunteers are grouped over the `(kind, region_code, at)` range of the year.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use tianfu_domain::RegionCode;
use utoipa::ToSchema;

use super::rules;
use crate::on_db;
use crate::platform::api::Paging;
use crate::platform::clock::shanghai_date;
use crate::platform::db::Db;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ServedRow {
    pub activity_id: i64,
    pub title: Option<String>,
    pub team_name: Option<String>,
    pub at: DateTime<Utc>,
    pub minutes: i64,
}

/// One person's `volunteer.served` rows in [from, to), oldest first, with the activity they
/// served and its team.
pub async fn served_by(
    db: &Db,
    user: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<ServedRow>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "SELECT e.subject_id AS activity_id, a.title, t.name AS team_name, e.at, \
         CAST(COALESCE(e.quantity, 0) AS BIGINT) AS minutes \
         FROM ledger_events e \
         LEFT JOIN kepu_activities a ON e.subject_kind = 'activity' AND a.id = e.subject_id \
         LEFT JOIN kepu_teams t ON t.id = a.team_id \
         WHERE e.actor_id = $1 AND e.kind = 'volunteer.served' AND e.at >= $2 AND e.at < $3 \
         ORDER BY e.at, e.id")
        .bind(user).bind(from).bind(to).fetch_all(pool).await)
}

/// Minutes the volunteers served at each of these teams' activities in [from, to), in one
/// statement. An activity lasts at most 7 days and check-in opens an hour early, so activities
/// starting more than that outside the period cannot have rows in it; bounding their start lets
/// the `(team_id, starts_at)` index serve the read.
pub async fn team_minutes(
    db: &Db,
    teams: &[i64],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<HashMap<i64, i64>, sqlx::Error> {
    if teams.is_empty() {
        return Ok(HashMap::new());
    }
    let earliest = from - crate::kepu::activities::rules::LONGEST;
    let latest = to + crate::kepu::activities::rules::CHECKIN_OPENS_BEFORE;
    let rows: Vec<(i64, i64)> = on_db!(db, pool => {
        let mut q = sqlx::QueryBuilder::new(
            "SELECT a.team_id, CAST(SUM(e.quantity) AS BIGINT) FROM kepu_activities a \
             JOIN kepu_signups s ON s.activity_id = a.id AND s.role = 'volunteer' AND s.checked_in_at IS NOT NULL \
             JOIN ledger_events e ON e.once_key = 'volunteer.served:activity:' || CAST(a.id AS TEXT) || ':' || CAST(s.user_id AS TEXT) \
             WHERE a.team_id IN (");
        let mut ids = q.separated(", ");
        for team in teams {
            ids.push_bind(*team);
        }
        q.push(") AND a.starts_at >= ").push_bind(earliest)
            .push(" AND a.starts_at < ").push_bind(latest)
            .push(" AND e.at >= ").push_bind(from)
            .push(" AND e.at < ").push_bind(to)
            .push(" GROUP BY a.team_id");
        q.build_query_as().fetch_all(pool).await
    })?;
    Ok(rows.into_iter().collect())
}

/// Minutes each of these people served in [from, to), anywhere, in one statement.
pub async fn people_minutes(
    db: &Db,
    people: &[i64],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<HashMap<i64, i64>, sqlx::Error> {
    if people.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(i64, i64)> = on_db!(db, pool => {
        let mut q = sqlx::QueryBuilder::new(
            "SELECT actor_id, CAST(SUM(quantity) AS BIGINT) FROM ledger_events WHERE kind = 'volunteer.served' AND actor_id IN (");
        let mut ids = q.separated(", ");
        for person in people {
            ids.push_bind(*person);
        }
        q.push(") AND at >= ").push_bind(from)
            .push(" AND at < ").push_bind(to)
            .push(" GROUP BY actor_id");
        q.build_query_as().fetch_all(pool).await
    })?;
    Ok(rows.into_iter().collect())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VolunteerRow {
    pub user_id: i64,
    pub name: String,
    pub phone: String,
    pub region_code: String,
    pub minutes: i64,
    pub times: i64,
}

/// The volunteers who served in a region's subtree (everywhere, for `None`) in [from, to), most
/// hours first, with the number of people and the minutes in all.
pub async fn region_volunteers(
    db: &Db,
    region: Option<&RegionCode>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    paging: Paging,
) -> Result<(Vec<VolunteerRow>, i64, i64), sqlx::Error> {
    let bounds = region.map(RegionCode::subtree_bounds);
    on_db!(db, pool => {
        let mut rows = sqlx::QueryBuilder::new(
            "SELECT e.actor_id AS user_id, u.name, u.phone, u.region_code, \
             CAST(SUM(e.quantity) AS BIGINT) AS minutes, COUNT(*) AS times \
             FROM ledger_events e JOIN users u ON u.id = e.actor_id");
        let mut totals = sqlx::QueryBuilder::new(
            "SELECT COUNT(DISTINCT e.actor_id), CAST(COALESCE(SUM(e.quantity), 0) AS BIGINT) FROM ledger_events e");
        for q in [&mut rows, &mut totals] {
            q.push(" WHERE e.kind = 'volunteer.served' AND e.at >= ").push_bind(from)
                .push(" AND e.at < ").push_bind(to);
            if let Some((low, high)) = &bounds {
                q.push(" AND e.region_code >= ").push_bind(low.clone())
                    .push(" AND e.region_code < ").push_bind(high.clone());
            }
        }
        rows.push(" GROUP BY e.actor_id, u.name, u.phone, u.region_code ORDER BY minutes DESC, e.actor_id LIMIT ")
            .push_bind(paging.limit()).push(" OFFSET ").push_bind(paging.offset());
        let rows = rows.build_query_as::<VolunteerRow>().fetch_all(pool).await?;
        let (people, minutes): (i64, i64) = totals.build_query_as().fetch_one(pool).await?;
        Ok((rows, people, minutes))
    })
}

/// One service a person did, as their hours list and certificate show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServedItem {
    pub activity_id: i64,
    pub title: String,
    /// The 志愿服务队 that ran it, if one did.
    pub team_name: Option<String>,
    /// The day it was served (Beijing), e.g. 2026-05-18.
    pub date: String,
    pub minutes: i64,
}

/// A person's hours in one Beijing year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VolunteerHours {
    pub year: i32,
    /// The sum of the items' minutes: exactly what the province's `volunteer_hours` counts.
    pub minutes: i64,
    /// `minutes` / 60.
    pub hours: f64,
    /// Every service of the year, oldest first.
    pub items: Vec<ServedItem>,
}

/// What `user` served in `year`, from the ledger.
pub async fn of_person(db: &Db, user: i64, year: i32) -> Result<VolunteerHours, sqlx::Error> {
    let (from, to) = rules::year_bounds(year);
    let rows = served_by(db, user, from, to).await?;
    let minutes = rows.iter().map(|r| r.minutes).sum::<i64>();
    let items = rows
        .into_iter()
        .map(|r| ServedItem {
            activity_id: r.activity_id,
            title: r.title.unwrap_or_else(|| "科技志愿服务".to_owned()),
            team_name: r.team_name,
            date: shanghai_date(r.at).to_string(),
            minutes: r.minutes,
        })
        .collect();
    Ok(VolunteerHours {
        year,
        minutes,
        hours: minutes as f64 / 60.0,
        items,
    })
}
