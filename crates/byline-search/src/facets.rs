//! Entity facets: which people, places and organisations the articles
//! matching a request name most often, like a search page's sidebar.
//!
//! Counted over the entity fields' fast columns (one value per entity per
//! article, the name as shown), in one pass over the matching documents
//! without collecting hits: per segment a count per term ordinal; then
//! only each segment's top ordinals are turned into names, and bounds on
//! what the rest can add up to settle the exact top (see [`top_values`]).

// Counting keys are names from our own index: a fast hasher is safe here.
use foldhash::{HashMap, HashMapExt};

use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::error::SearchError;
use crate::searcher::{ArticleSearcher, SearchRequest};

/// Which kind of entity to count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FacetKind {
    /// People (`person` field).
    People,
    /// Places, by the name shown to readers (`place` field).
    Places,
    /// Organisations (`org` field).
    Orgs,
}

impl FacetKind {
    /// All kinds, in sidebar order.
    pub const ALL: [FacetKind; 3] = [FacetKind::People, FacetKind::Places, FacetKind::Orgs];

    /// The index field counted.
    fn field(self) -> &'static str {
        match self {
            FacetKind::People => "person",
            FacetKind::Places => "place",
            FacetKind::Orgs => "org",
        }
    }
}

/// One facet value and the number of matching articles that name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacetCount {
    /// The entity, as stored ("John Kerry", "Daraya", "United Nations").
    pub value: String,
    /// Matching articles naming it.
    pub count: u64,
}

/// The top values of every entity kind over one result set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EntityFacets {
    /// Top people.
    pub people: Vec<FacetCount>,
    /// Top places.
    pub places: Vec<FacetCount>,
    /// Top organisations.
    pub orgs: Vec<FacetCount>,
}

impl EntityFacets {
    /// True when no kind has any value.
    pub fn is_empty(&self) -> bool {
        self.people.is_empty() && self.places.is_empty() && self.orgs.is_empty()
    }

    /// The top `limit` of each kind, from the counts of an
    /// [`EntityCounts`] over [`FacetKind::ALL`].
    pub(crate) fn from_counts(per_field: Vec<Vec<SegmentCounts>>, limit: usize) -> Self {
        Self::from_tops(tops_per_kind(&per_field, limit))
    }

    /// The top values of people, places and organisations, in that order.
    fn from_tops(tops: impl IntoIterator<Item = Vec<FacetCount>>) -> Self {
        let mut tops = tops.into_iter();
        EntityFacets {
            people: tops.next().unwrap_or_default(),
            places: tops.next().unwrap_or_default(),
            orgs: tops.next().unwrap_or_default(),
        }
    }
}

impl ArticleSearcher {
    /// The `limit` values of one entity kind named by the most articles
    /// matching `request` (its query and every filter; paging and sort are
    /// ignored), most articles first, ties in alphabetical order.
    pub fn facets(
        &self,
        request: &SearchRequest,
        kind: FacetKind,
        limit: usize,
    ) -> Result<Vec<FacetCount>, SearchError> {
        Ok(self
            .count_terms(request, &[kind], limit)?
            .pop()
            .unwrap_or_default())
    }

    /// The top `limit` values of every entity kind, in one pass. (A search
    /// that also ranks can count them in its own pass: see
    /// [`SearchRequest::facet_values`].)
    pub fn entity_facets(
        &self,
        request: &SearchRequest,
        limit: usize,
    ) -> Result<EntityFacets, SearchError> {
        Ok(EntityFacets::from_tops(self.count_terms(
            request,
            &FacetKind::ALL,
            limit,
        )?))
    }

    fn count_terms(
        &self,
        request: &SearchRequest,
        kinds: &[FacetKind],
        limit: usize,
    ) -> Result<Vec<Vec<FacetCount>>, SearchError> {
        if limit == 0 {
            return Ok(vec![Vec::new(); kinds.len()]);
        }
        let query = self.build_query(request)?;
        let per_field = self
            .reader
            .searcher()
            .search(&*query, &EntityCounts::new(kinds))?;
        Ok(tops_per_kind(&per_field, limit))
    }
}

/// The top `limit` values of each kind counted. Naming is dictionary reads,
/// independent per kind: one thread each (at 1M articles, 14 segments, the
/// sidebar's naming took 12 ms on one).
fn tops_per_kind(per_field: &[Vec<SegmentCounts>], limit: usize) -> Vec<Vec<FacetCount>> {
    if per_field.len() < 2 {
        return per_field.iter().map(|s| top_values(s, limit)).collect();
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = per_field
            .iter()
            .map(|segments| scope.spawn(move || top_values(segments, limit)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("naming facet values does not panic"))
            .collect()
    })
}

