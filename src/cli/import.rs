//! `xeroctl models import FILE.jsonl [--share]`: registers (and shares) one model per line of a
//! JSON-lines file, a few requests at a time, with a progress bar.
//!
//! Each line is an object with the fields `POST /{project}/v1/models` takes (`name` required);
//! other fields are ignored, except `source_architecture`, which stands in for a missing
//! `architecture` (the lines of `demo/models-real.jsonl` carry both). A line that fails (bad
//! JSON, no name, refused by the server) is reported as `line N: …` and the import goes on; only
//! an unreachable server or a rejected key stops it.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Map, Value, json};

use super::args::Output;
use super::client::{Client, ClientError};
use super::output::{note, out};

/// The request fields a line may carry; the rest are not sent (the server refuses unknown ones).
const MODEL_FIELDS: [&str; 16] = [
    "name",
    "version",
    "description",
    "architecture",
    "parameter_count",
    "active_parameter_count",
    "context_length",
    "license",
    "quantization",
    "format",
    "workload_type",
    "artifact_uri",
    "base_model",
    "base_model_relation",
    "base_model_name",
    "superseded_by",
];

/// What became of one line.
#[derive(Debug)]
enum LineOutcome {
    Registered { shared: bool },
    Failed(String),
}

/// The counts the summary prints.
#[derive(Debug, Default)]
struct Summary {
    registered: usize,
    shared: usize,
    /// (line number, message), in line order once the import is done.
    errors: Vec<(usize, String)>,
}

/// Runs `xeroctl models import`.
pub fn run(
    client: &Client,
    project: &str,
    path: &std::path::Path,
    share: bool,
    jobs: usize,
    output: Output,
) -> Result<(), ClientError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ClientError::Usage(format!("cannot read `{}`: {e}", path.display())))?;
    // Blank lines are skipped, but numbering follows the file so errors point at the right line.
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(index, line)| (index + 1, line))
        .collect();
    let bar = ProgressBar::new(lines.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} models {per_sec} ETA {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let queue = Mutex::new(lines.iter());
    let summary = Mutex::new(Summary::default());
    let unreachable: Mutex<Option<ClientError>> = Mutex::new(None);
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        for _ in 0..jobs.max(1) {
            scope.spawn(|| {
                while !stop.load(Ordering::SeqCst) {
                    let Some(&(number, line)) = lock(&queue).next() else {
                        break;
                    };
                    let outcome = match import_line(client, project, line, share) {
                        Ok(outcome) => outcome,
                        Err(error) => {
                            // Every other line would fail the same way.
                            stop.store(true, Ordering::SeqCst);
                            lock(&unreachable).get_or_insert(error);
                            break;
                        }
                    };
                    let mut summary = lock(&summary);
                    match outcome {
                        LineOutcome::Registered { shared, .. } => {
                            summary.registered += 1;
                            summary.shared += usize::from(shared);
                        }
                        LineOutcome::Failed(message) => {
                            bar.suspend(|| note!("line {number}: {message}"));
                            summary.errors.push((number, message));
                        }
                    }
                    bar.inc(1);
                }
            });
        }
    });
    bar.finish_and_clear();
    let mut summary = summary.into_inner().unwrap_or_else(|p| p.into_inner());
    summary.errors.sort();
    print_summary(&summary, share, output);
    if let Some(error) = unreachable.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(error);
    }
    match summary.errors.len() {
        0 => Ok(()),
        failed => Err(ClientError::Incomplete(format!(
            "{failed} of {} lines failed",
            lines.len()
        ))),
    }
}

/// Registers (and shares) the model of one line. A per-line failure is an outcome; only a
/// transport or configuration failure is an error.
fn import_line(
    client: &Client,
    project: &str,
    line: &str,
    share: bool,
) -> Result<LineOutcome, ClientError> {
    let body = match request_body(line) {
        Ok(body) => body,
        Err(message) => return Ok(LineOutcome::Failed(message)),
    };
    let base = format!("/{project}/v1/models");
    let registered = match client.send(reqwest::Method::POST, &base, Some(&body)) {
        Ok(model) => model,
        Err(error) if is_about_the_line(&error) => {
            return Ok(LineOutcome::Failed(error.to_string()));
        }
        Err(other) => return Err(other),
    };
    let id = registered["id"].as_str().unwrap_or_default().to_owned();
    if !share {
        return Ok(LineOutcome::Registered { shared: false });
    }
    match client.call(reqwest::Method::POST, &format!("{base}/{id}/share")) {
        Ok(_) => Ok(LineOutcome::Registered { shared: true }),
        Err(error) if is_about_the_line(&error) => Ok(LineOutcome::Failed(format!(
            "registered as {id} but not shared: {error}"
        ))),
        Err(other) => Err(other),
    }
}

