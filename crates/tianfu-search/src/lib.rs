//! Chinese full-text index of 天府科技云: market listings (offers, needs, achievements), studios,
//! 科普 resources and answered questions.
//!
//! tantivy stores the index; jieba (with a committed domain dictionary) segments Chinese text,
//! and a character-bigram field catches what segmentation misses. The index is derived data:
//! the database is the source of truth and the app may wipe and rebuild it at any time.

pub mod bench;
mod index;
pub mod matching;
mod pool;
mod query;
mod related;
mod schema;
mod snippet;
pub mod suggest;
mod tokenizer;

use std::fmt;

pub use index::SearchIndex;
pub use related::RelatedHit;
pub use suggest::Suggestion;

/// The kinds of listing the market publishes; each has its own id space.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ListingKind {
    Offer,
    Need,
    Achievement,
    Studio,
    /// 科普资源.
    Kepu,
    /// An answered public question (向科学要答案).
    Question,
}

impl ListingKind {
    pub const ALL: [ListingKind; 6] = [
        ListingKind::Offer,
        ListingKind::Need,
        ListingKind::Achievement,
        ListingKind::Studio,
        ListingKind::Kepu,
        ListingKind::Question,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ListingKind::Offer => "offer",
            ListingKind::Need => "need",
            ListingKind::Achievement => "achievement",
            ListingKind::Studio => "studio",
            ListingKind::Kepu => "kepu",
            ListingKind::Question => "question",
        }
    }

    pub fn parse(s: &str) -> Option<ListingKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for ListingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One listing as the index sees it; the app builds it from the database row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingDoc {
    pub kind: ListingKind,
    pub id: i64,
    pub title: String,
    /// Plain text, already sanitised.
    pub body: String,
    pub keywords: Vec<String>,
    /// Short GB/T 2260 code: "51", "5110" or "511011".
    pub region_code: String,
    /// GB/T 4754 section letter "A".."T"; may be empty.
    pub industry: String,
    /// Offer service type ("development", "transfer", "consulting", "service") or need kind.
    pub service_type: Option<String>,
    /// Price or budget in fen; `None` means 面议 (negotiable).
    pub price_fen: Option<i64>,
    /// Unix seconds.
    pub published_at: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    #[default]
    Relevance,
    Newest,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    pub q: String,
    /// Any of these kinds; empty means all kinds.
    pub kinds: Vec<ListingKind>,
    /// Region subtree: "5110" matches "5110" and every county under it.
    pub region_code: Option<String>,
    pub industry: Option<String>,
    pub service_type: Option<String>,
    /// A price bound excludes listings without a price (面议).
    pub price_min_fen: Option<i64>,
    pub price_max_fen: Option<i64>,
    /// Ignored when `q` has no searchable words: such queries are always newest first.
    pub sort: Sort,
    pub offset: usize,
    pub limit: usize,
}

impl Default for SearchQuery {
    fn default() -> Self {
        SearchQuery {
            q: String::new(),
            kinds: Vec::new(),
            region_code: None,
            industry: None,
            service_type: None,
            price_min_fen: None,
            price_max_fen: None,
            sort: Sort::Relevance,
            offset: 0,
            limit: 20,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub kind: ListingKind,
    pub id: i64,
    pub title: String,
    /// HTML-escaped text with matched words wrapped in `<mark>…</mark>`; safe to emit unescaped.
    pub snippet_html: String,
    pub region_code: String,
    pub industry: String,
    pub price_fen: Option<i64>,
    pub published_at: i64,
    /// BM25 score; 0 when the results are ordered by date.
    pub score: f32,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SearchResults {
    pub hits: Vec<SearchHit>,
    /// Number of matching listings, not just those on this page. When no listing has all the
    /// words and the search falls back to partial matches, counting stops at 1,000.
    pub total: usize,
    /// Counting stopped at the cap: there are at least `total` matches.
    pub total_capped: bool,
    /// On the first page of a search by relevance: listings that mean what the words mean
    /// without using them (鸡下蛋少 → 蛋鸡产蛋率), which the literal search did not find.
    pub related: Vec<RelatedHit>,
}

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("cannot open search index directory: {0}")]
    OpenDirectory(#[from] tantivy::directory::error::OpenDirectoryError),
    #[error("search index I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot load the search dictionary: {0}")]
    Dictionary(String),
    #[error("stored document is malformed: {0}")]
    Corrupt(String),
    #[error("search index writer lock was poisoned by a panic")]
    Poisoned,
    #[error("the search failed inside the search pool")]
    PoolStopped,
}

#[cfg(test)]
mod tests;
