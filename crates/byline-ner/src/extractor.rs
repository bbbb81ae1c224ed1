//! The combined API the indexer calls: tag an article, then normalise its
//! mentions so that one real-world entity is one facet value.

use serde::{Deserialize, Serialize};

use crate::gazetteer::{Gazetteer, Target};
use crate::normalize::{clean_mention, fold, is_shouting};
use crate::orgs::{known_org, normalize_orgs};
use crate::people::normalize_people;
pub use crate::places::Place;
use crate::places::{resolve_qualified, resolve_query};
use crate::{EntityKind, Mention, NerError, NerTagger};

/// Tags articles and normalises their entities. Cheap to share across
/// threads (`Send + Sync`); build it once with [`EntityExtractor::load_default`].
pub struct EntityExtractor {
    tagger: NerTagger,
}

/// The normalised entities of one article. Each list is deduplicated and
/// ordered by first mention.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ArticleEntities {
    /// People, by full name where the article gives one ("John Kerry").
    pub people: Vec<String>,
    /// Places, resolved to canonical places with facet paths.
    pub places: Vec<Place>,
    /// Organisations, by canonical name ("United Nations").
    pub orgs: Vec<String>,
}

impl EntityExtractor {
    /// Loads the embedded tagger model, and starts parsing the embedded
    /// gazetteer on another thread.
    ///
    /// The gazetteer is most of the loading time (about 35 ms, against 4 ms
    /// for the model) and is first needed once the first article is tagged,
    /// so an indexing run does not wait for it with a core idle.
    pub fn load_default() -> Result<EntityExtractor, NerError> {
        Gazetteer::prefetch();
        Ok(EntityExtractor {
            tagger: NerTagger::load_default()?,
        })
    }

    /// The gazetteer, once parsed (waits for [`Gazetteer::prefetch`]).
    fn gaz(&self) -> &'static Gazetteer {
        Gazetteer::get().expect("the embedded gazetteer tables parse (a unit test checks it)")
    }

    /// Entities of one article's own title and body.
    ///
    /// The text tagged is `title + "\n\n" + body`. A wire dateline at the
    /// start of the body (`SALVADOR, Feb 26 -`, `SANTA CRUZ, Calif., Feb 26
    /// -`, `GENEVA -`) names the place the story was filed from; its place
    /// (and region) are added as place mentions where the tagger did not
    /// find them.
    pub fn extract(&self, title: &str, body: &str) -> ArticleEntities {
        let (text, mentions) = self.mentions(title, body);
        self.normalize(&text, &mentions)
    }

    /// The text [`EntityExtractor::extract`] tags (`title + "\n\n" +
    /// body`) and its raw mentions, including a dateline place; for callers
    /// that also want the tagger's `Misc` mentions (nationalities).
    pub fn mentions(&self, title: &str, body: &str) -> (String, Vec<Mention>) {
        let text = format!("{title}\n\n{body}");
        let mut mentions = self.tagger.tag(&text);
        for (start, end) in text_dateline(&text) {
            let covered = mentions
                .iter()
                .any(|m| m.kind == EntityKind::Location && m.start < end && start < m.end);
            if !covered {
                mentions.retain(|m| m.end <= start || end <= m.start);
                let at = mentions.partition_point(|m| m.start < start);
                mentions.insert(
                    at,
                    Mention {
                        text: text[start..end].to_string(),
                        kind: EntityKind::Location,
                        start,
                        end,
                    },
                );
            }
        }
        (text, mentions)
    }

    /// Normalise mentions (already tagged) of one article; `text` is what
    /// they index into.
    ///
    /// Before normalising, each mention's kind is reconsidered with the
    /// whole article: a name tagged with different kinds takes its majority
    /// kind, a dateline name is a place, a lone one-word "person" that is a
    /// known place name written after "in", "of", "from"… is a place, and a
    /// well-known organisation ("Hezbollah", "UN-brokered") is an
    /// organisation whatever its tag. A place followed by a comma and a
    /// region or country is resolved within it ("Horsham, Pa.").
    pub fn normalize(&self, text: &str, mentions: &[Mention]) -> ArticleEntities {
        normalize_mentions(self.gaz(), text, mentions)
    }

    /// The canonical place a search filter names, with no article context:
    /// `"US"`, `"U.S."`, `"United States"` → United States
    /// (`/North America/United States`), `"Aleppo"` → `/Asia/Syria/Aleppo`.
    /// `None` when the gazetteer does not know the name.
    pub fn resolve_place_query(&self, q: &str) -> Option<Place> {
        resolve_query(self.gaz(), q)
    }

    /// The country a demonym or nationality adjective refers to
    /// (`"Brazilian"` → Brazil), as a place.
    pub fn country_of_demonym(&self, word: &str) -> Option<Place> {
        let c = self.gaz().demonym(&clean_mention(word))?;
        Some(crate::places::place_of(self.gaz(), Target::Country(c)))
    }

    /// Every country that any place name, alias, city or demonym written
    /// (capitalised) in `text` could refer to, with no disambiguation: an
    /// upper bound on what place resolution can find (used to measure the
    /// recall ceiling). Countries are returned as places, in order of first
    /// appearance.
    pub fn countries_named_in(&self, text: &str) -> Vec<Place> {
        self.gaz()
            .countries_named_in(text)
            .into_iter()
            .map(|c| crate::places::place_of(self.gaz(), Target::Country(c)))
            .collect()
    }
}

