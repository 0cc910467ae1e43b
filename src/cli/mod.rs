//! The command line. `args` is the clap tree; `admin` runs local administration on the data
//! directory through `ops`; `client` + `models` talk to a server over its REST API.

pub mod admin;
pub mod args;
pub mod bundle;
pub mod catalog;
pub mod client;
pub mod completions;
pub mod deploy;
pub mod examples;
pub mod import;
pub mod import_hf;
pub mod models;
pub mod output;
pub mod repo_upload;
pub mod style;
pub mod upload;
