//! The halls: only selected projects and only once the list is published; interest that
//! becomes an inquiry the owner sees and reaches a nanny, once; 1:1 meetings that hold their
//! slot, are answered by the owner only, lapse after three days unanswered (and then free the
//! slot), and are refused outside the fair.

use chrono::{DateTime, Duration, DurationRound, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{Fair, OPEN_DAY, advance, day, edition, entered, need, offer, person};
use crate::common::TestApp;
use crate::market_pages::signed_in;
use crate::on_both_databases;

/// Marks `projects` selected and, when `publish`, publishes the edition's selected list — what
/// review and selection do, written directly so these tests need not score anything.
pub async fn select(app: &TestApp, fair: &Fair, projects: &[i64], publish: bool) {
    let now = app.app.clock.now();
    for project in projects {
        let done = tianfu::on_db!(&app.app.db, pool => sqlx::query(
            "UPDATE fair_projects SET status = 'selected', updated_at = $2 WHERE id = $1")
            .bind(*project).bind(now).execute(pool).await.expect("select").rows_affected());
        assert_eq!(done, 1);
    }
    if publish {
        tianfu::on_db!(&app.app.db, pool => sqlx::query(
            "UPDATE fairs SET selection_published_at = $2 WHERE id = $1")
            .bind(fair.id).bind(now).execute(pool).await.expect("publish").rows_affected());
    }
}

async fn staff_id(app: &TestApp, phone: &str) -> i64 {
    tianfu::on_db!(&app.app.db, pool => sqlx::query_scalar("SELECT id FROM users WHERE phone = $1")
        .bind(phone).fetch_one(pool).await.unwrap())
}

async fn a_hall_shows_only_selected_projects_and_only_once_published(app: TestApp) {
    let fair = edition(&app, json!([])).await;
    let (_, scientist) = person(&app, "worker", "王教授", "511011").await;
    let (_, other) = person(&app, "worker", "李研究员", "511024").await;
    let (_, chengdu) = person(&app, "worker", "成都专家", "510104").await;
    let (_, enterprise) = person(&app, "org", "内江食品", "511024").await;
    let shown = offer(&app, &scientist, "5110", "柑橘黄龙病快速检测技术").await;
    let hidden = offer(&app, &other, "5110", "未入选的蛋鸡饲料配方").await;
    let elsewhere = offer(&app, &chengdu, "5101", "成都的无人机植保服务").await;
    let problem = need(&app, &enterprise, "5110", "豆瓣酱发酵周期过长").await;
    let shown = entered(&app, &fair, &scientist, "offer", shown).await;
    entered(&app, &fair, &other, "offer", hidden).await;
    let elsewhere = entered(&app, &fair, &chengdu, "offer", elsewhere).await;
    let problem = entered(&app, &fair, &enterprise, "need", problem).await;
    select(&app, &fair, &[shown, elsewhere, problem], false).await;

    // Before publication: counts stay 0, the hall is a friendly notice, projects are hidden.
    let (status, halls) = app
        .get(&format!("/api/v1/fairs/{}/halls", fair.id), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(halls["total"], 22, "21 cities and the province's own");
    let hall = |halls: &Value, code: &str| {
        halls["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["code"] == code)
            .cloned()
            .unwrap()
    };
    assert_eq!(hall(&halls, "5110")["selected"], 0);
    assert_eq!(hall(&halls, "51")["name"], "省直单位");
    let page = app.html(&format!("/fairs/{}/halls/5110", fair.id)).await;
    assert!(
        page.contains("尚未公布") && !page.contains("柑橘黄龙病"),
        "{page}"
    );
    let (status, _) = app
        .get(&format!("/api/v1/fairs/{}/projects/{shown}", fair.id), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    select(&app, &fair, &[], true).await;
    let (_, halls) = app
        .get(&format!("/api/v1/fairs/{}/halls", fair.id), None)
        .await;
    assert_eq!(hall(&halls, "5110")["name"], "内江市");
    assert_eq!(hall(&halls, "5110")["selected"], 2);
    assert_eq!(hall(&halls, "5101")["selected"], 1);
    let page = app.html(&format!("/fairs/{}/halls/5110", fair.id)).await;
    assert!(page.contains("柑橘黄龙病快速检测技术"), "{page}");
    assert!(page.contains("豆瓣酱发酵周期过长"));
    assert!(!page.contains("未入选的蛋鸡饲料配方") && !page.contains("无人机植保"));
    // Filters: a category, a sector, words.
    let page = app
        .html(&format!("/fairs/{}/halls/5110?category=problem", fair.id))
        .await;
    assert!(page.contains("豆瓣酱") && !page.contains("柑橘黄龙病"));
    let page = app
        .html(&format!(
            "/fairs/{}/halls/5110?q=%E6%9F%91%E6%A9%98",
            fair.id
        ))
        .await;
    assert!(page.contains("柑橘黄龙病") && !page.contains("豆瓣酱"));
    let (_, listed) = app
        .get(
            &format!("/api/v1/fairs/{}/projects?hall=5110", fair.id),
            None,
        )
        .await;
    assert_eq!(listed["total"], 2, "{listed}");
    // The editions' list leads to the edition, whose page links every hall; the project's page
    // shows it with its listing.
    let page = app.html("/fairs").await;
    assert!(page.contains(&format!("/fairs/{}", fair.id)) && page.contains("第三届科创中国"));
    let page = app.html(&format!("/fairs/{}", fair.id)).await;
    assert!(page.contains(&format!("/fairs/{}/halls/5110", fair.id)) && page.contains("内江市"));
    let page = app
        .html(&format!("/fairs/{}/projects/{shown}", fair.id))
        .await;
    assert!(
        page.contains("我感兴趣") || page.contains("登录后表达兴趣"),
        "{page}"
    );
    assert!(page.contains("/offers/"));
    let (status, _) = app
        .get(&format!("/fairs/{}/halls/5199", fair.id), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn interest_becomes_an_inquiry_the_owner_sees_and_reaches_a_nanny(app: TestApp) {
    let fair = edition(&app, json!([])).await;
    let (owner_id, scientist) = person(&app, "worker", "王教授", "511011").await;
    let listing = offer(&app, &scientist, "5110", "柑橘黄龙病快速检测技术").await;
    let project = entered(&app, &fair, &scientist, "offer", listing).await;
    let (_, visitor) = person(&app, "org", "威远果业", "511024").await;
    let path = format!("/api/v1/fairs/{}/projects/{project}/interest", fair.id);
    let body = json!({"message": "我们的果园想引进这项检测技术，请联系。"});

    // Not yet selected: not on show.
    let (status, _) = app.post(&path, &body, Some(&visitor)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    select(&app, &fair, &[project], true).await;
    let (status, _) = app.post(&path, &body, Some(&scientist)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "not the owner");
    let (status, error) = app
        .post(&path, &json!({"message": " "}), Some(&visitor))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");

    // The project's county has no 企事业单位服务部 staff: its city's is the nanny.
    let nanny = staff_id(&app, &app.staff_member("5110", "org", "内江保姆").await).await;
    let (status, done) = app.post(&path, &body, Some(&visitor)).await;
    assert_eq!(status, StatusCode::CREATED, "{done}");
    assert_eq!(done["nanny_notified"], true);
    let inquiry = done["inquiry_id"].as_i64().unwrap();

    // The owner sees the inquiry, with the message, and was told.
    let (_, inquiries) = app.get("/api/v1/inquiries", Some(&scientist)).await;
    assert!(
        inquiries["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == inquiry && i["listing_id"] == listing),
        "{inquiries}"
    );
    let (_, thread) = app
        .get(&format!("/api/v1/inquiries/{inquiry}"), Some(&scientist))
        .await;
    assert!(
        thread["messages"][0]["body"]
            .as_str()
            .unwrap()
            .contains("检测技术"),
        "{thread}"
    );
    assert_eq!(
        app.count_where(
            "notifications",
            &format!("user_id = {owner_id} AND link = '/me/inquiries/{inquiry}'")
        )
        .await,
        1
    );
    // The nanny (the least-loaded 企事业单位服务部 staff up the project's region) was told.
    assert_eq!(
        app.count_where(
            "notifications",
            &format!("user_id = {nanny} AND text LIKE '%表达了兴趣%'")
        )
        .await,
        1
    );
    assert_eq!(app.count("fair_interests").await, 1);

    // A second time: 409 pointing at the inquiry, nothing new.
    let (status, error) = app.post(&path, &body, Some(&visitor)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{error}");
    assert_eq!(
        error["error"]["fields"]["inquiry"],
        format!("/me/inquiries/{inquiry}")
    );
    assert_eq!(app.count("fair_interests").await, 1);

    // With a follow-up ticket, its nanny hears of the next visitor's interest.
    let ticket_nanny = staff_id(&app, &app.staff_member("511011", "org", "东兴区保姆").await).await;
    let now = app.app.clock.now();
    tianfu::on_db!(&app.app.db, pool => sqlx::query(
        "INSERT INTO tickets (kind, subject_id, served_id, title, region_code, department, assignee_id, status, opened_at, updated_at) \
         VALUES ('fair', $1, $2, '科创会项目跟踪', '511011', 'org', $3, 'open', $4, $4)")
        .bind(project).bind(owner_id).bind(ticket_nanny).bind(now).execute(pool).await.unwrap().rows_affected());
    let (_, second) = person(&app, "worker", "另一位访客", "510104").await;
    let (status, _) = app.post(&path, &body, Some(&second)).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        app.count_where(
            "notifications",
            &format!("user_id = {ticket_nanny} AND link LIKE '/admin/tickets/%'")
        )
        .await,
        1
    );
}

/// An edition whose fair lasts ten days (from day 20 to day 30), for meetings over days.
async fn long_edition(app: &TestApp) -> (Fair, DateTime<Utc>) {
    let admin = app.admin().await;
    let body = json!({
        "name": "第三届科创中国·天府科技云服务大会", "year": 2026,
        "collect_until": day(10), "opens_at": day(OPEN_DAY), "closes_at": day(30), "signing_until": day(40),
    });
    let (status, fair) = app.post("/api/v1/fairs", &body, Some(&admin)).await;
    assert_eq!(status, StatusCode::CREATED, "{fair}");
    let opens: DateTime<Utc> = fair["opens_at"].as_str().unwrap().parse().unwrap();
    (
        Fair {
            id: fair["id"].as_i64().unwrap(),
            admin,
        },
        opens,
    )
}

async fn meetings_hold_their_slot_lapse_unanswered_and_only_during_the_fair(app: TestApp) {
    let (fair, opens) = long_edition(&app).await;
    let (_, scientist) = person(&app, "worker", "王教授", "511011").await;
    let listing = offer(&app, &scientist, "5110", "柑橘黄龙病快速检测技术").await;
    let project = entered(&app, &fair, &scientist, "offer", listing).await;
    select(&app, &fair, &[project], true).await;
    let mut visitors = Vec::new();
    for n in 0..5 {
        visitors.push(person(&app, "org", &format!("访客企业{n}"), "511024").await);
    }
    let path = format!("/api/v1/fairs/{}/projects/{project}/meetings", fair.id);
    // A slot on the fair's 8th day at a whole hour.
    let slot = opens.duration_trunc(Duration::hours(1)).unwrap() + Duration::days(7);
    let ask =
        |at: DateTime<Utc>| json!({"slot_at": at.to_rfc3339(), "message": "想当面了解检测费用"});

    // Before the fair: refused.
    let (status, error) = app.post(&path, &ask(slot), Some(&visitors[0].1)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{error}");
    assert!(error["error"]["message"].as_str().unwrap().contains("会期"));
    advance(&app, OPEN_DAY);
    app.app.clock.advance(Duration::hours(1));

    let (status, error) = app
        .post(
            &path,
            &ask(slot + Duration::minutes(15)),
            Some(&visitors[0].1),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error["error"]["fields"]["slot_at"].is_string());
    let (status, _) = app.post(&path, &ask(slot), Some(&scientist)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "not with one's own project");

    // The slot is held: of several asking at once, one gets it.
    let requests: Vec<_> = visitors[..3]
        .iter()
        .map(|(_, token)| {
            let client = app.client.clone();
            let url = format!("{}{path}", app.url);
            let (token, body) = (token.clone(), ask(slot));
            async move {
                let response = client
                    .post(url)
                    .bearer_auth(token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                let status = response.status();
                (status, response.json::<Value>().await.unwrap())
            }
        })
        .collect();
    let handles: Vec<_> = requests.into_iter().map(tokio::spawn).collect();
    let mut results = Vec::new();
    for handle in handles {
        results.push(handle.await.unwrap());
    }
    let won: Vec<&Value> = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .map(|(_, b)| b)
        .collect();
    assert_eq!(won.len(), 1, "{results:?}");
    assert!(results.iter().all(|(s, b)| *s == StatusCode::CREATED
        || (*s == StatusCode::CONFLICT && b["error"]["message"] == "该时段已被预约")));
    let first = won[0]["id"].as_i64().unwrap();
    let first_requester = won[0]["requester_id"].as_i64().unwrap();
    assert_eq!(won[0]["status"], "requested");
    assert_eq!(won[0]["status_label"], "待答复");

    // The owner accepts; the requester is told; answering twice is refused; others may not.
    let answer = |mid: i64| format!("/api/v1/fairs/{}/meetings/{mid}/answer", fair.id);
    let (status, _) = app
        .post(
            &answer(first),
            &json!({"decision": "accept"}),
            Some(&visitors[0].1),
        )
        .await;
    assert!(
        status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
        "{status}"
    );
    let (status, done) = app
        .post(
            &answer(first),
            &json!({"decision": "accept", "reply": "3号馆A12展位见"}),
            Some(&scientist),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["status_label"], "已接受");
    assert_eq!(
        app.count_where(
            "notifications",
            &format!("user_id = {first_requester} AND text LIKE '%已接受%'")
        )
        .await,
        1
    );
    let (status, _) = app
        .post(
            &answer(first),
            &json!({"decision": "decline"}),
            Some(&scientist),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // Another slot, declined with a reply.
    let (status, second) = app
        .post(
            &path,
            &ask(slot + Duration::minutes(30)),
            Some(&visitors[3].1),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    let (status, done) = app
        .post(
            &answer(second["id"].as_i64().unwrap()),
            &json!({"decision": "decline", "reply": "时间冲突"}),
            Some(&scientist),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(done["status"], "declined");

    // Unanswered for three days: it lapses, cannot be accepted, and its slot is free again.
    let later = slot + Duration::hours(1);
    let (status, lapsing) = app.post(&path, &ask(later), Some(&visitors[4].1)).await;
    assert_eq!(status, StatusCode::CREATED, "{lapsing}");
    let lapsing = lapsing["id"].as_i64().unwrap();
    advance(&app, 4);
    let (status, error) = app
        .post(
            &answer(lapsing),
            &json!({"decision": "accept"}),
            Some(&scientist),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        error["error"]["message"].as_str().unwrap().contains("过期"),
        "{error}"
    );
    let (status, again) = app.post(&path, &ask(later), Some(&visitors[3].1)).await;
    assert_eq!(status, StatusCode::CREATED, "{again}");
    let (_, mine) = app
        .get(
            &format!("/api/v1/fairs/{}/meetings?role=requester", fair.id),
            Some(&visitors[4].1),
        )
        .await;
    assert_eq!(mine["items"][0]["status"], "expired", "{mine}");
    assert_eq!(mine["items"][0]["status_label"], "已过期");

    // The sweep lapses the rest and tells the requesters.
    let (status, sweeping) = app
        .post(&path, &ask(slot + Duration::hours(2)), Some(&visitors[4].1))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{sweeping}");
    advance(&app, 4);
    let expired = tianfu::fair::halls::meetings::expire(&app.app)
        .await
        .unwrap();
    assert!(expired >= 1);
    assert_eq!(
        app.count_where(
            "fair_meetings",
            &format!("id = {} AND status = 'expired'", sweeping["id"])
        )
        .await,
        1
    );
    assert!(
        app.count_where(
            "notifications",
            &format!(
                "link = '/me/fair-meetings' AND text LIKE '%已过期%' AND user_id = {}",
                sweeping["requester_id"]
            )
        )
        .await
            >= 1
    );

    // The owner's list and the page.
    let (_, owned) = app
        .get(
            &format!("/api/v1/fairs/{}/meetings?role=owner", fair.id),
            Some(&scientist),
        )
        .await;
    assert_eq!(owned["total"], 5, "{owned}");
    let page = app
        .browser()
        .get(format!("{}/me/fair-meetings", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::SEE_OTHER, "signed-in only");

    // The requester cannot cancel the accepted one once its slot has passed; after the fair
    // nobody requests.
    let (status, done) = app
        .post(
            &format!("/api/v1/fairs/{}/meetings/{first}/cancel", fair.id),
            &json!({}),
            Some(
                &visitors
                    .iter()
                    .find(|(id, _)| *id == first_requester)
                    .unwrap()
                    .1,
            ),
        )
        .await;
    // Its slot has passed by now: it happened (or not) and stays on record for the survey.
    assert_eq!(status, StatusCode::CONFLICT, "{done}");
    assert!(
        done["error"]["message"]
            .as_str()
            .unwrap()
            .contains("已结束"),
        "{done}"
    );
    advance(&app, 3);
    let (_, late) = person(&app, "org", "迟到的访客", "511024").await;
    let (status, _) = app
        .post(&path, &ask(slot + Duration::days(1)), Some(&late))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "the fair is over");
}

async fn meetings_are_requested_and_answered_through_the_pages(app: TestApp) {
    let (fair, opens) = long_edition(&app).await;
    let (_, owner_phone) = app.register("worker", "王教授", "511011").await;
    let owner = app.login(&owner_phone).await;
    let listing = offer(&app, &owner, "5110", "柑橘黄龙病快速检测技术").await;
    let project = entered(&app, &fair, &owner, "offer", listing).await;
    select(&app, &fair, &[project], true).await;
    let (_, visitor_phone) = app.register("org", "威远果业", "511024").await;
    let visitor = signed_in(&app, &visitor_phone).await;
    let page = format!("{}/fairs/{}/projects/{project}", app.url, fair.id);
    let html = visitor
        .get(&page)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !html.contains("meeting-form"),
        "no meetings before the fair"
    );
    advance(&app, OPEN_DAY);
    app.app.clock.advance(Duration::hours(1));
    // Signed in afresh: a page session does not last the weeks the clock just moved.
    let visitor = signed_in(&app, &visitor_phone).await;
    let owner = signed_in(&app, &owner_phone).await;
    let html = visitor
        .get(&page)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("预约1对1洽谈"), "{html}");

    // The form's local Beijing time; a quarter past is refused beside the form.
    let slot = opens.duration_trunc(Duration::hours(1)).unwrap() + Duration::days(2);
    let local = |at: DateTime<Utc>| {
        (at + Duration::hours(8))
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    };
    let response = visitor
        .post(format!("{page}/meetings"))
        .form(&[
            ("slot_at", local(slot + Duration::minutes(15))),
            ("message", "想当面了解".into()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("整点或半点"));
    let response = visitor
        .post(format!("{page}/meetings"))
        .form(&[
            ("slot_at", local(slot)),
            ("message", "想当面了解检测费用".into()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    // The owner answers from their page; the visitor sees it accepted.
    let mine = format!("{}/me/fair-meetings", app.url);
    let html = owner.get(&mine).send().await.unwrap().text().await.unwrap();
    assert!(
        html.contains("待答复") && html.contains("威远果业") && html.contains("想当面了解检测费用"),
        "{html}"
    );
    let mid: i64 = tianfu::on_db!(&app.app.db, pool => sqlx::query_scalar("SELECT id FROM fair_meetings")
        .fetch_one(pool).await.unwrap());
    let response = owner
        .post(format!("{mine}/{mid}/answer"))
        .form(&[("decision", "accept"), ("reply", "3号馆A12展位见")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let html = visitor
        .get(&mine)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("已接受") && html.contains("3号馆A12展位见"),
        "{html}"
    );
    // The visitor may not answer; the owner may not answer twice.
    let response = owner
        .post(format!("{mine}/{mid}/answer"))
        .form(&[("decision", "decline")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CONFLICT);
}

on_both_databases!(
    a_hall_shows_only_selected_projects_and_only_once_published,
    interest_becomes_an_inquiry_the_owner_sees_and_reaches_a_nanny,
    meetings_hold_their_slot_lapse_unanswered_and_only_during_the_fair,
    meetings_are_requested_and_answered_through_the_pages,
);
