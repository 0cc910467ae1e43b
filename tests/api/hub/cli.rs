//! `xeroctl models upload DIR` and `models import-hf` against a real server.

use std::process::Command;

use reqwest::Method;
use serde_json::Value;

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn models_upload_of_a_folder_makes_one_revision_and_resumes() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("Tiny-Folder-Model");
    std::fs::create_dir_all(root.join("tokenizer")).unwrap();
    std::fs::create_dir_all(root.join(".git")).unwrap();
    std::fs::write(root.join("config.json"), br#"{"model_type": "llama"}"#).unwrap();
    std::fs::write(root.join("tokenizer/vocab.json"), b"{}").unwrap();
    std::fs::write(root.join("weights.bin"), vec![5u8; 200_000]).unwrap();
    std::fs::write(root.join(".git/HEAD"), b"ref: main").unwrap();
    let run = |args: Vec<String>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_xeroctl"));
        command
            .args(&args)
            .env("XERO_BASE_URL", &app.address)
            .env("XERO_API_KEY", &app.api_key)
            .env_remove("XERO_PROJECT");
        command.output().unwrap()
    };
    let folder = root.to_str().unwrap().to_owned();
    let first =
        tokio::task::block_in_place(|| run(vec!["models".into(), "upload".into(), folder.clone()]));
    let text = String::from_utf8_lossy(&first.stdout).into_owned();
    assert!(
        first.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(text.contains("3 files, 3 sent, 0 already there"), "{text}");
    assert!(
        text.contains("hf download myproject/tiny-folder-model"),
        "{text}"
    );
    assert!(!text.contains(".git"), "{text}");
    // Again, into the same model: nothing is sent, and the revision is the same set of files.
    let listed: Value = app
        .send(Method::GET, &app.models_url(), None)
        .await
        .json()
        .await
        .unwrap();
    let id = listed["models"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(listed["models"][0]["name"], "Tiny-Folder-Model");
    let again = tokio::task::block_in_place(|| {
        run(vec![
            "models".into(),
            "upload".into(),
            folder.clone(),
            "--model".into(),
            id.clone(),
        ])
    });
    let text = String::from_utf8_lossy(&again.stdout).into_owned();
    assert!(
        again.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert!(text.contains("3 files, 0 sent, 3 already there"), "{text}");
    let listed =
        tokio::task::block_in_place(|| run(vec!["models".into(), "files".into(), id.clone()]));
    let text = String::from_utf8_lossy(&listed.stdout).into_owned();
    for path in ["config.json", "tokenizer/vocab.json", "weights.bin"] {
        assert!(text.contains(path), "{path}: {text}");
    }
    assert!(text.contains("200000"), "{text}");
}

/// Builds an HF cache folder: `refs/main`, `snapshots/<rev>/…` linking into `blobs/`.
fn hf_cache(root: &std::path::Path, files: &[(&str, Vec<u8>)]) -> std::path::PathBuf {
    let cache = root.join("models--acme--Tiny-Llama");
    let revision = "0123456789abcdef0123456789abcdef01234567";
    std::fs::create_dir_all(cache.join("refs")).unwrap();
    std::fs::create_dir_all(cache.join("blobs")).unwrap();
    std::fs::write(cache.join("refs/main"), revision).unwrap();
    for (path, bytes) in files {
        let blob = cache.join("blobs").join(sha256(bytes));
        std::fs::write(&blob, bytes).unwrap();
        let link = cache.join("snapshots").join(revision).join(path);
        std::fs::create_dir_all(link.parent().unwrap()).unwrap();
        let depth = path.matches('/').count() + 2;
        let target = format!("{}blobs/{}", "../".repeat(depth), sha256(bytes));
        std::os::unix::fs::symlink(target, &link).unwrap();
    }
    cache
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_hf_turns_a_cache_folder_into_a_described_model() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let mut tensors = std::collections::HashMap::new();
    let data = vec![0u8; 4 * 64];
    tensors.insert(
        "w".to_owned(),
        safetensors::tensor::TensorView::new(safetensors::Dtype::BF16, vec![8, 16], &data[..])
            .unwrap(),
    );
    let weights = safetensors::serialize(&tensors, None).unwrap();
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("config.json", br#"{"model_type": "llama", "architectures": ["LlamaForCausalLM"], "max_position_embeddings": 4096}"#.to_vec()),
        ("model.safetensors", weights),
        ("README.md", b"---\nlicense: apache-2.0\npipeline_tag: text-generation\nbase_model: meta-llama/Llama-3.2-1B\nbase_model_relation: finetune\n---\n# Tiny Llama\n\nA very small llama.\n".to_vec()),
        ("tokenizer/tokenizer.json", b"{}".to_vec()),
    ];
    let cache = hf_cache(dir.path(), &files);
    let output = tokio::task::block_in_place(|| {
        Command::new(env!("CARGO_BIN_EXE_xeroctl"))
            .args(["models", "import-hf"])
            .arg(&cache)
            .arg("--share")
            .env("XERO_BASE_URL", &app.address)
            .env("XERO_API_KEY", &app.api_key)
            .env_remove("XERO_PROJECT")
            .output()
            .unwrap()
    });
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(text.contains("as Tiny-Llama (4 files"), "{text}");
    let answer: Value = app
        .client
        .get(format!("{}/v1/catalog/models?q=tiny llama", app.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let card = &answer["models"][0];
    assert_eq!(card["name"], "Tiny-Llama");
    assert_eq!(card["architecture"], "llama");
    assert_eq!(card["context_length"], 4096);
    assert_eq!(card["license"], "apache-2.0");
    assert_eq!(card["parameter_count"], 128);
    // The card's base model is not in this catalog: kept as stated, with its relation.
    assert_eq!(
        card["lineage"]["base_model_name"], "meta-llama/Llama-3.2-1B",
        "{card}"
    );
    assert_eq!(card["lineage"]["base_model_relation"], "finetune");
    let detail: Value = app
        .client
        .get(format!(
            "{}/v1/catalog/models/{}",
            app.address,
            card["id"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        detail["description"]
            .as_str()
            .unwrap()
            .contains("A very small llama."),
        "{detail}"
    );
    let info: Value = app
        .client
        .get(format!(
            "{}/api/models/myproject/tiny-llama?blobs=true",
            app.address
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut names: Vec<&str> = info["siblings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["rfilename"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "README.md",
            "config.json",
            "model.safetensors",
            "tokenizer/tokenizer.json"
        ]
    );
    // With `--output json`, stdout is one JSON document (progress lines go to stderr).
    let again = hf_cache(&dir.path().join("again"), &files);
    let json_output = tokio::task::block_in_place(|| {
        Command::new(env!("CARGO_BIN_EXE_xeroctl"))
            .args(["models", "import-hf", "--output", "json"])
            .arg(&again)
            .arg("--name")
            .arg("Tiny Llama JSON")
            .env("XERO_BASE_URL", &app.address)
            .env("XERO_API_KEY", &app.api_key)
            .env_remove("XERO_PROJECT")
            .output()
            .unwrap()
    });
    assert!(json_output.status.success());
    let parsed: Value = serde_json::from_slice(&json_output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&json_output.stdout)));
    assert_eq!(parsed["model"]["name"], "Tiny Llama JSON");
    // A link out of the cache is refused, and nothing is made.
    let evil = dir.path().join("evil");
    let escaped = hf_cache(&evil, &[("config.json", b"{}".to_vec())]);
    let link = escaped.join("snapshots/0123456789abcdef0123456789abcdef01234567/secret.txt");
    std::os::unix::fs::symlink("/etc/hostname", &link).unwrap();
    let refused = tokio::task::block_in_place(|| {
        Command::new(env!("CARGO_BIN_EXE_xeroctl"))
            .args(["models", "import-hf"])
            .arg(&escaped)
            .env("XERO_BASE_URL", &app.address)
            .env("XERO_API_KEY", &app.api_key)
            .env_remove("XERO_PROJECT")
            .output()
            .unwrap()
    });
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("outside"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let listed: Value = app
        .send(Method::GET, &app.models_url(), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["total"], 2, "the refused import made no model");
}
