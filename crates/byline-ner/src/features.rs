//! Feature extraction for the tagger. Every feature is a 64-bit hash of a
//! template id and its value(s); nothing is allocated per token.
//!
//! Features only look at the raw tokens (never at POS or chunk tags), at the
//! [`Lexicon`] shipped with the model (gazetteer phrases and a
//! capitalisation prior learnt from the training text) and at a
//! [`DocContext`] summarising how each word is written elsewhere in the same
//! document.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A hasher for keys that are already well-mixed 64-bit hashes.
#[derive(Default, Clone, Copy)]
pub(crate) struct IdentityHasher(u64);

impl Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = mix(self.0, u64::from(b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A map keyed by pre-hashed `u64`s.
pub(crate) type HashMap64<V> = HashMap<u64, V, BuildHasherDefault<IdentityHasher>>;

const K: u64 = 0x517c_c1b7_2722_0a95;

#[inline]
pub(crate) fn mix(h: u64, x: u64) -> u64 {
    (h.rotate_left(5) ^ x).wrapping_mul(K)
}

/// Final avalanche (murmur3 fmix64) so that both high and low bits are good.
#[inline]
pub(crate) fn finish(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

#[inline]
fn hash_bytes(seed: u64, bytes: &[u8]) -> u64 {
    let mut h = seed;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        h = mix(
            h,
            u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]),
        );
    }
    let mut last = 0u64;
    for (k, &b) in chunks.remainder().iter().enumerate() {
        last |= u64::from(b) << (8 * k);
    }
    mix(mix(h, last), bytes.len() as u64)
}

/// Hash of a token's ASCII-lower-cased form.
#[inline]
pub(crate) fn hash_lower(word: &str) -> u64 {
    let bytes = word.as_bytes();
    if bytes.len() <= 32 {
        let mut buf = [0u8; 32];
        for (d, s) in buf.iter_mut().zip(bytes) {
            *d = s.to_ascii_lowercase();
        }
        hash_bytes(1, &buf[..bytes.len()])
    } else {
        hash_bytes(1, word.to_ascii_lowercase().as_bytes())
    }
}

/// Hash of a sequence of lower-cased token hashes (gazetteer phrases).
#[inline]
pub(crate) fn phrase_step(h: u64, lower: u64) -> u64 {
    mix(h, lower)
}

/// The seed of [`phrase_step`] chains.
pub(crate) const PHRASE_SEED: u64 = 0x9e37_79b9_7f4a_7c15;

/// Gazetteer categories: index of the bit group in [`TokInfo::gaz`].
pub(crate) const GAZ_COUNTRY: u8 = 0;
/// First-level regions, admin1 divisions and continents.
pub(crate) const GAZ_REGION: u8 = 1;
/// Cities with population >= 15,000.
pub(crate) const GAZ_CITY: u8 = 2;
/// Demonyms and adjectives of countries.
pub(crate) const GAZ_DEMONYM: u8 = 3;

/// Word lists shipped inside the model: what feature extraction needs
/// besides the text itself.
#[derive(Default, Debug, Clone)]
pub(crate) struct Lexicon {
    /// Gazetteer phrase hash (chain of [`phrase_step`]) -> bit set of GAZ_*.
    pub(crate) phrases: HashMap64<u8>,
    /// Longest gazetteer phrase in tokens.
    pub(crate) max_phrase_len: usize,
    /// Lower-cased word hash -> capitalisation bucket learnt from the
    /// training text (how often the word is capitalised mid-sentence).
    pub(crate) cap_prior: HashMap64<u8>,
}

/// Casing classes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub(crate) enum Casing {
    Lower = 0,
    Title = 1,
    Upper = 2,
    Mixed = 3,
    Digit = 4,
    Other = 5,
}

pub(crate) fn casing(word: &str) -> Casing {
    if let Some(v) = short_ascii(word.as_bytes()) {
        // Up to eight ASCII bytes (most words): the three classes of bytes
        // counted all at once, as bit masks.
        let upper = byte_range_mask(v, b'A', b'Z');
        let lower = byte_range_mask(v, b'a', b'z');
        let digit = byte_range_mask(v, b'0', b'9');
        return casing_class(
            upper.count_ones(),
            lower.count_ones(),
            digit.count_ones(),
            upper & 0x80 != 0,
        );
    }
    casing_by_bytes(word)
}

/// The bytes of a word of one to eight ASCII bytes as a little-endian
/// integer, zero-padded; `None` for any other word.
#[inline]
fn short_ascii(b: &[u8]) -> Option<u64> {
    let n = b.len();
    let v = match n {
        1..=3 => {
            u64::from(b[0])
                | u64::from(b[n / 2]) << (8 * (n / 2))
                | u64::from(b[n - 1]) << (8 * (n - 1))
        }
        4..=8 => {
            // Two four-byte loads, the second shifted onto the word's end;
            // where they overlap they hold the same bytes.
            let lo = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            let hi = u32::from_le_bytes([b[n - 4], b[n - 3], b[n - 2], b[n - 1]]);
            u64::from(lo) | u64::from(hi) << (8 * (n - 4))
        }
        _ => return None,
    };
    (v & 0x8080_8080_8080_8080 == 0).then_some(v)
}

/// The high bit of every byte of `v` (all ASCII) that lies in `lo..=hi`.
#[inline]
fn byte_range_mask(v: u64, lo: u8, hi: u8) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    // Each byte is below 0x80, so neither sum carries into the next byte.
    let at_least_lo = v + ONES * u64::from(0x80 - lo);
    let above_hi = v + ONES * u64::from(0x7f - hi);
    at_least_lo & !above_hi & (ONES * 0x80)
}

