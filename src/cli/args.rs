//! The clap command tree of `xeroctl`.

use clap::{Parser, Subcommand, ValueEnum};

use crate::config::ServeArgs;

pub mod admin;
pub mod facets;

use admin::AdminArgs;
use facets::FacetArgs;

/// xeroctl: a self-hosted model catalog, server and command line in one binary.
#[derive(Debug, Parser)]
#[command(name = "xeroctl", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// Parsed once at start-up: the size of the biggest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server.
    Serve(ServeArgs),
    /// Administer a data directory directly (users, projects, API keys).
    Admin(AdminArgs),
    /// List the project's models, or share / unshare one.
    ///
    /// Examples:
    ///   xeroctl models
    ///   xeroctl models mdl_3f2a9c --share
    ///   xeroctl models 3f2a9c1d-5b7e-4c8a-9d0f-1e2b3c4d5e6f --unshare --output json
    Models(ModelsArgs),
    /// Search the public catalog, or show one model.
    ///
    /// Examples:
    ///   xeroctl catalog search qwen coder --license apache-2.0 --min-params 7B
    ///   xeroctl catalog search --family llama --max-context 128K --sort newest
    ///   xeroctl catalog show 3f2a9c1d-5b7e-4c8a-9d0f-1e2b3c4d5e6f
    ///   xeroctl catalog show qwen3-coder-30b-a3b
    Catalog(CatalogArgs),
    /// Deploy a catalog model into the project.
    ///
    /// Without --tier: `shared` when the model runs on shared infrastructure, else `xim` (one of
    /// the project's XIM nodes).
    ///
    /// Examples:
    ///   xeroctl deploy 3f2a9c1d-5b7e-4c8a-9d0f-1e2b3c4d5e6f
    ///   xeroctl deploy 3f2a9c1d-5b7e-4c8a-9d0f-1e2b3c4d5e6f --tier xim --output json
    Deploy(DeployArgs),
    /// List the project's endpoints, or delete one.
    ///
    /// Examples:
    ///   xeroctl endpoints
    ///   xeroctl endpoints delete 9b1c2d3e-4f50-4a6b-8c7d-0e1f2a3b4c5d
    Endpoints(EndpointsArgs),
    /// Print a shell completion script.
    ///
    /// Examples:
    ///   xeroctl completions bash > /etc/bash_completion.d/xeroctl
    ///   xeroctl completions zsh > "${fpath[1]}/_xeroctl"
    ///   xeroctl completions fish > ~/.config/fish/completions/xeroctl.fish
    Completions {
        #[arg(value_enum)]
        shell: ShellArg,
    },
}

