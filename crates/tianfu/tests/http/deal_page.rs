//! A deal's page, `/me/deals/{id}`: the contract form (read and checked as the 签订交易 form
//! reads its file) and what the page says after each action.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::TestApp;
use crate::deal_flow::{multipart, phone_of};
use crate::deals::{Market, market};
use crate::on_both_databases;

/// A deal on the scientist's capability, proposed by the enterprise: its id.
async fn a_deal(app: &TestApp, m: &Market) -> i64 {
    let body = json!({"offer_id": m.offer, "contract_type": "service", "amount_fen": 100});
    let (status, deal) = app.post("/api/v1/deals", &body, Some(&m.enterprise)).await;
    assert_eq!(status, StatusCode::CREATED, "{deal}");
    deal["id"].as_i64().unwrap()
}

/// The contract chosen on the deal's page passes the same checks as a file sent with a
/// proposal: no file and a file that is not PDF/PNG/JPEG are refused on the page, naming what
/// is wrong and storing nothing; a PDF is kept.
async fn the_contract_form_checks_the_file_as_the_proposal_does(app: TestApp) {
    let m = market(&app).await;
    let deal = a_deal(&app, &m).await;
    let scientist = app.signed_in(&phone_of(&app, &m.scientist).await).await;
    let upload = |file: Option<(&'static str, &'static [u8])>| {
        let (content_type, body) = multipart(&[], file);
        scientist
            .post(format!("{}/me/deals/{deal}/contract", app.url))
            .header("content-type", content_type)
            .body(body)
    };
    for (file, message) in [
        (None, "请选择合同文件"),
        (
            Some(("合同.exe", b"MZ\x90\x00".as_slice())),
            "合同文件请上传 PDF，或 PNG/JPEG 扫描件",
        ),
    ] {
        let refused = upload(file).send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = refused.text().await.unwrap();
        assert!(page.contains(message), "{message}: {page}");
    }
    assert_eq!(app.count("deal_contracts").await, 0);

    let kept = upload(Some(("合同.pdf", b"%PDF-1.4 contract")))
        .send()
        .await
        .unwrap();
    assert_eq!(kept.status(), StatusCode::SEE_OTHER);
    let location = kept.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(location, format!("/me/deals/{deal}?done=uploaded"));
    assert_eq!(
        app.count_where("deal_contracts", &format!("deal_id = {deal}"))
            .await,
        1
    );
}

/// Each action on the deal's page comes back to it saying what it did (`?done=`): ending it,
/// then taking the ending back; a code the page does not know says nothing.
async fn the_page_says_what_each_action_did(app: TestApp) {
    let m = market(&app).await;
    let deal = a_deal(&app, &m).await;
    let enterprise = app.signed_in(&phone_of(&app, &m.enterprise).await).await;
    let act = |to: &'static str| {
        enterprise
            .post(format!("{}/me/deals/{deal}/transition", app.url))
            .form(&[("to", to)])
            .send()
    };
    for (to, code, message) in [
        ("terminated", "terminated", "交易已终止"),
        ("undo", "deal-restored", "已撤销终止，交易已恢复"),
        ("negotiating", "moved", "已更新交易阶段，已通知对方"),
    ] {
        let response = act(to).await.unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{to}");
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        assert_eq!(location, format!("/me/deals/{deal}?done={code}"));
        let page = app.page_as(&enterprise, &location).await;
        assert!(
            page.contains(&format!(r#"role="status">{message}</p>"#)),
            "{to}: {page}"
        );
    }
    let page = app
        .page_as(&enterprise, &format!("/me/deals/{deal}?done=bogus"))
        .await;
    assert!(!page.contains(r#"role="status""#), "{page}");
}

on_both_databases!(
    the_contract_form_checks_the_file_as_the_proposal_does,
    the_page_says_what_each_action_did,
);
