//! Demo data and synthetic catalogs: never on a request path.

pub mod demo;
pub mod demo_infra;
pub mod generate;
