//! SQL for 志愿服务队 and their members. A change to a team's members begins by writing the
//! team's row ([`lock`]): on PostgreSQL that holds the row until commit, on SQLite it takes the
//! write lock, so two leaders leaving at once cannot both pass the "another leader remains"
//! guard.

use chrono::{DateTime, Utc};
use tianfu_domain::RegionCode;

use crate::platform::api::Paging;
use crate::platform::db::Db;
use crate::platform::tx::Tx;
use crate::{on_db, on_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TeamRow {
    pub id: i64,
    pub name: String,
    pub region_code: String,
    /// JSON array of channel codes and tags.
    pub fields: String,
    pub intro: String,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
    pub members: i64,
}

impl TeamRow {
    pub fn fields(&self) -> Vec<String> {
        serde_json::from_str(&self.fields).unwrap_or_default()
    }

    /// The team's region; a corrupt code is an error, never a guess.
    pub fn region(&self) -> Result<RegionCode, sqlx::Error> {
        RegionCode::parse(&self.region_code)
            .map_err(|e| sqlx::Error::Decode(format!("team {} region: {e}", self.id).into()))
    }
}

macro_rules! team_select {
    () => {
        "SELECT t.id, t.name, t.region_code, t.fields, t.intro, t.created_by, t.created_at, \
         (SELECT COUNT(*) FROM kepu_team_members m WHERE m.team_id = t.id) AS members FROM kepu_teams t"
    };
}

/// A new team; a taken name is the unique constraint's to refuse (the caller turns it into a
/// 409 naming the field).
pub async fn insert(
    tx: &mut Tx,
    name: &str,
    region: &RegionCode,
    fields: &[String],
    intro: &str,
    creator: i64,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let fields = serde_json::to_string(fields).expect("strings serialise");
    on_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO kepu_teams (name, region_code, fields, intro, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
        .bind(name).bind(region.as_str()).bind(&fields).bind(intro).bind(creator).bind(now)
        .fetch_one(&mut **conn).await)
}

pub async fn find(db: &Db, id: i64) -> Result<Option<TeamRow>, sqlx::Error> {
    let sql = concat!(team_select!(), " WHERE t.id = $1");
    on_db!(db, pool => sqlx::query_as(sql).bind(id).fetch_optional(pool).await)
}

/// Takes the team for the rest of the transaction; answers whether it exists.
pub async fn lock(tx: &mut Tx, id: i64) -> Result<bool, sqlx::Error> {
    let done = on_tx!(tx, conn => sqlx::query("UPDATE kepu_teams SET name = name WHERE id = $1")
        .bind(id).execute(&mut **conn).await.map(|d| d.rows_affected()))?;
    Ok(done == 1)
}

/// Teams in a region's subtree (all, for `None`), by region then age.
pub async fn list(
    db: &Db,
    region: Option<&RegionCode>,
    paging: Paging,
) -> Result<(Vec<TeamRow>, i64), sqlx::Error> {
    let bounds = region.map(RegionCode::subtree_bounds);
    on_db!(db, pool => {
        let mut rows = sqlx::QueryBuilder::new(team_select!());
        let mut count = sqlx::QueryBuilder::new("SELECT COUNT(*) FROM kepu_teams t");
        if let Some((low, high)) = &bounds {
            for q in [&mut rows, &mut count] {
                q.push(" WHERE t.region_code >= ").push_bind(low.clone())
                    .push(" AND t.region_code < ").push_bind(high.clone());
            }
        }
        rows.push(" ORDER BY t.region_code, t.id LIMIT ").push_bind(paging.limit())
            .push(" OFFSET ").push_bind(paging.offset());
        let rows = rows.build_query_as::<TeamRow>().fetch_all(pool).await?;
        let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
        Ok((rows, total))
    })
}

/// Adds a person to a team; answers false when they are in it already (nothing changes).
pub async fn add_member(
    tx: &mut Tx,
    team: i64,
    user: i64,
    role: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = on_tx!(tx, conn => sqlx::query(
        "INSERT INTO kepu_team_members (team_id, user_id, role, joined_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (team_id, user_id) DO NOTHING")
        .bind(team).bind(user).bind(role).bind(now)
        .execute(&mut **conn).await.map(|d| d.rows_affected()))?;
    Ok(done == 1)
}

/// Takes a person out of a team, guarded: a leader goes only while another leader stays.
/// Answers whether they went.
pub async fn remove_member(tx: &mut Tx, team: i64, user: i64) -> Result<bool, sqlx::Error> {
    let done = on_tx!(tx, conn => sqlx::query(
        "DELETE FROM kepu_team_members WHERE team_id = $1 AND user_id = $2 \
         AND (role <> 'leader' OR EXISTS (SELECT 1 FROM kepu_team_members o \
              WHERE o.team_id = $1 AND o.role = 'leader' AND o.user_id <> $2))")
        .bind(team).bind(user).execute(&mut **conn).await.map(|d| d.rows_affected()))?;
    Ok(done == 1)
}

/// A person's role in a team, if they are in it.
pub async fn role_of(db: &Db, team: i64, user: i64) -> Result<Option<String>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar(
        "SELECT role FROM kepu_team_members WHERE team_id = $1 AND user_id = $2")
        .bind(team).bind(user).fetch_optional(pool).await)
}

