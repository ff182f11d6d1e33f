//! The security gate (等保 level 3): rate limits, phone verification by code, one answer for a
//! wrong password and an unknown phone, growing sign-in delays the owner can step around with a
//! code, password reset, and alerts to the administrators on bursts of failures.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{Backend, PASSWORD, TestApp};
use tianfu::platform::config::Config;
use tianfu::platform::limits::Limit;

/// Runs each listed `async fn name(backend: Backend)` on SQLite and on PostgreSQL; each starts
/// its own app with the configuration it needs.
macro_rules! on_both_backends {
    ($($test:ident),+ $(,)?) => {
        mod sqlite {
            $(#[tokio::test] async fn $test() { super::$test($crate::common::Backend::Sqlite).await; })+
        }
        mod postgres {
            $(#[tokio::test] async fn $test() { super::$test($crate::common::Backend::Postgres).await; })+
        }
    };
}

fn register_body(app: &TestApp, phone: &str) -> Value {
    let _ = app;
    json!({"role": "public", "phone": phone, "password": PASSWORD, "name": "张三", "region_code": "511011"})
}

async fn a_burst_of_registrations_is_refused_with_retry_after(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c: &mut Config| {
        c.limits.register = Limit::new(3, 600);
        c.verify_phone = false;
    })
    .await;
    for _ in 0..3 {
        let phone = app.phone();
        let (status, reply) = app
            .post("/api/v1/auth/register", &register_body(&app, &phone), None)
            .await;
        assert_eq!(status, StatusCode::CREATED, "{reply}");
    }
    let phone = app.phone();
    let response = app
        .client
        .post(format!("{}/api/v1/auth/register", app.url))
        .json(&register_body(&app, &phone))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=600).contains(&retry), "{retry}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "too_many_requests");
    assert_eq!(
        body["error"]["message"],
        format!("操作过于频繁，请{retry}秒后再试")
    );
    assert_eq!(
        app.count_where("users", &format!("phone = '{phone}'"))
            .await,
        0
    );

    // The page form counts against the same address and answers with a Chinese page.
    let page = app
        .browser()
        .post(format!("{}/register", app.url))
        .form(&[("role", "public"), ("phone", phone.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(page.headers().contains_key("retry-after"));
    let html = page.text().await.unwrap();
    assert!(html.contains("操作过于频繁，请"), "{html}");
    assert!(html.contains("秒后再试"), "{html}");

    // Once the window has passed, registering works again.
    app.app.clock.advance(Duration::seconds(601));
    let (status, reply) = app
        .post("/api/v1/auth/register", &register_body(&app, &phone), None)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{reply}");
}

async fn searches_and_writes_are_limited_too(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c: &mut Config| {
        c.limits.search = Limit::new(2, 60);
        c.limits.writes_per_account = Limit::new(1, 60);
        c.verify_phone = false;
    })
    .await;
    for _ in 0..2 {
        let (status, _) = app.get("/api/v1/search?q=柑橘", None).await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, body) = app.get("/api/v1/search?q=柑橘", None).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["error"]["code"], "too_many_requests");
    let page = app
        .browser()
        .get(format!("{}/search?q=x", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::TOO_MANY_REQUESTS);

    // One write per minute for a session: the second is refused before it is done.
    let (_, phone) = app.register("public", "李四", "511011").await;
    let token = app.login(&phone).await;
    let (status, _) = app
        .post("/api/v1/notifications/read", &json!({}), Some(&token))
        .await;
    assert_ne!(status, StatusCode::TOO_MANY_REQUESTS);
    let (status, body) = app
        .post("/api/v1/notifications/read", &json!({}), Some(&token))
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
}

on_both_backends!(
    a_burst_of_registrations_is_refused_with_retry_after,
    searches_and_writes_are_limited_too,
);
