//! The ledger of record over HTTP: duplicate acts book once, figures trace to their rows, a
//! terminated signed deal is taken back, the rollups verify, two nodes share the jobs, and each
//! department works its own things.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::deals::{Market, market, transition};
use crate::market::{approve, create, offer_body, scientist};
use crate::on_both_databases;

/// Runs the requests as tokio tasks, so that they really are in flight at the same time.
async fn join_all<F>(futures: Vec<F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(handles.len());
    for handle in handles {
        out.push(handle.await.expect("task"));
    }
    out
}

async fn ledger_count(app: &TestApp, kind: &str) -> i64 {
    app.settle().await;
    tianfu::on_db!(&app.app.db, pool => {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM ledger_events WHERE kind = $1 AND weight <> 0")
            .bind(kind).fetch_one(pool).await.expect("count")
    })
}

/// Sends the same POST `n` times at once with each token in turn; the statuses, sorted.
async fn burst(app: &TestApp, path: &str, body: Value, tokens: &[&str], n: usize) -> Vec<u16> {
    let requests: Vec<_> = (0..n)
        .map(|i| {
            let request = app
                .client
                .post(format!("{}{path}", app.url))
                .bearer_auth(tokens[i % tokens.len()])
                .json(&body);
            async move { request.send().await.expect("request").status().as_u16() }
        })
        .collect();
    let mut statuses = join_all(requests).await;
    statuses.sort();
    statuses
}

/// The market's need and capability dealt for `amount_fen`, the buyer (B) and seller (S) moving it
/// through `stages`.
async fn deal(app: &TestApp, m: &Market, amount_fen: i64, stages: &[(&str, char)]) -> i64 {
    let body = json!({"need_id": m.need, "offer_id": m.offer, "contract_type": "service", "amount_fen": amount_fen});
    let (status, deal) = app.post("/api/v1/deals", &body, Some(&m.enterprise)).await;
    assert_eq!(status, StatusCode::CREATED, "{deal}");
    let id = deal["id"].as_i64().unwrap();
    for (to, who) in stages {
        let token = if *who == 'B' {
            &m.enterprise
        } else {
            &m.scientist
        };
        let (status, reply) = transition(app, id, to, token).await;
        assert_eq!(status, StatusCode::OK, "{to}: {reply}");
    }
    id
}

const SIGNED: &[(&str, char)] = &[("negotiating", 'B'), ("signed", 'B'), ("signed", 'S')];

fn one_success(statuses: &[u16]) -> bool {
    statuses.iter().filter(|s| **s == 200).count() == 1
        && statuses.iter().filter(|s| **s != 200).all(|s| *s == 409)
}

