//! Deals that follow the conversation: either side proposes from the inquiry with the listing's
//! terms to start from; the deal names the need it answers so that signing closes that need's
//! ticket; notices say who did what, once; an ending before the signing can be taken back.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::deals::{Market, market, transition};
use crate::on_both_databases;

/// The enterprise asks about the scientist's capability: the inquiry's id.
async fn inquiry_on_offer(app: &TestApp, m: &Market) -> i64 {
    let body = json!({"target_kind": "offer", "target_id": m.offer, "message": "想请您来鸡场看看"});
    let (status, inquiry) = app
        .post("/api/v1/inquiries", &body, Some(&m.enterprise))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{inquiry}");
    inquiry["id"].as_i64().unwrap()
}

pub async fn phone_of(app: &TestApp, token: &str) -> String {
    let (_, me) = app.get("/api/v1/me", Some(token)).await;
    me["phone"].as_str().unwrap().to_owned()
}

/// A multipart body as a browser sends it (the form has a file field).
pub fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "----tianfu-test-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((name, bytes)) = file {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"contract\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The scientist proposes from the inquiry on their own capability: the form starts from the
/// capability's kind and price and offers the enterprise's published need; the deal names it,
/// so signing closes the need's ticket though the conversation was about the capability. The
/// deal's page links the thread, both listings and the enterprise's ticket.
async fn a_deal_from_the_scientists_listing_closes_the_needs_ticket(app: TestApp) {
    let m = market(&app).await;
    let id = inquiry_on_offer(&app, &m).await;
    app.settle().await;
    let scientist = app.signed_in(&phone_of(&app, &m.scientist).await).await;
    let thread = format!("{}/me/inquiries/{id}", app.url);
    let page = app
        .page_as(&scientist, &format!("/me/inquiries/{id}"))
        .await;
    assert!(
        page.contains(r#"<option value="service" selected>"#),
        "the capability's kind: {page}"
    );
    assert!(
        page.contains(r#"name="amount_yuan" inputmode="decimal" required placeholder="如 80000" value="50000""#),
        "the capability's price"
    );
    assert!(
        page.contains(&format!(r#"<option value="{}""#, m.need)),
        "the enterprise's need is offered"
    );

    let (content_type, body) = multipart(
        &[
            ("contract_type", "service"),
            ("amount_yuan", "48000"),
            ("need_id", &m.need.to_string()),
            ("scope", "上门诊断鸡群，制定饲喂方案"),
            ("starts_on", "2030-01-01"),
            ("ends_on", "2030-06-30"),
        ],
        Some(("技术服务合同.pdf", b"%PDF-1.4 contract")),
    );
    let proposed = scientist
        .post(format!("{thread}/deal"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(proposed.status(), StatusCode::SEE_OTHER);
    let location = proposed.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.ends_with("?done=proposed"), "{location}");
    let (_, deals) = app.get("/api/v1/deals", Some(&m.enterprise)).await;
    let deal = &deals["items"][0];
    let deal_id = deal["id"].as_i64().unwrap();
    assert_eq!(deal["need_id"], m.need, "{deal}");
    assert_eq!(deal["offer_id"], m.offer);
    assert_eq!(deal["amount_fen"], 4_800_000);
    assert_eq!(deal["scope"], "上门诊断鸡群，制定饲喂方案");
    assert_eq!(deal["starts_on"], "2030-01-01");
    assert_eq!(deal["ends_on"], "2030-06-30");
    assert_eq!(
        app.count_where("deal_contracts", &format!("deal_id = {deal_id}"))
            .await,
        1
    );

    for (to, who) in [
        ("negotiating", &m.enterprise),
        ("signed", &m.enterprise),
        ("signed", &m.scientist),
    ] {
        let (status, reply) = transition(&app, deal_id, to, who).await;
        assert_eq!(status, StatusCode::OK, "{to}: {reply}");
    }
    app.settle().await;
    assert_eq!(
        app.count_where(
            "tickets",
            &format!("kind = 'need' AND subject_id = {} AND status = 'closed' AND outcome = 'deal' AND deal_id = {deal_id}", m.need)
        )
        .await,
        1,
        "the need's 一单一策 is closed by the deal"
    );

    let enterprise = app.signed_in(&phone_of(&app, &m.enterprise).await).await;
    let page = app
        .page_as(&enterprise, &format!("/me/deals/{deal_id}"))
        .await;
    assert!(
        page.contains(r#"<li class="current" aria-current="step">签约</li>"#),
        "{page}"
    );
    assert!(page.contains(&format!(r#"href="/me/inquiries/{id}""#)));
    assert!(page.contains(&format!(r#"href="/needs/{}""#, m.need)));
    assert!(page.contains(&format!(r#"href="/offers/{}""#, m.offer)));
    assert!(
        page.contains("一单一策") && page.contains("已办结"),
        "{page}"
    );
    assert!(page.contains(r#"id="contract-link""#));
    // The thread links the deal back.
    let thread_page = app
        .page_as(&enterprise, &format!("/me/inquiries/{id}"))
        .await;
    assert!(thread_page.contains(&format!(r#"href="/me/deals/{deal_id}""#)));
    // The need's page shows its owner the deal.
    let need_page = app
        .page_as(&enterprise, &format!("/needs/{}", m.need))
        .await;
    assert!(
        need_page.contains(&format!(r#"href="/me/deals/{deal_id}""#)),
        "{need_page}"
    );
    // Someone else's deal page is not theirs to read.
    let (_, other) = app.register("org", "旁人公司", "511024").await;
    let other = app.signed_in(&other).await;
    let response = other
        .get(format!("{}/me/deals/{deal_id}", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

/// A need that is not the other side's own cannot be named; bad dates and files name their
/// field; nothing is created by a refused proposal, and what was typed comes back.
async fn a_refused_proposal_names_the_field_and_keeps_what_was_typed(app: TestApp) {
    let m = market(&app).await;
    let id = inquiry_on_offer(&app, &m).await;
    let scientist = app.signed_in(&phone_of(&app, &m.scientist).await).await;
    let thread = format!("{}/me/inquiries/{id}/deal", app.url);
    let (_, stranger) = app.register("org", "别家公司", "511024").await;
    let stranger = app.login(&stranger).await;
    let theirs = crate::market::create(
        &app,
        &stranger,
        "/api/v1/needs",
        &crate::market::need_body("别家的需求"),
    )
    .await;
    let staff = app.staff("5110", "org").await;
    crate::market::approve(&app, &staff, "need", theirs).await;
    type Case<'a> = (Vec<(&'a str, String)>, Option<(&'a str, &'a [u8])>, &'a str);
    let cases: [Case; 3] = [
        (
            vec![("need_id", theirs.to_string())],
            None,
            "所选需求不是本次洽谈对方发布的需求",
        ),
        (
            vec![
                ("starts_on", "2030-06-30".into()),
                ("ends_on", "2030-01-01".into()),
            ],
            None,
            "结束日期不能早于开始日期",
        ),
        (
            vec![],
            Some(("合同.exe", b"MZ\x90\x00")),
            "合同文件请上传 PDF",
        ),
    ];
    for (extra, file, message) in cases {
        let mut fields: Vec<(&str, &str)> = vec![
            ("contract_type", "consulting"),
            ("amount_yuan", "12345"),
            ("scope", "写下的合作内容"),
        ];
        fields.extend(extra.iter().map(|(k, v)| (*k, v.as_str())));
        let (content_type, body) = multipart(&fields, file);
        let refused = scientist
            .post(&thread)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = refused.text().await.unwrap();
        assert!(page.contains(message), "{message}: {page}");
        assert!(page.contains(r#"value="12345""#), "the amount is kept");
        assert!(page.contains("写下的合作内容"), "the scope is kept");
        assert!(page.contains(r#"value="consulting" selected"#));
    }
    assert_eq!(app.count("deals").await, 0);
    assert_eq!(app.count("deal_contracts").await, 0);
}

/// Each move tells the other side once, naming who made it.
async fn notices_name_who_and_arrive_once(app: TestApp) {
    let m = market(&app).await;
    let id = inquiry_on_offer(&app, &m).await;
    let (status, deal) = app
        .post(
            "/api/v1/deals",
            &json!({"need_id": m.need, "offer_id": m.offer, "inquiry_id": id, "contract_type": "service", "amount_fen": 100}),
            Some(&m.enterprise),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{deal}");
    let deal_id = deal["id"].as_i64().unwrap();
    for (to, who) in [
        ("negotiating", &m.scientist),
        ("signed", &m.enterprise),
        ("signed", &m.scientist),
    ] {
        transition(&app, deal_id, to, who).await;
    }
    app.settle().await;
    let about_deal = |notes: &Value| -> Vec<String> {
        notes["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["link"] == format!("/me/deals/{deal_id}"))
            .map(|n| n["text"].as_str().unwrap().to_owned())
            .collect()
    };
    let (_, scientist_notes) = app.get("/api/v1/notifications", Some(&m.scientist)).await;
    assert!(
        scientist_notes["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["text"].as_str().unwrap().contains("已通过审核（审核人：")),
        "the approval names its reviewer: {scientist_notes}"
    );
    let told = about_deal(&scientist_notes);
    assert_eq!(
        told.len(),
        2,
        "the proposal and the enterprise's signature: {told:?}"
    );
    assert!(
        told.iter()
            .any(|t| t.contains("内江食品") && t.contains("交易意向"))
    );
    assert!(told.iter().any(|t| t.contains("内江食品已确认签约")));
    let (_, enterprise_notes) = app.get("/api/v1/notifications", Some(&m.enterprise)).await;
    let told = about_deal(&enterprise_notes);
    assert_eq!(told.len(), 2, "the move to 洽谈 and the signing: {told:?}");
    assert!(told.iter().any(|t| t.contains("李研究员将交易")));
    assert!(told.iter().any(|t| t.contains("已签约")));
}

/// An ending before the signing is taken back only by whoever ended it, within ten minutes and
/// once per ending; the ledger's terminations net to what is true after each step.
async fn an_ending_before_signing_can_be_taken_back(app: TestApp) {
    let m = market(&app).await;
    let (_, deal) = app
        .post(
            "/api/v1/deals",
            &json!({"need_id": m.need, "offer_id": m.offer, "contract_type": "service", "amount_fen": 100}),
            Some(&m.enterprise),
        )
        .await;
    let deal_id = deal["id"].as_i64().unwrap();
    transition(&app, deal_id, "negotiating", &m.scientist).await;
    let (status, _) = transition(&app, deal_id, "terminated", &m.enterprise).await;
    assert_eq!(status, StatusCode::OK);
    let terminations = || async {
        app.sum_where(
            "ledger_events",
            "weight",
            &format!("kind = 'deal.terminated' AND subject_id = {deal_id}"),
        )
        .await
    };
    assert_eq!(terminations().await, 1);

    let undo = |who: &str| {
        let who = who.to_owned();
        let app = &app;
        async move {
            app.post(
                &format!("/api/v1/deals/{deal_id}/undo-termination"),
                &json!({}),
                Some(&who),
            )
            .await
        }
    };
    let (status, reply) = undo(&m.scientist).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "not theirs to take back: {reply}"
    );
    let (first, second) = tokio::join!(undo(&m.enterprise), undo(&m.enterprise));
    let statuses = [first.0, second.0];
    assert!(
        statuses.contains(&StatusCode::OK) && statuses.contains(&StatusCode::CONFLICT),
        "exactly one taking-back wins: {statuses:?}"
    );
    let (_, now) = app
        .get(&format!("/api/v1/deals/{deal_id}"), Some(&m.enterprise))
        .await;
    assert_eq!(now["stage"], "negotiating");
    assert_eq!(terminations().await, 0);

    // Ended again: booked again; too late to take back after ten minutes.
    transition(&app, deal_id, "terminated", &m.enterprise).await;
    assert_eq!(terminations().await, 1);
    app.app.clock.advance(chrono::Duration::minutes(11));
    let (status, _) = undo(&m.enterprise).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(terminations().await, 1);
}

/// The studio counts signed deals, not only completed ones.
async fn a_studio_counts_its_signed_deals(app: TestApp) {
    let m = market(&app).await;
    let (status, studio) = app
        .post(
            "/api/v1/studios",
            &json!({"name": "蛋鸡工作室", "intro": "蛋鸡养殖技术", "fields": ["蛋鸡"]}),
            Some(&m.scientist),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{studio}");
    let studio_id = studio["id"].as_i64().unwrap();
    let (_, deal) = app
        .post(
            "/api/v1/deals",
            &json!({"need_id": m.need, "offer_id": m.offer, "contract_type": "service", "amount_fen": 100}),
            Some(&m.enterprise),
        )
        .await;
    let deal_id = deal["id"].as_i64().unwrap();
    for (to, who) in [
        ("negotiating", &m.scientist),
        ("signed", &m.enterprise),
        ("signed", &m.scientist),
    ] {
        transition(&app, deal_id, to, who).await;
    }
    let (_, view) = app
        .get(&format!("/api/v1/studios/{studio_id}"), Some(&m.scientist))
        .await;
    assert_eq!(view["signed_deals"], 1, "{view}");
    assert_eq!(view["completed_deals"], 0);
}

on_both_databases!(
    a_deal_from_the_scientists_listing_closes_the_needs_ticket,
    a_refused_proposal_names_the_field_and_keeps_what_was_typed,
    notices_name_who_and_arrive_once,
    an_ending_before_signing_can_be_taken_back,
    a_studio_counts_its_signed_deals,
);
