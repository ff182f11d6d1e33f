//! How a listing is shown: one JSON shape for the three kinds, with Chinese labels beside the
//! stable codes.

use serde::Serialize;
use tianfu_domain::{
    AchievementKind, Fen, Industry, ListingStatus, Maturity, NeedKind, ServiceType, TransferMode,
};
use utoipa::ToSchema;

use super::store::ListingRow;
use crate::App;

#[derive(Debug, Serialize, ToSchema)]
pub struct ListingView {
    pub id: i64,
    /// offer, achievement or need.
    pub kind: String,
    pub title: String,
    /// Sanitised HTML.
    pub description_html: String,
    pub industry: String,
    pub industry_name: String,
    pub keywords: Vec<String>,
    pub region_code: String,
    pub region_name: String,
    /// pending, published, rejected, withdrawn, closed.
    pub status: String,
    pub status_label: String,
    /// Why staff rejected it; shown to the owner.
    pub review_reason: Option<String>,
    /// Price (capability, achievement) or budget (need) in fen; null is 面议.
    pub price_fen: Option<i64>,
    pub price_label: String,
    pub owner_id: i64,
    pub owner_name: String,
    pub studio_id: Option<i64>,
    pub service_type: Option<String>,
    pub service_type_label: Option<String>,
    pub service_area: Option<String>,
    pub need_kind: Option<String>,
    pub need_kind_label: Option<String>,
    pub deadline: Option<String>,
    pub contact_pref: Option<String>,
    pub achievement_kind: Option<String>,
    pub achievement_kind_label: Option<String>,
    pub patent_no: Option<String>,
    pub maturity: Option<String>,
    pub maturity_label: Option<String>,
    pub transfer_mode: Option<String>,
    pub transfer_mode_label: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub published_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Present while a need is held for review as a suspected bulk-posted duplicate: why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hold: Option<crate::market::integrity::api::HoldNote>,
}

fn label<T>(
    value: &Option<String>,
    parse: fn(&str) -> Result<T, String>,
    label: fn(T) -> &'static str,
) -> Option<String> {
    value
        .as_deref()
        .and_then(|v| parse(v).ok())
        .map(|v| label(v).to_owned())
}

pub fn price_label(price_fen: Option<i64>) -> String {
    match price_fen.and_then(|f| Fen::new(f).ok()) {
        Some(fen) => fen.display_yuan(),
        None => "面议".to_owned(),
    }
}

impl ListingView {
    pub fn new(app: &App, row: ListingRow) -> Self {
        let region_name = app.regions.full_name_of(&row.region_code);
        ListingView {
            industry_name: Industry::label_for(&row.industry),
            keywords: row.keyword_list(),
            status_label: row.status().map(|s| s.label()).unwrap_or("").to_owned(),
            price_label: price_label(row.price_fen),
            service_type_label: label(&row.service_type, ServiceType::parse, ServiceType::label),
            need_kind_label: label(&row.need_kind, NeedKind::parse, NeedKind::label),
            achievement_kind_label: label(
                &row.achievement_kind,
                AchievementKind::parse,
                AchievementKind::label,
            ),
            maturity_label: label(&row.maturity, Maturity::parse, Maturity::label),
            transfer_mode_label: label(
                &row.transfer_mode,
                TransferMode::parse,
                TransferMode::label,
            ),
            id: row.id,
            kind: row.kind,
            title: row.title,
            description_html: row.description_html,
            industry: row.industry,
            region_code: row.region_code,
            region_name,
            status: row.status,
            review_reason: row.review_reason,
            price_fen: row.price_fen,
            owner_id: row.owner_id,
            owner_name: row.owner_name,
            studio_id: row.studio_id,
            service_type: row.service_type,
            service_area: row.service_area,
            need_kind: row.need_kind,
            deadline: row.deadline,
            contact_pref: row.contact_pref,
            achievement_kind: row.achievement_kind,
            patent_no: row.patent_no,
            maturity: row.maturity,
            transfer_mode: row.transfer_mode,
            created_at: row.created_at,
            published_at: row.published_at,
            hold: None,
        }
    }

    pub fn is_published(&self) -> bool {
        self.status == ListingStatus::Published.as_str()
    }
}
