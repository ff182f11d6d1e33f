//! 科创会 over HTTP. `mod.rs` holds the fixture every part's tests start from: an edition
//! collecting projects, published listings in several cities, and moving the clock through the
//! edition's phases.

mod after;
mod collection;
mod console;
pub mod halls;
mod review;
mod review_pages;
mod selection;
mod sessions;
pub mod signing;
mod stats;

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::market::{approve, create, need_body, offer_body};

/// Days from the test's start at which the edition's phases begin: 征集 now, 遴选 after 10 days,
/// 会期 from day 20 to day 23, 签约 until day 40, 跟踪 after.
pub const REVIEW_DAY: i64 = 10;
pub const OPEN_DAY: i64 = 20;
pub const CLOSE_DAY: i64 = 23;
pub const SIGNING_END_DAY: i64 = 40;

pub struct Fair {
    pub id: i64,
    /// The administrator's token (an organiser).
    pub admin: String,
}

fn day(n: i64) -> String {
    (Utc::now() + Duration::days(n)).to_rfc3339()
}

/// A new edition collecting projects, created by the administrator, with `quotas`.
pub async fn edition(app: &TestApp, quotas: Value) -> Fair {
    let admin = app.admin().await;
    let body = json!({
        "name": "第三届科创中国·天府科技云服务大会", "year": 2026,
        "intro": "集中展示待推广的高新技术、待转化的科技成果和待攻克的科技难题。",
        "collect_until": day(REVIEW_DAY), "opens_at": day(OPEN_DAY), "closes_at": day(CLOSE_DAY),
        "signing_until": day(SIGNING_END_DAY), "quotas": quotas,
    });
    let (status, fair) = app.post("/api/v1/fairs", &body, Some(&admin)).await;
    assert_eq!(status, StatusCode::CREATED, "{fair}");
    Fair {
        id: fair["id"].as_i64().unwrap(),
        admin,
    }
}

/// Moves the application's clock forward by `days` (phases follow the dates).
pub fn advance(app: &TestApp, days: i64) {
    app.app.clock.advance(Duration::days(days));
}

/// A person registered in `region` with a token: `role` worker or org.
pub async fn person(app: &TestApp, role: &str, name: &str, region: &str) -> (i64, String) {
    let (id, phone) = app.register(role, name, region).await;
    (id, app.login(&phone).await)
}

/// A published capability of `token`'s owner (a scientist), approved by staff of `region`'s city.
pub async fn offer(app: &TestApp, token: &str, city: &str, title: &str) -> i64 {
    let id = create(app, token, "/api/v1/offers", &offer_body(title)).await;
    let staff = app.staff(city, "worker").await;
    approve(app, &staff, "offer", id).await;
    id
}

/// A published need of `token`'s owner (an organisation), approved by staff of its city.
pub async fn need(app: &TestApp, token: &str, city: &str, title: &str) -> i64 {
    let id = create(app, token, "/api/v1/needs", &need_body(title)).await;
    let staff = app.staff(city, "org").await;
    approve(app, &staff, "need", id).await;
    id
}

/// Enters a listing into the edition as `token`.
pub async fn enter(
    app: &TestApp,
    fair: &Fair,
    token: &str,
    kind: &str,
    listing: i64,
) -> (StatusCode, Value) {
    let body = json!({"listing_kind": kind, "listing_id": listing,
                      "pitch": "项目技术成熟，已在多家企业应用，希望在科创会上对接推广。"});
    app.post(
        &format!("/api/v1/fairs/{}/projects", fair.id),
        &body,
        Some(token),
    )
    .await
}

/// Enters a listing and returns the project's id.
pub async fn entered(app: &TestApp, fair: &Fair, token: &str, kind: &str, listing: i64) -> i64 {
    let (status, project) = enter(app, fair, token, kind, listing).await;
    assert_eq!(status, StatusCode::CREATED, "{project}");
    project["id"].as_i64().unwrap()
}
