//! Issue 16 items 8 and 9: administrators search and export the audit log, nobody else may, and
//! audit rows cannot be changed; `tianfu backup` of a running SQLite app restored into an empty
//! directory serves the same figures, the search index rebuilt from the database.

use std::process::Command;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{Backend, PASSWORD, TestApp};
use crate::market_pages::signed_in;
use crate::on_both_databases;

/// An administrator's phone (to sign in to pages) and bearer token.
async fn admin(app: &TestApp, name: &str) -> (String, String) {
    let phone = app.admin_member(name).await;
    let token = app.login(&phone).await;
    (phone, token)
}

async fn audit(app: &TestApp, query: &str, token: &str) -> Value {
    let (status, reply) = app
        .get(&format!("/api/v1/admin/audit?{query}"), Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{query}: {reply}");
    reply
}

fn actions(reply: &Value) -> Vec<String> {
    reply["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["action"].as_str().unwrap().to_owned())
        .collect()
}

fn today() -> String {
    tianfu::platform::clock::shanghai_date(chrono::Utc::now()).to_string()
}

async fn wrong_password(app: &TestApp, phone: &str) {
    let (status, _) = app
        .post(
            "/api/v1/auth/login",
            &json!({"phone": phone, "password": "Wrong2026x"}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn administrators_search_the_audit_log_by_every_condition(app: TestApp) {
    let (_, admin) = admin(&app, "审计管理员").await;
    let (_, worker_phone) = app.register("worker", "柑橘专家", "511011").await;
    let worker = app.login(&worker_phone).await;
    wrong_password(&app, &worker_phone).await;
    wrong_password(&app, "13999999999").await;
    let staff_phone = app.staff_member("5110", "worker", "内江审计员").await;
    let staff = app.login(&staff_phone).await;

    // Nobody but an administrator: anonymous 401, a user and staff 403 (each refusal audited).
    let (status, reply) = app.get("/api/v1/admin/audit", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{reply}");
    for token in [&worker, &staff] {
        let (status, reply) = app.get("/api/v1/admin/audit", Some(token)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{reply}");
        assert!(reply["error"]["message"].is_string());
        let (status, _) = app.get("/api/v1/admin/audit/export", Some(token)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }

    // Everything, newest first, with who, what, where and the outcome.
    let all = audit(&app, "per_page=100", &admin).await;
    let items = all["items"].as_array().unwrap();
    assert_eq!(all["total"].as_i64().unwrap(), items.len() as i64);
    let times: Vec<&str> = items.iter().map(|i| i["at"].as_str().unwrap()).collect();
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(
        times
            .iter()
            .map(|t| chrono::DateTime::parse_from_rfc3339(t).unwrap())
            .collect::<Vec<_>>(),
        sorted
            .iter()
            .map(|t| chrono::DateTime::parse_from_rfc3339(t).unwrap())
            .collect::<Vec<_>>(),
        "newest first"
    );
    let denied = items
        .iter()
        .find(|i| i["action"] == "permission.denied" && i["actor_phone"] == staff_phone.as_str())
        .expect("the staff member's refusal is audited");
    assert_eq!(denied["outcome"], "denied");
    assert_eq!(denied["outcome_label"], "拒绝");
    assert_eq!(denied["actor_name"], "内江审计员");
    assert_eq!(denied["subject"], "audit_log");
    assert_eq!(denied["ip"], "127.0.0.1");

    // By outcome.
    let failures = audit(&app, "outcome=failure", &admin).await;
    assert_eq!(actions(&failures), ["login.failure", "login.failure"]);
    let unknown = &failures["items"][0];
    assert!(
        unknown["actor_id"].is_null(),
        "an unknown phone has no actor"
    );
    assert_eq!(unknown["action_label"], "登录失败");
    let denials = audit(&app, "outcome=denied", &admin).await;
    assert!(denials["total"].as_i64().unwrap() >= 4, "{denials}");
    assert!(actions(&denials).iter().all(|a| a == "permission.denied"));

    // By actor: phone or exact name.
    let by_phone = audit(&app, &format!("actor={staff_phone}"), &admin).await;
    let name = tianfu::platform::page::url_encode("内江审计员");
    let by_name = audit(&app, &format!("actor={name}"), &admin).await;
    assert_eq!(by_phone["items"], by_name["items"]);
    assert_eq!(
        actions(&by_phone),
        ["permission.denied", "permission.denied", "login.success"]
    );

    // By action, by subject (part of it, case and wildcards taken literally), combined.
    let logins = audit(&app, "action=login.success", &admin).await;
    assert_eq!(
        logins["total"], 3,
        "the admin, the worker, the staff member: {logins}"
    );
    let subject = audit(&app, "subject=AUDIT_log&outcome=denied", &admin).await;
    assert_eq!(
        subject["total"], 2,
        "the staff member's two refusals: {subject}"
    );
    let wildcard = audit(&app, "subject=%25", &admin).await;
    assert_eq!(wildcard["total"], 0, "% is a character, not a wildcard");

    // By time: Shanghai days, the end inclusive.
    let day = today();
    let same_day = audit(&app, &format!("from={day}&to={day}"), &admin).await;
    assert_eq!(same_day["total"], all["total"]);
    app.app.clock.advance(chrono::Duration::days(3));
    wrong_password(&app, &worker_phone).await;
    let until_today = audit(&app, &format!("to={day}"), &admin).await;
    assert_eq!(
        until_today["total"], all["total"],
        "the later failure is after `to`"
    );
    let later = tianfu::platform::clock::shanghai_date(app.app.clock.now()).to_string();
    let since_later = audit(&app, &format!("from={later}&outcome=failure"), &admin).await;
    assert_eq!(actions(&since_later), ["login.failure"]);
    assert_eq!(
        since_later["items"][0]["actor_phone"],
        worker_phone.as_str()
    );

    // Paging.
    let second = audit(&app, "per_page=1&page=2", &admin).await;
    let everything = audit(&app, "per_page=2", &admin).await;
    assert_eq!(second["items"][0], everything["items"][1]);

    // Bad conditions are named in Chinese; nothing is searched.
    let (status, reply) = app
        .get(
            "/api/v1/admin/audit?from=2026-13-01&to=%2B10000-01-01&outcome=maybe",
            Some(&admin),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reply}");
    let fields = &reply["error"]["fields"];
    assert!(fields["from"].as_str().unwrap().contains("开始日期"));
    assert!(fields["to"].is_string());
    assert!(fields["outcome"].is_string());
    let (status, reply) = app
        .get(
            "/api/v1/admin/audit?from=2026-11-30&to=2026-11-01",
            Some(&admin),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply["error"]["fields"]["to"], "结束日期不能早于开始日期");
}

async fn the_audit_page_is_for_administrators_and_linked_from_the_console(app: TestApp) {
    let (admin_phone, _) = admin(&app, "审计管理员").await;
    let staff_phone = app.staff_member("5110", "worker", "内江审计员").await;
    let browser = signed_in(&app, &admin_phone).await;
    let users = app.page_as(&browser, "/admin/users").await;
    assert!(
        users.contains("href=\"/admin/audit\""),
        "the console links the audit log"
    );
    let staff_browser = signed_in(&app, &staff_phone).await;
    let staff_users = app.page_as(&staff_browser, "/admin/users").await;
    assert!(!staff_users.contains("href=\"/admin/audit\""));

    let page = browser
        .get(format!("{}/admin/audit?outcome=success", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("安全审计 · 审计日志"));
    assert!(html.contains("登录成功"));
    assert!(html.contains("审计管理员（"));
    // The export links carry the search (askama escapes the `&`s of the query string).
    let link = html
        .split("href=\"")
        .find(|h| h.starts_with("/admin/audit/export?"))
        .and_then(|h| h.split('"').next())
        .expect("an export link")
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    assert_eq!(
        link,
        "/admin/audit/export?from=&to=&actor=&action=&subject=&outcome=success&format=csv"
    );

    let bad = browser
        .get(format!("{}/admin/audit?from=someday", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().await.unwrap().contains("开始日期应为"));

    let refused = staff_browser
        .get(format!("{}/admin/audit", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(refused.text().await.unwrap().contains("仅系统管理员"));
    let anonymous = app
        .browser()
        .get(format!("{}/admin/audit", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(
        anonymous.status(),
        StatusCode::SEE_OTHER,
        "to the login page"
    );

    let file = browser
        .get(format!(
            "{}/admin/audit/export?action=login.success&format=xlsx",
            app.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(file.status(), StatusCode::OK);
    assert!(
        file.bytes().await.unwrap().starts_with(b"PK"),
        "an xlsx is a zip"
    );
}

async fn the_audit_export_is_csv_with_a_bom_or_xlsx_and_is_itself_audited(app: TestApp) {
    let (_, admin) = admin(&app, "审计管理员").await;
    let (_, phone) = app.register("worker", "柑橘专家", "511011").await;
    wrong_password(&app, &phone).await;
    wrong_password(&app, &phone).await;
    let response = app
        .client
        .get(format!(
            "{}/api/v1/admin/audit/export?outcome=failure",
            app.url
        ))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("filename*=UTF-8''%E5%AE%A1%E8%AE%A1%E6%97%A5%E5%BF%97.csv")
    );
    let bytes = response.bytes().await.unwrap();
    assert!(
        bytes.starts_with(&[0xEF, 0xBB, 0xBF]),
        "UTF-8 with BOM, for Excel"
    );
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "编号,时间,操作人,手机号,操作,操作代码,结果,对象,来源地址,详情"
    );
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[1].contains(",柑橘专家,") && lines[1].contains(",登录失败,login.failure,失败,"));

    let xlsx = app
        .client
        .get(format!("{}/api/v1/admin/audit/export?format=xlsx", app.url))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), StatusCode::OK);
    assert!(
        xlsx.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("spreadsheetml")
    );
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));

    let (status, reply) = app
        .get("/api/v1/admin/audit/export?format=pdf", Some(&admin))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        reply["error"]["fields"]["format"],
        "导出格式应为 csv 或 xlsx"
    );

    let exports = audit(&app, "action=audit.exported", &admin).await;
    assert_eq!(exports["total"], 2, "each export is audited: {exports}");
    assert!(
        exports["items"][1]["detail"]
            .as_str()
            .unwrap()
            .starts_with("2 rows as csv;")
    );
}

async fn audit_rows_cannot_be_changed(app: TestApp) {
    let (_, phone) = app.register("worker", "柑橘专家", "511011").await;
    wrong_password(&app, &phone).await;
    let before = app.count("audit_log").await;
    assert!(before > 0);
    let statements = [
        "UPDATE audit_log SET detail = 'nothing happened'",
        "UPDATE audit_log SET outcome = 'success' WHERE outcome = 'failure'",
        "DELETE FROM audit_log",
        "DELETE FROM audit_log WHERE action = 'login.failure'",
    ];
    for sql in statements {
        let result = tianfu::on_db!(&app.app.db, pool => sqlx::query(sql).execute(pool).await.map(|done| done.rows_affected()));
        let error = result.expect_err(sql);
        assert!(error.to_string().contains("append-only"), "{sql}: {error}");
    }
    if app.backend == Backend::Postgres {
        let tianfu::platform::db::Db::Postgres(pool) = &app.app.db else {
            unreachable!()
        };
        let error = sqlx::query("TRUNCATE audit_log")
            .execute(pool)
            .await
            .expect_err("TRUNCATE is refused too");
        assert!(error.to_string().contains("append-only"), "{error}");
    }
    assert_eq!(app.count("audit_log").await, before);
    assert_eq!(
        app.count_where(
            "audit_log",
            "detail = 'nothing happened' OR outcome = 'success' AND action = 'login.failure'"
        )
        .await,
        0
    );

    // And no code path of the application tries: no UPDATE or DELETE of audit_log in its source.
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut pending = vec![src];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap().to_lowercase();
                for forbidden in [
                    "update audit_log",
                    "delete from audit_log",
                    "truncate audit_log",
                ] {
                    assert!(
                        !text.contains(forbidden),
                        "{} writes over audit rows",
                        path.display()
                    );
                }
            }
        }
    }
}

fn sorted(mut ids: Vec<i64>) -> Vec<i64> {
    ids.sort_unstable();
    ids
}

/// The figures a visitor, an administrator and the search show, to compare before and after.
async fn figures(client: &reqwest::Client, base: &str, admin: &str) -> Value {
    let get = |path: String| {
        let request = client.get(format!("{base}{path}")).bearer_auth(admin);
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            response.json::<Value>().await.unwrap()
        }
    };
    let offers = get("/api/v1/offers?per_page=100".into()).await;
    let needs = get("/api/v1/needs?per_page=100".into()).await;
    let users = get("/api/v1/admin/users?per_page=1".into()).await;
    let search = get("/api/v1/search?q=%E6%9F%91%E6%A9%98".into()).await;
    let province = get("/api/v1/stats/regions/51?from=2020-01-01&to=2029-12-31".into()).await;
    let ids = |list: &Value| -> Vec<i64> {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect()
    };
    json!({
        "offers": {"total": offers["total"], "ids": ids(&offers)},
        "needs": {"total": needs["total"], "ids": ids(&needs)},
        "users": users["total"],
        // The same documents; scores may differ a little in a fresh index (no deleted documents).
        "search": {"total": search["total"], "ids": sorted(ids(&search))},
        "metrics": province["metrics"],
    })
}

async fn backup_of_a_running_app_restores_into_an_empty_directory_with_the_same_figures(
    app: TestApp,
) {
    let target = app.app.config.data_dir.join("backup");
    if app.backend == Backend::Postgres {
        // pg_dump's job: guidance, exit 2, nothing written.
        for command in ["backup", "restore"] {
            let output = Command::new(env!("CARGO_BIN_EXE_tianfu"))
                .args([command, target.to_str().unwrap()])
                .env("TIANFU_DATABASE_URL", &app.app.config.database_url)
                .env("TIANFU_DATA_DIR", app.app.config.data_dir.join("process"))
                .env("RUST_LOG", "warn")
                .output()
                .unwrap();
            assert_eq!(output.status.code(), Some(2), "{command}");
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(
                stderr.contains("pg_dump") && stderr.contains("pg_restore"),
                "{stderr}"
            );
            assert!(!target.exists(), "{command} wrote nothing");
        }
        return;
    }

    // A small market: published capabilities and a need, a deal signed by both sides.
    let (admin_phone, admin) = admin(&app, "备份管理员").await;
    let m = crate::deals::market(&app).await;
    let staff = app.staff("5110", "worker").await;
    for title in ["柑橘裂果综合防控技术", "柑橘黄龙病绿色防控"] {
        let id = crate::market::create(
            &app,
            &m.scientist,
            "/api/v1/offers",
            &crate::market::offer_body(title),
        )
        .await;
        crate::market::approve(&app, &staff, "offer", id).await;
    }
    let body = json!({"need_id": m.need, "offer_id": m.offer, "contract_type": "service", "amount_fen": 8_000_000});
    let (status, deal) = app.post("/api/v1/deals", &body, Some(&m.enterprise)).await;
    assert_eq!(status, StatusCode::CREATED, "{deal}");
    let deal = deal["id"].as_i64().unwrap();
    crate::deals::transition(&app, deal, "negotiating", &m.scientist).await;
    crate::deals::transition(&app, deal, "signed", &m.enterprise).await;
    let (_, signed) = crate::deals::transition(&app, deal, "signed", &m.scientist).await;
    assert_eq!(signed["stage"], "signed");
    app.settle().await;
    tianfu::market::indexer::catch_up(&app.app).await.unwrap();
    // A deal contract on disk, as an upload leaves it.
    let contract = app.app.config.data_dir.join("deal_contracts/ab/ab12");
    std::fs::create_dir_all(contract.parent().unwrap()).unwrap();
    std::fs::write(&contract, b"%PDF-1.4 contract").unwrap();
    let before = figures(&app.client, &app.url, &admin).await;
    assert_eq!(before["offers"]["total"], 3, "{before}");
    assert_eq!(before["search"]["total"], 2, "{before}");
    assert!(
        before["metrics"]["deals_amount_fen"].as_i64().unwrap() > 0,
        "{before}"
    );

    // Online: the server keeps answering while and after the snapshot is taken.
    let (manifest, during) = tokio::join!(
        tianfu::backup::backup(&app.app.config, &target),
        app.client
            .get(format!("{}/api/v1/offers?per_page=1", app.url))
            .send()
    );
    let manifest = manifest.unwrap();
    assert_eq!(during.unwrap().status(), StatusCode::OK);
    assert!(manifest.schema_version >= 17);
    assert_eq!(manifest.counts["users"], before["users"].as_i64().unwrap());
    assert_eq!(manifest.counts["deals"], 1);
    let files: Vec<&str> = manifest.files.iter().map(|f| f.path.as_str()).collect();
    assert!(files.contains(&"deal_contracts/ab/ab12"), "{files:?}");
    assert!(
        files.iter().all(|f| !f.starts_with("index/")
            && !f.starts_with("tianfu.db")
            && !f.starts_with("backup/")),
        "no index, no live database files, not the backup itself: {files:?}"
    );
    assert!(target.join("manifest.json").is_file());
    let again = tianfu::backup::backup(&app.app.config, &target).await;
    assert!(again.unwrap_err().to_string().contains("不为空"));

    // Restore into an empty directory; a second restore there is refused.
    let restored_dir = std::env::temp_dir().join(format!(
        "tianfu_restored_{}_{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap()
    ));
    let mut config = app.app.config.clone();
    config.data_dir = restored_dir.clone();
    config.database_url = format!("sqlite://{}", restored_dir.join("tianfu.db").display());
    tianfu::backup::restore(&config, &target).await.unwrap();
    let twice = tianfu::backup::restore(&config, &target).await.unwrap_err();
    assert!(twice.to_string().contains("不会覆盖已有数据库"), "{twice}");
    assert!(
        !restored_dir.join("index").exists(),
        "the index is not restored"
    );
    assert_eq!(
        std::fs::read(restored_dir.join("deal_contracts/ab/ab12")).unwrap(),
        b"%PDF-1.4 contract"
    );

    // A tampered backup is refused before anything is written.
    let tampered_dir = restored_dir.with_extension("tampered");
    std::fs::write(target.join("files/deal_contracts/ab/ab12"), b"forged").unwrap();
    let mut tampered = config.clone();
    tampered.data_dir = tampered_dir.clone();
    tampered.database_url = format!("sqlite://{}", tampered_dir.join("tianfu.db").display());
    let refused = tianfu::backup::restore(&tampered, &target)
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("备份已损坏"), "{refused}");
    assert!(!tampered_dir.join("tianfu.db").exists());

    // Started from the restored directory, it serves the same figures and search results.
    let restored = tianfu::App::start(config).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = tianfu::Server::new(restored.clone(), listener);
    let base = format!("http://{}", server.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(server.run(async move {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::new();
    let login: Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"phone": admin_phone, "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let restored_admin = login["token"]
        .as_str()
        .expect("the admin signs in")
        .to_owned();
    let after = figures(&client, &base, &restored_admin).await;
    assert_eq!(after, before);
    assert!(
        restored_dir.join("index/outbox_position").is_file(),
        "the index was rebuilt"
    );
    let _ = stop.send(());
    running.await.unwrap().unwrap();
    let _ = std::fs::remove_dir_all(&restored_dir);
    let _ = std::fs::remove_dir_all(&tampered_dir);
}

on_both_databases!(
    administrators_search_the_audit_log_by_every_condition,
    the_audit_page_is_for_administrators_and_linked_from_the_console,
    the_audit_export_is_csv_with_a_bom_or_xlsx_and_is_itself_audited,
    audit_rows_cannot_be_changed,
    backup_of_a_running_app_restores_into_an_empty_directory_with_the_same_figures,
);
