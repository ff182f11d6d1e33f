use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tianfu_domain::FieldErrors;

use crate::AppState;
use crate::accounts::sessions::pages::PageSession;
use crate::platform::auth::Actor;
use crate::platform::error::AppError;
use crate::platform::page::PageError;

#[derive(Template, WebTemplate)]
#[template(path = "accounts/password.html")]
pub struct PasswordPage {
    me: Option<Actor>,
    errors: FieldErrors,
    done: bool,
}

#[derive(Debug, Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

pub async fn form(PageSession(me): PageSession, Query(query): Query<DoneQuery>) -> PasswordPage {
    PasswordPage {
        me: Some(me.actor),
        errors: FieldErrors::new(),
        done: query.done.is_some(),
    }
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    new_password_confirm: String,
}

pub async fn submit(
    State(app): State<AppState>,
    PageSession(me): PageSession,
    Form(form): Form<PasswordForm>,
) -> Result<Response, PageError> {
    let refused = |status: StatusCode, errors: FieldErrors, actor: Actor| {
        (
            status,
            PasswordPage {
                me: Some(actor),
                errors,
                done: false,
            },
        )
            .into_response()
    };
    if form.new_password != form.new_password_confirm {
        let errors = FieldErrors::single("new_password_confirm", "两次输入的新密码不一致");
        return Ok(refused(StatusCode::UNPROCESSABLE_ENTITY, errors, me.actor));
    }
    match super::change(&app, &me, &form.current_password, &form.new_password).await {
        Ok(_) => Ok(Redirect::to("/me/password?done=1").into_response()),
        Err(AppError::Internal(cause)) => {
            Err(PageError::new(AppError::Internal(cause), Some(me.actor)))
        }
        Err(refusal) => {
            let status = refusal.status();
            let mut errors = FieldErrors::new();
            for (field, message) in refusal.fields() {
                errors.add(&field, message);
            }
            Ok(refused(status, errors, me.actor))
        }
    }
}
