//! The provider's track record, from the platform's own records: completed deals, how often
//! they answer inquiries, and how often people they were recommended to got in touch (feedback
//! "contacted" or "deal"). It reorders close matches; it cannot lift a weak one far.

use crate::on_db;
use crate::platform::db::Db;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TrackRecord {
    pub completed_deals: i64,
    pub inquiries: i64,
    pub answered: i64,
    /// Recommendations of this provider that led to contact or a deal.
    pub contacted: i64,
}

impl TrackRecord {
    /// The score factor and the reasons to show.
    pub fn factor(&self) -> (f32, Vec<String>) {
        let mut factor = 1.0 + 0.03 * self.completed_deals.min(5) as f32;
        let mut reasons = Vec::new();
        if self.completed_deals > 0 {
            reasons.push(format!("已在平台完成{}笔交易", self.completed_deals));
        }
        if self.inquiries >= 3 {
            let rate = self.answered as f32 / self.inquiries as f32;
            if rate >= 0.8 {
                factor *= 1.03;
                reasons.push(format!("洽谈回复率{:.0}%", rate * 100.0));
            } else if rate < 0.3 {
                factor *= 0.97;
            }
        }
        factor *= 1.0 + 0.02 * self.contacted.min(5) as f32;
        (factor, reasons)
    }
}

pub async fn of(db: &Db, owner: i64) -> Result<TrackRecord, sqlx::Error> {
    on_db!(db, pool => {
        let completed_deals: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM deals WHERE seller_id = $1 AND stage = 'completed'")
            .bind(owner).fetch_one(pool).await?;
        let inquiries: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM inquiries WHERE owner_id = $1")
            .bind(owner).fetch_one(pool).await?;
        let answered: i64 = sqlx::query_scalar(
            "SELECT COUNT(DISTINCT m.inquiry_id) FROM inquiry_messages m JOIN inquiries i ON i.id = m.inquiry_id \
             WHERE i.owner_id = $1 AND m.author_id = $1",
        )
        .bind(owner).fetch_one(pool).await?;
        let contacted: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM recommendations r JOIN listings l ON l.id = r.listing_id \
             WHERE l.owner_id = $1 AND r.status IN ('contacted', 'deal')",
        )
        .bind(owner).fetch_one(pool).await?;
        Ok(TrackRecord { completed_deals, inquiries, answered, contacted })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deals_and_answers_count_a_little_and_are_explained() {
        let none = TrackRecord::default().factor();
        assert_eq!(none, (1.0, Vec::<String>::new()));
        let busy = TrackRecord {
            completed_deals: 9,
            inquiries: 10,
            answered: 9,
            contacted: 2,
        }
        .factor();
        assert!(busy.0 > 1.15 && busy.0 < 1.3, "{busy:?}");
        assert_eq!(busy.1, ["已在平台完成9笔交易", "洽谈回复率90%"]);
        let silent = TrackRecord {
            completed_deals: 0,
            inquiries: 10,
            answered: 1,
            contacted: 0,
        }
        .factor();
        assert!(silent.0 < 1.0);
    }
}
