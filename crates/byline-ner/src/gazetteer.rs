//! The place gazetteer embedded in the crate: continents, countries (with
//! hand-written aliases and historic countries), first-level regions
//! (admin1) and cities of at least 15,000 people, plus country demonyms.
//!
//! The files under `data/` are generated from `../shared/gazetteers/` by
//! `examples/build_gazetteer.rs` (GeoNames, CC BY 4.0; demonyms MIT), except
//! `aliases.tsv`, `historic.tsv`, `region_abbrevs.tsv` and `landmarks.tsv`,
//! which are written by hand. See
//! `data/LICENSE.md`. They are parsed once per process ([`Gazetteer::get`]).

// The keys are our own embedded names, so a fast hasher is safe (no
// untrusted keys to flood the table); SipHash made loading 2x slower.
use foldhash::{HashMap, HashMapExt};
use std::sync::{LazyLock, Once};

use crate::normalize::{fold, with_folded};
use crate::NerError;

const COUNTRIES: &str = include_str!("../data/countries.tsv");
const ALIASES: &str = include_str!("../data/aliases.tsv");
const HISTORIC: &str = include_str!("../data/historic.tsv");
const DEMONYMS: &str = include_str!("../data/demonyms.tsv");
const ADMIN1: &str = include_str!("../data/admin1.tsv");
const CITIES: &str = include_str!("../data/cities.tsv");
const REGION_ABBREVS: &str = include_str!("../data/region_abbrevs.tsv");
const LANDMARKS: &str = include_str!("../data/landmarks.tsv");

/// GeoNames continent names, used as the first facet level.
const CONTINENTS: &[&str] = &[
    "Africa",
    "Asia",
    "Europe",
    "North America",
    "Oceania",
    "South America",
    "Antarctica",
];

/// A country or territory (current or historic).
#[derive(Debug)]
pub(crate) struct Country {
    /// ISO 3166-1 alpha-2 code (a 4-letter ISO 3166-3 code for a historic
    /// country whose alpha-2 code was reused).
    pub code: String,
    /// Canonical English short name.
    pub name: String,
    /// Continent name (first facet level).
    pub continent: String,
    /// Population, 0 when unknown.
    pub population: u64,
}

/// A first-level administrative division (US state, Canadian province…).
#[derive(Debug)]
pub(crate) struct Admin1 {
    /// Index into [`Gazetteer::countries`].
    pub country: usize,
    /// Canonical name.
    pub name: String,
}

/// A populated place.
#[derive(Debug)]
pub(crate) struct City {
    /// Canonical (GeoNames main) name.
    pub name: String,
    /// Index into [`Gazetteer::countries`].
    pub country: usize,
    /// Index into [`Gazetteer::admin1`], when known.
    pub admin1: Option<usize>,
    /// Population.
    pub population: u64,
}

/// What a name can refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Target {
    /// Index into [`CONTINENTS`].
    Continent(usize),
    /// Index into [`Gazetteer::countries`].
    Country(usize),
    /// Index into [`Gazetteer::admin1`].
    Admin1(usize),
    /// Index into [`Gazetteer::cities`].
    City(usize),
}

/// One reading of a name.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Candidate {
    /// The place.
    pub target: Target,
    /// True when the name is only a GeoNames alternate name of a city
    /// (these include foreign exonyms and noise, so they weigh less).
    pub alternate: bool,
}

/// All gazetteer tables and the name index.
#[derive(Debug)]
pub(crate) struct Gazetteer {
    pub countries: Vec<Country>,
    pub admin1: Vec<Admin1>,
    pub cities: Vec<City>,
    /// Folded name → readings, in file order (cities largest first).
    names: HashMap<String, Vec<Candidate>>,
    /// Folded demonym ("syrian", "germans") → country index.
    demonyms: HashMap<String, usize>,
    /// Longest name in tokens, for n-gram scans.
    max_tokens: usize,
}

static GAZETTEER: LazyLock<Result<Gazetteer, String>> = LazyLock::new(Gazetteer::parse);

