//! The two analyzers: jieba words and character bigrams.

use std::io::BufReader;
use std::sync::Arc;

use jieba_rs::Jieba;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use crate::SearchError;

pub const JIEBA: &str = "tianfu_jieba";
pub const BIGRAM: &str = "tianfu_bigram";

/// Technology, industry, agriculture and institution words jieba's general dictionary splits
/// (新材料 → 新/材料, 料蛋比 → 料/蛋/比), which cost matches before it was added.
pub const DOMAIN_DICT: &str = include_str!("../data/domain_dict.txt");

/// The dictionary is compiled in, so every index of the process shares one copy: loading it
/// costs a few hundred milliseconds and tens of megabytes.
pub fn load_jieba() -> Result<Arc<Jieba>, SearchError> {
    static JIEBA: std::sync::OnceLock<Arc<Jieba>> = std::sync::OnceLock::new();
    if let Some(jieba) = JIEBA.get() {
        return Ok(jieba.clone());
    }
    let mut jieba = Jieba::new();
    jieba
        .load_dict(&mut BufReader::new(DOMAIN_DICT.as_bytes()))
        .map_err(|e| SearchError::Dictionary(e.to_string()))?;
    Ok(JIEBA.get_or_init(|| Arc::new(jieba)).clone())
}

/// The text in simplified characters (OpenCC's tables, through `hanconv`): a need written in
/// traditional characters (雞舍悶熱) must meet listings written in simplified ones, in the
/// index and in every query.
pub fn simplified(text: &str) -> String {
    if text.is_ascii() {
        return text.to_owned();
    }
    hanconv::t2s(text)
}

/// tantivy clones the analyzer for every query and every indexing thread, so the dictionary is
/// shared: a `Jieba` held by value made each query copy it (measured 20x slower).
#[derive(Clone)]
pub struct JiebaTokenizer {
    pub jieba: Arc<Jieba>,
}

/// Search mode emits each word plus its dictionary 2- and 3-character parts (锂电池 → 电池,
/// 锂电池), so a query for the shorter word finds the compound. HMM is off because it invents
/// words for unknown runs that depend on the neighbouring characters, so the same text in a
/// query and in a document could be cut differently; known words are cut the same everywhere,
/// and the bigram field covers the unknown runs.
pub fn jieba_tokens(jieba: &Jieba, text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    for t in jieba.cut_for_search(text, false) {
        if !t.word.chars().any(char::is_alphanumeric) {
            continue;
        }
        out.push(Token {
            offset_from: t.byte_start,
            offset_to: t.byte_end,
            position: out.len(),
            text: t.word.to_ascii_lowercase(),
            position_length: 1,
        });
    }
    out
}

impl Tokenizer for JiebaTokenizer {
    type TokenStream<'a> = VecTokenStream;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        VecTokenStream::new(jieba_tokens(&self.jieba, text))
    }
}

/// Overlapping character pairs of each CJK run (先进新材料 → 先进, 进新, 新材, 材料), whole
/// lowercased ASCII words: a recall fallback for words no dictionary knows.
#[derive(Clone, Default)]
pub struct BigramTokenizer;

pub fn bigram_tokens(text: &str) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    let push = |from: usize, to: usize, out: &mut Vec<Token>| {
        out.push(Token {
            offset_from: from,
            offset_to: to,
            position: out.len(),
            text: text[from..to].to_ascii_lowercase(),
            position_length: 1,
        });
    };
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c.is_ascii_alphanumeric() {
            let mut end = start + 1;
            while let Some(&(i, d)) = chars.peek().filter(|(_, d)| d.is_ascii_alphanumeric()) {
                end = i + d.len_utf8();
                chars.next();
            }
            push(start, end, &mut out);
        } else if c.is_alphanumeric() {
            match chars.peek() {
                Some(&(i, d)) if d.is_alphanumeric() && !d.is_ascii() => {
                    push(start, i + d.len_utf8(), &mut out)
                }
                // A lone character still has to be findable (a one-character query like 鸡).
                _ if out.last().is_none_or(|t| t.offset_to <= start) => {
                    push(start, start + c.len_utf8(), &mut out)
                }
                _ => {}
            }
        }
    }
    out
}

impl Tokenizer for BigramTokenizer {
    type TokenStream<'a> = VecTokenStream;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        VecTokenStream::new(bigram_tokens(text))
    }
}

pub struct VecTokenStream {
    tokens: Vec<Token>,
    /// One past the current token, so 0 means "before the first".
    next: usize,
}

impl VecTokenStream {
    fn new(tokens: Vec<Token>) -> Self {
        VecTokenStream { tokens, next: 0 }
    }
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }
    fn token(&self) -> &Token {
        &self.tokens[self.next.saturating_sub(1)]
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next.saturating_sub(1)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(tokens: Vec<Token>) -> Vec<String> {
        tokens.into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn domain_words_stay_whole() {
        let jieba = load_jieba().unwrap();
        let w = words(jieba_tokens(&jieba, "提高蛋鸡产蛋率，降低料蛋比"));
        for word in ["蛋鸡", "产蛋率", "料蛋比"] {
            assert!(w.iter().any(|t| t == word), "{word} missing from {w:?}");
        }
        let w = words(jieba_tokens(
            &jieba,
            "先进新材料的中试与产业化，攻克核心技术",
        ));
        for word in ["新材料", "中试", "产业化", "核心技术"] {
            assert!(w.iter().any(|t| t == word), "{word} missing from {w:?}");
        }
    }

    #[test]
    fn drops_punctuation_and_lowercases_ascii() {
        let jieba = load_jieba().unwrap();
        let w = words(jieba_tokens(&jieba, "  ，。！？ LiDAR 、、"));
        assert_eq!(w, vec!["lidar"]);
    }

    #[test]
    fn bigrams_cover_cjk_runs_and_keep_ascii_words() {
        let w = words(bigram_tokens("鸡 5G基站，AB"));
        assert_eq!(w, vec!["鸡", "5g", "基站", "ab"]);
        let w = words(bigram_tokens("新材料研发"));
        assert_eq!(w, vec!["新材", "材料", "料研", "研发"]);
    }

    #[test]
    fn dictionary_is_large_and_well_formed() {
        let lines: Vec<&str> = DOMAIN_DICT
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect();
        assert!(lines.len() >= 150, "only {} words", lines.len());
        for line in lines {
            let parts: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(parts.len(), 3, "bad line {line:?}");
            assert!(parts[1].parse::<usize>().is_ok(), "bad freq in {line:?}");
        }
    }
}
