//! The staff workbench (工作台) over HTTP: its counts are right and scoped to the region subtree
//! and department; the ticket list finds people by name and phone; batch approval approves
//! exactly the ticked items once; 保存并完成此步 logs and completes in one go; 下一单 follows my
//! queue by due date.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;

use crate::common::TestApp;
use crate::market::{create, offer_body};
use crate::on_both_databases;

/// A signed-in staff member: (user id, bearer token, browser).
async fn clerk(
    app: &TestApp,
    region: &str,
    department: &str,
    name: &str,
) -> (i64, String, reqwest::Client) {
    let phone = app.staff_member(region, department, name).await;
    let token = app.login(&phone).await;
    let (_, me) = app.get("/api/v1/me", Some(&token)).await;
    (
        me["id"].as_i64().unwrap(),
        token,
        app.signed_in(&phone).await,
    )
}

async fn page(app: &TestApp, web: &reqwest::Client, path: &str) -> (StatusCode, String) {
    app.settle().await;
    let response = web.get(format!("{}{path}", app.url)).send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

/// The number in the workbench's box `id`.
fn count(html: &str, id: &str) -> i64 {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no {id}: {html}"));
    let rest = &html[at..];
    let start = rest.find("<strong>").unwrap() + "<strong>".len();
    let end = rest.find("</strong>").unwrap();
    rest[start..end].trim().parse().unwrap()
}

/// The list's total (`<strong id="ticket-total">N</strong>`).
fn total(html: &str) -> i64 {
    let marker = "id=\"ticket-total\">";
    let at = html
        .find(marker)
        .unwrap_or_else(|| panic!("no total: {html}"))
        + marker.len();
    let rest = &html[at..];
    rest[..rest.find('<').unwrap()].trim().parse().unwrap()
}

/// A scientist in `region` and their ticket, through the API of staff who see it: (ticket, phone).
async fn person_ticket(app: &TestApp, token: &str, name: &str, region: &str) -> (i64, String) {
    let (id, phone) = app.register("worker", name, region).await;
    app.settle().await;
    let (_, list) = app
        .get("/api/v1/tickets?kind=person&per_page=100", Some(token))
        .await;
    let ticket = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["subject_id"] == id)
        .unwrap_or_else(|| panic!("no ticket for {name}: {list}"))["id"]
        .as_i64()
        .unwrap();
    (ticket, phone)
}

fn today(app: &TestApp, days: i64) -> String {
    (app.app.clock.now() + Duration::hours(8) + Duration::days(days))
        .date_naive()
        .format("%Y-%m-%d")
        .to_string()
}

