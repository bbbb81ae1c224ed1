//! Query parsing and search throughput in queries per second, over the 200
//! shared benchmark queries and a Reuters-21578 index built once at start
//! into a temporary folder (without entities, as the search tests build it).
//!
//! `cargo bench -p byline-search --bench search`
//!
//! Without `../shared` the bundled `corpus/` is indexed instead and searched
//! with a few queries of its own.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use byline_indexer::{index_paths, IndexOptions, NoProgress};
use byline_search::{parse_query, ArticleSearcher, SearchRequest};
use criterion::{Criterion, Throughput};

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared");
const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../corpus");

/// Queries for the bundled corpus when `../shared` is absent.
const CORPUS_QUERIES: &[&str] = &[
    "Daraya siege",
    "Kerry OR Lavrov",
    "\"truce deal\"",
    "\"Kerry Lavrov\"~5",
    "title:Syria",
    "Daraya -Kerry",
    "Dara*",
    "Darya~1",
    "date:2016-08",
    "Russia AND \"peace talks\"",
];

/// The articles to index and the queries to run.
fn inputs() -> (PathBuf, Vec<String>) {
    let shared = Path::new(SHARED);
    let articles = shared.join("corpora/reuters21578/articles");
    match std::fs::read_to_string(shared.join("bench/queries.txt")) {
        Ok(text) if articles.is_dir() => (
            articles,
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(str::to_owned)
                .collect(),
        ),
        _ => {
            eprintln!("search: {SHARED} not found; indexing and searching {CORPUS} instead");
            (
                PathBuf::from(CORPUS),
                CORPUS_QUERIES.iter().map(|q| q.to_string()).collect(),
            )
        }
    }
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let (articles, queries) = inputs();
    let n = queries.len() as u64;

    let mut group = c.benchmark_group("query_parse");
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(3));
    group.throughput(Throughput::Elements(n));
    group.bench_function(format!("{n}_queries"), |b| {
        b.iter(|| {
            queries
                .iter()
                .filter(|q| parse_query(black_box(q)).is_ok())
                .count()
        })
    });
    group.finish();

    if !articles.is_dir() {
        eprintln!(
            "search: {} not found; skipping the search benchmarks",
            articles.display()
        );
        c.final_summary();
        return;
    }
    let dir = tempfile::tempdir().expect("temporary folder");
    let start = Instant::now();
    let summary = index_paths(
        dir.path(),
        std::slice::from_ref(&articles),
        &IndexOptions::default(),
        None,
        &NoProgress,
    )
    .expect("index built");
    eprintln!(
        "search: indexed {} articles from {} in {:.1} s",
        summary.articles,
        articles.display(),
        start.elapsed().as_secs_f64()
    );
    let searcher = ArticleSearcher::open(dir.path()).expect("index opens");
    let requests: Vec<SearchRequest> = queries
        .iter()
        .map(|q| SearchRequest {
            query: q.clone(),
            ..SearchRequest::default()
        })
        .collect();
    for r in &requests {
        if let Err(e) = searcher.search(r) {
            eprintln!("search: query {:?} fails: {e}", r.query);
        }
    }
    let no_snippets: Vec<SearchRequest> = requests
        .iter()
        .map(|r| SearchRequest {
            snippet_chars: 0,
            ..r.clone()
        })
        .collect();

    // One pass of every query is a few hundred milliseconds: few samples.
    let mut group = c.benchmark_group("search");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(2));
    group.measurement_time(Duration::from_secs(8));
    group.throughput(Throughput::Elements(n));
    group.bench_function(format!("{n}_queries_top10_snippets"), |b| {
        b.iter(|| {
            requests
                .iter()
                .map(|r| searcher.search(black_box(r)).map_or(0, |res| res.total))
                .sum::<u64>()
        })
    });
    group.bench_function(format!("{n}_queries_top10_no_snippets"), |b| {
        b.iter(|| {
            no_snippets
                .iter()
                .map(|r| searcher.search(black_box(r)).map_or(0, |res| res.total))
                .sum::<u64>()
        })
    });
    group.bench_function(format!("{n}_queries_count_only"), |b| {
        b.iter(|| {
            requests
                .iter()
                .map(|r| searcher.count(black_box(r)).unwrap_or(0))
                .sum::<u64>()
        })
    });
    group.finish();
    c.final_summary();
}
