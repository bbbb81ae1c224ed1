//! The trained model: feature weights per tag, tag-transition weights and
//! the [`Lexicon`], with Viterbi decoding and a compact binary format.
//!
//! A model has one or two stages. Stage one tags from the text alone;
//! stage two also sees stage one's tags of the whole document (see
//! `features::DocPredictions`). Both stages share one feature table: a row
//! holds the weights of every stage, so the features common to both stages
//! are looked up once.
//!
//! Binary format (little-endian):
//! `b"BYLNER02"`, `u32` tag count, `u32` longest gazetteer phrase,
//! `u32` n + n × (`u64` phrase hash, `u8` categories),
//! `u32` n + n × (`u64` word hash, `u8` capitalisation bucket),
//! `u32` stages S, S × `(NT + 1) × NT` `f32` transitions (row 0 is the
//! sentence start), `f32` weight scale, `u32` n + n × `u64` feature hashes,
//! n × S × NT `i16` quantised weights.

use crate::conll::{allowed, allowed_last, NT};
use crate::features::{HashMap64, Lexicon};
use crate::NerError;

const MAGIC: &[u8; 8] = b"BYLNER02";

/// The lexicon, feature weights and transitions of a trained tagger.
pub(crate) struct Model {
    pub(crate) lex: Lexicon,
    stages: usize,
    rows: HashMap64<u32>,
    /// `rows × stages × NT` weights.
    weights: Vec<f32>,
    /// Per stage, `(NT + 1) × NT` transitions with disallowed moves at -inf.
    trans: Vec<Vec<f32>>,
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
    back: Vec<u8>,
}

/// Best tag sequence for `n` tokens given `n × NT` emission scores and a
/// masked `(NT + 1) × NT` transition matrix.
pub(crate) fn viterbi(
    emissions: &[f32],
    trans: &[f32],
    scratch: &mut DecodeScratch,
    out: &mut Vec<u8>,
) {
    let n = emissions.len() / NT;
    out.clear();
    if n == 0 {
        return;
    }
    let delta = &mut scratch.delta;
    let back = &mut scratch.back;
    delta.clear();
    delta.resize(n * NT, 0.0);
    back.clear();
    back.resize(n * NT, 0);
    for c in 0..NT {
        delta[c] = emissions[c] + trans[c];
    }
    for i in 1..n {
        let (done, rest) = delta.split_at_mut(i * NT);
        let prev = &done[(i - 1) * NT..];
        for c in 0..NT {
            let mut best = f32::NEG_INFINITY;
            let mut arg = 0u8;
            for (p, &score) in prev.iter().enumerate() {
                let s = score + trans[(p + 1) * NT + c];
                if s > best {
                    best = s;
                    arg = p as u8;
                }
            }
            rest[c] = best + emissions[i * NT + c];
            back[i * NT + c] = arg;
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
    for i in (0..n).rev() {
        out[i] = tag;
        tag = back[i * NT + usize::from(tag)];
    }
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
    /// every stage: `out[s]` gets stage `s`'s scores.
    pub(crate) fn emissions(&self, feats: &[u64], offsets: &[usize], out: &mut [Vec<f32>]) {
        let n = offsets.len().saturating_sub(1);
        let width = self.stages * NT;
        for o in out.iter_mut() {
            o.clear();
            o.resize(n * NT, 0.0);
        }
        let mut acc = [0f32; 2 * NT];
        for i in 0..n {
            acc.fill(0.0);
            for f in &feats[offsets[i]..offsets[i + 1]] {
                if let Some(&row) = self.rows.get(f) {
                    let w = &self.weights[row as usize * width..(row as usize + 1) * width];
                    for (a, b) in acc.iter_mut().zip(w) {
                        *a += b;
                    }
                }
            }
            for (s, o) in out.iter_mut().enumerate().take(self.stages) {
                o[i * NT..(i + 1) * NT].copy_from_slice(&acc[s * NT..(s + 1) * NT]);
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
        let width = self.stages * NT;
        for (i, w) in offsets.windows(2).enumerate() {
            let acc = &mut out[i * NT..(i + 1) * NT];
            for f in &feats[w[0]..w[1]] {
                if let Some(&row) = self.rows.get(f) {
                    let start = row as usize * width + stage * NT;
                    for (a, b) in acc.iter_mut().zip(&self.weights[start..start + NT]) {
                        *a += b;
                    }
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
        let mut rows = HashMap64::default();
        rows.reserve(n);
        for i in 0..n {
            rows.insert(r.u64()?, i as u32);
        }
        let raw = r.take(n * stages * NT * 2)?;
        let weights = raw
            .chunks_exact(2)
            .map(|c| f32::from(i16::from_le_bytes([c[0], c[1]])) * scale)
            .collect();
        if r.pos != bytes.len() {
            return Err(NerError::InvalidModel("trailing bytes".into()));
        }
        Ok(Model {
            lex,
            stages,
            rows,
            weights,
            trans,
        })
    }
}

/// Serialises a model (see the module docs for the format). Weights are
/// quantised to `i16` with one scale; rows that quantise to all zeros in
/// every stage are dropped.
pub(crate) fn encode(lex: &Lexicon, keys: &[u64], stages: &[DenseStage<'_>]) -> Vec<u8> {
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
        let bytes = encode(&lex, &keys, &[stage(&w1), stage(&w2)]);
        let model = Model::from_bytes(&bytes).unwrap();
        assert_eq!((model.len(), model.stages()), (2, 2)); // 12 is all zeros
        assert_eq!(model.lex.phrases[&42], 1);
        assert_eq!(model.lex.max_phrase_len, 3);
        let mut em = vec![Vec::new(), Vec::new()];
        model.emissions(&[11, 99, 12], &[0, 1, 3], &mut em);
        let mut tags = Vec::new();
        let mut scratch = DecodeScratch::default();
        viterbi(&em[0], model.transitions(0), &mut scratch, &mut tags);
        assert_eq!(tags, vec![u_per as u8, 0]);
        model.add_emissions(1, &[13], &[0, 0, 1], &mut em[1]);
        viterbi(&em[1], model.transitions(1), &mut scratch, &mut tags);
        assert_eq!(tags, vec![0, u_loc as u8]);
        assert!(Model::from_bytes(&bytes[..bytes.len() - 1]).is_err());
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
        viterbi(&em, &trans, &mut DecodeScratch::default(), &mut tags);
        assert_eq!(tags, vec![tag_id(1, Pos::Begin), tag_id(1, Pos::Last)]);
    }
}
