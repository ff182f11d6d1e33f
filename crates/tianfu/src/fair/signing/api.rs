//! `GET /api/v1/fairs/{id}/signings`: the collective-signing list (public) with the edition's
//! totals of signed deals and amounts by category, hall and sector.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use tianfu_domain::fair::Category;
use tianfu_domain::{DealStage, FieldErrors, ServiceType};
use utoipa::{IntoParams, ToSchema};

use super::service::{self, Totals, category_label, hall_name, sector_label, yuan};
use super::store::{self, SigningFilter, SigningRow};
use crate::fair::editions::service::find as find_fair;
use crate::fair::projects::api::FairCategoryFilter;
use crate::platform::api::{ApiPath, ApiQuery, Paging};
use crate::platform::error::{AppError, ErrorBody};
use crate::{App, AppState};

/// A deal signed at the fair.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = FairSigning)]
pub struct SigningView {
    /// The deal's id.
    pub id: i64,
    pub title: String,
    /// The side that needs (an organisation's name where it is one).
    pub buyer_name: String,
    /// The side that provides.
    pub seller_name: String,
    pub amount_fen: i64,
    pub amount_label: String,
    #[schema(value_type = crate::market::api::OfferServiceType)]
    pub contract_type: String,
    pub contract_type_label: &'static str,
    /// signed, performing or completed.
    #[schema(value_type = crate::market::api::DealStageName)]
    pub stage: String,
    pub stage_label: &'static str,
    pub session_id: Option<i64>,
    pub session_title: Option<String>,
    /// The selected project it is attributed to.
    pub project_id: Option<i64>,
    pub category: Option<String>,
    pub category_label: &'static str,
    pub hall_code: Option<String>,
    pub hall_name: String,
    pub sector: Option<String>,
    pub sector_label: &'static str,
    /// Whether the totals count it: a deal at or above the verification threshold counts once
    /// staff have verified its contract.
    pub counted: bool,
    /// Why it is not counted yet, if it is not.
    pub verification_label: Option<&'static str>,
}

impl SigningView {
    pub fn of(app: &App, row: SigningRow) -> Self {
        let (counted, verification_label) = match row.verification.as_deref() {
            None | Some("verified") => (true, None),
            Some("awaiting") => (false, Some("大额交易，合同核验后计入")),
            Some(_) => (false, Some("合同未通过核验，不计入")),
        };
        SigningView {
            amount_label: yuan(row.amount_fen),
            contract_type_label: ServiceType::parse(&row.contract_type).map_or("", |t| t.label()),
            stage_label: DealStage::parse(&row.stage).map_or("", |s| s.label()),
            category_label: row.category.as_deref().map_or("未归类", category_label),
            hall_name: row
                .hall_code
                .as_deref()
                .map_or_else(|| "未知".to_owned(), |h| hall_name(app, h)),
            sector_label: row.sector.as_deref().map_or("未归类", sector_label),
            counted,
            verification_label,
            id: row.id,
            title: row.title,
            buyer_name: row.buyer_name,
            seller_name: row.seller_name,
            amount_fen: row.amount_fen,
            contract_type: row.contract_type,
            stage: row.stage,
            session_id: row.session_id,
            session_title: row.session_title,
            project_id: row.project_id,
            category: row.category,
            hall_code: row.hall_code,
            sector: row.sector,
        }
    }
}

/// Signed deals and their amount in one group (a category, a hall or a sector).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = FairTally)]
pub struct TallyView {
    /// The category, the hall's code or the sector (empty: not attributed to a project).
    pub code: String,
    pub name: String,
    pub deals_signed: i64,
    pub deals_amount_fen: i64,
    pub deals_amount_label: String,
}

/// The edition's totals, from the ledger (`deal.signed` rows with source `fair:<id>`): a large
/// deal counts once verified, a terminated one is taken back.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = FairSigningTotals)]
pub struct TotalsView {
    pub deals_signed: i64,
    pub deals_amount_fen: i64,
    pub deals_amount_label: String,
    /// Every category, with zeros.
    pub by_category: Vec<TallyView>,
    /// By city (hall), those with signed deals.
    pub by_hall: Vec<TallyView>,
    /// By sector (industry), those with signed deals.
    pub by_sector: Vec<TallyView>,
}

