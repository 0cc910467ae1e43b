//! `xeroctl models upload DIR|FILE…` for repositories, and `xeroctl models files`. Each file is
//! hashed here, skipped when the project already has its bytes (a resumed upload sends only
//! what is missing), sent as a blob, then one commit makes the revision. One progress bar over
//! the total bytes, one line per file.

use std::io::Read;
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::args::Output;
use super::client::{Client, ClientError, Uploader};
use super::output::{note, out};
use crate::catalog::repo::parse_path;

/// Folders an upload never takes: VCS data and client caches.
const SKIPPED_DIRS: [&str; 3] = [".git", ".cache", ".huggingface"];

/// A file to send: its repository path, where to read it, its size.
pub struct LocalFile {
    pub path: String,
    pub source: PathBuf,
    pub size: u64,
}

fn usage(message: String) -> ClientError {
    ClientError::Usage(message)
}

fn collect(paths: &[PathBuf]) -> Result<(Vec<LocalFile>, bool), ClientError> {
    let mut files = Vec::new();
    let folder = matches!(paths, [only] if only.is_dir());
    for path in paths {
        if path.is_dir() {
            walk(path, path, &mut files)?;
        } else {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .ok_or_else(|| usage(format!("`{}` is not a file", path.display())))?;
            let size = std::fs::metadata(path)
                .map_err(|e| usage(format!("cannot read `{}`: {e}", path.display())))?
                .len();
            files.push(LocalFile {
                path: name,
                source: path.clone(),
                size,
            });
        }
    }
    for file in &files {
        parse_path(&file.path).map_err(|e| usage(e.to_string()))?;
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    if files.windows(2).any(|w| w[0].path == w[1].path) {
        return Err(usage(
            "two files would have the same path in the repository".to_owned(),
        ));
    }
    if files.is_empty() {
        return Err(usage("nothing to upload: no files found".to_owned()));
    }
    Ok((files, folder))
}

fn walk(root: &Path, dir: &Path, files: &mut Vec<LocalFile>) -> Result<(), ClientError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| usage(format!("cannot read `{}`: {e}", dir.display())))?;
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let kind = entry
            .file_type()
            .map_err(|e| usage(format!("cannot read `{}`: {e}", path.display())))?;
        if kind.is_dir() {
            if !SKIPPED_DIRS.contains(&name.as_str()) {
                walk(root, &path, files)?;
            }
            continue;
        }
        // A link must stay inside the folder being uploaded.
        let real = std::fs::canonicalize(&path)
            .map_err(|e| usage(format!("cannot read `{}`: {e}", path.display())))?;
        let real_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_owned());
        if !real.starts_with(&real_root) {
            return Err(usage(format!(
                "`{}` links outside the folder; refusing it",
                path.display()
            )));
        }
        if name.ends_with(".incomplete") || name.ends_with(".lock") {
            continue;
        }
        let relative = path
            .strip_prefix(root)
            .map(|p| {
                p.components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/")
            })
            .unwrap_or(name);
        let size = std::fs::metadata(&real).map(|m| m.len()).unwrap_or(0);
        files.push(LocalFile {
            path: relative,
            source: real,
            size,
        });
    }
    Ok(())
}

