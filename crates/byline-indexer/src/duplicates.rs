//! Duplicate and near-duplicate articles (syndicated copies, re-posts).
//!
//! Each article gets two fingerprints at index time, stored as fast fields:
//! - `body_hash`: XXH3 over the normalised body (lower-cased, punctuation
//!   removed, white space collapsed), so exact copies that differ only in
//!   case, punctuation or spacing match;
//! - `simhash`: a 64-bit SimHash over word 2-shingles (word pairs) of the normalised
//!   body. Two articles are near-copies when their SimHashes differ in at
//!   most [`NEAR_DUPLICATE_DISTANCE`] of 64 bits.
//!
//! After a run's final commit, [`DuplicateGroups::compute`] groups the
//! whole index from those fast fields: equal SimHashes and equal
//! `body_hash`es join at once; among the distinct SimHashes, candidates
//! agree on two of [`SIMHASH_BLOCKS`] blocks of bits (by the pigeonhole
//! principle every pair within the distance does, so no pair is missed),
//! and pairs within the distance are joined by union-find. Each group's representative is its earliest
//! article (ties: smallest id). The grouping is saved as `duplicates.json`
//! beside the index, written to a temporary file and renamed. The index
//! commit is the truth: the file names the commit it was computed from,
//! and a file for another commit (a run killed between its commit and the
//! save, say) is ignored with a warning and the grouping recomputed.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use tantivy::{DocAddress, Searcher, TantivyDocument};
use xxhash_rust::xxh3::xxh3_64;

use crate::error::IndexError;
use crate::schema::SCHEMA_VERSION;
use crate::store::ArticleIndex;

/// Largest Hamming distance, in bits of 64, between the SimHashes of two
/// near-copies. Chosen on test pairs and on Reuters-21578: a 230-word
/// article and a copy with one sentence rewritten lie 4 bits apart, a copy
/// with a boilerplate credit line added 3 bits; different articles lie
/// around 32 bits apart (two unrelated SimHashes fall within 5 bits with a
/// chance of about 1 in 10^12). Short bodies move more per edit, and
/// templated ones (earnings tables) drift together, so the bound is kept
/// tight: at 8 bits Reuters chained a dozen different earnings tables into
/// one group.
pub const NEAR_DUPLICATE_DISTANCE: u32 = 5;
/// Blocks the SimHash is split into for candidate search: two more than
/// [`NEAR_DUPLICATE_DISTANCE`], so any pair within the distance agrees on
/// at least two whole blocks, and each of the 21 block pairs is a lookup
/// key of 18–20 bits. (With one more block than the distance, keys of
/// about 11 bits put a thousand articles in every bucket at 1M articles:
/// 2.5 billion comparisons, 6.5 s, against a few million this way.)
pub const SIMHASH_BLOCKS: u32 = NEAR_DUPLICATE_DISTANCE + 2;
/// Bodies with fewer shingles than this get no SimHash (0): too short for
/// a fingerprint to mean anything. Exact copies still group by `body_hash`.
pub const MIN_SHINGLES: usize = 8;
/// Bodies with fewer words than this get no `body_hash` (0): a one-line
/// stub repeated across a site is not a duplicated article.
pub const MIN_WORDS: usize = 5;
/// The file beside the index holding the grouping.
pub const DUPLICATES_FILE: &str = "duplicates.json";

