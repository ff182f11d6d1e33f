//! Accounts: registration for scientists, organisations, the public and volunteers; login and
//! logout (cookie for pages, bearer token for the API); growing delays after wrong passwords
//! (`login_guard`); codes sent by SMS for registration, sign-in and password reset
//! (`phone_codes`); the account page and `GET /api/v1/me`; one's sessions (`sessions`),
//! password change (`password`) and the staff second factor (`totp`).

pub mod api;
pub mod login;
pub mod login_guard;
pub mod pages;
pub mod password;
pub mod phone_codes;
pub mod profile_edit;
pub mod register;
pub mod sessions;
pub mod store;
pub mod terms;
pub mod totp;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/register", post(api::register))
        .route("/api/v1/auth/login", post(api::login))
        .route("/api/v1/auth/logout", post(api::logout))
        .route("/api/v1/me", get(api::me))
        .route("/", get(pages::home))
        .route(
            "/register",
            get(pages::register_form).post(pages::register_submit),
        )
        .route("/login", get(pages::login_form).post(pages::login_submit))
        .route("/logout", post(pages::logout))
        .route("/me", get(pages::me))
        .route("/me/edit", get(profile_edit::form).post(profile_edit::save))
        .route("/agreement", get(terms::agreement))
        .route("/privacy", get(terms::privacy))
        .merge(sessions::routes())
        .merge(password::routes())
        .merge(totp::routes())
        .merge(phone_codes::routes())
}
