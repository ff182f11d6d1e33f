//! The rules of a deal made at the fair, and the totals of the collective signing.

use std::collections::BTreeMap;

use tianfu_domain::FieldErrors;
use tianfu_domain::fair::{Category, Phase, Sector};

use super::store::{self, SignedGroup};
use crate::App;
use crate::fair::store as fair_store;
use crate::platform::error::AppError;

/// Checks the fair a new deal names (`fair_id`, `fair_session_id`), adding what is wrong to
/// `errors` by field: the edition exists and is in session or signing, one of the deal's
/// listings (`listings`) is a project selected for it, and the session is one of its own.
pub async fn check_deal(
    app: &App,
    fair_id: Option<i64>,
    session_id: Option<i64>,
    listings: &[i64],
    errors: &mut FieldErrors,
) -> Result<(), AppError> {
    let Some(fair_id) = fair_id else {
        if session_id.is_some() {
            errors.add(
                "fair_session_id",
                "指明活动时请同时指明所属科创会（fair_id）",
            );
        }
        return Ok(());
    };
    let Some(fair) = fair_store::find_fair(&app.db, fair_id).await? else {
        errors.add("fair_id", "科创会不存在");
        return Ok(());
    };
    let phase = fair.phase(app.clock.now());
    if !matches!(phase, Phase::InSession | Phase::Signing) {
        errors.add(
            "fair_id",
            format!(
                "只有会期和签约期内达成的交易可以计入科创会，{}现为“{}”阶段",
                fair.name,
                phase.label()
            ),
        );
    }
    let mut selected = false;
    for listing in listings {
        if fair_store::project_of_listing(&app.db, fair_id, *listing)
            .await?
            .is_some_and(|p| p.is_selected())
        {
            selected = true;
            break;
        }
    }
    if !selected && !listings.is_empty() {
        errors.add(
            "fair_id",
            "交易对应的科技所需、科技所能或科技成果须有一项是本届科创会的入选项目",
        );
    }
    if let Some(session_id) = session_id
        && store::session_fair(&app.db, session_id).await? != Some(fair_id)
    {
        errors.add("fair_session_id", "该活动不属于这届科创会");
    }
    Ok(())
}

/// How a page names a hall: the city's name, or 省直单位 for the province's own ('51').
pub fn hall_name(app: &App, code: &str) -> String {
    if code == crate::fair::PROVINCE {
        return "省直单位".to_owned();
    }
    app.regions
        .find(code)
        .map(|r| r.name.clone())
        .unwrap_or_else(|| {
            if code.is_empty() {
                "未知".to_owned()
            } else {
                code.to_owned()
            }
        })
}

/// Signed deals and amount of one group.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub deals: i64,
    pub amount_fen: i64,
}

impl Tally {
    fn add(&mut self, group: &SignedGroup) {
        self.deals += group.deals;
        self.amount_fen += group.amount_fen;
    }
}

/// The ledger's totals of an edition's signing, whole and by category, hall and sector.
#[derive(Debug, Clone, Default)]
pub struct Totals {
    pub all: Tally,
    pub by_category: BTreeMap<String, Tally>,
    pub by_hall: BTreeMap<String, Tally>,
    pub by_sector: BTreeMap<String, Tally>,
}

impl Totals {
    pub fn of(groups: &[SignedGroup]) -> Self {
        let mut totals = Totals::default();
        for g in groups {
            totals.all.add(g);
            let key = |v: &Option<String>| v.clone().unwrap_or_default();
            totals
                .by_category
                .entry(key(&g.category))
                .or_default()
                .add(g);
            totals.by_hall.entry(key(&g.hall_code)).or_default().add(g);
            totals.by_sector.entry(key(&g.sector)).or_default().add(g);
        }
        // A group whose deals all were taken back counts nothing.
        totals.by_hall.retain(|_, t| *t != Tally::default());
        totals.by_sector.retain(|_, t| *t != Tally::default());
        totals.by_category.retain(|_, t| *t != Tally::default());
        totals
    }
}

pub async fn totals(app: &App, fair_id: i64) -> Result<Totals, AppError> {
    Ok(Totals::of(&store::signed_totals(&app.db, fair_id).await?))
}

/// An amount as read in China ("12.50万元"); a sum netted below zero shows as zero.
pub fn yuan(fen: i64) -> String {
    tianfu_domain::Fen::new(fen.max(0))
        .map(|f| f.display_yuan())
        .unwrap_or_default()
}

pub fn category_label(code: &str) -> &'static str {
    Category::parse(code).map_or("未归类", Category::label)
}

pub fn sector_label(code: &str) -> &'static str {
    Sector::parse(code).map_or("未归类", Sector::label)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(hall: &str, category: &str, deals: i64, amount_fen: i64) -> SignedGroup {
        SignedGroup {
            hall_code: Some(hall.into()),
            category: Some(category.into()),
            sector: Some("agriculture".into()),
            deals,
            amount_fen,
        }
    }

    #[test]
    fn totals_add_up_by_each_dimension_and_drop_what_nets_to_nothing() {
        let totals = Totals::of(&[
            group("5110", "technology", 2, 300),
            group("5101", "technology", 1, 100),
            group("5101", "problem", 0, 0),
        ]);
        assert_eq!(
            totals.all,
            Tally {
                deals: 3,
                amount_fen: 400
            }
        );
        assert_eq!(totals.by_category["technology"].deals, 3);
        assert!(!totals.by_category.contains_key("problem"));
        assert_eq!(totals.by_hall["5101"].amount_fen, 100);
        assert_eq!(totals.by_sector["agriculture"].deals, 3);
    }
}
