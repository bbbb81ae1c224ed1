//! The trained model: feature weights per tag, tag-transition weights and
//! the [`Lexicon`], with Viterbi decoding and a compact binary format.
//!
//! A model has one or two stages. Stage one tags from the text alone;
//! stage two also sees stage one's tags of the whole document (see
//! `features::DocPredictions`). Both stages share one feature table: a row
//! holds the weights of every stage, so the features common to both stages
//! are looked up once. The shipped model has one stage (see
//! `model/README.md`).
//!
//! In memory, weights stay quantised (`i16`, summed in `i32`, scaled once
//! per token and tag) and each feature's stage-one weights share a cache
//! line with its hash (see `RowTable`), so scoring a token costs about one
//! cache line per feature present and usually none for a missing one.
//! Decoding visits only the legal BILOU transitions.
//!
//! Binary format (little-endian):
//! `b"BYLNER02"`, `u32` tag count, `u32` longest gazetteer phrase,
//! `u32` n + n × (`u64` phrase hash, `u8` categories),
//! `u32` n + n × (`u64` word hash, `u8` capitalisation bucket),
//! `u32` stages S, S × `(NT + 1) × NT` `f32` transitions (row 0 is the
//! sentence start), `f32` weight scale, `u32` n + n × `u64` feature hashes,
//! n × S × NT `i16` quantised weights.

use crate::conll::{allowed, allowed_last, NT};
use crate::features::{finish, word_only_features, Lexicon, WORD_KNOWN};
use crate::NerError;

const MAGIC: &[u8; 8] = b"BYLNER02";

/// The lexicon, feature weights and transitions of a trained tagger.
pub(crate) struct Model {
    pub(crate) lex: Lexicon,
    stages: usize,
    /// Feature hash -> stage-one weights (and row number).
    rows: RowTable,
    /// `rows × NT` quantised stage-two weights (empty with one stage).
    weights2: Vec<i16>,
    /// Weight of one quantisation step.
    scale: f32,
    /// Per stage, `(NT + 1) × NT` transitions with disallowed moves at -inf.
    trans: Vec<Vec<f32>>,
}

/// One feature of a [`RowTable`]: its (spread) hash, row number and
/// quantised stage-one weights, in one cache line.
#[derive(Clone, Copy, Default)]
#[repr(C, align(64))]
struct Entry {
    /// `spread(feature hash)`; 0 marks an empty entry.
    key: u64,
    row: u32,
    w: [i16; NT],
}

/// Feature hash -> [`Entry`]: the entries are stored densely (entry 0 is
/// an empty sentinel) behind an open-addressing table of `u32` entry
/// numbers (linear probing, load factor at most 1/2; 0 marks an empty
/// slot) and a presence filter. A lookup of a present feature reads the
/// filter and the slot (both small enough to stay in cache) and one cache
/// line of weights. Nothing is ever removed, so a probe that meets an
/// empty slot can stop.
struct RowTable {
    entries: Vec<Entry>,
    slots: Vec<u32>,
    /// One bit per [`filter_bit`] value of the keys present (a one-hash
    /// Bloom filter): a lookup of a missing feature usually stops here.
    filter: Vec<u64>,
    /// `64 - log2(slots.len())`: the first slot is the key's top bits.
    shift: u32,
}

