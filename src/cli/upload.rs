//! `xeroctl models upload FILE`: streams the file with a progress bar (size, rate, ETA on a
//! terminal; nothing on a pipe), then prints what the server read from it.

use std::path::Path;

use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Value, json};

use super::args::Output;
use super::client::{Client, ClientError};
use super::output::out;

pub fn run(
    client: &Client,
    project: &str,
    file: &Path,
    name: Option<String>,
    model: Option<String>,
    share: bool,
    output: Output,
) -> Result<(), ClientError> {
    let handle = std::fs::File::open(file)
        .map_err(|e| ClientError::Usage(format!("cannot read `{}`: {e}", file.display())))?;
    let size = handle
        .metadata()
        .map_err(|e| ClientError::Usage(format!("cannot read `{}`: {e}", file.display())))?
        .len();
    let base = format!("/{project}/v1/models");
    let created_here = model.is_none();
    // A model made from the file alone (no --model, no --name) is not made twice for one file.
    let dedupe = created_here && name.is_none();
    let id = match model {
        Some(id) => id,
        None => {
            // The file's own name (GGUF `general.name`) before the file name.
            let name = name
                .or_else(|| {
                    let header = std::fs::File::open(file).ok()?;
                    crate::formats::gguf::read_header(header).ok()?.name
                })
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| {
                    file.file_stem()
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_else(|| "uploaded model".to_owned())
                });
            let created =
                client.send(reqwest::Method::POST, &base, Some(&json!({ "name": name })))?;
            created["id"].as_str().unwrap_or_default().to_owned()
        }
    };
    let bar = ProgressBar::new(size);
    bar.set_style(
        ProgressStyle::with_template(
            "{bar:40} {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let body = reqwest::blocking::Body::sized(bar.wrap_read(handle), size);
    let answer = client.put_body(&format!("{base}/{id}/artifact"), body);
    bar.finish_and_clear();
    let answer = match answer {
        Ok(answer) => answer,
        Err(error) => {
            // Do not leave an empty model behind for a file the server refused.
            if created_here {
                let _ = client.call(reqwest::Method::DELETE, &format!("{base}/{id}"));
            }
            return Err(error);
        }
    };
    let duplicate = answer["notices"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .find(|n| n.contains("are already the file of"))
        .map(str::to_owned);
    if let (true, Some(notice)) = (dedupe, &duplicate) {
        // The model made for this upload would only repeat one the project has.
        let _ = client.call(reqwest::Method::DELETE, &format!("{base}/{id}"));
        if output == Output::Json {
            out!("{}", json!({ "already_there": true, "notice": notice }));
        } else {
            out!("already there: {notice}; nothing was added");
        }
        return Ok(());
    }
    let shared = if share {
        Some(client.call(reqwest::Method::POST, &format!("{base}/{id}/share"))?)
    } else {
        None
    };
    if output == Output::Json {
        let mut all = answer;
        if let Some(shared) = shared {
            all["share"] = shared;
        }
        out!("{all}");
        return Ok(());
    }
    print_summary(&answer, size);
    if let Some(shared) = shared {
        out!("  {}", shared["message"].as_str().unwrap_or_default());
    }
    Ok(())
}

fn print_summary(answer: &Value, size: u64) {
    let model = &answer["model"];
    let file = &answer["file"];
    out!(
        "uploaded {} bytes to {} ({})",
        size,
        model["name"].as_str().unwrap_or_default(),
        model["display_id"].as_str().unwrap_or_default()
    );
    out!("  id: {}", model["id"].as_str().unwrap_or_default());
    out!(
        "  sha256: {}",
        model["artifact"]["sha256"].as_str().unwrap_or_default()
    );
    out!("  format: {}", file["format"].as_str().unwrap_or_default());
    for (label, key) in [
        ("architecture", "architecture"),
        ("name in file", "name"),
        ("parameters", "parameter_count_display"),
        ("context", "context_length"),
        ("quantization", "quantization"),
        ("license", "license"),
        ("experts", "expert_count"),
    ] {
        match &file[key] {
            Value::Null => {}
            Value::String(s) => out!("  {label}: {s}"),
            other => out!("  {label}: {other}"),
        }
    }
    if let Some(filled) = answer["filled"].as_array().filter(|f| !f.is_empty()) {
        let names: Vec<&str> = filled.iter().filter_map(Value::as_str).collect();
        out!("  filled from the file: {}", names.join(", "));
    }
    for notice in answer["notices"].as_array().into_iter().flatten() {
        out!("  note: {}", notice.as_str().unwrap_or_default());
    }
    for d in answer["differences"].as_array().into_iter().flatten() {
        out!(
            "  note: {} declared {}, the file says {}",
            d["field"].as_str().unwrap_or_default(),
            d["declared"].as_str().unwrap_or_default(),
            d["file"].as_str().unwrap_or_default()
        );
    }
}
