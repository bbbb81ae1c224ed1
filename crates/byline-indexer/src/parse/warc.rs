//! Web archives (`.warc`, `.warc.gz`), as crawlers such as Heritrix, wget
//! and Browsertrix write them.
//!
//! Each `response` record holding an HTTP 200 HTML page becomes an
//! article, keyed by its `WARC-Target-URI`. Everything else (requests,
//! metadata, redirects, images, errors) is passed over and counted by
//! reason; [`parse_bytes`](super::parse_bytes) turns the counts into one
//! [`RecordProblem`] per file, so a crawl that yielded few articles says why.
//!
//! Records are read one at a time from the (inflating) stream: a crawl's
//! archive is several times larger inflated than on disk, and only the
//! current record is held in memory. A gzip bomb is still refused by the
//! ratio cap of [`super::gzip`].

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};

use flate2::read::{MultiGzDecoder, ZlibDecoder};
use warc::{RecordType, WarcHeader, WarcReader};

use super::gzip::{classify, inflate_limit, is_gzip, Capped, InflateError, MAX_INFLATED_BYTES};
use super::html::{decode_html, parse_html_page};
use super::{ParsedArticle, RecordProblem, SkipReason};

/// Most HTTP headers read from one response; more means a broken record.
const MAX_HTTP_HEADERS: usize = 128;

/// What the records of one archive gave.
#[derive(Debug, Default)]
pub struct WarcContents {
    /// One article per HTML page, in archive order.
    pub articles: Vec<ParsedArticle>,
    /// Records that should have been pages but were broken.
    pub problems: Vec<RecordProblem>,
    /// Records that are not articles, counted by reason (`request`,
    /// `HTTP status 404`, `not HTML (image/png)`).
    pub passed_over: BTreeMap<String, usize>,
    /// Records read in all.
    pub records: usize,
}

impl WarcContents {
    /// One line on the records passed over, if any: "passed over 3 of 4
    /// WARC records: 1 HTTP status 404, 1 not HTML (image/png), 1 request".
    pub fn passed_over_summary(&self) -> Option<String> {
        if self.passed_over.is_empty() {
            return None;
        }
        let skipped: usize = self.passed_over.values().sum();
        let reasons = self
            .passed_over
            .iter()
            .map(|(why, n)| format!("{n} {why}"))
            .collect::<Vec<_>>()
            .join(", ");
        Some(format!(
            "passed over {skipped} of {} WARC records: {reasons}",
            self.records
        ))
    }
}

/// Reads every record of a WARC file (gzip-compressed or not).
pub fn parse_warc(bytes: &[u8]) -> Result<WarcContents, SkipReason> {
    let reader: Box<dyn BufRead + '_> = if is_gzip(bytes) {
        // No absolute cap: records stream through one at a time; the ratio
        // cap alone tells a bomb from a big crawl.
        let limit = inflate_limit(bytes.len(), u64::MAX);
        Box::new(BufReader::new(Capped::new(
            MultiGzDecoder::new(bytes),
            limit,
        )))
    } else {
        Box::new(bytes)
    };

    let mut contents = WarcContents::default();
    for (index, record) in WarcReader::new(reader).iter_records().enumerate() {
        let number = index + 1;
        let record = match record {
            Ok(record) => record,
            Err(warc::Error::ReadData(io)) => match classify(io) {
                bomb @ InflateError::TooLarge { .. } => {
                    return Err(SkipReason::Malformed(format!("gzip: {bomb}")))
                }
                InflateError::Corrupt(e) => {
                    contents.problems.push(RecordProblem {
                        line: None,
                        message: format!(
                            "WARC record {number}: unreadable ({e}); the rest of the file was not read"
                        ),
                    });
                    break;
                }
            },
            Err(e) => {
                // The reader cannot find the next record after a broken
                // one, so the rest of the file is lost; say so.
                contents.problems.push(RecordProblem {
                    line: None,
                    message: format!(
                        "WARC record {number}: {e}; the rest of the file was not read"
                    ),
                });
                break;
            }
        };
        contents.records += 1;
        let mut pass_over = |why: String| *contents.passed_over.entry(why).or_default() += 1;
        if *record.warc_type() != RecordType::Response {
            pass_over(record.warc_type().to_string());
            continue;
        }
        // The raw header bytes, not `Record::header`: warc 0.4 unwraps a
        // header's UTF-8 there and panics on a mangled target URI.
        let (raw, body) = record.into_raw_parts();
        let Some(uri) = raw
            .headers
            .get(&WarcHeader::TargetURI)
            .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
        else {
            pass_over("no target URI".to_string());
            continue;
        };
        match response_article(&body, &uri) {
            Ok(mut article) => {
                article.key = Some(uri.clone());
                article.url = Some(uri);
                article.record = Some(number);
                contents.articles.push(article);
            }
            Err(Skip::PassedOver(why)) => pass_over(why),
            Err(Skip::Broken(why)) => contents.problems.push(RecordProblem {
                line: None,
                message: format!("WARC record {number} ({uri}): {why}"),
            }),
        }
    }
    if let Some(summary) = contents.passed_over_summary() {
        tracing::debug!("{summary}");
    }
    Ok(contents)
}

