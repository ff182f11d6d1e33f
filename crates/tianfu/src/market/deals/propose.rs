//! Proposing a deal from a conversation (洽谈), by either side: the form starts from the
//! listing (its contract kind and price), takes the scope, the dates and the contract file, and
//! lets the side that needs name the need it answers — so that signing closes that need's
//! nanny ticket whichever listing the conversation was about.

use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Response};
use tianfu_domain::{Fen, ListingKind, ServiceType};

use super::service::{self, DealInput, TermsInput};
use super::upload::ContractForm;
use crate::market::inquiries::store::InquiryRow;
use crate::market::integrity::contracts;
use crate::platform::auth::{Actor, ClientIp, PageUser};
use crate::platform::done::{self, Done};
use crate::platform::error::AppError;
use crate::platform::page::PageError;
use crate::{App, AppState, on_db};

/// What the deal form shows: the values to start from (or those typed into a refused form), the
/// needs the deal may answer, and the deals already grown from this conversation.
pub struct DealForm {
    pub open: bool,
    pub contract_type: String,
    pub amount_yuan: String,
    pub scope: String,
    pub starts_on: String,
    pub ends_on: String,
    /// The need this deal answers ("" for none).
    pub need_id: String,
    /// The needing side's published needs (id, title), when the conversation is about a
    /// capability or an achievement.
    pub needs: Vec<(i64, String)>,
    pub service_types: &'static [ServiceType],
    /// (deal id, stage label, amount) of the deals made from this conversation.
    pub deals: Vec<(i64, String, String)>,
}

impl DealForm {
    pub fn is_type(&self, t: &ServiceType) -> bool {
        self.contract_type == t.as_str()
    }

    pub fn is_need(&self, id: i64) -> bool {
        self.need_id == id.to_string()
    }
}

/// What was typed into the form.
#[derive(Debug, Default, Clone)]
pub struct Typed {
    pub contract_type: String,
    pub amount_yuan: String,
    pub scope: String,
    pub starts_on: String,
    pub ends_on: String,
    pub need_id: String,
    pub fair_id: String,
}

impl Typed {
    fn from_form(form: &ContractForm) -> Self {
        let get = |name: &str| form.field(name);
        Typed {
            contract_type: get("contract_type"),
            amount_yuan: get("amount_yuan"),
            scope: get("scope"),
            starts_on: get("starts_on"),
            ends_on: get("ends_on"),
            need_id: get("need_id"),
            fair_id: get("fair_id"),
        }
    }
}

/// The form for a thread: from what was typed, else from the listing.
pub async fn form(app: &App, row: &InquiryRow, typed: Option<Typed>) -> Result<DealForm, AppError> {
    let listing = crate::market::store::find(&app.db, row.listing_id).await?;
    let kind = ListingKind::parse(&row.listing_kind).ok();
    // The side that needs: the owner of a need, else whoever asked about the capability.
    let needing = if kind == Some(ListingKind::Need) {
        None
    } else {
        Some(row.requester_id)
    };
    let needs: Vec<(i64, String)> = match needing {
        Some(owner) => on_db!(&app.db, pool => sqlx::query_as(
            "SELECT id, title FROM listings WHERE owner_id = $1 AND kind = 'need' AND status = 'published' ORDER BY id DESC LIMIT 20")
            .bind(owner).fetch_all(pool).await)?,
        None => Vec::new(),
    };
    let deals: Vec<(i64, String, i64)> = on_db!(&app.db, pool => sqlx::query_as(
        "SELECT id, stage, amount_fen FROM deals WHERE inquiry_id = $1 ORDER BY id")
        .bind(row.id).fetch_all(pool).await)?;
    let deals = deals
        .into_iter()
        .map(|(id, stage, fen)| {
            (
                id,
                tianfu_domain::DealStage::parse(&stage)
                    .map(|s| s.label().to_owned())
                    .unwrap_or(stage),
                Fen::new(fen).map(|f| f.display_yuan()).unwrap_or_default(),
            )
        })
        .collect();
    let (open, typed) = match typed {
        Some(typed) => (true, typed),
        None => {
            // A need the platform recommended this listing for is the likeliest answer.
            let recommended: Option<i64> = if needs.is_empty() {
                None
            } else {
                on_db!(&app.db, pool => sqlx::query_scalar(
                    "SELECT r.for_listing FROM recommendations r JOIN listings l ON l.id = r.for_listing \
                     WHERE r.listing_id = $1 AND l.owner_id = $2 AND l.kind = 'need' AND l.status = 'published' ORDER BY r.id DESC LIMIT 1")
                    .bind(row.listing_id).bind(row.requester_id).fetch_optional(pool).await)?
            };
            let listing = listing.as_ref();
            (
                false,
                Typed {
                    contract_type: listing
                        .and_then(|l| l.service_type.clone())
                        .unwrap_or_else(|| default_contract(kind).to_owned()),
                    amount_yuan: listing
                        .and_then(|l| l.price_fen)
                        .filter(|fen| *fen > 0)
                        .map(format_yuan)
                        .unwrap_or_default(),
                    need_id: recommended.map(|id| id.to_string()).unwrap_or_default(),
                    ..Typed::default()
                },
            )
        }
    };
    Ok(DealForm {
        open,
        contract_type: typed.contract_type,
        amount_yuan: typed.amount_yuan,
        scope: typed.scope,
        starts_on: typed.starts_on,
        ends_on: typed.ends_on,
        need_id: typed.need_id,
        needs,
        service_types: ServiceType::ALL,
        deals,
    })
}