/// A bijection that moves differences in the low bits of a key into its
/// upper bits (feature hashes are already mixed; this guards small keys).
#[inline]
fn spread(key: u64) -> u64 {
    key.wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// Bit of a [`RowTable`] filter of `words` 64-bit words for a spread key
/// (bits below the ones that pick the slot).
#[inline(always)]
fn filter_bit(key: u64, words: usize) -> usize {
    (key >> 8) as usize & (words * 64 - 1)
}

/// [`RowTable::probe`] result: the key is absent.
const ABSENT: u32 = u32::MAX;
/// [`RowTable::probe`] result: another key holds the first slot.
const COLLISION: u32 = u32::MAX - 1;

impl RowTable {
    /// `weights` holds `keys.len() × NT` stage-one weights.
    fn new(keys: &[u64], weights: &[i16]) -> Result<RowTable, NerError> {
        let cap = (keys.len() * 2).next_power_of_two().max(16);
        if keys.len() as u64 + 1 >= u64::from(COLLISION) {
            return Err(NerError::InvalidModel("too many features".into()));
        }
        let shift = 64 - cap.trailing_zeros();
        let mut entries = Vec::with_capacity(keys.len() + 1);
        entries.push(Entry::default());
        let mut slots = vec![0u32; cap];
        let mut filter = vec![0u64; (keys.len() * 16).next_power_of_two().max(64) / 64];
        for (row, (&key, w)) in keys.iter().zip(weights.chunks_exact(NT)).enumerate() {
            let key = spread(key);
            if key == 0 {
                return Err(NerError::InvalidModel("zero feature hash".into()));
            }
            let bit = filter_bit(key, filter.len());
            filter[bit / 64] |= 1 << (bit % 64);
            let mut i = (key >> shift) as usize;
            loop {
                let e = slots[i] as usize;
                if e == 0 {
                    slots[i] = entries.len() as u32;
                    let mut entry = Entry {
                        key,
                        row: row as u32,
                        ..Entry::default()
                    };
                    entry.w.copy_from_slice(w);
                    entries.push(entry);
                    break;
                }
                if entries[e].key == key {
                    return Err(NerError::InvalidModel("duplicate feature hash".into()));
                }
                i = (i + 1) & (cap - 1);
            }
        }
        Ok(RowTable {
            entries,
            slots,
            filter,
            shift,
        })
    }

    /// Number of the entry of `key` (already spread), probing past
    /// occupied slots; [`ABSENT`] if there is none.
    fn find(&self, key: u64) -> u32 {
        let mask = self.slots.len() - 1;
        let mut i = (key >> self.shift) as usize;
        loop {
            let e = self.slots[i];
            if e == 0 {
                return ABSENT;
            }
            if self.entries[e as usize].key == key {
                return e;
            }
            i = (i + 1) & mask;
        }
    }

    /// First-slot lookup of a spread key without branches: the entry
    /// number on a match, [`ABSENT`] if the key is absent, else
    /// [`COLLISION`] (another key holds the slot; probe on).
    #[inline(always)]
    fn probe(&self, key: u64) -> u32 {
        let bit = filter_bit(key, self.filter.len());
        let maybe = (self.filter[bit / 64] >> (bit % 64)) & 1;
        // A filtered-out key reads slot 0 instead (always cached); it
        // cannot match there, since the key is absent.
        let i = (key >> self.shift) as usize & 0usize.wrapping_sub(maybe as usize);
        let e = self.slots[i];
        let k = self.entries[e as usize].key;
        let hit = 0u32.wrapping_sub(u32::from(k == key && e != 0));
        let other = ABSENT - u32::from(e != 0 && maybe != 0);
        (e & hit) | (other & !hit)
    }

    /// The entry of a feature hash.
    #[inline]
    fn get(&self, key: u64) -> Option<&Entry> {
        let key = spread(key);
        let e = match self.probe(key) {
            COLLISION => self.find(key),
            e => e,
        };
        self.entries.get(e as usize)
    }

    /// Looks up many keys: `out[i]` is the entry number of `keys[i]` or
    /// [`ABSENT`]. The first slot of every key is read in a branch-free
    /// pass so that the cache misses overlap; collisions are resolved after.
    fn get_many(&self, keys: &[u64], out: &mut Vec<u32>) {
        out.clear();
        out.extend(keys.iter().map(|&k| self.probe(spread(k))));
        for (o, &k) in out.iter_mut().zip(keys) {
            if *o == COLLISION {
                *o = self.find(spread(k));
            }
        }
    }

    /// [`RowTable::get_many`] in two waves: first the slots of every key,
    /// then the entries they name, so that the cache misses of many keys
    /// (a whole sentence) are in flight together instead of one dependent
    /// slot-then-entry chain per key.
    fn get_many_batched(&self, keys: &[u64], out: &mut Vec<u32>) {
        out.clear();
        out.extend(keys.iter().map(|&k| {
            let key = spread(k);
            let bit = filter_bit(key, self.filter.len());
            let maybe = (self.filter[bit / 64] >> (bit % 64)) & 1;
            // A filtered-out key reads slot 0 (always cached), which is
            // empty or holds another key.
            let i = (key >> self.shift) as usize & 0usize.wrapping_sub(maybe as usize);
            self.slots[i] & 0u32.wrapping_sub(maybe as u32)
        }));
        for (o, &k) in out.iter_mut().zip(keys) {
            let key = spread(k);
            *o = match *o {
                0 => ABSENT,
                e if self.entries[e as usize].key == key => e,
                _ => self.find(key),
            };
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.len() - 1
    }
}

/// Number of slots of a [`WordCache`] (a power of two).
const WORD_CACHE_SLOTS: usize = 4096;

/// Summed stage-one weights of one word's word-only features.
#[derive(Clone, Copy, Default)]
struct CachedWord {
    /// Word hash; 0 marks an empty slot.
    key: u64,
    acc: [i32; NT],
}

/// A direct-mapped cache of [`CachedWord`]s for one model, kept across
/// sentences and documents (see [`Model::emissions_cached`]).
#[derive(Default)]
pub(crate) struct WordCache {
    slots: Vec<CachedWord>,
    /// Scratch: the keys of a sentence still to look up.
    keys: Vec<u64>,
    /// Scratch: per token of a sentence, its cached sums if there were any.
    known: Vec<Option<[i32; NT]>>,
}

impl WordCache {
    /// Slot of a word hash.
    #[inline]
    fn slot(word: u64) -> usize {
        finish(word) as usize & (WORD_CACHE_SLOTS - 1)
    }

    /// Whether the summed word-only weights under the word key `word`
    /// are cached.
    #[inline]
    pub(crate) fn contains(&self, word: u64) -> bool {
        word != 0
            && self
                .slots
                .get(WordCache::slot(word))
                .is_some_and(|s| s.key == word)
    }
}

/// Dense weights of one stage, as training produces them.
pub(crate) struct DenseStage<'a> {
    /// `rows × NT` weights; row `r` belongs to feature hash `keys[r]`, and
    /// missing trailing rows are zero.
    pub(crate) weights: &'a [f32],
    /// `(NT + 1) × NT` transitions.
    pub(crate) trans: &'a [f32],
}

/// Sets disallowed transitions of a `(NT + 1) × NT` matrix to -inf.
pub(crate) fn mask_transitions(trans: &mut [f32]) {
    for prev in 0..=NT {
        let p = (prev > 0).then(|| (prev - 1) as u8);
        for cur in 0..NT {
            if !allowed(p, cur as u8) {
                trans[prev * NT + cur] = f32::NEG_INFINITY;
            }
        }
    }
}

/// Reusable buffers for decoding.
#[derive(Default)]
pub(crate) struct DecodeScratch {
    delta: Vec<f32>,
}

/// Tags that may precede each tag, in increasing order: `I-k` and `L-k`
/// only follow `B-k` or `I-k`; `O`, `B-*` and `U-*` only follow `O`, `L-*`
/// or `U-*` (see [`crate::conll::allowed`]).
const OPEN_PREDS: [u8; 9] = [0, 3, 4, 7, 8, 11, 12, 15, 16];

#[inline]
fn preds_of(cur: usize) -> &'static [u8] {
    static CONT: [[u8; 2]; 4] = [[1, 2], [5, 6], [9, 10], [13, 14]];
    if cur == 0 {
        return &OPEN_PREDS;
    }
    let k = (cur - 1) / 4;
    match (cur - 1) % 4 {
        1 | 2 => &CONT[k],
        _ => &OPEN_PREDS,
    }
}

