//! byline-search answers questions about a byline index: a
//! [`SearchRequest`] in, [`SearchResults`] out.
//!
//! - [`query`]: byline's query language (terms, phrases, proximity,
//!   prefixes, fuzzy words, AND/OR/NOT, fields, date ranges), parsed with
//!   errors that name the column;
//! - ranking: BM25 over the stemmed title and body with a title boost and
//!   a bonus for query words standing together;
//! - filters by date period and entity, exact totals, stable paging,
//!   highlighted snippets, and per-period counts for charts;
//! - entity facets: the people, places and organisations most often named
//!   by the matching articles, counted by tantivy aggregations.

mod article;
mod compile;
mod dates;
mod error;
mod facets;
pub mod query;
mod recency;
mod searcher;
mod similar;

pub use article::{Article, ArticleRef};
pub use compile::Ranking;
pub use dates::{DatePeriod, DATE_FORMATS};
pub use error::SearchError;
pub use facets::{EntityFacets, FacetCount, FacetKind};
pub use query::{parse_query, QueryNode, QuerySyntaxError};
pub use recency::{recency_factor, RECENCY_FLOOR, RECENCY_HALF_LIFE_DAYS};
pub use searcher::{
    ArticleSearcher, Highlighted, Hit, IndexStats, Interval, PeriodCount, SearchRequest,
    SearchResults, SortOrder,
};
