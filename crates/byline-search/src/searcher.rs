//! Running a [`SearchRequest`] against an index: one request in, one
//! [`SearchResults`] out. The CLI only formats what comes back.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use byline_indexer::{ArticleIndex, ArticleSchema, DuplicateGroups};
use chrono::{DateTime, Datelike, Utc};
use serde::Serialize;
use tantivy::aggregation::agg_req::Aggregations;
use tantivy::aggregation::AggregationCollector;
use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::index::SegmentId;
use tantivy::query::{AllQuery, BooleanQuery, ConstScoreQuery, ExistsQuery, Occur, Query};
use tantivy::schema::{Field, IndexRecordOption, OwnedValue, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{
    BitSet, DocAddress, DocId, DocSet, IndexReader, Order, ReloadPolicy, Score, Searcher,
    SegmentOrdinal, SegmentReader, TantivyDocument, Term, TERMINATED,
};

use crate::compile::{date_range, parse_period, QueryCompiler, Ranking};
use crate::error::SearchError;
use crate::facets::{EntityCounts, EntityFacets, FacetKind};
use crate::query::{parse_query, QueryField, QueryNode};

/// How to order hits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    /// Best match first (BM25 with byline's boosts).
    #[default]
    Relevance,
    /// Most recent first; undated articles last.
    Newest,
    /// Oldest first; undated articles last.
    Oldest,
}

/// What to look for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchRequest {
    /// Query text in byline's query language; empty or `*` matches every article.
    pub query: String,
    /// Earliest publication period, inclusive (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`).
    pub from: Option<String>,
    /// Latest publication period, inclusive of the whole period.
    pub to: Option<String>,
    /// Articles must name all these people.
    pub people: Vec<String>,
    /// Articles must name all these places.
    pub places: Vec<String>,
    /// Articles must name all these organisations.
    pub orgs: Vec<String>,
    /// Order of hits.
    pub sort: SortOrder,
    /// Hits to return.
    pub limit: usize,
    /// Hits to skip first (paging).
    pub offset: usize,
    /// Longest snippet, in characters; 0 for none.
    pub snippet_chars: usize,
    /// How to score hits.
    pub ranking: Ranking,
    /// With [`SortOrder::Relevance`]: favour recent articles, multiplying
    /// each score by [`recency_factor`](crate::recency_factor) of its age
    /// relative to the newest article in the index (half-life 30 days).
    pub recency: bool,
    /// Show every copy of a story. By default each group of copies (see
    /// `byline_indexer::duplicates`) is collapsed to one hit: its
    /// representative (the earliest copy) when that matches, else the
    /// earliest matching copy; the others are left out of the hits and of
    /// [`SearchResults::collapsed_total`] (never of `total` or counts).
    pub all: bool,
    /// How many top values of each entity kind to count over every
    /// matching article, in the same pass as the ranking (a search page's
    /// sidebar), into [`SearchResults::facets`]; 0 for none. The same
    /// counts as [`ArticleSearcher::entity_facets`], without a second pass.
    pub facet_values: usize,
}

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest {
            query: String::new(),
            from: None,
            to: None,
            people: Vec::new(),
            places: Vec::new(),
            orgs: Vec::new(),
            sort: SortOrder::Relevance,
            limit: 10,
            offset: 0,
            snippet_chars: 200,
            ranking: Ranking::Byline,
            recency: false,
            all: false,
            facet_values: 0,
        }
    }
}

/// Text with the byte ranges of matched terms.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Highlighted {
    /// The text, white space collapsed to single spaces.
    pub text: String,
    /// Byte ranges in `text` of the matched terms.
    pub highlights: Vec<Range<usize>>,
}

/// One matching article.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    /// Stable article id.
    pub id: String,
    /// File (and `:line` for JSON Lines records) the article came from.
    pub path: String,
    /// Headline.
    pub title: String,
    /// Publication date, if known.
    pub published: Option<DateTime<Utc>>,
    /// Relevance score (0 when sorted by date).
    pub score: f32,
    /// A passage of the body around the matches.
    pub snippet: Highlighted,
    /// People the article names.
    pub people: Vec<String>,
    /// Places the article names.
    pub places: Vec<String>,
    /// Organisations the article names.
    pub orgs: Vec<String>,
}

