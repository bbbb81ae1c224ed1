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
        std::slice::from_ref(&jsonl),
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

    // Read a run of lines at a time (as an export larger than
    // `jsonl_run_bytes` is), the file gives the same articles under the
    // same line numbers, and a bad line is named by its line in the file.
    let input = tempfile::tempdir().unwrap();
    let copy = input.path().join("reuters.jsonl");
    let mut lines: Vec<&str> = text.lines().collect();
    lines.insert(12_345, "{not json");
    fs::write(&copy, lines.join("\n") + "\n").unwrap();
    let index_copy = |run_bytes: usize| {
        let dir = tempfile::tempdir().unwrap();
        let options = IndexOptions {
            jsonl_run_bytes: run_bytes,
            ..IndexOptions::default()
        };
        let summary = index_paths(
            dir.path(),
            std::slice::from_ref(&copy),
            &options,
            None,
            &NoProgress,
        )
        .unwrap();
        let mut dates = stored_dates(dir.path());
        dates.sort();
        (summary, dates)
    };
    let (whole, whole_dates) = index_copy(usize::MAX);
    let (runs, runs_dates) = index_copy(1 << 20);
    assert_eq!(whole.articles, 19_043);
    assert_eq!(runs.articles, 19_043);
    assert_eq!(runs_dates, whole_dates);
    let lines_named = |s: &byline_indexer::IndexSummary| -> Vec<Option<usize>> {
        s.record_problems.iter().map(|(_, p)| p.line).collect()
    };
    assert_eq!(lines_named(&whole), vec![Some(12_346)]);
    assert_eq!(lines_named(&runs), vec![Some(12_346)]);
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
    let first = index_paths(
        &index,
        std::slice::from_ref(&folder),
        &options,
        None,
        &NoProgress,
    )
    .unwrap();
    let second = index_paths(
        &index,
        std::slice::from_ref(&folder),
        &options,
        None,
        &NoProgress,
    )
    .unwrap();
    assert_eq!(first.total_articles, second.total_articles);
    assert_eq!(count(&index), first.articles);

    let seed = folder.join("seed.txt");
    let text = fs::read_to_string(&seed)
        .unwrap()
        .replacen("Daraya", "Zabadani", 1);
    fs::write(&seed, text).unwrap();
    index_paths(
        &index,
        std::slice::from_ref(&folder),
        &options,
        None,
        &NoProgress,
    )
    .unwrap();
    assert_eq!(count(&index), first.articles);

    let store = ArticleIndex::open(&index).unwrap();
    let searcher = store.index.reader().unwrap().searcher();
    let term = |word: &str| tantivy::Term::from_field_text(store.fields.body, word);
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
        tantivy::Term::from_field_text(store.fields.body, word),
        tantivy::schema::IndexRecordOption::Basic,
    );
    let live = searcher.search(&query, &tantivy::collector::Count).unwrap() as u64;
    let all = searcher
        .doc_freq(&tantivy::Term::from_field_text(store.fields.body, word))
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
        std::slice::from_ref(&folder),
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

/// Token-level F1 of an extracted body against the expected one (words,
/// lowercase, counted with multiplicity).
fn token_f1(got: &str, want: &str) -> f64 {
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let (got, want) = (words(got), words(want));
    let mut left: HashMap<&str, usize> = HashMap::new();
    for w in &want {
        *left.entry(w).or_default() += 1;
    }
    let common = got
        .iter()
        .filter(|w| {
            left.get_mut(String::as_str(w)).is_some_and(|n| {
                *n > 0 && {
                    *n -= 1;
                    true
                }
            })
        })
        .count();
    if common == 0 {
        return 0.0;
    }
    let (p, r) = (
        common as f64 / got.len() as f64,
        common as f64 / want.len() as f64,
    );
    2.0 * p * r / (p + r)
}

