//! Command-line arguments: one `Cli` with a `Command` for each thing byline does.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const AFTER_HELP: &str = "\
Examples:
  byline index corpus                      index the folder corpus/ into ./.byline-index
  byline search \"Daraya siege\"             ranked search with highlighted snippets
  byline search truce --from 2016-08 --to 2016-09 --sort newest
  byline search '\"Kerry Lavrov\" -Aleppo' --json | jq .title
  byline search siege --place Syria --person Kerry
  byline facets people --place Syria       who the Syria articles name most
  byline entities corpus/000_a246f93a30b869c3.txt
  byline eval-ner ../shared/ner/conll2003/dev.txt
  byline stats                             article count, dates, articles per month
  byline timeline oil --svg oil.svg        articles per month, as bars and an SVG file
  byline show c70b18f4abe85bd2             one article in full (by id or file path)
  byline similar c70b18f4abe85bd2          articles like this one
  byline syntax                            the query language (also: byline help query)
  byline duplicates                        groups of copies of the same story
  byline extract page.html                 what byline reads from one file

Exit codes: 0 success (also when nothing matches), 1 failure, 2 bad usage
(unknown option, query syntax error, invalid date), 3 no usable index.";

/// byline: index a folder of news articles and search it.
#[derive(Debug, Parser)]
#[command(name = "byline", version, about, after_help = AFTER_HELP)]
pub struct Cli {
    /// Index folder to write or read.
    #[arg(
        long,
        global = true,
        env = "BYLINE_INDEX",
        default_value = ".byline-index",
        value_name = "DIR"
    )]
    pub index: PathBuf,

    /// Log what happens inside (repeat for more: -v, -vv); logs go to stderr.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// When to colour output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// When to use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// byline's commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Index files and folders of articles (text pages, JSON, JSON Lines).
    #[command(after_help = "\
Reads .txt pages (headline on the first line), .json (an article, a list of them, or
{\"articles\": [...]}) and .jsonl/.ndjson (one article per line). Hidden files are passed over.
Indexing the same folder again replaces changed files' articles and adds no duplicates.

Each article's own headline and text (never teasers or related headlines) are tagged for the
people, places and organisations it names, for --person/--place/--org and `byline facets`;
--no-entities skips that (faster; those filters then match nothing).

Examples:
  byline index corpus
  byline index exports/news.jsonl --field title=headline --field body=story
  byline index --rebuild archive/
  byline index --no-entities big-archive/")]
    Index(IndexArgs),

    /// Search the index, best matches first.
    #[command(after_help = "\
Query language:
  Daraya siege              both words (stemmed: sieges, besieged → siege), in title or body
  \"truce deal\"              the exact phrase;  \"Kerry Lavrov\"~5  within 5 words
  truce OR ceasefire        either;  (a OR b) c  groups
  siege -Aleppo             siege, but not Aleppo;  NOT Aleppo  the same
  title:truce  body:siege   only in the headline / only in the text
  evacu*   Lavorv~1         prefix;  misspelt within 1 edit
  date:2016-08  date:[2016-08-01 TO 2016-08-31]
  person:\"John Kerry\"  place:Syria  org:UN   articles naming them (as --person/--place/--org)
  *  (or no query)          every article: use with --from/--to

Entity filters ignore case and accents. --person Kerry also matches full names ending in
Kerry; --place Syria also finds articles naming only Aleppo or Daraya, and US, U.S. and
America are the United States; --org UN also matches United Nations. Results end with the
people, places and organisations the matching articles name most (not with --json/--count).

Examples:
  byline search \"Daraya siege\"
  byline search oil --from 1987-03 --to 1987-04 --sort newest --limit 20
  byline search '\"foreign exchange\" AND title:dollar' --json
  byline search --from 1987-03 --to 1987-03 --count
  byline search truce --place Syria --person \"John Kerry\"
  byline search oil --recent                 newer articles first among good matches
  byline search oil --place \"Saudi Arabia\" --org OPEC --from 1987-03 --to 1987-04")]
    Search(SearchArgs),

    /// List the people, places or organisations the matching articles name most.
    #[command(after_help = "\
