//! Chinese full-text search over HTTP: only published listings, found by Chinese words, with
//! filters, sorting, snippets and paging; the search page.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::market::{approve, create, need_body, offer_body, scientist};
use crate::on_both_databases;

async fn index(app: &TestApp) {
    tianfu::market::indexer::catch_up(&app.app)
        .await
        .expect("indexer catches up");
}

async fn search(app: &TestApp, query: &str) -> Value {
    let (status, reply) = app.get(&format!("/api/v1/search?{query}"), None).await;
    assert_eq!(status, StatusCode::OK, "{query}: {reply}");
    reply
}

fn titles(reply: &Value) -> Vec<String> {
    reply["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap().to_owned())
        .collect()
}

/// Three published listings in 内江 and one pending; returns the pending one's id.
async fn market(app: &TestApp) -> (String, i64, i64) {
    let (_, token) = scientist(app).await;
    let staff = app.staff("5110", "worker").await;
    let org_staff = app.staff("5110", "org").await;
    let mut citrus = offer_body("柑橘裂果综合防控技术");
    citrus["description"] = json!("针对柑橘裂果、日灼，提供<b>水肥一体化</b>方案与现场指导");
    citrus["industry"] = json!("A01");
    citrus["keywords"] = json!(["柑橘", "裂果"]);
    citrus["service_type"] = json!("consulting");
    citrus["price_fen"] = json!(800_000);
    let citrus = create(app, &token, "/api/v1/offers", &citrus).await;
    let eggs = create(
        app,
        &token,
        "/api/v1/offers",
        &offer_body("蛋鸡产蛋率提升技术服务"),
    )
    .await;
    let need = create(app, &token, "/api/v1/needs", &need_body("蛋鸡养殖技术难题")).await;
    for (kind, id) in [("offer", citrus), ("offer", eggs)] {
        approve(app, &staff, kind, id).await;
    }
    approve(app, &org_staff, "need", need).await;
    let pending = create(app, &token, "/api/v1/offers", &offer_body("柑橘保鲜待审核")).await;
    index(app).await;
    (token, citrus, pending)
}

async fn published_listings_are_found_by_chinese_words(app: TestApp) {
    let (_, citrus, pending) = market(&app).await;
    let reply = search(&app, "q=裂果").await;
    assert_eq!(reply["total"], 1, "{reply}");
    let hit = &reply["items"][0];
    assert_eq!(hit["id"], citrus);
    assert_eq!(hit["kind"], "offer");
    assert_eq!(hit["region_code"], "511011");
    assert_eq!(hit["price_label"], "8000.00元");
    let snippet = hit["snippet"].as_str().unwrap();
    assert!(snippet.contains("<mark>裂果</mark>"), "{snippet}");
    assert!(
        !snippet.contains("<b>"),
        "the owner's HTML never reaches the snippet: {snippet}"
    );

    let reply = search(&app, "q=柑橘").await;
    assert!(
        reply["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["id"] != pending),
        "an unreviewed listing is never found: {reply}"
    );
    let reply = search(&app, "q=蛋鸡").await;
    assert_eq!(reply["total"], 2, "{reply}");
    let reply = search(&app, "q=蛋鸡&kind=need").await;
    assert_eq!(titles(&reply), ["蛋鸡养殖技术难题"]);
    let reply = search(&app, "q=").await;
    assert_eq!(
        reply["total"], 3,
        "an empty query lists everything published"
    );
    let published: Vec<&str> = reply["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["published_at"].as_str().unwrap())
        .collect();
    assert!(
        published.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {published:?}"
    );
}

async fn filters_narrow_and_paging_pages(app: TestApp) {
    market(&app).await;
    assert_eq!(search(&app, "region_code=5110").await["total"], 3);
    assert_eq!(search(&app, "region_code=511011").await["total"], 3);
    assert_eq!(search(&app, "region_code=5116").await["total"], 0);
    assert_eq!(
        titles(&search(&app, "industry=A01").await),
        ["柑橘裂果综合防控技术"]
    );
    assert_eq!(
        titles(&search(&app, "service_type=consulting").await),
        ["柑橘裂果综合防控技术"]
    );
    assert_eq!(
        titles(&search(&app, "kind=offer&price_min=10000").await),
        ["蛋鸡产蛋率提升技术服务"],
        "prices are in yuan on the wire: 5万 ≥ 1万 > 8千"
    );
    assert_eq!(
        titles(&search(&app, "kind=offer&price_max=8000").await),
        ["柑橘裂果综合防控技术"]
    );
    let first = search(&app, "sort=newest&per_page=2&page=1").await;
    let second = search(&app, "sort=newest&per_page=2&page=2").await;
    assert_eq!(
        (first["total"].as_i64(), second["total"].as_i64()),
        (Some(3), Some(3))
    );
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    assert!(!titles(&first).contains(&titles(&second)[0]));
}

async fn bad_filters_are_named_in_chinese(app: TestApp) {
    for (query, field) in [
        ("kind=shop", "kind"),
        ("region_code=9999", "region_code"),
        ("industry=ZZ", "industry"),
        ("service_type=repair", "service_type"),
        ("price_min=-5", "price_min"),
        ("sort=random", "sort"),
    ] {
        let (status, reply) = app.get(&format!("/api/v1/search?{query}"), None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert!(
            reply["error"]["fields"][field].is_string(),
            "{query}: {reply}"
        );
    }
}

async fn withdrawn_listings_leave_the_index(app: TestApp) {
    let (token, citrus, _) = market(&app).await;
    assert_eq!(search(&app, "q=裂果").await["total"], 1);
    let response = app
        .client
        .patch(format!("{}/api/v1/offers/{citrus}", app.url))
        .bearer_auth(&token)
        .json(&json!({"status": "withdrawn"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    index(&app).await;
    assert_eq!(search(&app, "q=裂果").await["total"], 0);
}

async fn the_search_page_shows_highlighted_hits(app: TestApp) {
    market(&app).await;
    let html = app
        .client
        .get(format!("{}/search?q=%E8%A3%82%E6%9E%9C", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("柑橘裂果综合防控技术"), "{html}");
    assert!(html.contains("<mark>裂果</mark>"));
    assert!(html.contains("href=\"/offers/"));
    let html = app
        .client
        .get(format!("{}/search?sort=random", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("排序只能是"),
        "the page explains a bad filter"
    );
}

on_both_databases!(
    published_listings_are_found_by_chinese_words,
    filters_narrow_and_paging_pages,
    bad_filters_are_named_in_chinese,
    withdrawn_listings_leave_the_index,
    the_search_page_shows_highlighted_hits,
);
