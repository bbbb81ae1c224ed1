//! `query-latency`: warm search latency of byline over a file of queries.
//!
//! Opens an index once, runs every query once to warm caches, then times
//! `--runs` passes over all queries, with snippets (as `byline search` shows
//! them) and without. Each query's latency is the median of its runs; the
//! table gives p50/p95/p99/mean over queries, overall and per category.
//!
//! ```text
//! cargo run --release -p byline-bench --bin query-latency -- \
//!     --index DIR --queries ../shared/bench/queries.txt \
//!     --categories ../shared/bench/queries.tsv --json latency.json
//! ```

use std::collections::{BTreeMap, HashMap};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{ensure, Context};
use byline_bench::{
    format_micros, median, parse_categories, parse_queries, render_table, Summary, UNCATEGORISED,
};
use byline_search::{ArticleSearcher, SearchRequest};
use clap::Parser;
use serde::Serialize;

/// The allocator the `byline` binary ships with, so that warm latency is
/// measured as `byline search` runs.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Warm query latency of byline over a query file.
#[derive(Debug, Parser)]
#[command(name = "query-latency", version, about)]
struct Args {
    /// Index folder, as written by `byline index`.
    #[arg(long, value_name = "DIR")]
    index: PathBuf,

    /// Queries in byline's query syntax, one per line.
    #[arg(long, value_name = "FILE")]
    queries: PathBuf,

    /// Tab-separated file with `query` and `category` columns (e.g.
    /// ../shared/bench/queries.tsv): adds a row per category.
    #[arg(long, value_name = "FILE")]
    categories: Option<PathBuf>,

    /// Timed passes over all queries (after one warm-up pass).
    #[arg(long, default_value_t = 5, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..))]
    runs: u32,

    /// Hits per query.
    #[arg(long, default_value_t = 10, value_name = "N")]
    limit: usize,

    /// Also write every measurement as JSON to this file.
    #[arg(long, value_name = "OUT")]
    json: Option<PathBuf>,
}

/// One query's measurements in one mode.
#[derive(Debug, Serialize)]
struct QueryTiming {
    query: String,
    category: String,
    /// Exact number of matching articles.
    total: u64,
    /// Latency of each timed run, in microseconds.
    micros: Vec<f64>,
}

/// All queries' measurements with one snippet setting, and their summaries.
#[derive(Debug, Serialize)]
struct ModeReport {
    snippet_chars: usize,
    /// Summary of per-query medians: "all" first, then each category.
    summaries: BTreeMap<String, CategorySummary>,
    queries: Vec<QueryTiming>,
}

#[derive(Debug, Serialize)]
struct CategorySummary {
    #[serde(flatten)]
    latency_micros: Summary,
    /// Sum of the queries' exact totals.
    hits: u64,
}

#[derive(Debug, Serialize)]
struct Report {
    index: PathBuf,
    queries: PathBuf,
    runs: u32,
    limit: usize,
    modes: Vec<ModeReport>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("query-latency: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> anyhow::Result<()> {
    let searcher = ArticleSearcher::open(&args.index)
        .with_context(|| format!("opening index {}", args.index.display()))?;
    let queries = parse_queries(&read(&args.queries)?);
    ensure!(
        !queries.is_empty(),
        "{}: no queries",
        args.queries.display()
    );
    let categories = match &args.categories {
        Some(path) => {
            parse_categories(&read(path)?).with_context(|| format!("reading {}", path.display()))?
        }
        None => HashMap::new(),
    };

    let snippets = SearchRequest::default().snippet_chars;
    let mut modes = Vec::new();
    for snippet_chars in [snippets, 0] {
        let mode = measure(&searcher, &queries, &categories, args, snippet_chars)?;
        print_mode(&mode, args.runs);
        modes.push(mode);
    }

    if let Some(out) = &args.json {
        let report = Report {
            index: args.index.clone(),
            queries: args.queries.clone(),
            runs: args.runs,
            limit: args.limit,
            modes,
        };
        let json = serde_json::to_string_pretty(&report)?;
        std::fs::write(out, json + "\n").with_context(|| format!("writing {}", out.display()))?;
    }
    Ok(())
}

fn read(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

/// One warm-up pass, then `args.runs` timed passes over all queries.
fn measure(
    searcher: &ArticleSearcher,
    queries: &[String],
    categories: &HashMap<String, String>,
    args: &Args,
    snippet_chars: usize,
) -> anyhow::Result<ModeReport> {
    let requests: Vec<SearchRequest> = queries
        .iter()
        .map(|query| SearchRequest {
            query: query.clone(),
            limit: args.limit,
            snippet_chars,
            ..SearchRequest::default()
        })
        .collect();
    let mut timings = Vec::with_capacity(requests.len());
    for request in &requests {
        let results = searcher
            .search(request)
            .with_context(|| format!("query {:?}", request.query))?;
        timings.push(QueryTiming {
            query: request.query.clone(),
            category: categories
                .get(&request.query)
                .map_or(UNCATEGORISED, String::as_str)
                .to_owned(),
            total: results.total,
            micros: Vec::with_capacity(args.runs as usize),
        });
    }
    for _ in 0..args.runs {
        for (request, timing) in requests.iter().zip(&mut timings) {
            let start = Instant::now();
            let results = searcher.search(black_box(request))?;
            let elapsed = start.elapsed();
            black_box(results);
            timing.micros.push(elapsed.as_secs_f64() * 1e6);
        }
    }

    let mut groups: BTreeMap<String, (Vec<f64>, u64)> = BTreeMap::new();
    for timing in &timings {
        let per_query = median(&timing.micros).expect("at least one run");
        let category = (!categories.is_empty()).then_some(timing.category.as_str());
        for key in std::iter::once("all").chain(category) {
            let group = groups.entry(key.to_owned()).or_default();
            group.0.push(per_query);
            group.1 += timing.total;
        }
    }
    let summaries = groups
        .into_iter()
        .map(|(key, (medians, hits))| {
            let latency_micros = Summary::of(&medians).expect("group has a query");
            (
                key,
                CategorySummary {
                    latency_micros,
                    hits,
                },
            )
        })
        .collect();
    Ok(ModeReport {
        snippet_chars,
        summaries,
        queries: timings,
    })
}

fn print_mode(mode: &ModeReport, runs: u32) {
    let snippets = match mode.snippet_chars {
        0 => "no snippets".to_owned(),
        n => format!("snippets of {n} chars"),
    };
    println!("\nWarm latency, {snippets} (per query: median of {runs} runs)");
    let all = mode.summaries.get_key_value("all");
    let rows: Vec<Vec<String>> = all
        .into_iter()
        .chain(mode.summaries.iter().filter(|(key, _)| *key != "all"))
        .map(|(key, s)| {
            let l = s.latency_micros;
            vec![
                key.clone(),
                l.count.to_string(),
                format_micros(l.p50),
                format_micros(l.p95),
                format_micros(l.p99),
                format_micros(l.mean),
                s.hits.to_string(),
            ]
        })
        .collect();
    let header = ["category", "queries", "p50", "p95", "p99", "mean", "hits"];
    print!("{}", render_table(&header, &rows));
}
