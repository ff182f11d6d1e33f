//! The edition's figures (数据统计): what was collected and selected, by category, city (hall)
//! and sector; meetings, interest and attendance; signed deals and amounts from the ledger; and
//! the six-month outcomes by city. Built from a few grouped queries and folded here.

use std::collections::BTreeMap;

use serde::Serialize;
use tianfu_domain::fair::{Category, Outcome};
use utoipa::ToSchema;

use super::store::{self, Attendance, MeetingGroup, OutcomeGroup, ProjectGroup};
use crate::App;
use crate::fair::signing::service::{Totals, hall_name, sector_label, yuan};
use crate::fair::signing::store::{SignedGroup, signed_totals};
use crate::fair::store::FairRow;
use crate::platform::error::AppError;

/// Counts per category.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
#[schema(as = FairCategoryCounts)]
pub struct CategoryCounts {
    pub technology: i64,
    pub achievement: i64,
    pub problem: i64,
}

impl CategoryCounts {
    fn add(&mut self, category: &str, n: i64) {
        match Category::parse(category) {
            Ok(Category::Technology) => self.technology += n,
            Ok(Category::Achievement) => self.achievement += n,
            Ok(Category::Problem) => self.problem += n,
            Err(_) => {}
        }
    }
}

/// Six-month answers per outcome, and those still awaited.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = FairOutcomeCounts)]
pub struct OutcomeCounts {
    pub none: i64,
    pub knowledge: i64,
    pub contact: i64,
    pub negotiating: i64,
    pub agreement: i64,
    pub pending: i64,
}

impl OutcomeCounts {
    fn add(&mut self, outcome: Option<&str>, n: i64) {
        match outcome.map(Outcome::parse) {
            None => self.pending += n,
            Some(Ok(Outcome::None)) => self.none += n,
            Some(Ok(Outcome::Knowledge)) => self.knowledge += n,
            Some(Ok(Outcome::Contact)) => self.contact += n,
            Some(Ok(Outcome::Negotiating)) => self.negotiating += n,
            Some(Ok(Outcome::Agreement)) => self.agreement += n,
            Some(Err(_)) => {}
        }
    }

    pub fn answered(&self) -> i64 {
        self.none + self.knowledge + self.contact + self.negotiating + self.agreement
    }

