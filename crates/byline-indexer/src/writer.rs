//! The indexing pipeline: walk → read → parse → build documents → write.
//!
//! Files are parsed in parallel on rayon's pool; every worker hands its
//! documents to the one tantivy `IndexWriter` (which is shared by
//! reference and indexes on its own threads). A bad file is counted and
//! named in the summary and never stops the run.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use tantivy::schema::Facet;
use tantivy::{IndexWriter, TantivyDocument, Term};

use crate::error::IndexError;
use crate::merge::BoundedMergePolicy;
use crate::parse::{
    no_articles, parse_bytes, parse_json_lines_run, reads_as_lines, FieldMap, FileKind,
    ParsedArticle, RecordProblem, SkipReason, MAX_FILE_BYTES,
};
use crate::schema::ArticleSchema;
use crate::store::ArticleIndex;

/// How to index.
#[derive(Debug, Clone)]
pub struct IndexOptions {
    /// Empty the index first.
    pub rebuild: bool,
    /// Memory the tantivy writer may use before it flushes a segment, in
    /// bytes. Half of it is also the most segment files one merge reads.
    pub memory_budget: usize,
    /// Indexing threads inside tantivy (0: one per core, at most 8).
    pub threads: usize,
    /// JSON field names.
    pub fields: FieldMap,
    /// JSON Lines files larger than this many bytes are read in runs of
    /// about this size (whole lines), so that memory does not grow with
    /// the file; smaller files are read whole.
    pub jsonl_run_bytes: usize,
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            rebuild: false,
            memory_budget: 512 << 20,
            threads: 0,
            fields: FieldMap::default(),
            jsonl_run_bytes: 32 << 20,
        }
    }
}

/// Entities to attach to an article, from whatever recogniser the caller uses.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Entities {
    /// People, canonical names.
    pub people: Vec<String>,
    /// Places: the name to show and the hierarchical facet path
    /// (`/Asia/Syria/Aleppo`).
    pub places: Vec<(String, String)>,
    /// Other names of those places, indexed so filters match them but
    /// neither stored nor counted (the canonical "Dārayyā" where "Daraya"
    /// is shown).
    pub place_aliases: Vec<String>,
    /// Organisations, canonical names.
    pub orgs: Vec<String>,
}

/// Finds the entities of one article; called from many threads at once.
pub trait EntityRecognizer: Send + Sync {
    /// Entities named in the article's own title and body.
    fn recognize(&self, title: &str, body: &str) -> Entities;
}

/// Progress reports while indexing; the caller decides how to show them.
pub trait IndexProgress: Sync {
    /// The walk has found this many candidate files so far; `complete`
    /// once it has found them all. Indexing starts before the walk ends
    /// (a million paths are not held at once), so this comes repeatedly.
    fn found(&self, _files: u64, _complete: bool) {}
    /// One file is done, with this many articles from it (not counting
    /// those already reported by [`IndexProgress::articles_added`]).
    fn file_done(&self, _articles: u64) {}
    /// Articles added from a large file that is still being read.
    fn articles_added(&self, _articles: u64) {}
    /// Writing the index to disk (can take a while at the end).
    fn committing(&self) {}
}

/// A progress sink that shows nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;
impl IndexProgress for NoProgress {}

/// What an indexing run did.
#[derive(Debug, Default)]
pub struct IndexSummary {
    /// Files the walk found.
    pub files_seen: u64,
    /// Files that gave at least one article.
    pub files_indexed: u64,
    /// Articles written.
    pub articles: u64,
    /// Articles written without a publication date.
    pub without_date: u64,
    /// Files not indexed, and why.
    pub skipped: Vec<(PathBuf, SkipReason)>,
    /// Records skipped inside files that were otherwise indexed.
    pub record_problems: Vec<(PathBuf, RecordProblem)>,
    /// Articles indexed with a caveat (text cut short).
    pub warnings: Vec<(PathBuf, String)>,
    /// Files not seen by an earlier run.
    pub new_files: u64,
    /// Known files whose content changed: their articles were replaced.
    pub changed_files: u64,
    /// Known files left as they were: not parsed again.
    pub unchanged_files: u64,
    /// Known files under the indexed folders that are gone: their articles were deleted.
    pub removed_files: u64,
    /// Articles in the index after the run.
    pub total_articles: u64,
    /// Wall-clock time of the run.
    pub elapsed: Duration,
}

