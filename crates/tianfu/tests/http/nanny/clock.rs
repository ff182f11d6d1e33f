//! The SLA clock with a moved clock: overdue steps, escalation above the nanny, and when it ends.

use super::*;
use crate::on_both_databases;

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

on_both_databases!(
    the_clock_marks_overdue_steps_and_escalates_to_the_city,
    a_later_lapse_escalates_again,
    escalation_goes_above_the_nanny_not_back_to_them,
    a_ticket_closed_by_hand_is_no_longer_escalated,
);
