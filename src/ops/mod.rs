//! Use cases that span rooms: they check who may act, run the store transaction, write the
//! audit and outbox rows beside the change, and (later) hand catalog changes to the index.
//!
//! Imports `auth`, `store` and `catalog`; never `web` or `cli`.

pub mod admin;
pub mod authenticate;
pub mod demo;
pub mod error;
pub mod models;
pub mod share;

use std::path::{Path, PathBuf};

pub use error::OpsError;

use crate::store::Store;

/// Everything a use case needs; cheap to clone.
#[derive(Clone)]
pub struct Services {
    pub store: Store,
    pub data_dir: PathBuf,
}

impl Services {
    /// Opens the data directory (creating it when missing) and its database.
    pub fn open(data_dir: &Path) -> Result<Self, OpsError> {
        std::fs::create_dir_all(data_dir).map_err(|e| OpsError::DataDir {
            path: data_dir.to_owned(),
            source: e,
        })?;
        let store = Store::open(&data_dir.join("xero.db"))?;
        Ok(Self {
            store,
            data_dir: data_dir.to_owned(),
        })
    }
}
