//! byline-bench holds the helpers behind byline's benchmark programs: reading
//! the shared query set, summarising latencies (median, percentiles, mean) and
//! printing them as a plain-text table.
//!
//! The programs themselves live in `src/bin/`; `benches/run.sh` runs them
//! together with the indexing and command-line measurements. [`scale`]
//! generates the synthetic scale corpora (`gen-corpus`).

pub mod scale;

use std::collections::HashMap;

use anyhow::{bail, Context};
use serde::Serialize;

/// Category given to queries that the category file does not list.
pub const UNCATEGORISED: &str = "-";

/// Queries of a query file: one per line, blank lines and `#` comments left out.
pub fn parse_queries(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// Query → category, from a tab-separated file whose header names a `query`
/// and a `category` column (as `shared/bench/queries.tsv` does).
pub fn parse_categories(tsv: &str) -> anyhow::Result<HashMap<String, String>> {
    let mut lines = tsv.lines();
    let header: Vec<&str> = lines
        .next()
        .context("empty category file")?
        .split('\t')
        .collect();
    let column = |name: &str| {
        header
            .iter()
            .position(|c| c.trim() == name)
            .with_context(|| format!("no `{name}` column in the header"))
    };
    let (query_col, category_col) = (column("query")?, column("category")?);
    let mut categories = HashMap::new();
    for (n, line) in lines.enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let cells: Vec<&str> = line.split('\t').collect();
        match (cells.get(query_col), cells.get(category_col)) {
            (Some(query), Some(category)) => {
                categories.insert(query.trim().to_owned(), category.trim().to_owned());
            }
            _ => bail!("line {}: fewer columns than the header", n + 2),
        }
    }
    Ok(categories)
}

/// The `p`-th percentile (0 < p ≤ 100) of `sorted` by the nearest-rank method:
/// the smallest value with at least `p`% of the values at or below it.
///
/// `sorted` must be in ascending order; `None` when it is empty.
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

/// The median of `values` (the mean of the middle two for an even count).
pub fn median(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

/// Latency summary of a set of measurements, in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Summary {
    /// How many measurements.
    pub count: usize,
    /// 50th percentile (nearest rank).
    pub p50: f64,
    /// 95th percentile (nearest rank).
    pub p95: f64,
    /// 99th percentile (nearest rank).
    pub p99: f64,
    /// Arithmetic mean.
    pub mean: f64,
    /// Largest value.
    pub max: f64,
}

impl Summary {
    /// Summarises `micros`; `None` when there are none.
    pub fn of(micros: &[f64]) -> Option<Summary> {
        let mut sorted = micros.to_vec();
        sorted.sort_by(f64::total_cmp);
        Some(Summary {
            count: sorted.len(),
            p50: percentile(&sorted, 50.0)?,
            p95: percentile(&sorted, 95.0)?,
            p99: percentile(&sorted, 99.0)?,
            mean: sorted.iter().sum::<f64>() / sorted.len() as f64,
            max: *sorted.last()?,
        })
    }
}

/// A duration in microseconds for people: `850 µs`, `1.24 ms`, `2.10 s`.
pub fn format_micros(micros: f64) -> String {
    if micros < 1_000.0 {
        format!("{micros:.0} µs")
    } else if micros < 1_000_000.0 {
        format!("{:.2} ms", micros / 1_000.0)
    } else {
        format!("{:.2} s", micros / 1_000_000.0)
    }
}

/// A plain-text table: the first column left-aligned, the others right-aligned,
/// columns separated by two spaces, a dashed rule under the header.
pub fn render_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let rule: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
    let mut out = render_row(header.iter().copied(), &widths);
    out += &render_row(rule.iter().map(String::as_str), &widths);
    for row in rows {
        out += &render_row(row.iter().map(String::as_str), &widths);
    }
    out
}

/// One line of [`render_table`], padded to `widths`.
fn render_row<'a>(cells: impl Iterator<Item = &'a str>, widths: &[usize]) -> String {
    let padded: Vec<String> = cells
        .zip(widths)
        .enumerate()
        .map(|(i, (cell, &width))| {
            let pad = " ".repeat(width.saturating_sub(cell.chars().count()));
            if i == 0 {
                format!("{cell}{pad}")
            } else {
                format!("{pad}{cell}")
            }
        })
        .collect();
    padded.join("  ").trim_end().to_owned() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_uses_nearest_rank() {
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&values, 50.0), Some(50.0));
        assert_eq!(percentile(&values, 95.0), Some(95.0));
        assert_eq!(percentile(&values, 99.0), Some(99.0));
        assert_eq!(percentile(&values, 100.0), Some(100.0));
        assert_eq!(percentile(&[7.0], 99.0), Some(7.0));
        assert_eq!(percentile(&[1.0, 2.0, 3.0, 4.0, 5.0], 95.0), Some(5.0));
        assert_eq!(percentile(&[1.0, 2.0, 3.0, 4.0, 5.0], 50.0), Some(3.0));
        assert_eq!(percentile(&[], 50.0), None);
    }

    #[test]
    fn median_averages_the_middle_pair() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn summary_of_unsorted_values() {
        let s = Summary::of(&[40.0, 10.0, 30.0, 20.0]).unwrap();
        assert_eq!((s.count, s.p50, s.p95, s.p99), (4, 20.0, 40.0, 40.0));
        assert_eq!((s.mean, s.max), (25.0, 40.0));
        assert_eq!(Summary::of(&[]), None);
    }

    #[test]
    fn durations_read_in_the_right_unit() {
        assert_eq!(format_micros(850.4), "850 µs");
        assert_eq!(format_micros(1_240.0), "1.24 ms");
        assert_eq!(format_micros(2_100_000.0), "2.10 s");
    }

    #[test]
    fn table_aligns_columns() {
        let rows = vec![
            vec!["term".to_owned(), "850 µs".to_owned()],
            vec!["phrase+term".to_owned(), "1.24 ms".to_owned()],
        ];
        let table = render_table(&["category", "p50"], &rows);
        assert_eq!(
            table,
            "category         p50\n\
             -----------  -------\n\
             term          850 µs\n\
             phrase+term  1.24 ms\n"
        );
    }

    #[test]
    fn categories_come_from_the_header_columns() {
        let tsv = "category\tband\tfreq\tquery\nterm\trare\t9\tabrupt\nphrase\t-\t3\t\"foreign exchange\"\n";
        let categories = parse_categories(tsv).unwrap();
        assert_eq!(categories["abrupt"], "term");
        assert_eq!(categories["\"foreign exchange\""], "phrase");
        assert!(parse_categories("query\nabrupt\n").is_err());
        assert_eq!(
            parse_queries("abrupt\n\n# note\n title:swiss \n"),
            ["abrupt", "title:swiss"]
        );
    }
}