#[inline(always)]
fn fmax(a: f32, b: f32) -> f32 {
    if a > b {
        a
    } else {
        b
    }
}

/// Best tag sequence for `n` tokens given `n × NT` emission scores and a
/// masked `(NT + 1) × NT` transition matrix. Token `i` is forced to O when
/// `inert[i]` is set (`inert` may be shorter than the sentence): only its
/// O score is computed, with its emission of O (every other tag scores
/// -inf), so a run of inert tokens costs a few additions per token.
///
/// Only the legal predecessors of each tag are considered (the matrix has
/// -inf everywhere else), and the forward pass keeps only the best scores
/// (branch-free maxima); the backtrace recomputes the argmax for the one
/// tag it follows, with the same tie-breaking (lowest tag id).
pub(crate) fn viterbi(
    emissions: &[f32],
    trans: &[f32],
    inert: &[bool],
    scratch: &mut DecodeScratch,
    out: &mut Vec<u8>,
) {
    const _: () = assert!(NT == 17);
    let n = emissions.len() / NT;
    out.clear();
    if n == 0 {
        return;
    }
    // Transition scores of the legal moves, gathered once per sentence:
    // `t_open[j][c]` from `OPEN_PREDS[j]` to tag `c` (used for c in O, B-*,
    // U-*; a row is padded so that the maxima over all tags vectorise),
    // `t_cont[k]` from B-k / I-k to I-k and L-k.
    let tr = |p: u8, c: usize| trans[(usize::from(p) + 1) * NT + c];
    let mut t_open = [[0f32; 20]; 9];
    for (row, &p) in t_open.iter_mut().zip(&OPEN_PREDS) {
        for (c, t) in row[..NT].iter_mut().enumerate() {
            *t = tr(p, c);
        }
    }
    let mut t_cont = [[0f32; 4]; 4];
    for (k, row) in t_cont.iter_mut().enumerate() {
        let (b, i, l) = (1 + 4 * k, 2 + 4 * k, 3 + 4 * k);
        *row = [
            tr(b as u8, i),
            tr(i as u8, i),
            tr(b as u8, l),
            tr(i as u8, l),
        ];
    }
    let delta = &mut scratch.delta;
    delta.clear();
    delta.resize(n * NT, 0.0);
    for c in 0..NT {
        delta[c] = emissions[c] + trans[c];
    }
    if inert.first() == Some(&true) {
        delta[1..NT].fill(f32::NEG_INFINITY);
    }
    for i in 1..n {
        let (done, rest) = delta.split_at_mut(i * NT);
        let mut prev = [0f32; NT];
        prev.copy_from_slice(&done[(i - 1) * NT..]);
        let cur = &mut rest[..NT];
        let em = &emissions[i * NT..(i + 1) * NT];
        let mut pv = [0f32; 9];
        for (v, &p) in pv.iter_mut().zip(&OPEN_PREDS) {
            *v = prev[usize::from(p)];
        }
        if inert.get(i) == Some(&true) {
            // After another inert token only O is reachable: one addition.
            let best = if inert[i - 1] {
                pv[0] + t_open[0][0]
            } else {
                let mut best = pv[0] + t_open[0][0];
                for j in 1..9 {
                    best = fmax(best, pv[j] + t_open[j][0]);
                }
                best
            };
            cur[0] = best + em[0];
            cur[1..].fill(f32::NEG_INFINITY);
            continue;
        }
        // Best legal predecessor score of every tag entered from O, L-* or
        // U-* (the same maxima as tag by tag, computed lane-wise).
        let mut open = [0f32; 20];
        for (o, &t) in open.iter_mut().zip(&t_open[0]) {
            *o = pv[0] + t;
        }
        for (row, &p) in t_open[1..].iter().zip(&pv[1..]) {
            for (o, &t) in open.iter_mut().zip(row) {
                *o = fmax(*o, p + t);
            }
        }
        cur[0] = open[0] + em[0];
        for (k, t) in t_cont.iter().enumerate() {
            let (b, i_, l, u) = (1 + 4 * k, 2 + 4 * k, 3 + 4 * k, 4 + 4 * k);
            cur[b] = open[b] + em[b];
            cur[u] = open[u] + em[u];
            cur[i_] = fmax(prev[b] + t[0], prev[i_] + t[1]) + em[i_];
            cur[l] = fmax(prev[b] + t[2], prev[i_] + t[3]) + em[l];
        }
    }
    let last = &delta[(n - 1) * NT..];
    let mut tag = 0u8;
    for c in 1..NT {
        if allowed_last(c as u8) && last[c] > last[usize::from(tag)] {
            tag = c as u8;
        }
    }
    out.resize(n, 0);
    for i in (1..n).rev() {
        out[i] = tag;
        if inert.get(i - 1) == Some(&true) {
            // Only O was reachable there.
            tag = 0;
            continue;
        }
        let prev = &delta[(i - 1) * NT..i * NT];
        let c = usize::from(tag);
        let mut best = f32::NEG_INFINITY;
        for &p in preds_of(c) {
            let s = prev[usize::from(p)] + tr(p, c);
            if s > best {
                best = s;
                tag = p;
            }
        }
    }
    out[0] = tag;
}