/// The name tables without the tagger, for callers that only need to
/// resolve what a user typed (a search filter): loading it parses the
/// embedded gazetteer once per process (shared with [`EntityExtractor`]) and
/// never loads the tagger model, so a search stays quick to start.
#[derive(Debug, Clone, Copy)]
pub struct EntityNormalizer {
    gaz: &'static Gazetteer,
}

impl EntityNormalizer {
    /// The process-wide gazetteer, parsed on first use.
    pub fn load() -> Result<EntityNormalizer, NerError> {
        Ok(EntityNormalizer {
            gaz: Gazetteer::get()?,
        })
    }

    /// The canonical place a search filter names; see
    /// [`EntityExtractor::resolve_place_query`].
    pub fn resolve_place_query(&self, q: &str) -> Option<Place> {
        resolve_query(self.gaz, q)
    }

    /// The canonical name of a well-known organisation from one of its
    /// names or acronyms (`"UN"`, `"U.N."` → `"United Nations"`, `"OPEC"`);
    /// `None` for an organisation not in the built-in list. Needs no
    /// gazetteer, so it is an associated function.
    pub fn canonical_org(name: &str) -> Option<&'static str> {
        known_org(name)
    }
}

/// [`EntityExtractor::normalize`] with the gazetteer given.
fn normalize_mentions(gaz: &Gazetteer, text: &str, mentions: &[Mention]) -> ArticleEntities {
    let mut sorted: Vec<&Mention> = mentions.iter().collect();
    sorted.sort_by_key(|m| (m.start, m.end));
    let kinds = article_kinds(gaz, text, &sorted, &text_dateline(text));
    let of_kind = |k: EntityKind| {
        sorted
            .iter()
            .zip(&kinds)
            .filter(move |(_, kind)| **kind == k)
            .map(|(m, _)| m)
    };

    let people: Vec<&str> = of_kind(EntityKind::Person)
        .map(|m| m.text.as_str())
        .collect();
    // A place directly followed by ", <place>" carries it as qualifier
    // ("Horsham, Pa.", "London, Ontario").
    let places: Vec<(&str, Option<&str>)> = sorted
        .iter()
        .zip(&kinds)
        .enumerate()
        .filter(|(_, (_, k))| **k == EntityKind::Location)
        .map(|(i, (m, _))| {
            let qualifier = sorted
                .get(i + 1)
                .filter(|_| kinds[i + 1] == EntityKind::Location)
                .filter(|next| {
                    text.get(m.end..next.start)
                        .and_then(|gap| gap.strip_prefix(','))
                        .is_some_and(|rest| rest.chars().all(|c| c == ' '))
                })
                .map(|next| next.text.as_str());
            (m.text.as_str(), qualifier)
        })
        .collect();
    let orgs: Vec<(&str, usize)> = of_kind(EntityKind::Organization)
        .map(|m| (m.text.as_str(), m.end))
        .collect();
    ArticleEntities {
        people: normalize_people(gaz, &people),
        places: resolve_qualified(gaz, &places),
        orgs: normalize_orgs(text, &orgs),
    }
}

/// The entity kinds, indexed by [`kind_index`].
const KINDS: [EntityKind; 4] = [
    EntityKind::Person,
    EntityKind::Location,
    EntityKind::Organization,
    EntityKind::Misc,
];

/// Position of a kind in [`KINDS`].
fn kind_index(k: EntityKind) -> usize {
    match k {
        EntityKind::Person => 0,
        EntityKind::Location => 1,
        EntityKind::Organization => 2,
        EntityKind::Misc => 3,
    }
}

