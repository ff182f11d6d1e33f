//! The login act shared by the API and the pages: refuse while the address or the account must
//! wait (`login_guard`), check the password, and audit every outcome. A wrong password and an
//! unknown phone get the same answer, after the same work (a dummy hash for an unknown phone).
//! An attempt from a device known for the phone is counted against that device, not the
//! account (`login_guard::device`), so strangers' guesses cannot hold the owner up.

use tianfu_domain::{Phone, UserId};

use super::login_guard::{self, WRONG_CREDENTIALS};
use super::store;
use crate::App;
use crate::platform::audit::{self, AuditEntry};
use crate::platform::auth::verify_password;
use crate::platform::error::AppError;

/// Returns the user whose phone and password these are.
pub async fn authenticate(
    app: &App,
    phone: &str,
    password: &str,
    ip: Option<&str>,
    device: Option<&str>,
) -> Result<UserId, AppError> {
    let now = app.clock.now();
    let audit = |actor: Option<UserId>,
                 action: &'static str,
                 subject: String,
                 detail: &'static str| async move {
        audit::record(
            &app.db,
            now,
            AuditEntry {
                actor,
                action,
                subject: &subject,
                ip,
                detail,
            },
        )
        .await;
    };
    let Ok(phone) = Phone::parse(phone) else {
        return Err(AppError::validation("phone", "请输入11位手机号"));
    };
    login_guard::check_address(app, &phone, ip).await?;
    let device = login_guard::device::known_for(&app.db, device, phone.as_str(), now).await?;
    let claimed = login_guard::claim_account(app, &phone, ip, device.as_deref()).await?;
    let credentials = store::credentials_by_phone(&app.db, phone.as_str()).await?;
    let stored = credentials.as_ref().map(|c| c.password_hash.clone());
    if verify_password(password.to_owned(), stored).await {
        let id = UserId(
            credentials
                .as_ref()
                .map(|c| c.id)
                .expect("a verified password has a user"),
        );
        login_guard::forget_claim(app, phone.as_str(), &claimed).await?;
        audit(Some(id), "login.success", phone.masked(), "").await;
        return Ok(id);
    }
    login_guard::failed(app, &phone, Some(&claimed), ip).await?;
    let (id, detail) = match &credentials {
        Some(c) => (Some(UserId(c.id)), "wrong password"),
        None => (None, "unknown phone"),
    };
    audit(id, "login.failure", phone.masked(), detail).await;
    Err(AppError::Unauthorized(WRONG_CREDENTIALS.into()))
}
