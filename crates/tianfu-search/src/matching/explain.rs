//! Why a match was made, in words a person checks against the two texts: concepts both name
//! (after the thesaurus maps a colloquial phrase), near words (相近词), words both use, else
//! the characters both use. Always the same reasons for the same pair, in the same order.
//!
//! Which of our terms a hit holds is read from the index's postings, seeking each term's list
//! to the hits shown: analysing each hit's text again with jieba and the thesaurus took a third
//! of a match's time at a million listings. The index holds what was analysed when the listing
//! was stored (title, keywords and the whole description), so the reasons are the same words
//! the ranking used.

use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocSet, Searcher, Term};

use super::Reason;
use super::channels::Near;
use super::thesaurus::{BROADER_PREFIX, CONCEPT_PREFIX, Mention};
use crate::SearchError;
use crate::index::Reader;
use crate::schema::MatchFields;

/// What the query side asked for, kept to explain each hit shown.
pub struct Asked<'a> {
    pub mentions: &'a [Mention],
    /// The rarest words some other listing uses: sharing one of them is an answer.
    pub telling: &'a [String],
    /// Every word of ours some other listing uses, the telling ones first.
    pub words: &'a [String],
    pub near: &'a [Near],
    /// Our character pairs some other listing uses, the rarest first.
    pub bigrams: &'a [String],
    /// Its concepts and broader terms, as the index stores them.
    pub features: &'a [String],
}

/// The reasons for one hit, and whether they make it an answer rather than a lead.
#[derive(Default)]
pub struct Explained {
    pub reasons: Vec<Reason>,
    pub fits: bool,
}

const MAX_CONCEPTS: usize = 3;
const MAX_NEAR: usize = 2;
const MAX_WORDS: usize = 3;

/// The hits being explained, in index order, to seek each term's postings once.
struct Held<'a> {
    searcher: &'a Searcher,
    /// (position among the hits, address), by segment and document.
    order: Vec<(usize, DocAddress)>,
}

impl Held<'_> {
    /// For each hit (by position), whether the field holds the term for it.
    fn holding(&self, field: Field, text: &str) -> Result<Vec<bool>, SearchError> {
        let term = Term::from_field_text(field, text);
        let mut held = vec![false; self.order.len()];
        let mut segment = None;
        let mut postings = None;
        for &(at, address) in &self.order {
            if segment != Some(address.segment_ord) {
                segment = Some(address.segment_ord);
                postings = self
                    .searcher
                    .segment_reader(address.segment_ord)
                    .inverted_index(field)?
                    .read_postings(&term, IndexRecordOption::Basic)?;
            }
            if let Some(postings) = postings.as_mut() {
                let mut doc = postings.doc();
                if doc < address.doc_id {
                    doc = postings.seek(address.doc_id);
                }
                held[at] = doc == address.doc_id;
            }
        }
        Ok(held)
    }
}

