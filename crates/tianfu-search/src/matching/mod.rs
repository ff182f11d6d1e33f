//! Intelligent matching (智能匹配): for a need, the capabilities and achievements that answer
//! it; for a capability or achievement, the needs it answers; each with reasons in Chinese.
//!
//! Retrieval runs over the search index, so a listing is matchable as soon as it is searchable
//! and only published listings ever appear. Two recall channels run side by side (see
//! [`channels`]): the *meaning* channel — the telling words both sides use, the thesaurus
//! concepts both name (so "鸡下蛋少" meets "蛋鸡产蛋率") and the lexicon's near words (拉稀 ≈
//! 腹泻) — and the *characters* channel, BM25 over character pairs, which cannot come up empty
//! when two texts share characters. Both run as one union whose term boosts are divided by their
//! channel's evidence (Σ boost·idf), so a listing's score is the weighted sum of its shares of
//! each, with weights tuned on the dev half of the labelled set: the characters keep the engine from
//! ever doing worse than plain bigram BM25, the meaning lifts paraphrases above it. Small
//! boosts for the same industry and a nearby region follow: enough to order close matches,
//! never enough to lift a weak match over a clearly better one far away.

pub(crate) mod candidates;
pub(crate) mod channels;
pub mod eval;
pub(crate) mod explain;
pub mod lexicon;
pub mod places;
pub mod signals;
#[cfg(test)]
mod tests;
pub mod thesaurus;

use std::fmt;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

use crate::index::Reader;
use crate::schema::key_term;
use crate::tokenizer::simplified;
use crate::{ListingKind, SearchError};
use candidates::Candidate;
use channels::{NEAR_SOURCES, Rarity, TELLING_BIGRAMS, TELLING_WORDS, words_of};
use lexicon::Lexicon;
use thesaurus::CONCEPT_PREFIX;

/// A shared concept outweighs a shared word: it is the expert's meaning, not a spelling.
pub(crate) const CONCEPT_BOOST: f32 = 2.5;
/// A shared broader term only says "same area": it helps recall, it must not decide. It is
/// asked for only when the rest finds fewer listings than wanted: a broad area is shared by a
/// large part of a big market, and its long, weakly weighted postings kept block-max WAND
/// from skipping. At a million capabilities, deferring them cut a match's CPU by about 40 %;
/// the dev half's recall@10 did not move, alone or at scale, and its MRR at scale fell 0.006.
const BROADER_BOOST: f32 = 0.4;
/// A near word counts less than the word itself, in proportion to how near it is.
const NEAR_BOOST: f32 = 0.5;
/// Weights of the two channels' shares of their evidence. Tuned on the dev half: between 0.6
/// and 2.0 for the meaning, recall@10 moved by at most 0.006 and MRR by 0.006, so the plain
/// sum stays.
const MEANING_WEIGHT: f32 = 1.0;
const CHARACTERS_WEIGHT: f32 = 1.0;

/// Candidates fetched before reranking. The platform signals reorder near neighbours; between
/// 10 and 20 candidates the dev half's figures did not move, at a million capabilities or
/// alone, while each candidate beyond the list shown lowers block-max WAND's threshold and the
/// slowest needs took a third longer at 20.
const CANDIDATES: usize = 10;

/// A term used by more than this share of the listings searched says little about which of
/// them answers (两成, 电子 in a market of technology listings), yet it is the longest list of
/// postings block-max WAND has to keep choosing among. Left out, the dev half's figures did
/// not move, alone or at a million capabilities.
const COMMON_SHARE: f64 = 0.05;
/// ...but on a county's small market a word three listings use is not common.
const COMMON_FLOOR: u64 = 50;

/// The document frequency above which a term is too common to ask for.
fn common_above(listings: u64) -> u64 {
    ((listings as f64 * COMMON_SHARE) as u64).max(COMMON_FLOOR)
}

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
    /// The listing being matched, when it may be in the index itself: its own words do not
    /// count towards their rarity, and it never matches itself.
    pub own: Option<(ListingKind, i64)>,
    /// Listings never to return (dismissed ones).
    pub exclude: Vec<(ListingKind, i64)>,
    pub limit: usize,
}

