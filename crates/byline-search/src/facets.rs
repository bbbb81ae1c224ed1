//! Entity facets: which people, places and organisations the articles
//! matching a request name most often, like a search page's sidebar.
//!
//! Counted by tantivy terms aggregations over the entity fields' fast
//! columns (one value per entity per article, the name as shown), in one
//! pass over the matching documents and without collecting hits.

use serde::Serialize;
use tantivy::aggregation::agg_req::Aggregations;
use tantivy::aggregation::AggregationCollector;

use crate::error::SearchError;
use crate::searcher::{ArticleSearcher, SearchRequest};

/// Per-segment candidates each terms aggregation keeps before merging.
/// Larger than the distinct entities of most segments, so counts are exact
/// in practice (tantivy would otherwise keep only about `10 × size`).
const SEGMENT_SIZE: u32 = 10_000;

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

    /// The top `limit` values of every entity kind, in one pass.
    pub fn entity_facets(
        &self,
        request: &SearchRequest,
        limit: usize,
    ) -> Result<EntityFacets, SearchError> {
        let mut counts = self
            .count_terms(request, &FacetKind::ALL, limit)?
            .into_iter();
        Ok(EntityFacets {
            people: counts.next().unwrap_or_default(),
            places: counts.next().unwrap_or_default(),
            orgs: counts.next().unwrap_or_default(),
        })
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
        // Ask for more than shown so that ties at the cut are broken by
        // name here rather than by tantivy's hash order.
        let size = u32::try_from(limit.saturating_add(50)).unwrap_or(u32::MAX);
        let mut aggs = serde_json::Map::new();
        for kind in kinds {
            aggs.insert(
                kind.field().to_string(),
                serde_json::json!({ "terms": {
                    "field": kind.field(),
                    "size": size,
                    "segment_size": SEGMENT_SIZE.max(size),
                }}),
            );
        }
        let request: Aggregations = serde_json::from_value(serde_json::Value::Object(aggs))
            .map_err(|e| SearchError::InvalidQuery(format!("aggregation: {e}")))?;
        let collector = AggregationCollector::from_aggs(request, Default::default());
        let result = self.reader.searcher().search(&*query, &collector)?;
        let json = serde_json::to_value(&result)
            .map_err(|e| SearchError::InvalidQuery(format!("aggregation: {e}")))?;
        Ok(kinds
            .iter()
            .map(|kind| {
                let mut counts: Vec<FacetCount> = json[kind.field()]["buckets"]
                    .as_array()
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|b| {
                        Some(FacetCount {
                            value: b["key"].as_str()?.to_string(),
                            count: b["doc_count"].as_u64()?,
                        })
                    })
                    .filter(|c| c.count > 0)
                    .collect();
                counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
                counts.truncate(limit);
                counts
            })
            .collect())
    }
}
