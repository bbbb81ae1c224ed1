//! Extraction benchmark and output dump over Reuters-21578: runs
//! [`EntityExtractor::extract`] on every article of `reuters.jsonl` (one
//! thread), prints the time of each pass and their median, and writes the
//! entities of every article (one line each: id and the
//! [`ArticleEntities`] as JSON) to a file, so that a speed-up can be checked to leave the
//! output unchanged (`diff` two dumps).
//!
//! ```text
//! cargo run --release -p byline-ner --example reuters_entities -- [OUT] [PASSES]
//! ```
//!
//! `OUT` defaults to `reuters_entities.txt` and `PASSES` to 3.
//! Reuters-21578 is research-only data: it is read from `../shared/`, never
//! copied into the repository.

use std::fmt::Write as _;
use std::time::Instant;

use byline_ner::{ArticleEntities, EntityExtractor};

#[derive(serde::Deserialize)]
struct Article {
    id: String,
    title: String,
    body: String,
}

fn main() {
    let mut args = std::env::args().skip(1);
    let out = args
        .next()
        .unwrap_or_else(|| "reuters_entities.txt".to_string());
    let passes: usize = args.next().map_or(3, |p| p.parse().expect("PASSES"));
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpora/reuters21578/reuters.jsonl"
    );
    let text = std::fs::read_to_string(path).expect("reuters.jsonl");
    let articles: Vec<Article> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("article"))
        .collect();
    let ex = EntityExtractor::load_default().expect("load extractor");
    let mut times = Vec::new();
    let mut results: Vec<ArticleEntities> = Vec::new();
    for pass in 0..passes.max(1) {
        let started = Instant::now();
        let cpu_started = thread_cpu_secs();
        let r: Vec<ArticleEntities> = articles
            .iter()
            .map(|a| ex.extract(&a.title, &a.body))
            .collect();
        let wall = started.elapsed().as_secs_f64();
        // On a busy machine the thread's CPU time is the steadier figure.
        let secs = match (cpu_started, thread_cpu_secs()) {
            (Some(a), Some(b)) => b - a,
            _ => wall,
        };
        println!(
            "pass {}: {secs:.3} s CPU, {wall:.3} s wall ({:.0} articles/s of CPU)",
            pass + 1,
            articles.len() as f64 / secs
        );
        times.push(secs);
        results = r;
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    println!(
        "median: {median:.3} s CPU, {:.0} articles/s over {} articles",
        articles.len() as f64 / median,
        articles.len()
    );
    let mut dump = String::new();
    for (a, e) in articles.iter().zip(&results) {
        let json = serde_json::to_string(e).expect("serialise");
        let _ = writeln!(dump, "{}\t{json}", a.id);
    }
    std::fs::write(&out, dump).expect("write dump");
}

/// CPU time of the calling thread so far (Linux: `/proc/thread-self/schedstat`).
fn thread_cpu_secs() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}
