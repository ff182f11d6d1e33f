//! Reports for a region and period, their Excel export, and the plan templates administrators configure.

use super::*;
use crate::on_both_databases;

async fn the_report_counts_tickets_per_region_and_nanny(app: TestApp) {
    let worker_staff = app.staff("511623", WORKER).await;
    let org_staff = app.staff("511623", ORG).await;
    let city = app.staff("5116", WORKER).await;
    let chengdu = app.staff("5101", WORKER).await;
    let (worker_id, org_id) = (
        me_id(&app, &worker_staff).await,
        me_id(&app, &org_staff).await,
    );
    let chengdu_id = me_id(&app, &chengdu).await;
    let (_, seller) = scientist(&app, "李研究员", "511623").await;
    let (active, _, _) = person_ticket(&app, &worker_staff, "王研究员").await;
    let offer = create(&app, &seller, "/api/v1/offers", &offer_body("蛋鸡技术服务")).await;
    approve(&app, &worker_staff, "offer", offer).await;
    let (need, buyer) = published_need(&app, &org_staff, "511623", "鸡下蛋少").await;
    scientist(&app, "成都研究员", "510104").await;
    app.app.clock.advance(Duration::hours(2));
    let (status, _) = app
        .post(
            &format!("/api/v1/tickets/{active}/followups"),
            &json!({"channel": "phone", "note": "电话联系"}),
            Some(&worker_staff),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    signed_deal(&app, need, offer, &buyer, &seller).await;

    // From yesterday, so that a run near midnight still holds the whole story.
    let period = format!("from={}&to={}", day(&app, -1), day(&app, 0));
    let (status, r) = report(&app, &city, &format!("?region_code=5116&{period}")).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r["region_code"], "5116");
    assert!(r["region_name"].as_str().unwrap().contains("广安"), "{r}");
    assert_eq!(r["opened"], 3, "two scientists and a need in 广安: {r}");
    assert_eq!(r["active"], 1);
    assert_eq!(r["closed_with_deal"], 2, "the need's and the seller's");
    assert_eq!(r["closed_other"], 0);
    assert_eq!(r["followups"], 1);
    assert_eq!(r["staff"], 3, "成都's staff are not 广安's");
    let per_staff = r["tickets_per_staff"].as_f64().unwrap();
    assert!((per_staff - 1.0 / 3.0).abs() < 1e-9, "{r}");
    let hours = r["avg_hours_to_first_contact"].as_f64().unwrap();
    assert!(
        (1.9..2.1).contains(&hours),
        "contacted two hours after opening: {r}"
    );
    let worker_line = nanny_line(&r, worker_id);
    assert_eq!(worker_line["active"], 1);
    assert_eq!(worker_line["followups"], 1);
    assert_eq!(worker_line["closed_with_deal"], 1);
    assert_eq!(nanny_line(&r, org_id)["closed_with_deal"], 1);
    assert!(
        r["nannies"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["id"] != chengdu_id),
        "{r}"
    );

    // A county's staff get their county by default, and nothing outside it.
    let (status, own) = report(&app, &worker_staff, &format!("?{period}")).await;
    assert_eq!(status, StatusCode::OK, "{own}");
    assert_eq!(own["region_code"], "511623");
    assert_eq!(own["opened"], 3);
    for region in ["5101", "511621", "5116"] {
        let (status, reply) = report(&app, &worker_staff, &format!("?region_code={region}")).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{region}: {reply}");
    }
    let (_, other) = report(&app, &chengdu, &format!("?{period}")).await;
    assert_eq!(other["opened"], 1, "成都 counts its own: {other}");
    let (status, reply) = report(&app, &city, "?from=2026-13-01").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply["error"]["fields"]["from"].is_string());
    let (status, reply) = report(&app, &city, "?from=2026-03-02&to=2026-03-01").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply["error"]["fields"]["to"].is_string());
    let (status, empty) = report(&app, &city, "?from=2020-01-01&to=2020-01-31").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (empty["opened"].as_i64(), empty["active"].as_i64()),
        (Some(0), Some(0))
    );
}

