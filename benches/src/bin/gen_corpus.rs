//! `gen-corpus`: a deterministic scale corpus of synthetic news articles made
//! of whole Reuters-21578 paragraphs (see `byline_bench::scale`).
//!
//! ```text
//! cargo run --release -p byline-bench --bin gen-corpus -- \
//!     --count 200000 --out target/bench-data/scale-200k
//! ```
//!
//! Writes `pages/NNNN/NNNNNNN.txt` (text pages for byline, 1,000 per
//! folder), `articles.jsonl` (the same articles for other engines:
//! `id`, `title`, `body`, `published`) and `manifest.json`. The same seed,
//! count and input give byte-identical output.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use byline_bench::scale::{
    generate, prepare_output, read_source_jsonl, GenerateOptions, Manifest, Pool,
};
use clap::Parser;

/// Generates N synthetic news articles from Reuters-21578 paragraphs, as
/// text pages and as JSON Lines.
#[derive(Debug, Parser)]
#[command(name = "gen-corpus", version, about)]
struct Args {
    /// Source articles: JSON Lines with `title` and `body` (Reuters-21578).
    #[arg(
        long,
        value_name = "FILE",
        default_value = "../shared/corpora/reuters21578/reuters.jsonl"
    )]
    reuters: PathBuf,

    /// Number of articles to generate.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    count: u64,

    /// Seed: the same seed, count and input give byte-identical output.
    #[arg(long, default_value_t = 1987, value_name = "N")]
    seed: u64,

    /// Output folder (created if missing; must be empty unless --force).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,

    /// Write into a non-empty folder, replacing its pages/, articles.jsonl
    /// and manifest.json (other files are left alone).
    #[arg(long)]
    force: bool,

    /// Parse every page with byline's parser and check it reads the same
    /// title, body and date as the JSON line (slower).
    #[arg(long)]
    verify: bool,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let start = Instant::now();
    let count = usize::try_from(args.count).context("--count is too large")?;

    let text = std::fs::read_to_string(&args.reuters)
        .with_context(|| format!("reading {}", args.reuters.display()))?;
    let sources =
        read_source_jsonl(&text).with_context(|| format!("reading {}", args.reuters.display()))?;
    let pool = Pool::build(&sources)
        .with_context(|| format!("using {} as a source", args.reuters.display()))?;
    eprintln!(
        "gen-corpus: {} source articles: {} headlines with their first paragraph, {} other paragraphs",
        sources.len(),
        pool.stories(),
        pool.fillers()
    );
    prepare_output(&args.out, args.force)?;

    let options = GenerateOptions {
        count,
        seed: args.seed,
        verify: args.verify,
    };
    let terminal = std::io::stderr().is_terminal();
    let step = (count / 10).max(1);
    let mut next_report = step;
    let summary = generate(&pool, &args.out, &options, |done| {
        if terminal {
            eprint!("\r  {done} / {count} articles");
        } else if done >= next_report || done == count {
            eprintln!("  {done} / {count} articles");
            next_report = (done / step + 1) * step;
        }
    })?;
    if terminal {
        eprintln!();
    }
    let source = args.reuters.display().to_string();
    let manifest = Manifest::new(&options, &source, sources.len(), &pool, &summary);
    manifest.write(&args.out)?;

    let seconds = start.elapsed().as_secs_f64();
    let mib = |bytes: u64| bytes as f64 / f64::from(1 << 20);
    eprintln!(
        "Generated {} articles in {seconds:.1} s ({:.0} articles/s) into {}",
        summary.articles,
        summary.articles as f64 / seconds,
        args.out.display()
    );
    eprintln!(
        "  pages: {} B ({:.1} MiB, {:.0} B per article); articles.jsonl: {} B ({:.1} MiB); total {:.1} MiB",
        summary.page_bytes,
        mib(summary.page_bytes),
        summary.page_bytes as f64 / summary.articles as f64,
        summary.jsonl_bytes,
        mib(summary.jsonl_bytes),
        mib(manifest.total_bytes)
    );
    Ok(())
}
