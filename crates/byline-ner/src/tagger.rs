//! The public tagger: raw text in, [`Mention`]s with byte offsets out.

use std::cell::RefCell;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::conll::{self, bilou_spans, iob_spans, score_sentence, Score, KINDS, NT};
use crate::features::{
    casing, sentence_features, sentence_features_with_casings, DocContext, DocPredictions, Lexicon,
    Scratch,
};
use crate::model::{viterbi, DecodeScratch, Model, WordCache};
use crate::tokenize::tokenize;
use crate::{EntityKind, Mention, NerError};

/// The model trained by `byline-ner-train`, embedded at build time.
static DEFAULT_MODEL: &[u8] = include_bytes!("../model/ner.bin");

/// A named-entity tagger (averaged structured perceptron over BILOU tags
/// with Viterbi decoding). Cheap to share: tagging takes `&self`.
pub struct NerTagger {
    model: Model,
    /// Distinguishes this tagger's per-thread buffers (their word cache
    /// holds this model's weights) from other taggers'.
    id: u64,
}

/// Source of [`NerTagger`] ids.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

thread_local! {
    /// Buffers reused by [`NerTagger::tag`] on this thread, with the id of
    /// the tagger they were last used by.
    static BUFFERS: RefCell<(u64, Buffers)> = RefCell::new((0, Buffers::default()));
}

/// Emission score of every tag but O for an inert token (see
/// `features::Scratch::inert`).
const INERT_PENALTY: f32 = -1e9;

/// Reusable per-call buffers.
#[derive(Default)]
pub(crate) struct Buffers {
    scratch: Scratch,
    decode: DecodeScratch,
    feats: Vec<u64>,
    offsets: Vec<usize>,
    /// Model rows of the current sentence's features.
    rows: Vec<u32>,
    /// Emission scores of the current sentence, per stage.
    emissions: [Vec<f32>; 2],
    tags: Vec<u8>,
    /// Casing classes of the current document's tokens.
    casings: Vec<u8>,
    /// The current document's context (reused from document to document).
    doc: DocContext,
    /// Word-only weight sums of a one-stage model (see
    /// [`Model::emissions_cached`]).
    words: WordCache,
}

/// Runs feature extraction over a document and calls `f` with each
/// sentence's index, features and per-token feature offsets.
pub(crate) fn for_each_sentence_features<S: AsRef<str>>(
    sentences: &[Vec<S>],
    lex: &Lexicon,
    doc: &DocContext,
    buf: &mut Buffers,
    mut f: impl FnMut(usize, &[u64], &[usize], &mut Buffers),
) {
    let mut feats = std::mem::take(&mut buf.feats);
    let mut offsets = std::mem::take(&mut buf.offsets);
    for (i, sent) in sentences.iter().enumerate() {
        sentence_features(sent, lex, doc, &mut buf.scratch, &mut feats, &mut offsets);
        f(i, &feats, &offsets, buf);
    }
    buf.feats = feats;
    buf.offsets = offsets;
}

impl NerTagger {
    /// Loads the model embedded in the crate (`model/ner.bin`).
    pub fn load_default() -> Result<NerTagger, NerError> {
        NerTagger::from_bytes(DEFAULT_MODEL)
    }

    /// Loads a model from the bytes written by `byline-ner-train`.
    pub fn from_bytes(bytes: &[u8]) -> Result<NerTagger, NerError> {
        Ok(NerTagger::from_model(Model::from_bytes(bytes)?))
    }

    pub(crate) fn from_model(model: Model) -> NerTagger {
        NerTagger {
            model,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
        }
    }