/// The answer to a [`SearchRequest`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResults {
    /// Exact number of matching articles, every copy of a story counted
    /// (as [`ArticleSearcher::count`], facets and timelines count).
    pub total: u64,
    /// Exact number of hits paging can reach: the matching articles with
    /// each group of copies counted once (equal to `total` with
    /// [`SearchRequest::all`] or when no match has copies).
    pub collapsed_total: u64,
    /// The requested page of hits.
    pub hits: Vec<Hit>,
    /// For each hit, in the same order, the ids of the other copies of it
    /// that were collapsed into it (matching the query or not; empty for an
    /// article without copies, and always empty with [`SearchRequest::all`]).
    pub duplicates: Vec<Vec<String>>,
    /// Top entity values over every matching article, when
    /// [`SearchRequest::facet_values`] asks for them (else empty).
    pub facets: EntityFacets,
}

/// Summary of an index's contents.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndexStats {
    /// Articles in the index.
    pub articles: u64,
    /// Articles with a publication date.
    pub dated: u64,
    /// Earliest publication date.
    pub earliest: Option<DateTime<Utc>>,
    /// Latest publication date.
    pub latest: Option<DateTime<Utc>>,
    /// The period length of `per_period`: months, or years for archives spanning more than five years.
    pub interval: Interval,
    /// Articles per period, every period from the first to the last, empty ones included.
    pub per_period: Vec<PeriodCount>,
}

/// An open index, ready to answer requests.
pub struct ArticleSearcher {
    pub(crate) store: ArticleIndex,
    pub(crate) reader: IndexReader,
    /// Groups of copies, loaded on first need.
    pub(crate) copies: OnceLock<Result<Copies, String>>,
}

impl std::fmt::Debug for ArticleSearcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArticleSearcher")
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

impl ArticleSearcher {
    /// Opens the index in `dir`.
    pub fn open(dir: &Path) -> Result<ArticleSearcher, SearchError> {
        let mut store = ArticleIndex::open(dir)?;
        // Segments are searched on every core: at 1M articles (14
        // segments) a cold `byline search 'oil prices'` took 49 ms instead
        // of 62 ms, with JSON output 22 ms instead of 29 ms.
        let segments = store.index.searchable_segment_ids()?.len();
        if segments > 1 && std::thread::available_parallelism().is_ok_and(|n| n.get() > 1) {
            store.index.set_default_multithread_executor()?;
        }
        let reader = store
            .index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(ArticleSearcher {
            store,
            reader,
            copies: OnceLock::new(),
        })
    }

    /// The schema's field handles.
    pub fn fields(&self) -> &ArticleSchema {
        &self.store.fields
    }

    /// Builds the tantivy query for a request: the query text and every filter.
    pub fn build_query(&self, request: &SearchRequest) -> Result<Box<dyn Query>, SearchError> {
        Ok(RankedQuery::new(self, request)?.full)
    }

