//! What is left out of the official figures, as one list per kind with the reason for each.

use chrono::{DateTime, Utc};

use super::api::Exclusion;
use super::store::{self, HoldRow, VerificationRow};
use crate::platform::api::Paging;
use crate::platform::error::AppError;
use crate::platform::scope::RegionScope;
use crate::{App, on_db};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    NeedHold,
    DealUnverified,
    DealRejected,
    KepuView,
}

impl Kind {
    pub const ALL: [Kind; 4] = [
        Kind::NeedHold,
        Kind::DealUnverified,
        Kind::DealRejected,
        Kind::KepuView,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::NeedHold => "need_hold",
            Kind::DealUnverified => "deal_unverified",
            Kind::DealRejected => "deal_rejected",
            Kind::KepuView => "kepu_view",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::NeedHold => "暂缓的疑似重复需求",
            Kind::DealUnverified => "待核验的大额交易",
            Kind::DealRejected => "不予认定的大额交易",
            Kind::KepuView => "异常科普浏览",
        }
    }

    pub fn parse(text: Option<&str>) -> Result<Kind, AppError> {
        match text.map(str::trim).filter(|t| !t.is_empty()) {
            None => Ok(Kind::NeedHold),
            Some(t) => Kind::ALL
                .into_iter()
                .find(|k| k.as_str() == t)
                .ok_or_else(|| {
                    AppError::validation(
                        "kind",
                        "类别只能是 need_hold、deal_unverified、deal_rejected 或 kepu_view",
                    )
                }),
        }
    }
}

pub fn yuan(fen: i64) -> String {
    let yuan = fen as f64 / 100.0;
    if yuan >= 1e8 {
        format!("{:.2}亿元", yuan / 1e8)
    } else if yuan >= 1e4 {
        format!("{:.2}万元", yuan / 1e4)
    } else {
        format!("{yuan:.2}元")
    }
}

fn hold_line(row: HoldRow) -> Exclusion {
    Exclusion {
        kind: Kind::NeedHold.as_str(),
        subject_id: row.listing_id,
        region_code: row.region_code,
        title: row.title,
        who: row.owner_name,
        reason: row.reason,
        status: row.status,
        amount_fen: None,
        at: row.updated_at,
        link: "/admin/reviews?kind=need".into(),
        contract_url: None,
    }
}

pub fn deal_line(row: VerificationRow) -> Exclusion {
    let (kind, reason, at) = match row.status.as_str() {
        "awaiting" => (
            Kind::DealUnverified,
            format!(
                "签约金额 {} 达到核验线 {}，合同核验前不计入签约统计{}",
                yuan(row.amount_fen),
                yuan(row.threshold_fen),
                if row.contracts == 0 {
                    "（双方尚未上传合同）"
                } else {
                    ""
                }
            ),
            row.signed_at,
        ),
        _ => (
            Kind::DealRejected,
            format!("合同未通过核验：{}", row.reason.clone().unwrap_or_default()),
            row.decided_at.unwrap_or(row.signed_at),
        ),
    };
    Exclusion {
        kind: kind.as_str(),
        subject_id: row.deal_id,
        region_code: row.region_code,
        title: if row.title.is_empty() {
            format!("交易 #{}", row.deal_id)
        } else {
            row.title
        },
        who: format!("{} ↔ {}", row.buyer_name, row.seller_name),
        reason,
        status: row.status,
        amount_fen: Some(row.amount_fen),
        at,
        link: format!("/admin/integrity#deal-{}", row.deal_id),
        contract_url: (row.contracts > 0)
            .then(|| format!("/api/v1/deals/{}/contract", row.deal_id)),
    }
}

#[derive(sqlx::FromRow)]
struct ViewRow {
    id: i64,
    title: String,
    reader: String,
    region_code: String,
    flag: String,
    evidence: String,
    at: DateTime<Utc>,
}

async fn flagged_views(
    app: &App,
    scope: &RegionScope,
    paging: Paging,
) -> Result<(Vec<Exclusion>, i64), AppError> {
    let (low, high) = match scope {
        RegionScope::All => (String::new(), "~".to_owned()),
        RegionScope::Subtree(root) => root.subtree_bounds(),
    };
    let rows: Vec<ViewRow> = on_db!(&app.db, pool => sqlx::query_as(
        "SELECT v.id, r.title, v.reader, v.region_code, COALESCE(v.flag, '') AS flag, COALESCE(v.evidence, '') AS evidence, v.at \
         FROM kepu_views v JOIN kepu_resources r ON r.id = v.resource_id \
         WHERE v.state = 'flagged' AND v.region_code >= $1 AND v.region_code < $2 ORDER BY v.id DESC LIMIT $3 OFFSET $4")
        .bind(&low).bind(&high).bind(paging.limit()).bind(paging.offset()).fetch_all(pool).await)?;
    let total: i64 = on_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM kepu_views WHERE state = 'flagged' AND region_code >= $1 AND region_code < $2")
        .bind(&low).bind(&high).fetch_one(pool).await)?;
    let items = rows
        .into_iter()
        .map(|v| Exclusion {
            kind: Kind::KepuView.as_str(),
            subject_id: v.id,
            region_code: v.region_code,
            title: v.title,
            who: v.reader,
            reason: format!(
                "{}：{}",
                crate::kepu::views::rules::label(&v.flag),
                v.evidence
            ),
            status: "flagged".into(),
            amount_fen: None,
            at: v.at,
            link: "/admin/kepu/flags".into(),
            contract_url: None,
        })
        .collect();
    Ok((items, total))
}

/// One page of one kind of exclusion in `scope`, newest first.
pub async fn load(
    app: &App,
    kind: Kind,
    scope: &RegionScope,
    paging: Paging,
) -> Result<(Vec<Exclusion>, i64), AppError> {
    Ok(match kind {
        Kind::NeedHold => {
            let (rows, total) = store::holds(&app.db, "held", scope, paging).await?;
            (rows.into_iter().map(hold_line).collect(), total)
        }
        Kind::DealUnverified | Kind::DealRejected => {
            let status = if kind == Kind::DealUnverified {
                "awaiting"
            } else {
                "rejected"
            };
            let (rows, total) = store::verifications(&app.db, status, scope, paging).await?;
            (rows.into_iter().map(deal_line).collect(), total)
        }
        Kind::KepuView => flagged_views(app, scope, paging).await?,
    })
}
