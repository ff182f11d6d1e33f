//! Profiles and interests. An interest is a channel code or a tag; it is chosen by the person
//! (weight 1, kept until they drop it) and/or learned from what they do (a weight that halves
//! every 30 days unless renewed).
//!
//! A learned weight is stored as a score against a fixed epoch: `weight × 2^(days since the
//! epoch / 30)`. Learning adds to the score (`weight = weight + gain` in SQL, no read first, so
//! concurrent learners never lose each other's gains), and reading it back divides by the same
//! factor at the reader's now, which is the decay.

use chrono::{DateTime, Utc};

use crate::platform::db::Db;
use crate::platform::error::AppError;
use crate::platform::tx::Tx;
use crate::{on_db, on_tx};

/// A learned weight halves in this many days.
pub const HALF_LIFE_DAYS: f64 = 30.0;
/// Learned interests below this are not shown or used.
pub const FORGOTTEN_BELOW: f64 = 0.05;

/// What is left of `weight` learned at `since`, at `now`.
pub fn decayed(weight: f64, since: DateTime<Utc>, now: DateTime<Utc>) -> f64 {
    let days = (now - since).num_seconds() as f64 / 86_400.0;
    weight * 0.5f64.powf(days / HALF_LIFE_DAYS)
}

/// The scores' epoch. 2^(days/30) stays a finite f64 for some eighty years after it.
fn epoch() -> DateTime<Utc> {
    DateTime::from_timestamp(1_577_836_800, 0).expect("2020-01-01 is a valid time")
}

/// The stored score of `weight` learned at `at`.
pub fn score(weight: f64, at: DateTime<Utc>) -> f64 {
    decayed(weight, at, epoch())
}

/// What a stored score weighs at `now`.
pub fn weight_at(score: f64, now: DateTime<Utc>) -> f64 {
    decayed(score, epoch(), now)
}

#[derive(Debug, Clone, PartialEq)]
pub struct Interest {
    pub interest: String,
    pub chosen: bool,
    /// The learned part, decayed to now.
    pub learned: f64,
}

impl Interest {
    /// How much the interest counts: 1 for a chosen one, plus what was learned.
    pub fn weight(&self) -> f64 {
        let chosen = if self.chosen { 1.0 } else { 0.0 };
        chosen + self.learned
    }
}

#[derive(Debug, Clone, Default)]
pub struct Profile {
    pub audience: Option<String>,
    /// Strongest first.
    pub interests: Vec<Interest>,
}

/// Learns `interests` (channel codes or tags) for `user` from something they did: each gains
/// `weight` on top of what is left of its decayed weight, in one additive statement. A chosen
/// interest stays chosen.
pub async fn learn(
    tx: &mut Tx,
    user: i64,
    interests: &[String],
    weight: f64,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let gain = score(weight, at);
    for interest in interests {
        on_tx!(tx, conn => sqlx::query(
            "INSERT INTO kepu_interests (user_id, interest, chosen, weight, updated_at) VALUES ($1, $2, FALSE, $3, $4) \
             ON CONFLICT (user_id, interest) DO UPDATE SET weight = kepu_interests.weight + excluded.weight, updated_at = excluded.updated_at")
            .bind(user).bind(interest).bind(gain).bind(at).execute(&mut **conn).await.map(|done| done.rows_affected()))?;
    }
    Ok(())
}

pub async fn load(db: &Db, user: i64, now: DateTime<Utc>) -> Result<Profile, AppError> {
    let audience: Option<Option<String>> = on_db!(db, pool => sqlx::query_scalar(
        "SELECT audience FROM kepu_profiles WHERE user_id = $1").bind(user).fetch_optional(pool).await)?;
    let rows: Vec<(String, bool, f64)> = on_db!(db, pool => sqlx::query_as(
        "SELECT interest, chosen, weight FROM kepu_interests WHERE user_id = $1").bind(user).fetch_all(pool).await)?;
    let mut interests: Vec<Interest> = rows
        .into_iter()
        .map(|(interest, chosen, stored)| Interest {
            interest,
            chosen,
            learned: weight_at(stored, now),
        })
        .filter(|i| i.chosen || i.learned >= FORGOTTEN_BELOW)
        .collect();
    interests.sort_by(|a, b| {
        b.weight()
            .total_cmp(&a.weight())
            .then_with(|| a.interest.cmp(&b.interest))
    });
    Ok(Profile {
        audience: audience.flatten(),
        interests,
    })
}

