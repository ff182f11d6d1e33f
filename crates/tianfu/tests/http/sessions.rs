//! Sessions under 等保 level 3: idle timeouts and absolute lifetimes, the list of one's sessions,
//! signing out everywhere else, password change, accounts disabled by an administrator, the
//! TOTP second factor for staff, and `Secure` cookies behind an HTTPS proxy.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tianfu::accounts::totp::code::code_at;
use tianfu::staff::store::{NewStaff, add_staff};

use crate::common::{PASSWORD, TestApp, form_token, session_cookie};
use crate::on_both_databases;

async fn me_status(app: &TestApp, token: &str) -> StatusCode {
    app.get("/api/v1/me", Some(token)).await.0
}

async fn delete(app: &TestApp, path: &str, token: &str) -> StatusCode {
    app.client
        .delete(format!("{}{path}", app.url))
        .bearer_auth(token)
        .send()
        .await
        .expect("request")
        .status()
}

/// An administrator's phone and bearer token.
async fn admin_member(app: &TestApp) -> (String, String) {
    let phone = app.phone();
    let input = NewStaff {
        phone: phone.clone(),
        password: PASSWORD.into(),
        name: "系统管理员".into(),
        region_code: "51".into(),
        department: "worker".into(),
        admin: true,
    };
    add_staff(&app.app, None, input)
        .await
        .expect("admin created");
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
    assert_eq!(location, "/login?next=%2Fme&expired=1");
    let login = app.html(location).await;
    assert!(login.contains("登录已超时，请重新登录"), "{login}");
    let page = browser
        .get(format!("{}/me", app.url))
        .send()
        .await
        .expect("page");
    assert_eq!(
        page.headers()["location"].to_str().expect("location"),
        "/login?next=%2Fme",
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

async fn changing_the_password_signs_out_everywhere_else(app: TestApp) {
    let (_, phone) = app.register("worker", "李建国", "511011").await;
    let mine = app.login(&phone).await;
    let elsewhere = app.login(&phone).await;
    let users_before: String = tianfu::on_db!(&app.app.db, pool => {
        sqlx::query_scalar("SELECT password_hash FROM users WHERE phone = $1").bind(&phone).fetch_one(pool).await.unwrap()
    });

    let body = json!({"current_password": "Wrong2026", "new_password": "NewSecret2027"});
    let (status, reply) = app.post("/api/v1/me/password", &body, Some(&mine)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reply}");
    assert!(reply["error"]["fields"]["current_password"].is_string());
    let body = json!({"current_password": PASSWORD, "new_password": "onlyletters"});
    let (status, reply) = app.post("/api/v1/me/password", &body, Some(&mine)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reply}");
    assert_eq!(
        reply["error"]["fields"]["new_password"],
        "密码须同时包含字母和数字"
    );
    let users_after: String = tianfu::on_db!(&app.app.db, pool => {
        sqlx::query_scalar("SELECT password_hash FROM users WHERE phone = $1").bind(&phone).fetch_one(pool).await.unwrap()
    });
    assert_eq!(users_before, users_after, "refusals change nothing");
    assert_eq!(me_status(&app, &elsewhere).await, StatusCode::OK);

    let body = json!({"current_password": PASSWORD, "new_password": "NewSecret2027"});
    let (status, reply) = app.post("/api/v1/me/password", &body, Some(&mine)).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(reply["ended_sessions"], 1);
    assert_eq!(me_status(&app, &elsewhere).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me_status(&app, &mine).await, StatusCode::OK);

    let old = json!({"phone": phone, "password": PASSWORD});
    let (status, _) = app.post("/api/v1/auth/login", &old, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let new = json!({"phone": phone, "password": "NewSecret2027"});
    let (status, _) = app.post("/api/v1/auth/login", &new, None).await;
    assert_eq!(status, StatusCode::OK);
    let actions = app.audit_actions().await;
    assert!(actions.contains(&"password.changed".to_owned()));
    assert!(actions.contains(&"password.change.failure".to_owned()));
}

async fn the_password_page_changes_the_password(app: TestApp) {
    let (_, phone) = app.register("worker", "李建国", "511011").await;
    let browser = app.signed_in(&phone).await;
    let html = browser
        .get(format!("{}/me/password", app.url))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    let token = form_token(&html);
    let post = |current: &'static str, confirm: &'static str| {
        browser
            .post(format!("{}/me/password", app.url))
            .form(&[
                ("csrf_token", token.as_str()),
                ("current_password", current),
                ("new_password", "NewSecret2027"),
                ("new_password_confirm", confirm),
            ])
            .send()
    };
    let refused = post("Wrong2026", "NewSecret2027").await.expect("post");
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text()
            .await
            .expect("html")
            .contains("当前密码不正确")
    );
    let refused = post(PASSWORD, "Other2027").await.expect("post");
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let done = post(PASSWORD, "NewSecret2027").await.expect("post");
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    let new = json!({"phone": phone, "password": "NewSecret2027"});
    assert_eq!(
        app.post("/api/v1/auth/login", &new, None).await.0,
        StatusCode::OK
    );
}

async fn an_administrator_disables_and_enables_an_account(app: TestApp) {
    let (admin_phone, admin) = admin_member(&app).await;
    let region_staff = app.staff("51", "worker").await;
    let (user, phone) = app.register("worker", "李建国", "511011").await;
    let token = app.login(&phone).await;
    let browser = app.signed_in(&phone).await;
    let disable = format!("/api/v1/admin/users/{user}/disable");
    let enable = format!("/api/v1/admin/users/{user}/enable");
    let reason = json!({"reason": "冒用他人身份"});

    let (status, _) = app.post(&disable, &reason, Some(&region_staff)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "region staff may not");
    let (status, _) = app.post(&disable, &reason, Some(&token)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(me_status(&app, &token).await, StatusCode::OK);
    let (status, reply) = app
        .post(&disable, &json!({"reason": "  "}), Some(&admin))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reply}");
    assert!(reply["error"]["fields"]["reason"].is_string());

    let (status, reply) = app.post(&disable, &reason, Some(&admin)).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(reply["disabled"], true);
    assert_eq!(reply["disabled_reason"], "冒用他人身份");
    assert_eq!(me_status(&app, &token).await, StatusCode::UNAUTHORIZED);
    let page = browser
        .get(format!("{}/me", app.url))
        .send()
        .await
        .expect("page");
    assert_eq!(
        page.status(),
        StatusCode::SEE_OTHER,
        "the page session ended too"
    );
    assert_eq!(
        app.count_where("sessions", &format!("user_id = {user}"))
            .await,
        0
    );
    let login = json!({"phone": phone, "password": PASSWORD});
    let (status, reply) = app.post("/api/v1/auth/login", &login, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{reply}");
    assert_eq!(reply["error"]["message"], "账号已停用，请联系管理员");
    let (status, _) = app.post(&disable, &reason, Some(&admin)).await;
    assert_eq!(status, StatusCode::CONFLICT, "already disabled");

    let admin_id: i64 = tianfu::on_db!(&app.app.db, pool => {
        sqlx::query_scalar("SELECT id FROM users WHERE phone = $1").bind(&admin_phone).fetch_one(pool).await.unwrap()
    });
    let (status, _) = app
        .post(
            &format!("/api/v1/admin/users/{admin_id}/disable"),
            &reason,
            Some(&admin),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "not oneself");
    assert_eq!(me_status(&app, &admin).await, StatusCode::OK);
    let (status, _) = app
        .post("/api/v1/admin/users/999999/disable", &reason, Some(&admin))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, reply) = app.post(&enable, &json!({}), Some(&admin)).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(reply["disabled"], false);
    let (status, _) = app.post(&enable, &json!({}), Some(&admin)).await;
    assert_eq!(status, StatusCode::CONFLICT, "already enabled");
    let (status, _) = app.post("/api/v1/auth/login", &login, None).await;
    assert_eq!(status, StatusCode::OK);
    let actions = app.audit_actions().await;
    assert!(actions.contains(&"account.disabled".to_owned()));
    assert!(actions.contains(&"account.enabled".to_owned()));
    assert!(actions.contains(&"login.refused".to_owned()));
}

async fn the_accounts_page_is_for_administrators_only(app: TestApp) {
    let (admin_phone, _) = admin_member(&app).await;
    let staff_phone = app.staff_member("51", "worker", "省级工作人员").await;
    let (_, phone) = app.register("worker", "李建国", "511011").await;
    let staff = app.signed_in(&staff_phone).await;
    let refused = staff
        .get(format!("{}/admin/accounts?q={phone}", app.url))
        .send()
        .await
        .expect("page");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    let admin = app.signed_in(&admin_phone).await;
    let page = admin
        .get(format!("{}/admin/accounts?q={phone}", app.url))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("html");
    assert!(html.contains("李建国"), "{html}");
    let token = form_token(&html);
    let user = html
        .split("data-user=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the user's row")
        .to_owned();
    let done = admin
        .post(format!("{}/admin/accounts/{user}/disable", app.url))
        .form(&[
            ("csrf_token", token.as_str()),
            ("reason", "账号被盗用"),
            ("q", phone.as_str()),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    let html = admin
        .get(format!("{}/admin/accounts?q=李建国", app.url))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(html.contains("已停用"), "{html}");
    assert!(html.contains("账号被盗用"));
}

fn secret_of(html: &str) -> String {
    let marker = "id=\"totp-secret\">";
    let start = html.find(marker).expect("the secret is shown") + marker.len();
    html[start..]
        .split('<')
        .next()
        .unwrap_or_default()
        .to_owned()
}

fn challenge_of(html: &str) -> String {
    let marker = "name=\"challenge\" value=\"";
    let start = html.find(marker).expect("a challenge") + marker.len();
    html[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned()
}

async fn a_staff_member_enrols_totp_and_then_logs_in_with_a_code(app: TestApp) {
    let phone = app.staff_member("5110", "worker", "内江工作人员").await;
    let browser = app.signed_in(&phone).await;
    let started = browser
        .post(format!("{}/me/totp/start", app.url))
        .form(&[("csrf_token", "")])
        .send()
        .await
        .expect("start");
    assert_eq!(started.status(), StatusCode::SEE_OTHER);
    let html = browser
        .get(format!("{}/me/totp", app.url))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(html.contains("<svg"), "a QR code: {html}");
    let secret = secret_of(&html);
    let now = || app.app.clock.now().timestamp();
    let wrong = |code: &str| if code == "000000" { "111111" } else { "000000" }.to_owned();

    let first = code_at(&secret, now()).expect("code");
    let refused = browser
        .post(format!("{}/me/totp/confirm", app.url))
        .form(&[("csrf_token", ""), ("totp_code", wrong(&first).as_str())])
        .send()
        .await
        .expect("confirm");
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let login = json!({"phone": phone, "password": PASSWORD});
    assert_eq!(
        app.post("/api/v1/auth/login", &login, None).await.0,
        StatusCode::OK,
        "not on before it is confirmed"
    );
    let confirmed = browser
        .post(format!("{}/me/totp/confirm", app.url))
        .form(&[("csrf_token", ""), ("totp_code", first.as_str())])
        .send()
        .await
        .expect("confirm");
    assert_eq!(confirmed.status(), StatusCode::SEE_OTHER);

    // The API: without a code, a wrong one, the right one, the same one again.
    let (status, reply) = app.post("/api/v1/auth/login", &login, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{reply}");
    assert_eq!(reply["error"]["code"], "totp_required");
    assert!(reply["error"]["fields"]["totp_code"].is_string());
    app.app.clock.advance(Duration::seconds(60));
    let code = code_at(&secret, now()).expect("code");
    let with = |code: &str| json!({"phone": phone, "password": PASSWORD, "totp_code": code});
    let (status, reply) = app
        .post("/api/v1/auth/login", &with(&wrong(&code)), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{reply}");
    assert_eq!(reply["error"]["code"], "totp_invalid");
    let (status, reply) = app.post("/api/v1/auth/login", &with(&code), None).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    let (status, reply) = app.post("/api/v1/auth/login", &with(&code), None).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a code works once: {reply}"
    );
    assert_eq!(reply["error"]["code"], "totp_invalid");

    // The page: the password, then the second step.
    app.app.clock.advance(Duration::seconds(60));
    let step = app
        .browser()
        .post(format!("{}/login", app.url))
        .form(&[("phone", phone.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .expect("login");
    assert_eq!(step.status(), StatusCode::OK);
    assert!(
        session_cookie(&step).is_none(),
        "no session before the code"
    );
    let html = step.text().await.expect("html");
    assert!(html.contains("动态验证码"));
    assert!(!html.contains(PASSWORD), "the password is not carried");
    let challenge = challenge_of(&html);
    let code = code_at(&secret, now()).expect("code");
    let refused = app
        .browser()
        .post(format!("{}/login/totp", app.url))
        .form(&[
            ("challenge", challenge.as_str()),
            ("totp_code", wrong(&code).as_str()),
        ])
        .send()
        .await
        .expect("step");
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert!(session_cookie(&refused).is_none());
    let done = app
        .browser()
        .post(format!("{}/login/totp", app.url))
        .form(&[
            ("challenge", challenge.as_str()),
            ("totp_code", code.as_str()),
        ])
        .send()
        .await
        .expect("step");
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert!(session_cookie(&done).is_some());
    let again = app
        .browser()
        .post(format!("{}/login/totp", app.url))
        .form(&[
            ("challenge", challenge.as_str()),
            ("totp_code", code.as_str()),
        ])
        .send()
        .await
        .expect("step");
    assert!(
        session_cookie(&again).is_none(),
        "a challenge is taken once"
    );

    // Turning it off needs a current code.
    app.app.clock.advance(Duration::seconds(60));
    let code = code_at(&secret, now()).expect("code");
    let off = browser
        .post(format!("{}/me/totp/disable", app.url))
        .form(&[("csrf_token", ""), ("totp_code", code.as_str())])
        .send()
        .await
        .expect("disable");
    assert_eq!(off.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.post("/api/v1/auth/login", &login, None).await.0,
        StatusCode::OK
    );
    let actions = app.audit_actions().await;
    assert!(actions.contains(&"totp.enabled".to_owned()));
    assert!(actions.contains(&"totp.disabled".to_owned()));
    assert!(actions.contains(&"login.second_factor.failure".to_owned()));
}

async fn cookies_are_secure_behind_an_https_proxy(app: TestApp) {
    let (_, phone) = app.register("worker", "李建国", "511011").await;
    let login = |https: bool| {
        let mut request = app
            .browser()
            .post(format!("{}/login", app.url))
            .form(&[("phone", phone.as_str()), ("password", PASSWORD)]);
        if https {
            request = request.header("x-forwarded-proto", "https");
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

on_both_databases!(
    staff_sessions_end_after_thirty_idle_minutes,
    activity_keeps_a_staff_session_alive_until_its_absolute_lifetime,
    last_seen_is_written_at_most_once_a_minute,
    the_sessions_list_shows_ones_own_and_cannot_touch_anothers,
    signing_out_everywhere_else_keeps_only_this_session,
    changing_the_password_signs_out_everywhere_else,
    the_password_page_changes_the_password,
    an_administrator_disables_and_enables_an_account,
    the_accounts_page_is_for_administrators_only,
    a_staff_member_enrols_totp_and_then_logs_in_with_a_code,
    cookies_are_secure_behind_an_https_proxy,
);