    /// The request's query with its top-level proximity clause apart (see
    /// [`ArticleSearcher::search`]).
    fn build_split_query(
        &self,
        request: &SearchRequest,
    ) -> Result<crate::compile::SplitQuery, SearchError> {
        let node = parse_query(&request.query)?;
        let compiler = QueryCompiler {
            index: &self.store.index,
            fields: &self.store.fields,
            ranking: request.ranking,
        };
        let (text_query, proximity) = compiler.compile_split(&node)?;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text_query)];
        let from = request.from.as_deref().map(parse_period).transpose()?;
        let to = request.to.as_deref().map(parse_period).transpose()?;
        if let (Some(f), Some(t)) = (from, to) {
            if f.start >= t.end {
                return Err(SearchError::EmptyDateRange {
                    from: request.from.clone().unwrap_or_default(),
                    to: request.to.clone().unwrap_or_default(),
                });
            }
        }
        if from.is_some() || to.is_some() {
            let range = date_range(
                self.store.fields.published,
                from.map(|p| p.start),
                to.map(|p| p.end),
            );
            clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(range, 0.0))));
        }
        for (values, field) in [
            (&request.people, QueryField::Person),
            (&request.places, QueryField::Place),
            (&request.orgs, QueryField::Org),
        ] {
            for value in values {
                let filter = compiler.compile(&QueryNode::Phrase {
                    field: Some(field),
                    text: value.clone(),
                    slop: 0,
                })?;
                clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(filter, 0.0))));
            }
        }
        let query = if clauses.len() == 1 {
            clauses.pop().expect("one").1
        } else {
            Box::new(BooleanQuery::new(clauses))
        };
        Ok((query, proximity))
    }

    /// Exact number of articles matching a request, every copy of a story
    /// counted (as timelines and facets count), as [`SearchResults::total`].
    pub fn count(&self, request: &SearchRequest) -> Result<u64, SearchError> {
        let query = self.build_query(request)?;
        Ok(self.reader.searcher().search(&*query, &Count)? as u64)
    }

    /// The groups of copies in the index: from `duplicates.json` when it
    /// matches the index's commit, else computed (and a warning logged).
    pub fn duplicate_groups(&self) -> Result<&DuplicateGroups, SearchError> {
        match self.copies() {
            Ok(copies) => Ok(&copies.groups),
            Err(e) => Err(SearchError::InvalidQuery(format!("duplicate groups: {e}"))),
        }
    }

    fn copies(&self) -> Result<&Copies, &String> {
        self.copies
            .get_or_init(|| {
                let groups = DuplicateGroups::load_or_compute(&self.store, &self.reader.searcher())
                    .map_err(|e| e.to_string())?;
                let members = member_docs(&self.reader.searcher(), self.store.fields.id, &groups)
                    .map_err(|e| e.to_string())?;
                let member_count = members.values().map(|m| m.place.len()).sum();
                Ok(Copies {
                    groups,
                    members,
                    member_count,
                })
            })
            .as_ref()
    }

    /// The groups of copies to collapse for a request: `None` with `--all`,
    /// or when the index has none (or they cannot be read: logged).
    fn copies_to_collapse(&self, all: bool) -> Option<&Copies> {
        if all {
            return None;
        }
        match self.copies() {
            Ok(copies) if !copies.groups.groups.is_empty() => Some(copies),
            Ok(_) => None,
            Err(e) => {
                tracing::warn!(error = %e, "duplicate groups unavailable; not collapsing");
                None
            }
        }
    }

    /// Top `limit` hits of `query` in the request's order (no offset), the
    /// number of matching articles, and the fruit of `extra` collected in
    /// the same pass.
    fn top_hits<C: Collector>(
        &self,
        query: &RankedQuery,
        request: &SearchRequest,
        limit: usize,
        extra: C,
    ) -> Result<TopHits<C::Fruit>, SearchError> {
        let searcher = self.reader.searcher();
        if let (SortOrder::Relevance, false, Some(proximity)) =
            (request.sort, request.recency, &query.proximity)
        {
            // Rank without the proximity clause, then add it to the best
            // candidates only: reading the positions of every match was a
            // fifth of a cold search at 1M articles.
            let depth = limit.max(RERANK_DEPTH);
            let (mut top, total, fruit) = searcher.search(
                &*query.base,
                &(TopDocs::with_limit(depth).order_by_score(), Count, extra),
            )?;
            add_scores(&searcher, &**proximity, &mut top)?;
            top.truncate(limit.max(1));
            return Ok((top, total, fruit));
        }
        let query: &dyn Query = &*query.full;
        let top = TopDocs::with_limit(limit.max(1));
        Ok(match request.sort {
            SortOrder::Relevance if request.recency => {
                let newest = self
                    .date_span(&AllQuery)?
                    .map(|(_, last)| tantivy::DateTime::from_timestamp_secs(last.timestamp()));
                searcher.search(
                    query,
                    &(crate::recency::recency_collector(top, newest), Count, extra),
                )?
            }
            SortOrder::Relevance => {
                searcher.search(query, &(top.order_by_score(), Count, extra))?
            }
            SortOrder::Newest | SortOrder::Oldest => {
                let order = if request.sort == SortOrder::Newest {
                    Order::Desc
                } else {
                    Order::Asc
                };
                let (docs, total, fruit) = searcher.search(
                    query,
                    &(
                        top.order_by_fast_field::<tantivy::DateTime>("published", order),
                        Count,
                        extra,
                    ),
                )?;
                (
                    docs.into_iter()
                        .map(|(_, address)| (0.0, address))
                        .collect(),
                    total,
                    fruit,
                )
            }
        })
    }

    /// Runs a request.
    ///
    /// Copies are collapsed in the same pass that ranks: the pass also
    /// collects which grouped copies match, and asks for a few more hits
    /// than the page needs, so that the copies hidden from the page can be
    /// dropped afterwards. Which copy is shown depends only on the matching
    /// set, never on the page, so totals are exact and paging stable. Only
    /// when more hidden copies rank within the page than were asked for
    /// extra is a second pass run, with room for all of them.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, SearchError> {
        let ranked = RankedQuery::new(self, request)?;
        let full_query = &ranked.full;
        let searcher = self.reader.searcher();
        let wanted = request.offset + request.limit.max(1);
        let copies = self.copies_to_collapse(request.all);
        let entity_counts = (request.facet_values > 0).then(|| EntityCounts::new(&FacetKind::ALL));
        let (addresses, every_copy, hidden_count, others, per_field) = match copies {
            None => {
                let (mut top, total, (_, per_field)) = self.top_hits(
                    &ranked,
                    request,
                    wanted,
                    (None::<GroupedCopies>, entity_counts),
                )?;
                top.drain(..request.offset.min(top.len()));
                (top, total, 0, HashMap::new(), per_field)
            }
            Some(copies) => {
                let extra = copies.member_count.min(COLLAPSE_HEADROOM);
                let (top, total, (matching_members, per_field)) = self.top_hits(
                    &ranked,
                    request,
                    wanted + extra,
                    (
                        GroupedCopies {
                            members: &copies.members,
                        },
                        entity_counts,
                    ),
                )?;
                let collapsed = Collapsed::of(copies, &matching_members);
                let unhidden = |top: Vec<(f32, DocAddress)>| -> Vec<(f32, DocAddress)> {
                    top.into_iter()
                        .filter(|(_, a)| !collapsed.hidden.contains(a))
                        .collect()
                };
                let complete = top.len() < wanted + extra;
                let mut page = unhidden(top);
                if !complete && page.len() < wanted {
                    // More hidden copies ranked within the page than the
                    // headroom allowed for: rank again with room for all.
                    let room = wanted + collapsed.hidden.len();
                    page = unhidden(
                        self.top_hits(&ranked, request, room, None::<GroupedCopies>)?
                            .0,
                    );
                }
                page.truncate(wanted);
                page.drain(..request.offset.min(page.len()));
                (
                    page,
                    total,
                    collapsed.hidden.len(),
                    collapsed.others,
                    per_field,
                )
            }
        };
        let facets = per_field
            .map(|per_field| EntityFacets::from_counts(per_field, request.facet_values))
            .unwrap_or_default();
        let total = every_copy - hidden_count;
        let addresses = if request.limit == 0 {
            Vec::new()
        } else {
            addresses
        };
        let snippets = if request.snippet_chars > 0 && !addresses.is_empty() {
            let mut generator =
                SnippetGenerator::create(&searcher, &**full_query, self.store.fields.body)?;
            generator.set_max_num_chars(request.snippet_chars);
            Some(generator)
        } else {
            None
        };
        // Each hit reads its document (a compressed block of the store) and
        // makes its snippet: independent, so on every core.
        let hit_of = |(score, address): (f32, DocAddress)| -> tantivy::Result<Hit> {
            let doc: TantivyDocument = searcher.doc(address)?;
            let snippet = snippets.as_ref().map(|g| {
                let snippet = g.snippet_from_doc(&doc);
                if snippet.is_empty() {
                    let body = first_str(&doc, self.store.fields.body);
                    collapse_whitespace(&truncate_chars(&body, request.snippet_chars), &[])
                } else {
                    let body_len = doc
                        .get_first(self.store.fields.body)
                        .and_then(|v| v.as_str())
                        .map_or(0, str::len);
                    let range = snippet.fragment_range();
                    mark_cuts(
                        collapse_whitespace(snippet.fragment(), snippet.highlighted()),
                        range.start > 0,
                        range.end < body_len,
                    )
                }
            });
            Ok(self.hit(&doc, score, snippet.unwrap_or_default()))
        };
        let hits: Vec<Hit> = if addresses.len() > 1 {
            searcher
                .index()
                .search_executor()
                .map(hit_of, addresses.into_iter())?
        } else {
            addresses
                .into_iter()
                .map(hit_of)
                .collect::<tantivy::Result<_>>()?
        };
        let duplicates = hits
            .iter()
            .map(|h| others.get(&h.id).cloned().unwrap_or_default())
            .collect();
        Ok(SearchResults {
            total: every_copy as u64,
            collapsed_total: total as u64,
            hits,
            duplicates,
            facets,
        })
    }

    fn hit(&self, doc: &TantivyDocument, score: f32, snippet: Highlighted) -> Hit {
        let f = &self.store.fields;
        Hit {
            id: first_str(doc, f.id),
            path: first_str(doc, f.path),
            title: first_str(doc, f.title),
            published: doc
                .get_first(f.published)
                .and_then(|v| v.as_datetime())
                .and_then(|d| DateTime::from_timestamp(d.into_timestamp_secs(), 0)),
            score,
            snippet,
            people: all_str(doc, f.person),
            places: all_str(doc, f.place),
            orgs: all_str(doc, f.org),
        }
    }

    /// Counts, date range and articles per month.
    pub fn stats(&self) -> Result<IndexStats, SearchError> {
        let searcher = self.reader.searcher();
        let articles = searcher.num_docs();
        let span = self.date_span(&AllQuery)?;
        // Months read well up to about five years; beyond that, years do.
        let interval = match span {
            Some((first, last)) if (last - first).num_days() > 5 * 366 => Interval::Year,
            _ => Interval::Month,
        };
        let per_period = self.histogram(&AllQuery, interval)?;
        let dated = per_period.iter().map(|p| p.count).sum();
        Ok(IndexStats {
            articles,
            dated,
            earliest: span.map(|s| s.0),
            latest: span.map(|s| s.1),
            interval,
            per_period,
        })
    }

    /// Earliest and latest publication date among the articles matching `query`.
    pub fn date_span(&self, query: &dyn Query) -> Result<Option<DateSpan>, SearchError> {
        let searcher = self.reader.searcher();
        let dated: Box<dyn Query> = Box::new(BooleanQuery::new(vec![
            (Occur::Must, query.box_clone()),
            (
                Occur::Must,
                Box::new(ExistsQuery::new("published".to_string(), false)),
            ),
        ]));
        let mut ends = Vec::with_capacity(2);
        for order in [Order::Asc, Order::Desc] {
            let top =
                TopDocs::with_limit(1).order_by_fast_field::<tantivy::DateTime>("published", order);
            let found = searcher.search(&*dated, &top)?;
            let date = found
                .first()
                .and_then(|(d, _)| *d)
                .and_then(|d| DateTime::from_timestamp(d.into_timestamp_secs(), 0));
            ends.push(date);
        }
        Ok(match (ends[0], ends[1]) {
            (Some(first), Some(last)) => Some((first, last)),
            _ => None,
        })
    }

    /// Articles matching `query` per calendar period, from the period of the
    /// earliest match to that of the latest, empty periods included.
    /// Computed by a tantivy range aggregation over the date fast field,
    /// without collecting hits.
    pub fn histogram(
        &self,
        query: &dyn Query,
        interval: Interval,
    ) -> Result<Vec<PeriodCount>, SearchError> {
        let Some((first, last)) = self.date_span(query)? else {
            return Ok(Vec::new());
        };
        let mut starts = vec![interval.floor(first)];
        while let Some(next) = starts.last().map(|s| interval.next(*s)) {
            if next > last {
                starts.push(next);
                break;
            }
            starts.push(next);
        }
        let nanos = |d: DateTime<Utc>| d.timestamp() as f64 * 1e9;
        let ranges: Vec<serde_json::Value> = starts
            .windows(2)
            .map(|w| serde_json::json!({"from": nanos(w[0]), "to": nanos(w[1])}))
            .collect();
        let request: Aggregations = serde_json::from_value(serde_json::json!({
            "periods": { "range": { "field": "published", "ranges": ranges, "keyed": false } }
        }))
        .map_err(|e| SearchError::InvalidQuery(format!("aggregation: {e}")))?;
        let collector = AggregationCollector::from_aggs(request, Default::default());
        let result = self.reader.searcher().search(query, &collector)?;
        let json = serde_json::to_value(&result)
            .map_err(|e| SearchError::InvalidQuery(format!("aggregation: {e}")))?;
        let buckets = json["periods"]["buckets"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        // Buckets come back in range order; those with a `from` are ours (tantivy
        // adds open-ended ones before the first and after the last).
        let counts: Vec<u64> = buckets
            .iter()
            .filter(|b| !b["from"].is_null() && !b["to"].is_null())
            .filter_map(|b| b["doc_count"].as_u64())
            .collect();
        Ok(starts
            .windows(2)
            .zip(counts)
            .map(|(w, count)| PeriodCount {
                label: interval.label(w[0]),
                start: w[0],
                count,
            })
            .collect())
    }
}

