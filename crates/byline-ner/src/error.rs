//! Errors of entity recognition and normalisation.

/// Why the tagger or the normaliser could not be built.
#[derive(Debug, thiserror::Error)]
pub enum NerError {
    /// The embedded or given model bytes are not a model this version reads.
    #[error("invalid NER model: {0}")]
    InvalidModel(String),
    /// Embedded gazetteer data could not be read.
    #[error("invalid gazetteer data: {0}")]
    InvalidGazetteer(String),
    /// Reading a training or evaluation file failed.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file that could not be read.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A CoNLL file line did not have the expected columns.
    #[error("{path}:{line}: {message}")]
    Conll {
        /// The file.
        path: String,
        /// 1-based line number.
        line: usize,
        /// What was wrong.
        message: String,
    },
}
