//! Entity filters (`person:`, `place:`, `org:` and `--person`, `--place`,
//! `--org`): how a name typed by a user matches the entity fields.
//!
//! Every entity field is indexed as whole lower-cased, accent-folded values
//! (byline's keyword analyzer), so all matching here is case- and
//! accent-insensitive.

use byline_indexer::KEYWORD_ANALYZER;
use byline_ner::EntityNormalizer;
use tantivy::query::{BooleanQuery, EmptyQuery, Occur, Query, RegexQuery, TermQuery};
use tantivy::schema::{Facet, Field, IndexRecordOption};
use tantivy::Term;

use super::{regex_escape, QueryCompiler};

impl QueryCompiler<'_> {
    /// The whole typed name as the keyword term of `field` (`None` when blank).
    fn keyword(&self, field: Field, text: &str) -> Option<Term> {
        self.tokens(field, KEYWORD_ANALYZER, text.trim())
            .into_iter()
            .next()
    }

    /// A person: the canonical name (`"john kerry"`), or, for a one-word
    /// query, any name ending in that word (`Kerry`, `Assad` for "Bashar
    /// al-Assad"): people are stored under full names, users often type
    /// the surname only.
    pub(super) fn person(&self, text: &str) -> Box<dyn Query> {
        let field = self.fields.person;
        let Some(term) = self.keyword(field, text) else {
            return Box::new(EmptyQuery);
        };
        let key = term.value().as_str().unwrap_or_default().to_string();
        let mut clauses: Vec<Box<dyn Query>> =
            vec![Box::new(TermQuery::new(term, IndexRecordOption::Basic))];
        if !key.contains([' ', '-']) {
            // The person terms are few (one per distinct name), so a
            // suffix regex over them is cheap.
            let pattern = format!(".*[ \\-]{}", regex_escape(&key));
            match RegexQuery::from_pattern(&pattern, field) {
                Ok(q) => clauses.push(Box::new(q)),
                Err(e) => tracing::debug!(%e, "surname pattern rejected"),
            }
        }
        any_of(clauses)
    }

    /// An organisation: the name as typed, or the canonical name of a
    /// well-known organisation it abbreviates (`UN` → "United Nations",
    /// `OPEC`).
    pub(super) fn org(&self, text: &str) -> Box<dyn Query> {
        let field = self.fields.org;
        let canonical = EntityNormalizer::canonical_org(text.trim());
        let clauses: Vec<Box<dyn Query>> = std::iter::once(text)
            .chain(canonical)
            .filter_map(|name| self.keyword(field, name))
            .map(|t| Box::new(TermQuery::new(t, IndexRecordOption::Basic)) as Box<dyn Query>)
            .collect();
        any_of(clauses)
    }

    /// A place: every article whose place facet lies under the place the
    /// gazetteer resolves the name to (`Syria` also finds articles naming
    /// only Aleppo or Daraya; `US`, `America` → United States), and every
    /// article that lists a place under that name, shown or alias
    /// (`Daraya`, `Dārayyā`). The name match covers what resolution
    /// without context gets wrong or does not know: `Georgia` resolves to
    /// the country, but an article about Atlanta lists the US state
    /// "Georgia".
    ///
    /// Only the gazetteer is loaded (on the first place filter of the
    /// process), never the tagger.
    pub(super) fn place(&self, text: &str) -> Box<dyn Query> {
        let mut clauses: Vec<Box<dyn Query>> = Vec::new();
        for field in [self.fields.place, self.fields.place_alias] {
            if let Some(term) = self.keyword(field, text) {
                clauses.push(Box::new(TermQuery::new(term, IndexRecordOption::Basic)));
            }
        }
        if clauses.is_empty() {
            return Box::new(EmptyQuery);
        }
        let resolved = match EntityNormalizer::load() {
            Ok(names) => names.resolve_place_query(text.trim()),
            Err(e) => {
                // The gazetteer is embedded, so this is a build problem;
                // name matching still works.
                tracing::warn!(%e, "gazetteer unavailable; matching place names only");
                None
            }
        };
        if let Some(place) = resolved {
            tracing::debug!(query = text, facet = %place.facet, "place resolved");
            if let Ok(facet) = Facet::from_text(&place.facet) {
                // tantivy indexes every ancestor of a facet, so this term
                // matches the whole subtree.
                let term = Term::from_facet(self.fields.place_path, &facet);
                clauses.push(Box::new(TermQuery::new(term, IndexRecordOption::Basic)));
            }
        }
        any_of(clauses)
    }
}

fn any_of(mut clauses: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    match clauses.len() {
        0 => Box::new(EmptyQuery),
        1 => clauses.pop().expect("one"),
        _ => Box::new(BooleanQuery::new(
            clauses.into_iter().map(|q| (Occur::Should, q)).collect(),
        )),
    }
}
