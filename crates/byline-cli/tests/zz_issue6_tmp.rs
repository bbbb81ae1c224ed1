//! Temporary runner (issue 6); to be removed.
#[path = "cli/timeline.rs"]
mod timeline;
