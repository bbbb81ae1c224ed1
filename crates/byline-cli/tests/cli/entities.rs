//! Entities end to end: `byline facets`, `byline entities`, `byline
//! eval-ner`, and the entity filters of `byline search`.
//!
//! Included from `tests/cli.rs` as `mod entities;`; self-contained so it
//! does not depend on that file's helpers.

use predicates::prelude::*;

use super::{byline, corpus_index, repo_root, stdout_of};

const SEED: &str = "corpus/000_a246f93a30b869c3.txt";

#[test]
fn facets_people_of_the_syria_articles_list_john_kerry() {
    let out = stdout_of(byline(corpus_index()).args(["facets", "people", "--place", "Syria"]));
    assert!(out.starts_with("Top people in "), "{out}");
    let kerry = out
        .lines()
        .find(|l| l.trim_start().starts_with("John Kerry "))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(kerry.trim_end().ends_with(" 1"), "{kerry}");

    let json = stdout_of(
        byline(corpus_index()).args(["facets", "places", "siege", "--place", "Daraya", "--json"]),
    );
    let values: Vec<serde_json::Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(values.contains(&serde_json::json!({"value": "Daraya", "count": 1})));
    assert!(values.iter().all(|v| v["count"] == 1), "{json}");
}

#[test]
fn facets_with_no_match_and_bad_kind() {
    byline(corpus_index())
        .args(["facets", "orgs", "zzzqqq"])
        .assert()
        .success()
        .stdout("No articles match.\n");
    byline(corpus_index())
        .args(["facets", "colours"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("people"));
    let dir = tempfile::tempdir().unwrap();
    byline(&dir.path().join("none"))
        .args(["facets", "people"])
        .assert()
        .code(3);
}

#[test]
fn search_filters_by_entity_and_ends_with_the_sidebar() {
    let out = stdout_of(byline(corpus_index()).args([
        "search", "truce", "--place", "Syria", "--person", "Kerry", "--org", "UN",
    ]));
    assert!(out.starts_with("1 article matches."), "{out}");
    assert!(out.contains(
        "People: Bashar al-Assad (1) · George Sabra (1) · John Kerry (1) · Sergei Lavrov (1) · Staffan de Mistura (1)"
    ), "{out}");
    assert!(out.contains("\nPlaces: "), "{out}");
    assert!(out.contains("\nOrganisations: "), "{out}");
    // Machine output has no sidebar.
    let json =
        stdout_of(byline(corpus_index()).args(["search", "truce", "--place", "Syria", "--json"]));
    assert!(!json.contains("People:"));
    assert!(json.contains("\"Daraya\""), "{json}");
    let count = stdout_of(byline(corpus_index()).args(["search", "--place", "Daraya", "--count"]));
    assert_eq!(count, "1\n");
    // Entity filters AND together and with the dates.
    let none = stdout_of(byline(corpus_index()).args([
        "search",
        "--place",
        "Syria",
        "--from",
        "2020",
        "--person",
        "John Kerry",
    ]));
    assert_eq!(none, "No articles match.\n");
}

#[test]
fn entities_of_the_seed_page_as_json_and_text() {
    let json = stdout_of(byline(corpus_index()).args(["entities", SEED, "--json"]));
    assert_eq!(json.lines().count(), 1);
    let article: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
    let mut people: Vec<&str> = article["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    people.sort();
    assert_eq!(
        people,
        [
            "Bashar al-Assad",
            "George Sabra",
            "John Kerry",
            "Sergei Lavrov",
            "Staffan de Mistura"
        ]
    );
    let daraya = article["places"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Daraya")
        .unwrap();
    assert_eq!(daraya["facet"], "/Asia/Syria/Dārayyā");

    let text = stdout_of(byline(corpus_index()).args(["entities", SEED]));
    assert!(text.contains("People (5)\n  John Kerry\n"), "{text}");
    assert!(text.contains("  Daraya "), "{text}");
    assert!(text.contains("/Asia/Syria/Dārayyā"), "{text}");
    // Every organisation the article's own body names, and no teaser's
    // ("Amnesty International"): "al-Qaeda-affiliated al-Nusra front",
    // "Islamic State extremists", "al-Mayadeen television".
    assert!(text.contains("Organisations (6)"), "{text}");
    for org in [
        "Hezbollah",
        "United Nations",
        "al-Qaeda",
        "al-Nusra Front",
        "al-Mayadeen",
        "Islamic State",
    ] {
        assert!(text.contains(&format!("\n  {org}\n")), "{org}: {text}");
    }
    assert!(!text.contains("Donald Trump"), "{text}");

    byline(corpus_index())
        .args(["entities", "no/such/file.txt"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no such file"));
}

#[test]
fn eval_ner_scores_a_conll_slice() {
    let dev = repo_root().join("../shared/ner/conll2003/dev.txt");
    let slice: String = std::fs::read_to_string(dev)
        .unwrap()
        .lines()
        .take(200)
        .map(|l| format!("{l}\n"))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("slice.txt");
    std::fs::write(&file, slice).unwrap();
    let out = stdout_of(byline(corpus_index()).arg("eval-ner").arg(&file));
    for row in ["PER ", "LOC ", "ORG ", "MISC ", "overall "] {
        assert!(out.lines().any(|l| l.starts_with(row)), "{row}: {out}");
    }
    assert!(
        out.contains("precision") && out.contains("tokens/s"),
        "{out}"
    );

    byline(corpus_index())
        .arg("eval-ner")
        .arg(dir.path().join("missing.txt"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no such file"));
}

#[test]
fn index_without_entities() {
    let dir = tempfile::tempdir().unwrap();
    byline(dir.path())
        .args(["index", "--quiet", "--no-entities", "corpus"])
        .assert()
        .success();
    let out = stdout_of(byline(dir.path()).args(["search", "Daraya siege"]));
    assert!(out.starts_with("1 article matches."), "{out}");
    assert!(!out.contains("People:"), "{out}");
    let count = stdout_of(byline(dir.path()).args(["search", "--place", "Syria", "--count"]));
    assert_eq!(count, "0\n");
}