    /// Tags every sentence of one document; `f` receives each sentence's
    /// index and its model tags.
    ///
    /// One pass extracts the features, scores both stages and decodes stage
    /// one; with two stages, a second pass adds the features that look at
    /// stage one's tags of the whole document and decodes stage two.
    pub(crate) fn tag_document<S: AsRef<str>>(
        &self,
        sentences: &[Vec<S>],
        buf: &mut Buffers,
        mut f: impl FnMut(usize, &[u8]),
    ) {
        let model = &self.model;
        // Casing classes of every token, computed once for the document
        // context and the features.
        let mut casings = std::mem::take(&mut buf.casings);
        casings.clear();
        casings.extend(sentences.iter().flatten().map(|t| casing(t.as_ref()) as u8));
        let mut doc = std::mem::take(&mut buf.doc);
        doc.rebuild(sentences, &casings);
        let two_stages = model.stages() > 1;
        // Stage-one tags and partial stage-two scores of every sentence.
        let mut stage1: Vec<Vec<u8>> = Vec::new();
        let mut partial: Vec<f32> = Vec::new();
        buf.scratch.skip_inert = true;
        let mut feats = std::mem::take(&mut buf.feats);
        let mut offsets = std::mem::take(&mut buf.offsets);
        let mut start = 0;
        for (i, sent) in sentences.iter().enumerate() {
            let sent_casings = &casings[start..start + sent.len()];
            start += sent.len();
            // With one stage, words whose word-only weights are cached get
            // only their context features (see `Model::emissions_cached`).
            let cache = &buf.words;
            sentence_features_with_casings(
                sent,
                sent_casings,
                &model.lex,
                &doc,
                &mut buf.scratch,
                &mut feats,
                &mut offsets,
                |w| !two_stages && cache.contains(w),
            );
            let (feats, offs) = (&feats[..], &offsets[..]);
            if !two_stages && buf.scratch.inert.iter().all(|&x| x) {
                // Nothing but lower-case words and punctuation: all O.
                buf.tags.clear();
                buf.tags.resize(buf.scratch.inert.len(), 0);
                f(i, &buf.tags);
                continue;
            }
            if two_stages {
                model.emissions(feats, offs, &mut buf.rows, &mut buf.emissions);
            } else {
                model.emissions_cached(
                    feats,
                    offs,
                    &buf.scratch.words,
                    &mut buf.words,
                    &mut buf.rows,
                    &mut buf.emissions[0],
                );
            }
            // Inert tokens got no features: they can only be O. With one
            // stage the decoder forces them to O itself.
            if two_stages {
                for (t, _) in buf.scratch.inert.iter().enumerate().filter(|(_, &x)| x) {
                    for em in &mut buf.emissions {
                        if let Some(scores) = em.get_mut(t * NT..(t + 1) * NT) {
                            scores.fill(INERT_PENALTY);
                            scores[0] = 0.0;
                        }
                    }
                }
            }
            viterbi(
                &buf.emissions[0],
                model.transitions(0),
                if two_stages { &[] } else { &buf.scratch.inert },
                &mut buf.decode,
                &mut buf.tags,
            );
            if two_stages {
                stage1.push(buf.tags.clone());
                partial.extend_from_slice(&buf.emissions[1]);
            } else {
                f(i, &buf.tags);
            }
        }
        buf.feats = feats;
        buf.offsets = offsets;
        buf.casings = casings;
        buf.doc = doc;
        if !two_stages {
            return;
        }
        let preds = DocPredictions::build(sentences, &stage1);
        let mut start = 0;
        for (i, sent) in sentences.iter().enumerate() {
            let scores = &mut partial[start * NT..(start + sent.len()) * NT];
            start += sent.len();
            preds.sentence_features(sent, &stage1[i], &mut buf.feats, &mut buf.offsets);
            model.add_emissions(1, &buf.feats, &buf.offsets, scores);
            viterbi(
                scores,
                model.transitions(1),
                &[],
                &mut buf.decode,
                &mut buf.tags,
            );
            f(i, &buf.tags);
        }
    }

    /// Finds the people, places, organisations and other names in an
    /// article. The text is split into sentences and tokens first; the whole
    /// text is treated as one document. Spans are byte offsets into `text`.
    pub fn tag(&self, text: &str) -> Vec<Mention> {
        let spans = tokenize(text);
        let sentences: Vec<Vec<&str>> = spans
            .iter()
            .map(|s| s.iter().map(|r| &text[r.clone()]).collect())
            .collect();
        let mut mentions = Vec::new();
        BUFFERS.with(|cell| match cell.try_borrow_mut() {
            Ok(mut b) => {
                if b.0 != self.id {
                    *b = (self.id, Buffers::default());
                }
                self.tag_spans(text, &spans, &sentences, &mut b.1, &mut mentions);
            }
            Err(_) => {
                let mut buf = Buffers::default();
                self.tag_spans(text, &spans, &sentences, &mut buf, &mut mentions);
            }
        });
        mentions
    }

    /// [`NerTagger::tag`] given the tokenisation.
    fn tag_spans(
        &self,
        text: &str,
        spans: &[Vec<std::ops::Range<usize>>],
        sentences: &[Vec<&str>],
        buf: &mut Buffers,
        mentions: &mut Vec<Mention>,
    ) {
        self.tag_document(sentences, buf, |i, tags| {
            let toks = &spans[i];
            for (s, e, k) in bilou_spans(tags) {
                let start = toks[s].start;
                let end = toks[e - 1].end;
                let mut surface = String::with_capacity(end - start);
                for (j, r) in toks[s..e].iter().enumerate() {
                    if j > 0 && toks[s + j - 1].end < r.start {
                        surface.push(' ');
                    }
                    surface.push_str(&text[r.clone()]);
                }
                mentions.push(Mention {
                    text: surface,
                    kind: KINDS[k],
                    start,
                    end,
                });
            }
        });
    }

