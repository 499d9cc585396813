//! Full-text search: the user's query syntax translated into FTS5's (`query`), hit
//! positions recovered from FTS5's highlighted text as code points (`hits`), and the
//! spans auto-coding extends a hit to: its sentence, paragraph or turn (`extent`).

pub mod extent;
pub mod hits;
pub mod query;

pub use extent::Extent;
pub use hits::{HIT_END, HIT_START, coalesced_hits, hit_spans};
pub use query::SearchQuery;