/// [`casing`] a byte (or a char) at a time.
fn casing_by_bytes(word: &str) -> Casing {
    let mut upper = 0;
    let mut lower = 0;
    let mut digit = 0;
    let mut first_upper = false;
    if word.is_ascii() {
        for (k, &b) in word.as_bytes().iter().enumerate() {
            if b.is_ascii_uppercase() {
                upper += 1;
                first_upper |= k == 0;
            } else if b.is_ascii_lowercase() {
                lower += 1;
            } else if b.is_ascii_digit() {
                digit += 1;
            }
        }
        return casing_class(upper, lower, digit, first_upper);
    }
    for (k, c) in word.chars().enumerate() {
        if c.is_uppercase() {
            upper += 1;
            if k == 0 {
                first_upper = true;
            }
        } else if c.is_lowercase() {
            lower += 1;
        } else if c.is_numeric() {
            digit += 1;
        }
    }
    casing_class(upper, lower, digit, first_upper)
}

fn casing_class(upper: u32, lower: u32, digit: u32, first_upper: bool) -> Casing {
    match (upper, lower) {
        (0, 0) if digit > 0 => Casing::Digit,
        (0, 0) => Casing::Other,
        (0, _) => Casing::Lower,
        (_, 0) => Casing::Upper,
        (1, _) if first_upper => Casing::Title,
        _ => Casing::Mixed,
    }
}

/// Word shape: X for upper, x for lower, d for digits, other characters
/// kept (non-ASCII ones as `o`); runs are capped at `cap` repeats.
fn shape_hash(word: &str, cap: u32, seed: u64) -> u64 {
    let mut h = seed;
    let mut prev = '\0';
    let mut run = 0;
    if word.is_ascii() {
        let mut prev = 0u8;
        for &b in word.as_bytes() {
            let s = if b.is_ascii_uppercase() {
                b'X'
            } else if b.is_ascii_lowercase() {
                b'x'
            } else if b.is_ascii_digit() {
                b'd'
            } else {
                b
            };
            if s == prev {
                run += 1;
                if run >= cap {
                    continue;
                }
            } else {
                run = 0;
                prev = s;
            }
            h = mix(h, u64::from(s));
        }
        return h;
    }
    for c in word.chars() {
        let s = if c.is_uppercase() {
            'X'
        } else if c.is_lowercase() {
            'x'
        } else if c.is_numeric() {
            'd'
        } else if c.is_ascii() {
            c
        } else {
            'o'
        };
        if s == prev {
            run += 1;
            if run >= cap {
                continue;
            }
        } else {
            run = 0;
            prev = s;
        }
        h = mix(h, s as u64);
    }
    h
}

/// Per-document summary: for each word written with a capital somewhere in
/// the document (by its lower-cased form), how it is written in the
/// running-text (not all-caps) sentences of the document, this occurrence
/// included (bit set of `DOC_*`). Tells a headline's `KERRY` or
/// a sentence-initial `Kerry` that the body writes `Kerry` mid-sentence,
/// or that a capitalised word also occurs in lower case.
#[derive(Default)]
pub(crate) struct DocContext {
    flags: HashMap64<u8>,
}

const DOC_LOWER: u8 = 1;
const DOC_CAP_MID: u8 = 2;
const DOC_SEQ_FIRST: u8 = 4;
const DOC_SEQ_LAST: u8 = 8;
const DOC_SEQ_INNER: u8 = 16;
const DOC_SINGLE_CAP: u8 = 32;

fn starts_upper(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
}

/// Whether a casing class has a capital: title case, capitals or mixed.
fn is_capital(c: u8) -> bool {
    c == Casing::Title as u8 || c == Casing::Upper as u8 || c == Casing::Mixed as u8
}

/// Whether a sentence is a headline written in capitals: most of its
/// alphabetic tokens are upper case.
pub(crate) fn is_all_caps_sentence<S: AsRef<str>>(tokens: &[S]) -> bool {
    all_caps_from_casings(tokens.iter().map(|t| casing(t.as_ref()) as u8))
}

/// [`is_all_caps_sentence`] given the tokens' casing classes.
fn all_caps_from_casings(casings: impl Iterator<Item = u8>) -> bool {
    const UPPER: u8 = Casing::Upper as u8;
    const LOWER: u8 = Casing::Lower as u8;
    const TITLE: u8 = Casing::Title as u8;
    const MIXED: u8 = Casing::Mixed as u8;
    let mut upper = 0;
    let mut letters = 0;
    for c in casings {
        match c {
            UPPER => {
                upper += 1;
                letters += 1;
            }
            LOWER | TITLE | MIXED => letters += 1,
            _ => {}
        }
    }
    letters > 0 && upper * 10 >= letters * 8 && (upper >= 2 || letters == 1)
}

impl DocContext {
    /// Builds the summary of a document given as sentences of tokens.
    pub(crate) fn build<S: AsRef<str>>(sentences: &[Vec<S>]) -> DocContext {
        let casings: Vec<u8> = sentences
            .iter()
            .flatten()
            .map(|t| casing(t.as_ref()) as u8)
            .collect();
        DocContext::build_with_casings(sentences, &casings)
    }

    /// [`DocContext::build`] given the casing class of every token of the
    /// document, sentence after sentence.
    pub(crate) fn build_with_casings<S: AsRef<str>>(
        sentences: &[Vec<S>],
        doc_casings: &[u8],
    ) -> DocContext {
        let mut doc = DocContext::default();
        doc.rebuild(sentences, doc_casings);
        doc
    }

