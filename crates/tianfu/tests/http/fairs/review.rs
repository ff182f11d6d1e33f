//! Review and selection: conflicts of interest refused, assignment by field and load, scoring by
//! assigned reviewers in 遴选 only, the trimmed mean against one extreme reviewer, selection by
//! quota within each hall and category (once, even when asked twice at the same moment), the
//! province's major projects capped per category, the ranking within a staff member's region,
//! and the reviewer's and organisers' pages.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{Fair, REVIEW_DAY, advance, edition, person};
use crate::common::{PASSWORD, TestApp};
use crate::market::{approve, create, need_body, offer_body};
use crate::on_both_databases;

/// A published capability (or need) of `token`'s owner, approved by `staff`.
async fn listing(app: &TestApp, token: &str, staff: &str, kind: &str, title: &str) -> i64 {
    let id = if kind == "need" {
        create(app, token, "/api/v1/needs", &need_body(title)).await
    } else {
        create(app, token, "/api/v1/offers", &offer_body(title)).await
    };
    approve(app, staff, kind, id).await;
    id
}

/// Enters a listing with `extra` fields (sector, org_name) and returns the project's id.
async fn enter_with(
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
async fn project(app: &TestApp, fair: &Fair, staff: &str, region: &str, title: &str) -> i64 {
    let (_, owner) = person(app, "worker", &format!("{title}负责人"), region).await;
    let id = listing(app, &owner, staff, "offer", title).await;
    enter_with(app, fair, &owner, "offer", id, json!({})).await
}

async fn invite(app: &TestApp, fair: &Fair, user_id: i64, sectors: Value) -> (StatusCode, Value) {
    app.post(
        &format!("/api/v1/fairs/{}/reviewers", fair.id),
        &json!({"user_id": user_id, "sectors": sectors}),
        Some(&fair.admin),
    )
    .await
}

/// A scientist in `region` invited to review `sectors` (empty for any).
async fn reviewer(
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
async fn panel(app: &TestApp, fair: &Fair) -> Vec<String> {
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

async fn assign(app: &TestApp, fair: &Fair) -> Value {
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

async fn score(
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
async fn scored(app: &TestApp, fair: &Fair, pid: i64, tokens: &[String], scores: &[f64]) {
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

async fn ranking(app: &TestApp, fair: &Fair, token: &str, query: &str) -> (StatusCode, Value) {
    app.get(
        &format!("/api/v1/fairs/{}/ranking?per_page=100{query}", fair.id),
        Some(token),
    )
    .await
}

fn item(ranking: &Value, pid: i64) -> Value {
    ranking["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["project_id"] == pid)
        .cloned()
        .unwrap_or(Value::Null)
}

async fn publish(app: &TestApp, fair: &Fair) -> (StatusCode, Value) {
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

async fn selection_follows_each_halls_quota_and_skips_the_unranked(app: TestApp) {
    let fair = edition(
        &app,
        json!([
            {"region_code": "5110", "category": "technology", "quota": 1},
            {"region_code": "5101", "category": "technology", "quota": 1},
        ]),
    )
    .await;
    let neijiang = app.staff("5110", "worker").await;
    let chengdu = app.staff("5101", "worker").await;
    let first = project(&app, &fair, &neijiang, "511011", "锂电池回收再利用技术").await;
    let second = project(&app, &fair, &neijiang, "511011", "蛋鸡产蛋率提升技术").await;
    let half = project(&app, &fair, &neijiang, "511024", "柑橘黄龙病快速检测技术").await;
    let other_hall = project(&app, &fair, &chengdu, "510104", "工业视觉检测芯片").await;
    let (_, company) = person(&app, "org", "内江食品", "511024").await;
    let org_staff = app.staff("5110", "org").await;
    let need = listing(&app, &company, &org_staff, "need", "蛋鸡产蛋率低的难题").await;
    let problem = enter_with(&app, &fair, &company, "need", need, json!({})).await;
    let tokens = panel(&app, &fair).await;
    assign(&app, &fair).await;
    advance(&app, REVIEW_DAY);
    scored(&app, &fair, first, &tokens, &[90.0, 91.0, 92.0]).await;
    scored(&app, &fair, second, &tokens, &[80.0, 81.0, 82.0]).await;
    scored(&app, &fair, half, &tokens[..2], &[99.0, 99.0]).await;
    scored(&app, &fair, other_hall, &tokens, &[50.0, 50.0, 50.0]).await;
    scored(&app, &fair, problem, &tokens, &[60.0, 60.0, 60.0]).await;

    let (_, before) = ranking(&app, &fair, &fair.admin, "").await;
    assert_eq!(item(&before, first)["would_select"], true, "{before}");
    assert_eq!(item(&before, second)["would_select"], false);
    assert_eq!(
        item(&before, half)["group_rank"],
        Value::Null,
        "two scores are not enough"
    );

    let (status, summary) = publish(&app, &fair).await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert_eq!(
        (
            summary["selected"].as_i64(),
            summary["not_selected"].as_i64(),
            summary["unranked"].as_i64()
        ),
        (Some(3), Some(1), Some(1)),
        "{summary}"
    );
    assert_eq!(
        summary["by_category"]["technology"],
        json!({"selected": 2, "not_selected": 1, "unranked": 1})
    );
    assert_eq!(summary["by_category"]["problem"]["selected"], 1);
    for (pid, status, rank) in [
        (first, "selected", json!(1)),
        (second, "not_selected", json!(2)),
        (half, "not_selected", Value::Null),
        (other_hall, "selected", json!(1)),
        (problem, "selected", json!(1)),
    ] {
        let (_, p) = app
            .get(
                &format!("/api/v1/fairs/{}/projects/{pid}", fair.id),
                Some(&fair.admin),
            )
            .await;
        assert_eq!(
            (p["status"].as_str(), &p["group_rank"]),
            (Some(status), &rank),
            "{p}"
        );
    }
    assert_eq!(
        app.count_where("ledger_events", "kind = 'fair.project_selected'")
            .await,
        3
    );
    let (_, public) = app
        .get(&format!("/api/v1/fairs/{}/projects", fair.id), None)
        .await;
    assert_eq!(public["total"], 3, "the selected list is public: {public}");
    let (_, notes) = app.get("/api/v1/notifications", Some(&company)).await;
    assert!(
        notes["items"][0]["text"].as_str().unwrap().contains("入选"),
        "{notes}"
    );
}

async fn selection_is_published_once(app: TestApp) {
    let fair = edition(&app, json!([])).await;
    let staff = app.staff("5110", "worker").await;
    let a = project(&app, &fair, &staff, "511011", "锂电池回收再利用技术").await;
    let b = project(&app, &fair, &staff, "511024", "蛋鸡产蛋率提升技术").await;
    let tokens = panel(&app, &fair).await;
    assign(&app, &fair).await;
    let (status, _) = publish(&app, &fair).await;
    assert_eq!(status, StatusCode::CONFLICT, "not while collecting");
    advance(&app, REVIEW_DAY);
    scored(&app, &fair, a, &tokens, &[70.0, 71.0, 72.0]).await;
    scored(&app, &fair, b, &tokens, &[60.0, 61.0, 62.0]).await;
    let (one, two) = tokio::join!(publish(&app, &fair), publish(&app, &fair));
    let mut statuses = [one.0, two.0];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::CONFLICT],
        "{one:?} {two:?}"
    );
    let summary = if one.0 == StatusCode::OK {
        one.1
    } else {
        two.1
    };
    assert_eq!(summary["selected"], 2, "{summary}");
    assert_eq!(
        app.count_where("ledger_events", "kind = 'fair.project_selected'")
            .await,
        2
    );
    assert_eq!(
        app.count_where("fair_projects", "status = 'selected'")
            .await,
        2
    );
    let (status, _) = publish(&app, &fair).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = app
        .post(
            &format!("/api/v1/fairs/{}/assignments", fair.id),
            &json!({}),
            Some(&fair.admin),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "no assignment after publishing"
    );
}

async fn major_projects_are_capped_per_category(app: TestApp) {
    let fair = edition(&app, json!([])).await;
    let staff = app.staff("5110", "worker").await;
    let (_, owner) = person(&app, "worker", "王教授", "511011").await;
    let mut ids = Vec::new();
    for i in 0..12 {
        let id = listing(
            &app,
            &owner,
            &staff,
            "offer",
            &format!("第{i}项科技成果转化技术"),
        )
        .await;
        ids.push(enter_with(&app, &fair, &owner, "offer", id, json!({})).await);
    }
    let major = |pid: i64, on: bool| {
        let (app, fair) = (&app, &fair);
        async move {
            app.post(
                &format!("/api/v1/fairs/{}/projects/{pid}/major", fair.id),
                &json!({"major": on}),
                Some(&fair.admin),
            )
            .await
        }
    };
    // Selected cheaply: eleven of the twelve, as a published selection would leave them.
    let (status, error) = major(ids[0], true).await;
    assert_eq!(status, StatusCode::CONFLICT, "not selected yet: {error}");
    tianfu::on_db!(&app.app.db, pool => {
        sqlx::query("UPDATE fair_projects SET status = 'selected' WHERE fair_id = $1 AND id <> $2")
            .bind(fair.id).bind(ids[11]).execute(pool).await.unwrap();
        sqlx::query("UPDATE fairs SET selection_published_at = created_at WHERE id = $1")
            .bind(fair.id).execute(pool).await.unwrap();
    });
    for pid in &ids[..9] {
        let (status, view) = major(*pid, true).await;
        assert_eq!(status, StatusCode::OK, "{view}");
        assert_eq!(view["major"], true);
    }
    // The tenth place, asked for twice at once: one wins.
    let (x, y) = tokio::join!(major(ids[9], true), major(ids[10], true));
    let mut statuses = [x.0, y.0];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::CONFLICT],
        "{x:?} {y:?}"
    );
    let refused = if x.0 == StatusCode::CONFLICT {
        x.1
    } else {
        y.1
    };
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("已选满"),
        "{refused}"
    );
    assert_eq!(app.count_where("fair_projects", "major").await, 10);
    let (status, _) = major(ids[11], true).await;
    assert_eq!(status, StatusCode::CONFLICT, "not selected");
    let city = app.staff("5110", "worker").await;
    let (status, _) = app
        .post(
            &format!("/api/v1/fairs/{}/projects/{}/major", fair.id, ids[0]),
            &json!({"major": false}),
            Some(&city),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, view) = major(ids[0], false).await;
    assert_eq!((status, &view["major"]), (StatusCode::OK, &json!(false)));
    let loser = if x.0 == StatusCode::CONFLICT {
        ids[9]
    } else {
        ids[10]
    };
    let (status, _) = major(loser, true).await;
    assert_eq!(status, StatusCode::OK, "a freed place can be taken");
    let (_, majors) = app
        .get(
            &format!("/api/v1/fairs/{}/projects?major=true&per_page=100", fair.id),
            None,
        )
        .await;
    assert_eq!(majors["total"], 10);
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

/// A browser signed in as the user with `phone`.
async fn signed_in(app: &TestApp, phone: &str) -> reqwest::Client {
    let browser = app.browser();
    let response = browser
        .post(format!("{}/login", app.url))
        .form(&[("phone", phone), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    browser
}

async fn the_review_pages_work_without_javascript(app: TestApp) {
    let fair = edition(&app, json!([])).await;
    let staff = app.staff("5110", "worker").await;
    let pid = project(&app, &fair, &staff, "511011", "锂电池回收再利用技术").await;
    let organiser = app.staff_member("51", "worker", "省科协").await;
    let console = signed_in(&app, &organiser).await;
    let url = format!("{}/admin/fairs/{}/review", app.url, fair.id);

    // Invite by phone number: a bad one is shown by its field with the input kept.
    let (_, expert_phone) = app.register("worker", "陈专家", "511602").await;
    let form = |phone: &str| {
        vec![
            ("phone", phone.to_owned()),
            ("org_name", "四川大学".to_owned()),
            ("sectors", "energy".to_owned()),
        ]
    };
    let page = console
        .post(format!("{url}/reviewers"))
        .form(&form("12345"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("field-error") && html.contains(r#"value="12345""#),
        "{html}"
    );
    let page = console
        .post(format!("{url}/reviewers"))
        .form(&form(&expert_phone))
        .send()
        .await
        .unwrap();
    assert!(page.status().is_redirection(), "{}", page.status());
    for (name, region) in [("李专家", "511623"), ("刘专家", "510302")] {
        let (_, phone) = app.register("worker", name, region).await;
        console
            .post(format!("{url}/reviewers"))
            .form(&form(&phone))
            .send()
            .await
            .unwrap();
    }
    let page = console.post(format!("{url}/assign")).send().await.unwrap();
    let next = page.headers()["location"].to_str().unwrap().to_owned();
    let html = console
        .get(format!("{}{next}", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("已新分配3人次评审"), "{html}");
    assert!(
        html.contains("锂电池回收再利用技术") && html.contains("陈专家"),
        "{html}"
    );

    // The reviewer scores every criterion on their page.
    advance(&app, REVIEW_DAY);
    let reviewer = signed_in(&app, &expert_phone).await;
    let reviews = format!("{}/fairs/{}/reviews", app.url, fair.id);
    let html = reviewer
        .get(&reviews)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("锂电池回收再利用技术") && html.contains(r#"name="criteria.market""#),
        "{html}"
    );
    let mut answer = vec![
        ("criteria.advanced", "90"),
        ("criteria.market", "abc"),
        ("criteria.feasibility", "80"),
        ("criteria.impact", "70"),
        ("comment", "回收工艺成熟"),
    ];
    let page = reviewer
        .post(format!("{reviews}/{pid}"))
        .form(&answer)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("请填写0到100的分数")
            && html.contains("回收工艺成熟")
            && html.contains(r#"value="abc""#),
        "{html}"
    );
    answer[1] = ("criteria.market", "80");
    let page = reviewer
        .post(format!("{reviews}/{pid}"))
        .form(&answer)
        .send()
        .await
        .unwrap();
    assert!(page.status().is_redirection(), "{}", page.status());
    let next = page.headers()["location"].to_str().unwrap().to_owned();
    let html = reviewer
        .get(format!("{}{next}", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("评分已保存") && html.contains("我的评分：81.5 分"),
        "{html}"
    );

    // Publishing needs the box ticked (signed in again: ten days later the session ended).
    let console = signed_in(&app, &organiser).await;
    let page = console
        .post(format!("{url}/selection"))
        .form(&[("confirm", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.count_where("fairs", "selection_published_at IS NOT NULL")
            .await,
        0
    );
    let page = console
        .post(format!("{url}/selection"))
        .form(&[("confirm", "yes")])
        .send()
        .await
        .unwrap();
    assert!(page.status().is_redirection(), "{}", page.status());
    let html = console
        .get(&url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("遴选结果已于"), "{html}");
    let (status, _) = (reviewer.get(&url).send().await.unwrap().status(), ());
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "the console is the organisers'"
    );
}

on_both_databases!(
    conflicts_of_interest_are_refused,
    assignment_prefers_the_field_and_balances_load,
    only_assigned_reviewers_score_and_only_in_review,
    one_extreme_reviewer_does_not_sink_a_project,
    selection_follows_each_halls_quota_and_skips_the_unranked,
    selection_is_published_once,
    major_projects_are_capped_per_category,
    staff_see_the_ranking_of_their_region,
    the_review_pages_work_without_javascript,
);
