//! 月研月报: issued on the 1st for the month just ended, kept as issued; a correction is a new
//! version with its reason; staff read only their subtree's reports.

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::on_both_databases;

on_both_databases!(
    an_issued_report_is_unchanged_after_new_events,
    without_a_system_a_county_issues_its_missing_report_unranked,
);

/// The month before this one (Beijing time): first and last day, and its key.
fn last_month(app: &TestApp) -> (NaiveDate, NaiveDate, String) {
    let today = (app.app.clock.now() + Duration::hours(8)).date_naive();
    let first_of_this = today.with_day(1).unwrap();
    let to = first_of_this.pred_opt().unwrap();
    let from = to.with_day(1).unwrap();
    (from, to, from.format("%Y-%m").to_string())
}

/// Books `n` signed deals of 1,000 yuan in `county` on the 10th of the month starting `from`.
async fn sign_deals(app: &TestApp, county: &str, from: NaiveDate, n: i64, first_id: i64) {
    let region = tianfu_domain::RegionCode::parse(county).unwrap();
    let at = Utc.from_utc_datetime(&(from + Duration::days(9)).and_hms_opt(4, 0, 0).unwrap());
    let mut tx = app.app.db.begin().await.unwrap();
    for id in first_id..first_id + n {
        let event =
            tianfu::ledger::Event::new(tianfu::ledger::EventKind::DealSigned, &region, "deal", id)
                .amount(100_000);
        tx.record(at, &event).await.unwrap();
    }
    tx.commit().await.unwrap();
    app.settle().await;
}