/// The `limit` values with the most articles, exact, over per-segment
/// counts.
///
/// Turning term ordinals into names is what costs (the dictionaries are
/// read block by block), so each segment names only its own top values; a
/// value outside a segment's top can count there at most as much as that
/// segment's best left-out value, which bounds what the names not read can
/// add up to. Where those bounds cannot settle the top (many ties, as in a
/// small result set), every value seen is named instead.
fn top_values(segments: &[SegmentCounts], limit: usize) -> Vec<FacetCount> {
    top_values_from_segment_tops(segments, limit)
        .unwrap_or_else(|| top_values_naming_all(segments, limit))
}

/// Per segment, how many top values are named: enough that the top
/// `limit` overall is nearly always among them.
fn named_per_segment(limit: usize) -> usize {
    limit * 3 + 10
}

/// The exact top from each segment's own top values, or `None` when the
/// bounds leave it open.
fn top_values_from_segment_tops(
    segments: &[SegmentCounts],
    limit: usize,
) -> Option<Vec<FacetCount>> {
    let keep = named_per_segment(limit);
    // Value → (matching articles counted so far, segments counted in).
    let mut counted: HashMap<String, (u64, Vec<bool>)> = HashMap::new();
    // Per segment: the most any value left unnamed there can count.
    let mut left_out = vec![0u64; segments.len()];
    for (i, segment) in segments.iter().enumerate() {
        let Some(column) = &segment.column else {
            continue;
        };
        let mut seen: Vec<(u32, u64)> = segment
            .counts
            .iter()
            .enumerate()
            .filter(|(_, &n)| n > 0)
            .map(|(ord, &n)| (n, ord as u64))
            .collect();
        if seen.len() > keep {
            seen.select_nth_unstable_by(keep, |a, b| b.0.cmp(&a.0));
            left_out[i] = u64::from(seen[keep].0);
            seen.truncate(keep);
        }
        seen.sort_unstable_by_key(|&(_, ord)| ord);
        let ords: Vec<u64> = seen.iter().map(|&(_, ord)| ord).collect();
        let mut next = seen.iter();
        column
            .dictionary()
            .sorted_ords_to_term_cb(&ords, |bytes| {
                if let Some(&(n, _)) = next.next() {
                    let entry = counted
                        .entry(String::from_utf8_lossy(bytes).into_owned())
                        .or_insert_with(|| (0, vec![false; segments.len()]));
                    entry.0 += u64::from(n);
                    entry.1[i] = true;
                }
            })
            .ok()?;
    }
    let upper = |(n, in_segment): &(u64, Vec<bool>)| {
        n + in_segment
            .iter()
            .zip(&left_out)
            .filter(|(&named, _)| !named)
            .map(|(_, &most)| most)
            .sum::<u64>()
    };
    // The limit-th best count known for certain so far.
    let mut lower: Vec<u64> = counted.values().map(|(n, _)| *n).collect();
    lower.sort_unstable_by(|a, b| b.cmp(a));
    let bar = lower.get(limit - 1).copied().unwrap_or(0);
    // Values that could still reach the top get their exact count, looked
    // up by name in the segments that did not name them.
    let mut exact = Vec::new();
    for (value, entry) in &counted {
        if upper(entry) < bar {
            continue;
        }
        let mut n = entry.0;
        for (i, segment) in segments.iter().enumerate() {
            if entry.1[i] || left_out[i] == 0 {
                continue;
            }
            let column = segment.column.as_ref()?;
            if let Some(ord) = column.dictionary().term_ord(value).ok()? {
                n += u64::from(segment.counts[ord as usize]);
            }
        }
        exact.push(FacetCount {
            value: value.clone(),
            count: n,
        });
    }
    sort_counts(&mut exact);
    exact.truncate(limit);
    // A value no segment named adds up to at most this; it must not be
    // able to tie or pass the last one kept (ties go alphabetically).
    let unnamed_most: u64 = left_out.iter().sum();
    let settled = match exact.last() {
        Some(last) if exact.len() == limit => unnamed_most < last.count,
        _ => unnamed_most == 0,
    };
    tracing::debug!(
        segments = segments.len(),
        resolved = exact.len(),
        unnamed_most,
        last = exact.last().map(|c| c.count),
        settled,
        "facet top from the segments' own tops"
    );
    settled.then_some(exact)
}

