//! Which segments the writer merges, and how big a merge may get.
//!
//! tantivy's default policy merges levels of similar size and, at the end
//! of a big run, everything into one segment: at 1M articles that last
//! merge mapped 1.7 GB of segment files at once, and peak RSS went from
//! 0.9 GB to 2.5 GB (the mapped pages count as resident). Here no merge
//! reads more than a fixed number of bytes of segment files, so memory
//! stays bounded however big the archive gets, at the cost of a few more
//! segments on large indexes.

use std::path::PathBuf;

use tantivy::index::{SegmentComponent, SegmentMeta};
use tantivy::merge_policy::{MergeCandidate, MergePolicy};

/// Small segments there must be before any merge: fewer segments than
/// this are searched as they are.
const MIN_SMALL_SEGMENTS: usize = 8;

/// Merges the smallest segments once there are [`MIN_SMALL_SEGMENTS`] of
/// them, as many as fit in `max_bytes` of files; segments bigger than half
/// of it are left alone.
#[derive(Debug)]
pub(crate) struct BoundedMergePolicy {
    /// The index folder, to size each segment's files.
    dir: PathBuf,
    /// Most bytes of segment files one merge reads.
    max_bytes: u64,
}

impl BoundedMergePolicy {
    pub(crate) fn new(dir: PathBuf, max_bytes: u64) -> Self {
        BoundedMergePolicy { dir, max_bytes }
    }

    /// Bytes of a segment's files on disk (a file that cannot be read
    /// counts as empty: the policy only suggests).
    fn bytes(&self, segment: &SegmentMeta) -> u64 {
        [
            SegmentComponent::Postings,
            SegmentComponent::Positions,
            SegmentComponent::FastFields,
            SegmentComponent::FieldNorms,
            SegmentComponent::Terms,
            SegmentComponent::Store,
            SegmentComponent::Delete,
        ]
        .into_iter()
        .filter_map(|c| std::fs::metadata(self.dir.join(segment.relative_path(c))).ok())
        .map(|m| m.len())
        .sum()
    }
}

impl MergePolicy for BoundedMergePolicy {
    fn compute_merge_candidates(&self, segments: &[SegmentMeta]) -> Vec<MergeCandidate> {
        plan(
            segments.iter().map(|s| (self.bytes(s), s.id())).collect(),
            self.max_bytes,
        )
        .map(|ids| vec![MergeCandidate(ids)])
        .unwrap_or_default()
    }
}

/// The merge to make, if any, given each segment's size in bytes.
fn plan<Id>(mut sized: Vec<(u64, Id)>, max_bytes: u64) -> Option<Vec<Id>> {
    sized.retain(|(bytes, _)| *bytes <= max_bytes / 2);
    if sized.len() < MIN_SMALL_SEGMENTS {
        return None;
    }
    sized.sort_by_key(|(bytes, _)| *bytes);
    let mut total = 0;
    let mut group = Vec::new();
    for (bytes, id) in sized {
        if total + bytes > max_bytes {
            break;
        }
        total += bytes;
        group.push(id);
    }
    (group.len() >= 2).then_some(group)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fewer_than_the_minimum_are_left_alone() {
        let sizes: Vec<(u64, usize)> = (0..MIN_SMALL_SEGMENTS - 1).map(|i| (10, i)).collect();
        assert_eq!(plan(sizes, 1000), None);
    }

    #[test]
    fn merges_the_smallest_that_fit() {
        let sizes = vec![
            (300, 'a'),
            (40, 'b'),
            (10, 'c'),
            (20, 'd'),
            (600, 'e'),
            (30, 'f'),
            (50, 'g'),
            (60, 'h'),
            (70, 'i'),
        ];
        // 'e' (over half the cap) never merges; the rest fit up to 580 bytes.
        assert_eq!(
            plan(sizes, 1000),
            Some(vec!['c', 'd', 'f', 'b', 'g', 'h', 'i', 'a'])
        );
    }

    #[test]
    fn a_merge_never_reads_more_than_the_cap() {
        let sizes: Vec<(u64, usize)> = (0..20).map(|i| (400, i)).collect();
        let group = plan(sizes, 1000).expect("a merge");
        assert_eq!(group.len(), 2);
    }

    #[test]
    fn big_segments_do_not_count_towards_the_minimum() {
        let mut sizes: Vec<(u64, usize)> = (0..MIN_SMALL_SEGMENTS - 1).map(|i| (10, i)).collect();
        sizes.push((900, 99));
        assert_eq!(plan(sizes, 1000), None);
    }
}
