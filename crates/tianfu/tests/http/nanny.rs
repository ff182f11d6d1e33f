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

/// A need by a new enterprise in `region`, approved by `reviewer`: (need id, enterprise token).
async fn published_need(app: &TestApp, reviewer: &str, region: &str, title: &str) -> (i64, String) {
    let (_, enterprise) = enterprise(app, &format!("{title}公司"), region).await;
    let need = create(app, &enterprise, "/api/v1/needs", &need_body(title)).await;
    approve(app, reviewer, "need", need).await;
    (need, enterprise)
}

async fn approving_a_need_opens_a_need_ticket_for_the_org_department(app: TestApp) {
    let org_staff = app.staff("511623", ORG).await;
    let worker_staff = app.staff("511623", WORKER).await;
    let nanny = me_id(&app, &org_staff).await;
    let (owner, enterprise) = enterprise(&app, "邻水蛋鸡场", "511623").await;
    let need = create(&app, &enterprise, "/api/v1/needs", &need_body("鸡下蛋少")).await;
    assert_eq!(
        app.count("tickets").await,
        0,
        "a need waiting for review has no ticket"
    );
    approve(&app, &worker_staff, "need", need).await;

    let t = ticket_of(&app, &org_staff, "need", need).await;
    assert_eq!(t["kind_label"], "一单一策");
    assert_eq!(t["subject"], "鸡下蛋少");
    assert_eq!(t["served"]["id"], owner);
    assert_eq!(t["region_code"], "511623");
    assert_eq!(
        assignee(&t),
        Some(nanny),
        "the org department nurses needs: {t}"
    );
    let detail = ticket(&app, &org_staff, t["id"].as_i64().unwrap()).await;
    assert_eq!(detail["steps"][1]["name"], "需求诊断");
    assert_eq!(list(&app, &worker_staff, "?mine=true").await["total"], 0);

    // A published capability opens nothing; approving twice opens no second ticket.
    let (_, scientist) = scientist(&app, "刘研究员", "511623").await;
    let offer = create(
        &app,
        &scientist,
        "/api/v1/offers",
        &offer_body("蛋鸡技术服务"),
    )
    .await;
    approve(&app, &worker_staff, "offer", offer).await;
    assert_eq!(list(&app, &org_staff, "?kind=need").await["total"], 1);
    assert_eq!(
        run_clock(&app).await.opened,
        0,
        "the sweep finds nothing missing"
    );
    assert_eq!(
        app.count("tickets").await,
        2,
        "the need's and the scientist's"
    );
}

async fn staff_see_and_act_on_tickets_in_their_subtree_only(app: TestApp) {
    app.staff("511623", WORKER).await;
    let neighbour = app.staff("511621", WORKER).await;
    let city = app.staff("5116", WORKER).await;
    let chengdu = app.staff("5101", WORKER).await;
    let (subject, _) = scientist(&app, "邻水研究员", "511623").await;
    let id = ticket_of(&app, &city, "person", subject).await["id"]
        .as_i64()
        .unwrap();

    assert!(!ids(&list(&app, &neighbour, "").await).contains(&id));
    assert!(!ids(&list(&app, &chengdu, "").await).contains(&id));
    let (status, reply) = app
        .get("/api/v1/tickets?region_code=511623", Some(&neighbour))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{reply}");
    assert_eq!(reply["error"]["code"], "forbidden");
    for (query, field) in [("?region_code=abc", "region_code"), ("?kind=shop", "kind")] {
        let (status, reply) = app
            .get(&format!("/api/v1/tickets{query}"), Some(&city))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {reply}");
        assert!(reply["error"]["fields"][field].is_string(), "{reply}");
    }
    let path = format!("/api/v1/tickets/{id}");
    assert_eq!(
        app.get(&path, Some(&neighbour)).await.0,
        StatusCode::FORBIDDEN
    );
    let followup = json!({"channel": "phone", "note": "电话了解情况"});
    let (status, _) = app
        .post(&format!("{path}/followups"), &followup, Some(&neighbour))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .post(
            &format!("{path}/close"),
            &json!({"reason": "越权办结"}),
            Some(&chengdu),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.audit_actions().await.first().map(String::as_str),
        Some("permission.denied"),
        "refusals are audited"
    );
    let (_, phone) = app.register("public", "村民", "511623").await;
    let public = app.login(&phone).await;
    let (status, _) = app.get("/api/v1/tickets", Some(&public)).await;
    assert!(
        status == StatusCode::FORBIDDEN || status == StatusCode::UNAUTHORIZED,
        "not staff: {status}"
    );
    assert_eq!(app.get(&path, Some(&public)).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get("/api/v1/tickets", None).await.0,
        StatusCode::UNAUTHORIZED
    );

    let detail = ticket(&app, &city, id).await;
    assert!(detail["history"].as_array().unwrap().len() == 1, "{detail}");
    assert_eq!(
        ids(&list(&app, &city, "?region_code=511623").await),
        [id],
        "the city narrows to its county"
    );
    let (status, after) = app
        .post(&format!("{path}/followups"), &followup, Some(&city))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{after}");
    assert_eq!(history_kinds(&after), ["followup", "opened"]);
}

