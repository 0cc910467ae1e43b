//! `xeroctl completions bash|zsh|fish`: generated from the same clap tree that parses the
//! command line, so completions cannot drift from the commands.

use clap::CommandFactory;
use clap_complete::{Shell, generate};

use super::args::{Cli, ShellArg};

pub fn print(shell: ShellArg) {
    let shell = match shell {
        ShellArg::Bash => Shell::Bash,
        ShellArg::Zsh => Shell::Zsh,
        ShellArg::Fish => Shell::Fish,
    };
    generate(
        shell,
        &mut Cli::command(),
        "xeroctl",
        &mut std::io::stdout(),
    );
}
