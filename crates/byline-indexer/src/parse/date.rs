//! Finding and reading publication dates in the forms news pages write them.
//!
//! Dates without a time zone are taken as UTC: a page rarely says which
//! zone it means, and a day-level filter is what users ask for.

use std::sync::LazyLock;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use regex::{Regex, RegexSet};

/// What a labelled date line says the date is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DateLabel {
    /// `Published:`, `Posted:`, `Date:`, `First published`.
    Published,
    /// No label: a line holding only a date.
    Bare,
    /// `Updated:`, `Last update:`, `Modified:`.
    Updated,
}

const MONTHS: &str = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";
const WEEKDAY: &str = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?";
const TIME: &str = r"(?:(?:\s*(?:-|,|at|\|)?\s*)(?P<h>\d{1,2})[:.](?P<mi>\d{2})(?::(?P<s>\d{2}))?\s*(?P<ampm>[ap]\.?m\.?)?(?:\s*(?P<tz>z|utc|gmt|[+-]\d{2}:?\d{2}))?)?";

/// One regex per written form; each captures year `y`, month `m` (number or
/// name) and day `d`, plus an optional time.
static FORMS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    FORM_PATTERNS
        .iter()
        .map(|p| Regex::new(&format!("(?i){p}")).expect("date pattern compiles"))
        .collect()
});

/// All of [`FORMS`] as one set: one DFA pass refuses a line that holds no
/// date (a year in prose, a table row), where trying the four forms took
/// four.
static ANY_FORM: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new(FORM_PATTERNS.iter().map(|p| format!("(?i){p}"))).expect("date patterns compile")
});

/// The written forms of [`FORMS`].
static FORM_PATTERNS: LazyLock<Vec<String>> = LazyLock::new(|| {
    vec![
        // 2016-08-27, 2016-08-27T02:17:00Z, 2016-08-27 02:17:00+02:00
        r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:[t ](?P<h>\d{2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?\s*(?P<tz>z|[+-]\d{2}:?\d{2})?)?".to_string(),
        // Sat, 27 Aug 2016 02:17:00 +0000 (RFC 2822) and 27 August 2016
        format!(r"{WEEKDAY}(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m>{MONTHS})\.?,?\s+(?P<y>\d{{4}}){TIME}"),
        // August 27, 2016 and Saturday, Aug. 27 2016, 2:17 pm
        format!(r"{WEEKDAY}(?P<m>{MONTHS})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}}){TIME}"),
        // Sat, 27/08/2016 - 02:17 and 27.08.2016 (day first, as most of the world writes it)
        format!(r"{WEEKDAY}(?P<d>\d{{1,2}})[/.](?P<m>\d{{1,2}})[/.](?P<y>\d{{4}}){TIME}"),
    ]
});

/// A date line's label. ("dateline" comes before "date": the first
/// alternative that matches is taken.)
static LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\s*(?:(?P<pub>published|posted|dateline|date|first published|created|issued)|(?P<upd>last updated?|updated|modified|last modified))\s*(?:on|at)?\s*[:\-–]?\s*",
    )
    .expect("label pattern compiles")
});

impl DateLabel {
    /// Preference when a page has several own dates: a publication date
    /// (labelled or bare) before an update date.
    pub fn rank(self) -> u8 {
        match self {
            DateLabel::Published | DateLabel::Bare => 0,
            DateLabel::Updated => 1,
        }
    }
}

/// Parses a string that holds one date (and maybe a time), such as a JSON
/// `published` value or a meta tag. Leading labels are ignored.
pub fn parse_date(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
        return Some(dt.with_timezone(&Utc));
    }
    if let Ok(dt) = DateTime::parse_from_rfc2822(text) {
        return Some(dt.with_timezone(&Utc));
    }
    let rest = LABEL.find(text).map_or(text, |m| &text[m.end()..]);
    FORMS
        .iter()
        .find_map(|re| re.captures(rest).and_then(|c| from_captures(&c)))
}

/// Which kind of label [`LABEL`] matched in `label`: the update labels
/// are the ones that start "last", "updated" or "modified".
fn label_kind(label: &str) -> DateLabel {
    let word = label.trim_start().as_bytes();
    let starts = |w: &str| {
        word.get(..w.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(w.as_bytes()))
    };
    let updated = if word.is_ascii() {
        starts("last") || starts("updated") || starts("modified")
    } else {
        // Case folding beyond ASCII ("laſt"): ask the regex itself.
        LABEL
            .captures(label)
            .is_some_and(|c| c.name("upd").is_some())
    };
    if updated {
        DateLabel::Updated
    } else {
        DateLabel::Published
    }
}

