//! Phone first for the public, registration and account as people expect (issue 17, parts 4
//! and 5): consent at registration, the new organisation kinds, the home page's latest
//! listings, the welcome page's next step and the sticky 立即咨询 bar (studios and one's name:
//! `studio_review.rs`).

use reqwest::{Client, StatusCode};
use serde_json::json;

use crate::common::{PASSWORD, TestApp, credit_code};
use crate::market::{approve, create, need_body, offer_body, scientist};
use crate::on_both_databases;

pub async fn get(app: &TestApp, browser: &Client, path: &str) -> (StatusCode, String) {
    app.settle().await;
    let response = browser
        .get(format!("{}{path}", app.url))
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

pub async fn post(
    app: &TestApp,
    browser: &Client,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let response = browser
        .post(format!("{}{path}", app.url))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, location, response.text().await.unwrap())
}

async fn consent_of(app: &TestApp, phone: &str) -> i64 {
    app.count_where(
        "users",
        &format!("phone = '{phone}' AND terms_accepted_at IS NOT NULL"),
    )
    .await
}

async fn consent_is_required_on_the_form_and_optional_in_the_api(app: TestApp) {
    let browser = app.browser();
    let (_, html) = get(&app, &browser, "/register").await;
    assert!(
        html.contains("name=\"agree\"")
            && html.contains("href=\"/agreement\"")
            && html.contains("href=\"/privacy\"")
    );
    let phone = app.phone();
    let sms_code = app.code_for(&phone, "register").await;
    let code = credit_code(41);
    let mut fields = vec![
        ("role", "org"),
        ("name", "何秀英"),
        ("phone", phone.as_str()),
        ("password", PASSWORD),
        ("password_confirm", PASSWORD),
        ("province", "51"),
        ("city", "5116"),
        ("county", "511623"),
        ("org_name", "邻水县丰收柑橘专业合作社"),
        ("org_type", "cooperative"),
        ("credit_code", code.as_str()),
        ("sms_code", sms_code.as_str()),
    ];
    let (status, _, html) = post(&app, &browser, "/register", &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("id=\"accepted_terms-error\"")
            && html.contains("请阅读并同意《用户协议》和《隐私政策》")
    );
    assert!(
        html.contains("value=\"何秀英\"") && html.contains("value=\"邻水县丰收柑橘专业合作社\""),
        "what was typed is kept"
    );
    assert_eq!(app.count("users").await, 0);

    fields.push(("agree", "1"));
    let (status, location, _) = post(&app, &browser, "/register", &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/me?welcome=1");
    assert_eq!(
        consent_of(&app, &phone).await,
        1,
        "the time of consent is recorded"
    );

    // The API keeps working without the field (nothing recorded), records it when sent, and
    // refuses an explicit false with the field named.
    let (_, plain) = app.register("public", "老客户端", "5116").await;
    assert_eq!(consent_of(&app, &plain).await, 0);
    let agreeing = app.phone();
    let mut body = json!({"role": "public", "phone": agreeing, "password": PASSWORD, "name": "新客户端",
                          "region_code": "5116", "accepted_terms": true});
    app.with_code(&mut body).await;
    let (status, reply) = app.post("/api/v1/auth/register", &body, None).await;
    assert_eq!(status, StatusCode::CREATED, "{reply}");
    assert_eq!(consent_of(&app, &agreeing).await, 1);
    let refusing = app.phone();
    let mut body = json!({"role": "public", "phone": refusing, "password": PASSWORD, "name": "不同意",
                          "region_code": "5116", "accepted_terms": false});
    app.with_code(&mut body).await;
    let (status, reply) = app.post("/api/v1/auth/register", &body, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reply}");
    assert!(
        reply["error"]["fields"]["accepted_terms"].is_string(),
        "{reply}"
    );

    let (status, html) = get(&app, &app.browser(), "/agreement").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("天府科技云用户协议"));
    let (status, html) = get(&app, &app.browser(), "/privacy").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("天府科技云隐私政策") && html.contains("手机号不会在公开页面展示"));
}