/// Indexes files and folders into the index at `index_dir`.
pub fn index_paths(
    index_dir: &Path,
    inputs: &[PathBuf],
    options: &IndexOptions,
    entities: Option<&dyn EntityRecognizer>,
    progress: &dyn IndexProgress,
) -> Result<IndexSummary, IndexError> {
    let start = Instant::now();
    for input in inputs {
        if !input.exists() {
            return Err(IndexError::InputMissing(input.clone()));
        }
    }
    let store = ArticleIndex::open_or_create(index_dir, options.rebuild)?;
    let fresh = store.index.searchable_segment_ids()?.is_empty();
    let threads = match options.threads {
        0 => std::thread::available_parallelism()
            .map_or(2, |n| n.get())
            .min(8),
        n => n,
    };
    // tantivy needs at least 15 MB per thread.
    let budget = options.memory_budget.max(threads * (16 << 20));
    let mut writer: IndexWriter = store
        .index
        .writer_with_num_threads(threads, budget)
        .map_err(|e| match e {
            tantivy::TantivyError::LockFailure(..) => IndexError::Locked(index_dir.to_path_buf()),
            other => IndexError::Tantivy(other),
        })?;
    // No merge reads more than half the budget of segment files.
    writer.set_merge_policy(Box::new(BoundedMergePolicy::new(
        index_dir.to_path_buf(),
        budget as u64 / 2,
    )));

    let known = if fresh {
        HashMap::new()
    } else {
        known_files(&store)?
    };
    let counts = Counts::default();
    let skipped = Mutex::new(Vec::new());
    let record_problems = Mutex::new(Vec::new());
    let warnings = Mutex::new(Vec::new());
    let failure: Mutex<Option<tantivy::TantivyError>> = Mutex::new(None);
    // Which known files the walk found, to tell the removed ones; a fresh
    // index knows none, and skips this (a million paths at 1M articles).
    let track_seen = !known.is_empty();
    let seen: Mutex<HashSet<String>> = Mutex::new(HashSet::new());

    // A file that gives no article: named in the summary, counted as done.
    let skip = |path: &Path, reason: SkipReason| {
        skipped
            .lock()
            .expect("lock")
            .push((path.to_path_buf(), reason));
        progress.file_done(0);
    };
    // Once a file's content hash is known: an unchanged file is counted and
    // passed over (false); a changed one loses every article it gave before,
    // in the same commit as its new ones (a file that no longer parses
    // loses its old articles too).
    let begin_replacing = |writer: &IndexWriter,
                           source: &str,
                           state: &FileState,
                           previous: Option<FileState>|
     -> bool {
        if previous.is_some_and(|p| p.size == state.size && p.hash == state.hash) {
            // Touched but not changed: nothing to parse. (Its stored mtime
            // stays old, so the next run hashes it again; cheap next to parsing.)
            counts.unchanged.fetch_add(1, Ordering::Relaxed);
            progress.file_done(0);
            return false;
        }
        if previous.is_some() {
            counts.changed.fetch_add(1, Ordering::Relaxed);
            writer.delete_term(Term::from_field_text(store.fields.source, source));
        } else {
            counts.new.fetch_add(1, Ordering::Relaxed);
        }
        true
    };
    // A file's articles are all in: its record problems and counts.
    let file_indexed = |file: &Candidate, articles: u64, problems: Vec<RecordProblem>| {
        if !problems.is_empty() {
            let mut list = record_problems.lock().expect("lock");
            list.extend(problems.into_iter().map(|p| (file.path.clone(), p)));
        }
        counts.articles.fetch_add(articles, Ordering::Relaxed);
        counts.files_indexed.fetch_add(1, Ordering::Relaxed);
    };
    let add_article = |writer: &IndexWriter,
                       file: &Candidate,
                       state: &FileState,
                       article: &ParsedArticle|
     -> Result<(), tantivy::TantivyError> {
        if article.published.is_none() {
            counts.without_date.fetch_add(1, Ordering::Relaxed);
        }
        for warning in &article.warnings {
            warnings
                .lock()
                .expect("lock")
                .push((file.path.clone(), warning.clone()));
        }
        let found = entities.map(|e| e.recognize(&article.title, &article.body));
        let doc = build_document(
            &store.fields,
            &file.source,
            &file.path,
            state,
            article,
            found.as_ref(),
        );
        writer.add_document(doc).map(|_| ())
    };
    // A large JSON Lines export, read a run of lines at a time so that
    // memory does not grow with the file (and no size limit applies).
    let index_in_runs =
        |writer: &IndexWriter, file: &Candidate, state: FileState, previous: Option<FileState>| {
            let hash = match file_hash(&file.path) {
                Ok(hash) => hash,
                Err(reason) => return skip(&file.path, reason),
            };
            let state = FileState { hash, ..state };
            if !begin_replacing(writer, &file.source, &state, previous) {
                return;
            }
            let mut runs = match JsonLinesRuns::open(&file.path, options.jsonl_run_bytes) {
                Ok(runs) => runs,
                Err(reason) => return skip(&file.path, reason),
            };
            let mut added = 0u64;
            let mut problems = Vec::new();
            let outcome = loop {
                let (first_line, bytes) = match runs.next_run() {
                    Ok(Some(run)) => run,
                    Ok(None) => break Ok(()),
                    Err(reason) => break Err(reason),
                };
                let (articles, run_problems) =
                    parse_json_lines_run(&bytes, first_line, &options.fields);
                drop(bytes);
                problems.extend(run_problems);
                if let Err(e) = articles
                    .par_iter()
                    .try_for_each(|article| add_article(writer, file, &state, article))
                {
                    failure.lock().expect("lock").get_or_insert(e);
                    return;
                }
                added += articles.len() as u64;
                progress.articles_added(articles.len() as u64);
            };
            let outcome = outcome.and_then(|()| match added {
                0 => Err(no_articles(&problems)),
                _ => Ok(()),
            });
            if let Err(reason) = outcome {
                // What the file gave before it broke goes too: a commit never
                // holds half a file.
                writer.delete_term(Term::from_field_text(store.fields.source, &file.source));
                return skip(&file.path, reason);
            }
            file_indexed(file, added, problems);
            progress.file_done(0);
        };
    let index_file = |writer: &IndexWriter, file: &Candidate| {
        let source = &file.source;
        let previous = known.get(source).copied();
        if track_seen {
            seen.lock().expect("lock").insert(source.clone());
        }
        // A known file is first checked by its path's metadata (no open for
        // an unchanged one); a new one is opened straight away and its
        // state read from the open file: one path lookup, not two.
        let opened = match previous {
            Some(previous) => match FileState::of(&file.path) {
                Ok(state) if previous.size == state.size && previous.mtime == state.mtime => {
                    counts.unchanged.fetch_add(1, Ordering::Relaxed);
                    progress.file_done(0);
                    return;
                }
                Ok(_) => OpenedFile::open(&file.path),
                Err(reason) => Err(reason),
            },
            None => OpenedFile::open(&file.path),
        };
        let opened = match opened {
            Ok(opened) => opened,
            Err(reason) => return skip(&file.path, reason),
        };
        let state = opened.state;
        if file.kind == FileKind::JsonLines
            && state.size > options.jsonl_run_bytes as u64
            && file_head(&file.path).is_some_and(|head| reads_as_lines(&head))
        {
            drop(opened);
            return index_in_runs(writer, file, state, previous);
        }
        let bytes = match opened.read() {
            Ok(bytes) => bytes,
            Err(reason) => {
                return skip(&file.path, reason);
            }
        };
        let state = FileState {
            hash: content_hash(&bytes),
            ..state
        };
        if !begin_replacing(writer, source, &state, previous) {
            return;
        }
        // A parser (ours or a crate's) that panics on a hostile file costs
        // that file, never the run.
        let parsed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            parse_bytes(&bytes, file.kind, &options.fields)
        }))
        .unwrap_or_else(|_| {
            Err(SkipReason::Malformed(
                "the parser failed on this file (a bug: please report it)".to_string(),
            ))
        });
        let parsed = match parsed {
            Ok(parsed) => parsed,
            Err(reason) => {
                tracing::debug!(path = %file.path.display(), %reason, "skipped");
                return skip(&file.path, reason);
            }
        };
        // The articles own their text: the file's bytes can go before
        // they are indexed (a JSON Lines export of 255 MB held both).
        drop(bytes);
        let count = parsed.articles.len() as u64;
        let add = |article: &ParsedArticle| add_article(writer, file, &state, article);
        // A JSON Lines export is one file of many articles: its articles
        // are tagged and added on every core, not on the file's one task.
        let added = if parsed.articles.len() > 1 {
            parsed.articles.par_iter().try_for_each(add)
        } else {
            parsed.articles.iter().try_for_each(add)
        };
        if let Err(e) = added {
            failure.lock().expect("lock").get_or_insert(e);
            return;
        }
        file_indexed(file, count, parsed.problems);
        progress.file_done(count);
    };

    // Commit every so often, so that a run that is killed keeps what it
    // had committed; each file's delete and adds fall in one commit, so a
    // commit never holds half a file.
    //
    // The walk runs on its own thread and hands over a chunk of files at a
    // time, so memory does not grow with the number of files (at a million
    // files the list alone was about 250 MB).
    let mut last_commit = Instant::now();
    let (chunks_tx, chunks_rx) = std::sync::mpsc::sync_channel::<Vec<Candidate>>(2);
    let files_found = std::thread::scope(|scope| -> Result<u64, IndexError> {
        let walker = scope.spawn(|| walk(inputs, index_dir, &skipped, progress, chunks_tx));
        let mut error = None;
        for chunk in &chunks_rx {
            chunk.par_iter().for_each(|file| index_file(&writer, file));
            if let Some(e) = failure.lock().expect("lock").take() {
                error = Some(IndexError::Tantivy(e));
                break;
            }
            if last_commit.elapsed() >= COMMIT_INTERVAL {
                if let Err(e) = writer.commit() {
                    error = Some(e.into());
                    break;
                }
                last_commit = Instant::now();
            }
        }
        // After an error, dropping the receiver stops the walk at its next chunk.
        drop(chunks_rx);
        let found = walker.join().expect("the walk does not panic");
        error.map_or(Ok(found), Err)
    })?;

    // Files the index knows under the folders just walked, that the walk did not find.
    let roots: Vec<PathBuf> = inputs
        .iter()
        .map(|p| fs::canonicalize(p).unwrap_or_else(|_| p.clone()))
        .collect();
    let seen = seen.into_inner().expect("lock");
    let mut removed = 0;
    for source in known.keys() {
        if !seen.contains(source) && roots.iter().any(|root| Path::new(source).starts_with(root)) {
            writer.delete_term(Term::from_field_text(store.fields.source, source));
            removed += 1;
        }
    }

    tracing::info!(elapsed = ?start.elapsed(), "files processed");
    progress.committing();
    writer.commit()?;
    tracing::info!(elapsed = ?start.elapsed(), "committed");
    writer.wait_merging_threads()?;
    tracing::info!(elapsed = ?start.elapsed(), "merges done");
    // Derived from the commit just made; a failure here loses nothing (the
    // search side recomputes a missing or stale grouping), so it is logged.
    if let Err(e) = crate::duplicates::DuplicateGroups::refresh(&store) {
        tracing::warn!(error = %e, "could not save the duplicate groups");
    }

    let reader = store.index.reader()?;
    let total_articles = reader.searcher().num_docs();
    let mut skipped = skipped.into_inner().expect("lock");
    skipped.sort();
    let mut record_problems = record_problems.into_inner().expect("lock");
    record_problems.sort_by(|a, b| (&a.0, a.1.line).cmp(&(&b.0, b.1.line)));
    Ok(IndexSummary {
        files_seen: files_found
            + skipped
                .iter()
                .filter(|(_, r)| matches!(r, SkipReason::Unsupported | SkipReason::Unreadable(_)))
                .count() as u64,
        files_indexed: counts.files_indexed.into_inner(),
        articles: counts.articles.into_inner(),
        without_date: counts.without_date.into_inner(),
        new_files: counts.new.into_inner(),
        changed_files: counts.changed.into_inner(),
        unchanged_files: counts.unchanged.into_inner(),
        removed_files: removed,
        skipped,
        record_problems,
        warnings: warnings.into_inner().expect("lock"),
        total_articles,
        elapsed: start.elapsed(),
    })
}

