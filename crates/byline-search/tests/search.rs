//! Searching real indexes: the bundled corpus and Reuters-21578 (read from
//! ../shared). Each index is built once per test program.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use byline_indexer::{index_paths, IndexOptions, NoProgress};
use byline_search::{ArticleSearcher, SearchError, SearchRequest, SortOrder};

fn root(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

fn build(input: PathBuf) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    index_paths(
        dir.path(),
        &[input],
        &IndexOptions::default(),
        None,
        &NoProgress,
    )
    .unwrap();
    dir
}

fn corpus() -> &'static ArticleSearcher {
    static DIR: OnceLock<(tempfile::TempDir, ArticleSearcher)> = OnceLock::new();
    &DIR.get_or_init(|| {
        let dir = build(root("corpus"));
        let searcher = ArticleSearcher::open(dir.path()).unwrap();
        (dir, searcher)
    })
    .1
}

fn reuters() -> &'static ArticleSearcher {
    static DIR: OnceLock<(tempfile::TempDir, ArticleSearcher)> = OnceLock::new();
    &DIR.get_or_init(|| {
        let dir = build(root("../shared/corpora/reuters21578/articles"));
        let searcher = ArticleSearcher::open(dir.path()).unwrap();
        (dir, searcher)
    })
    .1
}

fn query(q: &str) -> SearchRequest {
    SearchRequest {
        query: q.to_string(),
        limit: 50,
        ..SearchRequest::default()
    }
}

fn titles(searcher: &ArticleSearcher, request: &SearchRequest) -> Vec<String> {
    searcher
        .search(request)
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.title)
        .collect()
}

const SEED_TITLE: &str = "US, Russia close in on Syria truce deal but differences remain";

#[test]
fn daraya_siege_finds_the_seed_first_with_its_date() {
    let results = corpus().search(&query("Daraya siege")).unwrap();
    let top = &results.hits[0];
    assert_eq!(top.title, SEED_TITLE);
    assert_eq!(
        top.published.unwrap().format("%Y-%m-%d").to_string(),
        "2016-08-27"
    );
    assert!(top
        .snippet
        .highlights
        .iter()
        .any(|r| top.snippet.text[r.clone()].eq_ignore_ascii_case("Daraya")));
}

#[test]
fn teaser_only_words_do_not_find_the_seed() {
    for word in ["Mosul", "Amnesty", "Erdogan", "Mogadishu"] {
        assert!(
            !titles(corpus(), &query(word)).contains(&SEED_TITLE.to_string()),
            "{word} found the seed"
        );
    }
}

#[test]
fn operators_phrases_and_fields() {
    let c = corpus();
    let total = |q: &str| c.search(&query(q)).unwrap().total;
    assert_eq!(total("Daraya"), 1);
    assert!(total("Kerry OR Lavrov") >= total("Kerry Lavrov"));
    assert_eq!(total("\"truce deal\""), 1);
    assert_eq!(total("\"deal truce\""), 0);
    assert_eq!(total("\"Kerry Lavrov\"~5"), 1);
    assert_eq!(total("title:Daraya"), 0);
    assert_eq!(total("body:Daraya"), 1);
    assert_eq!(total("Daraya -Kerry"), 0);
    assert_eq!(total("Daraya NOT Kerry"), 0);
    assert_eq!(total("*"), 25);
    assert_eq!(total(""), 25);
    assert_eq!(total("-Daraya"), 24);
    assert_eq!(total("Darya~1"), 1);
    assert_eq!(total("Dara*"), 1);
    assert_eq!(total("date:2016-08"), 1);
}

#[test]
fn stemming_matches_every_form_and_headline_matches_rank_first() {
    let r = reuters();
    // "sieges"/"besieged" share no stem, but "talks"/"talk" do.
    let exact = r.count(&query("talks")).unwrap();
    let any = r.count(&query("talk")).unwrap();
    assert_eq!(exact, any, "stemmed search should match both forms");
    let hits = r
        .search(&SearchRequest {
            limit: 20,
            ..query("shipping")
        })
        .unwrap()
        .hits;
    // The title boost: headlines naming the word (in any form) come first.
    let headline_first = hits
        .iter()
        .take(5)
        .filter(|h| h.title.to_lowercase().contains("ship"))
        .count();
    assert!(
        headline_first >= 4,
        "{:?}",
        hits.iter().map(|h| &h.title).collect::<Vec<_>>()
    );
}