pub async fn role_in(tx: &mut Tx, team: i64, user: i64) -> Result<Option<String>, sqlx::Error> {
    on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT role FROM kepu_team_members WHERE team_id = $1 AND user_id = $2")
        .bind(team).bind(user).fetch_optional(&mut **conn).await)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberRow {
    pub user_id: i64,
    pub name: String,
    pub phone: String,
    pub role: String,
    pub joined_at: DateTime<Utc>,
}

/// A team's members, leaders first, then by when they joined.
pub async fn members(
    db: &Db,
    team: i64,
    paging: Paging,
) -> Result<(Vec<MemberRow>, i64), sqlx::Error> {
    on_db!(db, pool => {
        let rows = sqlx::query_as(
            "SELECT m.user_id, u.name, u.phone, m.role, m.joined_at FROM kepu_team_members m JOIN users u ON u.id = m.user_id \
             WHERE m.team_id = $1 ORDER BY CASE WHEN m.role = 'leader' THEN 0 ELSE 1 END, m.joined_at, m.user_id \
             LIMIT $2 OFFSET $3")
            .bind(team).bind(paging.limit()).bind(paging.offset()).fetch_all(pool).await?;
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM kepu_team_members WHERE team_id = $1")
            .bind(team).fetch_one(pool).await?;
        Ok((rows, total))
    })
}

/// The teams a person is in: (team id, name, role).
pub async fn teams_of(db: &Db, user: i64) -> Result<Vec<(i64, String, String)>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "SELECT t.id, t.name, m.role FROM kepu_team_members m JOIN kepu_teams t ON t.id = m.team_id \
         WHERE m.user_id = $1 ORDER BY t.id LIMIT 100")
        .bind(user).fetch_all(pool).await)
}

/// A registered person by phone: (id, name, role).
pub async fn user_by_phone(
    db: &Db,
    phone: &str,
) -> Result<Option<(i64, String, String)>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as("SELECT id, name, role FROM users WHERE phone = $1")
        .bind(phone).fetch_optional(pool).await)
}

/// The leaders of a team, to tell them of a change.
pub async fn leaders(tx: &mut Tx, team: i64) -> Result<Vec<i64>, sqlx::Error> {
    on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT user_id FROM kepu_team_members WHERE team_id = $1 AND role = 'leader' ORDER BY user_id")
        .bind(team).fetch_all(&mut **conn).await)
}

/// The teams a question from a region may go to: those of the asker's city (its counties and
/// townships included) and the province's own, by region — an index range, not a scan.
pub async fn teams_near(
    db: &Db,
    city: &RegionCode,
    province: &str,
) -> Result<Vec<(i64, String, String, String)>, sqlx::Error> {
    let (low, high) = city.subtree_bounds();
    on_db!(db, pool => sqlx::query_as(
        "SELECT id, name, region_code, fields FROM kepu_teams \
         WHERE (region_code >= $1 AND region_code < $2) OR region_code = $3 ORDER BY region_code, id LIMIT 500")
        .bind(low).bind(high).bind(province).fetch_all(pool).await)
}

/// The members of several teams: (team, person, role), in one statement.
pub async fn members_of(db: &Db, teams: &[i64]) -> Result<Vec<(i64, i64, String)>, sqlx::Error> {
    if teams.is_empty() {
        return Ok(Vec::new());
    }
    on_db!(db, pool => {
        let mut q = sqlx::QueryBuilder::new("SELECT team_id, user_id, role FROM kepu_team_members WHERE team_id IN (");
        let mut ids = q.separated(", ");
        for team in teams {
            ids.push_bind(*team);
        }
        q.push(") ORDER BY team_id, CASE WHEN role = 'leader' THEN 0 ELSE 1 END, joined_at, user_id");
        q.build_query_as().fetch_all(pool).await
    })
}
