//! English stemming with a cache of the words already stemmed.
//!
//! The same as tantivy's `Stemmer` (the Snowball English algorithm, from
//! the same `frostem` crate), but each tokenizer instance remembers its
//! stems: news text repeats a small vocabulary, and the Snowball rules were
//! about 15 % of indexing time without entities on Reuters. The output is
//! the same token for token, so queries and earlier indexes agree.
//!
//! The cache is a table of fixed 32-byte slots, each holding a word of up
//! to 15 bytes and its stem, so that a lookup touches one cache line.

use std::borrow::Cow;

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Slots of the largest cache; at three quarters full it starts over (4 MiB
/// at most: the long tail of a big archive must not grow it).
const MAX_SLOTS: usize = 1 << 17;
/// Slots of a new cache (a query's tokenizer needs no more).
const MIN_SLOTS: usize = 1 << 8;
/// Longest word the cache holds; longer ones (rare) are stemmed each time.
const MAX_WORD: usize = 15;
/// Where a slot's stem bytes hold the stem's length: right after the
/// longest stem.
const STEM_LEN: usize = MAX_WORD;
/// In a slot's stem length byte: the stem is the word itself.
const SAME: u8 = u8::MAX;

/// Token filter: Snowball English stems, cached.
#[derive(Clone, Copy, Debug, Default)]
pub struct CachedEnglishStemmer;

impl TokenFilter for CachedEnglishStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter {
            inner: tokenizer,
            stems: StemTable::default(),
        }
    }
}

/// The tokenizer [`CachedEnglishStemmer`] makes of another.
#[derive(Clone)]
pub struct CachedStemmerFilter<T> {
    inner: T,
    stems: StemTable,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachedStemmerStream {
            tail: self.inner.token_stream(text),
            stems: &mut self.stems,
            stemmer: frostem::Stemmer::new(frostem::Algorithm::English),
        }
    }
}

/// The token stream of [`CachedStemmerFilter`].
pub struct CachedStemmerStream<'a, T> {
    tail: T,
    stems: &'a mut StemTable,
    stemmer: frostem::Stemmer,
}