/// Moves a ticket's first undone step to `date` through the API.
async fn move_first_step(app: &TestApp, token: &str, ticket: i64, date: &str) -> i64 {
    let (_, detail) = app
        .get(&format!("/api/v1/tickets/{ticket}"), Some(token))
        .await;
    let step = detail["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["done_at"].is_null())
        .unwrap()
        .clone();
    let id = step["id"].as_i64().unwrap();
    let (status, reply) = app
        .patch_json(
            &format!("/api/v1/tickets/{ticket}/steps/{id}"),
            &json!({"name": step["name"], "due_date": date}),
            token,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    id
}

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

async fn batch_approval_approves_the_ticked_items_once(app: TestApp) {
    let (_, _, web) = clerk(&app, "511623", "worker", "邻水审核").await;
    let (_, phone) = app.register("worker", "发布者", "511623").await;
    let owner = app.login(&phone).await;
    let mut ids = Vec::new();
    for title in ["蛋鸡产蛋率提升", "柑橘保鲜", "茶叶病虫害防治"] {
        ids.push(create(&app, &owner, "/api/v1/offers", &offer_body(title)).await);
    }
    let (_, queue) = page(&app, &web, "/admin/reviews").await;
    let first = queue.find("蛋鸡产蛋率提升").unwrap();
    assert!(
        first < queue.find("茶叶病虫害防治").unwrap(),
        "the oldest first"
    );
    assert!(
        queue.contains("产蛋率提升、料蛋比优化"),
        "a preview of the description"
    );
    assert!(queue.contains("信息不完整"), "preset reasons");
    let form: Vec<(&str, String)> = vec![
        ("item", format!("offer:{}", ids[0])),
        ("item", format!("offer:{}", ids[1])),
        ("item", format!("offer:{}", ids[1])),
    ];
    let post = |form: Vec<(&str, String)>| {
        web.post(format!("{}/admin/reviews/batch", app.url))
            .form(&form)
            .send()
    };
    let response = post(form.clone()).await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let to = response.headers()["location"].to_str().unwrap().to_owned();
    let (_, queue) = page(&app, &web, &to).await;
    assert!(queue.contains("已批量通过 2 条"), "{queue}");
    assert_eq!(app.count_where("listings", "status = 'published'").await, 2);
    assert_eq!(
        app.count_where(
            "listings",
            &format!("status = 'pending' AND id = {}", ids[2])
        )
        .await,
        1
    );
    // The same batch again (a second tab, a double click): nothing is approved twice.
    let response = post(form).await.unwrap();
    let to = response.headers()["location"].to_str().unwrap().to_owned();
    let (_, queue) = page(&app, &web, &to).await;
    assert!(
        queue.contains("已批量通过 0 条；2 条已被他人处理"),
        "{queue}"
    );
    assert_eq!(
        app.count_where("ledger_events", "kind = 'listing.published'")
            .await,
        2
    );
    // A rejection with a preset reason and words of one's own reaches the owner.
    let response = web
        .post(format!("{}/admin/reviews/offer/{}", app.url, ids[2]))
        .form(&[
            ("decision", "reject"),
            ("preset", "信息不完整，请补充具体内容"),
            ("reason", "缺少价格说明"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.count_where(
            "listings",
            "review_reason = '信息不完整，请补充具体内容：缺少价格说明'"
        )
        .await,
        1
    );
}

async fn save_and_complete_logs_and_completes_in_one_go(app: TestApp) {
    let (_, token, web) = clerk(&app, "511623", "worker", "邻水保姆").await;
    let (ticket, _) = person_ticket(&app, &token, "王研究员", "511623").await;
    let (_, html) = page(&app, &web, &format!("/admin/tickets/{ticket}")).await;
    assert!(html.contains("保存并完成此步") && html.contains("首次联系"));
    let (_, detail) = app
        .get(&format!("/api/v1/tickets/{ticket}"), Some(&token))
        .await;
    let step = detail["steps"][0]["id"].as_i64().unwrap();
    let followups = app.count_where("ticket_events", "kind = 'followup'").await;
    let form = [
        ("channel", "phone".to_owned()),
        ("note", "电话了解需求".to_owned()),
        ("step", step.to_string()),
    ];
    let path = format!("{}/admin/tickets/{ticket}/save-and-complete", app.url);
    let response = web.post(&path).form(&form).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let to = response.headers()["location"].to_str().unwrap().to_owned();
    let (_, html) = page(&app, &web, &to).await;
    assert!(html.contains("已保存跟进记录，并完成“首次联系”"), "{html}");
    let (_, detail) = app
        .get(&format!("/api/v1/tickets/{ticket}"), Some(&token))
        .await;
    assert!(detail["steps"][0]["done_at"].is_string(), "{detail}");
    assert_eq!(
        app.count_where("ticket_events", "kind = 'followup'").await,
        followups + 1
    );
    // Sent again, the step is done already: refused, and the follow-up is not logged twice.
    let response = web.post(&path).form(&form).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(
        response.text().await.unwrap().contains("电话了解需求"),
        "what was typed is kept"
    );
    assert_eq!(
        app.count_where("ticket_events", "kind = 'followup'").await,
        followups + 1
    );
    // Without a note nothing is done.
    let (_, detail) = app
        .get(&format!("/api/v1/tickets/{ticket}"), Some(&token))
        .await;
    let next = detail["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["done_at"].is_null())
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let response = web
        .post(&path)
        .form(&[
            ("channel", "phone".to_owned()),
            ("note", " ".to_owned()),
            ("step", next.to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.count_where("ticket_steps", &format!("id = {next} AND done_at IS NULL"))
            .await,
        1
    );

    // From the list: 完成此步 and 记一笔 come back to the list, saying what happened.
    let response = web
        .post(format!("{}/admin/tickets/{ticket}/quick/done", app.url))
        .form(&[
            ("step", next.to_string()),
            ("back", "mine=true&q=王".to_owned()),
        ])
        .send()
        .await
        .unwrap();
    let to = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.starts_with("/admin/tickets?mine=true"), "{to}");
    let (_, list) = page(&app, &web, &to).await;
    assert!(
        list.contains("已完成“王研究员”") || list.contains("的步骤“了解专长与意向”"),
        "{list}"
    );
    let response = web
        .post(format!("{}/admin/tickets/{ticket}/quick/followup", app.url))
        .form(&[
            ("channel", "visit"),
            ("note", "上门走访"),
            ("back", "mine=true"),
        ])
        .send()
        .await
        .unwrap();
    let to = response.headers()["location"].to_str().unwrap().to_owned();
    let (_, list) = page(&app, &web, &to).await;
    assert!(list.contains("记录跟进"), "{list}");
    assert_eq!(
        app.count_where("ticket_events", "kind = 'followup'").await,
        followups + 2
    );
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
    batch_approval_approves_the_ticked_items_once,
    save_and_complete_logs_and_completes_in_one_go,
    next_goes_to_the_next_ticket_in_my_queue,
);