    /// [`DocContext::build_with_casings`] into `self`, reusing its memory.
    ///
    /// Only words written with a capital somewhere in the document get an
    /// entry: features read the flags of capitalised tokens only (see
    /// [`sentence_features_with_casings`]), and a word with no capital
    /// cannot share a lower-cased form with one that has. So a lower-case
    /// token is hashed only when a capitalised word of its first letter and
    /// length exists, instead of every one being counted in.
    pub(crate) fn rebuild<S: AsRef<str>>(&mut self, sentences: &[Vec<S>], doc_casings: &[u8]) {
        let flags = &mut self.flags;
        flags.clear();
        // (first byte, length) of the capitalised words, folded to lower
        // case: a one-hash filter over 1,024 bits.
        let mut seen = [0u64; 16];
        let key = |t: &str| {
            let first = t.as_bytes().first().map_or(0, u8::to_ascii_lowercase);
            (usize::from(first) * 31 + t.len()) & 1023
        };
        let mut start = 0;
        for sent in sentences {
            let casings = &doc_casings[start..start + sent.len()];
            start += sent.len();
            let headline = all_caps_from_casings(casings.iter().copied());
            let n = sent.len();
            let cap_at = |i: usize| starts_upper(sent[i].as_ref());
            for (i, t) in sent.iter().enumerate() {
                let t = t.as_ref();
                if !is_capital(casings[i]) {
                    continue;
                }
                // A headline's capitals are looked up but say nothing.
                let mut f = 0u8;
                if !headline && cap_at(i) {
                    let prev = i > 0 && cap_at(i - 1);
                    let next = i + 1 < n && cap_at(i + 1);
                    if i > 0 {
                        f |= DOC_CAP_MID;
                    }
                    match (prev, next) {
                        (false, true) => f |= DOC_SEQ_FIRST,
                        (true, false) => f |= DOC_SEQ_LAST,
                        (true, true) => f |= DOC_SEQ_INNER,
                        (false, false) if i > 0 => f |= DOC_SINGLE_CAP,
                        _ => {}
                    }
                }
                *flags.entry(hash_lower(t)).or_default() |= f;
                let k = key(t);
                seen[k / 64] |= 1 << (k % 64);
            }
        }
        if flags.is_empty() {
            return;
        }
        let mut start = 0;
        for sent in sentences {
            let casings = &doc_casings[start..start + sent.len()];
            start += sent.len();
            if all_caps_from_casings(casings.iter().copied()) {
                continue;
            }
            for (t, &c) in sent.iter().zip(casings) {
                let t = t.as_ref();
                if c != Casing::Lower as u8 {
                    continue;
                }
                let k = key(t);
                if seen[k / 64] & (1 << (k % 64)) == 0 {
                    continue;
                }
                if let Some(f) = flags.get_mut(&hash_lower(t)) {
                    *f |= DOC_LOWER;
                }
            }
        }
    }
}

/// What feature templates need to know about one token.
#[derive(Clone, Copy, Default)]
pub(crate) struct TokInfo {
    word: u64,
    pub(crate) lower: u64,
    shape4: u64,
    shape1: u64,
    casing: u8,
    prefix: [u64; 4],
    suffix: [u64; 4],
    gaz: u32,
    cap_prior: u8,
    doc: u8,
    /// The word-only features are left out (see [`WORD_KNOWN`]).
    known: bool,
    /// [`word_key`] of the word in its sentence's context kind.
    key: u64,
}

const PAD_LEFT: u64 = 0x1111_2222_3333_4444;
const PAD_RIGHT: u64 = 0x5555_6666_7777_8888;

/// Typographic punctuation and its ASCII form in the (ASCII) training data.
const TYPOGRAPHIC: &[(char, &str)] = &[
    ('\u{2018}', "'"),
    ('\u{2019}', "'"),
    ('\u{201C}', "\""),
    ('\u{201D}', "\""),
    ('\u{2013}', "-"),
    ('\u{2014}', "--"),
    ('\u{2026}', "..."),
];

/// `word` with typographic quotes and dashes replaced by their ASCII forms;
/// allocates only for words that contain one.
pub(crate) fn ascii_punctuation(word: &str) -> Cow<'_, str> {
    if word.is_ascii()
        || !word
            .chars()
            .any(|c| TYPOGRAPHIC.iter().any(|(t, _)| *t == c))
    {
        return Cow::Borrowed(word);
    }
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        match TYPOGRAPHIC.iter().find(|(t, _)| *t == c) {
            Some((_, ascii)) => out.push_str(ascii),
            None => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// How much of a token's [`TokInfo`] is used.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Need {
    /// Everything: the token gets features.
    Full,
    /// What the features of the tokens next to it use: lower-cased form,
    /// shapes, casing.
    Neighbour,
    /// What the features of the token two before it use: its one-character
    /// shape, and casing.
    Shape,
    /// Casing only. (A gazetteer phrase may run through the token: its
    /// lower-cased form is hashed there if so, see [`mark_gazetteers`].)
    Casing,
}