impl Command {
    /// The connection settings of the commands that talk to a server.
    pub fn connection_mut(&mut self) -> Option<&mut Connection> {
        match self {
            Self::Models(args) => Some(&mut args.connection),
            Self::Catalog(args) => Some(&mut args.connection),
            Self::Deploy(args) => Some(&mut args.connection),
            Self::Endpoints(args) => Some(&mut args.connection),
            Self::Serve(_) | Self::Admin(_) | Self::Completions { .. } => None,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ShellArg {
    Bash,
    Zsh,
    Fish,
}

#[derive(Debug, clap::Args)]
pub struct DeployArgs {
    /// The catalog model's UUID.
    pub model: String,
    #[arg(long, value_enum)]
    pub tier: Option<TierArg>,
    #[arg(long, value_enum, default_value_t = Output::Table)]
    pub output: Output,
    #[command(flatten)]
    pub connection: Connection,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TierArg {
    Shared,
    Xim,
}

impl TierArg {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Shared => "shared",
            Self::Xim => "xim",
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct EndpointsArgs {
    #[command(subcommand)]
    pub action: Option<EndpointsAction>,
    #[arg(long, value_enum, default_value_t = Output::Table, global = true)]
    pub output: Output,
    #[command(flatten)]
    pub connection: Connection,
}

#[derive(Debug, Clone, Subcommand)]
pub enum EndpointsAction {
    /// List the endpoints with tier, status and node (the default).
    List,
    /// Delete an endpoint by its UUID.
    Delete { id: String },
}

/// Where the server is and who we are.
#[derive(Debug, Clone, clap::Args)]
pub struct Connection {
    /// Server URL.
    #[arg(
        long,
        env = "XERO_BASE_URL",
        default_value = "http://127.0.0.1:8080",
        global = true
    )]
    pub base_url: String,
    /// API key (`xero_<project>_<secret>`).
    #[arg(long, env = "XERO_API_KEY", hide_env_values = true, global = true)]
    pub api_key: Option<String>,
    /// Project id (`proj_…`); by default the key's project.
    #[arg(long, env = "XERO_PROJECT", global = true)]
    pub project: Option<String>,
    /// Where `base_url` came from, so an error names what to fix (set by `main`).
    #[arg(skip)]
    pub base_url_origin: Origin,
}

impl Connection {
    /// The setting that gave `base_url`, as a user would write it.
    pub fn base_url_setting(&self) -> &'static str {
        match self.base_url_origin {
            Origin::Flag => "--base-url",
            Origin::Env => "XERO_BASE_URL",
            Origin::Default => "the default base URL",
        }
    }
}

/// Where a setting's value came from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Origin {
    /// A command-line flag.
    Flag,
    /// An `XERO_*` environment variable.
    Env,
    /// The built-in default.
    #[default]
    Default,
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    Table,
    /// The API's JSON, stable for scripts.
    Json,
}

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ModelsArgs {
    #[command(subcommand)]
    pub action: Option<ModelsAction>,
    /// A display id from `xeroctl models` (`mdl_…`) or the model's UUID.
    pub model: Option<String>,
    /// Put the model in the public catalog.
    #[arg(long)]
    pub share: bool,
    /// Take the model out of the catalog (existing deployments are untouched).
    #[arg(long)]
    pub unshare: bool,
    #[arg(long, value_enum, default_value_t = Output::Table, global = true)]
    pub output: Output,
    #[command(flatten)]
    pub connection: Connection,
}

#[derive(Debug, clap::Args)]
pub struct CatalogArgs {
    #[command(subcommand)]
    pub command: CatalogCommand,
    #[arg(long, value_enum, default_value_t = Output::Table, global = true)]
    pub output: Output,
    #[command(flatten)]
    pub connection: Connection,
}

#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Keyword search with filters; prints the results and a facet summary.
    Search(SearchArgs),
    /// One model with its description, by UUID or by exact name (any case).
    Show {
        /// The model's UUID, or its name; several models of that name are listed, not guessed.
        id: String,
    },
    /// 2–4 models side by side: every field, the ones that differ marked, memory estimates at
    /// one context, licence intent.
    Compare {
        /// UUIDs or exact names, 2 to 4.
        #[arg(num_args = 2..=4, required = true)]
        ids: Vec<String>,
    },
    /// The devices `--device` and `fits_memory=` know, with the memory a model may use on each.
    Devices,
}

#[derive(Debug, clap::Args)]
pub struct SearchArgs {
    /// Keywords.
    pub query: Vec<String>,
    /// The facet filters (`--family`, `--min-params`, …), from the facet list.
    #[command(flatten)]
    pub filters: FacetArgs,
    /// relevance, popular, newest, name, params or context.
    #[arg(long)]
    pub sort: Option<String>,
    #[arg(long, default_value_t = 1)]
    pub page: u32,
    #[arg(long, default_value_t = 20)]
    pub per_page: u32,
}

