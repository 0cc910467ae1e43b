//! Integration tests: the real server on a random loopback port with a temporary data
//! directory, driven over HTTP.

mod authz;
mod browser;
mod catalog;
mod cli;
mod cli_hardening;
mod cli_deploy;
mod gguf_files;
mod helpers;
mod infra;
mod infra_pages;
mod models;
mod openapi;
mod pages;
mod process;
mod sessions;
mod share;
mod uploads;