async fn administrators_configure_the_plan_new_tickets_follow(app: TestApp) {
    let nanny = app.staff("511623", WORKER).await;
    let admin = app.admin().await;
    let path = "/api/v1/admin/plan-templates/person";
    let (old_ticket, _, _) = person_ticket(&app, &nanny, "老研究员").await;
    let (status, plan) = app.get(path, Some(&nanny)).await;
    assert_eq!(status, StatusCode::OK, "{plan}");
    assert_eq!(plan["steps"].as_array().unwrap().len(), 4);
    assert_eq!(plan["escalate_after_days"], 7);
    assert_eq!(
        app.get("/api/v1/admin/plan-templates/shop", Some(&nanny))
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    let new_plan = json!({"steps": [{"name": "电话联系", "due_days": 1},
                                    {"name": "月度回访", "due_days": 10, "repeat_days": 10}],
                          "escalate_after_days": 2});
    let (status, _) = send(&app, Method::PUT, path, Some(&new_plan), &nanny).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "administrators only");
    let bad = json!({"steps": [{"name": " ", "due_days": 0}, {"name": "回访", "due_days": 5, "repeat_days": 2}],
                     "escalate_after_days": 0});
    let (status, reply) = send(&app, Method::PUT, path, Some(&bad), &admin).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reply}");
    let fields = reply["error"]["fields"].as_object().unwrap();
    for field in [
        "steps[0].name",
        "steps[0].due_days",
        "steps[1].repeat_days",
        "escalate_after_days",
    ] {
        assert!(fields.contains_key(field), "{field}: {reply}");
    }
    let (status, reply) = send(
        &app,
        Method::PUT,
        path,
        Some(&json!({"steps": [], "escalate_after_days": 7})),
        &admin,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply["error"]["fields"]["steps"].is_string());
    assert_eq!(app.get(path, Some(&nanny)).await.1, plan, "unchanged");

    let (status, saved) = send(&app, Method::PUT, path, Some(&new_plan), &admin).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(app.get(path, Some(&nanny)).await.1, saved);
    assert_eq!(
        app.get("/api/v1/admin/plan-templates/need", Some(&nanny))
            .await
            .1["steps"][1]["name"],
        "需求诊断",
        "the other kind keeps its plan"
    );

    let (id, _, _) = person_ticket(&app, &nanny, "新研究员").await;
    let detail = ticket(&app, &nanny, id).await;
    let names: Vec<&str> = detail["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["电话联系", "月度回访"]);
    assert_eq!(detail["steps"][1]["repeat_days"], 10);
    let opened: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(detail["opened_at"].clone()).unwrap();
    let due: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(detail["steps"][0]["due_at"].clone()).unwrap();
    assert_eq!(due - opened, Duration::days(1));
    assert_eq!(
        ticket(&app, &nanny, old_ticket).await["steps"]
            .as_array()
            .unwrap()
            .len(),
        4,
        "open tickets keep their plan"
    );

    // The new threshold: overdue more than 2 days escalates.
    app.app.clock.advance(Duration::days(2));
    let report = run_clock(&app).await;
    assert_eq!(
        (report.overdue_steps, report.escalated),
        (1, 0),
        "{report:?}"
    );
    app.app.clock.advance(Duration::days(2));
    let report = run_clock(&app).await;
    assert_eq!(report.escalated, 1, "{report:?}");
    assert_eq!(ticket(&app, &nanny, id).await["escalated_to"], "5116");
    assert!(ticket(&app, &nanny, old_ticket).await["escalated_to"].is_null());
}