/// Reads a line that stands on its own as a date line: an optional label
/// (`Published:`, `Last update:`), a date, and little else. A sentence
/// that merely contains a date is not a date line.
pub fn date_line(line: &str) -> Option<(DateLabel, DateTime<Utc>)> {
    let line = line.trim();
    // Every date form has a four-digit year: most lines, figures in news
    // prose included, are refused here before any regex runs (this is
    // called on every line of every page).
    if line.is_empty() || line.len() > 120 || !has_four_digits(line) {
        return None;
    }
    // `find`, not `captures` (which allocates and runs a slower engine):
    // most lines that get here have no label.
    let (label, rest) = match LABEL.find(line) {
        Some(m) => (label_kind(m.as_str()), &line[m.end()..]),
        None => (DateLabel::Bare, line),
    };
    if !ANY_FORM.is_match(rest) {
        return None;
    }
    for re in FORMS.iter() {
        // The match's bounds first (a DFA); the captures, which run a
        // slower engine, only for a line that passes.
        if let Some(whole) = re.find(rest) {
            // Around the date only separators and a zone name (EST, CEST) may
            // stand, so that a wrapped line of prose ("acquired November 5,
            // 1986") is not taken for the article's date line.
            let mut letters = rest[..whole.start()]
                .chars()
                .chain(rest[whole.end()..].chars())
                .filter(|c| c.is_alphanumeric());
            let zone_only = letters.by_ref().take(4).all(|c| c.is_ascii_uppercase())
                && letters.next().is_none();
            if zone_only {
                if let Some(dt) = re.captures(rest).and_then(|c| from_captures(&c)) {
                    return Some((label, dt));
                }
            }
        }
    }
    None
}

/// Whether `line` holds four ASCII digits in a row (a year can stand there).
fn has_four_digits(line: &str) -> bool {
    let mut run = 0;
    for b in line.bytes() {
        run = if b.is_ascii_digit() { run + 1 } else { 0 };
        if run == 4 {
            return true;
        }
    }
    false
}

/// Finds a date inside a byline such as `By Jane Doe | August 27, 2016`.
pub fn byline_date(line: &str) -> Option<DateTime<Utc>> {
    let line = line.trim();
    if line.len() > 200 || !line.to_ascii_lowercase().starts_with("by ") {
        return None;
    }
    FORMS
        .iter()
        .find_map(|re| re.captures(line).and_then(|c| from_captures(&c)))
}

