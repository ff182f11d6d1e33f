//! The edition's figures in a handful of grouped statements, whatever the number of halls:
//! projects by hall, category, sector and status; meetings by hall and status; outcomes by hall
//! and answer; interest, registrations and check-ins. Signed deals come from the ledger
//! (`fair::signing::store::signed_totals`).

use crate::on_db;
use crate::platform::db::Db;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProjectGroup {
    pub hall_code: String,
    pub category: String,
    pub sector: String,
    pub status: String,
    pub projects: i64,
}

/// The edition's projects counted by hall, category, sector and status (index
/// fair_projects_hall leads with the edition).
pub async fn projects(db: &Db, fair_id: i64) -> Result<Vec<ProjectGroup>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as::<_, ProjectGroup>(
            "SELECT hall_code, category, sector, status, COUNT(*) AS projects FROM fair_projects WHERE fair_id = $1 \
             GROUP BY hall_code, category, sector, status",
        )
        .bind(fair_id)
        .fetch_all(pool)
        .await
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MeetingGroup {
    pub hall_code: String,
    pub status: String,
    pub meetings: i64,
}

/// The edition's 1:1 meetings counted by their project's hall and their status.
pub async fn meetings(db: &Db, fair_id: i64) -> Result<Vec<MeetingGroup>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as::<_, MeetingGroup>(
            "SELECT p.hall_code, m.status, COUNT(*) AS meetings FROM fair_meetings m JOIN fair_projects p ON p.id = m.project_id \
             WHERE m.fair_id = $1 GROUP BY p.hall_code, m.status",
        )
        .bind(fair_id)
        .fetch_all(pool)
        .await
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutcomeGroup {
    pub hall_code: String,
    /// None while unanswered.
    pub outcome: Option<String>,
    pub answers: i64,
}

/// The six-month outcomes counted by hall and answer (index fair_outcomes_fair).
pub async fn outcomes(db: &Db, fair_id: i64) -> Result<Vec<OutcomeGroup>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as::<_, OutcomeGroup>(
            "SELECT hall_code, outcome, COUNT(*) AS answers FROM fair_outcomes WHERE fair_id = $1 GROUP BY hall_code, outcome",
        )
        .bind(fair_id)
        .fetch_all(pool)
        .await
    })
}

#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct Attendance {
    /// Visitors' interest in the halls' projects.
    pub interests: i64,
    /// Seats held in the edition's sessions.
    pub registrations: i64,
    pub check_ins: i64,
}

pub async fn attendance(db: &Db, fair_id: i64) -> Result<Attendance, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as::<_, Attendance>(
            "SELECT (SELECT COUNT(*) FROM fair_interests WHERE fair_id = $1) AS interests, \
             (SELECT COUNT(*) FROM fair_registrations r JOIN fair_sessions s ON s.id = r.session_id \
               WHERE s.fair_id = $1 AND r.status = 'registered') AS registrations, \
             (SELECT COUNT(*) FROM fair_registrations r JOIN fair_sessions s ON s.id = r.session_id \
               WHERE s.fair_id = $1 AND r.checked_in_at IS NOT NULL) AS check_ins",
        )
        .bind(fair_id)
        .fetch_one(pool)
        .await
    })
}
