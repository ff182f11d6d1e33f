//! My deals: every deal I am a party to, as cards with where each stands; the moves a party
//! makes from a deal's page (`detail`), the contract file, and taking back a termination.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, Request, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tianfu_domain::{DealStage, Party};

use super::api::DealView;
use super::upload::ContractForm;
use super::{service, store};
use crate::AppState;
use crate::market::integrity::contracts;
use crate::platform::api::Paging;
use crate::platform::auth::{Actor, ClientIp, PageUser};
use crate::platform::clock::shanghai;
use crate::platform::done::{self, Done};
use crate::platform::error::AppError;
use crate::platform::page::{PageError, Pager};

pub struct Move {
    pub to: &'static str,
    pub label: String,
}

pub struct DealLine {
    pub view: DealView,
    pub steps: Vec<super::detail::Step>,
    pub role: &'static str,
    pub updated: String,
    pub moves: Vec<Move>,
    pub waiting_for_other: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "deals/list.html")]
pub struct DealsPage {
    me: Option<Actor>,
    deals: Vec<DealLine>,
    pager: Pager,
    error: Option<String>,
}

/// The moves the domain would accept from this party now, as buttons.
pub fn moves(row: &store::DealRow, party: Party) -> Vec<Move> {
    let Some(state) = row.state() else {
        return Vec::new();
    };
    DealStage::ALL
        .iter()
        .filter(|to| state.transition(party, **to).is_ok())
        .map(|to| Move {
            to: to.as_str(),
            label: match to {
                DealStage::Signed => "确认签约".to_owned(),
                DealStage::Terminated => "终止交易".to_owned(),
                other => format!("进入“{}”", other.label()),
            },
        })
        .collect()
}

async fn deals_page(
    app: &AppState,
    actor: Actor,
    paging: Paging,
    error: Option<String>,
) -> Result<DealsPage, PageError> {
    let (rows, total) = store::mine(&app.db, actor.id, paging).await?;
    let deals = rows
        .into_iter()
        .map(|row| {
            let party = if row.buyer_id == actor.id.0 {
                Party::Buyer
            } else {
                Party::Seller
            };
            let signed_by_me = if party == Party::Buyer {
                row.buyer_signed
            } else {
                row.seller_signed
            };
            let stage = DealStage::parse(&row.stage).unwrap_or(DealStage::Intent);
            let from = row
                .terminated_from
                .as_deref()
                .and_then(|s| DealStage::parse(s).ok());
            DealLine {
                steps: super::detail::progress(stage, from),
                role: if party == Party::Buyer {
                    "需求方"
                } else {
                    "供给方"
                },
                updated: shanghai(row.updated_at),
                moves: moves(&row, party),
                waiting_for_other: signed_by_me && row.stage == "negotiating",
                view: row.into(),
            }
        })
        .collect();
    Ok(DealsPage {
        me: Some(actor),
        deals,
        pager: Pager::new(paging.page(), paging.per_page(), total),
        error,
    })
}

pub async fn list(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    Query(paging): Query<Paging>,
) -> Result<DealsPage, PageError> {
    deals_page(&app, actor, paging, None).await
}

#[derive(Debug, Default, Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    to: String,
}

pub async fn transition(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    Form(form): Form<MoveForm>,
) -> Result<Response, PageError> {
    let outcome = async {
        let deal = service::visible(&app, &actor, id, ip.as_deref()).await?;
        if form.to == "undo" {
            service::undo_termination(&app, &actor, &deal).await?;
            return Ok(Done::DealRestored);
        }
        service::transition(&app, &actor, &deal, &form.to, ip.as_deref()).await?;
        let after = store::find(&app.db, id).await?;
        Ok(match after.as_ref().map(|d| d.stage.as_str()) {
            Some("terminated") => Done::DealTerminated,
            Some("negotiating") if form.to == "signed" => Done::DealSigned,
            _ => Done::DealMoved,
        })
    }
    .await;
    refused_or(&app, actor, id, ip.as_deref(), outcome).await
}

/// After an action: to the deal's page with what happened, or the page again with the refusal.
async fn refused_or(
    app: &AppState,
    actor: Actor,
    id: i64,
    ip: Option<&str>,
    outcome: Result<Done, AppError>,
) -> Result<Response, PageError> {
    match outcome {
        Ok(done) => Ok(done::redirect(&format!("/me/deals/{id}"), done).into_response()),
        Err(AppError::Internal(cause)) => {
            Err(PageError::new(AppError::Internal(cause), Some(actor)))
        }
        Err(refusal) => {
            let status = refusal.status();
            let message = refusal
                .fields()
                .into_values()
                .next()
                .unwrap_or_else(|| refusal.to_string());
            let page = super::detail::page(app, actor, id, ip, None, Some(message)).await?;
            Ok((status, page).into_response())
        }
    }
}

/// The contract file chosen on the deal's page (a multipart form, read as `propose` reads its
/// own: `upload::ContractForm`).
pub async fn upload_contract(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    request: Request,
) -> Result<Response, PageError> {
    let outcome = async {
        let deal = service::visible(&app, &actor, id, ip.as_deref()).await?;
        if !deal.is_party(actor.id) {
            return Err(AppError::Forbidden("只有交易双方可以上传合同".into()));
        }
        let form = ContractForm::read(request, &app).await?;
        contracts::store(&app, id, actor.id.0, form.required_contract()?).await?;
        Ok(Done::ContractUploaded)
    }
    .await;
    refused_or(&app, actor, id, ip.as_deref(), outcome).await
}
