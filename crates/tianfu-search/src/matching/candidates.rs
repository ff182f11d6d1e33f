//! Finding the candidates of a match quickly over a million listings.
//!
//! The words and concepts of a listing form a union of term queries, which tantivy answers with
//! block-max WAND: it skips every block of postings that cannot reach the current top. Any
//! other clause beside the union (such as "kind is offer or achievement") turns that into a
//! walk over every listing that shares a single word — measured at 45 ms p99 for a million
//! capabilities. So the union runs alone, asking for more hits than needed in proportion to how
//! rare the wanted kinds are in the index, and the kinds are checked afterwards from fast fields. When the wanted kinds are too rare among the
//! best hits to fill the list, the filtered query runs after all, so the answer is always exact.
//!
//! Everything reranking needs (kind, id, region, industry, service type, price, date) is read
//! from fast fields too; only the hits finally shown are fetched from the document store.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::collector::TopDocs;
use tantivy::columnar::{Column, StrColumn};
use tantivy::index::SegmentId;
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Score, Searcher, SegmentReader, Term};

use crate::schema::{Fields, Side};
use crate::{ListingKind, SearchError};

/// The unfiltered union fetches this many times the hits it would need if the wanted kinds'
/// share of the index held among the best hits too: margin for a share that varies by topic.
const MARGIN: f64 = 1.5;
/// Below this share of the index (studios, say) the unfiltered fetch would have to be so large
/// that the filtered walk is cheaper from the start.
const MIN_SHARE: f64 = 0.25;

/// A candidate with what reranking needs, read without touching the document store.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub address: DocAddress,
    pub score: Score,
    pub kind: ListingKind,
    pub id: i64,
    pub region_code: String,
    pub industry: String,
    pub service_type: Option<String>,
    pub price_fen: Option<i64>,
    pub published_at: i64,
}

/// The best `wanted` candidates of `kinds` (any kind when empty) for the union `words`,
/// best first, leaving out `exclude`.
pub fn top(
    searcher: &Searcher,
    cache: &ColumnCache,
    fields: &Fields,
    words: BooleanQuery,
    kinds: &[ListingKind],
    exclude: &[(ListingKind, i64)],
    wanted: usize,
) -> Result<Vec<Candidate>, SearchError> {
    let fetch = wanted + exclude.len();
    let share = share_of(searcher, fields, kinds)?;
    let mut columns = SegmentColumns {
        cache,
        by_segment: HashMap::new(),
    };
    // The hits wanted and not excluded, best first, at most `wanted` of them.
    let mut kept = |hits: Vec<(Score, DocAddress)>| -> Result<Vec<Candidate>, SearchError> {
        let mut found = Vec::with_capacity(fetch);
        for (score, address) in hits {
            if let Some(c) = columns.read(searcher, score, address)?
                && (kinds.is_empty() || kinds.contains(&c.kind))
                && !exclude.contains(&(c.kind, c.id))
            {
                found.push(c);
            }
        }
        found.truncate(wanted);
        Ok(found)
    };
    if share >= MIN_SHARE {
        // Every hit is wanted when the side holds only the wanted kinds: no margin then, and
        // a smaller top makes a higher threshold for block-max WAND to skip by.
        let over = if share >= 1.0 {
            fetch
        } else {
            (fetch as f64 / share * MARGIN).ceil() as usize
        };
        let hits = searcher.search(&words, &TopDocs::with_limit(over).order_by_score())?;
        let exhausted = hits.len() < over;
        let found = kept(hits)?;
        if found.len() >= wanted || exhausted || kinds.is_empty() {
            return Ok(found);
        }
    }
    let filtered = with_kinds(fields, words, kinds);
    kept(searcher.search(&filtered, &TopDocs::with_limit(fetch).order_by_score())?)
}

/// The share of the searched listings that is of `kinds`: of their side's when they share one
/// (the union then walks that side's fields only), else of the whole index.
fn share_of(
    searcher: &Searcher,
    fields: &Fields,
    kinds: &[ListingKind],
) -> Result<f64, SearchError> {
    if kinds.is_empty() {
        return Ok(1.0);
    }
    // Deleted documents are in the document frequencies until a merge: count them in the
    // total too, so the share is not overestimated.
    let total = match Side::of_all(kinds) {
        Some(side) => count(searcher, fields, side.kinds())?,
        None => searcher
            .segment_readers()
            .iter()
            .map(|r| u64::from(r.max_doc()))
            .sum(),
    };
    if total == 0 {
        return Ok(1.0);
    }
    Ok((count(searcher, fields, kinds)? as f64 / total as f64).min(1.0))
}

/// How many listings matching `kinds` searches among: their side's, or the whole index.
pub fn docs_of(
    searcher: &Searcher,
    fields: &Fields,
    kinds: &[ListingKind],
) -> Result<u64, SearchError> {
    match Side::of_all(kinds) {
        Some(side) => count(searcher, fields, side.kinds()),
        None => Ok(searcher.num_docs()),
    }
}