/// Every page in tests/fixtures/html, in the shapes of different publishing
/// systems, against its `.expected.json`: headline, date (RFC 3339, or a
/// day), first and last body sentence, language, and when given the
/// canonical URL, site name and related headlines.
#[test]
fn html_fixtures_give_title_date_and_the_article_body() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/html");
    let mut pages: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    pages.sort();
    assert!(pages.len() >= 20, "{} fixtures", pages.len());
    let fields = byline_indexer::FieldMap::default();
    let mut f1_sum = 0.0;
    let mut failures = Vec::new();
    let start = std::time::Instant::now();
    for page in &pages {
        let name = page.file_stem().unwrap().to_string_lossy().into_owned();
        let expected: serde_json::Value = serde_json::from_str(
            &fs::read_to_string(page.with_extension("expected.json")).unwrap(),
        )
        .unwrap();
        let want = |key: &str| expected[key].as_str().map(str::to_string);
        let kind = byline_indexer::parse::FileKind::of(page).unwrap();
        let parsed = byline_indexer::parse::parse_bytes(&fs::read(page).unwrap(), kind, &fields)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let a = &parsed.articles[0];
        let mut check = |what: &str, ok: bool, got: String| {
            if !ok {
                failures.push(format!("{name}: {what}: got {got:?}"));
            }
        };
        let published = want("published").unwrap();
        let got_date = a
            .published
            .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        let date_ok = match published.len() {
            10 => got_date
                .as_deref()
                .is_some_and(|d| d.starts_with(&published)),
            _ => got_date.as_deref() == Some(published.as_str()),
        };
        check("published", date_ok, format!("{got_date:?}"));
        check(
            "title",
            Some(a.title.clone()) == want("title"),
            a.title.clone(),
        );
        check(
            "first sentence",
            a.body.starts_with(&want("first").unwrap()),
            a.body.chars().take(80).collect(),
        );
        check(
            "last sentence",
            a.body.ends_with(&want("last").unwrap()),
            a.body
                .chars()
                .rev()
                .take(80)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect(),
        );
        check(
            "language",
            a.language == want("language"),
            format!("{:?}", a.language),
        );
        for (key, got) in [("url", &a.url), ("site", &a.site)] {
            if let Some(value) = want(key) {
                check(
                    key,
                    got.as_deref() == Some(value.as_str()),
                    format!("{got:?}"),
                );
            }
        }
        for headline in expected["related"].as_array().into_iter().flatten() {
            let headline = headline.as_str().unwrap();
            check(
                "related",
                a.related.iter().any(|r| r == headline),
                format!("{:?} lacks {headline:?}", a.related),
            );
        }
        f1_sum += token_f1(&a.body, &want("body").unwrap());
    }
    let elapsed = start.elapsed().as_secs_f64();
    let mean_f1 = f1_sum / pages.len() as f64;
    println!(
        "{} HTML fixtures: mean body token F1 {mean_f1:.3}, {:.0} pages/s",
        pages.len(),
        pages.len() as f64 / elapsed
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(mean_f1 >= 0.95, "mean body token F1 {mean_f1:.3}");
}

/// Writes `data` gzip-compressed.
fn write_gz(path: &Path, data: &[u8]) {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(
        fs::File::create(path).unwrap(),
        flate2::Compression::default(),
    );
    enc.write_all(data).unwrap();
    enc.finish().unwrap();
}

/// Compressed pages and feeds are read as what they hold; a gzip bomb
/// (200 MB of zeros in ~200 KB) and a page nested 10,000 deep are refused
/// with a reason, and the rest of the folder still goes in.
#[test]
fn gzip_files_are_read_and_bombs_and_deep_pages_refused() {
    use std::io::Write;
    let work = tempfile::tempdir().unwrap();
    let folder = work.path().join("gz");
    fs::create_dir(&folder).unwrap();
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/html/german_tram.html");
    write_gz(&folder.join("page.html.gz"), &fs::read(fixture).unwrap());
    write_gz(
        &folder.join("feed.jsonl.gz"),
        b"{\"title\":\"One\",\"body\":\"first\"}\n{\"title\":\"Two\",\"body\":\"second\"}\n",
    );
    let mut bomb = flate2::write::GzEncoder::new(
        fs::File::create(folder.join("bomb.html.gz")).unwrap(),
        flate2::Compression::best(),
    );
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..200 {
        bomb.write_all(&zeros).unwrap();
    }
    bomb.finish().unwrap();
    fs::write(
        folder.join("deep.html"),
        format!(
            "<html><body>{}x{}</body></html>",
            "<div>".repeat(10_000),
            "</div>".repeat(10_000)
        ),
    )
    .unwrap();
    fs::write(
        folder.join("not-really.html.gz"),
        b"\x1f\x8b but then nothing sensible",
    )
    .unwrap();

    let summary = index_paths(
        &work.path().join("index"),
        std::slice::from_ref(&folder),
        &IndexOptions::default(),
        None,
        &NoProgress,
    )
    .unwrap();
    assert_eq!(summary.articles, 3, "{summary:?}");
    let reason_of = |name: &str| {
        summary
            .skipped
            .iter()
            .find(|(p, _)| p.file_name().unwrap() == name)
            .map(|(_, r)| r.to_string())
            .unwrap_or_default()
    };
    assert!(
        reason_of("bomb.html.gz").contains("gzip bomb"),
        "{}",
        reason_of("bomb.html.gz")
    );
    assert!(
        reason_of("deep.html").contains("nesting deeper than"),
        "{}",
        reason_of("deep.html")
    );
    assert!(reason_of("not-really.html.gz").contains("broken gzip data"));
}

