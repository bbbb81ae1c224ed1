//! Named-entity recognition for byline: finds the people, places and
//! organisations an article names, and normalises them so that one
//! real-world entity is one facet value.
//!
//! Two stages, each in its own module:
//! - tagging (statistical sequence model trained on CoNLL-2003) turns text
//!   into [`Mention`]s: spans of text with an [`EntityKind`];
//! - normalisation resolves mentions against gazetteers and merges
//!   variants (Kerry → John Kerry, US → United States, UN → United Nations).

mod conll;
mod error;
mod extractor;
mod features;
mod gazetteer;
mod mention;
mod model;
mod normalize;
mod orgs;
mod people;
mod places;
mod tagger;
mod tokenize;
pub mod train;

pub use conll::Score;
pub use error::NerError;
pub use extractor::{ArticleEntities, EntityExtractor, EntityNormalizer, Place};
pub use mention::{EntityKind, Mention};
pub use tagger::{EvalReport, NerTagger};
pub use tokenize::tokenize;