impl Gazetteer {
    /// The process-wide gazetteer, parsed from the embedded files on first use.
    pub fn get() -> Result<&'static Gazetteer, NerError> {
        GAZETTEER
            .as_ref()
            .map_err(|e| NerError::InvalidGazetteer(e.clone()))
    }

    /// Starts parsing the gazetteer on another thread (once per process), so
    /// that the first [`Gazetteer::get`] waits less or not at all.
    pub fn prefetch() {
        static STARTED: Once = Once::new();
        STARTED.call_once(|| {
            std::thread::spawn(|| {
                let _ = Gazetteer::get();
            });
        });
    }

    fn parse() -> Result<Gazetteer, String> {
        let mut g = Gazetteer {
            countries: Vec::new(),
            admin1: Vec::new(),
            cities: Vec::new(),
            // About one name per 15 bytes of the tables (mostly cities).
            names: HashMap::with_capacity(CITIES.len() / 15),
            demonyms: HashMap::new(),
            max_tokens: 1,
        };
        for (i, c) in CONTINENTS.iter().enumerate() {
            g.add_name(c, Target::Continent(i), false);
        }
        let mut by_code: HashMap<String, usize> = HashMap::new();
        for (n, f) in rows(COUNTRIES) {
            let [code, name, continent, population, _capital] = fields::<5>(&f, "countries", n)?;
            let i = g.countries.len();
            g.countries.push(Country {
                code: code.to_string(),
                name: name.to_string(),
                continent: continent.to_string(),
                population: population.parse().unwrap_or(0),
            });
            by_code.insert(code.to_string(), i);
            g.add_name(name, Target::Country(i), false);
        }
        for (n, f) in rows(HISTORIC) {
            let [code, name, continent, aliases, demonyms] = fields::<5>(&f, "historic", n)?;
            let i = g.countries.len();
            g.countries.push(Country {
                code: code.to_string(),
                name: name.to_string(),
                continent: continent.to_string(),
                population: 0,
            });
            by_code.insert(code.to_string(), i);
            g.add_name(name, Target::Country(i), false);
            for a in aliases.split(';').filter(|a| !a.is_empty()) {
                g.add_name(a, Target::Country(i), false);
            }
            for d in demonyms.split(';').filter(|d| !d.is_empty()) {
                g.demonyms.insert(fold(d), i);
            }
        }
        for (n, f) in rows(ALIASES) {
            let [code, aliases, demonyms] = fields::<3>(&f, "aliases", n)?;
            let i = *by_code
                .get(code)
                .ok_or_else(|| format!("aliases line {n}: unknown country {code}"))?;
            for a in aliases.split(';').filter(|a| !a.is_empty()) {
                g.add_name(a, Target::Country(i), false);
            }
            for d in demonyms.split(';').filter(|d| !d.is_empty()) {
                g.demonyms.insert(fold(d), i);
            }
        }
        for (n, f) in rows(DEMONYMS) {
            let [code, demonyms] = fields::<2>(&f, "demonyms", n)?;
            let i = *by_code
                .get(code)
                .ok_or_else(|| format!("demonyms line {n}: unknown country {code}"))?;
            for d in demonyms.split(';').filter(|d| !d.is_empty()) {
                g.demonyms.entry(fold(d)).or_insert(i);
            }
        }
        let mut admin1_by_code: HashMap<(usize, String), usize> = HashMap::new();
        for (n, f) in rows(ADMIN1) {
            let [code, admin, name, ascii] = fields::<4>(&f, "admin1", n)?;
            let Some(&country) = by_code.get(code) else {
                continue;
            };
            let i = g.admin1.len();
            g.admin1.push(Admin1 {
                country,
                name: name.to_string(),
            });
            admin1_by_code.insert((country, admin.to_string()), i);
            g.add_name(name, Target::Admin1(i), false);
            if !ascii.is_empty() {
                g.add_name(ascii, Target::Admin1(i), false);
            }
        }
        for (n, f) in rows(CITIES) {
            let [name, ascii, code, admin, population, alts] = fields::<6>(&f, "cities", n)?;
            let Some(&country) = by_code.get(code) else {
                continue;
            };
            let i = g.cities.len();
            g.cities.push(City {
                name: name.to_string(),
                country,
                admin1: admin1_by_code.get(&(country, admin.to_string())).copied(),
                population: population.parse().unwrap_or(0),
            });
            g.add_name(name, Target::City(i), false);
            if !ascii.is_empty() {
                g.add_name(ascii, Target::City(i), false);
            }
            for a in alts.split(';').filter(|a| !a.is_empty()) {
                g.add_name(a, Target::City(i), true);
            }
        }
        for (n, f) in rows(REGION_ABBREVS) {
            let [code, admin, abbrevs] = fields::<3>(&f, "region_abbrevs", n)?;
            let country = *by_code
                .get(code)
                .ok_or_else(|| format!("region_abbrevs line {n}: unknown country {code}"))?;
            let a = *admin1_by_code
                .get(&(country, admin.to_string()))
                .ok_or_else(|| format!("region_abbrevs line {n}: unknown region {admin}"))?;
            for abbrev in abbrevs.split(';').filter(|a| !a.is_empty()) {
                g.add_name(abbrev, Target::Admin1(a), false);
            }
        }
        // Landmarks replace whatever the tables say about their names.
        for (n, f) in rows(LANDMARKS) {
            let [name, code] = fields::<2>(&f, "landmarks", n)?;
            let key = fold(name);
            if code == "-" {
                g.names.remove(&key);
            } else {
                let c = *by_code
                    .get(code)
                    .ok_or_else(|| format!("landmarks line {n}: unknown country {code}"))?;
                g.names.insert(
                    key,
                    vec![Candidate {
                        target: Target::Country(c),
                        alternate: false,
                    }],
                );
            }
        }
        if g.countries.len() < 200 || g.cities.len() < 1000 {
            return Err("embedded gazetteer tables are truncated".to_string());
        }
        Ok(g)
    }

    fn add_name(&mut self, name: &str, target: Target, alternate: bool) {
        // Folded in a reused buffer: a name already known (a city's ASCII
        // form is often its name) costs no allocation.
        let (names, max_tokens) = (&mut self.names, &mut self.max_tokens);
        with_folded(name, |key| {
            if key.is_empty() {
                return;
            }
            *max_tokens = (*max_tokens).max(1 + key.bytes().filter(|&b| b == b' ').count());
            let candidate = Candidate { target, alternate };
            match names.get_mut(key) {
                Some(list) => match list.iter_mut().find(|c| c.target == target) {
                    Some(c) => c.alternate &= alternate,
                    None => list.push(candidate),
                },
                None => {
                    names.insert(key.to_string(), vec![candidate]);
                }
            }
        });
    }

    /// Every reading of a name (case, dots, diacritics and a leading "the"
    /// ignored), in file order.
    pub fn lookup(&self, name: &str) -> &[Candidate] {
        with_folded(name, |key| self.names.get(key)).map_or(&[], Vec::as_slice)
    }

    /// The country a demonym or nationality adjective names ("Syrian",
    /// "Germans").
    pub fn demonym(&self, word: &str) -> Option<usize> {
        with_folded(word, |key| self.demonyms.get(key).copied())
    }

    /// The country a place lies in (`None` for a continent).
    pub fn country_of(&self, t: Target) -> Option<usize> {
        match t {
            Target::Continent(_) => None,
            Target::Country(c) => Some(c),
            Target::Admin1(a) => Some(self.admin1[a].country),
            Target::City(c) => Some(self.cities[c].country),
        }
    }

    /// The first-level region a place lies in (itself for a region).
    pub fn admin1_of(&self, t: Target) -> Option<usize> {
        match t {
            Target::Admin1(a) => Some(a),
            Target::City(c) => self.cities[c].admin1,
            _ => None,
        }
    }

    /// Canonical name of a place.
    pub fn name_of(&self, t: Target) -> &str {
        match t {
            Target::Continent(i) => CONTINENTS[i],
            Target::Country(c) => &self.countries[c].name,
            Target::Admin1(a) => &self.admin1[a].name,
            Target::City(c) => &self.cities[c].name,
        }
    }

    /// Population used as the prior of a reading. First-level regions carry
    /// no population in the data; they count as 500,000 (a mid-sized city),
    /// so "Washington" is the city, "New York" the city, "Georgia" the
    /// country unless the context says otherwise.
    pub fn population_of(&self, t: Target) -> u64 {
        match t {
            Target::Continent(_) => 1_000_000_000,
            Target::Country(c) => match self.countries[c].population {
                0 => 50_000_000,
                p => p,
            },
            Target::Admin1(_) => 500_000,
            Target::City(c) => self.cities[c].population,
        }
    }

    /// Every country that any place name, alias or demonym among the
    /// capitalised 1..n-grams of `text` can refer to, with no
    /// disambiguation: an upper bound of what place resolution could find.
    pub fn countries_named_in(&self, text: &str) -> Vec<usize> {
        let words: Vec<&str> = text
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':' | '(' | ')' | '"'))
            .map(|w| crate::normalize::strip_possessive(w.trim_end_matches(['.', '\''])))
            .collect();
        let mut out: Vec<usize> = Vec::new();
        for i in 0..words.len() {
            if !words[i].starts_with(|c: char| c.is_uppercase()) {
                continue;
            }
            let mut phrase = String::new();
            for (n, w) in words[i..].iter().take(self.max_tokens).enumerate() {
                if n > 0 {
                    phrase.push(' ');
                }
                phrase.push_str(w);
                let mut found: Vec<usize> = self
                    .lookup(&phrase)
                    .iter()
                    .filter_map(|c| self.country_of(c.target))
                    .collect();
                if n == 0 {
                    found.extend(self.demonym(w));
                }
                for c in found {
                    if !out.contains(&c) {
                        out.push(c);
                    }
                }
            }
        }
        out
    }
}

