//! Deterministic scale corpora: any number of synthetic news articles made of
//! whole Reuters-21578 paragraphs, written both as text pages in the shape of
//! the seed page (for byline) and as JSON Lines (for other engines), holding
//! the same title, body and date.
//!
//! Each article takes its headline and first paragraph from one Reuters story,
//! 2–9 more paragraphs from other stories, a publication date spread
//! uniformly over 1987-01-01 … 2026-12-31, and a "More from …" block of 3–5
//! teasers (other headlines with a truncated lede) that byline's text-page
//! parser keeps out of the body. Everything an article holds is drawn from a
//! SplitMix64 stream seeded by the corpus seed and the article's number, so
//! articles can be generated in any order, on any number of threads, and the
//! output is byte-identical for the same seed, count and input.
//!
//! Only paragraphs that byline's own parser keeps verbatim are used (a
//! paragraph that reads as a date line or a "Related" heading would be
//! dropped from the body by byline but indexed by the other engines).

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, ensure, Context, Result};
use byline_indexer::parse::date::date_line;
use byline_indexer::parse::{parse_bytes, parse_text_page, FieldMap, FileKind};
use chrono::{DateTime, NaiveDate, Utc};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Version of the generating algorithm and page layout; bumped whenever the
/// same seed, count and input would give different output.
pub const GENERATOR_VERSION: u32 = 1;
/// Pages per subfolder of `pages/`.
pub const PAGES_PER_FOLDER: usize = 1000;
/// Fewest paragraphs in an article.
pub const MIN_PARAGRAPHS: usize = 3;
/// Most paragraphs in an article.
pub const MAX_PARAGRAPHS: usize = 10;
/// Fewest teasers under an article.
pub const MIN_TEASERS: usize = 3;
/// Most teasers under an article.
pub const MAX_TEASERS: usize = 5;
/// Sections named in the teaser heading ("More from World").
pub const SECTIONS: &[&str] = &[
    "World",
    "Business",
    "Markets",
    "Economy",
    "Politics",
    "Energy",
    "Commodities",
    "Technology",
];
/// Name of the JSON Lines file in the output folder.
pub const JSONL_FILE: &str = "articles.jsonl";
/// Name of the manifest in the output folder.
pub const MANIFEST_FILE: &str = "manifest.json";
/// Name of the folder of text pages in the output folder.
pub const PAGES_DIR: &str = "pages";

/// Longest teaser lede, in bytes, before the "...".
const TEASER_BYTES: usize = 110;
/// Fewest words in a usable paragraph (keeps out table rows and "Reuter").
const MIN_PROSE_WORDS: usize = 8;
/// Longest usable paragraph, in bytes (longer ones are tables run together).
const MAX_PARAGRAPH_BYTES: usize = 1500;
/// Longest usable headline, in bytes.
const MAX_TITLE_BYTES: usize = 300;
/// Folders generated between two writes of the JSON Lines file.
const FOLDERS_PER_BATCH: usize = 16;

/// The SplitMix64 generator (Steele, Lea and Flood; Vigna's reference code):
/// tiny, fast, and its output fixed forever, unlike a library's default RNG.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix64(self.state)
    }

    /// A number in `0..n` (multiply-shift; `n` must not be 0).
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// A number in `lo..=hi`.
    pub fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
}

/// SplitMix64's output function, a good 64-bit mixer on its own.
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The random stream of article `index` of the corpus with `seed`: streams
/// start at unrelated points, so articles do not depend on one another.
fn article_rng(seed: u64, index: usize) -> SplitMix64 {
    SplitMix64::new(mix64(seed ^ mix64(index as u64 ^ 0x5CA1_E000_0000_0000)))
}

/// One article of the source collection (a line of `reuters.jsonl`; its other
/// fields are not used).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SourceArticle {
    /// Headline (Reuters: upper case).
    pub title: String,
    /// Text, hard-wrapped; a line starting with four spaces opens a paragraph.
    pub body: String,
}

/// Reads source articles from JSON Lines text; blank lines are passed over,
/// any other line must be an object with string `title` and `body` fields.
pub fn read_source_jsonl(text: &str) -> Result<Vec<SourceArticle>> {
    let mut articles = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let article: SourceArticle = serde_json::from_str(line)
            .with_context(|| format!("line {}: not an article with title and body", n + 1))?;
        articles.push(article);
    }
    ensure!(!articles.is_empty(), "no articles in the input");
    Ok(articles)
}