#[derive(Debug, Subcommand)]
pub enum ModelsAction {
    /// Register a model under the project.
    Register {
        /// Display name.
        name: String,
        #[command(flatten)]
        fields: ModelFields,
    },
    /// Change a model's metadata (only the fields given).
    Edit {
        model: String,
        /// New display name.
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        fields: ModelFields,
    },
    /// Delete a model (asks first unless --yes).
    Delete {
        model: String,
        /// Do not ask.
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Show one model.
    Show { model: String },
    /// A model's lineage: set its base model and relation, or mark it superseded by another
    /// (both must be models you can see); with no flag, show it.
    Lineage {
        model: String,
        /// The base: a UUID or `project/model` repo id of a model here.
        #[arg(long, conflicts_with = "clear_base")]
        base: Option<String>,
        /// finetune, quantized, adapter or merge.
        #[arg(long)]
        relation: Option<String>,
        /// A base that is not in this catalog, as its model card names it (`Qwen/Qwen3-8B`).
        #[arg(long, conflicts_with = "clear_base")]
        base_name: Option<String>,
        /// Remove the base and relation.
        #[arg(long)]
        clear_base: bool,
        /// The model that supersedes this one (UUID or repo id).
        #[arg(long, conflicts_with = "clear_superseded")]
        superseded_by: Option<String>,
        /// This model is no longer superseded.
        #[arg(long)]
        clear_superseded: bool,
    },
    /// Upload a model file (GGUF, safetensors, …), or a folder / several files as one revision
    /// of the model's repository, with a progress bar over the total; creates the model unless
    /// --model names one. Files the project already has are not sent again, so an interrupted
    /// upload resumes.
    Upload {
        /// The file, the folder, or several files to upload.
        #[arg(required = true, num_args = 1..)]
        paths: Vec<std::path::PathBuf>,
        /// Name of the new model (default: the file name without extension).
        #[arg(long, conflicts_with = "model")]
        name: Option<String>,
        /// Upload to this existing model (display id or UUID) instead of creating one.
        #[arg(long)]
        model: Option<String>,
        /// Share the model to the catalog once the upload is stored.
        #[arg(long)]
        share: bool,
    },
    /// Import a Hugging Face snapshot (an HF cache folder `models--org--name`, or a plain
    /// downloaded folder) as a new model: metadata from config.json, safetensors and GGUF
    /// headers and the README's front matter; the README body becomes the description.
    ImportHf {
        /// The cache folder (`…/models--org--name`), one of its `snapshots/<rev>`, or a folder.
        path: std::path::PathBuf,
        /// The revision of a cache folder (default: what `refs/main` names).
        #[arg(long)]
        revision: Option<String>,
        /// Name of the new model (default: the repository's name).
        #[arg(long)]
        name: Option<String>,
        /// Share the model to the catalog once imported.
        #[arg(long)]
        share: bool,
    },
    /// Register many models from a JSON-lines file: one object per line with the fields
    /// `models register` takes through the API (`name`, `architecture`, `parameter_count`,
    /// `context_length`, `license`, …; others are ignored). Lines that fail are reported as
    /// `line N: …` without stopping; the exit code is 1 if any did.
    Import {
        /// The `.jsonl` file; blank lines are skipped.
        file: std::path::PathBuf,
        /// Share each model to the catalog once registered.
        #[arg(long)]
        share: bool,
        /// Requests in flight at once.
        #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
        jobs: u16,
    },
    /// List the files of a model's repository (path, size, sha256) and its Hub repo id.
    Files {
        /// Display id or UUID.
        model: String,
        /// `main` (default) or a 40-hex revision id.
        #[arg(long)]
        revision: Option<String>,
    },
}

/// Model metadata flags shared by register and edit.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ModelFields {
    /// Architecture slug or class name, e.g. qwen3moe or LlamaForCausalLM.
    #[arg(long)]
    pub architecture: Option<String>,
    /// Parameter count, e.g. 7B, 1.5B, 560M.
    #[arg(long)]
    pub params: Option<String>,
    /// Active parameters of a mixture of experts, e.g. 3B.
    #[arg(long)]
    pub active_params: Option<String>,
    /// Context length, e.g. 128K.
    #[arg(long)]
    pub context: Option<String>,
    /// License, e.g. apache-2.0.
    #[arg(long)]
    pub license: Option<String>,
    /// Quantization, e.g. Q4_K_M.
    #[arg(long)]
    pub quantization: Option<String>,
    /// Format, e.g. gguf.
    #[arg(long)]
    pub format: Option<String>,
    /// Workload tags as CSV, e.g. chat,code.
    #[arg(long)]
    pub workload: Option<String>,
    /// The model's own version string (`--version` is the program's).
    #[arg(long)]
    pub model_version: Option<String>,
    /// Markdown description.
    #[arg(long, conflicts_with = "description_file")]
    pub description: Option<String>,
    /// Read the markdown description from a file, e.g. README.md.
    #[arg(long)]
    pub description_file: Option<std::path::PathBuf>,
    /// Where the weights live, e.g. s3://bucket/model.gguf.
    #[arg(long)]
    pub artifact_uri: Option<String>,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// clap checks the whole command tree (duplicate flags and the like) only when asked.
    #[test]
    fn the_command_tree_is_consistent() {
        super::Cli::command().debug_assert();
        super::super::examples::command().debug_assert();
    }
}
