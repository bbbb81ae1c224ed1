//! `byline syntax` (also `byline help query`): the query-language reference.

use std::io::Write;

use anyhow::Result;

/// The query-language reference: the content of README's "Query language".
///
/// Every line indented by exactly two spaces is an example query, and a
/// test runs each against the bundled corpus; descriptions are indented by six.
pub const QUERY_SYNTAX: &str = "\
Query language (byline search, timeline and facets take it):

  Daraya siege
      articles with both words (all words are required), in the title or the body
  truce OR ceasefire
      either word
  siege -Aleppo
      siege, but not Aleppo
  siege NOT Aleppo
      the same
  (truce OR ceasefire) Syria
      grouping
  \"truce deal\"
      the exact phrase
  \"Kerry Lavrov\"~5
      both words within 5 positions of each other
  evacu*
      words starting with evacu
  Lavorv~1
      words within 1 edit of Lavorv (~2 for two)
  title:truce
      only in the headline
  body:siege
      only in the text
  person:\"John Kerry\" place:Syria org:UN
      articles naming them (as --person/--place/--org)
  date:2016-08
      published in that period (YYYY, YYYY-MM or YYYY-MM-DD)
  date:[2016-08-01 TO 2016-08-31]
      published in that range (* for an open end)
  date:[2016-08 TO *]
      published in or after August 2016
  *
      every article (or an empty query): use with --from/--to

Words are matched case-insensitively and by English stem (talks finds talk).
Headline matches count double, and articles where the query words stand close
together rank above those where they are far apart. AND between words is implied and may
be written. A syntax error names the column; for truce \"deal it is
    byline: query syntax error at column 7: this quote is never closed: expected a closing `\"`";

pub fn run() -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{QUERY_SYNTAX}")?;
    Ok(out.flush()?)
}