/// The exact top by naming every value that any matching article names.
fn top_values_naming_all(segments: &[SegmentCounts], limit: usize) -> Vec<FacetCount> {
    let mut merged: HashMap<String, u64> = HashMap::new();
    for segment in segments {
        let Some(column) = &segment.column else {
            continue;
        };
        let seen: Vec<u64> = (0..segment.counts.len() as u64)
            .filter(|&ord| segment.counts[ord as usize] > 0)
            .collect();
        let mut next = seen.iter();
        // A dictionary that cannot be read counts nothing rather than
        // failing the search (the sidebar is a summary).
        let _ = column.dictionary().sorted_ords_to_term_cb(&seen, |bytes| {
            if let Some(&ord) = next.next() {
                *merged
                    .entry(String::from_utf8_lossy(bytes).into_owned())
                    .or_default() += u64::from(segment.counts[ord as usize]);
            }
        });
    }
    let mut counts: Vec<FacetCount> = merged
        .into_iter()
        .map(|(value, count)| FacetCount { value, count })
        .collect();
    sort_counts(&mut counts);
    counts.truncate(limit);
    counts
}

/// Most articles first, ties in alphabetical order.
fn sort_counts(counts: &mut [FacetCount]) {
    counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
}

/// Counts, per field and segment, how many matching documents name each
/// value (by term ordinal).
pub(crate) struct EntityCounts {
    fields: Vec<&'static str>,
}

impl EntityCounts {
    /// Counts these kinds, in this order.
    pub(crate) fn new(kinds: &[FacetKind]) -> Self {
        EntityCounts {
            fields: kinds.iter().map(|k| k.field()).collect(),
        }
    }
}

/// One field's column in a segment, with a count per term ordinal.
pub(crate) struct SegmentCounts {
    column: Option<StrColumn>,
    counts: Vec<u32>,
}

pub(crate) struct EntityCountsInSegment {
    fields: Vec<SegmentCounts>,
    /// Matching documents not counted yet: counted a block at a time, so
    /// that column values are read in batches rather than one call each.
    pending: Vec<DocId>,
    rows: Vec<u32>,
    row_docs: Vec<DocId>,
    ords: Vec<u64>,
}

/// Documents counted per batch.
const COUNT_BATCH: usize = 256;

impl EntityCountsInSegment {
    fn count_pending(&mut self) {
        for field in &mut self.fields {
            let Some(column) = &field.column else {
                continue;
            };
            let ords = column.ords();
            self.rows.clear();
            self.row_docs.clear();
            ords.row_ids_for_docs(&self.pending, &mut self.row_docs, &mut self.rows);
            self.ords.clear();
            self.ords.resize(self.rows.len(), 0);
            ords.values.get_vals(&self.rows, &mut self.ords);
            for &ord in &self.ords {
                field.counts[ord as usize] += 1;
            }
        }
        self.pending.clear();
    }
}

impl Collector for EntityCounts {
    /// Per field, per segment.
    type Fruit = Vec<Vec<SegmentCounts>>;
    type Child = EntityCountsInSegment;

    fn for_segment(
        &self,
        _segment_ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<EntityCountsInSegment> {
        let mut fields = Vec::with_capacity(self.fields.len());
        for field in &self.fields {
            let column = segment.fast_fields().str(field)?;
            let terms = column.as_ref().map_or(0, |c| c.num_terms());
            fields.push(SegmentCounts {
                column,
                counts: vec![0; terms],
            });
        }
        Ok(EntityCountsInSegment {
            fields,
            pending: Vec::with_capacity(COUNT_BATCH),
            rows: Vec::new(),
            row_docs: Vec::new(),
            ords: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        fruits: Vec<Vec<SegmentCounts>>,
    ) -> tantivy::Result<Vec<Vec<SegmentCounts>>> {
        let mut per_field: Vec<Vec<SegmentCounts>> =
            (0..self.fields.len()).map(|_| Vec::new()).collect();
        for fruit in fruits {
            for (into, from) in per_field.iter_mut().zip(fruit) {
                into.push(from);
            }
        }
        Ok(per_field)
    }
}

impl SegmentCollector for EntityCountsInSegment {
    type Fruit = Vec<SegmentCounts>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.pending.push(doc);
        if self.pending.len() == COUNT_BATCH {
            self.count_pending();
        }
    }

    fn harvest(mut self) -> Vec<SegmentCounts> {
        self.count_pending();
        self.fields
    }
}
