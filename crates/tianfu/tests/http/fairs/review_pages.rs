//! The reviewer's and the organisers' review pages, driven as a browser without JavaScript:
//! scoring forms, the console's invitation, assignment, ranking, publication and major marks.

use reqwest::StatusCode;
use serde_json::json;

use super::review::*;
use super::{REVIEW_DAY, advance, edition};
use crate::common::TestApp;
use crate::market_pages::signed_in;
use crate::on_both_databases;

async fn the_review_pages_work_without_javascript(app: TestApp) {
    let fair = edition(&app, json!([])).await;
    let staff = app.staff("5110", "worker").await;
    let pid = project(&app, &fair, &staff, "511011", "锂电池回收再利用技术").await;
    let organiser = app.staff_member("51", "worker", "省科协").await;
    let console = signed_in(&app, &organiser).await;
    let url = format!("{}/admin/fairs/{}/review", app.url, fair.id);

    // Invite by phone number: a bad one is shown by its field with the input kept.
    let (_, expert_phone) = app.register("worker", "陈专家", "511602").await;
    let form = |phone: &str| {
        vec![
            ("phone", phone.to_owned()),
            ("org_name", "四川大学".to_owned()),
            ("sectors", "energy".to_owned()),
        ]
    };
    let page = console
        .post(format!("{url}/reviewers"))
        .form(&form("12345"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("field-error") && html.contains(r#"value="12345""#),
        "{html}"
    );
    let page = console
        .post(format!("{url}/reviewers"))
        .form(&form(&expert_phone))
        .send()
        .await
        .unwrap();
    assert!(page.status().is_redirection(), "{}", page.status());
    for (name, region) in [("李专家", "511623"), ("刘专家", "510302")] {
        let (_, phone) = app.register("worker", name, region).await;
        console
            .post(format!("{url}/reviewers"))
            .form(&form(&phone))
            .send()
            .await
            .unwrap();
    }
    let page = console.post(format!("{url}/assign")).send().await.unwrap();
    let next = page.headers()["location"].to_str().unwrap().to_owned();
    let html = console
        .get(format!("{}{next}", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("已新分配3人次评审"), "{html}");
    assert!(
        html.contains("锂电池回收再利用技术") && html.contains("陈专家"),
        "{html}"
    );

    // The reviewer scores every criterion on their page.
    advance(&app, REVIEW_DAY);
    let reviewer = signed_in(&app, &expert_phone).await;
    let reviews = format!("{}/fairs/{}/reviews", app.url, fair.id);
    let html = reviewer
        .get(&reviews)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("锂电池回收再利用技术") && html.contains(r#"name="criteria.market""#),
        "{html}"
    );
    let mut answer = vec![
        ("criteria.advanced", "90"),
        ("criteria.market", "abc"),
        ("criteria.feasibility", "80"),
        ("criteria.impact", "70"),
        ("comment", "回收工艺成熟"),
    ];
    let page = reviewer
        .post(format!("{reviews}/{pid}"))
        .form(&answer)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("请填写0到100的分数")
            && html.contains("回收工艺成熟")
            && html.contains(r#"value="abc""#),
        "{html}"
    );
    answer[1] = ("criteria.market", "80");
    let page = reviewer
        .post(format!("{reviews}/{pid}"))
        .form(&answer)
        .send()
        .await
        .unwrap();
    assert!(page.status().is_redirection(), "{}", page.status());
    let next = page.headers()["location"].to_str().unwrap().to_owned();
    let html = reviewer
        .get(format!("{}{next}", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("评分已保存") && html.contains("我的评分：81.5 分"),
        "{html}"
    );

    // Publishing needs the box ticked (signed in again: ten days later the session ended).
    let console = signed_in(&app, &organiser).await;
    let page = console
        .post(format!("{url}/selection"))
        .form(&[("confirm", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.count_where("fairs", "selection_published_at IS NOT NULL")
            .await,
        0
    );
    let page = console
        .post(format!("{url}/selection"))
        .form(&[("confirm", "yes")])
        .send()
        .await
        .unwrap();
    assert!(page.status().is_redirection(), "{}", page.status());
    let html = console
        .get(&url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("遴选结果已于"), "{html}");
    let (status, _) = (reviewer.get(&url).send().await.unwrap().status(), ());
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "the console is the organisers'"
    );
}

on_both_databases!(the_review_pages_work_without_javascript);
