//! `byline search`: one request to byline-search, printed for people or scripts.

use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::Result;
use byline_search::{ArticleSearcher, FacetCount, SearchRequest, SortOrder};

use crate::cli::{Filters, SearchArgs, Sort};
use crate::output::{thousands, write_json_hit, Style};

pub fn run(index_dir: &Path, args: SearchArgs, style: &Style) -> Result<()> {
    // Not dropped: the process ends after this command, and unmapping every
    // index file on the way out was 7 % of a cold search at 1M articles.
    let searcher = std::mem::ManuallyDrop::new(ArticleSearcher::open(index_dir)?);
    let request = SearchRequest {
        sort: match args.sort {
            Sort::Relevance => SortOrder::Relevance,
            Sort::Newest => SortOrder::Newest,
            Sort::Oldest => SortOrder::Oldest,
        },
        limit: args.limit,
        offset: args.offset,
        recency: args.recent,
        all: args.all,
        // The sidebar ends human output only; counted in the ranking pass.
        facet_values: if args.json || args.count {
            0
        } else {
            SIDEBAR_VALUES
        },
        ..request_for(&args.query, &args.filters)
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if args.count {
        writeln!(out, "{}", searcher.count(&request)?)?;
        return Ok(out.flush()?);
    }
    let results = searcher.search(&request)?;
    let no_copies: Vec<String> = Vec::new();
    let copies_of = |i: usize| results.duplicates.get(i).unwrap_or(&no_copies);
    if args.json {
        for (i, hit) in results.hits.iter().enumerate() {
            write_json_hit(&mut out, hit, Some(copies_of(i)))?;
        }
        return Ok(out.flush()?);
    }

    let facets = &results.facets;

    let shown = results.hits.len();
    let first = args.offset + 1;
    let header = match (results.collapsed_total, shown) {
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
    if results.total > results.collapsed_total {
        let note = format!(
            "Copies of the same story are shown once ({} articles with copies; --all shows every copy).",
            thousands(results.total)
        );
        writeln!(out, "{}", style.dim(&note))?;
    }
    for (i, hit) in results.hits.iter().enumerate() {
        writeln!(out)?;
        writeln!(out, "{}. {}", first + i, style.bold(&hit.title))?;
        let date = hit.published.map_or_else(
            || "undated".to_string(),
            |d| d.format("%Y-%m-%d").to_string(),
        );
        writeln!(out, "   {}", style.dim(&format!("{date} · {}", hit.path)))?;
        if !copies_of(i).is_empty() {
            writeln!(
                out,
                "   {}",
                style.dim(&format!("+{} similar", copies_of(i).len()))
            )?;
        }
        if !hit.snippet.text.is_empty() {
            writeln!(
                out,
                "   {}",
                style.highlight(&hit.snippet.text, &hit.snippet.highlights)
            )?;
        }
    }
    if !facets.is_empty() {
        writeln!(out)?;
        for (label, values) in [
            ("People", &facets.people),
            ("Places", &facets.places),
            ("Organisations", &facets.orgs),
        ] {
            if !values.is_empty() {
                writeln!(
                    out,
                    "{} {}",
                    style.bold(&format!("{label}:")),
                    sidebar_line(values)
                )?;
            }
        }
    }
    Ok(out.flush()?)
}

/// Values per entity kind in the block that ends human search output.
const SIDEBAR_VALUES: usize = 5;

/// A request for a query and the shared filters, other settings at their defaults.
pub(crate) fn request_for(query: &str, filters: &Filters) -> SearchRequest {
    SearchRequest {
        query: query.to_string(),
        from: filters.from.clone(),
        to: filters.to.clone(),
        people: filters.person.clone(),
        places: filters.place.clone(),
        orgs: filters.org.clone(),
        ..SearchRequest::default()
    }
}

/// `John Kerry (2) · Sergei Lavrov (1)`.
fn sidebar_line(values: &[FacetCount]) -> String {
    values
        .iter()
        .map(|v| format!("{} ({})", v.value, thousands(v.count)))
        .collect::<Vec<_>>()
        .join(" · ")
}
