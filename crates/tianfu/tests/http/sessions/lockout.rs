//! Lockout that cannot be used against the owner: strangers' wrong passwords make the account
//! wait, but not the owner's usual browser or app (a known device); and asking for codes in a
//! burst cannot use up the codes the owner signs in with.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;

use crate::common::{PASSWORD, TestApp};

fn device_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("tianfu_device="))
        .map(str::to_owned)
}

/// The login form posted by a browser holding the CSRF cookie and, when given, a device token.
async fn page_login(app: &TestApp, phone: &str, device: Option<&str>) -> reqwest::Response {
    let secret = "lockout-test-secret";
    let mut cookies = format!("{}={secret}", tianfu::platform::csrf::CSRF_COOKIE);
    if let Some(device) = device {
        cookies.push_str(&format!("; tianfu_device={device}"));
    }
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .post(format!("{}/login", app.url))
        .header(reqwest::header::COOKIE, cookies)
        .header(reqwest::header::ORIGIN, app.url.as_str())
        .form(&[
            (
                "csrf_token",
                tianfu::platform::csrf::token_for(secret).as_str(),
            ),
            ("phone", phone),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .expect("login form")
}

async fn strangers_guesses_do_not_hold_up_the_owners_known_device(app: TestApp) {
    let (id, phone) = app.register("public", "钱十", "511011").await;
    // The owner signs in once from the app and once from a browser: each is now a known device.
    let reply = app.login_reply(&phone).await;
    let app_device = reply["device_token"]
        .as_str()
        .expect("device_token")
        .to_owned();
    assert_eq!(app_device.len(), 64);
    let first = page_login(&app, &phone, None).await;
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    let cookie = device_cookie(&first).expect("the browser is given a device cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("Max-Age=31536000"));
    let browser_device = cookie["tianfu_device=".len()..]
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    // Signing in again from a known device keeps its token.
    let again = page_login(&app, &phone, Some(&browser_device)).await;
    assert_eq!(
        device_cookie(&again)
            .as_deref()
            .map(|c| c.contains(&browser_device)),
        Some(true)
    );

    // A stranger guesses until the account must wait: now even the right password, from a
    // device the account does not know, is refused.
    let wrong = json!({"phone": phone, "password": "Guess12345"});
    for _ in 0..3 {
        assert_eq!(
            app.post("/api/v1/auth/login", &wrong, None).await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    let right = json!({"phone": phone, "password": PASSWORD});
    assert_eq!(
        app.post("/api/v1/auth/login", &right, None).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    let forged = json!({"phone": phone, "password": PASSWORD, "device_token": "f".repeat(64)});
    assert_eq!(
        app.post("/api/v1/auth/login", &forged, None).await.0,
        StatusCode::TOO_MANY_REQUESTS,
        "a made-up device token is no known device"
    );
    assert_eq!(
        page_login(&app, &phone, None).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );

    // The owner's app and browser sign in at once.
    let mine = json!({"phone": phone, "password": PASSWORD, "device_token": app_device});
    let (status, reply) = app.post("/api/v1/auth/login", &mine, None).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(reply["user"]["id"], id);
    assert_eq!(reply["device_token"], app_device.as_str());
    assert_eq!(
        page_login(&app, &phone, Some(&browser_device))
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    // Another account's device token is no known device for this one.
    let (_, other_phone) = app.register("public", "孙十一", "511011").await;
    for _ in 0..3 {
        let guess = json!({"phone": other_phone, "password": "Guess12345"});
        app.post("/api/v1/auth/login", &guess, None).await;
    }
    let borrowed = json!({"phone": other_phone, "password": PASSWORD, "device_token": app_device});
    assert_eq!(
        app.post("/api/v1/auth/login", &borrowed, None).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
}

async fn a_known_device_meets_its_own_growing_delay(app: TestApp) {
    let (_, phone) = app.register("public", "吴十二", "511011").await;
    let reply = app.login_reply(&phone).await;
    let device = reply["device_token"]
        .as_str()
        .expect("device_token")
        .to_owned();
    // Whoever holds the token (a thief with the owner's phone) still needs the password and is
    // slowed down as a stranger would be, on the device's own counter.
    let wrong = json!({"phone": phone, "password": "Guess12345", "device_token": device});
    for _ in 0..3 {
        assert_eq!(
            app.post("/api/v1/auth/login", &wrong, None).await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    let right = json!({"phone": phone, "password": PASSWORD, "device_token": device});
    assert_eq!(
        app.post("/api/v1/auth/login", &right, None).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    // The account itself was not touched: a stranger's right password passes.
    app.login(&phone).await;
    app.app.clock.advance(Duration::seconds(61));
    assert_eq!(
        app.post("/api/v1/auth/login", &right, None).await.0,
        StatusCode::OK
    );
}

async fn a_burst_of_code_requests_does_not_use_up_the_owners_codes(app: TestApp) {
    let (id, phone) = app.register("public", "郑十三", "511011").await;
    let ask = |purpose: &'static str| {
        let body = json!({"phone": phone, "purpose": purpose});
        let app = &app;
        async move {
            let response = app
                .client
                .post(format!("{}/api/v1/auth/phone-codes", app.url))
                .json(&body)
                .send()
                .await
                .expect("request");
            let retry = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
            (response.status(), retry)
        }
    };
    // Six requests in a second: one code is sent, the rest wait out the minute only.
    assert_eq!(ask("login").await.0, StatusCode::OK);
    for _ in 0..5 {
        let (status, retry) = ask("login").await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert!(retry.is_some_and(|r| r <= 60), "{retry:?}");
    }
    // Someone also asks, once a minute, for registration codes for this phone until that
    // purpose's hourly quota is spent (the owner's own registration took the first)…
    for _ in 0..4 {
        app.app.clock.advance(Duration::seconds(61));
        assert_eq!(ask("register").await.0, StatusCode::OK);
    }
    app.app.clock.advance(Duration::seconds(61));
    assert_eq!(ask("register").await.0, StatusCode::TOO_MANY_REQUESTS);
    // …and the owner still gets a sign-in code and signs in with it.
    let reply = app.login_with_code(&phone).await;
    assert_eq!(reply["user"]["id"], id);
}

/// Signs in through the API without a device token: the token of the new device remembered.
async fn from_a_new_device(app: &TestApp, phone: &str) -> serde_json::Value {
    app.login_reply(phone).await["device_token"].clone()
}

async fn devices_older_than_a_year_are_pruned_when_a_new_one_signs_in(app: TestApp) {
    let (_, phone) = app.register("public", "王十四", "511011").await;
    let first = from_a_new_device(&app, &phone).await;
    app.app.clock.advance(Duration::days(200));
    let second = from_a_new_device(&app, &phone).await;
    let before = app.count("known_devices").await;
    assert!(before >= 2 && first != second, "{first} {second}");
    // 400 days after the first: it is past a year and goes as the third comes; the second stays.
    app.app.clock.advance(Duration::days(200));
    from_a_new_device(&app, &phone).await;
    assert_eq!(
        app.count("known_devices").await,
        before,
        "one device added, one pruned"
    );
    let second_still_known = json!({"phone": phone, "password": PASSWORD, "device_token": second});
    let (status, reply) = app
        .post("/api/v1/auth/login", &second_still_known, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(
        reply["device_token"], second,
        "the second device is still known"
    );
    let first_again = json!({"phone": phone, "password": PASSWORD, "device_token": first});
    let (_, reply) = app.post("/api/v1/auth/login", &first_again, None).await;
    assert_ne!(
        reply["device_token"], first,
        "a device past a year is no known device"
    );
}

on_both_databases_with_real_sessions!(
    devices_older_than_a_year_are_pruned_when_a_new_one_signs_in,
    strangers_guesses_do_not_hold_up_the_owners_known_device,
    a_known_device_meets_its_own_growing_delay,
);

/// The code test runs with the site's own quota per phone (5 an hour), not the suite's.
mod quota {
    use crate::common::{Backend, TestApp};
    use tianfu::platform::limits::Limit;

    async fn spawn(backend: Backend) -> TestApp {
        TestApp::spawn_with(backend, |c| {
            c.limits.codes_per_phone = Limit::new(5, 3600);
        })
        .await
    }

    mod sqlite {
        #[tokio::test]
        async fn a_burst_of_code_requests_does_not_use_up_the_owners_codes() {
            let app = super::spawn(crate::common::Backend::Sqlite).await;
            super::super::a_burst_of_code_requests_does_not_use_up_the_owners_codes(app).await;
        }
    }

    mod postgres {
        #[tokio::test]
        async fn a_burst_of_code_requests_does_not_use_up_the_owners_codes() {
            let app = super::spawn(crate::common::Backend::Postgres).await;
            super::super::a_burst_of_code_requests_does_not_use_up_the_owners_codes(app).await;
        }
    }
}
