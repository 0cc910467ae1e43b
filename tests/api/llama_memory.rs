//! The memory estimate checked against llama.cpp itself (issue 27): GGUF files with real
//! tensor data (random weights, small shapes: dense, GQA, MoE, sliding-window and MLA layouts)
//! written by the `gguf` package load in llama.cpp's own `llama-server`, which logs its model,
//! KV cache and compute buffers; the server's estimate from the same file's header, read by the
//! same code an upload runs, is within 5 % of their sum at 4K, 32K and 128K.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn llama_server() -> PathBuf {
    let binary = std::env::var_os("XERO_LLAMA_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let home = std::env::var_os("HOME").unwrap_or_default();
            PathBuf::from(home).join(".cache/xero-tools/llama-server")
        });
    assert!(
        binary.exists(),
        "{} is missing: run `bash scripts/test.sh` (it builds llama.cpp once)",
        binary.display()
    );
    binary
}

#[test]
fn the_estimate_is_within_five_percent_of_what_llama_cpp_allocates() {
    let out = tempfile::tempdir().unwrap();
    let python = crate::hub::venv().join("bin/python");
    let output = Command::new(&python)
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scripts/llama_memory_check.py"
        ))
        .arg("--llama-server")
        .arg(llama_server())
        .arg("--out")
        .arg(out.path())
        .args(["--flash-attn", "on", "--contexts", "4096,32768,131072"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "the llama.cpp runs failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let records: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    let layouts: std::collections::BTreeSet<&str> = records
        .iter()
        .filter_map(|r| r["layout"].as_str())
        .collect();
    assert_eq!(
        layouts.into_iter().collect::<Vec<_>>(),
        ["dense", "gqa", "mla", "moe", "swa"]
    );
    let mut table = Vec::new();
    for record in &records {
        let file = PathBuf::from(record["file"].as_str().unwrap());
        let context = record["context"].as_u64().unwrap();
        let meta = xeroctl::ops::files::artifacts::read_metadata(&file, None).unwrap();
        let header =
            xeroctl::formats::gguf::read_header(std::fs::File::open(&file).unwrap()).unwrap();
        let weights = std::fs::metadata(&file).unwrap().len() - header.data_offset;
        let (w, kv, compute) = xeroctl::catalog::memory::allocated_by_llama_cpp(
            &meta,
            weights,
            context,
            Default::default(),
        )
        .unwrap_or_else(|| {
            panic!(
                "{}: the header's shape is not read: {meta:?}",
                file.display()
            )
        });
        let llama = &record["llama"];
        let theirs = llama["total_bytes"].as_u64().unwrap();
        let ours = w + kv + compute;
        let error = (ours as f64 - theirs as f64) / theirs as f64 * 100.0;
        table.push(format!(
            "{:<6} {:>7} ours {ours:>11} llama.cpp {theirs:>11} ({error:+.2} %) kv {kv} vs {}",
            record["layout"].as_str().unwrap(),
            context,
            llama["kv_bytes"]
        ));
        assert_eq!(
            kv,
            llama["kv_bytes"].as_u64().unwrap(),
            "{} at {context}: the KV cache is llama.cpp's to the byte",
            record["layout"]
        );
        assert!(error.abs() <= 5.0, "{}", table.join("\n"));
    }
    // Shown with --nocapture: the error table BENCHMARKS.md publishes.
    println!("{}", table.join("\n"));
}