/// Splits a Reuters body into paragraphs, one line each: a line starting
/// with four spaces (or a tab) or a blank line opens a new paragraph, and
/// hard-wrapped lines are joined with single spaces. Empty paragraphs and
/// boilerplate ("Reuter", "More") are dropped.
pub fn reuters_paragraphs(body: &str) -> Vec<String> {
    let mut paragraphs = Vec::new();
    let mut current = String::new();
    let mut flush = |current: &mut String| {
        let boilerplate = ["reuter", "reuters", "more"].contains(&current.to_lowercase().as_str());
        if !current.is_empty() && !boilerplate {
            paragraphs.push(std::mem::take(current));
        }
        current.clear();
    };
    for line in body.lines() {
        if line.starts_with("    ") || line.starts_with('\t') || line.trim().is_empty() {
            flush(&mut current);
        }
        for word in line.split_whitespace() {
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(word);
        }
    }
    flush(&mut current);
    paragraphs
}

/// Whether a paragraph reads as prose rather than a table row or a fragment:
/// enough words, mostly lower-case words, ending like a sentence (Reuters
/// bodies cut off mid-sentence are refused with it).
pub fn is_prose(paragraph: &str) -> bool {
    let words: Vec<&str> = paragraph.split_whitespace().collect();
    let lower = words
        .iter()
        .filter(|w| w.chars().any(|c| c.is_lowercase()))
        .count();
    words.len() >= MIN_PROSE_WORDS
        && paragraph.len() <= MAX_PARAGRAPH_BYTES
        && lower * 2 >= words.len()
        && paragraph.ends_with(['.', '!', '?', '"', '\'', ')'])
}

/// Whether byline's text-page parser keeps `paragraph` verbatim in the body,
/// as the first, a middle and the last paragraph (one that reads as a date
/// line, a related-links heading, "Read more" or page furniture is not).
fn survives_text_parser(paragraph: &str) -> bool {
    const MIDDLE: &str = "The middle paragraph of the story.";
    let page = format!("Headline of the story\n\n{paragraph}\n\n{MIDDLE}\n\n{paragraph}\n");
    parse_text_page(&page).body == format!("{paragraph}\n\n{MIDDLE}\n\n{paragraph}")
}

/// Whether `title` can stand as a headline: one line, not too long, and not
/// a date line (as a teaser headline right under "More from …" it would be
/// read as the page's own date).
fn usable_title(title: &str) -> bool {
    !title.is_empty()
        && title.len() <= MAX_TITLE_BYTES
        && date_line(title).is_none()
        && parse_text_page(&format!("{title}\n\nBody.\n")).title == title
}

/// A teaser's lede: the start of `lead`, cut at a word boundary within
/// [`TEASER_BYTES`], ending in "..." as on the seed page.
fn teaser_lede(lead: &str) -> String {
    let words: Vec<&str> = lead.split_whitespace().collect();
    let mut kept = 0;
    let mut len = 0;
    for word in &words {
        let next = len + usize::from(kept > 0) + word.len();
        if next > TEASER_BYTES {
            break;
        }
        len = next;
        kept += 1;
    }
    // Always cut something, so the lede never ends like a whole sentence.
    let kept = kept.clamp(1, words.len().saturating_sub(1).max(1));
    let text = words[..kept].join(" ");
    format!("{}...", text.trim_end_matches([',', ';', ':', '.', '-']))
}

/// A source story usable as an article's headline and first paragraph.
#[derive(Debug, Clone)]
struct Story {
    title: String,
    lead: String,
    teaser: String,
    /// Index of the source article.
    origin: usize,
}

/// A paragraph (not a first paragraph) usable anywhere after an article's first.
#[derive(Debug, Clone)]
struct Filler {
    text: String,
    /// Index of the source article.
    origin: usize,
}

/// What articles are made of: headlines with their first paragraphs, and
/// the other paragraphs, from the source collection.
#[derive(Debug, Clone)]
pub struct Pool {
    stories: Vec<Story>,
    fillers: Vec<Filler>,
}

