//! Search: the tantivy index over *shared* models (tantivy lives in this room only).
//!
//! The index is derived data: `ops` feeds it from SQLite through the outbox, and rebuilds it
//! whenever it is missing, unreadable or of another `SCHEMA_VERSION`. Keyword search, filters,
//! disjunctive facets and sorting run in one pass of a custom collector over fast fields.
//! Imports `catalog` only.

pub mod bitmaps;
pub mod collector;
pub mod error;
pub mod index;
pub mod query;
pub mod schema;
pub mod table;

pub use error::SearchError;
pub use index::SearchIndex;
