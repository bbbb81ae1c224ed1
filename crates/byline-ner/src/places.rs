//! Place normalisation: resolves the place mentions of one article to
//! canonical places with a hierarchical facet path
//! `/<Continent>/<Country>/<Place>` (e.g. `/Asia/Syria/Aleppo`, `/Asia/Syria`
//! for the country itself), so that filtering by a country finds articles
//! that only name one of its cities or regions.
//!
//! # How an ambiguous name is resolved
//!
//! Every reading of a name (country, first-level region, city; see
//! [`Gazetteer::lookup`]) gets a score, in natural-log units:
//!
//! - **prior**: `ln(population)`; countries get `+3` on top (a country name
//!   beats a city of the same name: "Mexico", "Kuwait"), readings that come
//!   only from a city's GeoNames alternate names get `-1.5` (they include
//!   foreign exonyms and noise). Regions count as 500,000 people.
//! - **context**: the other place names of the same article are resolved
//!   first on their prior alone; a name whose best reading beats every
//!   reading in another country by at least `ln 2` is an *anchor* for its
//!   country (and for its region, if it is a region or a city in one). A
//!   reading then gains `+3` (= ×20 population) when its country is
//!   anchored by another name of the article, and another `+7` (≈ ×1000)
//!   when its region is (for a city, only when the region itself is named:
//!   two cities of one state are weak evidence, "Ontario" is strong; a
//!   country containing an anchored region also gets it).
//!
//! The highest score wins; ties go to the larger place. So "Paris" is Paris,
//! France even in an article that also names the United States (Paris, Texas
//! has 25k people: ×20 is still below Paris's 2.1M), "Georgia" is the country
//! by default and with "Tbilisi", but the US state with "Atlanta" (a city
//! in the state of Georgia: region bonus), "London" with "Ontario" is London,
//! Ontario. A name with no reading is kept as written under `/Unresolved/`,
//! never dropped.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::gazetteer::{Candidate, Gazetteer, Target};
use crate::normalize::{
    clean_mention, fold, is_shouting, strip_hyphen_suffix, title_case, with_folded,
};

/// Prior bonus of a country reading over cities of the same name.
const COUNTRY_BONUS: f64 = 3.0;
/// Prior penalty of a reading known only from alternate names.
const ALTERNATE_PENALTY: f64 = 1.5;
/// Context bonus when another name of the article anchors the country.
const SAME_COUNTRY_BONUS: f64 = 3.0;
/// Context bonus when another name of the article anchors the region.
const SAME_REGION_BONUS: f64 = 7.0;
/// Margin over every other country's reading that makes a name an anchor.
const ANCHOR_MARGIN: f64 = 0.7; // ln 2

/// Facet root for places that the gazetteer does not know.
pub const UNRESOLVED_ROOT: &str = "Unresolved";

/// A canonical place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Place {
    /// Canonical name: "United States", "Aleppo", "Georgia"; for an
    /// unresolved place, the name as written.
    pub name: String,
    /// Canonical name of the country the place is in (itself for a
    /// country); `None` for continents and unresolved places.
    pub country: Option<String>,
    /// ISO 3166-1 alpha-2 code of that country (`SU`, `YU`, `DD` or
    /// `CSHH` for the historic Soviet Union, Yugoslavia, East Germany and
    /// Czechoslovakia).
    pub country_code: Option<String>,
    /// Hierarchical facet path: `/Asia/Syria/Aleppo`, `/Asia/Syria`,
    /// `/Europe`, or `/Unresolved/<name>`.
    pub facet: String,
    /// How the article wrote the place (its first mention, cleaned), when
    /// that differs from `name`: "Daraya" for Dārayyā, "US" for United
    /// States. `None` for places resolved from a query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub written: Option<String>,
}

impl Place {
    /// The name to show a reader of the article.
    ///
    /// The rule: a place inside a country (city, region) whose written form
    /// is only another spelling of its canonical name shows the written
    /// form, so the reader recognises the name they read ("Daraya" for
    /// Dārayyā, "Sao Paulo" for São Paulo). "Another spelling" means equal
    /// after folding case and diacritics, keeping only letters and
    /// collapsing doubled letters (the usual transliteration differences).
    /// Everything else shows the canonical name: countries and continents
    /// always ("United States" for "US", "U.S.", "America"), and a
    /// different name rather than a spelling ("Mumbai" for "Bombay"), so
    /// that one place is one value wherever the reader meets it.
    pub fn display_name(&self) -> &str {
        let within_country = self.country.is_some() && self.facet.matches('/').count() >= 3;
        match &self.written {
            Some(w) if within_country && spelling_key(w) == spelling_key(&self.name) => w,
            _ => &self.name,
        }
    }
}