impl Pool {
    /// Splits the source articles into usable headlines and paragraphs.
    /// Repeated first paragraphs (Reuters sends some stories twice) and
    /// repeated paragraphs are kept once.
    pub fn build(articles: &[SourceArticle]) -> Result<Pool> {
        let mut stories = Vec::new();
        let mut fillers = Vec::new();
        let mut leads_seen = HashSet::new();
        let mut fillers_seen = HashSet::new();
        for (origin, article) in articles.iter().enumerate() {
            let paragraphs = reuters_paragraphs(&article.body);
            let Some((lead, rest)) = paragraphs.split_first() else {
                continue;
            };
            let title = article
                .title
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            if is_prose(lead)
                && usable_title(&title)
                && survives_text_parser(lead)
                && leads_seen.insert(lead.clone())
            {
                stories.push(Story {
                    teaser: teaser_lede(lead),
                    title,
                    lead: lead.clone(),
                    origin,
                });
            }
            for paragraph in rest {
                if is_prose(paragraph)
                    && survives_text_parser(paragraph)
                    && fillers_seen.insert(paragraph.clone())
                {
                    fillers.push(Filler {
                        text: paragraph.clone(),
                        origin,
                    });
                }
            }
        }
        // Leads stay at the top of articles (they open with a dateline).
        fillers.retain(|f| !leads_seen.contains(&f.text));

        ensure!(
            stories.len() > MAX_TEASERS,
            "only {} usable headline(s) in the input; at least {} are needed",
            stories.len(),
            MAX_TEASERS + 1
        );
        let mut per_origin: HashMap<usize, usize> = HashMap::new();
        for filler in &fillers {
            *per_origin.entry(filler.origin).or_default() += 1;
        }
        let largest = per_origin.values().copied().max().unwrap_or(0);
        ensure!(
            fillers.len() - largest >= MAX_PARAGRAPHS - 1,
            "only {} usable paragraph(s) in the input ({} from one article); at least {} from \
             other articles than any one are needed",
            fillers.len(),
            largest,
            MAX_PARAGRAPHS - 1
        );
        Ok(Pool { stories, fillers })
    }

    /// How many source stories can give a headline and first paragraph.
    pub fn stories(&self) -> usize {
        self.stories.len()
    }

    /// How many other paragraphs there are to choose from.
    pub fn fillers(&self) -> usize {
        self.fillers.len()
    }

    /// Article `index` of the corpus with `seed`.
    pub fn article(&self, seed: u64, index: usize) -> Article<'_> {
        let mut rng = article_rng(seed, index);
        let story_index = rng.below(self.stories.len());
        let story = &self.stories[story_index];

        let count = rng.between(MIN_PARAGRAPHS, MAX_PARAGRAPHS);
        let mut chosen: Vec<usize> = Vec::with_capacity(count - 1);
        while chosen.len() < count - 1 {
            let k = pick(&mut rng, self.fillers.len(), |k| {
                self.fillers[k].origin != story.origin && !chosen.contains(&k)
            });
            chosen.push(k);
        }
        let mut paragraphs = vec![story.lead.as_str()];
        paragraphs.extend(chosen.iter().map(|&k| self.fillers[k].text.as_str()));

        let (from, to) = published_range();
        let minutes = (to - from).num_minutes() as usize + 1;
        let published = from + chrono::Duration::minutes(rng.below(minutes) as i64);
        let section = SECTIONS[rng.below(SECTIONS.len())];

        let teaser_count = rng.between(MIN_TEASERS, MAX_TEASERS);
        let mut teasers: Vec<usize> = Vec::with_capacity(teaser_count);
        while teasers.len() < teaser_count {
            let k = pick(&mut rng, self.stories.len(), |k| {
                k != story_index && !teasers.contains(&k)
            });
            teasers.push(k);
        }
        Article {
            index,
            title: &story.title,
            paragraphs,
            published,
            section,
            teasers: teasers
                .iter()
                .map(|&k| {
                    (
                        self.stories[k].title.as_str(),
                        self.stories[k].teaser.as_str(),
                    )
                })
                .collect(),
        }
    }
}

/// A random index in `0..n` that `accept`s: a few random draws, then the
/// next acceptable one after the last draw (the pool checks guarantee one).
fn pick(rng: &mut SplitMix64, n: usize, accept: impl Fn(usize) -> bool) -> usize {
    let mut k = 0;
    for _ in 0..16 {
        k = rng.below(n);
        if accept(k) {
            return k;
        }
    }
    (1..=n)
        .map(|step| (k + step) % n)
        .find(|&k| accept(k))
        .expect("the pool holds enough distinct candidates")
}

