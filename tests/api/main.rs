//! Integration tests: the real server on a random loopback port with a temporary data
//! directory, driven over HTTP.

mod authz;
mod authz_matrix;
mod browser;
mod browser_choosing;
mod browser_tour;
mod bundles;
mod catalog;
mod choosing;
mod cli;
mod cli_deploy;
mod cli_hardening;
mod cli_import;
mod conformance;
mod error_pages;
mod feeds;
mod fixture;
mod gguf_files;
mod helpers;
mod hub;
mod index_audit;
mod infra;
mod infra_pages;
mod keys;
mod models;
mod models_page;
mod openapi;
mod pages;
mod process;
mod registry;
mod relevance;
mod schemathesis;
mod sessions;
mod share;
mod startup;
mod uploads;