/// What the features of a token and of its neighbours need (see [`Need`]).
/// `c` is the word's casing class.
/// [`Need::Casing`] asks for the casing only (a token no feature looks at).
/// With [`Need::Full`], a word for which `known` holds (the tagger has the
/// summed weights of its word-only features) gets no affixes: only its
/// word-only features use them.
fn tok_info(
    word: &str,
    c: u8,
    lex: &Lexicon,
    doc: &DocContext,
    need: Need,
    kind: u64,
    known: &impl Fn(u64) -> bool,
) -> TokInfo {
    if need == Need::Casing {
        return TokInfo {
            casing: c,
            ..TokInfo::default()
        };
    }
    let word = &*ascii_punctuation(word);
    if need == Need::Shape {
        return TokInfo {
            shape1: shape_hash(word, 1, 4),
            casing: c,
            ..TokInfo::default()
        };
    }
    if need == Need::Neighbour {
        return TokInfo {
            lower: hash_lower(word),
            shape4: shape_hash(word, 4, 3),
            shape1: shape_hash(word, 1, 4),
            casing: c,
            ..TokInfo::default()
        };
    }
    let word_hash = hash_bytes(2, word.as_bytes());
    let lower = hash_lower(word);
    let key = word_key(word_hash, kind);
    let mut info = TokInfo {
        word: word_hash,
        lower,
        shape4: shape_hash(word, 4, 3),
        shape1: shape_hash(word, 1, 4),
        casing: c,
        // A lower-case word never gets the document-context feature.
        doc: if c == Casing::Lower as u8 {
            0
        } else {
            doc.flags.get(&lower).copied().unwrap_or(0)
        },
        known: known(key),
        key,
        ..TokInfo::default()
    };
    if info.known {
        return info;
    }
    // The prior is a word-only feature: the cached sums hold it.
    info.cap_prior = lex.cap_prior.get(&lower).copied().unwrap_or(0);
    // Affixes of up to four characters, case-folded (ASCII): hashes of
    // slices of the lower-cased bytes, as `hash_lower` of the affix.
    let mut buf = [0u8; 64];
    if word.len() <= buf.len() {
        let low = &mut buf[..word.len()];
        for (d, s) in low.iter_mut().zip(word.as_bytes()) {
            *d = s.to_ascii_lowercase();
        }
        let low = &buf[..word.len()];
        for (k, (i, ch)) in word.char_indices().take(4).enumerate() {
            info.prefix[k] = hash_bytes(1, &low[..i + ch.len_utf8()]);
        }
        for (k, (i, _)) in word.char_indices().rev().take(4).enumerate() {
            info.suffix[k] = hash_bytes(1, &low[i..]);
        }
    } else {
        for (k, (i, ch)) in word.char_indices().take(4).enumerate() {
            info.prefix[k] = hash_lower(&word[..i + ch.len_utf8()]);
        }
        for (k, (i, _)) in word.char_indices().rev().take(4).enumerate() {
            info.suffix[k] = hash_lower(&word[i..]);
        }
    }
    info
}

/// Marks gazetteer matches on the sentence's tokens: for category `g`, bits
/// `4g..4g+4` are B, I, L, U of a match covering the token.
fn mark_gazetteers<S: AsRef<str>>(
    tokens: &[S],
    info: &mut [TokInfo],
    lex: &Lexicon,
    upper: &mut Vec<bool>,
) {
    let n = tokens.len();
    upper.clear();
    upper.extend(tokens.iter().map(|t| starts_upper(t.as_ref())));
    for i in 0..n {
        if !upper[i] {
            continue;
        }
        // A phrase ends on a capitalised word: none is looked up past the
        // last one in reach, nor hashed.
        let reach = n.min(i + lex.max_phrase_len);
        let last = (i..reach).rev().find(|&j| upper[j]).unwrap_or(i);
        let mut h = PHRASE_SEED;
        for j in i..=last {
            if info[j].lower == 0 {
                // A token far from any feature-bearing one (`Need::Casing`).
                info[j].lower = hash_lower(&ascii_punctuation(tokens[j].as_ref()));
            }
            h = phrase_step(h, info[j].lower);
            if !upper[j] {
                continue;
            }
            let Some(&cats) = lex.phrases.get(&h) else {
                continue;
            };
            for g in 0..4u32 {
                if cats & (1 << g) == 0 {
                    continue;
                }
                if j == i {
                    info[i].gaz |= 1 << (4 * g + 3);
                } else {
                    info[i].gaz |= 1 << (4 * g);
                    for t in &mut info[i + 1..j] {
                        t.gaz |= 1 << (4 * g + 1);
                    }
                    info[j].gaz |= 1 << (4 * g + 2);
                }
            }
        }
    }
}

/// Reusable buffers for feature extraction.
#[derive(Default)]
pub(crate) struct Scratch {
    info: Vec<TokInfo>,
    casings: Vec<u8>,
    /// Whether [`sentence_features`] leaves out the features of inert
    /// tokens (set when tagging, never when training).
    pub(crate) skip_inert: bool,
    /// Per token of the last sentence: whether it is inert and got no
    /// features (see [`mark_inert`]).
    pub(crate) inert: Vec<bool>,
    /// Scratch of [`mark_inert`].
    caps: Vec<bool>,
    /// Scratch of [`mark_gazetteers`].
    upper: Vec<bool>,
    /// Per token of the last sentence (filled when `skip_inert` is set):
    /// the [`word_key`] of the word in its context kind and its number of
    /// affix features (see [`word_only_features`]).
    pub(crate) words: Vec<(u64, u8)>,
}

/// [`Scratch::words`] affix count of a token whose word-only features
/// were left out (see [`sentence_features_with_casings`]).
pub(crate) const WORD_KNOWN: u8 = u8::MAX;

/// The features of one token (`feats`, as [`sentence_features`] lays them
/// out) that depend only on the word itself and the sentence's context kind
/// (sentence-initial, headline, running text), given its affix count: the
/// bias, word, lower-case and shape features, casing × kind, the affixes
/// and the capitalisation prior × casing × kind. The others (neighbours,
/// gazetteers, document) follow. Returns (word-only, context); with
/// [`WORD_KNOWN`] every feature is a context feature.
#[inline]
pub(crate) fn word_only_features(feats: &[u64], affixes: u8) -> (&[u64], &[u64]) {
    if affixes == WORD_KNOWN {
        return (&[], feats);
    }
    // Six before the affixes, the capitalisation prior after them.
    feats.split_at(7 + usize::from(affixes))
}

/// Key of a word's word-only features (see [`word_only_features`]) in a
/// context kind: what a tagger caches their summed weights under.
#[inline]
fn word_key(word: u64, kind: u64) -> u64 {
    finish(mix(word, kind))
}

