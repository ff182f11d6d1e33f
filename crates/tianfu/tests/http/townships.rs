//! Townships (乡镇/街道) over HTTP: a person may register in one or name one later, and is then
//! inside their county everywhere it matters — the staff console's scope, the nanny who is
//! assigned, the figures, the feed, pushes and search.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{PASSWORD, TestApp};
use crate::market::{approve, create, offer_body};
use crate::on_both_databases;

/// 邻水县 and two of its townships; 岳池县 next door.
const COUNTY: &str = "511623";
const DINGPING: &str = "511623100";
const CHENGBEI: &str = "511623101";
const NEXT_COUNTY: &str = "511621";
/// 岳池县 九龙街道.
const NEXT_TOWNSHIP: &str = "511621001";

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    body: &Value,
    token: &str,
) -> (StatusCode, Value) {
    let response = app
        .client
        .request(method, format!("{}{path}", app.url))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("request");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A person of `role` registered in `region`: (id, token).
async fn person(app: &TestApp, role: &str, name: &str, region: &str) -> (i64, String) {
    let (id, phone) = app.register(role, name, region).await;
    (id, app.login(&phone).await)
}

fn ids(list: &Value) -> Vec<i64> {
    list["items"]
        .as_array()
        .unwrap_or_else(|| panic!("a list: {list}"))
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect()
}

async fn registering_in_a_township_shows_it_and_its_county_staff_see_the_person(app: TestApp) {
    let (id, token) = person(&app, "public", "邓大哥", DINGPING).await;
    let (status, me) = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["region_code"], DINGPING);
    assert_eq!(me["region_name"], "四川省 广安市 邻水县 鼎屏镇");

    for region in [COUNTY, "5116", "51"] {
        let staff = app.staff(region, "kepu").await;
        let (status, list) = app
            .get("/api/v1/admin/users?role=public", Some(&staff))
            .await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(ids(&list), [id], "{region} sees the township's resident");
        let (status, user) = app
            .get(&format!("/api/v1/admin/users/{id}"), Some(&staff))
            .await;
        assert_eq!(status, StatusCode::OK, "{user}");
    }
    let county = app.staff(COUNTY, "kepu").await;
    let (_, list) = app
        .get(
            &format!("/api/v1/admin/users?region_code={DINGPING}"),
            Some(&county),
        )
        .await;
    assert_eq!(ids(&list), [id], "a county narrows to one of its townships");

    let next_door = app.staff(NEXT_COUNTY, "kepu").await;
    let (_, list) = app
        .get("/api/v1/admin/users?role=public", Some(&next_door))
        .await;
    assert!(ids(&list).is_empty(), "{list}");
    let (status, _) = app
        .get(&format!("/api/v1/admin/users/{id}"), Some(&next_door))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn malformed_and_unknown_township_codes_are_refused_in_chinese(app: TestApp) {
    let before = app.count("users").await;
    let body = |region: &str| json!({"role": "public", "phone": app.phone(), "password": PASSWORD, "name": "刘洋", "region_code": region});
    let (status, reply) = app
        .post("/api/v1/auth/register", &body("5116231"), None)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reply}");
    assert_eq!(reply["error"]["code"], "validation");
    assert_eq!(
        reply["error"]["fields"]["region_code"],
        "地区代码应为2、4、6或9位数字"
    );
    let (status, reply) = app
        .post("/api/v1/auth/register", &body("511623999"), None)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reply}");
    assert!(
        reply["error"]["fields"]["region_code"]
            .as_str()
            .unwrap()
            .starts_with("地区代码不存在"),
        "{reply}"
    );
    assert_eq!(app.count("users").await, before);
}

