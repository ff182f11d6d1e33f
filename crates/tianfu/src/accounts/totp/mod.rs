//! The second factor for staff and administrators (等保 level 3, 身份鉴别: two factors for
//! administrators): a TOTP authenticator app, enrolled at `/me/totp` by scanning a QR code and
//! confirming a first code. Once enrolled, logging in needs a code besides the password: the API
//! login takes `totp_code`; the login page asks for it in a second step (`/login/totp`) that holds
//! only a short-lived random challenge, never the password. A code is accepted once.
//!
//! The secret is kept server-side in base32 in `users.totp_secret` (it must be readable to check
//! codes, so it cannot be hashed); database backups therefore hold it and are protected as such.

pub mod code;
pub mod gate;
pub mod login;
pub mod pages;
pub mod store;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login/totp", post(login::submit))
        .route("/me/totp", get(pages::page))
        .route("/me/totp/start", post(pages::start))
        .route("/me/totp/confirm", post(pages::confirm))
        .route("/me/totp/disable", post(pages::disable))
}