/// Which ranking to use; the plain ones exist to measure the engine against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// Both channels fused, then industry, region and the other signals.
    Full,
    /// BM25 over the same jieba words, nothing else.
    WordBm25,
    /// BM25 over every character pair of the text, nothing else.
    BigramBm25,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    /// A concept both name; `surface` is how the query side wrote it when that differs.
    SharedConcept {
        name: String,
        surface: Option<String>,
    },
    /// A word of ours and a near word of theirs (相近词).
    NearWord {
        ours: String,
        theirs: String,
    },
    SharedWords(Vec<String>),
    /// Only characters in common: words jieba did not know, typos, local names.
    SharedCharacters(Vec<String>),
    /// Only a broad area in common (a broader term both name).
    SameArea(String),
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
            Reason::NearWord { ours, theirs } => write!(f, "相近词：{ours}≈{theirs}"),
            Reason::SharedWords(words) => write!(f, "共同关键词：{}", words.join("、")),
            Reason::SharedCharacters(grams) => write!(f, "字面相近：{}", grams.join("、")),
            Reason::SameArea(name) => write!(f, "同属“{name}”领域"),
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
    /// Whether it answers the listing: a concept, a near word or a telling word in common.
    /// Sharing only characters, a broad area or common words is a lead, not an answer.
    pub fits: bool,
    /// Service type, need kind or achievement kind.
    pub service_type: Option<String>,
    pub price_fen: Option<i64>,
    /// Unix seconds.
    pub published_at: i64,
}

pub(crate) type Clause = (Occur, Box<dyn Query>);

pub(crate) fn term(field: Field, text: &str, boost: f32) -> Clause {
    let query = TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    );
    (
        Occur::Should,
        Box::new(BoostQuery::new(Box::new(query), boost)),
    )
}

/// A channel's terms and the score a listing holding each of them once would get: BM25 gives
/// a term found once in a listing of average length about its idf. A channel's score divided
/// by it is the share of the query's evidence a listing has, comparable between channels
/// and between queries, where dividing by the best hit would make a lone weak hit perfect.
#[derive(Default)]
struct Channel {
    terms: Vec<(Field, String, f32)>,
    reference: f32,
}

