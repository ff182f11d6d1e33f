//! After the fair: a follow-up ticket (一项一策) for every selected project, closed by a signed
//! deal on its listing; six months after the fair both sides of each accepted meeting and each
//! fair deal are asked for an outcome, once, and answer once.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::signing::{relogin, scene, select, signed_deal};
use super::{CLOSE_DAY, OPEN_DAY, REVIEW_DAY, advance, person};
use crate::common::TestApp;
use crate::on_both_databases;

async fn fair_tickets(app: &TestApp, token: &str) -> Value {
    let (status, reply) = app
        .get("/api/v1/tickets?kind=fair&per_page=100", Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    reply
}

async fn every_selected_project_gets_one_follow_up_ticket(app: TestApp) {
    let s = scene(&app).await;
    app.settle().await;
    assert_eq!(
        app.count_where("tickets", "kind = 'fair'").await,
        2,
        "one per selected project"
    );
    assert_eq!(
        app.count_where(
            "tickets",
            &format!("kind = 'fair' AND subject_id = {}", s.chengdu_project)
        )
        .await,
        0,
        "the project not selected has none"
    );
    assert_eq!(
        tianfu::nanny::open::for_fair_project(&app.app, s.chengdu_project)
            .await
            .expect("looks"),
        None
    );
    // The event seen twice (a follower replaying it, a direct call) opens nothing more.
    let again = tianfu::nanny::open::for_fair_project(&app.app, s.offer_project)
        .await
        .expect("opens");
    assert_eq!(again, None);
    select(&app, &s.fair, &[s.offer_project]).await;
    app.settle().await;
    assert_eq!(app.count_where("tickets", "kind = 'fair'").await, 2);

    let staff = app.staff("5110", "org").await;
    let tickets = fair_tickets(&app, &staff).await;
    assert_eq!(tickets["total"], 2, "{tickets}");
    let ticket = tickets["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["subject_id"] == s.offer_project)
        .expect("the capability's ticket")
        .clone();
    assert_eq!(ticket["kind_label"], "一项一策（科创会）");
    assert_eq!(ticket["subject"], "科创会：蛋鸡产蛋率提升技术");
    assert_eq!(ticket["served"]["id"], s.scientist_id);
    assert_eq!(ticket["region_code"], "511011");
    let need_ticket = tickets["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["subject_id"] == s.need_project)
        .expect("the need's ticket");
    assert_eq!(need_ticket["served"]["id"], s.enterprise_id);
    assert_eq!(need_ticket["subject"], "科创会：鸡下蛋少、饲料浪费");
    let (_, detail) = app
        .get(&format!("/api/v1/tickets/{}", ticket["id"]), Some(&staff))
        .await;
    assert_eq!(detail["steps"][0]["name"], "入选后首次联系", "{detail}");
    // The owner sees it among their services.
    let (_, mine) = app.get("/api/v1/me/tickets", Some(&s.scientist)).await;
    assert!(
        mine["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["kind"] == "fair"),
        "{mine}"
    );
    // The administrators' plan templates list the new kind.
    let (status, plan) = app
        .get("/api/v1/admin/plan-templates/fair", Some(&s.fair.admin))
        .await;
    assert_eq!(status, StatusCode::OK, "{plan}");
    let page = app
        .client
        .get(format!("{}/admin/plan-templates", app.url))
        .bearer_auth(&s.fair.admin)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("一项一策（科创会）"), "{page}");

    // A deal signed on the projects' listings closes both tickets with a deal.
    advance(&app, OPEN_DAY - REVIEW_DAY);
    let deal = signed_deal(&app, &s, 500_000).await;
    app.settle().await;
    assert_eq!(
        app.count_where(
            "tickets",
            &format!(
                "kind = 'fair' AND status = 'closed' AND outcome = 'deal' AND deal_id = {deal}"
            )
        )
        .await,
        2
    );
}

/// An accepted 1:1 meeting about `project` (meetings are built elsewhere), straight into the
/// table.
pub async fn accepted_meeting(
    app: &TestApp,
    fair: i64,
    project: i64,
    requester: i64,
    owner: i64,
) -> i64 {
    let now = app.app.clock.now();
    tianfu::on_db!(&app.app.db, pool => {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO fair_meetings (fair_id, project_id, requester_id, owner_id, slot_at, message, status, created_at, expires_at, answered_at) \
             VALUES ($1, $2, $3, $4, $5, '想当面了解技术细节', 'accepted', $6, $7, $6) RETURNING id")
            .bind(fair).bind(project).bind(requester).bind(owner)
            .bind(now + Duration::hours(3)).bind(now).bind(now + Duration::days(3))
            .fetch_one(pool).await.expect("meeting")
    })
}

async fn pending(app: &TestApp, token: &str) -> Value {
    let (status, reply) = app.get("/api/v1/me/fair-outcomes", Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    reply
}

async fn outcomes_are_asked_of_both_sides_six_months_after_and_answered_once(app: TestApp) {
    let mut s = scene(&app).await;
    advance(&app, OPEN_DAY - REVIEW_DAY);
    let (visitor_id, _) = person(&app, "org", "隆昌农牧", "511083").await;
    let meeting =
        accepted_meeting(&app, s.fair.id, s.offer_project, visitor_id, s.scientist_id).await;
    let deal = signed_deal(&app, &s, 300_000).await;

    // The day before six months have passed: nothing is asked.
    advance(&app, CLOSE_DAY - OPEN_DAY + 181);
    let visitor = relogin(&app, visitor_id).await;
    s.scientist = relogin(&app, s.scientist_id).await;
    s.enterprise = relogin(&app, s.enterprise_id).await;
    assert_eq!(tianfu::fair::after::ask_due(&app.app).await.unwrap(), 0);
    assert_eq!(pending(&app, &visitor).await["total"], 0);
    advance(&app, 1);
    assert_eq!(
        tianfu::fair::after::ask_due(&app.app).await.unwrap(),
        4,
        "both sides of the meeting and of the deal"
    );
    assert_eq!(
        tianfu::fair::after::ask_due(&app.app).await.unwrap(),
        0,
        "once"
    );
    assert_eq!(
        app.count_where("fair_outcomes", &format!("fair_id = {}", s.fair.id))
            .await,
        4
    );
    // The scientist is asked twice (the meeting and the deal), the visitor once about the meeting.
    let asked = pending(&app, &s.scientist).await;
    assert_eq!(asked["total"], 2, "{asked}");
    let asked = pending(&app, &visitor).await;
    assert_eq!(asked["total"], 1);
    let question = &asked["items"][0];
    assert_eq!(question["subject_kind"], "meeting");
    assert_eq!(question["subject_id"], meeting);
    assert_eq!(question["hall_code"], "5110");
    assert_eq!(question["title"], "蛋鸡产蛋率提升技术");
    assert_eq!(question["counterpart_name"], "王教授");
    assert!(question["outcome"].is_null());
    let (_, notes) = app.get("/api/v1/notifications", Some(&visitor)).await;
    assert_eq!(notes["items"][0]["link"], "/me/fair-outcomes", "{notes}");
    let enterprise_asked = pending(&app, &s.enterprise).await;
    assert_eq!(enterprise_asked["items"][0]["subject_id"], deal);

    // Only the person asked answers, with one of the five outcomes, once.
    let oid = question["id"].as_i64().unwrap();
    let path = format!("/api/v1/fair-outcomes/{oid}");
    let (status, _) = app
        .post(&path, &json!({"outcome": "contact"}), Some(&s.scientist))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, error) = app
        .post(&path, &json!({"outcome": "maybe"}), Some(&visitor))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error["error"]["fields"]["outcome"].is_string(), "{error}");
    let (status, answered) = app
        .post(
            &path,
            &json!({"outcome": "negotiating", "note": "正在谈第二期合作"}),
            Some(&visitor),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answered}");
    assert_eq!(answered["outcome"], "negotiating");
    assert_eq!(answered["outcome_label"], "正在洽谈");
    let (status, _) = app
        .post(&path, &json!({"outcome": "agreement"}), Some(&visitor))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "twice is refused");

    // The page offers the five outcomes as radio buttons to the scientist (still pending).
    let page = app
        .client
        .get(format!("{}/me/fair-outcomes", app.url))
        .bearer_auth(&s.scientist)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for label in [
        "无进一步联系",
        "获得知识",
        "建立有价值的联系",
        "正在洽谈",
        "达成协议",
    ] {
        assert!(page.contains(label), "{label} missing");
    }
    assert_eq!(page.matches("type=\"radio\"").count(), 10, "two questions");
    // Answered by the form.
    let scientist_asked = pending(&app, &s.scientist).await;
    let first = scientist_asked["items"][0]["id"].as_i64().unwrap();
    let response = app
        .browser()
        .post(format!("{}/me/fair-outcomes/{first}", app.url))
        .bearer_auth(&s.scientist)
        .form(&[("outcome", "agreement"), ("note", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let after = pending(&app, &s.scientist).await;
    assert!(
        after["items"][0]["outcome"].is_null(),
        "pending first: {after}"
    );
    assert_eq!(after["items"][1]["outcome"], "agreement");

    // The edition's figures show the outcomes by city.
    let (_, stats) = app
        .get(&format!("/api/v1/fairs/{}/stats", s.fair.id), None)
        .await;
    let hall = stats["by_region"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["region_code"] == "5110")
        .expect("内江")
        .clone();
    assert_eq!(hall["outcomes"]["negotiating"], 1, "{hall}");
    assert_eq!(hall["outcomes"]["agreement"], 1);
    assert_eq!(hall["outcomes"]["pending"], 2);
    assert_eq!(hall["meetings_accepted"], 1);
    assert_eq!(stats["outcomes"]["negotiating"], 1);
}

on_both_databases!(
    every_selected_project_gets_one_follow_up_ticket,
    outcomes_are_asked_of_both_sides_six_months_after_and_answered_once,
);
