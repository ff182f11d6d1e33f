//! Registration, login, sign-in delays, logout and `/api/v1/me`.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;

use crate::common::{PASSWORD, TestApp, credit_code};
use crate::on_both_databases;

async fn a_scientist_registers_logs_in_and_sees_themselves(app: TestApp) {
    let (id, phone) = app.register("worker", "李建国", "511011").await;
    let token = app.login(&phone).await;
    let (status, me) = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["id"], id);
    assert_eq!(me["role"], "worker");
    assert_eq!(me["role_label"], "科技工作者");
    assert_eq!(me["name"], "李建国");
    assert_eq!(me["region_code"], "511011");
    assert_eq!(me["region_name"], "四川省 内江市 东兴区");
    assert!(me["org"].is_null());
}

async fn an_organisation_registers_with_its_credit_code(app: TestApp) {
    let phone = app.phone();
    let code = credit_code(4242);
    let body = json!({
        "role": "org", "phone": phone, "password": PASSWORD, "name": "王经理", "region_code": "5110",
        "org": {"name": "四川天晟电子科技有限公司", "credit_code": code.to_lowercase(), "org_type": "enterprise"}
    });
    let mut body = body;
    app.with_code(&mut body).await;
    let (status, reply) = app.post("/api/v1/auth/register", &body, None).await;
    assert_eq!(status, StatusCode::CREATED, "{reply}");
    assert_eq!(reply["role"], "org");
    let token = app.login(&phone).await;
    let (_, me) = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me["org"]["name"], "四川天晟电子科技有限公司");
    assert_eq!(me["org"]["credit_code"], code, "stored upper-cased");
    assert_eq!(me["org"]["org_type_label"], "企业");
}

async fn registration_writes_a_ledger_event_in_its_region(app: TestApp) {
    let before = app.count("ledger_events").await;
    let (id, _) = app.register("volunteer", "赵志强", "511623").await;
    assert_eq!(app.count("ledger_events").await, before + 1);
    let (kind, region, subject): (String, String, i64) = tianfu::on_db!(&app.app.db, pool => {
        sqlx::query_as("SELECT kind, region_code, subject_id FROM ledger_events ORDER BY id DESC LIMIT 1").fetch_one(pool).await.unwrap()
    });
    assert_eq!(
        (kind.as_str(), region.as_str(), subject),
        ("user.registered", "511623", id)
    );
}

