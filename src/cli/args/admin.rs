//! The `xeroctl admin …` part of the clap tree: commands that work on a data directory.

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};

#[derive(Debug, clap::Args)]
pub struct AdminArgs {
    /// Data directory to administer.
    #[arg(
        long = "data",
        env = "XERO_DATA_DIR",
        default_value = "./data",
        global = true
    )]
    pub data_dir: PathBuf,
    #[command(subcommand)]
    pub command: AdminCommand,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a user; the password is read from standard input.
    CreateUser {
        name: String,
        /// Make the user a platform administrator.
        #[arg(long)]
        admin: bool,
    },
    /// Disable a user: they can no longer log in and all their sessions end at once.
    DisableUser { name: String },
    /// Clear a user's login backoff (and their devices'): the right password works at once,
    /// even while the server runs.
    UnlockUser { name: String },
    /// Create a project and print its `proj_…` id.
    CreateProject {
        /// Lowercase letters, digits and `-`; appears in the project's API keys.
        #[arg(long)]
        slug: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// An existing user who becomes the project's owner.
        #[arg(long)]
        owner: Option<String>,
    },
    /// Add an existing user to a project.
    AddMember {
        #[arg(long)]
        project: String,
        #[arg(long)]
        user: String,
        /// As an owner rather than a member.
        #[arg(long)]
        owner: bool,
    },
    /// List projects with their model counts.
    ListProjects,
    /// Create an API key for a project and print it (it is shown only this once).
    CreateKey {
        /// The project id, `proj_…`.
        #[arg(long)]
        project: String,
        /// `write` keys can change models; `read` keys can only read.
        #[arg(long, value_enum, default_value_t = ScopeArg::Write)]
        scope: ScopeArg,
        /// A note to recognise the key by.
        #[arg(long)]
        label: Option<String>,
    },
    /// List a project's API keys (ids, scopes, state; never secrets).
    ListKeys {
        #[arg(long)]
        project: String,
    },
    /// Revoke an API key by its id (`key_…`); the next request with it fails.
    RevokeKey { key_id: String },
    /// Rebuild the search index from the database (the server must be stopped).
    Reindex,
    /// Manage serving agents: shared infrastructure and per-project XIM nodes.
    #[command(subcommand)]
    Agents(AgentsCommand),
    /// Feature a model in the catalog (shown to everyone).
    Feature {
        /// The model's UUID.
        model: String,
    },
    /// Stop featuring a model.
    Unfeature {
        /// The model's UUID.
        model: String,
    },
    /// Make a minisign key pair for signing bundles: NAME.key (secret, mode 0600) and NAME.pub.
    Keygen {
        /// Path and name of the pair, without suffix.
        #[arg(short = 'o', long = "output", value_name = "NAME")]
        output: PathBuf,
    },
    /// Write a signed bundle of models (with their files if asked) for another install.
    Export {
        /// The bundle file to write.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: PathBuf,
        /// The secret key to sign with (`NAME.key` from `admin keygen`).
        #[arg(long, value_name = "KEY")]
        sign: PathBuf,
        /// Only models shared to the catalog.
        #[arg(long)]
        shared_only: bool,
        /// Only the models of this project (`proj_…`).
        #[arg(long, value_name = "ID")]
        project: Option<String>,
        /// Only models matching a catalog search, as its query string: `q=qwen&family=llama`.
        #[arg(long, value_name = "QUERY")]
        query: Option<String>,
        /// Carry the models' files (repository revisions and uploaded files), not only metadata.
        #[arg(long)]
        with_files: bool,
    },
    /// Verify a bundle against a trusted public key, then apply it all or nothing.
    Import {
        /// The bundle file.
        file: PathBuf,
        /// The public key of whoever signed the bundle (`NAME.pub`).
        #[arg(long, value_name = "PUBKEY")]
        trust: PathBuf,
        /// Import every model into this existing project instead of the bundle's.
        #[arg(long, value_name = "ID")]
        project: Option<String>,
        /// Check everything and say what would change, writing nothing.
        #[arg(long)]
        dry_run: bool,
        /// Free bytes to assume on the data disk (tests of the not-enough-disk refusal).
        #[arg(long, hide = true, env = "XERO_ASSUME_FREE_BYTES")]
        assume_free_bytes: Option<u64>,
    },
    /// Back up an install, also while its server runs: a database snapshot and the blobs (the
    /// search index is rebuilt from them).
    Backup {
        /// The backup file to write.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: PathBuf,
    },
    /// Restore a backup into a new or empty data directory (`--data`).
    Restore {
        /// The backup file.
        file: PathBuf,
    },
    /// Register and share a synthetic catalog (deterministic from the seed) for tests and benchmarks.
    Generate {
        /// How many models.
        #[arg(long)]
        models: usize,
        /// Over how many new projects.
        #[arg(long, default_value_t = 10)]
        projects: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
}

#[derive(Debug, Subcommand)]
pub enum AgentsCommand {
    /// Register an agent and print its token (shown only this once).
    Add {
        #[arg(long, value_enum)]
        kind: AgentKindArg,
        /// The project a XIM node belongs to (XIM nodes only).
        #[arg(long)]
        project: Option<String>,
        #[arg(long)]
        name: String,
    },
    /// List agents with their liveness and loaded-model counts.
    List {
        /// Seconds after the last heartbeat an agent counts as active (as the server's `--agent-ttl`).
        #[arg(long, env = "XERO_AGENT_TTL", default_value_t = 60.0)]
        agent_ttl: f64,
    },
    /// Remove an agent by its id (`agt_…`); its models stop counting at once.
    Remove { agent_id: String },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum AgentKindArg {
    Shared,
    Xim,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ScopeArg {
    Read,
    Write,
}
