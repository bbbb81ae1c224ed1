//! Parsing: one file's bytes in, the articles it holds out.
//!
//! Which parser reads a file is decided by [`FileKind::of`] in one place,
//! and every parser returns [`ParsedArticle`]s, so the writer does not care
//! where an article came from. Gzip-compressed files are recognised by
//! their content and inflated first, so any kind may come as `.gz`.

pub mod date;
mod decode;
mod gzip;
mod html;
mod json;
#[cfg(test)]
mod proptests;
mod text;
mod warc;

use std::path::Path;

use chrono::{DateTime, Utc};

pub use decode::{decode, Encoding, NotText};
pub use gzip::{MAX_INFLATED_BYTES, MAX_INFLATE_RATIO};
pub use html::{decode_html, parse_html_page, MAX_HTML_BYTES, MAX_HTML_DEPTH};
pub use json::{parse_json, parse_json_lines, parse_json_lines_from, FieldMap};
pub use text::parse_text_page;
pub use warc::{parse_warc, WarcContents};

/// Longest title kept; longer ones are cut with a warning.
pub const MAX_TITLE_BYTES: usize = 1_000;
/// Longest body kept (4 MiB); longer ones are cut with a warning. No news
/// article is this long: a file that is must be a dump or a mistake.
pub const MAX_BODY_BYTES: usize = 4 << 20;
/// Largest file read at all (1 GiB); larger files are skipped.
pub const MAX_FILE_BYTES: u64 = 1 << 30;

/// What one parser found in one article.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedArticle {
    /// Headline.
    pub title: String,
    /// The article's own text, without navigation, teasers or related links.
    pub body: String,
    /// Publication date, when the article states one.
    pub published: Option<DateTime<Utc>>,
    /// Headlines of other articles the page links to.
    pub related: Vec<String>,
    /// Canonical URL, when known.
    pub url: Option<String>,
    /// Site name, when known.
    pub site: Option<String>,
    /// Language (ISO 639-1), when detected.
    pub language: Option<String>,
    /// The record's own key within its file (a JSON `id`, or `#N`), for files holding many articles.
    pub key: Option<String>,
    /// 1-based line (JSON Lines) or item number (JSON arrays) of the record.
    pub record: Option<usize>,
    /// Things worth telling the user that did not stop the article (text cut short).
    pub warnings: Vec<String>,
}

/// A record inside a file that could not be read; the rest of the file still was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordProblem {
    /// 1-based line number, for line-oriented files.
    pub line: Option<usize>,
    /// What was wrong.
    pub message: String,
}

/// Why a whole file was not indexed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SkipReason {
    /// The file could not be read (permissions, vanished, I/O error).
    Unreadable(String),
    /// Binary data, not text.
    Binary,
    /// The file is empty or holds only white space.
    Empty,
    /// Larger than [`MAX_FILE_BYTES`].
    TooLarge(u64),
    /// Not a kind of file byline reads.
    Unsupported,
    /// The file's structure is broken (invalid JSON).
    Malformed(String),
    /// The file parsed, but no record in it held an article.
    NoArticles,
}

impl SkipReason {
    /// A short name for grouping in summaries.
    pub fn category(&self) -> &'static str {
        match self {
            SkipReason::Unreadable(_) => "unreadable",
            SkipReason::Binary => "binary",
            SkipReason::Empty => "empty",
            SkipReason::TooLarge(_) => "too large",
            SkipReason::Unsupported => "unsupported type",
            SkipReason::Malformed(_) => "malformed",
            SkipReason::NoArticles => "no articles",
        }
    }
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SkipReason::Unreadable(e) => write!(f, "unreadable: {e}"),
            SkipReason::Binary => write!(f, "binary file"),
            SkipReason::Empty => write!(f, "empty file"),
            SkipReason::TooLarge(n) => {
                write!(f, "too large ({n} bytes; the limit is {MAX_FILE_BYTES})")
            }
            SkipReason::Unsupported => write!(f, "not a supported file type"),
            SkipReason::Malformed(e) => write!(f, "malformed: {e}"),
            SkipReason::NoArticles => write!(f, "no article in it"),
        }
    }
}

/// The formats byline reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A scraped text page (`.txt`, `.text`, or no extension).
    TextPage,
    /// A JSON document (`.json`).
    Json,
    /// JSON Lines (`.jsonl`, `.ndjson`).
    JsonLines,
    /// An HTML page (`.html`, `.htm`, `.xhtml`).
    Html,
    /// A web archive (`.warc`): one article per HTML response record.
    Warc,
}