fn from_captures(c: &regex::Captures<'_>) -> Option<DateTime<Utc>> {
    let year: i32 = c.name("y")?.as_str().parse().ok()?;
    let month_text = c.name("m")?.as_str();
    let month = month_text
        .parse::<u32>()
        .ok()
        .or_else(|| month_number(month_text))?;
    let day: u32 = c.name("d")?.as_str().parse().ok()?;
    if !(1800..=2200).contains(&year) {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(year, month, day)
        // Day-first was a guess; 08/27/2016 can only be month-first.
        .or_else(|| NaiveDate::from_ymd_opt(year, day, month))?;
    let time = match (c.name("h"), c.name("mi")) {
        (Some(h), Some(mi)) => {
            let mut hour: u32 = h.as_str().parse().ok()?;
            let minute: u32 = mi.as_str().parse().ok()?;
            let second: u32 = c.name("s").map_or(Some(0), |s| s.as_str().parse().ok())?;
            if let Some(ampm) = c.name("ampm") {
                let pm = ampm.as_str().to_ascii_lowercase().starts_with('p');
                hour = match (hour, pm) {
                    (12, false) => 0,
                    (h, true) if h < 12 => h + 12,
                    (h, _) => h,
                };
            }
            NaiveTime::from_hms_opt(hour, minute, second)?
        }
        _ => NaiveTime::MIN,
    };
    let naive = NaiveDateTime::new(date, time);
    let offset = c.name("tz").and_then(|tz| parse_offset(tz.as_str()));
    Some(match offset {
        Some(off) => off
            .from_local_datetime(&naive)
            .single()?
            .with_timezone(&Utc),
        None => Utc.from_utc_datetime(&naive),
    })
}

fn parse_offset(tz: &str) -> Option<FixedOffset> {
    let tz = tz.to_ascii_lowercase();
    if matches!(tz.as_str(), "z" | "utc" | "gmt") {
        return FixedOffset::east_opt(0);
    }
    let sign = if tz.starts_with('-') { -1 } else { 1 };
    let digits: String = tz.chars().filter(char::is_ascii_digit).collect();
    let hours: i32 = digits.get(0..2)?.parse().ok()?;
    let minutes: i32 = digits.get(2..4)?.parse().ok()?;
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

fn month_number(name: &str) -> Option<u32> {
    let lower = name.to_ascii_lowercase();
    let prefix = lower.get(0..3)?;
    let n = match prefix {
        "jan" => 1,
        "feb" => 2,
        "mar" => 3,
        "apr" => 4,
        "may" => 5,
        "jun" => 6,
        "jul" => 7,
        "aug" => 8,
        "sep" => 9,
        "oct" => 10,
        "nov" => 11,
        "dec" => 12,
        _ => return None,
    };
    Some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd_hm(s: &str) -> String {
        parse_date(s)
            .map(|d| d.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default()
    }

    #[test]
    fn lines_without_a_year_are_refused_before_any_pattern() {
        assert!(has_four_digits("Sat, 27/08/2016 - 02:17"));
        assert!(!has_four_digits("155,221 bags of 60 kilos, 5.93 mln"));
        assert!(!has_four_digits("12/08/16"));
        assert_eq!(date_line("Updated 12/08/16"), None);
        assert!(date_line("Last update: Sat, 27/08/2016 - 02:17").is_some());
    }

    #[test]
    fn reads_the_common_forms() {
        assert_eq!(ymd_hm("Sat, 27/08/2016 - 02:17"), "2016-08-27 02:17");
        assert_eq!(ymd_hm("2016-08-27"), "2016-08-27 00:00");
        assert_eq!(ymd_hm("2016-08-27T02:17:00+02:00"), "2016-08-27 00:17");
        assert_eq!(
            ymd_hm("Sat, 27 Aug 2016 02:17:00 +0000"),
            "2016-08-27 02:17"
        );
        assert_eq!(ymd_hm("August 27, 2016"), "2016-08-27 00:00");
        assert_eq!(ymd_hm("27 Aug 2016"), "2016-08-27 00:00");
        assert_eq!(ymd_hm("Saturday, September 12, 2015"), "2015-09-12 00:00");
        assert_eq!(
            ymd_hm("Published: Aug. 27, 2016 at 2:17 pm"),
            "2016-08-27 14:17"
        );
        assert_eq!(
            ymd_hm("Updated 27 August 2016, 14:05 GMT"),
            "2016-08-27 14:05"
        );
        assert_eq!(ymd_hm("08/27/2016"), "2016-08-27 00:00");
    }

    #[test]
    fn refuses_what_is_not_a_date() {
        assert_eq!(parse_date("no date here"), None);
        assert_eq!(parse_date("2016-13-45"), None);
        assert_eq!(parse_date(""), None);
    }

    /// The label's kind read without captures is the one the pattern's
    /// groups give, for every label it knows, however written.
    #[test]
    fn label_kinds_agree_with_the_pattern_groups() {
        let labels = [
            "published",
            "posted",
            "date",
            "first published",
            "created",
            "dateline",
            "issued",
            "last updated",
            "last update",
            "updated",
            "modified",
            "last modified",
        ];
        let mut checked = 0;
        for label in labels {
            let upper = label.to_uppercase();
            let title = format!("{}{}", label[..1].to_uppercase(), &label[1..]);
            let long_s = label.replace('s', "\u{17F}");
            for written in [label.to_string(), upper, title, long_s] {
                for line in [
                    format!("{written}: 27 August 2016"),
                    format!("  {written} on 2016-08-27"),
                ] {
                    let m = LABEL.find(&line).expect("a label");
                    let c = LABEL.captures(&line).expect("a label");
                    let want = if c.name("upd").is_some() {
                        DateLabel::Updated
                    } else {
                        DateLabel::Published
                    };
                    assert_eq!(label_kind(m.as_str()), want, "{line:?}");
                    assert_eq!(date_line(&line).map(|(l, _)| l), Some(want), "{line:?}");
                    checked += usize::from(want == DateLabel::Updated);
                }
            }
        }
        assert_eq!(checked, 5 * 4 * 2);
    }

    #[test]
    fn date_lines_are_short_and_labelled() {
        let (label, date) = date_line("Last update: Sat, 27/08/2016 - 02:17").unwrap();
        assert_eq!(label, DateLabel::Updated);
        assert_eq!(date.format("%Y-%m-%d").to_string(), "2016-08-27");
        assert_eq!(
            date_line("Published: 2016-08-27").unwrap().0,
            DateLabel::Published
        );
        assert!(date_line("Friday, July 21, 2017").is_some());
        assert!(
            date_line("The talks began on August 27, 2016 in Geneva and went on for days.")
                .is_none()
        );
    }

    #[test]
    fn byline_dates() {
        let d = byline_date("By Jane Doe | August 27, 2016").unwrap();
        assert_eq!(d.format("%Y-%m-%d").to_string(), "2016-08-27");
        assert!(byline_date("Aleppo, August 27, 2016").is_none());
    }
}