Counts, over every article matching the query and filters, how many name each value (one
count per article), most first. Takes the same query and filters as `byline search`.

Examples:
  byline facets people                          most-named people in the whole index
  byline facets people --place Syria            who the Syria articles name
  byline facets places oil --from 1987-03 --to 1987-04 --limit 10
  byline facets orgs --person \"John Kerry\" --json | jq -r .value")]
    Facets(FacetsArgs),

    /// Show the people, places and organisations found in one article file.
    #[command(after_help = "\
Reads the file as `byline index` would (text page, JSON, JSON Lines, …) and prints, for
each article in it, what the entity recogniser finds: people, places with their facet path
(/Continent/Country/Place, what --place filters on) and organisations. Nothing is indexed.

Examples:
  byline entities corpus/000_a246f93a30b869c3.txt
  byline entities exports/news.jsonl --json | jq .people")]
    Entities(EntitiesArgs),

    /// Score the entity tagger on a CoNLL-2003 file: precision, recall, F1 per type.
    #[command(after_help = "\
The file holds one token per line with its gold tag in the last column (IOB1 or IOB2:
B-PER, I-LOC, O …), sentences separated by blank lines, documents by -DOCSTART- lines.
A mention counts only if its span and type are both exact (as conlleval scores).

Example:
  byline eval-ner ../shared/ner/conll2003/dev.txt")]
    EvalNer(EvalNerArgs),

    /// Show what the index holds: article count, date range, articles per month.
    Stats,

    /// Count matching articles per day, week, month or year: a bar chart, JSON, CSV or SVG.
    #[command(after_help = "\
Takes the same query and filters as `byline search` and counts the matches per period
(a tantivy aggregation: no hit is read). Every period from the first match to the last
is listed, empty ones included. Without --by: months when the matches span up to five
years, years beyond (as `byline stats`). Undated matches are counted in the total only.

--json prints one object per period: {\"period\":\"1987-03\",\"start\":\"1987-03-01T00:00:00Z\",\"count\":N};
--csv prints period,start,count with a header line. --svg FILE also writes a bar chart
(titled with the query and filters) that a browser opens.

Examples:
  byline timeline
  byline timeline oil --by month
  byline timeline '\"oil prices\"' --from 1987-03 --to 1987-06 --by week --csv
  byline timeline siege --place Syria --svg siege.svg
  byline timeline oil --json | jq .count")]
    Timeline(TimelineArgs),

    /// Print one article in full: headline, date, path, entities, text, related headlines.
    #[command(after_help = "\
ARTICLE is an id (as `byline search --json` prints it), an indexed file's path (any
spelling of it that leads to the same file), or FILE:LINE for one record of a JSON Lines
file. A file holding several articles without a line gives its first. An article that
is not in the index is an error (exit code 1).

Examples:
  byline show corpus/000_a246f93a30b869c3.txt
  byline show c70b18f4abe85bd2 --json | jq .body
  byline show exports/news.jsonl:12")]
    Show(ShowArgs),

    /// List the articles most like one article (more like this).
    #[command(after_help = "\
Builds a query from the article's 25 most distinctive body words (frequency in the
article times rarity in the index) and lists the best matches, like `byline search`.
The article itself and exact duplicates of it (same headline and text) are left out.
ARTICLE is named as for `byline show`; not in the index: exit code 1.

Examples:
  byline similar corpus/000_a246f93a30b869c3.txt
  byline similar c70b18f4abe85bd2 --limit 5 --json | jq .title")]
    Similar(SimilarArgs),

    /// List groups of copies of the same story (exact and near copies), largest first.
    #[command(after_help = "\
