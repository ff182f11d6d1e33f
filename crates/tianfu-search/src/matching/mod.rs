//! Intelligent matching (智能匹配): for a need, the capabilities and achievements that answer
//! it; for a capability or achievement, the needs it answers; each with reasons in Chinese.
//!
//! Retrieval runs over the search index, so a listing is matchable as soon as it is searchable
//! and only published listings ever appear. A candidate scores by BM25 over the words both
//! sides use, plus the thesaurus concepts both sides name (so "鸡下蛋少" meets "蛋鸡产蛋率"),
//! then small boosts for the same industry and nearby region: enough to order close matches,
//! never enough to lift a weak match over a clearly better one far away.

mod candidates;
pub mod eval;
pub mod signals;
pub mod thesaurus;

use std::collections::HashSet;
use std::fmt;

use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, TantivyDocument, Term};

use crate::index::Reader;
use crate::tokenizer::jieba_tokens;
use crate::{ListingKind, SearchError};
use thesaurus::{BROADER_PREFIX, CONCEPT_PREFIX};

/// A shared concept outweighs a shared word: it is the expert's meaning, not a spelling.
const CONCEPT_BOOST: f32 = 2.5;
/// A shared broader term only says "same area": it helps recall, it must not decide.
const BROADER_BOOST: f32 = 0.4;
/// Candidates fetched before reranking; reranking only reorders near neighbours.
const CANDIDATES: usize = 50;
/// Words considered from the listing's text before choosing the most telling ones.
const MAX_QUERY_WORDS: usize = 64;
/// The rarest words in the index are the most telling; a long description otherwise turns
/// into a union of dozens of common words, slow over a million listings and no more precise.
/// Eight rather than twelve: the labelled set scores the same (recall@10 0.903 among a million
/// generated listings either way) and the slowest matches take about half as long.
const TELLING_WORDS: usize = 8;

/// What to match, built by the caller from a listing.
#[derive(Debug, Clone, Default)]
pub struct MatchQuery {
    /// Title, keywords and description of the listing being matched.
    pub text: String,
    /// The kinds wanted: offers and achievements for a need, needs for an offer.
    pub kinds: Vec<ListingKind>,
    pub industry: String,
    pub region_code: String,
    /// The query listing's service type (offers) or need kind (needs).
    pub service_type: Option<String>,
    /// Its price (offers, achievements) or budget (needs), in fen.
    pub price_fen: Option<i64>,
    /// Unix seconds now, for recency; 0 leaves recency out.
    pub now: i64,
    /// Listings never to return (the listing itself, dismissed ones).
    pub exclude: Vec<(ListingKind, i64)>,
    pub limit: usize,
}

