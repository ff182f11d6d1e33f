//! Six months after an edition closes, both sides of each accepted meeting and each deal made at
//! it are asked what came of it (`ask_due`, run hourly by `jobs`); each person answers once.

use chrono::Duration;
use tianfu_domain::FieldErrors;
use tianfu_domain::fair::{OUTCOME_AFTER_DAYS, Outcome};

use super::store::{self, OutcomeRow};
use crate::App;
use crate::platform::auth::Actor;
use crate::platform::error::AppError;
use crate::platform::tx::Guarded;

/// The longest note a person may add to their answer.
pub const MAX_NOTE: usize = 500;

/// Asks for the outcomes of every edition whose fair closed at least
/// [`OUTCOME_AFTER_DAYS`] ago and was not asked yet. Each edition is claimed by one guarded
/// statement in the transaction that puts its questions, so two nodes (or a test and the job)
/// never ask twice. Answers how many questions were put.
pub async fn ask_due(app: &App) -> Result<usize, AppError> {
    let now = app.clock.now();
    let due = store::due(&app.db, now - Duration::days(OUTCOME_AFTER_DAYS), now).await?;
    let mut asked = 0;
    for (fair_id, name) in due {
        let mut tx = app.db.begin().await?;
        if store::claim(&mut tx, fair_id, now).await? == Guarded::Lost {
            continue;
        }
        let put = store::ask(&mut tx, fair_id, &name, now).await?;
        tx.commit().await?;
        tracing::info!(fair_id, questions = put, "fair outcomes asked");
        asked += put as usize;
    }
    Ok(asked)
}

/// What a person answered, checked.
pub struct Answer {
    pub outcome: Outcome,
    pub note: Option<String>,
}

pub fn check_answer(outcome: &str, note: Option<&str>) -> Result<Answer, AppError> {
    let mut errors = FieldErrors::new();
    let outcome = errors.check("outcome", Outcome::parse(outcome));
    if note.is_some_and(|n| n.chars().count() > MAX_NOTE) {
        errors.add("note", format!("补充说明不能超过{MAX_NOTE}字"));
    }
    errors.into_result()?;
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    Ok(Answer {
        outcome: outcome.expect("checked"),
        note: note.map(str::to_owned),
    })
}

/// The person asked answers their question, once.
pub async fn answer(
    app: &App,
    actor: &Actor,
    id: i64,
    outcome: &str,
    note: Option<&str>,
) -> Result<OutcomeRow, AppError> {
    let row = store::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("对接成效调查"))?;
    if row.user_id != actor.id.0 {
        return Err(AppError::Forbidden("只能填写本人的对接成效".into()));
    }
    let answer = check_answer(outcome, note)?;
    let answered = || AppError::Conflict {
        message: "您已填写过这项对接成效".into(),
        fields: FieldErrors::single("outcome", "已填写"),
    };
    if row.answered_at.is_some() {
        return Err(answered());
    }
    let saved = store::answer(
        &app.db,
        id,
        actor.id.0,
        answer.outcome.as_str(),
        answer.note.as_deref(),
        app.clock.now(),
    )
    .await?;
    if saved == Guarded::Lost {
        return Err(answered());
    }
    store::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("对接成效调查"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_names_one_of_the_five_outcomes() {
        let ok = check_answer("negotiating", Some("  正在谈第二期合作 ")).unwrap();
        assert_eq!(ok.outcome, Outcome::Negotiating);
        assert_eq!(ok.note.as_deref(), Some("正在谈第二期合作"));
        assert!(
            check_answer("agreement", Some("  "))
                .unwrap()
                .note
                .is_none()
        );
        assert!(check_answer("maybe", None).is_err());
        assert!(check_answer("none", Some(&"长".repeat(MAX_NOTE + 1))).is_err());
    }
}
