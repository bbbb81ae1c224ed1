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

/// Per-document summary: for each lower-cased word, how it is written in
/// the running-text (not all-caps) sentences of the document, this
/// occurrence included (bit set of `DOC_*`). Tells a headline's `KERRY` or
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
    pub(crate) fn rebuild<S: AsRef<str>>(&mut self, sentences: &[Vec<S>], doc_casings: &[u8]) {
        let flags = &mut self.flags;
        flags.clear();
        flags.reserve(doc_casings.len().min(4096));
        let mut cap = Vec::new();
        let mut start = 0;
        for sent in sentences {
            let casings = &doc_casings[start..start + sent.len()];
            start += sent.len();
            if all_caps_from_casings(casings.iter().copied()) {
                continue;
            }
            let n = sent.len();
            cap.clear();
            cap.extend(sent.iter().map(|t| starts_upper(t.as_ref())));
            for (i, t) in sent.iter().enumerate() {
                let t = t.as_ref();
                let mut f = 0u8;
                if casings[i] == Casing::Lower as u8 {
                    f |= DOC_LOWER;
                } else if cap[i] {
                    let prev = i > 0 && cap[i - 1];
                    let next = i + 1 < n && cap[i + 1];
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
                if f != 0 {
                    *flags.entry(hash_lower(t)).or_default() |= f;
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
    /// What the features of its neighbours use: lower-cased form, shapes,
    /// casing.
    Neighbour,
    /// Lower-cased form and casing (gazetteer phrases).
    Lower,
}

/// What the features of a token and of its neighbours need (see [`Need`]).
/// `c` is the word's casing class.
/// [`Need::Lower`] asks for the lower-cased form and casing only (a token no
/// feature looks at, but a gazetteer phrase may run through). With
/// [`Need::Full`], a word for which `known` holds (the tagger has the summed
/// weights of its word-only features) gets no affixes: only its word-only
/// features use them.
fn tok_info(
    word: &str,
    c: u8,
    lex: &Lexicon,
    doc: &DocContext,
    need: Need,
    known: &impl Fn(u64) -> bool,
) -> TokInfo {
    let word = &*ascii_punctuation(word);
    match need {
        Need::Lower => {
            return TokInfo {
                lower: hash_lower(word),
                casing: c,
                ..TokInfo::default()
            }
        }
        Need::Neighbour => {
            return TokInfo {
                lower: hash_lower(word),
                shape4: shape_hash(word, 4, 3),
                shape1: shape_hash(word, 1, 4),
                casing: c,
                ..TokInfo::default()
            }
        }
        Need::Full => {}
    }
    let word_hash = hash_bytes(2, word.as_bytes());
    let lower = hash_lower(word);
    let mut info = TokInfo {
        word: word_hash,
        lower,
        shape4: shape_hash(word, 4, 3),
        shape1: shape_hash(word, 1, 4),
        casing: c,
        cap_prior: lex.cap_prior.get(&lower).copied().unwrap_or(0),
        doc: doc.flags.get(&lower).copied().unwrap_or(0),
        known: known(word_hash),
        ..TokInfo::default()
    };
    if info.known {
        return info;
    }
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
fn mark_gazetteers<S: AsRef<str>>(tokens: &[S], info: &mut [TokInfo], lex: &Lexicon) {
    let n = tokens.len();
    for i in 0..n {
        if !starts_upper(tokens[i].as_ref()) {
            continue;
        }
        let mut h = PHRASE_SEED;
        for j in i..n.min(i + lex.max_phrase_len) {
            h = phrase_step(h, info[j].lower);
            // A phrase ends on a capitalised word (checked first: cheaper
            // than the lookup).
            if j > i && !starts_upper(tokens[j].as_ref()) {
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
    /// features (see [`is_inert`]).
    pub(crate) inert: Vec<bool>,
    /// Per token of the last sentence (filled when `skip_inert` is set):
    /// the hash of the word and its number of affix features. The features
    /// that depend on the word alone are the first five and, after the
    /// casing feature, the affixes (see [`word_only_features`]).
    pub(crate) words: Vec<(u64, u8)>,
}

/// [`Scratch::words`] affix count of a token whose word-only features
/// were left out (see [`sentence_features_with_casings`]).
pub(crate) const WORD_KNOWN: u8 = u8::MAX;

/// The features of one token (`feats`, as [`sentence_features`] lays them
/// out) that depend only on the word itself, given its affix count: the
/// bias, word, lower-case and shape features, then the affixes. The others
/// (casing in context, neighbours, gazetteers, priors, document) follow.
/// Returns (word-only groups, context groups); with [`WORD_KNOWN`] every
/// feature is a context feature.
#[inline]
pub(crate) fn word_only_features(feats: &[u64], affixes: u8) -> ([&[u64]; 2], [&[u64]; 2]) {
    if affixes == WORD_KNOWN {
        return ([&[], &[]], [feats, &[]]);
    }
    let end = 6 + usize::from(affixes);
    ([&feats[..5], &feats[6..end]], [&feats[5..6], &feats[end..]])
}

/// A lower-case word or punctuation whose neighbours are lower case or
/// punctuation too: it is practically never part of a name, so the tagger
/// gives it the tag O without extracting or scoring its features.
fn is_inert(casings: &[u8], i: usize) -> bool {
    const LOWER: u8 = Casing::Lower as u8;
    const OTHER: u8 = Casing::Other as u8;
    let quiet = |k: Option<&u8>| k.is_none_or(|&c| c == LOWER || c == OTHER);
    quiet(casings.get(i))
        && quiet(i.checked_sub(1).and_then(|k| casings.get(k)))
        && quiet(casings.get(i + 1))
}

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

/// [`sentence_features`] given the tokens' casing classes. `known(word)`
/// tells that the caller has the summed weights of the word-only features
/// of the word with hash `word` (see [`word_only_features`]); a token of
/// such a word gets only its context features, and its entry of
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
    // Casing does not change when typographic punctuation is replaced.
    let inert = &mut scratch.inert;
    inert.clear();
    if scratch.skip_inert {
        inert.extend((0..n).map(|i| is_inert(casings, i)));
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
    // A token's neighbours within two look at its shapes: an inert token
    // with no feature-bearing token that close needs none.
    let need = |i: usize| {
        if !inert[i] {
            Need::Full
        } else if inert[i.saturating_sub(2)..n.min(i + 3)].iter().all(|&x| x) {
            Need::Lower
        } else {
            Need::Neighbour
        }
    };
    info.extend(
        tokens
            .iter()
            .zip(casings)
            .enumerate()
            .map(|(i, (t, &c))| tok_info(t.as_ref(), c, lex, doc, need(i), &known)),
    );
    mark_gazetteers(tokens, info, lex);
    scratch.words.clear();
    if scratch.skip_inert {
        scratch.words.extend(info.iter().map(|t| {
            if t.known {
                return (t.word, WORD_KNOWN);
            }
            let affixes = t.prefix.iter().chain(&t.suffix).filter(|&&h| h != 0);
            (t.word, affixes.count() as u8)
        }));
    }
    // As `is_all_caps_sentence(tokens)`: replacing typographic punctuation
    // does not change a token's casing class.
    let all_caps = all_caps_from_casings(info.iter().map(|t| t.casing));
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
    let gaz_types = |k: isize| -> u32 {
        if k < 0 || k as usize >= n {
            return 0;
        }
        let g = info[k as usize].gaz;
        (0..4).fold(0, |acc, t| {
            acc | (u32::from((g >> (4 * t)) & 0xf != 0) << t)
        })
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
        // Context kind: sentence-initial, headline in capitals, or running text.
        let kind: u64 = if all_caps {
            2
        } else if i == 0 {
            1
        } else {
            0
        };
        if !t.known {
            out.push(feat(1, 0));
            out.push(feat(2, t.word));
            out.push(feat(3, t.lower));
            out.push(feat(4, t.shape4));
            out.push(feat(5, t.shape1));
        }
        out.push(feat2(6, u64::from(t.casing), kind));
        if !t.known {
            for k in 0..4 {
                if t.prefix[k] != 0 {
                    out.push(feat(7 + k as u64, t.prefix[k]));
                }
                if t.suffix[k] != 0 {
                    out.push(feat(11 + k as u64, t.suffix[k]));
                }
            }
        }
        // Neighbours.
        out.push(feat(15, lower(p - 1)));
        out.push(feat(16, lower(p + 1)));
        out.push(feat(17, lower(p - 2)));
        out.push(feat(18, lower(p + 2)));
        out.push(feat(19, shape(p - 1, true)));
        out.push(feat(20, shape(p + 1, true)));
        out.push(feat(21, shape(p - 2, false)));
        out.push(feat(22, shape(p + 2, false)));
        out.push(feat2(23, lower(p - 1), t.lower));
        out.push(feat2(24, t.lower, lower(p + 1)));
        out.push(feat3(
            25,
            shape(p - 1, false),
            t.shape1,
            shape(p + 1, false),
        ));
        out.push(feat3(26, case(p - 1), case(p), case(p + 1)));
        out.push(feat2(27, kind, t.lower));
        out.push(feat2(28, lower(p - 1), t.shape1));
        out.push(feat2(29, t.shape1, lower(p + 1)));
        // Gazetteers.
        for bit in 0..16u64 {
            if t.gaz & (1 << bit) != 0 {
                out.push(feat2(31, bit, kind));
            }
        }
        let prev_g = gaz_types(p - 1);
        let next_g = gaz_types(p + 1);
        if prev_g != 0 {
            out.push(feat(32, u64::from(prev_g)));
        }
        if next_g != 0 {
            out.push(feat(33, u64::from(next_g)));
        }
        // Capitalisation prior from the training text.
        out.push(feat3(34, u64::from(t.cap_prior), u64::from(t.casing), kind));
        // Document context.
        if t.casing != Casing::Lower as u8 && t.doc != 0 {
            out.push(feat3(36, u64::from(t.doc), kind, u64::from(t.casing)));
            for bit in 0..6u64 {
                if t.doc & (1 << bit) != 0 {
                    out.push(feat2(35, bit, kind));
                }
            }
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
        let s = c(&["Talks", "in", "the", "city", ",", "said", "Kerry", "."]);
        let inert: Vec<bool> = (0..s.len()).map(|i| is_inert(&s, i)).collect();
        assert_eq!(inert, [false, false, true, true, true, false, false, false]);
        let (lex, doc) = (Lexicon::default(), DocContext::default());
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
        ];
        let doc = DocContext::build(&sents);
        assert_eq!(doc.flags[&hash_lower("kerry")], DOC_CAP_MID | DOC_SEQ_LAST);
        assert_eq!(doc.flags[&hash_lower("in")], DOC_LOWER);
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
