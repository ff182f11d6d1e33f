//! An edition's figures: projects collected (not withdrawn) and selected by category, city and
//! sector; fair-tagged deals only, and only this edition's; the report page and its Excel for
//! staff alone.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::signing::{Scene, propose, scene, select, signed_deal, transition};
use super::{OPEN_DAY, REVIEW_DAY, advance, edition, entered, offer, person};
use crate::common::TestApp;
use crate::on_both_databases;

async fn stats(app: &TestApp, fair: i64) -> Value {
    let (status, reply) = app.get(&format!("/api/v1/fairs/{fair}/stats"), None).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    reply
}

fn hall<'a>(stats: &'a Value, code: &str) -> &'a Value {
    stats["by_region"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["region_code"] == code)
        .unwrap_or_else(|| panic!("no hall {code}: {stats}"))
}

async fn the_figures_count_this_editions_fair_deals_by_category_and_city(app: TestApp) {
    let s: Scene = scene(&app).await;
    select(&app, &s.fair, &[s.chengdu_project]).await;
    let figures = stats(&app, s.fair.id).await;
    assert_eq!(figures["collected"], 3, "{figures}");
    assert_eq!(figures["selected"], 3);
    assert_eq!(
        figures["by_category"],
        json!({"technology": 2, "achievement": 0, "problem": 1})
    );
    assert_eq!(figures["collected_by_category"]["technology"], 2);
    assert_eq!(hall(&figures, "5110")["selected"], 2);
    assert_eq!(hall(&figures, "5110")["name"], "内江市");
    assert_eq!(hall(&figures, "5101")["collected"], 1);
    assert_eq!(figures["by_region"].as_array().unwrap().len(), 2);
    assert_eq!(figures["deals_signed"], 0);
    for field in [
        "interests",
        "registrations",
        "check_ins",
        "meetings",
        "outcomes",
        "by_sector",
        "deals_amount_fen",
    ] {
        assert!(!figures[field].is_null(), "{field} missing: {figures}");
    }

    // A deal of this edition counts in its hall; a deal on the same listings without the fair
    // does not, nor one of another edition.
    advance(&app, OPEN_DAY - REVIEW_DAY);
    signed_deal(&app, &s, 1_200_000).await;
    let (status, plain) = propose(&app, &s, 7_000_000, json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{plain}");
    let plain = plain["id"].as_i64().unwrap();
    transition(&app, plain, "negotiating", &s.enterprise).await;
    transition(&app, plain, "signed", &s.enterprise).await;
    transition(&app, plain, "signed", &s.scientist).await;
    let figures = stats(&app, s.fair.id).await;
    assert_eq!(figures["deals_signed"], 1, "{figures}");
    assert_eq!(figures["deals_amount_fen"], 1_200_000);
    assert_eq!(hall(&figures, "5110")["deals_signed"], 1);
    assert_eq!(hall(&figures, "5110")["deals_amount_fen"], 1_200_000);
    assert_eq!(hall(&figures, "5101")["deals_signed"], 0);
    let sector = &figures["by_sector"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["code"] == "agriculture")
        .expect("agriculture")
        .clone();
    assert_eq!(sector["deals_signed"], 1, "{figures}");
    let other = edition(&app, json!([])).await;
    assert_eq!(stats(&app, other.id).await["deals_signed"], 0);
    assert_eq!(stats(&app, other.id).await["collected"], 0);
    let (status, _) = app.get("/api/v1/fairs/999999/stats", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn a_withdrawn_project_is_not_collected(app: TestApp) {
    let fair = edition(&app, json!([])).await;
    let (_, scientist) = person(&app, "worker", "王教授", "511011").await;
    let kept = offer(&app, &scientist, "5110", "柑橘黄龙病快速检测技术").await;
    let dropped = offer(&app, &scientist, "5110", "锂电池回收再利用技术").await;
    entered(&app, &fair, &scientist, "offer", kept).await;
    let gone = entered(&app, &fair, &scientist, "offer", dropped).await;
    let (status, _) = app
        .post(
            &format!("/api/v1/fairs/{}/projects/{gone}/withdraw", fair.id),
            &json!({}),
            Some(&scientist),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let figures = stats(&app, fair.id).await;
    assert_eq!(figures["collected"], 1, "{figures}");
    assert_eq!(figures["selected"], 0);
    assert_eq!(hall(&figures, "5110")["collected"], 1);
}

async fn the_report_and_its_excel_are_for_staff(app: TestApp) {
    let s = scene(&app).await;
    let report = format!("/fairs/{}/report", s.fair.id);
    let xlsx = format!("/fairs/{}/report.xlsx", s.fair.id);
    let get = |path: String, token: Option<String>| {
        let mut request = app.browser().get(format!("{}{path}", app.url));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        async move { request.send().await.expect("request") }
    };
    // Nobody signed in: 401 for the download, the login page for the report.
    assert_eq!(
        get(xlsx.clone(), None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        get(report.clone(), None).await.status(),
        StatusCode::SEE_OTHER
    );
    // Scientists, even the projects' own: 403 for both.
    assert_eq!(
        get(xlsx.clone(), Some(s.chengdu.clone())).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        get(report.clone(), Some(s.scientist.clone()))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    // A city's staff member: the whole edition, and told so.
    let city = app.staff("5101", "worker").await;
    let response = get(report.clone(), Some(city.clone())).await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.unwrap();
    assert!(page.contains("全届数据"), "{page}");
    assert!(page.contains("内江市"), "other cities' figures too");
    let response = get(report.clone(), Some(s.fair.admin.clone())).await;
    assert!(!response.text().await.unwrap().contains("全届数据"));
    let response = get(xlsx.clone(), Some(city)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK"), "a zip container");
}

on_both_databases!(
    the_figures_count_this_editions_fair_deals_by_category_and_city,
    a_withdrawn_project_is_not_collected,
    the_report_and_its_excel_are_for_staff,
);
