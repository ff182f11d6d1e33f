//! Turning a [`SearchQuery`] into tantivy queries, and hits into snippets.

use std::collections::HashSet;
use std::ops::Bound;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, RangeQuery, TermQuery,
    TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{DocAddress, Order, Score, TantivyDocument, Term};

use crate::index::SearchIndex;
use crate::snippet::Highlighter;
use crate::tokenizer::{bigram_tokens, jieba_tokens};
use crate::{ListingKind, SearchError, SearchHit, SearchQuery, SearchResults, Sort};

/// Longer input is cut: nobody types more, and each word costs four term queries.
const MAX_QUERY_CHARS: usize = 200;
const MAX_TERMS: usize = 32;
const MAX_LIMIT: usize = 200;
/// Deep pages cost memory proportional to offset + limit; nobody pages this far by hand.
const MAX_OFFSET: usize = 10_000;

const TITLE_BOOST: Score = 3.0;
const KEYWORDS_BOOST: Score = 2.0;
const BODY_BOOST: Score = 1.0;
const BIGRAM_BOOST: Score = 0.5;

/// Function words that would otherwise make an OR query match nearly every listing.
const STOPWORDS: &[&str] = &[
    "的", "了", "和", "与", "及", "或", "在", "是", "等", "对", "把", "被", "将", "为", "有", "个",
    "之", "其", "也", "而", "并", "就", "都", "从", "向", "于", "以", "a", "an", "the", "of",
    "and", "or", "for", "to", "in",
];

pub fn search(ix: &SearchIndex, q: &SearchQuery) -> Result<SearchResults, SearchError> {
    let terms = Terms::parse(ix, &q.q);
    let text = text_query(ix, &terms);
    let by_score = text.is_some() && q.sort == Sort::Relevance;
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = filters(ix, q)
        .into_iter()
        // Filters only narrow: their idf must not reorder the text matches.
        .map(|f| {
            (
                Occur::Must,
                Box::new(ConstScoreQuery::new(f, 0.0)) as Box<dyn Query>,
            )
        })
        .collect();
    if let Some(text) = text {
        clauses.push((Occur::Must, text));
    }
    let query: Box<dyn Query> = if clauses.is_empty() {
        Box::new(AllQuery)
    } else {
        Box::new(BooleanQuery::new(clauses))
    };

    let searcher = ix.reader.searcher();
    let limit = q.limit.min(MAX_LIMIT);
    if limit == 0 {
        let total = searcher.search(query.as_ref(), &Count)?;
        return Ok(SearchResults {
            hits: Vec::new(),
            total,
        });
    }
    let top = TopDocs::with_limit(limit).and_offset(q.offset.min(MAX_OFFSET));
    let (total, addresses): (usize, Vec<(Score, DocAddress)>) = if by_score {
        searcher.search(query.as_ref(), &(Count, top.order_by_score()))?
    } else {
        let published = ix.fields.published_at;
        let name = ix.index.schema().get_field_name(published).to_string();
        let (total, docs) = searcher.search(
            query.as_ref(),
            &(Count, top.order_by_fast_field::<i64>(name, Order::Desc)),
        )?;
        (total, docs.into_iter().map(|(_, a)| (0.0, a)).collect())
    };

    let words: HashSet<String> = terms.words.into_iter().collect();
    let bigrams: HashSet<String> = terms.bigrams.into_iter().collect();
    let snippets = Highlighter {
        jieba: &ix.jieba,
        words: &words,
        bigrams: &bigrams,
    };
    let mut hits = Vec::with_capacity(addresses.len());
    for (score, address) in addresses {
        let doc: TantivyDocument = searcher.doc(address)?;
        hits.push(to_hit(ix, &doc, score, &snippets)?);
    }
    Ok(SearchResults { hits, total })
}

/// The searchable words of the user's text, analysed once for both querying and highlighting.
struct Terms {
    words: Vec<String>,
    bigrams: Vec<String>,
}

