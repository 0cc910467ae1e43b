//! `xeroctl admin …`: local administration that opens the data directory through `ops`.
//! Only the commands that start a new installation may create the data directory; the others
//! refuse a directory without a database (a mistyped `--data` must not look like an empty one).

use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use super::args::admin::{AdminArgs, AdminCommand, AgentKindArg, AgentsCommand, ScopeArg};
use crate::auth::KeyScope;
use crate::catalog::ids::{ModelId, ProjectId};
use crate::catalog::infra::{AgentId, AgentKind};
use crate::ops::{self, AdminActor, Services, admin};

use super::bundle;
use super::output::{note, out};

/// The data directory (or its database) is not there and this command does not create one.
/// `main` exits 3 for it, as for other configuration errors.
#[derive(Debug, thiserror::Error)]
#[error(
    "no data directory at `{}` (no `xero.db` there): check --data / XERO_DATA_DIR; only create-user, create-project and generate start a new one",
    path.display()
)]
pub struct MissingDataDir {
    pub path: PathBuf,
}

/// The exit code for a failed admin command: 3 for a missing data directory, else 1.
pub fn exit_code(error: &anyhow::Error) -> u8 {
    if error.downcast_ref::<MissingDataDir>().is_some() {
        3
    } else {
        1
    }
}

/// Whether the command may create the data directory and its database. These are the ones a
/// new installation starts with: the first user (`create-user --admin`), the first project,
/// and a synthetic catalog for tests and benchmarks (`generate`). Everything else reads or
/// changes what is already there, and on a missing directory would only hide a typo.
fn creates_data_dir(command: &AdminCommand) -> bool {
    matches!(
        command,
        AdminCommand::CreateUser { .. }
            | AdminCommand::CreateProject { .. }
            | AdminCommand::Generate { .. }
    )
}

fn require_data_dir(data_dir: &Path) -> Result<(), MissingDataDir> {
    if data_dir.join("xero.db").is_file() {
        Ok(())
    } else {
        Err(MissingDataDir {
            path: data_dir.to_owned(),
        })
    }
}

