//! Selection: by quota within each hall and category, skipping the unranked; published once,
//! even when asked twice at the same moment; the province's major projects capped per category.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::review::*;
use super::{REVIEW_DAY, advance, edition, person};
use crate::common::TestApp;
use crate::on_both_databases;

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
on_both_databases!(
    selection_follows_each_halls_quota_and_skips_the_unranked,
    selection_is_published_once,
    major_projects_are_capped_per_category,
);
