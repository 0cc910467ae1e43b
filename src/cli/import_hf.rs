//! `xeroctl models import-hf PATH`: a Hugging Face snapshot becomes one model with its
//! repository. The files say what they are (formats::snapshot); the upload is the same as
//! `models upload DIR`, so an interrupted import resumes where it stopped.

use std::path::Path;

use serde_json::{Map, Value, json};

use super::args::Output;
use super::client::{Client, ClientError};
use super::output::{note, out};
use super::repo_upload::{LocalFile, print_use, send_files};
use crate::formats::snapshot::{self, SnapshotMetadata};

/// Longest description the catalog takes (characters).
const MAX_DESCRIPTION: usize = 60_000;

fn registration(meta: &SnapshotMetadata, name: &str, formats: &[&str]) -> Map<String, Value> {
    let mut body = Map::new();
    body.insert("name".into(), json!(name));
    let mut put = |key: &str, value: Option<String>| {
        if let Some(value) = value.filter(|v| !v.trim().is_empty()) {
            body.insert(key.into(), json!(value));
        }
    };
    put("architecture", meta.architecture.clone());
    put(
        "parameter_count",
        meta.parameter_count.map(|p| p.to_string()),
    );
    put("context_length", meta.context_length.map(|c| c.to_string()));
    put("license", meta.license.clone());
    put(
        "quantization",
        meta.quantization.clone().or_else(|| meta.precision.clone()),
    );
    put("format", formats.first().map(|f| (*f).to_owned()));
    let tags: Vec<String> = meta
        .pipeline_tag
        .iter()
        .chain(&meta.tags)
        .map(|t| t.to_lowercase())
        .filter(|t| {
            !t.is_empty()
                && t.len() <= 32
                && t.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.+".contains(c))
        })
        .take(8)
        .collect();
    put("workload_type", (!tags.is_empty()).then(|| tags.join(",")));
    // The card's base model: linked when it is a model here, kept as stated otherwise.
    put("base_model_name", meta.base_model.first().cloned());
    put(
        "base_model_relation",
        meta.base_model_relation
            .clone()
            .filter(|_| !meta.base_model.is_empty())
            .filter(|r| crate::catalog::lineage::Relation::parse(r).is_some()),
    );
    put(
        "description",
        meta.description
            .as_ref()
            .map(|d| d.chars().take(MAX_DESCRIPTION).collect()),
    );
    body
}

pub fn run(
    client: &Client,
    project: &str,
    path: &Path,
    revision: Option<&str>,
    name: Option<String>,
    share: bool,
    output: Output,
) -> Result<(), ClientError> {
    let usage = |e: snapshot::SnapshotError| ClientError::Usage(e.to_string());
    let found = match revision {
        Some(rev) => snapshot::scan_revision(path, rev).map_err(usage)?,
        None => snapshot::scan(path).map_err(usage)?,
    };
    let meta = snapshot::metadata(&found);
    let name = name
        .or_else(|| meta.suggested_name.clone())
        .or_else(|| meta.name.clone())
        .unwrap_or_else(|| "imported model".to_owned());
    let formats: Vec<&str> = ["safetensors", "gguf"]
        .into_iter()
        .filter(|ext| {
            found
                .files
                .iter()
                .any(|f| f.path.ends_with(&format!(".{ext}")))
        })
        .collect();
    let base = format!("/{project}/v1/models");
    let body = registration(&meta, &name, &formats);
    let created = match client.send(
        reqwest::Method::POST,
        &base,
        Some(&Value::Object(body.clone())),
    ) {
        Ok(created) => created,
        // A value the catalog refuses (an unusual licence, say) must not stop the import: keep
        // what the catalog takes and say what was left out.
        Err(ClientError::Api {
            status: 400,
            message,
            ..
        }) => {
            // stderr: with `--output json` stdout carries the JSON answer only.
            note!("note: {message}; importing with the name, architecture, size and context only");
            let minimal: Map<String, Value> = body
                .into_iter()
                .filter(|(k, _)| {
                    [
                        "name",
                        "architecture",
                        "parameter_count",
                        "context_length",
                        "format",
                    ]
                    .contains(&k.as_str())
                })
                .collect();
            client.send(reqwest::Method::POST, &base, Some(&Value::Object(minimal)))?
        }
        Err(other) => return Err(other),
    };
    let id = created["id"].as_str().unwrap_or_default().to_owned();
    let files: Vec<LocalFile> = found
        .files
        .iter()
        .map(|f| LocalFile {
            path: f.path.clone(),
            source: f.source.clone(),
            size: f.size,
        })
        .collect();
    let answer = match send_files(client, project, &id, &files, true) {
        Ok(answer) => answer,
        Err(error) => {
            note!(
                "the import stopped: run the same command with `--model` … or `models upload DIR --model {id}` to resume"
            );
            return Err(error);
        }
    };
    let shared = if share {
        Some(client.call(reqwest::Method::POST, &format!("{base}/{id}/share"))?)
    } else {
        None
    };
    if output == Output::Json {
        out!(
            "{}",
            json!({"model": created, "repository": answer, "notices": meta.notices})
        );
        return Ok(());
    }
    out!(
        "imported {} as {} ({} files, {} bytes)",
        found.root.display(),
        created["name"].as_str().unwrap_or_default(),
        files.len(),
        found.total_size()
    );
    for (label, key) in [
        ("architecture", "architecture"),
        ("parameters", "parameter_count_display"),
        ("context", "context_length_display"),
        ("license", "license"),
        ("quantization", "quantization"),
    ] {
        if let Some(value) = created[key].as_str() {
            out!("  {label}: {value}");
        }
    }
    for notice in &meta.notices {
        out!("  note: {notice}");
    }
    print_use(client, &answer);
    if let Some(shared) = shared {
        out!("  {}", shared["message"].as_str().unwrap_or_default());
    }
    Ok(())
}
