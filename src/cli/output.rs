//! Everything the CLI prints goes through here. Standard output is for results: a reader that
//! goes away (`xeroctl completions bash | head -1`) ends the process quietly with exit 0, as
//! ripgrep does, instead of a panic or an error. Standard error is for notes and the one
//! `error: …` line; failing to write there is ignored (there is nowhere left to say so).
//!
//! Rust ignores SIGPIPE, so a closed pipe shows up as `BrokenPipe` on the next write, and
//! `println!` / `eprintln!` panic on it: the CLI uses `out!` and `note!` instead.

use std::fmt;
use std::io::{self, Write};

/// Prints one line of results on stdout (`println!` that ends the process quietly when the
/// reader has gone).
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::output::print_line(format_args!($($arg)*))
    };
}
pub(crate) use out;

/// Prints one line on stderr; a write failure is ignored rather than a panic.
macro_rules! note {
    ($($arg:tt)*) => {
        $crate::cli::output::note_line(format_args!($($arg)*))
    };
}
pub(crate) use note;

/// How many candidates an ambiguity error lists before "and N more".
pub const MAX_CANDIDATES: usize = 10;

/// Writes one line to stdout; see the module comment for what a closed pipe does.
pub fn print_line(line: fmt::Arguments<'_>) {
    let mut stdout = io::stdout().lock();
    let written = writeln!(stdout, "{line}").and_then(|()| stdout.flush());
    if let Err(error) = written {
        stdout_failed(&error);
    }
}

/// Writes bytes to stdout as they are (generated scripts), with the same closed-pipe rule.
pub fn print_bytes(bytes: &[u8]) {
    let mut stdout = io::stdout().lock();
    let written = stdout.write_all(bytes).and_then(|()| stdout.flush());
    if let Err(error) = written {
        stdout_failed(&error);
    }
}

/// Writes one line to stderr, ignoring failures.
pub fn note_line(line: fmt::Arguments<'_>) {
    let _ = writeln!(io::stderr().lock(), "{line}");
}

/// Writes a prompt (no newline) to stderr, ignoring failures.
pub fn prompt(text: &str) {
    let mut stderr = io::stderr().lock();
    let _ = write!(stderr, "{text}").and_then(|()| stderr.flush());
}

/// A closed pipe is the reader saying it has enough: exit 0 at once, printing nothing. Exiting
/// here rather than returning an error means no command can carry on working for nobody, and
/// every output path gets the same rule without threading a `Result` through each `out!`.
fn stdout_failed(error: &io::Error) -> ! {
    if error.kind() == io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    note!("error: cannot write to standard output: {error}");
    std::process::exit(1);
}

/// A multi-line list for an ambiguity error: `header`, then at most [`MAX_CANDIDATES`] lines
/// indented by two spaces, then `and N more` when there were more.
pub fn candidate_list(header: &str, candidates: &[String]) -> String {
    let mut text = header.to_owned();
    for candidate in candidates.iter().take(MAX_CANDIDATES) {
        text.push_str("\n  ");
        text.push_str(candidate);
    }
    if candidates.len() > MAX_CANDIDATES {
        text.push_str(&format!(
            "\n  and {} more",
            candidates.len() - MAX_CANDIDATES
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::candidate_list;

    #[test]
    fn candidate_lists_stop_at_ten_and_count_the_rest() {
        let many: Vec<String> = (0..25).map(|i| format!("mdl_{i:06}")).collect();
        let text = candidate_list("`mdl_` matches 25 models:", &many);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 12, "header, ten candidates, the rest: {text}");
        assert_eq!(lines[1], "  mdl_000000");
        assert_eq!(lines[11], "  and 15 more");

        let few = candidate_list("two:", &["a".to_owned(), "b".to_owned()]);
        assert_eq!(few, "two:\n  a\n  b", "no `and 0 more`");
    }
}
