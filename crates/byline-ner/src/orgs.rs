//! Organisation normalisation: strips "the", possessives and lower-case
//! hyphenated suffixes ("UN-brokered" → UN), fixes the casing of
//! lower-cased words ("al-Nusra front" → "al-Nusra Front"), and merges an
//! acronym with its full name, from a built-in list of well-known
//! organisations or when the article gives both ("the United Nations
//! (UN)", or "UN" and "United Nations" both appear).

use foldhash::{HashMap, HashMapExt};
use std::borrow::Cow;
use std::sync::LazyLock;

use crate::normalize::{
    clean_mention, fold, is_shouting, strip_hyphen_suffix, title_case, with_folded,
};

/// Well-known organisations: canonical name, then other names and
/// acronyms (matched after [`fold`]: case, dots and "the" ignored).
const KNOWN: &[(&str, &[&str])] = &[
    (
        "United Nations",
        &["UN", "U.N.", "United Nations Organization"],
    ),
    (
        "UN Security Council",
        &[
            "United Nations Security Council",
            "U.N. Security Council",
            "UNSC",
            "Security Council",
        ],
    ),
    ("European Union", &["EU", "E.U."]),
    (
        "European Community",
        &[
            "EC",
            "E.C.",
            "European Communities",
            "European Economic Community",
            "EEC",
            "Common Market",
        ],
    ),
    (
        "NATO",
        &[
            "North Atlantic Treaty Organization",
            "North Atlantic Treaty Organisation",
            "Nato",
            "N.A.T.O.",
        ],
    ),
    ("International Monetary Fund", &["IMF", "I.M.F."]),
    (
        "World Bank",
        &[
            "International Bank for Reconstruction and Development",
            "IBRD",
        ],
    ),
    (
        "OPEC",
        &[
            "Organization of the Petroleum Exporting Countries",
            "Organization of Petroleum Exporting Countries",
            "Organisation of Petroleum Exporting Countries",
            "Opec",
        ],
    ),
    (
        "World Health Organization",
        &["WHO", "World Health Organisation"],
    ),
    (
        "World Trade Organization",
        &["WTO", "World Trade Organisation"],
    ),
    ("FBI", &["Federal Bureau of Investigation"]),
    ("CIA", &["Central Intelligence Agency"]),
    ("GATT", &["General Agreement on Tariffs and Trade"]),
    (
        "Federal Reserve",
        &[
            "Fed",
            "Federal Reserve Board",
            "Federal Reserve System",
            "U.S. Federal Reserve",
            "US Federal Reserve",
        ],
    ),
    ("European Central Bank", &["ECB"]),
    ("Bundesbank", &["Deutsche Bundesbank"]),
    ("Bank of England", &["BoE"]),
    ("Bank of Japan", &["BoJ"]),
    (
        "OECD",
        &[
            "Organisation for Economic Co-operation and Development",
            "Organization for Economic Cooperation and Development",
            "Organisation for Economic Cooperation and Development",
        ],
    ),
    ("Securities and Exchange Commission", &["SEC"]),
    ("NASA", &["National Aeronautics and Space Administration"]),
    (
        "PLO",
        &[
            "Palestine Liberation Organization",
            "Palestine Liberation Organisation",
        ],
    ),
    (
        "ASEAN",
        &[
            "Association of Southeast Asian Nations",
            "Association of South East Asian Nations",
        ],
    ),
    ("African Union", &["AU"]),
    ("International Atomic Energy Agency", &["IAEA"]),
    (
        "UNESCO",
        &["United Nations Educational, Scientific and Cultural Organization"],
    ),
    ("UNICEF", &["United Nations Children's Fund"]),
    (
        "UNHCR",
        &[
            "United Nations High Commissioner for Refugees",
            "UN refugee agency",
        ],
    ),
    ("International Committee of the Red Cross", &["ICRC"]),
    (
        "Hezbollah",
        &["Hizbollah", "Hizbullah", "Hezbolla", "Hizballah"],
    ),
    ("al-Qaeda", &["al Qaeda", "al-Qaida", "al Qaida", "Qaeda"]),
    (
        "al-Nusra Front",
        &["Nusra Front", "al-Nusra", "Jabhat al-Nusra", "Nusra"],
    ),
    (
        "Islamic State",
        &[
            "ISIS",
            "ISIL",
            "Islamic State of Iraq and the Levant",
            "Daesh",
        ],
    ),
    ("Hamas", &["HAMAS"]),
];

/// Words that stay lower case inside an organisation name.
const LOWER_WORDS: &[&str] = &[
    "of", "the", "and", "for", "in", "on", "at", "to", "de", "del", "della", "des", "du", "la",
    "le", "les", "el", "al", "bin", "ibn", "van", "von", "der", "den", "und", "y", "e", "et", "da",
    "di", "do", "dos", "das", "sans", "a", "an", "&",
];

