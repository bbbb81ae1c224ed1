//! `byline duplicates`: the groups of copies of the same story, largest first.

use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::Result;
use byline_search::{Article, ArticleRef, ArticleSearcher};
use serde::Serialize;

use crate::cli::DuplicatesArgs;
use crate::output::{thousands, Style};

/// One article of a group, as JSON.
#[derive(Serialize)]
struct JsonArticle {
    id: String,
    title: String,
    published: Option<String>,
    path: String,
}

/// One group per JSON line.
#[derive(Serialize)]
struct JsonGroup {
    representative: JsonArticle,
    members: Vec<JsonArticle>,
    size: usize,
}

pub fn run(index_dir: &Path, args: DuplicatesArgs, style: &Style) -> Result<()> {
    let searcher = ArticleSearcher::open(index_dir)?;
    let groups = searcher.duplicate_groups()?;
    let shown = if args.limit == 0 {
        groups.groups.len()
    } else {
        args.limit.min(groups.groups.len())
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if !args.json {
        let header = match groups.groups.len() {
            0 => "No copies found.".to_string(),
            n => format!(
                "{} {} of copies ({} {} of an earlier one); showing {shown}.",
                thousands(n as u64),
                if n == 1 { "group" } else { "groups" },
                thousands(groups.hidden_count() as u64),
                if groups.hidden_count() == 1 {
                    "article is a copy"
                } else {
                    "articles are copies"
                }
            ),
        };
        writeln!(out, "{}", style.dim(&header))?;
    }
    for (i, group) in groups.groups.iter().take(shown).enumerate() {
        let mut articles = Vec::with_capacity(group.len());
        for id in group {
            articles.push(describe(&searcher, id)?);
        }
        if args.json {
            let mut articles = articles.into_iter();
            let representative = articles.next().expect("groups have members");
            serde_json::to_writer(
                &mut out,
                &JsonGroup {
                    representative,
                    members: articles.collect(),
                    size: group.len(),
                },
            )?;
            writeln!(out)?;
            continue;
        }
        writeln!(out)?;
        for (j, article) in articles.iter().enumerate() {
            let date = article
                .published
                .as_deref()
                .map_or("undated", |d| d.get(..10).unwrap_or(d));
            if j == 0 {
                writeln!(
                    out,
                    "{}. {} {}",
                    i + 1,
                    style.bold(&article.title),
                    style.dim(&format!("({} copies)", group.len()))
                )?;
                writeln!(
                    out,
                    "   {}",
                    style.dim(&format!("{date} · {}", article.path))
                )?;
            } else {
                writeln!(
                    out,
                    "   + {}",
                    style.dim(&format!("{date} · {} · {}", article.path, article.title))
                )?;
            }
        }
    }
    Ok(out.flush()?)
}

fn describe(searcher: &ArticleSearcher, id: &str) -> Result<JsonArticle> {
    let found: Option<Article> = searcher.get(&ArticleRef::Id(id.to_string()))?;
    Ok(match found {
        Some(a) => JsonArticle {
            id: a.id,
            title: a.title,
            published: a
                .published
                .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            path: a.path,
        },
        // The grouping was read from a file for this commit, so this does
        // not happen; show the id rather than fail.
        None => JsonArticle {
            id: id.to_string(),
            title: String::new(),
            published: None,
            path: String::new(),
        },
    })
}
