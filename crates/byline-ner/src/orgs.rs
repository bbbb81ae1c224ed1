//! Organisation normalisation: strips "the", possessives and lower-case
//! hyphenated suffixes ("UN-brokered" → UN), fixes the casing of
//! lower-cased words ("al-Nusra front" → "al-Nusra Front"), and merges an
//! acronym with its full name, from a built-in list of well-known
//! organisations or when the article gives both ("the United Nations
//! (UN)", or "UN" and "United Nations" both appear).

use foldhash::{HashMap, HashMapExt};
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
    let cleaned: Vec<(String, usize)> = mentions
        .iter()
        .map(|&(m, end)| (clean_org(m), end))
        .filter(|(n, _)| !n.is_empty())
        .collect();

    // Article-level acronyms: "Full Name (ACR)" in the text, or an
    // acronym mention equal to the initials of a full-name mention.
    let mut local: Vec<(String, String)> = Vec::new(); // (folded acronym, full name)
    for (name, end) in &cleaned {
        if let Some(acr) = text.get(*end..).and_then(parenthesised_acronym) {
            if acr.len() >= 2 && initials(name).eq_ignore_ascii_case(&acr.replace('.', "")) {
                local.push((fold(&acr), name.clone()));
            }
        }
    }
    // Each acronym mention without its dots.
    let acronyms: Vec<Option<String>> = cleaned
        .iter()
        .map(|(short, _)| is_acronym(short).then(|| short.replace('.', "")))
        .collect();
    for (name, _) in &cleaned {
        let ini = initials(name);
        if ini.len() < 2 {
            continue;
        }
        for ((short, _), acr) in cleaned.iter().zip(&acronyms) {
            if acr.as_deref() == Some(ini.as_str()) {
                local.push((fold(short), name.clone()));
            }
        }
    }

    let mut out: Vec<String> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    // Shouted forms (headlines) are emitted only if no other spelling of the
    // same organisation exists.
    for (name, _) in &cleaned {
        let canon = canonical(name, &local);
        let key = fold(&canon);
        if keys.contains(&key) {
            continue;
        }
        let display = if is_shouting(&canon) && !is_acronym(&canon) {
            cleaned
                .iter()
                .map(|(n, _)| canonical(n, &local))
                .find(|n| fold(n) == key && !is_shouting(n))
                .unwrap_or_else(|| title_case(&canon))
        } else {
            canon
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
fn canonical(name: &str, local: &[(String, String)]) -> String {
    if let Some(canon) = known_org(name) {
        return canon.to_string();
    }
    let key = fold(name);
    if let Some((_, full)) = local.iter().find(|(acr, _)| *acr == key) {
        return canonical(full, &[]);
    }
    name.to_string()
}

/// Cleans one organisation mention: quotes, possessive, "the", a lower-case
/// hyphenated suffix, lower-case words capitalised.
pub(crate) fn clean_org(raw: &str) -> String {
    let mut name = clean_mention(raw);
    if let Some(head) = strip_hyphen_suffix(&name) {
        name = head.to_string();
    }
    if is_shouting(&name) {
        return name;
    }
    name.split(' ')
        .enumerate()
        .map(|(i, w)| {
            let starts_lower = w.starts_with(|c: char| c.is_lowercase());
            let keep = !starts_lower
                || w.contains('-')
                || (i > 0 && LOWER_WORDS.contains(&w))
                || (i == 0 && LOWER_WORDS.contains(&w) && name.contains(' '));
            if keep {
                w.to_string()
            } else {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect())
                    .unwrap_or_default()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// An acronym: 2 to 6 letters, upper-case letters (and dots, `&`).
fn is_acronym(s: &str) -> bool {
    let letters = s.chars().filter(|c| c.is_alphabetic()).count();
    (2..=6).contains(&letters)
        && s.chars()
            .all(|c| c.is_uppercase() || c == '.' || c == '&' || c.is_ascii_digit())
}

/// The upper-case initials of the significant words of a multi-word name
/// ("United Nations" → "UN", "Organization of the Petroleum Exporting
/// Countries" → "OPEC"); empty for a single word.
fn initials(name: &str) -> String {
    let words: Vec<&str> = name.split([' ', '-']).filter(|w| !w.is_empty()).collect();
    if words.len() < 2 {
        return String::new();
    }
    words
        .iter()
        .filter(|w| !LOWER_WORDS.contains(&w.to_lowercase().as_str()))
        .filter_map(|w| w.chars().next())
        .flat_map(char::to_uppercase)
        .collect()
}

/// The acronym in "` (ACR)`" right at the start of `rest`.
fn parenthesised_acronym(rest: &str) -> Option<String> {
    let rest = rest.strip_prefix(" (").or_else(|| rest.strip_prefix('('))?;
    let (inside, _) = rest.split_once(')')?;
    is_acronym(inside).then(|| inside.to_string())
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
