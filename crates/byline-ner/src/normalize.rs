//! Text helpers shared by the place, person and organisation normalisers:
//! lookup keys, possessives, hyphenated prefixes, shouted (ALL CAPS) text.

use std::borrow::Cow;

/// The lookup key of a name: lower case, common Latin diacritics folded
/// (ā → a, ß → ss), dots dropped ("U.S." = "US"), hyphens, commas and
/// whitespace runs made single spaces, curly apostrophes straightened and a leading
/// "the" dropped ("the Netherlands" = "Netherlands").
pub(crate) fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_into(s, &mut out);
    out
}

/// Calls `f` with [`fold`]`(s)`, built in a reusable per-thread buffer
/// (no allocation per lookup).
pub(crate) fn with_folded<R>(s: &str, f: impl FnOnce(&str) -> R) -> R {
    thread_local! {
        static KEY: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    KEY.with(|key| match key.try_borrow_mut() {
        Ok(mut key) => {
            fold_into(s, &mut key);
            f(&key)
        }
        Err(_) => f(&fold(s)),
    })
}

/// [`fold`] into `out` (cleared first).
fn fold_into(s: &str, out: &mut String) {
    out.clear();
    let mut space = true; // suppresses leading and repeated spaces
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // ASCII bytes (nearly all of them) are handled without decoding.
        let b = bytes[i];
        if b.is_ascii() {
            i += 1;
            match b {
                b'.' => {}
                // `-`, `_`, `,` and the ASCII characters `char::is_whitespace`
                // accepts.
                b'-' | b'_' | b',' | b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r' => {
                    if !space {
                        out.push(' ');
                        space = true;
                    }
                }
                b'`' => {
                    out.push('\'');
                    space = false;
                }
                _ => {
                    out.push(char::from(b.to_ascii_lowercase()));
                    space = false;
                }
            }
            continue;
        }
        let c = s[i..].chars().next().unwrap_or_default();
        i += c.len_utf8();
        match c {
            '‐' | '–' | '—' => {
                if !space {
                    out.push(' ');
                    space = true;
                }
            }
            '’' | '‘' | '´' => {
                out.push('\'');
                space = false;
            }
            c if c.is_whitespace() => {
                if !space {
                    out.push(' ');
                    space = true;
                }
            }
            c => {
                for l in c.to_lowercase() {
                    push_folded(out, l);
                }
                space = false;
            }
        }
    }
    while out.ends_with(' ') {
        out.pop();
    }
    if out.len() > 4 && out.starts_with("the ") {
        out.drain(..4);
    }
}

/// Appends the ASCII fold of a lower-case character.
fn push_folded(out: &mut String, c: char) {
    let s = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'ç' | 'ć' | 'č' | 'ĉ' | 'ċ' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ğ' | 'ĝ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => "s",
        'ţ' | 'ť' | 'ŧ' | 'ț' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        'þ' => "th",
        'ʻ' | 'ʼ' | 'ʿ' | 'ʾ' => "'",
        _ => {
            out.push(c);
            return;
        }
    };
    out.push_str(s);
}

/// Trims surrounding punctuation and quotes, a trailing possessive
/// ("Kerry's", "UN’s", "Jones'") and a leading "the"/"The", and makes
/// whitespace runs single spaces. Borrows from `s` when no whitespace needs
/// collapsing (the usual case), so cleaning a mention rarely allocates.
pub(crate) fn clean_mention(s: &str) -> Cow<'_, str> {
    let mut t = s.trim_matches(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '"' | '“' | '”' | '«' | '»' | ',' | ';' | ':' | '(' | ')' | '[' | ']' | '!' | '?'
            )
    });
    t = strip_possessive(t);
    t = t.trim_end_matches(['\'', '’']);
    for the in ["the ", "The ", "THE "] {
        if let Some(rest) = t.strip_prefix(the) {
            if !rest.trim().is_empty() {
                t = rest.trim_start();
            }
            break;
        }
    }
    if is_single_spaced(t) {
        Cow::Borrowed(t)
    } else {
        Cow::Owned(t.split_whitespace().collect::<Vec<_>>().join(" "))
    }
}

