//! Tickets open themselves and reach the right nanny: assignment, climbing, scope, reassignment, the sweep.

use super::*;
use crate::on_both_databases;

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
    approve(&app, &org_staff, "need", need).await;

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

async fn the_nanny_follower_opens_tickets_a_crash_left_behind(app: TestApp) {
    let worker_staff = app.staff("511623", WORKER).await;
    let org_staff = app.staff("511623", ORG).await;
    let (id, subject, _) = person_ticket(&app, &worker_staff, "王研究员").await;
    let (need, _) = published_need(&app, &org_staff, "511623", "鸡下蛋少").await;
    let need_ticket = ticket_of(&app, &org_staff, "need", need).await["id"]
        .as_i64()
        .unwrap();
    // As if the process died after the acts committed and before the follower reacted: the
    // tickets are gone and the follower's cursor stands before the events.
    forget_ticket(&app, id).await;
    forget_ticket(&app, need_ticket).await;
    tianfu::on_db!(&app.app.db, pool => sqlx::query("DELETE FROM ledger_cursors WHERE name = 'nanny.tickets'")
        .execute(pool).await.map(|_| ()).expect("rewind"));
    assert_eq!(app.count("tickets").await, 2, "found again in the ledger");
    let again = ticket_of(&app, &worker_staff, "person", subject).await;
    assert_eq!(assignee(&again), Some(me_id(&app, &worker_staff).await));
    assert_eq!(
        ticket_of(&app, &org_staff, "need", need).await["kind"],
        "need"
    );
    // Replaying the ledger once more opens nothing twice.
    tianfu::on_db!(&app.app.db, pool => sqlx::query("DELETE FROM ledger_cursors WHERE name = 'nanny.tickets'")
        .execute(pool).await.map(|_| ()).expect("rewind"));
    assert_eq!(app.count("tickets").await, 2, "once");
}

on_both_databases!(
    registering_a_scientist_opens_a_person_ticket_for_the_county_worker_staff,
    tickets_go_to_the_least_loaded_staff_member,
    assignment_climbs_to_the_city_and_province_and_waits_for_staff,
    approving_a_need_opens_a_need_ticket_for_the_org_department,
    staff_see_and_act_on_tickets_in_their_subtree_only,
    a_ticket_is_reassigned_within_scope,
    the_nanny_follower_opens_tickets_a_crash_left_behind,
);
