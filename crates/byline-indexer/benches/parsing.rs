//! Parsing throughput in bytes per second: text pages (the seed page and
//! 500 Reuters pages), a JSON Lines export (500 Reuters records) and the
//! HTML fixture pages, each through `parse_bytes` (decoding included, as
//! the indexer calls it); decoding alone; date extraction alone, in lines
//! or strings per second; and the copy fingerprints of the 500 Reuters
//! bodies.
//!
//! `cargo bench -p byline-indexer --bench parsing`
//!
//! Without `../shared` only the HTML fixtures (kept in this repository) are
//! measured.

use std::hint::black_box;
use std::io::BufRead;
use std::path::Path;
use std::time::Duration;

use byline_indexer::duplicates::fingerprints;
use byline_indexer::parse::date::{date_line, parse_date};
use byline_indexer::parse::{decode, parse_bytes, FileKind};
use byline_indexer::FieldMap;
use criterion::{BenchmarkGroup, Criterion, Throughput};

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared");
const HTML_FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/html");

/// Pages and records sampled from Reuters-21578.
const SAMPLE: usize = 500;

/// Dates in the forms pages write them, as `parse_date` meets them in
/// JSON fields and meta tags (the RFC 3339 form has its own benchmark).
const WRITTEN_DATES: &[&str] = &[
    "Sat, 27 Aug 2016 02:17:00 +0000",
    "Last update: Sat, 27/08/2016 - 02:17",
    "Published: August 27, 2016",
    "August 27, 2016 2:17 pm",
    "27 Aug 2016",
    "27 August 2016 02:17 UTC",
    "Saturday, Aug. 27 2016, 2:17 pm",
    "27/08/2016",
    "27.08.2016 14:05",
    "2016-08-27 02:17:00+02:00",
    "Updated on: 2016-08-27",
    "not a date at all",
];

/// The files of a folder with the given extension, sorted by name.
fn files(dir: &Path, ext: &str) -> Vec<std::path::PathBuf> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == ext))
                .collect()
        })
        .unwrap_or_default();
    paths.sort();
    paths
}

fn read_all(paths: &[std::path::PathBuf]) -> Vec<Vec<u8>> {
    paths
        .iter()
        .map(|p| std::fs::read(p).expect("readable file"))
        .collect()
}

fn total_bytes(pages: &[Vec<u8>]) -> u64 {
    pages.iter().map(|p| p.len() as u64).sum()
}

/// Modest run times: the whole bench takes about a minute.
fn configure<M: criterion::measurement::Measurement>(group: &mut BenchmarkGroup<'_, M>) {
    group.sample_size(30);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(4));
}

fn parse_all(pages: &[Vec<u8>], kind: FileKind, fields: &FieldMap) -> usize {
    pages
        .iter()
        .map(|p| parse_bytes(black_box(p), kind, fields).map_or(0, |f| f.articles.len()))
        .sum()
}