async fn the_report_exports_to_excel_for_staff_signed_in(app: TestApp) {
    let nanny = app.staff("511623", WORKER).await;
    person_ticket(&app, &nanny, "王研究员").await;
    let phone = app.staff_member("5116", WORKER, "广安工作人员").await;
    let browser = app.signed_in(&phone).await;

    let (from, to) = (day(&app, -1), day(&app, 0));
    let url = format!(
        "{}/admin/tickets/report.xlsx?region_code=5116&from={from}&to={to}",
        app.url
    );
    let response = browser.get(&url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(
        headers["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let disposition = headers["content-disposition"].to_str().unwrap().to_owned();
    assert!(
        disposition.contains(&format!("nanny-report-5116-{from}-{to}.xlsx")),
        "{disposition}"
    );
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK\x03\x04"), "a zip container");
    let names = String::from_utf8_lossy(&bytes);
    assert!(
        names.contains("xl/worksheets/sheet1.xml") && names.contains("xl/worksheets/sheet2.xml"),
        "a summary sheet and a sheet per nanny"
    );

    let outside = format!("{}/admin/tickets/report.xlsx?region_code=5101", app.url);
    assert_eq!(
        browser.get(&outside).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let anonymous = app.browser().get(&url).send().await.unwrap();
    assert_ne!(anonymous.status(), StatusCode::OK, "signed-in staff only");
    assert!(
        !anonymous
            .headers()
            .get("content-type")
            .is_some_and(|t| t.to_str().unwrap().contains("spreadsheetml")),
    );
}

/// The report counts only steps that were owed: steps of a ticket closed (here by a signed deal)
/// before they fell due are neither due nor missed.
async fn the_report_does_not_count_steps_of_tickets_closed_before_they_were_due(app: TestApp) {
    let worker_staff = app.staff("511623", WORKER).await;
    let org_staff = app.staff("511623", ORG).await;
    let city = app.staff("5116", WORKER).await;
    let (_, seller) = scientist(&app, "李研究员", "511623").await;
    let offer = create(&app, &seller, "/api/v1/offers", &offer_body("蛋鸡技术服务")).await;
    approve(&app, &worker_staff, "offer", offer).await;
    let (need, buyer) = published_need(&app, &org_staff, "511623", "鸡下蛋少").await;
    signed_deal(&app, need, offer, &buyer, &seller).await;
    let from = day(&app, 0);
    app.app.clock.advance(Duration::days(4));
    run_clock(&app).await;
    let (status, r) = report(&app, &city, &format!("?from={from}&to={}", day(&app, 0))).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(r["closed_with_deal"], 2, "{r}");
    assert_eq!(
        (r["overdue"].as_i64(), r["steps_due"].as_i64()),
        (Some(0), Some(0)),
        "both tickets closed with a deal on day 0; their day-3 steps were never missed: {r}"
    );
}

/// A step done before it is due is on time the moment it is done: the rate reads 1 of 1, not
/// 0 of 0 until the due date passes.
async fn a_step_done_early_counts_as_on_time_at_once(app: TestApp) {
    let nanny = app.staff("511623", WORKER).await;
    let nanny_id = me_id(&app, &nanny).await;
    let (id, _, _) = person_ticket(&app, &nanny, "早办研究员").await;
    let period = format!(
        "?region_code=511623&from={}&to={}",
        day(&app, -1),
        day(&app, 0)
    );
    let (_, before) = report(&app, &nanny, &period).await;
    assert_eq!(before["steps_due"], 0, "nothing due or done yet: {before}");
    let (_, detail) = app
        .get(&format!("/api/v1/tickets/{id}"), Some(&nanny))
        .await;
    let step = &detail["steps"][0];
    let due: chrono::DateTime<chrono::Utc> = step["due_at"].as_str().unwrap().parse().unwrap();
    assert!(due > app.app.clock.now(), "the first step is due later");
    let (status, reply) = app
        .post(
            &format!("/api/v1/tickets/{id}/steps/{}/done", step["id"]),
            &json!({}),
            Some(&nanny),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    // The period that holds the step's due date.
    let until = (due + Duration::hours(8)).date_naive().format("%Y-%m-%d");
    let period = format!("?region_code=511623&from={}&to={until}", day(&app, -1));
    let (_, after) = report(&app, &nanny, &period).await;
    assert_eq!(after["steps_due"], 1, "{after}");
    assert_eq!(after["steps_on_time"], 1, "{after}");
    assert_eq!(after["on_time_rate"], 1.0, "{after}");
    assert_eq!(nanny_line(&after, nanny_id)["steps_on_time"], 1, "{after}");
}

on_both_databases!(
    a_step_done_early_counts_as_on_time_at_once,
    the_report_counts_tickets_per_region_and_nanny,
    administrators_configure_the_plan_new_tickets_follow,
    the_report_exports_to_excel_for_staff_signed_in,
    the_report_does_not_count_steps_of_tickets_closed_before_they_were_due,
);
