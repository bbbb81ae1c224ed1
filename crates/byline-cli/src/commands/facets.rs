//! `byline facets`: the entities the matching articles name most, as an
//! aligned table or JSON lines.

use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::Result;
use byline_search::{ArticleSearcher, FacetKind};
use serde::Serialize;

use super::search::request_for;
use crate::cli::{FacetKindArg, FacetsArgs};
use crate::output::{thousands, Style};

/// One JSON line per value.
#[derive(Serialize)]
struct JsonFacet<'a> {
    value: &'a str,
    count: u64,
}

pub fn run(index_dir: &Path, args: FacetsArgs, style: &Style) -> Result<()> {
    let searcher = ArticleSearcher::open(index_dir)?;
    let request = request_for(&args.query, &args.filters);
    let (kind, noun) = match args.kind {
        FacetKindArg::People => (FacetKind::People, "people"),
        FacetKindArg::Places => (FacetKind::Places, "places"),
        FacetKindArg::Orgs => (FacetKind::Orgs, "organisations"),
    };
    let values = searcher.facets(&request, kind, args.limit)?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if args.json {
        for v in &values {
            serde_json::to_writer(
                &mut out,
                &JsonFacet {
                    value: &v.value,
                    count: v.count,
                },
            )?;
            writeln!(out)?;
        }
        return Ok(out.flush()?);
    }

    let matching = searcher.count(&request)?;
    if values.is_empty() {
        let header = match matching {
            0 => "No articles match.".to_string(),
            // Most often an index built with --no-entities.
            n => format!(
                "No {noun} found in the {} matching article{} (an index built with --no-entities has none).",
                thousands(n),
                if n == 1 { "" } else { "s" }
            ),
        };
        writeln!(out, "{}", style.dim(&header))?;
        return Ok(out.flush()?);
    }
    writeln!(
        out,
        "{}",
        style.dim(&format!(
            "Top {noun} in {} matching article{} (articles naming each):",
            thousands(matching),
            if matching == 1 { "" } else { "s" }
        ))
    )?;
    let width = values
        .iter()
        .map(|v| v.value.chars().count())
        .max()
        .unwrap_or(0);
    let counts: Vec<String> = values.iter().map(|v| thousands(v.count)).collect();
    let count_width = counts.iter().map(String::len).max().unwrap_or(0);
    for (v, count) in values.iter().zip(&counts) {
        // Pad by characters, not bytes, so accented names line up.
        let pad = width - v.value.chars().count();
        writeln!(
            out,
            "  {}{}  {count:>count_width$}",
            v.value,
            " ".repeat(pad)
        )?;
    }
    Ok(out.flush()?)
}