struct Candidate {
    path: PathBuf,
    /// The file's identity: its absolute path, under the canonical input root.
    source: String,
    kind: FileKind,
}

/// Finds the files to read, in a stable order, and sends them in chunks of
/// [`COMMIT_CHUNK_FILES`]; returns how many it found. Hidden files and
/// folders are passed over (as ripgrep does), and so is the index itself
/// when it lies inside a folder being indexed. Stops early when the
/// receiver is gone.
fn walk(
    inputs: &[PathBuf],
    index_dir: &Path,
    skipped: &Mutex<Vec<(PathBuf, SkipReason)>>,
    progress: &dyn IndexProgress,
    chunks: std::sync::mpsc::SyncSender<Vec<Candidate>>,
) -> u64 {
    let index_dir = fs::canonicalize(index_dir).unwrap_or_else(|_| index_dir.to_path_buf());
    let mut found = 0u64;
    let mut files = Vec::with_capacity(COMMIT_CHUNK_FILES);
    let skip = |path: PathBuf, reason: SkipReason| {
        skipped.lock().expect("lock").push((path, reason));
    };
    for input in inputs {
        // Canonicalise the root once; the files under it then get their
        // absolute identity by a join, not a syscall-heavy canonicalize each.
        let root = fs::canonicalize(input).unwrap_or_else(|_| input.clone());
        let walker = walkdir::WalkDir::new(input)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter();
        let walker = walker.filter_entry(|entry| {
            let hidden = entry.depth() > 0
                && entry
                    .file_name()
                    .to_str()
                    .is_some_and(|n| n.starts_with('.'));
            let is_index = entry.file_type().is_dir()
                && fs::canonicalize(entry.path()).is_ok_and(|p| p == index_dir);
            !hidden && !is_index
        });
        for entry in walker {
            match entry {
                Ok(entry) if entry.file_type().is_file() => {
                    let path = entry.into_path();
                    let source = match path.strip_prefix(input) {
                        Ok(rel) if !rel.as_os_str().is_empty() => root.join(rel),
                        _ => root.clone(),
                    };
                    let source = source.to_string_lossy().into_owned();
                    match FileKind::of(&path) {
                        Some(kind) => {
                            files.push(Candidate { path, source, kind });
                            found += 1;
                            if files.len() == COMMIT_CHUNK_FILES {
                                progress.found(found, false);
                                let full = std::mem::replace(
                                    &mut files,
                                    Vec::with_capacity(COMMIT_CHUNK_FILES),
                                );
                                if chunks.send(full).is_err() {
                                    return found;
                                }
                            }
                        }
                        None => skip(path, SkipReason::Unsupported),
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    let path = e
                        .path()
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|| input.clone());
                    skip(path, SkipReason::Unreadable(e.to_string()));
                }
            }
        }
    }
    progress.found(found, true);
    if !files.is_empty() {
        let _ = chunks.send(files);
    }
    found
}

