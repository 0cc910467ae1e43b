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
