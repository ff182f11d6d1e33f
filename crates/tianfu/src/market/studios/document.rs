//! A studio as the search index sees it, so that a need finds people as well as listings
//! (DESIGN.md capability 3: "ranked capabilities, achievements and scientists").
//!
//! A scientist's expertise is what their studio says about itself (introduction, research
//! fields, the team's titles) and what they have put on the market: the titles and keywords of
//! their published capabilities and achievements. The document is therefore rebuilt whenever
//! the studio opens and whenever one of the owner's listings changes (the indexer does both).

use std::collections::{HashMap, HashSet};

use tianfu_search::{ListingDoc, ListingKind as IndexKind};

use super::store::{self, StudioRow};
use crate::on_db;
use crate::platform::db::Db;

/// The owner's most recent listings are enough to say what they do; a prolific owner must not
/// grow a document that drowns every other studio's terms.
const LISTINGS_CONSIDERED: i64 = 40;
const MAX_KEYWORDS: usize = 40;

/// Title, keywords and industry of one of the owner's published offers or achievements.
type ListingWords = (String, String, String);

pub async fn document(db: &Db, studio: &StudioRow) -> Result<ListingDoc, sqlx::Error> {
    let members = store::members(db, studio.id).await?;
    let listings: Vec<ListingWords> = on_db!(db, pool => {
        sqlx::query_as(
            "SELECT title, keywords, industry FROM listings \
             WHERE owner_id = $1 AND status = 'published' AND kind <> 'need' ORDER BY id DESC LIMIT $2",
        )
        .bind(studio.owner_id)
        .bind(LISTINGS_CONSIDERED)
        .fetch_all(pool)
        .await
    })?;
    Ok(build(studio, &members, &listings))
}

fn build(
    studio: &StudioRow,
    members: &[store::MemberRow],
    listings: &[ListingWords],
) -> ListingDoc {
    let fields: Vec<&str> = studio
        .fields
        .split('\n')
        .filter(|f| !f.is_empty())
        .collect();
    let mut body = studio.intro.clone();
    if !fields.is_empty() {
        body.push_str("\n研究方向：");
        body.push_str(&fields.join("、"));
    }
    if !members.is_empty() {
        let team: Vec<String> = members
            .iter()
            .map(|m| format!("{}（{}）", m.name, m.title))
            .collect();
        body.push_str("\n团队成员：");
        body.push_str(&team.join("、"));
    }
    if !listings.is_empty() {
        let titles: Vec<&str> = listings.iter().map(|(t, _, _)| t.as_str()).collect();
        body.push_str("\n科技所能与成果：");
        body.push_str(&titles.join("；"));
    }
    let mut seen = HashSet::new();
    let keywords: Vec<String> = fields
        .iter()
        .copied()
        .chain(listings.iter().flat_map(|(_, k, _)| k.split('\n')))
        .filter(|k| !k.is_empty() && seen.insert(k.to_string()))
        .take(MAX_KEYWORDS)
        .map(str::to_owned)
        .collect();
    ListingDoc {
        kind: IndexKind::Studio,
        id: studio.id,
        title: studio.name.clone(),
        body,
        keywords,
        region_code: studio.region_code.clone(),
        industry: main_industry(listings),
        service_type: None,
        price_fen: None,
        published_at: studio.created_at.timestamp(),
    }
}

/// The industry most of the owner's listings are in (the earliest seen wins a tie), or none.
fn main_industry(listings: &[ListingWords]) -> String {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for (_, _, industry) in listings {
        *counts.entry(industry.as_str()).or_default() += 1;
    }
    let mut best: Option<(&str, usize)> = None;
    for (_, _, industry) in listings {
        let count = counts[industry.as_str()];
        if best.is_none_or(|(_, c)| count > c) {
            best = Some((industry, count));
        }
    }
    best.map(|(i, _)| i.to_owned()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn studio() -> StudioRow {
        StudioRow {
            id: 7,
            owner_id: 3,
            owner_name: "李明".into(),
            name: "蛋鸡健康养殖工作室".into(),
            intro: "专注规模化蛋鸡养殖。".into(),
            fields: "蛋鸡养殖\n饲料配方".into(),
            region_code: "511011".into(),
            rating: "normal".into(),
            created_at: Utc::now(),
            status: "published".into(),
            draft_name: None,
            draft_intro: None,
            draft_fields: None,
            submitted_at: None,
            revision: 1,
            review_reason: None,
        }
    }

    #[test]
    fn expertise_gathers_the_studio_and_its_listings() {
        let members = vec![store::MemberRow {
            name: "王芳".into(),
            title: "高级畜牧师".into(),
        }];
        let listings = vec![
            (
                "蛋鸡产蛋率提升技术服务".into(),
                "产蛋率\n料蛋比".into(),
                "A".into(),
            ),
            ("饲料配方优化".into(), "饲料配方".into(), "C".into()),
            ("鸡舍环境控制".into(), "".into(), "A".into()),
        ];
        let doc = build(&studio(), &members, &listings);
        assert_eq!(doc.kind, IndexKind::Studio);
        assert_eq!(doc.id, 7);
        assert_eq!(doc.title, "蛋鸡健康养殖工作室");
        assert!(
            doc.body.contains("研究方向：蛋鸡养殖、饲料配方"),
            "{}",
            doc.body
        );
        assert!(doc.body.contains("王芳（高级畜牧师）"), "{}", doc.body);
        assert!(doc.body.contains("蛋鸡产蛋率提升技术服务"), "{}", doc.body);
        assert_eq!(doc.keywords, ["蛋鸡养殖", "饲料配方", "产蛋率", "料蛋比"]);
        assert_eq!(doc.industry, "A", "most of the listings are in A");
    }

    #[test]
    fn a_studio_without_listings_still_says_what_it_does() {
        let doc = build(&studio(), &[], &[]);
        assert!(doc.body.starts_with("专注规模化蛋鸡养殖。"));
        assert_eq!(doc.keywords, ["蛋鸡养殖", "饲料配方"]);
        assert_eq!(doc.industry, "");
    }
}