/// Files processed between checks for a periodic commit.
const COMMIT_CHUNK_FILES: usize = 1_000;
/// Longest time between commits while indexing.
const COMMIT_INTERVAL: Duration = Duration::from_secs(30);

#[derive(Default)]
struct Counts {
    articles: AtomicU64,
    without_date: AtomicU64,
    files_indexed: AtomicU64,
    new: AtomicU64,
    changed: AtomicU64,
    unchanged: AtomicU64,
}

/// What the index remembers of a file, to tell on the next run whether it changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileState {
    size: u64,
    mtime: i64,
    hash: u64,
}

impl FileState {
    /// Size and modification time from the file system (hash filled in once read).
    fn of(path: &Path) -> Result<FileState, SkipReason> {
        let meta = fs::metadata(path).map_err(unreadable)?;
        Ok(FileState::from_metadata(&meta))
    }

    fn from_metadata(meta: &fs::Metadata) -> FileState {
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as i64);
        FileState {
            size: meta.len(),
            mtime,
            hash: 0,
        }
    }
}

/// The files the index holds articles of, with their state when indexed:
/// each file is a term of the `source` field, and the first live article
/// of its postings gives the state from fast fields.
fn known_files(store: &ArticleIndex) -> Result<HashMap<String, FileState>, IndexError> {
    use tantivy::schema::IndexRecordOption;
    use tantivy::{DocSet, TERMINATED};
    let searcher = store.index.reader()?.searcher();
    let mut known = HashMap::new();
    for segment in searcher.segment_readers() {
        let fast = segment.fast_fields();
        let sizes = fast.u64("file_size")?;
        let mtimes = fast.i64("file_mtime")?;
        let hashes = fast.u64("file_hash")?;
        let inverted = segment.inverted_index(store.fields.source)?;
        let corrupt = |e: std::io::Error| IndexError::Corrupt {
            path: store.dir.clone(),
            reason: e.to_string(),
        };
        let mut terms = inverted.terms().stream().map_err(corrupt)?;
        while terms.advance() {
            let mut docs = inverted
                .read_postings_from_terminfo(terms.value(), IndexRecordOption::Basic)
                .map_err(corrupt)?;
            let mut doc = docs.doc();
            while doc != TERMINATED && segment.is_deleted(doc) {
                doc = docs.advance();
            }
            if doc == TERMINATED {
                continue;
            }
            known.insert(
                String::from_utf8_lossy(terms.key()).into_owned(),
                FileState {
                    size: sizes.first(doc).unwrap_or(0),
                    mtime: mtimes.first(doc).unwrap_or(0),
                    hash: hashes.first(doc).unwrap_or(0),
                },
            );
        }
    }
    Ok(known)
}

