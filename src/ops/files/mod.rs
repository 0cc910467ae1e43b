//! The bytes of models and repositories: the content-addressed blob store, uploads, repository
//! revisions and what their files say, and collection of what nothing uses.

pub mod artifacts;
pub mod blobs;
pub mod file_metadata;
pub mod gc;
pub mod lfs;
pub mod publish;
pub mod refs;
pub mod repo_metadata;
pub mod repos;
pub mod upload;

pub use blobs::{BlobStore, Placed};
