//! One stored article, looked up by its id or by the file it came from.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;
use tantivy::collector::DocSetCollector;
use tantivy::query::TermQuery;
use tantivy::schema::{Field, IndexRecordOption, OwnedValue, Value};
use tantivy::{TantivyDocument, Term};

use crate::error::SearchError;
use crate::searcher::ArticleSearcher;

/// How a user names one article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArticleRef {
    /// The stable id byline gave it (`byline search --json` shows it).
    Id(String),
    /// The file it came from, as its canonical absolute path (the index's
    /// `source` field), and for a record of a JSON Lines file, its line.
    Source {
        /// Canonical absolute path of the file.
        source: String,
        /// Line of the record in a JSON Lines file (1-based), if named.
        line: Option<u64>,
    },
}

impl ArticleRef {
    /// Reads what a user typed: an existing file (`corpus/a.txt`), a
    /// record of one (`news.jsonl:12`), or else an article id.
    ///
    /// Paths are resolved against the current directory and canonicalised,
    /// as `byline index` does when it stores a file's `source`.
    pub fn parse(text: &str) -> ArticleRef {
        let source = |path: &Path| {
            std::fs::canonicalize(path)
                .ok()
                .filter(|p| p.is_file())
                .map(|p| p.to_string_lossy().into_owned())
        };
        if let Some(found) = source(Path::new(text)) {
            return ArticleRef::Source {
                source: found,
                line: None,
            };
        }
        if let Some((file, line)) = text.rsplit_once(':') {
            if let (Ok(line), Some(found)) = (line.parse::<u64>(), source(Path::new(file))) {
                return ArticleRef::Source {
                    source: found,
                    line: Some(line),
                };
            }
        }
        ArticleRef::Id(text.to_string())
    }
}

/// Everything the index stores about one article.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Article {
    /// Stable article id.
    pub id: String,
    /// File (and `:line` for JSON Lines records) as given when indexing.
    pub path: String,
    /// Canonical absolute path of the file.
    pub source: String,
    /// Headline.
    pub title: String,
    /// Publication date, if known.
    pub published: Option<DateTime<Utc>>,
    /// Article text, paragraphs separated by blank lines.
    pub body: String,
    /// Headlines of related articles linked from the page.
    pub related: Vec<String>,
    /// Canonical URL, where known.
    pub url: Option<String>,
    /// Site name, where known.
    pub site: Option<String>,
    /// Language (ISO 639-1), where known.
    pub language: Option<String>,
    /// People the article names.
    pub people: Vec<String>,
    /// Places the article names.
    pub places: Vec<String>,
    /// Organisations the article names.
    pub orgs: Vec<String>,
}

impl Article {
    /// A hash of the headline and text, white space and case ignored: equal
    /// for exact duplicates indexed from different files.
    pub fn content_hash(&self) -> u64 {
        content_hash(&self.title, &self.body)
    }
}

/// Hash of a headline and text with white space collapsed and case folded.
pub(crate) fn content_hash(title: &str, body: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for text in [title, body] {
        for word in text.split_whitespace() {
            word.to_lowercase().hash(&mut hasher);
        }
        0xffu8.hash(&mut hasher);
    }
    hasher.finish()
}

impl ArticleSearcher {
    /// The article a reference names, or `None` if the index has none.
    ///
    /// A file holding several articles without a line (a JSON list) gives
    /// its first article in index order; name a JSON Lines record as
    /// `file.jsonl:LINE` or use the id.
    pub fn get(&self, reference: &ArticleRef) -> Result<Option<Article>, SearchError> {
        let f = self.fields();
        let (field, value, line) = match reference {
            ArticleRef::Id(id) => (f.id, id.as_str(), None),
            ArticleRef::Source { source, line } => (f.source, source.as_str(), *line),
        };
        let query = TermQuery::new(
            Term::from_field_text(field, value),
            IndexRecordOption::Basic,
        );
        let searcher = self.reader.searcher();
        // One id names one article; a file's records are few enough to read through.
        let mut addresses: Vec<_> = searcher
            .search(&query, &DocSetCollector)?
            .into_iter()
            .collect();
        addresses.sort();
        for address in addresses {
            let doc: TantivyDocument = searcher.doc(address)?;
            let article = self.article_from(&doc);
            let wanted = match line {
                Some(line) => article
                    .path
                    .rsplit_once(':')
                    .is_some_and(|(_, l)| l == line.to_string()),
                None => true,
            };
            if wanted {
                return Ok(Some(article));
            }
        }
        Ok(None)
    }

    /// Reads a stored document back into an [`Article`].
    pub(crate) fn article_from(&self, doc: &TantivyDocument) -> Article {
        let f = self.fields();
        let optional = |field| Some(first_str(doc, field)).filter(|s| !s.is_empty());
        Article {
            id: first_str(doc, f.id),
            path: first_str(doc, f.path),
            source: first_str(doc, f.source),
            title: first_str(doc, f.title),
            published: doc
                .get_first(f.published)
                .and_then(|v| v.as_datetime())
                .and_then(|d| DateTime::from_timestamp(d.into_timestamp_secs(), 0)),
            body: first_str(doc, f.body),
            related: all_str(doc, f.related),
            url: optional(f.url),
            site: optional(f.site),
            language: optional(f.language),
            people: all_str(doc, f.person),
            places: all_str(doc, f.place),
            orgs: all_str(doc, f.org),
        }
    }
}

fn first_str(doc: &TantivyDocument, field: Field) -> String {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string()
}

fn all_str(doc: &TantivyDocument, field: Field) -> Vec<String> {
    doc.get_all(field)
        .filter_map(|v| match OwnedValue::from(v) {
            OwnedValue::Str(s) => Some(s),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_files_records_or_ids() {
        assert_eq!(
            ArticleRef::parse("c70b18f4abe85bd2"),
            ArticleRef::Id("c70b18f4abe85bd2".into())
        );
        let here = file!();
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/article.rs");
        let canonical = std::fs::canonicalize(&manifest)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert!(here.ends_with("article.rs"));
        let text = manifest.to_string_lossy();
        assert_eq!(
            ArticleRef::parse(&text),
            ArticleRef::Source {
                source: canonical.clone(),
                line: None
            }
        );
        assert_eq!(
            ArticleRef::parse(&format!("{text}:7")),
            ArticleRef::Source {
                source: canonical,
                line: Some(7)
            }
        );
    }

    #[test]
    fn duplicates_hash_alike_whatever_the_spacing() {
        assert_eq!(
            content_hash("A  Title", "one\ntwo"),
            content_hash("a title", "one two")
        );
        assert_ne!(content_hash("a", "b c"), content_hash("a b", "c"));
    }
}
