//! The staff review queue: the page (`/admin/reviews`) and the API (`GET /api/v1/admin/reviews`)
//! list the same listings in the same order, the longest waiting first.

use reqwest::StatusCode;

use crate::common::TestApp;
use crate::market::{create, offer_body};
use crate::on_both_databases;

async fn the_page_and_the_api_list_the_longest_waiting_first(app: TestApp) {
    let phone = app.staff_member("511623", "worker", "邻水审核").await;
    let token = app.login(&phone).await;
    let web = app.signed_in(&phone).await;
    let (_, owner) = app.register("worker", "发布者", "511623").await;
    let owner = app.login(&owner).await;
    let titles = ["蛋鸡产蛋率提升", "柑橘保鲜", "茶叶病虫害防治"];
    let mut ids = Vec::new();
    for title in titles {
        ids.push(create(&app, &owner, "/api/v1/offers", &offer_body(title)).await);
    }

    let (status, queue) = app.get("/api/v1/admin/reviews", Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{queue}");
    assert_eq!(queue["total"], 3);
    let listed: Vec<i64> = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_i64().unwrap())
        .collect();
    assert_eq!(listed, ids, "the oldest first: {queue}");
    // Paging keeps the order: the second page of one starts at the second oldest.
    let (_, second) = app
        .get("/api/v1/admin/reviews?page=2&per_page=1", Some(&token))
        .await;
    assert_eq!(second["items"][0]["id"], ids[1], "{second}");
    assert_eq!(second["total"], 3);

    let html = app.page_as(&web, "/admin/reviews").await;
    let at: Vec<usize> = titles
        .iter()
        .map(|title| {
            html.find(title)
                .unwrap_or_else(|| panic!("{title}: {html}"))
        })
        .collect();
    assert!(at[0] < at[1] && at[1] < at[2], "the page agrees");
}

on_both_databases!(the_page_and_the_api_list_the_longest_waiting_first);
