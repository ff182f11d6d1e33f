//! The staff workbench (工作台) over HTTP: its counts are right and scoped to the region subtree
//! and department; the ticket list finds people by name and phone; batch approval approves
//! exactly the ticked items once; 保存并完成此步 logs and completes in one go; 下一单 follows my
//! queue by due date.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;

use crate::common::TestApp;

mod actions;
mod lists;

/// A signed-in staff member: (user id, bearer token, browser).
async fn clerk(
    app: &TestApp,
    region: &str,
    department: &str,
    name: &str,
) -> (i64, String, reqwest::Client) {
    let phone = app.staff_member(region, department, name).await;
    let token = app.login(&phone).await;
    let (_, me) = app.get("/api/v1/me", Some(&token)).await;
    (
        me["id"].as_i64().unwrap(),
        token,
        app.signed_in(&phone).await,
    )
}

async fn page(app: &TestApp, web: &reqwest::Client, path: &str) -> (StatusCode, String) {
    app.settle().await;
    let response = web.get(format!("{}{path}", app.url)).send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

/// The number in the workbench's box `id`.
fn count(html: &str, id: &str) -> i64 {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no {id}: {html}"));
    let rest = &html[at..];
    let start = rest.find("<strong>").unwrap() + "<strong>".len();
    let end = rest.find("</strong>").unwrap();
    rest[start..end].trim().parse().unwrap()
}

/// The list's total (`<strong id="ticket-total">N</strong>`).
fn total(html: &str) -> i64 {
    let marker = "id=\"ticket-total\">";
    let at = html
        .find(marker)
        .unwrap_or_else(|| panic!("no total: {html}"))
        + marker.len();
    let rest = &html[at..];
    rest[..rest.find('<').unwrap()].trim().parse().unwrap()
}

/// A scientist in `region` and their ticket, through the API of staff who see it: (ticket, phone).
async fn person_ticket(app: &TestApp, token: &str, name: &str, region: &str) -> (i64, String) {
    let (id, phone) = app.register("worker", name, region).await;
    app.settle().await;
    let (_, list) = app
        .get("/api/v1/tickets?kind=person&per_page=100", Some(token))
        .await;
    let ticket = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["subject_id"] == id)
        .unwrap_or_else(|| panic!("no ticket for {name}: {list}"))["id"]
        .as_i64()
        .unwrap();
    (ticket, phone)
}

fn today(app: &TestApp, days: i64) -> String {
    (app.app.clock.now() + Duration::hours(8) + Duration::days(days))
        .date_naive()
        .format("%Y-%m-%d")
        .to_string()
}

/// Moves a ticket's first undone step to `date` through the API.
async fn move_first_step(app: &TestApp, token: &str, ticket: i64, date: &str) -> i64 {
    let (_, detail) = app
        .get(&format!("/api/v1/tickets/{ticket}"), Some(token))
        .await;
    let step = detail["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["done_at"].is_null())
        .unwrap()
        .clone();
    let id = step["id"].as_i64().unwrap();
    let (status, reply) = app
        .patch_json(
            &format!("/api/v1/tickets/{ticket}/steps/{id}"),
            &json!({"name": step["name"], "due_date": date}),
            token,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    id
}
