//! Issue 6 end to end: `byline timeline` (terminal, JSON, CSV, SVG),
//! `byline show`, `byline similar`, `byline syntax` / `byline help query`
//! and `byline search --recent`.
//!
//! Included from `tests/cli.rs` as `mod timeline;`; self-contained so it
//! does not depend on that file's helpers.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use predicates::prelude::*;

use super::{byline, corpus_index, repo_root, stdout_of};

const REUTERS_JSONL: &str = "../shared/corpora/reuters21578/reuters.jsonl";

/// All 19,043 Reuters-21578 articles (one JSON Lines file), without entities.
fn reuters_index() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        byline(dir.path())
            .args(["index", "--quiet", "--no-entities", REUTERS_JSONL])
            .assert()
            .success();
        dir
    })
    .path()
}

/// Articles per month counted straight from the file's `published` fields.
fn reuters_months() -> BTreeMap<String, u64> {
    let text = std::fs::read_to_string(repo_root().join(REUTERS_JSONL)).unwrap();
    let mut months = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        let published = record["published"].as_str().expect("every record is dated");
        *months.entry(published[..7].to_string()).or_insert(0) += 1;
    }
    months
}

#[test]
fn timeline_by_month_on_reuters_equals_a_count_of_the_dates() {
    let truth = reuters_months();
    assert_eq!(truth.values().sum::<u64>(), 19_043);
    let out = stdout_of(byline(reuters_index()).args(["timeline", "--by", "month", "--json"]));
    let periods: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let labels: Vec<&str> = periods
        .iter()
        .map(|p| p["period"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            "1987-02", "1987-03", "1987-04", "1987-05", "1987-06", "1987-07", "1987-08", "1987-09",
            "1987-10"
        ],
        "every month from the first to the last, empty ones included"
    );
    for p in &periods {
        let label = p["period"].as_str().unwrap();
        let count = p["count"].as_u64().unwrap();
        assert_eq!(count, truth.get(label).copied().unwrap_or(0), "{label}");
        assert_eq!(
            p["start"].as_str().unwrap(),
            format!("{label}-01T00:00:00Z")
        );
    }

    // The terminal chart: header with the total, one row per month, empty rows kept.
    let chart = stdout_of(byline(reuters_index()).arg("timeline"));
    assert!(
        chart.starts_with("All articles\n19,043 articles in all, per month\n"),
        "{chart}"
    );
    assert!(chart.contains("1987-03 │"), "{chart}");
    let may = chart.lines().find(|l| l.starts_with("1987-05")).unwrap();
    assert!(may.ends_with(" 0") && !may.contains('█'), "{may}");
    assert!(chart
        .lines()
        .any(|l| l.starts_with("1987-03") && l.ends_with("10,536")));

    // CSV: a header and the same rows.
    let csv = stdout_of(byline(reuters_index()).args(["timeline", "--csv"]));
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("period,start,count"));
    assert_eq!(lines.next(), Some("1987-02,1987-02-01T00:00:00Z,211"));
    assert_eq!(csv.lines().count(), 10);
}

#[test]
fn timeline_of_a_query_counts_what_search_counts() {
    let count: u64 = stdout_of(byline(reuters_index()).args([
        "search", "cocoa", "--from", "1987-03", "--to", "1987-04", "--count",
    ]))
    .trim()
    .parse()
    .unwrap();
    let out = stdout_of(byline(reuters_index()).args([
        "timeline", "cocoa", "--from", "1987-03", "--to", "1987-04", "--by", "week", "--csv",
    ]));
    let sum: u64 = out
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').next().unwrap().parse::<u64>().unwrap())
        .sum();
    assert!(count > 10);
    assert_eq!(sum, count);
    // ISO weeks start on Monday; the first cocoa article of March is in week 10.
    assert!(
        out.lines()
            .nth(1)
            .unwrap()
            .starts_with("1987-W10,1987-03-02T00:00:00Z,"),
        "{out}"
    );
    let chart = stdout_of(
        byline(reuters_index()).args(["timeline", "cocoa", "--from", "1987-03", "--to", "1987-04"]),
    );
    assert!(
        chart.starts_with("Articles matching \"cocoa\" · 1987-03 to 1987-04\n"),
        "{chart}"
    );
}

#[test]
fn timeline_svg_is_a_chart_with_a_title_and_a_bar_per_month() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("oil.svg");
    let json = stdout_of(
        byline(reuters_index())
            .args(["timeline", "oil", "--by", "month", "--json", "--svg"])
            .arg(&file),
    );
    let non_empty = json
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|p| p["count"].as_u64().unwrap() > 0)
        .count();
    assert_eq!(non_empty, 5);
    let svg = std::fs::read_to_string(&file).unwrap();
    let doc = roxmltree::Document::parse(&svg).expect("valid XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    let texts: Vec<String> = root
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or_default().trim().to_string())
        .collect();
    assert!(
        texts.iter().any(|t| t == "Articles matching \"oil\""),
        "{texts:?}"
    );
    for label in ["articles", "period (month)", "1987-03", "1987-10"] {
        assert!(texts.iter().any(|t| t == label), "{label} in {texts:?}");
    }
    // Bars are the rectangles filled with the bar colour.
    let bars = root
        .descendants()
        .filter(|n| n.has_tag_name("rect") && n.attribute("fill") == Some("#2B6CB0"))
        .count();
    assert_eq!(bars, non_empty);
}