/// Sets the audience and the chosen interests (replacing the chosen set; what was learned is
/// kept), and forgets the learned interests the person removes.
pub async fn save(
    tx: &mut Tx,
    user: i64,
    audience: Option<&str>,
    chosen: &[String],
    forget: &[String],
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => sqlx::query(
        "INSERT INTO kepu_profiles (user_id, audience, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO UPDATE SET audience = excluded.audience, updated_at = excluded.updated_at")
        .bind(user).bind(audience).bind(at).execute(&mut **conn).await.map(|done| done.rows_affected()))?;
    on_tx!(tx, conn => sqlx::query("UPDATE kepu_interests SET chosen = FALSE WHERE user_id = $1 AND chosen")
        .bind(user).execute(&mut **conn).await.map(|done| done.rows_affected()))?;
    for interest in chosen {
        on_tx!(tx, conn => sqlx::query(
            "INSERT INTO kepu_interests (user_id, interest, chosen, weight, updated_at) VALUES ($1, $2, TRUE, 0, $3) \
             ON CONFLICT (user_id, interest) DO UPDATE SET chosen = TRUE")
            .bind(user).bind(interest).bind(at).execute(&mut **conn).await.map(|done| done.rows_affected()))?;
    }
    for interest in forget {
        on_tx!(tx, conn => sqlx::query("DELETE FROM kepu_interests WHERE user_id = $1 AND interest = $2 AND NOT chosen")
            .bind(user).bind(interest).execute(&mut **conn).await.map(|done| done.rows_affected()))?;
    }
    on_tx!(tx, conn => sqlx::query("DELETE FROM kepu_interests WHERE user_id = $1 AND NOT chosen AND weight = 0")
        .bind(user).execute(&mut **conn).await.map(|done| done.rows_affected()))?;
    Ok(())
}

/// What staff may see: how many people in a region subtree belong to each audience, and how
/// many follow each interest (chosen, or learned with a weight that still counts), optionally
/// among one audience. Never a person.
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct Aggregates {
    pub people_with_profile: i64,
    /// (audience code, people)
    pub by_audience: Vec<(String, i64)>,
    /// (interest, people), most followed first, at most 30.
    pub top_interests: Vec<(String, i64)>,
}

pub async fn aggregates(
    db: &Db,
    low: &str,
    high: &str,
    audience: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Aggregates, AppError> {
    let by_audience: Vec<(String, i64)> = on_db!(db, pool => sqlx::query_as(
        "SELECT COALESCE(p.audience, ''), COUNT(*) FROM kepu_profiles p JOIN users u ON u.id = p.user_id \
         WHERE u.region_code >= $1 AND u.region_code < $2 GROUP BY COALESCE(p.audience, '') ORDER BY 2 DESC")
        .bind(low).bind(high).fetch_all(pool).await)?;
    // A learned interest counts while it still weighs half a chosen one.
    let still_followed = score(0.5, now);
    const FOLLOWED: &str =
        "SELECT i.interest, COUNT(*) FROM kepu_interests i JOIN users u ON u.id = i.user_id";
    const WHERE: &str =
        "WHERE u.region_code >= $1 AND u.region_code < $2 AND (i.chosen OR i.weight >= $3)";
    const TOP: &str = "GROUP BY i.interest ORDER BY 2 DESC, 1 LIMIT 30";
    let top_interests: Vec<(String, i64)> = match audience {
        Some(audience) => {
            let sql = format!(
                "{FOLLOWED} JOIN kepu_profiles p ON p.user_id = i.user_id {WHERE} AND p.audience = $4 {TOP}"
            );
            on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(low).bind(high).bind(still_followed).bind(audience).fetch_all(pool).await)?
        }
        None => {
            let sql = format!("{FOLLOWED} {WHERE} {TOP}");
            on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(low).bind(high).bind(still_followed).fetch_all(pool).await)?
        }
    };
    Ok(Aggregates {
        people_with_profile: by_audience.iter().map(|(_, n)| n).sum(),
        by_audience,
        top_interests,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_score_reads_back_as_the_decayed_weight() {
        let then = Utc::now();
        let later = then + chrono::Duration::days(60);
        assert!((weight_at(score(1.0, then), then) - 1.0).abs() < 1e-9);
        assert!((weight_at(score(1.0, then), later) - 0.25).abs() < 1e-9);
        // Gains add: a second read later tops up what is left of the first.
        let both = score(1.0, then) + score(1.0, later);
        assert!((weight_at(both, later) - 1.25).abs() < 1e-9);
    }

    #[test]
    fn learned_weight_halves_in_thirty_days() {
        let then = Utc::now();
        let later = then + chrono::Duration::days(30);
        assert!((decayed(1.0, then, later) - 0.5).abs() < 1e-9);
        assert!((decayed(1.0, then, then) - 1.0).abs() < 1e-9);
        let chosen = Interest {
            interest: "柑橘".into(),
            chosen: true,
            learned: 0.25,
        };
        assert!((chosen.weight() - 1.25).abs() < 1e-9);
    }
}
