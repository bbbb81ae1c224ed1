//! JSON and JSON Lines exports: one object per article.
//!
//! Field names differ between exporters, so each of title, body, date, id
//! and url is looked up in a list of usual names; [`FieldMap`] lets the user
//! put their own names first.

use serde_json::{Map, Value};

use super::date::parse_date;
use super::{cap_text, ParsedArticle, RecordProblem, MAX_BODY_BYTES, MAX_TITLE_BYTES};

/// Which JSON keys hold which part of an article, most preferred first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldMap {
    /// Keys for the headline.
    pub title: Vec<String>,
    /// Keys for the article text.
    pub body: Vec<String>,
    /// Keys for the publication date.
    pub published: Vec<String>,
    /// Keys for the exporter's own id (makes ids stable when records move).
    pub id: Vec<String>,
    /// Keys for the article's URL.
    pub url: Vec<String>,
}

impl Default for FieldMap {
    fn default() -> Self {
        let list = |names: &[&str]| names.iter().map(|s| s.to_string()).collect();
        FieldMap {
            title: list(&["title", "headline", "name", "subject"]),
            body: list(&[
                "body",
                "text",
                "content",
                "article",
                "story",
                "description",
                "summary",
            ]),
            published: list(&[
                "published",
                "date",
                "published_at",
                "publishedAt",
                "datePublished",
                "pubdate",
                "pub_date",
                "created_at",
                "timestamp",
                "time",
            ]),
            id: list(&["id", "_id", "uuid", "guid", "doc_id"]),
            url: list(&["url", "link", "canonical_url", "uri"]),
        }
    }
}

impl FieldMap {
    /// Applies a user mapping such as `title=headline`: that key is tried first.
    pub fn prefer(&mut self, mapping: &str) -> Result<(), String> {
        let (part, key) = mapping
            .split_once('=')
            .ok_or_else(|| format!("`{mapping}` is not PART=KEY (for example title=headline)"))?;
        let list = match part.trim() {
            "title" => &mut self.title,
            "body" => &mut self.body,
            "published" | "date" => &mut self.published,
            "id" => &mut self.id,
            "url" => &mut self.url,
            other => {
                return Err(format!(
                    "unknown part `{other}` in `{mapping}`: use title, body, published, id or url"
                ))
            }
        };
        list.insert(0, key.trim().to_string());
        Ok(())
    }
}

/// Parses a JSON Lines file: one object per line. A bad line is reported
/// with its number and skipped; the others still go in.
pub fn parse_json_lines(text: &str, fields: &FieldMap) -> (Vec<ParsedArticle>, Vec<RecordProblem>) {
    parse_json_lines_from(text, fields, 1)
}

/// Parses a run of JSON Lines whose first line is line `first_line` of its
/// file (a large export is read a run of lines at a time); records and
/// problems carry their line numbers in the whole file.
pub fn parse_json_lines_from(
    text: &str,
    fields: &FieldMap,
    first_line: usize,
) -> (Vec<ParsedArticle>, Vec<RecordProblem>) {
    let mut articles = Vec::new();
    let mut problems = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line_no = index + first_line;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(object)) => match article_from_object(&object, fields, line_no) {
                Ok(article) => articles.push(article),
                Err(message) => problems.push(RecordProblem {
                    line: Some(line_no),
                    message,
                }),
            },
            Ok(_) => problems.push(RecordProblem {
                line: Some(line_no),
                message: "not a JSON object".to_string(),
            }),
            Err(e) => problems.push(RecordProblem {
                line: Some(line_no),
                message: format!("invalid JSON: {e}"),
            }),
        }
    }
    (articles, problems)
}

/// Parses a `.json` file: one article object, an array of them, or an
/// object holding such an array (`articles`, `items`, `data`, `results`).
/// Files that are really JSON Lines under a `.json` name are read as such.
pub fn parse_json(
    text: &str,
    fields: &FieldMap,
) -> Result<(Vec<ParsedArticle>, Vec<RecordProblem>), String> {
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) if e.is_syntax() && e.line() > 1 && text.trim_start().starts_with('{') => {
            // `{...}\n{...}` fails at line 2: it is JSON Lines.
            return Ok(parse_json_lines(text, fields));
        }
        Err(e) => {
            return Err(format!(
                "invalid JSON at line {}, column {}: {e}",
                e.line(),
                e.column()
            ))
        }
    };
    let items: Vec<&Value> = match &value {
        Value::Array(items) => items.iter().collect(),
        Value::Object(object) if looks_like_article(object, fields) => vec![&value],
        Value::Object(object) => ["articles", "items", "data", "results", "docs", "documents"]
            .iter()
            .find_map(|k| object.get(*k).and_then(Value::as_array))
            .map(|a| a.iter().collect())
            .ok_or("a JSON object with no article fields and no list of articles")?,
        _ => return Err("neither an article object nor a list of them".to_string()),
    };
    let mut articles = Vec::new();
    let mut problems = Vec::new();
    for (index, item) in items.into_iter().enumerate() {
        // Record numbers are 1-based array positions for .json files.
        let record = index + 1;
        match item {
            Value::Object(object) => match article_from_object(object, fields, record) {
                Ok(article) => articles.push(article),
                Err(message) => problems.push(RecordProblem {
                    line: None,
                    message: format!("item {record}: {message}"),
                }),
            },
            _ => problems.push(RecordProblem {
                line: None,
                message: format!("item {record}: not an object"),
            }),
        }
    }
    Ok((articles, problems))
}

