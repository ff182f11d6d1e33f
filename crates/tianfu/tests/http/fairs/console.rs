//! The organisers' console and the owner's entry page, driven as a browser without JavaScript:
//! an edition created and configured from forms (quotas from the grid), staff nominating by a
//! listing's address, an owner entering from their published listings, errors shown by field
//! with the input kept.

use reqwest::StatusCode;
use serde_json::json;

use super::{OPEN_DAY, REVIEW_DAY, advance, edition, need, offer, person};
use crate::common::TestApp;
use crate::market_pages::signed_in;
use crate::on_both_databases;

async fn an_edition_is_created_and_configured_from_the_console(app: TestApp) {
    let fair = edition(&app, json!([])).await;
    let organiser = app
        .staff_member("51", "org", "省科协企事业单位服务部")
        .await;
    let browser = signed_in(&app, &organiser).await;
    let page = app.page_as(&browser, "/admin/fairs").await;
    assert!(
        page.contains("第三届科创中国·天府科技云服务大会"),
        "the edition is listed"
    );
    assert!(page.contains("新建一届"), "an organiser may create one");

    // A bad form keeps what was typed and names the field.
    let response = browser
        .post(format!("{}/admin/fairs", app.url))
        .form(&[
            ("name", "第四届科创会"),
            ("year", "2027"),
            ("collect_until", "2027-05-10T00:00"),
            ("opens_at", "2027-05-01T00:00"),
            ("closes_at", "2027-05-12T00:00"),
            ("criteria", "advanced 技术先进性 30\nmarket 市场前景 70"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    assert!(page.contains("开幕时间应晚于征集截止时间"), "{page}");
    assert!(page.contains("第四届科创会"), "the name typed is kept");

    // Quotas from the grid: 内江 may have 2 technologies selected.
    let path = format!("/admin/fairs/{}", fair.id);
    let settings = app.page_as(&browser, &path).await;
    assert!(
        settings.contains("q_5110_technology"),
        "the grid has a cell per hall and category"
    );
    let (_, view) = app.get(&format!("/api/v1/fairs/{}", fair.id), None).await;
    let time = |key: &str| {
        let at: chrono::DateTime<chrono::Utc> = view[key].as_str().unwrap().parse().unwrap();
        (at + chrono::Duration::hours(8))
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    };
    let form = [
        ("name", "第三届科创中国·天府科技云服务大会".to_owned()),
        ("intro", "简介".to_owned()),
        ("collect_until", time("collect_until")),
        ("opens_at", time("opens_at")),
        ("closes_at", time("closes_at")),
        ("signing_until", time("signing_until")),
        (
            "criteria",
            "advanced 技术先进性 60\nmarket 市场前景 40".to_owned(),
        ),
        ("q_5110_technology", "2".to_owned()),
        ("q_51_problem", "".to_owned()),
    ];
    let response = browser
        .post(format!("{}{path}", app.url))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, view) = app.get(&format!("/api/v1/fairs/{}", fair.id), None).await;
    assert_eq!(
        view["quotas"],
        json!([{"region_code": "5110", "category": "technology", "quota": 2}])
    );
    assert_eq!(view["criteria"][0]["weight"], 60);

    // City staff see the console read-only: no settings form.
    let city = app
        .staff_member("5110", "org", "内江市企事业单位服务部")
        .await;
    let city_browser = signed_in(&app, &city).await;
    let page = app.page_as(&city_browser, &path).await;
    assert!(page.contains("推荐项目") && !page.contains("届次设置"));
    let response = city_browser
        .post(format!("{}{path}", app.url))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

async fn staff_nominate_and_owners_enter_from_pages(app: TestApp) {
    let fair = edition(&app, json!([])).await;
    let (_, scientist_token) = person(&app, "worker", "王教授", "511011").await;
    let (_, enterprise_token) = person(&app, "org", "内江食品", "511024").await;
    let capability = offer(&app, &scientist_token, "5110", "柑橘黄龙病快速检测技术").await;
    let problem = need(&app, &enterprise_token, "5110", "蛋鸡产蛋率低的难题").await;

    let county = app
        .staff_member("511024", "org", "资中县企事业单位服务部")
        .await;
    let browser = signed_in(&app, &county).await;
    let nominate = format!("{}/admin/fairs/{}/nominate", app.url, fair.id);
    let response = browser
        .post(&nominate)
        .form(&[("listing", format!("/needs/{problem}"))])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = browser
        .post(&nominate)
        .form(&[("listing", format!("need:{problem}"))])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(response.text().await.unwrap().contains("不能重复报名"));
    let response = browser
        .post(&nominate)
        .form(&[("listing", "studio:1")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // The owner enters from their published listings.
    let (_, me) = app.get("/api/v1/me", Some(&scientist_token)).await;
    let owner = signed_in(&app, me["phone"].as_str().unwrap()).await;
    let page = app.page_as(&owner, "/me/fair-projects").await;
    assert!(
        page.contains("柑橘黄龙病快速检测技术"),
        "the listing is offered in the form"
    );
    let response = owner
        .post(format!("{}/me/fair-projects", app.url))
        .form(&[
            ("listing_id", capability.to_string()),
            ("pitch", "太短".to_owned()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("项目简介至少10个字")
    );
    let response = owner
        .post(format!("{}/me/fair-projects", app.url))
        .form(&[
            ("listing_id", capability.to_string()),
            ("sector", "agriculture".to_owned()),
            ("pitch", "快速检测黄龙病，田间半小时出结果。".to_owned()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let page = app.page_as(&owner, "/me/fair-projects").await;
    assert!(page.contains("已征集"), "{page}");
    assert_eq!(
        app.count_where("fair_projects", &format!("fair_id = {}", fair.id))
            .await,
        2
    );
}

/// During the fair, the deal form of an inquiry on a selected project offers to sign it at the
/// fair, and the deal made from the page carries the edition.
async fn a_deal_proposed_from_an_inquiry_page_is_signed_at_the_fair(app: TestApp) {
    let s = super::signing::scene(&app).await;
    advance(&app, OPEN_DAY - REVIEW_DAY);
    let enterprise = super::signing::relogin(&app, s.enterprise_id).await;
    let body = json!({"target_kind": "offer", "target_id": s.offer, "message": "我们想在科创会上签约合作"});
    let (status, inquiry) = app
        .post("/api/v1/inquiries", &body, Some(&enterprise))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{inquiry}");
    let id = inquiry["id"].as_i64().unwrap();
    let phone: String = tianfu::on_db!(&app.app.db, pool => sqlx::query_scalar("SELECT phone FROM users WHERE id = $1")
        .bind(s.enterprise_id).fetch_one(pool).await.unwrap());
    let browser = signed_in(&app, &phone).await;
    let page = app.page_as(&browser, &format!("/me/inquiries/{id}")).await;
    assert!(
        page.contains("计入科创会签约成果"),
        "the form offers the fair: {page}"
    );
    let response = browser
        .post(format!("{}/me/inquiries/{id}/deal", app.url))
        .form(&[
            ("contract_type", "service".to_owned()),
            ("amount_yuan", "80000".to_owned()),
            ("fair_id", s.fair.id.to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.count_where("deals", &format!("fair_id = {}", s.fair.id))
            .await,
        1
    );
    let page = app.page_as(&browser, "/me/deals").await;
    assert!(page.contains("科创会签约"), "my deals mark it");
}

/// The door's screen: staff find a registrant by name or phone and check them in once; staff
/// of another region are refused.
async fn staff_check_people_in_from_the_roster(app: TestApp) {
    let s = super::signing::scene(&app).await;
    advance(&app, OPEN_DAY - REVIEW_DAY);
    let session = super::signing::session(&app, s.fair.id).await;
    let enterprise = super::signing::relogin(&app, s.enterprise_id).await;
    let path = format!(
        "/api/v1/fairs/{}/sessions/{session}/registrations",
        s.fair.id
    );
    let (status, reply) = app.post(&path, &json!({}), Some(&enterprise)).await;
    assert_eq!(status, StatusCode::CREATED, "{reply}");

    let roster = format!("{}/fairs/{}/sessions/{session}/roster", app.url, s.fair.id);
    let other = app
        .staff_member("5101", "org", "成都市企事业单位服务部")
        .await;
    let other = signed_in(&app, &other).await;
    assert_eq!(
        other.get(&roster).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );

    let organiser = app
        .staff_member("51", "org", "省科协企事业单位服务部")
        .await;
    let browser = signed_in(&app, &organiser).await;
    let page = browser
        .get(format!("{roster}?q=内江"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("内江食品") && page.contains(">签到<"),
        "{page}"
    );
    let response = browser
        .post(&roster)
        .form(&[("user_id", s.enterprise_id.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let page = app.page_as(&browser, &location).await;
    assert!(
        page.contains("已为内江食品签到") && page.contains("已签到"),
        "{page}"
    );
    let response = browser
        .post(&roster)
        .form(&[("user_id", s.enterprise_id.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CONFLICT, "once only");
    assert_eq!(
        app.count_where("fair_registrations", "checked_in_at IS NOT NULL")
            .await,
        1
    );
}

on_both_databases!(
    staff_check_people_in_from_the_roster,
    an_edition_is_created_and_configured_from_the_console,
    staff_nominate_and_owners_enter_from_pages,
    a_deal_proposed_from_an_inquiry_page_is_signed_at_the_fair,
);
