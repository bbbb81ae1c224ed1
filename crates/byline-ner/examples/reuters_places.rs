//! Reuters-21578 country recovery: how well the place facets of
//! [`EntityExtractor`] recover the editors' country tags (`places` in
//! `truth-train.tsv`), plus the ceiling (truth countries named in the text
//! at all, by any name, alias, city, region or demonym).
//!
//! ```text
//! cargo run --release -p byline-ner --example reuters_places --target-dir target/ner [-- <reuters dir>]
//! ```
//!
//! Reuters-21578 is research-only data: it is read from `../shared/`, never
//! copied into the repository.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use byline_ner::{EntityExtractor, EntityKind};

#[path = "../tests/support/reuters_codes.rs"]
mod reuters_codes;
use reuters_codes::REUTERS_TO_ISO;

/// Per-variant counters.
#[derive(Default, Clone, Copy)]
struct Counts {
    tp: usize,
    predicted: usize,
}

fn main() {
    let dir: PathBuf = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/corpora/reuters21578"
            ))
        });
    let truth = std::fs::read_to_string(dir.join("truth-train.tsv")).expect("truth-train.tsv");
    let ex = EntityExtractor::load_default().expect("load extractor");
    let iso = |code: &str| {
        REUTERS_TO_ISO
            .iter()
            .find(|(r, _)| *r == code)
            .map(|(_, i)| i.to_string())
            .unwrap_or_else(|| panic!("no mapping for Reuters code {code}"))
    };

    // How many Reuters codes the gazetteer resolves by itself ("west-germany"
    // → "west germany" → DE), as the search crate's `--place` would.
    let unresolved: Vec<&str> = REUTERS_TO_ISO
        .iter()
        .filter(|(code, iso)| {
            ex.resolve_place_query(&code.replace('-', " "))
                .and_then(|p| p.country_code)
                .as_deref()
                != Some(*iso)
        })
        .map(|(code, _)| *code)
        .collect();
    println!(
        "Reuters codes resolved by name alone: {}/{}; not: {unresolved:?}",
        REUTERS_TO_ISO.len() - unresolved.len(),
        REUTERS_TO_ISO.len()
    );

    const VARIANTS: [&str; 4] = [
        "place facets",
        "place facets + demonyms",
        "place facets, countries named 2+ times or in title/dateline",
        "dateline/title only",
    ];
    let mut counts = [Counts::default(); VARIANTS.len()];
    // Errors of the first variant, by country code.
    let mut false_pos: BTreeMap<String, usize> = BTreeMap::new();
    let mut missed: BTreeMap<String, usize> = BTreeMap::new();
    let (mut articles, mut gold_total, mut ceiling) = (0usize, 0usize, 0usize);
    let started = std::time::Instant::now();
    for line in truth.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        let gold: BTreeSet<String> = f[3].split(';').filter(|c| !c.is_empty()).map(iso).collect();
        if gold.is_empty() {
            continue;
        }
        let raw = std::fs::read_to_string(dir.join("articles").join(f[0])).expect("article");
        let (title, rest) = raw.split_once('\n').unwrap_or((&raw, ""));
        let body = match rest.rfind("\nLast update:") {
            Some(i) => &rest[..i],
            None => rest,
        };
        let body = body.trim();
        articles += 1;
        gold_total += gold.len();

        let (text, mentions) = ex.mentions(title, body);
        let ents = ex.normalize(&text, &mentions);
        let head_end = title.len() + 2 + body.find('\n').unwrap_or(body.len()).min(60);

        // Countries of the place facets, with how often and where named.
        let mut places: Vec<(String, usize, bool)> = Vec::new(); // (code, mentions, in head)
        for m in mentions.iter().filter(|m| m.kind == EntityKind::Location) {
            let Some(code) = ex.resolve_place_query(&m.text).and_then(|p| p.country_code) else {
                continue;
            };
            let head = m.start < head_end;
            match places.iter_mut().find(|(c, _, _)| *c == code) {
                Some(e) => {
                    e.1 += 1;
                    e.2 |= head;
                }
                None => places.push((code, 1, head)),
            }
        }
        let facets: BTreeSet<String> = ents
            .places
            .iter()
            .filter_map(|p| p.country_code.clone())
            .collect();
        let mut with_demonyms = facets.clone();
        for m in mentions.iter().filter(|m| m.kind == EntityKind::Misc) {
            if let Some(code) = ex.country_of_demonym(&m.text).and_then(|p| p.country_code) {
                with_demonyms.insert(code);
            }
        }
        let frequent: BTreeSet<String> = facets
            .iter()
            .filter(|c| {
                places
                    .iter()
                    .any(|(p, n, head)| p == *c && (*n >= 2 || *head))
            })
            .cloned()
            .collect();
        let head_only: BTreeSet<String> = facets
            .iter()
            .filter(|c| places.iter().any(|(p, _, head)| p == *c && *head))
            .cloned()
            .collect();
        for c in facets.difference(&gold) {
            *false_pos.entry(c.clone()).or_default() += 1;
        }
        for c in gold.difference(&facets) {
            *missed.entry(c.clone()).or_default() += 1;
        }
        for (k, predicted) in [&facets, &with_demonyms, &frequent, &head_only]
            .into_iter()
            .enumerate()
        {
            counts[k].predicted += predicted.len();
            counts[k].tp += predicted.intersection(&gold).count();
        }

        let named: BTreeSet<String> = ex
            .countries_named_in(&format!("{title}\n\n{body}"))
            .into_iter()
            .filter_map(|p| p.country_code)
            .collect();
        ceiling += gold.intersection(&named).count();
    }

    println!(
        "Reuters-21578 truth-train: {articles} articles with country tags, {gold_total} truth country tags ({:.1}s)",
        started.elapsed().as_secs_f64()
    );
    println!(
        "ceiling (truth country named in the text by any name/alias/city/region/demonym): {ceiling}/{gold_total} = {:.3}",
        ceiling as f64 / gold_total as f64
    );
    for (name, c) in VARIANTS.iter().zip(counts) {
        println!(
            "{name:<62} recall {:.3} ({}/{gold_total})  precision {:.3} ({}/{})",
            c.tp as f64 / gold_total as f64,
            c.tp,
            c.tp as f64 / c.predicted.max(1) as f64,
            c.tp,
            c.predicted
        );
    }
    for (label, errors) in [
        ("most frequent false positives", &false_pos),
        ("most often missed", &missed),
    ] {
        let mut v: Vec<(&String, &usize)> = errors.iter().collect();
        v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let top: Vec<String> = v.iter().take(15).map(|(c, n)| format!("{c}:{n}")).collect();
        println!("{label} (place facets): {}", top.join(" "));
    }
}
