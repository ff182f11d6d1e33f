//! The 科普员 coverage map in a real browser: 内江's staff see their counties coloured by the
//! share of townships with a 科普员 and click down into one; a county's staff cannot go up.

use reqwest::StatusCode;
use serde_json::json;

use crate::browser::run_script;
use crate::common::{PASSWORD, TestApp};
use crate::on_both_databases;

/// 东兴区 (内江市) and two of its 19 townships.
const COUNTY: &str = "511011";

async fn kepu_staff_see_the_coverage_map_and_open_a_county(app: TestApp) {
    let city_phone = app.staff_member("5110", "kepu", "内江市科普工作人员").await;
    let county_phone = app.staff_member(COUNTY, "kepu", "东兴区科普工作人员").await;
    let county = app.login(&county_phone).await;
    for (name, township) in [
        ("甲", "511011001"),
        ("乙", "511011001"),
        ("丙", "511011002"),
    ] {
        let (_, phone) = app.register("public", name, COUNTY).await;
        let (status, body) = app
            .post(
                "/api/v1/kepu/sharers",
                &json!({"phone": phone, "region_code": township}),
                Some(&county),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (_, coverage) = app
        .get("/api/v1/kepu/sharers/coverage", Some(&county))
        .await;
    let townships = coverage["townships"].as_f64().unwrap();
    let share = (2.0 * 1000.0 / townships).round() / 10.0;
    let label = format!("{:?}", app.backend).to_lowercase();
    let stdout = run_script(
        "kepu_coverage_map.mjs",
        vec![
            app.url.clone(),
            city_phone,
            county_phone,
            PASSWORD.into(),
            COUNTY.into(),
            share.to_string(),
            label,
        ],
    )
    .await;
    assert!(
        stdout.contains("the county cannot open the city's page"),
        "{stdout}"
    );
}

on_both_databases!(kepu_staff_see_the_coverage_map_and_open_a_county);
