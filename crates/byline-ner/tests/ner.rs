//! End-to-end checks of the embedded NER model: a real article, and a slice
//! of the CoNLL-2003 development set.

use byline_ner::{EntityKind, NerTagger};

const SEED: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/seed/000_a246f93a30b869c3.txt"
));

fn dev_path() -> String {
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/ner/conll2003/dev.txt"
    )
    .to_string()
}

#[test]
fn tags_the_seed_article() {
    let tagger = NerTagger::load_default().expect("embedded model loads");
    let mentions = tagger.tag(SEED);
    for m in &mentions {
        assert_eq!(
            &SEED[m.start..m.end]
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            &m.text
        );
    }
    let has =
        |text: &str, kind: EntityKind| mentions.iter().any(|m| m.text == text && m.kind == kind);
    for person in ["John Kerry", "Sergei Lavrov", "Staffan de Mistura"] {
        assert!(
            has(person, EntityKind::Person),
            "{person} not found as a person in {mentions:#?}"
        );
    }
    for place in ["Geneva", "Aleppo", "Damascus"] {
        assert!(
            has(place, EntityKind::Location),
            "{place} not found as a location in {mentions:#?}"
        );
    }
}

#[test]
fn scores_on_the_first_500_dev_sentences() {
    let text = std::fs::read_to_string(dev_path()).expect("../shared is present");
    // The first ~500 sentences, cut at a document boundary.
    let mut sentences = 0;
    let mut end = text.len();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.trim().is_empty() {
            sentences += 1;
        } else if line.starts_with("-DOCSTART-") && sentences >= 500 {
            end = offset;
            break;
        }
        offset += line.len();
    }
    let report = NerTagger::load_default().unwrap().evaluate(&text[..end]);
    println!("{report}");
    assert!(report.sentences >= 450, "{report}");
    assert!(report.overall.f1() >= 0.85, "{report}");
}

#[path = "support/reuters_codes.rs"]
mod reuters_codes;

/// Place facets mapped to countries recover the Reuters editors' country
/// tags: recall ≥ 0.80 at precision ≥ 0.70 (every third article of
/// truth-train that has country tags, to keep the test quick).
#[test]
fn place_facets_recover_reuters_country_tags() {
    use std::collections::BTreeSet;
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpora/reuters21578"
    );
    let truth = std::fs::read_to_string(format!("{dir}/truth-train.tsv")).unwrap();
    let extractor = byline_ner::EntityExtractor::load_default().unwrap();
    let iso = |code: &str| {
        reuters_codes::REUTERS_TO_ISO
            .iter()
            .find(|(r, _)| *r == code)
            .map(|(_, i)| i.to_string())
            .unwrap()
    };
    let (mut gold_total, mut predicted_total, mut correct) = (0usize, 0usize, 0usize);
    for line in truth.lines().skip(1).step_by(3) {
        let cols: Vec<&str> = line.split('\t').collect();
        let gold: BTreeSet<String> = cols[3]
            .split(';')
            .filter(|c| !c.is_empty())
            .map(iso)
            .collect();
        if gold.is_empty() {
            continue;
        }
        let page = std::fs::read_to_string(format!("{dir}/articles/{}", cols[0])).unwrap();
        let (title, rest) = page.split_once('\n').unwrap();
        let body = rest
            .rfind("\nLast update:")
            .map_or(rest, |i| &rest[..i])
            .trim();
        let found: BTreeSet<String> = extractor
            .extract(title, body)
            .places
            .into_iter()
            .filter_map(|p| p.country_code)
            .collect();
        gold_total += gold.len();
        predicted_total += found.len();
        correct += found.intersection(&gold).count();
    }
    let recall = correct as f64 / gold_total as f64;
    let precision = correct as f64 / predicted_total as f64;
    assert!(gold_total > 4000, "{gold_total}");
    assert!(
        recall >= 0.80 && precision >= 0.70,
        "recall {recall:.3}, precision {precision:.3}"
    );
}