/// Marks the inert tokens of a sentence: tokens that are practically never
/// part of a name, so the tagger gives them the tag O without extracting or
/// scoring their features.
///
/// A token is *live* if it is capitalised (title case, capitals or mixed),
/// or if it is a number within two tokens of a capitalised one ("Securities
/// Act of 1933", "1996 Olympics"): a number far from any capital is never
/// part of a name, and Reuters-style text is full of them ("1.5 mln dlrs
/// vs 1.2 mln"). A sentence-initial word that the training text nearly
/// always writes in lower case mid-sentence ("The", "It", "Shares") is not
/// live either unless the next word is capitalised ("The Hague"): it is
/// capitalised only because it starts the sentence. Nor is such a word in
/// a line written in capitals (a headline, a table row: "NET PROFIT"):
/// `all_caps` tells that the sentence is one. A token is inert when neither
/// it nor its neighbours are live.
fn mark_inert<S: AsRef<str>>(
    tokens: &[S],
    casings: &[u8],
    all_caps: bool,
    lex: &Lexicon,
    caps: &mut Vec<bool>,
    inert: &mut Vec<bool>,
) {
    let n = casings.len();
    // Capitalised for a reason other than starting the sentence.
    caps.clear();
    caps.extend(casings.iter().map(|&c| is_capital(c)));
    if n > 0
        && casings[0] == Casing::Title as u8
        && !caps.get(1).copied().unwrap_or(false)
        && lex.cap_prior.get(&hash_lower(tokens[0].as_ref())) == Some(&MOSTLY_LOWER)
    {
        caps[0] = false;
    }
    if all_caps {
        for (i, t) in tokens.iter().enumerate() {
            if caps[i] && lex.cap_prior.get(&hash_lower(t.as_ref())) == Some(&MOSTLY_LOWER) {
                caps[i] = false;
            }
        }
    }
    let live = |i: usize| {
        caps[i]
            || (casings[i] == Casing::Digit as u8
                && caps[i.saturating_sub(2)..n.min(i + 3)].iter().any(|&c| c))
    };
    inert.clear();
    let (mut prev, mut cur) = (false, n > 0 && live(0));
    for i in 0..n {
        let next = i + 1 < n && live(i + 1);
        inert.push(!(prev || cur || next));
        (prev, cur) = (cur, next);
    }
}

/// [`cap_bucket`] of a word seen at least five times mid-sentence in the
/// training text and capitalised there less than 5 % of the time.
const MOSTLY_LOWER: u8 = 5;

#[inline]
fn feat(template: u64, v: u64) -> u64 {
    finish(mix(template.wrapping_mul(0x2545_f491_4f6c_dd1d), v))
}

#[inline]
fn feat2(template: u64, a: u64, b: u64) -> u64 {
    finish(mix(mix(template.wrapping_mul(0x2545_f491_4f6c_dd1d), a), b))
}

#[inline]
fn feat3(template: u64, a: u64, b: u64, c: u64) -> u64 {
    finish(mix(
        mix(mix(template.wrapping_mul(0x2545_f491_4f6c_dd1d), a), b),
        c,
    ))
}

/// Extracts the features of every token of a sentence. Features of token
/// `i` are `out[offsets[i]..offsets[i + 1]]`.
pub(crate) fn sentence_features<S: AsRef<str>>(
    tokens: &[S],
    lex: &Lexicon,
    doc: &DocContext,
    scratch: &mut Scratch,
    out: &mut Vec<u64>,
    offsets: &mut Vec<usize>,
) {
    let mut casings = std::mem::take(&mut scratch.casings);
    casings.clear();
    casings.extend(tokens.iter().map(|t| casing(t.as_ref()) as u8));
    sentence_features_with_casings(tokens, &casings, lex, doc, scratch, out, offsets, |_| false);
    scratch.casings = casings;
}