/// Why a response record gave no article.
enum Skip {
    /// Not an article, as expected in any crawl (a 404, an image).
    PassedOver(String),
    /// Meant to be a page, but broken.
    Broken(String),
}

/// The article in one HTTP response, if it is an HTML page that was served.
fn response_article(payload: &[u8], uri: &str) -> Result<ParsedArticle, Skip> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HTTP_HEADERS];
    let mut response = httparse::Response::new(&mut headers);
    let head_len = match response.parse(payload) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => {
            return Err(Skip::Broken("HTTP headers cut short".to_string()))
        }
        Err(e) => return Err(Skip::Broken(format!("unreadable HTTP response: {e}"))),
    };
    let status = response.code.unwrap_or(0);
    if status != 200 {
        return Err(Skip::PassedOver(format!("HTTP status {status}")));
    }
    let header = |name: &str| {
        response
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).trim().to_ascii_lowercase())
    };
    let content_type = header("content-type").unwrap_or_default();
    let mime = content_type.split(';').next().unwrap_or_default().trim();
    if !matches!(mime, "text/html" | "application/xhtml+xml") {
        let shown = if mime.is_empty() {
            "no content type"
        } else {
            mime
        };
        return Err(Skip::PassedOver(format!("not HTML ({shown})")));
    }
    let charset = content_type.split(';').skip(1).find_map(|param| {
        let (key, value) = param.split_once('=')?;
        (key.trim() == "charset").then(|| value.trim().trim_matches('"').to_string())
    });

    let mut body: Cow<'_, [u8]> = Cow::Borrowed(&payload[head_len..]);
    if header("transfer-encoding").is_some_and(|t| t.contains("chunked")) {
        body = Cow::Owned(dechunk(&body).map_err(Skip::Broken)?);
    }
    match header("content-encoding").as_deref() {
        None | Some("") | Some("identity") => {}
        Some("gzip") | Some("x-gzip") => {
            body = Cow::Owned(inflate(MultiGzDecoder::new(&*body), body.len())?)
        }
        Some("deflate") => body = Cow::Owned(inflate(ZlibDecoder::new(&*body), body.len())?),
        Some(other) => {
            return Err(Skip::PassedOver(format!(
                "content encoding {other} not supported"
            )))
        }
    }
    let (text, _) = decode_html(&body, charset.as_deref())
        .map_err(|_| Skip::Broken("binary data in an HTML response".to_string()))?;
    if text.trim().is_empty() {
        return Err(Skip::PassedOver("empty page".to_string()));
    }
    parse_html_page(&text, Some(uri)).map_err(|reason| match reason {
        SkipReason::NoArticles => Skip::PassedOver("no article text".to_string()),
        other => Skip::Broken(other.to_string()),
    })
}

/// Inflates an HTTP body encoded by the server, with the same caps as files.
fn inflate(reader: impl Read, compressed: usize) -> Result<Vec<u8>, Skip> {
    let mut out = Vec::new();
    Capped::new(reader, inflate_limit(compressed, MAX_INFLATED_BYTES))
        .read_to_end(&mut out)
        .map_err(|e| Skip::Broken(format!("content encoding: {}", classify(e))))?;
    Ok(out)
}

/// Undoes HTTP/1.1 chunked transfer encoding.
fn dechunk(mut data: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(data.len());
    loop {
        let line_end = data
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("chunked body cut short")?;
        let size_text = String::from_utf8_lossy(&data[..line_end]);
        let size_text = size_text.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| format!("bad chunk size {size_text:?}"))?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        let chunk = data.get(..size).ok_or("chunked body cut short")?;
        out.extend_from_slice(chunk);
        data = data.get(size + 2..).unwrap_or_default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_bodies_are_joined() {
        let body = dechunk(b"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n").unwrap();
        assert_eq!(body, b"hello world");
        assert!(dechunk(b"zz\r\n").is_err());
    }

    #[test]
    fn a_gzip_bomb_named_warc_is_refused() {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..40 {
            enc.write_all(&zeros).unwrap();
        }
        let bomb = enc.finish().unwrap();
        match parse_warc(&bomb) {
            Err(SkipReason::Malformed(m)) => assert!(m.contains("gzip bomb"), "{m}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn gzip_encoded_response_is_read() {
        use std::io::Write;
        let page = "<html><head><title>Gz page</title></head><body><article><p>The harbour authority voted on Tuesday to build a second ferry terminal on the eastern quay, ending two years of argument.</p></article></body></html>";
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(page.as_bytes()).unwrap();
        let gz = enc.finish().unwrap();
        let mut payload = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=UTF-8\r\nContent-Encoding: gzip\r\n\r\n".to_vec();
        payload.extend(gz);
        let article = response_article(&payload, "https://x.example/a")
            .ok()
            .unwrap();
        assert_eq!(article.title, "Gz page");
        assert!(article.body.starts_with("The harbour authority"));
    }
}
