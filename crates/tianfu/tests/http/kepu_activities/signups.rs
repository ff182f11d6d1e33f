//! Sign-ups that never overbook, and the waiting list that moves up when someone cancels.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{activity_body, post_activity};
use crate::common::TestApp;
use crate::kepu::person;
use crate::on_both_databases;

/// Runs the requests as tokio tasks, so that they really are in flight at the same time.
async fn join_all<F>(futures: Vec<F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(handles.len());
    for handle in handles {
        out.push(handle.await.expect("task"));
    }
    out
}

async fn delete(app: &TestApp, path: &str, token: &str) -> (StatusCode, Value) {
    let response = app
        .client
        .delete(format!("{}{path}", app.url))
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn concurrent_sign_ups_fill_exactly_the_capacity(app: TestApp) {
    let county = app.staff("511623", "kepu").await;
    let id = post_activity(
        &app,
        &county,
        &activity_body(&app, "科普大集", "511623", 4, 48),
    )
    .await;
    let mut tokens = Vec::new();
    for n in 0..12 {
        tokens.push(person(&app, "public", &format!("村民{n}"), "511623").await);
    }
    let requests: Vec<_> = tokens
        .iter()
        .map(|token| {
            let client = app.client.clone();
            let url = format!("{}/api/v1/kepu/activities/{id}/signups", app.url);
            let token = token.clone();
            async move {
                let response = client
                    .post(url)
                    .bearer_auth(token)
                    .json(&json!({}))
                    .send()
                    .await
                    .unwrap();
                let status = response.status();
                (status, response.json::<Value>().await.unwrap())
            }
        })
        .collect();
    let results = join_all(requests).await;
    let confirmed = results
        .iter()
        .filter(|(_, b)| b["status"] == "confirmed")
        .count();
    let waitlisted = results
        .iter()
        .filter(|(_, b)| b["status"] == "waitlisted")
        .count();
    assert!(
        results.iter().all(|(s, _)| *s == StatusCode::CREATED),
        "{results:?}"
    );
    assert_eq!((confirmed, waitlisted), (4, 8));
    let (_, activity) = app
        .get(&format!("/api/v1/kepu/activities/{id}"), None)
        .await;
    assert_eq!(activity["confirmed"], 4);
    assert_eq!(activity["seats_left"], 0);
    // Signing up twice changes nothing.
    let (status, _) = app
        .post(
            &format!("/api/v1/kepu/activities/{id}/signups"),
            &json!({}),
            Some(&tokens[0]),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(app.count("kepu_signups").await, 12);
}

async fn the_waiting_list_moves_up_when_someone_cancels(app: TestApp) {
    let county = app.staff("511623", "kepu").await;
    let id = post_activity(
        &app,
        &county,
        &activity_body(&app, "青少年机器人体验", "511623", 1, 48),
    )
    .await;
    let a = person(&app, "public", "甲", "511623").await;
    let b = person(&app, "public", "乙", "511623").await;
    let c = person(&app, "public", "丙", "511623").await;
    let signups = format!("/api/v1/kepu/activities/{id}/signups");
    let (_, first) = app.post(&signups, &json!({}), Some(&a)).await;
    let (_, second) = app.post(&signups, &json!({}), Some(&b)).await;
    let (_, third) = app
        .post(&signups, &json!({"role": "attendee"}), Some(&c))
        .await;
    assert_eq!(first["status"], "confirmed");
    assert_eq!(
        (second["status"].as_str(), second["position"].as_i64()),
        (Some("waitlisted"), Some(1))
    );
    assert_eq!(third["position"], 2);

    let (status, cancelled) = delete(&app, &format!("{signups}/me"), &a).await;
    assert_eq!(status, StatusCode::OK, "{cancelled}");
    assert_eq!(cancelled["promoted"], true);
    let (_, seen_by_b) = app
        .get(&format!("/api/v1/kepu/activities/{id}"), Some(&b))
        .await;
    assert_eq!(seen_by_b["my_signup"]["status"], "confirmed");
    assert_eq!(
        seen_by_b["confirmed"], 1,
        "the seat passed on, not freed and taken twice"
    );
    let (_, seen_by_c) = app
        .get(&format!("/api/v1/kepu/activities/{id}"), Some(&c))
        .await;
    assert_eq!(seen_by_c["my_signup"]["position"], 1);
    let (_, notes) = app.get("/api/v1/notifications", Some(&b)).await;
    assert!(notes.to_string().contains("有了空位"), "{notes}");

    // Cancelling twice is refused; a waitlisted person leaving frees nothing.
    let (status, _) = delete(&app, &format!("{signups}/me"), &a).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, gone) = delete(&app, &format!("{signups}/me"), &c).await;
    assert_eq!(
        (status, gone["promoted"].as_bool()),
        (StatusCode::OK, Some(false))
    );
    let (_, activity) = app
        .get(&format!("/api/v1/kepu/activities/{id}"), None)
        .await;
    assert_eq!(activity["confirmed"], 1);
    // Signing up again after cancelling puts one at the back of the queue.
    let (_, again) = app.post(&signups, &json!({}), Some(&a)).await;
    assert_eq!(
        (again["status"].as_str(), again["position"].as_i64()),
        (Some("waitlisted"), Some(1))
    );
}

on_both_databases!(
    concurrent_sign_ups_fill_exactly_the_capacity,
    the_waiting_list_moves_up_when_someone_cancels,
);
