//! Turning a [`SearchQuery`] into tantivy queries, and hits into snippets.

use std::collections::HashSet;
use std::ops::Bound;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::EnableScoring;
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{DocAddress, DocSet, Order, Score, TERMINATED, TantivyDocument, Term};

use crate::index::Reader;
use crate::related;
use crate::snippet::Highlighter;
use crate::tokenizer::{bigram_tokens, jieba_tokens};
use crate::{ListingKind, SearchError, SearchHit, SearchQuery, SearchResults, Sort};

/// Longer input is cut: nobody types more, and each word costs four term queries.
const MAX_QUERY_CHARS: usize = 200;
const MAX_TERMS: usize = 32;
const MAX_LIMIT: usize = 200;
/// Deep pages cost memory proportional to offset + limit; nobody pages this far by hand.
const MAX_OFFSET: usize = 10_000;
/// How far a partial-match search counts; see [`crate::SearchResults::total`].
pub const PARTIAL_COUNT_CAP: usize = 1_000;

/// Function words that would otherwise make an OR query match nearly every listing.
const STOPWORDS: &[&str] = &[
    "的", "了", "和", "与", "及", "或", "在", "是", "等", "对", "把", "被", "将", "为", "有", "个",
    "之", "其", "也", "而", "并", "就", "都", "从", "向", "于", "以", "a", "an", "the", "of",
    "and", "or", "for", "to", "in",
];

/// What the user's words must match, tried in order until one finds something: every word,
/// then any word, then (for text jieba cut differently from the listings) most of its
/// two-character fragments. Listings with all the words are what people expect first; the
/// later tries keep a query with one odd word from coming back empty.
enum Match {
    Everything,
    AllWords,
    AnyWord,
    MostBigrams,
}

pub fn search(ix: &Reader, q: &SearchQuery) -> Result<SearchResults, SearchError> {
    let terms = Terms::parse(ix, &crate::tokenizer::simplified(&q.q));
    let tries: Vec<Match> = if terms.words.is_empty() {
        vec![Match::Everything]
    } else {
        let mut tries = vec![Match::AllWords];
        if terms.whole_words.len() > 1 {
            tries.push(Match::AnyWord);
        }
        if !terms.bigrams.is_empty() {
            tries.push(Match::MostBigrams);
        }
        tries
    };
    let searcher = ix.reader.searcher();
    let last = tries.len() - 1;
    for (i, how) in tries.into_iter().enumerate() {
        let text = text_query(ix, &terms, &how);
        let by_score = text.is_some() && q.sort == Sort::Relevance;
        let filters = filters(ix, q);
        // A bare term, a bare union of terms or a bare intersection of terms lets tantivy skip
        // blocks (block-max WAND) while collecting the top hits; for those a separate count is
        // cheaper (a single term is counted from its document frequency, an intersection
        // without decoding frequencies or scoring). Anything with a filter beside the words is
        // walked once for both.
        let prunable = by_score && filters.is_empty();
        let query = with_filters(filters, text);
        let limit = q.limit.min(MAX_LIMIT);
        let top = TopDocs::with_limit(limit.max(1)).and_offset(q.offset.min(MAX_OFFSET));
        let mut total_capped = false;
        let (total, addresses): (usize, Vec<(Score, DocAddress)>) = if prunable {
            // A partial match (any word, bigrams) can match a large share of the market;
            // counting all of it cost more than finding the best page, so it stops counting
            // at PARTIAL_COUNT_CAP.
            let total = match how {
                Match::AnyWord | Match::MostBigrams => {
                    let counted = count_up_to(&searcher, query.as_ref(), PARTIAL_COUNT_CAP)?;
                    total_capped = counted >= PARTIAL_COUNT_CAP;
                    counted
                }
                _ => searcher.search(query.as_ref(), &Count)?,
            };
            if total == 0 || limit == 0 {
                (total, Vec::new())
            } else {
                (
                    total,
                    searcher.search(query.as_ref(), &top.order_by_score())?,
                )
            }
        } else if by_score {
            searcher.search(query.as_ref(), &(Count, top.order_by_score()))?
        } else {
            let name = ix
                .index
                .schema()
                .get_field_name(ix.fields.published_at)
                .to_string();
            let (total, docs) = searcher.search(
                query.as_ref(),
                &(Count, top.order_by_fast_field::<i64>(name, Order::Desc)),
            )?;
            (total, docs.into_iter().map(|(_, a)| (0.0, a)).collect())
        };
        if total == 0 && i < last {
            continue;
        }
        let addresses = if limit == 0 { Vec::new() } else { addresses };
        let marked: HashSet<String> = match how {
            Match::MostBigrams => terms.bigrams.iter().cloned().collect(),
            _ => terms.words.iter().cloned().collect(),
        };
        let snippets = Highlighter { marked: &marked };
        let mut hits = Vec::with_capacity(addresses.len());
        for (score, address) in addresses {
            let doc: TantivyDocument = searcher.doc(address)?;
            hits.push(to_hit(ix, &doc, score, &snippets)?);
        }
        let related = if q.offset == 0 && q.sort == Sort::Relevance && !terms.words.is_empty() {
            related::related(
                ix,
                &searcher,
                &related::Typed {
                    text: &terms.text,
                    words: &terms.words,
                },
                text_query(ix, &terms, &how),
                self::filters(ix, q),
                |doc, score, snippets| to_hit(ix, doc, score, snippets),
            )?
        } else {
            Vec::new()
        };
        return Ok(SearchResults {
            hits,
            total,
            total_capped,
            related,
        });
    }
    unreachable!("the last try always answers")
}

