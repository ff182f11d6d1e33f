use crate::{ListingDoc, ListingKind, SearchIndex, SearchQuery, SearchResults, Sort};

fn doc(kind: ListingKind, id: i64, title: &str, body: &str) -> ListingDoc {
    ListingDoc {
        kind,
        id,
        title: title.to_string(),
        body: body.to_string(),
        keywords: Vec::new(),
        region_code: "510104".to_string(),
        industry: "C".to_string(),
        service_type: None,
        price_fen: None,
        published_at: 1_700_000_000 + id,
    }
}

fn index_of(docs: &[ListingDoc]) -> SearchIndex {
    let ix = SearchIndex::in_memory().unwrap();
    for d in docs {
        ix.upsert(d).unwrap();
    }
    ix.commit().unwrap();
    ix
}

fn q(text: &str) -> SearchQuery {
    SearchQuery {
        q: text.to_string(),
        ..SearchQuery::default()
    }
}

fn ids(results: &SearchResults) -> Vec<(ListingKind, i64)> {
    results.hits.iter().map(|h| (h.kind, h.id)).collect()
}

fn search_ids(ix: &SearchIndex, query: &SearchQuery) -> Vec<i64> {
    let mut ids: Vec<i64> = ix
        .search(query)
        .unwrap()
        .hits
        .iter()
        .map(|h| h.id)
        .collect();
    ids.sort();
    ids
}

#[test]
fn finds_a_chinese_word_inside_a_compound() {
    let ix = index_of(&[
        doc(
            ListingKind::Offer,
            1,
            "动力电池项目",
            "锂电池正极材料的制备工艺",
        ),
        doc(ListingKind::Offer, 2, "柑橘种植", "晚熟柑橘裂果防治"),
    ]);
    let r = ix.search(&q("锂电池")).unwrap();
    assert_eq!(ids(&r), vec![(ListingKind::Offer, 1)]);
    assert_eq!(r.total, 1);
    assert!(r.hits[0].score > 0.0);
}

#[test]
fn query_cut_differently_from_the_document_still_matches() {
    let ix = index_of(&[
        doc(ListingKind::Need, 1, "寻求合作", "先进新材料的研发与中试"),
        doc(ListingKind::Need, 2, "蛋鸡养殖", "提高产蛋率"),
    ]);
    assert_eq!(search_ids(&ix, &q("新材料研发")), vec![1]);
    // A word only the bigram field knows.
    assert_eq!(search_ids(&ix, &q("材料的研")), vec![1]);
}

#[test]
fn title_matches_rank_above_body_matches() {
    let ix = index_of(&[
        doc(ListingKind::Offer, 1, "工艺改进", "可用于无人机植保作业"),
        doc(ListingKind::Offer, 2, "无人机巡检系统", "电网线路巡检"),
    ]);
    let r = ix.search(&q("无人机")).unwrap();
    assert_eq!(r.hits[0].id, 2);
    assert_eq!(r.total, 2);
}

#[test]
fn region_filter_covers_the_subtree_only() {
    let mut a = doc(ListingKind::Offer, 1, "页岩气开采", "页岩气压裂技术");
    a.region_code = "511011".into();
    let mut b = doc(ListingKind::Offer, 2, "页岩气开采", "页岩气压裂技术");
    b.region_code = "511623".into();
    let mut c = doc(ListingKind::Offer, 3, "页岩气开采", "页岩气压裂技术");
    c.region_code = "5110".into();
    let ix = index_of(&[a, b, c]);
    let mut query = q("页岩气");
    query.region_code = Some("5110".into());
    assert_eq!(search_ids(&ix, &query), vec![1, 3]);
    query.region_code = Some("51".into());
    assert_eq!(search_ids(&ix, &query), vec![1, 2, 3]);
    query.region_code = Some("511623".into());
    assert_eq!(search_ids(&ix, &query), vec![2]);
    query.region_code = Some("52".into());
    assert!(search_ids(&ix, &query).is_empty());
}

