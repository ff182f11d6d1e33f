//! Field layout of the index and the conversion of a listing into a tantivy document.

use std::sync::Arc;

use jieba_rs::Jieba;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, TantivyDocument, Term};

use crate::tokenizer::{BIGRAM, BigramTokenizer, DOMAIN_DICT, JIEBA, JiebaTokenizer};
use crate::{ListingDoc, ListingKind};

/// Bump when the analyzers or index settings change in a way the schema cannot show (the domain dictionary is
/// fingerprinted separately): an index built by older code is then wiped and rebuilt.
const ANALYZER_VERSION: u32 = 5;

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

/// Which side of the market a listing is on. Matching looks on one side only — a need among
/// capabilities and achievements, a capability among needs, a need's experts among studios —
/// so each side has its own copy of the matched fields: a match walks only the postings of the
/// side it wants. In one shared field the other side's postings were walked too, and where
/// needs outnumber what answers them (a county reports 8,947 needs to 1,628 capabilities) the
/// best hits were mostly needs, which forced a filtered walk over every listing sharing a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Supply,
    Demand,
    Studio,
}

impl Side {
    pub const ALL: [Side; 3] = [Side::Supply, Side::Demand, Side::Studio];

    pub fn of(kind: ListingKind) -> Option<Side> {
        match kind {
            ListingKind::Offer | ListingKind::Achievement => Some(Side::Supply),
            ListingKind::Need => Some(Side::Demand),
            ListingKind::Studio => Some(Side::Studio),
            ListingKind::Kepu | ListingKind::Question => None,
        }
    }

    /// The side every one of `kinds` is on, if they share one.
    pub fn of_all(kinds: &[ListingKind]) -> Option<Side> {
        let first = Side::of(*kinds.first()?)?;
        kinds
            .iter()
            .all(|k| Side::of(*k) == Some(first))
            .then_some(first)
    }

    pub fn kinds(self) -> &'static [ListingKind] {
        match self {
            Side::Supply => &[ListingKind::Offer, ListingKind::Achievement],
            Side::Demand => &[ListingKind::Need],
            Side::Studio => &[ListingKind::Studio],
        }
    }

    fn name(self) -> &'static str {
        match self {
            Side::Supply => "supply",
            Side::Demand => "demand",
            Side::Studio => "studio",
        }
    }
}

/// The fields matching reads: the shared ones (every kind), or one side's copy.
#[derive(Clone, Copy)]
pub struct MatchFields {
    pub text: Field,
    pub bigram: Field,
    pub concepts: Field,
}

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
    /// Each side's copy of `text`, `bigram` and `concepts`, in [`Side::ALL`] order.
    pub sides: [MatchFields; 3],
}

impl Fields {
    /// The fields to match listings of `kinds` on: their side's when they share one, else the
    /// shared fields (the caller then filters by kind).
    pub fn matching(&self, kinds: &[ListingKind]) -> MatchFields {
        match Side::of_all(kinds) {
            Some(side) => self.sides[side as usize],
            None => MatchFields {
                text: self.text,
                bigram: self.bigram,
                concepts: self.concepts,
            },
        }
    }
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
    let concepts = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("raw")
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
        text: b.add_text_field("text", jieba_text.clone()),
        bigram: b.add_text_field("bigram", bigram.clone()),
        concepts: b.add_text_field("concepts", concepts.clone()),
        region_path: b.add_text_field("region_path", STRING),
        region_code: b.add_text_field("region_code", STORED | FAST),
        industry: b.add_text_field("industry", STRING | STORED | FAST),
        service_type: b.add_text_field("service_type", STRING | STORED | FAST),
        price: b.add_i64_field("price_fen", FAST | STORED),
        published_at: b.add_i64_field("published_at", FAST | STORED),
        sides: Side::ALL.map(|side| MatchFields {
            text: b.add_text_field(&format!("{}_text", side.name()), jieba_text.clone()),
            bigram: b.add_text_field(&format!("{}_bigram", side.name()), bigram.clone()),
            concepts: b.add_text_field(&format!("{}_concepts", side.name()), concepts.clone()),
        }),
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
    d.add_text(fields.key, format!("{}:{}", doc.kind.as_str(), doc.id));
    d.add_text(fields.kind, doc.kind.as_str());
    d.add_i64(fields.id, doc.id);
    d.add_text(fields.title, &doc.title);
    d.add_text(fields.body, &doc.body);
    let shared = MatchFields {
        text: fields.text,
        bigram: fields.bigram,
        concepts: fields.concepts,
    };
    add_matched(&mut d, shared, searchable, concepts);
    if let Some(side) = Side::of(doc.kind) {
        add_matched(&mut d, fields.sides[side as usize], searchable, concepts);
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

/// The searched and matched text of a listing, into one set of fields.
fn add_matched(d: &mut TantivyDocument, into: MatchFields, doc: &ListingDoc, concepts: &[String]) {
    for concept in concepts {
        d.add_text(into.concepts, concept);
    }
    for _ in 0..TITLE_WEIGHT {
        d.add_text(into.text, &doc.title);
    }
    for _ in 0..KEYWORD_WEIGHT {
        for keyword in &doc.keywords {
            d.add_text(into.text, keyword);
        }
    }
    d.add_text(into.text, &doc.body);
    // One value per source field so a bigram never spans the seam between title and body.
    d.add_text(into.bigram, &doc.title);
    d.add_text(into.bigram, &doc.body);
    for keyword in &doc.keywords {
        d.add_text(into.bigram, keyword);
    }
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

#[cfg(test)]
mod side_tests {
    use super::Side;
    use crate::ListingKind;

    #[test]
    fn a_match_looks_on_one_side_when_the_kinds_share_one() {
        use ListingKind::*;
        assert_eq!(Side::of_all(&[Offer, Achievement]), Some(Side::Supply));
        assert_eq!(Side::of_all(&[Need]), Some(Side::Demand));
        assert_eq!(Side::of_all(&[Studio]), Some(Side::Studio));
        // Mixed or unsided kinds fall back to the shared fields and a kind filter.
        assert_eq!(Side::of_all(&[Offer, Need]), None);
        assert_eq!(Side::of_all(&[Kepu]), None);
        assert_eq!(Side::of_all(&[]), None);
        for side in Side::ALL {
            assert!(side.kinds().iter().all(|k| Side::of(*k) == Some(side)));
        }
    }
}
