//! The workbench's counts and the ticket list: scoped to the region subtree and department,
//! found by name and phone, and 下一单 in due order.

use chrono::Duration;
use reqwest::StatusCode;

use super::{clerk, count, move_first_step, page, person_ticket, today, total};
use crate::common::TestApp;
use crate::market::{create, offer_body};
use crate::on_both_databases;

async fn counts_are_right_and_scoped(app: TestApp) {
    let (_, token, web) = clerk(&app, "511623", "worker", "邻水保姆").await;
    let (late, _) = person_ticket(&app, &token, "逾期研究员", "511623").await;
    app.app.clock.advance(Duration::days(4));
    tianfu::nanny::clock::tick(&app.app).await.unwrap();
    let (due, _) = person_ticket(&app, &token, "今日研究员", "511623").await;
    move_first_step(&app, &token, due, &today(&app, 0)).await;
    // Elsewhere: another city's scientist, and a capability waiting for review here.
    let (_, chengdu_token, chengdu) = clerk(&app, "510104", "worker", "锦江保姆").await;
    person_ticket(&app, &chengdu_token, "锦江研究员", "510104").await;
    let (_, scientist) = app.register("worker", "发布者", "511623").await;
    let scientist = app.login(&scientist).await;
    create(
        &app,
        &scientist,
        "/api/v1/offers",
        &offer_body("柑橘保鲜技术服务"),
    )
    .await;
    let (_, _, city) = clerk(&app, "5116", "worker", "广安市保姆").await;
    let (_, _, org) = clerk(&app, "511623", "org", "企业部保姆").await;

    let (status, desk) = page(&app, &web, "/admin").await;
    assert_eq!(status, StatusCode::OK, "{desk}");
    assert_eq!(count(&desk, "count-today"), 1, "{desk}");
    assert_eq!(count(&desk, "count-overdue"), 1);
    assert_eq!(
        count(&desk, "count-fresh"),
        3,
        "the three scientists' tickets are unopened"
    );
    assert_eq!(count(&desk, "count-reviews"), 1);
    assert!(
        desk.contains("href=\"/admin/users\""),
        "the users page stays reachable"
    );
    // Each count is the total of the list it links to.
    for (path, expected) in [
        ("/admin/tickets?due=today", 1),
        ("/admin/tickets?overdue=true", 1),
        ("/admin/tickets?mine=true&fresh=true", 3),
    ] {
        let (status, list) = page(&app, &web, path).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(total(&list), expected, "{path}");
    }
    let (_, list) = page(&app, &web, "/admin/tickets?due=today").await;
    assert!(
        list.contains("今日研究员") && !list.contains("逾期研究员"),
        "{list}"
    );
    assert!(list.contains("今日到期"), "the countdown");
    let (_, list) = page(&app, &web, "/admin/tickets?overdue=true").await;
    assert!(list.contains("逾期 1 天"), "{list}");

    // Opening a ticket handed over days ago makes it no longer new.
    page(&app, &web, &format!("/admin/tickets/{late}")).await;
    let (_, desk) = page(&app, &web, "/admin").await;
    assert_eq!(count(&desk, "count-fresh"), 2);

    // The city sees its counties' tickets; another city and another department see none.
    let (_, desk) = page(&app, &city, "/admin").await;
    assert_eq!(
        (count(&desk, "count-today"), count(&desk, "count-overdue")),
        (1, 1)
    );
    assert_eq!(count(&desk, "count-fresh"), 0, "none are the city's own");
    assert_eq!(count(&desk, "count-reviews"), 1);
    let (_, desk) = page(&app, &chengdu, "/admin").await;
    assert_eq!(
        (count(&desk, "count-today"), count(&desk, "count-overdue")),
        (0, 0)
    );
    assert_eq!(count(&desk, "count-reviews"), 0);
    let (_, desk) = page(&app, &org, "/admin").await;
    assert_eq!(
        (count(&desk, "count-today"), count(&desk, "count-overdue")),
        (0, 0)
    );
    assert_eq!(
        count(&desk, "count-reviews"),
        0,
        "capabilities are the worker department's"
    );
}

async fn the_list_finds_people_by_name_and_phone(app: TestApp) {
    let (_, token, web) = clerk(&app, "511623", "worker", "邻水保姆").await;
    let (_, zhang) = person_ticket(&app, &token, "张果农专家", "511623").await;
    let (_, li) = person_ticket(&app, &token, "李茶叶专家", "511623").await;
    let (_, list) = page(&app, &web, "/admin/tickets?q=张果农").await;
    assert_eq!(total(&list), 1);
    assert!(list.contains("张果农专家") && !list.contains("李茶叶专家"));
    let tail = &li[li.len() - 4..];
    let (_, list) = page(&app, &web, &format!("/admin/tickets?q={tail}")).await;
    assert!(
        list.contains("李茶叶专家"),
        "by the phone's last digits: {list}"
    );
    assert!(!list.contains(&format!("tel:{zhang}")));
    assert!(
        list.contains(&format!("href=\"tel:{li}\"")),
        "a tappable phone"
    );
    let (_, list) = page(&app, &web, "/admin/tickets?q=%25").await;
    assert_eq!(total(&list), 0, "a wildcard is taken literally");
    let long = "长".repeat(31);
    let (status, _) = page(&app, &web, &format!("/admin/tickets?q={long}")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn next_goes_to_the_next_ticket_in_my_queue(app: TestApp) {
    let (_, token, web) = clerk(&app, "511623", "worker", "邻水保姆").await;
    let mut tickets = Vec::new();
    for (name, days) in [("甲研究员", 2), ("乙研究员", 0), ("丙研究员", 1)] {
        let (ticket, _) = person_ticket(&app, &token, name, "511623").await;
        move_first_step(&app, &token, ticket, &today(&app, days)).await;
        tickets.push(ticket);
    }
    let (a, b, c) = (tickets[0], tickets[1], tickets[2]);
    let next = |from: i64| {
        let web = web.clone();
        let url = format!("{}/admin/tickets/{from}/next", app.url);
        async move {
            let response = web.get(url).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::SEE_OTHER);
            response.headers()["location"].to_str().unwrap().to_owned()
        }
    };
    // Due order: 乙 (today), 丙 (tomorrow), 甲 (in two days), then round again.
    assert_eq!(next(b).await, format!("/admin/tickets/{c}"));
    assert_eq!(next(c).await, format!("/admin/tickets/{a}"));
    assert_eq!(next(a).await, format!("/admin/tickets/{b}"));
    let (_, desk) = page(&app, &web, "/admin").await;
    assert!(
        desk.contains(&format!(
            "href=\"/admin/tickets/{b}\" role=\"button\" id=\"start-work\""
        )),
        "{desk}"
    );
}

on_both_databases!(
    counts_are_right_and_scoped,
    the_list_finds_people_by_name_and_phone,
    next_goes_to_the_next_ticket_in_my_queue,
);