/// Words after which a one-word name is a place ("the people of Daraya").
const LOCATIVE: &[&str] = &[
    "in", "of", "from", "to", "at", "near", "outside", "into", "across", "around", "towards",
    "toward",
];

/// The kind of each mention (sorted by position) after an article-level
/// vote. A name (after [`clean_mention`] and [`fold`]) tagged with several
/// kinds takes the kind it has strictly most often (on a tie each mention
/// keeps its own); a mention in the wire dateline is a place and counts as
/// two place votes ("HOUSTON, Feb 26 -" outvotes a headline's "HOUSTON"
/// tagged as an organisation). Then a
/// one-word person name that the gazetteer knows as a place, that is not a
/// word of a longer person name in the article, and that follows a locative
/// preposition ("of Daraya", "in Aleppo") is taken as a place: the tagger
/// sometimes reads rare town names as surnames. Last, a name in the
/// built-in list of well-known organisations that is not also a place name
/// is an organisation whatever its tag ("Hezbollah" tagged as a place,
/// "al-Nusra" as Misc).
fn article_kinds(
    gaz: &Gazetteer,
    text: &str,
    sorted: &[&Mention],
    dateline: &[(usize, usize)],
) -> Vec<EntityKind> {
    let in_dateline = |m: &Mention| dateline.iter().any(|&(s, e)| m.start < e && s < m.end);
    // Index of the first mention with the same text: work that depends on
    // the text alone is done once per distinct text.
    let first: Vec<usize> = sorted
        .iter()
        .enumerate()
        .map(|(i, m)| {
            sorted[..i]
                .iter()
                .position(|p| p.text == m.text)
                .unwrap_or(i)
        })
        .collect();
    let mut keys: Vec<String> = Vec::with_capacity(sorted.len());
    for (i, m) in sorted.iter().enumerate() {
        let key = match first[i] {
            j if j < i => keys[j].clone(),
            _ => fold(&clean_mention(&m.text)),
        };
        keys.push(key);
    }
    // Each distinct key with its votes per kind, and each mention's entry.
    let mut votes: Vec<(&str, [usize; 4])> = Vec::new();
    let mut slots: Vec<usize> = Vec::with_capacity(sorted.len());
    let own_kind = |m: &Mention| {
        if in_dateline(m) {
            (kind_index(EntityKind::Location), 2)
        } else {
            (kind_index(m.kind), 1)
        }
    };
    for (m, key) in sorted.iter().zip(&keys) {
        let (k, weight) = own_kind(m);
        match votes.iter().position(|(vk, _)| vk == key) {
            Some(slot) => {
                votes[slot].1[k] += weight;
                slots.push(slot);
            }
            None => {
                let mut counts = [0; 4];
                counts[k] = weight;
                slots.push(votes.len());
                votes.push((key, counts));
            }
        }
    }
    let person_words: Vec<&str> = sorted
        .iter()
        .zip(&keys)
        .filter(|(m, key)| m.kind == EntityKind::Person && key.contains(' '))
        .flat_map(|(_, key)| key.split(' '))
        .collect();
    let voted: Vec<EntityKind> = sorted
        .iter()
        .zip(&slots)
        .map(|(m, &slot)| {
            let (_, counts) = votes[slot];
            let (own, _) = own_kind(m);
            let best = (0..4).max_by_key(|&k| counts[k]).unwrap_or(own);
            let kind = if counts[best] > counts[own] {
                best
            } else {
                own
            };
            KINDS[kind]
        })
        .collect();
    // One-word "people" that are places: decided once per name, from any
    // of its mentions.
    let places: Vec<&String> = sorted
        .iter()
        .zip(&keys)
        .zip(&voted)
        .filter(|((m, key), kind)| {
            **kind == EntityKind::Person
                && !key.contains(' ')
                && !person_words.contains(&key.as_str())
                && !gaz.lookup(key).is_empty()
                && previous_word(text, m.start).is_some_and(|w| LOCATIVE.contains(&w.as_str()))
        })
        .map(|((_, key), _)| key)
        .collect();
    // Whether each distinct text is a known organisation, looked up on
    // first need.
    let mut known: Vec<Option<bool>> = vec![None; sorted.len()];
    sorted
        .iter()
        .zip(&keys)
        .zip(voted)
        .zip(&first)
        .map(|(((m, key), kind), &j)| {
            if in_dateline(m) || (kind == EntityKind::Person && places.contains(&key)) {
                EntityKind::Location
            } else if kind != EntityKind::Organization
                && *known[j].get_or_insert_with(|| known_org(&m.text).is_some())
                && gaz.lookup(key).is_empty()
            {
                EntityKind::Organization
            } else {
                kind
            }
        })
        .collect()
}