/// A refusal of this line's model; a key the server rejects (401) or no server at all would
/// fail every line alike, so they stop the import instead.
fn is_about_the_line(error: &ClientError) -> bool {
    matches!(error, ClientError::Api { status, .. } if *status != 401)
}

/// The register request a line stands for, or why it has none.
fn request_body(line: &str) -> Result<Value, String> {
    let value: Value = serde_json::from_str(line).map_err(|e| format!("not valid JSON: {e}"))?;
    let Value::Object(object) = value else {
        return Err("not a JSON object".to_owned());
    };
    let mut body = Map::new();
    for field in MODEL_FIELDS {
        if let Some(value) = object.get(field).filter(|v| !v.is_null()) {
            body.insert(field.to_owned(), value.clone());
        }
    }
    if !body.contains_key("architecture")
        && let Some(class) = object.get("source_architecture").filter(|v| !v.is_null())
    {
        body.insert("architecture".to_owned(), class.clone());
    }
    match body.get("name") {
        Some(Value::String(name)) if !name.trim().is_empty() => Ok(Value::Object(body)),
        Some(Value::String(_)) | None => Err("`name` is missing".to_owned()),
        Some(_) => Err("`name` is not a string".to_owned()),
    }
}

fn print_summary(summary: &Summary, share: bool, output: Output) {
    if output == Output::Json {
        let errors: Vec<Value> = summary
            .errors
            .iter()
            .map(|(line, message)| json!({"line": line, "message": message}))
            .collect();
        let answer = json!({
            "registered": summary.registered,
            "shared": summary.shared,
            "failed": summary.errors.len(),
            "errors": errors,
        });
        out!(
            "{}",
            serde_json::to_string_pretty(&answer).unwrap_or_default()
        );
        return;
    }
    if share {
        out!(
            "registered {}, shared {}, failed {}",
            summary.registered,
            summary.shared,
            summary.errors.len()
        );
    } else {
        out!(
            "registered {}, failed {}",
            summary.registered,
            summary.errors.len()
        );
    }
}

/// A worker that panicked cannot leave the queue or the counts half-updated in a way that
/// matters here: each update is one step.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::request_body;
    use serde_json::json;

    #[test]
    fn a_line_keeps_the_request_fields_and_maps_the_source_architecture() {
        let line = r#"{"name": "Codestral-22B", "source_architecture": "MistralForCausalLM",
            "architecture": null, "parameter_count": 22000000000, "license": "other:mnpl",
            "quantization": null, "source": "xinference", "source_path": "llm_family.json"}"#;
        assert_eq!(
            request_body(line).unwrap(),
            json!({"name": "Codestral-22B", "architecture": "MistralForCausalLM",
                   "parameter_count": 22000000000u64, "license": "other:mnpl"})
        );
    }

    #[test]
    fn the_architecture_given_wins_over_the_source_class() {
        let line = r#"{"name": "m", "architecture": "mistral", "source_architecture": "X"}"#;
        assert_eq!(request_body(line).unwrap()["architecture"], "mistral");
    }

    #[test]
    fn lines_without_a_model_are_refused_with_a_reason() {
        for (line, reason) in [
            ("{not json", "not valid JSON"),
            ("[1, 2]", "not a JSON object"),
            (r#"{"license": "mit"}"#, "`name` is missing"),
            (r#"{"name": "  "}"#, "`name` is missing"),
            (r#"{"name": 7}"#, "`name` is not a string"),
        ] {
            let error = request_body(line).unwrap_err();
            assert!(error.starts_with(reason), "{line}: {error}");
        }
    }
}