/// A file that could not be opened or read, as the summary names it.
fn unreadable(e: std::io::Error) -> SkipReason {
    SkipReason::Unreadable(e.to_string())
}

/// A file opened to be read whole, with its state taken from the open handle.
struct OpenedFile {
    file: fs::File,
    state: FileState,
}

impl OpenedFile {
    fn open(path: &Path) -> Result<OpenedFile, SkipReason> {
        let file = fs::File::open(path).map_err(unreadable)?;
        let state = FileState::from_metadata(&file.metadata().map_err(unreadable)?);
        Ok(OpenedFile { file, state })
    }

    /// The file's bytes, up to the size it had when opened: one `read` for a
    /// page, where `fs::read` makes a second to see the end (a file that grew
    /// meanwhile is read as it was, matching its recorded state).
    fn read(self) -> Result<Vec<u8>, SkipReason> {
        use std::io::Read;
        let size = self.state.size;
        if size > MAX_FILE_BYTES {
            return Err(SkipReason::TooLarge(size));
        }
        let mut bytes = Vec::with_capacity(size as usize);
        self.file
            .take(size)
            .read_to_end(&mut bytes)
            .map_err(unreadable)?;
        Ok(bytes)
    }
}

/// The content hash of a file read as it streams ([`content_hash`] of its bytes).
fn file_hash(path: &Path) -> Result<u64, SkipReason> {
    use std::io::Read;
    let mut file = fs::File::open(path).map_err(unreadable)?;
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        match file.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => hasher.update(&buffer[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(unreadable(e)),
        }
    }
    Ok(hasher.digest())
}

