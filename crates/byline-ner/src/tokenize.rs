//! Sentence splitting and tokenisation of raw article text in the style of
//! CoNLL-2003 (Penn Treebank-like): punctuation is split off, possessive
//! `'s` and `n't` become tokens of their own, while abbreviations (`U.S.`,
//! `Mr.`), hyphenated words (`Russia-backed`) and numbers (`1,750`, `3.5`)
//! stay whole.
//!
//! Tokens are byte ranges into the input; nothing is allocated per token.

use std::ops::Range;

/// A token as a byte range into the tokenised text.
pub(crate) type Span = Range<usize>;

/// Lower-case abbreviations (without their final period) that keep the
/// period and never end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "st", "jr", "sr", "inc", "corp", "co", "ltd", "plc", "gen", "col",
    "lt", "sgt", "capt", "cmdr", "adm", "gov", "sen", "rep", "prof", "rev", "messrs", "jan", "feb",
    "mar", "apr", "aug", "sep", "sept", "oct", "nov", "dec", "no", "nos", "vs", "v", "etc", "mt",
    "ft", "bros", "pres", "maj", "brig", "supt", "insp", "cpl", "pvt", "ave", "blvd",
];

/// Clitics split off the end of a word, PTB style (lower-case, ASCII quote).
const CLITICS: &[&str] = &["n't", "'s", "'re", "'ve", "'ll", "'d", "'m"];

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// The character starting at byte `i` (a char boundary) of `text`, without
/// a UTF-8 decode for ASCII.
#[inline]
fn char_at(text: &str, i: usize) -> char {
    let b = text.as_bytes()[i];
    if b.is_ascii() {
        char::from(b)
    } else {
        text[i..].chars().next().unwrap_or_default()
    }
}

/// Splits article text into sentences of tokens, as the tagger sees them.
/// Each token is a byte range into `text`.
pub fn tokenize(text: &str) -> Vec<Vec<Range<usize>>> {
    let mut sentences = Vec::new();
    // The sentence being built: a buffer reused from sentence to sentence,
    // each finished sentence copied out at its exact size.
    let mut current: Vec<Span> = Vec::with_capacity(64);
    let bytes = text.as_bytes();
    // Byte position of the next character to look at.
    let mut i = 0;
    while i < bytes.len() {
        // Spaces and words first: nearly every byte of English text.
        if bytes[i] == b' ' {
            i += 1;
            continue;
        }
        let c = char_at(text, i);
        if is_word_char(c) {
            let (end, apostrophe) = scan_word(text, i);
            i = push_word(text, i, end, apostrophe, &mut current);
            continue;
        }
        if c == '\n' {
            if !current.is_empty() && newline_breaks(text, i) {
                sentences.push(current.to_vec());
                current.clear();
            }
            i += 1;
            continue;
        }
        if c.is_whitespace() {
            i += c.len_utf8();
            continue;
        }
        // Punctuation: runs of the same ASCII character ("--", "...") stay
        // together, anything else is one token per character.
        let mut end = i + c.len_utf8();
        if c.is_ascii() && matches!(c, '-' | '.' | '*' | '=' | '_' | '!' | '?') {
            while end < bytes.len() && bytes[end] == c as u8 {
                end += 1;
            }
        }
        current.push(i..end);
        i = end;
        if is_sentence_end(text, &current, end) {
            // Keep a closing quote or bracket with the sentence it closes.
            while i < bytes.len() {
                let q = char_at(text, i);
                if matches!(q, '"' | '\'' | '\u{201D}' | '\u{2019}' | ')') {
                    current.push(i..i + q.len_utf8());
                    i += q.len_utf8();
                } else {
                    break;
                }
            }
            sentences.push(current.to_vec());
            current.clear();
        }
    }
    if !current.is_empty() {
        sentences.push(current);
    }
    sentences
}