/// [`sentence_features`] given the tokens' casing classes. `known(key)`
/// tells that the caller has the summed weights of the word-only features
/// under that [`word_key`] (see [`word_only_features`]); a token whose key
/// is known gets only its context features, and its entry of
/// [`Scratch::words`] has the affix count [`WORD_KNOWN`].
#[allow(clippy::too_many_arguments)]
pub(crate) fn sentence_features_with_casings<S: AsRef<str>>(
    tokens: &[S],
    casings: &[u8],
    lex: &Lexicon,
    doc: &DocContext,
    scratch: &mut Scratch,
    out: &mut Vec<u64>,
    offsets: &mut Vec<usize>,
    known: impl Fn(u64) -> bool,
) {
    out.clear();
    offsets.clear();
    let n = tokens.len();
    // As `is_all_caps_sentence(tokens)`: replacing typographic punctuation
    // does not change a token's casing class.
    let all_caps = all_caps_from_casings(casings.iter().copied());
    let inert = &mut scratch.inert;
    inert.clear();
    if scratch.skip_inert {
        mark_inert(tokens, casings, all_caps, lex, &mut scratch.caps, inert);
    } else {
        inert.resize(n, false);
    }
    if scratch.skip_inert && inert.iter().all(|&x| x) {
        // No token gets features.
        scratch.info.clear();
        scratch.words.clear();
        offsets.resize(n + 1, 0);
        return;
    }
    let info = &mut scratch.info;
    info.clear();
    // The features of a token look at the tokens next to it and at the
    // shape of the one two after it: an inert token with no feature-bearing
    // token there needs nothing but its casing.
    let bearing = |k: usize| k < n && !inert[k];
    let need = |i: usize| {
        if bearing(i) {
            Need::Full
        } else if (i > 0 && bearing(i - 1)) || bearing(i + 1) {
            Need::Neighbour
        } else if i > 1 && bearing(i - 2) {
            Need::Shape
        } else {
            Need::Casing
        }
    };
    // Context kind: headline in capitals, sentence-initial, or running text.
    let kind_of = |i: usize| -> u64 {
        if all_caps {
            2
        } else if i == 0 {
            1
        } else {
            0
        }
    };
    info.extend(
        tokens
            .iter()
            .zip(casings)
            .enumerate()
            .map(|(i, (t, &c))| tok_info(t.as_ref(), c, lex, doc, need(i), kind_of(i), &known)),
    );
    mark_gazetteers(tokens, info, lex, &mut scratch.upper);
    scratch.words.clear();
    if scratch.skip_inert {
        scratch.words.extend(info.iter().map(|t| {
            if t.known {
                return (t.key, WORD_KNOWN);
            }
            let affixes = t.prefix.iter().chain(&t.suffix).filter(|&&h| h != 0);
            (t.key, affixes.count() as u8)
        }));
    }
    out.reserve(n * 64);
    let info = &scratch.info;
    let lower = |k: isize| -> u64 {
        if k < 0 {
            PAD_LEFT
        } else if k as usize >= n {
            PAD_RIGHT
        } else {
            info[k as usize].lower
        }
    };
    let shape = |k: isize, four: bool| -> u64 {
        if k < 0 {
            PAD_LEFT
        } else if k as usize >= n {
            PAD_RIGHT
        } else if four {
            info[k as usize].shape4
        } else {
            info[k as usize].shape1
        }
    };
    let case = |k: isize| -> u64 {
        if k < 0 {
            7
        } else if k as usize >= n {
            8
        } else {
            u64::from(info[k as usize].casing)
        }
    };
    for (i, t) in info.iter().enumerate() {
        offsets.push(out.len());
        if scratch.inert[i] {
            continue;
        }
        let p = i as isize;
        let kind = kind_of(i);
        // The word-only features (see `word_only_features`), in this order.
        if !t.known {
            out.push(feat(1, 0));
            out.push(feat(2, t.word));
            out.push(feat(3, t.lower));
            out.push(feat(4, t.shape4));
            out.push(feat(5, t.shape1));
            out.push(feat2(6, u64::from(t.casing), kind));
            for k in 0..4 {
                if t.prefix[k] != 0 {
                    out.push(feat(7 + k as u64, t.prefix[k]));
                }
                if t.suffix[k] != 0 {
                    out.push(feat(11 + k as u64, t.suffix[k]));
                }
            }
            // Capitalisation prior from the training text.
            out.push(feat3(34, u64::from(t.cap_prior), u64::from(t.casing), kind));
        }
        // Neighbours. (Also tried and dropped, for speed at no cost in F1
        // on dev: words and shapes at ±2 but the shape at +2, word bigrams,
        // kind × word, word × shape pairs, the gazetteer types of the
        // neighbours; see `model/README.md`.)
        out.push(feat(15, lower(p - 1)));
        out.push(feat(16, lower(p + 1)));
        out.push(feat(19, shape(p - 1, true)));
        out.push(feat(20, shape(p + 1, true)));
        out.push(feat(22, shape(p + 2, false)));
        out.push(feat3(
            25,
            shape(p - 1, false),
            t.shape1,
            shape(p + 1, false),
        ));
        out.push(feat3(26, case(p - 1), case(p), case(p + 1)));
        // Gazetteers.
        for bit in 0..16u64 {
            if t.gaz & (1 << bit) != 0 {
                out.push(feat2(31, bit, kind));
            }
        }
        // Document context.
        if t.casing != Casing::Lower as u8 && t.doc != 0 {
            out.push(feat3(36, u64::from(t.doc), kind, u64::from(t.casing)));
        }
    }
    offsets.push(out.len());
}

/// Stage-one predictions over a whole document: for each lower-cased word
/// written with a capital, how often the first-stage model tagged it with
/// each type (O, PER, LOC, ORG, MISC). Lets the second stage make the
/// labels of one name consistent across a document.
#[derive(Default)]
pub(crate) struct DocPredictions {
    counts: HashMap64<[u16; 5]>,
}

/// Type index of a model tag: 0 for O, 1 + type for an entity tag.
fn tag_type(tag: u8) -> usize {
    crate::conll::tag_parts(tag).map_or(0, |(k, _)| k + 1)
}

impl DocPredictions {
    /// Counts the first-stage tags of a document's capitalised words.
    pub(crate) fn build<S: AsRef<str>>(sentences: &[Vec<S>], tags: &[Vec<u8>]) -> Self {
        let mut counts: HashMap64<[u16; 5]> = HashMap64::default();
        for (sent, tags) in sentences.iter().zip(tags) {
            for (t, &tag) in sent.iter().zip(tags) {
                if starts_upper(t.as_ref()) {
                    let c = &mut counts.entry(hash_lower(t.as_ref())).or_default()[tag_type(tag)];
                    *c = c.saturating_add(1);
                }
            }
        }
        DocPredictions { counts }
    }

    /// The second-stage features of a sentence whose first-stage tags are
    /// `tags`, laid out like [`sentence_features`]' output.
    pub(crate) fn sentence_features<S: AsRef<str>>(
        &self,
        tokens: &[S],
        tags: &[u8],
        out: &mut Vec<u64>,
        offsets: &mut Vec<usize>,
    ) {
        out.clear();
        offsets.clear();
        let all_caps = is_all_caps_sentence(tokens);
        for (i, t) in tokens.iter().enumerate() {
            offsets.push(out.len());
            let kind = if all_caps { 2 } else { u64::from(i == 0) };
            self.token_features(t.as_ref(), tags, i, kind, out);
        }
        offsets.push(out.len());
    }

