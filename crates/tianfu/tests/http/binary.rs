//! The `tianfu` binary itself: `migrate`, `staff add`, `serve` on the test's database, and a
//! graceful stop on SIGTERM.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;

use crate::common::{PASSWORD, TestApp};
use crate::on_both_databases;

/// The binary on the test's database, with a data directory of its own: the in-process app
/// already holds the search index of the test's data directory.
fn tianfu(app: &TestApp) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tianfu"));
    command
        .env("TIANFU_DATABASE_URL", &app.app.config.database_url)
        .env("TIANFU_DATA_DIR", app.app.config.data_dir.join("process"))
        .env("TIANFU_NODE_MODULES", &app.app.config.node_modules_dir)
        .env("RUST_LOG", "warn");
    command
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn the_binary_migrates_adds_staff_serves_and_stops_on_sigterm(app: TestApp) {
    let migrate = tianfu(&app).arg("migrate").output().unwrap();
    assert!(
        migrate.status.success(),
        "{}",
        String::from_utf8_lossy(&migrate.stderr)
    );

    let phone = app.phone();
    let add = tianfu(&app)
        .args([
            "staff",
            "add",
            "--phone",
            &phone,
            "--password",
            PASSWORD,
            "--name",
            "命令行工作人员",
            "--region-code",
            "5110",
            "--department",
            "org",
        ])
        .output()
        .unwrap();
    assert!(
        add.status.success(),
        "{}",
        String::from_utf8_lossy(&add.stderr)
    );
    let bad = tianfu(&app)
        .args([
            "staff",
            "add",
            "--phone",
            "123",
            "--password",
            PASSWORD,
            "--name",
            "x",
            "--region-code",
            "5110",
            "--department",
            "org",
        ])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("phone: 手机号应为11位数字"));

    let (mut server, base) = serve(&app, &[]).await;
    let login = app
        .client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"phone": phone, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        login.status(),
        StatusCode::OK,
        "the staff member added on the command line can log in"
    );

    let killed = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let stopped = Instant::now();
    let status = loop {
        if let Some(status) = server.try_wait().unwrap() {
            break status;
        }
        assert!(
            stopped.elapsed() < Duration::from_secs(15),
            "the server did not stop on SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(
        status.success(),
        "a SIGTERM stop is a clean exit: {status:?}"
    );
}

