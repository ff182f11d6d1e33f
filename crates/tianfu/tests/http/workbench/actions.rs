//! Acting from the workbench: batch approval of the ticked items, 保存并完成此步, and the list's
//! quick actions.

use reqwest::StatusCode;

use super::{clerk, page, person_ticket};
use crate::common::TestApp;
use crate::market::{create, offer_body};
use crate::on_both_databases;

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

on_both_databases!(
    batch_approval_approves_the_ticked_items_once,
    save_and_complete_logs_and_completes_in_one_go,
);