/// The first bytes of a file (enough to recognise gzip or a byte-order mark).
fn file_head(path: &Path) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut head = Vec::with_capacity(4);
    fs::File::open(path)
        .ok()?
        .take(4)
        .read_to_end(&mut head)
        .ok()?;
    Some(head)
}

/// Reads a JSON Lines file as runs of whole lines.
struct JsonLinesRuns {
    reader: std::io::BufReader<fs::File>,
    run_bytes: usize,
    /// The 1-based line number the next run starts at.
    next_line: usize,
    done: bool,
}

impl JsonLinesRuns {
    fn open(path: &Path, run_bytes: usize) -> Result<Self, SkipReason> {
        let file = fs::File::open(path).map_err(unreadable)?;
        Ok(JsonLinesRuns {
            reader: std::io::BufReader::with_capacity(1 << 20, file),
            run_bytes: run_bytes.max(1),
            next_line: 1,
            done: false,
        })
    }

    /// The next run and the line it starts at; `None` at the end.
    fn next_run(&mut self) -> Result<Option<(usize, Vec<u8>)>, SkipReason> {
        use std::io::BufRead;
        if self.done {
            return Ok(None);
        }
        let mut run = Vec::with_capacity(self.run_bytes + (1 << 16));
        let mut lines = 0;
        while run.len() < self.run_bytes {
            let n = self
                .reader
                .read_until(b'\n', &mut run)
                .map_err(unreadable)?;
            if n == 0 {
                self.done = true;
                break;
            }
            lines += 1;
        }
        if run.is_empty() {
            return Ok(None);
        }
        let first = self.next_line;
        self.next_line += lines;
        Ok(Some((first, run)))
    }
}

