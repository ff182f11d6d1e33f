//! 案例: a completed deal written up by one of its parties — title, story, lessons. One per deal
//! (a unique key); either party may edit it until it is put up for a rating.

use chrono::{DateTime, Utc};
use tianfu_domain::{FieldErrors, UserId};

use super::rules::{self, CaseText};
use crate::App;
use crate::market::deals::store as deals;
use crate::platform::api::Paging;
use crate::platform::auth::Actor;
use crate::platform::db::{Db, is_unique_violation};
use crate::platform::error::AppError;
use crate::platform::tx::Guarded;
use crate::{on_db, on_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CaseRow {
    pub id: i64,
    pub deal_id: i64,
    pub author_id: i64,
    pub author_name: String,
    pub title: String,
    pub story: String,
    pub lessons: String,
    pub region_code: String,
    pub buyer_id: i64,
    pub buyer_name: String,
    pub seller_id: i64,
    pub seller_name: String,
    pub amount_fen: i64,
    pub contract_type: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl CaseRow {
    pub fn is_party(&self, user: UserId) -> bool {
        self.buyer_id == user.0 || self.seller_id == user.0
    }
}

macro_rules! case_select {
    () => {
        "SELECT c.id, c.deal_id, c.author_id, a.name AS author_name, c.title, c.story, c.lessons, c.region_code, \
         d.buyer_id, b.name AS buyer_name, d.seller_id, s.name AS seller_name, d.amount_fen, d.contract_type, \
         c.created_at, c.updated_at FROM cases c JOIN deals d ON d.id = c.deal_id JOIN users a ON a.id = c.author_id \
         JOIN users b ON b.id = d.buyer_id JOIN users s ON s.id = d.seller_id "
    };
}

pub async fn find(db: &Db, id: i64) -> Result<Option<CaseRow>, sqlx::Error> {
    const SQL: &str = concat!(case_select!(), "WHERE c.id = $1");
    on_db!(db, pool => sqlx::query_as::<_, CaseRow>(SQL).bind(id).fetch_optional(pool).await)
}

pub async fn find_by_deal(db: &Db, deal: i64) -> Result<Option<CaseRow>, sqlx::Error> {
    const SQL: &str = concat!(case_select!(), "WHERE c.deal_id = $1");
    on_db!(db, pool => sqlx::query_as::<_, CaseRow>(SQL).bind(deal).fetch_optional(pool).await)
}

/// All cases, newest first (they are public once written).
pub async fn list(db: &Db, paging: Paging) -> Result<(Vec<CaseRow>, i64), sqlx::Error> {
    const SQL: &str = concat!(case_select!(), "ORDER BY c.id DESC LIMIT $1 OFFSET $2");
    on_db!(db, pool => {
        let rows = sqlx::query_as::<_, CaseRow>(SQL).bind(paging.limit()).bind(paging.offset()).fetch_all(pool).await?;
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cases").fetch_one(pool).await?;
        Ok((rows, total))
    })
}

/// The cases of deals the person is a party to.
pub async fn of_party(db: &Db, user: UserId) -> Result<Vec<CaseRow>, sqlx::Error> {
    const SQL: &str = concat!(
        case_select!(),
        "WHERE c.deal_id IN (SELECT id FROM deals WHERE buyer_id = $1 UNION SELECT id FROM deals WHERE seller_id = $1) \
         ORDER BY c.id DESC LIMIT 100"
    );
    on_db!(db, pool => sqlx::query_as::<_, CaseRow>(SQL).bind(user.0).fetch_all(pool).await)
}

/// The person's completed deals not yet written up: (deal id, title of what it was about).
pub async fn unwritten(db: &Db, user: UserId) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    const SQL: &str = "SELECT d.id, d.amount_fen FROM deals d WHERE (d.buyer_id = $1 OR d.seller_id = $1) \
         AND d.stage = 'completed' AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.deal_id = d.id) ORDER BY d.id DESC LIMIT 50";
    on_db!(db, pool => sqlx::query_as::<_, (i64, i64)>(SQL).bind(user.0).fetch_all(pool).await)
}

/// Writes up a completed deal: only its parties, only once it is completed, once per deal.
pub async fn create(
    app: &App,
    actor: &Actor,
    deal_id: Option<i64>,
    title: &str,
    story: &str,
    lessons: &str,
) -> Result<i64, AppError> {
    let mut errors = FieldErrors::new();
    let text = match rules::check_case(title, story, lessons) {
        Ok(text) => Some(text),
        Err(e) => {
            errors = e;
            None
        }
    };
    let deal = match deal_id {
        None => {
            errors.add("deal_id", "请指明案例对应的交易");
            None
        }
        Some(id) => deals::find(&app.db, id).await?,
    };
    if deal_id.is_some() && deal.is_none() {
        errors.add("deal_id", "交易不存在");
    }
    if let Some(deal) = &deal
        && deal.is_party(actor.id)
        && deal.stage != "completed"
    {
        errors.add("deal_id", "只有已完成的交易才能写成案例");
    }
    if let Some(deal) = &deal
        && !deal.is_party(actor.id)
    {
        return Err(AppError::Forbidden(
            "只有交易双方可以撰写该交易的案例".into(),
        ));
    }
    errors.into_result()?;
    let (deal, text) = (deal.expect("checked"), text.expect("checked"));
    insert(&app.db, &deal, actor.id, &text, app.clock.now()).await
}

async fn insert(
    db: &Db,
    deal: &deals::DealRow,
    author: UserId,
    text: &CaseText,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    const SQL: &str = "INSERT INTO cases (deal_id, author_id, title, story, lessons, region_code, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id";
    let other = if deal.buyer_id == author.0 {
        deal.seller_id
    } else {
        deal.buyer_id
    };
    let result: Result<i64, sqlx::Error> = async {
        let mut tx = db.begin().await?;
        let id: i64 = on_tx!(&mut tx, conn => sqlx::query_scalar(SQL)
            .bind(deal.id).bind(author.0).bind(&text.title).bind(&text.story).bind(&text.lessons)
            .bind(&deal.region_code).bind(now).fetch_one(&mut **conn).await)?;
        let note = format!(
            "交易 #{} 已被写成案例“{}”，您也可以补充修改",
            deal.id, text.title
        );
        tx.notify(other, &note, &format!("/cases/{id}"), now)
            .await?;
        tx.commit().await?;
        Ok(id)
    }
    .await;
    result.map_err(|error| {
        if is_unique_violation(&error, "cases", "deal_id") {
            AppError::Conflict {
                message: "该交易已有案例".into(),
                fields: FieldErrors::single("deal_id", "该交易已写成案例，请修改已有案例"),
            }
        } else {
            error.into()
        }
    })
}

/// Edits a case, guarded in one statement: not while a rating of it is under review or in force.
pub async fn update(
    app: &App,
    actor: &Actor,
    case: &CaseRow,
    text: &CaseText,
) -> Result<(), AppError> {
    if !case.is_party(actor.id) {
        return Err(AppError::Forbidden("只有交易双方可以修改该案例".into()));
    }
    const SQL: &str = "UPDATE cases SET title = $1, story = $2, lessons = $3, updated_at = $4 WHERE id = $5 \
         AND NOT EXISTS (SELECT 1 FROM ratings r WHERE r.subject_kind = 'case' AND r.subject_id = $5 \
         AND r.status IN ('county_review', 'city_review', 'province_review', 'approved'))";
    let changed = on_db!(&app.db, pool => sqlx::query(SQL).bind(&text.title).bind(&text.story).bind(&text.lessons)
        .bind(app.clock.now()).bind(case.id).execute(pool).await.map(|done| done.rows_affected()))?;
    match Guarded::of(changed) {
        Guarded::Changed => Ok(()),
        Guarded::Lost => Err(AppError::Conflict {
            message: "案例正在评审或已评定，不能修改".into(),
            fields: FieldErrors::single("title", "案例正在评审或已评定，不能修改"),
        }),
    }
}
