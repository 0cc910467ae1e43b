//! Terminal colour: only when stdout is a terminal, never with `NO_COLOR` (no-color.org) or
//! `TERM=dumb`, so scripts and pipes always get plain text.

use std::io::IsTerminal;

#[derive(Debug, Clone, Copy)]
pub enum Tone {
    Good,
    Warn,
    Muted,
}

/// Whether this process may print colour on stdout.
pub fn colour_enabled() -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
    !no_color && !dumb && std::io::stdout().is_terminal()
}

/// The text in the tone's colour when colour is enabled, else unchanged.
pub fn paint(text: &str, tone: Tone) -> String {
    if !colour_enabled() {
        return text.to_owned();
    }
    let code = match tone {
        Tone::Good => "32",
        Tone::Warn => "33",
        Tone::Muted => "2",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}
