//! 您是不是要找 on `/search` and `GET /api/v1/search`: a search that found little gets a
//! correction towards words the market uses (甘橘, ganju → 柑橘; `tianfu_search::suggest`), and
//! one that found nothing shows the corrected search's results at once.

use serde::Serialize;
use tianfu_search::SearchQuery;
use utoipa::ToSchema;

use super::search::{SearchList, run};
use crate::App;
use crate::platform::error::AppError;

/// A correction of the words searched.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Suggestion {
    /// The corrected words, to search instead (e.g. 柑橘 for 甘橘 or ganju).
    pub text: String,
    /// Why, in Chinese: “甘橘”应为“柑橘”（同音） or 拼音“ganju”即“柑橘”.
    pub reason: String,
    /// The words searched found nothing, so `items` are the results of `text` instead.
    pub applied: bool,
}

/// Runs `query`; when it finds little and a correction exists, says so, and when it finds
/// nothing, answers with the corrected search's results.
pub async fn run_forgiving(app: &App, query: SearchQuery) -> Result<SearchList, AppError> {
    let typed = query.q.clone();
    let found = run(app, query.clone()).await?;
    let Some(better) = app.search.suggest(&typed, found.total.max(0) as usize) else {
        return Ok(found);
    };
    if found.total > 0 {
        let suggestion = Suggestion {
            text: better.text,
            reason: better.reason,
            applied: false,
        };
        return Ok(SearchList {
            suggestion: Some(suggestion),
            ..found
        });
    }
    let instead = run(
        app,
        SearchQuery {
            q: better.text.clone(),
            ..query
        },
    )
    .await?;
    // A correction that finds nothing either is no help.
    if instead.total == 0 && instead.related.is_empty() {
        return Ok(found);
    }
    let suggestion = Suggestion {
        text: better.text,
        reason: better.reason,
        applied: true,
    };
    Ok(SearchList {
        suggestion: Some(suggestion),
        ..instead
    })
}
