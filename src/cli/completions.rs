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
    // clap_complete panics when its writer fails (a closed pipe): generate into memory, then
    // print through `output`, which ends quietly when the reader has gone.
    let mut script = Vec::new();
    generate(
        shell,
        &mut super::examples::command(),
        "xeroctl",
        &mut script,
    );
    super::output::print_bytes(&script);
}