async fn bad_registrations_name_every_field_in_chinese_and_store_nothing(app: TestApp) {
    let before = app.count("users").await;
    let body = json!({"role": "boss", "phone": "12345", "password": "short", "name": " ", "region_code": "999999"});
    let (status, reply) = app.post("/api/v1/auth/register", &body, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let error = &reply["error"];
    assert_eq!(error["code"], "validation");
    let fields = &error["fields"];
    assert!(
        fields["role"]
            .as_str()
            .unwrap()
            .contains("worker（科技工作者）"),
        "{fields}"
    );
    assert_eq!(fields["phone"], "手机号应为11位数字，以1开头");
    assert_eq!(fields["password"], "密码长度应为8至64位");
    assert_eq!(fields["name"], "请填写姓名");
    assert!(
        fields["region_code"]
            .as_str()
            .unwrap()
            .starts_with("地区代码不存在")
    );
    assert_eq!(app.count("users").await, before);
    assert_eq!(app.count("ledger_events").await, 0);
}

async fn an_organisation_needs_a_valid_credit_code(app: TestApp) {
    let mut body = json!({"role": "org", "phone": app.phone(), "password": PASSWORD, "name": "王经理", "region_code": "5110"});
    let (status, reply) = app.post("/api/v1/auth/register", &body, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        reply["error"]["fields"]["org.credit_code"],
        "企事业单位注册须填写统一社会信用代码"
    );
    let mut wrong = credit_code(7).into_bytes();
    wrong[17] = if wrong[17] == b'1' { b'2' } else { b'1' };
    body["org"] = json!({"name": "某公司", "credit_code": String::from_utf8(wrong).unwrap(), "org_type": "company"});
    let (status, reply) = app.post("/api/v1/auth/register", &body, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        reply["error"]["fields"]["org.credit_code"],
        "统一社会信用代码校验位不正确，请核对"
    );
    assert!(
        reply["error"]["fields"]["org.org_type"]
            .as_str()
            .unwrap()
            .starts_with("单位类型只能是")
    );
    assert_eq!(app.count("users").await, 0);
}

async fn a_phone_or_credit_code_registers_only_once(app: TestApp) {
    let (_, phone) = app.register("worker", "张三", "51").await;
    // A registered phone asking for a registration code is told so by SMS (only its owner reads
    // it) and gets no code, so registering it again fails on the code like any wrong code.
    // (A minute after the code that registered it: one code a minute per phone.)
    app.app.clock.advance(Duration::seconds(61));
    let seen = app.sms.to(&phone).len();
    let (status, _) = app
        .post(
            "/api/v1/auth/phone-codes",
            &json!({"phone": phone, "purpose": "register"}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let notice = app.sms.next_to(&phone, seen).await.expect("a message");
    assert!(notice.text.contains("已注册"), "{}", notice.text);
    let body = json!({"role": "public", "phone": phone, "password": PASSWORD, "name": "张三丰", "region_code": "51", "sms_code": "000000"});
    let (status, reply) = app.post("/api/v1/auth/register", &body, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply["error"]["fields"]["sms_code"], "验证码错误或已过期");

    let code = credit_code(99);
    let org = |phone: String| {
        json!({"role": "org", "phone": phone, "password": PASSWORD, "name": "甲", "region_code": "51",
        "org": {"name": "甲公司", "credit_code": code, "org_type": "enterprise"}})
    };
    let mut first = org(app.phone());
    app.with_code(&mut first).await;
    assert_eq!(
        app.post("/api/v1/auth/register", &first, None).await.0,
        StatusCode::CREATED
    );
    let users = app.count("users").await;
    let mut second = org(app.phone());
    app.with_code(&mut second).await;
    let (status, reply) = app.post("/api/v1/auth/register", &second, None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        reply["error"]["fields"]["org.credit_code"],
        "该统一社会信用代码已被其他账号注册"
    );
    assert_eq!(
        app.count("users").await,
        users,
        "the half-made account was rolled back"
    );
}

async fn malformed_requests_get_the_error_envelope(app: TestApp) {
    let url = format!("{}/api/v1/auth/register", app.url);
    let not_json = app
        .client
        .post(&url)
        .header("content-type", "application/json")
        .body("{oops")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = not_json.json().await.unwrap();
    assert_eq!(body["error"]["code"], "bad_request");
    assert_eq!(body["error"]["message"], "请求体格式错误：不是有效的JSON");

    let no_type = app.client.post(&url).body("{}").send().await.unwrap();
    assert_eq!(no_type.status(), StatusCode::BAD_REQUEST);

    let (status, reply) = app
        .post(
            "/api/v1/auth/register",
            &json!({"role": "worker", "nickname": "x"}),
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "unknown fields are refused, not ignored"
    );
    assert_eq!(reply["error"]["code"], "bad_request");

    let (status, reply) = app
        .post("/api/v1/auth/register", &json!({"role": 5}), None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("请求体格式错误")
    );
}

async fn wrong_passwords_are_refused_audited_and_slow_the_account_down(app: TestApp) {
    let (id, phone) = app.register("worker", "李四", "5101").await;
    let wrong = json!({"phone": phone, "password": "Wrong12345"});
    let (status, reply) = app.post("/api/v1/auth/login", &wrong, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply["error"]["message"], "手机号或密码错误",
        "no count of tries left: that would say the phone is registered"
    );
    assert_eq!(app.audit_actions().await[0], "login.failure");
    for _ in 0..2 {
        assert_eq!(
            app.post("/api/v1/auth/login", &wrong, None).await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    // Three failures: the next attempt must wait (the test app's first wait is a minute), and is
    // refused without its password being checked, even the right one.
    let right = json!({"phone": phone, "password": PASSWORD});
    let (status, reply) = app.post("/api/v1/auth/login", &right, None).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{reply}");
    assert_eq!(reply["error"]["code"], "too_many_requests");
    assert_eq!(app.audit_actions().await[0], "login.limited");

    app.app.clock.advance(Duration::seconds(61));
    let (status, reply) = app.post("/api/v1/auth/login", &right, None).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(reply["user"]["id"], id);
    assert_eq!(app.audit_actions().await[0], "login.success");
    // A success forgets the failures: a wrong password is again just a wrong password.
    assert_eq!(
        app.post("/api/v1/auth/login", &wrong, None).await.0,
        StatusCode::UNAUTHORIZED
    );
}

async fn unknown_phones_get_the_same_answer(app: TestApp) {
    let (status, reply) = app
        .post(
            "/api/v1/auth/login",
            &json!({"phone": "13999999999", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply["error"]["message"], "手机号或密码错误");
    let (status, reply) = app
        .post(
            "/api/v1/auth/login",
            &json!({"phone": "abc", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply["error"]["fields"]["phone"], "请输入11位手机号");
}

async fn logout_ends_the_token_and_me_needs_one(app: TestApp) {
    let (_, phone) = app.register("public", "周敏", "5110").await;
    let token = app.login(&phone).await;
    assert_eq!(app.get("/api/v1/me", Some(&token)).await.0, StatusCode::OK);
    assert_eq!(
        app.post("/api/v1/auth/logout", &json!({}), Some(&token))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    let (status, reply) = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply["error"]["code"], "unauthorized");
    assert_eq!(reply["error"]["message"], "请先登录");
    assert_eq!(
        app.get("/api/v1/me", None).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/api/v1/me", Some("not-a-token")).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.post("/api/v1/auth/logout", &json!({}), None).await.0,
        StatusCode::UNAUTHORIZED
    );
}

async fn tokens_expire(app: TestApp) {
    let (_, phone) = app.register("public", "周敏", "5110").await;
    let token = app.login(&phone).await;
    app.app.clock.advance(Duration::days(31));
    assert_eq!(
        app.get("/api/v1/me", Some(&token)).await.0,
        StatusCode::UNAUTHORIZED
    );
}

on_both_databases!(
    a_scientist_registers_logs_in_and_sees_themselves,
    an_organisation_registers_with_its_credit_code,
    registration_writes_a_ledger_event_in_its_region,
    bad_registrations_name_every_field_in_chinese_and_store_nothing,
    an_organisation_needs_a_valid_credit_code,
    a_phone_or_credit_code_registers_only_once,
    malformed_requests_get_the_error_envelope,
    wrong_passwords_are_refused_audited_and_slow_the_account_down,
    unknown_phones_get_the_same_answer,
    logout_ends_the_token_and_me_needs_one,
    tokens_expire,
);
