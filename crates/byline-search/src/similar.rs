//! More like this: the articles that share an article's most distinctive words.

use std::collections::{HashMap, HashSet};

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{TantivyDocument, Term};

use crate::article::Article;
use crate::error::SearchError;
use crate::searcher::{ArticleSearcher, Highlighted, Hit};

/// Distinctive words an article is matched on.
const MAX_TERMS: usize = 25;
/// Shorter stems (`us`, `is`) say little about what an article is about.
const MIN_TERM_CHARS: usize = 3;
/// Characters of body text shown with each similar article.
const SNIPPET_CHARS: usize = 200;

impl ArticleSearcher {
    /// The articles most like `article`, best first, at most `limit`.
    ///
    /// The query is the article's `MAX_TERMS` (25) body stems with the
    /// highest tf·idf (frequency in the article × BM25 idf in the index;
    /// stems in no other article or shorter than 3 characters left out),
    /// each boosted by its weight, OR-ed over the stemmed body. The article
    /// itself and exact duplicates (same headline and text, case and white
    /// space ignored, of the article or of a hit already listed) are skipped.
    pub fn similar(&self, article: &Article, limit: usize) -> Result<Vec<Hit>, SearchError> {
        let terms = self.distinctive_terms(&article.body)?;
        if terms.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let fields = self.fields();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = terms
            .iter()
            .map(|(term, weight)| {
                let query = TermQuery::new(term.clone(), IndexRecordOption::WithFreqs);
                let boosted: Box<dyn Query> = Box::new(BoostQuery::new(Box::new(query), *weight));
                (Occur::Should, boosted)
            })
            .collect();
        clauses.push((
            Occur::MustNot,
            Box::new(TermQuery::new(
                Term::from_field_text(fields.id, &article.id),
                IndexRecordOption::Basic,
            )),
        ));
        let query = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        // Room for duplicates to be dropped.
        let candidates = searcher.search(
            &query,
            &TopDocs::with_limit(limit * 2 + 10).order_by_score(),
        )?;
        let mut seen = HashSet::from([article.content_hash()]);
        let mut hits = Vec::with_capacity(limit);
        for (score, address) in candidates {
            let doc: TantivyDocument = searcher.doc(address)?;
            let found = self.article_from(&doc);
            if !seen.insert(found.content_hash()) {
                tracing::debug!(id = %found.id, "skipping an exact duplicate");
                continue;
            }
            hits.push(Hit {
                snippet: Highlighted {
                    text: opening(&found.body, SNIPPET_CHARS),
                    highlights: Vec::new(),
                },
                id: found.id,
                path: found.path,
                title: found.title,
                published: found.published,
                score,
                people: found.people,
                places: found.places,
                orgs: found.orgs,
            });
            if hits.len() == limit {
                break;
            }
        }
        Ok(hits)
    }

    /// The body stems with the highest tf·idf, with their weights.
    fn distinctive_terms(&self, body: &str) -> Result<Vec<(Term, f32)>, SearchError> {
        let field = self.fields().body;
        let mut analyzer = self.store.index.tokenizer_for_field(field)?;
        let mut frequency: HashMap<String, u32> = HashMap::new();
        let mut stream = analyzer.token_stream(body);
        while stream.advance() {
            let text = &stream.token().text;
            if text.chars().count() >= MIN_TERM_CHARS && !text.chars().all(|c| c.is_numeric()) {
                *frequency.entry(text.clone()).or_default() += 1;
            }
        }
        let searcher = self.reader.searcher();
        let docs = searcher.num_docs() as f32;
        let mut weighted = Vec::with_capacity(frequency.len());
        for (text, tf) in frequency {
            let term = Term::from_field_text(field, &text);
            let df = searcher.doc_freq(&term)? as f32;
            // In this article only (or not at all): nothing to match others on.
            if df < 2.0 {
                continue;
            }
            let idf = (1.0 + (docs - df + 0.5) / (df + 0.5)).ln();
            weighted.push((term, text, tf as f32 * idf));
        }
        // Ties broken by the word so the query does not depend on hash order.
        weighted.sort_by(|a, b| b.2.total_cmp(&a.2).then_with(|| a.1.cmp(&b.1)));
        weighted.truncate(MAX_TERMS);
        tracing::debug!(
            terms = ?weighted.iter().map(|w| w.1.as_str()).collect::<Vec<_>>(),
            "more-like-this terms"
        );
        Ok(weighted.into_iter().map(|(t, _, w)| (t, w)).collect())
    }
}

/// The start of a text, white space collapsed, cut at a word with `…`.
fn opening(text: &str, max_chars: usize) -> String {
    let mut out = String::new();
    for word in text.split_whitespace() {
        if out.chars().count() + word.chars().count() + 1 > max_chars {
            out.push_str(" …");
            return out;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::opening;

    #[test]
    fn openings_end_on_a_word() {
        assert_eq!(opening("one  two\nthree", 100), "one two three");
        assert_eq!(opening("one two three", 9), "one two …");
    }
}
