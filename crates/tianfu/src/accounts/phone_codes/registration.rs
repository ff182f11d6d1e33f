//! The code at registration, when the site verifies phones (`Config::verify_phone`).

use tianfu_domain::{FieldErrors, Phone};

use super::{MISSING, Purpose};
use crate::App;
use crate::platform::error::AppError;

/// The field errors to start validation with: a missing code is reported with every other bad
/// field at once.
pub fn expect_code(app: &App, code: Option<&str>) -> FieldErrors {
    let mut errors = FieldErrors::new();
    if app.config.verify_phone && code.is_none_or(|c| c.trim().is_empty()) {
        errors.add("sms_code", MISSING);
    }
    errors
}

/// Uses the registration code of `phone` (once the rest of the request is valid).
pub async fn redeem(app: &App, phone: &Phone, code: Option<&str>) -> Result<(), AppError> {
    if !app.config.verify_phone {
        return Ok(());
    }
    super::redeem(app, phone.as_str(), Purpose::Register, code, "sms_code").await
}
