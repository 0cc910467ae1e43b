//! The bytes of models and repositories: the content-addressed blob store and its collection.

pub mod blobs;
pub mod gc;

pub use blobs::{BlobStore, Placed};