/// Ranked (score, address) pairs, the number of matches, and what an extra
/// collector gathered in the same pass.
type TopHits<F> = (Vec<(f32, DocAddress)>, usize, F);

/// For each shown copy's id, the ids of the other copies collapsed into it.
type CopiesOf = HashMap<String, Vec<String>>;

/// Hits asked for beyond the page when collapsing, to stand in for the
/// hidden copies that rank within it (a second pass is run only when more
/// than this many do).
const COLLAPSE_HEADROOM: usize = 32;

/// Groups of copies, with each grouped document's place in its group.
#[derive(Debug)]
pub(crate) struct Copies {
    groups: DuplicateGroups,
    /// Per segment: which documents belong to a group, and where.
    members: HashMap<SegmentId, Arc<SegmentMembers>>,
    /// Grouped documents in the index.
    member_count: usize,
}

/// A segment's grouped documents: a bit set for the quick test every
/// matching document goes through, and (group, position in the group) of each.
#[derive(Debug)]
struct SegmentMembers {
    grouped: BitSet,
    place: HashMap<DocId, (u32, u32)>,
}

/// Where each grouped id lives, segment by segment (looked up once through
/// the id field's postings, so searches never read stored ids to collapse).
fn member_docs(
    searcher: &Searcher,
    id_field: Field,
    groups: &DuplicateGroups,
) -> tantivy::Result<HashMap<SegmentId, Arc<SegmentMembers>>> {
    // One segment per task on the search executor (every core): each
    // looks up every member id in its own dictionary.
    let per_segment = searcher.index().search_executor().map(
        |reader: &SegmentReader| segment_members(reader, id_field, groups),
        searcher.segment_readers().iter(),
    )?;
    let mut by_segment = HashMap::new();
    for (reader, members) in searcher.segment_readers().iter().zip(per_segment) {
        by_segment.insert(reader.segment_id(), Arc::new(members));
    }
    Ok(by_segment)
}