/// A WARC as a crawler writes it: the HTML page served with 200 becomes an
/// article keyed and addressed by its target URI; the 404, the request and
/// the image are passed over and counted.
#[test]
fn warc_html_responses_become_articles() {
    use warc::{RecordBuilder, RecordType, WarcHeader, WarcWriter};
    let page = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/html/amp_article.html"),
    )
    .unwrap();
    let response = |status: &str, content_type: &str, body: &[u8]| {
        let mut payload = format!(
            "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        payload.extend_from_slice(body);
        payload
    };
    let record = |kind: RecordType, uri: &str, body: Vec<u8>| {
        RecordBuilder::default()
            .warc_type(kind)
            .header(WarcHeader::TargetURI, uri)
            .header(
                WarcHeader::ContentType,
                "application/http; msgtype=response",
            )
            .body(body)
            .build()
            .unwrap()
    };
    let article_uri = "https://danbytimes.example/business/warehouse-robots?amp=1";
    let records = [
        record(
            RecordType::Request,
            article_uri,
            b"GET /business/warehouse-robots?amp=1 HTTP/1.1\r\nHost: danbytimes.example\r\n\r\n"
                .to_vec(),
        ),
        record(
            RecordType::Response,
            article_uri,
            response("200 OK", "text/html; charset=utf-8", page.as_bytes()),
        ),
        record(
            RecordType::Response,
            "https://danbytimes.example/gone",
            response(
                "404 Not Found",
                "text/html",
                b"<html><body>Not found</body></html>",
            ),
        ),
        record(
            RecordType::Response,
            "https://danbytimes.example/logo.png",
            response("200 OK", "image/png", b"\x89PNG\r\n\x1a\n"),
        ),
    ];
    let mut writer = WarcWriter::new(std::io::BufWriter::new(Vec::new()));
    for r in &records {
        writer.write(r).unwrap();
    }
    let warc = writer.into_inner().unwrap();

    let parsed = byline_indexer::parse::parse_bytes(
        &warc,
        byline_indexer::parse::FileKind::Warc,
        &byline_indexer::FieldMap::default(),
    )
    .unwrap();
    assert_eq!(parsed.articles.len(), 1);
    let a = &parsed.articles[0];
    assert_eq!(a.key.as_deref(), Some(article_uri));
    assert_eq!(a.url.as_deref(), Some(article_uri));
    assert_eq!(a.record, Some(2));
    assert_eq!(
        a.title,
        "Warehouse robots cut night shifts at Danby distribution centre"
    );
    assert_eq!(
        a.published.unwrap().to_rfc3339(),
        "2020-09-30T13:45:00+00:00"
    );
    assert!(a.body.starts_with("A distribution centre near Danby"));
    let messages: Vec<&str> = parsed.problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(
        messages,
        ["passed over 3 of 4 WARC records: 1 HTTP status 404, 1 not HTML (image/png), 1 request"]
    );

    // The same archive gzip-compressed, through the whole pipeline.
    let work = tempfile::tempdir().unwrap();
    let folder = work.path().join("crawl");
    fs::create_dir(&folder).unwrap();
    write_gz(&folder.join("crawl.warc.gz"), &warc);
    let summary = index_paths(
        &work.path().join("index"),
        &[folder],
        &IndexOptions::default(),
        None,
        &NoProgress,
    )
    .unwrap();
    assert_eq!(summary.articles, 1, "{summary:?}");
    assert_eq!(summary.record_problems.len(), 1);
}

