//! Errors that stop indexing or opening an index. Problems with single
//! files are not errors: they are counted and reported in the summary.

use std::path::PathBuf;

/// Why an index could not be opened, created or written.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// No index where one was expected.
    #[error("no byline index at {0}: run `byline index <folder>` first (or point --index / BYLINE_INDEX at one)")]
    Missing(PathBuf),
    /// A folder with other files in it: byline will not write over it.
    #[error("{0} is not a byline index (it holds other files and no byline.json), so byline will not write there: choose another --index folder")]
    NotAnIndex(PathBuf),
    /// Made by a byline with another schema.
    #[error("the index at {path} was written by another byline version (schema {found}, this one reads {expected}): run `byline index --rebuild <folder>`")]
    Version {
        /// The index folder.
        path: PathBuf,
        /// Schema version found.
        found: u32,
        /// Schema version this build reads.
        expected: u32,
    },
    /// The index files are damaged or incomplete.
    #[error("the index at {path} cannot be read ({reason}): run `byline index --rebuild <folder>` to make it again")]
    Corrupt {
        /// The index folder.
        path: PathBuf,
        /// What tantivy or byline found wrong.
        reason: String,
    },
    /// A path given to index does not exist.
    #[error("no such file or folder: {0}")]
    InputMissing(PathBuf),
    /// Another `byline index` is writing to the same index.
    #[error("another byline process is writing to the index at {0}; wait for it to finish")]
    Locked(PathBuf),
    /// A file-system error on the index folder itself.
    #[error("cannot write the index at {path}: {source}")]
    Io {
        /// The index folder or file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The entity recogniser could not be loaded.
    #[error("cannot load the entity recogniser: {0}")]
    Entities(#[from] byline_ner::NerError),
    /// An error inside tantivy while writing.
    #[error("index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}