fn segment_members(
    reader: &SegmentReader,
    id_field: Field,
    groups: &DuplicateGroups,
) -> tantivy::Result<SegmentMembers> {
    let inverted = reader.inverted_index(id_field)?;
    let mut members = SegmentMembers {
        grouped: BitSet::with_max_value(reader.max_doc()),
        place: HashMap::new(),
    };
    for (g, group) in groups.groups.iter().enumerate() {
        for (p, id) in group.iter().enumerate() {
            let term = Term::from_field_text(id_field, id);
            let Some(mut postings) = inverted.read_postings(&term, IndexRecordOption::Basic)?
            else {
                continue;
            };
            let mut doc = postings.doc();
            while doc != TERMINATED {
                if reader
                    .alive_bitset()
                    .is_none_or(|alive| alive.is_alive(doc))
                {
                    members.grouped.insert(doc);
                    members.place.insert(doc, (g as u32, p as u32));
                }
                doc = postings.advance();
            }
        }
    }
    Ok(members)
}

/// A grouped document that matches: its address, group and position.
#[derive(Debug, Clone, Copy)]
struct MatchingCopy {
    address: DocAddress,
    group: u32,
    position: u32,
}

/// Collects every matching grouped document, alongside the ranking.
struct GroupedCopies<'a> {
    members: &'a HashMap<SegmentId, Arc<SegmentMembers>>,
}