/// Byte offset one past the end of the word starting at `start`: letters and
/// digits, joined by `-`, `.`, `'`, `&` and `/` when a letter or digit follows,
/// and by `,` between digits. Also whether an apostrophe joined the word (only
/// such a word can end in a clitic).
fn scan_word(text: &str, start: usize) -> (usize, bool) {
    let bytes = text.as_bytes();
    let mut end = start;
    let mut pos = start;
    let mut apostrophe = false;
    while pos < bytes.len() {
        // A run of ASCII letters and digits, a byte at a time.
        if bytes[pos].is_ascii_alphanumeric() {
            pos += 1;
            while pos < bytes.len() && bytes[pos].is_ascii_alphanumeric() {
                pos += 1;
            }
            end = pos;
            continue;
        }
        let c = char_at(text, pos);
        let after = pos + c.len_utf8();
        if is_word_char(c) {
            end = after;
            pos = after;
            continue;
        }
        let next = (after < bytes.len()).then(|| char_at(text, after));
        let joins = match c {
            '-' | '.' | '&' | '/' => next.is_some_and(is_word_char),
            '\'' | '\u{2019}' => {
                let joins = next.is_some_and(is_word_char);
                apostrophe |= joins;
                joins
            }
            ',' => {
                pos > 0
                    && bytes[pos - 1].is_ascii_digit()
                    && next.is_some_and(|n| n.is_ascii_digit())
            }
            _ => false,
        };
        if !joins {
            break;
        }
        pos = after;
    }
    (end, apostrophe)
}

/// Pushes the word `text[start..end]`, splitting off clitics (when an
/// apostrophe joined it) and attaching a following abbreviation period.
/// Returns the end of what was consumed.
fn push_word(
    text: &str,
    start: usize,
    mut end: usize,
    apostrophe: bool,
    out: &mut Vec<Span>,
) -> usize {
    let bytes = text.as_bytes();
    // An abbreviation keeps its period: "U.S.", "Mr.", "J.".
    if bytes.get(end) == Some(&b'.') && is_abbreviation(&text[start..end]) {
        end += 1;
        out.push(start..end);
        return end;
    }
    if apostrophe {
        let word = &text[start..end];
        for clitic in CLITICS {
            if let Some(stem_len) = clitic_split(word, clitic) {
                out.push(start..start + stem_len);
                out.push(start + stem_len..end);
                return end;
            }
        }
    }
    out.push(start..end);
    end
}

/// If `word` ends with `clitic` (ASCII or typographic apostrophe, any case)
/// after a non-empty stem, the stem's length in bytes.
fn clitic_split(word: &str, clitic: &str) -> Option<usize> {
    let ap = clitic.find('\'')?;
    let (head, rest) = (&clitic[..ap], &clitic[ap + 1..]);
    for apos in ["'", "\u{2019}"] {
        let len = head.len() + apos.len() + rest.len();
        if word.len() <= len {
            continue;
        }
        let Some(tail) = word.get(word.len() - len..) else {
            continue;
        };
        let head_ok = tail
            .get(..head.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(head));
        let apos_ok = tail.get(head.len()..head.len() + apos.len()) == Some(apos);
        let rest_ok = tail
            .get(head.len() + apos.len()..)
            .is_some_and(|r| r.eq_ignore_ascii_case(rest));
        if head_ok && apos_ok && rest_ok {
            return Some(word.len() - len);
        }
    }
    None
}

fn is_abbreviation(word: &str) -> bool {
    // Single letters and letter-dot sequences: "J", "U.S", "U.N".
    let mut letters = 0;
    let mut dotted = true;
    for (k, c) in word.chars().enumerate() {
        if k % 2 == 0 {
            if !c.is_alphabetic() {
                dotted = false;
                break;
            }
            letters += 1;
        } else if c != '.' {
            dotted = false;
            break;
        }
    }
    if dotted && letters > 0 && word.chars().next().is_some_and(char::is_uppercase) {
        return true;
    }
    if word.len() > 6 || !word.is_ascii() {
        return false;
    }
    let mut lower = [0u8; 6];
    for (d, s) in lower.iter_mut().zip(word.bytes()) {
        *d = s.to_ascii_lowercase();
    }
    let lower = &lower[..word.len()];
    ABBREVIATIONS.iter().any(|a| a.as_bytes() == lower)
}

/// Whether the punctuation token just pushed ends the sentence.
fn is_sentence_end(text: &str, current: &[Span], end: usize) -> bool {
    let Some(last) = current.last() else {
        return false;
    };
    let tok = &text[last.clone()];
    if !(tok.starts_with('.') || tok.starts_with('!') || tok.starts_with('?')) {
        return false;
    }
    // Look at what follows, skipping closing quotes and brackets.
    let rest = text[end..].trim_start_matches(['"', '\'', '\u{201D}', '\u{2019}', ')']);
    let Some(first) = rest.chars().next() else {
        return true;
    };
    if !first.is_whitespace() {
        return false;
    }
    match rest.trim_start().chars().next() {
        None => true,
        Some(n) => !n.is_lowercase(),
    }
}

