//! Air-gapped operations (issue 15) with the real binary: keygen, export from one running server,
//! import into another (catalogs and file bytes equal), the standard `minisign -V` on our
//! signature, every refusal with the check it names, idempotence, `--dry-run`, imports killed by
//! SIGKILL at random points (20, or `XERO_BUNDLE_KILLS`), and backup/restore of a running install.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use reqwest::StatusCode;
use serde_json::{Value, json};
use tempfile::TempDir;
use xeroctl::config::Settings;
use xeroctl::web::server::Application;

use crate::cli::{BIN, stderr, stdout};
use crate::helpers::{TestApp, spawn_app};

fn admin(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("admin")
        .arg("--data")
        .arg(data_dir)
        .args(args)
        .env_remove("XERO_ASSUME_FREE_BYTES")
        .output()
        .unwrap()
}

fn succeeded(output: &Output) -> &Output {
    assert!(
        output.status.success(),
        "stdout: {}\nstderr: {}",
        stdout(output),
        stderr(output)
    );
    output
}

fn keygen(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let stem = dir.join(name);
    succeeded(
        &Command::new(BIN)
            .args(["admin", "keygen", "-o"])
            .arg(&stem)
            .output()
            .unwrap(),
    );
    (stem.with_extension("key"), stem.with_extension("pub"))
}

