//! Related results for a search: listings that say what the user's words mean in other words
//! — the thesaurus concepts the query names (鸡下蛋少 → 蛋鸡产蛋率) and the lexicon's near words
//! of its words (拉稀 → 腹泻) — that the literal search did not find. They are shown apart from
//! the literal hits, each with the reason it is related, so nobody mistakes them for a match
//! of the words typed.

use std::collections::HashSet;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query};
use tantivy::{DocAddress, Searcher, TantivyDocument};

use crate::index::Reader;
use crate::matching::channels::Rarity;
use crate::matching::explain::{self, Asked};
use crate::matching::lexicon::Lexicon;
use crate::matching::thesaurus::CONCEPT_PREFIX;
use crate::matching::{CONCEPT_BOOST, term};
use crate::schema::MatchFields;
use crate::snippet::Highlighter;
use crate::{SearchError, SearchHit};

/// Enough to show there is more than the words typed, few enough not to bury the literal hits.
pub const RELATED_LIMIT: usize = 5;

/// A listing found through meaning rather than the words typed.
#[derive(Debug, Clone, PartialEq)]
pub struct RelatedHit {
    pub hit: SearchHit,
    /// Why it is related, in Chinese ("“鸡下蛋少”即“蛋鸡产蛋率”", "相近词：拉稀≈腹泻").
    pub reason: String,
}

/// What the user typed, analysed: the simplified text and its words.
pub struct Typed<'a> {
    pub text: &'a str,
    pub words: &'a [String],
}

/// Up to [`RELATED_LIMIT`] related listings passing `filters`, none of which `literal` matches.
pub fn related(
    ix: &Reader,
    searcher: &Searcher,
    typed: &Typed<'_>,
    literal: Option<Box<dyn Query>>,
    filters: Vec<Box<dyn Query>>,
    to_hit: impl Fn(&TantivyDocument, f32, &Highlighter<'_>) -> Result<SearchHit, SearchError>,
) -> Result<Vec<RelatedHit>, SearchError> {
    let f = &ix.fields;
    let mentions = ix.thesaurus.mentions(typed.text);
    let concepts: Vec<String> = ix
        .thesaurus
        .features(typed.text)
        .into_iter()
        .filter(|c| c.starts_with(CONCEPT_PREFIX))
        .collect();
    let rarity = Rarity {
        searcher,
        own: None,
    };
    let telling: Vec<String> = typed
        .words
        .iter()
        .filter(|w| w.chars().count() >= 2)
        .cloned()
        .collect();
    let near = rarity.near_words(f.text, Lexicon::built_in(), &telling, typed.words)?;
    let mut meaning: Vec<(Occur, Box<dyn Query>)> = concepts
        .iter()
        .map(|c| term(f.concepts, c, CONCEPT_BOOST))
        .collect();
    meaning.extend(near.iter().map(|n| term(f.text, &n.word, n.weight)));
    if meaning.is_empty() {
        return Ok(Vec::new());
    }
    let mut clauses: Vec<(Occur, Box<dyn Query>)> =
        vec![(Occur::Must, Box::new(BooleanQuery::new(meaning)))];
    if let Some(literal) = literal {
        clauses.push((Occur::MustNot, literal));
    }
    for filter in filters {
        clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(filter, 0.0))));
    }
    let found = searcher.search(
        &BooleanQuery::new(clauses),
        &TopDocs::with_limit(RELATED_LIMIT).order_by_score(),
    )?;
    // Mark the words that made each listing related.
    let mut marked: HashSet<String> = near.iter().map(|n| n.word.clone()).collect();
    for mention in &mentions {
        marked.insert(ix.thesaurus.concept(mention.concept).name.clone());
    }
    let snippets = Highlighter { marked: &marked };
    let asked = Asked {
        mentions: &mentions,
        telling: &[],
        words: &[],
        near: &near,
        bigrams: &[],
        features: &[],
    };
    let fields = MatchFields {
        text: f.text,
        bigram: f.bigram,
        concepts: f.concepts,
    };
    let addresses: Vec<DocAddress> = found.iter().map(|(_, address)| *address).collect();
    let explained = explain::reasons(ix, searcher, fields, &asked, &addresses)?;
    let mut out = Vec::with_capacity(found.len());
    for ((score, address), explained) in found.into_iter().zip(explained) {
        let doc: TantivyDocument = searcher.doc(address)?;
        let reason = explained
            .reasons
            .first()
            .map_or_else(|| "意思相近".to_owned(), ToString::to_string);
        out.push(RelatedHit {
            hit: to_hit(&doc, score, &snippets)?,
            reason,
        });
    }
    Ok(out)
}