/// The stored values of one field of the first article whose path ends with `suffix`.
fn stored_values(store: &ArticleIndex, suffix: &str, field: tantivy::schema::Field) -> Vec<String> {
    let searcher = store.index.reader().unwrap().searcher();
    for segment in searcher.segment_readers() {
        let docs = segment.get_store_reader(0).unwrap();
        for doc_id in 0..segment.max_doc() {
            let doc: TantivyDocument = docs.get(doc_id).unwrap();
            let path = doc.get_first(store.fields.path).and_then(|v| v.as_str());
            if path.is_some_and(|p| p.ends_with(suffix)) {
                return doc
                    .get_all(field)
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect();
            }
        }
    }
    panic!("no article at {suffix}");
}

#[test]
fn corpus_indexed_with_entities_names_the_seed_articles_own_entities() {
    use byline_indexer::{EntityRecognizer, NerRecognizer};
    use tantivy::query::TermQuery;
    use tantivy::schema::{Facet, IndexRecordOption};

    let dir = tempfile::tempdir().unwrap();
    let recognizer = NerRecognizer::load().unwrap();
    let summary = index_paths(
        dir.path(),
        &[repo("corpus")],
        &IndexOptions::default(),
        Some(&recognizer as &dyn EntityRecognizer),
        &NoProgress,
    )
    .unwrap();
    assert_eq!(summary.articles, 25, "{summary:?}");
    let store = ArticleIndex::open(dir.path()).unwrap();
    let seed = "000_a246f93a30b869c3.txt";
    let f = &store.fields;
    let people = stored_values(&store, seed, f.person);
    let places = stored_values(&store, seed, f.place);
    let orgs = stored_values(&store, seed, f.org);

    let mut sorted = people.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [
            "Bashar al-Assad",
            "George Sabra",
            "John Kerry",
            "Sergei Lavrov",
            "Staffan de Mistura"
        ]
    );
    for place in [
        "Syria",
        "United States",
        "Russia",
        "Geneva",
        "Aleppo",
        "Iran",
        "Damascus",
        "Daraya",
    ] {
        assert!(
            places.iter().any(|p| p == place),
            "{place} not in {places:?}"
        );
    }
    for org in ["United Nations", "Hezbollah", "al-Nusra Front"] {
        assert!(orgs.iter().any(|o| o == org), "{org} not in {orgs:?}");
    }
    // Names that only the page's teasers and related headlines carry.
    for teaser in [
        "Donald Trump",
        "Recep Tayyip Erdogan",
        "Rafael Correa",
        "Mosul",
        "Mogadishu",
        "Ecuador",
        "Sweden",
        "Turkey",
        "Britain",
        "United Kingdom",
        "Amnesty International",
    ] {
        for values in [&people, &places, &orgs] {
            assert!(
                !values.iter().any(|v| v == teaser),
                "{teaser} in {values:?}"
            );
        }
    }

    // Places are hierarchical facets: Syria's subtree holds the seed (it
    // names Syria, Aleppo, Damascus and Daraya), and Daraya sits under its
    // canonical name.
    let searcher = store.index.reader().unwrap().searcher();
    let facet_count = |path: &str| {
        let term = tantivy::Term::from_facet(f.place_path, &Facet::from(path));
        searcher
            .search(
                &TermQuery::new(term, IndexRecordOption::Basic),
                &tantivy::collector::Count,
            )
            .unwrap()
    };
    assert!(facet_count("/Asia/Syria") >= 1);
    assert_eq!(facet_count("/Asia/Syria/Dārayyā"), 1);
    assert_eq!(facet_count("/Asia/Syria/Daraya"), 0);
}