impl TotalsView {
    pub fn of(app: &App, totals: &Totals) -> Self {
        let tally = |code: &str, name: String, t: Option<&service::Tally>| TallyView {
            code: code.to_owned(),
            name,
            deals_signed: t.map_or(0, |t| t.deals),
            deals_amount_fen: t.map_or(0, |t| t.amount_fen),
            deals_amount_label: yuan(t.map_or(0, |t| t.amount_fen)),
        };
        let mut by_category: Vec<TallyView> = Category::ALL
            .iter()
            .map(|c| {
                tally(
                    c.as_str(),
                    c.label().to_owned(),
                    totals.by_category.get(c.as_str()),
                )
            })
            .collect();
        if let Some(unknown) = totals.by_category.get("") {
            by_category.push(tally("", "未归类".to_owned(), Some(unknown)));
        }
        TotalsView {
            deals_signed: totals.all.deals,
            deals_amount_fen: totals.all.amount_fen,
            deals_amount_label: yuan(totals.all.amount_fen),
            by_category,
            by_hall: totals
                .by_hall
                .iter()
                .map(|(code, t)| tally(code, hall_name(app, code), Some(t)))
                .collect(),
            by_sector: totals
                .by_sector
                .iter()
                .map(|(code, t)| tally(code, sector_label(code).to_owned(), Some(t)))
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = FairSignings)]
pub struct SigningsResponse {
    pub items: Vec<SigningView>,
    pub total: i64,
    pub totals: TotalsView,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SigningParams {
    /// A hall: a city's code (5110), or 51 for province institutions.
    #[param(pattern = "^$|^51(\\d{2})?$")]
    pub hall: Option<String>,
    #[param(value_type = Option<FairCategoryFilter>)]
    pub category: Option<String>,
    /// 1-based page number.
    #[param(minimum = 1, maximum = 2147483647)]
    pub page: Option<u32>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

/// A hall's code as a filter: '51' or a city's four digits.
pub fn hall_ok(hall: &str) -> bool {
    hall == crate::fair::PROVINCE
        || (hall.len() == 4 && hall.starts_with("51") && hall.chars().all(|c| c.is_ascii_digit()))
}

impl SigningParams {
    pub fn filter(&self) -> Result<SigningFilter, AppError> {
        let given = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let mut errors = FieldErrors::new();
        let hall = given(&self.hall);
        if hall.as_deref().is_some_and(|h| !hall_ok(h)) {
            errors.add(
                "hall",
                "展厅应为市（州）代码（如 5110），或 51 表示省直单位",
            );
        }
        let category = given(&self.category);
        if let Some(c) = &category {
            errors.check("category", Category::parse(c));
        }
        errors.into_result()?;
        Ok(SigningFilter { hall, category })
    }

    pub fn paging(&self) -> Paging {
        Paging {
            page: self.page,
            per_page: self.per_page,
        }
    }
}

/// The collective-signing list: the edition's deals that were signed (signed, performing or
/// completed), newest first, with both parties, the amount, the session and the project's
/// category, hall and sector; and the edition's totals from the ledger.
#[utoipa::path(get, path = "/api/v1/fairs/{id}/signings", tag = "fairs",
    params(("id" = i64, Path, minimum = 1), SigningParams),
    responses((status = 200, body = SigningsResponse), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(params): ApiQuery<SigningParams>,
) -> Result<Json<SigningsResponse>, AppError> {
    let fair = find_fair(&app, id).await?;
    let filter = params.filter()?;
    let (rows, total) = store::signed_deals(&app.db, fair.id, &filter, params.paging()).await?;
    let totals = service::totals(&app, fair.id).await?;
    Ok(Json(SigningsResponse {
        items: rows.into_iter().map(|r| SigningView::of(&app, r)).collect(),
        total,
        totals: TotalsView::of(&app, &totals),
    }))
}