async fn cooperatives_and_family_farms_register_and_are_named(app: TestApp) {
    let (_, html) = get(&app, &app.browser(), "/register").await;
    assert!(
        html.contains("<option value=\"cooperative\"")
            && html.contains(">合作社</option>")
            && html.contains("<option value=\"family_farm\"")
            && html.contains(">家庭农场</option>")
    );
    for (n, (kind, label)) in [("cooperative", "合作社"), ("family_farm", "家庭农场")]
        .into_iter()
        .enumerate()
    {
        let phone = app.phone();
        let mut body = json!({"role": "org", "phone": phone, "password": PASSWORD, "name": "周建国", "region_code": "511623",
            "org": {"name": format!("邻水县周家{label}"), "credit_code": credit_code(60 + n as u32), "org_type": kind}});
        app.with_code(&mut body).await;
        let (status, reply) = app.post("/api/v1/auth/register", &body, None).await;
        assert_eq!(status, StatusCode::CREATED, "{reply}");
        let token = app.login(&phone).await;
        let (_, me) = app.get("/api/v1/me", Some(&token)).await;
        assert_eq!(me["org"]["org_type"], kind);
        assert_eq!(me["org"]["org_type_label"], label);
        let (_, page) = get(&app, &app.signed_in(&phone).await, "/me").await;
        assert!(
            page.contains(&format!("<dd>{label}</dd>")),
            "the account page names the kind"
        );
    }
    let (_, spec) = app.get("/api/openapi.json", None).await;
    let names = spec["components"]["schemas"]["OrgTypeName"].to_string();
    assert!(
        names.contains("cooperative") && names.contains("family_farm"),
        "{names}"
    );
}

async fn the_home_page_shows_the_latest_published_listings(app: TestApp) {
    let (_, html) = get(&app, &app.browser(), "/").await;
    assert!(html.contains("id=\"latest\"") && html.contains("暂无已发布的内容"));
    let (_, token) = scientist(&app).await;
    let (_, org) = app.register("org", "内江食品", "5110").await;
    let org = app.login(&org).await;
    let worker_staff = app.staff("5110", "worker").await;
    let org_staff = app.staff("5110", "org").await;
    let older = create(
        &app,
        &token,
        "/api/v1/offers",
        &offer_body("较早发布的蛋鸡技术服务"),
    )
    .await;
    approve(&app, &worker_staff, "offer", older).await;
    let need = create(
        &app,
        &org,
        "/api/v1/needs",
        &need_body("最新发布的蛋鸡需求"),
    )
    .await;
    approve(&app, &org_staff, "need", need).await;
    create(
        &app,
        &token,
        "/api/v1/offers",
        &offer_body("还在审核的服务"),
    )
    .await;

    let (_, html) = get(&app, &app.browser(), "/").await;
    let newest = html.find("最新发布的蛋鸡需求").expect("the need is shown");
    let oldest = html
        .find("较早发布的蛋鸡技术服务")
        .expect("the offer is shown");
    assert!(newest < oldest, "newest first");
    assert!(html.contains(&format!("href=\"/needs/{need}\"")) && html.contains("listing-card"));
    assert!(!html.contains("还在审核的服务"), "only published listings");
    assert!(html.contains("name=\"q\""), "the search box stays");
}

async fn the_welcome_page_names_the_next_step(app: TestApp) {
    let (_, org) = app.register("org", "内江食品", "5110").await;
    let (_, html) = get(&app, &app.signed_in(&org).await, "/me?welcome=1").await;
    let steps = &html[html.find("id=\"next-steps\"").expect("next steps")..];
    assert!(
        steps.contains("<a href=\"/me/listings/new?kind=need\" role=\"button\">发布需求</a>"),
        "{steps}"
    );
    let (_, worker) = app.register("worker", "李研究员", "511011").await;
    let (_, html) = get(&app, &app.signed_in(&worker).await, "/me?welcome=1").await;
    assert!(
        html.contains("<a href=\"/me/studio\" role=\"button\">开设工作室</a>")
            && html.contains("发布科技所能")
    );
    let (_, html) = get(&app, &app.signed_in(&worker).await, "/me").await;
    assert!(
        !html.contains("id=\"next-steps\""),
        "only on the welcome page"
    );
}

async fn listing_pages_carry_the_contact_bar(app: TestApp) {
    let (_, token) = scientist(&app).await;
    let staff = app.staff("5110", "worker").await;
    let offer = create(
        &app,
        &token,
        "/api/v1/offers",
        &offer_body("蛋鸡产蛋率提升"),
    )
    .await;
    approve(&app, &staff, "offer", offer).await;
    let path = format!("/offers/{offer}");
    let (_, html) = get(&app, &app.browser(), &path).await;
    assert!(
        html.contains("id=\"contact-bar\"")
            && html.contains(&format!("href=\"/login?next=/offers/{offer}%23inquiry\"")),
        "a visitor signs in and comes back to the form"
    );
    assert!(!html.contains("tel:"), "owners' phones are not public");
    let (_, org) = app.register("org", "内江食品", "5110").await;
    let (_, html) = get(&app, &app.signed_in(&org).await, &path).await;
    assert!(html.contains("href=\"#inquiry\"") && html.contains("id=\"inquiry-message\""));
    assert!(html.contains("class=\"tabbar\"") && html.contains("找专家·找需求"));
}

on_both_databases!(
    consent_is_required_on_the_form_and_optional_in_the_api,
    cooperatives_and_family_farms_register_and_are_named,
    the_home_page_shows_the_latest_published_listings,
    the_welcome_page_names_the_next_step,
    listing_pages_carry_the_contact_bar,
);
