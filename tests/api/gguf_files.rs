//! The GGUF reader over every real and synthetic fixture in `tests/data/gguf/` (copied from
//! `shared/data/gguf`, whose README lists the expected values).

use xeroctl::formats::gguf::read_header;

/// (file, architecture, name, context, file type, parameters, experts)
pub type Fixture = (
    &'static str,
    &'static str,
    &'static str,
    u64,
    Option<u32>,
    Option<u64>,
    Option<u64>,
);

pub const FIXTURES: &[Fixture] = &[
    (
        "ggml-vocab-baichuan.gguf",
        "baichuan",
        "Baichuan-7B",
        4096,
        None,
        None,
        None,
    ),
    (
        "ggml-vocab-bert-bge.gguf",
        "bert",
        "bert-bge",
        512,
        Some(1),
        None,
        None,
    ),
    (
        "ggml-vocab-deepseek-coder.gguf",
        "llama",
        "deepseek-coder",
        16384,
        Some(1),
        None,
        None,
    ),
    (
        "ggml-vocab-deepseek-llm.gguf",
        "llama",
        "deepseek-llm",
        4096,
        Some(1),
        None,
        None,
    ),
    (
        "ggml-vocab-falcon.gguf",
        "falcon",
        "Falcon",
        2048,
        Some(1),
        None,
        None,
    ),
    (
        "ggml-vocab-gpt-2.gguf",
        "gpt2",
        "gpt-2",
        1024,
        Some(1),
        None,
        None,
    ),
    (
        "ggml-vocab-gpt-neox.gguf",
        "gptneox",
        "gpt-neox-20b",
        2048,
        None,
        None,
        None,
    ),
    (
        "ggml-vocab-llama-spm.gguf",
        "llama",
        "llama-spm",
        4096,
        Some(1),
        None,
        None,
    ),
    ("ggml-vocab-mpt.gguf", "mpt", "mpt", 2048, None, None, None),
    (
        "ggml-vocab-phi-3.gguf",
        "phi3",
        "Phi3",
        4096,
        Some(1),
        None,
        None,
    ),
    (
        "ggml-vocab-refact.gguf",
        "refact",
        "Refact",
        4096,
        Some(1),
        None,
        None,
    ),
    (
        "ggml-vocab-starcoder.gguf",
        "starcoder2",
        "starcoder",
        16384,
        Some(1),
        None,
        None,
    ),
    (
        "synthetic-llama-f32.gguf",
        "llama",
        "Synthetic Tiny Llama",
        8192,
        Some(0),
        Some(920),
        None,
    ),
    (
        "synthetic-qwen3moe-f16.gguf",
        "qwen3moe",
        "Synthetic Tiny Qwen3 MoE",
        40960,
        Some(1),
        Some(1344),
        Some(4),
    ),
    (
        "synthetic-deepseek2-q8_0.gguf",
        "deepseek2",
        "Synthetic Tiny DeepSeek2",
        163840,
        Some(7),
        Some(9088),
        None,
    ),
];

pub fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/gguf")
        .join(name)
}

#[test]
fn every_fixture_reads_as_its_readme_says() {
    for (file, arch, name, context, file_type, params, experts) in FIXTURES {
        let info = read_header(std::fs::File::open(fixture(file)).unwrap())
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(info.architecture.as_deref(), Some(*arch), "{file}");
        assert_eq!(info.name.as_deref(), Some(*name), "{file}");
        assert_eq!(info.context_length, Some(*context), "{file}");
        assert_eq!(info.file_type, *file_type, "{file}");
        assert_eq!(info.parameter_count, *params, "{file}");
        assert_eq!(info.expert_count, *experts, "{file}");
        assert_eq!(info.version, 3, "{file}");
    }
}

/// Issue 14: the weights part of the memory estimate (parameters × bits per weight of the file
/// type) lands within 10 % of the bytes the file's tensors take; a vocabulary-only file (no
/// tensors) gets no weights figure at all rather than a guess.
#[test]
fn the_weights_estimate_matches_the_files_tensor_bytes() {
    use xeroctl::catalog::memory::estimate;
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/gguf");
    for (file, ..) in FIXTURES {
        let path = format!("{dir}/{file}");
        let info = read_header(std::fs::File::open(&path).unwrap()).unwrap();
        let size = std::fs::metadata(&path).unwrap().len();
        let weights = estimate(
            info.parameter_count,
            info.quantization(),
            None,
            1,
            Default::default(),
        )
        .weights;
        match info.parameter_count {
            None => assert_eq!(weights, None, "{file}: no tensors, no weights figure"),
            Some(_) => {
                let tensor_bytes = size - info.data_offset;
                let weights = weights.unwrap_or_else(|| {
                    panic!("{file}: {:?} has no bits per weight", info.quantization())
                });
                let ratio = weights as f64 / tensor_bytes as f64;
                assert!(
                    (0.9..=1.1).contains(&ratio),
                    "{file}: estimate {weights} B, tensors {tensor_bytes} B ({ratio:.3})"
                );
            }
        }
    }
}
