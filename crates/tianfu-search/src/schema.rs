//! Field layout of the index and the conversion of a listing into a tantivy document.

use std::sync::Arc;

use jieba_rs::Jieba;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, TantivyDocument, Term};

use crate::ListingDoc;
use crate::tokenizer::{BIGRAM, BigramTokenizer, DOMAIN_DICT, JIEBA, JiebaTokenizer};

/// Bump when the analyzers or index settings change in a way the schema cannot show (the domain dictionary is
/// fingerprinted separately): an index built by older code is then wiped and rebuilt.
const ANALYZER_VERSION: u32 = 4;

/// Written next to the index; a mismatch means the index was built with other analyzers (or
/// another thesaurus, whose concepts are indexed).
pub fn fingerprint() -> String {
    // FNV-1a: stable across Rust versions, unlike `DefaultHasher`.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let thesaurus = crate::matching::thesaurus::BUILT_IN;
    for b in DOMAIN_DICT.bytes().chain(thesaurus.bytes()) {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("tianfu-search analyzer v{ANALYZER_VERSION} dict {hash:016x}\n")
}

/// How many times the title and the keywords count against the body's once.
const TITLE_WEIGHT: usize = 3;
const KEYWORD_WEIGHT: usize = 2;

#[derive(Clone, Copy)]
pub struct Fields {
    /// "offer:42": the unique key upsert and delete go by.
    pub key: Field,
    pub kind: Field,
    pub id: Field,
    /// Stored for display; searched through `text`.
    pub title: Field,
    pub body: Field,
    /// Title, keywords and body in one jieba field, the title three times and the keywords
    /// twice so that BM25's term frequency weighs them. One field (rather than a boosted query
    /// per field) keeps every query a plain set of term scorers, which tantivy can prune with
    /// block-max WAND and count from document frequencies: this is what makes a million
    /// listings answer in milliseconds.
    pub text: Field,
    pub bigram: Field,
    /// Thesaurus concepts the listing names ("c:柑橘裂果") and their broader terms
    /// ("b:果树栽培"), for matching. Not stored: a bigger document store slowed every search
    /// (each hit decompresses its block), and a match recomputes them to explain itself.
    pub concepts: Field,
    /// Every prefix of the region code, so a subtree filter is one term.
    pub region_path: Field,
    pub region_code: Field,
    pub industry: Field,
    pub service_type: Field,
    pub price: Field,
    pub published_at: Field,
}

pub fn build() -> (Schema, Fields) {
    // Frequencies without positions: queries are built from term lists, never phrases.
    let jieba_text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(JIEBA)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let bigram = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(BIGRAM)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let mut b = Schema::builder();
    let fields = Fields {
        key: b.add_text_field("key", STRING),
        // Kind, id, region, industry and service type are fast fields as well: matching
        // reranks fifty candidates from them without decompressing fifty stored documents.
        kind: b.add_text_field("kind", STRING | STORED | FAST),
        id: b.add_i64_field("id", INDEXED | STORED | FAST),
        title: b.add_text_field("title", STORED),
        body: b.add_text_field("body", STORED),
        text: b.add_text_field("text", jieba_text),
        bigram: b.add_text_field("bigram", bigram),
        concepts: b.add_text_field(
            "concepts",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer("raw")
                    .set_index_option(IndexRecordOption::WithFreqs),
            ),
        ),
        region_path: b.add_text_field("region_path", STRING),
        region_code: b.add_text_field("region_code", STORED | FAST),
        industry: b.add_text_field("industry", STRING | STORED | FAST),
        service_type: b.add_text_field("service_type", STRING | STORED | FAST),
        price: b.add_i64_field("price_fen", FAST | STORED),
        published_at: b.add_i64_field("published_at", FAST | STORED),
    };
    (b.build(), fields)
}

/// Analyzers are not persisted with the index: every opened `Index` needs them registered.
pub fn register_tokenizers(index: &Index, jieba: &Arc<Jieba>) {
    let tokenizers = index.tokenizers();
    tokenizers.register(
        JIEBA,
        TextAnalyzer::from(JiebaTokenizer {
            jieba: Arc::clone(jieba),
        }),
    );
    tokenizers.register(BIGRAM, TextAnalyzer::from(BigramTokenizer));
}

pub fn key_term(fields: &Fields, kind: crate::ListingKind, id: i64) -> Term {
    Term::from_field_text(fields.key, &format!("{}:{id}", kind.as_str()))
}

/// "511011" → ["51", "5110", "511011"]; GB/T 2260 codes step by two digits down to the county,
/// and a township adds three: "511623100" → ["51", "5116", "511623", "511623100"].
pub fn region_prefixes(code: &str) -> impl Iterator<Item = &str> {
    let code = code.trim();
    let len = code.len();
    [2, 4, 6]
        .into_iter()
        .filter(move |&end| end <= len)
        .chain((len > 0 && !matches!(len, 2 | 4 | 6)).then_some(len))
        .filter_map(move |end| code.get(..end))
}

/// `doc` is stored as written; `searchable` is the same listing with its words normalised
/// (simplified characters), which is what the text fields index.
pub fn to_document(
    fields: &Fields,
    doc: &ListingDoc,
    searchable: &ListingDoc,
    concepts: &[String],
) -> TantivyDocument {
    let mut d = TantivyDocument::new();
    for concept in concepts {
        d.add_text(fields.concepts, concept);
    }
    d.add_text(fields.key, format!("{}:{}", doc.kind.as_str(), doc.id));
    d.add_text(fields.kind, doc.kind.as_str());
    d.add_i64(fields.id, doc.id);
    d.add_text(fields.title, &doc.title);
    d.add_text(fields.body, &doc.body);
    let doc = searchable;
    for _ in 0..TITLE_WEIGHT {
        d.add_text(fields.text, &doc.title);
    }
    for _ in 0..KEYWORD_WEIGHT {
        for keyword in &doc.keywords {
            d.add_text(fields.text, keyword);
        }
    }
    d.add_text(fields.text, &doc.body);
    // One value per source field so a bigram never spans the seam between title and body.
    d.add_text(fields.bigram, &doc.title);
    d.add_text(fields.bigram, &doc.body);
    for keyword in &doc.keywords {
        d.add_text(fields.bigram, keyword);
    }
    for prefix in region_prefixes(&doc.region_code) {
        d.add_text(fields.region_path, prefix);
    }
    d.add_text(fields.region_code, doc.region_code.trim());
    d.add_text(fields.industry, doc.industry.trim());
    if let Some(service_type) = &doc.service_type {
        d.add_text(fields.service_type, service_type.trim());
    }
    if let Some(price) = doc.price_fen {
        d.add_i64(fields.price, price);
    }
    d.add_i64(fields.published_at, doc.published_at);
    d
}

#[cfg(test)]
mod tests {
    use super::region_prefixes;

    #[test]
    fn region_prefixes_step_by_two() {
        let p: Vec<&str> = region_prefixes("511011").collect();
        assert_eq!(p, ["51", "5110", "511011"]);
        assert_eq!(region_prefixes("51").collect::<Vec<_>>(), ["51"]);
        assert_eq!(
            region_prefixes("511623100").collect::<Vec<_>>(),
            ["51", "5116", "511623", "511623100"]
        );
        assert!(region_prefixes("").next().is_none());
        // Odd or non-ASCII input must not panic on a char boundary.
        assert_eq!(region_prefixes("511").collect::<Vec<_>>(), ["51", "511"]);
        assert_eq!(region_prefixes("成都").collect::<Vec<_>>(), ["成都"]);
    }
}
