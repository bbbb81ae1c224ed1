//! `byline entities`: what the entity recogniser finds in one file, without
//! indexing it.

use std::io::{BufWriter, Write};

use anyhow::{Context, Result};
use byline_indexer::parse::{parse_bytes, FieldMap, FileKind};
use byline_ner::{EntityExtractor, Place};
use serde::Serialize;

use super::UsageError;
use crate::cli::EntitiesArgs;
use crate::output::Style;

/// One JSON line per article.
#[derive(Serialize)]
struct JsonArticle<'a> {
    path: String,
    title: &'a str,
    people: &'a [String],
    places: Vec<JsonPlace<'a>>,
    orgs: &'a [String],
}

#[derive(Serialize)]
struct JsonPlace<'a> {
    /// As shown and stored in the index.
    name: &'a str,
    /// The gazetteer's name.
    canonical: &'a str,
    country: Option<&'a str>,
    country_code: Option<&'a str>,
    facet: &'a str,
}

pub fn run(args: EntitiesArgs, style: &Style) -> Result<()> {
    let path = &args.file;
    if !path.is_file() {
        return Err(UsageError(format!("no such file: {}", path.display())).into());
    }
    let kind = FileKind::of(path).ok_or_else(|| {
        UsageError(format!(
            "{}: not a file type byline reads (.txt, .json, .jsonl, …)",
            path.display()
        ))
    })?;
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let parsed = parse_bytes(&bytes, kind, &FieldMap::default())
        .map_err(|reason| anyhow::anyhow!("{}: {reason}", path.display()))?;
    let extractor = EntityExtractor::load_default().context("loading the entity recogniser")?;

    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let many = parsed.articles.len() > 1;
    for (i, article) in parsed.articles.iter().enumerate() {
        let found = extractor.extract(&article.title, &article.body);
        let shown_path = match article.record {
            Some(line) => format!("{}:{line}", path.display()),
            None => path.display().to_string(),
        };
        if args.json {
            let line = JsonArticle {
                path: shown_path,
                title: &article.title,
                people: &found.people,
                places: found.places.iter().map(json_place).collect(),
                orgs: &found.orgs,
            };
            serde_json::to_writer(&mut out, &line)?;
            writeln!(out)?;
            continue;
        }
        if i > 0 {
            writeln!(out)?;
        }
        if many {
            writeln!(out, "{}", style.dim(&shown_path))?;
        }
        writeln!(out, "{}", style.bold(&article.title))?;
        write_list(
            &mut out,
            style,
            "People",
            found.people.iter().map(|p| (p.as_str(), None)),
        )?;
        write_list(
            &mut out,
            style,
            "Places",
            found
                .places
                .iter()
                .map(|p| (p.display_name(), Some(p.facet.as_str()))),
        )?;
        write_list(
            &mut out,
            style,
            "Organisations",
            found.orgs.iter().map(|o| (o.as_str(), None)),
        )?;
    }
    Ok(out.flush()?)
}

fn json_place(p: &Place) -> JsonPlace<'_> {
    JsonPlace {
        name: p.display_name(),
        canonical: &p.name,
        country: p.country.as_deref(),
        country_code: p.country_code.as_deref(),
        facet: &p.facet,
    }
}

/// `Places (2)` then one value per line, with its facet path aligned.
fn write_list<'a>(
    out: &mut impl Write,
    style: &Style,
    label: &str,
    values: impl Iterator<Item = (&'a str, Option<&'a str>)>,
) -> Result<()> {
    let values: Vec<_> = values.collect();
    writeln!(
        out,
        "{}",
        style.bold(&format!("{label} ({})", values.len()))
    )?;
    if values.is_empty() {
        writeln!(out, "  {}", style.dim("none found"))?;
    }
    let width = values
        .iter()
        .map(|(v, _)| v.chars().count())
        .max()
        .unwrap_or(0);
    for (value, detail) in values {
        match detail {
            Some(detail) => {
                let pad = width - value.chars().count();
                writeln!(out, "  {value}{}  {}", " ".repeat(pad), style.dim(detail))?
            }
            None => writeln!(out, "  {value}")?,
        }
    }
    Ok(())
}
