//! `byline similar`: the articles most like one article.

use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::Result;
use byline_search::ArticleSearcher;

use crate::cli::SimilarArgs;
use crate::commands::show::find;
use crate::output::{write_json_hit, Style};

/// One JSON line per similar article, in the shape of `byline search --json`.
pub fn run(index_dir: &Path, args: SimilarArgs, style: &Style) -> Result<()> {
    let searcher = ArticleSearcher::open(index_dir)?;
    let seed = find(&searcher, &args.article)?;
    let hits = searcher.similar(&seed, args.limit)?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    if args.json {
        for hit in &hits {
            write_json_hit(&mut out, hit, None)?;
        }
        return Ok(out.flush()?);
    }
    let header = match hits.len() {
        0 => format!("No articles like “{}”.", seed.title),
        1 => format!("1 article like “{}”:", seed.title),
        n => format!("{n} articles like “{}”:", seed.title),
    };
    writeln!(out, "{}", style.dim(&header))?;
    for (i, hit) in hits.iter().enumerate() {
        writeln!(out)?;
        writeln!(out, "{}. {}", i + 1, style.bold(&hit.title))?;
        let date = hit.published.map_or_else(
            || "undated".to_string(),
            |d| d.format("%Y-%m-%d").to_string(),
        );
        writeln!(out, "   {}", style.dim(&format!("{date} · {}", hit.path)))?;
        if !hit.snippet.text.is_empty() {
            writeln!(out, "   {}", hit.snippet.text)?;
        }
    }
    Ok(out.flush()?)
}
