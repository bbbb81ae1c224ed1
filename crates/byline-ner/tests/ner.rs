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