impl Model {
    /// Number of stages (1 or 2).
    pub(crate) fn stages(&self) -> usize {
        self.stages
    }

    /// The transition matrix of a stage, disallowed moves masked.
    pub(crate) fn transitions(&self, stage: usize) -> &[f32] {
        &self.trans[stage]
    }

    /// Number of feature rows.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    /// Sums the weights of each token's features into `n × NT` scores for
    /// every stage: `out[s]` gets stage `s`'s scores. `rows` is scratch.
    pub(crate) fn emissions(
        &self,
        feats: &[u64],
        offsets: &[usize],
        rows: &mut Vec<u32>,
        out: &mut [Vec<f32>],
    ) {
        let n = offsets.len().saturating_sub(1);
        for o in out.iter_mut() {
            o.clear();
            o.resize(n * NT, 0.0);
        }
        for i in 0..n {
            // Resolve the token's features first: the lookups are
            // independent, so their cache misses overlap.
            self.rows.get_many(&feats[offsets[i]..offsets[i + 1]], rows);
            let mut acc = [0i32; NT];
            let mut acc2 = [0i32; NT];
            for &e in rows.iter() {
                let Some(e) = self.rows.entries.get(e as usize) else {
                    continue;
                };
                for (a, &b) in acc.iter_mut().zip(&e.w) {
                    *a += i32::from(b);
                }
                if self.stages > 1 {
                    let start = e.row as usize * NT;
                    for (a, &b) in acc2.iter_mut().zip(&self.weights2[start..start + NT]) {
                        *a += i32::from(b);
                    }
                }
            }
            for (o, acc) in out.iter_mut().zip([&acc, &acc2]).take(self.stages) {
                for (d, &a) in o[i * NT..(i + 1) * NT].iter_mut().zip(acc) {
                    *d = a as f32 * self.scale;
                }
            }
        }
    }

