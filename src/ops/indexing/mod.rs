//! SQLite → tantivy: the catalog entry of a model, the outbox drained into the index in group
//! commits, the start-up audit and rebuild, and whether catalog reads may be served yet.

pub mod entry;
pub mod group_commit;
pub mod index_rebuild;
pub mod index_sync;
pub mod readiness;