#[test]
fn march_1987_count_equals_the_truth() {
    let truth = fs::read_to_string(root("../shared/corpora/reuters21578/truth-train.tsv")).unwrap();
    let march = truth
        .lines()
        .skip(1)
        .filter(|l| l.split('\t').nth(2).unwrap().starts_with("1987-03"))
        .count() as u64;
    let request = SearchRequest {
        from: Some("1987-03".into()),
        to: Some("1987-03".into()),
        ..query("")
    };
    assert_eq!(reuters().count(&request).unwrap(), march);
    // Day bounds include the whole day.
    let one_day = SearchRequest {
        from: Some("1987-03-02".into()),
        to: Some("1987-03-02".into()),
        ..query("")
    };
    let day = truth
        .lines()
        .filter(|l| l.split('\t').nth(2) == Some("1987-03-02"))
        .count() as u64;
    assert_eq!(reuters().count(&one_day).unwrap(), day);
}

#[test]
fn totals_are_exact_and_paging_is_stable() {
    let r = reuters();
    let all = r
        .search(&SearchRequest {
            limit: 60,
            ..query("oil")
        })
        .unwrap();
    assert!(all.total > 1000, "totals are not capped: {}", all.total);
    assert_eq!(all.total, r.count(&query("oil")).unwrap());
    let mut paged = Vec::new();
    for page in 0..6 {
        let request = SearchRequest {
            limit: 10,
            offset: page * 10,
            ..query("oil")
        };
        paged.extend(r.search(&request).unwrap().hits.into_iter().map(|h| h.id));
    }
    assert_eq!(
        paged,
        all.hits.iter().map(|h| h.id.clone()).collect::<Vec<_>>()
    );
    let unique: HashSet<_> = paged.iter().collect();
    assert_eq!(unique.len(), 60);
    // The same request twice gives the same order, ties included.
    assert_eq!(
        r.search(&query("said")).unwrap(),
        r.search(&query("said")).unwrap()
    );
}

#[test]
fn sorting_by_date() {
    let r = reuters();
    let newest = r
        .search(&SearchRequest {
            sort: SortOrder::Newest,
            limit: 20,
            ..query("coffee")
        })
        .unwrap();
    let dates: Vec<_> = newest.hits.iter().map(|h| h.published.unwrap()).collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]));
    let oldest = r
        .search(&SearchRequest {
            sort: SortOrder::Oldest,
            limit: 20,
            ..query("coffee")
        })
        .unwrap();
    assert!(oldest.hits[0].published.unwrap() <= *dates.last().unwrap());
}

#[test]
fn bad_input_is_an_error_that_says_what_is_wrong() {
    let c = corpus();
    match c.search(&query("Kerry \"truce")) {
        Err(SearchError::Syntax(e)) => assert_eq!(e.column, 7),
        other => panic!("{other:?}"),
    }
    let bad_date = SearchRequest {
        from: Some("27/08/2016".into()),
        ..query("")
    };
    assert!(matches!(
        c.search(&bad_date),
        Err(SearchError::InvalidDate { .. })
    ));
    let reversed = SearchRequest {
        from: Some("2017".into()),
        to: Some("2016".into()),
        ..query("")
    };
    assert!(matches!(
        c.search(&reversed),
        Err(SearchError::EmptyDateRange { .. })
    ));
    assert!(matches!(
        ArticleSearcher::open(Path::new("/nonexistent/index")),
        Err(SearchError::Index(_))
    ));
}

#[test]
fn stats_count_every_article_by_month() {
    let stats = reuters().stats().unwrap();
    assert_eq!(stats.articles, 19_043);
    assert_eq!(stats.dated, 19_043);
    assert_eq!(
        stats.earliest.unwrap().format("%Y-%m-%d").to_string(),
        "1987-02-26"
    );
    assert_eq!(
        stats.latest.unwrap().format("%Y-%m-%d").to_string(),
        "1987-10-20"
    );
    let labels: Vec<_> = stats.per_period.iter().map(|p| p.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "1987-02", "1987-03", "1987-04", "1987-05", "1987-06", "1987-07", "1987-08", "1987-09",
            "1987-10"
        ]
    );
}