async fn a_township_scientist_gets_the_countys_nanny(app: TestApp) {
    let nanny = app.staff(COUNTY, "worker").await;
    let (_, me) = app.get("/api/v1/me", Some(&nanny)).await;
    let (scientist, _) = person(&app, "worker", "王研究员", DINGPING).await;
    let (status, list) = app.get("/api/v1/tickets", Some(&nanny)).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["total"], 1, "{list}");
    let ticket = &list["items"][0];
    assert_eq!(ticket["served"]["id"], scientist);
    assert_eq!(ticket["region_code"], DINGPING);
    assert_eq!(ticket["assignee"]["id"], me["id"], "{ticket}");
}

async fn a_townships_figures_count_in_its_county_city_and_province(app: TestApp) {
    person(&app, "worker", "王研究员", DINGPING).await;
    person(&app, "worker", "李研究员", CHENGBEI).await;
    person(&app, "worker", "赵研究员", COUNTY).await;
    let county = app.staff(COUNTY, "worker").await;
    let province = app.staff("51", "worker").await;
    let workers = |figures: &Value| figures["metrics"]["workers_registered"].as_i64();
    for (region, expected) in [(DINGPING, 1), (COUNTY, 3), ("5116", 3), ("51", 3)] {
        let (status, figures) = app
            .get(&format!("/api/v1/stats/regions/{region}"), Some(&province))
            .await;
        assert_eq!(status, StatusCode::OK, "{figures}");
        assert_eq!(workers(&figures), Some(expected), "{region}: {figures}");
    }

    // A county's children are its townships; the one who named none counts in the county only.
    let (status, children) = app
        .get(
            &format!("/api/v1/stats/regions/{COUNTY}/children?metric=workers_registered"),
            Some(&county),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{children}");
    let items = children["items"].as_array().unwrap();
    assert_eq!(items.len(), 25, "邻水县's townships");
    assert_eq!(items[0]["region_code"], DINGPING, "ranked, then by code");
    assert_eq!(items[0]["region_name"], "鼎屏镇");
    assert_eq!(workers(&items[0]), Some(1));
    assert_eq!(items[1]["region_code"], CHENGBEI);
    assert_eq!(workers(&items[2]), Some(0));

    let (status, events) = app
        .get(
            &format!("/api/v1/stats/regions/{COUNTY}/events?metric=workers_registered"),
            Some(&county),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{events}");
    assert_eq!(events["total"], 3, "the evidence is the county's subtree");
    let next_door = app.staff(NEXT_COUNTY, "worker").await;
    let (status, _) = app
        .get(
            &format!("/api/v1/stats/regions/{DINGPING}"),
            Some(&next_door),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn county_resources_and_pushes_reach_township_residents(app: TestApp) {
    let kepu = app.staff(COUNTY, "kepu").await;
    let province = app.staff("51", "kepu").await;
    let resource = |title: &str, region: &str| {
        json!({"title": title, "body": format!("<p>{title}：这是一篇写给群众的科普文章，讲清楚原理、方法和注意事项。</p>"),
               "format": "article", "channel": "agriculture", "audiences": ["farmer"], "tags": ["柑橘"], "region_code": region})
    };
    let mut published = Vec::new();
    for (title, region) in [
        ("邻水柑橘春季施肥", COUNTY),
        ("鼎屏镇柑橘园现场会", DINGPING),
        ("岳池柑橘修剪", NEXT_COUNTY),
    ] {
        let (status, created) = app
            .post(
                "/api/v1/kepu/resources",
                &resource(title, region),
                Some(&province),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        published.push(created["id"].as_i64().unwrap());
    }
    let [county_item, township_item, elsewhere] = published[..] else {
        unreachable!()
    };
    let (_, reader) = person(&app, "public", "邓大哥", CHENGBEI).await;
    let (status, feed) = app.get("/api/v1/kepu/feed", Some(&reader)).await;
    assert_eq!(status, StatusCode::OK, "{feed}");
    let order = ids(&feed);
    let at = |id: i64| order.iter().position(|i| *i == id);
    assert!(
        at(county_item).is_some() && at(township_item).is_some(),
        "{feed}"
    );
    assert!(
        at(county_item) < at(elsewhere) && at(township_item) < at(elsewhere),
        "another county's advice sinks below the county's own: {feed}"
    );

    let (_, farmer) = person(&app, "public", "张大哥", DINGPING).await;
    let (status, _) = send(
        &app,
        Method::PUT,
        "/api/v1/me/profile",
        &json!({"audience": "farmer", "interests": ["agriculture"]}),
        &farmer,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let body = json!({"resource_id": county_item, "region_code": COUNTY, "audiences": ["farmer"], "interests": ["agriculture"]});
    let (status, push) = app.post("/api/v1/kepu/pushes", &body, Some(&kepu)).await;
    assert_eq!(status, StatusCode::CREATED, "{push}");
    assert_eq!(push["recipients"], 1, "the township's farmer: {push}");
    let (_, detail) = app
        .get(&format!("/api/v1/kepu/pushes/{}", push["id"]), Some(&kepu))
        .await;
    assert_eq!(
        detail["by_region"][0]["region_code"], DINGPING,
        "a county's campaign is counted by township: {detail}"
    );
}

async fn a_township_scientists_listing_is_reviewed_by_the_county_and_found_under_it(app: TestApp) {
    let (_, token) = person(&app, "worker", "王研究员", DINGPING).await;
    let offer = create(
        &app,
        &token,
        "/api/v1/offers",
        &offer_body("蛋鸡产蛋率提升"),
    )
    .await;
    let reviewer = app.staff(COUNTY, "worker").await;
    approve(&app, &reviewer, "offer", offer).await;
    tianfu::market::indexer::catch_up(&app.app)
        .await
        .expect("indexer catches up");
    for (filter, found) in [(COUNTY, 1), (DINGPING, 1), ("5116", 1), (CHENGBEI, 0)] {
        let (status, reply) = app
            .get(&format!("/api/v1/search?region_code={filter}"), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{reply}");
        assert_eq!(reply["total"], found, "{filter}: {reply}");
    }
}

async fn a_person_names_their_township_within_their_county_only(app: TestApp) {
    let (_, token) = person(&app, "public", "邓大哥", COUNTY).await;
    let put = |body: Value| {
        let token = token.clone();
        let app = &app;
        async move { send(app, Method::PUT, "/api/v1/me/profile", &body, &token).await }
    };
    let (status, reply) = put(json!({"audience": "farmer", "region_code": DINGPING})).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    let (_, me) = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me["region_code"], DINGPING);
    assert!(
        app.audit_actions()
            .await
            .contains(&"user.region_changed".to_owned())
    );

    let (status, reply) = put(json!({"region_code": CHENGBEI})).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "another township of the county: {reply}"
    );
    for (code, message) in [
        (
            NEXT_TOWNSHIP,
            "只能选择您所在县（市、区）内的乡镇（街道）；迁往其他区县请联系服务中心",
        ),
        ("5116231", "地区代码应为2、4、6或9位数字"),
        ("511623999", "地区代码不存在"),
    ] {
        let (status, reply) = put(json!({"region_code": code, "interests": ["<b>"]})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{code}: {reply}");
        assert_eq!(reply["error"]["fields"]["region_code"], message);
        assert!(
            reply["error"]["fields"]["interests"].is_string(),
            "every bad field at once"
        );
    }
    let (_, me) = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(
        me["region_code"], CHENGBEI,
        "a refused request changes nothing"
    );

    let staff = app.staff(COUNTY, "kepu").await;
    let (status, reply) = send(
        &app,
        Method::PUT,
        "/api/v1/me/profile",
        &json!({"region_code": DINGPING}),
        &staff,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{reply}");
    let (_, me) = app.get("/api/v1/me", Some(&staff)).await;
    assert_eq!(me["region_code"], COUNTY);
}

async fn the_profile_page_offers_the_countys_townships(app: TestApp) {
    let (_, phone) = app.register("public", "邓大哥", COUNTY).await;
    let browser = app.signed_in(&phone).await;
    let url = format!("{}/me/profile", app.url);
    let page = |browser: reqwest::Client| {
        let url = url.clone();
        async move { browser.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let html = page(browser.clone()).await;
    assert!(html.contains("我所在的乡镇（街道）"), "{html}");
    assert!(html.contains(&format!("<option value=\"{DINGPING}\">鼎屏镇</option>")));
    let response = browser
        .post(format!("{}/me/profile", app.url))
        .form(&[("audience", "farmer"), ("region_code", DINGPING)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let html = page(browser.clone()).await;
    assert!(html.contains(&format!(
        "<option value=\"{DINGPING}\" selected>鼎屏镇</option>"
    )));
    let response = browser
        .post(format!("{}/me/profile", app.url))
        .form(&[("region_code", NEXT_TOWNSHIP)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.unwrap().contains("只能选择您所在县"));
}

async fn the_picker_adds_townships_under_a_county_and_registration_takes_one(app: TestApp) {
    let picker = |query: &'static str| {
        let app = &app;
        async move {
            app.client
                .get(format!("{}/regions/picker?{query}", app.url))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    let html = picker("province=51&city=5116").await;
    assert!(
        !html.contains("name=\"township\""),
        "no county, no townships"
    );
    let html = picker("province=51&city=5116&county=511623&township=511623100").await;
    assert!(html.contains("name=\"township\"") && html.contains("鼎屏镇"));
    assert!(html.contains("value=\"511623100\" selected"));
    let html = picker("province=51&city=5116&county=511621&township=511623100").await;
    assert!(
        !html.contains("value=\"511623100\""),
        "another county's township is dropped"
    );

    let form = |township: &'static str, phone: String| {
        vec![
            ("role", "public".to_owned()),
            ("name", "邓大哥".to_owned()),
            ("phone", phone),
            ("password", PASSWORD.to_owned()),
            ("password_confirm", PASSWORD.to_owned()),
            ("province", "51".to_owned()),
            ("city", "5116".to_owned()),
            ("county", COUNTY.to_owned()),
            ("township", township.to_owned()),
            ("agree", "1".to_owned()),
        ]
    };
    let browser = app.browser();
    let response = browser
        .post(format!("{}/register", app.url))
        .form(&form(NEXT_TOWNSHIP, app.phone()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("所选乡镇（街道）不属于所选区县")
    );
    let phone = app.phone();
    let mut fields = form(DINGPING, phone.clone());
    fields.push(("sms_code", app.code_for(&phone, "register").await));
    let response = browser
        .post(format!("{}/register", app.url))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let me = browser
        .get(format!("{}/me", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(me.contains("四川省 广安市 邻水县 鼎屏镇"), "{me}");
}

async fn no_staff_are_made_for_a_township(app: TestApp) {
    let admin = app.admin().await;
    let body = json!({"phone": app.phone(), "password": PASSWORD, "name": "镇干部", "region_code": DINGPING, "department": "kepu"});
    let (status, reply) = app.post("/api/v1/admin/staff", &body, Some(&admin)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reply}");
    assert!(
        reply["error"]["fields"]["region_code"]
            .as_str()
            .unwrap()
            .contains("不能是乡镇（街道）")
    );
}

on_both_databases!(
    registering_in_a_township_shows_it_and_its_county_staff_see_the_person,
    malformed_and_unknown_township_codes_are_refused_in_chinese,
    a_township_scientist_gets_the_countys_nanny,
    a_townships_figures_count_in_its_county_city_and_province,
    county_resources_and_pushes_reach_township_residents,
    a_township_scientists_listing_is_reviewed_by_the_county_and_found_under_it,
    a_person_names_their_township_within_their_county_only,
    the_profile_page_offers_the_countys_townships,
    the_picker_adds_townships_under_a_county_and_registration_takes_one,
    no_staff_are_made_for_a_township,
);
