//! xeroctl: a self-hosted model catalog, server and command line in one binary.
//!
//! Rooms, and which way they may import:
//! - `catalog`: the domain (ids, units, licenses, tags, roles); pure, imports nothing of ours.
//! - `formats`: model file headers (GGUF, safetensors, config.json); pure, imports nothing of ours.
//! - `store`: SQLite (rusqlite lives here only); imports `catalog`.
//! - `auth`: API keys and passwords → `Principal`; imports `store` types and `catalog`.
//! - `ops`: use cases joining the rooms; `Services` holds the store.
//! - `wire`: JSON bodies shared by server and CLI.
//! - `web`: actix-web; imports everything above, nothing imports it.
//! - `cli`: the command line; admin commands go through `ops`.
//!
//! A request: `web` route → Bearer middleware (`ops::access::authenticate`) → handler parses ids →
//! `ops` use case (one IMMEDIATE transaction with audit and outbox rows) → `wire` view → JSON.

pub mod auth;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod formats;
pub mod markdown;
pub mod ops;
pub mod search;
pub mod store;
pub mod web;
pub mod wire;
