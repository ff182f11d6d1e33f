//! The browser tests: headless Chromium (Debian's package) driven by playwright-core from npm,
//! through the pages a person clicks: registering an organisation, the market's main flow, a
//! nanny logging a follow-up, an enterprise acting on its matches, and a visitor on a phone
//! showing interest in a 云展厅 project that its owner then finds among their inquiries; an
//! organisation registering on a phone and on a desktop, and a visitor using the 立即咨询 bar.

use std::process::{Command, Output};

use serde_json::json;

use crate::common::{PASSWORD, TestApp, credit_code};
use crate::market::{approve, create};
use crate::on_both_databases;

/// Runs `tests/browser/<script>` with node and returns its stdout, failing with its output.
pub async fn run_script(script: &str, args: Vec<String>) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let script = root.join("tests/browser").join(script);
    // The browser runs in another process; this runtime must keep serving while we wait.
    let output: Output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(&script)
            .args(&args)
            .current_dir(&root)
            .output()
    })
    .await
    .unwrap()
    .expect("node must be installed (scripts/test.sh installs what the browser test needs)");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "browser test failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    stdout
}

async fn a_capability_is_published_approved_found_inquired_and_signed(app: TestApp) {
    let (_, scientist) = app.register("worker", "柑橘专家", "511011").await;
    let (_, org) = app.register("org", "威远果业", "511024").await;
    let staff_phone = app.staff_member("5110", "worker", "内江审核员").await;
    let label = format!("{:?}", app.backend).to_lowercase();
    let stdout = run_script(
        "market_flow.mjs",
        vec![
            app.url.clone(),
            scientist,
            staff_phone,
            org,
            PASSWORD.into(),
            label,
        ],
    )
    .await;
    assert!(stdout.contains("deal signed by both sides"), "{stdout}");
    assert_eq!(app.count("inquiries").await, 1);
    let stage: String = tianfu::on_db!(&app.app.db, pool => sqlx::query_scalar("SELECT stage FROM deals").fetch_one(pool).await.unwrap());
    assert_eq!(stage, "signed");
}

async fn an_organisation_registers_and_logs_in_in_a_real_browser(app: TestApp) {
    let phone = app.phone();
    let code = credit_code(777);
    let backend = format!("{:?}", app.backend).to_lowercase();
    let stdout = run_script(
        "register_org.mjs",
        vec![app.url.clone(), phone, code, backend, app.sms_outbox()],
    )
    .await;
    assert!(
        stdout.contains("account page shows the organisation"),
        "{stdout}"
    );
    assert_eq!(app.count("organizations").await, 1);
}

async fn a_nanny_logs_a_follow_up_that_the_scientist_sees(app: TestApp) {
    let staff_phone = app.staff_member("511623", "worker", "邻水县保姆").await;
    let (id, scientist) = app.register("worker", "柑橘王", "511623").await;
    let label = format!("{:?}", app.backend).to_lowercase();
    let stdout = run_script(
        "nanny_followup.mjs",
        vec![
            app.url.clone(),
            staff_phone,
            scientist,
            "柑橘王".into(),
            PASSWORD.into(),
            label,
        ],
    )
    .await;
    assert!(stdout.contains("the scientist sees it"), "{stdout}");
    let (followups, first_contact): (i64, bool) = tianfu::on_db!(&app.app.db, pool => sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM ticket_events e WHERE e.ticket_id = t.id AND e.kind = 'followup'), t.first_contact_at IS NOT NULL \
         FROM tickets t WHERE t.kind = 'person' AND t.subject_id = $1")
        .bind(id).fetch_one(pool).await.unwrap());
    assert_eq!(followups, 1, "the refused submission stored nothing");
    assert!(first_contact);
}

