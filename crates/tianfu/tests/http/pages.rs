//! The server-rendered pages, driven as a browser without JavaScript would: forms posted,
//! cookies kept, redirects read.

use reqwest::StatusCode;

use crate::common::{PASSWORD, TestApp, credit_code};
use crate::on_both_databases;

async fn a_person_registers_through_the_form_and_lands_on_their_account(app: TestApp) {
    let browser = app.browser();
    let form = app
        .browser()
        .get(format!("{}/register", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), StatusCode::OK);
    let html = form.text().await.unwrap();
    assert!(
        html.contains("注册天府科技云")
            && html.contains("成都市")
            && html.contains("统一社会信用代码")
    );

    let phone = app.phone();
    let code = credit_code(31);
    let sms_code = app.code_for(&phone, "register").await;
    let fields = [
        ("role", "org"),
        ("name", "陈海燕"),
        ("phone", phone.as_str()),
        ("password", PASSWORD),
        ("password_confirm", PASSWORD),
        ("province", "51"),
        ("city", "5110"),
        ("county", "511024"),
        ("org_name", "威远县农业技术推广中心"),
        ("org_type", "institution"),
        ("credit_code", code.as_str()),
        ("sms_code", sms_code.as_str()),
        ("agree", "1"),
    ];
    let response = browser
        .post(format!("{}/register", app.url))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/me?welcome=1");
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );

    let me = browser
        .get(format!("{}/me?welcome=1", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(me.contains("注册成功"));
    assert!(
        me.contains("陈海燕")
            && me.contains("威远县农业技术推广中心")
            && me.contains("四川省 内江市 威远县")
    );
    assert!(me.contains("事业单位"));
}

async fn a_form_with_mistakes_comes_back_whole_with_chinese_errors(app: TestApp) {
    let phone = app.phone();
    let fields = [
        ("role", "worker"),
        ("name", "刘洋"),
        ("phone", phone.as_str()),
        ("password", "abc12345"),
        ("password_confirm", "abc99999"),
        ("province", "51"),
        ("city", "5110"),
        ("county", "511623"),
    ];
    let response = app
        .browser()
        .post(format!("{}/register", app.url))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("两次输入的密码不一致"));
    assert!(
        html.contains("所选区县不属于所选市州"),
        "邻水县 is in 广安, not 内江"
    );
    assert!(
        html.contains("value=\"刘洋\"") && html.contains(&format!("value=\"{phone}\"")),
        "what was typed is kept"
    );
    assert_eq!(app.count("users").await, 0);
}

async fn login_and_logout_through_the_pages(app: TestApp) {
    let (_, phone) = app.register("worker", "黄志强", "5101").await;
    let browser = app.browser();
    let redirect = browser.get(format!("{}/me", app.url)).send().await.unwrap();
    assert_eq!(redirect.status(), StatusCode::SEE_OTHER);
    assert_eq!(redirect.headers()["location"], "/login?next=/me");

    let wrong = browser
        .post(format!("{}/login", app.url))
        .form(&[("phone", phone.as_str()), ("password", "nope12345")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.text().await.unwrap().contains("手机号或密码错误"));

    let fields = [
        ("phone", phone.as_str()),
        ("password", PASSWORD),
        ("next", "/me"),
    ];
    let ok = browser
        .post(format!("{}/login", app.url))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    assert_eq!(ok.headers()["location"], "/me");
    let me = browser
        .get(format!("{}/me", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(me.contains("黄志强") && me.contains("退出"));

    // Signed in, the forms carry the session's token (the one in the page), no longer the
    // pre-session one this client sends by default.
    let out = browser
        .post(format!("{}/logout", app.url))
        .header("x-csrf-token", crate::common::form_token(&me))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        browser
            .get(format!("{}/me", app.url))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::SEE_OTHER
    );
}

async fn login_never_redirects_off_site(app: TestApp) {
    let (_, phone) = app.register("worker", "黄志强", "5101").await;
    let fields = [
        ("phone", phone.as_str()),
        ("password", PASSWORD),
        ("next", "//evil.example/"),
    ];
    let ok = app
        .browser()
        .post(format!("{}/login", app.url))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.headers()["location"], "/me");
}

async fn the_console_lists_the_region_for_staff_and_refuses_others(app: TestApp) {
    app.register("worker", "东兴专家", "511011").await;
    app.register("worker", "邻水专家", "511623").await;
    let staff_phone = app.staff_member("5110", "worker", "内江工作人员").await;
    let browser = app.signed_in(&staff_phone).await;
    let html = browser
        .get(format!("{}/admin/users", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("管辖范围：四川省 内江市"));
    assert!(html.contains("东兴专家") && !html.contains("邻水专家"));
    let html = browser
        .get(format!("{}/admin/users?q=东兴", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("东兴专家") && html.contains("<strong id=\"user-total\">1</strong>"));

    let form = [
        ("phone", app.phone()),
        ("name", "威远工作人员".into()),
        ("password", PASSWORD.into()),
        ("department", "kepu".into()),
        ("region_code", "511024".into()),
    ];
    let created = browser
        .post(format!("{}/admin/staff", app.url))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let html = browser
        .get(format!("{}/admin/users?role=staff", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("威远工作人员"));

    let (_, phone) = app.register("public", "群众", "5110").await;
    let public = app.signed_in(&phone).await;
    let refused = public
        .get(format!("{}/admin/users", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("仅服务中心工作人员可以访问")
    );
}

async fn the_region_picker_narrows_by_city(app: TestApp) {
    let html = app
        .client
        .get(format!("{}/regions/picker?province=51&city=5110", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("威远县") && !html.contains("邻水县"));
    assert!(html.contains("value=\"5110\" selected"));
    let html = app
        .client
        .get(format!("{}/regions/picker?province=51&city=5001", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("邻水县"),
        "a city of another province is dropped, so every county shows"
    );
    let html = app
        .client
        .get(format!("{}/", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("21 个市（州）") && html.contains("183 个县（市、区）"));
}

/// The header offers 服务中心 to staff only: anyone else following it met a refusal.
async fn only_staff_are_offered_the_service_centre(app: TestApp) {
    let link = r#"<a href="/admin">服务中心</a>"#;
    let home = app.html("/").await;
    assert!(!home.contains(link), "a visitor");
    assert!(
        home.contains(r#"action="/search""#),
        "the home page has a search box"
    );
    let (_, phone) = app.register("org", "威远果业", "511024").await;
    let org = app.signed_in(&phone).await;
    let page = org.get(format!("{}/me", app.url)).send().await.unwrap();
    assert!(
        !page.text().await.unwrap().contains(link),
        "an organisation"
    );
    let staff_phone = app.staff_member("5110", "worker", "内江审核员").await;
    let staff = app.signed_in(&staff_phone).await;
    let page = staff.get(format!("{}/me", app.url)).send().await.unwrap();
    assert!(page.text().await.unwrap().contains(link), "staff");
}

on_both_databases!(
    only_staff_are_offered_the_service_centre,
    a_person_registers_through_the_form_and_lands_on_their_account,
    a_form_with_mistakes_comes_back_whole_with_chinese_errors,
    login_and_logout_through_the_pages,
    login_never_redirects_off_site,
    the_console_lists_the_region_for_staff_and_refuses_others,
    the_region_picker_narrows_by_city,
);
