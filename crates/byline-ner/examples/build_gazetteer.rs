//! Regenerates the compact gazetteer files under `crates/byline-ner/data/`
//! from the project's shared gazetteers (`../shared/gazetteers/`).
//!
//! ```text
//! cargo run -p byline-ner --example build_gazetteer --target-dir target/ner [-- <gazetteers dir>]
//! ```
//!
//! Only GeoNames-derived columns (CC BY 4.0) and the MIT demonyms are
//! written; pycountry-derived values (LGPL-2.1: the `aliases` column of
//! `countries.tsv` mixes them with hand-curated forms, and all of
//! `historic_countries.tsv`/`regions.tsv`) are deliberately left out. The
//! project-owned aliases live in the hand-written `data/aliases.tsv`, which
//! this program does not touch. See `data/LICENSE.md`.
//!
//! Output is deterministic: the same input gives byte-identical files.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// City alternate names are kept in full for cities at least this big
/// (they carry the English exonyms: Peking, Bombay, Leningrad). For smaller
/// cities only spelling variants of the name are kept (Daraya, Darayyah for
/// Darayya; Basle for Basel), which keeps the file small.
const ALL_ALTERNATES_MIN_POPULATION: u64 = 100_000;

/// Minimum letter-bigram Jaccard similarity of a kept spelling variant.
const VARIANT_MIN_SIMILARITY: f64 = 0.3;

fn main() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let src: PathBuf = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../../../shared/gazetteers"));
    let out = manifest.join("data");
    std::fs::create_dir_all(&out).expect("create data dir");

    let continents = read_tsv(&src.join("continents.tsv"));
    let continent_name: HashMap<String, String> = continents
        .iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();

    // countries.tsv: iso2 iso3 isonumeric name aliases demonyms continent capital population geonameid
    let countries = read_tsv(&src.join("countries.tsv"));
    let mut c_out = String::from("# iso2\tname\tcontinent\tpopulation\tcapital\n");
    let mut d_out = String::from("# iso2\tdemonyms\n");
    for r in &countries {
        let name = r[3].strip_prefix("The ").unwrap_or(&r[3]);
        let continent = continent_name.get(&r[6]).cloned().unwrap_or_default();
        writeln!(
            c_out,
            "{}\t{}\t{}\t{}\t{}",
            r[0], name, continent, r[8], r[7]
        )
        .unwrap();
        if !r[5].is_empty() {
            writeln!(d_out, "{}\t{}", r[0], r[5]).unwrap();
        }
    }

    // admin1.tsv: code country_iso2 admin1_code name asciiname geonameid
    let admin1 = read_tsv(&src.join("admin1.tsv"));
    let mut a_out = String::from("# iso2\tadmin1\tname\tasciiname if different\n");
    for r in &admin1 {
        let ascii = if r[4] == r[3] { "" } else { r[4].as_str() };
        writeln!(a_out, "{}\t{}\t{}\t{}", r[1], r[2], r[3], ascii).unwrap();
    }

    // cities.tsv: geonameid name asciiname alternatenames country_iso2 admin1_code population lat lon
    let cities = read_tsv(&src.join("cities.tsv"));
    let mut ci_out = String::from(
        "# name\tasciiname if different\tiso2\tadmin1\tpopulation\talternate names (;)\n",
    );
    for r in &cities {
        let population: u64 = r[6].parse().unwrap_or(0);
        let ascii = if r[2] == r[1] { "" } else { r[2].as_str() };
        let alts: Vec<&str> = r[3]
            .split(';')
            .filter(|a| !a.is_empty() && keep_alternate(a, &r[2], population))
            .collect();
        writeln!(
            ci_out,
            "{}\t{}\t{}\t{}\t{}\t{}",
            r[1],
            ascii,
            r[4],
            r[5],
            population,
            alts.join(";")
        )
        .unwrap();
    }

    for (name, text) in [
        ("countries.tsv", &c_out),
        ("demonyms.tsv", &d_out),
        ("admin1.tsv", &a_out),
        ("cities.tsv", &ci_out),
    ] {
        std::fs::write(out.join(name), text).expect("write data file");
        println!("{name}: {} bytes", text.len());
    }
}

/// Rows of a headed TSV file, quoting disabled.
fn read_tsv(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

/// Words that start foreign-language "City of X" forms ("Kota Tacloban",
/// "Bandaraya Melaka"), which are noise for English news.
const FOREIGN_PREFIXES: &[&str] = &[
    "kota",
    "bandaraya",
    "dinas",
    "ciudad",
    "cidade",
    "urbs",
    "altepetl",
    "jiji",
    "lungsod",
    "dakbayan",
    "syodad",
    "siyudad",
    "cathair",
    "ciutat",
    "kempek",
    "dayeuh",
    "citta",
    "ville",
    "stad",
    "miasto",
    "grad",
    "gorod",
    "mesto",
    "kabupaten",
    "municipio",
    "municipality",
    "lalawigan",
];

fn keep_alternate(alt: &str, ascii_name: &str, population: u64) -> bool {
    // Non-ASCII forms are foreign; names of 3 letters or fewer are mostly
    // codes and syllables ("Pa" for Chongqing) that collide with
    // abbreviations.
    if !alt.is_ascii() || alt.chars().filter(|c| c.is_alphabetic()).count() < 4 {
        return false;
    }
    let first = alt.split([' ', '-']).next().unwrap_or("").to_lowercase();
    if FOREIGN_PREFIXES.contains(&first.as_str()) {
        return false;
    }
    if population >= ALL_ALTERNATES_MIN_POPULATION {
        return true;
    }
    // A spelling variant: same first letter and similar letter bigrams.
    let same_first = alt.chars().next().map(|c| c.to_ascii_lowercase())
        == ascii_name.chars().next().map(|c| c.to_ascii_lowercase());
    same_first && bigram_jaccard(alt, ascii_name) >= VARIANT_MIN_SIMILARITY
}

fn bigram_jaccard(a: &str, b: &str) -> f64 {
    let grams = |s: &str| {
        let cs: Vec<char> = s.to_lowercase().chars().collect();
        let mut v: Vec<(char, char)> = cs.windows(2).map(|w| (w[0], w[1])).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let (ga, gb) = (grams(a), grams(b));
    let inter = ga.iter().filter(|g| gb.contains(g)).count();
    let union = ga.len() + gb.len() - inter;
    if union == 0 {
        0.0
    } else {
        inter as f64 / union as f64
    }
}
