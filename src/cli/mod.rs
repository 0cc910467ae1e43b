//! The command line. `args` is the clap tree; `admin` runs local administration on the data
//! directory through `ops`. The REST client commands come with the CLI issue.

pub mod admin;
pub mod args;