async fn an_enterprise_dismisses_a_recommendation_and_finds_an_expert(app: TestApp) {
    let (_, phone) = app.register("worker", "李研究员", "511011").await;
    let scientist = app.login(&phone).await;
    let (_, phone) = app.register("worker", "王研究员", "510104").await;
    let expert = app.login(&phone).await;
    let (_, org_phone) = app.register("org", "荣县蛋鸡场", "511011").await;
    let org = app.login(&org_phone).await;
    let staff = app.staff("5110", "worker").await;
    let org_staff = app.staff("5110", "org").await;
    let offer_title = "蛋鸡产蛋率提升与饲料配方优化";
    let offer = create(
        &app,
        &scientist,
        "/api/v1/offers",
        &json!({"title": offer_title, "description": "诊断产蛋率低、料蛋比高的原因，调整饲料配方。",
                "service_type": "service", "industry": "A03", "keywords": []}),
    )
    .await;
    approve(&app, &staff, "offer", offer).await;
    let studio_name = "蛋鸡营养科创工作室";
    let (status, studio) = app
        .post(
            "/api/v1/studios",
            &json!({"name": studio_name, "intro": "研究蛋鸡产蛋率与料蛋比。",
            "fields": ["蛋鸡养殖"], "members": []}),
            Some(&expert),
        )
        .await;
    assert_eq!(status.as_u16(), 201, "{studio}");
    app.approve_studio(studio["id"].as_i64().unwrap()).await;
    let need = create(
        &app,
        &org,
        "/api/v1/needs",
        &json!({"title": "鸡下蛋少、饲料浪费", "description": "最近下蛋少了，饲料却吃得多。",
                "kind": "problem", "industry": "A03", "keywords": []}),
    )
    .await;
    approve(&app, &org_staff, "need", need).await;
    tianfu::market::indexer::catch_up(&app.app).await.unwrap();

    let label = format!("{:?}", app.backend).to_lowercase();
    let stdout = run_script(
        "matching_flow.mjs",
        vec![
            app.url.clone(),
            org_phone,
            PASSWORD.into(),
            need.to_string(),
            offer_title.into(),
            studio_name.into(),
            label,
        ],
    )
    .await;
    assert!(
        stdout.contains("found the expert by their studio"),
        "{stdout}"
    );
    let status: String = tianfu::on_db!(&app.app.db, pool => sqlx::query_scalar(
        "SELECT status FROM recommendations WHERE for_listing = $1 AND listing_id = $2")
        .bind(need).bind(offer).fetch_one(pool).await.unwrap());
    assert_eq!(status, "dismissed");
}

async fn a_farmer_reads_local_citrus_first_asks_and_accepts_a_scientists_answer(app: TestApp) {
    let kepu = app.staff("511623", "kepu").await;
    let local = "邻水柑橘春季施肥要点";
    let province = app.staff("51", "kepu").await;
    crate::kepu::publish(
        &app,
        &province,
        &crate::kepu::resource_body("老年人防跌倒的五个办法", "health", &["防跌倒"], None),
    )
    .await;
    crate::kepu::publish(
        &app,
        &kepu,
        &crate::kepu::resource_body(local, "agriculture", &["柑橘"], Some("511623")),
    )
    .await;
    let (_, scientist) = app.register("worker", "柑橘专家", "511623").await;
    // Everything the feed derives from the two articles is in place before the farmer arrives
    // (a loaded CI machine once served the feed before the server's own jobs caught up).
    app.settle().await;
    let farmer = app.phone();
    let label = format!("{:?}", app.backend).to_lowercase();
    let stdout = run_script(
        "kepu_flow.mjs",
        vec![
            app.url.clone(),
            farmer,
            scientist,
            PASSWORD.into(),
            local.into(),
            label,
            app.sms_outbox(),
        ],
    )
    .await;
    assert!(stdout.contains("the farmer accepted"), "{stdout}");
    let accepted: Option<i64> = tianfu::on_db!(&app.app.db, pool => sqlx::query_scalar("SELECT accepted_answer_id FROM kepu_questions").fetch_one(pool).await.unwrap());
    assert!(accepted.is_some());
}

