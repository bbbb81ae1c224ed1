//! Tagging throughput in tokens per second: raw articles (tokenisation
//! included) and the CoNLL-2003 development set (tokens as given); and
//! tokenising alone, over the same raw articles.
//!
//! `cargo bench -p byline-ner --bench tagging` (skipped without `../shared`)

use std::hint::black_box;
use std::time::Duration;

use byline_ner::{tokenize, NerTagger};
use criterion::{Criterion, Throughput};

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared");

fn token_count(text: &str) -> u64 {
    tokenize(text).iter().map(|s| s.len() as u64).sum()
}

/// The first `n` Reuters-21578 articles (research use: read in place).
fn reuters(n: usize) -> Vec<String> {
    let dir = format!("{SHARED}/corpora/reuters21578/articles");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .expect("reuters articles")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    paths.sort();
    paths
        .iter()
        .take(n)
        .map(|p| std::fs::read_to_string(p).expect("article"))
        .collect()
}

fn bench(c: &mut Criterion) {
    let tagger = NerTagger::load_default().expect("model");

    let seed = std::fs::read_to_string(format!("{SHARED}/seed/000_a246f93a30b869c3.txt"))
        .expect("seed article");
    let mut group = c.benchmark_group("tag_raw");
    group.throughput(Throughput::Elements(token_count(&seed)));
    group.bench_function("seed_article", |b| b.iter(|| tagger.tag(black_box(&seed))));
    let articles = reuters(500);
    let tokens: u64 = articles.iter().map(|a| token_count(a)).sum();
    group.throughput(Throughput::Elements(tokens));
    group.bench_function("reuters_500_articles", |b| {
        b.iter(|| {
            articles
                .iter()
                .map(|a| tagger.tag(black_box(a)).len())
                .sum::<usize>()
        })
    });
    group.finish();

    let mut group = c.benchmark_group("tokenize");
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(3));
    group.throughput(Throughput::Elements(token_count(&seed)));
    group.bench_function("seed_article", |b| b.iter(|| tokenize(black_box(&seed))));
    group.throughput(Throughput::Elements(tokens));
    group.bench_function("reuters_500_articles", |b| {
        b.iter(|| {
            articles
                .iter()
                .map(|a| tokenize(black_box(a)).len())
                .sum::<usize>()
        })
    });
    group.finish();

    let dev = std::fs::read_to_string(format!("{SHARED}/ner/conll2003/dev.txt")).expect("dev set");
    let report = tagger.evaluate(&dev);
    let mut group = c.benchmark_group("evaluate");
    group.sample_size(20);
    group.throughput(Throughput::Elements(report.tokens as u64));
    group.bench_function("conll_dev", |b| b.iter(|| tagger.evaluate(black_box(&dev))));
    group.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    if !std::path::Path::new(SHARED).is_dir() {
        eprintln!("tagging: {SHARED} not found; skipping the tagging benchmarks");
        return;
    }
    bench(&mut c);
    c.final_summary();
}
