//! Why a match was made, in words a person checks against the two texts: concepts both name
//! (after the thesaurus maps a colloquial phrase), near words (相近词), words both use, else
//! the characters both use. Always the same reasons for the same pair, in the same order.

use std::collections::HashSet;

use super::Reason;
use super::channels::{Near, bigrams_of, words_of};
use super::thesaurus::{BROADER_PREFIX, CONCEPT_PREFIX, Mention};
use crate::index::Reader;
use crate::tokenizer::simplified;

/// What the query side asked for, kept to explain each hit shown.
pub struct Asked<'a> {
    pub mentions: &'a [Mention],
    /// The rarest words some other listing uses: sharing one of them is an answer.
    pub telling: &'a [String],
    /// Every word of ours, the telling ones first.
    pub words: &'a [String],
    pub near: &'a [Near],
    pub bigrams: &'a [String],
    /// Its concepts and broader terms, as the index stores them.
    pub features: &'a [String],
}

/// The reasons for one hit, and whether they make it an answer rather than a lead.
pub struct Explained {
    pub reasons: Vec<Reason>,
    pub fits: bool,
}

/// The opening of a long description says what it is about; analysing all of it for every
/// hit shown cost more than the search.
const BODY_CHARS_READ: usize = 1_000;
const MAX_CONCEPTS: usize = 3;
const MAX_NEAR: usize = 2;
const MAX_WORDS: usize = 3;

pub fn reasons(reader: &Reader, asked: &Asked<'_>, title: &str, body: &str) -> Explained {
    let body: String = body.chars().take(BODY_CHARS_READ).collect();
    // Stored as written; compared as indexed (simplified characters).
    let their_text = simplified(&format!("{title} {body}"));
    let their_text = their_text.as_str();
    let theirs: HashSet<String> = reader.thesaurus.features(their_text).into_iter().collect();
    let their_words: HashSet<String> = words_of(reader, their_text).into_iter().collect();
    let mut reasons = Vec::new();
    let mut explained: Vec<String> = Vec::new();
    for mention in asked.mentions {
        let concept = reader.thesaurus.concept(mention.concept);
        if reasons.len() < MAX_CONCEPTS
            && theirs.contains(&format!("{CONCEPT_PREFIX}{}", concept.name))
        {
            let surface = (mention.surface != concept.name).then(|| mention.surface.clone());
            explained.push(concept.name.clone());
            explained.push(mention.surface.clone());
            reasons.push(Reason::SharedConcept {
                name: concept.name.clone(),
                surface,
            });
        }
    }
    let is_explained =
        |w: &str, explained: &[String]| explained.iter().any(|e| e.contains(w) || w.contains(e));
    let mut near_said = 0;
    for near in asked.near {
        if near_said < MAX_NEAR
            && their_words.contains(&near.word)
            && !is_explained(&near.of, &explained)
        {
            near_said += 1;
            explained.push(near.of.clone());
            explained.push(near.word.clone());
            reasons.push(Reason::NearWord {
                ours: near.of.clone(),
                theirs: near.word.clone(),
            });
        }
    }
    let shared: Vec<String> = asked
        .words
        .iter()
        .filter(|w| their_words.contains(*w) && !is_explained(w, &explained))
        .take(MAX_WORDS)
        .cloned()
        .collect();
    explained.extend(shared.iter().cloned());
    let fits = !reasons.is_empty() || shared.iter().any(|w| asked.telling.contains(w));
    if !shared.is_empty() {
        reasons.push(Reason::SharedWords(shared));
    }
    if reasons.is_empty() {
        let their_bigrams: HashSet<String> = bigrams_of(their_text).into_iter().collect();
        let shared: Vec<&String> = asked
            .bigrams
            .iter()
            .filter(|g| their_bigrams.contains(*g))
            .collect();
        // Pairs inside a word of theirs first, rather than across two words (一套|自动 → 套自).
        let (inside, across): (Vec<&String>, Vec<&String>) = shared
            .into_iter()
            .partition(|g| their_words.iter().any(|w| w.contains(g.as_str())));
        let characters: Vec<String> = if inside.is_empty() { across } else { inside }
            .into_iter()
            .take(MAX_WORDS)
            .cloned()
            .collect();
        if !characters.is_empty() {
            reasons.push(Reason::SharedCharacters(characters));
        }
    }
    if reasons.is_empty() {
        // Only the broad area both name matched: say so rather than nothing (the first in name
        // order, so a page shows the same reason each time it loads).
        let mut broader: Vec<&String> = theirs
            .iter()
            .filter(|c| c.starts_with(BROADER_PREFIX) && asked.features.contains(*c))
            .collect();
        broader.sort();
        if let Some(broader) = broader.first() {
            reasons.push(Reason::SameArea(
                broader.trim_start_matches(BROADER_PREFIX).to_owned(),
            ));
        }
    }
    Explained { reasons, fits }
}
