//! Person normalisation: strips titles and roles ("President Bashar
//! al-Assad" → "Bashar al-Assad"), possessives and shouting, and merges a
//! surname-only or first-name-only mention with the full name the same
//! article uses elsewhere ("Kerry" → "John Kerry").

use crate::gazetteer::Gazetteer;
use crate::normalize::{clean_mention, fold, is_shouting, title_case};

/// Titles and roles, as token sequences, stripped from the front of a
/// name (longest first). Compared case-insensitively, ignoring a trailing dot.
const TITLES: &[&str] = &[
    "secretary of state",
    "secretary general",
    "secretary-general",
    "attorney general",
    "prime minister",
    "foreign minister",
    "foreign secretary",
    "defence minister",
    "defense minister",
    "defense secretary",
    "defence secretary",
    "finance minister",
    "interior minister",
    "economy minister",
    "trade minister",
    "oil minister",
    "treasury secretary",
    "home secretary",
    "vice president",
    "vice-president",
    "president-elect",
    "crown prince",
    "supreme leader",
    "chief executive",
    "chief justice",
    "house speaker",
    "special envoy",
    "deputy",
    "acting",
    "former",
    "late",
    "president",
    "premier",
    "chancellor",
    "minister",
    "secretary",
    "ambassador",
    "envoy",
    "governor",
    "gov",
    "senator",
    "sen",
    "representative",
    "rep",
    "congressman",
    "congresswoman",
    "mayor",
    "judge",
    "justice",
    "chairman",
    "chairwoman",
    "chair",
    "spokesman",
    "spokeswoman",
    "commissioner",
    "general",
    "gen",
    "lt",
    "lieutenant",
    "col",
    "colonel",
    "maj",
    "major",
    "capt",
    "captain",
    "adm",
    "admiral",
    "sgt",
    "sergeant",
    "commander",
    "marshal",
    "field marshal",
    "king",
    "queen",
    "prince",
    "princess",
    "emperor",
    "empress",
    "pope",
    "sheikh",
    "sheik",
    "emir",
    "sultan",
    "ayatollah",
    "imam",
    "rabbi",
    "cardinal",
    "archbishop",
    "bishop",
    "reverend",
    "rev",
    "father",
    "sister",
    "brother",
    "sir",
    "dame",
    "lord",
    "lady",
    "mr",
    "mrs",
    "ms",
    "miss",
    "dr",
    "doctor",
    "prof",
    "professor",
    "mister",
    "madame",
    "monsieur",
    "herr",
    "frau",
];

/// Normalises the person mentions of one article (in text order) to
/// distinct canonical names, ordered by first mention.
pub(crate) fn normalize_people<S: AsRef<str>>(gaz: &Gazetteer, mentions: &[S]) -> Vec<String> {
    let mut cleaned: Vec<String> = Vec::with_capacity(mentions.len());
    // Each mention's index in `cleaned` (`None`: nothing left), so that a
    // name repeated verbatim is cleaned once.
    let mut at: Vec<Option<usize>> = Vec::with_capacity(mentions.len());
    for (i, m) in mentions.iter().enumerate() {
        let m = m.as_ref();
        let name = match mentions[..i].iter().position(|p| p.as_ref() == m) {
            Some(j) => at[j].map(|k| cleaned[k].clone()),
            None => Some(clean_person(gaz, m)).filter(|n| !n.is_empty()),
        };
        at.push(name.as_ref().map(|_| cleaned.len()));
        cleaned.extend(name);
    }
    // Full names (two tokens or more), as folded token lists. A fold has
    // single spaces, so the tokens joined by " " are the folded name itself.
    let folded: Vec<String> = cleaned.iter().map(|n| fold(n)).collect();
    let tokens: Vec<Vec<&str>> = folded.iter().map(|f| f.split(' ').collect()).collect();

    let mut out: Vec<String> = Vec::new();
    let mut out_keys: Vec<&str> = Vec::new();
    for i in 0..cleaned.len() {
        let canon = full_form(&tokens, i).unwrap_or(i);
        let key = folded[canon].as_str();
        if out_keys.contains(&key) {
            continue;
        }
        // Display: the first spelling of the canonical name that is not
        // shouted, else the title-cased first one.
        let display = cleaned
            .iter()
            .zip(&tokens)
            .filter(|(_, t)| **t == tokens[canon])
            .map(|(n, _)| n)
            .find(|n| !is_shouting(n))
            .cloned()
            .unwrap_or_else(|| {
                let n = &cleaned[canon];
                if is_shouting(n) {
                    title_case(n)
                } else {
                    n.clone()
                }
            });
        out_keys.push(key);
        out.push(display);
    }
    out
}

/// For mention `i`, the index of a longer full name in the article that it
/// is a short form of: its last tokens (a surname, "de Mistura", "Assad"
/// for "Bashar al-Assad") or its first token (a first name). When several different full names fit, the
/// nearest one mentioned before `i` wins, else the first one after it.
fn full_form(tokens: &[Vec<&str>], i: usize) -> Option<usize> {
    let short = &tokens[i];
    let fits = |long: &Vec<&str>| -> bool {
        if long.len() <= short.len() {
            return false;
        }
        if long.ends_with(short) {
            return true;
        }
        // Folding splits "al-Assad" into "al assad", so "Assad" is a
        // suffix too. A single token may also be the first name.
        short.len() == 1 && long[0] == short[0]
    };
    let candidates: Vec<usize> = (0..tokens.len()).filter(|&j| fits(&tokens[j])).collect();
    if candidates.is_empty() {
        return None;
    }
    // Several spellings of the same full name count once.
    let mut distinct: Vec<&Vec<&str>> = candidates.iter().map(|&j| &tokens[j]).collect();
    distinct.sort();
    distinct.dedup();
    let pick = if distinct.len() == 1 {
        candidates[0]
    } else {
        candidates
            .iter()
            .rev()
            .find(|&&j| j < i)
            .or_else(|| candidates.iter().find(|&&j| j > i))
            .copied()?
    };
    // The full form may itself be a short form of a still longer name.
    Some(full_form(tokens, pick).unwrap_or(pick))
}

