//! Matching on needs written as people write them, on a county's small market: a need whose
//! rarest words are its own still finds what answers it; a search for everyday words shows
//! the listings that mean them, marked as related; a need nothing answers says so and names
//! its nanny.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::market::{approve, create, scientist};
use crate::market_pages::signed_in;
use crate::on_both_databases;

fn offer(title: &str, description: &str) -> Value {
    json!({"title": title, "description": description, "service_type": "service", "industry": "A", "keywords": []})
}

fn need_body(title: &str, description: &str) -> Value {
    json!({"title": title, "description": description, "kind": "problem", "industry": "A", "keywords": []})
}

struct Market {
    landslide: i64,
    egg: i64,
    enterprise: String,
    enterprise_phone: String,
    org_staff: String,
}

/// Three capabilities of a scientist and an enterprise in 511011, all published.
async fn market(app: &TestApp) -> Market {
    let (_, scientist) = scientist(app).await;
    let (_, enterprise_phone) = app.register("org", "东兴区石材厂", "511011").await;
    let enterprise = app.login(&enterprise_phone).await;
    let staff = app.staff("5110", "worker").await;
    let org_staff = app.staff("5110", "org").await;
    let landslide = create(
        app,
        &scientist,
        "/api/v1/offers",
        &offer(
            "地质灾害监测预警系统",
            "对滑坡体位移、地表裂缝进行北斗自动化监测，超阈值即时预警。",
        ),
    )
    .await;
    let egg = create(
        app,
        &scientist,
        "/api/v1/offers",
        &offer(
            "蛋鸡产蛋率与料蛋比精准营养调控",
            "按产蛋期调整饲料配方与光照，提高产蛋率。",
        ),
    )
    .await;
    let store = create(
        app,
        &scientist,
        "/api/v1/offers",
        &offer("柑橘采后保鲜贮藏", "防腐处理与冷库贮藏，延长柑橘货架期。"),
    )
    .await;
    for id in [landslide, egg, store] {
        approve(app, &staff, "offer", id).await;
    }
    Market {
        landslide,
        egg,
        enterprise,
        enterprise_phone,
        org_staff,
    }
}

async fn publish_need(app: &TestApp, m: &Market, body: &Value) -> i64 {
    let id = create(app, &m.enterprise, "/api/v1/needs", body).await;
    approve(app, &m.org_staff, "need", id).await;
    tianfu::market::indexer::catch_up(&app.app).await.unwrap();
    id
}

async fn a_need_whose_rarest_words_are_its_own_still_finds_its_answer(app: TestApp) {
    let m = market(&app).await;
    // 后山, 越来越宽, 报警 … no other listing uses them: they once were the "telling" words,
    // and the need found only itself.
    let need = publish_need(
        &app,
        &m,
        &need_body(
            "后山滑坡裂缝越来越宽",
            "村后山坡上的裂缝越来越宽，一下雨就担心滑坡，想装监测设备提前报警。",
        ),
    )
    .await;
    let (status, reply) = app
        .get(&format!("/api/v1/needs/{need}/matches"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    let first = &reply["items"][0];
    assert_eq!(first["id"].as_i64(), Some(m.landslide), "{reply}");
    assert_eq!(first["fits"], true, "{reply}");
    assert!(
        reply["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["id"].as_i64() != Some(need)),
        "never itself: {reply}"
    );
}

async fn a_search_for_everyday_words_shows_what_means_them_as_related(app: TestApp) {
    let m = market(&app).await;
    let literal = publish_need(&app, &m, &need_body("鸡下蛋少怎么办", "家里养的鸡下蛋少。")).await;
    let (status, reply) = app.get("/api/v1/search?q=鸡下蛋少", None).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    let items: Vec<i64> = reply["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert!(items.contains(&literal), "{reply}");
    assert!(!items.contains(&m.egg), "not a literal hit: {reply}");
    let related = reply["related"].as_array().unwrap();
    let egg = related
        .iter()
        .find(|r| r["id"].as_i64() == Some(m.egg))
        .unwrap_or_else(|| panic!("the egg-hen capability is related: {reply}"));
    assert_eq!(egg["kind"], "offer");
    assert!(
        egg["reason"].as_str().unwrap().contains("蛋鸡产蛋率"),
        "{egg}"
    );
    // Deeper pages are about the words typed only.
    let (_, second) = app.get("/api/v1/search?q=鸡下蛋少&page=2", None).await;
    assert_eq!(second["related"], json!([]));

    let html = app.html("/search?q=鸡下蛋少&kind=&region_code=").await;
    assert!(html.contains("意思相近的结果"), "{html}");
    assert!(html.contains("蛋鸡产蛋率与料蛋比精准营养调控"));
    assert!(
        !html.contains("<details open"),
        "empty filters sent by the form do not open the filter panel"
    );
}

async fn a_need_nothing_answers_says_so_and_names_its_nanny(app: TestApp) {
    let m = market(&app).await;
    let nanny_phone = app.staff_member("511011", "org", "王专员").await;
    let need = publish_need(
        &app,
        &m,
        &need_body("书架期刊整理", "阅览室的书架期刊要重新整理，想找人帮忙。"),
    )
    .await;
    app.settle().await;
    let (_, reply) = app
        .get(&format!("/api/v1/needs/{need}/matches"), None)
        .await;
    assert!(
        reply["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["fits"] == false),
        "{reply}"
    );
    let owner = signed_in(&app, &m.enterprise_phone).await;
    let html = owner
        .get(format!("{}/needs/{need}", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("暂未找到对口的技术和专家"), "{html}");
    assert!(
        html.contains("王专员"),
        "the owner sees their nanny: {html}"
    );
    assert!(html.contains(&format!("tel:{nanny_phone}")), "{html}");
    assert!(
        !html.contains("智能匹配：能解决"),
        "no list pretending to answer"
    );

    // A need something answers shows its matches and no such notice.
    let answered = publish_need(
        &app,
        &m,
        &need_body("山体裂缝监测", "后山有裂缝，想做滑坡监测预警。"),
    )
    .await;
    let html = app.html(&format!("/needs/{answered}")).await;
    assert!(html.contains("地质灾害监测预警系统"), "{html}");
    assert!(!html.contains("暂未找到对口的技术和专家"));
}

on_both_databases!(
    a_need_whose_rarest_words_are_its_own_still_finds_its_answer,
    a_search_for_everyday_words_shows_what_means_them_as_related,
    a_need_nothing_answers_says_so_and_names_its_nanny,
);
