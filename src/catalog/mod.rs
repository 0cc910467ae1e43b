//! The domain: models, ids, units, licenses and tags as plain Rust values.
//!
//! This room does no I/O and imports nothing else of ours; storage, search, web and CLI all
//! depend on it, never the reverse. Every parser here turns operator input into a typed value
//! once, so nothing below the edge handles raw strings.

pub mod architecture;
pub mod badge;
pub mod buckets;
pub mod bundle;
pub mod card;
pub mod compare;
pub mod compute;
pub mod devices;
pub mod error;
pub mod facet_list;
pub mod family;
pub mod file_meta;
pub mod gguf_choice;
pub mod ids;
pub mod infra;
pub mod kv;
pub mod license;
pub mod license_intent;
pub mod lineage;
pub mod memory;
pub mod model;
pub mod query;
pub mod query_filter;
pub mod repo;
pub mod role;
pub mod saved_search;
pub mod search_results;
pub mod shapes;
pub mod tags;
pub mod text_terms;
pub mod understanding;
pub mod units;
pub mod variant;
pub mod words;

pub use error::CatalogError;
