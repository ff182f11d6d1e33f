//! 您是不是要找: a typo (甘橘) or toneless pinyin (ganju) finds 柑橘 through the API and the page;
//! a word the market uses gets no suggestion; the OpenAPI document names the new field.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::market::{approve, create, offer_body, scientist};
use crate::on_both_databases;

/// Two published citrus offers and one about laying hens, indexed.
async fn citrus_market(app: &TestApp) -> i64 {
    let (_, token) = scientist(app).await;
    let staff = app.staff("5110", "worker").await;
    let mut first = 0;
    for title in [
        "柑橘裂果综合防控技术",
        "晚熟柑橘保鲜贮藏服务",
        "蛋鸡产蛋率提升技术服务",
    ] {
        let mut body = offer_body(title);
        body["description"] = json!(format!("{title}：现场指导与方案设计"));
        body["keywords"] = json!([]);
        let id = create(app, &token, "/api/v1/offers", &body).await;
        approve(app, &staff, "offer", id).await;
        if first == 0 {
            first = id;
        }
    }
    tianfu::market::indexer::catch_up(&app.app)
        .await
        .expect("indexer catches up");
    first
}

async fn search(app: &TestApp, q: &str) -> Value {
    let (status, reply) = app
        .get(&format!("/api/v1/search?q={}", urlencoding(q)), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{q}: {reply}");
    reply
}

fn urlencoding(q: &str) -> String {
    q.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn titles(reply: &Value) -> Vec<&str> {
    reply["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect()
}

async fn a_typo_or_pinyin_finds_the_market_word_through_the_api(app: TestApp) {
    let citrus = citrus_market(&app).await;
    for typed in ["甘橘", "ganju"] {
        let reply = search(&app, typed).await;
        let s = &reply["suggestion"];
        assert_eq!(s["text"], "柑橘", "{typed}: {reply}");
        assert_eq!(s["applied"], true, "{typed} finds nothing itself: {reply}");
        assert!(s["reason"].as_str().unwrap().contains(typed), "{reply}");
        assert_eq!(reply["total"], 2, "the results are 柑橘's: {reply}");
        assert!(
            reply["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["id"] == citrus),
            "{reply}"
        );
        assert!(titles(&reply).iter().all(|t| t.contains("柑橘")), "{reply}");
    }
    // A word the market uses, and a search that found plenty, get none.
    for q in ["柑橘", "蛋鸡", "柑橘裂果"] {
        let reply = search(&app, q).await;
        assert!(reply.get("suggestion").is_none(), "{q}: {reply}");
    }
    // Nonsense gets none and no error.
    for q in ["xqzvkw", "🍊🍊", "，。", "<script>"] {
        let reply = search(&app, q).await;
        assert!(reply.get("suggestion").is_none(), "{q}: {reply}");
    }
    // The field is in the contract.
    let (_, doc) = app.get("/api/openapi.json", None).await;
    let list = &doc["components"]["schemas"]["SearchList"]["properties"];
    assert!(list.get("suggestion").is_some(), "{list}");
    assert!(
        doc["components"]["schemas"]["Suggestion"]["properties"]
            .get("applied")
            .is_some()
    );
}

async fn the_search_page_asks_did_you_mean(app: TestApp) {
    citrus_market(&app).await;
    let html = app.html("/search?q=%E7%94%98%E6%A9%98&kind=").await; // 甘橘
    assert!(html.contains("您是不是要找"), "{html}");
    assert!(html.contains("已为您显示“柑橘”的结果"), "{html}");
    assert!(
        html.contains("href=\"/search?q=%E6%9F%91%E6%A9%98\""),
        "the link runs the corrected search: {html}"
    );
    assert!(html.contains("柑橘裂果综合防控技术"), "{html}");
    let html = app.html("/search?q=ganju&kind=offer").await;
    assert!(
        html.contains("href=\"/search?q=%E6%9F%91%E6%A9%98&#38;kind=offer\""),
        "the filters set are kept: {html}"
    );
    assert!(html.contains("您是不是要找") && html.contains("id=\"suggestion-link\""));
    assert!(html.contains("晚熟柑橘保鲜贮藏服务"), "{html}");
    let html = app.html("/search?q=%E6%9F%91%E6%A9%98").await; // 柑橘
    assert!(!html.contains("您是不是要找"), "{html}");
}

on_both_databases!(
    a_typo_or_pinyin_finds_the_market_word_through_the_api,
    the_search_page_asks_did_you_mean,
);
