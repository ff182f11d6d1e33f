//! Who a campaign reaches: residents of a region subtree, optionally only some audience groups,
//! optionally only those with one of some interests.
//!
//! Residents are the people who use the site for themselves: roles `public` (群众), `volunteer`
//! (科技志愿者) and `worker` (科技工作者). Staff, administrators and organisations' accounts are
//! never pushed to.

use tianfu_domain::{FieldErrors, RegionCode};

use crate::App;
use crate::kepu::audience::{self, Audience};
use crate::on_db;
use crate::platform::db::Db;
use crate::platform::error::AppError;

/// The roles a push reaches, as an SQL list.
pub const RESIDENT_ROLES_SQL: &str = "('public', 'volunteer', 'worker')";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub region: RegionCode,
    /// Empty: every audience group (and people who chose none).
    pub audiences: Vec<Audience>,
    /// Empty: whatever their interests.
    pub interests: Vec<String>,
}

impl Target {
    /// Reads a target from a request, naming every bad field in Chinese.
    pub fn parse(
        app: &App,
        region_code: &str,
        audiences: &[String],
        interests: &[String],
        errors: &mut FieldErrors,
    ) -> Option<Target> {
        let region = match RegionCode::parse(region_code) {
            Ok(code) if app.regions.get(&code).is_some() => Some(code),
            Ok(_) => {
                errors.add("region_code", "推送地区不存在");
                None
            }
            Err(e) => {
                errors.add("region_code", format!("推送地区：{e}"));
                None
            }
        };
        let audiences = match Audience::parse_list(audiences) {
            Ok(list) => Some(list),
            Err(e) => {
                errors.add("audiences", format!("推送人群：{e}"));
                None
            }
        };
        let interests = match audience::parse_tags(interests) {
            Ok(list) => Some(list),
            Err(e) => {
                errors.add("interests", format!("兴趣：{e}"));
                None
            }
        };
        Some(Target {
            region: region?,
            audiences: audiences?,
            interests: interests?,
        })
    }

    pub fn audience_codes(&self) -> Vec<String> {
        self.audiences
            .iter()
            .map(|a| a.as_str().to_owned())
            .collect()
    }

    /// The conditions on `users u` that pick the audience, with placeholders numbered from
    /// `first`, and the texts to bind to them in order.
    pub fn filter(&self, first: usize) -> (String, Vec<String>) {
        let (low, high) = self.region.subtree_bounds();
        let mut binds = vec![low, high];
        let mut sql = format!(
            "u.region_code >= ${} AND u.region_code < ${} AND u.role IN {RESIDENT_ROLES_SQL}",
            first,
            first + 1
        );
        let list = |items: Vec<String>, binds: &mut Vec<String>| {
            let start = first + binds.len();
            let marks = (0..items.len())
                .map(|k| format!("${}", start + k))
                .collect::<Vec<_>>()
                .join(", ");
            binds.extend(items);
            marks
        };
        if !self.audiences.is_empty() {
            let marks = list(self.audience_codes(), &mut binds);
            sql.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM kepu_profiles p WHERE p.user_id = u.id AND p.audience IN ({marks}))"
            ));
        }
        if !self.interests.is_empty() {
            let marks = list(self.interests.clone(), &mut binds);
            sql.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM kepu_interests i WHERE i.user_id = u.id AND i.interest IN ({marks}))"
            ));
        }
        (sql, binds)
    }

    /// How many residents the target names now.
    pub async fn count(&self, db: &Db) -> Result<i64, AppError> {
        let (filter, binds) = self.filter(1);
        let sql = format!("SELECT COUNT(*) FROM users u WHERE {filter}");
        let count: i64 = on_db!(db, pool => {
            let mut query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql));
            for value in &binds {
                query = query.bind(value.as_str());
            }
            query.fetch_one(pool).await
        })?;
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filter_binds_only_what_the_target_sets() {
        let target = Target {
            region: RegionCode::parse("5116").unwrap(),
            audiences: vec![],
            interests: vec![],
        };
        let (sql, binds) = target.filter(3);
        assert!(sql.contains("$3") && sql.contains("$4") && !sql.contains("$5"));
        assert_eq!(binds, vec!["5116".to_owned(), "5117".to_owned()]);
        let target = Target {
            audiences: vec![Audience::Farmer, Audience::Elder],
            interests: vec!["柑橘".into()],
            ..target
        };
        let (sql, binds) = target.filter(1);
        assert!(sql.contains("p.audience IN ($3, $4)"), "{sql}");
        assert!(sql.contains("i.interest IN ($5)"), "{sql}");
        assert_eq!(binds.len(), 5);
    }
}
