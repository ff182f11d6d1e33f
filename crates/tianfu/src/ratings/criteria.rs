//! The figures shown beside an application, from the platform's own records: they inform the
//! reviewers, they decide nothing. A few indexed reads per subject (owner's deals by party,
//! tickets by the served person, answers by author, the deal's ledger rows by kind and region).

use serde::Serialize;
use tianfu_domain::{DealStage, Fen, ServiceType};
use utoipa::ToSchema;

use super::cases::CaseRow;
use super::rules::{Level, SubjectKind, badge};
use super::store;
use crate::market::studios::store::StudioRow;
use crate::on_db;
use crate::platform::clock::shanghai;
use crate::platform::db::Db;

/// One figure: what it is and its value as shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = RatingFigure)]
pub struct Figure {
    pub label: String,
    pub value: String,
}

fn figure(label: &str, value: impl Into<String>) -> Figure {
    Figure {
        label: label.to_owned(),
        value: value.into(),
    }
}

fn yuan(fen: i64) -> String {
    Fen::new(fen)
        .map(|f| f.display_yuan())
        .unwrap_or_else(|_| format!("{fen}分"))
}

/// The average of `count` stars summing to `sum`, or 暂无评价.
fn stars(count: i64, sum: i64) -> String {
    if count == 0 {
        "暂无评价".to_owned()
    } else {
        format!("{:.1}星（{count}次评价）", sum as f64 / count as f64)
    }
}

pub async fn studio(db: &Db, studio: &StudioRow) -> Result<Vec<Figure>, sqlx::Error> {
    let owner = studio.owner_id;
    let (signed, amount): (i64, i64) = on_db!(db, pool => sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) FROM deals WHERE (buyer_id = $1 OR seller_id = $1) \
         AND stage IN ('signed', 'performing', 'completed')").bind(owner).fetch_one(pool).await)?;
    let completed: i64 = on_db!(db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM deals WHERE (buyer_id = $1 OR seller_id = $1) AND stage = 'completed'")
        .bind(owner).fetch_one(pool).await)?;
    let (rated, stars_sum): (i64, i64) = on_db!(db, pool => sqlx::query_as(
        "SELECT COUNT(rating), CAST(COALESCE(SUM(rating), 0) AS BIGINT) FROM tickets WHERE served_id = $1")
        .bind(owner).fetch_one(pool).await)?;
    let followups: i64 = on_db!(db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id WHERE t.served_id = $1 AND e.kind = 'followup'")
        .bind(owner).fetch_one(pool).await)?;
    let accepted: i64 = on_db!(db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM kepu_answers a WHERE a.author_id = $1 \
         AND EXISTS (SELECT 1 FROM kepu_questions q WHERE q.id = a.question_id AND q.accepted_answer_id = a.id)")
        .bind(owner).fetch_one(pool).await)?;
    let mut figures = vec![
        figure("签约交易", format!("{signed}笔")),
        figure("签约金额", yuan(amount)),
        figure("已完成交易", format!("{completed}笔")),
        figure("保姆服务评价", stars(rated, stars_sum)),
        figure("保姆跟进次数", format!("{followups}次")),
        figure("科普答疑被采纳", format!("{accepted}次")),
    ];
    figures.extend(past_badges(db, SubjectKind::Studio, studio.id).await?);
    Ok(figures)
}

async fn past_badges(db: &Db, kind: SubjectKind, id: i64) -> Result<Vec<Figure>, sqlx::Error> {
    let badges: Vec<String> = store::in_force(db, kind, id)
        .await?
        .into_iter()
        .filter_map(|(year, level)| Level::parse(&level).ok().map(|l| badge(year, l, kind)))
        .collect();
    Ok(if badges.is_empty() {
        Vec::new()
    } else {
        vec![figure("已获评定", badges.join("、"))]
    })
}

pub async fn case(db: &Db, case: &CaseRow) -> Result<Vec<Figure>, sqlx::Error> {
    // The dates of the deal's stages, from its ledger rows (the kind-and-region index).
    let stages: Vec<(String, chrono::DateTime<chrono::Utc>)> = on_db!(db, pool => sqlx::query_as(
        "SELECT kind, MIN(at) FROM ledger_events WHERE kind IN ('deal.created', 'deal.signed', 'deal.completed') \
         AND region_code = $1 AND subject_kind = 'deal' AND subject_id = $2 AND weight > 0 GROUP BY kind")
        .bind(&case.region_code).bind(case.deal_id).fetch_all(pool).await)?;
    let at = |kind: &str| {
        stages
            .iter()
            .find(|(k, _)| k == kind)
            .map_or_else(|| "—".to_owned(), |(_, at)| shanghai(*at))
    };
    let contract = ServiceType::parse(&case.contract_type).map_or("", |t| t.label());
    let mut figures = vec![
        figure("合同类型", contract),
        figure("交易金额", yuan(case.amount_fen)),
        figure(DealStage::Intent.label(), at("deal.created")),
        figure(DealStage::Signed.label(), at("deal.signed")),
        figure(DealStage::Completed.label(), at("deal.completed")),
    ];
    for (role, party, name) in [
        ("需求方", case.buyer_id, &case.buyer_name),
        ("供给方", case.seller_id, &case.seller_name),
    ] {
        let (rated, sum): (i64, i64) = on_db!(db, pool => sqlx::query_as(
            "SELECT COUNT(rating), CAST(COALESCE(SUM(rating), 0) AS BIGINT) FROM tickets WHERE served_id = $1")
            .bind(party).fetch_one(pool).await)?;
        let studio: Option<i64> = on_db!(db, pool => sqlx::query_scalar("SELECT id FROM studios WHERE owner_id = $1")
            .bind(party).fetch_optional(pool).await)?;
        let mut value = format!("{name} · 保姆服务评价{}", stars(rated, sum));
        if let Some(studio) = studio {
            for f in past_badges(db, SubjectKind::Studio, studio).await? {
                value.push_str(&format!(" · {}", f.value));
            }
        }
        figures.push(figure(role, value));
    }
    figures.extend(past_badges(db, SubjectKind::Case, case.id).await?);
    Ok(figures)
}
