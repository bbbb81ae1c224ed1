//! Turning a [`QueryNode`] into a tantivy query over byline's fields.
//!
//! Ranking choices made here:
//! - an unfielded word searches the stemmed title and body. (An exact-form
//!   bonus was dropped in schema version 5: without the body's exact forms it
//!   lowered body-word known-item MRR on Reuters from 0.859 to 0.842, and
//!   the body's exact forms cost a fifth of the indexing time for +0.006.)
//!   The headline's exact forms remain for prefixes and misspellings;
//! - title matches are boosted ([`TITLE_BOOST`]);
//! - when several plain words are required, a sloppy phrase of them is
//!   added as an optional clause, so articles where the words stand
//!   together outrank those where they are far apart. A search ranked by
//!   relevance adds that clause's score to its 1,000 best candidates only
//!   ([`QueryCompiler::compile_split`]; the searcher's `RERANK_DEPTH`).

mod entity;

use std::ops::Bound;

use byline_indexer::{ArticleSchema, EXACT_ANALYZER, STEMMED_ANALYZER};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, ExistsQuery, FuzzyTermQuery,
    Occur, PhraseQuery, Query, RangeQuery, RegexQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Index, Term};

use crate::dates::{DatePeriod, DATE_FORMATS};
use crate::error::SearchError;
use crate::query::{QueryField, QueryNode};

/// How much more a match in the headline counts than one in the body.
pub const TITLE_BOOST: f32 = 2.0;
/// Weight of the "words stand together" clause.
const PROXIMITY_BOOST: f32 = 1.0;
/// How far apart (in positions) words may stand and still count as together.
const PROXIMITY_SLOP: u32 = 8;

/// A query without its top-level proximity clause, and that clause.
pub(crate) type SplitQuery = (Box<dyn Query>, Option<Box<dyn Query>>);

pub(crate) struct QueryCompiler<'a> {
    pub index: &'a Index,
    pub fields: &'a ArticleSchema,
    pub ranking: Ranking,
}

/// How hits are scored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Ranking {
    /// BM25 with byline's title boost and proximity bonus.
    #[default]
    Byline,
    /// Plain BM25 over the stemmed title and body, no boosts: the baseline
    /// the known-item evaluation compares against.
    PlainBm25,
}

