//! The nanny's work on a ticket: follow-ups, the plan, closing (by hand and by a signed deal), and the served person's view and rating.

use super::*;
use crate::on_both_databases;

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
    let (status, beyond) = app
        .get("/api/v1/me/tickets?page=2&per_page=1", Some(&served))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (
            beyond["total"].as_i64(),
            beyond["items"].as_array().map(Vec::len)
        ),
        (Some(1), Some(0)),
        "the list pages: {beyond}"
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

on_both_databases!(
    follow_ups_are_checked_and_recorded_with_their_links,
    the_nanny_adapts_the_plan_and_repeating_steps_come_back,
    a_signed_deal_closes_the_need_ticket_and_the_scientists,
    closing_by_hand_needs_a_reason_and_ends_all_changes,
    the_served_person_sees_their_nanny_and_rates_the_service,
);
