//! Studios reviewed before they are public, editable by their owner with only approved text
//! public (issue 17, part 5), and editing one's own name.

use reqwest::StatusCode;

use crate::common::TestApp;
use crate::on_both_databases;
use crate::phone_public::{get, post};

async fn studio_edits_wait_for_review_and_only_approved_text_is_public(app: TestApp) {
    let (_, phone) = app.register("worker", "张研究员", "511011").await;
    let owner = app.signed_in(&phone).await;
    let opened = [
        ("name", "蛋鸡养殖工作室"),
        ("intro", "专注蛋鸡健康养殖"),
        ("fields", "蛋鸡养殖"),
    ];
    let (status, location, _) = post(&app, &owner, "/me/studio", &opened).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let studio: i64 = location.trim_start_matches("/studios/").parse().unwrap();
    let (_, html) = get(&app, &owner, "/me/studio").await;
    assert!(html.contains("id=\"studio-status\">审核中"), "{html}");
    assert_eq!(
        get(&app, &app.browser(), &location).await.0,
        StatusCode::NOT_FOUND
    );

    // The queue lists it for a 科技工作者服务部 reviewer of the region, not for another department.
    let reviewer = app
        .signed_in(&app.staff_member("5110", "worker", "内江审核员").await)
        .await;
    let (_, queue) = get(&app, &reviewer, "/admin/studios/reviews").await;
    assert!(queue.contains(&format!("id=\"studio-review-{studio}\"")) && queue.contains("新开设"));
    let (_, reviews) = get(&app, &reviewer, "/admin/reviews").await;
    assert!(
        reviews.contains("href=\"/admin/studios/reviews\""),
        "linked from the review queue"
    );
    let other = app
        .signed_in(&app.staff_member("5110", "org", "企业服务部").await)
        .await;
    let (_, queue) = get(&app, &other, "/admin/studios/reviews").await;
    assert!(!queue.contains(&format!("studio-review-{studio}")));
    let (status, _, _) = post(
        &app,
        &other,
        &format!("/admin/studios/{studio}/review"),
        &[("decision", "approve"), ("revision", "1")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let decide = |decision: &'static str, revision: &'static str, reason: &'static str| {
        let reviewer = reviewer.clone();
        let app = &app;
        async move {
            post(
                app,
                &reviewer,
                &format!("/admin/studios/{studio}/review"),
                &[
                    ("decision", decision),
                    ("revision", revision),
                    ("reason", reason),
                ],
            )
            .await
        }
    };
    assert_eq!(decide("approve", "1", "").await.0, StatusCode::SEE_OTHER);
    let (status, html) = get(&app, &app.browser(), &location).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("蛋鸡养殖工作室"));

    // An edit waits; the public keeps the approved text.
    let (_, form) = get(&app, &owner, "/me/studio").await;
    assert!(form.contains("name=\"revision\" value=\"1\""), "{form}");
    let edit = [
        ("name", "蛋鸡健康养殖科创工作室"),
        ("intro", "蛋鸡营养与疫病防控"),
        ("fields", "蛋鸡养殖，饲料营养"),
        ("revision", "1"),
    ];
    let (status, location_after, _) = post(&app, &owner, "/me/studio", &edit).await;
    assert_eq!(
        (status, location_after.as_str()),
        (StatusCode::SEE_OTHER, "/me/studio?saved=1")
    );
    let (_, mine) = get(&app, &owner, "/me/studio?saved=1").await;
    assert!(
        mine.contains("已提交，等待服务中心审核")
            && mine.contains("您的修改审核中")
            && mine.contains("value=\"蛋鸡健康养殖科创工作室\"")
    );
    let (_, public) = get(&app, &app.browser(), &location).await;
    assert!(public.contains("蛋鸡养殖工作室") && !public.contains("蛋鸡健康养殖科创工作室"));
    let (_, api) = app.get(&format!("/api/v1/studios/{studio}"), None).await;
    assert_eq!(
        (api["name"].as_str(), api["in_review"].as_bool()),
        (Some("蛋鸡养殖工作室"), Some(true))
    );

    // A stale form is refused with what was typed kept; a blank reason is named.
    let (status, _, html) = post(
        &app,
        &owner,
        "/me/studio",
        &[
            ("name", "又改了"),
            ("intro", "x"),
            ("fields", "y"),
            ("revision", "1"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("value=\"又改了\""));
    let (_, queue) = get(&app, &reviewer, "/admin/studios/reviews").await;
    assert!(
        queue.contains("修改后（待审核）")
            && queue.contains("现在公开的内容")
            && queue.contains("蛋鸡健康养殖科创工作室")
    );
    assert_eq!(
        decide("reject", "2", "").await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        decide("approve", "1", "").await.0,
        StatusCode::CONFLICT,
        "the reviewer read an older revision"
    );
    assert_eq!(decide("approve", "2", "").await.0, StatusCode::SEE_OTHER);
    let (_, public) = get(&app, &app.browser(), &location).await;
    assert!(public.contains("蛋鸡健康养殖科创工作室") && public.contains("饲料营养"));

    // A refused edit leaves the public text and tells the owner why.
    let edit = [
        ("name", "<b>最好的</b>工作室"),
        ("intro", "蛋鸡营养与疫病防控"),
        ("fields", "蛋鸡养殖"),
        ("revision", "2"),
    ];
    assert_eq!(
        post(&app, &owner, "/me/studio", &edit).await.0,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        decide("reject", "3", "名称不规范").await.0,
        StatusCode::SEE_OTHER
    );
    let (_, public) = get(&app, &app.browser(), &location).await;
    assert!(public.contains("蛋鸡健康养殖科创工作室") && !public.contains("最好的"));
    let (_, mine) = get(&app, &owner, "/me/studio").await;
    assert!(mine.contains("未通过审核：名称不规范"));
    assert_eq!(
        app.count_where("notifications", "text LIKE '%名称不规范%'")
            .await,
        1
    );
}

async fn a_person_edits_their_name(app: TestApp) {
    let (_, phone) = app.register("public", "王小明", "5116").await;
    let browser = app.signed_in(&phone).await;
    let (_, html) = get(&app, &browser, "/me/edit").await;
    assert!(html.contains("value=\"王小明\"") && html.contains("href=\"/me/profile\""));
    let (status, _, html) = post(&app, &browser, "/me/edit", &[("name", "  ")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"name-error\"") && html.contains("请填写姓名"));
    let (status, location, _) = post(&app, &browser, "/me/edit", &[("name", "王晓明")]).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/me?saved=1")
    );
    let (_, html) = get(&app, &browser, "/me?saved=1").await;
    assert!(html.contains("已保存") && html.contains("王晓明"));
}

on_both_databases!(
    studio_edits_wait_for_review_and_only_approved_text_is_public,
    a_person_edits_their_name,
);
