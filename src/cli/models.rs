//! `xeroctl models`: the project's models with CLI-local display ids (`mdl_…`), and
//! `xeroctl models <model-id> --share | --unshare` exactly as in the product document.
//! Display ids are resolved here, against the project's model list; only UUIDs reach the server.

use serde_json::Value;

use super::args::{ModelFields, ModelsAction, ModelsArgs, Output};
use super::client::{Client, ClientError};
use super::output::{candidate_list, out};
use crate::catalog::ids::ModelId;
use crate::wire::{ModelList, ModelView};

/// Runs `xeroctl models …`.
pub fn run(args: ModelsArgs) -> Result<(), ClientError> {
    let client = Client::new(&args.connection)?;
    let project = project_of(&client, &args.connection)?;
    if let Some(action) = args.action {
        return run_action(&client, &project, action, args.output);
    }
    match (&args.model, args.share, args.unshare) {
        (_, true, true) => Err(ClientError::Usage(
            "choose one of --share and --unshare".to_owned(),
        )),
        (None, true, _) | (None, _, true) => Err(ClientError::Usage(
            "give the model to share: xeroctl models <model-id> --share".to_owned(),
        )),
        (None, false, false) => list(&client, &project, args.output),
        (Some(id), share, unshare) => {
            let models = all_models(&client, &project)?;
            let model = resolve(&models, id)?;
            if !share && !unshare {
                return show(model, args.output);
            }
            let action = if share { "share" } else { "unshare" };
            let answer = client.call(
                reqwest::Method::POST,
                &format!("/{project}/v1/models/{}/{action}", model.id),
            )?;
            print_share(&answer, model, args.output);
            Ok(())
        }
    }
}

/// The project to act on: `--project` / `XERO_PROJECT`, else the key's own, asked of the server.
pub fn project_of(
    client: &Client,
    connection: &super::args::Connection,
) -> Result<String, ClientError> {
    match connection.project.clone() {
        Some(project) => Ok(project),
        None => Ok(client.key_info()?.project_id),
    }
}

pub(super) fn all_models(client: &Client, project: &str) -> Result<Vec<ModelView>, ClientError> {
    let mut models = Vec::new();
    for page in 1.. {
        let list: ModelList =
            client.get(&format!("/{project}/v1/models?page={page}&per_page=200"))?;
        let done =
            list.models.len() < 200 || models.len() + list.models.len() >= list.total as usize;
        models.extend(list.models);
        if done {
            break;
        }
    }
    Ok(models)
}

/// A UUID is taken as is; a display id (`mdl_…`, or any unique prefix of one) is looked up.
pub(super) fn resolve<'a>(models: &'a [ModelView], id: &str) -> Result<&'a ModelView, ClientError> {
    if let Some(uuid) = ModelId::parse(id) {
        return models
            .iter()
            .find(|m| m.id == uuid.to_string())
            .ok_or_else(|| ClientError::Usage(format!("no model `{id}` in this project")));
    }
    let wanted = id.trim().to_lowercase();
    let wanted = if wanted.starts_with("mdl_") {
        wanted
    } else {
        format!("mdl_{wanted}")
    };
    let matches: Vec<&ModelView> = models
        .iter()
        .filter(|m| m.display_id.starts_with(&wanted))
        .collect();
    match matches.as_slice() {
        [one] => Ok(one),
        [] => Err(ClientError::Usage(format!(
            "no model `{id}` in this project; `xeroctl models` lists them"
        ))),
        many => {
            let candidates: Vec<String> = many
                .iter()
                .map(|m| format!("{}  {}  {}", m.display_id, m.id, m.name))
                .collect();
            Err(ClientError::Usage(candidate_list(
                &format!(
                    "`{id}` is ambiguous: {} models match; give more of the id or the UUID",
                    many.len()
                ),
                &candidates,
            )))
        }
    }
}

fn list(client: &Client, project: &str, output: Output) -> Result<(), ClientError> {
    let models = all_models(client, project)?;
    if output == Output::Json {
        out!(
            "{}",
            serde_json::to_string_pretty(&models).unwrap_or_default()
        );
        return Ok(());
    }
    if models.is_empty() {
        out!("No models in {project} yet. Register one with the API: POST /{project}/v1/models");
        return Ok(());
    }
    out!(
        "{:<11} {:<40} {:<14} {:>8} {:>8} {:<14} {:<7} BADGES",
        "ID",
        "NAME",
        "ARCHITECTURE",
        "SIZE",
        "CONTEXT",
        "LICENSE",
        "SHARED"
    );
    for m in &models {
        out!(
            "{:<11} {:<40} {:<14} {:>8} {:>8} {:<14} {:<7} {}",
            m.display_id,
            truncate(&m.name, 40),
            truncate(m.architecture.as_deref().unwrap_or("-"), 14),
            m.parameter_count_display.as_deref().unwrap_or("-"),
            m.context_length_display.as_deref().unwrap_or("-"),
            truncate(m.license_name.as_deref().unwrap_or("-"), 14),
            if m.shared { "yes" } else { "no" },
            badge_text(m),
        );
    }
    Ok(())
}

