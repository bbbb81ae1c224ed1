//! The `byline` binary end to end: what a user types, what they see, and
//! the exit codes scripts rely on.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assert_cmd::Command;
use predicates::prelude::*;

#[path = "cli/duplicates.rs"]
mod duplicates;
#[path = "cli/entities.rs"]
mod entities;
#[path = "cli/timeline.rs"]
mod timeline;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// `byline` run from the repository root, so shown paths read `corpus/…`.
fn byline(index: &Path) -> Command {
    let mut cmd = Command::cargo_bin("byline").unwrap();
    cmd.current_dir(repo_root())
        .env_remove("BYLINE_INDEX")
        .env("NO_COLOR", "1")
        .arg("--index")
        .arg(index);
    cmd
}

/// The bundled corpus, indexed once for this test program.
fn corpus_index() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        byline(dir.path())
            .args(["index", "corpus"])
            .assert()
            .success();
        dir
    })
    .path()
}

fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn index_reports_what_it_did() {
    let dir = tempfile::tempdir().unwrap();
    byline(dir.path())
        .args(["index", "corpus"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Indexed 25 articles from 25 files",
        ))
        .stdout(predicate::str::contains("without a date: 1"))
        .stdout(predicate::str::contains("(25 articles in all)"));
}

#[test]
fn daraya_siege_lists_the_seed_first() {
    let out = stdout_of(byline(corpus_index()).args(["search", "Daraya siege"]));
    insta::assert_snapshot!("search_daraya_siege", out);
    let first = out.lines().find(|l| l.starts_with("1. ")).unwrap();
    assert_eq!(
        first,
        "1. US, Russia close in on Syria truce deal but differences remain"
    );
    assert!(out.contains("2016-08-27 · corpus/000_a246f93a30b869c3.txt"));
}

#[test]
fn teaser_words_do_not_find_the_seed() {
    for word in ["Mosul", "Amnesty"] {
        let out = stdout_of(byline(corpus_index()).args(["search", word, "--json"]));
        assert!(!out.contains("000_a246f93a30b869c3"), "{word}: {out}");
    }
}

#[test]
fn json_lines_carry_the_documented_fields() {
    let out = stdout_of(byline(corpus_index()).args(["search", "Syria", "--json", "--limit", "3"]));
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!lines.is_empty());
    for hit in &lines {
        for key in ["id", "path", "title", "published", "score", "snippet"] {
            assert!(hit.get(key).is_some(), "{key} missing in {hit}");
        }
        if let Some(date) = hit["published"].as_str() {
            assert!(chrono::DateTime::parse_from_rfc3339(date).is_ok(), "{date}");
        }
    }
    assert_eq!(lines[0]["path"], "corpus/000_a246f93a30b869c3.txt");
    assert_eq!(lines[0]["published"], "2016-08-27T02:17:00Z");
}

#[test]
fn count_prints_only_the_exact_total() {
    let out = stdout_of(byline(corpus_index()).args(["search", "--count"]));
    assert_eq!(out, "25\n");
    let out = stdout_of(
        byline(corpus_index()).args(["search", "--from", "2016", "--to", "2016", "--count"]),
    );
    assert_eq!(out, "3\n");
}

#[test]
fn stats_shows_counts_and_a_chart() {
    let out = stdout_of(byline(corpus_index()).arg("stats"));
    insta::assert_snapshot!("stats_corpus", out);
}

#[test]
fn mistakes_get_a_message_and_an_exit_code() {
    let missing = tempfile::tempdir().unwrap();
    byline(&missing.path().join("none"))
        .args(["search", "x"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "run `byline index <folder>` first",
        ));
    byline(corpus_index())
        .args(["search", "Kerry \"truce"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("at column 7"));
    byline(corpus_index())
        .args(["search", "x", "--from", "27/08/2016"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "expected YYYY, YYYY-MM or YYYY-MM-DD",
        ));
    byline(missing.path())
        .args(["index", "no/such/folder"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no such file"));
    byline(missing.path())
        .args(["index", "corpus", "--field", "colour=red"])
        .assert()
        .code(2);
    byline(corpus_index())
        .args(["search", "--sort", "sideways"])
        .assert()
        .code(2);
    // A folder that is not an index is never written over.
    byline(&repo_root().join("corpus"))
        .args(["index", "corpus"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("not a byline index"));
}

#[test]
fn bad_files_are_named_and_the_run_succeeds() {
    let work = tempfile::tempdir().unwrap();
    let folder = work.path().join("in");
    std::fs::create_dir(&folder).unwrap();
    std::fs::copy(
        repo_root().join("corpus/000_a246f93a30b869c3.txt"),
        folder.join("good.txt"),
    )
    .unwrap();
    std::fs::write(folder.join("empty.txt"), "").unwrap();
    std::fs::write(folder.join("blob.txt"), b"\0\x01\x02binary").unwrap();
    std::fs::write(
        folder.join("feed.jsonl"),
        "{\"title\":\"A\",\"body\":\"b\"}\nnot json\n",
    )
    .unwrap();
    let out = byline(&work.path().join("index"))
        .arg("index")
        .arg(&folder)
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stdout.contains("Indexed 2 articles from 2 files"),
        "{stdout}"
    );
    assert!(stdout.contains("empty.txt: empty file"), "{stdout}");
    assert!(stdout.contains("blob.txt: binary file"), "{stdout}");
    assert!(stderr.contains("feed.jsonl:2: invalid JSON"), "{stderr}");
}

#[test]
fn help_has_examples() {
    let out = stdout_of(
        Command::cargo_bin("byline")
            .unwrap()
            .args(["search", "--help"]),
    );
    assert!(out.contains("Examples:") && out.contains("\"Kerry Lavrov\"~5"));
    let out = stdout_of(Command::cargo_bin("byline").unwrap().arg("--help"));
    assert!(out.contains("Exit codes"));
}

#[test]
fn killing_an_index_run_loses_and_duplicates_nothing() {
    let reuters = repo_root().join("../shared/corpora/reuters21578/articles");
    let work = tempfile::tempdir().unwrap();
    let index = work.path().join("index");
    let bin = assert_cmd::cargo::cargo_bin("byline");
    let run = || {
        std::process::Command::new(&bin)
            .arg("--index")
            .arg(&index)
            .args(["index", "--no-entities", "--quiet"])
            .arg(&reuters)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    for delay in [200, 700, 1500] {
        let mut child = run();
        std::thread::sleep(std::time::Duration::from_millis(delay));
        child.kill().unwrap(); // SIGKILL: no chance to clean up
        child.wait().unwrap();
        // Whatever was committed opens and answers.
        if index.join("meta.json").exists() {
            byline(&index)
                .args(["search", "--count"])
                .assert()
                .success();
        }
    }
    assert!(run().wait().unwrap().success());
    let count = stdout_of(byline(&index).args(["search", "--count"]));
    assert_eq!(count.trim(), "19043");
    let ids = stdout_of(byline(&index).args(["search", "--json", "--all", "--limit", "20000"]));
    let unique: std::collections::HashSet<String> = ids
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(unique.len(), 19043);
}