/// Cleans one person mention: quotes, possessive, leading titles and
/// roles (also after a country word: "US Secretary of State John Kerry",
/// "Russian Foreign Minister Sergei Lavrov"), shouting.
pub(crate) fn clean_person(gaz: &Gazetteer, raw: &str) -> String {
    let cleaned = clean_mention(raw);
    let mut words: Vec<&str> = cleaned.split(' ').filter(|w| !w.is_empty()).collect();
    loop {
        let before = words.len();
        // A country or nationality word directly before a title (the
        // cheaper title test first).
        if words.len() > 2
            && title_len(&words[1..]) > 0
            && (gaz.demonym(words[0]).is_some() || !gaz.lookup(words[0]).is_empty())
        {
            words.remove(0);
        }
        let n = title_len(&words);
        if n > 0 && n < words.len() {
            words.drain(..n);
        }
        if words.len() == before {
            break;
        }
    }
    let name = words.join(" ");
    if is_shouting(&name) && name.chars().filter(|c| c.is_alphabetic()).count() > 3 {
        title_case(&name)
    } else {
        name
    }
}

/// Number of leading words that form the longest title in [`TITLES`].
fn title_len(words: &[&str]) -> usize {
    // Fast rejection: a title's first word must be the first word here.
    // Only checked for ASCII words, whose lower case is byte-wise.
    if let Some(first) = words.first() {
        let first = first.trim_end_matches('.');
        if first.is_ascii() && !TITLES.iter().any(|t| starts_with_word_ci(t, first)) {
            return 0;
        }
    }
    // The first four words, without trailing dots, lower-cased, joined by
    // single spaces: a title of n words matches if it is this text's first
    // n words.
    let mut norm = String::new();
    for (i, w) in words.iter().take(4).enumerate() {
        if i > 0 {
            norm.push(' ');
        }
        norm.extend(w.trim_end_matches('.').chars().flat_map(char::to_lowercase));
    }
    let mut best = 0;
    for t in TITLES {
        let matches = norm
            .strip_prefix(t)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '));
        if matches {
            best = best.max(t.split(' ').count());
        }
    }
    best
}

/// Whether the first word of `title` (up to a space) is `word`, ignoring
/// ASCII case.
fn starts_with_word_ci(title: &str, word: &str) -> bool {
    let (t, n) = (title.as_bytes(), word.len());
    t.get(..n)
        .is_some_and(|head| head.eq_ignore_ascii_case(word.as_bytes()))
        && t.get(n).is_none_or(|&b| b == b' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn people(m: &[&str]) -> Vec<String> {
        normalize_people(Gazetteer::get().unwrap(), m)
    }

    #[test]
    fn titles_are_stripped() {
        let g = Gazetteer::get().unwrap();
        assert_eq!(
            clean_person(g, "President Bashar al-Assad"),
            "Bashar al-Assad"
        );
        assert_eq!(
            clean_person(g, "US Secretary of State John Kerry"),
            "John Kerry"
        );
        assert_eq!(
            clean_person(g, "Russian Foreign Minister Sergei Lavrov"),
            "Sergei Lavrov"
        );
        assert_eq!(clean_person(g, "Mr. Smith"), "Smith");
        assert_eq!(clean_person(g, "Sen. Edward Kennedy"), "Edward Kennedy");
        assert_eq!(clean_person(g, "Gen. Colin Powell"), "Colin Powell");
        assert_eq!(clean_person(g, "King Abdullah"), "Abdullah");
        assert_eq!(
            clean_person(g, "Prime Minister Margaret Thatcher"),
            "Margaret Thatcher"
        );
        // A title alone is kept: nothing else names the person.
        assert_eq!(clean_person(g, "Prince"), "Prince");
        assert_eq!(clean_person(g, "Martin Luther King"), "Martin Luther King");
        assert_eq!(clean_person(g, "VOLCKER"), "Volcker");
    }

    #[test]
    fn short_forms_merge_with_full_names() {
        assert_eq!(
            people(&["John Kerry", "Kerry", "Lavrov", "Sergei Lavrov", "Kerry's"]),
            ["John Kerry", "Sergei Lavrov"]
        );
        assert_eq!(
            people(&[
                "President Bashar al-Assad",
                "Assad",
                "Staffan de Mistura",
                "de Mistura"
            ]),
            ["Bashar al-Assad", "Staffan de Mistura"]
        );
        // First-name-only mention.
        assert_eq!(people(&["Hillary Clinton", "Hillary"]), ["Hillary Clinton"]);
        // A single-token name with no full form stays as is.
        assert_eq!(people(&["Kerry", "Madonna"]), ["Kerry", "Madonna"]);
    }

    #[test]
    fn ambiguous_surnames_take_the_nearest_earlier_full_name() {
        assert_eq!(
            people(&["George Bush", "Bush", "Jeb Bush", "Bush"]),
            ["George Bush", "Jeb Bush"]
        );
    }

    #[test]
    fn shouted_names_use_the_body_spelling() {
        assert_eq!(
            people(&["VOLCKER", "Paul Volcker", "Volcker"]),
            ["Paul Volcker"]
        );
    }
}