/// An index built with byline-ner's entities (people, places, organisations).
fn build_with_entities(input: PathBuf) -> (tempfile::TempDir, ArticleSearcher) {
    build_with_entities_in(input, &IndexOptions::default())
}

fn build_with_entities_in(
    input: PathBuf,
    options: &IndexOptions,
) -> (tempfile::TempDir, ArticleSearcher) {
    use byline_indexer::{EntityRecognizer, NerRecognizer};
    let dir = tempfile::tempdir().unwrap();
    let recognizer = NerRecognizer::load().unwrap();
    index_paths(
        dir.path(),
        &[input],
        options,
        Some(&recognizer as &dyn EntityRecognizer),
        &NoProgress,
    )
    .unwrap();
    let searcher = ArticleSearcher::open(dir.path()).unwrap();
    (dir, searcher)
}

fn corpus_entities() -> &'static ArticleSearcher {
    static DIR: OnceLock<(tempfile::TempDir, ArticleSearcher)> = OnceLock::new();
    &DIR.get_or_init(|| build_with_entities(root("corpus"))).1
}

/// All of Reuters, tagged: built at most once per test program. The
/// writer's smallest memory budget makes it many segments, as a big
/// archive is, so every test on it also checks that results add up across
/// segments.
fn reuters_entities_index() -> &'static (tempfile::TempDir, ArticleSearcher) {
    static DIR: OnceLock<(tempfile::TempDir, ArticleSearcher)> = OnceLock::new();
    DIR.get_or_init(|| {
        let options = IndexOptions {
            memory_budget: 0,
            threads: 2,
            ..IndexOptions::default()
        };
        build_with_entities_in(root("../shared/corpora/reuters21578/articles"), &options)
    })
}

fn reuters_entities() -> &'static ArticleSearcher {
    &reuters_entities_index().1
}

fn filtered(q: &str, people: &[&str], places: &[&str], orgs: &[&str]) -> SearchRequest {
    let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
    SearchRequest {
        people: owned(people),
        places: owned(places),
        orgs: owned(orgs),
        ..query(q)
    }
}

#[test]
fn place_filter_covers_the_country_and_its_towns() {
    let s = corpus_entities();
    let syria = titles(s, &filtered("", &[], &["Syria"], &[]));
    assert!(syria.iter().any(|t| t == SEED_TITLE), "{syria:?}");
    let all = titles(s, &query(""));
    assert!(syria.len() < all.len() / 2, "{syria:?}");
    // Every hit names Syria or a place in it; the others are not found.
    for hit in s.search(&filtered("", &[], &["Syria"], &[])).unwrap().hits {
        assert!(
            hit.places
                .iter()
                .any(|p| ["Syria", "Aleppo", "Damascus", "Daraya"].contains(&p.as_str())),
            "{}: {:?}",
            hit.title,
            hit.places
        );
    }
    // Daraya, however it is written, and Aleppo (a town inside Syria).
    for place in ["Daraya", "Darayya", "Dārayyā", "daraya", "Aleppo"] {
        assert_eq!(
            titles(s, &filtered("", &[], &[place], &[])),
            [SEED_TITLE],
            "{place}"
        );
    }
    let fielded = titles(s, &query("place:\"Dārayyā\" siege"));
    assert_eq!(fielded, [SEED_TITLE]);
    // US, U.S. and America are one country.
    let us = s.count(&filtered("", &[], &["US"], &[])).unwrap();
    assert!(us >= 1);
    assert_eq!(s.count(&filtered("", &[], &["America"], &[])).unwrap(), us);
    assert_eq!(s.count(&filtered("", &[], &["U.S."], &[])).unwrap(), us);
    // An unknown place matches nothing rather than everything.
    assert_eq!(
        s.count(&filtered("", &[], &["Xyzzyville"], &[])).unwrap(),
        0
    );
}