fn sha256_of(path: &Path) -> Result<String, ClientError> {
    let mut file = std::fs::File::open(path)
        .map_err(|e| usage(format!("cannot read `{}`: {e}", path.display())))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let n = file
            .read(&mut buffer)
            .map_err(|e| usage(format!("cannot read `{}`: {e}", path.display())))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// The sha256 an HF cache blob is named by (LFS files are stored under their digest), so its
/// bytes are read once, to send them; the server checks the digest.
fn named_digest(source: &Path) -> Option<String> {
    let name = source.file_name()?.to_str()?;
    (name.len() == 64
        && name
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
    .then(|| name.to_owned())
}

fn has_blob(client: &Client, project: &str, sha: &str) -> Result<bool, ClientError> {
    match client.call(reqwest::Method::GET, &format!("/{project}/v1/blobs/{sha}")) {
        Ok(_) => Ok(true),
        Err(ClientError::Api { status: 404, .. }) => Ok(false),
        Err(other) => Err(other),
    }
}

/// Uploads the files as one revision of the model (made here unless `model` names one).
pub fn run(
    client: &Client,
    project: &str,
    paths: &[PathBuf],
    name: Option<String>,
    model: Option<String>,
    share: bool,
    output: Output,
) -> Result<(), ClientError> {
    let (files, folder) = collect(paths)?;
    let base = format!("/{project}/v1/models");
    let id = match model {
        Some(id) => id,
        None => {
            let name = name.unwrap_or_else(|| {
                paths[0]
                    .canonicalize()
                    .ok()
                    .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                    .unwrap_or_else(|| "uploaded model".to_owned())
            });
            let created =
                client.send(reqwest::Method::POST, &base, Some(&json!({ "name": name })))?;
            created["id"].as_str().unwrap_or_default().to_owned()
        }
    };
    let answer = send_files(client, project, &id, &files, folder)?;
    let shared = if share {
        Some(client.call(reqwest::Method::POST, &format!("{base}/{id}/share"))?)
    } else {
        None
    };
    if output == Output::Json {
        out!("{answer}");
        return Ok(());
    }
    out!(
        "revision {} of {}: {} files, {} sent, {} already there",
        answer["revision"]["id"].as_str().unwrap_or_default(),
        answer["repo_id"].as_str().unwrap_or_default(),
        files.len(),
        answer["sent"],
        answer["skipped"]
    );
    print_use(client, &answer);
    if let Some(shared) = shared {
        out!("  {}", shared["message"].as_str().unwrap_or_default());
    }
    Ok(())
}

/// Files sent at the same time.
const PARALLEL_UPLOADS: usize = 4;

/// What happened to one file, with the digest it is stored under.
enum Sent {
    Sent(String),
    AlreadyThere(String),
}

impl Sent {
    fn sha(&self) -> &str {
        match self {
            Self::Sent(sha) | Self::AlreadyThere(sha) => sha,
        }
    }
}

/// Sends one file unless the project has its bytes.
fn send_one(
    client: &Client,
    uploader: &Uploader<'_>,
    project: &str,
    file: &LocalFile,
    bar: &ProgressBar,
) -> Result<Sent, ClientError> {
    let sha = match named_digest(&file.source) {
        Some(sha) => sha,
        None => sha256_of(&file.source)?,
    };
    if has_blob(client, project, &sha)? {
        bar.inc(file.size);
        bar.suspend(|| note!("  already there  {}  ({} bytes)", file.path, file.size));
        return Ok(Sent::AlreadyThere(sha));
    }
    let open = || {
        std::fs::File::open(&file.source)
            .map_err(|e| usage(format!("cannot read `{}`: {e}", file.source.display())))
    };
    let sent = uploader.put_file(
        &format!("/{project}/v1/blobs/{sha}"),
        &file.source,
        file.size,
        bar,
    );
    if let Err(error) = sent {
        // A cache blob named by a digest that is not its own: hash it and send again.
        let ClientError::Api { status: 400, .. } = error else {
            return Err(error);
        };
        let real = sha256_of(&file.source)?;
        if real == sha {
            return Err(error);
        }
        client.put_body(
            &format!("/{project}/v1/blobs/{real}"),
            reqwest::blocking::Body::sized(open()?, file.size),
        )?;
        bar.suspend(|| note!("  sent           {}  ({} bytes)", file.path, file.size));
        return Ok(Sent::Sent(real));
    }
    bar.suspend(|| note!("  sent           {}  ({} bytes)", file.path, file.size));
    Ok(Sent::Sent(sha))
}

/// Sends the files the project lacks, then commits them as one revision (exactly these files
/// when `replace_all`); answers the commit.
pub fn send_files(
    client: &Client,
    project: &str,
    id: &str,
    files: &[LocalFile],
    replace_all: bool,
) -> Result<Value, ClientError> {
    let base = format!("/{project}/v1/models");
    let total: u64 = files.iter().map(|f| f.size).sum();
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template(
            "{bar:40} {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    // Two files travel at once: the server hashes and writes each upload on its own thread,
    // so a folder of shards goes about twice as fast on two cores as one file after another.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let outcomes: Vec<Result<Vec<(usize, Sent)>, ClientError>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..PARALLEL_UPLOADS.min(files.len().max(1)))
            .map(|_| {
                scope.spawn(|| {
                    let uploader = client.uploader()?;
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        let Some(file) = files.get(i) else {
                            return Ok(done);
                        };
                        done.push((i, send_one(client, &uploader, project, file, &bar)?));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|_| Err(usage("an upload thread failed".to_owned())))
            })
            .collect()
    });
    let mut results: Vec<(usize, Sent)> = Vec::with_capacity(files.len());
    for outcome in outcomes {
        results.extend(outcome?);
    }
    results.sort_by_key(|(i, _)| *i);
    let (mut sent, mut skipped) = (0usize, 0usize);
    let listed: Vec<Value> = results
        .into_iter()
        .map(|(i, outcome)| {
            let file = &files[i];
            match &outcome {
                Sent::Sent(_) => sent += 1,
                Sent::AlreadyThere(_) => skipped += 1,
            }
            json!({ "path": file.path, "sha256": outcome.sha(), "size": file.size })
        })
        .collect();
    bar.finish_and_clear();
    let commit = json!({
        "message": format!("upload of {} files", files.len()),
        "files": listed,
        "replace_all": replace_all,
    });
    let mut answer = client.send(
        reqwest::Method::POST,
        &format!("{base}/{id}/revisions"),
        Some(&commit),
    )?;
    answer["sent"] = json!(sent);
    answer["skipped"] = json!(skipped);
    Ok(answer)
}

pub fn print_use(client: &Client, answer: &Value) {
    if let Some(repo) = answer["repo_id"].as_str() {
        out!(
            "  download with: HF_ENDPOINT={} hf download {repo}",
            client.base()
        );
        out!(
            "  push changes with: HF_ENDPOINT={} hf upload {repo} ./folder",
            client.base()
        );
    }
}

/// `xeroctl models files`.
pub fn files(
    client: &Client,
    project: &str,
    model: &str,
    revision: Option<&str>,
    output: Output,
) -> Result<(), ClientError> {
    let query = revision
        .map(|r| format!("?revision={r}"))
        .unwrap_or_default();
    let answer = client.call(
        reqwest::Method::GET,
        &format!("/{project}/v1/models/{model}/files{query}"),
    )?;
    if output == Output::Json {
        out!("{answer}");
        return Ok(());
    }
    match answer["revision"]["id"].as_str() {
        Some(id) => out!(
            "revision {id} of {}",
            answer["repo_id"].as_str().unwrap_or_default()
        ),
        None => {
            out!("no files yet: upload some with `xeroctl models upload DIR --model {model}`");
            return Ok(());
        }
    }
    let files = answer["files"].as_array().cloned().unwrap_or_default();
    let width = files
        .iter()
        .filter_map(|f| f["path"].as_str())
        .map(str::len)
        .max()
        .unwrap_or(4)
        .max(4);
    out!("{:width$}  {:>14}  SHA256", "PATH", "SIZE");
    for file in &files {
        out!(
            "{:width$}  {:>14}  {}",
            file["path"].as_str().unwrap_or_default(),
            file["size"].as_u64().unwrap_or(0),
            file["sha256"].as_str().unwrap_or_default()
        );
    }
    let paths: Vec<&str> = files.iter().filter_map(|f| f["path"].as_str()).collect();
    let tags = crate::catalog::gguf_choice::tags(&paths);
    if !tags.is_empty() {
        out!(
            "tags (ollama pull, llama-server -hf): latest, {}",
            tags.join(", ")
        );
    }
    print_use(client, &answer);
    Ok(())
}
