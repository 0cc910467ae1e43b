//! A visitor's own pages: logging in and out, the active project, saved searches.

pub mod login;
pub mod searches;