impl QueryCompiler<'_> {
    pub fn compile(&self, node: &QueryNode) -> Result<Box<dyn Query>, SearchError> {
        Ok(match node {
            QueryNode::All => Box::new(AllQuery),
            QueryNode::Word {
                field,
                text,
                prefix,
                fuzzy,
            } => self.word(*field, text, *prefix, *fuzzy)?,
            QueryNode::Phrase { field, text, slop } => self.phrase(*field, text, *slop)?,
            QueryNode::Range { field, from, to } => {
                self.range(*field, from.as_deref(), to.as_deref())?
            }
            QueryNode::Or(parts) => {
                let clauses = parts
                    .iter()
                    .map(|p| Ok((Occur::Should, self.compile(p)?)))
                    .collect::<Result<Vec<_>, SearchError>>()?;
                Box::new(BooleanQuery::new(clauses))
            }
            QueryNode::Not(inner) => Box::new(BooleanQuery::new(vec![
                (Occur::Must, Box::new(AllQuery)),
                (Occur::MustNot, self.compile(inner)?),
            ])),
            QueryNode::And(parts) => {
                let (mut query, proximity) = self.and(parts)?;
                if let Some(proximity) = proximity {
                    query = Box::new(BooleanQuery::new(vec![
                        (Occur::Must, query),
                        (Occur::Should, proximity),
                    ]));
                }
                query
            }
        })
    }

    /// Compiles a whole query for ranking, with its top-level proximity
    /// clause (if any) apart, so that it can be scored on the best
    /// candidates only (see `ArticleSearcher::search`); matching the query
    /// does not depend on that clause.
    pub fn compile_split(&self, node: &QueryNode) -> Result<SplitQuery, SearchError> {
        match node {
            QueryNode::And(parts) => self.and(parts),
            other => Ok((self.compile(other)?, None)),
        }
    }

    /// All of `parts`, and the boosted sloppy phrase of its plain words
    /// when there are several (ranked with byline's ranking).
    fn and(&self, parts: &[QueryNode]) -> Result<SplitQuery, SearchError> {
        let mut clauses = Vec::new();
        let mut plain_words = Vec::new();
        for part in parts {
            match part {
                // `a -b`: exclude from the rest, without matching everything first.
                QueryNode::Not(inner) => clauses.push((Occur::MustNot, self.compile(inner)?)),
                QueryNode::Word {
                    field: None,
                    text,
                    prefix: false,
                    fuzzy: None,
                } => {
                    plain_words.push(text.as_str());
                    clauses.push((Occur::Must, self.compile(part)?));
                }
                other => clauses.push((Occur::Must, self.compile(other)?)),
            }
        }
        if !clauses.iter().any(|(occur, _)| *occur == Occur::Must) {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        let mut proximity: Option<Box<dyn Query>> = None;
        if plain_words.len() > 1 && self.ranking == Ranking::Byline {
            let terms: Vec<Term> = plain_words
                .iter()
                .flat_map(|w| self.tokens(self.fields.body, STEMMED_ANALYZER, w))
                .collect();
            if terms.len() > 1 {
                let phrase = PhraseQuery::new_with_offset_and_slop(
                    terms.into_iter().enumerate().collect(),
                    PROXIMITY_SLOP,
                );
                proximity = Some(Box::new(BoostQuery::new(Box::new(phrase), PROXIMITY_BOOST)));
            }
        }
        Ok((Box::new(BooleanQuery::new(clauses)), proximity))
    }

    fn tokens(&self, field: Field, analyzer: &str, text: &str) -> Vec<Term> {
        let mut analyzer = self
            .index
            .tokenizers()
            .get(analyzer)
            .expect("byline analyzers are registered");
        let mut stream = analyzer.token_stream(text);
        let mut terms = Vec::new();
        while let Some(token) = stream.next() {
            terms.push(Term::from_field_text(field, &token.text));
        }
        terms
    }

    /// (stemmed field, its exact-form field if any, boost) of each text
    /// field a word searches.
    fn text_fields(&self, field: Option<QueryField>) -> Vec<(Field, Option<Field>, f32)> {
        let f = self.fields;
        if self.ranking == Ranking::PlainBm25 && field.is_none() {
            return vec![(f.title, Some(f.title_exact), 1.0), (f.body, None, 1.0)];
        }
        match field {
            Some(QueryField::Title) => vec![(f.title, Some(f.title_exact), 1.0)],
            Some(QueryField::Body) => vec![(f.body, None, 1.0)],
            _ => vec![
                (f.title, Some(f.title_exact), TITLE_BOOST),
                (f.body, None, 1.0),
            ],
        }
    }

    fn word(
        &self,
        field: Option<QueryField>,
        text: &str,
        prefix: bool,
        fuzzy: Option<u8>,
    ) -> Result<Box<dyn Query>, SearchError> {
        match field {
            Some(QueryField::Person | QueryField::Place | QueryField::Org) => {
                return self.phrase(field, text, 0)
            }
            Some(QueryField::Date) => return self.range(QueryField::Date, Some(text), Some(text)),
            _ => {}
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (stemmed, exact, boost) in self.text_fields(field) {
            if prefix || fuzzy.is_some() {
                // Prefixes and misspellings are about written forms: match
                // the exact field where there is one. In the body, a prefix
                // is matched against stems (which begin as the words do) and
                // a misspelling's stem against the stems.
                let (target, analyzer) = match exact {
                    Some(exact) => (exact, EXACT_ANALYZER),
                    None if prefix => (stemmed, EXACT_ANALYZER),
                    None => (stemmed, STEMMED_ANALYZER),
                };
                for term in self.tokens(target, analyzer, text) {
                    let query: Box<dyn Query> = if prefix {
                        let pattern = format!(
                            "{}.*",
                            regex_escape(term.value().as_str().unwrap_or_default())
                        );
                        Box::new(RegexQuery::from_pattern(&pattern, target)?)
                    } else {
                        Box::new(FuzzyTermQuery::new(term, fuzzy.unwrap_or(1), true))
                    };
                    clauses.push((Occur::Should, Box::new(BoostQuery::new(query, boost))));
                }
                continue;
            }
            let stems = self.tokens(stemmed, STEMMED_ANALYZER, text);
            match stems.len() {
                0 => {}
                1 => {
                    let stem = stems.into_iter().next().expect("one");
                    let query = TermQuery::new(stem, IndexRecordOption::WithFreqs);
                    clauses.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(Box::new(query), boost)),
                    ));
                }
                // `al-Nusra`, `U.S.`: one typed word, several tokens: they must stand together.
                _ => {
                    let query = PhraseQuery::new(stems);
                    clauses.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(Box::new(query), boost)),
                    ));
                }
            }
        }
        Ok(if clauses.is_empty() {
            Box::new(EmptyQuery)
        } else {
            Box::new(BooleanQuery::new(clauses))
        })
    }

    fn phrase(
        &self,
        field: Option<QueryField>,
        text: &str,
        slop: u32,
    ) -> Result<Box<dyn Query>, SearchError> {
        match field {
            Some(QueryField::Person) => return Ok(self.person(text)),
            Some(QueryField::Place) => return Ok(self.place(text)),
            Some(QueryField::Org) => return Ok(self.org(text)),
            Some(QueryField::Date) => return self.range(QueryField::Date, Some(text), Some(text)),
            _ => {}
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (stemmed, _, boost) in self.text_fields(field) {
            let terms = self.tokens(stemmed, STEMMED_ANALYZER, text);
            let query: Box<dyn Query> = match terms.len() {
                0 => continue,
                1 => Box::new(TermQuery::new(
                    terms.into_iter().next().expect("one"),
                    IndexRecordOption::WithFreqs,
                )),
                _ => Box::new(PhraseQuery::new_with_offset_and_slop(
                    terms.into_iter().enumerate().collect(),
                    slop,
                )),
            };
            clauses.push((Occur::Should, Box::new(BoostQuery::new(query, boost))));
        }
        Ok(if clauses.is_empty() {
            Box::new(EmptyQuery)
        } else {
            Box::new(BooleanQuery::new(clauses))
        })
    }

    fn range(
        &self,
        field: QueryField,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Box<dyn Query>, SearchError> {
        if field != QueryField::Date {
            return Err(SearchError::InvalidQuery(
                "ranges `[a TO b]` work on date: only".into(),
            ));
        }
        let start = from.map(parse_period).transpose()?.map(|p| p.start);
        let end = to.map(parse_period).transpose()?.map(|p| p.end);
        Ok(Box::new(ConstScoreQuery::new(
            date_range(self.fields.published, start, end),
            0.0,
        )))
    }
}

/// A filter on the publication date: `start` inclusive, `end` exclusive.
pub(crate) fn date_range(
    field: Field,
    start: Option<chrono::DateTime<chrono::Utc>>,
    end: Option<chrono::DateTime<chrono::Utc>>,
) -> Box<dyn Query> {
    let term = |d: chrono::DateTime<chrono::Utc>| {
        Term::from_field_date(field, tantivy::DateTime::from_timestamp_secs(d.timestamp()))
    };
    let lower = start.map_or(Bound::Unbounded, |d| Bound::Included(term(d)));
    let upper = end.map_or(Bound::Unbounded, |d| Bound::Excluded(term(d)));
    if matches!((&lower, &upper), (Bound::Unbounded, Bound::Unbounded)) {
        // `[* TO *]`: any article that has a date.
        return Box::new(ExistsQuery::new("published".to_string(), false));
    }
    Box::new(RangeQuery::new(lower, upper))
}

pub(crate) fn parse_period(text: &str) -> Result<DatePeriod, SearchError> {
    DatePeriod::parse(text).ok_or_else(|| SearchError::InvalidDate {
        input: text.to_string(),
        expected: DATE_FORMATS,
    })
}

pub(crate) fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~\"@<>".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
