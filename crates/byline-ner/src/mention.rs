//! The unit passed from the tagger to normalisation.

use serde::{Deserialize, Serialize};

/// The four CoNLL-2003 entity types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EntityKind {
    /// A person.
    Person,
    /// A place: country, region, city, geographic feature.
    Location,
    /// An organisation: company, agency, party, armed group.
    Organization,
    /// Anything else named (nationalities, events, works).
    Misc,
}

/// One span of text that names an entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mention {
    /// The text as written, tokens joined by single spaces where they were
    /// separated by whitespace in the source.
    pub text: String,
    /// What kind of entity the tagger thinks it is.
    pub kind: EntityKind,
    /// Byte offset of the first character in the tagged text.
    pub start: usize,
    /// Byte offset one past the last character in the tagged text.
    pub end: usize,
}
