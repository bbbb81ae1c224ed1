//! Errors of the search crate.

use byline_indexer::IndexError;

use crate::query::QuerySyntaxError;

/// Why a search could not run.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The index is missing, damaged or from another version.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// The query text does not parse.
    #[error("query syntax error {0}")]
    Syntax(#[from] QuerySyntaxError),
    /// The query parses but asks for something impossible.
    #[error("invalid query: {0}")]
    InvalidQuery(String),
    /// A date bound is not in a format byline reads.
    #[error("invalid date `{input}`: expected {expected}")]
    InvalidDate {
        /// What the user typed.
        input: String,
        /// The formats accepted.
        expected: &'static str,
    },
    /// `--from` is after `--to`.
    #[error("the date range is empty: --from {from} is after --to {to}")]
    EmptyDateRange {
        /// The lower bound as typed.
        from: String,
        /// The upper bound as typed.
        to: String,
    },
    /// An error inside tantivy while searching.
    #[error("search failed: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}