impl Channel {
    /// `df` is the term's document frequency when the caller has counted it already.
    fn ask(
        &mut self,
        searcher: &Searcher,
        field: Field,
        text: &str,
        boost: f32,
        df: Option<u64>,
    ) -> Result<(), SearchError> {
        let df = match df {
            Some(df) => df,
            None => searcher.doc_freq(&Term::from_field_text(field, text))?,
        } as f32;
        let n = searcher.num_docs() as f32;
        self.reference += boost * (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
        self.terms.push((field, text.to_owned(), boost));
        Ok(())
    }
}

/// The channels as one union, each term's boost divided by its channel's reference and
/// multiplied by the channel's weight: a listing's score is the weighted sum of its shares of
/// each channel's evidence. One union is one pass of block-max WAND over all the terms, with
/// one threshold for the fused score — two passes cost about twice as much.
fn fused_union(channels: &[(&Channel, f32)]) -> Option<BooleanQuery> {
    let mut clauses: Vec<Clause> = Vec::new();
    for (channel, weight) in channels {
        let reference = channel.reference.max(f32::MIN_POSITIVE);
        for (field, text, boost) in &channel.terms {
            clauses.push(term(*field, text, weight * boost / reference));
        }
    }
    (!clauses.is_empty()).then(|| BooleanQuery::new(clauses))
}

/// The listing's live document, when it is indexed.
fn own_document(
    searcher: &Searcher,
    reader: &Reader,
    listing: (ListingKind, i64),
) -> Result<Option<DocAddress>, SearchError> {
    let key = TermQuery::new(
        key_term(&reader.fields, listing.0, listing.1),
        IndexRecordOption::Basic,
    );
    let found = searcher.search(&key, &TopDocs::with_limit(1).order_by_score())?;
    Ok(found.first().map(|(_, address)| *address))
}

pub(crate) fn matches(
    reader: &Reader,
    q: &MatchQuery,
    engine: Engine,
) -> Result<Vec<MatchHit>, SearchError> {
    if q.limit == 0 {
        return Ok(Vec::new());
    }
    let f = &reader.fields;
    // The wanted side's own fields: only its postings are walked.
    let mf = f.matching(&q.kinds);
    let searcher = reader.reader.searcher();
    let own = match q.own {
        Some(own) => own_document(&searcher, reader, own)?,
        None => None,
    };
    let rarity = Rarity {
        searcher: &searcher,
        own,
    };
    let text = reader
        .places
        .read()
        .map_err(|_| SearchError::Poisoned)?
        .strip(&simplified(&q.text));
    let mut exclude = q.exclude.clone();
    exclude.extend(q.own);
    let own_words = words_of(reader, &text);
    let ranked = rarity.by_rarity(mf.text, own_words.clone())?;
    let common = if engine == Engine::Full {
        common_above(candidates::docs_of(&searcher, f, &q.kinds)?)
    } else {
        u64::MAX
    };
    let words: Vec<String> = if engine == Engine::BigramBm25 {
        Vec::new()
    } else {
        ranked
            .iter()
            .filter(|(df, _)| *df > 0 && *df <= common)
            .take(TELLING_WORDS)
            .map(|(_, w)| w.clone())
            .collect()
    };
    let pairs = match engine {
        Engine::BigramBm25 => rarity.telling(mf.bigram, channels::bigrams_of(&text), usize::MAX)?,
        Engine::WordBm25 => Vec::new(),
        Engine::Full => rarity
            .telling_bigrams(mf.bigram, &text)?
            .into_iter()
            .filter(|(df, _)| *df <= common)
            .collect(),
    };
    let mentions = reader.thesaurus.mentions(&text);
    let features = reader.thesaurus.features(&text);
    let near = if engine == Engine::Full {
        let sources: Vec<String> = ranked
            .iter()
            .take(NEAR_SOURCES)
            .map(|(_, w)| w.clone())
            .collect();
        let mut near = rarity.near_words(mf.text, Lexicon::built_in(), &sources, &own_words)?;
        near.retain(|n| n.df <= common);
        near
    } else {
        Vec::new()
    };
    let wanted = if engine == Engine::Full {
        CANDIDATES.max(q.limit)
    } else {
        q.limit
    };

    let df_of = |word: &str| ranked.iter().find(|(_, w)| w == word).map(|(df, _)| *df);
    // The meaning channel; `broad` adds the broader terms (see [`BROADER_BOOST`]).
    let meaning = |broad: bool| -> Result<Channel, SearchError> {
        let mut channel = Channel::default();
        for w in &words {
            channel.ask(&searcher, mf.text, w, 1.0, df_of(w))?;
        }
        if engine != Engine::Full {
            return Ok(channel);
        }
        for feature in &features {
            if feature.starts_with(CONCEPT_PREFIX) {
                channel.ask(&searcher, mf.concepts, feature, CONCEPT_BOOST, None)?;
            } else if broad {
                channel.ask(&searcher, mf.concepts, feature, BROADER_BOOST, None)?;
            }
        }
        for n in &near {
            channel.ask(
                &searcher,
                mf.text,
                &n.word,
                NEAR_BOOST * n.weight,
                Some(n.df),
            )?;
        }
        Ok(channel)
    };
    let characters = |pairs: &[(u64, String)]| -> Result<Channel, SearchError> {
        let mut channel = Channel::default();
        for (df, pair) in pairs {
            channel.ask(&searcher, mf.bigram, pair, 1.0, Some(*df))?;
        }
        Ok(channel)
    };
    let asked = if engine == Engine::Full {
        TELLING_BIGRAMS.min(pairs.len())
    } else {
        pairs.len()
    };
    let run = |meaning: &Channel, characters: &Channel| -> Result<Vec<Candidate>, SearchError> {
        match fused_union(&[(meaning, MEANING_WEIGHT), (characters, CHARACTERS_WEIGHT)]) {
            Some(union) => candidates::top(
                &searcher,
                &reader.columns,
                f,
                union,
                &q.kinds,
                &exclude,
                wanted,
            ),
            None => Ok(Vec::new()),
        }
    };
    let mut fused = run(&meaning(false)?, &characters(&pairs[..asked])?)?;
    let broad = features.iter().any(|f| !f.starts_with(CONCEPT_PREFIX));
    if fused.len() < q.limit && (asked < pairs.len() || (broad && engine == Engine::Full)) {
        // Too little found: the rarest pairs may be used only by listings of another kind, and
        // on a small market a broad area may be all that is in common. Ask for everything.
        fused = run(&meaning(true)?, &characters(&pairs)?)?;
    }
    let pairs: Vec<String> = pairs.into_iter().map(|(_, pair)| pair).collect();
    let mut hits: Vec<(MatchHit, DocAddress)> = fused
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
                fits: false,
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
    // Ties broken by kind and id, so the same market always gives the same order.
    hits.sort_by(|a, b| {
        b.0.score
            .total_cmp(&a.0.score)
            .then_with(|| (a.0.kind.as_str(), a.0.id).cmp(&(b.0.kind.as_str(), b.0.id)))
    });
    hits.truncate(q.limit);
    // Every word of ours some other listing uses can explain a hit, the telling ones first.
    let mut said_words = words.clone();
    said_words.extend(
        ranked
            .iter()
            .filter(|(df, w)| *df > 0 && !words.contains(w))
            .map(|(_, w)| w.clone()),
    );
    let asked = explain::Asked {
        mentions: &mentions,
        telling: &words,
        words: &said_words,
        near: &near,
        bigrams: &pairs,
        features: &features,
    };
    let addresses: Vec<DocAddress> = hits.iter().map(|(_, address)| *address).collect();
    let mut explained = if engine == Engine::Full {
        explain::reasons(reader, &searcher, mf, &asked, &addresses)?
    } else {
        Vec::new()
    }
    .into_iter();
    // Titles only for the hits shown, from the document store.
    let mut shown = Vec::with_capacity(hits.len());
    for (mut hit, address) in hits {
        let doc: TantivyDocument = searcher.doc(address)?;
        hit.title = doc
            .get_first(f.title)
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        if let Some(explained) = explained.next() {
            hit.fits = explained.fits;
            hit.reasons.splice(0..0, explained.reasons);
        }
        shown.push(hit);
    }
    Ok(shown)
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
mod reason_tests {
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
