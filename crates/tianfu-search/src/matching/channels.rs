//! The terms each recall channel asks the index for.
//!
//! - **words**: jieba's words of the listing, the rarest first — the "telling" ones;
//! - **concepts**: the domain thesaurus's concepts and broader terms the listing names;
//! - **near words**: the lexicon's synonyms and vector neighbours of the telling words;
//! - **bigrams**: overlapping character pairs, which cannot come up empty when two texts share
//!   characters, whatever jieba made of them (typos, unknown words, local names).
//!
//! Rarity is measured without the listing itself: a need is indexed too, and on a county's
//! small market the words only it uses would otherwise look the most telling, and find nothing
//! but the need.

use std::collections::HashSet;

use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocSet, Searcher, TERMINATED, Term};

use super::lexicon::Lexicon;
use crate::SearchError;
use crate::index::Reader;
use crate::tokenizer::{bigram_tokens, jieba_tokens};

/// Words considered from the listing's text before choosing the most telling ones.
const MAX_QUERY_WORDS: usize = 64;
/// The rarest words in the index are the most telling; a long description otherwise turns
/// into a union of dozens of common words, slow over a million listings and no more precise.
pub const TELLING_WORDS: usize = 8;
/// Character pairs asked for, the rarest first: enough for a long rambling need to keep its
/// telling pairs, few enough for block-max WAND to stay fast over a million listings.
pub const TELLING_BIGRAMS: usize = 16;
/// Pairs asked for when the first ones find too little (their rarest may be used only by
/// listings of another kind, such as other needs).
pub const MAX_BIGRAMS: usize = 120;
/// Distinct pairs counted at all: a 5,000-character description has thousands, and the
/// first few hundred carry what it is about.
const PAIRS_COUNTED: usize = 300;
/// Near words per telling word; the closest few carry the meaning, the rest drift.
const NEAR_PER_WORD: usize = 4;
/// Near words asked for in all: each is one more term to score over a million listings.
const MAX_NEAR: usize = 8;
/// The rarest words of a text whose near words are asked for: first those no other listing
/// uses (where another word is the only way to a match), then the telling ones.
pub const NEAR_SOURCES: usize = 12;
/// Below this weight a near word is more often another thing than the same thing.
const MIN_NEAR_WEIGHT: f32 = 0.6;

/// Words nearly every listing uses about itself ("we need an expert to guide us with this
/// problem"): on a small market they are rare enough to look telling, and a match "sharing"
/// 问题 or 专家 is no match at all.
pub const GENERIC: &[&str] = &[
    "问题", "专家", "指导", "技术", "服务", "需要", "希望", "提供", "解决", "帮助", "企业", "公司",
    "我们", "目前", "最近", "现在", "进行", "相关", "方面", "情况", "工作", "合作", "寻求", "请求",
    "想请", "看看", "一下", "怎么", "什么", "没有", "这个", "那个", "今年", "去年", "已经", "可以",
    "能够", "如何", "办法", "主要", "其中", "通过", "实现", "开展",
];

/// Characters that only hold a sentence together: a pair with one of them (别的, 我家, 很多)
/// says nothing about the problem. Characters that also build content words (都 in 成都, 被
/// in 植被, 还 in 还原) are not among them.
const FUNCTION_CHARACTERS: &str =
    "的了是我你他她它们这那么吗呢吧啊呀哦嘛咋啥也都就很把被让给还又些";

/// Character pairs as common as the generic words, or holding a function character.
fn generic_bigram(gram: &str) -> bool {
    GENERIC.contains(&gram) || gram.chars().any(|c| FUNCTION_CHARACTERS.contains(c))
}

/// The words of a text worth matching on: jieba's words of two or more characters, each once,
/// without the generic ones.
pub(crate) fn words_of(reader: &Reader, text: &str) -> Vec<String> {
    let mut seen = HashSet::new();
    jieba_tokens(&reader.jieba, text)
        .into_iter()
        .map(|t| t.text)
        .filter(|w| w.chars().count() >= 2 && !GENERIC.contains(&w.as_str()))
        .filter(|w| seen.insert(w.clone()))
        .take(MAX_QUERY_WORDS)
        .collect()
}

/// The distinct character pairs of a text (and its whole ASCII words: BMS, PLC, 5g).
pub fn bigrams_of(text: &str) -> Vec<String> {
    let mut seen = HashSet::new();
    bigram_tokens(text)
        .into_iter()
        .map(|t| t.text)
        .filter(|g| g.chars().count() >= 2 && !generic_bigram(g))
        .filter(|g| seen.insert(g.clone()))
        .take(PAIRS_COUNTED)
        .collect()
}