struct GroupedCopiesInSegment {
    segment: SegmentOrdinal,
    members: Option<Arc<SegmentMembers>>,
    found: Vec<MatchingCopy>,
}

impl Collector for GroupedCopies<'_> {
    type Fruit = Vec<MatchingCopy>;
    type Child = GroupedCopiesInSegment;

    fn for_segment(
        &self,
        segment_ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<GroupedCopiesInSegment> {
        Ok(GroupedCopiesInSegment {
            segment: segment_ord,
            members: self.members.get(&segment.segment_id()).cloned(),
            found: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<MatchingCopy>>) -> tantivy::Result<Vec<MatchingCopy>> {
        Ok(fruits.concat())
    }
}

impl SegmentCollector for GroupedCopiesInSegment {
    type Fruit = Vec<MatchingCopy>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        let Some(members) = &self.members else {
            return;
        };
        if members.grouped.contains(doc) {
            let (group, position) = members.place[&doc];
            self.found.push(MatchingCopy {
                address: DocAddress::new(self.segment, doc),
                group,
                position,
            });
        }
    }

    fn harvest(self) -> Vec<MatchingCopy> {
        self.found
    }
}

/// What collapsing does to one matching set.
struct Collapsed {
    /// Matching copies left out of the hits.
    hidden: HashSet<DocAddress>,
    /// For each shown copy's id, the ids of the other copies of its group.
    others: CopiesOf,
}

impl Collapsed {
    /// Of each group, the first member (in representative order) that
    /// matches is shown; the other matching members are hidden.
    fn of(copies: &Copies, matching: &[MatchingCopy]) -> Collapsed {
        let mut first: HashMap<u32, u32> = HashMap::new();
        for m in matching {
            let shown = first.entry(m.group).or_insert(m.position);
            *shown = (*shown).min(m.position);
        }
        let mut collapsed = Collapsed {
            hidden: HashSet::new(),
            others: HashMap::with_capacity(first.len()),
        };
        for m in matching {
            if first[&m.group] != m.position {
                collapsed.hidden.insert(m.address);
            }
        }
        for (group, shown) in first {
            let members = &copies.groups.groups[group as usize];
            let shown = shown as usize;
            collapsed.others.insert(
                members[shown].clone(),
                members
                    .iter()
                    .enumerate()
                    .filter(|&(i, _)| i != shown)
                    .map(|(_, id)| id.clone())
                    .collect(),
            );
        }
        collapsed
    }
}

/// The first and last publication date of a set of articles.
pub type DateSpan = (DateTime<Utc>, DateTime<Utc>);

/// A calendar period length for histograms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Interval {
    /// Calendar days.
    Day,
    /// Weeks starting on Monday (ISO weeks).
    Week,
    /// Calendar months.
    Month,
    /// Calendar years.
    Year,
}