/// Which ranking to use; the plain one exists to measure the engine against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// Words, thesaurus concepts, industry and region.
    Full,
    /// BM25 over the same words, nothing else.
    PlainBm25,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    /// A concept both name; `surface` is how the query side wrote it when that differs.
    SharedConcept {
        name: String,
        surface: Option<String>,
    },
    SharedWords(Vec<String>),
    SameIndustry(String),
    SameCounty,
    SameCity,
    KindFits,
    WithinBudget,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::SharedConcept {
                name,
                surface: Some(surface),
            } => {
                write!(f, "“{surface}”即“{name}”")
            }
            Reason::SharedConcept {
                name,
                surface: None,
            } => write!(f, "同为“{name}”方向"),
            Reason::SharedWords(words) => write!(f, "共同关键词：{}", words.join("、")),
            Reason::SameIndustry(code) => write!(f, "同属行业 {code}"),
            Reason::SameCounty => f.write_str("同一区县，服务就近"),
            Reason::SameCity => f.write_str("同一市州"),
            Reason::KindFits => f.write_str("服务类型对口"),
            Reason::WithinBudget => f.write_str("价格在预算内"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct MatchHit {
    pub kind: ListingKind,
    pub id: i64,
    pub title: String,
    pub region_code: String,
    pub industry: String,
    pub score: f32,
    pub reasons: Vec<Reason>,
    /// Service type, need kind or achievement kind.
    pub service_type: Option<String>,
    pub price_fen: Option<i64>,
    /// Unix seconds.
    pub published_at: i64,
}

/// Words nearly every listing uses about itself ("we need an expert to guide us with this
/// problem"): on a small market they are rare enough to look telling, and a match "sharing"
/// 问题 or 专家 is no match at all.
const GENERIC: &[&str] = &[
    "问题", "专家", "指导", "技术", "服务", "需要", "希望", "提供", "解决", "帮助", "企业", "公司",
    "我们", "目前", "最近", "现在", "进行", "相关", "方面", "情况", "工作", "合作", "寻求", "请求",
    "想请", "看看",
];

/// The words of a text worth matching on: jieba's words of two or more characters, each once,
/// without the generic ones.
fn words_of(reader: &Reader, text: &str) -> Vec<String> {
    let mut seen = HashSet::new();
    jieba_tokens(&reader.jieba, text)
        .into_iter()
        .map(|t| t.text)
        .filter(|w| w.chars().count() >= 2 && !GENERIC.contains(&w.as_str()))
        .filter(|w| seen.insert(w.clone()))
        .take(MAX_QUERY_WORDS)
        .collect()
}

pub(crate) fn matches(
    reader: &Reader,
    q: &MatchQuery,
    engine: Engine,
) -> Result<Vec<MatchHit>, SearchError> {
    let f = &reader.fields;
    let searcher = reader.reader.searcher();
    let words = telling(&searcher, f.text, words_of(reader, &q.text))?;
    let mentions = reader.thesaurus.mentions(&q.text);
    let features = reader.thesaurus.features(&q.text);
    let term = |field, text: &str, boost: f32| -> (Occur, Box<dyn Query>) {
        let query = TermQuery::new(
            Term::from_field_text(field, text),
            IndexRecordOption::WithFreqs,
        );
        (
            Occur::Should,
            Box::new(BoostQuery::new(Box::new(query), boost)),
        )
    };
    let mut should: Vec<(Occur, Box<dyn Query>)> =
        words.iter().map(|w| term(f.text, w, 1.0)).collect();
    if engine == Engine::Full {
        for feature in &features {
            let boost = if feature.starts_with(CONCEPT_PREFIX) {
                CONCEPT_BOOST
            } else {
                BROADER_BOOST
            };
            should.push(term(f.concepts, feature, boost));
        }
    }
    if should.is_empty() || q.limit == 0 {
        return Ok(Vec::new());
    }
    let wanted = if engine == Engine::Full {
        CANDIDATES.max(q.limit)
    } else {
        q.limit
    };
    let found = candidates::top(
        &searcher,
        f,
        BooleanQuery::new(should),
        &q.kinds,
        &q.exclude,
        wanted,
    )?;
    let mut hits: Vec<(MatchHit, DocAddress)> = found
        .into_iter()
        .map(|c| {
            let mut hit = MatchHit {
                kind: c.kind,
                id: c.id,
                title: String::new(),
                region_code: c.region_code,
                industry: c.industry,
                score: c.score,
                reasons: Vec::new(),
                service_type: c.service_type,
                price_fen: c.price_fen,
                published_at: c.published_at,
            };
            if engine == Engine::Full {
                rerank(q, &mut hit);
            }
            (hit, c.address)
        })
        .collect();
    hits.sort_by(|a, b| b.0.score.total_cmp(&a.0.score));
    hits.truncate(q.limit);
    // Titles and text reasons only for the hits shown: fetching and analysing every
    // candidate's text cost more than the search itself.
    let mut shown = Vec::with_capacity(hits.len());
    for (mut hit, address) in hits {
        let doc: TantivyDocument = searcher.doc(address)?;
        let text = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        };
        hit.title = text(f.title);
        if engine == Engine::Full {
            let their_text = format!("{} {}", hit.title, text(f.body));
            let said = explain(reader, &mentions, &words, &their_text);
            hit.reasons.splice(0..0, said);
        }
        shown.push(hit);
    }
    Ok(shown)
}

/// The words that occur in the index, rarest first, at most [`TELLING_WORDS`].
fn telling(
    searcher: &tantivy::Searcher,
    field: tantivy::schema::Field,
    words: Vec<String>,
) -> Result<Vec<String>, SearchError> {
    let mut counted = Vec::with_capacity(words.len());
    for word in words {
        let df = searcher.doc_freq(&Term::from_field_text(field, &word))?;
        if df > 0 {
            counted.push((df, word));
        }
    }
    counted.sort_by_key(|(df, _)| *df);
    Ok(counted
        .into_iter()
        .take(TELLING_WORDS)
        .map(|(_, w)| w)
        .collect())
}

