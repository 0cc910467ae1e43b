//! Errors of the search room.

/// What can go wrong with the index.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index error")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("search index i/o error")]
    Io(#[from] std::io::Error),
    #[error("search index directory error: {0}")]
    Directory(String),
    #[error("stored card is unreadable")]
    Card(#[from] serde_json::Error),
    #[error("search task failed: {0}")]
    TaskFailed(String),
}
