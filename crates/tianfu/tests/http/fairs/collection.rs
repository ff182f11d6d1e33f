//! Editions and collection: configuring an edition, entering and nominating projects, the same
//! listing twice, who sees what, and the phase closing collection.

use reqwest::StatusCode;
use serde_json::json;

use super::{REVIEW_DAY, advance, edition, enter, entered, need, offer, person};
use crate::common::TestApp;
use crate::on_both_databases;

async fn an_edition_is_configured_by_the_province_only(app: TestApp) {
    let fair = edition(
        &app,
        json!([{"region_code": "5110", "category": "technology", "quota": 2}]),
    )
    .await;
    let (status, view) = app.get(&format!("/api/v1/fairs/{}", fair.id), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(view["phase"], "collecting");
    assert_eq!(view["phase_label"], "征集");
    assert_eq!(view["criteria"].as_array().unwrap().len(), 4, "{view}");
    assert_eq!(view["quotas"][0]["quota"], 2);

    let city_staff = app.staff("5110", "org").await;
    let body = json!({"name": "内江自办的科创会", "year": 2026, "collect_until": "2026-05-01T00:00",
                      "opens_at": "2026-05-10T00:00", "closes_at": "2026-05-12T00:00"});
    let (status, _) = app.post("/api/v1/fairs", &body, Some(&city_staff)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Dates out of order, criteria not summing to 100, a county as a quota's hall: each named.
    let bad = json!({"name": "第四届科创会", "year": 2027, "collect_until": "2027-05-10T00:00",
                     "opens_at": "2027-05-01T00:00", "closes_at": "2027-05-12T00:00",
                     "criteria": [{"key": "a", "name": "先进性", "weight": 60}, {"key": "b", "name": "前景", "weight": 30}],
                     "quotas": [{"region_code": "511011", "category": "technology", "quota": 3}]});
    let before = app.count("fairs").await;
    let (status, error) = app.post("/api/v1/fairs", &bad, Some(&fair.admin)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    let fields = &error["error"]["fields"];
    assert!(
        fields["opens_at"].as_str().unwrap().contains("征集截止"),
        "{error}"
    );
    assert!(
        fields["criteria"].as_str().unwrap().contains("100"),
        "{error}"
    );
    assert!(fields["quotas[0].region_code"].is_string(), "{error}");
    assert_eq!(app.count("fairs").await, before, "nothing saved");

    // A change keeps what it does not name; criteria can change until the first score.
    let (status, changed) = app
        .patch_json(&format!("/api/v1/fairs/{}", fair.id),
            &json!({"criteria": [{"key": "advanced", "name": "技术先进性", "weight": 50}, {"key": "market", "name": "市场前景", "weight": 50}]}),
            &fair.admin)
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["criteria"].as_array().unwrap().len(), 2);
    assert_eq!(changed["name"], view["name"]);
    assert_eq!(changed["quotas"], view["quotas"]);
}

async fn owners_enter_and_staff_nominate_within_their_region_once(app: TestApp) {
    let fair = edition(&app, json!([])).await;
    let (_, scientist) = person(&app, "worker", "王教授", "511011").await;
    let (_, enterprise) = person(&app, "org", "内江食品", "511024").await;
    let capability = offer(&app, &scientist, "5110", "柑橘黄龙病快速检测技术").await;
    let problem = need(&app, &enterprise, "5110", "蛋鸡产蛋率低的难题").await;

    let (status, project) = enter(&app, &fair, &scientist, "offer", capability).await;
    assert_eq!(status, StatusCode::CREATED, "{project}");
    assert_eq!(project["category"], "technology");
    assert_eq!(
        project["sector"], "agriculture",
        "A03 is modern agriculture"
    );
    assert_eq!(project["hall_code"], "5110");
    assert_eq!(project["nominated"], false);
    assert_eq!(project["status"], "collected");

    // The same listing twice is refused, whoever tries.
    let county_staff = app.staff("511011", "worker").await;
    let (status, error) = enter(&app, &fair, &county_staff, "offer", capability).await;
    assert_eq!(status, StatusCode::CONFLICT, "{error}");
    assert!(error["error"]["message"].as_str().unwrap().contains("重复"));

    // A need enters as a problem only.
    let body = json!({"listing_kind": "need", "listing_id": problem, "category": "technology"});
    let (status, error) = app
        .post(
            &format!("/api/v1/fairs/{}/projects", fair.id),
            &body,
            Some(&enterprise),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error["error"]["fields"]["category"].is_string(), "{error}");

    // Staff of another city may not nominate it; staff of its county may.
    let other_city = app.staff("5101", "org").await;
    let (status, _) = enter(&app, &fair, &other_city, "need", problem).await;
    assert!(
        status == StatusCode::FORBIDDEN || status == StatusCode::UNPROCESSABLE_ENTITY,
        "{status}"
    );
    let county_org = app.staff("511024", "org").await;
    let nominated = entered(&app, &fair, &county_org, "need", problem).await;
    let (_, notes) = app.get("/api/v1/notifications", Some(&enterprise)).await;
    // A recommendation from the matching job may arrive at any moment beside it.
    let told = notes["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["text"].as_str().unwrap().contains("被推荐参加"))
        .count();
    assert_eq!(told, 1, "the owner is told of the nomination once: {notes}");

    // Before selection is published the public sees nothing; staff see their region's; the
    // owner sees their own.
    let (_, public) = app
        .get(&format!("/api/v1/fairs/{}/projects", fair.id), None)
        .await;
    assert_eq!(public["total"], 0);
    let (_, county) = app
        .get(
            &format!("/api/v1/fairs/{}/projects", fair.id),
            Some(&county_org),
        )
        .await;
    assert_eq!(
        county["total"], 1,
        "511024's staff see only 511024's project: {county}"
    );
    assert_eq!(county["items"][0]["id"], nominated);
    let (_, mine) = app
        .get(
            &format!("/api/v1/fairs/{}/projects?mine=true", fair.id),
            Some(&scientist),
        )
        .await;
    assert_eq!(mine["total"], 1);
    let (status, _) = app
        .get(
            &format!("/api/v1/fairs/{}/projects/{nominated}", fair.id),
            Some(&scientist),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another owner's project is not shown"
    );

    // Collection closes with its phase; the ledger counted what was entered.
    advance(&app, REVIEW_DAY);
    let late = offer(&app, &scientist, "5110", "锂电池回收再利用技术").await;
    let (status, error) = enter(&app, &fair, &scientist, "offer", late).await;
    assert_eq!(status, StatusCode::CONFLICT, "{error}");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("征集已截止")
    );
    let entered_rows: i64 = app
        .count_where("ledger_events", "kind = 'fair.project_entered'")
        .await;
    assert_eq!(entered_rows, 2);
}

async fn a_project_is_withdrawn_while_collecting(app: TestApp) {
    let fair = edition(&app, json!([])).await;
    let (_, scientist) = person(&app, "worker", "王教授", "511011").await;
    let capability = offer(&app, &scientist, "5110", "柑橘黄龙病快速检测技术").await;
    let project = entered(&app, &fair, &scientist, "offer", capability).await;
    let (other, other_token) = person(&app, "worker", "赵工", "511011").await;
    let _ = other;
    let path = format!("/api/v1/fairs/{}/projects/{project}/withdraw", fair.id);
    let (status, _) = app.post(&path, &json!({}), Some(&other_token)).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a stranger does not even see it"
    );
    let (status, withdrawn) = app.post(&path, &json!({}), Some(&scientist)).await;
    assert_eq!(status, StatusCode::OK, "{withdrawn}");
    assert_eq!(withdrawn["status"], "withdrawn");
    let (status, _) = app.post(&path, &json!({}), Some(&scientist)).await;
    assert_eq!(status, StatusCode::CONFLICT, "twice is refused");
    let net: i64 = app
        .sum_where("ledger_events", "weight", "kind = 'fair.project_entered'")
        .await;
    assert_eq!(net, 0, "the withdrawal takes the entry back in the ledger");
}

on_both_databases!(
    an_edition_is_configured_by_the_province_only,
    owners_enter_and_staff_nominate_within_their_region_once,
    a_project_is_withdrawn_while_collecting,
);