/// The lower-cased word just before byte offset `at`.
fn previous_word(text: &str, at: usize) -> Option<String> {
    let before = text.get(..at)?.trim_end();
    let word = before
        .rsplit(|c: char| !c.is_alphanumeric())
        .next()
        .filter(|w| !w.is_empty())?;
    Some(word.to_lowercase())
}

/// Byte spans (in `body`) of the place of a wire dateline at the start of
/// `body` and, if given, of its region: an ALL CAPS place name, then
/// optionally a region and a date, then a dash (`SALVADOR, Feb 26 -`,
/// `SANTA CRUZ, Calif., Feb 26 -`, `Scarborough, Ontario, Feb 26 -`,
/// `GENEVA - Talks`). Without a date the name must be ALL CAPS.
fn dateline(body: &str) -> Vec<(usize, usize)> {
    let lead = body.len() - body.trim_start().len();
    let Some(line) = body[lead..].lines().next() else {
        return Vec::new();
    };
    let Some(dash) = line.find(" -").filter(|&i| i <= 60) else {
        return Vec::new();
    };
    let head = &line[..dash];
    let mut parts: Vec<(usize, &str)> = Vec::new(); // (offset in line, trimmed part)
    let mut at = 0;
    for part in head.split(',') {
        let trimmed = part.trim();
        let offset = at + (part.len() - part.trim_start().len());
        parts.push((offset, trimmed));
        at += part.len() + 1;
    }
    let (place_at, place) = parts[0];
    let name_like = |s: &str| {
        !s.is_empty()
            && s.len() <= 40
            && s.starts_with(|c: char| c.is_uppercase())
            && s.chars()
                .all(|c| c.is_alphabetic() || matches!(c, ' ' | '.' | '\'' | '-'))
    };
    let dated = parts.len() > 1 && parts[parts.len() - 1].1.chars().any(|c| c.is_ascii_digit());
    // Undated, only an ALL CAPS name is a dateline ("GENEVA - Talks").
    if place.len() < 2 || !name_like(place) || !(dated || is_shouting(place)) {
        return Vec::new();
    }
    let middle = if dated {
        &parts[1..parts.len() - 1]
    } else {
        &parts[1..]
    };
    if middle.len() > 1 || (!dated && !middle.is_empty()) {
        return Vec::new();
    }
    let mut spans = vec![(lead + place_at, lead + place_at + place.len())];
    if let Some(&(region_at, region)) = middle.first() {
        if name_like(region) && region.len() <= 25 {
            spans.push((lead + region_at, lead + region_at + region.len()));
        }
    }
    spans
}

