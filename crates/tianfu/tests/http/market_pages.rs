//! The market's pages, driven as a browser without JavaScript would: forms posted, cookies
//! kept, redirects read.

use reqwest::{Client, StatusCode};

use crate::common::TestApp;
use crate::market::{approve, create, offer_body};
use crate::on_both_databases;

/// A browser signed in through the login form.
pub async fn signed_in(app: &TestApp, phone: &str) -> Client {
    app.signed_in(phone).await
}

async fn user(app: &TestApp, role: &str, name: &str, region: &str) -> Client {
    let (_, phone) = app.register(role, name, region).await;
    signed_in(app, &phone).await
}

async fn staff(app: &TestApp, region: &str, name: &str) -> Client {
    let phone = app.staff_member(region, "worker", name).await;
    signed_in(app, &phone).await
}

async fn get(app: &TestApp, browser: &Client, path: &str) -> (StatusCode, String) {
    let response = browser
        .get(format!("{}{path}", app.url))
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

/// Posts a form; answers the status, the redirect target (if any) and the body.
async fn post(
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

fn id_from(location: &str, prefix: &str) -> i64 {
    location
        .strip_prefix(prefix)
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("{location} should start with {prefix}"))
}

const TITLE: &str = "蛋鸡产蛋率提升技术服务";

async fn a_capability_goes_through_the_form_and_review_onto_the_market(app: TestApp) {
    let scientist = user(&app, "worker", "李研究员", "511011").await;
    let (status, html) = get(&app, &scientist, "/me/listings/new?kind=offer").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("发布科技所能") && html.contains("技术服务") && html.contains("畜牧业"));

    let mut form = vec![
        ("title", "蛋"),
        ("description", "提供蛋鸡产蛋率提升、料蛋比优化的技术服务"),
        ("service_type", ""),
        ("industry", "A03"),
        ("keywords", "蛋鸡，产蛋率"),
        ("price", "五万"),
    ];
    let (status, _, html) = post(&app, &scientist, "/me/listings/new?kind=offer", &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("标题至少2个字"), "{html}");
    assert!(html.contains("请选择服务类型") && html.contains("金额应为数字"));
    assert!(
        html.contains("value=\"蛋\"")
            && html.contains(">提供蛋鸡产蛋率提升、料蛋比优化的技术服务</textarea>")
            && html.contains("value=\"蛋鸡，产蛋率\"")
            && html.contains("value=\"五万\"")
            && html.contains("<option value=\"A03\" selected>"),
        "what was typed is kept"
    );
    assert_eq!(app.count("listings").await, 0);

    form[0].1 = TITLE;
    form[2].1 = "service";
    form[5].1 = "50,000";
    let (status, location, _) = post(&app, &scientist, "/me/listings/new?kind=offer", &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let id = id_from(&location, "/offers/");
    let (status, html) = get(&app, &scientist, &location).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(TITLE) && html.contains("待审核") && html.contains("5.00万元"));
    assert!(
        !html.contains("action=\"/inquiries\""),
        "no inquiry with oneself"
    );

    let anonymous = app.browser();
    let (status, html) = get(&app, &anonymous, &location).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("科技所能不存在"));
    assert!(!get(&app, &anonymous, "/market").await.1.contains(TITLE));

    let other_city = staff(&app, "5116", "广安工作人员").await;
    let (status, html) = get(&app, &other_city, "/admin/reviews").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("四川省 广安市") && !html.contains(TITLE));
    let decision = [("decision", "approve")];
    let path = format!("/admin/reviews/offer/{id}");
    let (status, _, _) = post(&app, &other_city, &path, &decision).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let neijiang = staff(&app, "5110", "内江工作人员").await;
    let (_, html) = get(&app, &neijiang, "/admin/reviews?kind=offer").await;
    assert!(html.contains(TITLE) && html.contains("李研究员"), "{html}");
    let (status, location, _) = post(&app, &neijiang, &path, &decision).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.starts_with("/admin/reviews"));
    assert!(
        !get(&app, &neijiang, "/admin/reviews")
            .await
            .1
            .contains(TITLE)
    );

    let (status, html) = get(&app, &anonymous, &format!("/offers/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(TITLE) && html.contains("已发布") && html.contains("李研究员"));
    assert!(html.contains("<p>提供蛋鸡产蛋率提升、料蛋比优化的技术服务</p>"));
    assert!(html.contains("登录</a>后可以与发布者在线洽谈"));
    let (_, html) = get(&app, &anonymous, "/market?kind=offer").await;
    assert!(html.contains(TITLE) && html.contains("技术服务") && html.contains("畜牧业"));
    assert!(html.contains("四川省 内江市 东兴区") && html.contains("5.00万元"));
    let (_, html) = get(&app, &anonymous, "/market?kind=offer&region_code=5116").await;
    assert!(!html.contains(TITLE) && html.contains("value=\"5116\" selected"));
    assert!(
        !get(&app, &anonymous, "/market?kind=need")
            .await
            .1
            .contains(TITLE)
    );

    let enterprise = user(&app, "org", "内江食品", "5110").await;
    let (_, html) = get(&app, &enterprise, &format!("/offers/{id}")).await;
    assert!(
        html.contains("action=\"/inquiries\"") && html.contains("name=\"listing_id\" value=\"")
    );
    assert!(html.contains("发起洽谈"));
}

async fn a_rejection_shows_its_reason_and_withdrawal_hides_the_listing(app: TestApp) {
    let scientist = user(&app, "worker", "王教授", "511011").await;
    let mut form = vec![
        ("title", "低温等离子体种子处理技术"),
        ("description", "提高发芽率\n减少农药使用"),
        ("achievement_kind", "patent"),
        ("patent_no", ""),
        ("maturity", "pilot"),
        ("transfer_mode", "license"),
        ("industry", "A01"),
        ("keywords", ""),
        ("price", ""),
    ];
    let path = "/me/listings/new?kind=achievement";
    let (status, _, html) = post(&app, &scientist, path, &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("专利类成果请填写专利号"));
    form[3].1 = "ZL202310001234.5";
    let (status, location, _) = post(&app, &scientist, path, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let id = id_from(&location, "/achievements/");

    let reviewer = staff(&app, "5110", "内江工作人员").await;
    let review = format!("/admin/reviews/achievement/{id}");
    let (status, _, html) = post(
        &app,
        &reviewer,
        &review,
        &[("decision", "reject"), ("reason", " ")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("不通过时请填写原因") && html.contains("低温等离子体种子处理技术"));
    let reason = "请补充专利权人信息";
    let (status, _, _) = post(
        &app,
        &reviewer,
        &review,
        &[("decision", "reject"), ("reason", reason)],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    let (_, html) = get(&app, &scientist, "/me/listings").await;
    assert!(html.contains("未通过") && html.contains(reason), "{html}");
    let (_, html) = get(&app, &scientist, &location).await;
    assert!(html.contains(reason) && html.contains(&format!("/me/listings/{id}/edit")));
    assert_eq!(
        get(&app, &app.browser(), &location).await.0,
        StatusCode::NOT_FOUND
    );

    let edit = format!("/me/listings/{id}/edit");
    let (status, html) = get(&app, &scientist, &edit).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("value=\"ZL202310001234.5\"")
            && html.contains(">提高发芽率\n减少农药使用</textarea>")
    );
    form[0].1 = "低温等离子体种子处理技术（含专利权人）";
    let (status, location, _) = post(&app, &scientist, &edit, &form).await;
    assert_eq!(
        (status, location.as_str()),
        (
            StatusCode::SEE_OTHER,
            format!("/achievements/{id}").as_str()
        )
    );
    assert!(get(&app, &scientist, &location).await.1.contains("待审核"));
    let (status, _, _) = post(&app, &reviewer, &review, &[("decision", "approve")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(get(&app, &app.browser(), &location).await.0, StatusCode::OK);

    let status_path = format!("/me/listings/{id}/status");
    let (status, back, _) = post(&app, &scientist, &status_path, &[("status", "withdrawn")]).await;
    assert_eq!(
        (status, back.as_str()),
        (StatusCode::SEE_OTHER, "/me/listings?done=withdrawn")
    );
    assert_eq!(
        get(&app, &app.browser(), &location).await.0,
        StatusCode::NOT_FOUND
    );
    assert!(
        get(&app, &scientist, "/me/listings")
            .await
            .1
            .contains("已撤回")
    );
    let (status, _, html) = post(&app, &scientist, &status_path, &[("status", "published")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("状态只能改为"));
}

async fn a_scientist_opens_a_studio_through_the_form(app: TestApp) {
    let (_, phone) = app.register("worker", "张研究员", "511011").await;
    let scientist = signed_in(&app, &phone).await;
    let (status, html) = get(&app, &scientist, "/me/studio").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("开设工作室"));

    let mut form = vec![
        ("name", ""),
        ("intro", "专注蛋鸡健康养殖与饲料营养"),
        ("fields", "蛋鸡养殖，饲料营养"),
        ("members", "王芳 高级畜牧师\n赵强　工程师"),
    ];
    let (status, _, html) = post(&app, &scientist, "/me/studio", &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("id=\"name-error\"")
            && html.contains(">专注蛋鸡健康养殖与饲料营养</textarea>")
    );
    assert_eq!(app.count("studios").await, 0);
    form[0].1 = "蛋鸡健康养殖科创工作室";
    let (status, location, _) = post(&app, &scientist, "/me/studio", &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let studio = id_from(&location, "/studios/");
    let (status, html) = get(&app, &scientist, &location).await;
    assert_eq!(status, StatusCode::OK, "the owner sees it while it waits");
    assert!(html.contains("审核中"));
    assert_eq!(
        get(&app, &app.browser(), &location).await.0,
        StatusCode::NOT_FOUND,
        "not public before review"
    );
    app.approve_studio(studio).await;

    let token = app.login(&phone).await;
    let offer = create(&app, &token, "/api/v1/offers", &offer_body(TITLE)).await;
    let reviewer = app.staff("5110", "worker").await;
    approve(&app, &reviewer, "offer", offer).await;

    let (status, html) = get(&app, &app.browser(), &location).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("蛋鸡健康养殖科创工作室") && html.contains("普通科创工作室"));
    assert!(
        html.contains("王芳")
            && html.contains("高级畜牧师")
            && html.contains("赵强")
            && html.contains("工程师")
    );
    assert!(html.contains("蛋鸡养殖") && html.contains(TITLE) && html.contains("张研究员"));
    let (_, html) = get(&app, &app.browser(), &format!("/offers/{offer}")).await;
    assert!(html.contains(&format!("href=\"/studios/{studio}\"")));

    let (_, html) = get(&app, &scientist, "/me/studio").await;
    assert!(
        html.contains(&format!("/studios/{studio}"))
            && html.contains("已公开")
            && html.contains("提交修改（需审核）")
            && !html.contains("开设工作室</button>")
    );
    let (status, _, html) = post(&app, &scientist, "/me/studio", &form).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("每位用户限开一个"));

    let enterprise = user(&app, "org", "内江食品", "5110").await;
    assert!(
        get(&app, &enterprise, "/me/studio")
            .await
            .1
            .contains("不能开设工作室")
    );
    let (status, _, _) = post(&app, &enterprise, "/me/studio", &form).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        get(&app, &app.browser(), "/studios/999").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&app, &app.browser(), "/studios/abc").await.0,
        StatusCode::NOT_FOUND
    );
}

async fn strangers_cannot_edit_or_withdraw_others_listings(app: TestApp) {
    let (_, phone) = app.register("worker", "李研究员", "511011").await;
    let token = app.login(&phone).await;
    let published = create(&app, &token, "/api/v1/offers", &offer_body(TITLE)).await;
    let pending = create(&app, &token, "/api/v1/offers", &offer_body("待审核的所能")).await;
    let reviewer = app.staff("5110", "worker").await;
    approve(&app, &reviewer, "offer", published).await;

    let stranger = user(&app, "worker", "陌生人", "511011").await;
    let (status, html) = get(&app, &stranger, &format!("/me/listings/{published}/edit")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("只能修改自己发布的内容"));
    let form = [
        ("title", "被篡改的标题"),
        ("description", "篡改"),
        ("service_type", "service"),
        ("industry", "A03"),
    ];
    let (status, _, _) = post(
        &app,
        &stranger,
        &format!("/me/listings/{published}/edit"),
        &form,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = post(
        &app,
        &stranger,
        &format!("/me/listings/{published}/status"),
        &[("status", "closed")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = get(&app, &stranger, &format!("/me/listings/{pending}/edit")).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a pending listing is not even shown to strangers"
    );
    let (_, html) = get(&app, &app.browser(), &format!("/offers/{published}")).await;
    assert!(html.contains(TITLE) && !html.contains("被篡改的标题"));
    assert!(
        app.audit_actions()
            .await
            .iter()
            .any(|a| a == "permission.denied")
    );

    let anonymous = app.browser();
    let response = anonymous
        .get(format!("{}/me/listings/{published}/edit", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let public = user(&app, "public", "群众", "5110").await;
    let (status, html) = get(&app, &public, "/admin/reviews").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("仅服务中心工作人员可以访问"));
    let (status, html) = get(&app, &public, "/me/listings/new?kind=offer").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("仅科技工作者和企事业单位可以发布科技所能"));
    assert_eq!(
        get(&app, &public, "/me/listings/new?kind=need").await.0,
        StatusCode::OK
    );
}

on_both_databases!(
    a_capability_goes_through_the_form_and_review_onto_the_market,
    a_rejection_shows_its_reason_and_withdrawal_hides_the_listing,
    a_scientist_opens_a_studio_through_the_form,
    strangers_cannot_edit_or_withdraw_others_listings,
);
