//! The HTTP edge: actix-web lives here only. Handlers parse, call one `ops` use case and
//! render a `wire` view; status codes are decided in `error.rs` alone. Nothing imports `web`.

pub mod api;
pub mod assets;
pub mod auth_middleware;
pub mod body_timeout;
pub mod client_address;
pub mod conformance;
pub mod error;
pub mod hub;
pub mod pages;
pub mod public_url;
pub mod range;
pub mod registry;
pub mod request_log;
pub mod server;
pub mod session;
pub mod transfer;
