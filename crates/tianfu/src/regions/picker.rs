//! The cascading province → city → county → township select used by every form that asks for a
//! region.
//!
//! Without JavaScript the county list offers every county of the chosen province grouped by
//! city, so the form still works; with htmx, choosing a province or city re-renders the picker
//! from `/regions/picker` and narrows the lists, and choosing a county adds the optional fourth
//! select of its townships (乡镇/街道). Three thousand townships are too many to offer without
//! a county, so without JavaScript the township select appears only once a county was sent
//! (the form came back) — and a person may add it later on `/me/profile`.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use serde::Deserialize;
use tianfu_domain::{FieldErrors, RegionCode, RegionLevel};

use super::tree::{Region, RegionTree};
use crate::AppState;
use crate::platform::api::ApiQuery;
use crate::platform::error::AppError;

#[derive(Debug, Default, Clone, Deserialize)]
pub struct PickerInput {
    #[serde(default)]
    pub province: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub county: String,
    #[serde(default)]
    pub township: String,
}

pub struct Choice {
    pub code: String,
    pub name: String,
    pub selected: bool,
}

pub struct CountyGroup {
    pub city: String,
    pub counties: Vec<Choice>,
}

/// What the picker template draws.
pub struct Picker {
    pub provinces: Vec<Choice>,
    pub cities: Vec<Choice>,
    pub county_groups: Vec<CountyGroup>,
    /// The chosen county's townships; empty until a county is chosen (and for Chongqing's).
    pub townships: Vec<Choice>,
    pub error: Option<String>,
}

impl Picker {
    /// Draws the picker for what was chosen so far. Choices that do not fit the level above
    /// (a city of another province) are dropped rather than kept silently wrong.
    pub fn new(tree: &RegionTree, input: &PickerInput, error: Option<String>) -> Self {
        let province = tree
            .find(&input.province)
            .filter(|r| r.parent.is_none())
            .map(|r| r.code.clone());
        let province = province.or_else(|| RegionCode::parse("51").ok());
        let city = tree
            .find(&input.city)
            .map(|r| r.code.clone())
            .filter(|c| province.as_ref().is_some_and(|p| p.contains(c) && p != c));
        let county = tree
            .find(&input.county)
            .filter(|r| r.level() == RegionLevel::County)
            .map(|r| r.code.clone());
        let township = tree
            .find(&input.township)
            .map(|r| r.code.clone())
            .filter(|t| county.as_ref().is_some_and(|c| c.contains(t) && c != t));
        let choice = |code: &RegionCode, name: &str, selected: Option<&RegionCode>| Choice {
            code: code.to_string(),
            name: name.to_owned(),
            selected: selected == Some(code),
        };
        let provinces = tree
            .provinces()
            .into_iter()
            .map(|r| choice(&r.code, &r.name, province.as_ref()))
            .collect();
        let cities_of_province = tree.children(province.as_ref());
        let cities = cities_of_province
            .iter()
            .map(|r| choice(&r.code, &r.name, city.as_ref()))
            .collect();
        let county_groups = cities_of_province
            .iter()
            .filter(|c| city.as_ref().is_none_or(|chosen| chosen == &c.code))
            .map(|c| CountyGroup {
                city: c.name.clone(),
                counties: tree
                    .children(Some(&c.code))
                    .into_iter()
                    .map(|r| choice(&r.code, &r.name, county.as_ref()))
                    .collect(),
            })
            .collect();
        let townships = match &county {
            Some(county) => tree
                .children(Some(county))
                .into_iter()
                .map(|r| choice(&r.code, &r.name, township.as_ref()))
                .collect(),
            None => Vec::new(),
        };
        Picker {
            provinces,
            cities,
            county_groups,
            townships,
            error,
        }
    }
}

/// Resolves the chosen region: the township if one was chosen, else the county, else the city,
/// else the province. Reports the problem under `region_code`, the field the API uses for the
/// same thing.
pub fn resolve(
    tree: &RegionTree,
    input: &PickerInput,
    errors: &mut FieldErrors,
) -> Option<RegionCode> {
    let province = tree.find(&input.province).filter(|r| r.parent.is_none());
    let city = tree.find(&input.city);
    let county = tree.find(&input.county);
    let township = tree.find(&input.township);
    let Some(chosen) = township.or(county).or(city).or(province) else {
        errors.add("region_code", "请选择所在地区");
        return None;
    };
    let consistent = |above: [Option<&Region>; 2]| {
        above
            .into_iter()
            .flatten()
            .all(|r| r.code.contains(&chosen.code))
    };
    if !consistent([province, city]) {
        errors.add("region_code", "所选区县不属于所选市州，请重新选择");
        return None;
    }
    if !consistent([county, None]) {
        errors.add("region_code", "所选乡镇（街道）不属于所选区县，请重新选择");
        return None;
    }
    Some(chosen.code.clone())
}

#[derive(Template, WebTemplate)]
#[template(path = "regions/picker_fragment.html")]
pub struct PickerFragment {
    pub picker: Picker,
}

pub async fn fragment(
    State(app): State<AppState>,
    ApiQuery(input): ApiQuery<PickerInput>,
) -> Result<PickerFragment, AppError> {
    Ok(PickerFragment {
        picker: Picker::new(&app.regions, &input, None),
    })
}
