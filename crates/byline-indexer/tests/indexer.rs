//! Indexing real folders end to end: Reuters-21578 (read from ../shared,
//! never copied), the bundled corpus, re-indexing, and hostile files.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use byline_indexer::{index_paths, ArticleIndex, IndexOptions, NoProgress, SkipReason};
use tantivy::schema::Value;
use tantivy::TantivyDocument;

fn shared(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared")
        .join(rel)
}

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

/// Every stored (path, published day) pair of an index.
fn stored_dates(dir: &Path) -> Vec<(String, Option<String>)> {
    let store = ArticleIndex::open(dir).unwrap();
    let searcher = store.index.reader().unwrap().searcher();
    let mut out = Vec::new();
    for segment in searcher.segment_readers() {
        let docs = segment.get_store_reader(0).unwrap();
        for doc_id in 0..segment.max_doc() {
            if segment.is_deleted(doc_id) {
                continue;
            }
            let doc: TantivyDocument = docs.get(doc_id).unwrap();
            let path = doc
                .get_first(store.fields.path)
                .and_then(|v| v.as_str())
                .unwrap()
                .to_string();
            let day = doc
                .get_first(store.fields.published)
                .and_then(|v| v.as_datetime())
                .map(|d| {
                    chrono::DateTime::from_timestamp(d.into_timestamp_secs(), 0)
                        .unwrap()
                        .format("%Y-%m-%d")
                        .to_string()
                });
            out.push((path, day));
        }
    }
    out
}

/// `file → date` from truth-train.tsv.
fn truth_dates() -> HashMap<String, String> {
    let truth = fs::read_to_string(shared("corpora/reuters21578/truth-train.tsv")).unwrap();
    truth
        .lines()
        .skip(1)
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            (cols[0].to_string(), cols[2].to_string())
        })
        .collect()
}

fn count(dir: &Path) -> u64 {
    ArticleIndex::open(dir)
        .unwrap()
        .index
        .reader()
        .unwrap()
        .searcher()
        .num_docs()
}

#[test]
fn reuters_pages_all_indexed_with_truth_dates() {
    let dir = tempfile::tempdir().unwrap();
    let articles = shared("corpora/reuters21578/articles");
    let summary = index_paths(
        dir.path(),
        &[articles],
        &IndexOptions::default(),
        None,
        &NoProgress,
    )
    .unwrap();
    assert_eq!(summary.articles, 19_043);
    assert_eq!(summary.total_articles, 19_043);
    assert!(
        summary.skipped.is_empty(),
        "{:?}",
        &summary.skipped[..summary.skipped.len().min(5)]
    );

    let truth = truth_dates();
    let stored: HashMap<String, Option<String>> = stored_dates(dir.path())
        .into_iter()
        .map(|(path, day)| {
            (
                Path::new(&path)
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                day,
            )
        })
        .collect();
    let right = truth
        .iter()
        .filter(|(file, day)| stored.get(*file).and_then(|d| d.as_ref()) == Some(*day))
        .count();
    let share = right as f64 / truth.len() as f64;
    assert!(
        share >= 0.999,
        "dates right for {right} of {} truth rows ({share:.4})",
        truth.len()
    );
}

#[test]
fn reuters_jsonl_gives_the_same_count_and_dates() {
    let dir = tempfile::tempdir().unwrap();
    let jsonl = shared("corpora/reuters21578/reuters.jsonl");
    let summary = index_paths(
        dir.path(),
        &[jsonl.clone()],
        &IndexOptions::default(),
        None,
        &NoProgress,
    )
    .unwrap();
    assert_eq!(summary.articles, 19_043);
    assert!(summary.record_problems.is_empty());

    // Line N of the JSONL holds article `reuters-<newid>`, whose page is `<newid>.txt`.
    let text = fs::read_to_string(&jsonl).unwrap();
    let file_of_line: HashMap<usize, String> = text
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            let id = value["id"]
                .as_str()
                .unwrap()
                .trim_start_matches("reuters-")
                .to_string();
            (i + 1, format!("{id}.txt"))
        })
        .collect();
    let stored: HashMap<String, Option<String>> = stored_dates(dir.path())
        .into_iter()
        .map(|(path, day)| {
            let line: usize = path.rsplit(':').next().unwrap().parse().unwrap();
            (file_of_line[&line].clone(), day)
        })
        .collect();
    let truth = truth_dates();
    let right = truth
        .iter()
        .filter(|(file, day)| stored.get(*file).and_then(|d| d.as_ref()) == Some(*day))
        .count();
    assert!(
        right as f64 / truth.len() as f64 >= 0.999,
        "{right} of {}",
        truth.len()
    );
}