fn show(model: &ModelView, output: Output) -> Result<(), ClientError> {
    if output == Output::Json {
        out!(
            "{}",
            serde_json::to_string_pretty(model).unwrap_or_default()
        );
    } else {
        out!(
            "{} ({})\n  id: {}\n  shared: {}, role: {}\n  badges: {}",
            model.name,
            model.display_id,
            model.id,
            model.shared,
            role_text(model.catalog_role.as_deref()),
            badge_text(model)
        );
    }
    Ok(())
}

fn print_share(answer: &Value, model: &ModelView, output: Output) {
    if output == Output::Json {
        out!(
            "{}",
            serde_json::to_string_pretty(answer).unwrap_or_default()
        );
        return;
    }
    let message = answer["message"].as_str().unwrap_or_default();
    out!("{} {}: {message}", model.display_id, model.name);
    out!(
        "  id: {}\n  shared: {}\n  catalog role: {}",
        answer["id"].as_str().unwrap_or_default(),
        answer["shared"],
        role_text(answer["catalog_role"].as_str())
    );
}

/// The badge line the catalog shows (`XIM Only · not deployed`), `-` when there is none.
fn badge_text(model: &ModelView) -> String {
    use super::style::{Tone, paint};
    if model.badge_line.is_empty() {
        return paint("-", Tone::Muted);
    }
    let tone = if model.badges.iter().any(|b| b == "shared") {
        Tone::Good
    } else {
        Tone::Warn
    };
    paint(&model.badge_line, tone)
}

fn role_text(role: Option<&str>) -> String {
    use super::style::{Tone, paint};
    match role {
        Some("shared") => paint("shared", Tone::Good),
        Some("deployable") => paint("deployable (XIM Only)", Tone::Warn),
        Some(other) => other.to_owned(),
        None => paint("-", Tone::Muted),
    }
}

fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(width - 1).collect::<String>())
    }
}

fn run_action(
    client: &Client,
    project: &str,
    action: ModelsAction,
    output: Output,
) -> Result<(), ClientError> {
    let base = format!("/{project}/v1/models");
    match action {
        ModelsAction::Register { name, fields } => {
            let mut body = fields_json(&fields)?;
            body["name"] = Value::String(name);
            let model = client.send(reqwest::Method::POST, &base, Some(&body))?;
            print_model_answer(&model, output, "registered");
        }
        ModelsAction::Edit {
            model,
            name,
            fields,
        } => {
            let models = all_models(client, project)?;
            let target = resolve(&models, &model)?;
            let mut body = fields_json(&fields)?;
            if let Some(name) = name {
                body["name"] = Value::String(name);
            }
            if body.as_object().is_none_or(|o| o.is_empty()) {
                return Err(ClientError::Usage(
                    "nothing to change: give at least one field, e.g. --context 128K".to_owned(),
                ));
            }
            let answer = client.send(
                reqwest::Method::PATCH,
                &format!("{base}/{}", target.id),
                Some(&body),
            )?;
            print_model_answer(&answer, output, "updated");
        }
        ModelsAction::Delete { model, yes } => {
            let models = all_models(client, project)?;
            let target = resolve(&models, &model)?;
            if !yes
                && !confirm(&format!(
                    "Delete {} ({})? This cannot be undone. [y/N] ",
                    target.name, target.display_id
                ))?
            {
                return Err(ClientError::Usage("not deleted".to_owned()));
            }
            client.call(reqwest::Method::DELETE, &format!("{base}/{}", target.id))?;
            out!("deleted {} ({})", target.name, target.display_id);
        }
        ModelsAction::Show { model } => {
            let models = all_models(client, project)?;
            show(resolve(&models, &model)?, output)?;
        }
        ModelsAction::Lineage {
            model,
            base,
            relation,
            base_name,
            clear_base,
            superseded_by,
            clear_superseded,
        } => {
            let models = all_models(client, project)?;
            let id = resolve(&models, &model)?.id.clone();
            let mut change = serde_json::Map::new();
            if clear_base {
                for key in ["base_model", "base_model_name", "base_model_relation"] {
                    change.insert(key.into(), Value::Null);
                }
            }
            for (key, value) in [
                ("base_model", base),
                ("base_model_name", base_name),
                ("base_model_relation", relation),
                ("superseded_by", superseded_by),
            ] {
                if let Some(value) = value {
                    change.insert(key.into(), Value::String(value));
                }
            }
            if clear_superseded {
                change.insert("superseded_by".into(), Value::Null);
            }
            let path = format!("/{project}/v1/models/{id}/lineage");
            let view = if change.is_empty() {
                client.call(reqwest::Method::GET, &path)?
            } else {
                client.send(reqwest::Method::PATCH, &path, Some(&Value::Object(change)))?
            };
            print_lineage(&view, output);
        }
        ModelsAction::Upload {
            paths,
            name,
            model,
            share,
        } => {
            let target = match model {
                Some(model) => Some(resolve(&all_models(client, project)?, &model)?.id.clone()),
                None => None,
            };
            match paths.as_slice() {
                [file] if !file.is_dir() => {
                    super::upload::run(client, project, file, name, target, share, output)?
                }
                _ => super::repo_upload::run(client, project, &paths, name, target, share, output)?,
            }
        }
        ModelsAction::ImportHf {
            path,
            revision,
            name,
            share,
        } => super::import_hf::run(
            client,
            project,
            &path,
            revision.as_deref(),
            name,
            share,
            output,
        )?,
        ModelsAction::Import { file, share, jobs } => {
            super::import::run(client, project, &file, share, usize::from(jobs), output)?
        }
        ModelsAction::Files { model, revision } => {
            let models = all_models(client, project)?;
            let target = resolve(&models, &model)?;
            super::repo_upload::files(client, project, &target.id, revision.as_deref(), output)?;
        }
    }
    Ok(())
}