async fn a_resident_signs_up_scans_the_venue_code_and_a_volunteer_gets_hours(app: TestApp) {
    let staff_phone = app
        .staff_member("511623", "kepu", "邻水县科普工作人员")
        .await;
    let staff = app.login(&staff_phone).await;
    // Starting in half an hour: check-in is open.
    let body = crate::kepu_activities::activity_body(&app, "柑橘冬季清园现场会", "511623", 20, 0);
    let mut body = body;
    let start = app.app.clock.now() + chrono::Duration::minutes(30);
    body["starts_at"] = json!(start.to_rfc3339());
    body["ends_at"] = json!((start + chrono::Duration::hours(2)).to_rfc3339());
    let id = crate::kepu_activities::post_activity(&app, &staff, &body).await;
    let (_, resident) = app.register("public", "果农老李", "511623").await;
    let (_, volunteer) = app.register("volunteer", "志愿者小王", "511623").await;
    let label = format!("{:?}", app.backend).to_lowercase();
    let stdout = run_script(
        "activity_flow.mjs",
        vec![
            app.url.clone(),
            staff_phone,
            resident,
            volunteer,
            PASSWORD.into(),
            id.to_string(),
            label,
        ],
    )
    .await;
    assert!(
        stdout.contains("the volunteer's hours were credited"),
        "{stdout}"
    );
    app.settle().await;
    let (_, figures) = app.get("/api/v1/stats/regions/511623", Some(&staff)).await;
    assert_eq!(figures["metrics"]["kepu_services"], 1, "{figures}");
    assert_eq!(
        figures["metrics"]["volunteer_hours"].as_f64(),
        Some(2.0),
        "{figures}"
    );
}

async fn the_province_sets_a_target_and_sees_the_map_and_the_counties(app: TestApp) {
    let staff_phone = app.staff_member("51", "worker", "省级绩效管理员").await;
    crate::performance::in_march(&app, &[("511011", 3)], &[("511011", 1)]).await;
    app.settle().await;
    let year = crate::performance::last_year();
    let label = format!("{:?}", app.backend).to_lowercase();
    let stdout = run_script(
        "performance_flow.mjs",
        vec![
            app.url.clone(),
            staff_phone,
            PASSWORD.into(),
            year.to_string(),
            label,
        ],
    )
    .await;
    assert!(
        stdout.contains("the score card leads to its ledger rows"),
        "{stdout}"
    );
    let versions = app.count("indicator_systems").await;
    assert_eq!(versions, 1);
}

async fn a_visitor_on_a_phone_shows_interest_in_a_hall_project_and_the_owner_sees_it(app: TestApp) {
    use crate::fairs::{edition, entered, halls::select, offer};
    let fair = edition(&app, json!([])).await;
    let (_, owner_phone) = app.register("worker", "王教授", "511011").await;
    let owner = app.login(&owner_phone).await;
    let title = "柑橘黄龙病快速检测技术";
    let listing = offer(&app, &owner, "5110", title).await;
    let project = entered(&app, &fair, &owner, "offer", listing).await;
    select(&app, &fair, &[project], true).await;
    app.staff_member("5110", "org", "内江保姆").await;
    let (_, visitor) = app.register("org", "威远果业", "511024").await;
    let label = format!("{:?}", app.backend).to_lowercase();
    let stdout = run_script(
        "fair_hall_flow.mjs",
        vec![
            app.url.clone(),
            visitor,
            owner_phone,
            PASSWORD.into(),
            fair.id.to_string(),
            "5110".into(),
            title.into(),
            label,
        ],
    )
    .await;
    assert!(stdout.contains("the owner sees the interest"), "{stdout}");
    assert_eq!(app.count("fair_interests").await, 1);
    assert_eq!(app.count("inquiries").await, 1);
}

async fn a_visitor_searches_with_a_typo_and_follows_did_you_mean(app: TestApp) {
    let (_, phone) = app.register("worker", "柑橘专家", "511011").await;
    let token = app.login(&phone).await;
    let staff = app.staff("5110", "worker").await;
    let title = "晚熟柑橘裂果综合防控技术";
    let mut body = crate::market::offer_body(title);
    body["keywords"] = json!(["柑橘", "裂果"]);
    let id = create(&app, &token, "/api/v1/offers", &body).await;
    approve(&app, &staff, "offer", id).await;
    tianfu::market::indexer::catch_up(&app.app)
        .await
        .expect("indexer catches up");
    let label = format!("{:?}", app.backend).to_lowercase();
    let stdout = run_script(
        "search_typo.mjs",
        vec![app.url.clone(), title.into(), label],
    )
    .await;
    assert!(
        stdout.contains("phone: typo forgiven, listing opened"),
        "{stdout}"
    );
    assert!(
        stdout.contains("desktop: typo forgiven, listing opened"),
        "{stdout}"
    );
}