/// Starts `tianfu serve` on a free port and waits until it is healthy.
async fn serve(app: &TestApp, env: &[(&str, &str)]) -> (Child, String) {
    let port = free_port();
    let server = tianfu(app)
        .arg("serve")
        .env("TIANFU_BIND", format!("127.0.0.1:{port}"))
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    loop {
        if let Ok(response) = app.client.get(format!("{base}/healthz")).send().await
            && response.status() == StatusCode::OK
        {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the server did not become healthy"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (server, base)
}

async fn search_total(app: &TestApp, base: &str, q: &str) -> i64 {
    let reply: Value = app
        .client
        .get(format!("{base}/api/v1/search"))
        .query(&[("q", q)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    reply["total"].as_i64().unwrap()
}

async fn a_listing_committed_before_a_crash_is_searchable_after_restart(app: TestApp) {
    // The indexer is off, as if the process died between the commit and the indexing.
    let (mut server, base) = serve(&app, &[("TIANFU_INDEXER", "off")]).await;
    let (_, phone) = app.register("worker", "柑橘专家", "511011").await;
    let owner = app.login(&phone).await;
    let staff = app.staff("5110", "worker").await;
    let mut offer = crate::market::offer_body("柑橘裂果综合防控技术");
    offer["keywords"] = serde_json::json!(["柑橘", "裂果"]);
    let created: Value = app
        .client
        .post(format!("{base}/api/v1/offers"))
        .bearer_auth(&owner)
        .json(&offer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_i64().expect("created");
    let approved = app
        .client
        .post(format!("{base}/api/v1/admin/reviews/offer/{id}"))
        .bearer_auth(&staff)
        .json(&serde_json::json!({"decision": "approve"}))
        .send()
        .await
        .unwrap();
    assert_eq!(approved.status(), StatusCode::OK);
    assert_eq!(
        search_total(&app, &base, "裂果").await,
        0,
        "not indexed yet"
    );

    server.kill().unwrap();
    server.wait().unwrap();

    let (mut server, base) = serve(&app, &[]).await;
    let started = Instant::now();
    while search_total(&app, &base, "裂果").await != 1 {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "the listing never became searchable after the restart"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    server.kill().unwrap();
    server.wait().unwrap();
}

async fn reindex_rebuilds_the_index_from_the_database(app: TestApp) {
    let (_, phone) = app.register("worker", "柑橘专家", "511011").await;
    let owner = app.login(&phone).await;
    let staff = app.staff("5110", "worker").await;
    let id = crate::market::create(
        &app,
        &owner,
        "/api/v1/offers",
        &crate::market::offer_body("柑橘裂果综合防控技术"),
    )
    .await;
    crate::market::approve(&app, &staff, "offer", id).await;
    let reindex = tianfu(&app).arg("reindex").output().unwrap();
    assert!(
        reindex.status.success(),
        "{}",
        String::from_utf8_lossy(&reindex.stderr)
    );
    assert!(String::from_utf8_lossy(&reindex.stdout).contains("1 条已发布"));
    let (mut server, base) = serve(&app, &[("TIANFU_INDEXER", "off")]).await;
    assert_eq!(
        search_total(&app, &base, "柑橘").await,
        1,
        "found without the indexer"
    );
    server.kill().unwrap();
    server.wait().unwrap();
}

async fn demo_data_fills_every_city_and_loads_once(app: TestApp) {
    let report = tianfu::demo::load(&app.app).await.unwrap();
    assert!(report.contains("演示账号"), "{report}");
    let users = app.count("users").await;
    assert!(users > 700, "{users}");
    let credentials = serde_json::json!({"phone": tianfu::demo::ADMIN_PHONE, "password": tianfu::demo::DEMO_PASSWORD});
    let (status, login) = app.post("/api/v1/auth/login", &credentials, None).await;
    assert_eq!(status, StatusCode::OK, "{login}");
    let admin = login["token"].as_str().unwrap().to_owned();
    let (_, cities) = app.get("/api/v1/regions/51/children", None).await;
    for city in cities["items"].as_array().unwrap() {
        let code = city["code"].as_str().unwrap();
        let (_, staff) = app
            .get(
                &format!("/api/v1/admin/users?role=staff&region_code={code}&per_page=1"),
                Some(&admin),
            )
            .await;
        assert!(
            staff["total"].as_i64().unwrap() >= 3,
            "{code} has staff for each department"
        );
    }
    let (_, orgs) = app
        .get("/api/v1/admin/users?role=org&per_page=100", Some(&admin))
        .await;
    assert_eq!(orgs["total"], 120);
    assert!(
        orgs["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["org_name"].is_string())
    );

    assert!(report.contains("科技市场"), "{report}");
    let (_, offers) = app.get("/api/v1/offers?per_page=1", None).await;
    assert!(offers["total"].as_i64().unwrap() >= 20, "{offers}");
    let (_, needs) = app.get("/api/v1/needs?per_page=1", None).await;
    assert!(needs["total"].as_i64().unwrap() >= 15, "{needs}");
    tianfu::market::indexer::catch_up(&app.app).await.unwrap();
    let (_, found) = app.get("/api/v1/search?q=%E6%9F%91%E6%A9%98", None).await;
    assert!(
        found["total"].as_i64().unwrap() >= 2,
        "柑橘 is found: {found}"
    );
    let (_, queue) = app.get("/api/v1/admin/reviews", Some(&admin)).await;
    assert!(
        queue["total"].as_i64().unwrap() > 0,
        "some listings wait for review"
    );
    let events = |kind: &'static str| {
        let sql = format!("SELECT COUNT(*) FROM ledger_events WHERE kind = '{kind}'");
        let db = &app.app.db;
        async move {
            tianfu::on_db!(db, pool => sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql)).fetch_one(pool).await.unwrap())
        }
    };
    assert!(events("deal.completed").await >= 3);
    assert_eq!(events("achievement.transferred").await, 1);

    // 志愿服务队 in several cities, their leader's hours from check-ins, the province's figure.
    assert!(report.contains("志愿服务队"), "{report}");
    let (_, teams) = app.get("/api/v1/kepu/teams?per_page=1", None).await;
    assert!(teams["total"].as_i64().unwrap() >= 6, "{teams}");
    let leader_phone = report
        .lines()
        .find_map(|line| line.trim().strip_prefix("科技志愿者（服务队队长）"))
        .map(str::trim)
        .unwrap_or_else(|| panic!("{report}"));
    let leader =
        serde_json::json!({"phone": leader_phone, "password": tianfu::demo::DEMO_PASSWORD});
    let (_, login) = app.post("/api/v1/auth/login", &leader, None).await;
    let leader = login["token"].as_str().unwrap().to_owned();
    let (_, hours) = app.get("/api/v1/me/volunteer-hours", Some(&leader)).await;
    let (_, last_year) = app
        .get(
            &format!(
                "/api/v1/me/volunteer-hours?year={}",
                hours["year"].as_i64().unwrap() - 1
            ),
            Some(&leader),
        )
        .await;
    assert!(
        hours["minutes"].as_i64().unwrap() + last_year["minutes"].as_i64().unwrap() > 0,
        "the demo leader served: {hours} {last_year}"
    );
    assert!(events("volunteer.served").await >= 40);

    let again = tianfu::demo::load(&app.app).await.unwrap();
    assert!(again.contains("演示数据已存在"));
    assert_eq!(app.count("users").await, users);
}

on_both_databases!(
    the_binary_migrates_adds_staff_serves_and_stops_on_sigterm,
    a_listing_committed_before_a_crash_is_searchable_after_restart,
    reindex_rebuilds_the_index_from_the_database,
    demo_data_fills_every_city_and_loads_once
);