async fn concurrent_duplicates_of_an_act_book_it_once(app: TestApp) {
    // Two staff approve one pending capability eight times at once.
    let (_, owner) = scientist(&app).await;
    let a = app.staff("5110", "worker").await;
    let b = app.staff("511011", "worker").await;
    let offer = create(&app, &owner, "/api/v1/offers", &offer_body("蛋鸡技术服务")).await;
    let statuses = burst(
        &app,
        &format!("/api/v1/admin/reviews/offer/{offer}"),
        json!({"decision": "approve"}),
        &[&a, &b],
        8,
    )
    .await;
    assert!(one_success(&statuses), "{statuses:?}");
    assert_eq!(ledger_count(&app, "listing.published").await, 1);

    // Both parties sign, complete… each burst of eight from both sides moves the deal once.
    let m = market(&app).await;
    let body = json!({"need_id": m.need, "offer_id": m.offer, "contract_type": "service", "amount_fen": 1_000_000});
    let (status, deal) = app.post("/api/v1/deals", &body, Some(&m.enterprise)).await;
    assert_eq!(status, StatusCode::CREATED, "{deal}");
    let id = deal["id"].as_i64().unwrap();
    let path = format!("/api/v1/deals/{id}/transition");
    assert!(one_success(
        &burst(
            &app,
            &path,
            json!({"to": "negotiating"}),
            &[&m.enterprise, &m.scientist],
            8
        )
        .await
    ));
    assert!(
        one_success(&burst(&app, &path, json!({"to": "signed"}), &[&m.enterprise], 8).await),
        "one signature each"
    );
    assert!(one_success(
        &burst(&app, &path, json!({"to": "signed"}), &[&m.scientist], 8).await
    ));
    assert!(one_success(
        &burst(
            &app,
            &path,
            json!({"to": "performing"}),
            &[&m.enterprise, &m.scientist],
            8
        )
        .await
    ));
    let statuses = burst(
        &app,
        &path,
        json!({"to": "completed"}),
        &[&m.enterprise, &m.scientist],
        8,
    )
    .await;
    assert!(one_success(&statuses), "{statuses:?}");
    assert_eq!(ledger_count(&app, "deal.signed").await, 1);
    assert_eq!(ledger_count(&app, "deal.completed").await, 1);
    let booked: i64 = tianfu::on_db!(&app.app.db, pool => {
        sqlx::query_scalar("SELECT CAST(SUM(amount_fen) AS BIGINT) FROM ledger_events WHERE kind = 'deal.completed'")
            .fetch_one(pool).await.expect("sum")
    });
    assert_eq!(booked, 1_000_000, "¥10,000 booked once");

    // Eight "发起洽谈" at once from one enterprise on one capability: one conversation.
    let body = json!({"target_kind": "offer", "target_id": m.offer, "message": "想请您上门指导"});
    let statuses = burst(&app, "/api/v1/inquiries", body, &[&m.enterprise], 8).await;
    assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");
    assert_eq!(app.count("inquiries").await, 1);
    assert_eq!(ledger_count(&app, "inquiry.opened").await, 1);

    // The need's ticket, closed by the signing; a scientist's ticket closed by hand eight times.
    let (_, phone) = app.register("worker", "张研究员", "511011").await;
    let nanny = app.staff("511011", "worker").await;
    let (_, tickets) = app
        .get("/api/v1/tickets?kind=person&per_page=100", Some(&nanny))
        .await;
    let ticket = tickets["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["subject"].as_str().unwrap().contains("张研究员"))
        .expect("ticket")["id"]
        .as_i64()
        .unwrap();
    let statuses = burst(
        &app,
        &format!("/api/v1/tickets/{ticket}/close"),
        json!({"reason": "已完成服务"}),
        &[&nanny],
        8,
    )
    .await;
    assert!(one_success(&statuses), "{statuses:?}");
    assert_eq!(
        ledger_count(&app, "ticket.closed").await,
        3,
        "the need's and the seller's (by the deal), and this one"
    );
    let _ = phone;
}

async fn every_figure_leads_to_its_rows(app: TestApp) {
    let m = market(&app).await;
    let id = deal(&app, &m, 2_500_000, SIGNED).await;
    let staff = app.staff("5110", "worker").await;

    // The province's headline figures are public; the city's are its staff's.
    let (status, province) = app.get("/api/v1/stats/regions/51", None).await;
    assert_eq!(status, StatusCode::OK, "{province}");
    assert_eq!(province["metrics"]["deals_signed"], 1.0, "{province}");
    assert_eq!(province["metrics"]["deals_amount_fen"], 2_500_000.0);
    assert_eq!(province["metrics"]["offers_published"], 1.0);
    assert_eq!(province["metrics"]["needs_published"], 1.0);
    assert!(province["metrics"]["workers_registered"].as_f64().unwrap() >= 1.0);
    assert_eq!(
        app.get("/api/v1/stats/regions/5110", None).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, city) = app.get("/api/v1/stats/regions/5110", Some(&staff)).await;
    assert_eq!(status, StatusCode::OK, "{city}");
    assert_eq!(city["metrics"]["deals_signed"], 1.0);
    let elsewhere = app.staff("5116", "worker").await;
    assert_eq!(
        app.get("/api/v1/stats/regions/5110", Some(&elsewhere))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/api/v1/stats/regions/5116", Some(&elsewhere))
            .await
            .1["metrics"]["deals_signed"],
        0.0
    );

    // Children ranked by a metric: the deal's county first.
    let (status, children) = app
        .get(
            "/api/v1/stats/regions/5110/children?metric=deals_signed",
            Some(&staff),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{children}");
    assert_eq!(children["items"][0]["region_code"], "511024", "{children}");
    assert_eq!(children["items"][0]["metrics"]["deals_signed"], 1.0);
    let (status, bad) = app
        .get(
            "/api/v1/stats/regions/5110/children?metric=nonsense",
            Some(&staff),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad["error"]["fields"]["metric"]
            .as_str()
            .unwrap()
            .contains("指标不存在")
    );

    // For a count, the rows listed are as many as the figure.
    for metric in [
        "deals_signed",
        "workers_registered",
        "offers_published",
        "inquiries",
        "tickets_opened",
    ] {
        let (_, figure) = app.get("/api/v1/stats/regions/5110", Some(&staff)).await;
        let (status, rows) = app
            .get(
                &format!("/api/v1/stats/regions/5110/events?metric={metric}&per_page=100"),
                Some(&staff),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{rows}");
        assert_eq!(
            rows["total"].as_f64(),
            figure["metrics"][metric].as_f64(),
            "{metric}: {rows}"
        );
        assert_eq!(rows["figure"], figure["metrics"][metric], "{metric}");
    }
    let (_, rows) = app
        .get(
            "/api/v1/stats/regions/5110/events?metric=deals_signed",
            Some(&staff),
        )
        .await;
    assert_eq!(rows["items"][0]["subject_id"], id);
    assert_eq!(rows["items"][0]["amount_fen"], 2_500_000);
    assert_eq!(
        app.get("/api/v1/stats/regions/5110/events", Some(&staff))
            .await
            .0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a metric is required"
    );
    let (status, bad) = app
        .get("/api/v1/stats/regions/51?from=+262143-12-31", None)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");

    // The page: every figure a link to its rows.
    let phone = app.staff_member("5110", "worker", "内江统计员").await;
    let cookie = crate::market_pages::signed_in(&app, &phone).await;
    let page = cookie
        .get(format!("{}/admin/stats", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("工作统计") && page.contains("内江市"),
        "{page}"
    );
    assert!(
        page.contains("href=\"/admin\""),
        "a way back to the console"
    );
    let console = cookie
        .get(format!("{}/admin/users", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        console.contains("href=\"/admin/stats\""),
        "the console links the figures"
    );
    assert!(
        page.contains("/admin/stats/events?region_code=5110&#38;metric=deals_signed"),
        "{page}"
    );
    let rows = cookie
        .get(format!(
            "{}/admin/stats/events?region_code=5110&metric=deals_signed",
            app.url
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        rows.contains("签约") && rows.contains("25000.00元"),
        "{rows}"
    );
}

async fn a_signed_deal_terminated_is_taken_back_in_the_figures(app: TestApp) {
    let m = market(&app).await;
    let staff = app.staff("5110", "org").await;
    let stages = [SIGNED, &[("terminated", 'S')]].concat();
    deal(&app, &m, 1_000_000, &stages).await;
    let (_, city) = app.get("/api/v1/stats/regions/5110", Some(&staff)).await;
    assert_eq!(city["metrics"]["deals_signed"], 0.0, "{city}");
    assert_eq!(city["metrics"]["deals_amount_fen"], 0.0);
    let (_, rows) = app
        .get(
            "/api/v1/stats/regions/5110/events?metric=deals_signed",
            Some(&staff),
        )
        .await;
    let weights: Vec<i64> = rows["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["weight"].as_i64().unwrap())
        .collect();
    assert_eq!(weights, [1, -1], "the signing and its reversal: {rows}");
    assert_eq!(rows["items"][1]["amount_fen"], -1_000_000);
    assert_eq!(rows["figure"], 0.0);
}

async fn the_rollups_verify_and_rebuild(app: TestApp) {
    // A scripted day: registrations, listings, an inquiry, a deal signed and completed.
    let m = market(&app).await;
    let body = json!({"target_kind": "offer", "target_id": m.offer, "message": "想请您上门指导"});
    assert_eq!(
        app.post("/api/v1/inquiries", &body, Some(&m.enterprise))
            .await
            .0,
        StatusCode::CREATED
    );
    let stages = [SIGNED, &[("performing", 'S'), ("completed", 'B')]].concat();
    deal(&app, &m, 700_000, &stages).await;
    app.settle().await;
    let clean = tianfu::ledger::rollup::verify(&app.app).await.unwrap();
    assert!(clean.events > 10, "{clean:?}");
    assert!(clean.differences.is_empty(), "{:?}", clean.differences);

    // A rollup row that disagrees with the events is found…
    tianfu::on_db!(&app.app.db, pool => sqlx::query("UPDATE ledger_daily SET events = events + 1 WHERE region_code = '51' AND kind = 'deal.signed'").execute(pool).await.map(|_| ()).unwrap());
    let broken = tianfu::ledger::rollup::verify(&app.app).await.unwrap();
    assert_eq!(broken.differences.len(), 1, "{:?}", broken.differences);
    assert!(broken.differences[0].contains("deal.signed"));
    // …and a rebuild puts it right.
    tianfu::ledger::rollup::reset(&app.app.db).await.unwrap();
    app.settle().await;
    assert!(
        tianfu::ledger::rollup::verify(&app.app)
            .await
            .unwrap()
            .differences
            .is_empty()
    );
    let (_, province) = app.get("/api/v1/stats/regions/51", None).await;
    assert_eq!(province["metrics"]["deals_signed"], 1.0);
    assert_eq!(province["metrics"]["deals_amount_fen"], 700_000.0);
}

async fn two_nodes_on_one_database_run_each_job_once(app: TestApp) {
    let second = tianfu::App::start_with(app.app.config.clone(), tianfu::IndexPlace::Memory)
        .await
        .expect("second node");
    assert_ne!(app.app.node, second.node);
    // A county ticket whose steps lapsed long ago, with a city above it to escalate to.
    let (_, phone) = app.register("worker", "陈研究员", "511011").await;
    let _ = phone;
    let _county = app.staff("511011", "worker").await;
    let city = app.staff("5110", "worker").await;
    app.settle().await;
    app.app.clock.advance(chrono::Duration::days(60));
    second.clock.advance(chrono::Duration::days(60));
    let (a, b) = tokio::join!(
        tianfu::nanny::clock::tick_if_leader(&app.app),
        tianfu::nanny::clock::tick_if_leader(&second)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(
        a.is_some() != b.is_some(),
        "exactly one node ran the clock: {a:?} {b:?}"
    );
    let escalated = a.or(b).unwrap().escalated;
    assert_eq!(escalated, 1);
    // (Sixty days on, every session has expired: the notifications are read from the database.)
    let told: i64 = tianfu::on_db!(&app.app.db, pool => {
        sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE text LIKE '%已升级至您处督办%'").fetch_one(pool).await.unwrap()
    });
    assert_eq!(told, 1, "the city's nanny is told once");
    let _ = city;

    // Both nodes follow the ledger at once: every event is rolled up once.
    let followers = tianfu::FOLLOWERS;
    let (x, y) = tokio::join!(
        tianfu::ledger::follow::catch_up_all(&app.app, followers),
        tianfu::ledger::follow::catch_up_all(&second, followers)
    );
    x.unwrap();
    y.unwrap();
    let check = tianfu::ledger::rollup::verify(&app.app).await.unwrap();
    assert!(check.differences.is_empty(), "{:?}", check.differences);
    second.db.close().await;
}

async fn a_refused_change_changes_nothing(app: TestApp) {
    let (_, owner) = scientist(&app).await;
    let staff = app.staff("5110", "worker").await;
    let offer = create(&app, &owner, "/api/v1/offers", &offer_body("蛋鸡技术服务")).await;
    approve(&app, &staff, "offer", offer).await;
    let response = app
        .client
        .patch(format!("{}/api/v1/offers/{offer}", app.url))
        .bearer_auth(&owner)
        .json(&json!({"title": "改过的标题", "status": "published"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    assert!(body["error"]["fields"]["status"].is_string(), "{body}");
    let (_, after) = app.get(&format!("/api/v1/offers/{offer}"), None).await;
    assert_eq!(after["title"], "蛋鸡技术服务", "the edit was not saved");
    assert_eq!(after["status"], "published", "nor sent back to review");
}

async fn each_department_works_its_own_things(app: TestApp) {
    let (_, owner) = scientist(&app).await;
    let kepu = app.staff("5110", "kepu").await;
    let org = app.staff("5110", "org").await;
    let offer = create(&app, &owner, "/api/v1/offers", &offer_body("蛋鸡技术服务")).await;
    for token in [&kepu, &org] {
        let (status, reply) = app
            .post(
                &format!("/api/v1/admin/reviews/offer/{offer}"),
                &json!({"decision": "approve"}),
                Some(token),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{reply}");
        assert!(reply["error"]["message"].as_str().unwrap().contains("部门"));
    }
    assert_eq!(ledger_count(&app, "listing.published").await, 0);
    // The scientist's 一人一策 is the scientists' department's: others may not open or act on it.
    let worker = app.staff("5110", "worker").await;
    let (_, tickets) = app.get("/api/v1/tickets?kind=person", Some(&worker)).await;
    let ticket = tickets["items"][0]["id"].as_i64().expect("a person ticket");
    assert_eq!(
        app.get(&format!("/api/v1/tickets/{ticket}"), Some(&kepu))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (status, _) = app
        .post(
            &format!("/api/v1/tickets/{ticket}/close"),
            &json!({"reason": "测试"}),
            Some(&org),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get(&format!("/api/v1/tickets/{ticket}"), Some(&worker))
            .await
            .1["status"],
        "open"
    );
    // Nor list it; and their review queues hold only their department's kinds.
    let (_, theirs) = app.get("/api/v1/tickets", Some(&kepu)).await;
    assert_eq!(theirs["total"], 0, "{theirs}");
    let (_, queue) = app.get("/api/v1/admin/reviews", Some(&kepu)).await;
    assert_eq!(queue["total"], 0, "{queue}");
    let (_, queue) = app.get("/api/v1/admin/reviews", Some(&org)).await;
    assert_eq!(
        queue["total"], 0,
        "a capability is not the organisations' department's: {queue}"
    );
    let (_, queue) = app.get("/api/v1/admin/reviews", Some(&worker)).await;
    assert_eq!(queue["total"], 1, "{queue}");
}

async fn distinct_people_are_counted_exactly(app: TestApp) {
    // Four services to three people (科普 writes these events; booked here directly).
    let county = tianfu_domain::RegionCode::parse("511011").unwrap();
    let now = app.app.clock.now();
    let mut tx = app.app.db.begin().await.unwrap();
    for (resource, person) in [(1, 7), (2, 7), (3, 8), (4, 9)] {
        let event = tianfu::ledger::Event::new(
            tianfu::ledger::EventKind::KepuServed,
            &county,
            "resource",
            resource,
        )
        .actor(person);
        tx.record(now, &event).await.unwrap();
    }
    tx.commit().await.unwrap();
    let staff = app.staff("5110", "kepu").await;
    let today = (now + chrono::Duration::hours(8)).date_naive();
    let first_of_month = today.format("%Y-%m-01").to_string();
    // This year (whole-period counts), this month, and a period of one day (daily rows).
    for query in [
        "".to_owned(),
        format!("?from={first_of_month}"),
        format!("?from={today}&to={today}"),
    ] {
        let (_, city) = app
            .get(&format!("/api/v1/stats/regions/5110{query}"), Some(&staff))
            .await;
        assert_eq!(city["metrics"]["kepu_services"], 4, "{query}: {city}");
        assert_eq!(city["metrics"]["kepu_people_served"], 3, "{query}: {city}");
    }
    // Ranked among its siblings (their distinct counts read in one grouped query).
    let (_, children) = app
        .get(
            "/api/v1/stats/regions/5110/children?metric=kepu_people_served",
            Some(&staff),
        )
        .await;
    assert_eq!(children["items"][0]["region_code"], "511011", "{children}");
    assert_eq!(children["items"][0]["metrics"]["kepu_people_served"], 3);
    assert_eq!(children["items"][1]["metrics"]["kepu_people_served"], 0);
    let check = tianfu::ledger::rollup::verify(&app.app).await.unwrap();
    assert!(check.differences.is_empty(), "{:?}", check.differences);
}

on_both_databases!(
    distinct_people_are_counted_exactly,
    concurrent_duplicates_of_an_act_book_it_once,
    every_figure_leads_to_its_rows,
    a_signed_deal_terminated_is_taken_back_in_the_figures,
    the_rollups_verify_and_rebuild,
    two_nodes_on_one_database_run_each_job_once,
    a_refused_change_changes_nothing,
    each_department_works_its_own_things,
);
