//! Safe and visible actions: 撤回/关闭 of a listing and 婉拒/结束洽谈 of an inquiry say what
//! happened, can be undone for ten minutes (once: a concurrent second undo gets 409, and the
//! ledger counts the act and its reversal once), then reopened; unread badges count and clear.

use reqwest::{Client, StatusCode};
use serde_json::json;

use crate::common::TestApp;
use crate::market::{approve, create, offer_body};
use crate::on_both_databases;

async fn get(app: &TestApp, browser: &Client, path: &str) -> (StatusCode, String) {
    let response = browser
        .get(format!("{}{path}", app.url))
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

/// Posts a form; answers the status and the redirect target.
async fn post(
    app: &TestApp,
    browser: &Client,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String) {
    let response = browser
        .post(format!("{}{path}", app.url))
        .form(form)
        .send()
        .await
        .unwrap();
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (response.status(), location)
}

/// The net count of `kind` rows about `subject` in the ledger.
async fn booked(app: &TestApp, kind: &str, subject: i64) -> i64 {
    app.sum_where(
        "ledger_events",
        "weight",
        &format!("kind = '{kind}' AND subject_id = {subject}"),
    )
    .await
}

/// A published offer of a scientist signed in through the login form.
async fn published_offer(app: &TestApp) -> (Client, String, i64) {
    let (_, phone) = app.register("worker", "李研究员", "511011").await;
    let token = app.login(&phone).await;
    let staff = app.staff("5110", "worker").await;
    let id = create(
        app,
        &token,
        "/api/v1/offers",
        &offer_body("柑橘裂果综合防控技术"),
    )
    .await;
    approve(app, &staff, "offer", id).await;
    (app.signed_in(&phone).await, token, id)
}

async fn a_withdrawal_can_be_undone_once_and_the_ledger_counts_once(app: TestApp) {
    let (owner, _, id) = published_offer(&app).await;
    let (status, back) = post(
        &app,
        &owner,
        &format!("/me/listings/{id}/status"),
        &[("status", "withdrawn")],
    )
    .await;
    assert_eq!(
        (status, back.as_str()),
        (StatusCode::SEE_OTHER, "/me/listings?done=withdrawn")
    );
    let (_, html) = get(&app, &owner, &back).await;
    assert!(html.contains("已撤回，可在 10 分钟内撤销"), "{html}");
    assert!(
        html.contains(&format!("action=\"/me/listings/{id}/undo\"")),
        "{html}"
    );
    assert_eq!(
        get(&app, &app.browser(), &format!("/offers/{id}")).await.0,
        StatusCode::NOT_FOUND
    );

    // Two undos at once: one wins, the other is refused.
    let undo = format!("/me/listings/{id}/undo");
    let next = [("next", "/me/listings")];
    let (a, b) = tokio::join!(
        post(&app, &owner, &undo, &next),
        post(&app, &owner, &undo, &next)
    );
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::SEE_OTHER, StatusCode::CONFLICT],
        "{a:?} {b:?}"
    );
    let winner = if a.0 == StatusCode::SEE_OTHER {
        a.1
    } else {
        b.1
    };
    assert_eq!(winner, "/me/listings?done=undone");
    assert!(
        get(&app, &owner, &winner)
            .await
            .1
            .contains("已撤销，恢复为之前的状态")
    );
    assert_eq!(
        get(&app, &app.browser(), &format!("/offers/{id}")).await.0,
        StatusCode::OK
    );
    assert_eq!(
        booked(&app, "listing.withdrawn", id).await,
        0,
        "withdrawn and reversed"
    );
    assert_eq!(
        booked(&app, "listing.published", id).await,
        1,
        "published once"
    );
    assert_eq!(booked(&app, "listing.republished", id).await, 0);

    // Withdrawn again and undone again: each withdrawal reversed once.
    post(
        &app,
        &owner,
        &format!("/me/listings/{id}/status"),
        &[("status", "withdrawn")],
    )
    .await;
    assert_eq!(
        post(&app, &owner, &undo, &next).await.0,
        StatusCode::SEE_OTHER
    );
    assert_eq!(booked(&app, "listing.withdrawn", id).await, 0);
    assert_eq!(
        app.count_where(
            "ledger_events",
            &format!("kind = 'listing.withdrawn' AND subject_id = {id}")
        )
        .await,
        4
    );

    // Past the window there is no undo, only 重新提交审核, back to the queue.
    post(
        &app,
        &owner,
        &format!("/me/listings/{id}/status"),
        &[("status", "withdrawn")],
    )
    .await;
    app.app.clock.advance(chrono::Duration::minutes(11));
    assert_eq!(
        post(&app, &owner, &undo, &next).await.0,
        StatusCode::CONFLICT
    );
    let (_, html) = get(&app, &owner, "/me/listings").await;
    assert!(
        html.contains("重新提交审核") && !html.contains(&format!("id=\"undo-{id}\"")),
        "{html}"
    );
    let (status, back) = post(&app, &owner, &format!("/me/listings/{id}/reopen"), &next).await;
    assert_eq!(
        (status, back.as_str()),
        (StatusCode::SEE_OTHER, "/me/listings?done=resubmitted")
    );
    assert!(get(&app, &owner, &back).await.1.contains("已重新提交审核"));
    assert_eq!(
        booked(&app, "listing.withdrawn", id).await,
        1,
        "this withdrawal stands"
    );
    let staff = app.staff("5110", "worker").await;
    approve(&app, &staff, "offer", id).await;
    assert_eq!(
        booked(&app, "listing.published", id).await,
        1,
        "never twice"
    );
    assert_eq!(booked(&app, "listing.republished", id).await, 1);
}