/// Whether the newline at byte `i` ends a sentence: a blank or indented next
/// line, or a short line (a headline or title rather than wrapped prose).
fn newline_breaks(text: &str, i: usize) -> bool {
    let next_line = &text[i + 1..];
    if next_line.starts_with([' ', '\t', '\n', '\r']) || next_line.is_empty() {
        return true;
    }
    if next_line.chars().next().is_some_and(char::is_lowercase) {
        return false;
    }
    let line_start = text[..i].rfind('\n').map_or(0, |p| p + 1);
    // Fewer than 40 characters (without counting a long line to its end).
    text[line_start..i].trim().chars().nth(39).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(text: &str) -> Vec<Vec<&str>> {
        tokenize(text)
            .into_iter()
            .map(|s| s.into_iter().map(|r| &text[r]).collect())
            .collect()
    }

    #[test]
    fn splits_punctuation_and_possessives() {
        assert_eq!(
            toks("The UN's envoy, Staffan de Mistura, said \"no\"."),
            vec![vec![
                "The", "UN", "'s", "envoy", ",", "Staffan", "de", "Mistura", ",", "said", "\"",
                "no", "\"", "."
            ]]
        );
        assert_eq!(toks("Kerry’s plan"), vec![vec!["Kerry", "’s", "plan"]]);
        assert_eq!(toks("They don't."), vec![vec!["They", "do", "n't", "."]]);
        assert_eq!(
            toks("the players' union"),
            vec![vec!["the", "players", "'", "union"]]
        );
    }

    #[test]
    fn splits_clitics_only_after_an_apostrophe_inside_the_word() {
        // "ř" is 0xC5 0x99, and "’" (U+2019) ends in 0x99 too.
        assert_eq!(
            toks("Dvořák's rock’n’roll, O'Neill’s 'tis the players’ ř."),
            vec![vec![
                "Dvořák",
                "'s",
                "rock’n’roll",
                ",",
                "O'Neill",
                "’s",
                "'",
                "tis",
                "the",
                "players",
                "’",
                "ř",
                "."
            ]]
        );
        assert_eq!(toks("WON'T stop"), vec![vec!["WO", "N'T", "stop"]]);
    }

    #[test]
    fn keeps_abbreviations_numbers_and_hyphens() {
        assert_eq!(
            toks("The U.S. paid $1,750.50 to Russia-backed al-Nusra on 1996-08-22."),
            vec![vec![
                "The",
                "U.S.",
                "paid",
                "$",
                "1,750.50",
                "to",
                "Russia-backed",
                "al-Nusra",
                "on",
                "1996-08-22",
                "."
            ]]
        );
        assert_eq!(
            toks("Mr. Smith won 6-4."),
            vec![vec!["Mr.", "Smith", "won", "6-4", "."]]
        );
        assert_eq!(toks("AT&T rose"), vec![vec!["AT&T", "rose"]]);
    }

    #[test]
    fn splits_sentences() {
        assert_eq!(
            toks("He left. She stayed! \"Why?\" he asked.\n\nNew paragraph"),
            vec![
                vec!["He", "left", "."],
                vec!["She", "stayed", "!"],
                vec!["\"", "Why", "?", "\"", "he", "asked", "."],
                vec!["New", "paragraph"],
            ]
        );
        // A lower-case continuation is not a new sentence; "U.S." does not end one.
        assert_eq!(
            toks("It costs 3.5 mln. in the U.S. Treasury"),
            vec![vec![
                "It", "costs", "3.5", "mln", ".", "in", "the", "U.S.", "Treasury"
            ]]
        );
    }

    #[test]
    fn headlines_and_wrapped_lines() {
        assert_eq!(
            toks(
                "SYRIA TRUCE TALKS\nGENEVA - Talks went on late into the night in the\nSwiss city."
            ),
            vec![
                vec!["SYRIA", "TRUCE", "TALKS"],
                vec![
                    "GENEVA", "-", "Talks", "went", "on", "late", "into", "the", "night", "in",
                    "the", "Swiss", "city", "."
                ],
            ]
        );
    }

    #[test]
    fn spans_are_byte_offsets() {
        let text = "Zürich’s mayor";
        let spans = tokenize(text);
        assert_eq!(spans[0][0], 0..7);
        assert_eq!(&text[spans[0][1].clone()], "’s");
    }
}