async fn text(app: &TestApp, path: &str, token: &str) -> (StatusCode, String) {
    app.settle().await;
    let response = app
        .client
        .get(format!("{}{path}", app.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

fn deals(report: &Value) -> f64 {
    report["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["metric"] == "deals_signed")
        .expect("deals_signed")["value"]
        .as_f64()
        .unwrap()
}

async fn an_issued_report_is_unchanged_after_new_events(app: TestApp) {
    let (from, to, month) = last_month(&app);
    let admin = app.admin().await;
    let year = from.year();
    let (_, template) = app
        .get(&format!("/api/v1/admin/indicators/{year}"), Some(&admin))
        .await;
    let system = json!({"indicators": template["indicators"], "note": "测试体系",
        "targets": [{"region_code": "5110", "metric": "deals_signed", "value": 120.0},
                    {"region_code": "5101", "metric": "deals_signed", "value": 1200.0}]});
    let put = app
        .client
        .put(format!("{}/api/v1/admin/indicators/{year}", app.url))
        .bearer_auth(&admin)
        .json(&system)
        .send()
        .await
        .unwrap();
    assert_eq!(
        put.status(),
        StatusCode::OK,
        "{}",
        put.text().await.unwrap()
    );
    sign_deals(&app, "511011", from, 3, 1).await;
    sign_deals(&app, "510104", from, 1, 100).await;

    // The job of the 1st: scores published, then every region's report issued.
    let started = std::time::Instant::now();
    let done = tianfu::performance::monthly::tick(&app.app).await.unwrap();
    assert!(
        done.iter()
            .any(|d| d.starts_with(&format!("reports:{month} (205)"))),
        "{done:?} in {:?}",
        started.elapsed()
    );
    assert_eq!(app.count("monthly_reports").await, 205);
    assert!(
        tianfu::performance::monthly::tick(&app.app)
            .await
            .unwrap()
            .is_empty(),
        "idempotent"
    );

    let county = app.staff("511011", "worker").await;
    let path = format!("/api/v1/reports/511011/{month}");
    let (status, issued) = text(&app, &path, &county).await;
    assert_eq!(status, StatusCode::OK, "{issued}");
    let report: Value = serde_json::from_str(&issued).unwrap();
    assert_eq!(report["version"], 1);
    assert_eq!(deals(&report), 3.0, "{report}");
    assert!(report["score"]["rank"].as_u64().is_some(), "{report}");
    assert!(
        report["summary"].as_str().unwrap().contains("签约交易3"),
        "{report}"
    );
    // The same figure as the stats API for the same region and month.
    let (_, stats) = app
        .get(
            &format!("/api/v1/stats/regions/511011?from={from}&to={to}"),
            Some(&county),
        )
        .await;
    assert_eq!(
        stats["metrics"]["deals_signed"].as_f64(),
        Some(deals(&report)),
        "{stats}"
    );

    // The city's report ranks its counties; the province's its 21 cities.
    let city = app.staff("5110", "worker").await;
    let (_, city_report) = app
        .get(&format!("/api/v1/reports/5110/{month}"), Some(&city))
        .await;
    assert_eq!(deals(&city_report), 3.0);
    assert!(
        !city_report["ranking"].as_array().unwrap().is_empty(),
        "{city_report}"
    );
    let (_, province) = app
        .get(&format!("/api/v1/reports/51/{month}"), Some(&admin))
        .await;
    assert_eq!(province["ranking"].as_array().unwrap().len(), 21);
    assert_eq!(deals(&province), 4.0);

    // Another county's staff: refused; the list shows a county its own report only.
    let other = app.staff("510104", "worker").await;
    let (status, _) = app.get(&path, Some(&other)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, listed) = app
        .get(&format!("/api/v1/reports?month={month}"), Some(&county))
        .await;
    assert_eq!(listed["total"], 1, "{listed}");
    let (_, listed) = app
        .get("/api/v1/reports?region_code=5110", Some(&city))
        .await;
    assert_eq!(
        listed["total"],
        1 + 5,
        "the city and its five counties: {listed}"
    );

    // A late event of that month: the issued report does not move.
    sign_deals(&app, "511011", from, 1, 50).await;
    let (_, again) = text(&app, &path, &county).await;
    assert_eq!(again, issued, "an issued report never changes");

    // A correction: version 2, recomputed, with its reason; version 1 stays as issued.
    let corrections = format!("{path}/corrections");
    let (status, refused) = app
        .post(&corrections, &json!({"reason": "补"}), Some(&county))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let (status, _) = app
        .post(
            &corrections,
            &json!({"reason": "补录一项签约"}),
            Some(&other),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, corrected) = app
        .post(
            &corrections,
            &json!({"reason": "补录一项签约"}),
            Some(&county),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{corrected}");
    assert_eq!(corrected["version"], 2);
    assert_eq!(corrected["reason"], "补录一项签约");
    assert_eq!(deals(&corrected), 4.0);
    let (_, latest) = app.get(&path, Some(&county)).await;
    assert_eq!(latest["version"], 2);
    let (_, first) = text(&app, &format!("{path}?version=1"), &county).await;
    assert_eq!(first, issued);

    // The printable page shows both versions and the reason; the Excel file is a workbook.
    let (status, page) = text(&app, &format!("/admin/reports/511011/{month}"), &county).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("第2版") && page.contains("补录一项签约") && page.contains("data-print"));
    let response = app
        .client
        .get(format!("{}/admin/reports/511011/{month}.xlsx", app.url))
        .bearer_auth(&county)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(disposition.contains("filename*=UTF-8''"), "{disposition}");
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK"), "an xlsx is a zip");
    let (status, _) = text(&app, &format!("/admin/reports/511011/{month}.xlsx"), &other).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn without_a_system_a_county_issues_its_missing_report_unranked(app: TestApp) {
    let (from, _, month) = last_month(&app);
    sign_deals(&app, "511024", from, 2, 1).await;
    let county = app.staff("511024", "org").await;
    let path = format!("/api/v1/reports/511024/{month}");
    let (status, _) = app.get(&path, Some(&county)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not issued yet");
    let (status, report) = app.post(&path, &json!({}), Some(&county)).await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    assert_eq!(deals(&report), 2.0);
    assert!(report["score"].is_null() && report["ranking"].as_array().unwrap().is_empty());
    assert!(
        report["summary"]
            .as_str()
            .unwrap()
            .contains("尚未制定指标体系"),
        "{report}"
    );
    let (status, again) = app.post(&path, &json!({}), Some(&county)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["issued_at"], report["issued_at"], "issued once");
    // Only the one report: the others wait for the job.
    assert_eq!(app.count("monthly_reports").await, 1);
    let this_month = (app.app.clock.now() + Duration::hours(8))
        .date_naive()
        .format("%Y-%m");
    let (status, refused) = app
        .post(
            &format!("/api/v1/reports/511024/{this_month}"),
            &json!({}),
            Some(&county),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let (status, _) = app
        .post(
            &format!("/api/v1/reports/511011/{month}"),
            &json!({}),
            Some(&county),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
