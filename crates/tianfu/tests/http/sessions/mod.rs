//! Sessions under 等保 level 3: idle timeouts and absolute lifetimes, the list of one's sessions,
//! signing out everywhere else, password change, accounts disabled by an administrator, the
//! TOTP second factor for staff, and `Secure` cookies behind an HTTPS proxy.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{PASSWORD, TestApp};

/// Like `on_both_databases!`, but with the sessions policy the site runs with (30 idle minutes
/// and 12 hours for staff), not the test suite's unhurried one.
macro_rules! on_both_databases_with_real_sessions {
    ($($test:ident),+ $(,)?) => {
        mod sqlite {
            $(#[tokio::test] async fn $test() { super::$test(crate::common::TestApp::spawn_with(crate::common::Backend::Sqlite, |c| c.sessions = Default::default()).await).await; })+
        }
        mod postgres {
            $(#[tokio::test] async fn $test() { super::$test(crate::common::TestApp::spawn_with(crate::common::Backend::Postgres, |c| c.sessions = Default::default()).await).await; })+
        }
    };
}

mod disable;
mod lifetimes;
mod lockout;
mod password;
mod totp;

pub async fn me_status(app: &TestApp, token: &str) -> StatusCode {
    app.get("/api/v1/me", Some(token)).await.0
}

pub async fn delete(app: &TestApp, path: &str, token: &str) -> StatusCode {
    app.client
        .delete(format!("{}{path}", app.url))
        .bearer_auth(token)
        .send()
        .await
        .expect("request")
        .status()
}

/// An administrator's phone and bearer token.
pub async fn admin_member(app: &TestApp) -> (String, String) {
    let phone = app.admin_member("系统管理员").await;
    let token = app.login(&phone).await;
    (phone, token)
}

async fn staff_sessions_end_after_thirty_idle_minutes(app: TestApp) {
    let staff = app.staff("5110", "worker").await;
    let staff_phone = app.staff_member("5110", "worker", "内江工作人员").await;
    let browser = app.signed_in(&staff_phone).await;
    let (_, person_phone) = app.register("worker", "李建国", "511011").await;
    let person = app.login(&person_phone).await;
    assert_eq!(me_status(&app, &staff).await, StatusCode::OK);

    app.app.clock.advance(Duration::minutes(31));
    assert_eq!(me_status(&app, &staff).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        me_status(&app, &person).await,
        StatusCode::OK,
        "a non-staff session has a longer idle limit"
    );
    let page = browser
        .get(format!("{}/me", app.url))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    let location = page.headers()["location"].to_str().expect("location");
    assert_eq!(location, "/login?next=/me&expired=1");
    let login = app.html(location).await;
    assert!(login.contains("登录已超时，请重新登录"), "{login}");
    let page = browser
        .get(format!("{}/me", app.url))
        .send()
        .await
        .expect("page");
    assert_eq!(
        page.headers()["location"].to_str().expect("location"),
        "/login?next=/me",
        "the timed-out session was removed"
    );
}

async fn activity_keeps_a_staff_session_alive_until_its_absolute_lifetime(app: TestApp) {
    let staff = app.staff("5110", "worker").await;
    // Every 20 minutes of activity keeps it alive past the 30-minute idle limit…
    for round in 1..=35 {
        app.app.clock.advance(Duration::minutes(20));
        assert_eq!(
            me_status(&app, &staff).await,
            StatusCode::OK,
            "alive after {} minutes of activity",
            round * 20
        );
    }
    // …until 12 hours after it began.
    app.app.clock.advance(Duration::minutes(20));
    assert_eq!(me_status(&app, &staff).await, StatusCode::UNAUTHORIZED);
}

async fn last_seen_is_written_at_most_once_a_minute(app: TestApp) {
    let (_, phone) = app.register("worker", "李建国", "511011").await;
    let token = app.login(&phone).await;
    let seen = || async {
        let (_, list) = app.get("/api/v1/me/sessions", Some(&token)).await;
        list[0]["last_seen_at"].as_str().expect("seen").to_owned()
    };
    let first = seen().await;
    app.app.clock.advance(Duration::seconds(20));
    assert_eq!(seen().await, first, "no write within the minute");
    app.app.clock.advance(Duration::seconds(50));
    assert_ne!(seen().await, first, "written after a minute");
}

async fn the_sessions_list_shows_ones_own_and_cannot_touch_anothers(app: TestApp) {
    let (_, phone) = app.register("worker", "李建国", "511011").await;
    let first = app.login(&phone).await;
    let second = app.login(&phone).await;
    let (_, other_phone) = app.register("public", "王芳", "511011").await;
    let other = app.login(&other_phone).await;

    let (status, list) = app.get("/api/v1/me/sessions", Some(&first)).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let list = list.as_array().expect("list").clone();
    assert_eq!(list.len(), 2);
    let current: Vec<&Value> = list.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["kind"], "bearer");
    for session in &list {
        let id = session["id"].as_str().expect("id");
        assert_eq!(id.len(), 32);
        assert_ne!(id, tianfu::platform::auth::token_hash(&first));
        assert_ne!(id, tianfu::platform::auth::token_hash(&second));
        assert!(!session["user_agent"].as_str().expect("ua").is_empty());
    }
    let second_id = list
        .iter()
        .find(|s| s["current"] == false)
        .and_then(|s| s["id"].as_str())
        .expect("the other session")
        .to_owned();

    let (_, others) = app.get("/api/v1/me/sessions", Some(&other)).await;
    let others_id = others[0]["id"].as_str().expect("id").to_owned();
    assert_eq!(
        delete(&app, &format!("/api/v1/me/sessions/{others_id}"), &first).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(me_status(&app, &other).await, StatusCode::OK);

    assert_eq!(
        delete(&app, &format!("/api/v1/me/sessions/{second_id}"), &first).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(me_status(&app, &second).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me_status(&app, &first).await, StatusCode::OK);
    assert!(
        app.audit_actions()
            .await
            .contains(&"session.ended".to_owned())
    );
}

async fn signing_out_everywhere_else_keeps_only_this_session(app: TestApp) {
    let (_, phone) = app.register("worker", "李建国", "511011").await;
    let browser = app.signed_in(&phone).await;
    let second = app.login(&phone).await;
    let third = app.login(&phone).await;

    let page = browser
        .get(format!("{}/me/sessions", app.url))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("html");
    assert!(html.contains("（当前设备）"), "{html}");
    assert!(html.contains("退出所有其他设备"));
    assert_eq!(html.matches("data-session=").count(), 3);

    let done = browser
        .post(format!("{}/me/sessions/sign-out-others", app.url))
        .form(&[("csrf_token", "")])
        .send()
        .await
        .expect("post");
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(me_status(&app, &second).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me_status(&app, &third).await, StatusCode::UNAUTHORIZED);
    let page = browser
        .get(format!("{}/me/sessions", app.url))
        .send()
        .await
        .expect("page");
    assert_eq!(
        page.status(),
        StatusCode::OK,
        "this browser stays signed in"
    );
    let html = page.text().await.expect("html");
    assert_eq!(html.matches("data-session=").count(), 1);

    let fourth = app.login(&phone).await;
    let fifth = app.login(&phone).await;
    let (status, reply) = app
        .post(
            "/api/v1/me/sessions/sign-out-others",
            &json!({}),
            Some(&fourth),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(reply["ended"], 2, "the browser and the fifth");
    assert_eq!(me_status(&app, &fifth).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me_status(&app, &fourth).await, StatusCode::OK);
}

async fn cookies_are_secure_behind_an_https_proxy(app: TestApp) {
    let (_, phone) = app.register("worker", "李建国", "511011").await;
    let login = |https: bool| {
        let mut request = app
            .browser()
            .post(format!("{}/login", app.url))
            .form(&[("phone", phone.as_str()), ("password", PASSWORD)]);
        if https {
            // Behind the proxy the page's origin is the https one.
            let origin = app.url.replacen("http://", "https://", 1);
            request = request
                .header("x-forwarded-proto", "https")
                .header("origin", origin);
        }
        request.send()
    };
    let session_header = |response: &reqwest::Response| {
        response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(tianfu::platform::auth::COOKIE_NAME))
            .expect("session cookie")
            .to_owned()
    };
    let plain = login(false).await.expect("login");
    assert!(!session_header(&plain).contains("Secure"));
    let https = login(true).await.expect("login");
    assert!(
        session_header(&https).contains("; Secure"),
        "{}",
        session_header(&https)
    );

    // The pre-session CSRF cookie of a first visit too.
    let page = app
        .bare_browser()
        .get(format!("{}/login", app.url))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .expect("page");
    let cookies: Vec<&str> = page
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    assert!(!cookies.is_empty());
    assert!(cookies.iter().all(|c| c.contains("Secure")), "{cookies:?}");
}

on_both_databases_with_real_sessions!(
    staff_sessions_end_after_thirty_idle_minutes,
    activity_keeps_a_staff_session_alive_until_its_absolute_lifetime,
    last_seen_is_written_at_most_once_a_minute,
    the_sessions_list_shows_ones_own_and_cannot_touch_anothers,
    signing_out_everywhere_else_keeps_only_this_session,
    cookies_are_secure_behind_an_https_proxy,
);