#[test]
fn kind_industry_service_and_price_filters() {
    let mut offer = doc(ListingKind::Offer, 1, "生猪养殖技术", "生猪饲料配方");
    offer.service_type = Some("transfer".into());
    offer.price_fen = Some(500_000 * 100);
    offer.industry = "A".into();
    let mut need = doc(ListingKind::Need, 1, "生猪疫病防控", "求生猪防疫方案");
    need.service_type = Some("technology".into());
    need.price_fen = Some(2_000_000 * 100);
    need.industry = "A".into();
    let mut negotiable = doc(ListingKind::Offer, 2, "生猪屠宰加工", "生猪屠宰线");
    negotiable.service_type = Some("development".into());
    let ix = index_of(&[offer, need, negotiable]);

    let mut query = q("生猪");
    assert_eq!(ix.search(&query).unwrap().total, 3);
    query.kinds = vec![ListingKind::Offer];
    assert_eq!(search_ids(&ix, &query), vec![1, 2]);
    query.kinds = vec![ListingKind::Need, ListingKind::Achievement];
    assert_eq!(
        ids(&ix.search(&query).unwrap()),
        vec![(ListingKind::Need, 1)]
    );

    let mut query = q("生猪");
    query.industry = Some("A".into());
    assert_eq!(ix.search(&query).unwrap().total, 2);
    query.industry = None;
    query.service_type = Some("development".into());
    assert_eq!(
        ids(&ix.search(&query).unwrap()),
        vec![(ListingKind::Offer, 2)]
    );

    let mut query = q("生猪");
    query.price_min_fen = Some(1_000_000 * 100);
    assert_eq!(
        ids(&ix.search(&query).unwrap()),
        vec![(ListingKind::Need, 1)]
    );
    query.price_min_fen = None;
    query.price_max_fen = Some(500_000 * 100);
    // Inclusive bound, and 面议 listings drop out once a bound is given.
    assert_eq!(
        ids(&ix.search(&query).unwrap()),
        vec![(ListingKind::Offer, 1)]
    );
}

#[test]
fn empty_query_lists_everything_newest_first() {
    let ix = index_of(&[
        doc(ListingKind::Offer, 1, "一", "甲"),
        doc(ListingKind::Need, 3, "三", "丙"),
        doc(ListingKind::Studio, 2, "二", "乙"),
    ]);
    let r = ix.search(&q("  ")).unwrap();
    assert_eq!(
        r.hits.iter().map(|h| h.id).collect::<Vec<_>>(),
        vec![3, 2, 1]
    );
    assert_eq!(r.total, 3);
    let mut query = q("");
    query.offset = 1;
    query.limit = 1;
    let r = ix.search(&query).unwrap();
    assert_eq!(r.hits.iter().map(|h| h.id).collect::<Vec<_>>(), vec![2]);
    assert_eq!(r.total, 3);
}

#[test]
fn newest_sort_with_text() {
    let ix = index_of(&[
        doc(ListingKind::Offer, 1, "猕猴桃", "猕猴桃溃疡病猕猴桃"),
        doc(ListingKind::Offer, 2, "果树", "猕猴桃"),
    ]);
    let mut query = q("猕猴桃");
    query.sort = Sort::Newest;
    let r = ix.search(&query).unwrap();
    assert_eq!(r.hits.iter().map(|h| h.id).collect::<Vec<_>>(), vec![2, 1]);
}

#[test]
fn upsert_replaces_and_delete_removes() {
    let ix = index_of(&[doc(ListingKind::Offer, 7, "白酒酿造", "浓香型白酒窖池")]);
    ix.upsert(&doc(ListingKind::Offer, 7, "白酒勾调", "白酒勾调技术"))
        .unwrap();
    // Same id, other kind: a different listing.
    ix.upsert(&doc(ListingKind::Need, 7, "白酒包装", "白酒包装设计"))
        .unwrap();
    ix.commit().unwrap();
    let r = ix.search(&q("白酒")).unwrap();
    assert_eq!(r.total, 2);
    let offer = r
        .hits
        .iter()
        .find(|h| h.kind == ListingKind::Offer)
        .unwrap();
    assert_eq!(offer.title, "白酒勾调");
    assert!(ix.search(&q("窖池")).unwrap().hits.is_empty());

    ix.delete(ListingKind::Offer, 7).unwrap();
    ix.commit().unwrap();
    assert_eq!(
        ids(&ix.search(&q("白酒")).unwrap()),
        vec![(ListingKind::Need, 7)]
    );

    ix.clear().unwrap();
    ix.commit().unwrap();
    assert_eq!(ix.search(&q("")).unwrap().total, 0);
}

#[test]
fn snippet_marks_matches_and_escapes_html() {
    let ix = index_of(&[
        doc(
            ListingKind::Offer,
            1,
            "川茶加工",
            "<script>alert(1)</script> 川茶 & 藏茶的深加工技术",
        ),
        doc(ListingKind::Offer, 2, "页岩气", "压裂返排液处理"),
    ]);
    let hit = &ix.search(&q("川茶")).unwrap().hits[0];
    assert!(
        hit.snippet_html.contains("<mark>川茶</mark>"),
        "{}",
        hit.snippet_html
    );
    assert!(
        hit.snippet_html.contains("&lt;script&gt;"),
        "{}",
        hit.snippet_html
    );
    assert!(!hit.snippet_html.contains("<script>"));
    assert!(hit.snippet_html.contains("&amp;"));

    // Only the title matched: the title is the snippet.
    let hit = &ix.search(&q("页岩气")).unwrap().hits[0];
    assert_eq!(hit.snippet_html, "<mark>页岩气</mark>");
    // No words at all: the body's opening, escaped, without marks.
    let r = ix.search(&q("")).unwrap();
    let first = r.hits.iter().find(|h| h.id == 1).unwrap();
    assert!(first.snippet_html.starts_with("&lt;script&gt;"));
}