    /// Stage-one [`Model::emissions`] (one-stage models only) that reuses
    /// the summed weights of the features depending on the word alone
    /// (see [`word_only_features`]) across the tokens of the same word, and
    /// looks up the other features of the whole sentence together (see
    /// [`RowTable::get_many_batched`]). `words[i]` is token `i`'s word hash
    /// and affix count. The sums are exact (integers), so the scores are
    /// the same as [`Model::emissions`]'.
    pub(crate) fn emissions_cached(
        &self,
        feats: &[u64],
        offsets: &[usize],
        words: &[(u64, u8)],
        cache: &mut WordCache,
        rows: &mut Vec<u32>,
        out: &mut Vec<f32>,
    ) {
        debug_assert_eq!(self.stages, 1);
        let n = offsets.len().saturating_sub(1);
        out.clear();
        out.resize(n * NT, 0.0);
        if cache.slots.is_empty() {
            cache.slots = vec![CachedWord::default(); WORD_CACHE_SLOTS];
        }
        // Pass 1: the cached sums, and the keys still to look up (the
        // word-only features of a word not cached, then the others).
        let keys = &mut cache.keys;
        let known = &mut cache.known;
        keys.clear();
        known.clear();
        for i in 0..n {
            let f = &feats[offsets[i]..offsets[i + 1]];
            if f.is_empty() {
                known.push(None); // inert: all zeros, as without the cache
                continue;
            }
            let (word, affixes) = words[i];
            let (own, context) = word_only_features(f, affixes);
            let slot = &cache.slots[WordCache::slot(word)];
            if slot.key == word && word != 0 {
                known.push(Some(slot.acc));
            } else {
                debug_assert_ne!(affixes, WORD_KNOWN, "word-only features left out");
                known.push(None);
                keys.extend_from_slice(own);
            }
            keys.extend_from_slice(context);
        }
        // Pass 2: all lookups at once.
        self.rows.get_many_batched(keys, rows);
        // Pass 3: sums, in the order of pass 1.
        let mut next = 0;
        let sum = |acc: &mut [i32; NT], rows: &[u32]| {
            for &e in rows {
                if let Some(e) = self.rows.entries.get(e as usize) {
                    for (a, &b) in acc.iter_mut().zip(&e.w) {
                        *a += i32::from(b);
                    }
                }
            }
        };
        for i in 0..n {
            let f = &feats[offsets[i]..offsets[i + 1]];
            if f.is_empty() {
                continue;
            }
            let (word, affixes) = words[i];
            let own_len = word_only_features(f, affixes).0.len();
            let mut acc = match known[i] {
                Some(acc) => acc,
                None => {
                    let mut acc = [0i32; NT];
                    sum(&mut acc, &rows[next..next + own_len]);
                    next += own_len;
                    let slot = &mut cache.slots[WordCache::slot(word)];
                    *slot = CachedWord { key: word, acc };
                    acc
                }
            };
            let context_len = f.len() - own_len;
            sum(&mut acc, &rows[next..next + context_len]);
            next += context_len;
            for (d, &a) in out[i * NT..(i + 1) * NT].iter_mut().zip(&acc) {
                *d = a as f32 * self.scale;
            }
        }
    }

