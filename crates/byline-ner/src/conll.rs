//! CoNLL-2003 files (token POS chunk tag, IOB2), the BILOU tag set the model
//! predicts, and conlleval-style span decoding and scoring.

use crate::EntityKind;

/// One sentence: tokens and their gold IOB tags, borrowed from the file.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Sentence<'a> {
    pub(crate) tokens: Vec<&'a str>,
    pub(crate) tags: Vec<&'a str>,
}

/// One `-DOCSTART-` document.
pub(crate) type Document<'a> = Vec<Sentence<'a>>;

/// Reads CoNLL text: one token per line with the NER tag in the last
/// column, blank lines between sentences, `-DOCSTART-` lines between
/// documents. Only the first and last columns are used.
pub(crate) fn read(text: &str) -> Vec<Document<'_>> {
    let mut docs: Vec<Document<'_>> = Vec::new();
    let mut doc: Document<'_> = Vec::new();
    let mut sent = Sentence::default();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            if !sent.tokens.is_empty() {
                doc.push(std::mem::take(&mut sent));
            }
            continue;
        }
        if line.starts_with("-DOCSTART-") {
            if !sent.tokens.is_empty() {
                doc.push(std::mem::take(&mut sent));
            }
            if !doc.is_empty() {
                docs.push(std::mem::take(&mut doc));
            }
            continue;
        }
        let mut cols = line.split_whitespace();
        let token = cols.next().unwrap_or_default();
        let tag = cols.next_back().unwrap_or("O");
        sent.tokens.push(token);
        sent.tags.push(tag);
    }
    if !sent.tokens.is_empty() {
        doc.push(sent);
    }
    if !doc.is_empty() {
        docs.push(doc);
    }
    docs
}

/// Number of model tags: O plus B, I, L, U for each of the four types.
pub(crate) const NT: usize = 17;

/// Entity types in tag order.
pub(crate) const KINDS: [EntityKind; 4] = [
    EntityKind::Person,
    EntityKind::Location,
    EntityKind::Organization,
    EntityKind::Misc,
];

/// Position of a token in a BILOU mention.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Pos {
    Begin = 0,
    Inside = 1,
    Last = 2,
    Unit = 3,
}

/// Model tag id for `pos` in a mention of type `kind` (index into [`KINDS`]).
pub(crate) fn tag_id(kind: usize, pos: Pos) -> u8 {
    (1 + 4 * kind + pos as usize) as u8
}

/// Type index and position of a model tag; `None` for O.
pub(crate) fn tag_parts(tag: u8) -> Option<(usize, Pos)> {
    if tag == 0 {
        return None;
    }
    let t = usize::from(tag - 1);
    let pos = match t % 4 {
        0 => Pos::Begin,
        1 => Pos::Inside,
        2 => Pos::Last,
        _ => Pos::Unit,
    };
    Some((t / 4, pos))
}

/// Whether tag `cur` may follow tag `prev` (`None` = sentence start).
pub(crate) fn allowed(prev: Option<u8>, cur: u8) -> bool {
    let open = prev
        .and_then(tag_parts)
        .filter(|(_, p)| matches!(p, Pos::Begin | Pos::Inside));
    match (open, tag_parts(cur)) {
        (Some((k, _)), Some((k2, Pos::Inside | Pos::Last))) => k == k2,
        (Some(_), _) => false,
        (None, Some((_, Pos::Inside | Pos::Last))) => false,
        (None, _) => true,
    }
}

/// Whether a sentence may end on `tag`.
pub(crate) fn allowed_last(tag: u8) -> bool {
    !matches!(tag_parts(tag), Some((_, Pos::Begin | Pos::Inside)))
}

fn kind_index(name: &str) -> Option<usize> {
    match name {
        "PER" => Some(0),
        "LOC" => Some(1),
        "ORG" => Some(2),
        "MISC" => Some(3),
        _ => None,
    }
}

/// A mention as a token range `[start, end)` and a type index.
pub(crate) type TokenSpan = (usize, usize, usize);

/// Decodes IOB tags (IOB1 or IOB2) into mentions the way conlleval does: a
/// mention starts at `B-X`, or at `I-X` after `O` or after another type, and
/// ends before `O`, `B-`, or a change of type. Unknown types count as O.
pub(crate) fn iob_spans(tags: &[&str]) -> Vec<TokenSpan> {
    let mut spans = Vec::new();
    let mut open: Option<(usize, usize)> = None; // (start, kind)
    for (i, tag) in tags.iter().enumerate() {
        let (prefix, kind) = match tag.split_once('-') {
            Some((p, k)) => (p, kind_index(k)),
            None => ("O", None),
        };
        let continues =
            matches!((open, kind), (Some((_, k)), Some(k2)) if k == k2 && prefix == "I");
        if !continues {
            if let Some((s, k)) = open.take() {
                spans.push((s, i, k));
            }
            if let Some(k) = kind {
                open = Some((i, k));
            }
        }
    }
    if let Some((s, k)) = open {
        spans.push((s, tags.len(), k));
    }
    spans
}

/// Converts IOB tags to model (BILOU) tag ids.
pub(crate) fn iob_to_bilou(tags: &[&str]) -> Vec<u8> {
    let mut out = vec![0u8; tags.len()];
    for (s, e, k) in iob_spans(tags) {
        if e - s == 1 {
            out[s] = tag_id(k, Pos::Unit);
        } else {
            out[s] = tag_id(k, Pos::Begin);
            for t in &mut out[s + 1..e - 1] {
                *t = tag_id(k, Pos::Inside);
            }
            out[e - 1] = tag_id(k, Pos::Last);
        }
    }
    out
}