/// Throughput of the HTML extractor on the fixtures as they are (a few KB
/// each) and padded to ~100 KB with what real pages carry (a 300-link
/// menu, inline scripts and SVG icons, a long footer). Prints pages/s;
/// run with `cargo test --release -p byline-indexer --test indexer
/// html_throughput -- --ignored --nocapture`.
#[test]
#[ignore = "a measurement, not a check; run in release"]
fn html_throughput() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/html");
    let pages: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .map(|p| fs::read_to_string(p).unwrap())
        .collect();
    let menu: String = (0..300)
        .map(|i| {
            format!(
                "<li class=\"menu-item\"><a href=\"/section/{i}\">Section {i} of the site</a></li>"
            )
        })
        .collect();
    let script = format!(
        "<script>var cfg = {{{}}};</script>",
        (0..800)
            .map(|i| format!("\"k{i}\": \"value {i} for the tracking config\""))
            .collect::<Vec<_>>()
            .join(",")
    );
    let svg = "<svg viewBox=\"0 0 24 24\"><path d=\"M12 2C6.48 2 2 6.48 2 12s4.48 10 10 10 10-4.48 10-10S17.52 2 12 2z\"/></svg>".repeat(60);
    let footer: String = (0..40)
        .map(|i| format!("<p>Footer paragraph {i}: terms, conditions and privacy notes that every page repeats.</p>"))
        .collect();
    let heavy: Vec<String> = pages
        .iter()
        .map(|p| {
            p.replacen(
                "<body",
                &format!("<body><nav><ul>{menu}</ul></nav>{script}{svg}</body-x"),
                1,
            )
            .replacen("</body-x", "", 1)
            .replacen(
                "</body>",
                &format!("<footer>{footer}</footer>{script}</body>"),
                1,
            )
        })
        .collect();
    for (what, set, rounds) in [("as written", &pages, 50), ("padded", &heavy, 10)] {
        let bytes: usize = set.iter().map(String::len).sum();
        let start = std::time::Instant::now();
        for _ in 0..rounds {
            for page in set {
                byline_indexer::parse::parse_html_page(page, None).unwrap();
            }
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "{what}: {} pages of {} KB on average: {:.0} pages/s, {:.1} MB/s",
            set.len(),
            bytes / set.len() / 1024,
            (set.len() * rounds) as f64 / secs,
            (bytes * rounds) as f64 / secs / 1e6
        );
    }
}