async fn upload_artifact(app: &TestApp, id: &str, bytes: Vec<u8>) {
    let response = app
        .client
        .put(format!("{}/{id}/artifact", app.models_url()))
        .bearer_auth(&app.api_key)
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

async fn upload_repository(app: &TestApp, id: &str, files: &[(&str, Vec<u8>)]) {
    let mut listed = Vec::new();
    for (path, bytes) in files {
        let sha = crate::hub::sha256(bytes);
        let response = app
            .client
            .put(format!("{}/{}/v1/blobs/{sha}", app.address, app.project_id))
            .bearer_auth(&app.api_key)
            .body(bytes.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        listed.push(json!({"path": path, "sha256": sha, "size": bytes.len()}));
    }
    let response = app
        .client
        .post(format!("{}/{id}/revisions", app.models_url()))
        .bearer_auth(&app.api_key)
        .json(&json!({"message": "weights", "files": listed}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
}

async fn catalog(app: &TestApp) -> Value {
    xeroctl::ops::indexing::index_sync::sync_index(&app.services)
        .await
        .unwrap();
    app.client
        .get(format!("{}/v1/catalog/models?per_page=100", app.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn bytes_of(app: &TestApp, url: &str) -> Vec<u8> {
    let response = app
        .client
        .get(url)
        .bearer_auth(&app.api_key)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{url}");
    response.bytes().await.unwrap().to_vec()
}

/// Pseudo-random bytes that compress badly, deterministic from the seed.
fn noise(seed: u8, length: usize) -> Vec<u8> {
    let mut state = 0x9e37_79b9_7f4a_7c15u64 ^ u64::from(seed);
    (0..length)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

/// A source server with three models: a shared one with an uploaded file, a shared one with a
/// two-file repository, and an unshared one.
struct Source {
    app: TestApp,
    artifact_model: String,
    artifact: Vec<u8>,
    repo_files: Vec<(&'static str, Vec<u8>)>,
    keys: TempDir,
    secret: PathBuf,
    public: PathBuf,
}

async fn source() -> Source {
    let app = spawn_app().await;
    let artifact_model = app.register_sample("Bundle-Artifact-7B").await;
    let artifact = noise(1, 300_000);
    upload_artifact(&app, &artifact_model, artifact.clone()).await;
    app.share(&artifact_model).await;
    let repo_model = app.register_sample("Bundle-Repo-Coder-1.5B").await;
    let repo_files = vec![
        ("config.json", br#"{"model_type": "llama"}"#.to_vec()),
        ("model.safetensors", noise(2, 200_000)),
    ];
    upload_repository(&app, &repo_model, &repo_files).await;
    app.share(&repo_model).await;
    app.register_sample("Bundle-Private-3B").await;
    let keys = tempfile::tempdir().unwrap();
    let (secret, public) = keygen(keys.path(), "signer");
    Source {
        app,
        artifact_model,
        artifact,
        repo_files,
        keys,
        secret,
        public,
    }
}

impl Source {
    fn export(&self, extra: &[&str]) -> PathBuf {
        let bundle = self
            .keys
            .path()
            .join(format!("bundle-{}.tar", uuid::Uuid::new_v4()));
        let mut args = vec!["export", "-o", bundle.to_str().unwrap()];
        args.extend(["--sign", self.secret.to_str().unwrap()]);
        args.extend(extra);
        succeeded(&admin(self.app.data_dir.path(), &args));
        bundle
    }
}

fn import(data_dir: &Path, bundle: &Path, public: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "import",
        bundle.to_str().unwrap(),
        "--trust",
        public.to_str().unwrap(),
    ];
    args.extend(extra);
    admin(data_dir, &args)
}

/// The catalog as JSON with one project id put in for another (the target's project).
fn with_project(catalog: &Value, from: &str, to: &str) -> Value {
    serde_json::from_str(&catalog.to_string().replace(from, to)).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bundle_carries_the_catalog_and_the_bytes_between_two_servers() {
    // Arrange
    let source = source().await;
    let target = spawn_app().await;
    // Act: export while the source serves, import while the target serves.
    let bundle = source.export(&["--with-files"]);
    let first = succeeded(&import(
        target.data_dir.path(),
        &bundle,
        &source.public,
        &["--project", &target.project_id],
    ))
    .clone();
    // Assert
    assert_eq!(
        stdout(&first).matches(": added").count(),
        3,
        "{}",
        stdout(&first)
    );
    let expected = with_project(
        &catalog(&source.app).await,
        &source.app.project_id,
        &target.project_id,
    );
    assert_eq!(catalog(&target).await, expected, "the same catalog");
    assert_eq!(expected["total"], 2, "the two shared models");
    let artifact_url =
        |app: &TestApp| format!("{}/{}/artifact", app.models_url(), source.artifact_model);
    assert_eq!(
        bytes_of(&target, &artifact_url(&target)).await,
        source.artifact
    );
    for (path, bytes) in &source.repo_files {
        let url = |app: &TestApp| {
            format!(
                "{}/myproject/bundle-repo-coder-1.5b/resolve/main/{path}",
                app.address
            )
        };
        assert_eq!(&bytes_of(&target, &url(&target)).await, bytes, "{path}");
        assert_eq!(&bytes_of(&source.app, &url(&source.app)).await, bytes);
    }
    let unshared: Value = target
        .client
        .get(target.models_url())
        .bearer_auth(&target.api_key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        unshared.to_string().contains("Bundle-Private-3B"),
        "the unshared model came along, still unshared"
    );

    // A second import of the same bundle changes nothing and says so.
    let second = succeeded(&import(
        target.data_dir.path(),
        &bundle,
        &source.public,
        &["--project", &target.project_id],
    ))
    .clone();
    assert_eq!(
        stdout(&second).matches("skipped: unchanged").count(),
        3,
        "{}",
        stdout(&second)
    );
    assert!(stderr(&second).contains("0 added, 0 updated, 3 skipped (3 unchanged)"));
    assert_eq!(catalog(&target).await, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_standard_minisign_tool_verifies_the_manifest_signature() {
    let source = source().await;
    let bundle = source.export(&["--shared-only"]);
    let out = tempfile::tempdir().unwrap();
    let extracted = Command::new("tar")
        .arg("-xf")
        .arg(&bundle)
        .arg("-C")
        .arg(out.path())
        .args(["manifest.json", "manifest.json.minisig"])
        .output()
        .unwrap();
    assert!(extracted.status.success(), "{}", stderr(&extracted));
    // scripts/test.sh installs Debian's minisign; a missing tool is a failure, not a skip.
    let verified = Command::new("minisign")
        .arg("-Vm")
        .arg(out.path().join("manifest.json"))
        .arg("-p")
        .arg(&source.public)
        .output()
        .expect("the minisign tool (Debian package `minisign`) is installed");
    assert!(verified.status.success(), "{}", stderr(&verified));
    assert!(stdout(&verified).contains("xeroctl bundle format 1: 2 models"));
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(out.path().join("manifest.json")).unwrap()).unwrap();
    assert_eq!(
        manifest["models"].as_array().unwrap().len(),
        2,
        "shared only"
    );
    assert_eq!(manifest["with_files"], false);
}

/// A fresh data directory with one project and nothing else.
fn empty_install() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    succeeded(&admin(
        dir.path(),
        &["create-project", "--slug", "landing", "--name", "Landing"],
    ));
    dir
}

fn model_count(data_dir: &Path) -> i64 {
    let connection = rusqlite::Connection::open(data_dir.join("xero.db")).unwrap();
    connection
        .query_row("SELECT count(*) FROM models", [], |r| r.get(0))
        .unwrap()
}

fn blob_count(data_dir: &Path) -> usize {
    walk(&data_dir.join("blobs/sha256")) + walk(&data_dir.join("tmp"))
}

fn walk(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .flatten()
            .map(|e| {
                if e.path().is_dir() {
                    walk(&e.path())
                } else {
                    1
                }
            })
            .sum()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_reports_the_same_and_writes_nothing() {
    let source = source().await;
    let bundle = source.export(&["--with-files"]);
    let target = empty_install();
    let dry = succeeded(&import(
        target.path(),
        &bundle,
        &source.public,
        &["--dry-run"],
    ))
    .clone();
    assert!(
        stdout(&dry).contains(&format!(
            "would be created project {}",
            source.app.project_id
        )),
        "{}",
        stdout(&dry)
    );
    assert_eq!(stdout(&dry).matches("would be added").count(), 3);
    assert!(stderr(&dry).contains("dry run, nothing written"));
    assert_eq!(model_count(target.path()), 0);
    assert_eq!(
        blob_count(target.path()),
        0,
        "no blob placed or left staged"
    );
    // Without --project the bundle's project is created, with its id.
    let real = succeeded(&import(target.path(), &bundle, &source.public, &[])).clone();
    assert!(stdout(&real).contains(&format!("created project {}", source.app.project_id)));
    assert_eq!(model_count(target.path()), 3);
}

/// Edits one entry's bytes, or drops the entry (`None`).
type EntryChange<'a> = dyn FnMut(&str, Vec<u8>) -> Option<Vec<u8>> + 'a;

/// One refusal case: description, bundle, trusted key, environment, expected message.
type Refusal<'a> = (
    &'a str,
    &'a Path,
    &'a Path,
    Vec<(&'a str, &'a str)>,
    &'a str,
);

/// Rewrites a bundle entry by entry; `change` may edit an entry's bytes or drop it (`None`).
fn rewrite(bundle: &Path, output: &Path, mut change: impl FnMut(&str, Vec<u8>) -> Option<Vec<u8>>) {
    let mut archive = tar::Archive::new(std::fs::File::open(bundle).unwrap());
    let mut builder = tar::Builder::new(std::fs::File::create(output).unwrap());
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().to_string_lossy().into_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        if let Some(bytes) = change(&name, bytes) {
            let mut header = tar::Header::new_gnu();
            header.set_size(bytes.len() as u64);
            header.set_mode(0o644);
            builder.append_data(&mut header, &name, &bytes[..]).unwrap();
        }
    }
    builder.finish().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_refusal_names_the_check_that_failed_and_writes_nothing() {
    // Arrange
    let source = source().await;
    let bundle = source.export(&["--with-files"]);
    let dir = source.keys.path();
    let (_, other_public) = keygen(dir, "stranger");
    let signer = xeroctl::ops::admin::bundle::signing::SigningKey::load(&source.secret).unwrap();
    let variant = |name: &str, change: &mut EntryChange<'_>| {
        let path = dir.join(name);
        rewrite(&bundle, &path, change);
        path
    };
    let tampered = variant("tampered.tar", &mut |name, bytes| {
        Some(if name == "manifest.json" {
            String::from_utf8(bytes)
                .unwrap()
                .replacen("Bundle-Private-3B", "Bundle-Private-4B", 1)
                .into_bytes()
        } else {
            bytes
        })
    });
    let flipped = variant("flipped.tar", &mut |name, mut bytes| {
        if name.starts_with("blobs/") {
            let middle = bytes.len() / 2;
            bytes[middle] ^= 1;
        }
        Some(bytes)
    });
    let unsigned = variant("unsigned.tar", &mut |name, bytes| {
        (name != "manifest.json.minisig").then_some(bytes)
    });
    let mut newer_manifest = Vec::new();
    let newer = variant("newer.tar", &mut |name, bytes| match name {
        "manifest.json" => {
            let mut manifest: Value = serde_json::from_slice(&bytes).unwrap();
            manifest["format_version"] = json!(2);
            newer_manifest = serde_json::to_vec(&manifest).unwrap();
            Some(newer_manifest.clone())
        }
        "manifest.json.minisig" => {
            Some(signer.sign(&newer_manifest, "newer").unwrap().into_bytes())
        }
        _ => Some(bytes),
    });
    let full = std::fs::read(&bundle).unwrap();
    let truncated = dir.join("truncated.tar");
    std::fs::write(&truncated, &full[..full.len() - 150_000]).unwrap();
    let header_only = dir.join("header-only.tar");
    // The manifest and its signature, then nothing: every file is missing.
    let manifest_entries = {
        let mut archive = tar::Archive::new(&full[..]);
        let mut end = 0;
        for entry in archive.entries().unwrap().take(2) {
            let entry = entry.unwrap();
            end = entry.raw_file_position() + entry.size().div_ceil(512) * 512;
        }
        end as usize
    };
    std::fs::write(&header_only, &full[..manifest_entries]).unwrap();
    let cases: Vec<Refusal<'_>> = vec![
        (
            "wrong key",
            &bundle,
            &other_public,
            vec![],
            "signature check failed: the bundle is signed by key",
        ),
        (
            "missing signature",
            &unsigned,
            &source.public,
            vec![],
            "the bundle carries no signature",
        ),
        (
            "tampered manifest",
            &tampered,
            &source.public,
            vec![],
            "the manifest does not match its signature",
        ),
        (
            "flipped blob byte",
            &flipped,
            &source.public,
            vec![],
            "does not match its digest",
        ),
        (
            "cut inside a blob",
            &truncated,
            &source.public,
            vec![],
            "the archive is truncated",
        ),
        (
            "cut after the manifest",
            &header_only,
            &source.public,
            vec![],
            "the archive is truncated: 3 of the manifest's 3 files are missing",
        ),
        (
            "newer format",
            &newer,
            &source.public,
            vec![],
            "format version 2, newer than this xeroctl reads (1)",
        ),
        (
            "not enough disk",
            &bundle,
            &source.public,
            vec![("XERO_ASSUME_FREE_BYTES", "1000")],
            "not enough free disk space",
        ),
    ];
    for (description, file, key, env, expected) in cases {
        let target = empty_install();
        // Act
        let output = Command::new(BIN)
            .arg("admin")
            .arg("--data")
            .arg(target.path())
            .arg("import")
            .arg(file)
            .arg("--trust")
            .arg(key)
            .envs(env)
            .output()
            .unwrap();
        // Assert
        assert_eq!(
            output.status.code(),
            Some(1),
            "{description}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(expected),
            "{description}: {}",
            stderr(&output)
        );
        assert_eq!(stdout(&output), "", "{description}: no report");
        assert_eq!(
            model_count(target.path()),
            0,
            "{description}: nothing imported"
        );
        assert_eq!(blob_count(target.path()), 0, "{description}: no blob kept");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_killed_at_random_points_leaves_nothing_or_everything() {
    // Arrange: many models and a larger file, so kills land in every phase.
    let source = source().await;
    succeeded(&admin(
        source.app.data_dir.path(),
        &["generate", "--models", "300", "--projects", "1"],
    ));
    let bundle = source.export(&["--with-files"]);
    let expected_models = 303;
    let reference = empty_install();
    let started = std::time::Instant::now();
    succeeded(&import(reference.path(), &bundle, &source.public, &[]));
    let full_run = started.elapsed();
    assert_eq!(model_count(reference.path()), expected_models);
    let kills: u32 = std::env::var("XERO_BUNDLE_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let mut outcomes = (0, 0);
    for round in 0..kills {
        let target = empty_install();
        // Act: kill somewhere between the start and a little after a full run would end.
        let delay = full_run.mul_f64(rand::random::<f64>() * 1.2);
        let mut child = Command::new(BIN)
            .arg("admin")
            .arg("--data")
            .arg(target.path())
            .arg("import")
            .arg(&bundle)
            .arg("--trust")
            .arg(&source.public)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        // SIGKILL: no destructor runs, no temporary file is removed.
        let _ = child.kill();
        let _ = child.wait();
        // Assert
        let state = import_state(target.path());
        match state.models {
            0 => outcomes.0 += 1,
            n if n == expected_models => outcomes.1 += 1,
            n => panic!("round {round} (after {delay:?}): {n} of {expected_models} models"),
        }
        assert!(
            state.missing_blobs.is_empty(),
            "round {round}: rows name missing blobs {:?}",
            state.missing_blobs
        );
        // The interrupted import can be run again and completes.
        succeeded(&import(target.path(), &bundle, &source.public, &[]));
        assert_eq!(import_state(target.path()).models, expected_models);
    }
    eprintln!(
        "{kills} killed imports: {} left nothing, {} were complete",
        outcomes.0, outcomes.1
    );
}

struct ImportState {
    models: i64,
    missing_blobs: Vec<String>,
}

fn import_state(data_dir: &Path) -> ImportState {
    let connection = rusqlite::Connection::open(data_dir.join("xero.db")).unwrap();
    let models = connection
        .query_row("SELECT count(*) FROM models", [], |r| r.get(0))
        .unwrap();
    let mut statement = connection
        .prepare(
            "SELECT sha256 FROM revision_files UNION SELECT artifact_sha256 FROM models WHERE artifact_sha256 IS NOT NULL",
        )
        .unwrap();
    let missing_blobs = statement
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(Result::unwrap)
        .filter(|sha| {
            !data_dir
                .join("blobs/sha256")
                .join(&sha[..2])
                .join(sha)
                .is_file()
        })
        .collect();
    ImportState {
        models,
        missing_blobs,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_of_a_running_server_restores_to_the_same_catalog() {
    let source = source().await;
    let backup = source.keys.path().join("backup.tar");
    succeeded(&admin(
        source.app.data_dir.path(),
        &["backup", "-o", backup.to_str().unwrap()],
    ));
    let refused = admin(
        source.app.data_dir.path(),
        &["restore", backup.to_str().unwrap()],
    );
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("is not empty"),
        "{}",
        stderr(&refused)
    );

    let restored_dir = tempfile::tempdir().unwrap();
    let restored_path = restored_dir.path().join("restored");
    succeeded(&admin(
        &restored_path,
        &["restore", backup.to_str().unwrap()],
    ));
    assert!(
        !restored_path.join("index").exists(),
        "no index in a backup"
    );
    let app = Application::build(Settings::for_tests(restored_path.clone()))
        .await
        .expect("a restored install serves");
    let restored = TestApp {
        address: format!("http://127.0.0.1:{}", app.port()),
        client: reqwest::Client::new(),
        project_id: source.app.project_id.clone(),
        api_key: source.app.api_key.clone(),
        services: app.services().clone(),
        data_dir: restored_dir,
    };
    tokio::spawn(app.run_until_stopped());
    // The restored install has no index: it listens at once and rebuilds in the background.
    crate::helpers::wait_until_ready(&restored.client, &restored.address).await;
    assert_eq!(catalog(&restored).await, catalog(&source.app).await);
    let url = |app: &TestApp| format!("{}/{}/artifact", app.models_url(), source.artifact_model);
    assert_eq!(bytes_of(&restored, &url(&restored)).await, source.artifact);
}

/// A revision id no install has made.
fn rand_revision() -> u128 {
    uuid::Uuid::new_v4().as_u128()
}

/// Hardening 3, fault 1: a files-less bundle names digests only. Signed by a trusted key, it must
/// still not turn another project's private file into one of the importing project's files.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_files_less_bundle_cannot_reach_another_projects_private_file() {
    // Arrange: project A holds a private repository file; B is another project of this install.
    let source = source().await;
    let secret_model = source.app.register_sample("Secret-Weights-7B").await;
    let secret = noise(9, 150_000);
    upload_repository(
        &source.app,
        &secret_model,
        &[("model.safetensors", secret.clone())],
    )
    .await;
    let attacker = source.app.other_project("attacker").await;
    let bundle = source.export(&[]);
    let signer = xeroctl::ops::admin::bundle::signing::SigningKey::load(&source.secret).unwrap();
    let forged_id = uuid::Uuid::new_v4().to_string();
    let forged = source.keys.path().join("forged.tar");
    let mut manifest = Vec::new();
    rewrite(&bundle, &forged, |name, bytes| match name {
        "manifest.json" => {
            let mut parsed: Value = serde_json::from_slice(&bytes).unwrap();
            for model in parsed["models"].as_array_mut().unwrap() {
                if model["id"] == secret_model.as_str() {
                    model["id"] = json!(forged_id);
                    for revision in model["revisions"].as_array_mut().unwrap() {
                        revision["id"] = json!(format!("{:040x}", rand_revision()));
                        revision["parent"] = Value::Null;
                    }
                }
            }
            manifest = serde_json::to_vec(&parsed).unwrap();
            Some(manifest.clone())
        }
        "manifest.json.minisig" => Some(signer.sign(&manifest, "forged").unwrap().into_bytes()),
        _ => Some(bytes),
    });
    let models_before = model_count(source.app.data_dir.path());

    // Act
    let output = succeeded(&import(
        source.app.data_dir.path(),
        &forged,
        &source.public,
        &["--project", &attacker.project_id],
    ))
    .clone();

    // Assert: skipped with the reason, nothing added, the bytes unreachable through B.
    assert!(
        stdout(&output).contains(&format!("held by project `{}` here", attacker.project_id)),
        "{}",
        stdout(&output)
    );
    assert_eq!(model_count(source.app.data_dir.path()), models_before);
    let through_b = source
        .app
        .client
        .get(format!(
            "{}/{}/v1/models/{forged_id}/files/model.safetensors",
            source.app.address, attacker.project_id
        ))
        .bearer_auth(&attacker.api_key)
        .send()
        .await
        .unwrap();
    assert_eq!(through_b.status(), StatusCode::NOT_FOUND);
    // The owner still reads its own file.
    let own = bytes_of(
        &source.app,
        &format!(
            "{}/{secret_model}/files/model.safetensors",
            source.app.models_url()
        ),
    )
    .await;
    assert_eq!(own, secret);
}

/// RELIABILITY T48 beside fault 1: a REST commit naming a digest only another project holds is
/// refused, and the file is never served through the committing project.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commit_cannot_name_another_projects_blob() {
    let app = spawn_app().await;
    let private = app.register_sample("Private-Holder-7B").await;
    let secret = noise(11, 50_000);
    upload_repository(&app, &private, &[("model.safetensors", secret.clone())]).await;
    let other = app.other_project("prober").await;
    let created: Value = app
        .client
        .post(format!("{}/{}/v1/models", app.address, other.project_id))
        .bearer_auth(&other.api_key)
        .json(&crate::helpers::sample_model("Prober-7B"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let prober = created["id"].as_str().unwrap();
    let commit = app
        .client
        .post(format!(
            "{}/{}/v1/models/{prober}/revisions",
            app.address, other.project_id
        ))
        .bearer_auth(&other.api_key)
        .json(&json!({"message": "borrow", "files": [{
            "path": "model.safetensors",
            "sha256": crate::hub::sha256(&secret),
            "size": secret.len(),
        }]}))
        .send()
        .await
        .unwrap();
    let message =
        crate::helpers::assert_error(commit, StatusCode::BAD_REQUEST, "invalid_request").await;
    assert!(message.contains("was never sent"), "{message}");
}

/// Hardening 3, fault 7: many models of one name get distinct slugs without numbering
/// quadratically (XERO_BUNDLE_SAME_SLUG models, 20 000 by default; 50 000 took over 120 s
/// before), and a revision listed twice is refused with a message naming it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bundle_of_many_models_of_one_name_imports_and_duplicate_revisions_are_named() {
    let count: usize = std::env::var("XERO_BUNDLE_SAME_SLUG")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let source = source().await;
    let bundle = source.export(&[]);
    let signer = xeroctl::ops::admin::bundle::signing::SigningKey::load(&source.secret).unwrap();
    let forge = |name: &str, edit: &dyn Fn(&mut Value)| {
        let path = source.keys.path().join(name);
        let mut manifest = Vec::new();
        rewrite(&bundle, &path, |entry, bytes| match entry {
            "manifest.json" => {
                let mut parsed: Value = serde_json::from_slice(&bytes).unwrap();
                edit(&mut parsed);
                manifest = serde_json::to_vec(&parsed).unwrap();
                Some(manifest.clone())
            }
            "manifest.json.minisig" => Some(signer.sign(&manifest, name).unwrap().into_bytes()),
            _ => Some(bytes),
        });
        path
    };
    let many = forge("many.tar", &|manifest| {
        let models = manifest["models"].as_array_mut().unwrap();
        let mut template = models
            .iter()
            .find(|m| m["name"] == "Bundle-Private-3B")
            .unwrap()
            .clone();
        template["revisions"] = json!([]);
        *models = (0..count)
            .map(|_| {
                let mut model = template.clone();
                model["id"] = json!(uuid::Uuid::new_v4().to_string());
                model
            })
            .collect();
    });
    let twice = forge("twice.tar", &|manifest| {
        let models = manifest["models"].as_array_mut().unwrap();
        let repo = models
            .iter()
            .position(|m| m["name"] == "Bundle-Repo-Coder-1.5B")
            .unwrap();
        let mut copy = models[repo].clone();
        copy["id"] = json!(uuid::Uuid::new_v4().to_string());
        models.push(copy);
    });

    // Act
    let target = empty_install();
    let imported = succeeded(&import(target.path(), &many, &source.public, &[])).clone();
    let refused = import(target.path(), &twice, &source.public, &[]);

    // Assert
    assert!(
        stderr(&imported).contains(&format!("{count} added")),
        "{}",
        stderr(&imported)
    );
    let connection = rusqlite::Connection::open(target.path().join("xero.db")).unwrap();
    let slugs: i64 = connection
        .query_row("SELECT count(DISTINCT slug) FROM models", [], |r| r.get(0))
        .unwrap();
    assert_eq!(slugs as usize, count);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("is listed twice (in model"),
        "{}",
        stderr(&refused)
    );
    assert!(!stderr(&refused).contains("UNIQUE"), "{}", stderr(&refused));
}