/// Letters only, case and diacritics folded, doubled letters collapsed:
/// "Dārayyā" and "Daraya" both give "daraya".
fn spelling_key(name: &str) -> String {
    let mut key = String::with_capacity(name.len());
    for c in fold(name).chars().filter(|c| c.is_alphabetic()) {
        if !key.ends_with(c) {
            key.push(c);
        }
    }
    key
}

/// Resolves each distinct place name of one article, in order of first
/// mention, using the other names as context. Names that are only
/// demonyms ("Syrian") are not places and are skipped; unknown names are
/// kept as written. The result has one entry per distinct facet.
#[cfg(test)]
pub(crate) fn resolve_places<S: AsRef<str>>(gaz: &Gazetteer, names: &[S]) -> Vec<Place> {
    let pairs: Vec<(&str, Option<&str>)> = names.iter().map(|n| (n.as_ref(), None)).collect();
    resolve_qualified(gaz, &pairs)
}

/// A name's readings, restricted by its qualifier, and the qualifier.
struct Item<'a> {
    name: Cow<'a, str>,
    cands: Vec<Candidate>,
    /// Country and region of a qualifier ("Horsham, Pa.", "Aleppo, Syria").
    within: Option<(usize, Option<usize>)>,
}

/// [`resolve_places`] where a name may carry a qualifier: the region or
/// country written right after it ("Horsham, Pa.", "London, Ontario",
/// "Daraya, Syria"). A qualifier that resolves to a country or first-level
/// region restricts a city (or unknown) name to that country; a name with no
/// reading there is placed in it as written
/// (`/North America/United States/Horsham`). Qualifiers that are cities
/// ("Aleppo, Damascus" in a list) and names that are countries or regions
/// themselves ("Iran, Iraq") are left alone.
pub(crate) fn resolve_qualified(gaz: &Gazetteer, names: &[(&str, Option<&str>)]) -> Vec<Place> {
    let mut items: Vec<Item> = Vec::new();
    let mut keys: Vec<String> = Vec::new(); // `fold(&items[i].name)`
    for (i, (raw, qualifier)) in names.iter().enumerate() {
        // A name repeated verbatim without a qualifier changes nothing: its
        // first mention already added (or skipped) it.
        if qualifier.is_none() && names[..i].iter().any(|(r, _)| r == raw) {
            continue;
        }
        let Some((name, cands)) = clean_place_name(gaz, raw) else {
            continue;
        };
        let within = qualifier.and_then(|q| qualifier_of(gaz, cands, q));
        // The key is only allocated for a new name.
        let seen = with_folded(&name, |key| keys.iter().position(|k| k == key));
        match seen.map(|i| &mut items[i]) {
            Some(it) => {
                if it.within.is_none() && within.is_some() {
                    it.within = within;
                    it.cands = restrict(gaz, cands, within);
                }
            }
            None => {
                keys.push(fold(&name));
                items.push(Item {
                    name,
                    cands: restrict(gaz, cands, within),
                    within,
                });
            }
        }
    }

    // Anchors: which names vouch for which countries and regions.
    let mut country_anchors: Vec<(usize, usize)> = Vec::new(); // (item, country)
                                                               // (item, admin1, named as a region itself rather than implied by a city)
    let mut region_anchors: Vec<(usize, usize, bool)> = Vec::new();
    for (i, it) in items.iter().enumerate() {
        let Some(best) = best_by(&it.cands, |c| prior(gaz, c)) else {
            if let Some((c, a)) = it.within {
                country_anchors.push((i, c));
                region_anchors.extend(a.map(|a| (i, a, true)));
            }
            continue;
        };
        let best_country = gaz.country_of(best.target);
        let best_score = prior(gaz, best);
        let rival = it
            .cands
            .iter()
            .filter(|c| gaz.country_of(c.target) != best_country)
            .map(|c| prior(gaz, c))
            .fold(f64::NEG_INFINITY, f64::max);
        if best_score - rival >= ANCHOR_MARGIN {
            if let Some(c) = best_country {
                country_anchors.push((i, c));
            }
            if let Some(a) = gaz.admin1_of(best.target) {
                region_anchors.push((i, a, matches!(best.target, Target::Admin1(_))));
            }
        }
    }

    let mut out: Vec<Place> = Vec::new();
    let mut resolved: Vec<Target> = Vec::new();
    for (i, it) in items.iter().enumerate() {
        let score = |c: &Candidate| {
            let mut s = prior(gaz, c);
            let country = gaz.country_of(c.target);
            if country.is_some()
                && country_anchors
                    .iter()
                    .any(|&(j, a)| j != i && Some(a) == country)
            {
                s += SAME_COUNTRY_BONUS;
            }
            // The region bonus goes to readings in an anchored region, and
            // to the country that contains it ("Taiwan" with "Taipei" is the
            // country, not the province of the same name). A city gets it
            // only from a region named as such ("London" with "Ontario"),
            // not from another city in the region: "New York" does not make
            // "Amsterdam" the town in New York State.
            let in_region = match (c.target, gaz.admin1_of(c.target)) {
                (Target::Country(ci), _) => region_anchors
                    .iter()
                    .any(|&(j, a, _)| j != i && gaz.admin1[a].country == ci),
                (Target::City(_), Some(r)) => region_anchors
                    .iter()
                    .any(|&(j, a, named)| j != i && a == r && named),
                (_, Some(r)) => region_anchors.iter().any(|&(j, a, _)| j != i && a == r),
                _ => false,
            };
            if in_region {
                s += SAME_REGION_BONUS;
            }
            s
        };
        let mut place = match (best_by(&it.cands, score), it.within) {
            // A place resolved before has a facet already in `out`.
            (Some(c), _) if resolved.contains(&c.target) => continue,
            (Some(c), _) => {
                resolved.push(c.target);
                place_of(gaz, c.target)
            }
            (None, Some((country, _))) => located(gaz, &it.name, country),
            (None, None) => unresolved(&it.name),
        };
        if place.name != it.name {
            place.written = Some(it.name.to_string());
        }
        if !out.iter().any(|p| p.facet == place.facet) {
            out.push(place);
        }
    }
    out
}