impl FileKind {
    /// Decides from the file name which parser reads a file, if any. A
    /// `.gz` file is read as what its name says without the `.gz`
    /// (`page.html.gz` is a page, `x.warc.gz` an archive).
    pub fn of(path: &Path) -> Option<FileKind> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("gz") => FileKind::of(Path::new(path.file_stem()?)),
            None | Some("txt") | Some("text") => Some(FileKind::TextPage),
            Some("json") => Some(FileKind::Json),
            Some("jsonl") | Some("ndjson") => Some(FileKind::JsonLines),
            Some("html") | Some("htm") | Some("xhtml") => Some(FileKind::Html),
            Some("warc") => Some(FileKind::Warc),
            Some(_) => None,
        }
    }
}

/// Everything read from one file.
#[derive(Debug, Clone, Default)]
pub struct ParsedFile {
    /// The articles, in file order.
    pub articles: Vec<ParsedArticle>,
    /// Records that were skipped.
    pub problems: Vec<RecordProblem>,
    /// How the bytes were decoded.
    pub encoding: Option<Encoding>,
}

/// Parses one file's bytes as the given kind, inflating them first when
/// they are gzip-compressed.
pub fn parse_bytes(
    bytes: &[u8],
    kind: FileKind,
    fields: &FieldMap,
) -> Result<ParsedFile, SkipReason> {
    if kind == FileKind::Warc {
        // Archives inflate as they stream, record by record.
        return parse_warc_file(bytes);
    }
    let inflated;
    let bytes = if gzip::is_gzip(bytes) {
        inflated = gzip::gunzip(bytes).map_err(|e| SkipReason::Malformed(format!("gzip: {e}")))?;
        &inflated[..]
    } else {
        bytes
    };
    let decoded = match kind {
        FileKind::Html => decode_html(bytes, None),
        _ => decode(bytes),
    };
    let (text, encoding) = decoded.map_err(|NotText::Binary| SkipReason::Binary)?;
    if text.trim().is_empty() {
        return Err(SkipReason::Empty);
    }
    let (articles, problems) = match kind {
        FileKind::TextPage => {
            let article = parse_text_page(&text);
            (vec![article], Vec::new())
        }
        FileKind::JsonLines => parse_json_lines(&text, fields),
        FileKind::Json => parse_json(&text, fields).map_err(SkipReason::Malformed)?,
        FileKind::Html => (vec![parse_html_page(&text, None)?], Vec::new()),
        FileKind::Warc => unreachable!("archives returned above"),
    };
    if articles.is_empty() {
        return Err(no_articles(&problems));
    }
    Ok(ParsedFile {
        articles,
        problems,
        encoding: Some(encoding),
    })
}

/// Parses a run of whole lines of a JSON Lines file, the first of them
/// line `first_line` of the file (large exports are read a run at a time).
/// The run is parsed in pieces on every core; records keep file order.
pub fn parse_json_lines_run(
    bytes: &[u8],
    first_line: usize,
    fields: &FieldMap,
) -> (Vec<ParsedArticle>, Vec<RecordProblem>) {
    use rayon::prelude::*;
    const PIECE_BYTES: usize = 1 << 20;
    let text = match decode(bytes) {
        Ok((text, _)) => text,
        Err(NotText::Binary) => {
            return (
                Vec::new(),
                vec![RecordProblem {
                    line: Some(first_line),
                    message: "binary data, not JSON Lines".to_string(),
                }],
            )
        }
    };
    // Pieces of about PIECE_BYTES ending on a line break, with their first line.
    let mut pieces = Vec::new();
    let (mut start, mut line) = (0, first_line);
    while start < text.len() {
        let mut end = (start + PIECE_BYTES).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        let end = match text[end..].find('\n') {
            Some(i) if end < text.len() => end + i + 1,
            _ => text.len(),
        };
        let piece = &text[start..end];
        pieces.push((line, piece));
        line += piece.bytes().filter(|&b| b == b'\n').count();
        start = end;
    }
    let parsed: Vec<_> = pieces
        .par_iter()
        .map(|&(line, piece)| parse_json_lines_from(piece, fields, line))
        .collect();
    let mut articles = Vec::new();
    let mut problems = Vec::new();
    for (a, p) in parsed {
        articles.extend(a);
        problems.extend(p);
    }
    (articles, problems)
}

/// Why a file gave no article: its first record problem, else none found.
pub fn no_articles(problems: &[RecordProblem]) -> SkipReason {
    match problems.first() {
        Some(first) => SkipReason::Malformed(match first.line {
            Some(line) => format!("line {line}: {}", first.message),
            None => first.message.clone(),
        }),
        None => SkipReason::NoArticles,
    }
}

/// True when a file can be read as runs of lines: not gzip, not UTF-16.
pub fn reads_as_lines(head: &[u8]) -> bool {
    !(gzip::is_gzip(head) || head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]))
}