#[test]
fn show_prints_an_article_by_path_or_id() {
    let out = stdout_of(byline(corpus_index()).args(["show", "corpus/000_a246f93a30b869c3.txt"]));
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some("US, Russia close in on Syria truce deal but differences remain")
    );
    assert_eq!(
        lines.next(),
        Some("2016-08-27 02:17 UTC · corpus/000_a246f93a30b869c3.txt")
    );
    assert!(out.contains("Daraya"));
    assert!(out.lines().all(|l| l.chars().count() <= 80), "wrapped");
    assert!(out.contains("\nRelated:\n  - "), "{out}");

    let json = stdout_of(byline(corpus_index()).args([
        "show",
        "./corpus/../corpus/000_a246f93a30b869c3.txt",
        "--json",
    ]));
    let article: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(article["published"], "2016-08-27T02:17:00Z");
    let id = article["id"].as_str().unwrap().to_string();
    let by_id = stdout_of(byline(corpus_index()).args(["show", &id, "--json"]));
    assert_eq!(by_id, json);

    byline(corpus_index())
        .args(["show", "0123456789abcdef"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "no article with id `0123456789abcdef`",
        ));
    byline(corpus_index())
        .args(["show", "README.md"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("is not in the index"));
}

#[test]
fn show_finds_a_json_lines_record_by_its_line() {
    let out = stdout_of(byline(reuters_index()).args(["show", &format!("{REUTERS_JSONL}:2")]));
    let second = std::fs::read_to_string(repo_root().join(REUTERS_JSONL))
        .unwrap()
        .lines()
        .nth(1)
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .unwrap();
    assert_eq!(out.lines().next(), second["title"].as_str());
}

#[test]
fn similar_lists_other_articles_best_first() {
    let out = stdout_of(byline(reuters_index()).args([
        "similar",
        &format!("{REUTERS_JSONL}:1"),
        "--limit",
        "5",
        "--json",
    ]));
    let hits: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(hits.len(), 5);
    let scores: Vec<f64> = hits.iter().map(|h| h["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    assert!(hits
        .iter()
        .all(|h| h["path"] != format!("{REUTERS_JSONL}:1").as_str()));
    let cocoa = hits
        .iter()
        .filter(|h| {
            let text = format!("{} {}", h["title"], h["snippet"]).to_lowercase();
            text.contains("cocoa")
        })
        .count();
    assert!(cocoa >= 4, "{out}");

    let human = stdout_of(byline(corpus_index()).args([
        "similar",
        "corpus/000_a246f93a30b869c3.txt",
        "-n",
        "3",
    ]));
    assert!(human.starts_with(
        "3 articles like “US, Russia close in on Syria truce deal but differences remain”:"
    ));
    assert!(human.contains("\n1. ") && human.contains("\n3. ") && !human.contains("\n4. "));
    assert!(
        !human.contains("000_a246f93a30b869c3.txt"),
        "not the seed itself"
    );
    byline(corpus_index())
        .args(["similar", "nope"])
        .assert()
        .code(1);
}

/// The example queries of the reference: lines indented by exactly two spaces.
fn example_queries(reference: &str) -> Vec<String> {
    reference
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .map(|l| l.trim().to_string())
        .collect()
}

#[test]
fn every_example_of_the_query_reference_runs() {
    let reference = stdout_of(byline(corpus_index()).arg("syntax"));
    let examples = example_queries(&reference);
    assert!(examples.len() >= 15, "{examples:?}");
    for query in &examples {
        byline(corpus_index())
            .args(["search", "--count", query])
            .assert()
            .success();
    }
    // `byline help query` shows the same reference.
    let help = stdout_of(byline(corpus_index()).args(["help", "query"]));
    assert!(help.contains(&reference.trim_end()[..200]), "{help}");
    assert!(help.contains("\"Kerry Lavrov\"~5"));
    // The syntax-error example in it is the real message.
    byline(corpus_index())
        .args(["search", "truce \"deal"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "query syntax error at column 7: this quote is never closed",
        ));
}

#[test]
fn recent_puts_newer_articles_first() {
    let dates = |extra: &[&str]| -> Vec<i64> {
        let out = stdout_of(
            byline(reuters_index())
                .args(["search", "oil", "--json"])
                .args(extra),
        );
        out.lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .map(|h| {
                let day = &h["published"].as_str().unwrap()[..10];
                chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
                    .unwrap()
                    .num_days_from_ce() as i64
            })
            .collect()
    };
    use chrono::Datelike;
    let plain = dates(&[]);
    let recent = dates(&["--recent"]);
    let mean = |d: &[i64]| d.iter().sum::<i64>() as f64 / d.len() as f64;
    assert_eq!(plain.len(), 10);
    assert_eq!(recent.len(), 10);
    assert!(
        mean(&recent) > mean(&plain),
        "{} vs {}",
        mean(&recent),
        mean(&plain)
    );
}