    /// Adds stage `stage`'s weights of extra features to `n × NT` scores.
    pub(crate) fn add_emissions(
        &self,
        stage: usize,
        feats: &[u64],
        offsets: &[usize],
        out: &mut [f32],
    ) {
        for (i, w) in offsets.windows(2).enumerate() {
            let mut acc = [0i32; NT];
            let mut any = false;
            for &f in &feats[w[0]..w[1]] {
                let Some(e) = self.rows.get(f) else {
                    continue;
                };
                any = true;
                let weights = if stage == 0 {
                    &e.w[..]
                } else {
                    let start = e.row as usize * NT;
                    &self.weights2[start..start + NT]
                };
                for (a, &b) in acc.iter_mut().zip(weights) {
                    *a += i32::from(b);
                }
            }
            if any {
                for (o, &a) in out[i * NT..(i + 1) * NT].iter_mut().zip(&acc) {
                    *o += a as f32 * self.scale;
                }
            }
        }
    }

    /// Reads a model written by [`encode`].
    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<Model, NerError> {
        let mut r = Reader { bytes, pos: 0 };
        if r.take(8)? != MAGIC {
            return Err(NerError::InvalidModel("bad magic".into()));
        }
        if r.u32()? as usize != NT {
            return Err(NerError::InvalidModel("unexpected tag set".into()));
        }
        let mut lex = Lexicon {
            max_phrase_len: r.u32()? as usize,
            ..Lexicon::default()
        };
        let n = r.u32()? as usize;
        lex.phrases.reserve(n);
        for _ in 0..n {
            let k = r.u64()?;
            lex.phrases.insert(k, r.u8()?);
        }
        let n = r.u32()? as usize;
        lex.cap_prior.reserve(n);
        for _ in 0..n {
            let k = r.u64()?;
            lex.cap_prior.insert(k, r.u8()?);
        }
        let stages = r.u32()? as usize;
        if !(1..=2).contains(&stages) {
            return Err(NerError::InvalidModel(format!("{stages} stages")));
        }
        let mut trans = Vec::new();
        for _ in 0..stages {
            let mut t = Vec::with_capacity((NT + 1) * NT);
            for _ in 0..(NT + 1) * NT {
                t.push(r.f32()?);
            }
            mask_transitions(&mut t);
            trans.push(t);
        }
        let scale = r.f32()?;
        let n = r.u32()? as usize;
        let mut keys = Vec::with_capacity(n);
        for _ in 0..n {
            keys.push(r.u64()?);
        }
        let raw = r.take(n * stages * NT * 2)?;
        let weights: Vec<i16> = raw
            .chunks_exact(2)
            .map(|c| i16::from_le_bytes([c[0], c[1]]))
            .collect();
        let width = stages * NT;
        let mut weights1 = Vec::with_capacity(n * NT);
        let mut weights2 = Vec::with_capacity((stages - 1) * n * NT);
        for row in weights.chunks_exact(width) {
            weights1.extend_from_slice(&row[..NT]);
            weights2.extend_from_slice(&row[NT..]);
        }
        let rows = RowTable::new(&keys, &weights1)?;
        if r.pos != bytes.len() {
            return Err(NerError::InvalidModel("trailing bytes".into()));
        }
        Ok(Model {
            lex,
            stages,
            rows,
            weights2,
            scale,
            trans,
        })
    }
}