fn looks_like_article(object: &Map<String, Value>, fields: &FieldMap) -> bool {
    fields
        .title
        .iter()
        .chain(&fields.body)
        .any(|k| object.contains_key(k))
}

fn article_from_object(
    object: &Map<String, Value>,
    fields: &FieldMap,
    record: usize,
) -> Result<ParsedArticle, String> {
    let text_of = |keys: &[String]| -> Option<String> {
        keys.iter().find_map(|k| match object.get(k) {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Some(Value::Array(parts)) => {
                // Some exporters store paragraphs as a list of strings.
                let joined: Vec<&str> = parts.iter().filter_map(Value::as_str).collect();
                (!joined.is_empty()).then(|| joined.join("\n\n"))
            }
            _ => None,
        })
    };
    let mut article = ParsedArticle::default();
    let body = text_of(&fields.body).unwrap_or_default();
    let title = text_of(&fields.title).unwrap_or_else(|| first_sentence(&body));
    if title.is_empty() && body.is_empty() {
        return Err(format!(
            "no title or body (looked for {} and {})",
            fields.title.join("/"),
            fields.body.join("/")
        ));
    }
    article.title = cap_text(&title, MAX_TITLE_BYTES, "title", &mut article.warnings);
    article.body = cap_text(&body, MAX_BODY_BYTES, "body", &mut article.warnings);
    article.published = fields.published.iter().find_map(|k| match object.get(k) {
        Some(Value::String(s)) => parse_date(s),
        Some(Value::Number(n)) => n.as_i64().and_then(epoch_to_date),
        _ => None,
    });
    article.key = Some(
        fields
            .id
            .iter()
            .find_map(|k| match object.get(k) {
                Some(Value::String(s)) => Some(s.clone()),
                Some(Value::Number(n)) => Some(n.to_string()),
                _ => None,
            })
            .unwrap_or_else(|| format!("#{record}")),
    );
    article.record = Some(record);
    article.url = text_of(&fields.url);
    Ok(article)
}

/// Seconds or milliseconds since 1970, told apart by size.
fn epoch_to_date(n: i64) -> Option<chrono::DateTime<chrono::Utc>> {
    if n.abs() < 100_000_000_000 {
        chrono::DateTime::from_timestamp(n, 0)
    } else {
        chrono::DateTime::from_timestamp_millis(n)
    }
}

fn first_sentence(body: &str) -> String {
    let line = body
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    let end = line.find(". ").map_or(line.len(), |i| i + 1);
    line[..end].chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_lines_with_a_bad_line_keeps_the_rest() {
        let text = "{\"id\":\"a\",\"title\":\"One\",\"body\":\"First.\",\"published\":\"1987-02-26T15:01:01Z\"}\n{not json}\n\n{\"title\":\"Two\",\"text\":\"Second.\",\"date\":\"27 Aug 2016\"}\n[1,2]\n";
        let (articles, problems) = parse_json_lines(text, &FieldMap::default());
        assert_eq!(articles.len(), 2);
        assert_eq!(articles[0].key.as_deref(), Some("a"));
        assert_eq!(
            articles[0].published.unwrap().to_rfc3339(),
            "1987-02-26T15:01:01+00:00"
        );
        assert_eq!(articles[1].body, "Second.");
        assert_eq!(articles[1].key.as_deref(), Some("#4"));
        assert_eq!(
            problems.iter().map(|p| p.line).collect::<Vec<_>>(),
            vec![Some(2), Some(5)]
        );
    }

    #[test]
    fn json_array_object_and_wrapped_list() {
        let fields = FieldMap::default();
        let (a, _) = parse_json(
            r#"[{"title":"A","body":"x"},{"title":"B","content":"y"}]"#,
            &fields,
        )
        .unwrap();
        assert_eq!(a.len(), 2);
        let (a, _) = parse_json(
            r#"{"headline":"A","story":"x","publishedAt":1472264220}"#,
            &fields,
        )
        .unwrap();
        assert_eq!(
            a[0].published.unwrap().to_rfc3339(),
            "2016-08-27T02:17:00+00:00"
        );
        let (a, _) = parse_json(r#"{"articles":[{"title":"A"}]}"#, &fields).unwrap();
        assert_eq!(a.len(), 1);
        assert!(parse_json("[1, 2", &fields).is_err());
    }

    #[test]
    fn user_field_mapping_comes_first() {
        let mut fields = FieldMap::default();
        fields.prefer("title=hed").unwrap();
        fields.prefer("published=when").unwrap();
        let (a, _) = parse_json(
            r#"{"hed":"Mine","title":"Not this","when":"2020-01-02","body":"b"}"#,
            &fields,
        )
        .unwrap();
        assert_eq!(a[0].title, "Mine");
        assert!(fields.prefer("colour=red").is_err());
        assert!(fields.prefer("nonsense").is_err());
    }

    #[test]
    fn deeply_nested_json_is_an_error_not_a_crash() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse_json(&deep, &FieldMap::default()).is_err());
        let (a, p) = parse_json_lines(&deep, &FieldMap::default());
        assert!(a.is_empty() && p.len() == 1);
    }
}
