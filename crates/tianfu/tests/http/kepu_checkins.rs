//! 科普 activities at the venue over HTTP: one-use check-in codes, volunteer hours from
//! verified check-ins only (and how they cannot be farmed), and the phone's pages end to end.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;

use crate::common::TestApp;
use crate::kepu::person;
use crate::kepu_activities::{
    activity_body, check_in, code_for, figure, place_body, post_activity, sign_up,
};
use crate::on_both_databases;

async fn check_in_codes_serve_one_account_once_and_expire(app: TestApp) {
    let county = app.staff("511623", "kepu").await;
    let id = post_activity(
        &app,
        &county,
        &activity_body(&app, "防灾减灾讲座", "511623", 10, 3),
    )
    .await;
    let other = post_activity(
        &app,
        &county,
        &activity_body(&app, "另一场讲座", "511623", 10, 3),
    )
    .await;
    let a = person(&app, "public", "甲", "511623").await;
    let b = person(&app, "public", "乙", "511623").await;
    for token in [&a, &b] {
        app.post(
            &format!("/api/v1/kepu/activities/{id}/signups"),
            &json!({}),
            Some(token),
        )
        .await;
    }
    let code = code_for(&app, id, &county).await;
    // Before the hour ahead of the start: not yet.
    let (status, early) = check_in(&app, id, &code, &a).await;
    assert_eq!(status, StatusCode::CONFLICT, "{early}");
    assert!(
        early["error"]["message"]
            .as_str()
            .unwrap()
            .contains("签到尚未开始")
    );
    app.app
        .clock
        .advance(Duration::hours(2) + Duration::minutes(30));

    let foreign = code_for(&app, other, &county).await;
    let (status, wrong) = check_in(&app, id, &foreign, &a).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{wrong}");
    assert!(
        wrong["error"]["fields"]["code"]
            .as_str()
            .unwrap()
            .contains("不是本场活动")
    );
    let (status, garbage) = check_in(&app, id, "NOTACODE1", &a).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{garbage}");

    let (status, done) = check_in(&app, id, &code, &a).await;
    assert_eq!(status, StatusCode::CREATED, "{done}");
    assert_eq!(done["role"], "attendee");
    let (status, reused) = check_in(&app, id, &code, &b).await;
    assert_eq!(status, StatusCode::CONFLICT, "{reused}");
    assert!(
        reused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("已被他人使用")
    );
    let (status, _) = check_in(&app, id, &code_for(&app, id, &county).await, &a).await;
    assert_eq!(status, StatusCode::CONFLICT, "one check-in per person");

    // Someone who never signed up takes a free seat at the door.
    let walk_in = person(&app, "public", "丁", "511623").await;
    let (status, _) = check_in(&app, id, &code_for(&app, id, &county).await, &walk_in).await;
    assert_eq!(status, StatusCode::CREATED);

    // After the end every code is void.
    let late = code_for(&app, id, &county).await;
    app.app.clock.advance(Duration::hours(3));
    let (status, expired) = check_in(&app, id, &late, &b).await;
    assert_eq!(status, StatusCode::CONFLICT, "{expired}");
    assert!(
        expired["error"]["message"]
            .as_str()
            .unwrap()
            .contains("已过期")
    );

    // Two people served, once each, in the county and above.
    assert_eq!(figure(&app, "511623", "kepu_services").await, 2.0);
    assert_eq!(figure(&app, "51", "kepu_people_served").await, 2.0);

    // Feedback only from those who came.
    let feedback = format!("/api/v1/kepu/activities/{id}/feedback");
    let (status, _) = app
        .post(
            &feedback,
            &json!({"rating": 5, "comment": "讲得好"}),
            Some(&a),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.post(&feedback, &json!({"rating": 4}), Some(&b)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = app.post(&feedback, &json!({"rating": 9}), Some(&a)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, roster) = app
        .get(
            &format!("/api/v1/kepu/activities/{id}/signups"),
            Some(&county),
        )
        .await;
    assert_eq!(roster["total"], 3, "{roster}");
    assert!(roster.to_string().contains("讲得好"));
    let staff_phone = app.staff_member("511623", "kepu", "签到员").await;
    let browser = app.signed_in(&staff_phone).await;
    let page = browser
        .get(format!("{}/kepu/activities/{id}/attendance", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("平均评分 5.0"), "{page}");
    assert!(
        page.contains(r#"<strong id="checked-in-total">2</strong>"#),
        "{page}"
    );
}

async fn volunteer_hours_come_from_verified_check_ins_only(app: TestApp) {
    let county = app.staff("511623", "kepu").await;
    let id = post_activity(
        &app,
        &county,
        &activity_body(&app, "科技志愿服务进村", "511623", 20, 2),
    )
    .await;
    let volunteer = person(&app, "volunteer", "志愿者甲", "511623").await;
    let absent = person(&app, "volunteer", "志愿者乙", "511623").await;
    let resident = person(&app, "public", "村民", "511623").await;
    let signups = format!("/api/v1/kepu/activities/{id}/signups");
    for token in [&volunteer, &absent] {
        let (status, serving) = app
            .post(&signups, &json!({"role": "volunteer"}), Some(token))
            .await;
        assert_eq!(
            (status, serving["status"].as_str()),
            (StatusCode::CREATED, Some("confirmed"))
        );
    }
    let (status, _) = app
        .post(&signups, &json!({"role": "volunteer"}), Some(&resident))
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a resident outside any team cannot serve as a volunteer"
    );
    let (_, activity) = app
        .get(&format!("/api/v1/kepu/activities/{id}"), None)
        .await;
    assert_eq!(activity["confirmed"], 0, "volunteers take no seats");
    assert_eq!(
        figure(&app, "511623", "volunteer_hours").await,
        0.0,
        "signing up earns nothing"
    );

    app.app.clock.advance(Duration::hours(2));
    let (status, done) = check_in(&app, id, &code_for(&app, id, &county).await, &volunteer).await;
    assert_eq!(status, StatusCode::CREATED, "{done}");
    assert_eq!(done["minutes"], 120);
    assert_eq!(figure(&app, "511623", "volunteer_hours").await, 2.0);
    assert_eq!(
        figure(&app, "511623", "kepu_services").await,
        0.0,
        "serving is not being served"
    );
}

async fn volunteer_hours_cannot_be_farmed_and_posts_attach_only_what_is_theirs(app: TestApp) {
    let county = app.staff("511623", "kepu").await;
    let (_, place) = app
        .post(
            "/api/v1/kepu/places",
            &place_body("鼎屏镇科普e站", "511623"),
            Some(&county),
        )
        .await;
    let place_id = place["id"].as_i64().unwrap();
    let (_, manager_phone) = app.register("volunteer", "站长", "511623").await;
    let manager = app.login(&manager_phone).await;
    app.post(
        &format!("/api/v1/kepu/places/{place_id}/managers"),
        &json!({"phone": manager_phone}),
        Some(&county),
    )
    .await;
    let at_place = |title: &str, hours: i64| {
        let mut body = activity_body(&app, title, "511623", 20, hours);
        body["place_id"] = json!(place_id);
        body
    };
    // The place's manager posts at the place, but may not serve (and time) their own activity.
    let own = post_activity(&app, &manager, &at_place("站长的活动", 2)).await;
    let (status, refused) = sign_up(&app, own, "volunteer", &manager).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    // An activity at a place happens inside the place's region, not above it.
    let mut above = at_place("越级的活动", 48);
    above["region_code"] = json!("51");
    let (status, error) = app
        .post("/api/v1/kepu/activities", &above, Some(&manager))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    assert!(error["error"]["fields"]["region_code"].is_string());
    // A team's leader cannot attach a place they do not run.
    let (_, leader_phone) = app.register("volunteer", "队长", "511623").await;
    let leader = app.login(&leader_phone).await;
    tianfu::on_db!(&app.app.db, pool => async {
        let now = chrono::Utc::now();
        let team: i64 = sqlx::query_scalar("INSERT INTO kepu_teams (name, region_code, fields, intro, created_by, created_at) \
             VALUES ('邻水县科技志愿服务队', '511623', '[]', '', 1, $1) RETURNING id").bind(now).fetch_one(pool).await.unwrap();
        sqlx::query("INSERT INTO kepu_team_members (team_id, user_id, role, joined_at) \
             SELECT $1, id, 'leader', $2 FROM users WHERE phone = $3").bind(team).bind(now).bind(&leader_phone)
            .execute(pool).await.unwrap();
    }.await);
    let mut borrowed = at_place("借用场所", 48);
    borrowed["team_id"] = json!(1);
    let (status, _) = app
        .post("/api/v1/kepu/activities", &borrowed, Some(&leader))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let mut team_only = activity_body(&app, "服务队进村", "511623", 20, 48);
    team_only["team_id"] = json!(1);
    let (status, created) = app
        .post("/api/v1/kepu/activities", &team_only, Some(&leader))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let mut elsewhere = team_only.clone();
    elsewhere["region_code"] = json!("511602");
    let (status, _) = app
        .post("/api/v1/kepu/activities", &elsewhere, Some(&leader))
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a team posts in its own region"
    );
    // A team's activity is served by its members only.
    let outsider = person(&app, "volunteer", "外队志愿者", "511623").await;
    let team_activity = created["id"].as_i64().unwrap();
    let (status, _) = sign_up(&app, team_activity, "volunteer", &outsider).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // One volunteer, two overlapping activities: the hours count once.
    let volunteer = person(&app, "volunteer", "志愿者", "511623").await;
    let first = post_activity(
        &app,
        &county,
        &activity_body(&app, "上午场", "511623", 20, 2),
    )
    .await;
    let mut body = activity_body(&app, "重叠场", "511623", 20, 2);
    body["starts_at"] = json!((app.app.clock.now() + Duration::minutes(150)).to_rfc3339());
    body["ends_at"] = json!((app.app.clock.now() + Duration::minutes(270)).to_rfc3339());
    let second = post_activity(&app, &county, &body).await;
    for id in [first, second] {
        let (status, _) = sign_up(&app, id, "volunteer", &volunteer).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    app.app.clock.advance(Duration::minutes(140));
    let (status, _) = check_in(
        &app,
        first,
        &code_for(&app, first, &county).await,
        &volunteer,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, overlap) = check_in(
        &app,
        second,
        &code_for(&app, second, &county).await,
        &volunteer,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{overlap}");
    assert!(
        overlap["error"]["message"]
            .as_str()
            .unwrap()
            .contains("不能重复计算")
    );
    // Arriving 20 minutes late, 100 of the 120 minutes count.
    assert!((figure(&app, "511623", "volunteer_hours").await - 100.0 / 60.0).abs() < 1e-9);
}

async fn a_phone_signs_up_scans_and_checks_in_through_the_pages(app: TestApp) {
    let county = app.staff("511623", "kepu").await;
    let id = post_activity(
        &app,
        &county,
        &activity_body(&app, "蛋鸡养殖技术培训", "511623", 5, 1),
    )
    .await;
    let code = code_for(&app, id, &county).await;
    let (_, phone) = app.register("public", "养鸡户", "511623").await;
    let browser = app.signed_in(&phone).await;
    let signed = browser
        .post(format!("{}/kepu/activities/{id}/signup", app.url))
        .form(&[("role", "attendee")])
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), StatusCode::SEE_OTHER);
    let next = signed.headers()["location"].to_str().unwrap().to_owned();
    let page = browser
        .get(format!("{}{next}", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("报名成功"), "{page}");
    let scan = browser
        .get(format!(
            "{}/kepu/checkin?activity={id}&code={code}",
            app.url
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        scan.contains("确认签到") && scan.contains("蛋鸡养殖技术培训"),
        "{scan}"
    );
    let done = browser
        .post(format!("{}/kepu/checkin", app.url))
        .form(&[("activity", id.to_string()), ("code", code.clone())])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(done.contains("签到成功"), "{done}");
    let mine = browser
        .get(format!("{}/me/activities", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(mine.contains("已签到"), "{mine}");
}

/// The number printed on a certificate (the text of `<span id="cert-number">`).
fn cert_number(html: &str) -> String {
    let start = html.find("id=\"cert-number\">").expect("a number") + "id=\"cert-number\">".len();
    html[start..][..html[start..].find('<').unwrap()].to_owned()
}

async fn a_certificate_number_is_checked_against_the_ledger_and_no_hours_print_nothing(
    app: TestApp,
) {
    let county = app.staff("511623", "kepu").await;
    let (_, phone) = app.register("volunteer", "志愿者周明", "511623").await;
    let volunteer = app.login(&phone).await;
    let browser = app.signed_in(&phone).await;
    let page = |path: String| {
        let browser = browser.clone();
        let url = format!("{}{path}", app.url);
        async move {
            let response = browser.get(url).send().await.unwrap();
            (response.status(), response.text().await.unwrap())
        }
    };
    // No verified hours: no certificate (and no link to one).
    let (status, none) = page("/me/volunteer/certificate".into()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{none}");
    assert!(none.contains("暂不能出具证明"), "{none}");
    let (_, mine) = page("/me/volunteer".into()).await;
    assert!(!mine.contains("certificate-link"), "{mine}");

    // Two activities served, two hours each; a certificate printed after the first.
    let mut numbers = Vec::new();
    for title in ["科技志愿服务进村", "科普大集志愿服务"] {
        let id = post_activity(&app, &county, &activity_body(&app, title, "511623", 20, 2)).await;
        let (status, _) = sign_up(&app, id, "volunteer", &volunteer).await;
        assert_eq!(status, StatusCode::CREATED);
        app.app.clock.advance(Duration::hours(2));
        let (status, done) =
            check_in(&app, id, &code_for(&app, id, &county).await, &volunteer).await;
        assert_eq!(status, StatusCode::CREATED, "{done}");
        let (status, certificate) = page("/me/volunteer/certificate".into()).await;
        assert_eq!(status, StatusCode::OK);
        numbers.push(cert_number(&certificate));
        app.app.clock.advance(Duration::hours(1));
    }
    assert_ne!(numbers[0], numbers[1], "the number checks the total");

    // Anyone verifies either printing; the page names the person only partly.
    let visitor = app.browser();
    for (number, hours) in [(&numbers[0], "2.0"), (&numbers[1], "4.0")] {
        let response = visitor
            .get(format!("{}/kepu/certificates/verify", app.url))
            .query(&[("number", number.to_lowercase())])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let html = response.text().await.unwrap();
        assert!(html.contains("证明有效"), "{html}");
        assert!(
            html.contains(&format!("<strong id=\"verified-hours\">{hours}</strong>")),
            "{html}"
        );
        assert!(
            html.contains("志****") && !html.contains("志愿者周明"),
            "{html}"
        );
    }
    // A changed total (its check altered) or a garbled number is refused in Chinese.
    let forged = format!("{}0000", &numbers[1][..numbers[1].len() - 4]);
    let forged = if forged == numbers[1] {
        format!("{}1111", &numbers[1][..numbers[1].len() - 4])
    } else {
        forged
    };
    for (number, status, text) in [
        (forged.as_str(), StatusCode::NOT_FOUND, "未找到与该编号相符"),
        (
            "ZY2026-12",
            StatusCode::UNPROCESSABLE_ENTITY,
            "编号格式应为",
        ),
    ] {
        let response = visitor
            .get(format!("{}/kepu/certificates/verify", app.url))
            .query(&[("number", number)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), status, "{number}");
        assert!(response.text().await.unwrap().contains(text), "{number}");
    }
}

on_both_databases!(
    check_in_codes_serve_one_account_once_and_expire,
    volunteer_hours_come_from_verified_check_ins_only,
    volunteer_hours_cannot_be_farmed_and_posts_attach_only_what_is_theirs,
    a_phone_signs_up_scans_and_checks_in_through_the_pages,
    a_certificate_number_is_checked_against_the_ledger_and_no_hours_print_nothing,
);