#[test]
fn reindexing_adds_no_duplicates_and_replaces_a_changed_file() {
    let work = tempfile::tempdir().unwrap();
    let folder = work.path().join("news");
    fs::create_dir(&folder).unwrap();
    for entry in fs::read_dir(repo("corpus/wikinews")).unwrap().take(8) {
        let path = entry.unwrap().path();
        fs::copy(&path, folder.join(path.file_name().unwrap())).unwrap();
    }
    fs::copy(
        repo("corpus/000_a246f93a30b869c3.txt"),
        folder.join("seed.txt"),
    )
    .unwrap();
    let index = work.path().join("index");
    let options = IndexOptions::default();
    let first = index_paths(&index, &[folder.clone()], &options, None, &NoProgress).unwrap();
    let second = index_paths(&index, &[folder.clone()], &options, None, &NoProgress).unwrap();
    assert_eq!(first.total_articles, second.total_articles);
    assert_eq!(count(&index), first.articles);

    let seed = folder.join("seed.txt");
    let text = fs::read_to_string(&seed)
        .unwrap()
        .replacen("Daraya", "Zabadani", 1);
    fs::write(&seed, text).unwrap();
    index_paths(&index, &[folder.clone()], &options, None, &NoProgress).unwrap();
    assert_eq!(count(&index), first.articles);

    let store = ArticleIndex::open(&index).unwrap();
    let searcher = store.index.reader().unwrap().searcher();
    let term = |word: &str| tantivy::Term::from_field_text(store.fields.body_exact, word);
    let docs_with = |word: &str| {
        searcher.doc_freq(&term(word)).unwrap() - deleted_with(&searcher, &store, word)
    };
    assert_eq!(docs_with("zabadani"), 1);

    // --rebuild starts over.
    let rebuilt = index_paths(
        &index,
        &[folder],
        &IndexOptions {
            rebuild: true,
            ..options
        },
        None,
        &NoProgress,
    )
    .unwrap();
    assert_eq!(rebuilt.total_articles, first.articles);
}

/// doc_freq counts deleted documents until segments merge; count live ones with a query instead.
fn deleted_with(searcher: &tantivy::Searcher, store: &ArticleIndex, word: &str) -> u64 {
    let query = tantivy::query::TermQuery::new(
        tantivy::Term::from_field_text(store.fields.body_exact, word),
        tantivy::schema::IndexRecordOption::Basic,
    );
    let live = searcher.search(&query, &tantivy::collector::Count).unwrap() as u64;
    let all = searcher
        .doc_freq(&tantivy::Term::from_field_text(
            store.fields.body_exact,
            word,
        ))
        .unwrap();
    all - live
}

#[test]
fn hostile_files_are_named_and_good_files_still_indexed() {
    let work = tempfile::tempdir().unwrap();
    let folder = work.path().join("mixed");
    fs::create_dir(&folder).unwrap();
    fs::copy(
        repo("corpus/000_a246f93a30b869c3.txt"),
        folder.join("good.txt"),
    )
    .unwrap();
    fs::write(
        folder.join("latin1.txt"),
        b"Caf\xe9 owners protest\n\nThe caf\xe9 owners of the city protested on 27 Aug 2016.\n",
    )
    .unwrap();
    fs::write(
        folder.join("bom.txt"),
        [
            &[0xEF, 0xBB, 0xBF][..],
            b"BOM headline\n\nBody with a byte-order mark.\n",
        ]
        .concat(),
    )
    .unwrap();
    fs::write(folder.join("empty.txt"), b"").unwrap();
    fs::write(
        folder.join("image.txt"),
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0",
    )
    .unwrap();
    fs::write(
        folder.join("huge.txt"),
        format!("Huge\n\n{}\n", "a".repeat(50 << 20)),
    )
    .unwrap();
    fs::write(folder.join("broken.json"), b"{\"title\": \"x\", ").unwrap();
    fs::write(
        folder.join("deep.json"),
        format!("{}{}", "[".repeat(200_000), "]".repeat(200_000)),
    )
    .unwrap();
    fs::write(folder.join("some.jsonl"), b"{\"title\":\"Good line\",\"body\":\"ok\"}\n{bad\n{\"title\":\"Another\",\"body\":\"fine\"}\n").unwrap();
    std::os::unix::fs::symlink(
        folder.join("missing-target.txt"),
        folder.join("dangling.txt"),
    )
    .unwrap();
    fs::write(folder.join("photo.png"), b"\x89PNG").unwrap();

    let index = work.path().join("index");
    let summary = index_paths(
        &index,
        &[folder.clone()],
        &IndexOptions::default(),
        None,
        &NoProgress,
    )
    .unwrap();
    // good, latin1, bom, huge (capped), and the two good lines of some.jsonl.
    assert_eq!(summary.articles, 6, "{summary:?}");
    let reason_of = |name: &str| {
        summary
            .skipped
            .iter()
            .find(|(p, _)| p.file_name().unwrap() == name)
            .map(|(_, r)| r.category())
    };
    assert_eq!(reason_of("empty.txt"), Some("empty"));
    assert_eq!(reason_of("image.txt"), Some("binary"));
    assert_eq!(reason_of("broken.json"), Some("malformed"));
    assert_eq!(reason_of("deep.json"), Some("malformed"));
    assert_eq!(reason_of("dangling.txt"), Some("unreadable"));
    assert_eq!(reason_of("photo.png"), Some("unsupported type"));
    assert_eq!(summary.record_problems.len(), 1);
    assert_eq!(summary.record_problems[0].1.line, Some(2));
    assert!(summary
        .warnings
        .iter()
        .any(|(p, w)| p.ends_with("huge.txt") && w.contains("body")));
    assert!(!summary
        .skipped
        .iter()
        .any(|(_, r)| matches!(r, SkipReason::TooLarge(_))));
    assert_eq!(count(&index), 6);
}
