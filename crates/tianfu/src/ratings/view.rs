//! Ratings and cases as the API and the pages show them.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tianfu_domain::Fen;
use utoipa::ToSchema;

use super::cases::CaseRow;
use super::criteria::Figure;
use super::rules::{Level, Status, SubjectKind, badge};
use super::store::{self, DecisionRow, RatingRow};
use crate::App;
use crate::platform::clock::shanghai;
use crate::platform::error::AppError;

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = RatingDecisionView)]
pub struct DecisionView {
    /// apply, county, city, province or revoke.
    pub step: String,
    /// apply, nominate, approve, reject or revoke.
    pub decision: String,
    pub label: String,
    pub reason: Option<String>,
    pub actor_name: String,
    pub at: DateTime<Utc>,
}

impl From<DecisionRow> for DecisionView {
    fn from(row: DecisionRow) -> Self {
        let step = match row.step.as_str() {
            "county" => "县级审核",
            "city" => "市级审核",
            "province" => "省级审核",
            "revoke" => "撤销",
            _ => "申报",
        };
        let outcome = match row.decision.as_str() {
            "approve" => "通过",
            "reject" => "不通过",
            "nominate" => "工作人员提名",
            "apply" => "本人申报",
            _ => "",
        };
        DecisionView {
            label: format!(
                "{step}{}{outcome}",
                if outcome.is_empty() { "" } else { "·" }
            ),
            step: row.step,
            decision: row.decision,
            reason: row.reason,
            actor_name: row.actor_name,
            at: row.at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = RatingView)]
pub struct RatingView {
    pub id: i64,
    /// studio or case.
    pub subject_kind: String,
    pub subject_id: i64,
    pub subject_name: String,
    /// The subject's public page.
    pub subject_link: String,
    /// typical (典型) or excellent (精品).
    pub level: String,
    pub level_label: String,
    pub year: i32,
    /// e.g. 2026年度精品科创工作室.
    pub badge: String,
    pub region_code: String,
    pub region_name: String,
    /// county_review, city_review, province_review, approved, rejected or revoked.
    pub status: String,
    pub status_label: String,
    /// Put forward by staff rather than applied for by the owner.
    pub nominated: bool,
    pub statement: String,
    /// Why it was rejected or revoked.
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    /// The figures from the platform's records (detail only).
    pub figures: Vec<Figure>,
    /// Every step taken so far (detail only).
    pub decisions: Vec<DecisionView>,
    /// Shown in Beijing time.
    #[serde(skip)]
    pub created_label: String,
}

impl RatingView {
    pub fn new(app: &App, row: RatingRow) -> Self {
        let kind = row.kind().unwrap_or(SubjectKind::Studio);
        let level = row.level().unwrap_or(Level::Typical);
        let status = row.status().unwrap_or(Status::Rejected);
        RatingView {
            subject_link: match kind {
                SubjectKind::Studio => format!("/studios/{}", row.subject_id),
                SubjectKind::Case => format!("/cases/{}", row.subject_id),
            },
            level_label: level.label().to_owned(),
            badge: badge(row.year, level, kind),
            region_name: app.regions.full_name_of(&row.region_code),
            status_label: status.label().to_owned(),
            created_label: shanghai(row.created_at),
            id: row.id,
            subject_kind: row.subject_kind,
            subject_id: row.subject_id,
            subject_name: row.subject_name,
            level: row.level,
            year: row.year,
            region_code: row.region_code,
            status: row.status,
            nominated: row.nominated,
            statement: row.statement,
            reason: row.reason,
            created_at: row.created_at,
            decided_at: row.decided_at,
            figures: Vec::new(),
            decisions: Vec::new(),
        }
    }

    /// With the figures and the steps taken, for one rating.
    pub async fn full(app: &App, row: RatingRow) -> Result<Self, AppError> {
        let subject = match row.kind() {
            Some(kind) => super::service::subject(app, kind, row.subject_id).await?,
            None => None,
        };
        let decisions = store::decisions(&app.db, row.id).await?;
        let mut view = RatingView::new(app, row);
        if let Some(subject) = subject {
            view.figures = subject.figures(app).await?;
        }
        view.decisions = decisions.into_iter().map(DecisionView::from).collect();
        Ok(view)
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = CaseView)]
pub struct CaseView {
    pub id: i64,
    pub deal_id: i64,
    pub author_id: i64,
    pub author_name: String,
    pub title: String,
    pub story: String,
    pub lessons: String,
    pub region_code: String,
    pub region_name: String,
    pub buyer_name: String,
    pub seller_name: String,
    pub amount_fen: i64,
    pub amount_label: String,
    /// Its ratings in force, e.g. 2026年度典型案例.
    pub badges: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl CaseView {
    pub async fn new(app: &App, row: CaseRow) -> Result<Self, AppError> {
        let badges = store::in_force(&app.db, SubjectKind::Case, row.id)
            .await?
            .into_iter()
            .filter_map(|(year, level)| {
                Level::parse(&level)
                    .ok()
                    .map(|l| badge(year, l, SubjectKind::Case))
            })
            .collect();
        Ok(CaseView {
            region_name: app.regions.full_name_of(&row.region_code),
            amount_label: Fen::new(row.amount_fen)
                .map(|f| f.display_yuan())
                .unwrap_or_default(),
            badges,
            id: row.id,
            deal_id: row.deal_id,
            author_id: row.author_id,
            author_name: row.author_name,
            title: row.title,
            story: row.story,
            lessons: row.lessons,
            region_code: row.region_code,
            buyer_name: row.buyer_name,
            seller_name: row.seller_name,
            amount_fen: row.amount_fen,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

/// A studio's badges, for its page: every rating in force, newest year first.
pub async fn studio_badges(app: &App, studio: i64) -> Result<Vec<String>, AppError> {
    Ok(store::in_force(&app.db, SubjectKind::Studio, studio)
        .await?
        .into_iter()
        .filter_map(|(year, level)| {
            Level::parse(&level)
                .ok()
                .map(|l| badge(year, l, SubjectKind::Studio))
        })
        .collect())
}