Copies are found at index time: exact copies have the same text once case, punctuation
and spacing are ignored; near copies (a sentence edited, a boilerplate line added) have
SimHash fingerprints at most 5 bits of 64 apart. Each group is shown as its
representative (the earliest copy) and then the other copies. `byline search` shows one
hit per group with a `+N similar` note unless --all is given.

--json prints one object per group per line:
{\"representative\":{...},\"members\":[{...}],\"size\":N}, each article as
{\"id\",\"title\",\"published\",\"path\"}.

Examples:
  byline duplicates
  byline duplicates --limit 3
  byline duplicates --json | jq .size")]
    Duplicates(DuplicatesArgs),

    /// Print what byline reads from one file, without indexing it.
    #[command(after_help = "\
Reads FILE as `byline index` would (text page, .json, .jsonl/.ndjson, .html/.htm,
.warc, any of them as .gz) and prints each article in it: title, date, URL, site,
language, related headlines and the body. An unsupported file type is a usage error
(exit code 2); an unreadable or unparsable file fails with exit code 1.

--json prints one object per article per line with the fields title, published (RFC 3339
or null), body, related, url, site, language and record (line or item number, or null).

Examples:
  byline extract corpus/000_a246f93a30b869c3.txt
  byline extract saved/page.html --json | jq .title
  byline extract crawl.warc.gz --json | jq -r .url")]
    Extract(ExtractArgs),

    /// Print the query language reference with examples (also: byline help query).
    #[command(alias = "query", after_help = crate::commands::QUERY_SYNTAX)]
    Syntax,
}

/// Arguments of `byline index`.
#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Files or folders to index.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Empty the index first and index everything again.
    #[arg(long)]
    pub rebuild: bool,

    /// JSON field names, as PART=KEY (PART: title, body, published, id, url); repeatable.
    #[arg(long = "field", value_name = "PART=KEY")]
    pub fields: Vec<String>,

    /// Memory the index writer may use, in MiB (before it writes a segment out;
    /// no merge of segments reads more than half of it).
    #[arg(long, default_value_t = 512, value_name = "MIB")]
    pub memory: usize,

    /// Indexing threads (default: one per core).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,

    /// Do not tag people, places and organisations (faster; entity filters and facets then find nothing).
    #[arg(long)]
    pub no_entities: bool,

    /// No progress bar.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Arguments of `byline search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query (see below); empty or `*` matches every article.
    #[arg(value_name = "QUERY", default_value = "")]
    pub query: String,

    /// Date and entity filters.
    #[command(flatten)]
    pub filters: Filters,

    /// Order of results.
    #[arg(long, value_enum, default_value_t = Sort::Relevance)]
    pub sort: Sort,

    /// Results to show.
    #[arg(short = 'n', long, default_value_t = 10, value_name = "N")]
    pub limit: usize,

    /// Results to skip first (for paging).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub offset: usize,

    /// One JSON object per result per line.
    #[arg(long, conflicts_with = "count")]
    pub json: bool,

    /// Print only the exact number of matching articles.
    #[arg(long)]
    pub count: bool,

    /// Favour recent articles (relevance order only): scores decay with age, half-life 30 days.
    #[arg(long)]
    pub recent: bool,

    /// Show every copy of a story; by default copies collapse into their earliest (`+N similar`).
    /// (--count always counts every copy.)
    #[arg(long)]
    pub all: bool,
}

/// Result order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Sort {
    /// Best match first.
    Relevance,
    /// Most recent first.
    Newest,
    /// Oldest first.
    Oldest,
}

