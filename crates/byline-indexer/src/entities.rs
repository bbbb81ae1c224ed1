//! The default [`EntityRecognizer`]: byline-ner's tagger and normaliser.

use byline_ner::{ArticleEntities, EntityExtractor};

use crate::error::IndexError;
use crate::writer::{Entities, EntityRecognizer};

/// Finds people, places and organisations with byline-ner's
/// [`EntityExtractor`]. Load it once per run and share it: the model is
/// read once and tagging needs no lock, so rayon's workers use it at once.
pub struct NerRecognizer {
    extractor: EntityExtractor,
}

impl std::fmt::Debug for NerRecognizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NerRecognizer").finish_non_exhaustive()
    }
}

impl NerRecognizer {
    /// Loads the embedded model and gazetteer.
    pub fn load() -> Result<NerRecognizer, IndexError> {
        let started = std::time::Instant::now();
        let extractor = EntityExtractor::load_default()?;
        tracing::info!(elapsed = ?started.elapsed(), "entity recogniser loaded");
        Ok(NerRecognizer { extractor })
    }

    /// The extractor itself, for callers that want its full output.
    pub fn extractor(&self) -> &EntityExtractor {
        &self.extractor
    }
}

impl EntityRecognizer for NerRecognizer {
    fn recognize(&self, title: &str, body: &str) -> Entities {
        to_entities(self.extractor.extract(title, body))
    }
}

/// Index values of an article's entities. Each place is shown (stored and
/// counted) under [`byline_ner::Place::display_name`]; its canonical name
/// and the form the article wrote, where they differ from that, are
/// indexed as aliases so `--place Darayya`, `--place Daraya` and
/// `place:"Dārayyā"` all find the article.
pub(crate) fn to_entities(found: ArticleEntities) -> Entities {
    let mut places = Vec::with_capacity(found.places.len());
    let mut place_aliases: Vec<String> = Vec::new();
    for place in &found.places {
        let shown = place.display_name();
        for other in std::iter::once(&place.name).chain(place.written.as_ref()) {
            if other != shown && !place_aliases.contains(other) {
                place_aliases.push(other.clone());
            }
        }
        places.push((shown.to_string(), place.facet.clone()));
    }
    Entities {
        people: found.people,
        places,
        place_aliases,
        orgs: found.orgs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use byline_ner::Place;

    fn place(name: &str, written: Option<&str>, facet: &str) -> Place {
        Place {
            name: name.into(),
            country: Some("Syria".into()),
            country_code: Some("SY".into()),
            facet: facet.into(),
            written: written.map(Into::into),
        }
    }

    #[test]
    fn shown_names_and_aliases() {
        let e = to_entities(ArticleEntities {
            people: vec!["John Kerry".into()],
            places: vec![
                place("Dārayyā", Some("Daraya"), "/Asia/Syria/Dārayyā"),
                place("Syria", None, "/Asia/Syria"),
            ],
            orgs: vec![],
        });
        assert_eq!(
            e.places,
            [
                ("Daraya".to_string(), "/Asia/Syria/Dārayyā".to_string()),
                ("Syria".to_string(), "/Asia/Syria".to_string())
            ]
        );
        assert_eq!(e.place_aliases, ["Dārayyā"]);
    }

    #[test]
    fn recognizer_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<NerRecognizer>();
    }
}
