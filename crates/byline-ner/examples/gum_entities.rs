//! Cross-domain check on the 24 GUM Wikinews articles: recall (and a
//! lenient precision) of the normalised people and places of
//! [`EntityExtractor`] against GUM's person/place entities.
//!
//! ```text
//! cargo run --release -p byline-ner --example gum_entities --target-dir target/ner [-- <gum-wikinews dir>]
//! ```
//!
//! A gold unit is one entity of one article: its rows grouped by Wikipedia
//! identity (or by text when GUM gives none), with all their surface
//! forms. A unit is found when an output entity of the same type matches one
//! of its forms: the folded tokens of one contain the other's as a run
//! ("U.S. President Donald Trump" ⊇ "Donald Trump" ⊇ "Trump"), or, for
//! places, the form resolves to the output's facet ("the U.S." → United
//! States). GUM also labels groups ("Afghans", "Muslims") and descriptions
//! ("The President") as persons; no name tagger finds those, so recall is
//! also given for the units that have a Wikipedia identity. Set
//! `GUM_VERBOSE=1` to list the units missed and the outputs not matched.

use std::collections::BTreeMap;
use std::path::PathBuf;

use byline_ner::EntityExtractor;

/// Lower-case alphanumeric tokens (dots, possessives, punctuation dropped).
fn toks(s: &str) -> Vec<String> {
    s.replace(['.', '’'], "")
        .replace("'s", "")
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| w != "the")
        .collect()
}

/// True when one token list contains the other as a contiguous run.
fn overlaps(a: &[String], b: &[String]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    !short.is_empty() && long.windows(short.len()).any(|w| w == short)
}

struct Unit {
    forms: Vec<String>,
    identity: bool,
}

fn main() {
    let dir: PathBuf = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/corpora/gum-wikinews"
            ))
        });
    let tsv = std::fs::read_to_string(dir.join("entities.tsv")).expect("entities.tsv");
    // (file, type) -> key -> unit
    let mut gold: BTreeMap<(String, String), BTreeMap<String, Unit>> = BTreeMap::new();
    for line in tsv.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 4 || !(f[2] == "person" || f[2] == "place") {
            continue;
        }
        let key = if f[3].is_empty() { f[1] } else { f[3] };
        let unit = gold
            .entry((f[0].to_string(), f[2].to_string()))
            .or_default()
            .entry(key.to_string())
            .or_insert(Unit {
                forms: Vec::new(),
                identity: !f[3].is_empty(),
            });
        unit.forms.push(f[1].to_string());
    }

    let ex = EntityExtractor::load_default().expect("load extractor");
    let verbose = std::env::var_os("GUM_VERBOSE").is_some();
    let files: Vec<String> = {
        let mut v: Vec<String> = gold.keys().map(|(f, _)| f.clone()).collect();
        v.dedup();
        v
    };
    // [type] -> (units, found, units with identity, found with identity, outputs, outputs matching)
    let mut stats: BTreeMap<&str, [usize; 6]> = BTreeMap::new();
    for file in &files {
        let raw = std::fs::read_to_string(dir.join("articles").join(file)).expect("article");
        let (title, body) = raw.split_once('\n').unwrap_or((&raw, ""));
        let ents = ex.extract(title, body.trim());
        for ty in ["person", "place"] {
            let empty = BTreeMap::new();
            let units = gold.get(&(file.clone(), ty.to_string())).unwrap_or(&empty);
            let outputs: Vec<(Vec<String>, Option<String>)> = if ty == "person" {
                ents.people.iter().map(|p| (toks(p), None)).collect()
            } else {
                ents.places
                    .iter()
                    .map(|p| (toks(&p.name), Some(p.facet.clone())))
                    .collect()
            };
            let matches = |u: &Unit, (name, facet): &(Vec<String>, Option<String>)| {
                u.forms.iter().any(|f| {
                    overlaps(&toks(f), name)
                        || facet.as_ref().is_some_and(|facet| {
                            ex.resolve_place_query(f).is_some_and(|p| &p.facet == facet)
                        })
                })
            };
            let s = stats.entry(ty).or_default();
            for u in units.values() {
                let found = outputs.iter().any(|o| matches(u, o));
                s[0] += 1;
                s[1] += usize::from(found);
                if verbose && !found {
                    println!("missed {ty} in {file}: {:?}", u.forms);
                }
                if u.identity {
                    s[2] += 1;
                    s[3] += usize::from(found);
                }
            }
            for o in &outputs {
                let ok = units.values().any(|u| matches(u, o));
                s[4] += 1;
                s[5] += usize::from(ok);
                if verbose && !ok {
                    println!("unmatched {ty} output in {file}: {:?} {:?}", o.0, o.1);
                }
            }
        }
    }
    println!("GUM Wikinews: {} articles", files.len());
    for (ty, s) in stats {
        let r = |a: usize, b: usize| a as f64 / b.max(1) as f64;
        println!(
            "{ty:<6} recall {:.3} ({}/{} units); with a Wikipedia identity {:.3} ({}/{}); precision {:.3} ({}/{} outputs)",
            r(s[1], s[0]),
            s[1],
            s[0],
            r(s[3], s[2]),
            s[3],
            s[2],
            r(s[5], s[4]),
            s[5],
            s[4]
        );
    }
}