/// A body's two fingerprints, `(body_hash, simhash)`, as the indexer
/// stores them: [`body_hash`] and [`simhash`] of [`normalize_body`], in one
/// pass: each word is hashed as the normalisation writes it, into a buffer
/// each thread reuses. (Normalising into a new string, splitting it again
/// for the SimHash and hashing it with BLAKE3 were 12 % of the CPU profile
/// of indexing the 200k pages without entities.)
pub fn fingerprints(body: &str) -> (u64, u64) {
    thread_local! {
        static NORMALIZED: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    NORMALIZED.with_borrow_mut(|normalized| {
        let mut shingles = Shingles::default();
        normalize_words(body, normalized, |word| shingles.add(word));
        let prints = (hash_of(normalized, shingles.words), shingles.simhash());
        // One huge body must not hold its size for the rest of the run.
        if normalized.capacity() > 1 << 20 {
            *normalized = Vec::new();
        }
        prints
    })
}

/// The body reduced to what copies share: lower-cased, punctuation
/// removed, white space collapsed to single spaces.
pub fn normalize_body(body: &str) -> String {
    let mut out = Vec::with_capacity(body.len());
    normalize_words(body, &mut out, |_| {});
    String::from_utf8(out).expect("whole UTF-8 characters are copied")
}

/// Writes [`normalize_body`] of `body` into `out` (cleared first) and
/// gives `word` each word as it is completed.
fn normalize_words(body: &str, out: &mut Vec<u8>, mut word: impl FnMut(&[u8])) {
    out.clear();
    out.reserve(body.len());
    // Where the word being written starts in `out`; `None` after a space.
    let mut open: Option<usize> = None;
    let mut end_word = |out: &mut Vec<u8>, open: &mut Option<usize>| {
        if let Some(start) = open.take() {
            word(&out[start..]);
            out.push(b' ');
        }
    };
    let bytes = body.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b.is_ascii() {
            // Most news text is ASCII: no Unicode tables on this path.
            if b.is_ascii_alphanumeric() {
                open.get_or_insert(out.len());
                out.push(b.to_ascii_lowercase());
            } else if b == b' ' || (b'\t'..=b'\r').contains(&b) {
                end_word(out, &mut open);
            }
            i += 1;
            continue;
        }
        let c = body[i..].chars().next().expect("a character starts here");
        i += c.len_utf8();
        if c.is_whitespace() {
            end_word(out, &mut open);
        } else if c.is_alphanumeric() {
            open.get_or_insert(out.len());
            let mut utf8 = [0; 4];
            for lower in c.to_lowercase() {
                out.extend_from_slice(lower.encode_utf8(&mut utf8).as_bytes());
            }
        }
    }
    end_word(out, &mut open);
    if out.last() == Some(&b' ') {
        out.pop();
    }
}

/// Hash of the normalised body; 0 for bodies shorter than [`MIN_WORDS`].
pub fn body_hash(normalized: &str) -> u64 {
    let words = normalized.split(' ').filter(|w| !w.is_empty()).count();
    hash_of(normalized.as_bytes(), words)
}

/// [`body_hash`] given the body's word count.
fn hash_of(normalized: &[u8], words: usize) -> u64 {
    if words < MIN_WORDS {
        return 0;
    }
    xxh3_64(normalized).max(1)
}

/// 64-bit SimHash over word 2-shingles (word pairs) of the normalised body; 0 for
/// bodies with fewer than [`MIN_SHINGLES`] shingles.
///
/// A pair's hash is FNV-1a over "first second", mixed (see
/// [`Shingles::add`]); each of the 64 bits is set when more than half the
/// pairs' hashes have it.
pub fn simhash(normalized: &str) -> u64 {
    let mut shingles = Shingles::default();
    for word in normalized.split(' ').filter(|w| !w.is_empty()) {
        shingles.add(word.as_bytes());
    }
    shingles.simhash()
}

/// The running bit counts of a SimHash, fed one word at a time.
struct Shingles {
    /// Bit counts, eight at a time: byte j of `lanes[k]` counts bit 8k + j,
    /// so a shingle costs eight additions instead of sixty-four (simhash
    /// was 5 % of indexing). A byte holds 255, so the lanes are emptied
    /// into `ones` every 255 shingles.
    lanes: [u64; 8],
    in_lanes: u32,
    ones: [u32; 64],
    pairs: u32,
    /// The previous word's hash.
    previous: Option<u64>,
    words: usize,
}

impl Default for Shingles {
    fn default() -> Self {
        Shingles {
            lanes: [0; 8],
            in_lanes: 0,
            ones: [0; 64],
            pairs: 0,
            previous: None,
            words: 0,
        }
    }
}

impl Shingles {
    /// Counts the pair that `word` ends: its hash is FNV-1a over "first
    /// second", mixed. The first word's FNV state is carried into the pair.
    fn add(&mut self, word: &[u8]) {
        self.words += 1;
        if let Some(first) = self.previous.replace(word_state(word)) {
            self.count(pair_hash(first, word));
        }
    }

