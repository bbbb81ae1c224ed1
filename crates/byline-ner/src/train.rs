//! Training the tagger: an averaged structured perceptron (Collins 2002)
//! over BILOU tags with first-order Viterbi decoding, on CoNLL-2003 files,
//! with gazetteer phrases read from the shared GeoNames files.
//!
//! Used by the `byline-ner-train` binary; see `model/README.md`.

use std::path::{Path, PathBuf};

use crate::conll::{self, bilou_spans, iob_spans, iob_to_bilou, score_sentence, Score, NT};
use crate::features::{
    ascii_punctuation, cap_bucket, casing, hash_lower, is_all_caps_sentence, phrase_step, Casing,
    DocContext, DocPredictions, HashMap64, Lexicon, GAZ_CITY, GAZ_COUNTRY, GAZ_DEMONYM, GAZ_REGION,
    PHRASE_SEED,
};
use crate::model::{encode, mask_transitions, viterbi, DecodeScratch, DenseStage, Model};
use crate::tagger::{for_each_sentence_features, Buffers, EvalReport, NerTagger};
use crate::tokenize::tokenize;
use crate::NerError;

/// What to train on and for how long.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// CoNLL-2003 training file.
    pub train: PathBuf,
    /// CoNLL-2003 development file, scored after every epoch (optional).
    pub dev: Option<PathBuf>,
    /// Folder with the gazetteer TSV files (`countries.tsv`, `cities.tsv`, …).
    pub gazetteers: PathBuf,
    /// Passes over the training data.
    pub epochs: usize,
    /// Seed of the sentence shuffle.
    pub seed: u64,
    /// Folds of the jackknife that gives stage two its input (see
    /// `model/README.md`); 0 or 1 trains a single-stage model.
    pub folds: usize,
    /// Feature rows whose averaged weights are all below this in absolute
    /// value are left out of the model (smaller and faster, see
    /// `model/README.md`); 0 keeps every row that quantises to non-zero.
    pub prune: f32,
}

/// A trained model and its scores.
pub struct TrainOutcome {
    /// The model in the format `NerTagger::from_bytes` reads.
    pub model: Vec<u8>,
    /// Scores of the final (quantised) model on the development file.
    pub dev: Option<EvalReport>,
}

fn read_to_string(path: &Path) -> Result<String, NerError> {
    std::fs::read_to_string(path).map_err(|source| NerError::Io {
        path: path.display().to_string(),
        source,
    })
}

/// Reads the gazetteer files into phrase hashes (see [`Lexicon::phrases`]).
///
/// Only columns whose licence allows embedding derived data in a binary are
/// used: GeoNames names (CC BY 4.0), the demonyms (MIT) and the project's
/// hand-written historic aliases. The pycountry-derived columns (LGPL-2.1:
/// `regions.tsv`, historic names, the mixed `aliases` column of
/// `countries.tsv`) are left out; see `model/README.md`.
fn load_gazetteers(dir: &Path, lex: &mut Lexicon) -> Result<(), NerError> {
    // (file, category, columns holding names or `;` lists of names)
    let sources: [(&str, u8, &[usize]); 6] = [
        ("countries.tsv", GAZ_COUNTRY, &[3]),
        ("countries.tsv", GAZ_DEMONYM, &[5]),
        ("historic_countries.tsv", GAZ_COUNTRY, &[4]),
        ("admin1.tsv", GAZ_REGION, &[3, 4]),
        ("continents.tsv", GAZ_REGION, &[1]),
        ("cities.tsv", GAZ_CITY, &[1, 2]),
    ];
    for (file, cat, cols) in sources {
        let text = read_to_string(&dir.join(file))?;
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split('\t').collect();
            for &c in cols {
                let Some(field) = fields.get(c) else {
                    continue;
                };
                for name in field.split(';').map(str::trim).filter(|n| !n.is_empty()) {
                    add_phrase(lex, name, cat);
                }
            }
        }
    }
    Ok(())
}

fn add_phrase(lex: &mut Lexicon, name: &str, cat: u8) {
    let mut len = 0;
    let mut h = PHRASE_SEED;
    for sent in tokenize(name) {
        for r in sent {
            h = phrase_step(h, hash_lower(&ascii_punctuation(&name[r])));
            len += 1;
        }
    }
    if (1..=8).contains(&len) {
        *lex.phrases.entry(h).or_default() |= 1 << cat;
        lex.max_phrase_len = lex.max_phrase_len.max(len);
    }
}

