//! The one definition of byline's index schema and analyzers.
//!
//! Everything that reads or writes an index goes through [`ArticleSchema`],
//! so field names and analyzers are decided in exactly one place.

use tantivy::schema::{
    DateOptions, DateTimePrecision, FacetOptions, Field, IndexRecordOption, Schema,
    TextFieldIndexing, TextOptions, FAST, STORED,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer, TextAnalyzer,
};
use tantivy::Index;

/// Version of the schema; an index written with another version must be rebuilt.
///
/// 7: the dictionaries of string columns (people, places, organisations,
/// sites) are no longer zstd-compressed (tantivy's `columnar-zstd-compression`
/// is off): naming facet values created a zstd context per block read, a
/// third of the sidebar's cost; the 200k bench index grew by 0.16 %. An index of
/// version 6 would fail there, so it is rebuilt.
///
/// 8: the body hash is XXH3 of the normalised body instead of BLAKE3 (2.5 %
/// of the CPU profile of indexing pages without entities). Exact copies
/// still share it, but an older index's values would not match the new
/// ones in one grouping. The SimHash is unchanged.
pub const SCHEMA_VERSION: u32 = 8;

/// Analyzer for the stemmed text fields (English Snowball stemmer).
pub const STEMMED_ANALYZER: &str = "byline_stemmed";
/// Analyzer for the exact-form text fields (case- and accent-folded, not stemmed).
pub const EXACT_ANALYZER: &str = "byline_exact";
/// Analyzer for entity names: the whole value as one lower-cased token.
pub const KEYWORD_ANALYZER: &str = "byline_keyword";

/// Field handles of byline's schema.
///
/// `title` and `body` are stemmed and carry positions (phrases, proximity);
/// `title_exact` holds the headline's unstemmed forms with frequencies only,
/// so a query word matching a headline's exact form scores above one that
/// only shares its stem. The body has no such field: on Reuters it cost a
/// fifth of the indexing time and a tenth of the index without changing
/// known-item ranking (schema version 5 dropped it).
#[derive(Debug, Clone)]
pub struct ArticleSchema {
    /// The tantivy schema built from the fields below.
    pub schema: Schema,
    /// Stable article id (hash of source path and record key).
    pub id: Field,
    /// The file an article came from; all its articles are replaced together.
    pub source: Field,
    /// Where to find the article: the file path, with `#line` for records of JSONL files.
    pub path: Field,
    /// Headline, stemmed.
    pub title: Field,
    /// Headline, exact forms.
    pub title_exact: Field,
    /// Article text, stemmed.
    pub body: Field,
    /// Publication date (UTC, seconds).
    pub published: Field,
    /// Headlines of related articles linked from the page (stored, not searched).
    pub related: Field,
    /// Canonical URL, where known.
    pub url: Field,
    /// Site name, where known.
    pub site: Field,
    /// Detected language (ISO 639-1), where known.
    pub language: Field,
    /// People named by the article (canonical names).
    pub person: Field,
    /// Places named by the article, as shown to its reader (see
    /// `byline_ner::Place::display_name`: "Daraya", "United States").
    pub place: Field,
    /// Other names of the article's places, matched but never shown or
    /// counted: the canonical name ("Dārayyā") and the written form ("US")
    /// where they differ from the shown one. Kept apart from `place` so that
    /// place counts have one value per place.
    pub place_alias: Field,
    /// Places as hierarchical facets, e.g. `/Asia/Syria/Aleppo`.
    pub place_path: Field,
    /// Organisations named by the article (canonical names).
    pub org: Field,
    /// Size in bytes of the source file when it was indexed (incremental indexing).
    pub file_size: Field,
    /// Modification time of the source file, nanoseconds since 1970.
    pub file_mtime: Field,
    /// Hash of the source file's bytes (XXH3).
    pub file_hash: Field,
    /// Hash of the normalised body, for exact copies (0: too short); see
    /// [`crate::duplicates`].
    pub body_hash: Field,
    /// 64-bit SimHash of the body's word 2-shingles (word pairs), for near copies (0: too short).
    pub simhash: Field,
}