/// The usual contract for a listing without a stated kind: an achievement is transferred, a
/// need's problem is solved by development.
fn default_contract(kind: Option<ListingKind>) -> &'static str {
    match kind {
        Some(ListingKind::Achievement) => "transfer",
        _ => "development",
    }
}

/// Fen as the yuan a person types: 80000, or 80000.5.
fn format_yuan(fen: i64) -> String {
    if fen % 100 == 0 {
        (fen / 100).to_string()
    } else {
        format!("{}.{:02}", fen / 100, fen % 100)
    }
}

/// Creates the deal from what was submitted; the contract file is checked before anything is
/// stored, and kept once the deal exists.
async fn create(
    app: &App,
    actor: &Actor,
    row: &InquiryRow,
    typed: &Typed,
    form: &ContractForm,
) -> Result<i64, AppError> {
    let file = form.contract()?;
    let amount =
        Fen::parse_yuan(&typed.amount_yuan).map_err(|e| AppError::validation("amount_fen", e))?;
    let kind = ListingKind::parse(&row.listing_kind).map_err(|_| AppError::not_found("内容"))?;
    let listing = Some(row.listing_id);
    let answered_need = match typed.need_id.trim() {
        "" => None,
        text => Some(
            text.parse::<i64>()
                .map_err(|_| AppError::validation("need_id", "请选择一项需求"))?,
        ),
    };
    let input = DealInput {
        need_id: if kind == ListingKind::Need {
            listing
        } else {
            answered_need
        },
        offer_id: (kind == ListingKind::Offer).then_some(row.listing_id),
        achievement_id: (kind == ListingKind::Achievement).then_some(row.listing_id),
        inquiry_id: Some(row.id),
        contract_type: typed.contract_type.clone(),
        amount_fen: Some(amount.get()),
        fair_id: typed.fair_id.trim().parse().ok(),
        fair_session_id: None,
        terms: TermsInput {
            scope: Some(typed.scope.clone()),
            starts_on: Some(typed.starts_on.clone()),
            ends_on: Some(typed.ends_on.clone()),
        },
    };
    let deal = service::create(app, actor, input).await?;
    if let Some(bytes) = file {
        contracts::store(app, deal, actor.id.0, bytes).await?;
    }
    Ok(deal)
}

/// `POST /me/inquiries/{id}/deal`: the thread's 签订交易 form.
pub async fn propose(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    request: Request,
) -> Result<Response, PageError> {
    let row = crate::market::inquiries::service::participant(&app, &actor, id, ip.as_deref())
        .await
        .map_err(|e| PageError::new(e, Some(actor.clone())))?;
    let (typed, outcome) = match ContractForm::read(request, &app).await {
        Ok(form) => {
            let typed = Typed::from_form(&form);
            let outcome = create(&app, &actor, &row, &typed, &form).await;
            (typed, outcome)
        }
        Err(refusal) => (Typed::default(), Err(refusal)),
    };
    match outcome {
        Ok(deal) => {
            Ok(done::redirect(&format!("/me/deals/{deal}"), Done::DealProposed).into_response())
        }
        Err(AppError::Internal(cause)) => {
            Err(PageError::new(AppError::Internal(cause), Some(actor)))
        }
        Err(refusal) => {
            let message = refusal
                .fields()
                .into_values()
                .next()
                .unwrap_or_else(|| refusal.to_string());
            let status = refusal.status();
            let page = crate::market::inquiries::pages::thread(
                &app,
                actor,
                id,
                ip.as_deref(),
                Some(message),
                Some(typed),
            )
            .await?;
            Ok((status, page).into_response())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_read_back_as_typed() {
        assert_eq!(format_yuan(8_000_000), "80000");
        assert_eq!(format_yuan(8_000_050), "80000.50");
        assert_eq!(default_contract(Some(ListingKind::Achievement)), "transfer");
        assert_eq!(default_contract(Some(ListingKind::Need)), "development");
    }
}