impl Interval {
    fn floor(self, d: DateTime<Utc>) -> DateTime<Utc> {
        let date = d.date_naive();
        let start = match self {
            Interval::Day => date,
            Interval::Week => {
                date - chrono::Duration::days(date.weekday().num_days_from_monday() as i64)
            }
            Interval::Month => date.with_day(1).expect("day 1 exists"),
            Interval::Year => date
                .with_day(1)
                .and_then(|d| d.with_month(1))
                .expect("1 January exists"),
        };
        start.and_time(chrono::NaiveTime::MIN).and_utc()
    }

    fn next(self, start: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            Interval::Day => start + chrono::Duration::days(1),
            Interval::Week => start + chrono::Duration::days(7),
            Interval::Month => start
                .checked_add_months(chrono::Months::new(1))
                .expect("in range"),
            Interval::Year => start
                .checked_add_months(chrono::Months::new(12))
                .expect("in range"),
        }
    }

    fn label(self, start: DateTime<Utc>) -> String {
        match self {
            Interval::Day => start.format("%Y-%m-%d").to_string(),
            Interval::Week => start.format("%G-W%V").to_string(),
            Interval::Month => start.format("%Y-%m").to_string(),
            Interval::Year => start.format("%Y").to_string(),
        }
    }
}

/// Number of articles in one period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeriodCount {
    /// `2016-08-27`, `2016-W34`, `2016-08` or `2016`.
    pub label: String,
    /// First instant of the period.
    pub start: DateTime<Utc>,
    /// Articles published in it.
    pub count: u64,
}

fn first_str(doc: &TantivyDocument, field: tantivy::schema::Field) -> String {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string()
}

fn all_str(doc: &TantivyDocument, field: tantivy::schema::Field) -> Vec<String> {
    doc.get_all(field)
        .filter_map(|v| match OwnedValue::from(v) {
            OwnedValue::Str(s) => Some(s),
            _ => None,
        })
        .collect()
}

fn truncate_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => {
            // Cut at the last space so no word is split.
            let cut = text[..end].rfind(char::is_whitespace).unwrap_or(end);
            format!("{}…", &text[..cut])
        }
        None => text.to_string(),
    }
}

/// Adds `…` where a snippet starts or ends inside the body, moving highlights along.
fn mark_cuts(mut snippet: Highlighted, cut_start: bool, cut_end: bool) -> Highlighted {
    if cut_start {
        const MARK: &str = "… ";
        snippet.text.insert_str(0, MARK);
        for r in &mut snippet.highlights {
            *r = r.start + MARK.len()..r.end + MARK.len();
        }
    }
    if cut_end {
        snippet.text.push_str(" …");
    }
    snippet
}

/// Collapses runs of white space to one space, moving highlight ranges along.
fn collapse_whitespace(text: &str, ranges: &[Range<usize>]) -> Highlighted {
    let mut out = String::with_capacity(text.len());
    let mut map = vec![0usize; text.len() + 1];
    let mut last_space = true;
    for (i, c) in text.char_indices() {
        map[i] = out.len();
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(c);
            last_space = false;
        }
    }
    map[text.len()] = out.len();
    // Fill the positions inside multi-byte characters.
    for i in 1..map.len() {
        if !text.is_char_boundary(i) {
            map[i] = map[i - 1];
        }
    }
    let trimmed_end = out.trim_end().len();
    out.truncate(trimmed_end);
    let highlights = ranges
        .iter()
        .map(|r| map[r.start].min(trimmed_end)..map[r.end].min(trimmed_end))
        .filter(|r| !r.is_empty())
        .collect();
    Highlighted {
        text: out,
        highlights,
    }
}

/// How many of the best matches by the rest of the query get the
/// proximity clause's score added before the page is cut (a rescoring
/// window, as Elasticsearch's `rescore`). A match outside it cannot climb
/// into the page by proximity alone.
const RERANK_DEPTH: usize = 1000;

/// A request's query, whole and split for ranking.
struct RankedQuery {
    /// The whole query (snippets, and orders that do not rerank).
    full: Box<dyn Query>,
    /// The query without its top-level proximity clause.
    base: Box<dyn Query>,
    /// That clause, when the query has one.
    proximity: Option<Box<dyn Query>>,
}

