//! The provider's track record, from the platform's own records: completed deals, how often
//! they answer inquiries, how often people they were recommended to got in touch (feedback
//! "contacted" or "deal"), whether staff have rated their studio 典型 or 精品 (the platform's
//! own verification of a provider), and how many of their answers to residents' questions
//! (向科学要答案) the askers accepted. It reorders close matches; it cannot lift a weak one far.

use std::collections::HashMap;

use crate::on_db;
use crate::platform::db::Db;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TrackRecord {
    pub completed_deals: i64,
    pub inquiries: i64,
    pub answered: i64,
    /// Recommendations of this provider that led to contact or a deal.
    pub contacted: i64,
    /// Their studio's rating by staff: 0 普通 (or no studio), 1 典型, 2 精品.
    pub studio_rating: i64,
    /// The latest year their studio was rated in (`ratings`), 0 when unknown.
    pub studio_rated_year: i64,
    /// Their answers to 科普 questions that the asker accepted.
    pub accepted_answers: i64,
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
        // The year says which list vouches for them: 精品科创工作室（2026年度）.
        let year = match self.studio_rated_year {
            0 => String::new(),
            year => format!("（{year}年度）"),
        };
        match self.studio_rating {
            2 => {
                factor *= 1.05;
                reasons.push(format!("精品科创工作室{year}"));
            }
            1 => {
                factor *= 1.03;
                reasons.push(format!("典型科创工作室{year}"));
            }
            _ => {}
        }
        if self.accepted_answers > 0 {
            factor *= 1.0 + 0.01 * self.accepted_answers.min(5) as f32;
            reasons.push(format!("科普答疑被采纳{}次", self.accepted_answers));
        }
        (factor, reasons)
    }
}

/// The track records of many providers at once: seven grouped queries, whatever their number.
/// Providers without any record are absent (their record is the default).
pub async fn of_many(db: &Db, owners: &[i64]) -> Result<HashMap<i64, TrackRecord>, sqlx::Error> {
    let mut records: HashMap<i64, TrackRecord> = HashMap::new();
    if owners.is_empty() {
        return Ok(records);
    }
    let completed = by_id(db, "SELECT seller_id, COUNT(*) FROM deals WHERE stage = 'completed' AND seller_id IN ({ids}) GROUP BY seller_id", owners).await?;
    let inquiries = by_id(
        db,
        "SELECT owner_id, COUNT(*) FROM inquiries WHERE owner_id IN ({ids}) GROUP BY owner_id",
        owners,
    )
    .await?;
    let answered = by_id(
        db,
        "SELECT i.owner_id, COUNT(DISTINCT m.inquiry_id) FROM inquiry_messages m JOIN inquiries i ON i.id = m.inquiry_id \
         WHERE m.author_id = i.owner_id AND i.owner_id IN ({ids}) GROUP BY i.owner_id",
        owners,
    )
    .await?;
    let contacted = by_id(
        db,
        "SELECT l.owner_id, COUNT(*) FROM recommendations r JOIN listings l ON l.id = r.listing_id \
         WHERE r.status IN ('contacted', 'deal') AND l.owner_id IN ({ids}) GROUP BY l.owner_id",
        owners,
    )
    .await?;
    let rated = by_id(
        db,
        "SELECT owner_id, CAST(CASE rating WHEN 'excellent' THEN 2 ELSE 1 END AS BIGINT) FROM studios \
         WHERE rating IN ('typical', 'excellent') AND owner_id IN ({ids})",
        owners,
    )
    .await?;
    let accepted = by_id(
        db,
        "SELECT a.author_id, COUNT(*) FROM kepu_questions q JOIN kepu_answers a ON a.id = q.accepted_answer_id \
         WHERE a.author_id IN ({ids}) GROUP BY a.author_id",
        owners,
    )
    .await?;
    for (owner, n) in accepted {
        records.entry(owner).or_default().accepted_answers = n;
    }
    // A rating in force speaks for this year and the next (`ratings`); an older one no longer.
    let this_year = i64::from(chrono::Datelike::year(
        &crate::platform::clock::shanghai_date(chrono::Utc::now()),
    ));
    let rated_year = by_id(
        db,
        "SELECT s.owner_id, CAST(MAX(r.year) AS BIGINT) FROM ratings r JOIN studios s ON s.id = r.subject_id \
         WHERE r.subject_kind = 'studio' AND r.status = 'approved' AND s.owner_id IN ({ids}) GROUP BY s.owner_id",
        owners,
    )
    .await?;
    for (owner, rating) in rated {
        let year = rated_year.get(&owner).copied().unwrap_or(0);
        if year != 0 && year < this_year - 1 {
            continue;
        }
        let record = records.entry(owner).or_default();
        record.studio_rating = rating;
        record.studio_rated_year = year;
    }
    for (owner, n) in completed {
        records.entry(owner).or_default().completed_deals = n;
    }
    for (owner, n) in inquiries {
        records.entry(owner).or_default().inquiries = n;
    }
    for (owner, n) in answered {
        records.entry(owner).or_default().answered = n;
    }
    for (owner, n) in contacted {
        records.entry(owner).or_default().contacted = n;
    }
    Ok(records)
}