/// The country and region a qualifier names, when it qualifies `cands`: the
/// qualifier's best reading is a country or region, and the name's own best
/// reading (if any) is a city.
fn qualifier_of(
    gaz: &Gazetteer,
    cands: &[Candidate],
    qualifier: &str,
) -> Option<(usize, Option<usize>)> {
    if let Some(own) = best_by(cands, |c| prior(gaz, c)) {
        if !matches!(own.target, Target::City(_)) {
            return None;
        }
    }
    let (_, q) = clean_place_name(gaz, qualifier)?;
    let best = best_by(q, |c| prior(gaz, c))?;
    match best.target {
        Target::Country(c) => Some((c, None)),
        Target::Admin1(a) => Some((gaz.admin1[a].country, Some(a))),
        _ => None,
    }
}

/// The readings of a name that lie within its qualifier's country, those in
/// the qualifier's region first.
fn restrict(
    gaz: &Gazetteer,
    cands: &[Candidate],
    within: Option<(usize, Option<usize>)>,
) -> Vec<Candidate> {
    let Some((country, region)) = within else {
        return cands.to_vec();
    };
    let inside: Vec<Candidate> = cands
        .iter()
        .filter(|c| gaz.country_of(c.target) == Some(country))
        .copied()
        .collect();
    match region {
        Some(r) if inside.iter().any(|c| gaz.admin1_of(c.target) == Some(r)) => inside
            .into_iter()
            .filter(|c| gaz.admin1_of(c.target) == Some(r))
            .collect(),
        _ => inside,
    }
}

/// The most likely place a query names, with no context ("US" → United
/// States, "Syria", "Aleppo"); an unknown name gives `None`.
pub(crate) fn resolve_query(gaz: &Gazetteer, q: &str) -> Option<Place> {
    let (_, cands) = clean_place_name(gaz, q)?;
    best_by(cands, |c| prior(gaz, c)).map(|c| place_of(gaz, c.target))
}