/// Reads a web archive. One that held no page is [`SkipReason::NoArticles`]
/// (or [`SkipReason::Malformed`] when it broke before any page).
fn parse_warc_file(bytes: &[u8]) -> Result<ParsedFile, SkipReason> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(SkipReason::Empty);
    }
    let contents = parse_warc(bytes)?;
    let summary = contents.passed_over_summary();
    let WarcContents {
        articles,
        mut problems,
        ..
    } = contents;
    if articles.is_empty() {
        return Err(match problems.first() {
            Some(p) => SkipReason::Malformed(p.message.clone()),
            None => SkipReason::NoArticles,
        });
    }
    problems.extend(summary.map(|message| RecordProblem {
        line: None,
        message,
    }));
    Ok(ParsedFile {
        articles,
        problems,
        encoding: None,
    })
}

/// Cuts `text` to at most `max` bytes on a character boundary, noting it.
pub(crate) fn cap_text(text: &str, max: usize, what: &str, warnings: &mut Vec<String>) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    warnings.push(format!(
        "{what} is {} bytes; kept the first {end}",
        text.len()
    ));
    text[..end].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_of_json_lines_parses_in_pieces_as_one_text() {
        // About 3 MiB: several pieces, split on line breaks, with a bad line,
        // a blank line and non-ASCII text near piece boundaries.
        let mut text = String::new();
        for i in 0..12_000 {
            match i {
                4_000 => text.push_str("{broken\n"),
                8_000 => text.push('\n'),
                _ => text.push_str(&format!(
                    "{{\"id\":\"a{i}\",\"title\":\"Dārayyā talks {i}\",\"body\":\"{}\"}}\n",
                    "Aleppo and Daraya under siege. ".repeat(8)
                )),
            }
        }
        assert!(text.len() > 3 << 20);
        let fields = FieldMap::default();
        let (articles, problems) = parse_json_lines_run(text.as_bytes(), 101, &fields);
        let (want_articles, want_problems) = parse_json_lines_from(&text, &fields, 101);
        assert_eq!(articles.len(), 11_998);
        assert_eq!(articles, want_articles);
        assert_eq!(problems, want_problems);
        assert_eq!(problems[0].line, Some(4_101));
        assert_eq!(articles.last().unwrap().record, Some(12_100));
        // Compressed or UTF-16 exports are read whole instead.
        assert!(reads_as_lines(b"{\"id\""));
        assert!(reads_as_lines(b"\xEF\xBB\xBF{"));
        assert!(!reads_as_lines(&[0x1f, 0x8b, 8, 0]));
        assert!(!reads_as_lines(&[0xFF, 0xFE, b'{', 0]));
    }

    #[test]
    fn kinds_by_extension() {
        assert_eq!(FileKind::of(Path::new("a/b.TXT")), Some(FileKind::TextPage));
        assert_eq!(
            FileKind::of(Path::new("a/README")),
            Some(FileKind::TextPage)
        );
        assert_eq!(
            FileKind::of(Path::new("x.ndjson")),
            Some(FileKind::JsonLines)
        );
        assert_eq!(FileKind::of(Path::new("x.png")), None);
        assert_eq!(FileKind::of(Path::new("a/p.HTM")), Some(FileKind::Html));
        assert_eq!(FileKind::of(Path::new("p.html.gz")), Some(FileKind::Html));
        assert_eq!(FileKind::of(Path::new("c.warc.gz")), Some(FileKind::Warc));
        assert_eq!(
            FileKind::of(Path::new("f.jsonl.gz")),
            Some(FileKind::JsonLines)
        );
        assert_eq!(FileKind::of(Path::new("backup.tar.gz")), None);
    }

    #[test]
    fn huge_single_line_is_capped_with_a_warning() {
        let line = "word ".repeat(2_000_000); // 10 MB, one line
        let page = format!("Title\n\n{line}\n");
        let parsed =
            parse_bytes(page.as_bytes(), FileKind::TextPage, &FieldMap::default()).unwrap();
        let article = &parsed.articles[0];
        assert!(article.body.len() <= MAX_BODY_BYTES);
        assert_eq!(article.warnings.len(), 1);
    }

    #[test]
    fn empty_binary_and_malformed_are_reasons() {
        let fields = FieldMap::default();
        assert_eq!(
            parse_bytes(b"  \n", FileKind::TextPage, &fields).unwrap_err(),
            SkipReason::Empty
        );
        assert_eq!(
            parse_bytes(b"\0\0\x01", FileKind::TextPage, &fields).unwrap_err(),
            SkipReason::Binary
        );
        assert!(matches!(
            parse_bytes(b"{oops", FileKind::Json, &fields),
            Err(SkipReason::Malformed(_))
        ));
        assert!(matches!(
            parse_bytes(b"{oops\n", FileKind::JsonLines, &fields),
            Err(SkipReason::Malformed(_))
        ));
    }
}