/// First and last possible publication time (whole minutes, UTC).
pub fn published_range() -> (DateTime<Utc>, DateTime<Utc>) {
    let at = |y, m, d, h, mi| {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|day| day.and_hms_opt(h, mi, 0))
            .expect("valid constant date")
            .and_utc()
    };
    (at(1987, 1, 1, 0, 0), at(2026, 12, 31, 23, 59))
}

/// Where article `index`'s page is, relative to the output folder:
/// `pages/NNNN/NNNNNNN.txt`, [`PAGES_PER_FOLDER`] pages per folder.
pub fn page_path(index: usize) -> PathBuf {
    Path::new(PAGES_DIR)
        .join(folder_name(index / PAGES_PER_FOLDER))
        .join(format!("{index:07}.txt"))
}

fn folder_name(folder: usize) -> String {
    format!("{folder:04}")
}

/// One synthetic article.
#[derive(Debug, Clone, PartialEq)]
pub struct Article<'a> {
    /// Number in the corpus, from 0.
    pub index: usize,
    /// Headline.
    pub title: &'a str,
    /// Paragraphs of the body, one line each; the first from the headline's story.
    pub paragraphs: Vec<&'a str>,
    /// Publication time (UTC, whole minutes).
    pub published: DateTime<Utc>,
    /// Section named in the teaser heading.
    pub section: &'static str,
    /// Teasers under the article: (headline, truncated lede ending in "...").
    pub teasers: Vec<(&'a str, &'a str)>,
}

/// One line of `articles.jsonl`.
#[derive(Debug, Serialize)]
struct JsonArticle<'a> {
    id: &'a str,
    title: &'a str,
    body: &'a str,
    published: &'a str,
}

impl Article<'_> {
    /// The id in `articles.jsonl`, also the page's file stem: `0000042`.
    pub fn id(&self) -> String {
        format!("{:07}", self.index)
    }

    /// The body: the paragraphs joined by blank lines, as byline reads it from the page.
    pub fn body(&self) -> String {
        self.paragraphs.join("\n\n")
    }

    /// The publication time in RFC 3339 (`2016-08-27T02:17:00Z`).
    pub fn published_rfc3339(&self) -> String {
        self.published.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    }

    /// The text page, shaped like the seed page: headline, blank line,
    /// paragraphs separated by blank lines, the `Last update:` date line,
    /// then a "More from …" block of teaser headlines and truncated ledes.
    pub fn page(&self) -> String {
        let mut page = String::with_capacity(4096);
        page.push_str(self.title);
        for paragraph in &self.paragraphs {
            page.push_str("\n\n");
            page.push_str(paragraph);
        }
        page.push_str("\n\nLast update: ");
        page.push_str(&self.published.format("%a, %d/%m/%Y - %H:%M").to_string());
        page.push_str("\n\nMore from ");
        page.push_str(self.section);
        for (headline, lede) in &self.teasers {
            page.push_str("\n\n");
            page.push_str(headline);
            page.push_str("\n\n");
            page.push_str(lede);
        }
        page.push('\n');
        page
    }

    /// Appends the article's line of `articles.jsonl` (with its newline) to `out`.
    pub fn write_json_line(&self, out: &mut Vec<u8>) {
        let record = JsonArticle {
            id: &self.id(),
            title: self.title,
            body: &self.body(),
            published: &self.published_rfc3339(),
        };
        serde_json::to_writer(&mut *out, &record).expect("serialising to memory cannot fail");
        out.push(b'\n');
    }
}

/// Parses `page` as byline indexes a `.txt` file and checks that it reads
/// the article's title, body and date.
pub fn check_page(article: &Article<'_>, page: &str) -> Result<()> {
    let parsed = parse_bytes(page.as_bytes(), FileKind::TextPage, &FieldMap::default())
        .map_err(|reason| anyhow::anyhow!("article {}: page skipped: {reason}", article.id()))?;
    let read = parsed
        .articles
        .first()
        .with_context(|| format!("article {}: no article read from the page", article.id()))?;
    ensure!(
        read.title == article.title,
        "article {}: byline reads the title {:?}, not {:?}",
        article.id(),
        read.title,
        article.title
    );
    ensure!(
        read.body == article.body(),
        "article {}: byline reads a different body:\n{}",
        article.id(),
        read.body
    );
    ensure!(
        read.published == Some(article.published),
        "article {}: byline reads the date {:?}, not {}",
        article.id(),
        read.published,
        article.published
    );
    Ok(())
}