    fn token_features(&self, word: &str, tags: &[u8], i: usize, kind: u64, out: &mut Vec<u64>) {
        let tag = |k: usize| -> u64 { tags.get(k).map_or(99, |&t| u64::from(t)) };
        out.push(feat2(40, tag(i), kind));
        out.push(feat3(41, tag(i.wrapping_sub(1)), tag(i), tag(i + 1)));
        if !starts_upper(word) {
            return;
        }
        let Some(counts) = self.counts.get(&hash_lower(word)) else {
            return;
        };
        let mut counts = *counts;
        let own = &mut counts[tag_type(tags[i])];
        *own = own.saturating_sub(1);
        let total: u32 = counts.iter().map(|&c| u32::from(c)).sum();
        if total == 0 {
            return;
        }
        let mut best = 0;
        for (ty, &c) in counts.iter().enumerate() {
            if c > counts[best] {
                best = ty;
            }
            if c > 0 {
                let frac = u64::from(c) * 4 / u64::from(total);
                out.push(feat3(43, ty as u64, frac, kind));
            }
        }
        out.push(feat3(42, best as u64, u64::from(total.min(3)), kind));
    }
}

/// Capitalisation bucket for a word seen `cap` times capitalised out of
/// `total` mid-sentence occurrences in running text.
pub(crate) fn cap_bucket(cap: u32, total: u32) -> u8 {
    let frac = f64::from(cap) / f64::from(total.max(1));
    let b = if frac < 0.05 {
        1
    } else if frac < 0.5 {
        2
    } else if frac < 0.95 {
        3
    } else {
        4
    };
    b + if total >= 5 { 4 } else { 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn casing_classes() {
        assert_eq!(casing("Kerry"), Casing::Title);
        assert_eq!(casing("UN"), Casing::Upper);
        assert_eq!(casing("al-Nusra"), Casing::Mixed);
        assert_eq!(casing("1,750"), Casing::Digit);
        assert_eq!(casing("said"), Casing::Lower);
        assert_eq!(casing("--"), Casing::Other);
        assert_eq!(casing("McDonald"), Casing::Mixed);
        assert_eq!(casing("iPhone"), Casing::Mixed);
        assert_eq!(casing("A"), Casing::Upper);
        assert_eq!(casing("É"), Casing::Upper);
    }

    #[test]
    fn short_words_are_classed_as_byte_by_byte() {
        // Every word of up to four bytes over a set holding each byte class
        // and the bytes next to each range's ends, each also followed by
        // two or four more bytes (words of up to eight bytes, the fast
        // path's limit).
        let alphabet: &[u8] = b"@AMZ[`amz{/09:-.'";
        let mut words: Vec<Vec<u8>> = vec![Vec::new()];
        for _ in 0..4 {
            let longer: Vec<Vec<u8>> = words
                .iter()
                .filter(|w| w.len() == words.last().map_or(0, Vec::len))
                .flat_map(|w| alphabet.iter().map(move |&b| [w.as_slice(), &[b]].concat()))
                .collect();
            words.extend(longer);
        }
        let mut checked = 0;
        for w in &words {
            for pad in [&b""[..], b"xy", b"XYZW", b"1234"] {
                let word = String::from_utf8([w.as_slice(), pad].concat()).unwrap();
                assert_eq!(casing(&word), casing_by_bytes(&word), "{word:?}");
                checked += 1;
            }
        }
        assert!(checked > 300_000, "{checked}");
        for word in [
            "Société",
            "ÉTÉ",
            "été",
            "Zürich9",
            "Ab\u{0}",
            "abcdefgh",
            "ABCDEFGHI",
        ] {
            assert_eq!(casing(word), casing_by_bytes(word), "{word:?}");
        }
    }

    #[test]
    fn shapes_collapse_runs() {
        assert_eq!(shape_hash("Kerry", 1, 0), shape_hash("Geneva", 1, 0));
        assert_ne!(shape_hash("Kerry", 1, 0), shape_hash("KERRY", 1, 0));
        assert_eq!(shape_hash("U.S.", 4, 0), shape_hash("U.N.", 4, 0));
        assert_ne!(shape_hash("Ab", 4, 0), shape_hash("Abcdef", 4, 0));
        assert_eq!(shape_hash("Abcde", 4, 0), shape_hash("Abcdef", 4, 0));
    }

    #[test]
    fn typographic_punctuation_reads_as_ascii() {
        assert_eq!(ascii_punctuation("\u{2019}s"), "'s");
        assert_eq!(ascii_punctuation("\u{201C}"), "\"");
        assert_eq!(ascii_punctuation("Zürich"), "Zürich");
        assert!(matches!(ascii_punctuation("Kerry"), Cow::Borrowed(_)));
        let (lex, doc) = (Lexicon::default(), DocContext::default());
        let mut scratch = Scratch::default();
        let (mut a, mut b, mut offs) = (Vec::new(), Vec::new(), Vec::new());
        sentence_features(
            &["Kerry", "'s"],
            &lex,
            &doc,
            &mut scratch,
            &mut a,
            &mut offs,
        );
        sentence_features(
            &["Kerry", "\u{2019}s"],
            &lex,
            &doc,
            &mut scratch,
            &mut b,
            &mut offs,
        );
        assert_eq!(a, b);
    }

    #[test]
    fn inert_tokens() {
        let c = |ws: &[&str]| -> Vec<u8> { ws.iter().map(|w| casing(w) as u8).collect() };
        let (lex, doc) = (Lexicon::default(), DocContext::default());
        let inert = |ws: &[&str], lex: &Lexicon| {
            let (mut caps, mut inert) = (Vec::new(), Vec::new());
            let cs = c(ws);
            let all_caps = all_caps_from_casings(cs.iter().copied());
            mark_inert(ws, &cs, all_caps, lex, &mut caps, &mut inert);
            inert
        };
        let sent = ["Talks", "in", "the", "city", ",", "said", "Kerry", "."];
        assert_eq!(
            inert(&sent, &lex),
            [false, false, true, true, true, false, false, false]
        );
        // Numbers far from capitals are inert; near one, they are not.
        let nums = [
            "profit", "rose", "to", "1.5", "mln", "dlrs", "under", "the", "Act", "of", "1933",
        ];
        assert_eq!(
            inert(&nums, &lex),
            [true, true, true, true, true, true, true, false, false, false, false]
        );
        // A sentence-initial word the training text writes in lower case is
        // capitalised only because it starts the sentence...
        let mut lower_lex = Lexicon::default();
        lower_lex.cap_prior.insert(hash_lower("the"), MOSTLY_LOWER);
        let the = [
            "The", "company", "said", "it", "would", "sell", "2", "units",
        ];
        assert_eq!(inert(&the, &lex)[..3], [false, false, true]);
        assert!(inert(&the, &lower_lex).iter().all(|&x| x));
        // ...unless a capitalised word follows it.
        let hague = ["The", "Hague", "court", "said", "so"];
        assert_eq!(inert(&hague, &lower_lex), [false, false, false, true, true]);
        // In capitals, such a word is not live anywhere in the line.
        lower_lex.cap_prior.insert(hash_lower("net"), MOSTLY_LOWER);
        lower_lex
            .cap_prior
            .insert(hash_lower("profit"), MOSTLY_LOWER);
        let table = ["NET", "PROFIT", "1.5", "MLN", "DLRS", "VS", "THE", "NET"];
        assert_eq!(inert(&table, &lex), [false; 8]);
        // ("1.5" stays live: "MLN" is a capitalised word next to it.)
        assert_eq!(
            inert(&table, &lower_lex),
            [true, false, false, false, false, false, false, true]
        );
        let inert = inert(&sent, &lex);
        let mut scratch = Scratch {
            skip_inert: true,
            ..Scratch::default()
        };
        let (mut out, mut offs) = (Vec::new(), Vec::new());
        let sent = ["Talks", "in", "the", "city", ",", "said", "Kerry", "."];
        sentence_features(&sent, &lex, &doc, &mut scratch, &mut out, &mut offs);
        assert_eq!(scratch.inert, inert);
        assert_eq!(offs[2], offs[5]); // no features for "the city ,"
        assert!(offs[6] < offs[7]);
    }

    #[test]
    fn lower_hash_folds_case() {
        assert_eq!(hash_lower("GENEVA"), hash_lower("Geneva"));
        assert_ne!(hash_lower("Geneva"), hash_lower("Genev"));
    }

    #[test]
    fn all_caps_sentences() {
        assert!(is_all_caps_sentence(&[
            "SOCCER", "-", "JAPAN", "WIN", "1-0"
        ]));
        assert!(!is_all_caps_sentence(&["The", "UN", "said", "."]));
    }

    #[test]
    fn gazetteer_and_doc_features() {
        let mut lex = Lexicon::default();
        let h = phrase_step(
            phrase_step(PHRASE_SEED, hash_lower("New")),
            hash_lower("York"),
        );
        lex.phrases.insert(h, 1 << GAZ_CITY);
        lex.max_phrase_len = 2;
        let sents = vec![
            vec!["Talks", "in", "New", "York", "with", "John", "Kerry"],
            vec!["KERRY", "SPEAKS"],
            vec!["Talks", "went", "on", "in", "talks", "."],
        ];
        let doc = DocContext::build(&sents);
        assert_eq!(doc.flags[&hash_lower("kerry")], DOC_CAP_MID | DOC_SEQ_LAST);
        // "talks" is also written in lower case; the headline's "SPEAKS"
        // is looked up but says nothing; "in" never has a capital.
        assert_eq!(doc.flags[&hash_lower("talks")], DOC_LOWER);
        assert_eq!(doc.flags[&hash_lower("speaks")], 0);
        assert!(!doc.flags.contains_key(&hash_lower("in")));
        let mut scratch = Scratch::default();
        let (mut out, mut offs) = (Vec::new(), Vec::new());
        sentence_features(&sents[0], &lex, &doc, &mut scratch, &mut out, &mut offs);
        assert_eq!(offs.len(), sents[0].len() + 1);
        let g = |i: usize| scratch.info[i].gaz;
        let city = 4 * u32::from(GAZ_CITY);
        assert_eq!(g(2), 1 << city);
        assert_eq!(g(3), 1 << (city + 2));
        assert_eq!(g(1), 0);
        // Features are deterministic and differ between tokens.
        let f2 = out[offs[2]..offs[3]].to_vec();
        let f3 = out[offs[3]..offs[4]].to_vec();
        assert_ne!(f2, f3);
        let (mut out2, mut offs2) = (Vec::new(), Vec::new());
        sentence_features(&sents[0], &lex, &doc, &mut scratch, &mut out2, &mut offs2);
        assert_eq!(out, out2);
        // Second-stage features see how the other "Kerry" was tagged.
        let per_u = crate::conll::tag_id(0, crate::conll::Pos::Unit);
        let tags = vec![vec![0, 0, 0, 0, 0, 0, per_u], vec![per_u, 0]];
        let preds = DocPredictions::build(&sents, &tags);
        assert_eq!(preds.counts[&hash_lower("Kerry")], [0, 2, 0, 0, 0]);
        let mut out3 = Vec::new();
        preds.sentence_features(&sents[1], &tags[1], &mut out3, &mut offs2);
        // Two context features per token, plus majority and share for KERRY.
        assert_eq!(offs2, [0, 4, 6]);
    }
}
