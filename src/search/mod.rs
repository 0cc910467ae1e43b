//! Search: the tantivy index over *shared* models (tantivy lives in this room only).
//!
//! The index is derived data: `ops` feeds it from SQLite through the outbox, and rebuilds it
//! whenever it is missing, unreadable or of another `SCHEMA_VERSION`. A search runs per
//! segment on document sets (`counting`): keyword matches, filters and disjunctive facet counts
//! are ANDs and popcounts over the per-segment tables, and only the hits are ranked.
//! Imports `catalog` only.

pub mod bitmaps;
pub mod counting;
pub mod deferred_sync;
pub mod error;
pub mod index;
pub mod merge;
pub mod query;
pub mod schema;
pub mod table;
pub mod tokenizer;
pub mod top_hits;
pub mod variants;

pub use error::SearchError;

/// The maps facet counts are gathered in, keyed by short value names: hashed for every value
/// of every segment of every search, where SipHash's DoS resistance buys nothing (the keys
/// are the index's own values) and cost 6 % of a filtered search.
pub type CountMap<V> =
    std::collections::HashMap<String, V, std::hash::BuildHasherDefault<rustc_hash::FxHasher>>;
pub use index::SearchIndex;
