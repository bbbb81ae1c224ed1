//! Hostile input: random bytes and mutated real files (byte flips,
//! truncations, insertions) fed to [`parse_bytes`] as every [`FileKind`]
//! must never panic, and what comes out stays bounded by what went in.
//! (Gzip bombs and very deep HTML have their own tests in `tests/indexer.rs`.)

use proptest::prelude::*;

use super::{parse_bytes, FieldMap, FileKind, ParsedFile, MAX_BODY_BYTES, MAX_TITLE_BYTES};

const KINDS: [FileKind; 5] = [
    FileKind::TextPage,
    FileKind::Json,
    FileKind::JsonLines,
    FileKind::Html,
    FileKind::Warc,
];

const SEED_PAGE: &[u8] = include_bytes!("../../../../corpus/000_a246f93a30b869c3.txt");
const HTML_PAGE: &[u8] = include_bytes!("../../tests/fixtures/html/byline_date.html");
const JSON_LINES: &[u8] = b"{\"id\":\"a1\",\"title\":\"Truce talks\",\"body\":\"Kerry and Lavrov met in Geneva.\",\"published\":\"2016-08-27T02:17:00Z\"}\n\
{\"headline\":\"Siege ends\",\"text\":\"Rebels left Daraya \\u00e9 on Friday.\",\"date\":1472264220}\n\
not json at all\n\
{\"title\":\"Third\",\"content\":\"Body three.\",\"url\":\"https://example.com/3\"}\n";

fn warc() -> Vec<u8> {
    let html = "<html><head><title>Truce deal near</title></head><body><article><h1>Truce deal near</h1>\
        <p>The United States and Russia could not agree Friday on how to bring about a broad truce in Syria.</p>\
        <p>Kerry and Lavrov met for 12 hours in Geneva.</p></article></body></html>";
    let http = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\r\n{html}",
        html.len()
    );
    format!(
        "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://example.com/truce\r\n\
         WARC-Date: 2016-08-27T02:17:00Z\r\nWARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000001>\r\n\
         Content-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n{http}\r\n\r\n",
        http.len()
    )
    .into_bytes()
}

/// Found by `mutated_files_never_panic`: a target URI that is not UTF-8
/// (warc 0.4's `Record::header` unwraps it) is read, not a panic.
#[test]
fn a_warc_target_uri_that_is_not_utf8_does_not_panic() {
    let good = warc();
    let at = good
        .windows(4)
        .position(|w| w == b"http")
        .expect("the target URI");
    let mut bad = good[..at].to_vec();
    bad.extend_from_slice(b"%\xbeXra\x97");
    bad.extend_from_slice(&good[at..]);
    parse_all(&bad);
    let parsed = parse_bytes(&bad, FileKind::Warc, &FieldMap::default()).expect("one record");
    assert_eq!(parsed.articles.len(), 1);
    assert!(parsed.articles[0]
        .url
        .as_deref()
        .is_some_and(|u| u.contains('\u{fffd}')));
}

/// Parses `bytes` as every kind; panics (failing the property) only if a parser does.
fn parse_all(bytes: &[u8]) {
    for kind in KINDS {
        if let Ok(parsed) = parse_bytes(bytes, kind, &FieldMap::default()) {
            check_bounded(&parsed, bytes.len());
        }
    }
}

