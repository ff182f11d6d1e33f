//! 您是不是要找: a correction for a search that found little, taken from the words the market
//! actually uses.
//!
//! The vocabulary is the index's own term dictionary (the jieba words of every listing, with the
//! number of listings using each), so it needs no hand list and follows what is published. Each
//! Chinese word is keyed by its toneless pinyin (柑橘 → "ganju"); a query word the market does not
//! use is replaced by the most common market word that sounds the same — a homophone typo
//! (甘橘 → 柑橘) or pinyin typed without switching the input method (ganju → 柑橘). When no word
//! sounds exactly the same, a looser key forgives what Sichuan speakers often merge (n/l,
//! z/zh, c/ch, s/sh, an/ang, en/eng, in/ing).
//!
//! Lookups are binary searches over sorted arrays; the words live in one string arena.

pub(crate) mod live;
mod pinyin_key;
#[cfg(test)]
mod tests;

use jieba_rs::Jieba;

pub use pinyin_key::{fuzzy, toneless};

/// A suggestion is offered only when the search found at most this many listings.
pub const FEW_RESULTS: usize = 3;
/// Longer queries are not corrected: they are sentences, and the matching expansion serves them.
const MAX_QUERY_CHARS: usize = 40;
/// Words longer than this are not kept (long runs are mostly jieba's unknown-word leftovers).
const MAX_WORD_CHARS: usize = 8;

/// A corrected query and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// The whole query with its corrected words, ready to search.
    pub text: String,
    /// In Chinese, e.g. “甘橘”应为“柑橘”（同音） or 拼音“ganju”即“柑橘”.
    pub reason: String,
}

#[derive(Debug, Clone, Copy)]
struct Word {
    start: u32,
    len: u16,
    chars: u16,
    /// Listings using the word.
    df: u32,
}

/// The market's words with their listing counts, keyed by pinyin.
#[derive(Debug, Default)]
pub struct Vocabulary {
    arena: String,
    /// Sorted by text.
    words: Vec<Word>,
    /// (hash of the toneless pinyin, index into `words`), sorted by hash, then most used first.
    exact: Vec<(u64, u32)>,
    /// The same with the looser key.
    fuzzy: Vec<(u64, u32)>,
}

/// Han characters of the basic block and extension A: what jieba's words are made of.
fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}')
}

fn hash(key: &str) -> u64 {
    // FNV-1a, as the index fingerprint does.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h
}

