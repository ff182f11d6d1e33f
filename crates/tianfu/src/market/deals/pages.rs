//! My deals: every deal I am a party to, with the moves I may make next.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tianfu_domain::{DealStage, Party};

use super::api::DealView;
use super::{service, store};
use crate::AppState;
use crate::platform::api::Paging;
use crate::platform::auth::{Actor, ClientIp, PageUser};
use crate::platform::clock::shanghai;
use crate::platform::error::AppError;
use crate::platform::page::{PageError, Pager};

pub struct Move {
    pub to: &'static str,
    pub label: String,
}

pub struct DealLine {
    pub view: DealView,
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
fn moves(row: &store::DealRow, party: Party) -> Vec<Move> {
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
            DealLine {
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
        service::transition(&app, &actor, &deal, &form.to, ip.as_deref()).await
    }
    .await;
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/me/deals#deal-{id}")).into_response()),
        Err(AppError::Internal(cause)) => {
            Err(PageError::new(AppError::Internal(cause), Some(actor)))
        }
        Err(refusal) => {
            let status = refusal.status();
            Ok((
                status,
                deals_page(
                    &app,
                    actor,
                    Paging {
                        page: None,
                        per_page: None,
                    },
                    Some(refusal.to_string()),
                )
                .await?,
            )
                .into_response())
        }
    }
}