fn fields_json(fields: &ModelFields) -> Result<Value, ClientError> {
    let description =
        match (&fields.description, &fields.description_file) {
            (_, Some(path)) => Some(std::fs::read_to_string(path).map_err(|e| {
                ClientError::Usage(format!("cannot read `{}`: {e}", path.display()))
            })?),
            (text, None) => text.clone(),
        };
    let mut body = serde_json::Map::new();
    for (key, value) in [
        ("architecture", &fields.architecture),
        ("parameter_count", &fields.params),
        ("active_parameter_count", &fields.active_params),
        ("context_length", &fields.context),
        ("license", &fields.license),
        ("quantization", &fields.quantization),
        ("format", &fields.format),
        ("workload_type", &fields.workload),
        ("version", &fields.model_version),
        ("description", &description),
        ("artifact_uri", &fields.artifact_uri),
    ] {
        if let Some(value) = value {
            body.insert(key.to_owned(), Value::String(value.clone()));
        }
    }
    Ok(Value::Object(body))
}

fn print_model_answer(model: &Value, output: Output, verb: &str) {
    if output == Output::Json {
        out!(
            "{}",
            serde_json::to_string_pretty(model).unwrap_or_default()
        );
    } else {
        out!(
            "{verb} {} ({})\n  id: {}",
            model["name"].as_str().unwrap_or_default(),
            model["display_id"].as_str().unwrap_or_default(),
            model["id"].as_str().unwrap_or_default()
        );
    }
}

/// Asks on the terminal; without one, refuses (a script must pass --yes).
fn confirm(question: &str) -> Result<bool, ClientError> {
    use std::io::{BufRead, IsTerminal};
    if !std::io::stdin().is_terminal() {
        return Err(ClientError::Usage(
            "refusing to delete without a terminal to confirm: pass --yes".to_owned(),
        ));
    }
    super::output::prompt(question);
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| ClientError::Usage(e.to_string()))?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

/// A lineage answer: JSON as it came, or a few lines a person reads.
fn print_lineage(view: &Value, output: Output) {
    if matches!(output, Output::Json) {
        out!("{}", serde_json::to_string_pretty(view).unwrap_or_default());
        return;
    }
    let name = |v: &Value| {
        v.get("name")
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_owned()
    };
    let relation = view
        .get("base_model_relation")
        .and_then(Value::as_str)
        .unwrap_or("derived");
    match (
        view.get("base_model").filter(|v| !v.is_null()),
        view.get("base_model_name").and_then(Value::as_str),
    ) {
        (Some(base), _) => out!("base: {} ({relation})", name(base)),
        (None, Some(stated)) => out!("base: {stated} ({relation}; not in this catalog)"),
        (None, None) => out!("base: none"),
    }
    match view.get("superseded_by").filter(|v| !v.is_null()) {
        Some(next) => out!("superseded by: {}", name(next)),
        None => out!("superseded by: none"),
    }
    if let Some(counts) = view.get("derived_counts").and_then(Value::as_object) {
        let parts: Vec<String> = counts
            .iter()
            .filter(|(_, n)| n.as_u64().unwrap_or(0) > 0)
            .map(|(k, n)| format!("{n} {k}"))
            .collect();
        if !parts.is_empty() {
            out!("derived: {}", parts.join(", "));
        }
    }
}