impl ArticleSchema {
    /// Builds the schema.
    pub fn new() -> Self {
        let mut builder = Schema::builder();
        let stemmed = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(STEMMED_ANALYZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        // Fields only matched or filtered on, never ranked, keep no length
        // norms (one byte per article and field; schema version 6).
        let exact = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(EXACT_ANALYZER)
                .set_index_option(IndexRecordOption::WithFreqs)
                .set_fieldnorms(false),
        );
        let matched = |tokenizer: &str| {
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::Basic)
                .set_fieldnorms(false)
        };
        // Whole values (ids, paths, site names), matched exactly.
        let raw = TextOptions::default()
            .set_indexing_options(matched("raw"))
            .set_stored();
        // Entity names: matched case-insensitively as a whole, counted in
        // aggregations with their canonical spelling (raw fast field).
        let keyword = TextOptions::default()
            .set_indexing_options(matched(KEYWORD_ANALYZER))
            .set_stored()
            .set_fast("raw");
        let id = builder.add_text_field("id", raw.clone());
        // Found by its term (replacing a file's articles; the files an
        // index knows are read from its term dictionary).
        let source = builder.add_text_field("source", raw.clone());
        let path = builder.add_text_field("path", STORED);
        let title = builder.add_text_field("title", stemmed.clone().set_stored());
        let title_exact = builder.add_text_field("title_exact", exact);
        let body = builder.add_text_field("body", stemmed.set_stored());
        // Date ranges, sorting and histograms all read the fast column, so
        // the date is not in the inverted index too.
        let published = builder.add_date_field(
            "published",
            DateOptions::default()
                .set_stored()
                .set_fast()
                .set_precision(DateTimePrecision::Seconds),
        );
        let related = builder.add_text_field("related", STORED);
        let url = builder.add_text_field("url", raw.clone());
        let site = builder.add_text_field("site", raw.clone().set_fast("raw"));
        let language = builder.add_text_field("language", raw.set_fast("raw"));
        let person = builder.add_text_field("person", keyword.clone());
        let place = builder.add_text_field("place", keyword.clone());
        let place_path = builder.add_facet_field("place_path", FacetOptions::default());
        let org = builder.add_text_field("org", keyword);
        let place_alias = builder.add_text_field(
            "place_alias",
            TextOptions::default().set_indexing_options(matched(KEYWORD_ANALYZER)),
        );
        let file_size = builder.add_u64_field("file_size", FAST);
        let file_mtime = builder.add_i64_field("file_mtime", FAST);
        let file_hash = builder.add_u64_field("file_hash", FAST);
        let body_hash = builder.add_u64_field("body_hash", FAST);
        let simhash = builder.add_u64_field("simhash", FAST);
        ArticleSchema {
            schema: builder.build(),
            id,
            source,
            path,
            title,
            title_exact,
            body,
            published,
            related,
            url,
            site,
            language,
            person,
            place,
            place_path,
            org,
            place_alias,
            file_size,
            file_mtime,
            file_hash,
            body_hash,
            simhash,
        }
    }

    /// Reads the field handles back from an opened index's schema.
    pub fn from_index(index: &Index) -> Result<Self, tantivy::TantivyError> {
        let expected = ArticleSchema::new();
        let schema = index.schema();
        // Field ids are assigned in declaration order, so an index made by
        // this schema version has the same handles; check the names to be sure.
        for (field, entry) in expected.schema.fields() {
            match schema.get_field(entry.name()) {
                Ok(found) if found == field => {}
                _ => {
                    return Err(tantivy::TantivyError::SchemaError(format!(
                        "field `{}` missing or moved",
                        entry.name()
                    )))
                }
            }
        }
        Ok(expected)
    }

    /// Registers byline's analyzers on an index; needed before reading or writing.
    pub fn register_analyzers(index: &Index) {
        let manager = index.tokenizers();
        manager.register(
            STEMMED_ANALYZER,
            TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(RemoveLongFilter::limit(40))
                .filter(LowerCaser)
                .filter(AsciiFoldingFilter)
                .filter(crate::stem::CachedEnglishStemmer)
                .build(),
        );
        manager.register(
            EXACT_ANALYZER,
            TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(RemoveLongFilter::limit(40))
                .filter(LowerCaser)
                .filter(AsciiFoldingFilter)
                .build(),
        );
        manager.register(
            KEYWORD_ANALYZER,
            TextAnalyzer::builder(RawTokenizer::default())
                .filter(LowerCaser)
                .filter(AsciiFoldingFilter)
                .build(),
        );
    }
}

impl Default for ArticleSchema {
    fn default() -> Self {
        Self::new()
    }
}