/// The dateline spans of `text` laid out as `title + "\n\n" + body`.
fn text_dateline(text: &str) -> Vec<(usize, usize)> {
    match text.find("\n\n") {
        Some(i) => dateline(&text[i + 2..])
            .into_iter()
            .map(|(s, e)| (s + i + 2, e + i + 2))
            .collect(),
        None => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/seed/000_a246f93a30b869c3.txt"
    ));

    fn extractor() -> &'static EntityExtractor {
        static E: std::sync::LazyLock<EntityExtractor> =
            std::sync::LazyLock::new(|| EntityExtractor::load_default().unwrap());
        &E
    }

    fn m(text: &str, kind: EntityKind, start: usize) -> Mention {
        Mention {
            text: text.to_string(),
            kind,
            start,
            end: start + text.len(),
        }
    }

    #[test]
    fn is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<EntityExtractor>();
    }

    #[test]
    fn empty_and_odd_input() {
        assert_eq!(extractor().extract("", ""), ArticleEntities::default());
        // Offsets past the end of the text are tolerated.
        let e = normalize_mentions(
            Gazetteer::get().unwrap(),
            "short",
            &[m("Syria", EntityKind::Location, 100)],
        );
        assert_eq!(e.places[0].facet, "/Asia/Syria");
    }

    #[test]
    fn datelines() {
        assert_eq!(dateline("SALVADOR, Feb 26 - Showers"), [(0, 8)]);
        assert_eq!(dateline("NEW YORK, March 2 - x"), [(0, 8)]);
        assert_eq!(dateline("GENEVA - Talks"), [(0, 6)]);
        assert_eq!(
            dateline("SANTA CRUZ, Calif., Feb 26 - Shr"),
            [(0, 10), (12, 18)]
        );
        assert_eq!(
            dateline("WINSTON-SALEM, N.C., May 1 - x"),
            [(0, 13), (15, 19)]
        );
        assert_eq!(dateline("The United States and Russia, x -"), []);
        assert_eq!(
            dateline("Scarborough, Ontario, Feb 26 - Shr"),
            [(0, 11), (13, 20)]
        );
        assert_eq!(dateline("Kerry said - nothing"), []);
    }

    #[test]
    fn normalize_hand_built_mentions() {
        use EntityKind::*;
        let text = "President Bashar al-Assad met Kerry and the United Nations (UN) in Aleppo.";
        let mentions = vec![
            m("President Bashar al-Assad", Person, 0),
            m("Kerry", Person, 30),
            m("United Nations", Organization, 44),
            m("UN", Organization, 60),
            m("Aleppo", Location, 67),
            m("Syrian", Location, 0),
            m("John Kerry", Person, 80),
        ];
        let e = normalize_mentions(Gazetteer::get().unwrap(), text, &mentions);
        assert_eq!(e.people, ["Bashar al-Assad", "John Kerry"]);
        assert_eq!(e.orgs, ["United Nations"]);
        assert_eq!(e.places.len(), 1);
        assert_eq!(e.places[0].facet, "/Asia/Syria/Aleppo");
    }

    #[test]
    fn article_level_kinds() {
        use EntityKind::*;
        let text = "Rebels left Daraya. The people of Daraya and George Sabra. Sabra said.";
        let mentions = vec![
            m("Daraya", Person, 12),
            m("Daraya", Person, 34),
            m("George Sabra", Person, 45),
            m("Sabra", Organization, 59),
        ];
        let e = normalize_mentions(Gazetteer::get().unwrap(), text, &mentions);
        assert_eq!(e.people, ["George Sabra"]);
        assert_eq!(e.places[0].facet, "/Asia/Syria/Dārayyā");
        // "Sabra" stays an organisation: tagged once, no vote to overturn it.
        assert_eq!(e.orgs, ["Sabra"]);
    }

    #[test]
    fn query_resolution() {
        let g = Gazetteer::get().unwrap();
        for q in ["US", "U.S.", "United States", "america"] {
            let p = resolve_query(g, q).unwrap();
            assert_eq!(p.facet, "/North America/United States", "{q}");
        }
    }

    #[test]
    fn normalizer_without_tagger() {
        let n = EntityNormalizer::load().unwrap();
        assert_eq!(
            n.resolve_place_query("Daraya").unwrap().facet,
            "/Asia/Syria/Dārayyā"
        );
        assert_eq!(
            EntityNormalizer::canonical_org("U.N."),
            Some("United Nations")
        );
        assert_eq!(EntityNormalizer::canonical_org("Acme Widgets"), None);
    }

    #[test]
    fn demonyms_via_extractor() {
        let e = extractor();
        assert_eq!(
            e.country_of_demonym("Brazilian")
                .unwrap()
                .country_code
                .as_deref(),
            Some("BR")
        );
        assert_eq!(e.resolve_place_query("Syria").unwrap().facet, "/Asia/Syria");
    }

    /// The seed article's title and body (before "In depth coverage").
    fn seed_article() -> (&'static str, &'static str) {
        let (title, rest) = SEED.split_once('\n').unwrap();
        let body = rest.split("In depth coverage").next().unwrap();
        (title, body.trim())
    }

    #[test]
    fn seed_article_entities() {
        let (title, body) = seed_article();
        let e = extractor().extract(title, body);
        let mut people = e.people.clone();
        people.sort();
        assert_eq!(
            people,
            [
                "Bashar al-Assad",
                "George Sabra",
                "John Kerry",
                "Sergei Lavrov",
                "Staffan de Mistura"
            ],
            "{e:#?}"
        );
        let names: Vec<&str> = e.places.iter().map(|p| p.name.as_str()).collect();
        for place in [
            "Syria",
            "United States",
            "Russia",
            "Geneva",
            "Aleppo",
            "Iran",
            "Damascus",
            "Dārayyā",
        ] {
            assert!(names.contains(&place), "{place} not in {names:?}");
        }
        let daraya = e.places.iter().find(|p| p.name == "Dārayyā").unwrap();
        assert_eq!(daraya.facet, "/Asia/Syria/Dārayyā");
        for org in ["United Nations", "Hezbollah", "al-Nusra Front"] {
            assert!(e.orgs.iter().any(|o| o == org), "{org} not in {:?}", e.orgs);
        }
    }
}
