//! PATCH: the stored listing turned back into its request shape, with the fields the caller sent
//! laid over it, so that an edit is validated exactly like a new listing.

use super::listing::{AchievementRequest, NeedRequest, OfferRequest};
use super::store::ListingRow;

macro_rules! overlay {
    ($base:expr, $patch:expr, [$($field:ident),+]) => {{
        let mut merged = $base;
        $(if $patch.$field.is_some() { merged.$field = $patch.$field.clone(); })+
        merged
    }};
}

fn keywords(row: &ListingRow) -> Option<Vec<String>> {
    Some(row.keyword_list())
}

pub fn offer(row: &ListingRow, patch: &OfferRequest) -> OfferRequest {
    let base = OfferRequest {
        title: Some(row.title.clone()),
        description: Some(row.description_html.clone()),
        service_type: row.service_type.clone(),
        industry: Some(row.industry.clone()),
        keywords: keywords(row),
        price_fen: row.price_fen,
        service_area: row.service_area.clone(),
        status: None,
    };
    overlay!(
        base,
        patch,
        [
            title,
            description,
            service_type,
            industry,
            keywords,
            price_fen,
            service_area
        ]
    )
}

pub fn achievement(row: &ListingRow, patch: &AchievementRequest) -> AchievementRequest {
    let base = AchievementRequest {
        title: Some(row.title.clone()),
        description: Some(row.description_html.clone()),
        kind: row.achievement_kind.clone(),
        patent_no: row.patent_no.clone(),
        maturity: row.maturity.clone(),
        transfer_mode: row.transfer_mode.clone(),
        industry: Some(row.industry.clone()),
        keywords: keywords(row),
        price_fen: row.price_fen,
        status: None,
    };
    overlay!(
        base,
        patch,
        [
            title,
            description,
            kind,
            patent_no,
            maturity,
            transfer_mode,
            industry,
            keywords,
            price_fen
        ]
    )
}

pub fn need(row: &ListingRow, patch: &NeedRequest) -> NeedRequest {
    let base = NeedRequest {
        title: Some(row.title.clone()),
        description: Some(row.description_html.clone()),
        kind: row.need_kind.clone(),
        industry: Some(row.industry.clone()),
        keywords: keywords(row),
        budget_fen: row.price_fen,
        deadline: row.deadline.clone(),
        contact_pref: row.contact_pref.clone(),
        status: None,
    };
    overlay!(
        base,
        patch,
        [
            title,
            description,
            kind,
            industry,
            keywords,
            budget_fen,
            deadline,
            contact_pref
        ]
    )
}

/// True when the patch carries content, not just a status change.
pub fn has_content<T: serde::Serialize>(patch: &T) -> bool {
    serde_json::to_value(patch)
        .ok()
        .and_then(|v| v.as_object().cloned())
        .is_some_and(|fields| {
            fields
                .iter()
                .any(|(name, value)| name != "status" && !value.is_null())
        })
}