/// Makes `out` ready for a corpus: creates it if missing; refuses a folder
/// that is not empty unless `force`, in which case the generator's own
/// outputs (`pages/`, `articles.jsonl`, `manifest.json`) are removed first
/// (other files in it are left alone).
pub fn prepare_output(out: &Path, force: bool) -> Result<()> {
    if !out.exists() {
        return fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()));
    }
    ensure!(out.is_dir(), "{} exists and is not a folder", out.display());
    let empty = fs::read_dir(out)
        .with_context(|| format!("reading {}", out.display()))?
        .next()
        .is_none();
    if empty {
        return Ok(());
    }
    if !force {
        bail!(
            "{} is not empty; pass --force to replace the corpus in it",
            out.display()
        );
    }
    let pages = out.join(PAGES_DIR);
    if pages.exists() {
        fs::remove_dir_all(&pages).with_context(|| format!("removing {}", pages.display()))?;
    }
    for file in [JSONL_FILE, MANIFEST_FILE] {
        let path = out.join(file);
        if path.exists() {
            fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
        }
    }
    Ok(())
}

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenerateOptions {
    /// Number of articles.
    pub count: usize,
    /// Seed of the random streams.
    pub seed: u64,
    /// Parse every page with byline's parser and stop at the first that does
    /// not read back as its JSON line says.
    pub verify: bool,
}

/// What was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GenerateSummary {
    /// Articles written.
    pub articles: usize,
    /// Bytes of all text pages.
    pub page_bytes: u64,
    /// Bytes of `articles.jsonl`.
    pub jsonl_bytes: u64,
}

/// Writes `pages/` and `articles.jsonl` into `out` (which
/// [`prepare_output`] made ready). Folders of pages are generated in
/// parallel (rayon) and the JSON lines written in article order; `progress`
/// is called with the number of articles done after every batch.
pub fn generate(
    pool: &Pool,
    out: &Path,
    options: &GenerateOptions,
    mut progress: impl FnMut(usize),
) -> Result<GenerateSummary> {
    let pages = out.join(PAGES_DIR);
    fs::create_dir_all(&pages).with_context(|| format!("creating {}", pages.display()))?;
    let jsonl_path = out.join(JSONL_FILE);
    let file = fs::File::create(&jsonl_path)
        .with_context(|| format!("creating {}", jsonl_path.display()))?;
    let mut jsonl = BufWriter::with_capacity(1 << 20, file);

    let mut summary = GenerateSummary::default();
    let folders = options.count.div_ceil(PAGES_PER_FOLDER);
    for batch in (0..folders).step_by(FOLDERS_PER_BATCH) {
        let written: Vec<Result<(Vec<u8>, u64, usize)>> = (batch
            ..folders.min(batch + FOLDERS_PER_BATCH))
            .into_par_iter()
            .map(|folder| write_folder(pool, &pages, folder, options))
            .collect();
        for result in written {
            let (lines, page_bytes, articles) = result?;
            jsonl
                .write_all(&lines)
                .with_context(|| format!("writing {}", jsonl_path.display()))?;
            summary.jsonl_bytes += lines.len() as u64;
            summary.page_bytes += page_bytes;
            summary.articles += articles;
        }
        progress(summary.articles);
    }
    jsonl
        .flush()
        .with_context(|| format!("writing {}", jsonl_path.display()))?;
    Ok(summary)
}

/// Writes one folder of pages; returns its JSON lines, page bytes and article count.
fn write_folder(
    pool: &Pool,
    pages: &Path,
    folder: usize,
    options: &GenerateOptions,
) -> Result<(Vec<u8>, u64, usize)> {
    let dir = pages.join(folder_name(folder));
    fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let first = folder * PAGES_PER_FOLDER;
    let last = options.count.min(first + PAGES_PER_FOLDER);
    let mut lines = Vec::with_capacity((last - first) * 2048);
    let mut page_bytes = 0;
    for index in first..last {
        let article = pool.article(options.seed, index);
        let page = article.page();
        if options.verify {
            check_page(&article, &page)?;
        }
        let path = dir.join(format!("{index:07}.txt"));
        fs::write(&path, &page).with_context(|| format!("writing {}", path.display()))?;
        page_bytes += page.len() as u64;
        article.write_json_line(&mut lines);
    }
    Ok((lines, page_bytes, last - first))
}

