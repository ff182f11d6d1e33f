//! The nanny service (保姆式服务) over HTTP: tickets open themselves for scientists and published
//! needs, go to the right region's staff, follow a dated plan the SLA clock watches, log
//! follow-ups, close on a signed deal, and are counted in reports.

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tianfu::nanny::clock::{ClockReport, tick};

use crate::common::TestApp;
use crate::market::{approve, create, need_body, offer_body};

const WORKER: &str = "worker";
const ORG: &str = "org";

mod clock;
mod opening;
mod reports;
mod work;

/// Any request with a JSON body (PATCH, PUT, DELETE) the harness has no helper for.
async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    body: Option<&Value>,
    token: &str,
) -> (StatusCode, Value) {
    let mut request = app
        .client
        .request(method, format!("{}{path}", app.url))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The user id behind a token.
async fn me_id(app: &TestApp, token: &str) -> i64 {
    let (status, me) = app.get("/api/v1/me", Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    me["id"].as_i64().expect("id")
}

/// A scientist registered in `region`: (user id, token).
async fn scientist(app: &TestApp, name: &str, region: &str) -> (i64, String) {
    let (id, phone) = app.register("worker", name, region).await;
    (id, app.login(&phone).await)
}

/// An enterprise registered in `region`: (user id, token).
async fn enterprise(app: &TestApp, name: &str, region: &str) -> (i64, String) {
    let (id, phone) = app.register("org", name, region).await;
    (id, app.login(&phone).await)
}

/// GET a ticket list as staff, asserting 200.
async fn list(app: &TestApp, token: &str, query: &str) -> Value {
    let (status, reply) = app
        .get(&format!("/api/v1/tickets{query}"), Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{query}: {reply}");
    reply
}

fn ids(reply: &Value) -> Vec<i64> {
    reply["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|t| t["id"].as_i64().expect("id"))
        .collect()
}

/// GET one ticket as staff, asserting 200.
async fn ticket(app: &TestApp, token: &str, id: i64) -> Value {
    let (status, reply) = app.get(&format!("/api/v1/tickets/{id}"), Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    reply
}

/// The ticket of `kind` about `subject`, found through the list of a staff member who sees it.
async fn ticket_of(app: &TestApp, staff: &str, kind: &str, subject: i64) -> Value {
    let reply = list(app, staff, &format!("?kind={kind}&per_page=100")).await;
    reply["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|t| t["subject_id"] == subject)
        .cloned()
        .unwrap_or_else(|| panic!("no {kind} ticket for #{subject}: {reply}"))
}

fn assignee(ticket: &Value) -> Option<i64> {
    ticket["assignee"]["id"].as_i64()
}

async fn run_clock(app: &TestApp) -> ClockReport {
    tick(&app.app).await.expect("clock pass")
}

fn history_kinds(detail: &Value) -> Vec<String> {
    detail["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|e| e["kind"].as_str().expect("kind").to_owned())
        .collect()
}

/// The notification texts of a user, newest first.
async fn notifications(app: &TestApp, token: &str) -> Vec<String> {
    let (status, reply) = app
        .get("/api/v1/notifications?per_page=100", Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    reply["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|n| n["text"].as_str().expect("text").to_owned())
        .collect()
}

/// A need by a new enterprise in `region`, approved by `reviewer`: (need id, enterprise token).
async fn published_need(app: &TestApp, reviewer: &str, region: &str, title: &str) -> (i64, String) {
    let (_, enterprise) = enterprise(app, &format!("{title}公司"), region).await;
    let need = create(app, &enterprise, "/api/v1/needs", &need_body(title)).await;
    approve(app, reviewer, "need", need).await;
    (need, enterprise)
}

/// A ticket's id, opened for a new scientist in 511623 whose nanny is `staff`.
async fn person_ticket(app: &TestApp, staff: &str, name: &str) -> (i64, i64, String) {
    let (subject, token) = scientist(app, name, "511623").await;
    let id = ticket_of(app, staff, "person", subject).await["id"]
        .as_i64()
        .unwrap();
    (id, subject, token)
}

/// The app's today in Beijing time, moved by `days`, as YYYY-MM-DD.
fn day(app: &TestApp, days: i64) -> String {
    (app.app.clock.now() + Duration::hours(8) + Duration::days(days))
        .date_naive()
        .format("%Y-%m-%d")
        .to_string()
}

fn step_named<'a>(detail: &'a Value, name: &str) -> Vec<&'a Value> {
    detail["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["name"] == name)
        .collect()
}

/// A deal on `need` with `seller`'s published offer, signed by both sides: the deal's id.
async fn signed_deal(app: &TestApp, need: i64, offer: i64, buyer: &str, seller: &str) -> i64 {
    let (status, deal) = app
        .post(
            "/api/v1/deals",
            &json!({"need_id": need, "offer_id": offer, "contract_type": "service", "amount_fen": 3_000_000}),
            Some(buyer),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{deal}");
    let id = deal["id"].as_i64().unwrap();
    for (to, who) in [
        ("negotiating", seller),
        ("signed", buyer),
        ("signed", seller),
    ] {
        let (status, reply) = app
            .post(
                &format!("/api/v1/deals/{id}/transition"),
                &json!({"to": to}),
                Some(who),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{to}: {reply}");
    }
    id
}

async fn report(app: &TestApp, token: &str, query: &str) -> (StatusCode, Value) {
    app.get(&format!("/api/v1/tickets/report{query}"), Some(token))
        .await
}

fn nanny_line(report: &Value, id: i64) -> &Value {
    report["nannies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == id)
        .unwrap_or_else(|| panic!("no line for #{id}: {report}"))
}

/// Removes a ticket as if the request that should have opened it had died before doing so.
async fn forget_ticket(app: &TestApp, id: i64) {
    for sql in [
        "DELETE FROM ticket_links WHERE ticket_id = $1",
        "DELETE FROM ticket_events WHERE ticket_id = $1",
        "DELETE FROM ticket_steps WHERE ticket_id = $1",
        "DELETE FROM tickets WHERE id = $1",
    ] {
        tianfu::on_db!(&app.app.db, pool => sqlx::query(sql).bind(id).execute(pool).await.map(|_| ()).expect("delete"));
    }
}
