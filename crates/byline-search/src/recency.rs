//! The opt-in recency boost of [`SearchRequest::recency`](crate::SearchRequest):
//! relevance scores multiplied by a decay on an article's age.

use tantivy::collector::{Collector, TopDocs};
use tantivy::{DateTime, DocAddress, DocId, Score, SegmentReader};

/// Age at which the boost falls halfway to its floor, in days.
pub const RECENCY_HALF_LIFE_DAYS: f64 = 30.0;
/// The multiplier for very old and undated articles: old news still shows
/// if it matches far better.
pub const RECENCY_FLOOR: f64 = 0.25;

/// The multiplier for an article `age_days` older than the newest article
/// in the index: `FLOOR + (1 − FLOOR) · 2^(−age / HALF_LIFE)`, so 1 for the
/// newest, 0.625 a month older, 0.34 three months older; `FLOOR` undated.
pub fn recency_factor(age_days: Option<f64>) -> f64 {
    match age_days {
        Some(age) => {
            let age = age.max(0.0);
            RECENCY_FLOOR + (1.0 - RECENCY_FLOOR) * (-age / RECENCY_HALF_LIFE_DAYS).exp2()
        }
        None => RECENCY_FLOOR,
    }
}

/// A top-docs collector whose scores carry the recency factor, read per
/// document from the `published` fast field while collecting (no hit is
/// collected in full). `newest` is the index's latest publication date.
pub(crate) fn recency_collector(
    top: TopDocs,
    newest: Option<DateTime>,
) -> impl Collector<Fruit = Vec<(Score, DocAddress)>> {
    let newest = newest.map(|d| d.into_timestamp_secs());
    top.tweak_score(move |segment: &SegmentReader| {
        let published = segment.fast_fields().date("published").ok();
        move |doc: DocId, score: Score| {
            let age_days = match (&published, newest) {
                (Some(column), Some(newest)) => column
                    .first(doc)
                    .map(|d| (newest - d.into_timestamp_secs()) as f64 / 86_400.0),
                _ => None,
            };
            score * recency_factor(age_days) as Score
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_factor_halves_towards_the_floor_every_half_life() {
        assert_eq!(recency_factor(Some(0.0)), 1.0);
        assert!((recency_factor(Some(30.0)) - 0.625).abs() < 1e-9);
        assert!((recency_factor(Some(60.0)) - 0.4375).abs() < 1e-9);
        assert_eq!(recency_factor(None), RECENCY_FLOOR);
        assert!(recency_factor(Some(10_000.0)) > RECENCY_FLOOR - 1e-9);
    }
}