/// The reasons for each of `hits`, in the same order.
pub fn reasons(
    reader: &Reader,
    searcher: &Searcher,
    fields: MatchFields,
    asked: &Asked<'_>,
    hits: &[DocAddress],
) -> Result<Vec<Explained>, SearchError> {
    let mut order: Vec<(usize, DocAddress)> = hits.iter().copied().enumerate().collect();
    order.sort_by_key(|(_, a)| (a.segment_ord, a.doc_id));
    let held = Held { searcher, order };
    let mut out: Vec<Explained> = hits.iter().map(|_| Explained::default()).collect();
    // What each hit's reasons already say, so a word is not said twice.
    let mut explained: Vec<Vec<String>> = vec![Vec::new(); hits.len()];

    for mention in asked.mentions {
        let concept = reader.thesaurus.concept(mention.concept);
        let holding = held.holding(
            fields.concepts,
            &format!("{CONCEPT_PREFIX}{}", concept.name),
        )?;
        for (at, hit) in out.iter_mut().enumerate() {
            if holding[at] && hit.reasons.len() < MAX_CONCEPTS {
                let surface = (mention.surface != concept.name).then(|| mention.surface.clone());
                explained[at].push(concept.name.clone());
                explained[at].push(mention.surface.clone());
                hit.reasons.push(Reason::SharedConcept {
                    name: concept.name.clone(),
                    surface,
                });
            }
        }
    }
    let is_explained =
        |w: &str, explained: &[String]| explained.iter().any(|e| e.contains(w) || w.contains(e));
    let mut near_said = vec![0; hits.len()];
    for near in asked.near {
        let holding = held.holding(fields.text, &near.word)?;
        for (at, hit) in out.iter_mut().enumerate() {
            if holding[at] && near_said[at] < MAX_NEAR && !is_explained(&near.of, &explained[at]) {
                near_said[at] += 1;
                explained[at].push(near.of.clone());
                explained[at].push(near.word.clone());
                hit.reasons.push(Reason::NearWord {
                    ours: near.of.clone(),
                    theirs: near.word.clone(),
                });
            }
        }
    }
    let mut shared: Vec<Vec<String>> = vec![Vec::new(); hits.len()];
    for word in asked.words {
        if shared.iter().all(|s| s.len() >= MAX_WORDS) {
            break;
        }
        let holding = held.holding(fields.text, word)?;
        for at in 0..hits.len() {
            if holding[at] && shared[at].len() < MAX_WORDS && !is_explained(word, &explained[at]) {
                shared[at].push(word.clone());
            }
        }
    }
    for (hit, shared) in out.iter_mut().zip(shared) {
        hit.fits = !hit.reasons.is_empty() || shared.iter().any(|w| asked.telling.contains(w));
        if !shared.is_empty() {
            hit.reasons.push(Reason::SharedWords(shared));
        }
    }
    characters(&held, fields, asked, &mut out)?;
    same_area(&held, fields, asked, &mut out)?;
    Ok(out)
}

/// For hits with no other reason, the character pairs both use: pairs inside a word of ours
/// first, rather than across two words (一套|自动 → 套自).
fn characters(
    held: &Held<'_>,
    fields: MatchFields,
    asked: &Asked<'_>,
    out: &mut [Explained],
) -> Result<(), SearchError> {
    let open: Vec<usize> = (0..out.len())
        .filter(|&at| out[at].reasons.is_empty())
        .collect();
    if open.is_empty() {
        return Ok(());
    }
    let mut inside: Vec<Vec<String>> = vec![Vec::new(); out.len()];
    let mut across: Vec<Vec<String>> = vec![Vec::new(); out.len()];
    for pair in asked.bigrams {
        if open.iter().all(|&at| inside[at].len() >= MAX_WORDS) {
            break;
        }
        let holding = held.holding(fields.bigram, pair)?;
        let within_a_word = asked.words.iter().any(|w| w.contains(pair.as_str()));
        for &at in &open {
            if holding[at] {
                let list = if within_a_word {
                    &mut inside[at]
                } else {
                    &mut across[at]
                };
                if list.len() < MAX_WORDS {
                    list.push(pair.clone());
                }
            }
        }
    }
    for at in open {
        let pairs = if inside[at].is_empty() {
            std::mem::take(&mut across[at])
        } else {
            std::mem::take(&mut inside[at])
        };
        if !pairs.is_empty() {
            out[at].reasons.push(Reason::SharedCharacters(pairs));
        }
    }
    Ok(())
}

/// For hits with still no reason, the broad area both name (the first in name order, so a
/// page shows the same reason each time it loads) rather than nothing.
fn same_area(
    held: &Held<'_>,
    fields: MatchFields,
    asked: &Asked<'_>,
    out: &mut [Explained],
) -> Result<(), SearchError> {
    let mut broader: Vec<&String> = asked
        .features
        .iter()
        .filter(|c| c.starts_with(BROADER_PREFIX))
        .collect();
    broader.sort();
    for feature in broader {
        if out.iter().all(|hit| !hit.reasons.is_empty()) {
            break;
        }
        let holding = held.holding(fields.concepts, feature)?;
        for (at, hit) in out.iter_mut().enumerate() {
            if holding[at] && hit.reasons.is_empty() {
                hit.reasons.push(Reason::SameArea(
                    feature.trim_start_matches(BROADER_PREFIX).to_owned(),
                ));
            }
        }
    }
    Ok(())
}
