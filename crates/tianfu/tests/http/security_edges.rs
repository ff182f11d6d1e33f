//! Issue 16, items 5–7, tried as an attacker would: redirects only to local paths, security
//! headers on every answer and `/metrics` kept private, far-future dates refused, oversize
//! bodies and overflowing ids answered in our envelope or our page, never the framework's text.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{METRICS_TOKEN, PASSWORD, TestApp};
use crate::market::need_body;
use crate::on_both_databases;

on_both_databases!(
    a_foreign_next_lands_on_me,
    every_answer_carries_the_security_headers,
    metrics_only_for_this_machine_or_the_token,
    far_future_dates_are_refused,
    oversize_bodies_and_overflowing_ids_answer_in_chinese,
);

/// Signs in through the login form with `next` as the form sends it; returns the Location.
async fn login_to(app: &TestApp, phone: &str, next: &str) -> String {
    let response = app
        .browser()
        .post(format!("{}/login", app.url))
        .form(&[("phone", phone), ("password", PASSWORD), ("next", next)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "next {next:?}");
    response.headers()["location"].to_str().unwrap().to_owned()
}

async fn a_foreign_next_lands_on_me(app: TestApp) {
    let (_, phone) = app.register("worker", "黄志强", "5101").await;

    // The attack from the issue: the login page keeps no trace of the foreign target…
    let page = app
        .browser()
        .get(format!("{}/login?next=/%09/evil.example/phish", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains(r#"name="next" value="/me""#) && !html.contains("evil.example"),
        "{html}"
    );
    // …and a form posted with it anyway (by a forged page) lands on /me.
    for next in [
        "/\t/evil.example/phish",
        "/%09/evil.example/phish",
        "//evil.example/phish",
        "/\\evil.example",
        "https://evil.example/",
        "/%2F%2Fevil.example",
        "/%5Cevil.example",
        "/\n",
        "/%0a",
    ] {
        assert_eq!(login_to(&app, &phone, next).await, "/me", "next {next:?}");
    }
    // A local target is kept, normalised.
    assert_eq!(
        login_to(&app, &phone, "/market?kind=need").await,
        "/market?kind=need"
    );
    assert_eq!(
        login_to(&app, &phone, "/a/../me/listings").await,
        "/me/listings"
    );

    // `next=/%0a` is a page, not a plain-text 500.
    let page = app
        .browser()
        .get(format!("{}/login?next=/%0a", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains(r#"name="next" value="/me""#)
    );
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name} on {}", response.url()))
        .to_str()
        .unwrap()
}

fn assert_security_headers(response: &reqwest::Response) {
    let policy = header(response, "content-security-policy");
    for directive in [
        "default-src 'self'",
        "script-src 'self';",
        "style-src 'self';",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ] {
        assert!(policy.contains(directive), "{directive} in {policy}");
    }
    assert!(!policy.contains("unsafe"), "{policy}");
    assert_eq!(header(response, "x-frame-options"), "DENY");
    assert_eq!(header(response, "x-content-type-options"), "nosniff");
    assert_eq!(header(response, "referrer-policy"), "same-origin");
}

async fn every_answer_carries_the_security_headers(app: TestApp) {
    let (_, phone) = app.register("worker", "黄志强", "5101").await;
    let token = app.login(&phone).await;
    let anonymous = app.browser();
    let get = |path: &str, token: Option<&str>| {
        let mut request = anonymous.get(format!("{}{path}", app.url));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };

    // A public page to an anonymous visitor: protected, but cacheable.
    let home = get("/", None).await.unwrap();
    assert_eq!(home.status(), StatusCode::OK);
    assert_security_headers(&home);
    assert_ne!(
        home.headers()
            .get("cache-control")
            .map(|v| v.to_str().unwrap()),
        Some("no-store")
    );
    // Static assets keep their own caching.
    let css = get("/assets/app.css", Some(&token)).await.unwrap();
    assert_security_headers(&css);
    assert_eq!(header(&css, "cache-control"), "no-cache");
    // Personal answers are never stored: to a signed-in visitor, under /me, /admin, the API.
    for (path, token) in [
        ("/", Some(token.as_str())),
        ("/me", Some(token.as_str())),
        ("/api/v1/me", Some(token.as_str())),
        ("/me", None),
        ("/admin", None),
        ("/api/v1/me", None),
        ("/login", None),
    ] {
        let response = get(path, token).await.unwrap();
        assert_security_headers(&response);
        assert_eq!(
            header(&response, "cache-control"),
            "no-store",
            "{path} signed in: {}",
            token.is_some()
        );
    }
    // Errors too: the API's 404, the page 404.
    for path in ["/api/v1/nothing-here", "/nothing-here"] {
        let response = get(path, None).await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert_security_headers(&response);
    }
}

async fn metrics_only_for_this_machine_or_the_token(app: TestApp) {
    let client = reqwest::Client::new();
    let metrics = |forwarded: Option<&str>, token: Option<&str>| {
        let mut request = client.get(format!("{}/metrics", app.url));
        if let Some(address) = forwarded {
            request = request.header("x-forwarded-for", address);
        }
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    // The test client is on this machine, asking for itself.
    let local = metrics(None, None).await.unwrap();
    assert_eq!(local.status(), StatusCode::OK);
    assert!(local.text().await.unwrap().contains("tianfu_up"));
    // Through a proxy on this machine, someone else is asking: nothing there.
    for token in [None, Some("guess"), Some("")] {
        let refused = metrics(Some("203.0.113.9"), token).await.unwrap();
        assert_eq!(refused.status(), StatusCode::NOT_FOUND, "token {token:?}");
        let body: Value = refused.json().await.unwrap();
        assert_eq!(body["error"]["code"], "not_found");
        assert!(!body.to_string().contains("tianfu_up"));
    }
    let with_token = metrics(Some("203.0.113.9"), Some(METRICS_TOKEN))
        .await
        .unwrap();
    assert_eq!(with_token.status(), StatusCode::OK);
    assert!(with_token.text().await.unwrap().contains("tianfu_up"));
}

async fn far_future_dates_are_refused(app: TestApp) {
    // A need's deadline (API).
    let (_, phone) = app.register("org", "蓝海农业", "511623").await;
    let org = app.login(&phone).await;
    for deadline in ["+10000-01-01", "2101-01-01", "1999-12-31"] {
        let mut body = need_body("蛋鸡产蛋率提升");
        body["deadline"] = json!(deadline);
        let (status, reply) = app.post("/api/v1/needs", &body, Some(&org)).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{deadline}: {reply}"
        );
        let message = reply["error"]["fields"]["deadline"].as_str().unwrap();
        assert!(message.contains("截止日期"), "{message}");
    }
    assert_eq!(app.count("listings").await, 0);
    let mut body = need_body("蛋鸡产蛋率提升");
    body["deadline"] = json!("2100-12-31");
    let (status, reply) = app.post("/api/v1/needs", &body, Some(&org)).await;
    assert_eq!(status, StatusCode::CREATED, "the last day allowed: {reply}");

    // A report period (the issue's panic): a 422 naming the field, on both reports.
    let staff = app.staff("511623", "worker").await;
    for path in [
        "/api/v1/stats/regions/511623?from=%2B262142-12-31",
        "/api/v1/stats/regions/511623?to=%2B262142-12-31",
        "/api/v1/tickets/report?to=%2B262142-12-31",
    ] {
        let (status, reply) = app.get(path, Some(&staff)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {reply}");
        let fields = reply["error"]["fields"].as_object().unwrap();
        assert!(
            fields
                .values()
                .any(|m| m.as_str().unwrap().contains("2000年至2100年")),
            "{path}: {reply}"
        );
    }

    // A step's due date, in the API and on the page: the step is not added.
    let (scientist, _) = app.register("worker", "李研究员", "511623").await;
    app.settle().await;
    let (_, tickets) = app
        .get("/api/v1/tickets?kind=person&per_page=100", Some(&staff))
        .await;
    let ticket = tickets["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["subject_id"] == scientist)
        .unwrap_or_else(|| panic!("a ticket for the scientist: {tickets}"))["id"]
        .as_i64()
        .unwrap();
    let steps_before = app.count("ticket_steps").await;
    for due in ["+10000-01-01", "2101-01-01"] {
        let (status, reply) = app
            .post(
                &format!("/api/v1/tickets/{ticket}/steps"),
                &json!({"name": "协助申报", "due_date": due}),
                Some(&staff),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{due}: {reply}");
        assert!(
            reply["error"]["fields"]["due_date"]
                .as_str()
                .unwrap()
                .contains("完成日期"),
            "{reply}"
        );
    }
    let page = app
        .browser()
        .post(format!("{}/admin/tickets/{ticket}/steps", app.url))
        .bearer_auth(&staff)
        .form(&[("name", "协助申报"), ("due_date", "2101-01-01")])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("完成日期应在2000年至2100年之间")
    );
    assert_eq!(app.count("ticket_steps").await, steps_before);
}

async fn oversize_bodies_and_overflowing_ids_answer_in_chinese(app: TestApp) {
    let (_, phone) = app.register("org", "蓝海农业", "511623").await;
    let org = app.login(&phone).await;

    // 5 MB of JSON: a 413 in the envelope, in Chinese.
    let mut body = need_body("蛋鸡产蛋率提升");
    body["description"] = json!("鸡".repeat(5 * 1024 * 1024 / 3));
    let (status, reply) = app.post("/api/v1/needs", &body, Some(&org)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{reply}");
    assert_eq!(reply["error"]["code"], "too_large");
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap()
            .contains("请求体过大"),
        "{reply}"
    );
    assert_eq!(app.count("listings").await, 0);

    // A form that large: the Chinese error page.
    let huge = "1".repeat(3 * 1024 * 1024);
    let page = app
        .browser()
        .post(format!("{}/login", app.url))
        .form(&[("phone", phone.as_str()), ("password", huge.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(header(&page, "content-type").starts_with("text/html"));
    let html = page.text().await.unwrap();
    assert!(
        html.contains("请求体过大") && !html.contains("length limit"),
        "{html}"
    );

    // Ids beyond i64 (or not numbers) name nothing: 404, never the framework's text.
    for path in [
        "/api/v1/offers/99999999999999999999",
        "/api/v1/needs/99999999999999999999",
        "/api/v1/offers/abc",
    ] {
        let (status, reply) = app.get(path, Some(&org)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {reply}");
        assert_eq!(reply["error"]["code"], "not_found", "{path}");
    }
    for path in [
        "/offers/99999999999999999999",
        "/kepu/activities/99999999999999999999",
        "/kepu/activities/abc",
    ] {
        let response = app
            .browser()
            .get(format!("{}{path}", app.url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(header(&response, "content-type").starts_with("text/html"));
        let html = response.text().await.unwrap();
        assert!(
            html.contains("页面不存在") && !html.contains("Invalid URL"),
            "{path}: {html}"
        );
    }
    // A method a route does not take is a 405 in the envelope, with the methods it does take
    // (it was an empty answer, or the HTML not-found page).
    for (path, allowed) in [
        ("/api/v1/auth/login", "POST"),
        ("/api/v1/admin/users/1/disable", "POST"),
    ] {
        let response = app
            .client
            .get(format!("{}{path}", app.url))
            .bearer_auth(&org)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED, "{path}");
        assert_eq!(header(&response, "allow"), allowed, "{path}");
        let reply: serde_json::Value = response.json().await.expect("JSON envelope");
        assert_eq!(reply["error"]["code"], "method_not_allowed", "{path}");
        assert!(
            reply["error"]["message"]
                .as_str()
                .unwrap()
                .contains("请求方法")
        );
    }
}