impl RankedQuery {
    fn new(searcher: &ArticleSearcher, request: &SearchRequest) -> Result<Self, SearchError> {
        let (base, proximity) = searcher.build_split_query(request)?;
        let full: Box<dyn Query> = match &proximity {
            Some(p) => Box::new(BooleanQuery::new(vec![
                (Occur::Must, base.box_clone()),
                (Occur::Should, p.box_clone()),
            ])),
            None => base.box_clone(),
        };
        Ok(RankedQuery {
            full,
            base,
            proximity,
        })
    }
}

/// Adds `query`'s score to each hit it matches, and sorts the hits again
/// (best first, ties in index order, as `TopDocs` orders them).
fn add_scores(
    searcher: &Searcher,
    query: &dyn Query,
    hits: &mut [(Score, DocAddress)],
) -> Result<(), SearchError> {
    let weight = query.weight(tantivy::query::EnableScoring::enabled_from_searcher(
        searcher,
    ))?;
    let mut order: Vec<usize> = (0..hits.len()).collect();
    order.sort_unstable_by_key(|&i| hits[i].1);
    let mut current: Option<(u32, Box<dyn tantivy::query::Scorer>)> = None;
    for i in order {
        let address = hits[i].1;
        let scorer = match &mut current {
            Some((segment, scorer)) if *segment == address.segment_ord => scorer,
            _ => {
                let reader = searcher.segment_reader(address.segment_ord);
                &mut current
                    .insert((address.segment_ord, weight.scorer(reader, 1.0)?))
                    .1
            }
        };
        if scorer.doc() <= address.doc_id && scorer.seek(address.doc_id) == address.doc_id {
            hits[i].0 += scorer.score();
        }
    }
    hits.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ranking without the proximity clause and adding it to the best
    /// candidates gives the order and scores of the whole query scored on
    /// every match (Reuters, the shared queries of several plain words).
    #[test]
    fn reranking_with_proximity_equals_scoring_every_match() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
        let dir = tempfile::tempdir().unwrap();
        byline_indexer::index_paths(
            dir.path(),
            &[root.join("corpora/reuters21578/articles")],
            &byline_indexer::IndexOptions::default(),
            None,
            &byline_indexer::NoProgress,
        )
        .unwrap();
        let searcher = ArticleSearcher::open(dir.path()).unwrap();
        let queries = std::fs::read_to_string(root.join("bench/queries.txt")).unwrap();
        let mut compared = 0;
        for q in queries
            .lines()
            .filter(|q| q.split_whitespace().count() > 1 && !q.contains(['"', ':', '(', '-', '*']))
        {
            let request = SearchRequest {
                query: q.to_string(),
                limit: 10,
                all: true,
                ..SearchRequest::default()
            };
            let ranked = RankedQuery::new(&searcher, &request).unwrap();
            assert!(ranked.proximity.is_some(), "{q}");
            let got = searcher.search(&request).unwrap();
            let tantivy_searcher = searcher.reader.searcher();
            let whole = tantivy_searcher
                .search(
                    &*searcher.build_query(&request).unwrap(),
                    &TopDocs::with_limit(10).order_by_score(),
                )
                .unwrap();
            assert_eq!(got.hits.len(), whole.len(), "{q}");
            for (hit, (score, address)) in got.hits.iter().zip(&whole) {
                let doc: TantivyDocument = tantivy_searcher.doc(*address).unwrap();
                assert_eq!(hit.id, first_str(&doc, searcher.store.fields.id), "{q}");
                assert!(
                    (hit.score - score).abs() < 1e-4,
                    "{q}: {} vs {score}",
                    hit.score
                );
            }
            compared += 1;
        }
        assert!(compared >= 20, "{compared} queries compared");
    }

    #[test]
    fn collapsing_white_space_keeps_highlights_on_their_words() {
        let text = "the  siege\nof   Daraya ";
        let h = collapse_whitespace(text, &[5..10, 16..22]);
        assert_eq!(h.text, "the siege of Daraya");
        assert_eq!(&h.text[h.highlights[0].clone()], "siege");
        assert_eq!(&h.text[h.highlights[1].clone()], "Daraya");
    }

    #[test]
    fn cut_marks_keep_highlights_on_their_words() {
        let h = mark_cuts(
            Highlighted {
                text: "siege of Daraya".into(),
                highlights: vec![Range { start: 9, end: 15 }],
            },
            true,
            true,
        );
        assert_eq!(h.text, "… siege of Daraya …");
        assert_eq!(&h.text[h.highlights[0].clone()], "Daraya");
    }

    #[test]
    fn truncation_ends_on_a_word() {
        assert_eq!(truncate_chars("one two three", 9), "one two…");
        assert_eq!(truncate_chars("short", 10), "short");
    }
}
