//! A visitor who scanned an activity's check-in code while signed out is sent to
//! `/login?next=…`; following 注册 from there keeps that link through the form (and through the
//! no-JavaScript 获取验证码 round trip), and registering lands on it. A `next` that would leave
//! the site is dropped: registering then lands on the welcome page, as before.

use reqwest::StatusCode;

use crate::common::{PASSWORD, TestApp};
use crate::on_both_databases;
use crate::phone_public::{get, post};

/// Where a scanned venue code sends a visitor who is not signed in.
const CHECKIN: &str = "/kepu/checkin?activity=7&code=ABCDEFGHJK";

/// Registers a resident of 邻水县 through the form, with `next` as the form carries it, and
/// answers (status, Location).
async fn register_with(app: &TestApp, next: &str) -> (StatusCode, String) {
    let browser = app.browser();
    let phone = app.phone();
    let sms_code = app.code_for(&phone, "register").await;
    let fields = [
        ("role", "public"),
        ("name", "扫码群众"),
        ("phone", phone.as_str()),
        ("password", PASSWORD),
        ("password_confirm", PASSWORD),
        ("province", "51"),
        ("city", "5116"),
        ("county", "511623"),
        ("sms_code", sms_code.as_str()),
        ("agree", "1"),
        ("next", next),
    ];
    let (status, location, body) = post(app, &browser, "/register", &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    (status, location)
}

async fn the_login_pages_register_link_and_the_form_carry_next(app: TestApp) {
    let browser = app.browser();
    let (status, login) = get(
        &app,
        &browser,
        "/login?next=%2Fkepu%2Fcheckin%3Factivity%3D7%26code%3DABCDEFGHJK",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let link = "/register?next=/kepu/checkin%3Factivity%3D7%26code%3DABCDEFGHJK";
    assert!(login.contains(&format!("href=\"{link}\"")), "{login}");
    // Without a `next` the link stays plain.
    let (_, plain) = get(&app, &browser, "/login").await;
    assert!(plain.contains("href=\"/register\""), "{plain}");

    let (status, form) = get(&app, &browser, link).await;
    assert_eq!(status, StatusCode::OK);
    // The hidden field holds the decoded path (askama escapes `&`).
    assert!(
        form.contains("name=\"next\" value=\"/kepu/checkin?activity=7&#38;code=ABCDEFGHJK\"")
            || form
                .contains("name=\"next\" value=\"/kepu/checkin?activity=7&amp;code=ABCDEFGHJK\""),
        "{form}"
    );
    // 已有账号？登录 goes back with it too.
    assert!(form.contains("href=\"/login?next=/kepu/checkin%3Factivity"));
    // An off-site `next` is not even written into the form.
    let (_, evil) = get(&app, &browser, "/register?next=//evil.example").await;
    assert!(!evil.contains("evil.example"), "{evil}");

    // Asking for the code without JavaScript comes back with `next` still there.
    let phone = app.phone();
    let (status, location, _) = post(
        &app,
        &browser,
        "/phone-codes",
        &[
            ("phone", &phone),
            ("purpose", "register"),
            ("next", CHECKIN),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        location.ends_with("&code=sent&next=/kepu/checkin%3Factivity%3D7%26code%3DABCDEFGHJK"),
        "{location}"
    );
}

async fn registering_lands_on_a_local_next_and_never_off_site(app: TestApp) {
    let (_, location) = register_with(&app, CHECKIN).await;
    assert_eq!(location, CHECKIN);
    for evil in [
        "//evil.example",
        "/%09/evil.example",
        "https://evil.example/",
        "/\\evil.example",
    ] {
        let (_, location) = register_with(&app, evil).await;
        assert_eq!(location, "/me?welcome=1", "{evil}");
    }
    let (_, location) = register_with(&app, "").await;
    assert_eq!(location, "/me?welcome=1");
    assert_eq!(app.count_where("users", "name = '扫码群众'").await, 6);
}

on_both_databases!(
    the_login_pages_register_link_and_the_form_carry_next,
    registering_lands_on_a_local_next_and_never_off_site,
);
