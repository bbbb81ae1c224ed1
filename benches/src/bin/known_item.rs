//! Known-item evaluation of byline's ranking on Reuters-21578.
//!
//! 500 articles are sampled with a fixed seed; each is searched for (a) by
//! its headline and (b) by three distinctive words of its body (the three
//! with the highest tf·idf among words that occur in at least one other
//! article, so the query is not trivially unique). The rank of the article
//! gives MRR and success@1/@10, for plain BM25 and for byline's ranking.
//!
//! ```text
//! cargo run --release -p byline-bench --bin known-item -- \
//!     --index /tmp/reuters-index --articles ../shared/corpora/reuters21578/articles
//! ```
//!
//! The index must have been built from the same folder
//! (`byline --index /tmp/reuters-index index ../shared/corpora/reuters21578/articles`).
//! Reuters holds exact duplicates (the same story sent twice); a hit whose
//! headline and body equal the target's counts as finding it.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use byline_indexer::parse::parse_text_page;
use byline_search::{ArticleSearcher, Ranking, SearchRequest};
use clap::Parser;
use serde::Serialize;

/// Known-item evaluation: MRR and success@k for title and body-word queries.
#[derive(Debug, Parser)]
#[command(name = "known-item")]
struct Args {
    /// A byline index built from `--articles`.
    #[arg(long)]
    index: PathBuf,
    /// The folder of Reuters text pages.
    #[arg(long, default_value = "../shared/corpora/reuters21578/articles")]
    articles: PathBuf,
    /// Articles to sample.
    #[arg(long, default_value_t = 500)]
    sample: usize,
    /// Sampling seed.
    #[arg(long, default_value_t = 21578)]
    seed: u64,
    /// Write the figures as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
}

/// How far down the ranking an article is looked for.
const DEPTH: usize = 100;

const STOP: &[&str] = &[
    "said", "that", "with", "from", "this", "have", "will", "which", "were", "would", "their",
    "there", "been", "also", "they", "than", "other", "about", "into", "more", "after", "could",
    "some", "over", "year", "last", "reuter", "dlrs", "mln", "billion", "pct", "company", "share",
    "shares",
];

struct Article {
    file: String,
    title: String,
    body: String,
}

#[derive(Debug, Serialize)]
struct Figures {
    ranking: &'static str,
    queries: &'static str,
    n: usize,
    mrr: f64,
    success_at_1: f64,
    success_at_10: f64,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let articles = read_articles(&args.articles)?;
    let df = document_frequencies(&articles);
    let sample = sample(articles.len(), args.sample, args.seed);
    // Identical stories count as the same item.
    let mut same_text: HashMap<(String, String), Vec<String>> = HashMap::new();
    for a in &articles {
        same_text
            .entry((a.title.clone(), a.body.clone()))
            .or_default()
            .push(a.file.clone());
    }

