//! The detail page's repository parts: the Files table (path, size, sha256, download) and the
//! copy-ready "Use this model" box for `HF_ENDPOINT` clients.

use maud::{Markup, html};

use crate::catalog::repo::{RepoFile, Revision};

/// `1.5 GB` style sizes (decimal units, as download tools print them).
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// The Files section and the "Use this model" box of a shared model's repository.
pub fn repository(
    endpoint: &str,
    repo_id: &str,
    revision: &Revision,
    files: &[RepoFile],
) -> Markup {
    let total: u64 = files.iter().map(|f| f.size).sum();
    let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let tags = crate::catalog::gguf_choice::tags(&paths);
    let (insecure, host) = match endpoint.strip_prefix("http://") {
        Some(host) => (" --insecure", host),
        None => ("", endpoint.strip_prefix("https://").unwrap_or(endpoint)),
    };
    let python = format!(
        "import os\nos.environ[\"HF_ENDPOINT\"] = \"{endpoint}\"\nfrom huggingface_hub import snapshot_download\nsnapshot_download(\"{repo_id}\")"
    );
    html! {
        section.use-model aria-labelledby="use-model" {
            h2 #use-model { "Use this model" }
            p.muted { "Any tool that speaks the Hugging Face Hub protocol downloads it from here: " code { "huggingface_hub" } ", " code { "transformers" } ", vLLM, llama.cpp." }
            pre { code { "HF_ENDPOINT=" (endpoint) " hf download " (repo_id) } }
            pre { code { (python) } }
            p.muted { "Its project publishes new files with the same tools, with a write key of the project as the token (" code { "hf auth login" } " or " code { "HF_TOKEN" } "):" }
            pre { code { "HF_ENDPOINT=" (endpoint) " HF_HUB_DISABLE_XET=1 hf upload " (repo_id) " ./folder" } }
            @if !tags.is_empty() {
                p.muted { "Run a quantization with Ollama or llama.cpp (" (tags.join(", ")) "):" }
                @for tag in &tags {
                    pre { code { "ollama pull" (insecure) " " (host) "/" (repo_id) ":" (tag) } }
                    pre { code { "MODEL_ENDPOINT=" (endpoint) "/ llama-server -hf " (repo_id) ":" (tag) } }
                }
            }
        }
        section.files aria-labelledby="files" {
            h2 #files { "Files" }
            p.muted {
                (files.len()) " files, " (human_size(total)) " · revision " code { (&revision.id[..12.min(revision.id.len())]) }
            }
            div.table-scroll {
                table {
                    thead { tr { th { "Path" } th.num { "Size" } th { "SHA-256" } th { span.visually-hidden { "Download" } } } }
                    tbody {
                        @for file in files {
                            tr {
                                td { code { (file.path) } }
                                td.num title=(format!("{} bytes", file.size)) { (human_size(file.size)) }
                                td { code title=(file.sha256) { (&file.sha256[..12.min(file.sha256.len())]) "…" } }
                                td { a href=(format!("/{repo_id}/resolve/{}/{}", revision.id, file.path)) download { "Download" } }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::human_size;

    #[test]
    fn sizes_read_like_download_tools() {
        assert_eq!(human_size(999), "999 B");
        assert_eq!(human_size(1_500), "1.5 kB");
        assert_eq!(human_size(4_700_000_000), "4.7 GB");
    }
}