async fn an_organisation_registers_posts_a_need_and_a_visitor_inquires_from_the_sticky_bar(
    app: TestApp,
) {
    let (_, scientist) = app.register("worker", "蛋鸡专家", "511011").await;
    let scientist = app.login(&scientist).await;
    let staff = app.staff("5110", "worker").await;
    let title = "蛋鸡产蛋率提升技术服务";
    let offer = create(
        &app,
        &scientist,
        "/api/v1/offers",
        &json!({"title": title, "description": "诊断产蛋率低的原因，调整饲料配方。",
                "service_type": "service", "industry": "A03", "keywords": ["蛋鸡"]}),
    )
    .await;
    approve(&app, &staff, "offer", offer).await;
    let (_, visitor) = app.register("org", "威远果业", "511024").await;
    let label = format!("{:?}", app.backend).to_lowercase();
    let (narrow, wide) = (app.phone(), app.phone());
    let stdout = run_script(
        "phone_public.mjs",
        vec![
            app.url.clone(),
            app.sms_outbox(),
            label,
            PASSWORD.into(),
            offer.to_string(),
            title.into(),
            visitor,
            narrow.clone(),
            credit_code(901),
            wide.clone(),
            credit_code(902),
        ],
    )
    .await;
    assert!(
        stdout.contains("the visitor inquired from the sticky bar"),
        "{stdout}"
    );
    for phone in [narrow, wide] {
        let condition = format!(
            "owner_id = (SELECT id FROM users WHERE phone = '{phone}' AND terms_accepted_at IS NOT NULL) AND kind = 'need'"
        );
        assert_eq!(
            app.count_where("listings", &condition).await,
            1,
            "{phone} posted a need"
        );
    }
    assert_eq!(
        app.count_where("organizations", "org_type = 'cooperative'")
            .await,
        2
    );
    assert_eq!(app.count("inquiries").await, 1);
}

/// A clerk works three tickets from the workbench on a phone and three more on a desktop.
async fn a_clerk_works_three_tickets_from_the_workbench(app: TestApp) {
    let staff_phone = app.staff_member("511623", "worker", "邻水县保姆").await;
    let names = [
        "工作台甲",
        "工作台乙",
        "工作台丙",
        "工作台丁",
        "工作台戊",
        "工作台己",
    ];
    for name in names {
        app.register("worker", name, "511623").await;
    }
    app.settle().await;
    let label = format!("{:?}", app.backend).to_lowercase();
    let stdout = run_script(
        "workbench.mjs",
        vec![
            app.url.clone(),
            staff_phone,
            PASSWORD.into(),
            names[0].into(),
            label,
        ],
    )
    .await;
    assert!(stdout.contains("worked 6 tickets"), "{stdout}");
    assert_eq!(
        app.count_where("ticket_events", "kind = 'followup'").await,
        6,
        "one follow-up per ticket worked"
    );
    // Each worked ticket's first step, and the searched person's second step from the list.
    assert_eq!(
        app.count_where("ticket_steps", "done_at IS NOT NULL").await,
        7
    );
}

on_both_databases!(
    a_clerk_works_three_tickets_from_the_workbench,
    a_visitor_searches_with_a_typo_and_follows_did_you_mean,
    an_organisation_registers_posts_a_need_and_a_visitor_inquires_from_the_sticky_bar,
    a_visitor_on_a_phone_shows_interest_in_a_hall_project_and_the_owner_sees_it,
    the_province_sets_a_target_and_sees_the_map_and_the_counties,
    a_resident_signs_up_scans_the_venue_code_and_a_volunteer_gets_hours,
    a_farmer_reads_local_citrus_first_asks_and_accepts_a_scientists_answer,
    an_enterprise_dismisses_a_recommendation_and_finds_an_expert,
    a_nanny_logs_a_follow_up_that_the_scientist_sees,
    an_organisation_registers_and_logs_in_in_a_real_browser,
    a_capability_is_published_approved_found_inquired_and_signed,
);
