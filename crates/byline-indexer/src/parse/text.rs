//! Text pages in the shape news scrapers save them: the headline on the
//! first line, paragraphs separated by blank lines, and after the article
//! the blocks that link to other articles ("In depth coverage", "More from
//! World", "Related", teasers ending in "Read more" with their own dates).
//!
//! Those blocks are links, not the article: they are kept out of the body
//! (and so out of search and facets) and their headlines kept apart as
//! related headlines.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use regex::{Regex, RegexSet};

use super::date::{byline_date, date_line, DateLabel};
use super::{cap_text, ParsedArticle, MAX_BODY_BYTES, MAX_TITLE_BYTES};

/// A heading that opens a block of links to other articles.
static RELATED_HEADING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^(?:
            in[-\s]depth(?:\s+coverage)?
          | more\s+(?:from|on|in|about|stories|news|articles|coverage|headlines|to\s+read)\b.{0,40}
          | related(?:\s+(?:articles?|stories|news|content|coverage|links|topics|posts|reading))?
          | read\s+(?:also|next)
          | also\s+(?:read|see|on\s+\S+)
          | see\s+also
          | you\s+(?:may|might)\s+(?:also\s+)?(?:like|be\s+interested\s+in|have\s+missed)
          | recommended(?:\s+(?:for\s+you|stories|reading|articles))?
          | most\s+(?:read|popular|viewed|shared|watched)
          | latest\s+(?:news|stories|headlines|articles)
          | top\s+(?:stories|news|headlines)
          | further\s+reading
          | trending(?:\s+now)?
          | editor'?s\s+picks?
          | what\s+to\s+read\s+next
          | keep\s+reading
          | popular\s+(?:now|stories|articles)
          | around\s+the\s+web
          | sponsored(?:\s+(?:content|stories|links))?
        )\s*:?$",
    )
    .expect("heading pattern compiles")
});

/// A line that only invites the reader to follow a teaser.
pub(super) static READ_MORE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(READ_MORE_PATTERN).expect("read-more pattern compiles"));
const READ_MORE_PATTERN: &str = r"(?i)^(?:read\s+more|read\s+the\s+full\s+(?:story|article)|continue\s+reading|full\s+story|more\s*»|read\s+on)\s*[.…:»>›]*$";

/// An inline link to another article inside the body: `Read more: Headline`.
pub(super) static INLINE_RELATED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(INLINE_RELATED_PATTERN).expect("inline-related pattern compiles"));
const INLINE_RELATED_PATTERN: &str = r"(?i)^(?:read\s+more|also\s+read|read\s+also|see\s+also|related|more|watch|listen)\s*[:|»›]\s*(?P<headline>.+)$";

/// Page furniture that is neither article nor link.
pub(super) static FURNITURE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(FURNITURE_PATTERN).expect("furniture pattern compiles"));
const FURNITURE_PATTERN: &str = r"(?i)^(?:advertisement|advertising|share(?:\s+this(?:\s+(?:article|story|page))?)?|tweet|print|e-?mail|comments?|skip\s+to\s+(?:main\s+)?content|sign\s+up|subscribe)\s*:?$";

/// [`READ_MORE`], [`INLINE_RELATED`] and [`FURNITURE`] as one set: one pass
/// tells an ordinary line (nearly all of them) from one that may be any of
/// the three, where asking each took three.
static ANY_LINK_OR_FURNITURE: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new([READ_MORE_PATTERN, INLINE_RELATED_PATTERN, FURNITURE_PATTERN])
        .expect("line patterns compile")
});

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineKind {
    ReadMore,
    /// A date line, with the date it gives (read once, when classified).
    Date(DateLabel, DateTime<Utc>),
    Text,
}

