//! Review and selection: conflicts of interest refused, assignment by field and load, scoring by
//! assigned reviewers in 遴选 only, the trimmed mean against one extreme reviewer, selection by
//! quota within each hall and category (once, even when asked twice at the same moment), the
//! province's major projects capped per category, the ranking within a staff member's region.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{Fair, REVIEW_DAY, advance, edition, person};
use crate::common::TestApp;
use crate::market::{approve, create, need_body, offer_body};
use crate::on_both_databases;

/// A published capability (or need) of `token`'s owner, approved by `staff`.
pub(super) async fn listing(
    app: &TestApp,
    token: &str,
    staff: &str,
    kind: &str,
    title: &str,
) -> i64 {
    let id = if kind == "need" {
        create(app, token, "/api/v1/needs", &need_body(title)).await
    } else {
        create(app, token, "/api/v1/offers", &offer_body(title)).await
    };
    approve(app, staff, kind, id).await;
    id
}

/// Enters a listing with `extra` fields (sector, org_name) and returns the project's id.
pub(super) async fn enter_with(
    app: &TestApp,
    fair: &Fair,
    token: &str,
    kind: &str,
    listing: i64,
    extra: Value,
) -> i64 {
    let mut body = json!({"listing_kind": kind, "listing_id": listing,
                          "pitch": "项目技术成熟，已在多家企业应用，希望在科创会上对接推广。"});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let (status, project) = app
        .post(
            &format!("/api/v1/fairs/{}/projects", fair.id),
            &body,
            Some(token),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{project}");
    project["id"].as_i64().unwrap()
}

/// A project of a new scientist in `region`, approved by `staff` (a scientists' department).
pub(super) async fn project(
    app: &TestApp,
    fair: &Fair,
    staff: &str,
    region: &str,
    title: &str,
) -> i64 {
    let (_, owner) = person(app, "worker", &format!("{title}负责人"), region).await;
    let id = listing(app, &owner, staff, "offer", title).await;
    enter_with(app, fair, &owner, "offer", id, json!({})).await
}

pub(super) async fn invite(
    app: &TestApp,
    fair: &Fair,
    user_id: i64,
    sectors: Value,
) -> (StatusCode, Value) {
    app.post(
        &format!("/api/v1/fairs/{}/reviewers", fair.id),
        &json!({"user_id": user_id, "sectors": sectors}),
        Some(&fair.admin),
    )
    .await
}

/// A scientist in `region` invited to review `sectors` (empty for any).
pub(super) async fn reviewer(
    app: &TestApp,
    fair: &Fair,
    name: &str,
    region: &str,
    sectors: Value,
) -> (i64, String) {
    let (id, token) = person(app, "worker", name, region).await;
    let (status, body) = invite(app, fair, id, sectors).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (id, token)
}

/// Three reviewers of any field from counties far from the projects' (广安, 自贡).
pub(super) async fn panel(app: &TestApp, fair: &Fair) -> Vec<String> {
    let mut tokens = Vec::new();
    for (name, region) in [
        ("张专家", "511602"),
        ("李专家", "511623"),
        ("刘专家", "510302"),
    ] {
        tokens.push(reviewer(app, fair, name, region, json!([])).await.1);
    }
    tokens
}

pub(super) async fn assign(app: &TestApp, fair: &Fair) -> Value {
    let (status, done) = app
        .post(
            &format!("/api/v1/fairs/{}/assignments", fair.id),
            &json!({}),
            Some(&fair.admin),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    done
}

pub(super) async fn score(
    app: &TestApp,
    fair: &Fair,
    token: &str,
    pid: i64,
    body: Value,
) -> (StatusCode, Value) {
    app.post(
        &format!("/api/v1/fairs/{}/projects/{pid}/scores", fair.id),
        &body,
        Some(token),
    )
    .await
}

/// Each of `tokens` scores the project as given.
pub(super) async fn scored(
    app: &TestApp,
    fair: &Fair,
    pid: i64,
    tokens: &[String],
    scores: &[f64],
) {
    for (token, value) in tokens.iter().zip(scores) {
        let (status, body) = score(
            app,
            fair,
            token,
            pid,
            json!({"score": value, "comment": "可行"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
}

pub(super) async fn ranking(
    app: &TestApp,
    fair: &Fair,
    token: &str,
    query: &str,
) -> (StatusCode, Value) {
    app.get(
        &format!("/api/v1/fairs/{}/ranking?per_page=100{query}", fair.id),
        Some(token),
    )
    .await
}

pub(super) fn item(ranking: &Value, pid: i64) -> Value {
    ranking["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["project_id"] == pid)
        .cloned()
        .unwrap_or(Value::Null)
}

pub(super) async fn publish(app: &TestApp, fair: &Fair) -> (StatusCode, Value) {
    app.post(
        &format!("/api/v1/fairs/{}/selection", fair.id),
        &json!({}),
        Some(&fair.admin),
    )
    .await
}

async fn conflicts_of_interest_are_refused(app: TestApp) {
    let fair = edition(&app, json!([])).await;
    let staff = app.staff("5110", "worker").await;
    let (owner_id, owner) = person(&app, "worker", "王教授", "511011").await;
    let id = listing(&app, &owner, &staff, "offer", "柑橘黄龙病快速检测技术").await;
    let pid = enter_with(
        &app,
        &fair,
        &owner,
        "offer",
        id,
        json!({"org_name": "内江师范学院"}),
    )
    .await;

    let (neighbour, _) = reviewer(&app, &fair, "同县专家", "511011", json!([])).await;
    let (colleague_id, _) = person(&app, "worker", "同单位专家", "510104").await;
    let (status, body) = app
        .post(
            &format!("/api/v1/fairs/{}/reviewers", fair.id),
            &json!({"user_id": colleague_id, "org_name": "内江师范学院"}),
            Some(&fair.admin),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _) = invite(&app, &fair, owner_id, json!([])).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "an owner may review others' projects"
    );
    let (fine, _) = reviewer(&app, &fair, "外县专家", "511024", json!([])).await;

    let path = format!("/api/v1/fairs/{}/projects/{pid}/reviewers", fair.id);
    for (who, why) in [
        (neighbour, "县"),
        (colleague_id, "同一单位"),
        (owner_id, "所有者"),
    ] {
        let (status, error) = app
            .post(&path, &json!({"user_id": who}), Some(&fair.admin))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
        let reason = error["error"]["fields"]["user_id"].as_str().unwrap();
        assert!(
            reason.contains("应当回避") && reason.contains(why),
            "{reason}"
        );
    }
    assert_eq!(app.count("fair_assignments").await, 0, "nothing assigned");
    let (status, done) = app
        .post(&path, &json!({"user_id": fine}), Some(&fair.admin))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{done}");

    // Automatic assignment refuses the same conflicts: the project stays short of reviewers.
    let done = assign(&app, &fair).await;
    assert_eq!(done["assigned"], 0, "{done}");
    assert_eq!(done["short"], json!([pid]));

    // Only organisers assign; only scientists and staff review.
    let city = app.staff("5110", "worker").await;
    let (status, _) = app
        .post(
            &format!("/api/v1/fairs/{}/assignments", fair.id),
            &json!({}),
            Some(&city),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (farmer, _) = person(&app, "public", "村民", "511011").await;
    let (status, error) = invite(&app, &fair, farmer, json!([])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error["error"]["fields"]["user_id"].is_string(), "{error}");
    let (status, error) = invite(&app, &fair, fine, json!(["rockets"])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        error["error"]["fields"]["sectors[0]"].is_string(),
        "{error}"
    );
}

async fn assignment_prefers_the_field_and_balances_load(app: TestApp) {
    let fair = edition(&app, json!([])).await;
    let staff = app.staff("5110", "worker").await;
    let (_, owner) = person(&app, "worker", "王教授", "511011").await;
    let mut listings = Vec::new();
    let mut projects = Vec::new();
    for (title, sector) in [
        ("蛋鸡产蛋率提升技术", "agriculture"),
        ("柑橘黄龙病检测技术", "agriculture"),
        ("工业视觉检测芯片", "electronics"),
        ("北斗定位农机终端", "electronics"),
    ] {
        let id = listing(&app, &owner, &staff, "offer", title).await;
        listings.push(id);
        projects
            .push(enter_with(&app, &fair, &owner, "offer", id, json!({"sector": sector})).await);
    }
    let mut ids = Vec::new();
    for (i, sectors) in [
        json!(["agriculture"]),
        json!(["agriculture", "food"]),
        json!(["agriculture"]),
        json!(["electronics"]),
        json!(["electronics"]),
        json!(["electronics", "equipment"]),
        json!(["medicine"]),
    ]
    .into_iter()
    .enumerate()
    {
        let region = ["511602", "511623", "510302"][i % 3];
        ids.push(
            reviewer(&app, &fair, &format!("专家{i}"), region, sectors)
                .await
                .0,
        );
    }
    let done = assign(&app, &fair).await;
    assert_eq!(done["assigned"], 12, "{done}");
    assert_eq!(done["short"], json!([]));
    let outside_field = app
        .count_where(
            "fair_assignments a JOIN fair_reviewers r ON r.user_id = a.reviewer_id AND r.fair_id = a.fair_id \
             JOIN fair_projects p ON p.id = a.project_id",
            "r.sectors NOT LIKE '%\"' || p.sector || '\"%'",
        )
        .await;
    assert_eq!(outside_field, 0, "every reviewer reviews their own field");
    let (_, listed) = app
        .get(
            &format!("/api/v1/fairs/{}/reviewers", fair.id),
            Some(&fair.admin),
        )
        .await;
    assert_eq!(listed["total"], 7);
    let loads: Vec<i64> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["assigned"].as_i64().unwrap())
        .collect();
    assert_eq!(
        loads,
        vec![2, 2, 2, 2, 2, 2, 0],
        "the medicine reviewer is not needed: {listed}"
    );
    assert_eq!(
        assign(&app, &fair).await["assigned"],
        0,
        "a second run adds nothing"
    );

    // Reviewers of any field share the load evenly: 12 reviews over 7 reviewers.
    let second = edition(&app, json!([])).await;
    for id in &listings {
        enter_with(&app, &second, &owner, "offer", *id, json!({})).await;
    }
    for id in &ids {
        let (status, _) = invite(&app, &second, *id, json!([])).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    assert_eq!(assign(&app, &second).await["assigned"], 12);
    let (_, listed) = app
        .get(
            &format!("/api/v1/fairs/{}/reviewers", second.id),
            Some(&second.admin),
        )
        .await;
    let loads: Vec<i64> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["assigned"].as_i64().unwrap())
        .collect();
    let (min, max) = (loads.iter().min().unwrap(), loads.iter().max().unwrap());
    assert!(max - min <= 1, "{loads:?}");
    let (_, ranked) = ranking(&app, &second, &second.admin, "").await;
    for p in ranked["items"].as_array().unwrap() {
        assert_eq!(p["reviewers"], 3, "{p}");
    }
}

async fn only_assigned_reviewers_score_and_only_in_review(app: TestApp) {
    let fair = edition(&app, json!([])).await;
    let staff = app.staff("5110", "worker").await;
    let (_, owner) = person(&app, "worker", "王教授", "511011").await;
    let id = listing(&app, &owner, &staff, "offer", "柑橘黄龙病快速检测技术").await;
    let pid = enter_with(&app, &fair, &owner, "offer", id, json!({})).await;
    let tokens = panel(&app, &fair).await;
    assign(&app, &fair).await;
    let (_, outsider) = reviewer(&app, &fair, "未分配专家", "511602", json!([])).await;
    let full = json!({"criteria": {"advanced": 100, "market": 100, "feasibility": 0, "impact": 0}, "comment": "技术先进"});

    let (status, error) = score(&app, &fair, &tokens[0], pid, full.clone()).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "collection still open: {error}"
    );
    advance(&app, REVIEW_DAY);
    for token in [&outsider, &owner] {
        let (status, _) = score(&app, &fair, token, pid, full.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    let (status, error) = score(
        &app,
        &fair,
        &tokens[0],
        pid,
        json!({"criteria": {"advanced": 100, "market": 100, "feasibility": 0}}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        error["error"]["fields"]["criteria.impact"].is_string(),
        "{error}"
    );
    let (status, error) = score(&app, &fair, &tokens[0], pid, json!({"score": 101})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error["error"]["fields"]["score"].is_string(), "{error}");
    let mut off = full.clone();
    off["score"] = json!(70);
    let (status, error) = score(&app, &fair, &tokens[0], pid, off).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        error["error"]["fields"]["score"]
            .as_str()
            .unwrap()
            .contains("60.0"),
        "{error}"
    );
    assert_eq!(app.count("fair_scores").await, 0, "nothing saved");

    let (status, saved) = score(&app, &fair, &tokens[0], pid, full).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["score"], 60.0, "weighted by 30/30/25/15");
    let (status, saved) = score(&app, &fair, &tokens[0], pid, json!({"score": 72.5})).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(
        app.count("fair_scores").await,
        1,
        "scoring again replaces the score"
    );
    let (_, mine) = app
        .get(
            &format!("/api/v1/fairs/{}/reviews/mine", fair.id),
            Some(&tokens[0]),
        )
        .await;
    assert_eq!(mine["total"], 1);
    assert_eq!(mine["items"][0]["score"], 72.5, "{mine}");
    let (_, theirs) = app
        .get(
            &format!("/api/v1/fairs/{}/reviews/mine", fair.id),
            Some(&outsider),
        )
        .await;
    assert_eq!(theirs["total"], 0);

    scored(&app, &fair, pid, &tokens[1..], &[80.0, 90.0]).await;
    let (status, summary) = publish(&app, &fair).await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    let (status, error) = score(&app, &fair, &tokens[0], pid, json!({"score": 99})).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "the selection is out: {error}"
    );
    let (_, project) = app
        .get(
            &format!("/api/v1/fairs/{}/projects/{pid}", fair.id),
            Some(&owner),
        )
        .await;
    assert_eq!(project["score"], 80.0, "{project}");
    assert_eq!(project["review_count"], 3);
}

async fn one_extreme_reviewer_does_not_sink_a_project(app: TestApp) {
    let fair = edition(&app, json!([])).await;
    let staff = app.staff("5110", "worker").await;
    let hit = project(&app, &fair, &staff, "511011", "锂电池回收再利用技术").await;
    let steady = project(&app, &fair, &staff, "511024", "蛋鸡产蛋率提升技术").await;
    let tokens = panel(&app, &fair).await;
    assign(&app, &fair).await;
    advance(&app, REVIEW_DAY);
    scored(&app, &fair, hit, &tokens, &[80.0, 82.0, 0.0]).await;
    scored(&app, &fair, steady, &tokens, &[75.0, 76.0, 77.0]).await;
    let (status, ranked) =
        ranking(&app, &fair, &fair.admin, "&hall=5110&category=technology").await;
    assert_eq!(status, StatusCode::OK, "{ranked}");
    assert_eq!(ranked["total"], 2);
    assert_eq!(
        ranked["items"][0]["project_id"], hit,
        "the 0 is dropped: {ranked}"
    );
    assert_eq!(ranked["items"][0]["score"], 80.0);
    assert_eq!(ranked["items"][0]["group_rank"], 1);
    assert_eq!(ranked["items"][1]["project_id"], steady);
    assert_eq!(ranked["items"][1]["score"], 76.0);
    assert_eq!(ranked["items"][1]["score_count"], 3);
}

async fn staff_see_the_ranking_of_their_region(app: TestApp) {
    let fair = edition(&app, json!([])).await;
    let neijiang = app.staff("5110", "worker").await;
    let chengdu = app.staff("5101", "worker").await;
    let dongxing = project(&app, &fair, &neijiang, "511011", "锂电池回收再利用技术").await;
    let weiyuan = project(&app, &fair, &neijiang, "511024", "蛋鸡产蛋率提升技术").await;
    let jinjiang = project(&app, &fair, &chengdu, "510104", "工业视觉检测芯片").await;
    let tokens = panel(&app, &fair).await;
    assign(&app, &fair).await;
    advance(&app, REVIEW_DAY);
    scored(&app, &fair, dongxing, &tokens, &[70.0, 70.0, 70.0]).await;
    scored(&app, &fair, weiyuan, &tokens, &[90.0, 90.0, 90.0]).await;
    scored(&app, &fair, jinjiang, &tokens, &[80.0, 80.0, 80.0]).await;

    let (_, all) = ranking(&app, &fair, &fair.admin, "").await;
    assert_eq!(all["total"], 3);
    let province = app.staff("51", "worker").await;
    let (_, all) = ranking(&app, &fair, &province, "").await;
    assert_eq!(all["total"], 3, "province staff organise the fair");
    let county = app.staff("511011", "worker").await;
    let (status, mine) = ranking(&app, &fair, &county, "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(mine["total"], 1, "{mine}");
    assert_eq!(mine["items"][0]["project_id"], dongxing);
    assert_eq!(
        mine["items"][0]["group_rank"], 2,
        "ranked among the whole hall"
    );
    let (_, city) = ranking(&app, &fair, &chengdu, "").await;
    assert_eq!(city["total"], 1);
    assert_eq!(city["items"][0]["project_id"], jinjiang);
    let (status, _) = ranking(&app, &fair, &tokens[0], "").await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "reviewers do not see the ranking"
    );
    let (status, error) = ranking(&app, &fair, &fair.admin, "&hall=511011").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error["error"]["fields"]["hall"].is_string());
}

on_both_databases!(
    conflicts_of_interest_are_refused,
    assignment_prefers_the_field_and_balances_load,
    only_assigned_reviewers_score_and_only_in_review,
    one_extreme_reviewer_does_not_sink_a_project,
    staff_see_the_ranking_of_their_region,
);