/// Runs one admin command; output is for people and for scripts (ids alone on stdout).
pub async fn run(args: AdminArgs) -> anyhow::Result<()> {
    // These two never open a data directory: keys are files, and a restore makes a new one.
    match &args.command {
        AdminCommand::Keygen { output } => return bundle::keygen(output),
        AdminCommand::Restore { file } => return bundle::restore(file, &args.data_dir),
        _ => {}
    }
    if !creates_data_dir(&args.command) {
        require_data_dir(&args.data_dir)?;
    }
    if let AdminCommand::Reindex = args.command {
        // Reindex needs the data directory's lock, so it opens the directory itself.
        let started = std::time::Instant::now();
        let count = Services::reindex(&args.data_dir).await?;
        note!(
            "search index rebuilt: {count} shared models in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        return Ok(());
    }
    let services = Services::open(&args.data_dir)
        .with_context(|| format!("cannot open data directory `{}`", args.data_dir.display()))?;
    match args.command {
        AdminCommand::CreateUser {
            name,
            admin: is_admin,
        } => {
            let password = read_password()?;
            admin::create_user(&services, &name, password, is_admin).await?;
            note!(
                "user `{name}` created{}",
                if is_admin { " (administrator)" } else { "" }
            );
        }
        AdminCommand::AddMember {
            project,
            user,
            owner,
        } => {
            admin::add_member(&services, &parse_project(&project)?, &user, owner).await?;
            note!("`{user}` added to {project}");
        }
        AdminCommand::DisableUser { name } => {
            admin::disable_user(&services, &name).await?;
            note!("user `{name}` disabled; their sessions have ended");
        }
        AdminCommand::UnlockUser { name } => {
            admin::unlock_user(&services, &name).await?;
            eprintln!("user `{name}` unlocked: login backoff cleared");
        }
        AdminCommand::CreateProject { slug, name, owner } => {
            let project = admin::create_project(&services, &slug, &name, owner).await?;
            out!("{}", project.id);
        }
        AdminCommand::ListProjects => {
            let projects = admin::list_projects(&services).await?;
            out!(
                "{:<16} {:<24} {:>7} {:>7}  NAME",
                "ID",
                "SLUG",
                "MODELS",
                "SHARED"
            );
            for p in projects {
                out!(
                    "{:<16} {:<24} {:>7} {:>7}  {}",
                    p.project.id,
                    p.project.slug,
                    p.model_count,
                    p.shared_count,
                    p.project.name
                );
            }
        }
        AdminCommand::CreateKey {
            project,
            scope,
            label,
        } => {
            let project = parse_project(&project)?;
            let scope = match scope {
                ScopeArg::Read => KeyScope::Read,
                ScopeArg::Write => KeyScope::Write,
            };
            let key = admin::create_key(&services, &project, scope, label).await?;
            out!("{}", key.plain);
            note!(
                "key id {} ({} scope); the key is shown only this once",
                key.id,
                scope.as_str()
            );
            // After the key id line, which scripts read first.
            if let Some(hf) = crate::auth::keys::hf_form(&key.plain) {
                note!("the same key for clients that send only hf_ tokens (llama.cpp): {hf}");
            }
        }
        AdminCommand::ListKeys { project } => {
            let project = parse_project(&project)?;
            out!(
                "{:<14} {:<6} {:<8} {:<28} LABEL",
                "ID",
                "SCOPE",
                "STATE",
                "CREATED"
            );
            for key in admin::list_keys(&services, &project).await? {
                let state = if key.revoked { "revoked" } else { "active" };
                out!(
                    "{:<14} {:<6} {:<8} {:<28} {}",
                    key.id,
                    key.scope,
                    state,
                    key.created_at,
                    key.label.unwrap_or_default()
                );
            }
        }
        AdminCommand::Reindex | AdminCommand::Keygen { .. } | AdminCommand::Restore { .. } => {}
        AdminCommand::Export {
            output,
            sign,
            shared_only,
            project,
            query,
            with_files,
        } => {
            let args = bundle::ExportArgs {
                output,
                sign,
                shared_only,
                project,
                query,
                with_files,
            };
            bundle::export(&services, args).await?;
        }
        AdminCommand::Import {
            file,
            trust,
            project,
            dry_run,
            assume_free_bytes,
        } => {
            let args = bundle::ImportArgs {
                file,
                trust,
                project,
                dry_run,
                assume_free_bytes,
            };
            bundle::import(&services, args).await?;
        }
        AdminCommand::Backup { output } => bundle::backup(&services, &output).await?,
        AdminCommand::Generate {
            models,
            projects,
            seed,
        } => {
            let started = std::time::Instant::now();
            let report =
                crate::ops::seed::generate::generate(&services, models, projects, seed).await?;
            note!(
                "generated and shared {} models in {} projects in {:.1} s (the server indexes them; `admin reindex` if it is stopped)",
                report.models,
                report.projects,
                started.elapsed().as_secs_f64()
            );
        }
        AdminCommand::Agents(command) => agents(&services, command).await?,
        AdminCommand::Feature { model } => feature(&services, &model, true).await?,
        AdminCommand::Unfeature { model } => feature(&services, &model, false).await?,
        AdminCommand::RevokeKey { key_id } => {
            admin::revoke_key(&services, &key_id).await?;
            note!("key {key_id} revoked");
        }
    }
    Ok(())
}

async fn agents(services: &Services, command: AgentsCommand) -> anyhow::Result<()> {
    let admin = AdminActor::local();
    match command {
        AgentsCommand::Add {
            kind,
            project,
            name,
        } => {
            let kind = match kind {
                AgentKindArg::Shared => AgentKind::Shared,
                AgentKindArg::Xim => AgentKind::Xim,
            };
            let project = project.as_deref().map(parse_project).transpose()?;
            let added =
                ops::infra::agents::add_agent(services, &admin, kind, project, &name).await?;
            out!("{}", added.token);
            note!(
                "agent {} ({} `{}`) registered; the token is shown only this once",
                added.agent.id,
                kind.as_str(),
                added.agent.name
            );
        }
        AgentsCommand::List { agent_ttl } => {
            if !(agent_ttl > 0.0 && agent_ttl <= 86_400.0) {
                bail!("`--agent-ttl` must be between 1 and 86400 seconds");
            }
            let mut services = services.clone();
            services.agent_ttl = std::time::Duration::from_secs_f64(agent_ttl);
            out!(
                "{:<14} {:<7} {:<8} {:>6} {:<16} {:<28} NAME",
                "ID",
                "KIND",
                "STATE",
                "LOADED",
                "PROJECT",
                "LAST HEARTBEAT"
            );
            for status in ops::infra::agents::list_agents(&services, None).await? {
                let a = &status.agent;
                out!(
                    "{:<14} {:<7} {:<8} {:>6} {:<16} {:<28} {}",
                    a.id,
                    a.kind.as_str(),
                    if status.active { "active" } else { "stale" },
                    a.loaded,
                    a.project_id
                        .as_ref()
                        .map_or("-".to_owned(), ToString::to_string),
                    a.last_heartbeat_at.as_deref().unwrap_or("never"),
                    a.name
                );
            }
        }
        AgentsCommand::Remove { agent_id } => {
            let id = AgentId::parse(&agent_id)
                .with_context(|| format!("`{agent_id}` is not an agent id like `agt_…`"))?;
            ops::infra::agents::remove_agent(services, &admin, id).await?;
            note!("agent {agent_id} removed");
        }
    }
    Ok(())
}

async fn feature(services: &Services, raw: &str, featured: bool) -> anyhow::Result<()> {
    let id = ModelId::parse(raw).with_context(|| {
        format!("`{raw}` is not a model UUID (display ids `mdl_…` are CLI-local)")
    })?;
    let changed =
        ops::models::feature::set_featured(services, &AdminActor::local(), id, featured).await?;
    let state = if featured { "featured" } else { "not featured" };
    if changed {
        note!("model {id} is now {state}");
    } else {
        note!("model {id} was already {state}");
    }
    Ok(())
}

fn parse_project(raw: &str) -> anyhow::Result<ProjectId> {
    ProjectId::parse(raw).with_context(|| format!("`{raw}` is not a project id like `proj_ABC123`"))
}

/// Reads the password from the first line of standard input (prompting when it is a terminal).
fn read_password() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        super::output::prompt("password: ");
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let password = line.trim_end_matches(['\n', '\r']).to_owned();
    if password.is_empty() {
        bail!("no password given on standard input");
    }
    Ok(password)
}