/// Why the two match in words: concepts both name (after synonym mapping), words both use,
/// else the broad area they share.
fn explain(
    reader: &Reader,
    mentions: &[thesaurus::Mention],
    words: &[String],
    their_text: &str,
) -> Vec<Reason> {
    let theirs: HashSet<String> = reader.thesaurus.features(their_text).into_iter().collect();
    let their_words: HashSet<String> = words_of(reader, their_text).into_iter().collect();
    let mut reasons = Vec::new();
    let mut explained: HashSet<String> = HashSet::new();
    for mention in mentions {
        let concept = reader.thesaurus.concept(mention.concept);
        if theirs.contains(&format!("{CONCEPT_PREFIX}{}", concept.name)) {
            let surface = (mention.surface != concept.name).then(|| mention.surface.clone());
            explained.insert(concept.name.clone());
            explained.insert(mention.surface.clone());
            reasons.push(Reason::SharedConcept {
                name: concept.name.clone(),
                surface,
            });
        }
    }
    reasons.truncate(3);
    let shared: Vec<String> = words
        .iter()
        .filter(|w| their_words.contains(*w))
        .filter(|w| !explained.iter().any(|e| e.contains(String::as_str(w))))
        .take(3)
        .cloned()
        .collect();
    if !shared.is_empty() {
        reasons.push(Reason::SharedWords(shared));
    }
    if reasons.is_empty() {
        // Only the broad area matched: say so rather than nothing.
        if let Some(broader) = theirs.iter().find(|c| c.starts_with(BROADER_PREFIX)) {
            reasons.push(Reason::SharedConcept {
                name: broader.trim_start_matches(BROADER_PREFIX).to_owned(),
                surface: None,
            });
        }
    }
    reasons
}

/// The platform signals: small factors that reorder near neighbours, with their reasons.
fn rerank(q: &MatchQuery, hit: &mut MatchHit) {
    let industry = signals::industry(&q.industry, &hit.industry);
    if industry > 1.0 {
        hit.reasons.push(Reason::SameIndustry(hit.industry.clone()));
    }
    let (region, fit) = signals::region(&q.region_code, &hit.region_code);
    match fit {
        Some(signals::RegionFit::SameCounty) => hit.reasons.push(Reason::SameCounty),
        Some(signals::RegionFit::SameCity) => hit.reasons.push(Reason::SameCity),
        None => {}
    }
    let kind = if signals::kind_fit(q.service_type.as_deref(), hit.service_type.as_deref()) {
        hit.reasons.push(Reason::KindFits);
        1.04
    } else {
        1.0
    };
    let query_is_need = q.kinds.iter().all(|k| *k != ListingKind::Need);
    let (budget, within) = signals::budget(q.price_fen, hit.price_fen, query_is_need);
    if within {
        hit.reasons.push(Reason::WithinBudget);
    }
    hit.score *= industry * region * kind * budget * signals::recency(hit.published_at, q.now);
}

#[cfg(test)]
mod tests {
    use super::Reason;

    #[test]
    fn reasons_read_as_chinese_a_person_understands() {
        let synonym = Reason::SharedConcept {
            name: "蛋鸡产蛋率".into(),
            surface: Some("鸡下蛋少".into()),
        };
        assert_eq!(synonym.to_string(), "“鸡下蛋少”即“蛋鸡产蛋率”");
        let same = Reason::SharedConcept {
            name: "柑橘裂果".into(),
            surface: None,
        };
        assert_eq!(same.to_string(), "同为“柑橘裂果”方向");
        assert_eq!(
            Reason::SharedWords(vec!["蛋鸡".into(), "饲料".into()]).to_string(),
            "共同关键词：蛋鸡、饲料"
        );
        assert_eq!(Reason::SameCounty.to_string(), "同一区县，服务就近");
        assert_eq!(Reason::WithinBudget.to_string(), "价格在预算内");
    }
}
