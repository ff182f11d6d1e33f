use std::time::Instant;

use super::{FEW_RESULTS, Vocabulary};
use crate::tokenizer::load_jieba;
use crate::{ListingDoc, ListingKind, SearchIndex, SearchQuery};

fn market() -> Vocabulary {
    Vocabulary::build(
        [
            ("柑橘", 40),
            ("裂果", 12),
            ("甘孜", 9),
            ("粮食", 15),
            ("烘干", 6),
            ("猕猴桃", 20),
            ("蛋鸡", 8),
            ("实验", 3),
            ("试验", 30),
            ("plc", 2),
        ]
        .map(|(w, df)| (w.to_owned(), df)),
    )
}

fn suggested(v: &Vocabulary, q: &str) -> Option<String> {
    v.suggest(&load_jieba().unwrap(), q, 0).map(|s| s.text)
}

#[test]
fn a_homophone_typo_becomes_the_market_word() {
    let v = market();
    let s = v.suggest(&load_jieba().unwrap(), "甘橘", 0).unwrap();
    assert_eq!(s.text, "柑橘");
    assert!(
        s.reason.contains("甘橘") && s.reason.contains("同音"),
        "{}",
        s.reason
    );
    // Inside a longer query the typo is corrected and the rest kept.
    assert_eq!(suggested(&v, "甘橘裂果").as_deref(), Some("柑橘裂果"));
    assert_eq!(suggested(&v, "甘橘 裂果").as_deref(), Some("柑橘 裂果"));
}

#[test]
fn toneless_pinyin_becomes_the_market_word() {
    let v = market();
    let s = v.suggest(&load_jieba().unwrap(), "ganju", 0).unwrap();
    assert_eq!(s.text, "柑橘");
    assert!(s.reason.contains("ganju"), "{}", s.reason);
    assert_eq!(suggested(&v, "GanJu").as_deref(), Some("柑橘"));
    assert_eq!(suggested(&v, "mihoutao").as_deref(), Some("猕猴桃"));
    // Sichuanese n/l and flat/retroflex: niangsi → 粮食.
    assert_eq!(suggested(&v, "niangsi").as_deref(), Some("粮食"));
}

#[test]
fn a_correct_word_gets_no_suggestion() {
    let v = market();
    for q in ["柑橘", "柑橘裂果", "猕猴桃", "plc", "PLC", "蛋鸡 柑橘"] {
        assert_eq!(suggested(&v, q), None, "{q}");
    }
    // Nor does a search that found enough, typo or not.
    assert_eq!(
        v.suggest(&load_jieba().unwrap(), "甘橘", FEW_RESULTS + 1),
        None
    );
    // A word the market uses is corrected only towards one used five times as often.
    assert_eq!(suggested(&v, "实验").as_deref(), Some("试验"));
    let even = Vocabulary::build([("实验".to_owned(), 10), ("试验".to_owned(), 30)]);
    assert_eq!(suggested(&even, "实验"), None);
}

#[test]
fn garbage_gets_nothing_and_does_not_panic() {
    let v = market();
    let long = "柑".repeat(500);
    for q in [
        "",
        "   ",
        "，。！",
        "xqzv",
        "12345",
        "🍊🍊",
        "a",
        "<script>",
        "'''",
        "甘",
        &long,
        "\u{0}\u{ffff}",
        "ganju🍊",
        "甘橘\u{200b}",
    ] {
        let s = suggested(&v, q);
        assert!(
            s.is_none() || q.contains("甘橘") || q.contains("ganju"),
            "{q:?} → {s:?}"
        );
    }
    assert_eq!(suggested(&Vocabulary::default(), "甘橘"), None);
}

#[test]
fn the_vocabulary_comes_from_the_index_and_follows_commits() {
    let ix = SearchIndex::in_memory().unwrap();
    let doc = |id: i64, title: &str| ListingDoc {
        kind: ListingKind::Offer,
        id,
        title: title.to_owned(),
        body: "技术服务".to_owned(),
        keywords: Vec::new(),
        region_code: "5101".to_owned(),
        industry: "A".to_owned(),
        service_type: None,
        price_fen: None,
        published_at: 1_700_000_000,
    };
    assert_eq!(ix.suggest("甘橘", 0), None);
    ix.upsert(&doc(1, "晚熟柑橘裂果防治")).unwrap();
    ix.upsert(&doc(2, "柑橘黄龙病绿色防控")).unwrap();
    ix.commit().unwrap();
    let found = ix
        .search(&SearchQuery {
            q: "甘橘".into(),
            ..SearchQuery::default()
        })
        .unwrap()
        .total;
    let s = ix.suggest("甘橘", found).expect("a suggestion");
    assert_eq!(s.text, "柑橘");
    assert_eq!(ix.suggest("ganju", 0).unwrap().text, "柑橘");
    assert_eq!(ix.suggest("柑橘", 0), None);
    let (words, bytes) = ix.vocabulary_size();
    assert!(words > 3 && bytes > 0);
}

#[test]
fn a_lookup_is_far_under_a_millisecond() {
    // 60,000 distinct market words, about what 100k listings use.
    let jieba = load_jieba().unwrap();
    let words: Vec<(String, u32)> = (0..60_000u32)
        .map(|i| {
            let a = char::from_u32(0x4e00 + i % 20_000).unwrap();
            let b = char::from_u32(0x4e00 + (i * 7 + 13) % 20_000).unwrap();
            (format!("{a}{b}"), 1 + i % 50)
        })
        .chain([("柑橘".to_owned(), 40)])
        .collect();
    let v = Vocabulary::build(words);
    assert!(
        v.memory_bytes() < 64 * v.len(),
        "{} bytes",
        v.memory_bytes()
    );
    let start = Instant::now();
    for _ in 0..200 {
        assert!(v.suggest(&jieba, "甘橘裂果", 0).is_some());
        assert!(v.suggest(&jieba, "ganju", 0).is_some());
    }
    let each = start.elapsed() / 400;
    // Generous for debug builds on a busy machine; a release build takes microseconds.
    assert!(each.as_micros() < 1_000, "{each:?} per lookup");
}

/// Memory and speed with jieba's whole dictionary (about 350,000 words) as the market's words:
/// more than 100k listings use. `cargo test -p tianfu-search --release -- --ignored vocabulary_at_scale --nocapture`
#[test]
#[ignore = "a measurement, not a check"]
fn vocabulary_at_scale() {
    let dict = std::fs::read_to_string(
        std::env::var("JIEBA_DICT").expect("JIEBA_DICT=path/to/jieba-rs/src/data/dict.txt"),
    )
    .unwrap();
    let words: Vec<(String, u32)> = dict
        .lines()
        .filter_map(|l| {
            let mut p = l.split_whitespace();
            Some((p.next()?.to_owned(), p.next()?.parse().ok()?))
        })
        .collect();
    let start = Instant::now();
    let v = Vocabulary::build(words);
    let built = start.elapsed();
    let jieba = load_jieba().unwrap();
    let start = Instant::now();
    for _ in 0..1000 {
        v.suggest(&jieba, "甘橘裂果", 0);
        v.suggest(&jieba, "ganju", 0);
    }
    eprintln!(
        "{} words, {:.1} MiB, built in {built:?}, {:?} per lookup",
        v.len(),
        v.memory_bytes() as f64 / 1048576.0,
        start.elapsed() / 2000
    );
}