/// A near word asked for on behalf of a telling word, with the lexicon's weight.
#[derive(Debug, Clone, PartialEq)]
pub struct Near {
    pub word: String,
    pub of: String,
    pub weight: f32,
    /// How many listings use it.
    pub df: u64,
}

/// Counts a term's listings, leaving out the one being matched.
pub(crate) struct Rarity<'a> {
    pub searcher: &'a Searcher,
    /// The live document of the listing being matched, when it is indexed.
    pub own: Option<DocAddress>,
}

/// Below this document frequency a term is counted exactly: live documents only (an edited
/// listing's old version stays in the frequencies until a merge) and never the listing
/// itself. Above it an error of one or two changes nothing.
const EXACT_BELOW: u64 = 8;

impl Rarity<'_> {
    fn df(&self, field: Field, text: &str) -> Result<u64, SearchError> {
        let term = Term::from_field_text(field, text);
        let raw = self.searcher.doc_freq(&term)?;
        if raw == 0 || raw > EXACT_BELOW {
            return Ok(raw);
        }
        let mut live = 0;
        for (ord, segment) in self.searcher.segment_readers().iter().enumerate() {
            let Some(mut postings) = segment
                .inverted_index(field)?
                .read_postings(&term, IndexRecordOption::Basic)?
            else {
                continue;
            };
            let alive = segment.alive_bitset();
            let mut doc = postings.doc();
            while doc != TERMINATED {
                let own = self.own == Some(DocAddress::new(ord as u32, doc));
                if !own && alive.is_none_or(|a| a.is_alive(doc)) {
                    live += 1;
                }
                doc = postings.advance();
            }
        }
        Ok(live)
    }

    /// Terms with how many other listings use them, rarest first (unused ones at the front).
    pub fn by_rarity(
        &self,
        field: Field,
        terms: Vec<String>,
    ) -> Result<Vec<(u64, String)>, SearchError> {
        let mut counted = Vec::with_capacity(terms.len());
        for (position, term) in terms.into_iter().enumerate() {
            counted.push((self.df(field, &term)?, position, term));
        }
        counted.sort_by_key(|(df, position, _)| (*df, *position));
        Ok(counted.into_iter().map(|(df, _, t)| (df, t)).collect())
    }

    /// Terms that occur in some other listing, rarest first, at most `keep`, with how many
    /// listings use them.
    pub fn telling(
        &self,
        field: Field,
        terms: Vec<String>,
        keep: usize,
    ) -> Result<Vec<(u64, String)>, SearchError> {
        Ok(self
            .by_rarity(field, terms)?
            .into_iter()
            .filter(|(df, _)| *df > 0)
            .take(keep)
            .collect())
    }

    /// The text's character pairs some other listing uses, rarest first, at most
    /// [`MAX_BIGRAMS`]: the first [`TELLING_BIGRAMS`] are asked for, the rest only when those
    /// find too little.
    pub fn telling_bigrams(
        &self,
        field: Field,
        text: &str,
    ) -> Result<Vec<(u64, String)>, SearchError> {
        self.telling(field, bigrams_of(text), MAX_BIGRAMS)
    }

    /// The near words of `sources` that some listing uses and the text itself does not, each
    /// once, the closest first for each word, at most [`MAX_NEAR`] in all.
    pub fn near_words(
        &self,
        field: Field,
        lexicon: &Lexicon,
        sources: &[String],
        own_words: &[String],
    ) -> Result<Vec<Near>, SearchError> {
        let mut out: Vec<Near> = Vec::new();
        for word in sources {
            if out.len() >= MAX_NEAR {
                break;
            }
            let mut taken = 0;
            for (near, weight) in lexicon.neighbours(word) {
                if taken == NEAR_PER_WORD || weight < MIN_NEAR_WEIGHT {
                    break;
                }
                if own_words.iter().any(|w| w == near) || out.iter().any(|n| n.word == near) {
                    continue;
                }
                // Near words are not in the listing's own text: count them whole.
                let df = self
                    .searcher
                    .doc_freq(&Term::from_field_text(field, near))?;
                if df > 0 {
                    taken += 1;
                    out.push(Near {
                        word: near.to_owned(),
                        of: word.clone(),
                        weight,
                        df,
                    });
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bigrams_keep_ascii_words_whole_and_drop_generic_pairs() {
        let grams = bigrams_of("BMS均衡问题，电池包");
        assert!(grams.contains(&"bms".to_string()), "{grams:?}");
        assert!(grams.contains(&"电池".to_string()), "{grams:?}");
        assert!(!grams.contains(&"问题".to_string()), "{grams:?}");
        assert_eq!(
            grams.len(),
            grams.iter().collect::<HashSet<_>>().len(),
            "each pair once"
        );
    }
}
