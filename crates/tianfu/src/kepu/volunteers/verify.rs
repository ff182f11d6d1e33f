//! `/kepu/certificates/verify?number=`: anyone handed a printed 志愿服务时长证明 (a school, an
//! employer, a 文明实践 station) checks its number against the ledger. The number names the
//! person and the year and carries a check of the total; it is valid when it matches the total
//! printed at some point of that year (hours only grow within a year), and the page says the
//! hours it certified and that person's name, partly hidden — nothing else about them.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{hours, rules};
use crate::platform::auth::{Actor, MaybeUser};
use crate::platform::page::PageError;
use crate::{AppState, on_db};

#[derive(Debug, Default, Deserialize)]
pub struct VerifyParams {
    number: Option<String>,
}

/// What the ledger says about a number.
pub struct Verdict {
    pub name: String,
    pub year: i32,
    pub hours: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "kepu/volunteers/verify.html")]
pub struct VerifyPage {
    me: Option<Actor>,
    number: String,
    valid: Option<Verdict>,
    error: Option<String>,
}

/// 张三 → 张*; 欧阳小明 → 欧***.
fn hide_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
        None => String::new(),
    }
}

pub async fn verify(
    State(app): State<AppState>,
    MaybeUser(me): MaybeUser,
    Query(params): Query<VerifyParams>,
) -> Result<Response, PageError> {
    let number = params.number.unwrap_or_default().trim().to_owned();
    let page = |valid, error: Option<&str>| VerifyPage {
        me: me.clone(),
        number: number.clone(),
        valid,
        error: error.map(str::to_owned),
    };
    if number.is_empty() {
        return Ok(page(None, None).into_response());
    }
    let refused = "未找到与该编号相符的志愿服务时长记录，请核对编号（证明可能被改动）";
    let Some((year, user)) = rules::parse_verification_number(&number)
        .filter(|(year, _)| rules::check_year(*year).is_ok())
    else {
        let body = page(
            None,
            Some("编号格式应为 ZY年份-用户编号-8位校验码，如 ZY2026-000123-1A2B3C4D"),
        );
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, body).into_response());
    };
    let served = hours::of_person(&app.db, user, year).await?;
    let minutes: Vec<i64> = served.items.iter().map(|i| i.minutes).collect();
    let wanted = number.to_ascii_uppercase();
    let Some((total, _)) = rules::printed_totals(user, year, &minutes)
        .into_iter()
        .find(|(_, printed)| *printed == wanted)
    else {
        return Ok((StatusCode::NOT_FOUND, page(None, Some(refused))).into_response());
    };
    let name: Option<String> = on_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT name FROM users WHERE id = $1").bind(user).fetch_optional(pool).await)?;
    let verdict = Verdict {
        name: hide_name(&name.unwrap_or_default()),
        year,
        hours: rules::hours_label(total),
    };
    Ok(page(Some(verdict), None).into_response())
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_keep_only_their_first_character() {
        assert_eq!(super::hide_name("张三"), "张*");
        assert_eq!(super::hide_name("欧阳小明"), "欧***");
        assert_eq!(super::hide_name(""), "");
    }
}
