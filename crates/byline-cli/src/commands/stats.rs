//! `byline stats`: what the index holds, with articles per month as a bar chart.

use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::Result;
use byline_search::{ArticleSearcher, Interval};

use crate::output::{bar_chart, thousands, Style};

pub fn run(index_dir: &Path, style: &Style) -> Result<()> {
    let searcher = ArticleSearcher::open(index_dir)?;
    let stats = searcher.stats()?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    writeln!(
        out,
        "{} {}",
        style.bold("Articles:"),
        thousands(stats.articles)
    )?;
    writeln!(
        out,
        "  with a date: {}, without: {}",
        thousands(stats.dated),
        thousands(stats.articles - stats.dated)
    )?;
    if let (Some(first), Some(last)) = (stats.earliest, stats.latest) {
        writeln!(
            out,
            "  published from {} to {}",
            first.format("%Y-%m-%d"),
            last.format("%Y-%m-%d")
        )?;
    }
    if !stats.per_period.is_empty() {
        writeln!(out)?;
        let heading = match stats.interval {
            Interval::Year => "Articles per year",
            _ => "Articles per month",
        };
        writeln!(out, "{}", style.bold(heading))?;
        let rows: Vec<(String, u64)> = stats
            .per_period
            .iter()
            .map(|p| (p.label.clone(), p.count))
            .collect();
        for line in bar_chart(&rows, 50) {
            writeln!(out, "{line}")?;
        }
    }
    Ok(out.flush()?)
}