/// Cleans a place mention (quotes, possessive, "the", shouting, a
/// lower-case hyphenated suffix as in "Russia-backed") and looks it up.
/// `None` for empty text and for demonyms that are not place names.
fn clean_place_name<'g, 'r>(
    gaz: &'g Gazetteer,
    raw: &'r str,
) -> Option<(Cow<'r, str>, &'g [Candidate])> {
    let mut name = clean_mention(raw);
    if name.is_empty() || !name.chars().any(char::is_alphabetic) {
        return None;
    }
    let mut cands = gaz.lookup(&name);
    if cands.is_empty() {
        if let Some(head) = strip_hyphen_suffix(&name) {
            let head_cands = gaz.lookup(head);
            if !head_cands.is_empty() || gaz.demonym(head).is_some() {
                name = Cow::Owned(head.to_string());
                cands = head_cands;
            }
        }
    }
    if cands.is_empty() && gaz.demonym(&name).is_some() {
        return None;
    }
    if is_shouting(&name) && name.chars().filter(|c| c.is_alphabetic()).count() > 3 {
        name = Cow::Owned(title_case(&name));
    }
    Some((name, cands))
}

fn prior(gaz: &Gazetteer, c: &Candidate) -> f64 {
    let mut s = (gaz.population_of(c.target).max(1) as f64).ln();
    if matches!(c.target, Target::Country(_)) {
        s += COUNTRY_BONUS;
    }
    if c.alternate {
        s -= ALTERNATE_PENALTY;
    }
    s
}

/// The candidate with the highest score; the first (larger) one on ties.
fn best_by(cands: &[Candidate], score: impl Fn(&Candidate) -> f64) -> Option<&Candidate> {
    let mut best: Option<(&Candidate, f64)> = None;
    for c in cands {
        let s = score(c);
        if best.is_none_or(|(_, b)| s > b) {
            best = Some((c, s));
        }
    }
    best.map(|(c, _)| c)
}

/// A facet path component: `/` would split the level.
fn facet_part(s: &str) -> String {
    s.replace('/', "-")
}

/// Appends `/` and [`facet_part`]`(s)` to a facet path.
fn push_facet_level(facet: &mut String, s: &str) {
    facet.push('/');
    if s.contains('/') {
        facet.push_str(&facet_part(s));
    } else {
        facet.push_str(s);
    }
}

pub(crate) fn place_of(gaz: &Gazetteer, t: Target) -> Place {
    let name = gaz.name_of(t).to_string();
    match gaz.country_of(t) {
        None => {
            let mut facet = String::with_capacity(name.len() + 1);
            push_facet_level(&mut facet, &name);
            Place {
                facet,
                name,
                country: None,
                country_code: None,
                written: None,
            }
        }
        Some(ci) => {
            let c = &gaz.countries[ci];
            let mut facet =
                String::with_capacity(c.continent.len() + c.name.len() + name.len() + 3);
            push_facet_level(&mut facet, &c.continent);
            push_facet_level(&mut facet, &c.name);
            if !matches!(t, Target::Country(_)) {
                push_facet_level(&mut facet, &name);
            }
            Place {
                name,
                country: Some(c.name.clone()),
                country_code: Some(c.code.clone()),
                facet,
                written: None,
            }
        }
    }
}

/// A place the gazetteer does not know, located in a known country by its
/// qualifier.
fn located(gaz: &Gazetteer, name: &str, country: usize) -> Place {
    let c = &gaz.countries[country];
    Place {
        name: name.to_string(),
        country: Some(c.name.clone()),
        country_code: Some(c.code.clone()),
        facet: format!(
            "/{}/{}/{}",
            facet_part(&c.continent),
            facet_part(&c.name),
            facet_part(name)
        ),
        written: None,
    }
}