#[test]
fn person_and_org_filters_and_fields() {
    let s = corpus_entities();
    for person in ["John Kerry", "john kerry", "Kerry", "KERRY"] {
        let found = titles(s, &filtered("", &[person], &[], &[]));
        assert!(found.iter().any(|t| t == SEED_TITLE), "{person}: {found:?}");
    }
    assert_eq!(
        titles(s, &filtered("", &["Assad"], &["Syria"], &["UN"])),
        [SEED_TITLE]
    );
    assert_eq!(
        titles(
            s,
            &query("person:\"Sergei Lavrov\" org:\"United Nations\" place:Syria")
        ),
        [SEED_TITLE]
    );
    // Filters are ANDed: nobody here is both.
    assert_eq!(
        s.count(&filtered("", &["John Kerry", "Donald Trump"], &[], &[]))
            .unwrap(),
        0
    );
    // UN and United Nations are one organisation.
    assert_eq!(
        s.count(&filtered("", &[], &[], &["UN"])).unwrap(),
        s.count(&filtered("", &[], &[], &["united nations"]))
            .unwrap()
    );
}

#[test]
fn facets_count_the_entities_of_the_matching_articles() {
    use byline_search::FacetKind;
    let s = corpus_entities();
    let people = s
        .facets(&filtered("", &[], &["Syria"], &[]), FacetKind::People, 50)
        .unwrap();
    assert!(people.iter().any(|f| f.value == "John Kerry"), "{people:?}");
    assert!(people.windows(2).all(|w| w[0].count >= w[1].count));
    // Only the matching articles count.
    let seed_only = s
        .facets(&query("\"Daraya\" siege"), FacetKind::Places, 100)
        .unwrap();
    assert!(seed_only.iter().all(|f| f.count == 1), "{seed_only:?}");
    assert!(seed_only.iter().any(|f| f.value == "Daraya"));
    assert!(!seed_only
        .iter()
        .any(|f| f.value == "Dārayyā" || f.value == "Turkey"));
    let all = s.entity_facets(&query(""), 3).unwrap();
    assert!(all.people.len() <= 3 && !all.places.is_empty() && !all.orgs.is_empty());
    assert!(s
        .facets(&query("zzzzqqqq"), FacetKind::Orgs, 10)
        .unwrap()
        .is_empty());
}

/// Facet counts equal a count over every matching article's own entities,
/// on an index of many segments, for sizes from a sidebar's to a long list.
#[test]
fn facet_counts_equal_a_count_over_every_matching_article() {
    use byline_search::FacetKind;
    use std::collections::HashMap;
    let (dir, s) = reuters_entities_index();
    let segments = tantivy::Index::open_in_dir(dir.path())
        .unwrap()
        .searchable_segment_ids()
        .unwrap()
        .len();
    assert!(segments >= 3, "{segments} segments");
    for q in ["oil", "bank rate", "", "Reagan", "zinc"] {
        let request = SearchRequest {
            all: true,
            ..query(q)
        };
        let hits = all_hits_of(s, &request);
        // The sidebar counted in the ranking pass is the same, copies
        // collapsed on the page or not.
        for all in [true, false] {
            let ranked = s
                .search(&SearchRequest {
                    facet_values: 5,
                    all,
                    ..request.clone()
                })
                .unwrap();
            assert_eq!(
                ranked.facets,
                s.entity_facets(&request, 5).unwrap(),
                "{q:?} all={all}"
            );
        }
        for kind in FacetKind::ALL {
            let mut truth: HashMap<&str, u64> = HashMap::new();
            for hit in &hits {
                let values = match kind {
                    FacetKind::People => &hit.people,
                    FacetKind::Places => &hit.places,
                    FacetKind::Orgs => &hit.orgs,
                };
                for value in values {
                    *truth.entry(value.as_str()).or_default() += 1;
                }
            }
            let mut truth: Vec<(&str, u64)> = truth.into_iter().collect();
            truth.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
            for limit in [1, 5, 20, 200] {
                let got: Vec<(String, u64)> = s
                    .facets(&request, kind, limit)
                    .unwrap()
                    .into_iter()
                    .map(|f| (f.value, f.count))
                    .collect();
                let want: Vec<(String, u64)> = truth
                    .iter()
                    .take(limit)
                    .map(|&(v, n)| (v.to_string(), n))
                    .collect();
                assert_eq!(got, want, "{q:?} {kind:?} top {limit}");
            }
        }
    }
}

