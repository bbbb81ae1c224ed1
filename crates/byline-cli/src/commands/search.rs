//! `byline search`: one request to byline-search, printed for people or scripts.

use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::Result;
use byline_search::{ArticleSearcher, SearchRequest, SortOrder};
use serde::Serialize;

use crate::cli::{SearchArgs, Sort};
use crate::output::{thousands, Style};

/// One JSON line per hit: the stable shape scripts rely on.
#[derive(Serialize)]
struct JsonHit<'a> {
    id: &'a str,
    path: &'a str,
    title: &'a str,
    published: Option<String>,
    score: f32,
    snippet: &'a str,
    highlights: Vec<[usize; 2]>,
    people: &'a [String],
    places: &'a [String],
    orgs: &'a [String],
}

pub fn run(index_dir: &Path, args: SearchArgs, style: &Style) -> Result<()> {
    let searcher = ArticleSearcher::open(index_dir)?;
    let request = SearchRequest {
        query: args.query.clone(),
        from: args.from.clone(),
        to: args.to.clone(),
        sort: match args.sort {
            Sort::Relevance => SortOrder::Relevance,
            Sort::Newest => SortOrder::Newest,
            Sort::Oldest => SortOrder::Oldest,
        },
        limit: args.limit,
        offset: args.offset,
        ..SearchRequest::default()
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if args.count {
        writeln!(out, "{}", searcher.count(&request)?)?;
        return Ok(out.flush()?);
    }
    let results = searcher.search(&request)?;
    if args.json {
        for hit in &results.hits {
            let line = JsonHit {
                id: &hit.id,
                path: &hit.path,
                title: &hit.title,
                published: hit
                    .published
                    .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                score: hit.score,
                snippet: &hit.snippet.text,
                highlights: hit
                    .snippet
                    .highlights
                    .iter()
                    .map(|r| [r.start, r.end])
                    .collect(),
                people: &hit.people,
                places: &hit.places,
                orgs: &hit.orgs,
            };
            serde_json::to_writer(&mut out, &line)?;
            writeln!(out)?;
        }
        return Ok(out.flush()?);
    }

    let shown = results.hits.len();
    let first = args.offset + 1;
    let header = match (results.total, shown) {
        (0, _) => "No articles match.".to_string(),
        (total, 0) => format!(
            "{} articles match; none past --offset {}.",
            thousands(total),
            args.offset
        ),
        (1, _) => "1 article matches.".to_string(),
        (total, _) => format!(
            "{} articles match; showing {first}–{}.",
            thousands(total),
            args.offset + shown
        ),
    };
    writeln!(out, "{}", style.dim(&header))?;
    for (i, hit) in results.hits.iter().enumerate() {
        writeln!(out)?;
        writeln!(out, "{}. {}", first + i, style.bold(&hit.title))?;
        let date = hit.published.map_or_else(
            || "undated".to_string(),
            |d| d.format("%Y-%m-%d").to_string(),
        );
        writeln!(out, "   {}", style.dim(&format!("{date} · {}", hit.path)))?;
        if !hit.snippet.text.is_empty() {
            writeln!(
                out,
                "   {}",
                style.highlight(&hit.snippet.text, &hit.snippet.highlights)
            )?;
        }
    }
    Ok(out.flush()?)
}
