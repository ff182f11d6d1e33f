//! Password change: the current password, the registration rules, other sessions end.

use reqwest::StatusCode;
use serde_json::json;

use super::me_status;
use crate::common::{PASSWORD, TestApp, form_token};

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

async fn a_stolen_session_cannot_guess_the_password_faster_than_the_login_page(app: TestApp) {
    let (_, phone) = app.register("worker", "赵守信", "511011").await;
    let stolen = app.login(&phone).await;
    let guess = json!({"current_password": "Guess2026x", "new_password": "Taken2027pass"});
    for _ in 0..3 {
        let (status, reply) = app.post("/api/v1/me/password", &guess, Some(&stolen)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reply}");
    }
    // The account must now wait, as after three wrong passwords at the login page: even the
    // right password is not checked.
    let right = json!({"current_password": PASSWORD, "new_password": "Taken2027pass"});
    let (status, reply) = app.post("/api/v1/me/password", &right, Some(&stolen)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{reply}");
    let login = json!({"phone": phone, "password": PASSWORD});
    assert_eq!(
        app.post("/api/v1/auth/login", &login, None).await.0,
        StatusCode::TOO_MANY_REQUESTS,
        "the same counter as the login page"
    );
    app.app.clock.advance(chrono::Duration::seconds(61));
    let (status, reply) = app.post("/api/v1/me/password", &right, Some(&stolen)).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
}

on_both_databases_with_real_sessions!(
    a_stolen_session_cannot_guess_the_password_faster_than_the_login_page,
    changing_the_password_signs_out_everywhere_else,
    the_password_page_changes_the_password,
);
