//! `POST /api/v1/inquiries/{id}/undo`: the JSON API takes back a 婉拒 or 结束洽谈 as the thread's
//! 撤销 button does — only whoever ended it, once, within ten minutes, reversing its ledger row.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::deals::market;
use crate::on_both_databases;

/// The net count of the inquiry's `inquiry.ended` rows in the ledger.
async fn ended(app: &TestApp, id: i64) -> i64 {
    app.sum_where(
        "ledger_events",
        "weight",
        &format!("kind = 'inquiry.ended' AND subject_id = {id}"),
    )
    .await
}

async fn undo(app: &TestApp, id: i64, token: &str) -> (StatusCode, Value) {
    app.post(
        &format!("/api/v1/inquiries/{id}/undo"),
        &json!({}),
        Some(token),
    )
    .await
}

async fn an_ending_is_taken_back_once_through_the_api(app: TestApp) {
    let m = market(&app).await;
    let body = json!({"target_kind": "offer", "target_id": m.offer, "message": "想请您上门指导"});
    let (status, inquiry) = app
        .post("/api/v1/inquiries", &body, Some(&m.enterprise))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{inquiry}");
    let id = inquiry["id"].as_i64().unwrap();
    let set = |status: &'static str, token: String| {
        let app = &app;
        async move {
            app.post(
                &format!("/api/v1/inquiries/{id}/status"),
                &json!({ "status": status }),
                Some(&token),
            )
            .await
        }
    };
    let (status, reply) = set("declined", m.scientist.clone()).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(ended(&app, id).await, 1);

    // Not the requester's to take back, and not a stranger's to touch.
    let (status, reply) = undo(&app, id, &m.enterprise).await;
    assert_eq!(status, StatusCode::CONFLICT, "{reply}");
    let (_, phone) = app.register("org", "别家公司", "511024").await;
    let stranger = app.login(&phone).await;
    let (status, _) = undo(&app, id, &stranger).await;
    assert!(
        matches!(status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{status}"
    );

    // Two at once: one reopens it, the other is refused; the ending is reversed once.
    let (a, b) = tokio::join!(undo(&app, id, &m.scientist), undo(&app, id, &m.scientist));
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::CONFLICT],
        "{a:?} {b:?}"
    );
    let reopened = if a.0 == StatusCode::OK { a.1 } else { b.1 };
    assert_eq!(reopened["status"], "open", "{reopened}");
    assert_eq!(ended(&app, id).await, 0);
    let (_, notes) = app.get("/api/v1/notifications", Some(&m.enterprise)).await;
    assert!(
        notes.to_string().contains("撤销了婉拒"),
        "the requester is told: {notes}"
    );

    // Ended again by the requester: theirs alone to take back, and only within ten minutes.
    let (status, _) = set("closed", m.enterprise.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ended(&app, id).await, 1);
    assert_eq!(undo(&app, id, &m.scientist).await.0, StatusCode::CONFLICT);
    app.app.clock.advance(chrono::Duration::minutes(11));
    let (status, reply) = undo(&app, id, &m.enterprise).await;
    assert_eq!(status, StatusCode::CONFLICT, "{reply}");
    assert_eq!(ended(&app, id).await, 1);
    let (_, now) = app
        .get(&format!("/api/v1/inquiries/{id}"), Some(&m.enterprise))
        .await;
    assert_eq!(now["status"], "closed");
}

on_both_databases!(an_ending_is_taken_back_once_through_the_api);
