//! 向科学要答案 over HTTP: asking, routing by the matching engine to scientists (by studio),
//! volunteers (by channel) and the county's 全民科普服务部 staff, 待我回答, threaded answers,
//! accepting once, privacy, search, the 48-hour escalation and the ledger's figures.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::on_both_databases;

const COUNTY: &str = "511623"; // 邻水县, 广安市

struct Cast {
    resident: String,
    resident_id: i64,
    egg_expert: String,
    egg_expert_id: i64,
    citrus_expert: String,
    farm_volunteer: String,
    health_volunteer: String,
    county_staff: String,
    county_worker_staff: String,
    other_county_staff: String,
}

async fn user(app: &TestApp, role: &str, name: &str, region: &str) -> (i64, String) {
    let (id, phone) = app.register(role, name, region).await;
    (id, app.login(&phone).await)
}

async fn open_studio(app: &TestApp, token: &str, body: Value) {
    let (status, studio) = app.post("/api/v1/studios", &body, Some(token)).await;
    assert_eq!(status, StatusCode::CREATED, "{studio}");
    app.approve_studio(studio["id"].as_i64().unwrap()).await;
}

async fn opt_in(app: &TestApp, token: &str, channels: &[&str]) {
    let response = app
        .client
        .put(format!("{}/api/v1/kepu/answerer/channels", app.url))
        .bearer_auth(token)
        .json(&json!({ "channels": channels }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

async fn cast(app: &TestApp) -> Cast {
    let (resident_id, resident) = user(app, "public", "张大妈", COUNTY).await;
    let (egg_expert_id, egg_expert) = user(app, "worker", "王研究员", "510104").await;
    open_studio(
        app,
        &egg_expert,
        json!({"name": "蛋鸡营养科创工作室", "intro": "研究蛋鸡产蛋率与料蛋比，饲料配方优化。",
        "fields": ["蛋鸡养殖"], "members": []}),
    )
    .await;
    let (_, citrus_expert) = user(app, "worker", "陈研究员", "511011").await;
    open_studio(
        app,
        &citrus_expert,
        json!({"name": "柑橘栽培工作室", "intro": "柑橘裂果与保花保果。",
        "fields": ["果树栽培"], "members": []}),
    )
    .await;
    let (_, farm_volunteer) = user(app, "volunteer", "李志愿者", "511602").await;
    opt_in(app, &farm_volunteer, &["agriculture"]).await;
    let (_, health_volunteer) = user(app, "volunteer", "赵志愿者", COUNTY).await;
    opt_in(app, &health_volunteer, &["health"]).await;
    tianfu::market::indexer::catch_up(&app.app).await.unwrap();
    Cast {
        resident,
        resident_id,
        egg_expert,
        egg_expert_id,
        citrus_expert,
        farm_volunteer,
        health_volunteer,
        county_staff: app.staff(COUNTY, "kepu").await,
        county_worker_staff: app.staff(COUNTY, "worker").await,
        other_county_staff: app.staff("511602", "kepu").await,
    }
}

const EGGS: &str = "家里的蛋鸡产蛋率下降怎么办";

async fn ask(app: &TestApp, token: &str, body: Value) -> i64 {
    let (status, question) = app.post("/api/v1/kepu/questions", &body, Some(token)).await;
    assert_eq!(status, StatusCode::CREATED, "{question}");
    question["id"].as_i64().unwrap()
}

async fn ask_eggs(app: &TestApp, c: &Cast, private: bool) -> i64 {
    ask(
        app,
        &c.resident,
        json!({"title": EGGS, "body": "最近鸡下蛋少了，饲料也没换。",
        "channel": "agriculture", "private": private}),
    )
    .await
}

async fn assigned(app: &TestApp, token: &str) -> Vec<i64> {
    let (status, list) = app
        .get("/api/v1/kepu/questions?assigned=me", Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    ids(&list)
}

fn ids(list: &Value) -> Vec<i64> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_i64().unwrap())
        .collect()
}

async fn answer(app: &TestApp, token: &str, id: i64, body: Value) -> (StatusCode, Value) {
    app.post(
        &format!("/api/v1/kepu/questions/{id}/answers"),
        &body,
        Some(token),
    )
    .await
}

async fn ledger_count(app: &TestApp, kind: &str) -> i64 {
    app.count(&format!("ledger_events WHERE kind = '{kind}'"))
        .await
}

/// A file as `POST /api/v1/kepu/media` would have stored it.
async fn media(app: &TestApp, uploader: i64, mime: &str, sha256: &str) -> i64 {
    tianfu::on_db!(&app.app.db, pool => sqlx::query_scalar::<_, i64>(
        "INSERT INTO kepu_media (sha256, mime, bytes, uploader_id, created_at) VALUES ($1, $2, 10, $3, $4) RETURNING id")
        .bind(sha256).bind(mime).bind(uploader).bind(chrono::Utc::now()).fetch_one(pool).await.unwrap())
}

async fn a_question_may_carry_the_askers_own_photo(app: TestApp) {
    let (resident_id, resident) = user(&app, "public", "张大妈", COUNTY).await;
    let (other_id, _) = user(&app, "public", "路人", COUNTY).await;
    let photo = media(&app, resident_id, "image/jpeg", "aa11").await;
    let video = media(&app, resident_id, "video/mp4", "bb22").await;
    let theirs = media(&app, other_id, "image/png", "cc33").await;
    for (id, message) in [
        (video, "只能附上图片"),
        (theirs, "图片不存在或不是您上传的"),
    ] {
        let (status, refused) = app
            .post(
                "/api/v1/kepu/questions",
                &json!({"title": EGGS, "photo_id": id}),
                Some(&resident),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["error"]["fields"]["photo_id"], message);
    }
    let (status, question) = app
        .post(
            "/api/v1/kepu/questions",
            &json!({"title": EGGS, "photo_id": photo}),
            Some(&resident),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{question}");
    assert_eq!(question["photo_url"], "/kepu/media/aa11");
}

async fn asking_routes_to_fitting_scientists_volunteers_and_county_staff(app: TestApp) {
    let c = cast(&app).await;
    // Bad input is named field by field, in Chinese, and nothing is stored.
    let (status, refused) = app
        .post(
            "/api/v1/kepu/questions",
            &json!({"title": "  ", "channel": "cooking"}),
            Some(&c.resident),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(refused["error"]["fields"]["title"], "请填写问题标题");
    assert!(
        refused["error"]["fields"]["channel"]
            .as_str()
            .unwrap()
            .contains("cooking")
    );
    assert_eq!(app.count("kepu_questions").await, 0);
    let (status, _) = app
        .post("/api/v1/kepu/questions", &json!({"title": EGGS}), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let id = ask_eggs(&app, &c, false).await;
    let (_, question) = app
        .get(&format!("/api/v1/kepu/questions/{id}"), Some(&c.resident))
        .await;
    assert_eq!(question["status"], "open");
    let reasons: Vec<&str> = question["routes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reason"].as_str().unwrap())
        .collect();
    assert!(
        reasons.contains(&"studio") && reasons.contains(&"field") && reasons.contains(&"county"),
        "{question}"
    );

    // 待我回答: the fitting scientist, the volunteer of the channel, the county's 科普 staff.
    assert_eq!(assigned(&app, &c.egg_expert).await, [id]);
    assert_eq!(assigned(&app, &c.farm_volunteer).await, [id]);
    assert_eq!(assigned(&app, &c.county_staff).await, [id]);
    // Not the scientist of another field, the volunteer of another channel, staff of another
    // department or of another county.
    assert!(assigned(&app, &c.citrus_expert).await.is_empty());
    assert!(assigned(&app, &c.health_volunteer).await.is_empty());
    assert!(assigned(&app, &c.county_worker_staff).await.is_empty());
    assert!(assigned(&app, &c.other_county_staff).await.is_empty());
    let (status, _) = app.get("/api/v1/kepu/questions?assigned=me", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app
        .get("/api/v1/kepu/questions?assigned=you", Some(&c.resident))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // The routed are told; the asker's interests learn the channel and its words.
    let (_, notes) = app.get("/api/v1/notifications", Some(&c.egg_expert)).await;
    assert!(
        notes.to_string().contains(&format!("/kepu/questions/{id}")),
        "{notes}"
    );
    let learned = app
        .count(&format!(
            "kepu_interests WHERE user_id = {} AND interest = 'agriculture' AND chosen = FALSE",
            c.resident_id
        ))
        .await;
    assert_eq!(learned, 1);
    assert_eq!(ledger_count(&app, "question.asked").await, 1);

    // My questions, and the county staff's queue of their region (not another county's).
    let (_, mine) = app
        .get("/api/v1/kepu/questions?asker=me", Some(&c.resident))
        .await;
    assert_eq!(ids(&mine), [id]);
    let (status, queue) = app
        .get(
            &format!("/api/v1/kepu/questions?region_code={COUNTY}&status=open"),
            Some(&c.county_staff),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{queue}");
    assert_eq!(ids(&queue), [id]);
    let (status, _) = app
        .get(
            &format!("/api/v1/kepu/questions?region_code={COUNTY}"),
            Some(&c.other_county_staff),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn answers_thread_and_the_asker_accepts_once(app: TestApp) {
    let c = cast(&app).await;
    let id = ask_eggs(&app, &c, false).await;
    let (status, reply) = answer(
        &app,
        &c.egg_expert,
        id,
        json!({"body": "先查光照时间，每天应有16小时。"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{reply}");
    assert_eq!(reply["status"], "answered");
    let first = reply["answers"][0]["id"].as_i64().unwrap();
    // The asker follows up under the answer; the scientist replies to that.
    let (status, reply) = answer(
        &app,
        &c.resident,
        id,
        json!({"body": "光照够的，是不是饲料问题？", "parent_id": first}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{reply}");
    let follow_up = reply["answers"][1]["id"].as_i64().unwrap();
    answer(
        &app,
        &c.egg_expert,
        id,
        json!({"body": "看看钙和蛋白质够不够。", "parent_id": follow_up}),
    )
    .await;
    let (status, _) = answer(
        &app,
        &c.farm_volunteer,
        id,
        json!({"body": "也要注意驱虫。"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, question) = app.get(&format!("/api/v1/kepu/questions/{id}"), None).await;
    let thread: Vec<(i64, &str)> = question["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["depth"].as_i64().unwrap(), a["body"].as_str().unwrap()))
        .collect();
    assert_eq!(
        thread,
        [
            (0, "先查光照时间，每天应有16小时。"),
            (1, "光照够的，是不是饲料问题？"),
            (2, "看看钙和蛋白质够不够。"),
            (0, "也要注意驱虫。"),
        ]
    );
    assert_eq!(question["answers"][1]["author_label"], "提问者");

    // A reply to an answer of another question, an empty answer, a resident who was not asked.
    let other = ask(&app, &c.resident, json!({"title": "雷雨天怎么防雷"})).await;
    let (status, refused) = answer(
        &app,
        &c.egg_expert,
        other,
        json!({"body": "x", "parent_id": first}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(refused["error"]["fields"]["parent_id"].is_string());
    let (status, refused) = answer(&app, &c.egg_expert, id, json!({"body": " "})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused["error"]["fields"]["body"], "请填写回答内容");
    let (_, neighbour) = user(&app, "public", "邻居", COUNTY).await;
    let (status, _) = answer(&app, &neighbour, id, json!({"body": "我也不知道"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Only the asker accepts, an answer of this question by someone else, rated 1–5, once.
    let accept = |answer_id: i64, rating: Value| json!({"answer_id": answer_id, "rating": rating});
    let path = format!("/api/v1/kepu/questions/{id}/accept");
    let (status, _) = app
        .post(&path, &accept(first, json!(5)), Some(&c.egg_expert))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, refused) = app
        .post(&path, &accept(first, json!(6)), Some(&c.resident))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(refused["error"]["fields"]["rating"].is_string());
    let (status, _) = app
        .post(&path, &accept(follow_up, json!(5)), Some(&c.resident))
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not one's own follow-up"
    );
    let (status, accepted) = app
        .post(&path, &accept(first, json!(5)), Some(&c.resident))
        .await;
    assert_eq!(status, StatusCode::OK, "{accepted}");
    assert_eq!(accepted["status"], "accepted");
    assert_eq!(accepted["accepted_answer_id"], first);
    assert_eq!(accepted["rating"], 5);
    assert_eq!(accepted["answers"][0]["accepted"], true);
    let (status, again) = app
        .post(&path, &accept(first, json!(4)), Some(&c.resident))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
    assert_eq!(again["error"]["message"], "该问题已经采纳过回答");

    // Counted once per question however many answers came: 科普问答, the asker served once,
    // the acceptance once; the province's figure says so.
    assert_eq!(ledger_count(&app, "question.answered").await, 1);
    assert_eq!(
        app.count("ledger_events WHERE kind = 'kepu.served' AND source = 'answer'")
            .await,
        1
    );
    assert_eq!(ledger_count(&app, "answer.accepted").await, 1);
    let (status, province) = app.get("/api/v1/stats/regions/51", None).await;
    assert_eq!(status, StatusCode::OK, "{province}");
    assert_eq!(province["metrics"]["questions_answered"], 1.0, "{province}");

    // The scientist's studio's track record counts the accepted answer.
    let records = tianfu::matching::track::of_many(&app.app.db, &[c.egg_expert_id])
        .await
        .unwrap();
    let (_, reasons) = records[&c.egg_expert_id].factor();
    assert!(
        reasons.contains(&"科普答疑被采纳1次".to_owned()),
        "{reasons:?}"
    );
}

async fn private_questions_stay_private_and_answered_public_ones_are_searchable(app: TestApp) {
    let c = cast(&app).await;
    let private = ask(
        &app,
        &c.resident,
        json!({"title": "家里老人血压忽高忽低怎么办",
        "channel": "health", "private": true}),
    )
    .await;
    let public = ask_eggs(&app, &c, false).await;
    let (_, stranger) = user(&app, "public", "路人", "510104").await;
    let city_staff = app.staff("5116", "kepu").await;
    let elsewhere_staff = app.staff("5101", "kepu").await;

    // A private question: its asker, the people it was routed to, staff whose region covers it.
    let path = format!("/api/v1/kepu/questions/{private}");
    assert_eq!(app.get(&path, None).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get(&path, Some(&stranger)).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get(&path, Some(&c.egg_expert)).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get(&path, Some(&elsewhere_staff)).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.get(&path, Some(&c.resident)).await.0, StatusCode::OK);
    assert_eq!(
        app.get(&path, Some(&c.county_staff)).await.0,
        StatusCode::OK
    );
    assert_eq!(app.get(&path, Some(&city_staff)).await.0, StatusCode::OK);
    assert_eq!(
        app.get(&path, Some(&c.health_volunteer)).await.0,
        StatusCode::OK,
        "routed by its channel"
    );
    assert!(
        app.audit_actions()
            .await
            .contains(&"permission.denied".to_owned())
    );
    let (status, _) = answer(
        &app,
        &c.health_volunteer,
        private,
        json!({"body": "按时测量，遵医嘱服药。"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);

    // A public question is for the public once answered, the asker shown by their county.
    let public_path = format!("/api/v1/kepu/questions/{public}");
    assert_eq!(app.get(&public_path, None).await.0, StatusCode::NOT_FOUND);
    answer(
        &app,
        &c.egg_expert,
        public,
        json!({"body": "检查饲料里的钙和蛋白质。"}),
    )
    .await;
    let (status, seen) = app.get(&public_path, None).await;
    assert_eq!(status, StatusCode::OK, "{seen}");
    assert_eq!(seen["asker_label"], "邻水县网友");
    assert!(!seen.to_string().contains("张大妈"), "{seen}");
    assert_eq!(
        seen["routes"],
        json!([]),
        "who was asked is not the public's"
    );
    let page = app.html(&format!("/kepu/questions/{public}")).await;
    assert!(
        page.contains("邻水县网友") && !page.contains("张大妈"),
        "{page}"
    );
    assert!(page.contains("检查饲料里的钙和蛋白质。"));

    // The public list and search hold the public one only.
    let (_, list) = app.get("/api/v1/kepu/questions", None).await;
    assert_eq!(ids(&list), [public]);
    tianfu::market::indexer::catch_up(&app.app).await.unwrap();
    let (status, found) = app.get("/api/v1/search?q=产蛋率&kind=question", None).await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(ids(&found), [public], "{found}");
    let (_, found) = app.get("/api/v1/search?q=血压&kind=question", None).await;
    assert!(
        ids(&found).is_empty(),
        "a private question is never indexed: {found}"
    );
    let (status, similar) = app
        .get("/api/v1/kepu/questions/similar?q=鸡下蛋少", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{similar}");
    assert_eq!(ids(&similar), [public], "{similar}");
    let index = app.html("/kepu/questions?q=产蛋率").await;
    assert!(
        index.contains(&format!("/kepu/questions/{public}")),
        "{index}"
    );
}

async fn an_unanswered_question_escalates_to_the_city_after_48_hours(app: TestApp) {
    let c = cast(&app).await;
    let city_staff = app.staff("5116", "kepu").await;
    let waiting = ask_eggs(&app, &c, false).await;
    let answered = ask(&app, &c.resident, json!({"title": "雷雨天在田里怎么避雷"})).await;
    answer(
        &app,
        &c.county_staff,
        answered,
        json!({"body": "远离大树，蹲下并拢双脚。"}),
    )
    .await;

    app.app.clock.advance(chrono::Duration::hours(47));
    assert!(assigned(&app, &city_staff).await.is_empty(), "not yet");
    app.app.clock.advance(chrono::Duration::hours(2));
    assert_eq!(
        assigned(&app, &city_staff).await,
        [waiting],
        "the answered one stays put"
    );
    let (_, question) = app
        .get(
            &format!("/api/v1/kepu/questions/{waiting}"),
            Some(&city_staff),
        )
        .await;
    assert_eq!(question["escalated"], true);
    assert!(
        question["routes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["reason"] == "city"),
        "{question}"
    );
    let (_, notes) = app.get("/api/v1/notifications", Some(&city_staff)).await;
    assert!(notes.to_string().contains("48小时"), "{notes}");
    // Another pass escalates nothing twice.
    app.settle().await;
    assert_eq!(
        app.count(&format!(
            "kepu_question_routes WHERE reason = 'city' AND question_id = {waiting}"
        ))
        .await,
        1
    );
}

async fn the_pages_ask_answer_and_accept_without_javascript(app: TestApp) {
    let c = cast(&app).await;
    let browser = app.browser();
    let page = |path: &str, token: &str| {
        browser
            .get(format!("{}{path}", app.url))
            .bearer_auth(token.to_owned())
            .send()
    };
    // Step one shows the form; with a title it shows answered questions like it first.
    let old = ask_eggs(&app, &c, false).await;
    answer(&app, &c.egg_expert, old, json!({"body": "补钙。"})).await;
    tianfu::market::indexer::catch_up(&app.app).await.unwrap();
    let html = page("/kepu/ask?title=鸡下蛋少了", &c.resident)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("id=\"similar\"") && html.contains(&format!("/kepu/questions/{old}")),
        "{html}"
    );
    assert!(html.contains("id=\"ask-form\""));

    let post = |path: &str, token: &str, form: &[(&str, &str)]| {
        browser
            .post(format!("{}{path}", app.url))
            .bearer_auth(token.to_owned())
            .form(form)
            .send()
    };
    let refused = post(
        "/kepu/ask",
        &c.resident,
        &[("title", ""), ("channel", "agriculture")],
    )
    .await
    .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("请填写问题标题"));
    let asked = post(
        "/kepu/ask",
        &c.resident,
        &[
            ("title", "蛋鸡啄羽怎么处理"),
            ("body", "鸡互相啄毛"),
            ("channel", "agriculture"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(asked.status(), StatusCode::SEE_OTHER);
    let location = asked.headers()["location"].to_str().unwrap().to_owned();
    let id: i64 = location.rsplit('/').next().unwrap().parse().unwrap();

    // 待我回答 on the routed scientist's page; they answer through the form.
    let mine = page("/me/questions", &c.egg_expert)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        mine.contains("待我回答") && mine.contains("蛋鸡啄羽怎么处理"),
        "{mine}"
    );
    let answered = post(
        &format!("/kepu/questions/{id}/answers"),
        &c.egg_expert,
        &[("body", "降低密度，补充含硫氨基酸。")],
    )
    .await
    .unwrap();
    assert_eq!(answered.status(), StatusCode::SEE_OTHER);
    let shown = page(&format!("/kepu/questions/{id}"), &c.resident)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        shown.contains("降低密度，补充含硫氨基酸。") && shown.contains("采纳这个回答"),
        "{shown}"
    );
    let (_, question) = app
        .get(&format!("/api/v1/kepu/questions/{id}"), Some(&c.resident))
        .await;
    let answer_id = question["answers"][0]["id"].as_i64().unwrap().to_string();
    let accepted = post(
        &format!("/kepu/questions/{id}/accept"),
        &c.resident,
        &[("answer_id", &answer_id), ("rating", "4")],
    )
    .await
    .unwrap();
    assert_eq!(accepted.status(), StatusCode::SEE_OTHER);
    let again = post(
        &format!("/kepu/questions/{id}/accept"),
        &c.resident,
        &[("answer_id", &answer_id), ("rating", "4")],
    )
    .await
    .unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert!(again.text().await.unwrap().contains("该问题已经采纳过回答"));
    let shown = page(&format!("/kepu/questions/{id}"), &c.resident)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        shown.contains("提问者已采纳") && shown.contains("4星"),
        "{shown}"
    );

    // A volunteer picks the channels they answer in.
    let saved = post(
        "/me/questions",
        &c.health_volunteer,
        &[("channels", "health"), ("channels", "safety")],
    )
    .await
    .unwrap();
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let (_, channels) = app
        .get("/api/v1/kepu/answerer/channels", Some(&c.health_volunteer))
        .await;
    assert_eq!(channels["channels"], json!(["health", "safety"]));
}

on_both_databases!(
    a_question_may_carry_the_askers_own_photo,
    asking_routes_to_fitting_scientists_volunteers_and_county_staff,
    answers_thread_and_the_asker_accepts_once,
    private_questions_stay_private_and_answered_public_ones_are_searchable,
    an_unanswered_question_escalates_to_the_city_after_48_hours,
    the_pages_ask_answer_and_accept_without_javascript,
);