fn bench_text_and_json(c: &mut Criterion, fields: &FieldMap) {
    let seed = std::fs::read(format!("{SHARED}/seed/000_a246f93a30b869c3.txt")).expect("seed page");
    let reuters = read_all(
        &files(
            Path::new(&format!("{SHARED}/corpora/reuters21578/articles")),
            "txt",
        )
        .into_iter()
        .take(SAMPLE)
        .collect::<Vec<_>>(),
    );

    let mut group = c.benchmark_group("text_page");
    configure(&mut group);
    group.throughput(Throughput::Bytes(seed.len() as u64));
    group.bench_function("seed_page", |b| {
        b.iter(|| parse_bytes(black_box(&seed), FileKind::TextPage, fields))
    });
    group.throughput(Throughput::Bytes(total_bytes(&reuters)));
    group.bench_function("reuters_500_pages", |b| {
        b.iter(|| parse_all(&reuters, FileKind::TextPage, fields))
    });
    group.bench_function("reuters_500_pages_decode_only", |b| {
        b.iter(|| {
            reuters
                .iter()
                .map(|p| decode(black_box(p)).map_or(0, |(text, _)| text.len()))
                .sum::<usize>()
        })
    });
    group.finish();

    let file = std::fs::File::open(format!("{SHARED}/corpora/reuters21578/reuters.jsonl"))
        .expect("reuters.jsonl");
    let mut jsonl = Vec::new();
    for line in std::io::BufReader::new(file).split(b'\n').take(SAMPLE) {
        jsonl.extend(line.expect("line"));
        jsonl.push(b'\n');
    }
    let mut group = c.benchmark_group("json_lines");
    configure(&mut group);
    group.throughput(Throughput::Bytes(jsonl.len() as u64));
    group.bench_function("reuters_500_records", |b| {
        b.iter(|| {
            parse_bytes(black_box(&jsonl), FileKind::JsonLines, fields)
                .map_or(0, |f| f.articles.len())
        })
    });
    group.finish();

    // Date extraction alone. `date_line` is asked about every line of every
    // text page; most lines have no digit and are refused before any regex.
    let lines: Vec<String> = reuters
        .iter()
        .flat_map(|p| {
            String::from_utf8_lossy(p)
                .lines()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect();
    let published: Vec<String> = String::from_utf8_lossy(&jsonl)
        .lines()
        .filter_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).ok()?;
            Some(v.get("published")?.as_str()?.to_owned())
        })
        .collect();
    let mut group = c.benchmark_group("date");
    configure(&mut group);
    group.throughput(Throughput::Elements(lines.len() as u64));
    group.bench_function("date_line_reuters_500_pages_every_line", |b| {
        b.iter(|| {
            lines
                .iter()
                .filter(|l| date_line(black_box(l)).is_some())
                .count()
        })
    });
    group.throughput(Throughput::Elements(published.len() as u64));
    group.bench_function("parse_date_rfc3339_500", |b| {
        b.iter(|| {
            published
                .iter()
                .filter(|d| parse_date(black_box(d)).is_some())
                .count()
        })
    });
    group.throughput(Throughput::Elements(WRITTEN_DATES.len() as u64));
    group.bench_function("parse_date_written_forms", |b| {
        b.iter(|| {
            WRITTEN_DATES
                .iter()
                .filter(|d| parse_date(black_box(d)).is_some())
                .count()
        })
    });
    group.finish();

    // The copy fingerprints the indexer stores for every article body.
    let bodies: Vec<String> = reuters
        .iter()
        .filter_map(|p| parse_bytes(p, FileKind::TextPage, fields).ok())
        .flat_map(|f| f.articles.into_iter().map(|a| a.body))
        .collect();
    let mut group = c.benchmark_group("fingerprints");
    configure(&mut group);
    group.throughput(Throughput::Bytes(
        bodies.iter().map(|b| b.len() as u64).sum(),
    ));
    group.bench_function("reuters_500_bodies", |b| {
        b.iter(|| {
            bodies
                .iter()
                .map(|body| fingerprints(black_box(body)).1 & 1)
                .sum::<u64>()
        })
    });
    group.finish();
}

fn bench_html(c: &mut Criterion, fields: &FieldMap) {
    let pages = read_all(&files(Path::new(HTML_FIXTURES), "html"));
    if pages.is_empty() {
        eprintln!("parsing: no HTML fixtures in {HTML_FIXTURES}; skipping the HTML benchmark");
        return;
    }
    let mut group = c.benchmark_group("html_page");
    configure(&mut group);
    group.throughput(Throughput::Bytes(total_bytes(&pages)));
    group.bench_function(format!("fixtures_{}_pages", pages.len()), |b| {
        b.iter(|| parse_all(&pages, FileKind::Html, fields))
    });
    group.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let fields = FieldMap::default();
    let shared = Path::new(SHARED);
    if shared.join("seed").is_dir() && shared.join("corpora/reuters21578").is_dir() {
        bench_text_and_json(&mut c, &fields);
    } else {
        eprintln!(
            "parsing: {SHARED} not found; skipping the text page, JSON Lines and date benchmarks"
        );
    }
    bench_html(&mut c, &fields);
    c.final_summary();
}