#[test]
fn incremental_run_reports_new_changed_removed_and_unchanged() {
    let work = tempfile::tempdir().unwrap();
    let folder = work.path().join("news");
    fs::create_dir(&folder).unwrap();
    let sources: Vec<PathBuf> = fs::read_dir(repo("corpus/wikinews"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .take(6)
        .collect();
    for path in &sources {
        fs::copy(path, folder.join(path.file_name().unwrap())).unwrap();
    }
    let index = work.path().join("index");
    let options = IndexOptions::default();
    let first = index_paths(
        &index,
        std::slice::from_ref(&folder),
        &options,
        None,
        &NoProgress,
    )
    .unwrap();
    assert_eq!((first.new_files, first.articles), (6, 6));

    let names: Vec<PathBuf> = sources
        .iter()
        .map(|p| folder.join(p.file_name().unwrap()))
        .collect();
    // changed: new content; removed: deleted; touched: same bytes written again; added: a new file.
    fs::write(
        &names[0],
        "Changed headline\n\nA brand new body about zanzibarian cloves.\n",
    )
    .unwrap();
    fs::remove_file(&names[1]).unwrap();
    let same = fs::read(&names[2]).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    fs::write(&names[2], same).unwrap();
    fs::write(
        folder.join("added.txt"),
        "Added headline\n\nAnother body.\n",
    )
    .unwrap();

    let second = index_paths(
        &index,
        std::slice::from_ref(&folder),
        &options,
        None,
        &NoProgress,
    )
    .unwrap();
    assert_eq!(
        (
            second.new_files,
            second.changed_files,
            second.removed_files,
            second.unchanged_files
        ),
        (1, 1, 1, 4),
        "{second:?}"
    );
    assert_eq!(
        second.articles, 2,
        "only the new and the changed file are parsed"
    );
    assert_eq!(second.total_articles, 6);

    // Indexing another folder into the same index removes nothing of the first.
    let other = work.path().join("other");
    fs::create_dir(&other).unwrap();
    fs::write(other.join("x.txt"), "Other headline\n\nOther body.\n").unwrap();
    let third = index_paths(&index, &[other], &options, None, &NoProgress).unwrap();
    assert_eq!((third.removed_files, third.total_articles), (0, 7));
}

/// The seed page, a copy of it under another name and headline, a copy
/// with one sentence rewritten and a boilerplate line added, and an
/// unrelated article.
fn copies_folder(folder: &Path) {
    let seed = fs::read_to_string(repo("corpus/000_a246f93a30b869c3.txt")).unwrap();
    fs::create_dir_all(folder).unwrap();
    fs::write(folder.join("a_original.txt"), &seed).unwrap();
    let (_, rest) = seed.split_once('\n').unwrap();
    fs::write(
        folder.join("b_exact.txt"),
        format!("Syria: US and Russia near truce\n{rest}"),
    )
    .unwrap();
    let near = seed.replace(
        "UN-brokered peace talks broke down in April as a previous truce crumbled.",
        "Peace talks sponsored by the United Nations collapsed in the spring when an earlier ceasefire fell apart.",
    );
    assert_ne!(near, seed);
    fs::write(
        folder.join("c_near.txt"),
        format!("{near}\n\n(Reporting by our Geneva bureau; editing by the desk)\n"),
    )
    .unwrap();
    let other = fs::read_dir(repo("corpus/wikinews"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .min()
        .unwrap();
    fs::copy(other, folder.join("d_other.txt")).unwrap();
}

#[test]
fn copies_are_grouped_and_the_grouping_saved_for_the_commit() {
    use byline_indexer::duplicates::{DuplicateGroups, DUPLICATES_FILE};
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("articles");
    copies_folder(&folder);
    let dir = tmp.path().join("index");
    index_paths(
        &dir,
        std::slice::from_ref(&folder),
        &IndexOptions::default(),
        None,
        &NoProgress,
    )
    .unwrap();
    let store = ArticleIndex::open(&dir).unwrap();
    let saved = DuplicateGroups::load(&dir).expect("duplicates.json written");
    assert_eq!(
        saved.commit_opstamp,
        store.index.load_metas().unwrap().opstamp
    );
    assert_eq!(saved.groups.len(), 1, "{:?}", saved.groups);
    let group = &saved.groups[0];
    assert_eq!(group.len(), 3);
    let source = |name: &str| byline_indexer::source_key(&folder.join(name));
    let id = |name: &str| byline_indexer::article_id(&source(name), None);
    // Same date everywhere: the representative is the smallest id, the rest follow by id.
    let mut expected = vec![id("a_original.txt"), id("b_exact.txt"), id("c_near.txt")];
    expected.sort();
    assert_eq!(group, &expected);
    assert!(!group.contains(&id("d_other.txt")));

    // A stale file (for another commit) is not trusted: the grouping is recomputed.
    let stale = DuplicateGroups {
        commit_opstamp: saved.commit_opstamp + 1000,
        groups: vec![],
        ..saved.clone()
    };
    stale.save(&dir).unwrap();
    let searcher = store.index.reader().unwrap().searcher();
    let loaded = DuplicateGroups::load_or_compute(&store, &searcher).unwrap();
    assert_eq!(loaded.groups, saved.groups);
    // A damaged one neither.
    fs::write(dir.join(DUPLICATES_FILE), "{not json").unwrap();
    let loaded = DuplicateGroups::load_or_compute(&store, &searcher).unwrap();
    assert_eq!(loaded.groups, saved.groups);

    // Removing the exact copy and re-indexing leaves a group of two.
    fs::remove_file(folder.join("b_exact.txt")).unwrap();
    index_paths(&dir, &[folder], &IndexOptions::default(), None, &NoProgress).unwrap();
    let saved = DuplicateGroups::load(&dir).unwrap();
    assert_eq!(saved.groups.len(), 1);
    assert_eq!(saved.groups[0].len(), 2);
}

#[test]
fn reuters_exact_copies_are_grouped_quickly() {
    use byline_indexer::duplicates::DuplicateGroups;
    let tmp = tempfile::tempdir().unwrap();
    let articles = shared("corpora/reuters21578/articles");
    index_paths(
        tmp.path(),
        std::slice::from_ref(&articles),
        &IndexOptions::default(),
        None,
        &NoProgress,
    )
    .unwrap();
    let store = ArticleIndex::open(tmp.path()).unwrap();
    let saved = DuplicateGroups::load(tmp.path()).unwrap();
    // Reuters-21578 repeats stories: 448 groups at the time of writing.
    assert!(saved.groups.len() > 300, "{} groups", saved.groups.len());
    let id =
        |n: &str| byline_indexer::article_id(&byline_indexer::source_key(&articles.join(n)), None);
    // Three wires of one story (LLOYDS BANK MATCHES BASE RATE CUT TO 10.5 PCT).
    let lloyds = saved
        .groups
        .iter()
        .find(|g| g.contains(&id("3128.txt")))
        .expect("the Lloyds copies are grouped");
    assert!(lloyds.contains(&id("3131.txt")) && lloyds.contains(&id("3133.txt")));
    // Grouping again from the index gives the saved groups. (Its speed is
    // a benchmark figure, not a test: about a second at 1M articles, from
    // the `duplicates grouped` line of `byline -v index`.)
    let searcher = store.index.reader().unwrap().searcher();
    let again = DuplicateGroups::compute(&searcher, saved.commit_opstamp).unwrap();
    assert_eq!(again, saved);
}
