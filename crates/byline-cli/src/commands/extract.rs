//! `byline extract`: what byline reads from one file, without an index.

use std::io::{BufWriter, Write};

use anyhow::{Context, Result};
use byline_indexer::parse::{parse_bytes, FieldMap, FileKind, MAX_FILE_BYTES};
use serde::Serialize;

use crate::cli::ExtractArgs;
use crate::commands::UsageError;
use crate::output::Style;

/// The types `byline extract` (and `byline index`) read, for the error message.
const SUPPORTED: &str = ".txt/.text or no extension (text page), .json, .jsonl/.ndjson, \
                         .html/.htm/.xhtml, .warc, and any of them as .gz";

/// One JSON line per article.
#[derive(Serialize)]
struct JsonArticle<'a> {
    title: &'a str,
    published: Option<String>,
    body: &'a str,
    related: &'a [String],
    url: Option<&'a str>,
    site: Option<&'a str>,
    language: Option<&'a str>,
    record: Option<usize>,
}

pub fn run(args: ExtractArgs, style: &Style) -> Result<()> {
    let Some(kind) = FileKind::of(&args.file) else {
        return Err(UsageError(format!(
            "{}: not a supported file type; byline reads {SUPPORTED}",
            args.file.display()
        ))
        .into());
    };
    let mut fields = FieldMap::default();
    for mapping in &args.fields {
        fields
            .prefer(mapping)
            .map_err(|m| UsageError(format!("--field {m}")))?;
    }
    let size = std::fs::metadata(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?
        .len();
    if size > MAX_FILE_BYTES {
        anyhow::bail!(
            "{}: too large ({size} bytes; the limit is {MAX_FILE_BYTES})",
            args.file.display()
        );
    }
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let parsed = parse_bytes(&bytes, kind, &fields)
        .map_err(|reason| anyhow::anyhow!("{}: {reason}", args.file.display()))?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for problem in &parsed.problems {
        match problem.line {
            Some(line) => tracing::warn!(line, "{}: {}", args.file.display(), problem.message),
            None => tracing::warn!("{}: {}", args.file.display(), problem.message),
        }
    }
    let many = parsed.articles.len() > 1;
    for (i, article) in parsed.articles.iter().enumerate() {
        let published = article
            .published
            .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        if args.json {
            serde_json::to_writer(
                &mut out,
                &JsonArticle {
                    title: &article.title,
                    published,
                    body: &article.body,
                    related: &article.related,
                    url: article.url.as_deref(),
                    site: article.site.as_deref(),
                    language: article.language.as_deref(),
                    record: article.record,
                },
            )?;
            writeln!(out)?;
            continue;
        }
        if i > 0 {
            writeln!(out)?;
            writeln!(out, "{}", style.dim("────────"))?;
        }
        if many {
            let record = article
                .record
                .map_or(String::new(), |r| format!(" (record {r})"));
            writeln!(
                out,
                "{}",
                style.dim(&format!(
                    "Article {} of {}{record}",
                    i + 1,
                    parsed.articles.len()
                ))
            )?;
        }
        writeln!(out, "{}", style.bold(&article.title))?;
        let none = || "—".to_string();
        for (label, value) in [
            ("Published", published.unwrap_or_else(none)),
            ("URL", article.url.clone().unwrap_or_else(none)),
            ("Site", article.site.clone().unwrap_or_else(none)),
            ("Language", article.language.clone().unwrap_or_else(none)),
        ] {
            writeln!(out, "{}", style.dim(&format!("{label}: {value}")))?;
        }
        for warning in &article.warnings {
            writeln!(out, "{}", style.dim(&format!("Warning: {warning}")))?;
        }
        writeln!(out)?;
        writeln!(out, "{}", article.body)?;
        if !article.related.is_empty() {
            writeln!(out)?;
            writeln!(out, "{}", style.bold("Related:"))?;
            for headline in &article.related {
                writeln!(out, "  - {headline}")?;
            }
        }
    }
    Ok(out.flush()?)
}
