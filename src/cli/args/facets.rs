//! The catalog search's filter flags, made from `facet_list::FACETS` with clap's builder: a
//! string facet is a repeatable `--family X`, a flag is `--moe` / `--dense`, a bucketed number
//! is `--min-params 7B` / `--max-params 70B`. They parse into the query-string pairs the server
//! reads, so the server validates and normalises them as for any other client.

use clap::{Arg, ArgAction, ArgMatches, Args, Command, FromArgMatches};

use crate::catalog::facet_list::{FACETS, FacetKind};

/// The filter flags given, as query-string pairs in `FACETS` order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FacetArgs {
    pub pairs: Vec<(&'static str, String)>,
}

impl FromArgMatches for FacetArgs {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let mut args = Self::default();
        args.update_from_arg_matches(matches)?;
        Ok(args)
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        self.pairs.clear();
        for facet in &FACETS {
            match &facet.kind {
                FacetKind::Values(v) => {
                    for value in matches.get_many::<String>(v.cli.name).into_iter().flatten() {
                        self.pairs.push((v.params[0], value.clone()));
                    }
                }
                FacetKind::Flag(flag) => {
                    for (value, cli) in [false, true].into_iter().zip(flag.cli) {
                        if let Some(cli) = cli
                            && matches.get_flag(cli.name)
                        {
                            self.pairs.push((flag.param, value.to_string()));
                        }
                    }
                }
                FacetKind::Buckets(b) => {
                    for (param, cli) in b.params.into_iter().zip(b.cli) {
                        if let Some(value) = matches.get_one::<String>(cli.name) {
                            self.pairs.push((param, value.clone()));
                        }
                    }
                }
                FacetKind::Fit(f) => {
                    for (param, cli) in f.params.into_iter().zip(f.cli) {
                        if let Some(value) = matches.get_one::<String>(cli.name) {
                            self.pairs.push((param, value.clone()));
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

impl Args for FacetArgs {
    fn augment_args(mut command: Command) -> Command {
        for facet in &FACETS {
            match &facet.kind {
                FacetKind::Values(v) => {
                    command = command.arg(
                        Arg::new(v.cli.name)
                            .long(v.cli.name)
                            .help(v.cli.help)
                            .action(ArgAction::Append),
                    );
                }
                FacetKind::Flag(flag) => {
                    let [no, yes] = flag.cli;
                    for (cli, other) in [(yes, no), (no, None)] {
                        let Some(cli) = cli else { continue };
                        let mut arg = Arg::new(cli.name)
                            .long(cli.name)
                            .help(cli.help)
                            .action(ArgAction::SetTrue);
                        if let Some(other) = other {
                            arg = arg.conflicts_with(other.name);
                        }
                        command = command.arg(arg);
                    }
                }
                FacetKind::Buckets(b) => {
                    for cli in b.cli {
                        command = command.arg(Arg::new(cli.name).long(cli.name).help(cli.help));
                    }
                }
                FacetKind::Fit(f) => {
                    for cli in f.cli {
                        command = command.arg(Arg::new(cli.name).long(cli.name).help(cli.help));
                    }
                }
            }
        }
        command
    }

    fn augment_args_for_update(command: Command) -> Command {
        Self::augment_args(command)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_become_query_pairs() {
        let command = FacetArgs::augment_args(Command::new("search"));
        let matches = command
            .try_get_matches_from([
                "search",
                "--family",
                "llama",
                "--family",
                "qwen2",
                "--dense",
                "--min-params",
                "7B",
                "--fits",
                "24GB",
                "--at-context",
                "32K",
            ])
            .unwrap();
        let args = FacetArgs::from_arg_matches(&matches).unwrap();
        assert_eq!(
            args.pairs,
            [
                ("family", "llama".to_owned()),
                ("family", "qwen2".to_owned()),
                ("min_params", "7B".to_owned()),
                ("fits_memory", "24GB".to_owned()),
                ("at_context", "32K".to_owned()),
                ("moe", "false".to_owned()),
            ]
        );
        let both = FacetArgs::augment_args(Command::new("search"))
            .try_get_matches_from(["search", "--moe", "--dense"]);
        assert!(both.is_err(), "--moe and --dense conflict");
    }
}
