//! `xeroctl catalog search …` and `xeroctl catalog show <uuid>`: the public catalog from the
//! terminal. No key is needed; with one, the catalog role and infrastructure badges show too.

use std::io::Write;

use serde_json::Value;

use super::args::{CatalogArgs, CatalogCommand, Output, SearchArgs};
use super::client::{Client, ClientError};
use crate::catalog::ids::ModelId;
use crate::markdown;

macro_rules! out {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// Runs `xeroctl catalog …`.
pub fn run(args: CatalogArgs) -> Result<(), ClientError> {
    let client = Client::public(&args.connection.base_url, args.connection.api_key.clone())?;
    match args.command {
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
                Output::Table => print_results(&answer),
            }
            Ok(())
        }
        CatalogCommand::Show { id } => {
            let Some(id) = ModelId::parse(&id) else {
                return Err(ClientError::Usage(format!(
                    "`{id}` is not a UUID: `catalog show` takes the model's UUID from `catalog search` (mdl_ ids are local to your project's `xeroctl models`)"
                )));
            };
            let model = client.call(reqwest::Method::GET, &format!("/v1/catalog/models/{id}"))?;
            match args.output {
                Output::Json => out!(
                    "{}",
                    serde_json::to_string_pretty(&model).unwrap_or_default()
                ),
                Output::Table => print_model(&model),
            }
            Ok(())
        }
    }
}

fn query_string(search: &SearchArgs) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if !search.query.is_empty() {
        pairs.push(("q", search.query.join(" ")));
    }
    pairs.extend(search.family.iter().map(|v| ("family", v.clone())));
    pairs.extend(search.license.iter().map(|v| ("license", v.clone())));
    pairs.extend(search.tag.iter().map(|v| ("tag", v.clone())));
    if search.moe {
        pairs.push(("moe", "true".into()));
    }
    if search.dense {
        pairs.push(("moe", "false".into()));
    }
    if search.featured {
        pairs.push(("featured", "true".into()));
    }
    if search.popular {
        pairs.push(("popular", "true".into()));
    }
    for (key, value) in [
        ("min_params", &search.min_params),
        ("max_params", &search.max_params),
        ("min_context", &search.min_context),
        ("max_context", &search.max_context),
        ("sort", &search.sort),
    ] {
        if let Some(v) = value {
            pairs.push((key, v.clone()));
        }
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

fn text(value: &Value) -> &str {
    value.as_str().unwrap_or("-")
}

fn print_results(answer: &Value) {
    let models = answer["models"].as_array().cloned().unwrap_or_default();
    if models.is_empty() {
        out!("No models match. Try fewer words or filters.");
    } else {
        out!(
            "{:<40} {:<16} {:>8} {:>8} {:<14} {:<24} ID",
            "NAME",
            "FAMILY",
            "SIZE",
            "CONTEXT",
            "LICENSE",
            "TAGS"
        );
        for m in &models {
            let tags: Vec<&str> = m["tags"]
                .as_array()
                .map(|t| t.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let badges: Vec<&str> = m["badges"]
                .as_array()
                .map(|b| b.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let name = if badges.is_empty() {
                text(&m["name"]).to_owned()
            } else {
                format!("{} [{}]", text(&m["name"]), badges.join(", "))
            };
            out!(
                "{:<40} {:<16} {:>8} {:>8} {:<14} {:<24} {}",
                cut(&name, 40),
                cut(text(&m["family_name"]), 16),
                text(&m["parameter_count_display"]),
                text(&m["context_length_display"]),
                cut(text(&m["license_name"]), 14),
                cut(&tags.join(","), 24),
                text(&m["id"])
            );
        }
    }
    out!(
        "\n{} models (page {}, sorted by {})",
        answer["total"],
        answer["page"],
        text(&answer["sort"])
    );
    for facet in ["family", "license", "tag"] {
        let values: Vec<String> = answer["facets"][facet]
            .as_array()
            .map(|vs| {
                vs.iter()
                    .filter(|v| v["count"].as_u64().unwrap_or(0) > 0)
                    .take(8)
                    .map(|v| format!("{} ({})", text(&v["label"]), v["count"]))
                    .collect()
            })
            .unwrap_or_default();
        if !values.is_empty() {
            out!("{:<8} {}", format!("{facet}:"), values.join(", "));
        }
    }
}

fn print_model(m: &Value) {
    out!("{}", text(&m["name"]));
    out!("  id:           {}", text(&m["id"]));
    out!(
        "  family:       {} ({})",
        text(&m["family_name"]),
        text(&m["architecture"])
    );
    out!("  parameters:   {}", text(&m["parameter_count_display"]));
    out!("  context:      {}", text(&m["context_length_display"]));
    out!("  license:      {}", text(&m["license_name"]));
    out!(
        "  quantization: {}   format: {}",
        text(&m["quantization"]),
        text(&m["format"])
    );
    let tags: Vec<&str> = m["tags"]
        .as_array()
        .map(|t| t.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    out!("  tags:         {}", tags.join(", "));
    out!(
        "  shared by:    {}   deployments: {}",
        text(&m["project"]["name"]),
        m["deployment_count"]
    );
    if let Some(role) = m["catalog_role"].as_str() {
        out!("  catalog role: {role}");
    }
    out!("\n{}", markdown::to_plain_text(text(&m["description"])));
}

fn cut(value: &str, width: usize) -> String {
    if value.chars().count() <= width {
        value.to_owned()
    } else {
        format!("{}…", value.chars().take(width - 1).collect::<String>())
    }
}