    /// Tags a CoNLL-2003 file's tokens (as given, not re-tokenised, one
    /// `-DOCSTART-` document at a time) and scores the mentions against its
    /// gold tags the way conlleval does: a mention counts only if its span
    /// and type are both exact.
    pub fn evaluate(&self, conll_text: &str) -> EvalReport {
        let docs = conll::read(conll_text);
        let started = Instant::now();
        let mut scores = [Score::default(); 4];
        let mut tokens = 0;
        let mut sentences = 0;
        let mut buf = Buffers::default();
        for doc in &docs {
            let toks: Vec<Vec<&str>> = doc.iter().map(|s| s.tokens.clone()).collect();
            self.tag_document(&toks, &mut buf, |i, tags| {
                let gold = iob_spans(&doc[i].tags);
                score_sentence(&gold, &bilou_spans(tags), &mut scores);
                tokens += tags.len();
                sentences += 1;
            });
        }
        EvalReport::new(scores, tokens, sentences, started.elapsed())
    }
}

/// conlleval-style scores of a tagger on annotated text.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalReport {
    /// Scores per entity type, in the order PER, LOC, ORG, MISC.
    pub per_kind: Vec<(EntityKind, Score)>,
    /// Scores over all four types together.
    pub overall: Score,
    /// Tokens tagged.
    pub tokens: usize,
    /// Sentences tagged.
    pub sentences: usize,
    /// Time spent tagging (feature extraction and decoding, not reading).
    pub elapsed: Duration,
}

impl EvalReport {
    pub(crate) fn new(
        scores: [Score; 4],
        tokens: usize,
        sentences: usize,
        elapsed: Duration,
    ) -> Self {
        let mut overall = Score::default();
        for s in &scores {
            overall.add(s);
        }
        EvalReport {
            per_kind: KINDS.iter().copied().zip(scores).collect(),
            overall,
            tokens,
            sentences,
            elapsed,
        }
    }

    /// The score for one entity type.
    pub fn kind(&self, kind: EntityKind) -> Score {
        self.per_kind
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, s)| *s)
            .unwrap_or_default()
    }

    /// Tagging throughput.
    pub fn tokens_per_second(&self) -> f64 {
        self.tokens as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

fn kind_label(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Person => "PER",
        EntityKind::Location => "LOC",
        EntityKind::Organization => "ORG",
        EntityKind::Misc => "MISC",
    }
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<8} {:>9} {:>7} {:>7} {:>6} {:>9} {:>7}",
            "type", "precision", "recall", "F1", "gold", "predicted", "correct"
        )?;
        let rows = self
            .per_kind
            .iter()
            .map(|(k, s)| (kind_label(*k), s))
            .chain(std::iter::once(("overall", &self.overall)));
        for (label, s) in rows {
            writeln!(
                f,
                "{:<8} {:>9.4} {:>7.4} {:>7.4} {:>6} {:>9} {:>7}",
                label,
                s.precision(),
                s.recall(),
                s.f1(),
                s.gold,
                s.predicted,
                s.correct
            )?;
        }
        write!(
            f,
            "{} tokens, {} sentences in {:.3} s ({:.0} tokens/s)",
            self.tokens,
            self.sentences,
            self.elapsed.as_secs_f64(),
            self.tokens_per_second()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tagger_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<NerTagger>();
    }

    #[test]
    fn cached_emissions_equal_plain_ones() {
        let tagger = NerTagger::load_default().unwrap();
        let model = &tagger.model;
        let text = "Kerry met Lavrov in Geneva. The U.S. and Russia said Kerry's talks with \
                    Lavrov in GENEVA went well, Kerry said.";
        let sentences: Vec<Vec<&str>> = tokenize(text)
            .iter()
            .map(|s| s.iter().map(|r| &text[r.clone()]).collect())
            .collect();
        let doc = DocContext::build(&sentences);
        let mut buf = Buffers::default();
        buf.scratch.skip_inert = true;
        // Twice: the second pass reads the word sums cached by the first.
        for _ in 0..2 {
            for sent in &sentences {
                let (mut feats, mut offs) = (Vec::new(), Vec::new());
                sentence_features(
                    sent,
                    &model.lex,
                    &doc,
                    &mut buf.scratch,
                    &mut feats,
                    &mut offs,
                );
                model.emissions(&feats, &offs, &mut buf.rows, &mut buf.emissions);
                let mut cached = Vec::new();
                let words = buf.scratch.words.clone();
                model.emissions_cached(
                    &feats,
                    &offs,
                    &words,
                    &mut buf.words,
                    &mut buf.rows,
                    &mut cached,
                );
                assert_eq!(cached, buf.emissions[0]);
            }
        }
    }

    #[test]
    fn report_table() {
        let s = Score {
            gold: 4,
            predicted: 2,
            correct: 2,
        };
        let r = EvalReport::new([s; 4], 100, 10, Duration::from_millis(10));
        assert_eq!(r.overall.gold, 16);
        assert!((r.kind(EntityKind::Location).f1() - 2.0 / 3.0).abs() < 1e-9);
        let table = r.to_string();
        assert!(table.contains("overall"));
        assert!(table.contains("MISC"));
        assert!(table.contains("10000 tokens/s"));
    }
}