/// A ticket's id, opened for a new scientist in 511623 whose nanny is `staff`.
async fn person_ticket(app: &TestApp, staff: &str, name: &str) -> (i64, i64, String) {
    let (subject, token) = scientist(app, name, "511623").await;
    let id = ticket_of(app, staff, "person", subject).await["id"]
        .as_i64()
        .unwrap();
    (id, subject, token)
}

async fn follow_ups_are_checked_and_recorded_with_their_links(app: TestApp) {
    let nanny = app.staff("511623", WORKER).await;
    let (id, _, served) = person_ticket(&app, &nanny, "王研究员").await;
    // Another scientist's published capability, and a deal that is not the served person's.
    let (_, other) = scientist(&app, "赵研究员", "511623").await;
    let offer = create(
        &app,
        &other,
        "/api/v1/offers",
        &offer_body("蛋鸡产蛋率提升"),
    )
    .await;
    approve(&app, &nanny, "offer", offer).await;
    let (_, buyer) = enterprise(&app, "邻水养殖", "511623").await;
    let (status, deal) = app
        .post(
            "/api/v1/deals",
            &json!({"offer_id": offer, "contract_type": "service", "amount_fen": 100}),
            Some(&buyer),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{deal}");
    let deal = deal["id"].as_i64().unwrap();
    let path = format!("/api/v1/tickets/{id}/followups");
    let events = app.count("ticket_events").await;

    let (status, reply) = app
        .post(
            &path,
            &json!({"channel": "fax", "note": "  "}),
            Some(&nanny),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reply}");
    let fields = &reply["error"]["fields"];
    assert!(
        fields["channel"].as_str().unwrap().contains("phone"),
        "{fields}"
    );
    assert_eq!(fields["note"], "请填写跟进情况");
    let long = "很".repeat(2001);
    let (status, reply) = app
        .post(
            &path,
            &json!({"channel": "phone", "note": long}),
            Some(&nanny),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply["error"]["fields"]["note"].is_string());

    let (status, reply) = app
        .post(
            &path,
            &json!({"channel": "phone", "note": "推荐了一个交易", "links": [{"kind": "deal", "id": deal}]}),
            Some(&nanny),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reply}");
    assert!(
        reply["error"]["fields"]["links[0]"]
            .as_str()
            .unwrap()
            .contains("与服务对象无关"),
        "someone else's deal: {reply}"
    );
    let (status, reply) = app
        .post(
            &path,
            &json!({"channel": "phone", "note": "推荐", "links": [{"kind": "listing", "id": offer}, {"kind": "listing", "id": 999_999}]}),
            Some(&nanny),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reply}");
    let fields = reply["error"]["fields"].as_object().unwrap();
    assert!(
        fields.contains_key("links[1]") && !fields.contains_key("links[0]"),
        "only the unknown listing is refused: {reply}"
    );
    let (status, reply) = app
        .post(
            &path,
            &json!({"channel": "phone", "note": "推荐", "links": [{"kind": "shop", "id": offer}]}),
            Some(&nanny),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply["error"]["fields"]["links[0]"].is_string());
    assert_eq!(app.count("ticket_events").await, events, "nothing stored");
    assert_eq!(app.count("ticket_links").await, 0);
    let before = ticket(&app, &nanny, id).await;
    assert_eq!(history_kinds(&before), ["opened"]);
    assert!(before["first_contact_at"].is_null());

    app.app.clock.advance(Duration::hours(5));
    let body = json!({"channel": "visit", "note": "上门了解研究方向", "outcome": "有意向对接养殖企业",
                      "links": [{"kind": "listing", "id": offer}]});
    let (status, after) = app.post(&path, &body, Some(&nanny)).await;
    assert_eq!(status, StatusCode::CREATED, "{after}");
    let event = &after["history"][0];
    assert_eq!(event["kind"], "followup");
    assert_eq!(event["channel"], "visit");
    assert_eq!(event["channel_label"], "上门走访");
    assert_eq!(event["note"], "上门了解研究方向");
    assert_eq!(event["outcome"], "有意向对接养殖企业");
    assert_eq!(event["actor"], "511623工作人员");
    assert_eq!(event["links"][0]["kind"], "listing");
    assert_eq!(event["links"][0]["id"], offer);
    assert_eq!(event["links"][0]["title"], "蛋鸡产蛋率提升");
    let first_contact = after["first_contact_at"].clone();
    assert!(first_contact.is_string(), "{after}");
    assert_ne!(first_contact, after["opened_at"]);

    app.app.clock.advance(Duration::hours(1));
    let (status, again) = app
        .post(
            &path,
            &json!({"channel": "online", "note": "微信沟通"}),
            Some(&nanny),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(history_kinds(&again), ["followup", "followup", "opened"]);
    assert_eq!(
        again["first_contact_at"], first_contact,
        "the first stays first"
    );

    // The served person's own inquiry and deal may be attached, with their listing's title.
    let own = create(
        &app,
        &served,
        "/api/v1/offers",
        &offer_body("柑橘防裂果技术"),
    )
    .await;
    approve(&app, &nanny, "offer", own).await;
    let (status, inquiry) = app
        .post(
            "/api/v1/inquiries",
            &json!({"target_kind": "offer", "target_id": own, "message": "想请您指导"}),
            Some(&buyer),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{inquiry}");
    let (status, own_deal) = app
        .post(
            "/api/v1/deals",
            &json!({"offer_id": own, "contract_type": "service", "amount_fen": 100}),
            Some(&buyer),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{own_deal}");
    let body = json!({"channel": "meeting", "note": "三方座谈",
                      "links": [{"kind": "inquiry", "id": inquiry["id"]}, {"kind": "deal", "id": own_deal["id"]}]});
    let (status, linked) = app.post(&path, &body, Some(&nanny)).await;
    assert_eq!(status, StatusCode::CREATED, "{linked}");
    let links = &linked["history"][0]["links"];
    assert_eq!(links[0]["kind"], "inquiry");
    assert_eq!(links[0]["title"], "柑橘防裂果技术");
    assert_eq!(links[1]["kind"], "deal");
    assert_eq!(links[1]["id"], own_deal["id"]);
    assert_eq!(links[1]["title"], "柑橘防裂果技术");
    assert_eq!(app.count("ticket_links").await, 3);
}

async fn the_clock_marks_overdue_steps_and_escalates_to_the_city(app: TestApp) {
    let nanny = app.staff("511623", WORKER).await;
    let city = app.staff("5116", WORKER).await;
    let city_org = app.staff("5116", ORG).await;
    let (id, _, _) = person_ticket(&app, &nanny, "王研究员").await;
    assert_eq!(
        run_clock(&app).await,
        ClockReport::default(),
        "nothing due yet"
    );
    assert!(list(&app, &nanny, "?overdue=true").await["total"] == 0);

    app.app.clock.advance(Duration::days(4));
    let report = run_clock(&app).await;
    assert_eq!(
        report.overdue_steps, 1,
        "首次联系 was due after 3 days: {report:?}"
    );
    assert_eq!(report.escalated, 0);
    assert_eq!(ids(&list(&app, &nanny, "?overdue=true").await), [id]);
    assert_eq!(
        ids(&list(&app, &nanny, "?mine=true&overdue=true").await),
        [id]
    );
    assert_eq!(list(&app, &nanny, "?escalated=true").await["total"], 0);
    let detail = ticket(&app, &nanny, id).await;
    assert_eq!(detail["overdue"], true);
    assert_eq!(detail["steps"][0]["overdue"], true);
    assert_eq!(detail["steps"][1]["overdue"], false);
    assert!(detail["escalated_to"].is_null());
    assert_eq!(detail["history"][0]["kind"], "overdue");
    assert!(
        detail["history"][0]["note"]
            .as_str()
            .unwrap()
            .contains("首次联系"),
        "{detail}"
    );
    let told = notifications(&app, &nanny).await;
    assert!(
        told.iter().any(|n| n.contains("1个服务步骤已逾期")),
        "{told:?}"
    );
    assert_eq!(
        run_clock(&app).await,
        ClockReport::default(),
        "a step is marked overdue once"
    );

    app.app.clock.advance(Duration::days(8));
    let report = run_clock(&app).await;
    assert_eq!(report.escalated, 1, "overdue 9 days > 7: {report:?}");
    assert_eq!(report.overdue_steps, 1, "了解专长与意向 lapsed too");
    let detail = ticket(&app, &nanny, id).await;
    assert_eq!(detail["escalated_to"], "5116");
    assert!(history_kinds(&detail).contains(&"escalated".to_owned()));
    assert_eq!(ids(&list(&app, &city, "?escalated=true").await), [id]);
    let above = notifications(&app, &city).await;
    assert!(
        above.iter().any(|n| n.contains("已升级至您处督办")),
        "the city's worker staff supervise: {above:?}"
    );
    assert!(
        notifications(&app, &city_org)
            .await
            .iter()
            .all(|n| !n.contains("升级")),
        "another department is not told"
    );
    assert!(
        notifications(&app, &nanny)
            .await
            .iter()
            .any(|n| n.contains("已升级至")),
        "the nanny knows"
    );
    assert_eq!(run_clock(&app).await.escalated, 0, "escalated once");

    // Doing the overdue steps ends the lapse and the escalation.
    let steps = detail["steps"].as_array().unwrap();
    for step in &steps[..2] {
        let (status, reply) = app
            .post(
                &format!("/api/v1/tickets/{id}/steps/{}/done", step["id"]),
                &json!({}),
                Some(&nanny),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{reply}");
    }
    let detail = ticket(&app, &nanny, id).await;
    assert_eq!(detail["overdue"], false, "{detail}");
    assert!(detail["escalated_to"].is_null());
    assert_eq!(list(&app, &nanny, "?overdue=true").await["total"], 0);
    assert_eq!(list(&app, &city, "?escalated=true").await["total"], 0);
    assert_eq!(detail["next_due_at"], detail["steps"][2]["due_at"]);
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

async fn the_nanny_adapts_the_plan_and_repeating_steps_come_back(app: TestApp) {
    let nanny = app.staff("511623", WORKER).await;
    let (id, _, _) = person_ticket(&app, &nanny, "王研究员").await;
    let base = format!("/api/v1/tickets/{id}/steps");
    let detail = ticket(&app, &nanny, id).await;
    let first = detail["steps"][0]["id"].as_i64().unwrap();
    let visit = step_named(&detail, "定期回访")[0]["id"].as_i64().unwrap();

    let (status, after) = app
        .post(&format!("{base}/{first}/done"), &json!({}), Some(&nanny))
        .await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert!(after["steps"][0]["done_at"].is_string());
    assert_eq!(
        after["next_due_at"], after["steps"][1]["due_at"],
        "the next undone step is next"
    );
    assert_eq!(after["history"][0]["kind"], "step_done");
    let (status, reply) = app
        .post(&format!("{base}/{first}/done"), &json!({}), Some(&nanny))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{reply}");
    let (status, _) = app
        .post(&format!("{base}/999999/done"), &json!({}), Some(&nanny))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    app.app.clock.advance(Duration::days(2));
    let done_at = app.app.clock.now();
    let (status, after) = app
        .post(&format!("{base}/{visit}/done"), &json!({}), Some(&nanny))
        .await;
    assert_eq!(status, StatusCode::OK, "{after}");
    let visits = step_named(&after, "定期回访");
    assert_eq!(visits.len(), 2, "the repeating step comes back: {after}");
    let next = visits
        .iter()
        .find(|s| s["done_at"].is_null())
        .expect("an undone visit");
    assert_eq!(next["repeat_days"], 30);
    let due: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(next["due_at"].clone()).unwrap();
    let gap = due - done_at;
    assert!(
        gap > Duration::days(30) - Duration::minutes(1)
            && gap < Duration::days(30) + Duration::minutes(1),
        "30 days after it was done: {gap}"
    );
    assert!(
        after["history"][0]["note"]
            .as_str()
            .unwrap()
            .contains("下次"),
        "{after}"
    );

    // Add, move and remove a step of one's own.
    let (status, after) = app
        .post(
            &base,
            &json!({"name": "协助申报科技项目", "due_date": day(&app, 10)}),
            Some(&nanny),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{after}");
    let added = step_named(&after, "协助申报科技项目");
    assert_eq!(added.len(), 1);
    assert!(
        added[0]["due_label"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{} 23:59", day(&app, 10))),
        "due at the end of that day, Beijing time: {}",
        added[0]
    );
    assert_eq!(after["history"][0]["kind"], "plan_changed");
    let step = added[0]["id"].as_i64().unwrap();
    let (status, after) = send(
        &app,
        Method::PATCH,
        &format!("{base}/{step}"),
        Some(&json!({"name": "协助申报省级项目", "due_date": day(&app, 20)})),
        &nanny,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{after}");
    let moved = step_named(&after, "协助申报省级项目");
    assert!(
        moved[0]["due_label"]
            .as_str()
            .unwrap()
            .starts_with(&day(&app, 20))
    );
    assert!(step_named(&after, "协助申报科技项目").is_empty());
    let count = after["steps"].as_array().unwrap().len();
    let (status, after) = send(
        &app,
        Method::DELETE,
        &format!("{base}/{step}"),
        None,
        &nanny,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert_eq!(after["steps"].as_array().unwrap().len(), count - 1);
    assert!(step_named(&after, "协助申报省级项目").is_empty());
    let (status, _) = send(
        &app,
        Method::DELETE,
        &format!("{base}/{first}"),
        None,
        &nanny,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a done step stays in the record"
    );
    let (status, _) = send(
        &app,
        Method::PATCH,
        &format!("{base}/{first}"),
        Some(&json!({"name": "改名", "due_date": day(&app, 3)})),
        &nanny,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nor can it be moved");

    // Bad steps change nothing.
    let steps = app.count("ticket_steps").await;
    let (status, reply) = app
        .post(
            &base,
            &json!({"name": "补办", "due_date": day(&app, -1)}),
            Some(&nanny),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reply}");
    assert_eq!(reply["error"]["fields"]["due_date"], "完成日期不能早于今天");
    let (status, reply) = app
        .post(
            &base,
            &json!({"name": " ", "due_date": "2099/01/01"}),
            Some(&nanny),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = reply["error"]["fields"].as_object().unwrap();
    assert!(
        fields.contains_key("name") && fields.contains_key("due_date"),
        "{reply}"
    );
    let (status, _) = send(
        &app,
        Method::PATCH,
        &format!("{base}/{}", next["id"]),
        Some(&json!({"name": "定期回访", "due_date": day(&app, -3)})),
        &nanny,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = app
        .post(
            &base,
            &json!({"name": "今天完成", "due_date": day(&app, 0)}),
            Some(&nanny),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "today is allowed");
    assert_eq!(app.count("ticket_steps").await, steps + 1);
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

async fn a_signed_deal_closes_the_need_ticket_and_the_scientists(app: TestApp) {
    let org_staff = app.staff("511623", ORG).await;
    let worker_staff = app.staff("511623", WORKER).await;
    let (need, buyer) = published_need(&app, &org_staff, "511623", "鸡下蛋少").await;
    let (seller_id, seller) = scientist(&app, "李研究员", "511623").await;
    let offer = create(&app, &seller, "/api/v1/offers", &offer_body("蛋鸡技术服务")).await;
    approve(&app, &worker_staff, "offer", offer).await;
    let need_ticket = ticket_of(&app, &org_staff, "need", need).await["id"]
        .as_i64()
        .unwrap();
    let person_ticket = ticket_of(&app, &worker_staff, "person", seller_id).await["id"]
        .as_i64()
        .unwrap();
    // An unrelated need's ticket stays open.
    let (other_need, _) = published_need(&app, &org_staff, "511623", "果树修剪").await;

    let (status, deal) = app
        .post(
            "/api/v1/deals",
            &json!({"need_id": need, "offer_id": offer, "contract_type": "service", "amount_fen": 3_000_000}),
            Some(&buyer),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{deal}");
    let deal = deal["id"].as_i64().unwrap();
    let transition = |to: &'static str, who: String| {
        let app = &app;
        async move {
            app.post(
                &format!("/api/v1/deals/{deal}/transition"),
                &json!({"to": to}),
                Some(&who),
            )
            .await
        }
    };
    assert_eq!(
        transition("negotiating", seller.clone()).await.0,
        StatusCode::OK
    );
    assert_eq!(transition("signed", buyer.clone()).await.0, StatusCode::OK);
    assert_eq!(
        ticket(&app, &org_staff, need_ticket).await["status"],
        "open",
        "one signature does not close it"
    );
    assert_eq!(transition("signed", seller.clone()).await.0, StatusCode::OK);

    let closed = ticket(&app, &org_staff, need_ticket).await;
    assert_eq!(closed["status"], "closed", "{closed}");
    assert_eq!(closed["outcome"], "deal");
    assert_eq!(closed["deal_id"], deal);
    assert_eq!(closed["status_label"], "已签约办结");
    assert!(closed["closed_at"].is_string());
    assert!(closed["next_due_at"].is_null());
    assert_eq!(closed["history"][0]["kind"], "closed");
    assert!(
        closed["history"][0]["note"]
            .as_str()
            .unwrap()
            .contains(&format!("交易 #{deal} 已签约")),
        "{closed}"
    );
    let person = ticket(&app, &worker_staff, person_ticket).await;
    assert_eq!(
        (person["status"].as_str(), person["deal_id"].as_i64()),
        (Some("closed"), Some(deal)),
        "the scientist's 一人一策 closes too: {person}"
    );
    assert_eq!(
        ticket_of(&app, &org_staff, "need", other_need).await["status"],
        "open"
    );
    assert_eq!(
        ids(&list(&app, &org_staff, "?kind=need&status=closed").await),
        [need_ticket]
    );

    let (status, reply) = app
        .post(
            &format!("/api/v1/tickets/{need_ticket}/followups"),
            &json!({"channel": "phone", "note": "签约后回访"}),
            Some(&org_staff),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{reply}");
    // The deal goes on; the closed ticket is not touched again.
    for (to, who) in [("performing", &seller), ("completed", &buyer)] {
        let (status, _) = app
            .post(
                &format!("/api/v1/deals/{deal}/transition"),
                &json!({"to": to}),
                Some(who),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    let after = ticket(&app, &org_staff, need_ticket).await;
    assert_eq!(after["history"], closed["history"]);
    app.app.clock.advance(Duration::days(40));
    assert_eq!(
        run_clock(&app).await.overdue_steps,
        4,
        "only the steps of the open need's ticket lapse"
    );
}

async fn closing_by_hand_needs_a_reason_and_ends_all_changes(app: TestApp) {
    let nanny = app.staff("511623", WORKER).await;
    let city = app.staff("5116", WORKER).await;
    let (id, _, served) = person_ticket(&app, &nanny, "王研究员").await;
    let path = format!("/api/v1/tickets/{id}");
    let step = ticket(&app, &nanny, id).await["steps"][1]["id"]
        .as_i64()
        .unwrap();

    for body in [json!({"reason": " "}), json!({"reason": "无"}), json!({})] {
        let (status, reply) = app
            .post(&format!("{path}/close"), &body, Some(&nanny))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {reply}");
        assert_eq!(reply["error"]["fields"]["reason"], "请填写办结原因");
    }
    assert_eq!(ticket(&app, &nanny, id).await["status"], "open");

    let (status, closed) = app
        .post(
            &format!("{path}/close"),
            &json!({"reason": " 本人已调往外省工作，无需继续服务 "}),
            Some(&nanny),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{closed}");
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["status_label"], "已办结");
    assert_eq!(closed["outcome"], "closed");
    assert_eq!(closed["close_reason"], "本人已调往外省工作，无需继续服务");
    assert!(closed["deal_id"].is_null() && closed["next_due_at"].is_null());
    assert_eq!(closed["history"][0]["kind"], "closed");
    assert!(
        notifications(&app, &served)
            .await
            .iter()
            .any(|n| n.contains("已办结")),
        "the served person is told"
    );
    let events = app.count("ticket_events").await;

    let done = format!("steps/{step}/done");
    let acts = [
        (
            "followups",
            json!({"channel": "phone", "note": "再联系一次"}),
        ),
        (
            "steps",
            json!({"name": "补充步骤", "due_date": day(&app, 5)}),
        ),
        (done.as_str(), json!({})),
        ("assign", json!({"assignee_id": me_id(&app, &city).await})),
        ("close", json!({"reason": "再次办结"})),
    ];
    for (act, body) in &acts {
        let (status, reply) = app.post(&format!("{path}/{act}"), body, Some(&nanny)).await;
        assert_eq!(status, StatusCode::CONFLICT, "{act}: {reply}");
        assert_eq!(reply["error"]["code"], "conflict");
    }
    let (status, _) = send(
        &app,
        Method::DELETE,
        &format!("{path}/steps/{step}"),
        None,
        &nanny,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(app.count("ticket_events").await, events, "nothing changed");
    assert_eq!(
        ticket(&app, &city, id).await["status"],
        "closed",
        "still readable"
    );
    assert_eq!(list(&app, &nanny, "?status=open").await["total"], 0);
    assert_eq!(ids(&list(&app, &nanny, "?status=closed").await), [id]);
    let (status, reply) = app.get("/api/v1/tickets?status=done", Some(&nanny)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reply}");
    assert!(reply["error"]["fields"]["status"].is_string());

    app.app.clock.advance(Duration::days(40));
    assert_eq!(
        run_clock(&app).await.overdue_steps,
        0,
        "a closed ticket's steps never lapse"
    );
}

async fn the_served_person_sees_their_nanny_and_rates_the_service(app: TestApp) {
    let nanny = app.staff("511623", WORKER).await;
    let (id, subject, served) = person_ticket(&app, &nanny, "王研究员").await;
    let (_, other) = scientist(&app, "赵研究员", "511623").await;
    app.post(
        &format!("/api/v1/tickets/{id}/followups"),
        &json!({"channel": "phone", "note": "内部备注：性格内向，需多次沟通", "outcome": "已建立联系"}),
        Some(&nanny),
    )
    .await;
    let (status, _) = app
        .post(
            &format!("/api/v1/tickets/{id}/steps"),
            &json!({"name": "内部复盘", "due_date": day(&app, 3)}),
            Some(&nanny),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    let (status, mine) = app.get("/api/v1/me/tickets", Some(&served)).await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    assert_eq!(mine["total"], 1);
    let t = &mine["items"][0];
    assert_eq!(t["id"], id);
    assert_eq!(t["served"]["id"], subject);
    assert_eq!(t["assignee"]["name"], "511623工作人员", "who my nanny is");
    assert!(t["assignee"]["phone"].is_string());
    assert_eq!(t["steps"].as_array().unwrap().len(), 5, "the plan is shown");
    let followup = t["history"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "followup")
        .expect("the follow-up is shown");
    assert_eq!(followup["note"], "", "not the nanny's working notes");
    assert_eq!(followup["outcome"], "已建立联系");
    assert_eq!(followup["channel_label"], "电话");
    assert!(
        !mine.to_string().contains("性格内向"),
        "the note appears nowhere: {mine}"
    );
    assert!(
        t["history"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["kind"] != "plan_changed"),
        "{t}"
    );
    let (_, theirs) = app.get("/api/v1/me/tickets", Some(&other)).await;
    assert_eq!(theirs["total"], 1, "their own ticket only: {theirs}");
    assert_ne!(theirs["items"][0]["id"], id);
    assert_eq!(
        app.get(&format!("/api/v1/tickets/{id}"), Some(&served))
            .await
            .0,
        StatusCode::FORBIDDEN,
        "the staff view is for staff"
    );

    let rate = format!("/api/v1/tickets/{id}/rating");
    for stars in [0, 6] {
        let (status, reply) = app
            .post(&rate, &json!({"stars": stars}), Some(&served))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{stars}: {reply}");
        assert_eq!(reply["error"]["fields"]["stars"], "评分须为1到5星");
    }
    let (status, _) = app.post(&rate, &json!({"stars": 1}), Some(&other)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another user's rating");
    let (status, _) = app.post(&rate, &json!({"stars": 1}), Some(&nanny)).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the nanny cannot rate herself"
    );
    assert_eq!(
        app.post(&rate, &json!({"stars": 1}), None).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert!(ticket(&app, &nanny, id).await["rating"].is_null());

    let (status, rated) = app
        .post(
            &rate,
            &json!({"stars": 5, "comment": " 很及时 "}),
            Some(&served),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{rated}");
    assert_eq!(rated["rating"], 5);
    assert_eq!(rated["rating_comment"], "很及时");
    assert_eq!(rated["history"][0]["kind"], "rated");
    assert!(
        notifications(&app, &nanny)
            .await
            .iter()
            .any(|n| n.contains("评价了5星")),
        "the nanny is told"
    );
    let (status, rated) = app.post(&rate, &json!({"stars": 4}), Some(&served)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(rated["rating"], 4, "rating again replaces it");
    assert_eq!(ticket(&app, &nanny, id).await["rating"], 4);
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

async fn a_ticket_is_reassigned_within_scope(app: TestApp) {
    let nanny = app.staff("511623", WORKER).await;
    let colleague = app.staff("511623", WORKER).await;
    let neighbour = app.staff("511621", WORKER).await;
    let city = app.staff("5116", WORKER).await;
    let (id, _, served) = person_ticket(&app, &nanny, "王研究员").await;
    let path = format!("/api/v1/tickets/{id}/assign");
    let (colleague_id, neighbour_id) =
        (me_id(&app, &colleague).await, me_id(&app, &neighbour).await);
    let (city_id, served_id) = (me_id(&app, &city).await, me_id(&app, &served).await);

    let (status, reply) = app
        .post(&path, &json!({"assignee_id": neighbour_id}), Some(&city))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reply}");
    assert!(reply["error"]["fields"]["assignee_id"].is_string());
    let (status, _) = app
        .post(&path, &json!({"assignee_id": served_id}), Some(&city))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "not staff");
    let (status, _) = app
        .post(&path, &json!({"assignee_id": city_id}), Some(&nanny))
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a county cannot hand work to the city"
    );
    assert_eq!(
        assignee(&ticket(&app, &nanny, id).await),
        Some(me_id(&app, &nanny).await)
    );

    let (status, after) = app
        .post(&path, &json!({"assignee_id": colleague_id}), Some(&nanny))
        .await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert_eq!(assignee(&after), Some(colleague_id));
    assert_eq!(after["history"][0]["kind"], "assigned");
    assert!(
        notifications(&app, &colleague)
            .await
            .iter()
            .any(|n| n.contains("已改派给您"))
    );
    assert_eq!(ids(&list(&app, &colleague, "?mine=true").await), [id]);
    assert_eq!(list(&app, &nanny, "?mine=true").await["total"], 0);
    let (status, _) = app
        .post(&path, &json!({"assignee_id": colleague_id}), Some(&nanny))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "already theirs");
    let (status, after) = app
        .post(&path, &json!({"assignee_id": city_id}), Some(&city))
        .await;
    assert_eq!(status, StatusCode::OK, "the city may take it up: {after}");
    assert_eq!(assignee(&after), Some(city_id));
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

async fn the_clock_opens_tickets_the_requests_missed(app: TestApp) {
    let worker_staff = app.staff("511623", WORKER).await;
    let org_staff = app.staff("511623", ORG).await;
    let (id, subject, _) = person_ticket(&app, &worker_staff, "王研究员").await;
    let (need, _) = published_need(&app, &org_staff, "511623", "鸡下蛋少").await;
    let need_ticket = ticket_of(&app, &org_staff, "need", need).await["id"]
        .as_i64()
        .unwrap();
    forget_ticket(&app, id).await;
    forget_ticket(&app, need_ticket).await;
    assert_eq!(app.count("tickets").await, 0);
    assert_eq!(run_clock(&app).await.opened, 2, "found in the ledger");
    let again = ticket_of(&app, &worker_staff, "person", subject).await;
    assert_eq!(assignee(&again), Some(me_id(&app, &worker_staff).await));
    assert_eq!(
        ticket_of(&app, &org_staff, "need", need).await["kind"],
        "need"
    );
    assert_eq!(run_clock(&app).await.opened, 0, "once");

    // After a pass, the next pass still looks back over what it has not seen.
    app.app.clock.advance(Duration::minutes(10));
    let (later, subject, _) = person_ticket(&app, &worker_staff, "李研究员").await;
    forget_ticket(&app, later).await;
    assert_eq!(run_clock(&app).await.opened, 1);
    ticket_of(&app, &worker_staff, "person", subject).await;
    assert_eq!(app.count("tickets").await, 3);
}

async fn a_later_lapse_escalates_again(app: TestApp) {
    let nanny = app.staff("511623", WORKER).await;
    let (id, _, _) = person_ticket(&app, &nanny, "王研究员").await;
    app.app.clock.advance(Duration::days(11));
    assert_eq!(run_clock(&app).await.escalated, 1);
    let detail = ticket(&app, &nanny, id).await;
    for step in &detail["steps"].as_array().unwrap()[..2] {
        let (status, _) = app
            .post(
                &format!("/api/v1/tickets/{id}/steps/{}/done", step["id"]),
                &json!({}),
                Some(&nanny),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    assert!(ticket(&app, &nanny, id).await["escalated_to"].is_null());
    // 推荐对接需求 was due on day 15: overdue from then, escalated after day 22.
    app.app.clock.advance(Duration::days(5));
    let report = run_clock(&app).await;
    assert_eq!(
        (report.overdue_steps, report.escalated),
        (1, 0),
        "{report:?}"
    );
    app.app.clock.advance(Duration::days(8));
    let report = run_clock(&app).await;
    assert_eq!(report.escalated, 1, "{report:?}");
    assert_eq!(ticket(&app, &nanny, id).await["escalated_to"], "5116");
}

/// Escalation goes one level above the nanny: a county ticket held by city staff (the county has
/// nobody) goes to the province, not back to the same person.
async fn escalation_goes_above_the_nanny_not_back_to_them(app: TestApp) {
    let city = app.staff("5116", WORKER).await;
    let province = app.staff("51", WORKER).await;
    let (id, _, _) = person_ticket(&app, &city, "李研究员").await;
    app.app.clock.advance(Duration::days(11));
    assert_eq!(run_clock(&app).await.escalated, 1);
    assert_eq!(ticket(&app, &city, id).await["escalated_to"], "51");
    assert!(
        notifications(&app, &province)
            .await
            .iter()
            .any(|n| n.contains("已升级至您处督办")),
        "the province is told"
    );
    assert!(
        !notifications(&app, &city)
            .await
            .iter()
            .any(|n| n.contains("已升级至您处督办")),
        "the nanny is not asked to supervise themselves"
    );
}

/// A ticket closed by hand is no longer escalated, as one closed by a deal: the supervision list
/// of the level above no longer shows it.
async fn a_ticket_closed_by_hand_is_no_longer_escalated(app: TestApp) {
    let nanny = app.staff("511623", WORKER).await;
    let city = app.staff("5116", WORKER).await;
    let (id, _, _) = person_ticket(&app, &nanny, "王研究员").await;
    app.app.clock.advance(Duration::days(11));
    assert_eq!(run_clock(&app).await.escalated, 1);
    assert_eq!(ids(&list(&app, &city, "?escalated=true").await), [id]);
    let (status, closed) = app
        .post(
            &format!("/api/v1/tickets/{id}/close"),
            &json!({"reason": "本人放弃服务"}),
            Some(&nanny),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{closed}");
    assert_eq!(closed["overdue"], false);
    assert!(
        closed["escalated_to"].is_null(),
        "a closed ticket is over, like one closed by a deal: {closed}"
    );
    assert_eq!(
        list(&app, &city, "?escalated=true").await["total"],
        0,
        "the city's supervision list no longer shows it"
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

async fn the_report_exports_to_excel_for_staff_signed_in(app: TestApp) {
    let nanny = app.staff("511623", WORKER).await;
    person_ticket(&app, &nanny, "王研究员").await;
    let phone = app.phone();
    tianfu::staff::store::add_staff(
        &app.app,
        None,
        tianfu::staff::store::NewStaff {
            phone: phone.clone(),
            password: crate::common::PASSWORD.into(),
            name: "广安工作人员".into(),
            region_code: "5116".into(),
            department: WORKER.into(),
            admin: false,
        },
    )
    .await
    .expect("staff");
    let browser = app.browser();
    let response = browser
        .post(format!("{}/login", app.url))
        .form(&[
            ("phone", phone.as_str()),
            ("password", crate::common::PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

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

on_both_databases!(
    escalation_goes_above_the_nanny_not_back_to_them,
    registering_a_scientist_opens_a_person_ticket_for_the_county_worker_staff,
    tickets_go_to_the_least_loaded_staff_member,
    assignment_climbs_to_the_city_and_province_and_waits_for_staff,
    approving_a_need_opens_a_need_ticket_for_the_org_department,
    staff_see_and_act_on_tickets_in_their_subtree_only,
    follow_ups_are_checked_and_recorded_with_their_links,
    the_clock_marks_overdue_steps_and_escalates_to_the_city,
    the_nanny_adapts_the_plan_and_repeating_steps_come_back,
    a_signed_deal_closes_the_need_ticket_and_the_scientists,
    closing_by_hand_needs_a_reason_and_ends_all_changes,
    the_served_person_sees_their_nanny_and_rates_the_service,
    the_report_counts_tickets_per_region_and_nanny,
    administrators_configure_the_plan_new_tickets_follow,
    a_ticket_is_reassigned_within_scope,
    the_report_exports_to_excel_for_staff_signed_in,
    the_clock_opens_tickets_the_requests_missed,
    a_later_lapse_escalates_again,
    a_ticket_closed_by_hand_is_no_longer_escalated,
    the_report_does_not_count_steps_of_tickets_closed_before_they_were_due,
);