impl Terms {
    fn parse(ix: &SearchIndex, q: &str) -> Terms {
        let q: String = q.chars().take(MAX_QUERY_CHARS).collect();
        let words = distinct(
            jieba_tokens(&ix.jieba, &q)
                .into_iter()
                .map(|t| t.text)
                .filter(|w| !STOPWORDS.contains(&w.as_str())),
        );
        // Without a real word the bigrams are stopword fragments: searching them is noise.
        let bigrams = if words.is_empty() {
            Vec::new()
        } else {
            distinct(bigram_tokens(&q).into_iter().map(|t| t.text))
        };
        Terms { words, bigrams }
    }
}

/// The user's words as a disjunction over the text fields, or `None` when nothing in `q`
/// is searchable (empty, punctuation, only stopwords): the caller then lists everything.
fn text_query(ix: &SearchIndex, terms: &Terms) -> Option<Box<dyn Query>> {
    if terms.words.is_empty() {
        return None;
    }
    let f = &ix.fields;
    let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut add = |field: Field, word: &str, boost: Score| {
        let term = TermQuery::new(
            Term::from_field_text(field, word),
            IndexRecordOption::WithFreqs,
        );
        should.push((
            Occur::Should,
            Box::new(BoostQuery::new(Box::new(term), boost)),
        ));
    };
    for word in &terms.words {
        add(f.title, word, TITLE_BOOST);
        add(f.keywords, word, KEYWORDS_BOOST);
        add(f.body, word, BODY_BOOST);
    }
    for bigram in &terms.bigrams {
        add(f.bigram, bigram, BIGRAM_BOOST);
    }
    Some(Box::new(BooleanQuery::new(should)))
}

fn distinct(words: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen = HashSet::new();
    words
        .filter(|w| seen.insert(w.clone()))
        .take(MAX_TERMS)
        .collect()
}

fn filters(ix: &SearchIndex, q: &SearchQuery) -> Vec<Box<dyn Query>> {
    let f = &ix.fields;
    let raw = |field: Field, value: &str| -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, value),
            IndexRecordOption::Basic,
        ))
    };
    let mut out = Vec::new();
    let kinds: HashSet<ListingKind> = q.kinds.iter().copied().collect();
    if !kinds.is_empty() && kinds.len() < ListingKind::ALL.len() {
        let terms = kinds
            .iter()
            .map(|k| Term::from_field_text(f.kind, k.as_str()));
        out.push(Box::new(TermSetQuery::new(terms)) as Box<dyn Query>);
    }
    fn present(v: &Option<String>) -> Option<&str> {
        v.as_deref().map(str::trim).filter(|v| !v.is_empty())
    }
    if let Some(region) = present(&q.region_code) {
        out.push(raw(f.region_path, region));
    }
    if let Some(industry) = present(&q.industry) {
        out.push(raw(f.industry, industry));
    }
    if let Some(service_type) = present(&q.service_type) {
        out.push(raw(f.service_type, service_type));
    }
    if q.price_min_fen.is_some() || q.price_max_fen.is_some() {
        let bound = |v: Option<i64>| match v {
            Some(v) => Bound::Included(Term::from_field_i64(f.price, v)),
            None => Bound::Unbounded,
        };
        out.push(Box::new(RangeQuery::new(
            bound(q.price_min_fen),
            bound(q.price_max_fen),
        )));
    }
    out
}

fn to_hit(
    ix: &SearchIndex,
    doc: &TantivyDocument,
    score: Score,
    snippets: &Highlighter<'_>,
) -> Result<SearchHit, SearchError> {
    let f = &ix.fields;
    let text = |field: Field| {
        doc.get_first(field)
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    };
    let int = |field: Field| doc.get_first(field).and_then(|v| v.as_i64());
    let kind_text = text(f.kind);
    let kind = ListingKind::parse(&kind_text)
        .ok_or_else(|| SearchError::Corrupt(format!("unknown kind {kind_text:?}")))?;
    let title = text(f.title);
    let body = text(f.body);
    Ok(SearchHit {
        kind,
        id: int(f.id).ok_or_else(|| SearchError::Corrupt("missing id".into()))?,
        snippet_html: snippets.html(&title, &body),
        title,
        region_code: text(f.region_code),
        industry: text(f.industry),
        price_fen: int(f.price),
        published_at: int(f.published_at).unwrap_or_default(),
        score,
    })
}
