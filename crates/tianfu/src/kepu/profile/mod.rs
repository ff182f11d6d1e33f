//! 需求画像: a person's audience group and interests — chosen, or learned from reading, searching
//! and asking with weights that decay — shown to them and editable. Staff see aggregates only.

pub mod api;
pub mod pages;
pub mod region;
pub mod store;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me/profile", get(api::get).put(api::put))
        .route("/api/v1/kepu/profiles/stats", get(api::stats))
        .route("/me/profile", get(pages::show).post(pages::save))
        .route("/me/profile/forget", post(pages::forget))
        .route("/admin/kepu/profiles", get(pages::stats))
}

/// How much one search teaches about a person's interests.
const SEARCH_WEIGHT: f64 = 0.5;

/// The words a search teaches: up to three short words of the query, as typed.
pub fn search_interests(q: &str) -> Vec<String> {
    q.split_whitespace()
        .filter(|w| (2..=6).contains(&w.chars().count()))
        .filter_map(|w| crate::kepu::audience::parse_tag(w).ok())
        .take(3)
        .collect()
}

/// A signed-in person searched for `q`: its words become (weak, decaying) interests. A failure
/// is logged and does not fail the search.
pub async fn learn_from_search(app: &crate::App, user: i64, q: &str) {
    let interests = search_interests(q);
    if interests.is_empty() {
        return;
    }
    let result: Result<(), crate::platform::error::AppError> = async {
        let mut tx = app.db.begin().await?;
        store::learn(&mut tx, user, &interests, SEARCH_WEIGHT, app.clock.now()).await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    if let Err(error) = result {
        error.log_if_internal();
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_search_teaches_its_short_words() {
        assert_eq!(super::search_interests("柑橘 裂果"), vec!["柑橘", "裂果"]);
        assert!(super::search_interests("一").is_empty());
        assert!(super::search_interests("<script>").is_empty());
    }
}