    fn count(&mut self, pair: u64) {
        for (k, lane) in self.lanes.iter_mut().enumerate() {
            *lane += SPREAD_BITS[((pair >> (8 * k)) & 0xff) as usize];
        }
        self.in_lanes += 1;
        if self.in_lanes == 255 {
            empty_lanes(&mut self.lanes, &mut self.ones);
            self.in_lanes = 0;
        }
        self.pairs += 1;
    }

    fn simhash(mut self) -> u64 {
        empty_lanes(&mut self.lanes, &mut self.ones);
        majority_bits(&self.ones, self.pairs)
    }
}

/// The hash of each word pair, in order, as [`Shingles::add`] counts them.
#[cfg(test)]
fn shingle_hashes(normalized: &str) -> impl Iterator<Item = u64> + '_ {
    let mut previous: Option<u64> = None;
    normalized
        .split(' ')
        .filter(|w| !w.is_empty())
        .filter_map(move |word| {
            let word = word.as_bytes();
            previous
                .replace(word_state(word))
                .map(|first| pair_hash(first, word))
        })
}

/// The FNV-1a state after a word, which the pair it starts carries on.
fn word_state(word: &[u8]) -> u64 {
    fnv(FNV_OFFSET, word)
}

/// The mixed FNV-1a hash of "first second", from the first word's state.
fn pair_hash(first: u64, second: &[u8]) -> u64 {
    mix(fnv(fnv(first, b" "), second))
}

/// The SimHash of `pairs` shingles whose bits were counted in `ones`: each
/// bit set by more than half of them; 0 below [`MIN_SHINGLES`].
fn majority_bits(ones: &[u32; 64], pairs: u32) -> u64 {
    if (pairs as usize) < MIN_SHINGLES.max(1) {
        return 0;
    }
    let hash = ones
        .iter()
        .enumerate()
        .filter(|(_, &n)| n * 2 > pairs)
        .fold(0u64, |acc, (bit, _)| acc | 1 << bit);
    hash.max(1)
}

/// For each byte value, its eight bits spread one per byte (bit j → byte j).
const SPREAD_BITS: [u64; 256] = {
    let mut table = [0u64; 256];
    let mut b = 0;
    while b < 256 {
        let mut j = 0;
        while j < 8 {
            if (b >> j) & 1 == 1 {
                table[b] |= 1 << (8 * j);
            }
            j += 1;
        }
        b += 1;
    }
    table
};

fn empty_lanes(lanes: &mut [u64; 8], ones: &mut [u32; 64]) {
    for (k, lane) in lanes.iter_mut().enumerate() {
        for j in 0..8 {
            ones[8 * k + j] += ((*lane >> (8 * j)) & 0xff) as u32;
        }
        *lane = 0;
    }
}

