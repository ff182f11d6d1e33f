//! Absurd input is a field error in Chinese, never a panic or a silent correction: dates in
//! far-off years (the ticket report once overflowed on `from=%2B262142-12-31`, chrono's last
//! day, plus one) and paging out of range.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::market::{create, need_body};
use crate::on_both_databases;

/// Each parses as a date (chrono reads a year of more than four digits after a sign), and none
/// lies in a year the platform deals with.
const ABSURD_DATES: [&str; 4] = ["+262142-12-31", "-0001-01-01", "9999-12-31", "1900-01-01"];

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
        .expect("an answer, not a dropped connection");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn assert_field_error(status: StatusCode, reply: &Value, field: &str, what: &str) {
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {reply}");
    assert_eq!(reply["error"]["code"], "validation", "{what}: {reply}");
    let message = reply["error"]["fields"][field].as_str().unwrap_or_default();
    assert!(
        message.contains("2000年至2100年"),
        "{what}: {field} should name the years allowed: {reply}"
    );
}

async fn the_ticket_report_refuses_dates_in_absurd_years(app: TestApp) {
    let staff = app.staff("5110", "worker").await;
    for date in ABSURD_DATES {
        let encoded = date.replace('+', "%2B");
        for field in ["from", "to"] {
            let (status, reply) = app
                .get(
                    &format!("/api/v1/tickets/report?{field}={encoded}"),
                    Some(&staff),
                )
                .await;
            assert_field_error(status, &reply, field, date);
        }
    }
    let (status, reply) = app
        .get(
            "/api/v1/tickets/report?from=2000-01-01&to=2009-12-31",
            Some(&staff),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "the first allowed year: {reply}");
}

async fn a_need_deadline_in_an_absurd_year_is_a_field_error(app: TestApp) {
    let (_, phone) = app.register("org", "蛋鸡养殖", "511011").await;
    let token = app.login(&phone).await;
    for date in ["+262142-12-31", "9999-12-31", "2101-01-01"] {
        let mut body = need_body("蛋鸡产蛋率低");
        body["deadline"] = json!(date);
        let (status, reply) = app.post("/api/v1/needs", &body, Some(&token)).await;
        assert_field_error(status, &reply, "deadline", date);
    }
    let id = create(&app, &token, "/api/v1/needs", &need_body("蛋鸡产蛋率低")).await;
    let (status, reply) = send(
        &app,
        Method::PATCH,
        &format!("/api/v1/needs/{id}"),
        &json!({"deadline": "+262142-12-31"}),
        &token,
    )
    .await;
    assert_field_error(status, &reply, "deadline", "an edit");
    assert_eq!(app.count("listings").await, 1);
}

async fn a_step_due_in_an_absurd_year_is_a_field_error(app: TestApp) {
    let nanny = app.staff("511623", "worker").await;
    app.register("worker", "王研究员", "511623").await;
    let (status, list) = app.get("/api/v1/tickets", Some(&nanny)).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let id = list["items"][0]["id"]
        .as_i64()
        .expect("the scientist's ticket");
    let steps = app.count("ticket_steps").await;
    for date in ["+262142-12-31", "9999-12-31"] {
        let (status, reply) = app
            .post(
                &format!("/api/v1/tickets/{id}/steps"),
                &json!({"name": "协助申报项目", "due_date": date}),
                Some(&nanny),
            )
            .await;
        assert_field_error(status, &reply, "due_date", date);
    }
    let (_, detail) = app
        .get(&format!("/api/v1/tickets/{id}"), Some(&nanny))
        .await;
    let step = detail["steps"][0]["id"].as_i64().expect("a planned step");
    let (status, reply) = send(
        &app,
        Method::PATCH,
        &format!("/api/v1/tickets/{id}/steps/{step}"),
        &json!({"name": "改名", "due_date": "+262142-12-31"}),
        &nanny,
    )
    .await;
    assert_field_error(status, &reply, "due_date", "moving a step");
    assert_eq!(app.count("ticket_steps").await, steps, "nothing changed");
}

async fn paging_out_of_range_is_a_field_error(app: TestApp) {
    let nanny = app.staff("5110", "worker").await;
    for (query, field) in [
        ("per_page=101", "per_page"),
        ("per_page=0", "per_page"),
        ("page=0", "page"),
    ] {
        for path in ["/api/v1/offers", "/api/v1/tickets", "/api/v1/admin/users"] {
            let (status, reply) = app.get(&format!("{path}?{query}"), Some(&nanny)).await;
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{path}?{query}: {reply}"
            );
            assert!(
                reply["error"]["fields"][field].as_str().is_some(),
                "{path}?{query} names {field}: {reply}"
            );
        }
    }
    let (status, reply) = app
        .get("/api/v1/offers?page=1&per_page=100", Some(&nanny))
        .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
}

/// JSON Schema's `integer` (and JSON) counts `2000000.0` as the integer it equals; a fraction
/// is still refused, naming the field.
async fn an_integer_written_with_a_zero_fraction_is_that_integer(app: TestApp) {
    let (_, phone) = app.register("org", "蛋鸡养殖", "511011").await;
    let token = app.login(&phone).await;
    let mut body = need_body("蛋鸡产蛋率低");
    body["budget_fen"] = json!(2_000_000.0);
    let (status, reply) = app.post("/api/v1/needs", &body, Some(&token)).await;
    assert_eq!(status, StatusCode::CREATED, "{reply}");
    assert_eq!(reply["price_fen"], 2_000_000, "{reply}");
    body["budget_fen"] = json!(2_000_000.5);
    let (status, reply) = app.post("/api/v1/needs", &body, Some(&token)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{reply}");
    let message = reply["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("budget_fen"), "names the field: {reply}");
}

on_both_databases!(
    an_integer_written_with_a_zero_fraction_is_that_integer,
    the_ticket_report_refuses_dates_in_absurd_years,
    a_need_deadline_in_an_absurd_year_is_a_field_error,
    a_step_due_in_an_absurd_year_is_a_field_error,
    paging_out_of_range_is_a_field_error,
);