    /// The counts with their Chinese names, in the order the questionnaire lists them.
    pub fn labelled(&self) -> [(&'static str, i64); 5] {
        [
            (Outcome::None.label(), self.none),
            (Outcome::Knowledge.label(), self.knowledge),
            (Outcome::Contact.label(), self.contact),
            (Outcome::Negotiating.label(), self.negotiating),
            (Outcome::Agreement.label(), self.agreement),
        ]
    }
}

/// 1:1 meetings per status.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
#[schema(as = FairMeetingCounts)]
pub struct MeetingCounts {
    pub requested: i64,
    pub accepted: i64,
    pub declined: i64,
    pub expired: i64,
    pub cancelled: i64,
}

impl MeetingCounts {
    fn add(&mut self, status: &str, n: i64) {
        match status {
            "requested" => self.requested += n,
            "accepted" => self.accepted += n,
            "declined" => self.declined += n,
            "expired" => self.expired += n,
            "cancelled" => self.cancelled += n,
            _ => {}
        }
    }
}

/// One hall's (a city's, or the province institutions') figures.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
#[schema(as = FairRegionStats)]
pub struct RegionStats {
    /// The hall: a city's code, or 51 for the province's own institutions.
    pub region_code: String,
    pub name: String,
    pub collected: i64,
    pub selected: i64,
    pub deals_signed: i64,
    pub deals_amount_fen: i64,
    pub deals_amount_label: String,
    pub meetings_accepted: i64,
    pub outcomes: OutcomeCounts,
}

/// One category's or one sector's figures.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
#[schema(as = FairGroupStats)]
pub struct GroupStats {
    pub code: String,
    pub name: String,
    pub collected: i64,
    pub selected: i64,
    pub deals_signed: i64,
    pub deals_amount_fen: i64,
    pub deals_amount_label: String,
}

/// An edition's figures.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = FairStats)]
pub struct Stats {
    pub fair_id: i64,
    pub fair_name: String,
    /// Projects collected (not withdrawn).
    pub collected: i64,
    pub selected: i64,
    /// Selected projects per category.
    pub by_category: CategoryCounts,
    /// Collected projects per category.
    pub collected_by_category: CategoryCounts,
    /// Every hall with a project, a meeting, a deal or an outcome, by code.
    pub by_region: Vec<RegionStats>,
    /// Each category with its deals.
    pub categories: Vec<GroupStats>,
    /// Each sector with a project or a deal.
    pub by_sector: Vec<GroupStats>,
    /// From the ledger: a large deal counts once verified, a terminated one is taken back.
    pub deals_signed: i64,
    pub deals_amount_fen: i64,
    pub deals_amount_label: String,
    pub meetings: MeetingCounts,
    pub interests: i64,
    pub registrations: i64,
    pub check_ins: i64,
    pub outcomes: OutcomeCounts,
}

/// Everything the figures are folded from.
pub struct Parts {
    pub projects: Vec<ProjectGroup>,
    pub signed: Vec<SignedGroup>,
    pub meetings: Vec<MeetingGroup>,
    pub outcomes: Vec<OutcomeGroup>,
    pub attendance: Attendance,
}

/// Folds the grouped rows into the edition's figures; `hall_name` and `sector_name` name them.
pub fn fold(
    fair: &FairRow,
    parts: Parts,
    hall_name: impl Fn(&str) -> String,
    sector_name: impl Fn(&str) -> String,
) -> Stats {
    let mut halls: BTreeMap<String, RegionStats> = BTreeMap::new();
    fn hall_in<'a>(
        halls: &'a mut BTreeMap<String, RegionStats>,
        code: &str,
        name: &dyn Fn(&str) -> String,
    ) -> &'a mut RegionStats {
        halls.entry(code.to_owned()).or_insert_with(|| RegionStats {
            region_code: code.to_owned(),
            name: name(code),
            ..Default::default()
        })
    }
    fn group_in<'a>(
        groups: &'a mut BTreeMap<String, GroupStats>,
        code: &str,
        name: &dyn Fn(&str) -> String,
    ) -> &'a mut GroupStats {
        groups.entry(code.to_owned()).or_insert_with(|| GroupStats {
            code: code.to_owned(),
            name: name(code),
            ..Default::default()
        })
    }
    let mut categories: BTreeMap<String, GroupStats> = Category::ALL
        .iter()
        .map(|c| {
            let group = GroupStats {
                code: c.as_str().into(),
                name: c.label().into(),
                ..Default::default()
            };
            (c.as_str().to_owned(), group)
        })
        .collect();
    let unclassified = |_: &str| "未归类".to_owned();
    let mut sectors: BTreeMap<String, GroupStats> = BTreeMap::new();
    let (mut collected, mut selected) = (0, 0);
    let mut by_category = CategoryCounts::default();
    let mut collected_by_category = CategoryCounts::default();
    for g in &parts.projects {
        if g.status == "withdrawn" {
            continue;
        }
        let is_selected = g.status == "selected";
        let chosen = if is_selected { g.projects } else { 0 };
        collected += g.projects;
        selected += chosen;
        collected_by_category.add(&g.category, g.projects);
        by_category.add(&g.category, chosen);
        let h = hall_in(&mut halls, &g.hall_code, &hall_name);
        h.collected += g.projects;
        h.selected += chosen;
        let s = group_in(&mut sectors, &g.sector, &sector_name);
        s.collected += g.projects;
        s.selected += chosen;
        let c = group_in(&mut categories, &g.category, &unclassified);
        c.collected += g.projects;
        c.selected += chosen;
    }
    let totals = Totals::of(&parts.signed);
    for (code, t) in &totals.by_hall {
        let h = hall_in(&mut halls, code, &hall_name);
        h.deals_signed += t.deals;
        h.deals_amount_fen += t.amount_fen;
    }
    for (code, t) in &totals.by_sector {
        let s = group_in(&mut sectors, code, &sector_name);
        s.deals_signed += t.deals;
        s.deals_amount_fen += t.amount_fen;
    }
    for (code, t) in &totals.by_category {
        let c = group_in(&mut categories, code, &unclassified);
        c.deals_signed += t.deals;
        c.deals_amount_fen += t.amount_fen;
    }
    let mut meetings = MeetingCounts::default();
    for g in &parts.meetings {
        meetings.add(&g.status, g.meetings);
        if g.status == "accepted" {
            hall_in(&mut halls, &g.hall_code, &hall_name).meetings_accepted += g.meetings;
        }
    }
    let mut outcomes = OutcomeCounts::default();
    for g in &parts.outcomes {
        outcomes.add(g.outcome.as_deref(), g.answers);
        hall_in(&mut halls, &g.hall_code, &hall_name)
            .outcomes
            .add(g.outcome.as_deref(), g.answers);
    }
    let labelled = |mut g: GroupStats| {
        g.deals_amount_label = yuan(g.deals_amount_fen);
        g
    };
    Stats {
        fair_id: fair.id,
        fair_name: fair.name.clone(),
        collected,
        selected,
        by_category,
        collected_by_category,
        by_region: halls
            .into_values()
            .map(|mut h| {
                h.deals_amount_label = yuan(h.deals_amount_fen);
                h
            })
            .collect(),
        categories: categories.into_values().map(labelled).collect(),
        by_sector: sectors.into_values().map(labelled).collect(),
        deals_signed: totals.all.deals,
        deals_amount_fen: totals.all.amount_fen,
        deals_amount_label: yuan(totals.all.amount_fen),
        meetings,
        interests: parts.attendance.interests,
        registrations: parts.attendance.registrations,
        check_ins: parts.attendance.check_ins,
        outcomes,
    }
}

/// The edition's figures as they stand.
pub async fn build(app: &App, fair: &FairRow) -> Result<Stats, AppError> {
    let parts = Parts {
        projects: store::projects(&app.db, fair.id).await?,
        signed: signed_totals(&app.db, fair.id).await?,
        meetings: store::meetings(&app.db, fair.id).await?,
        outcomes: store::outcomes(&app.db, fair.id).await?,
        attendance: store::attendance(&app.db, fair.id).await?,
    };
    Ok(fold(
        fair,
        parts,
        |code| hall_name(app, code),
        |code| sector_label(code).to_owned(),
    ))
}
