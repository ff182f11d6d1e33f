//! Accounts disabled and enabled by an administrator.

use reqwest::StatusCode;
use serde_json::json;

use super::{admin_member, me_status};
use crate::common::{PASSWORD, TestApp, form_token};

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

on_both_databases_with_real_sessions!(
    an_administrator_disables_and_enables_an_account,
    the_accounts_page_is_for_administrators_only,
);
