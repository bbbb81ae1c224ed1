//! Terminal formatting: colour only on a terminal, numbers people can read, bar charts.

use std::io::{IsTerminal, Write};
use std::ops::Range;

use byline_search::Hit;
use serde::Serialize;

use crate::cli::ColorChoice;

/// Whether and how to style text written to stdout.
pub struct Style {
    color: bool,
}

impl Style {
    /// Colour on a terminal unless NO_COLOR is set, or as the user chose.
    pub fn for_stdout(choice: ColorChoice) -> Style {
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            }
        };
        Style { color }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    /// Bold text.
    pub fn bold(&self, text: &str) -> String {
        self.paint("1", text)
    }

    /// Dimmed text, for metadata.
    pub fn dim(&self, text: &str) -> String {
        self.paint("2", text)
    }

    /// Text with the given byte ranges highlighted; plain when not colouring.
    pub fn highlight(&self, text: &str, ranges: &[Range<usize>]) -> String {
        if !self.color {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len() + ranges.len() * 12);
        let mut at = 0;
        for r in ranges {
            if r.start < at
                || r.end > text.len()
                || !text.is_char_boundary(r.start)
                || !text.is_char_boundary(r.end)
            {
                continue;
            }
            out.push_str(&text[at..r.start]);
            out.push_str(&self.paint("1;33", &text[r.clone()]));
            at = r.end;
        }
        out.push_str(&text[at..]);
        out
    }
}

/// One JSON line per hit: the stable shape scripts rely on.
#[derive(Serialize)]
struct JsonHit<'a> {
    id: &'a str,
    path: &'a str,
    title: &'a str,
    published: Option<String>,
    score: f32,
    snippet: &'a str,
    highlights: Vec<[usize; 2]>,
    people: &'a [String],
    places: &'a [String],
    orgs: &'a [String],
    /// Other copies collapsed into this hit (0 with `--all`); search only.
    #[serde(skip_serializing_if = "Option::is_none")]
    similar: Option<usize>,
    /// Their ids; search only.
    #[serde(skip_serializing_if = "Option::is_none")]
    duplicates: Option<&'a [String]>,
}

/// Writes a hit as one JSON line; `copies` (the ids collapsed into it) is
/// given by `search`, which collapses copies, and `None` elsewhere.
pub fn write_json_hit(
    out: &mut impl Write,
    hit: &Hit,
    copies: Option<&[String]>,
) -> std::io::Result<()> {
    let line = JsonHit {
        id: &hit.id,
        path: &hit.path,
        title: &hit.title,
        published: hit
            .published
            .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        score: hit.score,
        snippet: &hit.snippet.text,
        highlights: hit
            .snippet
            .highlights
            .iter()
            .map(|r| [r.start, r.end])
            .collect(),
        people: &hit.people,
        places: &hit.places,
        orgs: &hit.orgs,
        similar: copies.map(<[String]>::len),
        duplicates: copies,
    };
    serde_json::to_writer(&mut *out, &line)?;
    writeln!(out)
}

/// `12345` → `12,345`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// One line per period: label, a bar scaled to the largest count, the count.
/// Empty periods keep their line so gaps in coverage show.
pub fn bar_chart(rows: &[(String, u64)], width: usize) -> Vec<String> {
    let max = rows.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let label_width = rows
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    rows.iter()
        .map(|(label, n)| {
            // Eighth-blocks give the bar finer steps than whole characters.
            let eighths = (*n as f64 / max as f64 * (width * 8) as f64).round() as usize;
            let mut bar = "█".repeat(eighths / 8);
            if eighths % 8 > 0 {
                bar.push(['▏', '▎', '▍', '▌', '▋', '▊', '▉'][eighths % 8 - 1]);
            }
            if *n > 0 && bar.is_empty() {
                bar.push('▏');
            }
            format!("{label:<label_width$} │{bar:<width$} {}", thousands(*n))
        })
        .collect()
}

/// An error and its causes on one line: `indexing into x: no such file…`.
pub fn error_chain(err: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in err.chain() {
        let text = cause.to_string();
        // Skip causes already quoted by the message above them.
        if !parts.last().is_some_and(|p| p.contains(&text)) {
            parts.push(text);
        }
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(19043), "19,043");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }

    #[test]
    fn bars_scale_to_the_largest_and_keep_empty_rows() {
        let rows = vec![
            ("1987-02".to_string(), 10),
            ("1987-03".to_string(), 0),
            ("1987-04".to_string(), 5),
        ];
        let lines = bar_chart(&rows, 10);
        assert_eq!(lines.len(), 3);
        assert!(lines[0].contains(&"█".repeat(10)));
        assert!(!lines[1].contains('█'));
        assert!(lines[2].contains(&"█".repeat(5)) && !lines[2].contains(&"█".repeat(6)));
    }

    #[test]
    fn highlight_is_plain_without_colour() {
        let style = Style { color: false };
        assert_eq!(
            style.highlight("the siege", &[Range { start: 4, end: 9 }]),
            "the siege"
        );
        let style = Style { color: true };
        assert_eq!(
            style.highlight("the siege", &[Range { start: 4, end: 9 }]),
            "the \x1b[1;33msiege\x1b[0m"
        );
    }
}
