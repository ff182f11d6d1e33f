//! Profiles and interests.

use chrono::{DateTime, Utc};

use crate::on_tx;
use crate::platform::tx::Tx;

/// Learns `interests` (channel codes or tags) for `user` from something they did: each gains
/// `weight` on top of what is left of its decayed weight. A chosen interest stays chosen.
pub async fn learn(
    tx: &mut Tx,
    user: i64,
    interests: &[String],
    weight: f64,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "INSERT INTO kepu_interests (user_id, interest, chosen, weight, updated_at) VALUES ($1, $2, FALSE, $3, $4) \
         ON CONFLICT (user_id, interest) DO UPDATE SET weight = kepu_interests.weight + excluded.weight, updated_at = excluded.updated_at";
    for interest in interests {
        on_tx!(tx, conn => sqlx::query(SQL).bind(user).bind(interest).bind(weight).bind(at).execute(&mut **conn).await.map(|done| done.rows_affected()))?;
    }
    Ok(())
}
