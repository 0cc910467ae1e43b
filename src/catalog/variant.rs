//! Variants: the quantizations and formats of one base model (`Qwen3-235B-A22B`, `-FP8`,
//! `-GPTQ-Int4`, `-4bit`, `-GGUF`) are one card on the catalog page, with a chip per variant.
//! Catalog entries do not state their base model, so the rule is the name's: the name without
//! its trailing quantization and format words, in the same project. Words that make another
//! model (`Base`, `Instruct`, `Chat`, a size, a version, a date) are never stripped.

use super::ids::ProjectId;
use super::memory::bits_per_weight;

/// Whether a trailing name word says only how the weights are stored.
fn is_variant_word(word: &str) -> bool {
    let w = word.to_ascii_lowercase();
    const WORDS: &[&str] = &[
        "gguf", "ggml", "awq", "gptq", "mlx", "exl2", "exl3", "fp8", "fp16", "bf16", "f16", "f32",
        "fp4", "nvfp4", "mxfp4", "nf4", "bnb", "dwq", "i1", "imatrix", "onnx", "openvino",
    ];
    if WORDS.contains(&w.as_str()) {
        return true;
    }
    // `4bit`, `8-bit` written as one word, `int4`, `int8`, `Int8Mix`.
    let digits_then = |prefix: &str, suffix: &str| {
        w.strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(suffix))
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
    };
    if digits_then("", "bit") || digits_then("", "bits") || digits_then("int", "") {
        return true;
    }
    if digits_then("int", "mix") {
        return true;
    }
    // GGUF types (`Q4_K_M`, `IQ2_XXS`): a known label with an underscore or a `q` digit form.
    w.contains('_') && bits_per_weight(&w).is_some()
}

/// The name of the base model this entry is a variant of (the name itself when it is none).
pub fn base_name(name: &str) -> &str {
    let mut base = name.trim_end();
    while let Some(cut) = base.rfind(['-', ' ']) {
        let (head, word) = (&base[..cut], &base[cut + 1..]);
        if head.trim().is_empty() || !is_variant_word(word) {
            break;
        }
        base = head.trim_end();
    }
    base
}

/// The group of a catalog entry: its project and base name, case-insensitive, hashed into
/// a stable number (FNV-1a, so an index built by another build of the server agrees).
pub fn group_of(project: &ProjectId, name: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |byte: u8| {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    };
    for byte in project.to_string().bytes() {
        eat(byte);
    }
    eat(0);
    for byte in base_name(name).to_lowercase().bytes() {
        eat(byte);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantizations_and_formats_of_one_model_share_a_base() {
        for name in [
            "Qwen3-235B-A22B",
            "Qwen3-235B-A22B-FP8",
            "Qwen3-235B-A22B-GPTQ-Int8",
            "Qwen3-235B-A22B-GPTQ-Int4",
            "Qwen3-235B-A22B-3bit",
            "Qwen3-235B-A22B-4bit",
            "Qwen3-235B-A22B-GGUF",
            "Qwen3-235B-A22B-MLX-8bit",
            "Qwen3-235B-A22B-Q4_K_M",
        ] {
            assert_eq!(base_name(name), "Qwen3-235B-A22B", "{name}");
        }
        assert_eq!(
            base_name("Qwen3-235B-A22B-Instruct-2507-GPTQ-Int4-Int8Mix"),
            "Qwen3-235B-A22B-Instruct-2507"
        );
        assert_eq!(base_name("DianJin-R1-7B-i1-GGUF"), "DianJin-R1-7B");
        assert_eq!(base_name("MiniCPM-V-2_6-int4"), "MiniCPM-V-2_6");
        assert_eq!(base_name("SeaLLM-7B-v2-gguf"), "SeaLLM-7B-v2");
    }

    #[test]
    fn other_models_are_never_merged() {
        // Each of these is a model of its own, not a storage variant of another.
        for name in [
            "Qwen3-8B-Base",
            "Qwen3-235B-A22B-Instruct-2507",
            "Llama-3-8B-Instruct",
            "Mistral-7B-v0.3",
            "Qwen2.5-Coder-7B",
            "Mixtral-8x22B",
            "phi-2",
            "GGUF",
            "Model-4",
            "Qwen3-8B-Thinking",
        ] {
            assert_eq!(base_name(name), name, "{name}");
        }
        let p = ProjectId::parse("proj_ONE").unwrap();
        let q = ProjectId::parse("proj_TWO").unwrap();
        assert_eq!(group_of(&p, "Qwen3-8B"), group_of(&p, "qwen3-8b-gguf"));
        assert_ne!(group_of(&p, "Qwen3-8B"), group_of(&p, "Qwen3-8B-Base"));
        assert_ne!(
            group_of(&p, "Qwen3-8B"),
            group_of(&q, "Qwen3-8B-GGUF"),
            "publishers' copies stay apart"
        );
    }
}
