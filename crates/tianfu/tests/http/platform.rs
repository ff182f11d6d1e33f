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

/// The application's own layers around a route that panics (the route exists only in this test;
/// production code has none): the answer is the 500 envelope, and the server lives on.
async fn a_panicking_handler_answers_500_in_the_envelope(app: TestApp) {
    let routes = axum::Router::new().route(
        "/api/v1/boom",
        axum::routing::get(|| async { "not a number".parse::<u8>().unwrap().to_string() }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let service = tianfu::with_layers(routes, app.app.clone());
    tokio::spawn(async move { axum::serve(listener, service).await.unwrap() });
    for _ in 0..2 {
        let response = app
            .client
            .get(format!("{url}/api/v1/boom"))
            .send()
            .await
            .expect("an answer, not a dropped connection");
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let reply: serde_json::Value = response.json().await.unwrap();
        assert_eq!(reply["error"]["code"], "internal");
        assert_eq!(reply["error"]["message"], "服务器内部错误，请稍后再试");
        assert_eq!(reply["error"]["fields"], serde_json::json!({}));
        assert!(!reply.to_string().contains("ParseIntError"), "{reply}");
    }
}

/// Every route under `/api/v1` is in `/api/openapi.json`, method by method, read from the real
/// router rather than from a list kept by hand. axum cannot list a router's routes, but its
/// `Debug` output names every path; the test insists that it finds the paths it must (so a
/// change in that output fails loudly instead of passing). Methods are probed over HTTP: on a
/// documented path every method the document lacks must answer 405, every one it has must not.
async fn every_api_route_is_in_the_openapi_document(app: TestApp) {
    let (_, doc) = app.get("/api/openapi.json", None).await;
    let documented = doc["paths"].as_object().unwrap();
    let router = format!("{:?}", tianfu::router(app.app.clone()));
    let routed: std::collections::BTreeSet<&str> = router
        .split('"')
        .filter(|token| token.starts_with("/api/v1/") || *token == "/api/v1")
        .collect();
    for sure in [
        "/api/v1/me",
        "/api/v1/offers/{id}",
        "/api/v1/tickets/report",
    ] {
        assert!(
            routed.contains(sure),
            "the router's paths were not found ({sure}): {routed:?}"
        );
    }
    let missing: Vec<&&str> = routed
        .iter()
        .filter(|p| !documented.contains_key(**p))
        .collect();
    assert!(
        missing.is_empty(),
        "routes missing from /api/openapi.json: {missing:?}"
    );
    // Tools resolve links by operationId, and a parameter the path does not name is a query one.
    let mut ids = std::collections::BTreeSet::new();
    for (path, item) in documented {
        for (method, operation) in item.as_object().unwrap() {
            if let Some(id) = operation["operationId"].as_str() {
                assert!(
                    ids.insert(id.to_owned()),
                    "operationId {id} twice ({method} {path})"
                );
            }
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let name = parameter["name"].as_str().unwrap();
                if parameter["in"] == "path" {
                    assert!(
                        path.contains(&format!("{{{name}}}")),
                        "{method} {path}: {name} is not in the path"
                    );
                }
            }
        }
    }

    for (path, item) in documented {
        let concrete = path
            .replace("{id}", "1")
            .replace("{step}", "1")
            .replace("{code}", "51")
            .replace("{kind}", "offer");
        for method in ["get", "post", "put", "patch", "delete"] {
            let response = app
                .client
                .request(
                    method.to_uppercase().parse().unwrap(),
                    format!("{}{concrete}", app.url),
                )
                .send()
                .await
                .unwrap();
            let routed = response.status() != StatusCode::METHOD_NOT_ALLOWED;
            assert_eq!(
                routed,
                item.get(method).is_some(),
                "{} {path}: routed {routed}, documented {}",
                method.to_uppercase(),
                item.get(method).is_some()
            );
        }
    }
}

on_both_databases!(
    a_panicking_handler_answers_500_in_the_envelope,
    every_api_route_is_in_the_openapi_document,
    health_answers_once_ready,
    metrics_count_requests_by_route,
    the_openapi_document_describes_every_route,
    unknown_paths_get_404_in_the_right_shape,
);