/// `manifest.json`: what a corpus folder holds and how it was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The program that wrote the corpus.
    pub generator: String,
    /// [`GENERATOR_VERSION`] of that program.
    pub generator_version: u32,
    /// Version of the byline-bench crate.
    pub crate_version: String,
    /// Number of articles.
    pub count: usize,
    /// Seed of the random streams.
    pub seed: u64,
    /// The source JSON Lines file, as given.
    pub source: String,
    /// Articles in the source file.
    pub source_articles: usize,
    /// Source stories usable as headline and first paragraph.
    pub source_stories: usize,
    /// Other source paragraphs to choose from.
    pub source_paragraphs: usize,
    /// Earliest possible publication time (RFC 3339).
    pub published_from: String,
    /// Latest possible publication time (RFC 3339).
    pub published_to: String,
    /// Pages per subfolder of `pages/`.
    pub pages_per_folder: usize,
    /// Bytes of all text pages.
    pub page_bytes: u64,
    /// Bytes of `articles.jsonl`.
    pub jsonl_bytes: u64,
    /// `page_bytes + jsonl_bytes`.
    pub total_bytes: u64,
}

impl Manifest {
    /// The manifest of a corpus generated from `source` (a path as given).
    pub fn new(
        options: &GenerateOptions,
        source: &str,
        source_articles: usize,
        pool: &Pool,
        summary: &GenerateSummary,
    ) -> Manifest {
        let (from, to) = published_range();
        let rfc3339 = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        Manifest {
            generator: "byline-bench gen-corpus".to_owned(),
            generator_version: GENERATOR_VERSION,
            crate_version: env!("CARGO_PKG_VERSION").to_owned(),
            count: summary.articles,
            seed: options.seed,
            source: source.to_owned(),
            source_articles,
            source_stories: pool.stories(),
            source_paragraphs: pool.fillers(),
            published_from: rfc3339(from),
            published_to: rfc3339(to),
            pages_per_folder: PAGES_PER_FOLDER,
            page_bytes: summary.page_bytes,
            jsonl_bytes: summary.jsonl_bytes,
            total_bytes: summary.page_bytes + summary.jsonl_bytes,
        }
    }