/// Non-empty, non-comment lines of an embedded TSV file with 1-based line
/// numbers, split on tabs.
fn rows(text: &'static str) -> impl Iterator<Item = (usize, Vec<&'static str>)> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .map(|(i, l)| (i + 1, l.split('\t').collect()))
}

/// The first `N` fields of a row; missing trailing fields are empty.
fn fields<'a, const N: usize>(
    f: &[&'a str],
    file: &str,
    line: usize,
) -> Result<[&'a str; N], String> {
    if f.len() > N || f.len() + 1 < N {
        return Err(format!(
            "{file} line {line}: {} fields, expected {N}",
            f.len()
        ));
    }
    let mut out = [""; N];
    out[..f.len()].copy_from_slice(f);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn country_codes(g: &Gazetteer, name: &str) -> Vec<String> {
        g.lookup(name)
            .iter()
            .filter_map(|c| g.country_of(c.target))
            .map(|c| g.countries[c].code.clone())
            .collect()
    }

    #[test]
    fn loads_and_finds_aliases() {
        let g = Gazetteer::get().unwrap();
        assert!(g.cities.len() > 30_000);
        for alias in ["US", "U.S.", "USA", "United States", "America"] {
            assert_eq!(country_codes(g, alias)[0], "US", "{alias}");
        }
        assert_eq!(country_codes(g, "Britain")[0], "GB");
        assert_eq!(country_codes(g, "USSR")[0], "SU");
        assert_eq!(country_codes(g, "West Germany")[0], "DE");
        assert!(country_codes(g, "Daraya").contains(&"SY".to_string()));
        assert!(g.lookup("Syrian").is_empty());
        assert_eq!(g.countries[g.demonym("Syrian").unwrap()].code, "SY");
    }

    #[test]
    fn countries_named_anywhere() {
        let g = Gazetteer::get().unwrap();
        let found: Vec<&str> = g
            .countries_named_in("Talks in Geneva with Brazilian and U.S. officials.")
            .into_iter()
            .map(|c| g.countries[c].code.as_str())
            .collect();
        for code in ["CH", "BR", "US"] {
            assert!(found.contains(&code), "{code} in {found:?}");
        }
    }
}
