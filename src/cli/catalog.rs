//! `xeroctl catalog search …` and `xeroctl catalog show <uuid | name>`: the public catalog from
//! the terminal. No key is needed; with one, the catalog role and infrastructure badges show too.
//! `table` prints; this file builds requests and resolves names to UUIDs.

mod table;

use super::args::{CatalogArgs, CatalogCommand, Output, SearchArgs};
use super::client::{Client, ClientError};
use super::output::{candidate_list, out};
use crate::catalog::ids::ModelId;
use crate::wire::catalog::{CatalogModelView, CatalogSearchResponse};

/// Name lookups read at most this many pages of 100 search hits.
const NAME_LOOKUP_PAGES: u32 = 5;

/// Runs `xeroctl catalog …`.
pub fn run(args: CatalogArgs) -> Result<(), ClientError> {
    let client = Client::public(&args.connection)?;
    match args.command {
        CatalogCommand::Devices => {
            print_devices(args.output);
            Ok(())
        }
        CatalogCommand::Search(search) => {
            let answer = client.call(
                reqwest::Method::GET,
                &format!("/v1/catalog/models?{}", query_string(&search)),
            )?;
            match args.output {
                Output::Json => out!(
                    "{}",
                    serde_json::to_string_pretty(&answer).unwrap_or_default()
                ),
                Output::Table => table::print_results(&answer),
            }
            Ok(())
        }
        CatalogCommand::Show { id } => {
            let id = resolve_model(&client, &id)?;
            let model = client.call(reqwest::Method::GET, &format!("/v1/catalog/models/{id}"))?;
            match args.output {
                Output::Json => out!(
                    "{}",
                    serde_json::to_string_pretty(&model).unwrap_or_default()
                ),
                Output::Table => table::print_model(&model),
            }
            Ok(())
        }
        CatalogCommand::Compare { ids } => {
            let ids = ids
                .iter()
                .map(|id| resolve_model(&client, id).map(|id| id.to_string()))
                .collect::<Result<Vec<_>, _>>()?;
            let answer = client.call(
                reqwest::Method::GET,
                &format!("/v1/catalog/compare?ids={}", ids.join(",")),
            )?;
            match args.output {
                Output::Json => out!(
                    "{}",
                    serde_json::to_string_pretty(&answer).unwrap_or_default()
                ),
                Output::Table => table::print_comparison(&answer),
            }
            Ok(())
        }
    }
}

/// A UUID as is; anything else is a model name, matched exactly but case-insensitively (as
/// `ollama show` takes names) among the hits of a catalog search for it.
fn resolve_model(client: &Client, wanted: &str) -> Result<ModelId, ClientError> {
    if let Some(id) = ModelId::parse(wanted) {
        return Ok(id);
    }
    let name = wanted.trim();
    if name.is_empty() {
        return Err(ClientError::Usage(
            "give a model name or UUID: xeroctl catalog show <uuid | name>".to_owned(),
        ));
    }
    let matches = exact_name_matches(client, name)?;
    match matches.as_slice() {
        [one] => ModelId::parse(&one.id).ok_or_else(|| ClientError::Transport {
            url: client.base().to_owned(),
            reason: format!("unexpected answer: `{}` is not a model UUID", one.id),
        }),
        [] if name.to_lowercase().starts_with("mdl_") => Err(ClientError::Usage(format!(
            "no catalog model is named `{name}`: `catalog show` takes a name or the UUID from `catalog search` (mdl_ ids are local to your project's `xeroctl models`)"
        ))),
        [] => Err(ClientError::Usage(format!(
            "no catalog model is named `{name}`: `xeroctl catalog search {name}` finds similar ones; `catalog show` takes a name or a UUID"
        ))),
        many => {
            let candidates: Vec<String> = many
                .iter()
                .map(|m| format!("{}  {}  (shared by {})", m.id, m.name, m.project.name))
                .collect();
            Err(ClientError::Usage(candidate_list(
                &format!(
                    "{} catalog models are named `{name}`; give the UUID of one:",
                    many.len()
                ),
                &candidates,
            )))
        }
    }
}

/// The catalog models whose name is `name` (ignoring case). Exact names rank first by
/// relevance, so the pages stop once one adds nothing after earlier ones matched.
fn exact_name_matches(client: &Client, name: &str) -> Result<Vec<CatalogModelView>, ClientError> {
    let wanted = name.to_lowercase();
    let mut matches = Vec::new();
    for page in 1..=NAME_LOOKUP_PAGES {
        let answer: CatalogSearchResponse = client.get(&format!(
            "/v1/catalog/models?q={}&sort=relevance&page={page}&per_page=100",
            encode(name)
        ))?;
        let is_last_page = answer.models.len() < 100;
        let before = matches.len();
        matches.extend(
            answer
                .models
                .into_iter()
                .filter(|m| m.name.to_lowercase() == wanted),
        );
        let page_added_nothing = before > 0 && matches.len() == before;
        if is_last_page || page_added_nothing {
            break;
        }
    }
    Ok(matches)
}

fn query_string(search: &SearchArgs) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if !search.query.is_empty() {
        pairs.push(("q", search.query.join(" ")));
    }
    pairs.extend(search.filters.pairs.iter().cloned());
    if let Some(sort) = &search.sort {
        pairs.push(("sort", sort.clone()));
    }
    pairs.push(("page", search.page.to_string()));
    pairs.push(("per_page", search.per_page.to_string()));
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The device table, offline: key, name, memory as sold and what a model may use.
fn print_devices(output: Output) {
    use crate::catalog::devices::DEVICES;
    use crate::catalog::memory::gigabytes;
    if matches!(output, Output::Json) {
        let rows: Vec<serde_json::Value> = DEVICES
            .iter()
            .map(|d| {
                serde_json::json!({
                    "key": d.key, "name": d.name, "kind": d.kind.label(),
                    "memory_bytes": d.memory, "usable_bytes": d.usable,
                })
            })
            .collect();
        out!(
            "{}",
            serde_json::to_string_pretty(&rows).unwrap_or_default()
        );
        return;
    }
    out!(
        "{:<20} {:<36} {:>9} {:>9}",
        "KEY",
        "DEVICE",
        "MEMORY",
        "USABLE"
    );
    for d in DEVICES {
        out!(
            "{:<20} {:<36} {:>9} {:>9}",
            d.key,
            d.name,
            gigabytes(d.memory),
            gigabytes(d.usable)
        );
    }
    out!("Several devices: 2x24GB or \"2x RTX 4090\" (0.5 GB kept on each device past the first).");
}