    let searcher = ArticleSearcher::open(&args.index)
        .with_context(|| format!("opening {}", args.index.display()))?;
    let mut all = Vec::new();
    for (ranking, name) in [
        (Ranking::PlainBm25, "plain BM25"),
        (Ranking::Byline, "byline"),
    ] {
        for kind in ["title", "body words"] {
            let mut reciprocal = Vec::new();
            for &i in &sample {
                let article = &articles[i];
                let query = match kind {
                    "title" => words(&article.title).join(" "),
                    _ => distinctive_words(&article.body, &df, articles.len(), 3).join(" "),
                };
                if query.is_empty() {
                    continue;
                }
                let targets: HashSet<&str> = same_text
                    [&(article.title.clone(), article.body.clone())]
                    .iter()
                    .map(String::as_str)
                    .collect();
                let request = SearchRequest {
                    query,
                    limit: DEPTH,
                    snippet_chars: 0,
                    ranking,
                    ..SearchRequest::default()
                };
                let hits = searcher.search(&request)?.hits;
                let rank = hits
                    .iter()
                    .position(|h| targets.contains(file_name(&h.path)));
                reciprocal.push(rank.map_or(0.0, |r| 1.0 / (r + 1) as f64));
            }
            let n = reciprocal.len();
            let mean =
                |f: &dyn Fn(f64) -> f64| reciprocal.iter().map(|&r| f(r)).sum::<f64>() / n as f64;
            all.push(Figures {
                ranking: name,
                queries: kind,
                n,
                mrr: mean(&|r| r),
                success_at_1: mean(&|r| if r >= 1.0 { 1.0 } else { 0.0 }),
                success_at_10: mean(&|r| if r >= 0.1 { 1.0 } else { 0.0 }),
            });
        }
    }
    println!(
        "{:<11} {:<11} {:>4} {:>6} {:>6} {:>6}",
        "ranking", "queries", "n", "MRR", "S@1", "S@10"
    );
    for f in &all {
        println!(
            "{:<11} {:<11} {:>4} {:>6.3} {:>6.3} {:>6.3}",
            f.ranking, f.queries, f.n, f.mrr, f.success_at_1, f.success_at_10
        );
    }
    if let Some(path) = args.json {
        fs::write(&path, serde_json::to_string_pretty(&all)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

fn read_articles(dir: &Path) -> Result<Vec<Article>> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text =
                fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
            let page = parse_text_page(&text);
            Ok(Article {
                file: file_name(&path.to_string_lossy()).to_string(),
                title: page.title,
                body: page.body,
            })
        })
        .collect()
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Lower-case alphabetic words of three letters or more, without query operators.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphabetic())
        .filter(|w| w.len() >= 3)
        .map(str::to_lowercase)
        .filter(|w| !matches!(w.as_str(), "and" | "not"))
        .collect()
}

fn document_frequencies(articles: &[Article]) -> HashMap<String, usize> {
    let mut df: HashMap<String, usize> = HashMap::new();
    for a in articles {
        let unique: HashSet<String> = words(&a.body).into_iter().collect();
        for w in unique {
            *df.entry(w).or_default() += 1;
        }
    }
    df
}

fn distinctive_words(
    body: &str,
    df: &HashMap<String, usize>,
    n_docs: usize,
    k: usize,
) -> Vec<String> {
    let mut tf: HashMap<String, usize> = HashMap::new();
    for w in words(body) {
        if w.len() >= 4 && !STOP.contains(&w.as_str()) {
            *tf.entry(w).or_default() += 1;
        }
    }
    let mut scored: Vec<(f64, String)> = tf
        .into_iter()
        .filter(|(w, _)| df.get(w).copied().unwrap_or(0) >= 2)
        .map(|(w, tf)| {
            let idf = (n_docs as f64 / df[&w] as f64).ln();
            (tf as f64 * idf, w)
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    scored.into_iter().take(k).map(|(_, w)| w).collect()
}

/// `k` distinct indices below `n`, from a fixed-seed xorshift shuffle.
fn sample(n: usize, k: usize, seed: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut state = seed.max(1);
    for i in (1..n).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        order.swap(i, (state % (i as u64 + 1)) as usize);
    }
    order.truncate(k);
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sampling_is_fixed_and_distinct() {
        let a = sample(1000, 50, 7);
        assert_eq!(a, sample(1000, 50, 7));
        assert_ne!(a, sample(1000, 50, 8));
        assert_eq!(a.iter().collect::<HashSet<_>>().len(), 50);
    }

    #[test]
    fn distinctive_words_prefer_rare_repeated_words() {
        let df: HashMap<String, usize> = [("cocoa", 5), ("bahia", 3), ("week", 900), ("unique", 1)]
            .iter()
            .map(|(w, n)| (w.to_string(), *n))
            .collect();
        let top = distinctive_words("Bahia cocoa cocoa week unique", &df, 1000, 2);
        assert_eq!(top, vec!["cocoa".to_string(), "bahia".to_string()]);
    }
}
