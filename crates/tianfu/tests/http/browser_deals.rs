//! The deal journey in a real browser: a scientist answers an inquiry on their capability and
//! proposes the deal from the thread; both sides sign from the deal's page. On a phone's width
//! with SQLite and a desktop's with PostgreSQL, so that both sizes and both engines are walked.

use serde_json::json;

use crate::browser::run_script;
use crate::common::{Backend, PASSWORD, TestApp};
use crate::market::{approve, create, need_body, offer_body};
use crate::on_both_databases;

async fn a_scientist_answers_an_inquiry_and_proposes_the_deal(app: TestApp) {
    let (_, scientist_phone) = app.register("worker", "蛋鸡专家", "511011").await;
    let (_, enterprise_phone) = app.register("org", "内江蛋业", "511024").await;
    let scientist = app.login(&scientist_phone).await;
    let enterprise = app.login(&enterprise_phone).await;
    let offer = create(
        &app,
        &scientist,
        "/api/v1/offers",
        &offer_body("蛋鸡产蛋率提升技术服务"),
    )
    .await;
    let need_title = "蛋鸡产蛋率低，想找专家上门指导";
    let need = create(&app, &enterprise, "/api/v1/needs", &need_body(need_title)).await;
    approve(&app, &app.staff("5110", "worker").await, "offer", offer).await;
    approve(&app, &app.staff("5110", "org").await, "need", need).await;
    let body = json!({"target_kind": "offer", "target_id": offer, "message": "我们有两万只蛋鸡，产蛋率只有七成，想请您来看看"});
    let (status, reply) = app
        .post("/api/v1/inquiries", &body, Some(&enterprise))
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{reply}");
    app.settle().await;
    let size = if app.backend == Backend::Sqlite {
        "phone"
    } else {
        "desktop"
    };
    let label = format!("{:?}", app.backend).to_lowercase();
    let stdout = run_script(
        "deal_from_inquiry.mjs",
        vec![
            app.url.clone(),
            scientist_phone,
            enterprise_phone,
            PASSWORD.into(),
            need_title.into(),
            size.into(),
            label,
        ],
    )
    .await;
    assert!(stdout.contains("closed the need's ticket"), "{stdout}");
    let (need_id, stage): (Option<i64>, String) = tianfu::on_db!(&app.app.db, pool => sqlx::query_as("SELECT need_id, stage FROM deals").fetch_one(pool).await.unwrap());
    assert_eq!((need_id, stage.as_str()), (Some(need), "signed"));
}

on_both_databases!(a_scientist_answers_an_inquiry_and_proposes_the_deal);
