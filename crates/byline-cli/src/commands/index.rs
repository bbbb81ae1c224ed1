//! `byline index`: walk, parse, write, and say what happened.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};
use byline_indexer::{
    index_paths, EntityRecognizer, FieldMap, IndexOptions, IndexProgress, NerRecognizer, SkipReason,
};
use indicatif::{ProgressBar, ProgressStyle};

use super::UsageError;
use crate::cli::IndexArgs;
use crate::output::{thousands, Style};

/// How many skipped files are named before "and N more".
const MAX_LISTED: usize = 50;

struct Bar {
    bar: ProgressBar,
    articles: AtomicU64,
}

impl IndexProgress for Bar {
    fn found(&self, files: u64, _complete: bool) {
        self.bar.set_length(files);
    }
    fn file_done(&self, articles: u64) {
        self.bar.inc(1);
        self.articles_added(articles);
    }
    fn articles_added(&self, articles: u64) {
        let total = self.articles.fetch_add(articles, Ordering::Relaxed) + articles;
        let secs = self.bar.elapsed().as_secs_f64().max(1e-3);
        self.bar.set_message(format!(
            "{} articles · {:.0} articles/s",
            thousands(total),
            total as f64 / secs
        ));
    }
    fn committing(&self) {
        self.bar.set_message("writing the index to disk…");
    }
}

pub fn run(index_dir: &Path, args: IndexArgs, style: &Style) -> Result<()> {
    let mut fields = FieldMap::default();
    for mapping in &args.fields {
        fields
            .prefer(mapping)
            .map_err(|m| UsageError(format!("--field {m}")))?;
    }
    let options = IndexOptions {
        rebuild: args.rebuild,
        memory_budget: args.memory.max(16) << 20,
        threads: args.threads.unwrap_or(0),
        fields,
        ..IndexOptions::default()
    };
    let bar = if args.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(0)
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} files · {msg}",
        )
        .expect("template is valid"),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    let progress = Bar {
        bar,
        articles: AtomicU64::new(0),
    };
    // Loaded once here and shared by every indexing thread.
    let recognizer = if args.no_entities {
        None
    } else {
        Some(NerRecognizer::load().context("loading the entity recogniser")?)
    };
    let entities = recognizer.as_ref().map(|r| r as &dyn EntityRecognizer);
    let summary = index_paths(index_dir, &args.paths, &options, entities, &progress)
        .with_context(|| format!("indexing into {}", index_dir.display()))?;
    progress.bar.finish_and_clear();

    for (path, problem) in &summary.record_problems {
        match problem.line {
            Some(line) => eprintln!(
                "warning: {}:{line}: {} (record skipped)",
                path.display(),
                problem.message
            ),
            None => eprintln!(
                "warning: {}: {} (record skipped)",
                path.display(),
                problem.message
            ),
        }
    }
    for (path, warning) in &summary.warnings {
        eprintln!("warning: {}: {warning}", path.display());
    }

    let secs = summary.elapsed.as_secs_f64();
    println!(
        "{} {} articles from {} files in {:.1} s ({:.0} articles/s)",
        style.bold("Indexed"),
        thousands(summary.articles),
        thousands(summary.files_indexed),
        secs,
        summary.articles as f64 / secs.max(1e-3)
    );
    // On a folder indexed before, say what changed since.
    if summary.changed_files + summary.unchanged_files + summary.removed_files > 0 {
        println!(
            "  files: {} new, {} changed, {} removed, {} unchanged",
            thousands(summary.new_files),
            thousands(summary.changed_files),
            thousands(summary.removed_files),
            thousands(summary.unchanged_files)
        );
    }
    if summary.without_date > 0 {
        println!("  without a date: {}", thousands(summary.without_date));
    }
    if !summary.record_problems.is_empty() {
        println!(
            "  records skipped inside files: {} (see warnings above)",
            thousands(summary.record_problems.len() as u64)
        );
    }
    if !summary.skipped.is_empty() {
        print_skipped(&summary.skipped);
    }
    println!(
        "  index: {} ({} articles in all)",
        index_dir.display(),
        thousands(summary.total_articles)
    );
    Ok(())
}

fn print_skipped(skipped: &[(PathBuf, SkipReason)]) {
    let mut by_category: std::collections::BTreeMap<&str, usize> = Default::default();
    for (_, reason) in skipped {
        *by_category.entry(reason.category()).or_default() += 1;
    }
    let parts: Vec<String> = by_category
        .iter()
        .map(|(c, n)| format!("{n} {c}"))
        .collect();
    println!(
        "  skipped: {} files ({})",
        thousands(skipped.len() as u64),
        parts.join(", ")
    );
    // Files of other types are expected in a folder (images, licences): count them, name the rest.
    let named: Vec<_> = skipped
        .iter()
        .filter(|(_, r)| *r != SkipReason::Unsupported)
        .collect();
    for (path, reason) in named.iter().take(MAX_LISTED) {
        println!("    {}: {reason}", path.display());
    }
    if named.len() > MAX_LISTED {
        println!("    … and {} more", named.len() - MAX_LISTED);
    }
}