/// Sends tracing output to stderr; `-v` for info, `-vv` for debug, or BYLINE_LOG.
pub fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("BYLINE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

/// Filters shared by `byline search` and `byline facets`; all of them must hold.
#[derive(Debug, Args)]
pub struct Filters {
    /// Only articles published in or after this period: YYYY, YYYY-MM or YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,

    /// Only articles published in or before this period (the whole period counts).
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,

    /// Only articles naming this person (full name, or a surname alone); repeatable.
    #[arg(long, value_name = "NAME")]
    pub person: Vec<String>,

    /// Only articles naming this place or a place inside it (Syria finds Aleppo); repeatable.
    #[arg(long, value_name = "NAME")]
    pub place: Vec<String>,

    /// Only articles naming this organisation (UN = United Nations); repeatable.
    #[arg(long, value_name = "NAME")]
    pub org: Vec<String>,
}

/// Arguments of `byline facets`.
#[derive(Debug, Args)]
pub struct FacetsArgs {
    /// What to count.
    #[arg(value_enum, value_name = "KIND")]
    pub kind: FacetKindArg,

    /// Count over the articles matching this query (as in `byline search`); empty: all.
    #[arg(value_name = "QUERY", default_value = "")]
    pub query: String,

    /// Date and entity filters.
    #[command(flatten)]
    pub filters: Filters,

    /// Values to show.
    #[arg(short = 'n', long, default_value_t = 20, value_name = "N")]
    pub limit: usize,

    /// One JSON object per value per line: {"value": …, "count": …}.
    #[arg(long)]
    pub json: bool,
}

/// Entity kinds `byline facets` counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FacetKindArg {
    /// People.
    #[value(alias = "person")]
    People,
    /// Places.
    #[value(alias = "place")]
    Places,
    /// Organisations.
    #[value(alias = "org", alias = "organisations", alias = "organizations")]
    Orgs,
}

/// Arguments of `byline entities`.
#[derive(Debug, Args)]
pub struct EntitiesArgs {
    /// The article file (any format `byline index` reads).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// One JSON object per article per line.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `byline eval-ner`.
#[derive(Debug, Args)]
pub struct EvalNerArgs {
    /// A CoNLL-2003 file with gold tags.
    #[arg(value_name = "CONLL_FILE")]
    pub file: PathBuf,
}

/// Arguments of `byline timeline`.
#[derive(Debug, Args)]
pub struct TimelineArgs {
    /// Count the articles matching this query (as in `byline search`); empty: all.
    #[arg(value_name = "QUERY", default_value = "")]
    pub query: String,

    /// Date and entity filters.
    #[command(flatten)]
    pub filters: Filters,

    /// Period length (default: month, or year when the matches span more than five years).
    #[arg(long, value_enum, value_name = "PERIOD")]
    pub by: Option<By>,

    /// One JSON object per period per line.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,

    /// CSV with a header line: period,start,count.
    #[arg(long)]
    pub csv: bool,

    /// Also write the chart as an SVG file.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
}

/// Period lengths of `byline timeline`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum By {
    /// Calendar days.
    Day,
    /// ISO weeks (Monday to Sunday).
    Week,
    /// Calendar months.
    Month,
    /// Calendar years.
    Year,
}

/// Arguments of `byline show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// An article id, an indexed file, or FILE:LINE for a JSON Lines record.
    #[arg(value_name = "ARTICLE")]
    pub article: String,

    /// The stored article as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `byline similar`.
#[derive(Debug, Args)]
pub struct SimilarArgs {
    /// An article id, an indexed file, or FILE:LINE for a JSON Lines record.
    #[arg(value_name = "ARTICLE")]
    pub article: String,

    /// Articles to list.
    #[arg(short = 'n', long, default_value_t = 10, value_name = "N")]
    pub limit: usize,

    /// One JSON object per article per line (as `byline search --json`).
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `byline duplicates`.
#[derive(Debug, Args)]
pub struct DuplicatesArgs {
    /// Groups to list, largest first (0: all).
    #[arg(short = 'n', long, default_value_t = 20, value_name = "N")]
    pub limit: usize,

    /// One JSON object per group per line.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `byline extract`.
#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// The file to read (any type `byline index` reads).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// One JSON object per article per line.
    #[arg(long)]
    pub json: bool,

    /// Map a JSON field name: --field title=headline (repeatable; as for `byline index`).
    #[arg(long = "field", value_name = "NAME=FIELD")]
    pub fields: Vec<String>,
}
