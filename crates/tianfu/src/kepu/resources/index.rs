//! A resource as the search index sees it (kind `kepu`).

use tianfu_search::{ListingDoc, ListingKind};

use super::store::{self, ResourceRow};
use crate::App;
use crate::platform::error::AppError;

pub fn document_of(row: &ResourceRow) -> Option<ListingDoc> {
    row.is_published().then(|| ListingDoc {
        kind: ListingKind::Kepu,
        id: row.id,
        title: row.title.clone(),
        body: format!("{}\n{}", row.summary, row.body_text),
        keywords: row.tag_list(),
        region_code: row.region_code.clone().unwrap_or_else(|| "51".into()),
        industry: String::new(),
        service_type: Some(row.format.clone()),
        price_fen: None,
        published_at: row.published_at.unwrap_or(row.updated_at).timestamp(),
    })
}

/// The document of resource `id` while it is published; `None` takes it out of the index.
pub async fn document(app: &App, id: i64) -> Result<Option<ListingDoc>, AppError> {
    Ok(store::find(&app.db, id)
        .await?
        .as_ref()
        .and_then(document_of))
}