/// Bits in which two SimHashes differ.
pub fn hamming(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

/// Whether two SimHashes (non-zero) mark near-copies.
pub fn near_duplicates(a: u64, b: u64) -> bool {
    a != 0 && b != 0 && hamming(a, b) <= NEAR_DUPLICATE_DISTANCE
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

fn fnv(mut h: u64, bytes: &[u8]) -> u64 {
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// splitmix64's finaliser: every input bit reaches every output bit.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Groups of copies over a whole index, as of one commit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicateGroups {
    /// [`SCHEMA_VERSION`] of the index the groups were computed from.
    pub schema: u32,
    /// Opstamp of the index commit the groups describe.
    pub commit_opstamp: u64,
    /// Article ids of each group of two or more copies: the representative
    /// (earliest published, ties: smallest id) first, then the others in
    /// the same order. Largest groups first, then by representative id.
    pub groups: Vec<Vec<String>>,
}

struct Fingerprint {
    address: DocAddress,
    body_hash: u64,
    simhash: u64,
    published: Option<i64>,
}

impl DuplicateGroups {
    /// Groups the articles `searcher` sees, from their fast fields.
    pub fn compute(searcher: &Searcher, commit_opstamp: u64) -> Result<Self, IndexError> {
        let start = std::time::Instant::now();
        let mut prints = Vec::with_capacity(searcher.num_docs() as usize);
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let fast = segment.fast_fields();
            let hashes = fast.u64("body_hash")?;
            let simhashes = fast.u64("simhash")?;
            let dates = fast.date("published")?;
            for doc in segment.doc_ids_alive() {
                prints.push(Fingerprint {
                    address: DocAddress::new(ord as u32, doc),
                    body_hash: hashes.first(doc).unwrap_or(0),
                    simhash: simhashes.first(doc).unwrap_or(0),
                    published: dates.first(doc).map(|d| d.into_timestamp_secs()),
                });
            }
        }
        let mut sets = UnionFind::new(prints.len());
        // Exact copies: equal body hashes.
        join_equal(&mut sets, prints.iter().map(|p| p.body_hash));
        // Equal SimHashes are copies outright; the pair search below then
        // sees each distinct SimHash once (a story repeated a thousand
        // times is not a million comparisons).
        let distinct = join_equal(&mut sets, prints.iter().map(|p| p.simhash));
        // Near copies: for every pair of blocks, bucket the distinct
        // SimHashes by those two blocks' bits and compare within buckets.
        let blocks: Vec<(u32, u32)> = (0..SIMHASH_BLOCKS)
            .map(|b| (b * 64 / SIMHASH_BLOCKS, (b + 1) * 64 / SIMHASH_BLOCKS))
            .collect();
        let block_pairs: Vec<(usize, usize)> = (0..blocks.len())
            .flat_map(|a| (a + 1..blocks.len()).map(move |b| (a, b)))
            .collect();
        let bits = |value: u64, (lo, hi): (u32, u32)| (value >> lo) & ((1u64 << (hi - lo)) - 1);
        // Each block pair is independent: searched in parallel, the
        // joined pairs applied afterwards.
        let found: Vec<(u64, Vec<(u32, u32)>)> = block_pairs
            .par_iter()
            .map(|&(a, b)| {
                let width_a = blocks[a].1 - blocks[a].0;
                let width = width_a + blocks[b].1 - blocks[b].0;
                let keyed = bucketed(&distinct, width, |hash| {
                    (bits(hash, blocks[a]) | bits(hash, blocks[b]) << width_a) as u32
                });
                let mut compared = 0u64;
                let mut near = Vec::new();
                for run in keyed.chunk_by(|x, y| x.0 == y.0) {
                    for (i, x) in run.iter().enumerate() {
                        for y in &run[i + 1..] {
                            compared += 1;
                            if near_duplicates(x.2, y.2) {
                                let (x, y) = (distinct[x.1 as usize], distinct[y.1 as usize]);
                                near.push((x.1, y.1));
                            }
                        }
                    }
                }
                (compared, near)
            })
            .collect();
        let mut compared = 0u64;
        // Distances of the near pairs joined, for `-vv` diagnostics.
        let mut joined = [0u64; NEAR_DUPLICATE_DISTANCE as usize + 1];
        for (n, near) in found {
            compared += n;
            for (a, b) in near {
                let (a, b) = (a as usize, b as usize);
                joined[hamming(prints[a].simhash, prints[b].simhash) as usize] += 1;
                sets.union(a, b);
            }
        }
        // Only articles with a copy are gathered: a map entry for every
        // article was 70 MB at 1M articles, nearly all of them alone.
        let roots: Vec<u32> = (0..prints.len()).map(|i| sets.find(i) as u32).collect();
        let mut group_size = vec![0u32; prints.len()];
        for &root in &roots {
            group_size[root as usize] += 1;
        }
        let mut by_root: HashMap<usize, Vec<usize>> = HashMap::new();
        for (i, &root) in roots.iter().enumerate() {
            if group_size[root as usize] > 1 {
                by_root.entry(root as usize).or_default().push(i);
            }
        }
        // Ids come from the document store (three quarters of the grouping
        // time on Reuters: a block decompressed per member), read on every
        // core, each core's share in store order.
        let id_field = searcher.schema().get_field("id")?;
        let mut wanted: Vec<usize> = by_root.values().flatten().copied().collect();
        wanted.sort_unstable_by_key(|&i| prints[i].address);
        let fetched: Vec<(usize, String)> = wanted
            .par_chunks(64)
            .map(|chunk| {
                chunk
                    .iter()
                    .map(|&i| {
                        let doc: TantivyDocument = searcher.doc(prints[i].address)?;
                        let id = doc
                            .get_first(id_field)
                            .and_then(|v| tantivy::schema::Value::as_str(&v))
                            .unwrap_or_default()
                            .to_string();
                        Ok((i, id))
                    })
                    .collect::<Result<Vec<_>, tantivy::TantivyError>>()
            })
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .flatten()
            .collect();
        let mut ids: HashMap<usize, String> = fetched.into_iter().collect();
        let mut groups = Vec::new();
        for members in by_root.into_values() {
            let mut named = Vec::with_capacity(members.len());
            for i in members {
                let id = ids.remove(&i).unwrap_or_default();
                // Undated articles sort after dated ones.
                named.push((prints[i].published.is_none(), prints[i].published, id));
            }
            named.sort();
            groups.push(named.into_iter().map(|(_, _, id)| id).collect::<Vec<_>>());
        }
        groups.sort_by(|a: &Vec<String>, b| b.len().cmp(&a.len()).then_with(|| a[0].cmp(&b[0])));
        tracing::debug!(
            ?joined,
            "near pairs joined, by distance (a pair sharing several block pairs counts more than once)"
        );
        tracing::info!(
            articles = prints.len(),
            groups = groups.len(),
            compared,
            elapsed = ?start.elapsed(),
            "duplicates grouped"
        );
        Ok(DuplicateGroups {
            schema: SCHEMA_VERSION,
            commit_opstamp,
            groups,
        })
    }

    /// Writes the groups beside the index: to a temporary file, then renamed
    /// over `duplicates.json`, so a reader never sees half a file.
    pub fn save(&self, index_dir: &Path) -> Result<(), IndexError> {
        let path = index_dir.join(DUPLICATES_FILE);
        let tmp = index_dir.join(format!("{DUPLICATES_FILE}.tmp"));
        let io = |source| IndexError::Io {
            path: path.clone(),
            source,
        };
        let json = serde_json::to_vec(self).expect("groups serialise");
        fs::write(&tmp, json).map_err(io)?;
        fs::rename(&tmp, &path).map_err(io)
    }

    /// Reads `duplicates.json`, if there is a readable one.
    pub fn load(index_dir: &Path) -> Option<Self> {
        let bytes = fs::read(index_dir.join(DUPLICATES_FILE)).ok()?;
        match serde_json::from_slice(&bytes) {
            Ok(groups) => Some(groups),
            Err(e) => {
                tracing::warn!(error = %e, "duplicates.json is unreadable; recomputing");
                None
            }
        }
    }

    /// The groups for the commit `searcher` sees: from `duplicates.json`
    /// when it was written for that commit, otherwise computed afresh
    /// (under a second even for tens of thousands of articles).
    pub fn load_or_compute(store: &ArticleIndex, searcher: &Searcher) -> Result<Self, IndexError> {
        let opstamp = store.index.load_metas()?.opstamp;
        match Self::load(&store.dir) {
            Some(saved) if saved.commit_opstamp == opstamp && saved.schema == SCHEMA_VERSION => {
                return Ok(saved)
            }
            Some(saved) => tracing::warn!(
                saved = saved.commit_opstamp,
                index = opstamp,
                "duplicates.json is for another commit; recomputing"
            ),
            None => {}
        }
        Self::compute(searcher, opstamp)
    }

    /// Computes the groups for the index's current commit and saves them.
    pub fn refresh(store: &ArticleIndex) -> Result<Self, IndexError> {
        let opstamp = store.index.load_metas()?.opstamp;
        let searcher = store.index.reader()?.searcher();
        let groups = Self::compute(&searcher, opstamp)?;
        groups.save(&store.dir)?;
        Ok(groups)
    }

    /// Articles that are copies of another (group members after the representative).
    pub fn hidden_count(&self) -> usize {
        self.groups.iter().map(|g| g.len() - 1).sum()
    }
}

/// Joins the articles whose keys are equal (0: no key) and returns each
/// distinct key once, sorted, with one of its articles.
fn join_equal(sets: &mut UnionFind, keys: impl Iterator<Item = u64>) -> Vec<(u64, u32)> {
    let mut keyed: Vec<(u64, u32)> = keys
        .enumerate()
        .filter(|&(_, key)| key != 0)
        .map(|(i, key)| (key, i as u32))
        .collect();
    keyed.sort_unstable();
    keyed.dedup_by(|later, kept| {
        let same = later.0 == kept.0;
        if same {
            sets.union(kept.1 as usize, later.1 as usize);
        }
        same
    });
    keyed
}

/// Below this many distinct SimHashes, [`bucketed`] sorts; above it, a
/// counting sort over the key's 2^width values is cheaper (at 1M articles
/// the 21 sorts were most of the grouping time, and grew as n log n).
const COUNTING_SORT_FROM: usize = 1 << 16;

/// The distinct SimHashes as `(key, index in distinct, hash)`, ordered by
/// key then index, so that equal keys form runs. Each entry carries its
/// hash: comparing within a run then reads adjacent memory. `key` must
/// stay below `1 << width`.
fn bucketed(distinct: &[(u64, u32)], width: u32, key: impl Fn(u64) -> u32) -> Vec<(u32, u32, u64)> {
    if distinct.len() < COUNTING_SORT_FROM {
        bucketed_by_sort(distinct, key)
    } else {
        bucketed_by_counting(distinct, width, key)
    }
}

/// [`bucketed`] with a comparison sort.
fn bucketed_by_sort(distinct: &[(u64, u32)], key: impl Fn(u64) -> u32) -> Vec<(u32, u32, u64)> {
    let mut keyed: Vec<(u32, u32, u64)> = distinct
        .iter()
        .enumerate()
        .map(|(i, &(hash, _))| (key(hash), i as u32, hash))
        .collect();
    keyed.sort_unstable_by_key(|&(key, i, _)| (key, i));
    keyed
}

/// [`bucketed`] with a counting sort: stable, so each run keeps the index
/// order, as [`bucketed_by_sort`] gives it.
fn bucketed_by_counting(
    distinct: &[(u64, u32)],
    width: u32,
    key: impl Fn(u64) -> u32,
) -> Vec<(u32, u32, u64)> {
    let mut starts = vec![0u32; (1usize << width) + 1];
    for &(hash, _) in distinct {
        starts[key(hash) as usize + 1] += 1;
    }
    for k in 1..starts.len() {
        starts[k] += starts[k - 1];
    }
    let mut keyed = vec![(0u32, 0u32, 0u64); distinct.len()];
    for (i, &(hash, _)) in distinct.iter().enumerate() {
        let k = key(hash);
        let slot = &mut starts[k as usize];
        keyed[*slot as usize] = (k, i as u32, hash);
        *slot += 1;
    }
    keyed
}

struct UnionFind {
    parent: Vec<u32>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n as u32).collect(),
        }
    }

    fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] as usize != i {
            let grand = self.parent[self.parent[i] as usize];
            self.parent[i] = grand;
            i = grand as usize;
        }
        i
    }

    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            self.parent[a.max(b)] = a.min(b) as u32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The normalisation by the Unicode rules alone, char by char: the
    /// oracle for the ASCII fast path (stored fingerprints depend on it).
    fn normalize_body_by_chars(body: &str) -> String {
        let mut out = String::new();
        let mut space = true;
        for c in body.chars() {
            if c.is_whitespace() {
                if !space {
                    out.push(' ');
                    space = true;
                }
            } else if c.is_alphanumeric() {
                out.extend(c.to_lowercase());
                space = false;
            }
        }
        if out.ends_with(' ') {
            out.pop();
        }
        out
    }

    /// The seed page, mixed scripts, white space and punctuation, and the
    /// first 300 Reuters pages when ../shared is beside the checkout.
    fn sample_texts() -> Vec<String> {
        let seed = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../corpus/000_a246f93a30b869c3.txt"
        ))
        .unwrap();
        let mut texts = vec![
            seed,
            String::new(),
            "  \t\n ".to_string(),
            "one two three four".to_string(),
            "The U.S.  said:\n\n\"No!\"  Ünïcödé ÇA İstanbul straße ΣΑΣ\u{a0}x\u{2003}y\u{b}z "
                .to_string(),
            " Ünïcödé ÇA İstanbul straße ΣΑΣ\u{a0}x\u{2003}y — «quoted» \u{b}z 1987 U.S. \n\n"
                .repeat(3),
            "日本語のテキスト と 한국어 text, ١٢٣ digits; emoji 🙂 here\r\n".repeat(4),
        ];
        let reuters = Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/corpora/reuters21578/articles"
        ));
        for n in 1..=300 {
            if let Ok(text) = fs::read_to_string(reuters.join(format!("{n}.txt"))) {
                texts.push(text);
            }
        }
        texts
    }

    #[test]
    fn the_ascii_fast_path_normalises_as_the_unicode_rules_do() {
        for text in &sample_texts() {
            let normalized = normalize_body(text);
            assert_eq!(normalized, normalize_body_by_chars(text), "{text:?}");
        }
    }

    /// The one-pass fingerprints are the separate functions' results.
    #[test]
    fn fingerprints_in_one_pass_equal_the_separate_functions() {
        let mut hashed = 0;
        for text in &sample_texts() {
            let normalized = normalize_body(text);
            let separate = (body_hash(&normalized), simhash(&normalized));
            assert_eq!(fingerprints(text), separate, "{text:?}");
            hashed += usize::from(separate.0 != 0 && separate.1 != 0);
        }
        assert!(hashed >= 3, "{hashed} texts with both fingerprints");
    }

    /// The counting sort that large indexes take orders the buckets exactly
    /// as the comparison sort does (so the groups cannot depend on the
    /// index's size), on the SimHashes of the bundled articles' paragraphs.
    #[test]
    fn counting_and_comparison_sorts_bucket_alike() {
        let dir = Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../corpus/wikinews"
        ));
        let mut hashes: Vec<u64> = Vec::new();
        for entry in fs::read_dir(dir).unwrap() {
            let text = fs::read_to_string(entry.unwrap().path()).unwrap();
            for paragraph in text.split("\n\n") {
                hashes.push(simhash(&normalize_body(paragraph)));
            }
        }
        hashes.retain(|&h| h != 0);
        hashes.sort_unstable();
        hashes.dedup();
        assert!(hashes.len() > 100, "{} paragraphs", hashes.len());
        let distinct: Vec<(u64, u32)> = hashes.iter().map(|&h| (h, 0)).collect();
        // A 4-bit key puts many paragraphs in each bucket; the 19-bit one
        // is a block pair of the grouping itself.
        let narrow = |h: u64| (h >> 7) as u32 & 15;
        let pair = |h: u64| ((h & 0x1ff) | ((h >> 45) & 0x3ff) << 9) as u32;
        for (width, key) in [(4, &narrow as &dyn Fn(u64) -> u32), (19, &pair)] {
            let by_sort = bucketed_by_sort(&distinct, key);
            assert_eq!(bucketed_by_counting(&distinct, width, key), by_sort);
            assert!(by_sort
                .windows(2)
                .all(|w| (w[0].0, w[0].1) < (w[1].0, w[1].1)));
        }
        let runs = bucketed_by_sort(&distinct, narrow)
            .chunk_by(|x, y| x.0 == y.0)
            .count();
        assert!(runs <= 16 && runs < distinct.len() / 4);
    }

    /// The plain SimHash: one counter per bit, added shingle by shingle.
    fn simhash_bit_by_bit(normalized: &str) -> u64 {
        let mut ones = [0u32; 64];
        let mut pairs = 0u32;
        for pair in shingle_hashes(normalized) {
            for (bit, count) in ones.iter_mut().enumerate() {
                *count += ((pair >> bit) & 1) as u32;
            }
            pairs += 1;
        }
        majority_bits(&ones, pairs)
    }

    #[test]
    fn simhash_counts_bits_as_the_plain_algorithm_does() {
        // Short and long texts (past 255 shingles, where the lanes empty),
        // from the seed page and generated word lists.
        let seed = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../corpus/000_a246f93a30b869c3.txt"
        ))
        .unwrap();
        let mut texts = vec![normalize_body(&seed)];
        for n in [3usize, 30, 254, 255, 256, 257, 600, 5_000] {
            texts.push(
                (0..n)
                    .map(|i| format!("w{}", (i * 7919) % 113))
                    .collect::<Vec<_>>()
                    .join(" "),
            );
        }
        for text in &texts {
            assert_eq!(
                simhash(text),
                simhash_bit_by_bit(text),
                "{}",
                &text[..40.min(text.len())]
            );
        }
        assert_ne!(simhash(&texts[0]), 0);
    }

    const ARTICLE: &str = "The United States and Russia could not agree Friday on how to bring \
        about a broad truce in Syria, but the top diplomats of the two key players in this conflict \
        announced that such a deal was imminent. Secretary of State John Kerry and Foreign Minister \
        Sergei Lavrov met in Geneva for more than nine hours of talks. Meanwhile rebels began to leave \
        the Damascus suburb of Daraya under a deal that will see the area evacuated after a four-year \
        government siege. The UN's Syria envoy, Staffan de Mistura, called on Russia and the US to \
        ensure that the evacuation happens in safety. Kerry said the two sides had achieved clarity \
        on the path forward, and that technical teams would meet in Geneva in the coming days to \
        work out the remaining details. Lavrov said the talks had been constructive. The two men \
        have met repeatedly this year in an effort to revive a ceasefire that collapsed in the \
        spring, and their officials have spent weeks haggling over maps of which groups control \
        which areas around Aleppo. Washington wants Moscow to restrain the Syrian air force, \
        while Moscow wants Washington to separate the rebels it backs from jihadist groups. Aid \
        agencies say hundreds of thousands of people remain trapped in besieged towns, with \
        food and medicine running short, and the United Nations has repeatedly called for a \
        pause in the fighting so that convoys can reach them.";

    fn distance(a: &str, b: &str) -> u32 {
        hamming(simhash(&normalize_body(a)), simhash(&normalize_body(b)))
    }

    #[test]
    fn normalising_ignores_case_punctuation_and_spacing() {
        assert_eq!(
            normalize_body("  The U.S.  said:\n\n\"No!\" "),
            "the us said no"
        );
        assert_eq!(
            body_hash(&normalize_body(ARTICLE)),
            body_hash(&normalize_body(
                &ARTICLE.to_uppercase().replace(' ', "  \n")
            ))
        );
    }

    #[test]
    fn identical_bodies_have_equal_fingerprints() {
        assert_eq!(distance(ARTICLE, ARTICLE), 0);
    }

    #[test]
    fn a_copy_with_one_sentence_edited_is_near() {
        let edited = ARTICLE.replace(
            "Lavrov said the talks had been constructive.",
            "Lavrov told reporters the long talks were useful and frank.",
        );
        let d = distance(ARTICLE, &edited);
        assert!(d <= NEAR_DUPLICATE_DISTANCE, "distance {d}");
    }

    #[test]
    fn a_syndicated_copy_with_a_boilerplate_line_is_near() {
        let syndicated =
            format!("{ARTICLE}\n\n(Reporting by Arshad Mohammed; Editing by Tom Brown)");
        let d = distance(ARTICLE, &syndicated);
        assert!(d <= NEAR_DUPLICATE_DISTANCE, "distance {d}");
    }

    #[test]
    fn different_articles_are_far() {
        let other = "Oil prices rose on Tuesday as traders bet that producers meeting in \
            Algiers next month would agree to freeze output, while a weaker dollar made crude \
            cheaper for holders of other currencies. Brent crude futures were up 40 cents at \
            49.20 dollars a barrel by midday in London, and US crude gained 35 cents. Analysts \
            said the rally could fade if the meeting ends without a deal, as several earlier \
            attempts to cap production have failed in the past year.";
        let d = distance(ARTICLE, other);
        assert!(d > NEAR_DUPLICATE_DISTANCE + 6, "distance {d}");
    }

    #[test]
    fn short_bodies_get_no_fingerprint() {
        assert_eq!(body_hash(&normalize_body("Photo: AFP")), 0);
        assert_eq!(
            simhash(&normalize_body("Too short to tell copies apart.")),
            0
        );
        assert!(!near_duplicates(0, 0));
    }
}