/// Counts matching live documents, stopping at `cap`.
fn count_up_to(
    searcher: &tantivy::Searcher,
    query: &dyn Query,
    cap: usize,
) -> Result<usize, SearchError> {
    let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
    let mut count = 0;
    for segment in searcher.segment_readers() {
        let mut scorer = weight.scorer(segment, 1.0)?;
        let alive = segment.alive_bitset();
        let mut doc = scorer.doc();
        while doc != TERMINATED && count < cap {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                count += 1;
            }
            doc = scorer.advance();
        }
        if count >= cap {
            break;
        }
    }
    Ok(count)
}

/// Filters only narrow: they score nothing, so their idf cannot reorder the text matches.
fn with_filters(filters: Vec<Box<dyn Query>>, text: Option<Box<dyn Query>>) -> Box<dyn Query> {
    match (filters.is_empty(), text) {
        (true, None) => Box::new(AllQuery),
        (true, Some(text)) => text,
        (false, text) => {
            let mut clauses: Vec<(Occur, Box<dyn Query>)> = filters
                .into_iter()
                .map(|f| {
                    (
                        Occur::Must,
                        Box::new(ConstScoreQuery::new(f, 0.0)) as Box<dyn Query>,
                    )
                })
                .collect();
            clauses.extend(text.map(|t| (Occur::Must, t)));
            Box::new(BooleanQuery::new(clauses))
        }
    }
}

/// The searchable words of the user's text, analysed once for both querying and highlighting.
struct Terms {
    /// The query as searched: cut to length, in simplified characters.
    text: String,
    words: Vec<String>,
    /// The words not inside another query word. jieba's search mode cuts 功率半导体 into
    /// 功率, 半导体, 导体 … and the whole word, in queries and listings alike, so a listing with
    /// the whole word has its parts too: requiring only the whole words finds the same
    /// listings, and one term instead of five lets tantivy count from the document frequency
    /// and skip blocks.
    whole_words: Vec<String>,
    bigrams: Vec<String>,
}

impl Terms {
    fn parse(ix: &Reader, q: &str) -> Terms {
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
        let whole_words = words
            .iter()
            .filter(|w| {
                !words
                    .iter()
                    .any(|other| other.len() > w.len() && other.contains(String::as_str(w)))
            })
            .cloned()
            .collect();
        Terms {
            text: q,
            words,
            whole_words,
            bigrams,
        }
    }
}

/// The text part of one try, or `None` when nothing in `q` is searchable (empty,
/// punctuation, only stopwords): the caller then lists everything.
fn text_query(ix: &Reader, terms: &Terms, how: &Match) -> Option<Box<dyn Query>> {
    let term = |field: Field, word: &str| -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, word),
            IndexRecordOption::WithFreqs,
        ))
    };
    let f = &ix.fields;
    let words = || {
        terms
            .words
            .iter()
            .map(|w| term(f.text, w))
            .collect::<Vec<_>>()
    };
    match how {
        Match::Everything => None,
        Match::AllWords if terms.whole_words.len() == 1 => {
            Some(term(f.text, &terms.whole_words[0]))
        }
        Match::AllWords => Some(Box::new(BooleanQuery::intersection(
            terms.whole_words.iter().map(|w| term(f.text, w)).collect(),
        ))),
        Match::AnyWord => Some(Box::new(BooleanQuery::union(words()))),
        Match::MostBigrams => {
            let bigrams: Vec<Box<dyn Query>> =
                terms.bigrams.iter().map(|b| term(f.bigram, b)).collect();
            let most = bigrams.len().div_ceil(2);
            Some(Box::new(BooleanQuery::union_with_minimum_required_clauses(
                bigrams, most,
            )))
        }
    }
}

fn distinct(words: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen = HashSet::new();
    words
        .filter(|w| seen.insert(w.clone()))
        .take(MAX_TERMS)
        .collect()
}

fn filters(ix: &Reader, q: &SearchQuery) -> Vec<Box<dyn Query>> {
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
        // Term queries rather than a term set: a term set builds a bitset over every document
        // per query, while a union of one to three postings lists is read lazily.
        let mut kinds: Vec<Box<dyn Query>> =
            kinds.into_iter().map(|k| raw(f.kind, k.as_str())).collect();
        out.push(if kinds.len() == 1 {
            kinds.remove(0)
        } else {
            Box::new(BooleanQuery::union(kinds))
        });
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
    ix: &Reader,
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