/// A file's stored content hash: XXH3. It only tells a touched file from a
/// changed one, which needs no cryptographic hash (BLAKE3, here and for the
/// body hash, was 4 % of the CPU profile of indexing pages without
/// entities).
fn content_hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// The identity of a file across runs: its canonical absolute path.
pub fn source_key(path: &Path) -> String {
    fs::canonicalize(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .to_string_lossy()
        .into_owned()
}

/// A stable article id: the same file (and record) always gets the same id.
pub fn article_id(source: &str, key: Option<&str>) -> String {
    let mut hasher = blake3::Hasher::new();
    hasher.update(source.as_bytes());
    if let Some(key) = key {
        hasher.update(b"\0");
        hasher.update(key.as_bytes());
    }
    hasher.finalize().to_hex()[..16].to_string()
}

fn build_document(
    fields: &ArticleSchema,
    source: &str,
    path: &Path,
    state: &FileState,
    article: &ParsedArticle,
    entities: Option<&Entities>,
) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(fields.id, article_id(source, article.key.as_deref()));
    doc.add_text(fields.source, source);
    doc.add_u64(fields.file_size, state.size);
    doc.add_i64(fields.file_mtime, state.mtime);
    doc.add_u64(fields.file_hash, state.hash);
    let (body_hash, simhash) = crate::duplicates::fingerprints(&article.body);
    doc.add_u64(fields.body_hash, body_hash);
    doc.add_u64(fields.simhash, simhash);
    let shown = match article.record {
        Some(line) => format!("{}:{line}", path.display()),
        None => path.display().to_string(),
    };
    doc.add_text(fields.path, shown);
    doc.add_text(fields.title, &article.title);
    doc.add_text(fields.title_exact, &article.title);
    doc.add_text(fields.body, &article.body);
    if let Some(date) = article.published {
        doc.add_date(
            fields.published,
            tantivy::DateTime::from_timestamp_secs(date.timestamp()),
        );
    }
    for headline in &article.related {
        doc.add_text(fields.related, headline);
    }
    for (field, value) in [
        (fields.url, &article.url),
        (fields.site, &article.site),
        (fields.language, &article.language),
    ] {
        if let Some(value) = value {
            doc.add_text(field, value);
        }
    }
    if let Some(entities) = entities {
        for person in &entities.people {
            doc.add_text(fields.person, person);
        }
        for (name, facet) in &entities.places {
            doc.add_text(fields.place, name);
            if let Ok(facet) = Facet::from_text(facet) {
                doc.add_facet(fields.place_path, facet);
            }
        }
        for alias in &entities.place_aliases {
            doc.add_text(fields.place_alias, alias);
        }
        for org in &entities.orgs {
            doc.add_text(fields.org, org);
        }
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_hashed_as_it_streams_hashes_as_its_bytes_do() {
        // A JSON Lines export read in runs is hashed from the file; a page
        // from its bytes in memory: the two must agree, across the
        // stream's buffer boundary too.
        let seed = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../corpus/000_a246f93a30b869c3.txt"
        ))
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        for copies in [1usize, 40, 200] {
            let bytes = seed.repeat(copies);
            let path = dir.path().join(format!("{copies}.txt"));
            std::fs::write(&path, &bytes).unwrap();
            assert_eq!(file_hash(&path).unwrap(), content_hash(&bytes), "{copies}");
            let opened = OpenedFile::open(&path).unwrap();
            assert_eq!(opened.state.size, bytes.len() as u64);
            assert_eq!(opened.read().unwrap(), bytes);
        }
        let mut changed = seed.clone();
        changed[10] ^= 1;
        assert_ne!(content_hash(&seed), content_hash(&changed));
    }

    #[test]
    fn ids_are_stable_and_distinct() {
        assert_eq!(article_id("/a/b.txt", None), article_id("/a/b.txt", None));
        assert_ne!(article_id("/a/b.txt", None), article_id("/a/c.txt", None));
        assert_ne!(
            article_id("/a/b.jsonl", Some("1")),
            article_id("/a/b.jsonl", Some("2"))
        );
        assert_eq!(article_id("/a/b.txt", None).len(), 16);
    }
}