/// Decodes model tags into mentions. Tolerates sequences the decoder would
/// not produce: an I or L without a B starts a mention, a B or I with no L
/// is closed where the type changes.
pub(crate) fn bilou_spans(tags: &[u8]) -> Vec<TokenSpan> {
    let mut spans = Vec::new();
    let mut open: Option<(usize, usize)> = None;
    for (i, &tag) in tags.iter().enumerate() {
        let parts = tag_parts(tag);
        let continues =
            matches!((open, parts), (Some((_, k)), Some((k2, Pos::Inside | Pos::Last))) if k == k2);
        if !continues {
            if let Some((s, k)) = open.take() {
                spans.push((s, i, k));
            }
            if let Some((k, _)) = parts {
                open = Some((i, k));
            }
        }
        if let (Some((s, k)), Some((_, Pos::Last | Pos::Unit))) = (open, parts) {
            spans.push((s, i + 1, k));
            open = None;
        }
    }
    if let Some((s, k)) = open {
        spans.push((s, tags.len(), k));
    }
    spans
}

/// Mention counts for one type (or all types together).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Score {
    /// Mentions in the gold annotation.
    pub gold: usize,
    /// Mentions the tagger found.
    pub predicted: usize,
    /// Predicted mentions whose span and type match a gold mention exactly.
    pub correct: usize,
}

impl Score {
    /// Precision: correct / predicted (0 when nothing was predicted).
    pub fn precision(&self) -> f64 {
        ratio(self.correct, self.predicted)
    }

    /// Recall: correct / gold (0 when there is no gold mention).
    pub fn recall(&self) -> f64 {
        ratio(self.correct, self.gold)
    }

    /// Harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    pub(crate) fn add(&mut self, other: &Score) {
        self.gold += other.gold;
        self.predicted += other.predicted;
        self.correct += other.correct;
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Adds the comparison of one sentence's gold and predicted mentions to
/// per-type scores.
pub(crate) fn score_sentence(gold: &[TokenSpan], pred: &[TokenSpan], scores: &mut [Score; 4]) {
    for &(_, _, k) in gold {
        scores[k].gold += 1;
    }
    for p in pred {
        scores[p.2].predicted += 1;
        if gold.contains(p) {
            scores[p.2].correct += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "-DOCSTART- -X- -X- O\n\nAnna NNP B-NP B-PER\nSmith NNP I-NP I-PER\nvisited VBD B-VP O\nOslo NNP B-NP B-LOC\n. . O O\n\nShe PRP B-NP O\nleft VBD B-VP O\n\n-DOCSTART- -X- -X- O\n\nACME NNP B-NP B-ORG\n";

    #[test]
    fn reads_documents_and_sentences() {
        let docs = read(SAMPLE);
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].len(), 2);
        assert_eq!(docs[0][0].tokens, ["Anna", "Smith", "visited", "Oslo", "."]);
        assert_eq!(docs[0][0].tags, ["B-PER", "I-PER", "O", "B-LOC", "O"]);
        assert_eq!(docs[1][0].tokens, ["ACME"]);
    }

    #[test]
    fn decodes_iob_like_conlleval() {
        assert_eq!(
            iob_spans(&["B-PER", "I-PER", "O", "B-LOC", "B-LOC", "I-LOC"]),
            vec![(0, 2, 0), (3, 4, 1), (4, 6, 1)]
        );
        // Malformed: I- without B- starts a mention; a type change splits.
        assert_eq!(
            iob_spans(&["I-ORG", "I-ORG", "I-PER", "O", "I-MISC"]),
            vec![(0, 2, 2), (2, 3, 0), (4, 5, 3)]
        );
    }

    #[test]
    fn bilou_round_trip_and_malformed() {
        let iob = ["B-PER", "I-PER", "I-PER", "O", "B-LOC", "B-LOC"];
        let bilou = iob_to_bilou(&iob);
        assert_eq!(bilou_spans(&bilou), iob_spans(&iob));
        let per = |p| tag_id(0, p);
        let org = |p| tag_id(2, p);
        // I without B, B without L, L of another type.
        assert_eq!(
            bilou_spans(&[
                per(Pos::Inside),
                per(Pos::Last),
                0,
                per(Pos::Begin),
                org(Pos::Last)
            ]),
            vec![(0, 2, 0), (3, 4, 0), (4, 5, 2)]
        );
    }

    #[test]
    fn transitions() {
        let b = tag_id(1, Pos::Begin);
        let l = tag_id(1, Pos::Last);
        assert!(allowed(None, b));
        assert!(!allowed(None, l));
        assert!(allowed(Some(b), l));
        assert!(!allowed(Some(b), tag_id(2, Pos::Last)));
        assert!(!allowed(Some(b), 0));
        assert!(allowed_last(l));
        assert!(!allowed_last(b));
    }

    #[test]
    fn scores() {
        let mut s = [Score::default(); 4];
        score_sentence(&[(0, 2, 0), (3, 4, 1)], &[(0, 2, 0), (3, 5, 1)], &mut s);
        assert_eq!(s[0].f1(), 1.0);
        assert_eq!((s[1].gold, s[1].predicted, s[1].correct), (1, 1, 0));
    }
}