/// Serialises a model (see the module docs for the format). Weights are
/// quantised to `i16` with one scale; rows whose weights are all below
/// `min_weight` in absolute value (in every stage), or that quantise to all
/// zeros, are dropped.
pub(crate) fn encode(
    lex: &Lexicon,
    keys: &[u64],
    stages: &[DenseStage<'_>],
    min_weight: f32,
) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(NT as u32).to_le_bytes());
    out.extend_from_slice(&(lex.max_phrase_len as u32).to_le_bytes());
    for map in [&lex.phrases, &lex.cap_prior] {
        let mut entries: Vec<(u64, u8)> = map.iter().map(|(&k, &v)| (k, v)).collect();
        entries.sort_unstable();
        out.extend_from_slice(&(entries.len() as u32).to_le_bytes());
        for (k, v) in entries {
            out.extend_from_slice(&k.to_le_bytes());
            out.push(v);
        }
    }
    out.extend_from_slice(&(stages.len() as u32).to_le_bytes());
    for stage in stages {
        for t in stage.trans {
            // Masked entries are re-masked on load.
            let t = if t.is_finite() { *t } else { 0.0 };
            out.extend_from_slice(&t.to_le_bytes());
        }
    }
    let max = stages
        .iter()
        .flat_map(|s| s.weights)
        .fold(0f32, |m, w| m.max(w.abs()));
    let scale = if max > 0.0 { max / 32767.0 } else { 1.0 };
    out.extend_from_slice(&scale.to_le_bytes());
    let mut kept: Vec<(u64, Vec<i16>)> = Vec::new();
    for (r, &key) in keys.iter().enumerate() {
        let strong = stages.iter().any(|stage| {
            stage
                .weights
                .get(r * NT..(r + 1) * NT)
                .is_some_and(|row| row.iter().any(|w| w.abs() >= min_weight))
        });
        if !strong {
            continue;
        }
        let mut q = vec![0i16; stages.len() * NT];
        for (s, stage) in stages.iter().enumerate() {
            let Some(row) = stage.weights.get(r * NT..(r + 1) * NT) else {
                continue;
            };
            for (d, w) in q[s * NT..(s + 1) * NT].iter_mut().zip(row) {
                *d = (w / scale).round().clamp(-32767.0, 32767.0) as i16;
            }
        }
        if q.iter().any(|&v| v != 0) {
            kept.push((key, q));
        }
    }
    kept.sort_unstable_by_key(|(k, _)| *k);
    out.extend_from_slice(&(kept.len() as u32).to_le_bytes());
    for (k, _) in &kept {
        out.extend_from_slice(&k.to_le_bytes());
    }
    for (_, q) in &kept {
        for v in q {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    out
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], NerError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or_else(|| NerError::InvalidModel("truncated".into()))?;
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, NerError> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, NerError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn f32(&mut self) -> Result<f32, NerError> {
        Ok(f32::from_bits(self.u32()?))
    }
    fn u64(&mut self) -> Result<u64, NerError> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conll::{tag_id, Pos};

    #[test]
    fn round_trip_and_decode() {
        let mut lex = Lexicon::default();
        lex.phrases.insert(42, 1);
        lex.cap_prior.insert(7, 3);
        lex.max_phrase_len = 3;
        let keys = [11u64, 12, 13];
        let u_per = tag_id(0, Pos::Unit) as usize;
        let u_loc = tag_id(1, Pos::Unit) as usize;
        let mut w1 = vec![0f32; 2 * NT];
        w1[u_per] = 2.0; // feature 11 says U-PER in stage one
        let mut w2 = vec![0f32; 3 * NT];
        w2[2 * NT + u_loc] = 1.0; // feature 13 says U-LOC in stage two
        let trans = vec![0f32; (NT + 1) * NT];
        let stage = |weights| DenseStage {
            weights,
            trans: &trans,
        };
        let bytes = encode(&lex, &keys, &[stage(&w1), stage(&w2)], 0.0);
        let model = Model::from_bytes(&bytes).unwrap();
        assert_eq!((model.len(), model.stages()), (2, 2)); // 12 is all zeros
        assert_eq!(model.lex.phrases[&42], 1);
        assert_eq!(model.lex.max_phrase_len, 3);
        let mut em = vec![Vec::new(), Vec::new()];
        model.emissions(&[11, 99, 12], &[0, 1, 3], &mut Vec::new(), &mut em);
        let mut tags = Vec::new();
        let mut scratch = DecodeScratch::default();
        viterbi(&em[0], model.transitions(0), &[], &mut scratch, &mut tags);
        assert_eq!(tags, vec![u_per as u8, 0]);
        model.add_emissions(1, &[13], &[0, 0, 1], &mut em[1]);
        viterbi(&em[1], model.transitions(1), &[], &mut scratch, &mut tags);
        assert_eq!(tags, vec![0, u_loc as u8]);
        assert!(Model::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    }

    #[test]
    fn row_table_lookups() {
        // Small, clustered keys force collisions in the first slot.
        let keys: Vec<u64> = (1..=2000u64).map(|k| k * 3).collect();
        let weights: Vec<i16> = (0..keys.len() * NT).map(|i| (i % 7) as i16).collect();
        let table = RowTable::new(&keys, &weights).unwrap();
        assert_eq!(table.len(), keys.len());
        let queries: Vec<u64> = (0..7000u64).collect();
        let mut found = Vec::new();
        table.get_many(&queries, &mut found);
        for (&q, &e) in queries.iter().zip(&found) {
            let expected = keys.iter().position(|&k| k == q);
            let entry = table.entries.get(e as usize);
            assert_eq!(entry.map(|e| e.row as usize), expected, "key {q}");
            assert_eq!(table.get(q).map(|e| e.row as usize), expected, "key {q}");
            if let (Some(entry), Some(r)) = (entry, expected) {
                assert_eq!(entry.w[..], weights[r * NT..(r + 1) * NT]);
            }
        }
        assert!(RowTable::new(&[5, 5], &[0; 2 * NT]).is_err());
    }

    #[test]
    fn viterbi_respects_constraints() {
        // Emissions favour I-LOC everywhere, which is never valid alone.
        let mut em = vec![0f32; 2 * NT];
        let i_loc = tag_id(1, Pos::Inside) as usize;
        em[i_loc] = 5.0;
        em[NT + i_loc] = 5.0;
        em[tag_id(1, Pos::Begin) as usize] = 1.0;
        em[NT + tag_id(1, Pos::Last) as usize] = 1.0;
        let mut trans = vec![0f32; (NT + 1) * NT];
        mask_transitions(&mut trans);
        let mut tags = Vec::new();
        viterbi(&em, &trans, &[], &mut DecodeScratch::default(), &mut tags);
        assert_eq!(tags, vec![tag_id(1, Pos::Begin), tag_id(1, Pos::Last)]);
    }

    /// Plain first-order Viterbi over every (previous, current) pair.
    fn naive_viterbi(em: &[f32], trans: &[f32]) -> Vec<u8> {
        let n = em.len() / NT;
        let mut delta = vec![f32::NEG_INFINITY; n * NT];
        let mut back = vec![0u8; n * NT];
        for c in 0..NT {
            delta[c] = em[c] + trans[c];
        }
        for i in 1..n {
            for c in 0..NT {
                for p in 0..NT {
                    let s = delta[(i - 1) * NT + p] + trans[(p + 1) * NT + c];
                    if s > delta[i * NT + c] {
                        delta[i * NT + c] = s;
                        back[i * NT + c] = p as u8;
                    }
                }
                delta[i * NT + c] += em[i * NT + c];
            }
        }
        let mut tag = 0u8;
        for c in 1..NT {
            if allowed_last(c as u8)
                && delta[(n - 1) * NT + c] > delta[(n - 1) * NT + usize::from(tag)]
            {
                tag = c as u8;
            }
        }
        let mut out = vec![0u8; n];
        for i in (0..n).rev() {
            out[i] = tag;
            tag = back[i * NT + usize::from(tag)];
        }
        out
    }

    #[test]
    fn viterbi_matches_naive_and_forces_inert_tokens() {
        let mut state = 0x1234_5678_9abc_def0u64;
        let mut rnd = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((state >> 40) as f32 / (1u64 << 24) as f32) * 8.0 - 4.0
        };
        let mut scratch = DecodeScratch::default();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for round in 0..300 {
            let n = 1 + round % 13;
            let mut trans: Vec<f32> = (0..(NT + 1) * NT).map(|_| rnd()).collect();
            mask_transitions(&mut trans);
            let mut em: Vec<f32> = (0..n * NT).map(|_| rnd()).collect();
            viterbi(&em, &trans, &[], &mut scratch, &mut a);
            assert_eq!(a, naive_viterbi(&em, &trans));
            // Inert tokens: forcing O in the decoder is the same as
            // penalising every other tag.
            let inert: Vec<bool> = (0..n).map(|_| rnd() > 1.0).collect();
            for (t, _) in inert.iter().enumerate().filter(|(_, &x)| x) {
                em[t * NT..(t + 1) * NT].fill(-1e9);
                em[t * NT] = 0.0;
            }
            viterbi(&em, &trans, &[], &mut scratch, &mut a);
            viterbi(&em, &trans, &inert, &mut scratch, &mut b);
            assert_eq!(a, b);
            assert!(inert.iter().zip(&b).all(|(&x, &t)| !x || t == 0));
        }
    }
}