impl Vocabulary {
    /// Builds the vocabulary from (word, listings using it); a word given twice adds up (one
    /// entry per index segment). Words that are neither all Han nor plain ASCII are skipped.
    pub fn build(terms: impl IntoIterator<Item = (String, u32)>) -> Self {
        let mut all: Vec<(String, u32)> = terms
            .into_iter()
            .filter(|(w, df)| {
                let chars = w.chars().count();
                *df > 0
                    && (((2..=MAX_WORD_CHARS).contains(&chars) && w.chars().all(is_han))
                        || (w.len() <= 32 && w.bytes().all(|b| b.is_ascii_alphanumeric())))
            })
            .collect();
        all.sort_unstable();
        all.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                kept.1 = kept.1.saturating_add(later.1);
            }
            same
        });
        let mut v = Vocabulary {
            arena: String::with_capacity(all.iter().map(|(w, _)| w.len()).sum()),
            words: Vec::with_capacity(all.len()),
            ..Vocabulary::default()
        };
        for (i, (word, df)) in all.iter().enumerate() {
            v.words.push(Word {
                start: v.arena.len() as u32,
                len: word.len() as u16,
                chars: word.chars().count() as u16,
                df: *df,
            });
            v.arena.push_str(word);
            if !word.chars().all(is_han) {
                continue;
            }
            if let Some(key) = toneless(word) {
                v.exact.push((hash(&key), i as u32));
                v.fuzzy.push((hash(&fuzzy(&key)), i as u32));
            }
        }
        let words = &v.words;
        let order = |a: &(u64, u32), b: &(u64, u32)| {
            a.0.cmp(&b.0)
                .then(words[b.1 as usize].df.cmp(&words[a.1 as usize].df))
        };
        v.exact.sort_unstable_by(order);
        v.fuzzy.sort_unstable_by(order);
        v.exact.shrink_to_fit();
        v.fuzzy.shrink_to_fit();
        v
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Heap bytes held (the arena and the three arrays).
    pub fn memory_bytes(&self) -> usize {
        self.arena.capacity()
            + self.words.capacity() * std::mem::size_of::<Word>()
            + (self.exact.capacity() + self.fuzzy.capacity()) * std::mem::size_of::<(u64, u32)>()
    }

    fn text(&self, w: &Word) -> &str {
        &self.arena[w.start as usize..w.start as usize + w.len as usize]
    }

    /// Listings using `word` (0 when the market does not use it).
    pub fn df(&self, word: &str) -> u32 {
        self.words
            .binary_search_by(|w| self.text(w).cmp(word))
            .map_or(0, |i| self.words[i].df)
    }

    /// The most used market word whose key (`exact` or the looser one) is `key`, other than
    /// `not`, with `chars` characters when given, and used by more than `more_than` listings.
    fn sounds_like(
        &self,
        key: &str,
        loose: bool,
        chars: Option<usize>,
        not: &str,
        more_than: u32,
    ) -> Option<(&str, u32)> {
        let (table, key) = if loose {
            (&self.fuzzy, fuzzy(key))
        } else {
            (&self.exact, key.to_owned())
        };
        let h = hash(&key);
        let from = table.partition_point(|e| e.0 < h);
        table[from..]
            .iter()
            .take_while(|e| e.0 == h)
            .map(|e| &self.words[e.1 as usize])
            .filter(|w| w.df > more_than && chars.is_none_or(|c| w.chars as usize == c))
            .map(|w| (self.text(w), w.df))
            // A hash collision must not suggest a word that does not sound like the query.
            .find(|(text, _)| {
                *text != not
                    && toneless(text)
                        .is_some_and(|k| if loose { fuzzy(&k) == key } else { k == key })
            })
    }

    /// A correction for `query`, which found `found` listings; `None` when it found enough, or
    /// when every word is one the market uses, or nothing sounds like the words it does not.
    pub fn suggest(&self, jieba: &Jieba, query: &str, found: usize) -> Option<Suggestion> {
        if found > FEW_RESULTS || self.is_empty() {
            return None;
        }
        let query = crate::tokenizer::simplified(query.trim());
        if query.is_empty() || query.chars().count() > MAX_QUERY_CHARS {
            return None;
        }
        let mut text = String::with_capacity(query.len());
        let mut reasons = Vec::new();
        for (i, segment) in query.split_whitespace().enumerate() {
            if i > 0 {
                text.push(' ');
            }
            if segment
                .bytes()
                .all(|b| b.is_ascii_alphabetic() || b == b'\'')
            {
                text.push_str(&self.correct_pinyin(segment, &mut reasons));
            } else {
                for unit in units(jieba, segment) {
                    text.push_str(&self.correct_han(&unit, &mut reasons));
                }
            }
        }
        (!reasons.is_empty()).then(|| Suggestion {
            text,
            reason: reasons.join("；"),
        })
    }

    /// ganju → 柑橘, when the market uses no word spelled "ganju".
    fn correct_pinyin(&self, typed: &str, reasons: &mut Vec<String>) -> String {
        let letters: String = typed
            .chars()
            .filter(char::is_ascii_alphabetic)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if letters.len() < 2 || self.df(&letters) > 0 {
            return typed.to_owned();
        }
        let found = self
            .sounds_like(&letters, false, None, "", 0)
            .or_else(|| self.sounds_like(&letters, true, None, "", 0));
        match found {
            Some((word, _)) => {
                reasons.push(format!("拼音“{typed}”即“{word}”"));
                word.to_owned()
            }
            None => typed.to_owned(),
        }
    }

    /// 甘橘 → 柑橘, when the market does not use 甘橘 and does use a word that sounds the same.
    fn correct_han(&self, unit: &str, reasons: &mut Vec<String>) -> String {
        let chars = unit.chars().count();
        if !(2..=MAX_WORD_CHARS).contains(&chars) || !unit.chars().all(is_han) {
            return unit.to_owned();
        }
        let own = self.df(unit);
        // "Much more common": a word the market already uses is corrected only towards one
        // used at least five times as often (and then only because the search found little).
        let more_than = own.saturating_mul(5);
        let Some(key) = toneless(unit) else {
            return unit.to_owned();
        };
        let found = self
            .sounds_like(&key, false, Some(chars), unit, more_than)
            .map(|w| (w, "同音"))
            .or_else(|| {
                self.sounds_like(&key, true, Some(chars), unit, more_than)
                    .map(|w| (w, "音近"))
            });
        match found {
            Some(((word, _), how)) => {
                reasons.push(format!("“{unit}”应为“{word}”（{how}）"));
                word.to_owned()
            }
            None => unit.to_owned(),
        }
    }
}

/// The pieces of a Chinese segment to check one by one: each word jieba knows, and each run of
/// characters it could only cut one by one (甘橘裂果 → 甘橘, 裂果), since an unknown word is
/// what a typo makes. Everything else (punctuation, digits) passes through unchanged.
fn units(jieba: &Jieba, segment: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut run = String::new();
    for token in jieba.cut(segment, false) {
        let word = token.word;
        let single_han = word.chars().count() == 1 && word.chars().all(is_han);
        if single_han {
            run.push_str(word);
            continue;
        }
        if !run.is_empty() {
            out.push(std::mem::take(&mut run));
        }
        out.push(word.to_owned());
    }
    if !run.is_empty() {
        out.push(run);
    }
    out
}