/// Normalises the organisation mentions of one article. `mentions` are
/// `(text, end)` pairs in text order, where `end` is the byte offset just
/// after the mention in `text` (used to spot "Full Name (ACR)").
pub(crate) fn normalize_orgs(text: &str, mentions: &[(&str, usize)]) -> Vec<String> {
    let cleaned: Vec<(Cow<str>, usize)> = mentions
        .iter()
        .map(|&(m, end)| (clean_org(m), end))
        .filter(|(n, _)| !n.is_empty())
        .collect();
    // Each name's initials, computed once for both acronym passes below.
    let inits: Vec<String> = cleaned.iter().map(|(n, _)| initials(n)).collect();

    // Article-level acronyms: "Full Name (ACR)" in the text, or an
    // acronym mention equal to the initials of a full-name mention.
    let mut local: Vec<(String, String)> = Vec::new(); // (folded acronym, full name)
    for ((name, end), ini) in cleaned.iter().zip(&inits) {
        if let Some(acr) = text.get(*end..).and_then(parenthesised_acronym) {
            if acr.len() >= 2 && ini.eq_ignore_ascii_case(&acr.replace('.', "")) {
                local.push((fold(acr), name.to_string()));
            }
        }
    }
    // Each acronym mention without its dots.
    let acronyms: Vec<Option<String>> = cleaned
        .iter()
        .map(|(short, _)| is_acronym(short).then(|| short.replace('.', "")))
        .collect();
    for ((name, _), ini) in cleaned.iter().zip(&inits) {
        if ini.len() < 2 {
            continue;
        }
        for ((short, _), acr) in cleaned.iter().zip(&acronyms) {
            if acr.as_deref() == Some(ini.as_str()) {
                local.push((fold(short), name.to_string()));
            }
        }
    }

    // Canonical name and its key of every mention, computed once: the
    // shouted-form search below looks at all of them again.
    // A name repeated verbatim takes its first occurrence's.
    let mut canons: Vec<Cow<str>> = Vec::with_capacity(cleaned.len());
    let mut canon_keys: Vec<String> = Vec::with_capacity(cleaned.len());
    for (i, (name, _)) in cleaned.iter().enumerate() {
        match cleaned[..i].iter().position(|(n, _)| n == name) {
            Some(j) => {
                canons.push(canons[j].clone());
                canon_keys.push(canon_keys[j].clone());
            }
            None => {
                let canon = canonical(name, &local);
                canon_keys.push(fold(&canon));
                canons.push(canon);
            }
        }
    }
    let mut out: Vec<String> = Vec::new();
    let mut keys: Vec<&str> = Vec::new();
    // Shouted forms (headlines) are emitted only if no other spelling of the
    // same organisation exists.
    for (canon, key) in canons.iter().zip(&canon_keys) {
        if keys.contains(&key.as_str()) {
            continue;
        }
        let display = if is_shouting(canon) && !is_acronym(canon) {
            canons
                .iter()
                .zip(&canon_keys)
                .find(|(n, k)| *k == key && !is_shouting(n))
                .map_or_else(|| title_case(canon), |(n, _)| n.to_string())
        } else {
            canon.to_string()
        };
        keys.push(key);
        out.push(display);
    }
    out
}

/// The canonical name of a well-known organisation (built-in list), if
/// `name` is one of its names.
pub(crate) fn known_org(name: &str) -> Option<&'static str> {
    static INDEX: LazyLock<HashMap<String, &'static str>> = LazyLock::new(|| {
        let mut index = HashMap::new();
        for (canon, others) in KNOWN {
            for name in std::iter::once(canon).chain(others.iter()) {
                index.entry(fold(name)).or_insert(*canon);
            }
        }
        index
    });
    with_folded(&clean_org(name), |key| INDEX.get(key).copied())
}

/// The canonical name of a cleaned organisation name.
fn canonical<'a>(name: &'a str, local: &'a [(String, String)]) -> Cow<'a, str> {
    if let Some(canon) = known_org(name) {
        return Cow::Borrowed(canon);
    }
    if let Some((_, full)) = with_folded(name, |key| local.iter().find(|(acr, _)| *acr == key)) {
        return canonical(full, &[]);
    }
    Cow::Borrowed(name)
}

