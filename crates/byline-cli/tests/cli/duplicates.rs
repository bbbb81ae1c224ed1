//! Issue 5 end to end: `byline duplicates`, copies collapsed in
//! `byline search` (`+N similar`, `--all`), and `byline extract`.
//!
//! Included from `tests/cli.rs` as `mod duplicates;`; self-contained so it
//! does not depend on that file's helpers.

use std::fs;
use std::path::Path;

use predicates::prelude::*;

use super::{byline, repo_root, stdout_of};

fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The seed page, an exact copy a day later under another headline, a
/// near copy (one sentence rewritten) a day later, and an unrelated article.
fn copies(folder: &Path) {
    let seed = fs::read_to_string(repo_root().join("corpus/000_a246f93a30b869c3.txt")).unwrap();
    let later = |text: &str| text.replace("27/08/2016", "28/08/2016");
    let (_, rest) = seed.split_once('\n').unwrap();
    fs::create_dir_all(folder).unwrap();
    fs::write(folder.join("original.txt"), &seed).unwrap();
    fs::write(
        folder.join("copy.txt"),
        later(&format!("Syria: US and Russia near truce\n{rest}")),
    )
    .unwrap();
    let near = seed.replace(
        "UN-brokered peace talks broke down in April as a previous truce crumbled.",
        "Peace talks sponsored by the United Nations collapsed in the spring when an earlier ceasefire fell apart.",
    );
    fs::write(folder.join("near.txt"), later(&near)).unwrap();
    fs::write(
        folder.join("other.txt"),
        "Truce holds in the valley\n\nA separate truce between farmers and herders held for a third week in the valley, officials said on Monday.\n",
    )
    .unwrap();
}

#[test]
fn copies_are_listed_and_collapsed_in_search_unless_all() {
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("articles");
    copies(&folder);
    let index = tmp.path().join("index");
    byline(&index)
        .arg("index")
        .arg(&folder)
        .arg("--no-entities")
        .assert()
        .success();

    let listed = stdout_of(byline(&index).arg("duplicates"));
    assert!(
        listed.contains("1 group of copies (2 articles are copies"),
        "{listed}"
    );
    assert!(listed.contains("(3 copies)"), "{listed}");
    assert!(listed.contains("original.txt"), "{listed}");
    assert!(!listed.contains("other.txt"), "{listed}");
    let groups = json_lines(&stdout_of(byline(&index).args(["duplicates", "--json"])));
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0]["size"], 3);
    assert!(groups[0]["representative"]["path"]
        .as_str()
        .unwrap()
        .ends_with("original.txt"));
    assert_eq!(groups[0]["members"].as_array().unwrap().len(), 2);

    let human = stdout_of(byline(&index).args(["search", "truce"]));
    assert!(human.starts_with("2 articles match"), "{human}");
    assert!(human.contains("+2 similar"), "{human}");
    assert!(human.contains("--all shows every copy"), "{human}");
    let hits = json_lines(&stdout_of(
        byline(&index).args(["search", "truce", "--json"]),
    ));
    assert_eq!(hits.len(), 2);
    let original = hits
        .iter()
        .find(|h| h["path"].as_str().unwrap().ends_with("original.txt"))
        .expect("the earliest copy stands for the group");
    assert_eq!(original["similar"], 2);
    assert_eq!(original["duplicates"].as_array().unwrap().len(), 2);
    // --count counts every copy, as `byline timeline` does.
    let count = stdout_of(byline(&index).args(["search", "truce", "--count"]));
    assert_eq!(count.trim(), "4");

    let all = json_lines(&stdout_of(
        byline(&index).args(["search", "truce", "--json", "--all"]),
    ));
    assert_eq!(all.len(), 4);
    assert!(all.iter().all(|h| h["similar"] == 0));
    let count = stdout_of(byline(&index).args(["search", "truce", "--count", "--all"]));
    assert_eq!(count.trim(), "4");
}

#[test]
fn duplicates_without_an_index_exits_3() {
    let tmp = tempfile::tempdir().unwrap();
    byline(&tmp.path().join("none"))
        .arg("duplicates")
        .assert()
        .code(3);
}

#[test]
fn extract_prints_what_byline_reads_from_a_page() {
    let none = Path::new("unused-index");
    let human = stdout_of(byline(none).args(["extract", "corpus/000_a246f93a30b869c3.txt"]));
    assert!(human.starts_with("US, Russia close in on Syria truce deal but differences remain\n"));
    assert!(human.contains("Published: 2016-08-27T02:17:00Z"), "{human}");
    assert!(human.contains("Staffan de Mistura"));
    let json = json_lines(&stdout_of(byline(none).args([
        "extract",
        "corpus/000_a246f93a30b869c3.txt",
        "--json",
    ])));
    assert_eq!(json.len(), 1);
    let a = &json[0];
    for key in [
        "title",
        "published",
        "body",
        "related",
        "url",
        "site",
        "language",
        "record",
    ] {
        assert!(a.get(key).is_some(), "missing {key}");
    }
    assert_eq!(a["published"], "2016-08-27T02:17:00Z");
    assert!(a["body"].as_str().unwrap().contains("Daraya"));
    // Teasers are kept out of the body and listed as related headlines.
    assert!(a["related"].is_array());
}

#[test]
fn extract_reads_html_pages_and_many_article_files() {
    let none = Path::new("unused-index");
    let fixture = "crates/byline-indexer/tests/fixtures/html/byline_date.html";
    let expected: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(repo_root().join(fixture.replace(".html", ".expected.json"))).unwrap(),
    )
    .unwrap();
    let json = json_lines(&stdout_of(
        byline(none).args(["extract", fixture, "--json"]),
    ));
    assert_eq!(json.len(), 1);
    assert_eq!(json[0]["title"], expected["title"]);

    let tmp = tempfile::tempdir().unwrap();
    let jsonl = tmp.path().join("news.jsonl");
    fs::write(
        &jsonl,
        "{\"title\":\"One\",\"body\":\"First body.\"}\n{\"title\":\"Two\",\"body\":\"Second body.\",\"published\":\"2020-01-02\"}\n",
    )
    .unwrap();
    let json = json_lines(&stdout_of(
        byline(none).arg("extract").arg(&jsonl).arg("--json"),
    ));
    assert_eq!(json.len(), 2);
    assert_eq!(json[1]["title"], "Two");
    assert_eq!(json[1]["record"], 2);
    assert_eq!(json[0]["published"], serde_json::Value::Null);
    let human = stdout_of(byline(none).arg("extract").arg(&jsonl));
    assert!(human.contains("Article 2 of 2"), "{human}");
}

#[test]
fn extract_refuses_unsupported_and_unreadable_files() {
    let none = Path::new("unused-index");
    byline(none)
        .args(["extract", "Cargo.toml"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("not a supported file type")
                .and(predicate::str::contains(".jsonl")),
        );
    byline(none)
        .args(["extract", "no/such/file.txt"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot read"));
}