async fn a_closed_listing_is_undone_or_reopened(app: TestApp) {
    let (owner, _, id) = published_offer(&app).await;
    let detail = format!("/offers/{id}");
    let (_, back) = post(
        &app,
        &owner,
        &format!("/me/listings/{id}/status"),
        &[("status", "closed"), ("next", &detail)],
    )
    .await;
    assert_eq!(back, format!("{detail}?done=closed"));
    let (_, html) = get(&app, &owner, &back).await;
    assert!(
        html.contains("已关闭，可在 10 分钟内撤销") && html.contains("撤销</button>"),
        "{html}"
    );
    let (_, back) = post(
        &app,
        &owner,
        &format!("/me/listings/{id}/undo"),
        &[("next", &detail)],
    )
    .await;
    assert_eq!(back, format!("{detail}?done=undone"));
    assert_eq!(booked(&app, "listing.closed", id).await, 0);
    assert_eq!(get(&app, &app.browser(), &detail).await.0, StatusCode::OK);

    post(
        &app,
        &owner,
        &format!("/me/listings/{id}/status"),
        &[("status", "closed")],
    )
    .await;
    app.app.clock.advance(chrono::Duration::minutes(11));
    assert!(
        get(&app, &owner, "/me/listings")
            .await
            .1
            .contains("重新开放")
    );
    let (status, back) = post(&app, &owner, &format!("/me/listings/{id}/reopen"), &[]).await;
    assert_eq!(
        (status, back.as_str()),
        (StatusCode::SEE_OTHER, "/me/listings?done=reopened")
    );
    assert!(get(&app, &owner, &back).await.1.contains("已重新开放"));
    assert_eq!(booked(&app, "listing.closed", id).await, 1);
    // Reopened once: a second reopen finds it pending.
    assert_eq!(
        post(&app, &owner, &format!("/me/listings/{id}/reopen"), &[])
            .await
            .0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

/// An open inquiry of 王经理 (enterprise) on the scientist's offer; answers both browsers and it.
async fn inquiry(app: &TestApp) -> (Client, Client, i64) {
    let (owner, _, offer) = published_offer(app).await;
    let (_, phone) = app.register("org", "王经理", "511011").await;
    let token = app.login(&phone).await;
    let body = json!({"target_kind": "offer", "target_id": offer, "message": "想请您上门指导"});
    let (status, reply) = app.post("/api/v1/inquiries", &body, Some(&token)).await;
    assert_eq!(status, StatusCode::CREATED, "{reply}");
    (
        owner,
        app.signed_in(&phone).await,
        reply["id"].as_i64().unwrap(),
    )
}

async fn a_declined_inquiry_can_be_taken_back_once(app: TestApp) {
    let (owner, requester, id) = inquiry(&app).await;
    let thread = format!("/me/inquiries/{id}");
    let (status, back) = post(&app, &owner, &thread, &[("action", "declined")]).await;
    assert_eq!(
        (status, back.as_str()),
        (
            StatusCode::SEE_OTHER,
            format!("{thread}?done=declined").as_str()
        )
    );
    let (_, html) = get(&app, &owner, &back).await;
    assert!(
        html.contains("已婉拒，可在 10 分钟内撤销") && html.contains("撤销婉拒"),
        "{html}"
    );
    // The requester is told who declined, and has no undo.
    let (_, theirs) = get(&app, &requester, "/me/notifications").await;
    assert!(
        theirs.contains("李研究员婉拒了“柑橘裂果综合防控技术”的洽谈"),
        "{theirs}"
    );
    assert!(!get(&app, &requester, &thread).await.1.contains("撤销婉拒"));
    assert_eq!(
        post(&app, &requester, &format!("{thread}/undo"), &[])
            .await
            .0,
        StatusCode::CONFLICT
    );

    let undo = format!("{thread}/undo");
    let (a, b) = tokio::join!(
        post(&app, &owner, &undo, &[]),
        post(&app, &owner, &undo, &[])
    );
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::SEE_OTHER, StatusCode::CONFLICT]);
    let (_, html) = get(&app, &owner, &format!("{thread}?done=inquiry-reopened")).await;
    assert!(
        html.contains("已撤销，洽谈恢复进行") && html.contains("洽谈中"),
        "{html}"
    );
    assert_eq!(booked(&app, "inquiry.ended", id).await, 0);

    // Ended again by the requester: booked again under its own key, undone by them only.
    let (_, back) = post(&app, &requester, &thread, &[("action", "closed")]).await;
    assert!(
        get(&app, &requester, &back)
            .await
            .1
            .contains("洽谈已结束，可在 10 分钟内撤销")
    );
    assert_eq!(booked(&app, "inquiry.ended", id).await, 1);
    assert_eq!(post(&app, &owner, &undo, &[]).await.0, StatusCode::CONFLICT);
    app.app.clock.advance(chrono::Duration::minutes(11));
    assert_eq!(
        post(&app, &requester, &undo, &[]).await.0,
        StatusCode::CONFLICT
    );
    assert_eq!(booked(&app, "inquiry.ended", id).await, 1);
}

