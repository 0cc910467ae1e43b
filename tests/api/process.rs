//! The real binary: admin commands, restart after SIGKILL, one server per data directory,
//! and no key material in the database or the logs.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_xeroctl");

fn admin(data: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("admin")
        .arg("--data")
        .arg(data)
        .args(args)
        .output()
        .expect("admin runs")
}

fn admin_ok(data: &Path, args: &[&str]) -> String {
    let output = admin(data, args);
    assert!(
        output.status.success(),
        "admin {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub(crate) struct Server {
    child: Child,
    pub(crate) base: String,
}

impl Server {
    fn start(data: &Path, port: u16, log: &Path) -> Server {
        start_with(data, port, log, &[])
    }

    pub(crate) async fn wait_ready(&mut self, client: &reqwest::Client) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            // Ready, not just live: the catalog is searched right after.
            if let Ok(r) = client.get(format!("{}/readyz", self.base)).send().await
                && r.status().is_success()
            {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("server exited early: {status}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("server did not become ready");
    }

    fn kill(mut self) {
        self.child.kill().unwrap(); // SIGKILL on Unix
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn a_share_survives_sigkill_and_restart() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("server.log");
    let project = admin_ok(
        &data,
        &[
            "create-project",
            "--slug",
            "myproject",
            "--name",
            "My project",
        ],
    );
    assert!(project.starts_with("proj_"), "{project}");
    let key = admin_ok(&data, &["create-key", "--project", &project]);
    assert!(key.starts_with("xero_myproject_"), "{key}");
    let client = reqwest::Client::new();
    let port = free_port();

    let mut server = Server::start(&data, port, &log);
    server.wait_ready(&client).await;
    let base = format!("{}/{project}/v1", server.base);
    let model: Value = client
        .post(format!("{base}/models"))
        .bearer_auth(&key)
        .json(&json!({"name": "durable"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = model["id"].as_str().unwrap().to_owned();
    let shared = client
        .post(format!("{base}/models/{id}/share"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(shared.status(), 200);
    server.kill();

    let mut server = Server::start(&data, port, &log);
    server.wait_ready(&client).await;
    let after: Value = client
        .get(format!("{base}/models/{id}"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(after["shared"], true, "acknowledged share survived SIGKILL");
    assert_eq!(after["name"], "durable");

    // RELIABILITY T34: a second server on the same data directory refuses to start.
    let second = Command::new(BIN)
        .args([
            "serve",
            "--bind",
            &format!("127.0.0.1:{}", free_port()),
            "--data",
        ])
        .arg(&data)
        .output()
        .unwrap();
    assert!(!second.status.success());
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(stderr.contains("already using data directory"), "{stderr}");
    let still: Value = client
        .get(format!("{base}/models/{id}"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(still["shared"], true, "first server unaffected");
    drop(server);

    // RELIABILITY T11: neither the database nor the debug log contains the key's secret.
    let secret = key.rsplit('_').next().unwrap();
    for file in std::fs::read_dir(&data).unwrap() {
        let bytes = std::fs::read(file.unwrap().path()).unwrap_or_default();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(secret),
            "secret found in the data directory"
        );
    }
    assert!(
        !std::fs::read_to_string(&log).unwrap().contains(secret),
        "secret found in the log"
    );
}

#[test]
fn admin_commands_print_ids_and_explain_errors() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let project = admin_ok(
        data,
        &["create-project", "--slug", "team-a", "--name", "Team A"],
    );
    let duplicate = admin(
        data,
        &["create-project", "--slug", "team-a", "--name", "Again"],
    );
    assert_eq!(duplicate.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&duplicate.stderr);
    assert!(
        stderr.starts_with("error: ") && stderr.contains("team-a"),
        "{stderr}"
    );
    let bad_slug = admin(
        data,
        &["create-project", "--slug", "Bad_Slug", "--name", "x"],
    );
    assert_eq!(bad_slug.status.code(), Some(1));
    let listing = admin_ok(data, &["list-projects"]);
    assert!(
        listing.contains(&project) && listing.contains("team-a"),
        "{listing}"
    );

    let key_output = admin(
        data,
        &["create-key", "--project", &project, "--scope", "read"],
    );
    let stderr = String::from_utf8_lossy(&key_output.stderr);
    let key_id = stderr.split_whitespace().nth(2).unwrap().to_owned();
    assert!(key_id.starts_with("key_"), "{stderr}");
    admin_ok(data, &["revoke-key", &key_id]);
    let keys = admin_ok(data, &["list-keys", "--project", &project]);
    assert!(keys.contains(&key_id) && keys.contains("revoked"), "{keys}");
    let unknown = admin(data, &["revoke-key", "key_nothere"]);
    assert_eq!(unknown.status.code(), Some(1));

    let mut child = Command::new(BIN)
        .args(["admin", "--data"])
        .arg(data)
        .args(["create-user", "alice", "--admin"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"correct horse battery\n")
        .unwrap();
    assert!(child.wait_with_output().unwrap().status.success());
    let owned = admin_ok(
        data,
        &[
            "create-project",
            "--slug",
            "alice-lab",
            "--name",
            "Lab",
            "--owner",
            "alice",
        ],
    );
    assert!(owned.starts_with("proj_"));
    let no_owner = admin(
        data,
        &[
            "create-project",
            "--slug",
            "bobs",
            "--name",
            "Bob",
            "--owner",
            "bob",
        ],
    );
    assert_eq!(no_owner.status.code(), Some(1));
}

/// RELIABILITY T17: the stored password hash is argon2id at OWASP's minimum.
#[test]
fn stored_password_hashes_are_argon2id() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(BIN)
        .args(["admin", "--data"])
        .arg(dir.path())
        .args(["create-user", "carol"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"a long enough password\n")
        .unwrap();
    assert!(child.wait().unwrap().success());
    let db = std::fs::read(dir.path().join("xero.db")).unwrap();
    let text = String::from_utf8_lossy(&db);
    assert!(
        text.contains("$argon2id$v=19$m=19456,t=2,p=1$"),
        "argon2id PHC string stored"
    );
    assert!(!text.contains("a long enough password"));
}

async fn catalog_total(client: &reqwest::Client, base: &str, q: &str) -> u64 {
    let answer: Value = client
        .get(format!("{base}/v1/catalog/models?q={q}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["total"].as_u64().unwrap()
}

pub(crate) fn start_with(data: &Path, port: u16, log: &Path, extra: &[&str]) -> Server {
    start_with_env(data, port, log, extra, &[])
}

fn start_with_env(
    data: &Path,
    port: u16,
    log: &Path,
    extra: &[&str],
    env: &[(&str, &str)],
) -> Server {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    let child = Command::new(BIN)
        .args(["serve", "--bind", &format!("127.0.0.1:{port}"), "--data"])
        .arg(data)
        .args(extra)
        .envs(env.iter().copied())
        .env("RUST_LOG", "debug")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("server starts");
    Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    }
}

/// Issue 3 crash case: SIGKILL between the SQLite commit of a share and the index commit (the
/// hidden `--no-index-sync` hook holds the index back); the restart replays the outbox.
#[tokio::test]
async fn a_share_killed_before_its_index_commit_is_searchable_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("server.log");
    let project = admin_ok(
        &data,
        &["create-project", "--slug", "crashy", "--name", "Crashy"],
    );
    let key = admin_ok(&data, &["create-key", "--project", &project]);
    let client = reqwest::Client::new();
    let port = free_port();

    let mut server = start_with(&data, port, &log, &["--no-index-sync"]);
    server.wait_ready(&client).await;
    let base = format!("{}/{project}/v1", server.base);
    let model: Value = client
        .post(format!("{base}/models"))
        .bearer_auth(&key)
        .json(&json!({"name": "Phoenix-7B"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = model["id"].as_str().unwrap().to_owned();
    assert_eq!(
        client
            .post(format!("{base}/models/{id}/share"))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        catalog_total(&client, &server.base, "phoenix").await,
        0,
        "the hook kept it out of the index"
    );
    server.kill();

    let mut server = Server::start(&data, port, &log);
    server.wait_ready(&client).await;
    assert_eq!(
        catalog_total(&client, &server.base, "phoenix").await,
        1,
        "replayed from the outbox at start-up"
    );
}

/// RELIABILITY T32: a missing or damaged index is rebuilt from SQLite at start-up, without a
/// panic or a crash loop; `admin reindex` refuses while a server runs.
#[tokio::test]
async fn a_missing_or_damaged_index_is_rebuilt_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("server.log");
    let project = admin_ok(
        &data,
        &["create-project", "--slug", "fragile", "--name", "Fragile"],
    );
    let key = admin_ok(&data, &["create-key", "--project", &project]);
    let client = reqwest::Client::new();
    let port = free_port();

    let mut server = Server::start(&data, port, &log);
    server.wait_ready(&client).await;
    let base = format!("{}/{project}/v1", server.base);
    for name in ["Kestrel-1B", "Kestrel-2B", "Kestrel-3B"] {
        let model: Value = client
            .post(format!("{base}/models"))
            .bearer_auth(&key)
            .json(&json!({"name": name}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        client
            .post(format!(
                "{base}/models/{}/share",
                model["id"].as_str().unwrap()
            ))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap();
    }
    assert_eq!(catalog_total(&client, &server.base, "kestrel").await, 3);
    let busy = admin(&data, &["reindex"]);
    assert_eq!(busy.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&busy.stderr).contains("already using data directory"));
    server.kill();

    let index = data.join("index");
    type Damage = fn(&Path);
    let damages: [(&str, Damage); 4] = [
        ("index directory deleted", |index| {
            std::fs::remove_dir_all(index).unwrap()
        }),
        ("meta.json deleted", |index| {
            std::fs::remove_file(index.join("meta.json")).unwrap()
        }),
        ("garbage in meta.json", |index| {
            std::fs::write(index.join("meta.json"), b"{not json").unwrap()
        }),
        ("a segment file deleted", |index| {
            let victim = std::fs::read_dir(index)
                .unwrap()
                .map(|e| e.unwrap().path())
                .find(|p| p.extension().is_some_and(|e| e == "idx" || e == "fast"))
                .expect("a segment file");
            std::fs::remove_file(victim).unwrap();
        }),
    ];
    for (description, damage) in damages {
        damage(&index);
        let mut server = Server::start(&data, port, &log);
        server.wait_ready(&client).await;
        assert_eq!(
            catalog_total(&client, &server.base, "kestrel").await,
            3,
            "{description}: rebuilt"
        );
        server.kill();
    }
    let reindex = admin(&data, &["reindex"]);
    assert!(
        reindex.status.success(),
        "{}",
        String::from_utf8_lossy(&reindex.stderr)
    );
    assert!(String::from_utf8_lossy(&reindex.stderr).contains("3 shared models"));
}

/// Issue 12: the server listens before its start-up rebuild; killed while the rebuild runs, it
/// leaves no half-built index behind (nothing is committed before the end), and the next start
/// rebuilds the whole catalog.
#[tokio::test]
async fn a_server_killed_during_its_rebuild_rebuilds_at_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("server.log");
    admin_ok(&data, &["generate", "--models", "25", "--projects", "1"]);
    let client = reqwest::Client::new();
    let port = free_port();

    // The pause holds the rebuild before its first batch for far longer than the test looks.
    let env = [("XERO_TEST_REBUILD_DELAY_MS", "60000")];
    let mut server = start_with_env(&data, port, &log, &[], &env);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        assert!(Instant::now() < deadline, "the rebuild was never reported");
        if let Ok(health) = client.get(format!("{}/healthz", server.base)).send().await {
            assert_eq!(health.status(), 200, "live while rebuilding");
            let ready = client
                .get(format!("{}/readyz", server.base))
                .send()
                .await
                .unwrap();
            assert_eq!(ready.status(), 503, "not ready while rebuilding");
            let body: Value = ready.json().await.unwrap();
            if body["status"] == "rebuilding" {
                assert_eq!(
                    body,
                    json!({"status": "rebuilding", "indexed": 0, "total": 25, "percent": 0})
                );
                break;
            }
        }
        if let Ok(Some(status)) = server.child.try_wait() {
            panic!("server exited early: {status}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server.kill();

    let mut server = Server::start(&data, port, &log);
    server.wait_ready(&client).await;
    let answer: Value = client
        .get(format!("{}/v1/catalog/models", server.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["total"], 25, "rebuilt in full at the next start");
}

/// `serve --demo` shares the real data set through the API code path.
#[tokio::test]
async fn the_demo_catalog_is_searchable() {
    let dir = tempfile::tempdir().unwrap();
    let client = reqwest::Client::new();
    let mut server = start_with(
        dir.path(),
        free_port(),
        &dir.path().join("log"),
        &["--demo"],
    );
    server.wait_ready(&client).await;
    let answer: Value = client
        .get(format!("{}/v1/catalog/models", server.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let lines = include_str!("../../demo/models-real.jsonl").lines().count() as u64;
    assert_eq!(answer["total"], lines);
    assert!(catalog_total(&client, &server.base, "qwen").await > 100);
}

#[tokio::test]
async fn an_upload_cut_by_sigkill_leaves_nothing_after_restart() {
    use tokio::io::AsyncWriteExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("server.log");
    let project = admin_ok(
        &data,
        &["create-project", "--slug", "killed", "--name", "Killed"],
    );
    let key = admin_ok(&data, &["create-key", "--project", &project]);
    let client = reqwest::Client::new();
    let port = free_port();
    let mut server = Server::start(&data, port, &log);
    server.wait_ready(&client).await;
    let model: Value = client
        .post(format!("{}/{project}/v1/models", server.base))
        .bearer_auth(&key)
        .json(&json!({"name": "half"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = model["id"].as_str().unwrap().to_owned();
    // T25: half of the declared body arrives, then the server dies mid-stream.
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let head = format!(
        "PUT /{project}/v1/models/{id}/artifact HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\nContent-Length: 2000000\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&vec![0u8; 1_000_000]).await.unwrap();
    let tmp = data.join("tmp");
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::fs::read_dir(&tmp).map_or(0, |d| d.count()) == 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        std::fs::read_dir(&tmp).unwrap().count(),
        1,
        "the partial file exists mid-stream"
    );
    server.kill();
    drop(stream);

    let mut server = Server::start(&data, port, &log);
    server.wait_ready(&client).await;
    assert_eq!(
        std::fs::read_dir(&tmp).unwrap().count(),
        0,
        "removed at start-up"
    );
    let url = format!("{}/{project}/v1/models/{id}", server.base);
    let model: Value = client
        .get(&url)
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(model["artifact"], Value::Null, "no file recorded");
    let retry = client
        .put(format!("{url}/artifact"))
        .bearer_auth(&key)
        .body(vec![1u8; 1000])
        .send()
        .await
        .unwrap();
    assert_eq!(
        retry.status(),
        reqwest::StatusCode::OK,
        "a re-upload succeeds"
    );
}

/// Start-up output a person can read (hardening item 11): `serve --demo` with its log redirected
/// prints the credentials and the URL to open on stdout, a dozen log lines without colour codes
/// or warnings on stderr, and a refused request is one INFO line with the input cut short.
#[tokio::test]
async fn serve_demo_prints_a_readable_start_and_short_refusals() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let port = free_port();
    let stdout = dir.path().join("stdout");
    let stderr = dir.path().join("stderr");
    let child = Command::new(BIN)
        .args([
            "serve",
            "--demo",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--data",
        ])
        .arg(&data)
        .env_remove("RUST_LOG")
        .stdout(std::fs::File::create(&stdout).unwrap())
        .stderr(std::fs::File::create(&stderr).unwrap())
        .spawn()
        .unwrap();
    let mut server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let client = reqwest::Client::new();
    server.wait_ready(&client).await;
    let long = "q".repeat(5_000);
    let refused = client
        .get(format!("{}/v1/catalog/models?q={long}", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let out = std::fs::read_to_string(&stdout).unwrap();
    assert!(out.contains("demo login: demo / demo-password"), "{out}");
    // The printed login works, exactly as the README says to use it.
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let form = browser
        .get(format!("{}/login", server.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = form
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let login = browser
        .post(format!("{}/login", server.base))
        .form(&[
            ("username", "demo"),
            ("password", "demo-password"),
            ("csrf", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 303, "the demo login logs in");
    let mine = browser
        .get(format!("{}/models/catalog", server.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(mine.contains("demo"), "the header names the logged-in user");
    assert!(
        out.contains(&format!("http://127.0.0.1:{port}/models/catalog")),
        "{out}"
    );
    let log = std::fs::read_to_string(&stderr).unwrap();
    assert!(
        log.lines().count() < 30,
        "{} log lines:\n{log}",
        log.lines().count()
    );
    assert!(!log.contains('\u{1b}'), "colour codes in a redirected log");
    assert!(
        !log.contains(" WARN "),
        "a warning on a normal first start:\n{log}"
    );
    let refusal = log
        .lines()
        .find(|l| l.contains("request refused"))
        .expect("the 400 is logged");
    assert!(refusal.contains(" INFO "), "{refusal}");
    assert!(
        refusal.len() < 600,
        "the 5 000-character input is cut: {} chars",
        refusal.len()
    );
    // A second server on the same port fails before creating or migrating anything.
    let other = dir.path().join("other");
    let output = Command::new(BIN)
        .args(["serve", "--bind", &format!("127.0.0.1:{port}"), "--data"])
        .arg(&other)
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(
        !other.exists(),
        "the data directory was created before binding"
    );
    let message = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        message.matches("in use").count(),
        1,
        "the bind error once: {message}"
    );
}

/// RELIABILITY T43–T44 (issue 24): the server killed with SIGKILL during a multipart LFS upload
/// (`--test-lfs-part-size 2048`) and while Hub commits run; after the restart nothing partial is visible, the repository is at
/// a revision it had (or the commit's, whole), and the upload can start over and succeed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hub_uploads_and_commits_killed_with_sigkill_leave_nothing_partial() {
    use sha2::Digest;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("server.log");
    let project = admin_ok(
        &data,
        &["create-project", "--slug", "killed", "--name", "Killed"],
    );
    let key = admin_ok(&data, &["create-key", "--project", &project]);
    let client = reqwest::Client::new();
    let port = free_port();
    let hex = |bytes: &[u8]| -> String {
        sha2::Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    let mut server = start_with(&data, port, &log, &["--test-lfs-part-size", "2048"]);
    server.wait_ready(&client).await;
    let base = server.base.clone();
    let created = client
        .post(format!("{base}/api/repos/create"))
        .bearer_auth(&key)
        .json(&json!({"name": "survivor", "organization": "killed", "private": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 200);
    let main_of = |client: reqwest::Client, base: String| async move {
        let info: Value = client
            .get(format!("{base}/api/models/killed/survivor"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        (
            info["sha"].as_str().unwrap_or_default().to_owned(),
            info["siblings"].clone(),
        )
    };
    let (first_main, _) = main_of(client.clone(), base.clone()).await;

    // An object sent in two 2 KiB parts: part 1 whole, part 2 halfway, then the kill.
    let bytes: Vec<u8> = (0..4096u32).map(|i| (i % 251) as u8).collect();
    let oid = hex(&bytes);
    let batch: Value = client
        .post(format!("{base}/killed/survivor.git/info/lfs/objects/batch"))
        .bearer_auth(&key)
        .json(&json!({"operation": "upload", "transfers": ["basic", "multipart"], "objects": [{"oid": oid, "size": bytes.len()}]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let upload = batch["objects"][0]["actions"]["upload"].clone();
    let href = upload["href"].as_str().unwrap().to_owned();
    let part_url = |n: u32| upload["header"][n.to_string()].as_str().unwrap().to_owned();
    let first = client
        .put(part_url(1))
        .body(bytes[..2048].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
    let first_etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let host = base.trim_start_matches("http://").to_owned();
    let path = part_url(2).trim_start_matches(&base).to_owned();
    let mut stream = tokio::net::TcpStream::connect(&host).await.unwrap();
    use tokio::io::AsyncWriteExt;
    stream
        .write_all(
            format!("PUT {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 2048\r\n\r\n")
                .as_bytes(),
        )
        .await
        .unwrap();
    stream.write_all(&bytes[2048..3072]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Commits racing the kill: each is all there after the restart or not at all.
    let racing: Vec<_> = (0..8)
        .map(|i| {
            let (client, base, key) = (client.clone(), base.clone(), key.clone());
            tokio::spawn(async move {
                let content = format!("commit {i}");
                let line = json!({"key": "file", "value": {"path": format!("c{i}.txt"),
                    "content": base64_of(content.as_bytes()), "encoding": "base64"}});
                let body = format!(
                    "{}\n{line}\n",
                    json!({"key": "header", "value": {"summary": format!("c{i}")}})
                );
                client
                    .post(format!("{base}/api/models/killed/survivor/commit/main"))
                    .bearer_auth(&key)
                    .body(body)
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
                    .unwrap_or(0)
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(5)).await;
    server.kill();
    let mut acknowledged = Vec::new();
    for (i, commit) in racing.into_iter().enumerate() {
        if commit.await.unwrap() == 200 {
            acknowledged.push(format!("c{i}.txt"));
        }
    }
    drop(stream);

    let mut server = start_with(&data, port, &log, &["--test-lfs-part-size", "2048"]);
    server.wait_ready(&client).await;
    let (main, siblings) = main_of(client.clone(), base.clone()).await;
    let names: Vec<String> = siblings
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["rfilename"].as_str().unwrap().to_owned())
        .collect();
    for name in &acknowledged {
        assert!(
            names.contains(name),
            "acknowledged commit {name} lost: {names:?}"
        );
    }
    assert!(main.len() == 40 && (main != first_main || acknowledged.is_empty()));
    // The half-sent object is not there, and a completion cannot make it from what survived.
    let held = client
        .get(format!("{base}/{project}/v1/blobs/{oid}"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(held.status(), 404, "a half-sent object is not held");
    let complete = |etags: Vec<String>| {
        let parts: Vec<Value> = etags
            .iter()
            .enumerate()
            .map(|(i, etag)| json!({"partNumber": i + 1, "etag": etag}))
            .collect();
        client
            .post(&href)
            .json(&json!({"oid": oid, "parts": parts}))
            .send()
    };
    let early = complete(vec![first_etag.clone(), first_etag])
        .await
        .unwrap();
    assert_eq!(early.status(), 400);
    // Sent again, part by part, it is.
    let mut etags = Vec::new();
    for (n, part) in [(1, &bytes[..2048]), (2, &bytes[2048..])] {
        let sent = client
            .put(part_url(n))
            .body(part.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(sent.status(), 200);
        etags.push(sent.headers()["etag"].to_str().unwrap().to_owned());
    }
    assert_eq!(complete(etags).await.unwrap().status(), 200);
    let held = client
        .get(format!("{base}/{project}/v1/blobs/{oid}"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(held.status(), 200);
    // Files of every revision the restart shows resolve whole.
    for name in &names {
        let file = client
            .get(format!("{base}/killed/survivor/resolve/{main}/{name}"))
            .send()
            .await
            .unwrap();
        assert_eq!(file.status(), 200, "{name}");
    }
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