/// Each field within its cap, and the whole output within a small multiple
/// of the input (decoding a single-byte encoding can triple a byte; nothing
/// else grows text).
fn check_bounded(parsed: &ParsedFile, input: usize) {
    let mut total = 0;
    for article in &parsed.articles {
        assert!(
            article.body.len() <= MAX_BODY_BYTES,
            "body {}",
            article.body.len()
        );
        assert!(
            article.title.len() <= MAX_TITLE_BYTES + 4,
            "title {}",
            article.title.len()
        );
        total += article.title.len()
            + article.body.len()
            + article.related.iter().map(String::len).sum::<usize>();
    }
    assert!(
        total <= 3 * input + 1024,
        "{total} bytes of text from {input} bytes of input"
    );
    assert!(parsed.articles.len() + parsed.problems.len() <= input + 1);
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Truncate(usize),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1u8..=255).prop_map(|(at, bit)| Mutation::Flip(at, bit)),
        any::<usize>().prop_map(Mutation::Truncate),
        (
            any::<usize>(),
            prop_oneof![
                proptest::collection::vec(any::<u8>(), 1..16),
                // Bytes that mean something to the parsers.
                proptest::sample::select(vec![
                    b"<".to_vec(),
                    b"</p>".to_vec(),
                    b"<div>".to_vec(),
                    b"&#x0;".to_vec(),
                    b"\"".to_vec(),
                    b"{".to_vec(),
                    b"]".to_vec(),
                    b"\\u".to_vec(),
                    b"\r\n\r\n".to_vec(),
                    b"Content-Length: 99999999\r\n".to_vec(),
                    vec![0xef, 0xbb, 0xbf],
                    vec![0xff, 0xfe],
                    vec![0x1f, 0x8b, 0x08],
                    vec![0xc3],
                ]),
            ]
        )
            .prop_map(|(at, bytes)| Mutation::Insert(at, bytes)),
        (any::<usize>(), 1usize..64).prop_map(|(at, n)| Mutation::Delete(at, n)),
    ]
}

fn mutate(seed: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for m in mutations {
        let len = bytes.len().max(1);
        match m {
            Mutation::Flip(at, bit) => {
                if !bytes.is_empty() {
                    bytes[at % len] ^= bit;
                }
            }
            Mutation::Truncate(at) => bytes.truncate(at % len),
            Mutation::Insert(at, new) => {
                let at = at % (bytes.len() + 1);
                bytes.splice(at..at, new.iter().copied());
            }
            Mutation::Delete(at, n) => {
                let at = at % len;
                let end = (at + n).min(bytes.len());
                if at < end {
                    bytes.drain(at..end);
                }
            }
        }
    }
    bytes
}

fn seeds() -> Vec<Vec<u8>> {
    vec![
        SEED_PAGE.to_vec(),
        HTML_PAGE.to_vec(),
        JSON_LINES.to_vec(),
        warc(),
    ]
}

#[test]
fn the_unmutated_seeds_parse() {
    let kinds = [
        FileKind::TextPage,
        FileKind::Html,
        FileKind::JsonLines,
        FileKind::Warc,
    ];
    for (seed, kind) in seeds().iter().zip(kinds) {
        let parsed = parse_bytes(seed, kind, &FieldMap::default()).expect("seed parses");
        assert!(!parsed.articles.is_empty(), "{kind:?}");
        check_bounded(&parsed, seed.len());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        parse_all(&bytes);
    }

    #[test]
    fn random_text_never_panics(text in "[ -~\\n\\r\\t<>&;\"{}\\[\\]:,é€]{0,1024}") {
        parse_all(text.as_bytes());
    }

    #[test]
    fn mutated_files_never_panic(
        which in 0usize..4,
        mutations in proptest::collection::vec(mutation(), 1..12),
    ) {
        let bytes = mutate(&seeds()[which], &mutations);
        parse_all(&bytes);
    }

    #[test]
    fn mutated_gzip_never_panics(
        which in 0usize..4,
        mutations in proptest::collection::vec(mutation(), 0..6),
    ) {
        use std::io::Write;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(&seeds()[which]).unwrap();
        let gz = encoder.finish().unwrap();
        let bytes = mutate(&gz, &mutations);
        for kind in KINDS {
            // Output may exceed a multiple of the compressed input; the caps still hold.
            if let Ok(parsed) = parse_bytes(&bytes, kind, &FieldMap::default()) {
                for article in &parsed.articles {
                    prop_assert!(article.body.len() <= MAX_BODY_BYTES);
                }
            }
        }
    }
}