fn unresolved(name: &str) -> Place {
    Place {
        name: name.to_string(),
        country: None,
        country_code: None,
        facet: format!("/{UNRESOLVED_ROOT}/{}", facet_part(name)),
        written: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facets(names: &[&str]) -> Vec<String> {
        let g = Gazetteer::get().unwrap();
        resolve_places(g, names)
            .into_iter()
            .map(|p| p.facet)
            .collect()
    }

    #[test]
    fn aliases_resolve_to_one_country() {
        let f = facets(&[
            "US",
            "U.S.",
            "USA",
            "United States",
            "America",
            "the United States",
        ]);
        assert_eq!(f, ["/North America/United States"]);
        let f = facets(&["UK", "Britain", "United Kingdom", "U.K."]);
        assert_eq!(f, ["/Europe/United Kingdom"]);
    }

    #[test]
    fn cities_carry_their_country() {
        let g = Gazetteer::get().unwrap();
        let p = resolve_places(g, &["Aleppo", "Syria", "Daraya", "Damascus"]);
        let f: Vec<&str> = p.iter().map(|p| p.facet.as_str()).collect();
        assert_eq!(
            f,
            [
                "/Asia/Syria/Aleppo",
                "/Asia/Syria",
                "/Asia/Syria/Dārayyā",
                "/Asia/Syria/Damascus"
            ]
        );
        assert_eq!(p[0].country.as_deref(), Some("Syria"));
        assert_eq!(p[0].country_code.as_deref(), Some("SY"));
    }

    #[test]
    fn georgia_by_context() {
        assert_eq!(facets(&["Georgia"]), ["/Asia/Georgia"]);
        assert_eq!(
            facets(&["Georgia", "Atlanta"])[0],
            "/North America/United States/Georgia"
        );
        assert_eq!(facets(&["Tbilisi", "Georgia"])[1], "/Asia/Georgia");
    }

    #[test]
    fn paris_and_london() {
        assert_eq!(facets(&["Paris"]), ["/Europe/France/Paris"]);
        // Naming the US does not move Paris to Texas.
        assert_eq!(
            facets(&["United States", "Paris"])[1],
            "/Europe/France/Paris"
        );
        assert_eq!(facets(&["London"]), ["/Europe/United Kingdom/London"]);
        assert_eq!(
            facets(&["London", "Ontario"])[0],
            "/North America/Canada/London"
        );
    }

    #[test]
    fn qualifiers() {
        let g = Gazetteer::get().unwrap();
        let f = |pairs: &[(&str, Option<&str>)]| -> Vec<String> {
            resolve_qualified(g, pairs)
                .into_iter()
                .map(|p| p.facet)
                .collect()
        };
        assert_eq!(
            f(&[("HORSHAM", Some("Pa.")), ("Pa.", None)]),
            [
                "/North America/United States/Horsham",
                "/North America/United States/Pennsylvania"
            ]
        );
        assert_eq!(
            f(&[("London", Some("Ontario"))])[0],
            "/North America/Canada/London"
        );
        assert_eq!(
            f(&[("Paris", Some("Texas"))])[0],
            "/North America/United States/Paris"
        );
        // Lists of countries or cities are not qualifiers.
        assert_eq!(
            f(&[("Iran", Some("Iraq")), ("Aleppo", Some("Damascus"))]),
            ["/Asia/Iran", "/Asia/Syria/Aleppo"]
        );
        // The country containing an anchored region keeps its own name.
        assert_eq!(
            f(&[("New York", None), ("Amsterdam", None)])[1],
            "/Europe/Netherlands/Amsterdam"
        );
        assert_eq!(f(&[("TAIPEI", None), ("Taiwan", None)])[1], "/Asia/Taiwan");
    }

    #[test]
    fn unresolved_kept_and_demonyms_dropped() {
        assert_eq!(
            facets(&["Middle Earthshire", "Syrian", "Russia-backed"]),
            ["/Unresolved/Middle Earthshire", "/Europe/Russia"]
        );
        assert_eq!(facets(&["SALVADOR"]), ["/South America/Brazil/Salvador"]);
        assert_eq!(facets(&["Europe"]), ["/Europe"]);
        assert_eq!(facets(&["USSR", "Soviet Union"]), ["/Europe/Soviet Union"]);
    }

    #[test]
    fn display_names_keep_the_article_spelling_of_towns_only() {
        let g = Gazetteer::get().unwrap();
        let p = resolve_places(g, &["Daraya", "US", "Aleppo", "Syria"]);
        let shown: Vec<&str> = p.iter().map(Place::display_name).collect();
        assert_eq!(shown, ["Daraya", "United States", "Aleppo", "Syria"]);
        assert_eq!(p[0].name, "Dārayyā");
        assert_eq!(p[0].written.as_deref(), Some("Daraya"));
        assert_eq!(p[1].written.as_deref(), Some("US"));
        assert_eq!(p[2].written, None);
        assert_eq!(spelling_key("Dārayyā"), spelling_key("Daraya"));
        assert_ne!(spelling_key("Bombay"), spelling_key("Mumbai"));
    }

    #[test]
    fn queries() {
        let g = Gazetteer::get().unwrap();
        let p = resolve_query(g, "US").unwrap();
        assert_eq!(p.facet, "/North America/United States");
        assert_eq!(p.country_code.as_deref(), Some("US"));
        assert_eq!(resolve_query(g, "syria").unwrap().facet, "/Asia/Syria");
        assert!(resolve_query(g, "Xyzzyville").is_none());
    }
}