    /// Writes the manifest as pretty JSON to `out/manifest.json`.
    pub fn write(&self, out: &Path) -> Result<()> {
        let path = out.join(MANIFEST_FILE);
        let json = serde_json::to_string_pretty(self)? + "\n";
        fs::write(&path, json).with_context(|| format!("writing {}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small Reuters-like collection: `n` stories of a lead and three
    /// hard-wrapped, indented paragraphs, plus a table and a sign-off.
    fn small_sources(n: usize) -> Vec<SourceArticle> {
        (0..n)
            .map(|i| SourceArticle {
                title: format!("COMPANY {i} REPORTS HIGHER QUARTERLY PROFIT"),
                body: format!(
                    "CITY{i}, March {d} - Company {i} Corp said its profit rose\n\
                     in the first quarter on stronger sales in Europe.\n\
                     \x20   Chairman John Smith{i} said the results were better than\n\
                     expected and the outlook for the year was good.\n\
                     \x20   Shr 1.{i} dlrs vs 1.0 dlrs\n\
                     \x20   The company, based in Chicago, said it would pay a dividend\n\
                     of {i} cts a share on April 15 to holders of record.\n\
                     \x20   Analysts at Merrill Lynch said the shares of the group were\n\
                     likely to rise further after the report number {i}.\n\
                     \x20   Reuter\n",
                    d = i % 28 + 1
                ),
            })
            .collect()
    }

    fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        let mut files = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for entry in fs::read_dir(&d).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    let bytes = fs::read(&path).unwrap();
                    files.push((path.strip_prefix(dir).unwrap().to_path_buf(), bytes));
                }
            }
        }
        files.sort();
        files
    }

    #[test]
    fn splitmix64_matches_the_reference_output() {
        let mut rng = SplitMix64::new(1_234_567);
        assert_eq!(rng.next_u64(), 6_457_827_717_110_365_317);
        assert_eq!(rng.next_u64(), 3_203_168_211_198_807_973);
        assert_eq!(rng.next_u64(), 9_817_491_932_198_370_423);
        let mut rng = SplitMix64::new(7);
        assert!((0..1000).all(|_| rng.between(3, 10) >= 3 && rng.below(8) < 8));
    }

    #[test]
    fn reuters_paragraphs_rejoin_wrapped_lines() {
        let body = "LONDON, Oct 20 - Chancellor Nigel\nLawson said the rout was\nabsurd.\n    \
                    In a further wave of selling,\nthe index fell.\n\n    Reuter\n";
        assert_eq!(
            reuters_paragraphs(body),
            [
                "LONDON, Oct 20 - Chancellor Nigel Lawson said the rout was absurd.",
                "In a further wave of selling, the index fell."
            ]
        );
        assert!(reuters_paragraphs("  \n    \n").is_empty());
    }

    #[test]
    fn prose_is_told_from_tables_and_fragments() {
        assert!(is_prose(
            "Comissaria Smith said spot bean prices rose to 340 to 350 cruzados per arroba."
        ));
        assert!(!is_prose("Shr 1.20 dlrs vs 1.10 dlrs"));
        assert!(!is_prose("Record March 31"));
        assert!(!is_prose(
            "NET PROFIT 12.5 MLN DLRS VS 10.1 MLN DLRS, SALES UP 10 PCT."
        ));
        assert!(!is_prose(
            "What was not expected was the severity of the fall and the"
        ));
    }

    #[test]
    fn teaser_ledes_are_cut_with_an_ellipsis() {
        let lede = teaser_lede(
            "Iraqi forces said on Sunday that they had regained territory from Islamic State \
             in the western part of Mosul, hours after launching a new offensive.",
        );
        assert_eq!(
            lede,
            "Iraqi forces said on Sunday that they had regained territory from Islamic State \
             in the western part of Mosul..."
        );
        assert!(lede.len() <= TEASER_BYTES + 3);
        assert_eq!(
            teaser_lede("Short lead of eight words in total here."),
            "Short lead of eight words in total..."
        );
    }

    #[test]
    fn paragraphs_byline_would_drop_are_not_used() {
        assert!(survives_text_parser(
            "The company said it would pay a dividend of 10 cts a share."
        ));
        assert!(!survives_text_parser("March 12, 1987."));
        assert!(!survives_text_parser("Related stories"));
        assert!(!usable_title("27 August 2016"));
        assert!(usable_title("BAHIA COCOA REVIEW"));
    }

    #[test]
    fn articles_have_the_promised_shape() {
        let sources = small_sources(12);
        let pool = Pool::build(&sources).unwrap();
        assert_eq!(pool.stories(), 12);
        assert_eq!(pool.fillers(), 36);
        let (from, to) = published_range();
        for index in 0..500 {
            let a = pool.article(42, index);
            assert!((MIN_PARAGRAPHS..=MAX_PARAGRAPHS).contains(&a.paragraphs.len()));
            assert!((MIN_TEASERS..=MAX_TEASERS).contains(&a.teasers.len()));
            // Headline and first paragraph from one story, the rest from others.
            let n: String = a.title.chars().filter(char::is_ascii_digit).collect();
            assert!(a.paragraphs[0].starts_with(&format!("CITY{n},")));
            for p in &a.paragraphs[1..] {
                assert!(!p.ends_with(&format!(" {n}.")) && !p.contains(&format!("Smith{n} ")));
            }
            let mut distinct = a.paragraphs.clone();
            distinct.sort();
            distinct.dedup();
            assert_eq!(distinct.len(), a.paragraphs.len());
            assert!(a
                .teasers
                .iter()
                .all(|(t, lede)| *t != a.title && lede.ends_with("...")));
            assert!(a.published >= from && a.published <= to);
            assert_eq!(a.published.timestamp() % 60, 0);
        }
        assert!(Pool::build(&small_sources(5)).is_err());
    }

    #[test]
    fn pages_read_back_as_their_json_lines() {
        let pool = Pool::build(&small_sources(12)).unwrap();
        let a = pool.article(1987, 7);
        let page = a.page();
        check_page(&a, &page).unwrap();
        let mut line = Vec::new();
        a.write_json_line(&mut line);
        let json: serde_json::Value = serde_json::from_slice(&line).unwrap();
        assert_eq!(json["id"], "0000007");
        assert_eq!(json["title"], a.title);
        assert_eq!(json["body"], a.body());
        let parsed = parse_text_page(&page);
        assert_eq!(
            parsed.published.unwrap().to_rfc3339(),
            DateTime::parse_from_rfc3339(json["published"].as_str().unwrap())
                .unwrap()
                .to_rfc3339()
        );
        assert!(page.contains("\n\nLast update: "));
        assert!(page.contains(&format!("\n\nMore from {}\n\n", a.section)));
        assert!(!parsed.body.contains("...") && !parsed.body.contains("Last update"));
        assert_eq!(parsed.related.len(), a.teasers.len());
        for index in 0..300 {
            let a = pool.article(3, index);
            check_page(&a, &a.page()).unwrap();
        }
    }

    #[test]
    fn output_is_byte_identical_whatever_the_threads() {
        let pool = Pool::build(&small_sources(12)).unwrap();
        let options = GenerateOptions {
            count: 2_345,
            seed: 1987,
            verify: true,
        };
        let write = |threads: usize| {
            let dir = tempfile::tempdir().unwrap();
            let summary = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| generate(&pool, dir.path(), &options, |_| {}))
                .unwrap();
            Manifest::new(&options, "in-memory", 12, &pool, &summary)
                .write(dir.path())
                .unwrap();
            (dir, summary)
        };
        let (one, summary) = write(1);
        let (three, _) = write(3);
        assert_eq!(summary.articles, 2_345);
        let files = tree(one.path());
        assert_eq!(files, tree(three.path()));
        // 2,345 pages in three folders, the JSON lines and the manifest.
        assert_eq!(files.len(), 2_345 + 2);
        assert!(one.path().join("pages/0002/0002344.txt").is_file());
        assert!(one.path().join("pages/0001/0001999.txt").is_file());
        let pages: u64 = files
            .iter()
            .filter(|(p, _)| p.starts_with(PAGES_DIR))
            .map(|(_, b)| b.len() as u64)
            .sum();
        assert_eq!(pages, summary.page_bytes);
        let jsonl = fs::read_to_string(one.path().join(JSONL_FILE)).unwrap();
        assert_eq!(jsonl.len() as u64, summary.jsonl_bytes);
        assert_eq!(jsonl.lines().count(), 2_345);
        let manifest: Manifest =
            serde_json::from_slice(&fs::read(one.path().join(MANIFEST_FILE)).unwrap()).unwrap();
        assert_eq!(
            manifest.total_bytes,
            summary.page_bytes + summary.jsonl_bytes
        );
        assert_ne!(pool.article(1987, 5).page(), pool.article(1988, 5).page());
    }

    #[test]
    fn a_full_folder_is_refused_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("corpus");
        prepare_output(&out, false).unwrap();
        fs::create_dir_all(out.join("pages/0000")).unwrap();
        fs::write(out.join(JSONL_FILE), "{}\n").unwrap();
        fs::write(out.join("notes.txt"), "mine").unwrap();
        let err = prepare_output(&out, false).unwrap_err();
        assert!(err.to_string().contains("--force"), "{err}");
        prepare_output(&out, true).unwrap();
        assert!(!out.join(PAGES_DIR).exists() && !out.join(JSONL_FILE).exists());
        assert!(out.join("notes.txt").exists());
        fs::write(dir.path().join("file"), "x").unwrap();
        assert!(prepare_output(&dir.path().join("file"), true).is_err());
    }

    #[test]
    fn bad_input_lines_are_named() {
        let err =
            read_source_jsonl("{\"title\": \"A\", \"body\": \"B\"}\n{\"title\": 3}\n").unwrap_err();
        assert!(format!("{err:#}").contains("line 2"), "{err:#}");
        assert!(read_source_jsonl("\n\n").is_err());
    }

    /// The real input: Reuters-21578 from `../shared`.
    #[test]
    fn reuters_articles_read_back_through_byline() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/corpora/reuters21578/reuters.jsonl");
        let text = fs::read_to_string(&path).expect("../shared beside the checkout");
        let sources = read_source_jsonl(&text).unwrap();
        assert_eq!(sources.len(), 19_043);
        let pool = Pool::build(&sources).unwrap();
        assert!(pool.stories() > 10_000, "{} stories", pool.stories());
        assert!(pool.fillers() > 40_000, "{} paragraphs", pool.fillers());
        let mut years = std::collections::BTreeSet::new();
        for index in 0..3_000 {
            let a = pool.article(1987, index);
            check_page(&a, &a.page()).unwrap();
            years.insert(a.published.format("%Y").to_string());
        }
        assert_eq!(years.len(), 40, "{years:?}");
    }
}
