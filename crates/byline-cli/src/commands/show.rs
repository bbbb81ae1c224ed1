//! `byline show`: one article in full, by its id or the file it came from.

use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::{Context, Result};
use byline_search::{Article, ArticleRef, ArticleSearcher};

use crate::cli::ShowArgs;
use crate::output::Style;

/// Columns body paragraphs are wrapped to.
const WRAP: usize = 80;

pub fn run(index_dir: &Path, args: ShowArgs, style: &Style) -> Result<()> {
    let searcher = ArticleSearcher::open(index_dir)?;
    let article = find(&searcher, &args.article)?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    if args.json {
        serde_json::to_writer(&mut out, &article)?;
        writeln!(out)?;
        return Ok(out.flush()?);
    }
    writeln!(out, "{}", style.bold(&article.title))?;
    let date = article.published.map_or_else(
        || "undated".to_string(),
        |d| d.format("%Y-%m-%d %H:%M UTC").to_string(),
    );
    writeln!(out, "{}", style.dim(&format!("{date} · {}", article.path)))?;
    let mut meta = vec![format!("id {}", article.id)];
    for (label, value) in [
        ("url", &article.url),
        ("site", &article.site),
        ("language", &article.language),
    ] {
        if let Some(value) = value {
            meta.push(format!("{label} {value}"));
        }
    }
    writeln!(out, "{}", style.dim(&meta.join(" · ")))?;
    let mut entities = false;
    for (label, values) in [
        ("People", &article.people),
        ("Places", &article.places),
        ("Organisations", &article.orgs),
    ] {
        if !values.is_empty() {
            if !entities {
                writeln!(out)?;
                entities = true;
            }
            // Wrapped like the body; continuation lines indented under the label.
            let text = format!("{label}: {}", values.join(" · "));
            for (i, line) in wrap(&text, 80).iter().enumerate() {
                match (i, line.strip_prefix(&format!("{label}:"))) {
                    (0, Some(rest)) => writeln!(out, "{}{rest}", style.bold(&format!("{label}:")))?,
                    _ => writeln!(out, "  {line}")?,
                }
            }
        }
    }
    for paragraph in paragraphs(&article.body) {
        writeln!(out)?;
        for line in wrap(&paragraph, WRAP) {
            writeln!(out, "{line}")?;
        }
    }
    if !article.related.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", style.bold("Related:"))?;
        for headline in &article.related {
            writeln!(out, "  - {headline}")?;
        }
    }
    Ok(out.flush()?)
}

/// Looks an article up; not found is an error (exit code 1) naming what was tried.
pub(crate) fn find(searcher: &ArticleSearcher, text: &str) -> Result<Article> {
    let reference = ArticleRef::parse(text);
    let found = searcher
        .get(&reference)
        .with_context(|| format!("looking up {text}"))?;
    found.with_context(|| match reference {
        ArticleRef::Id(_) => format!(
            "no article with id `{text}` in the index (and no such file); \
             ids are shown by `byline search --json`"
        ),
        ArticleRef::Source { line: None, .. } => {
            format!("the file {text} is not in the index: index it first")
        }
        ArticleRef::Source { line: Some(_), .. } => {
            format!("no article from {text} in the index: is the line number right?")
        }
    })
}

/// Paragraphs of a body: blocks separated by blank lines, or by an indented
/// line starting a new paragraph (as in wire copy); lines joined with spaces.
fn paragraphs(body: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in body.lines() {
        let starts_new = line.trim().is_empty() || line.starts_with([' ', '\t']);
        if starts_new && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        for word in line.split_whitespace() {
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(word);
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Greedy word wrap to `width` characters; longer words get a line of their own.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut len = 0;
    for word in text.split_whitespace() {
        let w = word.chars().count();
        if len > 0 && len + 1 + w > width {
            lines.push(std::mem::take(&mut line));
            len = 0;
        }
        if len > 0 {
            line.push(' ');
            len += 1;
        }
        line.push_str(word);
        len += w;
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_split_on_blank_and_indented_lines() {
        let body = "One line\ncontinued.\n\nTwo.\n    Three starts\nhere.";
        assert_eq!(
            paragraphs(body),
            ["One line continued.", "Two.", "Three starts here."]
        );
    }

    #[test]
    fn wrapping_keeps_words_whole() {
        assert_eq!(wrap("aa bb cc dd", 5), ["aa bb", "cc dd"]);
        assert_eq!(wrap("abcdefgh ij", 5), ["abcdefgh", "ij"]);
    }
}
