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

async fn registration_needs_the_code_sent_to_the_phone(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let phone = app.phone();
    let mut body = register_body(&app, &phone);
    let (status, reply) = app.post("/api/v1/auth/register", &body, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reply}");
    assert_eq!(reply["error"]["fields"]["sms_code"], "请输入短信验证码");
    let code = app.code_for(&phone, "register").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    body["sms_code"] = json!(wrong);
    let (status, reply) = app.post("/api/v1/auth/register", &body, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reply}");
    assert_eq!(reply["error"]["fields"]["sms_code"], "验证码错误或已过期");
    assert_eq!(app.count("users").await, 0);
    body["sms_code"] = json!(code);
    let (status, reply) = app.post("/api/v1/auth/register", &body, None).await;
    assert_eq!(status, StatusCode::CREATED, "{reply}");
    // Only a hash of the code is stored.
    let stored = app
        .count_where("phone_codes", &format!("code_hash LIKE '%{code}%'"))
        .await;
    assert_eq!(stored, 0);
}

async fn a_code_is_used_once_and_dies_after_five_wrong_tries(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, phone) = app.register("public", "王五", "511011").await;
    let code = app.code_for(&phone, "reset").await;
    let reset = |code: &str, password: &str| json!({"phone": phone, "sms_code": code, "new_password": password});
    let (status, reply) = app
        .post(
            "/api/v1/auth/password-reset",
            &reset(&code, "NewSecret2027"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    let (status, reply) = app
        .post(
            "/api/v1/auth/password-reset",
            &reset(&code, "Other2028x"),
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "used once: {reply}"
    );
    assert_eq!(reply["error"]["fields"]["sms_code"], "验证码错误或已过期");

    app.app.clock.advance(Duration::seconds(61));
    let code = app.code_for(&phone, "reset").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        let (status, _) = app
            .post(
                "/api/v1/auth/password-reset",
                &reset(wrong, "Other2028x"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let (status, _) = app
        .post(
            "/api/v1/auth/password-reset",
            &reset(&code, "Other2028x"),
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "five wrong tries end the code"
    );

    // A code lasts ten minutes.
    app.app.clock.advance(Duration::seconds(61));
    let code = app.code_for(&phone, "reset").await;
    app.app.clock.advance(Duration::minutes(11));
    let (status, _) = app
        .post(
            "/api/v1/auth/password-reset",
            &reset(&code, "Other2028x"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "expired");
}

async fn asking_for_a_code_answers_the_same_for_every_phone(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, registered) = app.register("public", "赵六", "511011").await;
    app.app.clock.advance(Duration::seconds(61));
    let unknown = app.phone();
    for purpose in ["register", "login", "reset"] {
        let ask = |phone: &str| {
            let body = json!({"phone": phone, "purpose": purpose});
            let client = app.client.clone();
            let url = format!("{}/api/v1/auth/phone-codes", app.url);
            async move {
                let response = client.post(url).json(&body).send().await.unwrap();
                (response.status(), response.text().await.unwrap())
            }
        };
        let known = ask(&registered).await;
        let other = ask(&unknown).await;
        assert_eq!(known.0, StatusCode::OK, "{purpose}: {}", known.1);
        assert_eq!(known, other, "{purpose}");
        assert!(known.1.contains("验证码已发送"));
        // A minute later both may ask again, and both are refused alike before that.
        let again = (ask(&registered).await, ask(&unknown).await);
        assert_eq!(again.0.0, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(again.0, again.1, "{purpose}");
    }
    let (status, reply) = app
        .post(
            "/api/v1/auth/phone-codes",
            &json!({"phone": unknown, "purpose": "spam"}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply["error"]["fields"]["purpose"].is_string());
}

async fn a_wrong_password_and_an_unknown_phone_get_the_same_answer(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, phone) = app.register("public", "钱七", "511011").await;
    let answer = |phone: String| {
        let client = app.client.clone();
        let url = format!("{}/api/v1/auth/login", app.url);
        async move {
            let response = client
                .post(url)
                .json(&json!({"phone": phone, "password": "Wrong12345"}))
                .send()
                .await
                .unwrap();
            (response.status(), response.text().await.unwrap())
        }
    };
    for _ in 0..3 {
        let known = answer(phone.clone()).await;
        let unknown = answer(app.phone()).await;
        assert_eq!(known.0, StatusCode::UNAUTHORIZED);
        assert_eq!(known, unknown);
        assert!(known.1.contains("手机号或密码错误"));
    }
    // The fourth try waits for both alike: an unknown phone is slowed down the same way.
    let unknown = app.phone();
    for _ in 0..3 {
        answer(unknown.clone()).await;
    }
    let known = answer(phone.clone()).await;
    let other = answer(unknown).await;
    assert_eq!(known.0, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(known.0, other.0);
}

async fn the_owner_signs_in_with_a_code_while_an_attacker_is_slowed_down(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (id, phone) = app.register("public", "孙八", "511011").await;
    let wrong = json!({"phone": phone, "password": "Guess12345"});
    for _ in 0..3 {
        assert_eq!(
            app.post("/api/v1/auth/login", &wrong, None).await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    let response = app
        .client
        .post(format!("{}/api/v1/auth/login", app.url))
        .json(&json!({"phone": phone, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry >= 1);
    // The attacker keeps trying during the wait: refused without the password being checked,
    // and the wait does not grow from refused attempts.
    for _ in 0..3 {
        assert_eq!(
            app.post("/api/v1/auth/login", &wrong, None).await.0,
            StatusCode::TOO_MANY_REQUESTS
        );
    }

    let reply = app.login_with_code(&phone).await;
    assert_eq!(reply["user"]["id"], id);
    assert!(reply["token"].is_string());
    // The code sign-in cleared the account's delay: the password works again at once.
    app.login(&phone).await;

    // The page offers the same: 短信验证码登录 and 忘记密码.
    let code_page = app.html("/login/code").await;
    assert!(code_page.contains("短信验证码登录") && code_page.contains("sms_code"));
    let html = app.html("/login").await;
    assert!(
        html.contains("/login/code") && html.contains("/forgot-password"),
        "{html}"
    );
}

async fn a_password_reset_ends_every_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, phone) = app.register("public", "周九", "511011").await;
    let token = app.login(&phone).await;
    let browser = app.signed_in(&phone).await;
    assert_eq!(app.get("/api/v1/me", Some(&token)).await.0, StatusCode::OK);
    let code = app.code_for(&phone, "reset").await;
    let (status, reply) = app
        .post(
            "/api/v1/auth/password-reset",
            &json!({"phone": phone, "sms_code": code, "new_password": "Fresh2027pass"}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(
        app.get("/api/v1/me", Some(&token)).await.0,
        StatusCode::UNAUTHORIZED
    );
    let me = browser.get(format!("{}/me", app.url)).send().await.unwrap();
    assert_eq!(
        me.status(),
        StatusCode::SEE_OTHER,
        "the page session ended too"
    );
    assert_eq!(app.count("sessions").await, 0);
    let (status, _) = app
        .post(
            "/api/v1/auth/login",
            &json!({"phone": phone, "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the old password is gone");
    let (status, _) = app
        .post(
            "/api/v1/auth/login",
            &json!({"phone": phone, "password": "Fresh2027pass"}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        app.audit_actions()
            .await
            .contains(&"password.reset".to_owned())
    );
}

async fn a_burst_of_failures_alerts_the_administrators_once(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c: &mut Config| {
        c.limits.alert = Limit::new(5, 900);
        c.limits.login_delay.free_failures = 1_000;
    })
    .await;
    let admin = app.admin().await;
    // Twenty wrong passwords at once from one address, each for another phone.
    let mut attempts = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let client = app.client.clone();
        let url = format!("{}/api/v1/auth/login", app.url);
        let phone = app.phone();
        attempts.spawn(async move {
            client
                .post(url)
                .json(&json!({"phone": phone, "password": "Guess12345"}))
                .send()
                .await
                .unwrap()
                .status()
        });
    }
    while let Some(status) = attempts.join_next().await {
        assert_eq!(status.unwrap(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(app.count("security_alerts").await, 1);
    let (_, notes) = app.get("/api/v1/notifications", Some(&admin)).await;
    let alerts: Vec<&Value> = notes["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| {
            n["text"]
                .as_str()
                .unwrap_or_default()
                .starts_with("安全提醒")
        })
        .collect();
    assert_eq!(alerts.len(), 1, "{notes}");
    assert!(alerts[0]["text"].as_str().unwrap().contains("地址"));
    assert_eq!(
        app.count_where("audit_log", "action = 'security.alert'")
            .await,
        1
    );

    // One account tried again and again alerts once more, for the account.
    let (_, phone) = app.register("public", "吴十", "511011").await;
    for _ in 0..8 {
        let (status, _) = app
            .post(
                "/api/v1/auth/login",
                &json!({"phone": phone, "password": "Guess12345"}),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(app.count("security_alerts").await, 2);
    assert_eq!(
        app.count_where("notifications", "text LIKE '安全提醒：账号%'")
            .await,
        1
    );
}

async fn the_pages_ask_for_codes_and_reset_without_javascript(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, phone) = app.register("public", "郑十一", "511011").await;
    let browser = app.browser();
    let seen = app.sms.to(&phone).len();
    // 获取验证码 without JavaScript posts the form to /phone-codes, which comes back to the page.
    let response = browser
        .post(format!("{}/phone-codes", app.url))
        .form(&[("phone", phone.as_str()), ("purpose", "reset")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let back = response.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(back, format!("/forgot-password?phone={phone}&code=sent"));
    let page = browser
        .get(format!("{}{back}", app.url))
        .send()
        .await
        .unwrap();
    let html = page.text().await.unwrap();
    assert!(
        html.contains("验证码已发送") && html.contains(&phone),
        "{html}"
    );
    let message = app.sms.next_to(&phone, seen).await.expect("a message");
    let code = tianfu::platform::sms::code_in(&message.text).expect("a code");

    let wrong = browser
        .post(format!("{}/forgot-password", app.url))
        .form(&[
            ("phone", phone.as_str()),
            ("sms_code", "12345x"),
            ("new_password", "Fresh2027pass"),
            ("password_confirm", "Fresh2027pass"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.text().await.unwrap().contains("验证码错误或已过期"));
    let done = browser
        .post(format!("{}/forgot-password", app.url))
        .form(&[
            ("phone", phone.as_str()),
            ("sms_code", code.as_str()),
            ("new_password", "Fresh2027pass"),
            ("password_confirm", "Fresh2027pass"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(done.headers()["location"], "/login?reset=1");
    let (status, _) = app
        .post(
            "/api/v1/auth/login",
            &json!({"phone": phone, "password": "Fresh2027pass"}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

on_both_backends!(
    a_burst_of_registrations_is_refused_with_retry_after,
    searches_and_writes_are_limited_too,
    registration_needs_the_code_sent_to_the_phone,
    a_code_is_used_once_and_dies_after_five_wrong_tries,
    asking_for_a_code_answers_the_same_for_every_phone,
    a_wrong_password_and_an_unknown_phone_get_the_same_answer,
    the_owner_signs_in_with_a_code_while_an_attacker_is_slowed_down,
    a_password_reset_ends_every_session,
    a_burst_of_failures_alerts_the_administrators_once,
    the_pages_ask_for_codes_and_reset_without_javascript,
);