/// True when `t` equals its words joined by single spaces: no whitespace
/// but `' '`, none at either end, never two in a row.
fn is_single_spaced(t: &str) -> bool {
    if t.starts_with(' ') || t.ends_with(' ') {
        return false;
    }
    let mut prev_space = false;
    for c in t.chars() {
        if c == ' ' {
            if prev_space {
                return false;
            }
            prev_space = true;
        } else if c.is_whitespace() {
            return false;
        } else {
            prev_space = false;
        }
    }
    true
}

/// Removes a trailing possessive `'s` / `’s` (and a bare trailing
/// apostrophe after `s`, as in "Jones'").
pub(crate) fn strip_possessive(s: &str) -> &str {
    for suffix in ["'s", "’s", "'S", "’S"] {
        if let Some(rest) = s.strip_suffix(suffix) {
            if !rest.is_empty() {
                return rest;
            }
        }
    }
    for suffix in ["s'", "s’"] {
        if s.ends_with(suffix) && s.len() > 2 {
            return &s[..s.len() - suffix.len() + 1];
        }
    }
    s
}

/// For a hyphenated compound whose last part is a lower-case word
/// ("UN-brokered", "Russia-backed", "U.S.-based", "al-Qaeda-affiliated"),
/// the part before that hyphen; `None` otherwise.
pub(crate) fn strip_hyphen_suffix(s: &str) -> Option<&str> {
    let (head, tail) = s.rsplit_once('-')?;
    if head.is_empty()
        || tail.is_empty()
        || !tail.chars().all(|c| c.is_lowercase())
        || !head.chars().any(|c| c.is_uppercase())
    {
        return None;
    }
    Some(head)
}

/// True when the text has letters and none of them is lower case
/// ("LONDON", "U.S.", "STANDARD OIL").
pub(crate) fn is_shouting(s: &str) -> bool {
    let mut letters = 0;
    for c in s.chars() {
        if c.is_lowercase() {
            return false;
        }
        if c.is_alphabetic() {
            letters += 1;
        }
    }
    letters > 0
}

/// Title-cases each word of shouted text: "SALVADOR" → "Salvador",
/// "NEW YORK" → "New York", "AL-ASSAD" → "Al-Assad".
pub(crate) fn title_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        start = !c.is_alphanumeric() && c != '\'' && c != '’';
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_makes_variants_equal() {
        assert_eq!(fold("U.S."), "us");
        assert_eq!(fold("US"), "us");
        assert_eq!(fold("the Netherlands"), "netherlands");
        assert_eq!(fold("Dārayyā"), "darayya");
        assert_eq!(fold("Guinea-Bissau"), "guinea bissau");
        assert_eq!(fold("  New   York "), "new york");
        assert_eq!(fold("Côte d’Ivoire"), "cote d'ivoire");
        assert_eq!(fold("the "), "the");
        assert_eq!(fold("The  Hague"), "hague");
        assert_eq!(with_folded("The U.S.", str::to_string), "us");
    }

    #[test]
    fn possessives_and_articles() {
        assert_eq!(clean_mention("Kerry's"), "Kerry");
        assert_eq!(clean_mention("UN’s"), "UN");
        assert_eq!(clean_mention("the United Nations"), "United Nations");
        assert_eq!(clean_mention("\"Lavrov,\""), "Lavrov");
        assert_eq!(clean_mention("Jones'"), "Jones");
        assert_eq!(clean_mention("The"), "The");
    }

    #[test]
    fn hyphen_prefixes() {
        assert_eq!(strip_hyphen_suffix("UN-brokered"), Some("UN"));
        assert_eq!(strip_hyphen_suffix("U.S.-based"), Some("U.S."));
        assert_eq!(strip_hyphen_suffix("al-Qaeda-affiliated"), Some("al-Qaeda"));
        assert_eq!(strip_hyphen_suffix("al-Nusra"), None);
        assert_eq!(strip_hyphen_suffix("Guinea-Bissau"), None);
    }

    #[test]
    fn shouting() {
        assert!(is_shouting("NEW YORK"));
        assert!(is_shouting("U.S."));
        assert!(!is_shouting("New York"));
        assert_eq!(title_case("NEW YORK"), "New York");
        assert_eq!(title_case("AL-ASSAD"), "Al-Assad");
    }
}
