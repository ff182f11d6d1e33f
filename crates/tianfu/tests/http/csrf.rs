//! CSRF (issue 16, item 4): a state-changing request that carries our cookie must come from a
//! page of this site (`Origin`, else `Referer`) and carry the token of its session; the login
//! and registration forms are protected by a pre-session token; bearer-token API calls are not
//! affected.

use std::sync::Arc;

use reqwest::StatusCode;
use reqwest::header::{ORIGIN, REFERER};
use serde_json::{Value, json};

use crate::common::{PASSWORD, TestApp, form_token, session_cookie};
use crate::on_both_databases;

const EVIL: &str = "http://evil.example";

/// A browser holding only `name=value` and adding nothing of its own: what it sends when a page
/// on another site posts to us.
fn holding_only(app: &TestApp, name: &str, value: &str) -> reqwest::Client {
    let jar = Arc::new(reqwest::cookie::Jar::default());
    jar.add_cookie_str(
        &format!("{name}={value}; Path=/"),
        &app.url.parse().unwrap(),
    );
    reqwest::Client::builder()
        .cookie_provider(jar)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The session token of a staff administrator signed in through the pages.
async fn admin_session(app: &TestApp) -> String {
    let phone = app.admin_member("省管理员").await;
    let response = app
        .browser()
        .post(format!("{}/login", app.url))
        .form(&[("phone", phone.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    session_cookie(&response).expect("signed in")
}

fn staff_form(app: &TestApp, name: &str) -> Vec<(&'static str, String)> {
    vec![
        ("phone", app.phone()),
        ("name", name.to_owned()),
        ("password", PASSWORD.to_owned()),
        ("department", "kepu".to_owned()),
        ("region_code", "511024".to_owned()),
    ]
}

async fn text(response: reqwest::Response) -> (StatusCode, String) {
    (response.status(), response.text().await.unwrap())
}

async fn a_cross_site_post_with_a_staff_cookie_creates_nothing(app: TestApp) {
    let session = admin_session(&app).await;
    let users = app.count("users").await;
    let victim = holding_only(&app, "tianfu_session", &session);

    // Another site's page posting our form: its own Origin, no token.
    let (status, html) = text(
        victim
            .post(format!("{}/admin/staff", app.url))
            .header(ORIGIN, EVIL)
            .form(&staff_form(&app, "冒名工作人员"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("跨站请求已拒绝"), "{html}");
    // Even with the right token the wrong origin is refused (and a referer from elsewhere too).
    let mut form = staff_form(&app, "冒名工作人员");
    form.push(("csrf_token", tianfu::platform::csrf::token_for(&session)));
    for (header, value) in [(ORIGIN, EVIL), (REFERER, "http://evil.example/page")] {
        let response = victim
            .post(format!("{}/admin/staff", app.url))
            .header(header, value)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
    }
    // Neither Origin nor Referer: refused as well.
    let response = victim
        .post(format!("{}/admin/staff", app.url))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("users").await, users, "nobody was created");
    assert!(app.audit_actions().await.contains(&"csrf.refused".into()));
}

async fn a_missing_or_wrong_token_is_refused(app: TestApp) {
    let session = admin_session(&app).await;
    let users = app.count("users").await;
    let victim = holding_only(&app, "tianfu_session", &session);
    let post = |form: Vec<(&'static str, String)>| {
        victim
            .post(format!("{}/admin/staff", app.url))
            .header(ORIGIN, app.url.clone())
            .form(&form)
            .send()
    };
    let (status, html) = text(post(staff_form(&app, "无令牌")).await.unwrap()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("缺少安全令牌"), "{html}");
    let mut wrong = staff_form(&app, "错令牌");
    wrong.push(("csrf_token", "0".repeat(64)));
    assert_eq!(post(wrong).await.unwrap().status(), StatusCode::FORBIDDEN);
    // The token of another secret (a pre-session cookie) does not open a session's forms.
    let mut other = staff_form(&app, "别人的令牌");
    other.push((
        "csrf_token",
        tianfu::platform::csrf::token_for("somebody-else"),
    ));
    assert_eq!(post(other).await.unwrap().status(), StatusCode::FORBIDDEN);
    // A wrong header is refused even beside a right field.
    let mut right = staff_form(&app, "头部错误");
    right.push(("csrf_token", tianfu::platform::csrf::token_for(&session)));
    let response = victim
        .post(format!("{}/admin/staff", app.url))
        .header(ORIGIN, app.url.clone())
        .header("x-csrf-token", "nope")
        .form(&right)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    // A multipart form (one with a file field) carries the token as its first part.
    let multipart = |token: &str| {
        victim
            .post(format!("{}/admin/staff", app.url))
            .header(ORIGIN, app.url.clone())
            .header("content-type", "multipart/form-data; boundary=b1")
            .body(format!(
                "--b1\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n--b1--\r\n"
            ))
            .send()
    };
    let wrong = multipart("nope").await.unwrap();
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    let right = multipart(&tianfu::platform::csrf::token_for(&session))
        .await
        .unwrap();
    assert_ne!(
        right.status(),
        StatusCode::FORBIDDEN,
        "past the guard, the staff form itself refuses a multipart body"
    );

    // The API with the cookie and no token: the JSON envelope, in Chinese.
    let body = json!({"phone": app.phone(), "password": PASSWORD, "name": "接口冒名", "region_code": "511024", "department": "kepu"});
    let response = victim
        .post(format!("{}/api/v1/admin/staff", app.url))
        .header(ORIGIN, app.url.clone())
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let reply: Value = response.json().await.unwrap();
    assert_eq!(reply["error"]["code"], "forbidden", "{reply}");
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap()
            .contains("安全令牌")
    );
    assert_eq!(app.count("users").await, users, "nobody was created");
}

async fn the_token_a_page_gives_makes_its_form_work(app: TestApp) {
    let admin_phone = app.phone();
    let input = tianfu::staff::store::NewStaff {
        phone: admin_phone.clone(),
        password: PASSWORD.into(),
        name: "省管理员".into(),
        region_code: "51".into(),
        department: "worker".into(),
        admin: true,
    };
    tianfu::staff::store::add_staff(&app.app, None, input)
        .await
        .unwrap();
    // A browser: cookies kept, Origin sent, the token only what the pages hold.
    let browser = app.bare_browser();
    let login_page = browser
        .get(format!("{}/login", app.url))
        .send()
        .await
        .unwrap();
    let sets_cookie = login_page
        .headers()
        .get_all("set-cookie")
        .iter()
        .any(|v| v.to_str().unwrap().starts_with("tianfu_csrf="));
    assert!(
        sets_cookie,
        "the login form comes with a pre-session cookie"
    );
    let html = login_page.text().await.unwrap();
    assert!(html.contains(r#"<meta name="csrf-token""#), "{html}");
    let token = form_token(&html);
    let response = browser
        .post(format!("{}/login", app.url))
        .header(ORIGIN, app.url.clone())
        .form(&[
            ("phone", admin_phone.as_str()),
            ("password", PASSWORD),
            ("csrf_token", token.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let page = browser
        .get(format!("{}/admin/staff/new", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = form_token(&page);
    assert!(
        page.matches(&format!(r#"name="csrf_token" value="{token}""#))
            .count()
            >= 2,
        "the form and the header's sign-out form both carry it"
    );
    let users = app.count("users").await;
    let mut form = staff_form(&app, "正常新增");
    form.push(("csrf_token", token.clone()));
    let response = browser
        .post(format!("{}/admin/staff", app.url))
        .header(ORIGIN, app.url.clone())
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    // A browser that sends a same-site Referer but no Origin is let through as well.
    let mut form = staff_form(&app, "凭来源页新增");
    form.push(("csrf_token", token.clone()));
    let response = browser
        .post(format!("{}/admin/staff", app.url))
        .header(REFERER, format!("{}/admin/staff/new", app.url))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("users").await, users + 2);
    // Signing out is a form of its own, with the same token.
    let out = browser
        .post(format!("{}/logout", app.url))
        .header(ORIGIN, app.url.clone())
        .form(&[("csrf_token", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
}

async fn bearer_token_api_calls_are_unaffected(app: TestApp) {
    let admin = app.admin().await;
    let body = json!({"phone": app.phone(), "password": PASSWORD, "name": "接口新增", "region_code": "511024", "department": "kepu"});
    // No Origin, no Referer, no token: a program, not a browser.
    let (status, reply) = app.post("/api/v1/admin/staff", &body, Some(&admin)).await;
    assert_eq!(status, StatusCode::CREATED, "{reply}");
    // Anonymous API calls without cookies too (registration and login by programs).
    app.register("public", "接口注册", "511623").await;
}

async fn login_and_registration_cannot_be_forged(app: TestApp) {
    let (_, phone) = app.register("public", "被设计的人", "511623").await;
    let sessions = app.count("sessions").await;
    let credentials = [("phone", phone.as_str()), ("password", PASSWORD)];
    // A first visit: another site's page posts the attacker's credentials, no cookie at all.
    let (status, html) = text(
        reqwest::Client::new()
            .post(format!("{}/login", app.url))
            .header(ORIGIN, EVIL)
            .form(&credentials)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("请刷新页面后重新提交"), "{html}");
    // Same without an Origin header (an old browser): still no token, still refused.
    let response = reqwest::Client::new()
        .post(format!("{}/login", app.url))
        .form(&credentials)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // A visitor who has a pre-session cookie: a cross-site post, even one that guessed a token,
    // is refused.
    let visitor = holding_only(&app, "tianfu_csrf", "visitor-secret");
    for (origin, token) in [
        (EVIL, tianfu::platform::csrf::token_for("visitor-secret")),
        (
            app.url.as_str(),
            tianfu::platform::csrf::token_for("attacker"),
        ),
    ] {
        let mut form = credentials.map(|(k, v)| (k, v.to_owned())).to_vec();
        form.push(("csrf_token", token));
        let response = visitor
            .post(format!("{}/login", app.url))
            .header(ORIGIN, origin)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert!(session_cookie(&response).is_none());
    }
    let users = app.count("users").await;
    let register = [
        ("role", "public"),
        ("name", "冒名注册"),
        ("phone", "13900000001"),
        ("password", PASSWORD),
        ("password_confirm", PASSWORD),
        ("province", "51"),
        ("city", "5116"),
        ("county", "511623"),
    ];
    let response = visitor
        .post(format!("{}/register", app.url))
        .header(ORIGIN, EVIL)
        .form(&register)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("sessions").await, sessions, "nobody signed in");
    assert_eq!(app.count("users").await, users, "nobody registered");
}

on_both_databases!(
    a_cross_site_post_with_a_staff_cookie_creates_nothing,
    a_missing_or_wrong_token_is_refused,
    the_token_a_page_gives_makes_its_form_work,
    bearer_token_api_calls_are_unaffected,
    login_and_registration_cannot_be_forged,
);