#[test]
fn reuters_oil_in_saudi_arabia_in_march_and_april_1987() {
    use byline_search::FacetKind;
    let s = reuters_entities();
    let period = |r: SearchRequest| SearchRequest {
        from: Some("1987-03".into()),
        to: Some("1987-04".into()),
        limit: 10_000,
        snippet_chars: 0,
        all: true,
        ..r
    };
    let oil = s.count(&period(query("oil"))).unwrap();
    let request = period(filtered("oil", &[], &["Saudi Arabia"], &[]));
    let results = s.search(&request).unwrap();
    assert!(
        results.total > 0 && results.total < oil,
        "{} of {oil}",
        results.total
    );
    assert_eq!(results.hits.len() as u64, results.total);
    for hit in &results.hits {
        let day = hit.published.unwrap().format("%Y-%m").to_string();
        assert!(day == "1987-03" || day == "1987-04", "{day}: {}", hit.title);
        assert!(
            hit.places.iter().any(|p| p == "Saudi Arabia"),
            "{}: {:?}",
            hit.title,
            hit.places
        );
    }
    // The facet of the filtered set counts Saudi Arabia in every article.
    let places = s.facets(&request, FacetKind::Places, 5).unwrap();
    assert_eq!(places[0].value, "Saudi Arabia");
    assert_eq!(places[0].count, results.total);
}

// ---- Issue 6: query syntax on real data, recency, show (get) and similar ----

/// Every matching article, for set comparisons.
fn all_hits(searcher: &ArticleSearcher, q: &str) -> Vec<byline_search::Hit> {
    all_hits_of(searcher, &query(q))
}

fn all_hits_of(searcher: &ArticleSearcher, request: &SearchRequest) -> Vec<byline_search::Hit> {
    let total = searcher.count(request).unwrap() as usize;
    searcher
        .search(&SearchRequest {
            limit: total.max(1),
            snippet_chars: 0,
            ..request.clone()
        })
        .unwrap()
        .hits
}

fn ids(searcher: &ArticleSearcher, q: &str) -> HashSet<String> {
    all_hits(searcher, q).into_iter().map(|h| h.id).collect()
}

