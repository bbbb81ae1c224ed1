//! Opening and creating byline's index folder.
//!
//! A byline index is a tantivy index plus a `byline.json` marker naming
//! the schema version, so that byline never writes into a folder that is
//! not its own and can tell an old index from a damaged one.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tantivy::directory::MmapDirectory;
use tantivy::Index;

use crate::error::IndexError;
use crate::schema::{ArticleSchema, SCHEMA_VERSION};

const MARKER: &str = "byline.json";

#[derive(Debug, Serialize, Deserialize)]
struct Marker {
    schema_version: u32,
    written_by: String,
}

/// An opened byline index: the tantivy index and its field handles.
#[derive(Clone)]
pub struct ArticleIndex {
    /// Where it lives.
    pub dir: PathBuf,
    /// The tantivy index, with byline's analyzers registered.
    pub index: Index,
    /// Field handles.
    pub fields: ArticleSchema,
}

impl std::fmt::Debug for ArticleIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArticleIndex")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

/// Settings of a new index. The document store (title, body and the
/// rest, two thirds of an index) is compressed with zstd at level 1 in
/// 16 KiB blocks instead of tantivy's default lz4: on the 200k-article
/// bench corpus it shrank from 221 to 165 MB (the whole index from 317 to
/// 261 MB) at the same indexing time; fetching the ten hits of a search
/// costs about 0.2 ms more. Indexes written with lz4 still open (the
/// compressor is recorded in `meta.json`).
fn index_settings() -> tantivy::IndexSettings {
    tantivy::IndexSettings {
        docstore_compression: tantivy::store::Compressor::Zstd(tantivy::store::ZstdCompressor {
            compression_level: Some(1),
        }),
        docstore_blocksize: 16 * 1024,
        ..tantivy::IndexSettings::default()
    }
}

/// tantivy's messages for an unreadable `meta.json` quote the whole file;
/// a user needs the first line.
fn short_reason(message: &str) -> String {
    const MAX: usize = 300;
    let cut = message.split(" Content: ").next().unwrap_or(message);
    if cut.chars().count() > MAX {
        let mut s: String = cut.chars().take(MAX).collect();
        s.push('…');
        s
    } else {
        cut.to_string()
    }
}

impl ArticleIndex {
    /// Opens an existing index for reading or writing.
    pub fn open(dir: &Path) -> Result<ArticleIndex, IndexError> {
        let marker_path = dir.join(MARKER);
        if !dir.join("meta.json").exists() || !marker_path.exists() {
            if dir.exists()
                && fs::read_dir(dir)
                    .map(|mut d| d.next().is_some())
                    .unwrap_or(false)
                && !marker_path.exists()
            {
                return Err(IndexError::NotAnIndex(dir.to_path_buf()));
            }
            return Err(IndexError::Missing(dir.to_path_buf()));
        }
        let marker: Marker = fs::read_to_string(&marker_path)
            .ok()
            .and_then(|s| serde_json::from_str(&s).ok())
            .ok_or_else(|| IndexError::Corrupt {
                path: dir.to_path_buf(),
                reason: "byline.json is unreadable".into(),
            })?;
        if marker.schema_version != SCHEMA_VERSION {
            return Err(IndexError::Version {
                path: dir.to_path_buf(),
                found: marker.schema_version,
                expected: SCHEMA_VERSION,
            });
        }
        let corrupt = |e: tantivy::TantivyError| IndexError::Corrupt {
            path: dir.to_path_buf(),
            reason: short_reason(&e.to_string()),
        };
        let index = Index::open_in_dir(dir).map_err(corrupt)?;
        let fields = ArticleSchema::from_index(&index).map_err(corrupt)?;
        ArticleSchema::register_analyzers(&index);
        Ok(ArticleIndex {
            dir: dir.to_path_buf(),
            index,
            fields,
        })
    }

    /// Opens the index at `dir`, creating it if there is none. With
    /// `rebuild`, an existing byline index there is emptied first; a folder
    /// that is not a byline index is never touched.
    pub fn open_or_create(dir: &Path, rebuild: bool) -> Result<ArticleIndex, IndexError> {
        let io = |source| IndexError::Io {
            path: dir.to_path_buf(),
            source,
        };
        let has_marker = dir.join(MARKER).exists();
        let non_empty = dir.exists() && fs::read_dir(dir).map_err(io)?.next().is_some();
        if non_empty && !has_marker {
            return Err(IndexError::NotAnIndex(dir.to_path_buf()));
        }
        if has_marker && !rebuild && dir.join("meta.json").exists() {
            return ArticleIndex::open(dir);
        }
        if has_marker {
            // Rebuilding, or a run that stopped before its first commit.
            // Remove only what byline wrote there: tantivy files and the marker.
            for entry in fs::read_dir(dir).map_err(io)? {
                let path = entry.map_err(io)?.path();
                if path.is_file() {
                    fs::remove_file(&path).map_err(io)?;
                }
            }
        }
        fs::create_dir_all(dir).map_err(io)?;
        let fields = ArticleSchema::new();
        let directory = MmapDirectory::open(dir).map_err(|e| IndexError::Corrupt {
            path: dir.to_path_buf(),
            reason: e.to_string(),
        })?;
        let index = Index::create(directory, fields.schema.clone(), index_settings())?;
        ArticleSchema::register_analyzers(&index);
        let marker = Marker {
            schema_version: SCHEMA_VERSION,
            written_by: format!("byline {}", env!("CARGO_PKG_VERSION")),
        };
        let marker_json = serde_json::to_string_pretty(&marker).expect("marker serialises");
        fs::write(dir.join(MARKER), marker_json).map_err(io)?;
        Ok(ArticleIndex {
            dir: dir.to_path_buf(),
            index,
            fields,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_indexes_compress_their_store_with_zstd() {
        let dir = tempfile::tempdir().unwrap();
        let index = ArticleIndex::open_or_create(dir.path(), false).unwrap();
        let settings = index.index.settings();
        assert!(matches!(
            settings.docstore_compression,
            tantivy::store::Compressor::Zstd(_)
        ));
        // Reopening reads the compressor back from meta.json.
        drop(index);
        let reopened = ArticleIndex::open(dir.path()).unwrap();
        assert_eq!(
            reopened.index.settings().docstore_compression,
            tantivy::store::Compressor::Zstd(tantivy::store::ZstdCompressor {
                compression_level: Some(1)
            })
        );
    }

    #[test]
    fn a_damaged_meta_file_is_reported_without_its_contents() {
        let dir = tempfile::tempdir().unwrap();
        drop(ArticleIndex::open_or_create(dir.path(), false).unwrap());
        let meta = dir.path().join("meta.json");
        let text = fs::read_to_string(&meta).unwrap();
        fs::write(&meta, text.replace("zstd", "brotli")).unwrap();
        let message = ArticleIndex::open(dir.path()).unwrap_err().to_string();
        assert!(message.contains("meta.json"), "{message}");
        assert!(!message.contains("\"segments\""), "{message}");
        assert!(message.len() < 600, "{message}");
    }
}