impl<T: TokenStream> TokenStream for CachedStemmerStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        let Some(key) = key_of(&token.text) else {
            if let Cow::Owned(stem) = self.stemmer.stem(&token.text) {
                token.text = stem;
            }
            return true;
        };
        let stem = match self.stems.find(key) {
            Ok(stem) => stem,
            Err(empty) => match self.stemmer.stem(&token.text) {
                // Snowball never lengthens a word; were a stem too long for
                // a slot all the same, it would simply not be cached.
                Cow::Owned(stem) if stem.len() > MAX_WORD => {
                    token.text = stem;
                    return true;
                }
                stem => self.stems.insert(empty, key, &token.text, &stem),
            },
        };
        let len = stem[STEM_LEN];
        if len != SAME {
            token.text.clear();
            token.text.push_str(
                std::str::from_utf8(&stem[..usize::from(len)]).expect("a stem is stored whole"),
            );
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// A word as the cache keys it: its bytes, zero-padded, and its length in
/// the last byte. `None` for a word too long to cache.
///
/// Built from two overlapping loads instead of a copy: the copy's
/// `memmove` call was 2.6 % of the CPU profile.
fn key_of(word: &str) -> Option<u128> {
    let b = word.as_bytes();
    let n = b.len();
    let load8 = |at: usize| u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"));
    let load4 = |at: usize| u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"));
    let (lo, hi) = match n {
        0 => return None,
        1..=3 => {
            let byte = |i: usize| u64::from(b[i]) << (8 * i);
            (byte(0) | byte(n / 2) | byte(n - 1), 0)
        }
        4..=7 => {
            let tail = u64::from(load4(n - 4)) << (8 * (n - 4));
            (u64::from(load4(0)) | tail, 0)
        }
        8..=MAX_WORD => {
            // The last eight bytes, shifted down to leave bytes 8.. of the word.
            let tail = load8(n - 8).checked_shr(8 * (16 - n) as u32).unwrap_or(0);
            (load8(0), tail)
        }
        _ => return None,
    };
    Some(u128::from(lo) | u128::from(hi | (n as u64) << 56) << 64)
}

/// One cache line holds two slots: word and stem side by side, so a lookup
/// reads one place in memory. (A `HashMap<String, _>` read the table, the
/// key's own allocation and the stem's: on the 200k pages its lookups and
/// their `memcmp` were a fifth of the CPU profile without entities.)
#[derive(Clone, Copy, Default)]
#[repr(C, align(32))]
struct Slot {
    /// [`key_of`] the word; 0 in an empty slot.
    key: u128,
    /// The stem's bytes, then its length in the last byte, or [`SAME`].
    stem: [u8; 16],
}

impl Slot {
    fn is_empty(&self) -> bool {
        self.key == 0
    }
}

/// Word → stem, open addressing with linear probing.
#[derive(Clone, Default)]
struct StemTable {
    slots: Vec<Slot>,
    used: usize,
}

impl StemTable {
    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    fn home(&self, key: u128) -> usize {
        let folded = (key as u64) ^ ((key >> 64) as u64).rotate_left(29);
        (folded.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) as usize & self.mask()
    }

    /// The stem bytes stored for `key`, or the empty slot where it belongs.
    fn find(&mut self, key: u128) -> Result<&[u8; 16], usize> {
        if self.slots.is_empty() {
            self.slots = vec![Slot::default(); MIN_SLOTS];
        }
        let mut at = self.home(key);
        loop {
            let slot = &self.slots[at];
            if slot.key == key {
                return Ok(&self.slots[at].stem);
            }
            if slot.is_empty() {
                return Err(at);
            }
            at = (at + 1) & self.mask();
        }
    }

    /// The first empty slot from `key`'s home on.
    fn empty_slot(&self, key: u128) -> usize {
        let mut at = self.home(key);
        while !self.slots[at].is_empty() {
            at = (at + 1) & self.mask();
        }
        at
    }

    /// Stores `stem` (at most [`MAX_WORD`] bytes) of `word` in the empty
    /// slot `at` (from [`Self::find`]), growing or emptying the table first
    /// when it is three quarters full.
    fn insert(&mut self, mut at: usize, key: u128, word: &str, stem: &str) -> &[u8; 16] {
        if (self.used + 1) * 4 > self.slots.len() * 3 {
            self.used = 0;
            let size = self.slots.len();
            if size < MAX_SLOTS {
                let old = std::mem::replace(&mut self.slots, vec![Slot::default(); size * 2]);
                for slot in old.into_iter().filter(|s| !s.is_empty()) {
                    let to = self.empty_slot(slot.key);
                    self.slots[to] = slot;
                    self.used += 1;
                }
            } else {
                // At full size the table starts over, in place.
                self.slots.fill(Slot::default());
            }
            at = self.empty_slot(key);
        }
        let slot = &mut self.slots[at];
        slot.key = key;
        if stem == word {
            slot.stem[STEM_LEN] = SAME;
        } else {
            slot.stem[..stem.len()].copy_from_slice(stem.as_bytes());
            slot.stem[STEM_LEN] = stem.len() as u8;
        }
        self.used += 1;
        &self.slots[at].stem
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::tokenizer::{Language, LowerCaser, SimpleTokenizer, Stemmer, TextAnalyzer};

    fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        stream.process(&mut |t| out.push(t.text.clone()));
        out
    }

    /// The cached stemmer and tantivy's, each after the same tokenizer.
    fn analyzers() -> (TextAnalyzer, TextAnalyzer) {
        let cached = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(CachedEnglishStemmer)
            .build();
        let plain = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(Stemmer::new(Language::English))
            .build();
        (cached, plain)
    }

    /// Token for token what tantivy's stemmer gives, on real text and
    /// with every word seen twice (the second time from the cache).
    #[test]
    fn stems_as_tantivy_does() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../corpus/000_a246f93a30b869c3.txt"
        ))
        .unwrap();
        let (mut cached, mut plain) = analyzers();
        let want = tokens(&mut plain, &text);
        assert!(want.len() > 20);
        assert_eq!(tokens(&mut cached, &text), want);
        assert_eq!(tokens(&mut cached, &text), want);
    }

    /// Same stems past the table's growth and its starting over: 130,000
    /// distinct words (more than the largest table keeps), of every length
    /// from 1 to 20 bytes (past the longest cached word), with English
    /// endings and non-ASCII letters, each seen twice; then the Reuters pages
    /// when `../shared` is beside the checkout.
    #[test]
    fn stems_as_tantivy_does_through_growth_and_eviction() {
        let endings = [
            "", "s", "ing", "ed", "ies", "ational", "ly", "ness", "é", "ß",
        ];
        let mut words = Vec::new();
        for i in 0..130_000usize {
            let stem: String = format!("{i:x}")
                .chars()
                .map(|c| {
                    if c.is_ascii_digit() {
                        (b'g' + c as u8 - b'0') as char
                    } else {
                        c
                    }
                })
                .collect();
            let len = 1 + i % 20;
            let mut word: String = stem.chars().cycle().take(len).collect();
            word.push_str(endings[i % endings.len()]);
            words.push(word);
        }
        let mut text = words.join(" ");
        text.push(' ');
        text.push_str(&words.join(" "));
        let reuters = std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/corpora/reuters21578/articles"
        ));
        for n in 1..=2_000 {
            if let Ok(page) = std::fs::read_to_string(reuters.join(format!("{n}.txt"))) {
                text.push(' ');
                text.push_str(&page);
            }
        }
        let (mut cached, mut plain) = analyzers();
        let want = tokens(&mut plain, &text);
        assert!(want.len() >= 260_000);
        let got = tokens(&mut cached, &text);
        assert_eq!(got.len(), want.len());
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert_eq!(g, w, "token {i}");
        }
    }

    /// Distinct words get distinct keys, whatever their length.
    #[test]
    fn keys_tell_words_apart() {
        let words = [
            "a",
            "aa",
            "aaa",
            "ab",
            "ba",
            "abc",
            "acb",
            "aaaa",
            "aaaaaaa",
            "aaaaaaaa",
            "aaaaaaaaa",
            "abcdefgh",
            "abcdefghi",
            "bcdefghi",
            "abcdefghij",
            "aaaaaaaaaaaaaaa",
            "straße",
        ];
        let keys: Vec<u128> = words.iter().map(|w| key_of(w).unwrap()).collect();
        for (i, a) in keys.iter().enumerate() {
            for (j, b) in keys.iter().enumerate() {
                assert_eq!(a == b, i == j, "{} {}", words[i], words[j]);
            }
        }
        assert_eq!(key_of(""), None);
        assert_eq!(key_of("aaaaaaaaaaaaaaaa"), None);
        // The key is the word's bytes, zero-padded, with its length last,
        // at every length a key holds.
        let word = "abcdefghijklmno";
        for n in 1..=MAX_WORD {
            let mut padded = [0u8; 16];
            padded[..n].copy_from_slice(&word.as_bytes()[..n]);
            padded[15] = n as u8;
            assert_eq!(key_of(&word[..n]), Some(u128::from_le_bytes(padded)), "{n}");
        }
    }
}