/// How often each word is capitalised in the middle of running-text
/// sentences of the training data.
fn cap_prior(docs: &[conll::Document<'_>]) -> HashMap64<u8> {
    let mut counts: HashMap64<(u32, u32)> = HashMap64::default();
    for sent in docs.iter().flatten() {
        if is_all_caps_sentence(&sent.tokens) {
            continue;
        }
        for t in sent.tokens.iter().skip(1) {
            let c = casing(t);
            if matches!(c, Casing::Digit | Casing::Other) {
                continue;
            }
            let e = counts.entry(hash_lower(t)).or_default();
            e.1 += 1;
            if c != Casing::Lower {
                e.0 += 1;
            }
        }
    }
    counts
        .into_iter()
        .filter(|(_, (_, total))| *total >= 2)
        .map(|(k, (cap, total))| (k, cap_bucket(cap, total)))
        .collect()
}

/// A sentence as feature-row ids and gold tags.
struct Encoded {
    feats: Vec<u32>,
    offsets: Vec<usize>,
    gold: Vec<u8>,
    iob: Vec<conll::TokenSpan>,
    /// Index of the document the sentence belongs to.
    doc: usize,
}

/// Feature hash -> row id, grown while encoding the training data.
#[derive(Default)]
struct FeatureIds {
    ids: HashMap64<u32>,
    keys: Vec<u64>,
}

/// Encodes documents as feature ids. `stage1` (first-stage tags per
/// document and sentence) adds the second-stage features. Unknown features
/// get new ids when `grow` is set and are dropped otherwise.
fn encode_docs(
    docs: &[conll::Document<'_>],
    lex: &Lexicon,
    stage1: Option<&[Vec<Vec<u8>>]>,
    fids: &mut FeatureIds,
    grow: bool,
) -> Vec<Encoded> {
    let mut out = Vec::new();
    let mut buf = Buffers::default();
    let (mut extra, mut extra_offsets) = (Vec::new(), Vec::new());
    for (d, doc) in docs.iter().enumerate() {
        let toks: Vec<Vec<&str>> = doc.iter().map(|s| s.tokens.clone()).collect();
        let ctx = DocContext::build(&toks);
        let preds = stage1.map(|t| (DocPredictions::build(&toks, &t[d]), &t[d]));
        for_each_sentence_features(&toks, lex, &ctx, &mut buf, |i, feats, offsets, _| {
            extra.clear();
            extra_offsets.clear();
            if let Some((p, tags)) = &preds {
                p.sentence_features(&toks[i], &tags[i], &mut extra, &mut extra_offsets);
            }
            let mut enc = Encoded {
                feats: Vec::with_capacity(feats.len() + extra.len()),
                offsets: Vec::with_capacity(offsets.len()),
                gold: iob_to_bilou(&doc[i].tags),
                iob: iob_spans(&doc[i].tags),
                doc: d,
            };
            for (t, w) in offsets.windows(2).enumerate() {
                enc.offsets.push(enc.feats.len());
                let token_extra = match extra_offsets.get(t..t + 2) {
                    Some(e) => &extra[e[0]..e[1]],
                    None => &[],
                };
                for f in feats[w[0]..w[1]].iter().chain(token_extra) {
                    let id = match fids.ids.get(f) {
                        Some(&id) => Some(id),
                        None if grow => {
                            let id = fids.keys.len() as u32;
                            fids.keys.push(*f);
                            fids.ids.insert(*f, id);
                            Some(id)
                        }
                        None => None,
                    };
                    enc.feats.extend(id);
                }
            }
            enc.offsets.push(enc.feats.len());
            out.push(enc);
        });
    }
    out
}

fn dense_emissions(s: &Encoded, w: &[f32], out: &mut Vec<f32>) {
    let n = s.gold.len();
    let rows = w.len() / NT;
    out.clear();
    out.resize(n * NT, 0.0);
    for i in 0..n {
        let acc = &mut out[i * NT..(i + 1) * NT];
        for &f in &s.feats[s.offsets[i]..s.offsets[i + 1]] {
            let f = f as usize;
            if f < rows {
                for (a, b) in acc.iter_mut().zip(&w[f * NT..(f + 1) * NT]) {
                    *a += b;
                }
            }
        }
    }
}

/// Averaged weights of one trained stage (transitions unmasked).
struct Trained {
    w: Vec<f32>,
    t: Vec<f32>,
}

impl Trained {
    /// Tags sentences; returns the tags grouped by document and sentence.
    fn predict(&self, data: &[&Encoded], ndocs: usize) -> Vec<Vec<Vec<u8>>> {
        let mut out = vec![Vec::new(); ndocs];
        let mut trans = self.t.clone();
        mask_transitions(&mut trans);
        let (mut em, mut tags, mut scratch) = (Vec::new(), Vec::new(), DecodeScratch::default());
        for s in data {
            dense_emissions(s, &self.w, &mut em);
            viterbi(&em, &trans, &[], &mut scratch, &mut tags);
            out[s.doc].push(tags.clone());
        }
        out
    }

    fn score(&self, data: &[Encoded]) -> [Score; 4] {
        let mut scores = [Score::default(); 4];
        let refs: Vec<&Encoded> = data.iter().collect();
        let ndocs = data.last().map_or(0, |s| s.doc + 1);
        for (s, tags) in data.iter().zip(self.predict(&refs, ndocs).iter().flatten()) {
            score_sentence(&s.iob, &bilou_spans(tags), &mut scores);
        }
        scores
    }
}

fn f1_line(scores: &[Score; 4]) -> String {
    let mut all = Score::default();
    for s in scores {
        all.add(s);
    }
    format!(
        "PER {:.4} LOC {:.4} ORG {:.4} MISC {:.4} overall {:.4}",
        scores[0].f1(),
        scores[1].f1(),
        scores[2].f1(),
        scores[3].f1(),
        all.f1()
    )
}

/// splitmix64, for a reproducible shuffle.
fn next_random(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn averaged<W: Copy + Into<f64>>(w: &[W], u: &[f64], c: f64) -> Vec<f32> {
    w.iter()
        .zip(u)
        .map(|(&w, &u)| (w.into() - u / c) as f32)
        .collect()
}

/// Averaged structured perceptron over `data`; scores `dev` (if not empty)
/// after every epoch.
fn perceptron(
    data: &[&Encoded],
    nrows: usize,
    opts: &TrainOptions,
    dev: &[Encoded],
    log: &mut dyn FnMut(&str),
) -> Trained {
    let mut w = vec![0f32; nrows * NT];
    let mut u = vec![0f64; nrows * NT];
    let mut tw = vec![0f32; (NT + 1) * NT];
    let mut tu = vec![0f64; (NT + 1) * NT];
    let mut c = 1f64;
    let mut order: Vec<usize> = (0..data.len()).collect();
    let mut rng = opts.seed;
    let (mut em, mut pred, mut scratch) = (Vec::new(), Vec::new(), DecodeScratch::default());
    let mut masked = vec![0f32; (NT + 1) * NT];
    for epoch in 1..=opts.epochs {
        for i in (1..order.len()).rev() {
            let j = (next_random(&mut rng) % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        let mut errors = 0usize;
        for &si in &order {
            let s = data[si];
            dense_emissions(s, &w, &mut em);
            masked.copy_from_slice(&tw);
            mask_transitions(&mut masked);
            viterbi(&em, &masked, &[], &mut scratch, &mut pred);
            if pred != s.gold {
                for (i, (&g, &p)) in s.gold.iter().zip(&pred).enumerate() {
                    let prev_g = if i == 0 {
                        0
                    } else {
                        usize::from(s.gold[i - 1]) + 1
                    };
                    let prev_p = if i == 0 {
                        0
                    } else {
                        usize::from(pred[i - 1]) + 1
                    };
                    if g != p {
                        errors += 1;
                        for &f in &s.feats[s.offsets[i]..s.offsets[i + 1]] {
                            let base = f as usize * NT;
                            w[base + usize::from(g)] += 1.0;
                            u[base + usize::from(g)] += c;
                            w[base + usize::from(p)] -= 1.0;
                            u[base + usize::from(p)] -= c;
                        }
                    }
                    if g != p || prev_g != prev_p {
                        let (a, b) = (prev_g * NT + usize::from(g), prev_p * NT + usize::from(p));
                        tw[a] += 1.0;
                        tu[a] += c;
                        tw[b] -= 1.0;
                        tu[b] -= c;
                    }
                }
            }
            c += 1.0;
        }
        let mut line = format!("  epoch {epoch}: {errors} token errors");
        if !dev.is_empty() {
            let trained = Trained {
                w: averaged(&w, &u, c),
                t: averaged(&tw, &tu, c),
            };
            line.push_str(&format!("; dev {}", f1_line(&trained.score(dev))));
        }
        log(&line);
    }
    Trained {
        w: averaged(&w, &u, c),
        t: averaged(&tw, &tu, c),
    }
}

/// Trains a model; `log` receives one line per step (dev scores per epoch).
pub fn train(opts: &TrainOptions, log: &mut dyn FnMut(&str)) -> Result<TrainOutcome, NerError> {
    let train_text = read_to_string(&opts.train)?;
    let train_docs = conll::read(&train_text);
    if train_docs.is_empty() {
        return Err(NerError::Conll {
            path: opts.train.display().to_string(),
            line: 0,
            message: "no sentences".into(),
        });
    }
    let dev_text = opts.dev.as_deref().map(read_to_string).transpose()?;
    let dev_docs = dev_text.as_deref().map(conll::read).unwrap_or_default();

    let mut lex = Lexicon::default();
    load_gazetteers(&opts.gazetteers, &mut lex)?;
    lex.cap_prior = cap_prior(&train_docs);
    log(&format!(
        "lexicon: {} gazetteer phrases (longest {}), {} capitalisation priors",
        lex.phrases.len(),
        lex.max_phrase_len,
        lex.cap_prior.len()
    ));

    let mut fids = FeatureIds::default();
    let data = encode_docs(&train_docs, &lex, None, &mut fids, true);
    let dev = encode_docs(&dev_docs, &lex, None, &mut fids, false);
    let nrows1 = fids.keys.len();
    log(&format!(
        "{} training sentences, {} stage-one features",
        data.len(),
        nrows1
    ));
    let all: Vec<&Encoded> = data.iter().collect();
    log("stage one");
    let first = perceptron(&all, nrows1, opts, &dev, log);
    let mut stages = vec![first];
    if opts.folds > 1 {
        // Stage-one tags of the training data come from models that did not
        // see the document (jackknifing), so stage two learns how far to
        // trust them on unseen text.
        let mut stage1 = vec![Vec::new(); train_docs.len()];
        for k in 0..opts.folds {
            let (held, rest): (Vec<&Encoded>, Vec<&Encoded>) =
                data.iter().partition(|s| s.doc % opts.folds == k);
            log(&format!("stage one, fold {}/{}", k + 1, opts.folds));
            let model = perceptron(&rest, nrows1, opts, &[], &mut |_| {});
            for (d, tags) in model
                .predict(&held, train_docs.len())
                .into_iter()
                .enumerate()
            {
                if d % opts.folds == k {
                    stage1[d] = tags;
                }
            }
        }
        let dev_refs: Vec<&Encoded> = dev.iter().collect();
        let dev_stage1 = stages[0].predict(&dev_refs, dev_docs.len());
        let data2 = encode_docs(&train_docs, &lex, Some(&stage1), &mut fids, true);
        let dev2 = encode_docs(&dev_docs, &lex, Some(&dev_stage1), &mut fids, false);
        log(&format!("stage two: {} features", fids.keys.len()));
        let all2: Vec<&Encoded> = data2.iter().collect();
        stages.push(perceptron(&all2, fids.keys.len(), opts, &dev2, log));
    }
    let dense: Vec<DenseStage<'_>> = stages
        .iter()
        .map(|s| DenseStage {
            weights: &s.w,
            trans: &s.t,
        })
        .collect();
    let model = encode(&lex, &fids.keys, &dense, opts.prune);
    let tagger = NerTagger::from_model(Model::from_bytes(&model)?);
    let dev = dev_text.as_deref().map(|t| tagger.evaluate(t));
    Ok(TrainOutcome { model, dev })
}