/// Parses one text page.
pub fn parse_text_page(text: &str) -> ParsedArticle {
    let mut article = ParsedArticle::default();
    let mut lines = text.lines().map(str::trim);
    let title = lines.by_ref().find(|l| !l.is_empty()).unwrap_or_default();
    article.title = cap_text(title, MAX_TITLE_BYTES, "title", &mut article.warnings);

    let mut paragraphs: Vec<Vec<&str>> = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in lines {
        if line.is_empty() {
            if !current.is_empty() {
                paragraphs.push(std::mem::take(&mut current));
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        paragraphs.push(current);
    }

    let mut body: Vec<Vec<&str>> = Vec::new();
    let mut own_dates: Vec<(DateLabel, DateTime<Utc>)> = Vec::new();
    let mut in_related = false;
    // The kind of the previous non-empty line, across paragraphs: a date
    // right after "Read more" (or after a teaser's text) is the teaser's.
    let mut previous = LineKind::Text;
    let mut previous_was_heading = false;

    for (index, paragraph) in paragraphs.iter().enumerate() {
        if paragraph.len() == 1 && is_related_heading(paragraph[0]) && index > 0 {
            in_related = true;
            previous_was_heading = true;
            previous = LineKind::Text;
            continue;
        }
        let mut kept: Vec<&str> = Vec::new();
        // Each line's kind, and whether it may be a link or furniture.
        let kinds: Vec<(LineKind, bool)> = paragraph.iter().map(|line| classify(line)).collect();
        // A bare date inside a paragraph of prose is a wrapped sentence
        // ("...a seminar on\nMarch 12, 1987."), not a date line.
        let prose = kinds.iter().any(|&(kind, _)| kind == LineKind::Text);
        for (&line, &(kind, marked)) in paragraph.iter().zip(&kinds) {
            let kind = match kind {
                LineKind::Date(DateLabel::Bare, _) if prose => LineKind::Text,
                other => other,
            };
            match kind {
                LineKind::ReadMore => {
                    if !in_related {
                        // A teaser without a heading: what came just before
                        // "Read more" was the teaser, not the article.
                        in_related = true;
                        if kept.is_empty() {
                            pop_teaser(&mut body, &mut article.related);
                        } else {
                            take_headline(&kept, &mut article.related);
                            kept.clear();
                        }
                    }
                }
                LineKind::Date(label, date) => {
                    let teasers_date = in_related
                        && !previous_was_heading
                        && matches!(previous, LineKind::ReadMore | LineKind::Text);
                    if !teasers_date {
                        own_dates.push((label, date));
                    }
                }
                LineKind::Text => {
                    // Only a marked line can match: `captures` allocates, even for no match.
                    if let Some(c) = marked.then(|| INLINE_RELATED.captures(line)).flatten() {
                        article.related.push(c["headline"].trim().to_string());
                    } else if marked && FURNITURE.is_match(line) {
                    } else if in_related {
                        if paragraph.len() == 1 && looks_like_headline(line) {
                            article.related.push(line.to_string());
                        }
                    } else {
                        kept.push(line);
                    }
                }
            }
            previous = kind;
            previous_was_heading = false;
        }
        if !kept.is_empty() {
            body.push(kept);
        }
    }

    // Own dates: a "published" label beats an "updated" one; otherwise the first.
    own_dates.sort_by_key(|(label, _)| label.rank());
    article.published = own_dates
        .first()
        .map(|(_, d)| *d)
        .or_else(|| text.lines().take(8).find_map(byline_date));

    let body_text = body
        .iter()
        .map(|p| p.join("\n"))
        .collect::<Vec<_>>()
        .join("\n\n");
    article.body = cap_text(&body_text, MAX_BODY_BYTES, "body", &mut article.warnings);
    article.related.dedup();
    article
}

/// A line's kind, and whether it may be a link or furniture (see
/// [`ANY_LINK_OR_FURNITURE`]).
fn classify(line: &str) -> (LineKind, bool) {
    let marked = ANY_LINK_OR_FURNITURE.is_match(line);
    let kind = if marked && READ_MORE.is_match(line) {
        LineKind::ReadMore
    } else if let Some((label, date)) = date_line(line) {
        LineKind::Date(label, date)
    } else {
        LineKind::Text
    };
    (kind, marked)
}

/// A heading of links: at most eight words.
pub(super) fn is_related_heading(line: &str) -> bool {
    at_most_words(line, 8) && RELATED_HEADING.is_match(line)
}

/// A headline: short, and not ending like a sentence.
pub(super) fn looks_like_headline(line: &str) -> bool {
    line.split_whitespace().nth(1).is_some()
        && at_most_words(line, 25)
        && !line.ends_with(['.', ',', ';', '…'])
        && !line.ends_with("...")
}

/// Whether `line` has at most `n` words, split as `split_whitespace`
/// splits, counting no further than the eight bytes that hold word `n + 1`.
/// A page in one-paragraph-per-line shape (the seed's) asks this of every
/// paragraph: counting all of a paragraph's words, char by char, was about
/// 5 % of indexing such pages; an ASCII line is read eight bytes at a time.
fn at_most_words(line: &str, n: usize) -> bool {
    if !line.is_ascii() {
        return line.split_whitespace().nth(n).is_none();
    }
    let bytes = line.as_bytes();
    let mut words = 0;
    // High bit of the byte before the chunk: set if it was white space
    // (the start of the line counts as white space).
    let mut before = 0x80;
    let mut chunks = bytes.chunks_exact(8);
    // The last bytes padded with spaces, which start no word.
    let mut last = [b' '; 8];
    last[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    for chunk in chunks.by_ref().chain([&last[..]]) {
        let eight: [u8; 8] = chunk.try_into().expect("eight bytes");
        let space = ascii_space_mask(u64::from_le_bytes(eight));
        // A word starts at a byte that is not white space after one that is.
        let starts = !space & (space << 8 | before) & HIGH_BITS;
        // One bit per byte: the bytes' sum by one multiplication (the
        // x86-64 baseline has no popcount instruction).
        words += ((starts >> 7).wrapping_mul(LOW_BITS) >> 56) as usize;
        if words > n {
            return false;
        }
        before = space >> 56;
    }
    true
}

/// The high bit of each byte.
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;
/// The low bit of each byte.
const LOW_BITS: u64 = 0x0101_0101_0101_0101;

/// Of eight ASCII bytes, the high bit of each one that `char::is_whitespace`
/// accepts: a space, or `\t` to `\r` (9 to 13).
fn ascii_space_mask(x: u64) -> u64 {
    const LOW: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let each = |b: u8| u64::from_le_bytes([b; 8]);
    // Bytes are below 0x80, so these additions never carry into the next byte.
    let at_least_9 = x + each(0x80 - 9);
    let at_least_14 = x + each(0x80 - 14);
    let tab_to_cr = at_least_9 & !at_least_14;
    // Zero bytes of x ^ spaces: their low seven bits plus 0x7f stay below 0x80.
    let diff = x ^ each(b' ');
    let is_space = !(((diff & LOW) + LOW) | diff);
    (tab_to_cr | is_space) & HIGH_BITS
}

/// Moves the last body paragraphs that form a teaser (lede, and a headline
/// before it) out of the body.
fn pop_teaser(body: &mut Vec<Vec<&str>>, related: &mut Vec<String>) {
    if body.len() <= 1 {
        return;
    }
    let lede = body.pop().unwrap_or_default();
    if lede.len() > 1 {
        take_headline(&lede, related);
        return;
    }
    if body.len() > 1 {
        if let Some(headline) = body.last() {
            if headline.len() == 1 && looks_like_headline(headline[0]) {
                related.push(headline[0].to_string());
                body.pop();
            }
        }
    }
}

fn take_headline(lines: &[&str], related: &mut Vec<String>) {
    if let Some(first) = lines.first() {
        if looks_like_headline(first) {
            related.push(first.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = include_str!("../../../../corpus/000_a246f93a30b869c3.txt");

    /// The early-stopping count agrees with `split_whitespace` on every
    /// line of the seed page and on white space of every kind.
    #[test]
    fn word_limit_counts_as_split_whitespace_does() {
        let mut lines: Vec<String> = SEED.lines().map(str::to_string).collect();
        lines.extend(
            [
                "",
                " ",
                "one",
                "  two  words ",
                "a\tb\nc\x0Bd\x0Ce\rf g",
                "x\u{a0}y\u{2003}z\u{3000}w",
                "Read  more:   eight\twords here and there too",
                "nine words are one too many for a heading, no?",
                "Dārayyā  siege  ends",
            ]
            .map(str::to_string),
        );
        // And random ASCII lines of up to 40 bytes, from the bytes on either
        // side of each white-space range (xorshift, fixed seed).
        let alphabet = b" \t\n\x0B\x0C\r\x08\x0E\x1F!\x7Fab";
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = (state % 41) as usize;
            let line: String = (0..len)
                .map(|i| {
                    alphabet[(state.rotate_left(i as u32 * 5) % alphabet.len() as u64) as usize]
                        as char
                })
                .collect();
            lines.push(line);
        }
        for line in &lines {
            let words = line.split_whitespace().count();
            for n in 0..12 {
                assert_eq!(at_most_words(line, n), words <= n, "{line:?}, {n}");
            }
        }
    }

    #[test]
    fn seed_page_body_stops_before_the_teasers() {
        let a = parse_text_page(SEED);
        assert_eq!(
            a.title,
            "US, Russia close in on Syria truce deal but differences remain"
        );
        assert!(a
            .body
            .starts_with("The United States and Russia could not agree Friday"));
        assert!(a
            .body
            .ends_with("said a negotiator who asked not to be named."));
        for teaser_word in [
            "Mosul",
            "Amnesty",
            "Erdogan",
            "Mogadishu",
            "Read more",
            "Last update",
        ] {
            assert!(
                !a.body.contains(teaser_word),
                "{teaser_word} leaked into the body"
            );
        }
    }

    #[test]
    fn seed_page_date_is_its_own_not_a_teasers() {
        let a = parse_text_page(SEED);
        assert_eq!(
            a.published.unwrap().to_rfc3339(),
            "2016-08-27T02:17:00+00:00"
        );
    }

    #[test]
    fn seed_page_keeps_teaser_headlines_as_related() {
        let a = parse_text_page(SEED);
        assert!(a.related.contains(
            &"Locals, rebels bused out of Damascus suburb after 4-year siege".to_string()
        ));
        assert!(a
            .related
            .contains(&"Truck bomb kills 35 in Somali capital".to_string()));
        assert!(!a.related.iter().any(|r| r.starts_with("Last update")));
    }

    #[test]
    fn teasers_without_a_heading_are_found_by_read_more() {
        let page = "Main headline\n\nPublished: 3 March 2020\n\nFirst paragraph of the story.\n\nSecond paragraph of the story.\n\nOther story headline here\n\nThe lede of the other story.\n\nRead more\nLast update: Mon, 02/03/2020 - 10:00\n";
        let a = parse_text_page(page);
        assert_eq!(
            a.body,
            "First paragraph of the story.\n\nSecond paragraph of the story."
        );
        assert_eq!(a.related, vec!["Other story headline here".to_string()]);
        assert_eq!(
            a.published.unwrap().format("%Y-%m-%d").to_string(),
            "2020-03-03"
        );
    }

    #[test]
    fn other_sites_related_blocks_and_inline_links() {
        let page = "Headline\n\nBy Jane Doe | August 27, 2016\n\nBody one.\n\nAdvertisement\n\nRead more: Another story about things\n\nBody two.\nShare this article:\n\nRelated Articles\n\nA related story headline\n\nAnother related headline\n";
        let a = parse_text_page(page);
        assert_eq!(
            a.body,
            "By Jane Doe | August 27, 2016\n\nBody one.\n\nBody two."
        );
        assert_eq!(a.related.len(), 3);
        assert_eq!(
            a.published.unwrap().format("%Y-%m-%d").to_string(),
            "2016-08-27"
        );
    }

    #[test]
    fn a_page_without_a_date_has_none() {
        let a = parse_text_page("Title\n\nJust a body without any date.\n");
        assert_eq!(a.published, None);
        assert_eq!(a.body, "Just a body without any date.");
    }
}