/// Listings of `kinds` (deleted ones included until a merge), from the kind field's
/// document frequencies.
fn count(searcher: &Searcher, fields: &Fields, kinds: &[ListingKind]) -> Result<u64, SearchError> {
    let mut n = 0;
    for kind in kinds {
        n += searcher.doc_freq(&Term::from_field_text(fields.kind, kind.as_str()))?;
    }
    Ok(n)
}

/// The union, narrowed to `kinds` by a clause that scores nothing.
fn with_kinds(fields: &Fields, words: BooleanQuery, kinds: &[ListingKind]) -> BooleanQuery {
    let kinds: Vec<Box<dyn Query>> = kinds
        .iter()
        .map(|k| {
            Box::new(TermQuery::new(
                Term::from_field_text(fields.kind, k.as_str()),
                IndexRecordOption::Basic,
            )) as Box<dyn Query>
        })
        .collect();
    BooleanQuery::new(vec![
        (Occur::Must, Box::new(words) as Box<dyn Query>),
        (
            Occur::Must,
            Box::new(ConstScoreQuery::new(
                Box::new(BooleanQuery::union(kinds)),
                0.0,
            )),
        ),
    ])
}

/// Opened columns by segment, shared by every match: opening a segment's seven columns took
/// a tenth of a match's time. A segment never changes, so its columns never go stale; those
/// of merged-away segments are dropped when the cache grows.
#[derive(Clone, Default)]
pub struct ColumnCache(Arc<Mutex<HashMap<SegmentId, Arc<Columns>>>>);

/// Segments remembered before the ones no longer searched are forgotten.
const CACHED_SEGMENTS: usize = 64;

impl ColumnCache {
    fn get(
        &self,
        searcher: &Searcher,
        segment: &SegmentReader,
    ) -> Result<Arc<Columns>, SearchError> {
        let id = segment.segment_id();
        if let Some(columns) = self.0.lock().map_err(|_| SearchError::Poisoned)?.get(&id) {
            return Ok(Arc::clone(columns));
        }
        let columns = Arc::new(Columns::open(segment)?);
        let mut cache = self.0.lock().map_err(|_| SearchError::Poisoned)?;
        if cache.len() >= CACHED_SEGMENTS {
            let live: Vec<SegmentId> = searcher
                .segment_readers()
                .iter()
                .map(SegmentReader::segment_id)
                .collect();
            cache.retain(|id, _| live.contains(id));
        }
        cache.insert(id, Arc::clone(&columns));
        Ok(columns)
    }
}

/// The columns of the segments one match reads.
struct SegmentColumns<'a> {
    cache: &'a ColumnCache,
    by_segment: HashMap<u32, Arc<Columns>>,
}

pub struct Columns {
    kind: Option<StrColumn>,
    id: Column<i64>,
    region_code: Option<StrColumn>,
    industry: Option<StrColumn>,
    service_type: Option<StrColumn>,
    price: Column<i64>,
    published_at: Column<i64>,
}

impl Columns {
    fn open(segment: &SegmentReader) -> Result<Self, SearchError> {
        let fast = segment.fast_fields();
        Ok(Columns {
            kind: fast.str("kind")?,
            id: fast.i64("id")?,
            region_code: fast.str("region_code")?,
            industry: fast.str("industry")?,
            service_type: fast.str("service_type")?,
            price: fast.i64("price_fen")?,
            published_at: fast.i64("published_at")?,
        })
    }
}

fn text(column: &Option<StrColumn>, doc: u32) -> Result<Option<String>, SearchError> {
    let Some(column) = column else {
        return Ok(None);
    };
    let Some(ord) = column.ords().first(doc) else {
        return Ok(None);
    };
    let mut out = String::new();
    Ok(column.ord_to_str(ord, &mut out)?.then_some(out))
}

impl SegmentColumns<'_> {
    fn read(
        &mut self,
        searcher: &Searcher,
        score: Score,
        address: DocAddress,
    ) -> Result<Option<Candidate>, SearchError> {
        let columns = match self.by_segment.entry(address.segment_ord) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => e.insert(
                self.cache
                    .get(searcher, searcher.segment_reader(address.segment_ord))?,
            ),
        };
        let doc = address.doc_id;
        let Some(kind) = text(&columns.kind, doc)?.and_then(|k| ListingKind::parse(&k)) else {
            return Ok(None);
        };
        let Some(id) = columns.id.first(doc) else {
            return Ok(None);
        };
        Ok(Some(Candidate {
            address,
            score,
            kind,
            id,
            region_code: text(&columns.region_code, doc)?.unwrap_or_default(),
            industry: text(&columns.industry, doc)?.unwrap_or_default(),
            service_type: text(&columns.service_type, doc)?,
            price_fen: columns.price.first(doc),
            published_at: columns.published_at.first(doc).unwrap_or(0),
        }))
    }
}
