//! Editing one's own account details (`/me/edit`): the name. The region is changed where its
//! rules live: within one's county on 我的关注 (`/me/profile`, kepu::profile); moving to another
//! county would move one's nanny ticket and past figures, so the service centre does it.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tianfu_domain::{FieldErrors, PersonName, UserId};

use super::api::me_view;
use crate::AppState;
use crate::on_db;
use crate::platform::auth::{Actor, PageUser};
use crate::platform::db::Db;
use crate::platform::page::PageError;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EditForm {
    name: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/edit.html")]
pub struct EditPage {
    me: Option<Actor>,
    form: EditForm,
    region_name: String,
    errors: FieldErrors,
}

pub async fn form(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
) -> Result<EditPage, PageError> {
    let profile = me_view(&app, actor.id)
        .await
        .map_err(|e| PageError::new(e, Some(actor.clone())))?;
    Ok(EditPage {
        me: Some(actor),
        form: EditForm { name: profile.name },
        region_name: profile.region_name,
        errors: FieldErrors::new(),
    })
}

pub async fn save(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    Form(form): Form<EditForm>,
) -> Result<Response, PageError> {
    let name = match PersonName::parse(&form.name, "姓名", 50) {
        Ok(name) => name,
        Err(message) => {
            let page = EditPage {
                region_name: actor.region_name.clone(),
                me: Some(actor),
                form,
                errors: FieldErrors::single("name", &message),
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    rename(&app.db, actor.id, name.as_str())
        .await
        .map_err(|e| PageError::new(e.into(), Some(actor.clone())))?;
    Ok(Redirect::to("/me?saved=1").into_response())
}

/// One statement on one's own row.
async fn rename(db: &Db, user: UserId, name: &str) -> Result<(), sqlx::Error> {
    on_db!(db, pool => sqlx::query("UPDATE users SET name = $1 WHERE id = $2")
        .bind(name)
        .bind(user.0)
        .execute(pool)
        .await
        .map(|_| ()))
}
