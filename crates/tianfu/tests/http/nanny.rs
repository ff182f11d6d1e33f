//! The nanny service (保姆式服务) over HTTP: tickets open themselves for scientists and published
//! needs, go to the right region's staff, follow a dated plan the SLA clock watches, log
//! follow-ups, close on a signed deal, and are counted in reports.

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tianfu::nanny::clock::{ClockReport, tick};

use crate::common::TestApp;
use crate::market::{approve, create, need_body, offer_body};
use crate::on_both_databases;

const WORKER: &str = "worker";
const ORG: &str = "org";

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

async fn registering_a_scientist_opens_a_person_ticket_for_the_county_worker_staff(app: TestApp) {
    let worker_staff = app.staff("511623", WORKER).await;
    let org_staff = app.staff("511623", ORG).await;
    let nanny = me_id(&app, &worker_staff).await;
    let (scientist_id, _) = scientist(&app, "王研究员", "511623").await;
    let (org_id, _) = enterprise(&app, "邻水农业", "511623").await;

    let reply = list(&app, &worker_staff, "").await;
    assert_eq!(reply["total"], 1, "one ticket, the scientist's: {reply}");
    let t = &reply["items"][0];
    assert_eq!(t["kind"], "person");
    assert_eq!(t["kind_label"], "一人一策");
    assert_eq!(t["subject_id"], scientist_id);
    assert_eq!(t["served"]["id"], scientist_id);
    assert_eq!(t["status"], "open");
    assert_eq!(t["region_code"], "511623");
    assert_eq!(assignee(t), Some(nanny), "the county's worker staff: {t}");

    let detail = ticket(&app, &worker_staff, t["id"].as_i64().unwrap()).await;
    let steps: Vec<&str> = detail["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        ["首次联系", "了解专长与意向", "推荐对接需求", "定期回访"]
    );
    assert_eq!(detail["steps"][3]["repeat_days"], 30);
    assert_eq!(history_kinds(&detail), ["opened"]);
    assert!(
        notifications(&app, &worker_staff)
            .await
            .iter()
            .any(|n| n.contains("新的一人一策保姆单")),
        "the nanny is told"
    );

    let mine = list(&app, &org_staff, "?mine=true").await;
    assert_eq!(mine["total"], 0, "the org department gets nothing: {mine}");
    let all = list(&app, &worker_staff, "?per_page=100").await;
    assert!(
        all["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["served"]["id"] != org_id),
        "an enterprise's registration opens no ticket"
    );
    assert_eq!(app.count("tickets").await, 1);
}

async fn tickets_go_to_the_least_loaded_staff_member(app: TestApp) {
    let first = app.staff("511623", WORKER).await;
    let second = app.staff("511623", WORKER).await;
    let (first_id, second_id) = (me_id(&app, &first).await, me_id(&app, &second).await);
    let mut assigned = Vec::new();
    for name in ["甲研究员", "乙研究员", "丙研究员"] {
        let (id, _) = scientist(&app, name, "511623").await;
        assigned.push(assignee(&ticket_of(&app, &first, "person", id).await));
    }
    assert_eq!(
        assigned,
        [Some(first_id), Some(second_id), Some(first_id)],
        "each new ticket goes to whoever has fewest open ones"
    );
    assert_eq!(list(&app, &first, "?mine=true").await["total"], 2);
    assert_eq!(list(&app, &second, "?mine=true").await["total"], 1);
}

async fn assignment_climbs_to_the_city_and_province_and_waits_for_staff(app: TestApp) {
    // Nobody anywhere: the ticket waits unassigned.
    let (waiting, _) = scientist(&app, "孤研究员", "511623").await;
    let admin = app.admin().await;
    let t = ticket_of(&app, &admin, "person", waiting).await;
    assert!(t["assignee"].is_null(), "no staff, no nanny: {t}");
    let detail = ticket(&app, &admin, t["id"].as_i64().unwrap()).await;
    assert!(
        detail["history"][0]["note"]
            .as_str()
            .unwrap()
            .contains("待分派"),
        "{detail}"
    );
    let report = run_clock(&app).await;
    assert_eq!(report.assigned, 0, "still nobody to take it");

    // Only the province: the clock hands the waiting ticket to it.
    let province = app.staff("51", WORKER).await;
    let province_id = me_id(&app, &province).await;
    let report = run_clock(&app).await;
    assert_eq!(report.assigned, 1, "{report:?}");
    let t = ticket_of(&app, &province, "person", waiting).await;
    assert_eq!(assignee(&t), Some(province_id));
    assert!(
        notifications(&app, &province)
            .await
            .iter()
            .any(|n| n.contains("新的保姆单")),
        "the province nanny is told"
    );
    assert_eq!(run_clock(&app).await.assigned, 0, "assigned once");

    // A city staff member: new tickets of its counties go there, not to the province.
    let city = app.staff("5116", WORKER).await;
    let city_id = me_id(&app, &city).await;
    let (second, _) = scientist(&app, "岳池研究员", "511621").await;
    assert_eq!(
        assignee(&ticket_of(&app, &city, "person", second).await),
        Some(city_id)
    );
    // A city of another department does not take person tickets; Chengdu has nobody.
    app.staff("5101", ORG).await;
    let (third, _) = scientist(&app, "成都研究员", "510104").await;
    assert_eq!(
        assignee(&ticket_of(&app, &province, "person", third).await),
        Some(province_id),
        "no worker staff in 成都: up to the province"
    );
    // A county staff member now takes the county's next ticket.
    let county = app.staff("511623", WORKER).await;
    let county_id = me_id(&app, &county).await;
    let (fourth, _) = scientist(&app, "邻水研究员", "511623").await;
    assert_eq!(
        assignee(&ticket_of(&app, &county, "person", fourth).await),
        Some(county_id)
    );
}

on_both_databases!(
    registering_a_scientist_opens_a_person_ticket_for_the_county_worker_staff,
    tickets_go_to_the_least_loaded_staff_member,
    assignment_climbs_to_the_city_and_province_and_waits_for_staff,
);