/// Runs `sql`, whose `{ids}` becomes one numbered placeholder per id, and returns its
/// (id, number) rows as a map: a count, an owner, a rating. Only placeholders are spliced in;
/// the ids are bound.
pub async fn by_id(db: &Db, sql: &str, ids: &[i64]) -> Result<HashMap<i64, i64>, sqlx::Error> {
    if ids.is_empty() {
        // `IN ()` is an error on PostgreSQL.
        return Ok(HashMap::new());
    }
    let sql = sql.replace("{ids}", &crate::platform::db::placeholders(0, ids.len()));
    on_db!(db, pool => {
        // Safe: only numbered placeholders were spliced into the fixed text.
        let mut query = sqlx::query_as::<_, (i64, i64)>(sqlx::AssertSqlSafe(sql.clone()));
        for id in ids {
            query = query.bind(id);
        }
        query.fetch_all(pool).await.map(|rows| rows.into_iter().collect())
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
            studio_rating: 0,
            studio_rated_year: 0,
            accepted_answers: 0,
        }
        .factor();
        assert!(busy.0 > 1.15 && busy.0 < 1.3, "{busy:?}");
        assert_eq!(busy.1, ["已在平台完成9笔交易", "洽谈回复率90%"]);
        let silent = TrackRecord {
            completed_deals: 0,
            inquiries: 10,
            answered: 1,
            contacted: 0,
            studio_rating: 0,
            studio_rated_year: 0,
            accepted_answers: 0,
        }
        .factor();
        assert!(silent.0 < 1.0);
    }

    #[test]
    fn a_studio_rated_by_staff_counts_a_little_and_says_so() {
        let rated = |studio_rating| {
            TrackRecord {
                studio_rating,
                ..TrackRecord::default()
            }
            .factor()
        };
        let (typical, excellent) = (rated(1), rated(2));
        assert_eq!(typical.1, ["典型科创工作室"]);
        assert_eq!(excellent.1, ["精品科创工作室"]);
        assert!(1.0 < typical.0 && typical.0 < excellent.0 && excellent.0 < 1.1);
        let listed = TrackRecord {
            studio_rating: 2,
            studio_rated_year: 2026,
            ..TrackRecord::default()
        }
        .factor();
        assert_eq!(listed.1, ["精品科创工作室（2026年度）"]);
        assert_eq!(
            listed.0, excellent.0,
            "the year changes the words, not the score"
        );
    }

    #[test]
    fn accepted_answers_to_residents_count_a_little_and_say_how_often() {
        let (factor, reasons) = TrackRecord {
            accepted_answers: 2,
            ..TrackRecord::default()
        }
        .factor();
        assert_eq!(reasons, ["科普答疑被采纳2次"]);
        assert!(factor > 1.0 && factor < 1.05, "{factor}");
        let many = TrackRecord {
            accepted_answers: 50,
            ..TrackRecord::default()
        }
        .factor();
        assert!(many.0 <= 1.05 + f32::EPSILON, "capped: {many:?}");
    }
}