/// Headline and text of a hit, lower-cased, white space collapsed.
fn text_of(searcher: &ArticleSearcher, id: &str) -> String {
    let article = searcher
        .get(&byline_search::ArticleRef::Id(id.to_string()))
        .unwrap()
        .unwrap();
    format!("{} {}", article.title, article.body)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[test]
fn words_standing_together_outrank_words_far_apart() {
    let r = reuters();
    // Both rankings match the same sets; byline's adds a proximity bonus, so
    // more of its top 20 hold the words side by side than plain BM25's do
    // (measured: 20/18, 14/11, 15/12, 11/8).
    let mut totals = (0, 0);
    for q in [
        "interest rates",
        "oil prices",
        "sugar production",
        "gold mine",
    ] {
        let together = |ranking| {
            r.search(&SearchRequest {
                limit: 20,
                snippet_chars: 0,
                ranking,
                ..query(q)
            })
            .unwrap()
            .hits
            .iter()
            .filter(|h| text_of(r, &h.id).contains(q))
            .count()
        };
        let byline = together(byline_search::Ranking::Byline);
        let plain = together(byline_search::Ranking::PlainBm25);
        assert!(byline >= plain, "{q}: byline {byline}, plain BM25 {plain}");
        totals = (totals.0 + byline, totals.1 + plain);
    }
    assert!(totals.0 >= totals.1 + 8, "{totals:?}");
    // On the corpus: the two names 5 words apart at most match, 1 apart does not.
    let c = corpus();
    assert_eq!(c.count(&query("\"Kerry Lavrov\"~5")).unwrap(), 1);
    assert_eq!(c.count(&query("\"Kerry Lavrov\"")).unwrap(), 0);
}

#[test]
fn prefix_queries_match_every_word_with_the_prefix_on_reuters() {
    let r = reuters();
    let prefixed = all_hits(r, "petro*");
    let total = prefixed.len() as u64;
    for word in ["petroleum", "petrobras", "petrochemical"] {
        let n = r.count(&query(word)).unwrap();
        assert!(n > 0 && n <= total, "{word}: {n} of {total}");
    }
    assert!(total > r.count(&query("petroleum")).unwrap());
    for hit in prefixed.iter().take(200) {
        let text = text_of(r, &hit.id);
        assert!(
            text.split(|c: char| !c.is_alphanumeric())
                .any(|w| w.starts_with("petro")),
            "{}",
            hit.title
        );
    }
}

#[test]
fn fuzzy_words_find_misspellings_on_reuters() {
    let r = reuters();
    // Clayton Yeutter, U.S. trade representative in 1987, misspelt.
    let exact = ids(r, "Yeutter");
    assert!(exact.len() > 20, "{}", exact.len());
    assert_eq!(r.count(&query("Yeuter")).unwrap(), 0);
    let fuzzy = ids(r, "Yeuter~1");
    assert!(fuzzy.is_superset(&exact));
    // Two substitutions away: one edit is not enough, two are.
    assert!(ids(r, "Yautxer~1").is_disjoint(&exact));
    assert!(ids(r, "Yautxer~2").is_superset(&exact));
}

#[test]
fn parentheses_group_an_or_on_reuters() {
    let r = reuters();
    let grouped = ids(r, "(cocoa OR coffee) Brazil");
    let union: HashSet<String> = ids(r, "cocoa Brazil")
        .union(&ids(r, "coffee Brazil"))
        .cloned()
        .collect();
    assert!(!grouped.is_empty());
    assert_eq!(grouped, union);
    // Without the parentheses AND binds tighter: cocoa alone is enough.
    let ungrouped = ids(r, "cocoa OR coffee Brazil");
    assert!(ungrouped.is_superset(&ids(r, "cocoa")));
    assert!(ungrouped.len() > grouped.len());
}

#[test]
fn date_fields_in_the_query_equal_the_date_filters() {
    let r = reuters();
    let field = r
        .count(&query("oil date:[1987-03-01 TO 1987-03-31]"))
        .unwrap();
    let month = r.count(&query("oil date:1987-03")).unwrap();
    let filter = r
        .count(&SearchRequest {
            from: Some("1987-03".into()),
            to: Some("1987-03".into()),
            ..query("oil")
        })
        .unwrap();
    assert!(filter > 100, "{filter}");
    assert_eq!(field, filter);
    assert_eq!(month, filter);
    let open = r.count(&query("oil date:[1987-04 TO *]")).unwrap();
    let from = r
        .count(&SearchRequest {
            from: Some("1987-04".into()),
            ..query("oil")
        })
        .unwrap();
    assert_eq!(open, from);
    assert!(open < r.count(&query("oil")).unwrap());
}

#[test]
fn title_field_on_reuters_matches_only_headlines() {
    let r = reuters();
    let hits = all_hits(r, "title:swiss");
    assert!(hits.len() > 50, "{}", hits.len());
    for hit in &hits {
        assert!(hit.title.to_lowercase().contains("swiss"), "{}", hit.title);
    }
    assert!(r.count(&query("swiss")).unwrap() > hits.len() as u64);
}

#[test]
fn recency_favours_newer_articles_for_oil_on_reuters() {
    let r = reuters();
    let mean_day = |recency| {
        let hits = r
            .search(&SearchRequest {
                recency,
                ..query("oil")
            })
            .unwrap();
        let days: Vec<i64> = hits
            .hits
            .iter()
            .take(10)
            .map(|h| h.published.unwrap().timestamp() / 86_400)
            .collect();
        (
            hits.total,
            days.iter().sum::<i64>() as f64 / days.len() as f64,
        )
    };
    let (total_plain, plain) = mean_day(false);
    let (total_recent, recent) = mean_day(true);
    assert_eq!(
        total_plain, total_recent,
        "recency changes order, not matches"
    );
    assert!(
        recent > plain + 14.0,
        "mean day with --recent {recent}, without {plain}"
    );
    // Scores come back in descending order, boosted by at most 1.
    let hits = r
        .search(&SearchRequest {
            recency: true,
            ..query("oil")
        })
        .unwrap()
        .hits;
    assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
}

#[test]
fn get_finds_an_article_by_id_and_by_path() {
    use byline_search::ArticleRef;
    let c = corpus();
    let seed = root("corpus/000_a246f93a30b869c3.txt");
    let by_path = c
        .get(&ArticleRef::parse(seed.to_str().unwrap()))
        .unwrap()
        .expect("the seed by its path");
    assert_eq!(by_path.title, SEED_TITLE);
    assert!(by_path.body.contains("Daraya"));
    assert!(by_path.people.is_empty(), "this index has no entities");
    let by_id = c.get(&ArticleRef::Id(by_path.id.clone())).unwrap().unwrap();
    assert_eq!(by_id, by_path);
    assert_eq!(c.get(&ArticleRef::Id("0000".into())).unwrap(), None);
    assert_eq!(
        c.get(&ArticleRef::parse(root("README.md").to_str().unwrap()))
            .unwrap(),
        None,
        "a file that is not indexed"
    );
}

#[test]
fn get_finds_a_json_lines_record_by_its_line() {
    use byline_search::ArticleRef;
    let data = tempfile::tempdir().unwrap();
    let file = data.path().join("news.jsonl");
    fs::write(
        &file,
        "{\"title\":\"First\",\"body\":\"one\"}\n{\"title\":\"Second\",\"body\":\"two\"}\n{\"title\":\"Third\",\"body\":\"three\"}\n",
    )
    .unwrap();
    let dir = build(file.clone());
    let s = ArticleSearcher::open(dir.path()).unwrap();
    let name = file.to_str().unwrap();
    for (line, title) in [(1, "First"), (2, "Second"), (3, "Third")] {
        let found = s
            .get(&ArticleRef::parse(&format!("{name}:{line}")))
            .unwrap()
            .unwrap();
        assert_eq!(found.title, title);
    }
    assert_eq!(
        s.get(&ArticleRef::parse(&format!("{name}:4"))).unwrap(),
        None
    );
}

#[test]
fn similar_articles_share_the_seeds_subject_and_skip_the_seed() {
    use byline_search::ArticleRef;
    let r = reuters();
    // Reuters 1: BAHIA COCOA REVIEW.
    let seed = r
        .get(&ArticleRef::parse(
            root("../shared/corpora/reuters21578/articles/1.txt")
                .to_str()
                .unwrap(),
        ))
        .unwrap()
        .expect("Reuters 1");
    assert_eq!(seed.title, "BAHIA COCOA REVIEW");
    let hits = r.similar(&seed, 10).unwrap();
    assert_eq!(hits.len(), 10);
    assert!(hits.iter().all(|h| h.id != seed.id));
    assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
    let cocoa = hits
        .iter()
        .filter(|h| text_of(r, &h.id).contains("cocoa"))
        .count();
    assert!(cocoa >= 9, "{cocoa} of 10 about cocoa");
    // No hit is an exact copy of the seed or of another hit.
    let mut seen = HashSet::from([seed.content_hash()]);
    for hit in &hits {
        let article = r.get(&ArticleRef::Id(hit.id.clone())).unwrap().unwrap();
        assert!(seen.insert(article.content_hash()), "{}", hit.title);
    }
    // On the corpus: the seed is never its own neighbour, and the limit holds.
    let c = corpus();
    let seed = c
        .get(&ArticleRef::parse(
            root("corpus/000_a246f93a30b869c3.txt").to_str().unwrap(),
        ))
        .unwrap()
        .unwrap();
    let hits = c.similar(&seed, 3).unwrap();
    assert!(!hits.is_empty() && hits.len() <= 3);
    assert!(hits.iter().all(|h| h.title != SEED_TITLE));
    assert!(c.similar(&seed, 0).unwrap().is_empty());
}

#[test]
fn similar_skips_exact_duplicates_of_the_seed() {
    use byline_search::ArticleRef;
    let data = tempfile::tempdir().unwrap();
    let body = "Cocoa growers in Bahia expect a larger temporao crop after rains.";
    for (name, text) in [
        ("a.txt", format!("Cocoa crop\n\n{body}\n")),
        ("b.txt", format!("Cocoa crop\n\n{body}\n")),
        (
            "c.txt",
            format!("Cocoa outlook\n\n{body} Exporters agree.\n"),
        ),
        (
            "d.txt",
            "Steel output\n\nSteel mills cut output.\n".to_string(),
        ),
    ] {
        fs::write(data.path().join(name), text).unwrap();
    }
    let dir = build(data.path().to_path_buf());
    let s = ArticleSearcher::open(dir.path()).unwrap();
    let seed = s
        .get(&ArticleRef::parse(
            data.path().join("a.txt").to_str().unwrap(),
        ))
        .unwrap()
        .unwrap();
    let hits = s.similar(&seed, 10).unwrap();
    let titles: Vec<&str> = hits.iter().map(|h| h.title.as_str()).collect();
    assert_eq!(titles, ["Cocoa outlook"], "b.txt is a copy of a.txt");
}

#[test]
fn copies_collapse_to_the_earliest_unless_all_is_asked() {
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("articles");
    fs::create_dir(&folder).unwrap();
    let seed = fs::read_to_string(root("corpus/000_a246f93a30b869c3.txt")).unwrap();
    let (_, rest) = seed.split_once('\n').unwrap();
    // The original is dated 2016-08-27; the copies a day later, so the original represents them.
    let later = |text: &str| text.replace("27/08/2016", "28/08/2016");
    assert_ne!(later(&seed), seed, "the seed page's date line");
    fs::write(folder.join("original.txt"), &seed).unwrap();
    fs::write(
        folder.join("copy.txt"),
        later(&format!("Syria: US and Russia near truce\n{rest}")),
    )
    .unwrap();
    let near = seed.replace(
        "UN-brokered peace talks broke down in April as a previous truce crumbled.",
        "Peace talks sponsored by the United Nations collapsed in the spring when an earlier ceasefire fell apart.",
    );
    fs::write(folder.join("near.txt"), later(&near)).unwrap();
    fs::write(
        folder.join("other.txt"),
        "Truce holds in the valley\n\nA separate truce between farmers and herders held for a third week in the valley, officials said on Monday, as talks on grazing rights resumed.\n",
    )
    .unwrap();
    let dir = build(folder.clone());
    let searcher = ArticleSearcher::open(dir.path()).unwrap();
    let id = |name: &str| {
        byline_indexer::article_id(&byline_indexer::source_key(&folder.join(name)), None)
    };

    let collapsed = searcher.search(&query("truce")).unwrap();
    assert_eq!((collapsed.collapsed_total, collapsed.total), (2, 4));
    assert_eq!(collapsed.hits.len(), 2);
    let shown: Vec<&str> = collapsed.hits.iter().map(|h| h.id.as_str()).collect();
    assert!(shown.contains(&id("original.txt").as_str()), "{shown:?}");
    assert!(shown.contains(&id("other.txt").as_str()));
    let i = shown.iter().position(|s| *s == id("original.txt")).unwrap();
    let mut copies = collapsed.duplicates[i].clone();
    copies.sort();
    let mut expected = vec![id("copy.txt"), id("near.txt")];
    expected.sort();
    assert_eq!(copies, expected);
    assert!(collapsed.duplicates[1 - i].is_empty());
    // `count` counts every copy, as timelines and facets do.
    assert_eq!(searcher.count(&query("truce")).unwrap(), 4);

    // Paging over the collapsed list is stable and exact.
    let page = |offset| {
        searcher
            .search(&SearchRequest {
                limit: 1,
                offset,
                ..query("truce")
            })
            .unwrap()
    };
    let pages: Vec<String> = (0..2).map(|o| page(o).hits[0].id.clone()).collect();
    assert_eq!(pages, shown);
    assert!(page(2).hits.is_empty());

    // When the representative does not match, the earliest matching copy stands in.
    let only_near = searcher
        .search(&query("\"earlier ceasefire fell apart\""))
        .unwrap();
    assert_eq!((only_near.collapsed_total, only_near.total), (1, 1));
    assert_eq!(only_near.hits[0].id, id("near.txt"));
    assert_eq!(only_near.duplicates[0].len(), 2);

    let all = searcher
        .search(&SearchRequest {
            all: true,
            ..query("truce")
        })
        .unwrap();
    assert_eq!((all.total, all.collapsed_total, all.hits.len()), (4, 4, 4));
    assert!(all.duplicates.iter().all(Vec::is_empty));
    let all_count = SearchRequest {
        all: true,
        ..query("truce")
    };
    assert_eq!(searcher.count(&all_count).unwrap(), 4);
}
