//! Health, metrics, the OpenAPI document and its page, and answers for unknown paths.

use reqwest::StatusCode;

use crate::common::TestApp;
use crate::on_both_databases;

async fn health_answers_once_ready(app: TestApp) {
    let response = app
        .client
        .get(format!("{}/healthz", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text().await.unwrap(), "ok");
}

async fn metrics_count_requests_by_route(app: TestApp) {
    app.get("/api/v1/regions/51", None).await;
    app.get("/api/v1/regions/5110", None).await;
    let text = app
        .client
        .get(format!("{}/metrics", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let backend = if app.backend == crate::common::Backend::Sqlite {
        "sqlite"
    } else {
        "postgres"
    };
    assert!(
        text.contains(&format!("tianfu_up{{database=\"{backend}\"}} 1")),
        "{text}"
    );
    assert!(
        text.contains(
            "http_requests_total{method=\"GET\",route=\"/api/v1/regions/{code}\",status=\"200\"} 2"
        ),
        "{text}"
    );
}

async fn the_openapi_document_describes_every_route(app: TestApp) {
    let (status, doc) = app.get("/api/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/api/v1/auth/register",
        "/api/v1/auth/login",
        "/api/v1/auth/logout",
        "/api/v1/me",
        "/api/v1/regions/{code}",
        "/api/v1/regions/{code}/children",
        "/api/v1/admin/users",
        "/api/v1/admin/users/{id}",
        "/api/v1/admin/staff",
    ] {
        assert!(
            paths.contains_key(path),
            "{path} missing from the OpenAPI document"
        );
    }
    assert!(doc["components"]["schemas"]["RegisterRequest"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());

    let page = app
        .client
        .get(format!("{}/api/docs", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("天府科技云 API v1"));
    assert!(html.contains("/api/v1/auth/register"));
    assert!(html.contains("Register a scientist"));
}

async fn unknown_paths_get_404_in_the_right_shape(app: TestApp) {
    let (status, reply) = app.get("/api/v1/nothing-here", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(reply["error"]["code"], "not_found");
    assert_eq!(reply["error"]["message"], "接口不存在");
    let page = app
        .client
        .get(format!("{}/no-such-page", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    let html = page.text().await.unwrap();
    assert!(html.contains("页面不存在"), "{html}");
    assert!(
        html.contains("天府科技云"),
        "the error page keeps the site's shell"
    );
}

on_both_databases!(
    health_answers_once_ready,
    metrics_count_requests_by_route,
    the_openapi_document_describes_every_route,
    unknown_paths_get_404_in_the_right_shape,
);
