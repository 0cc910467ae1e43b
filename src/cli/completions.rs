//! `xeroctl completions bash|zsh|fish`: generated from the same clap tree that parses the
//! command line, so completions cannot drift from the commands.

use clap_complete::{Shell, generate};

use super::args::ShellArg;

pub fn print(shell: ShellArg) {
    let shell = match shell {
        ShellArg::Bash => Shell::Bash,
        ShellArg::Zsh => Shell::Zsh,
        ShellArg::Fish => Shell::Fish,
    };
    generate(
        shell,
        &mut super::examples::command(),
        "xeroctl",
        &mut std::io::stdout(),
    );
}
