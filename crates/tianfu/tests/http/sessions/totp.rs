//! The TOTP second factor: enrolment, login with a code, replay refused, the login page's second step.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;
use tianfu::accounts::totp::code::code_at;

use crate::common::{Backend, PASSWORD, TestApp, session_cookie};
use tianfu::platform::session_policy::{SessionPolicy, StaffTotp};

fn secret_of(html: &str) -> String {
    let marker = "id=\"totp-secret\">";
    let start = html.find(marker).expect("the secret is shown") + marker.len();
    html[start..]
        .split('<')
        .next()
        .unwrap_or_default()
        .to_owned()
}

fn challenge_of(html: &str) -> String {
    let marker = "name=\"challenge\" value=\"";
    let start = html.find(marker).expect("a challenge") + marker.len();
    html[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned()
}

async fn a_staff_member_enrols_totp_and_then_logs_in_with_a_code(app: TestApp) {
    let phone = app.staff_member("5110", "worker", "内江工作人员").await;
    let browser = app.signed_in(&phone).await;
    let started = browser
        .post(format!("{}/me/totp/start", app.url))
        .form(&[("csrf_token", "")])
        .send()
        .await
        .expect("start");
    assert_eq!(started.status(), StatusCode::SEE_OTHER);
    let html = browser
        .get(format!("{}/me/totp", app.url))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(html.contains("<svg"), "a QR code: {html}");
    let secret = secret_of(&html);
    let now = || app.app.clock.now().timestamp();
    let wrong = |code: &str| if code == "000000" { "111111" } else { "000000" }.to_owned();

    let first = code_at(&secret, now()).expect("code");
    let refused = browser
        .post(format!("{}/me/totp/confirm", app.url))
        .form(&[("csrf_token", ""), ("totp_code", wrong(&first).as_str())])
        .send()
        .await
        .expect("confirm");
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let login = json!({"phone": phone, "password": PASSWORD});
    assert_eq!(
        app.post("/api/v1/auth/login", &login, None).await.0,
        StatusCode::OK,
        "not on before it is confirmed"
    );
    let confirmed = browser
        .post(format!("{}/me/totp/confirm", app.url))
        .form(&[("csrf_token", ""), ("totp_code", first.as_str())])
        .send()
        .await
        .expect("confirm");
    assert_eq!(confirmed.status(), StatusCode::SEE_OTHER);

    // The API: without a code, a wrong one, the right one, the same one again.
    let (status, reply) = app.post("/api/v1/auth/login", &login, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{reply}");
    assert_eq!(reply["error"]["code"], "totp_required");
    assert!(reply["error"]["fields"]["totp_code"].is_string());
    app.app.clock.advance(Duration::seconds(60));
    let code = code_at(&secret, now()).expect("code");
    let with = |code: &str| json!({"phone": phone, "password": PASSWORD, "totp_code": code});
    let (status, reply) = app
        .post("/api/v1/auth/login", &with(&wrong(&code)), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{reply}");
    assert_eq!(reply["error"]["code"], "totp_invalid");
    let (status, reply) = app.post("/api/v1/auth/login", &with(&code), None).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    let (status, reply) = app.post("/api/v1/auth/login", &with(&code), None).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a code works once: {reply}"
    );
    assert_eq!(reply["error"]["code"], "totp_invalid");

    // The page: the password, then the second step.
    app.app.clock.advance(Duration::seconds(60));
    let step = app
        .browser()
        .post(format!("{}/login", app.url))
        .form(&[("phone", phone.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .expect("login");
    assert_eq!(step.status(), StatusCode::OK);
    assert!(
        session_cookie(&step).is_none(),
        "no session before the code"
    );
    let html = step.text().await.expect("html");
    assert!(html.contains("动态验证码"));
    assert!(!html.contains(PASSWORD), "the password is not carried");
    let challenge = challenge_of(&html);
    let code = code_at(&secret, now()).expect("code");
    let refused = app
        .browser()
        .post(format!("{}/login/totp", app.url))
        .form(&[
            ("challenge", challenge.as_str()),
            ("totp_code", wrong(&code).as_str()),
        ])
        .send()
        .await
        .expect("step");
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert!(session_cookie(&refused).is_none());
    let done = app
        .browser()
        .post(format!("{}/login/totp", app.url))
        .form(&[
            ("challenge", challenge.as_str()),
            ("totp_code", code.as_str()),
        ])
        .send()
        .await
        .expect("step");
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert!(session_cookie(&done).is_some());
    let again = app
        .browser()
        .post(format!("{}/login/totp", app.url))
        .form(&[
            ("challenge", challenge.as_str()),
            ("totp_code", code.as_str()),
        ])
        .send()
        .await
        .expect("step");
    assert!(
        session_cookie(&again).is_none(),
        "a challenge is taken once"
    );

    // Turning it off needs a current code.
    app.app.clock.advance(Duration::seconds(60));
    let code = code_at(&secret, now()).expect("code");
    let off = browser
        .post(format!("{}/me/totp/disable", app.url))
        .form(&[("csrf_token", ""), ("totp_code", code.as_str())])
        .send()
        .await
        .expect("disable");
    assert_eq!(off.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.post("/api/v1/auth/login", &login, None).await.0,
        StatusCode::OK
    );
    let actions = app.audit_actions().await;
    assert!(actions.contains(&"totp.enabled".to_owned()));
    assert!(actions.contains(&"totp.disabled".to_owned()));
    assert!(actions.contains(&"login.second_factor.failure".to_owned()));
}

on_both_databases_with_real_sessions!(a_staff_member_enrols_totp_and_then_logs_in_with_a_code,);

/// `TIANFU_STAFF_TOTP=required`: a staff member without an authenticator is led through
/// enrolment at login; others log in as before.
async fn a_required_factor_leads_unenrolled_staff_through_enrolment(app: TestApp) {
    let phone = app.staff_member("5110", "worker", "内江工作人员").await;
    let login = json!({"phone": phone, "password": PASSWORD});
    let (status, reply) = app.post("/api/v1/auth/login", &login, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{reply}");
    assert_eq!(reply["error"]["code"], "totp_enrolment_required");
    let (_, person) = app.register("worker", "李建国", "511011").await;
    app.login(&person).await;

    let step = app
        .browser()
        .post(format!("{}/login", app.url))
        .form(&[("phone", phone.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .expect("login");
    assert_eq!(step.status(), StatusCode::OK);
    assert!(session_cookie(&step).is_none());
    let html = step.text().await.expect("html");
    assert!(html.contains("<svg"), "the QR code: {html}");
    let secret = secret_of(&html);
    let challenge = challenge_of(&html);
    let code = code_at(&secret, app.app.clock.now().timestamp()).expect("code");
    let done = app
        .browser()
        .post(format!("{}/login/totp", app.url))
        .form(&[
            ("challenge", challenge.as_str()),
            ("totp_code", code.as_str()),
        ])
        .send()
        .await
        .expect("step");
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert!(session_cookie(&done).is_some(), "enrolled and signed in");
    let (status, reply) = app.post("/api/v1/auth/login", &login, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply["error"]["code"], "totp_required", "now enrolled");
}

mod required {
    use super::*;

    async fn spawn(backend: Backend) -> TestApp {
        let sessions = SessionPolicy {
            staff_totp: StaffTotp::Required,
            ..SessionPolicy::default()
        };
        TestApp::spawn_with(backend, |c| c.sessions = sessions).await
    }

    #[tokio::test]
    async fn sqlite() {
        a_required_factor_leads_unenrolled_staff_through_enrolment(spawn(Backend::Sqlite).await)
            .await;
    }

    #[tokio::test]
    async fn postgres() {
        a_required_factor_leads_unenrolled_staff_through_enrolment(spawn(Backend::Postgres).await)
            .await;
    }
}