/// Cleans one organisation mention: quotes, possessive, "the", a lower-case
/// hyphenated suffix, lower-case words capitalised. Borrows from `raw` when
/// nothing needs rewriting.
pub(crate) fn clean_org(raw: &str) -> Cow<'_, str> {
    let name = match clean_mention(raw) {
        Cow::Borrowed(s) => Cow::Borrowed(strip_hyphen_suffix(s).unwrap_or(s)),
        Cow::Owned(s) => match strip_hyphen_suffix(&s) {
            Some(head) => Cow::Owned(head.to_string()),
            None => Cow::Owned(s),
        },
    };
    if is_shouting(&name) {
        return name;
    }
    let has_space = name.contains(' ');
    // Whether word `i` starts lower case and must be capitalised.
    let capitalise = |i: usize, w: &str| {
        let starts_lower = w.starts_with(|c: char| c.is_lowercase());
        let keep = !starts_lower
            || w.contains('-')
            || (i > 0 && LOWER_WORDS.contains(&w))
            || (i == 0 && LOWER_WORDS.contains(&w) && has_space);
        !keep
    };
    // Usually no word changes: then the name is returned as it is.
    if !name.split(' ').enumerate().any(|(i, w)| capitalise(i, w)) {
        return name;
    }
    let mut out = String::with_capacity(name.len() + 4);
    for (i, w) in name.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if capitalise(i, w) {
            let mut c = w.chars();
            if let Some(f) = c.next() {
                out.extend(f.to_uppercase());
                out.push_str(c.as_str());
            }
        } else {
            out.push_str(w);
        }
    }
    Cow::Owned(out)
}

/// An acronym: 2 to 6 letters, upper-case letters (and dots, `&`).
fn is_acronym(s: &str) -> bool {
    let letters = s.chars().filter(|c| c.is_alphabetic()).count();
    (2..=6).contains(&letters)
        && s.chars()
            .all(|c| c.is_uppercase() || c == '.' || c == '&' || c.is_ascii_digit())
}

/// Whether `w` lower-cased is one of [`LOWER_WORDS`]. They are ASCII
/// without a `k`, so an ASCII case-insensitive comparison is exact (only
/// the Kelvin sign lower-cases a non-ASCII character to ASCII).
fn is_lower_word(w: &str) -> bool {
    LOWER_WORDS.iter().any(|l| w.eq_ignore_ascii_case(l))
}

/// The upper-case initials of the significant words of a multi-word name
/// ("United Nations" → "UN", "Organization of the Petroleum Exporting
/// Countries" → "OPEC"); empty for a single word.
fn initials(name: &str) -> String {
    let words = || name.split([' ', '-']).filter(|w| !w.is_empty());
    if words().nth(1).is_none() {
        return String::new();
    }
    words()
        .filter(|w| !is_lower_word(w))
        .filter_map(|w| w.chars().next())
        .flat_map(char::to_uppercase)
        .collect()
}

/// The acronym in "` (ACR)`" right at the start of `rest`.
fn parenthesised_acronym(rest: &str) -> Option<&str> {
    let rest = rest.strip_prefix(" (").or_else(|| rest.strip_prefix('('))?;
    let (inside, _) = rest.split_once(')')?;
    is_acronym(inside).then_some(inside)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn orgs(text: &str, names: &[&str]) -> Vec<String> {
        let mentions: Vec<(&str, usize)> = names
            .iter()
            .map(|n| {
                let end = text.find(n).map_or(0, |s| s + n.len());
                (*n, end)
            })
            .collect();
        normalize_orgs(text, &mentions)
    }

    #[test]
    fn known_acronyms_merge() {
        assert_eq!(
            orgs(
                "",
                &["UN", "the United Nations", "U.N.", "UN's", "UN-brokered"]
            ),
            ["United Nations"]
        );
        assert_eq!(
            orgs(
                "",
                &[
                    "EC",
                    "European Community",
                    "IMF",
                    "International Monetary Fund",
                    "Fed"
                ]
            ),
            [
                "European Community",
                "International Monetary Fund",
                "Federal Reserve"
            ]
        );
        assert_eq!(orgs("", &["Nato", "NATO"]), ["NATO"]);
    }

    #[test]
    fn article_acronyms_merge() {
        let text = "The Free Syrian Army (FSA) said the FSA would fight.";
        assert_eq!(
            orgs(text, &["Free Syrian Army", "FSA"]),
            ["Free Syrian Army"]
        );
        // Both forms mentioned, no parentheses.
        assert_eq!(
            orgs("", &["NDP", "National Democratic Party"]),
            ["National Democratic Party"]
        );
    }

    #[test]
    fn casing_and_articles() {
        assert_eq!(
            orgs("", &["al-Nusra front", "the al-Nusra Front", "Hezbollah"]),
            ["al-Nusra Front", "Hezbollah"]
        );
        assert_eq!(clean_org("Bank of America"), "Bank of America");
        assert_eq!(clean_org("the Free Syrian army"), "Free Syrian Army");
        assert_eq!(
            orgs("", &["STANDARD OIL", "Standard Oil Co"]),
            ["Standard Oil", "Standard Oil Co"]
        );
    }
}