#[test]
fn long_bodies_get_a_short_snippet() {
    let body = format!("{}锂电池回收{}", "前文".repeat(300), "后文".repeat(300));
    let ix = index_of(&[doc(ListingKind::Offer, 1, "回收", &body)]);
    let hit = &ix.search(&q("锂电池")).unwrap().hits[0];
    assert!(hit.snippet_html.contains("<mark>锂电池</mark>"));
    assert!(
        hit.snippet_html.chars().count() < 160,
        "{}",
        hit.snippet_html
    );
}

#[test]
fn garbage_queries_do_not_panic() {
    let ix = index_of(&[doc(ListingKind::Offer, 1, "智能制造", "工业互联网平台")]);
    let long = "智能制造".repeat(5_000);
    let wide = "a".repeat(100_000);
    for text in [
        "",
        "   ",
        "，。！？",
        "的",
        "\"",
        "AND OR NOT",
        "*:(",
        "\u{0}",
        &long,
        &wide,
    ] {
        let mut query = q(text);
        query.limit = 0;
        ix.search(&query).unwrap();
        query.limit = usize::MAX;
        query.offset = usize::MAX;
        ix.search(&query).unwrap();
        query.price_min_fen = Some(10);
        query.price_max_fen = Some(1);
        query.region_code = Some("成都".into());
        ix.search(&query).unwrap();
    }
    assert_eq!(ix.search(&q(&long)).unwrap().total, 1);
}

#[test]
fn tokens_keep_domain_words_whole() {
    let ix = SearchIndex::in_memory().unwrap();
    let tokens = ix.tokens("降低料蛋比，提高产蛋率！");
    assert!(tokens.contains(&"料蛋比".to_string()), "{tokens:?}");
    assert!(tokens.contains(&"产蛋率".to_string()), "{tokens:?}");
    assert!(!tokens.iter().any(|t| t == "，" || t == "！"));
}

#[test]
fn on_disk_index_survives_reopen_and_rebuilds_on_schema_change() {
    let dir = std::env::temp_dir().join(format!("tianfu-search-open-{}", std::process::id()));
    {
        let ix = SearchIndex::open(&dir).unwrap();
        ix.upsert(&doc(
            ListingKind::Achievement,
            1,
            "钒钛磁铁矿",
            "钒钛资源综合利用",
        ))
        .unwrap();
        ix.commit().unwrap();
    }
    {
        let ix = SearchIndex::open(&dir).unwrap();
        assert_eq!(ix.search(&q("钒钛")).unwrap().total, 1);
    }
    // An index written by another version of the analyzers is thrown away.
    std::fs::write(dir.join("tianfu-search.version"), "old").unwrap();
    {
        let ix = SearchIndex::open(&dir).unwrap();
        assert_eq!(ix.search(&q("钒钛")).unwrap().total, 0);
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn index_is_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<SearchIndex>();
}

#[test]
fn all_words_first_then_any_word_with_a_capped_count() {
    let mut docs = vec![
        doc(ListingKind::Offer, 1, "柑橘裂果防控", "柑橘裂果"),
        doc(ListingKind::Offer, 2, "锂电池回收", "锂电池回收"),
        doc(ListingKind::Offer, 3, "柑橘保鲜", "柑橘冷藏保鲜"),
    ];
    let ix = index_of(&docs);
    let both = ix.search(&q("柑橘 裂果")).unwrap();
    assert_eq!(
        (both.total, ids(&both)),
        (1, vec![(ListingKind::Offer, 1)]),
        "all words first"
    );
    let either = ix.search(&q("柑橘 锂电池")).unwrap();
    assert_eq!(
        either.total, 3,
        "no listing has both: any word, counted exactly below the cap"
    );
    assert!(!either.total_capped && !both.total_capped);

    docs = (0..1_100)
        .map(|i| doc(ListingKind::Need, i, "柑橘种植", "柑橘"))
        .collect();
    let ix = index_of(&docs);
    let many = ix.search(&q("柑橘 锂电池")).unwrap();
    assert_eq!(
        many.total,
        crate::query::PARTIAL_COUNT_CAP,
        "a partial match stops counting at the cap"
    );
    assert!(many.total_capped, "and says so");
    let full = ix.search(&q("柑橘")).unwrap();
    assert_eq!(
        (full.total, full.total_capped),
        (1_100, false),
        "a full match is counted exactly"
    );
}