async fn badges_count_what_is_unread_and_clear_when_read(app: TestApp) {
    let (owner, requester, id) = inquiry(&app).await;
    let (_, home) = get(&app, &owner, "/market").await;
    // Approval and the inquiry: two notifications; one inquiry with a message to read.
    assert!(home.contains("id=\"badge-inquiries\""), "{home}");
    assert!(home.contains("1个洽谈有新消息"), "{home}");
    assert!(home.contains("条未读通知"), "{home}");
    let (_, notes) = get(&app, &owner, "/me/notifications").await;
    assert!(
        notes.contains("王经理就“柑橘裂果综合防控技术”向您发起洽谈"),
        "the actor is named: {notes}"
    );

    // Opening the thread reads it; replying gives the other side one to read.
    get(&app, &owner, &format!("/me/inquiries/{id}")).await;
    assert!(
        !get(&app, &owner, "/market")
            .await
            .1
            .contains("badge-inquiries")
    );
    assert!(
        !get(&app, &requester, "/market")
            .await
            .1
            .contains("badge-inquiries")
    );
    let (_, back) = post(
        &app,
        &owner,
        &format!("/me/inquiries/{id}"),
        &[("action", "reply"), ("body", "下周二可以")],
    )
    .await;
    assert!(get(&app, &owner, &back).await.1.contains("已发送"));
    let (_, theirs) = get(&app, &requester, "/market").await;
    assert!(theirs.contains("1个洽谈有新消息"), "{theirs}");
    assert!(
        get(&app, &requester, "/me/notifications")
            .await
            .1
            .contains("李研究员在“柑橘裂果综合防控技术”的洽谈中发来新消息")
    );

    // 全部标为已读 clears the notification badge and says so.
    let (status, back) = post(&app, &owner, "/me/notifications/read", &[]).await;
    assert_eq!(
        (status, back.as_str()),
        (StatusCode::SEE_OTHER, "/me/notifications?done=read")
    );
    let (_, page) = get(&app, &owner, &back).await;
    assert!(
        page.contains("已全部标为已读") && !page.contains("badge-notifications"),
        "{page}"
    );
    // Anonymous pages have no badges.
    assert!(!app.html("/market").await.contains("count-badge"));
}

on_both_databases!(
    a_withdrawal_can_be_undone_once_and_the_ledger_counts_once,
    a_closed_listing_is_undone_or_reopened,
    a_declined_inquiry_can_be_taken_back_once,
    badges_count_what_is_unread_and_clear_when_read,
);
