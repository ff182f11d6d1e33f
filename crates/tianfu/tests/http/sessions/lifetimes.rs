//! The session cookie says how long the server keeps the session: a staff member's cookie ends
//! with the staff session's absolute lifetime (12 hours), not with a page session's 7 days, so a
//! browser does not keep offering a session the server has already ended.

use reqwest::StatusCode;

use crate::common::{PASSWORD, TestApp};

/// The `Max-Age` (seconds) of the session cookie that signing in on the login page sets.
async fn session_max_age(app: &TestApp, phone: &str) -> i64 {
    let response = app
        .browser()
        .post(format!("{}/login", app.url))
        .form(&[("phone", phone), ("password", PASSWORD)])
        .send()
        .await
        .expect("login");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let prefix = format!("{}=", tianfu::platform::auth::COOKIE_NAME);
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&prefix))
        .expect("the login sets the session cookie")
        .to_owned();
    cookie
        .split(';')
        .find_map(|attribute| attribute.trim().strip_prefix("Max-Age="))
        .unwrap_or_else(|| panic!("no Max-Age: {cookie}"))
        .parse()
        .expect("seconds")
}

async fn a_staff_cookie_lasts_as_long_as_the_staff_session(app: TestApp) {
    let staff = app.staff_member("511011", "worker", "王审核").await;
    assert_eq!(session_max_age(&app, &staff).await, 12 * 60 * 60);
    let (_, resident) = app.register("public", "赵村民", "511011").await;
    assert_eq!(
        session_max_age(&app, &resident).await,
        7 * 24 * 60 * 60,
        "anyone else's page session lasts 7 days"
    );
}

on_both_databases_with_real_sessions!(a_staff_cookie_lasts_as_long_as_the_staff_session);
