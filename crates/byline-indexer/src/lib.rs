//! byline-indexer reads folders of news articles and writes byline's
//! tantivy index.
//!
//! The stages, each in its own module:
//! - [`parse`]: a file's bytes to [`ParsedArticle`]s (text pages, JSON,
//!   JSON Lines; encodings; dates; teasers kept out of the body);
//! - [`index_paths`]: walk folders, parse in parallel, attach entities
//!   (by default from [`NerRecognizer`], byline-ner's tagger), write
//!   documents with stable ids, commit;
//! - [`ArticleSchema`] and [`ArticleIndex`]: the one schema definition and
//!   the index folder, shared with the search crate;
//! - [`duplicates`]: fingerprints of each body and the groups of copies
//!   ([`DuplicateGroups`]), computed after every indexing run.

pub mod duplicates;
mod entities;
mod error;
mod merge;
pub mod parse;
mod schema;
mod stem;
mod store;
mod writer;

pub use duplicates::DuplicateGroups;
pub use entities::NerRecognizer;
pub use error::IndexError;
pub use parse::{FieldMap, ParsedArticle, SkipReason};
pub use schema::{
    ArticleSchema, EXACT_ANALYZER, KEYWORD_ANALYZER, SCHEMA_VERSION, STEMMED_ANALYZER,
};
pub use store::ArticleIndex;
pub use writer::{
    article_id, index_paths, source_key, Entities, EntityRecognizer, IndexOptions, IndexProgress,
    IndexSummary, NoProgress,
};
