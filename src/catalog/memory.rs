//! The memory a model needs (SPEC §11): weights = parameters × bits per weight ÷ 8, plus the KV
//! cache at a context = 2 × layers × KV heads × head size × context × bytes per element, plus a
//! stated overhead. A part whose inputs are not known is `None` ("unknown"), never a default
//! dressed up as the file's figure.

/// Runtime buffers, CUDA context and activations, stated rather than hidden in the figure.
pub const OVERHEAD_BYTES: u64 = 500_000_000;

/// Bits per weight of a quantization or dtype label, as catalog entries write them (`Q4_K_M`,
/// `AWQ-Int4`, `MLX-4bit`, `FP8`, `bf16` …). GGUF figures are llama.cpp's average bits per
/// weight of each type (block scales included); group-quantized formats count their scales.
pub fn bits_per_weight(label: &str) -> Option<f64> {
    let l = label.to_ascii_lowercase();
    const GGUF: &[(&str, f64)] = &[
        ("iq1_s", 1.56),
        ("iq1_m", 1.75),
        ("tq1_0", 1.69),
        ("tq2_0", 2.06),
        ("iq2_xxs", 2.06),
        ("iq2_xs", 2.31),
        ("iq2_s", 2.5),
        ("iq2_m", 2.7),
        ("q2_k", 2.63),
        ("iq3_xxs", 3.06),
        ("iq3_xs", 3.3),
        ("iq3_s", 3.44),
        ("iq3_m", 3.66),
        ("q3_k_s", 3.5),
        ("q3_k_m", 3.91),
        ("q3_k_l", 4.27),
        ("iq4_xs", 4.25),
        ("iq4_nl", 4.5),
        ("q4_0", 4.5),
        ("q4_1", 5.0),
        ("q4_k_s", 4.58),
        ("q4_k_m", 4.89),
        ("mxfp4_moe", 4.25),
        ("mxfp4", 4.25),
        ("q5_0", 5.5),
        ("q5_1", 6.0),
        ("q5_k_s", 5.54),
        ("q5_k_m", 5.69),
        ("q6_k", 6.56),
        ("q8_0", 8.5),
        ("f16", 16.0),
        ("bf16", 16.0),
        ("f32", 32.0),
    ];
    // Labels such as `UD-TQ1_0` or `i1-IQ1_S` carry the GGUF type last.
    let last = l.rsplit(['-', ' ']).next().unwrap_or(&l);
    if let Some((_, bits)) = GGUF.iter().find(|(name, _)| *name == last) {
        return Some(*bits);
    }
    // Group-quantized (MLX, AWQ, GPTQ, bitsandbytes): n bits plus a 16-bit scale per group.
    let words: Vec<&str> = l.split(['-', '_', ' ']).collect();
    for word in &words {
        let digits: String = word.chars().filter(char::is_ascii_digit).collect();
        let bits: Option<f64> = match *word {
            w if w.ends_with("bit") || w.ends_with("bits") || w.starts_with("int") => {
                digits.parse().ok()
            }
            "nvfp4" => Some(4.5),
            "mxfp4" => Some(4.25),
            "mxfp8" => Some(8.25),
            "fp4" => Some(4.0),
            "fp8" | "int8" => Some(8.0),
            "fp16" | "bf16" | "f16" => Some(16.0),
            "fp32" | "f32" => Some(32.0),
            _ => None,
        };
        if let Some(bits) = bits.filter(|b| (1.0..=32.0).contains(b)) {
            return Some(match bits {
                b if b >= 16.0 => b,
                b if b == 8.0 && (l.contains("fp8") || l == "int8") => 8.0,
                // A 16-bit scale per 64 weights (MLX, AWQ and GPTQ's common group sizes).
                b => b + 0.25,
            });
        }
    }
    // `BNB-4-bit`: the bits are a word of their own.
    if l.contains("4-bit") {
        return Some(4.25);
    }
    None
}

/// The attention shape that sizes the KV cache, as the files state it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KvShape {
    pub layers: u64,
    pub kv_heads: u64,
    pub head_size: u64,
    /// Bytes per cached element (2 for an f16 cache).
    pub element_bytes: u64,
}

/// An estimate with its parts; `None` parts are unknown.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MemoryEstimate {
    pub weights: Option<u64>,
    /// Bits per weight the weights figure used, and whether the label stated them (`false`:
    /// no quantization is stated and 16-bit weights are assumed, as published checkpoints are).
    pub bits: Option<(f64, bool)>,
    pub kv_cache: Option<u64>,
    pub context: u64,
    pub overhead: u64,
}

impl MemoryEstimate {
    /// Weights + KV cache + overhead, when every part is known.
    pub fn total(&self) -> Option<u64> {
        Some(self.weights? + self.kv_cache? + self.overhead)
    }
}

/// Estimates a model's memory at `context` tokens.
pub fn estimate(
    parameters: Option<u64>,
    quantization: Option<&str>,
    kv: Option<KvShape>,
    context: u64,
) -> MemoryEstimate {
    let bits = match quantization {
        Some(label) => bits_per_weight(label).map(|b| (b, true)),
        None => Some((16.0, false)),
    };
    let weights = match (parameters, bits) {
        (Some(p), Some((b, _))) => Some((p as f64 * b / 8.0).round() as u64),
        _ => None,
    };
    let kv_cache = kv.map(|k| 2 * k.layers * k.kv_heads * k.head_size * context * k.element_bytes);
    MemoryEstimate {
        weights,
        bits,
        kv_cache,
        context,
        overhead: OVERHEAD_BYTES,
    }
}

/// `4.7 GB`: decimal gigabytes with one decimal, as GPU memory is sold.
pub fn gigabytes(bytes: u64) -> String {
    format!("{:.1} GB", bytes as f64 / 1e9)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_map_to_their_bits() {
        assert_eq!(bits_per_weight("Q4_K_M"), Some(4.89));
        assert_eq!(bits_per_weight("UD-TQ1_0"), Some(1.69));
        assert_eq!(bits_per_weight("i1-IQ1_S"), Some(1.56));
        assert_eq!(bits_per_weight("MLX-4bit"), Some(4.25));
        assert_eq!(bits_per_weight("AWQ-Int4"), Some(4.25));
        assert_eq!(bits_per_weight("GPTQ-Int8"), Some(8.25));
        assert_eq!(bits_per_weight("FP8"), Some(8.0));
        assert_eq!(bits_per_weight("MLX-bf16"), Some(16.0));
        assert_eq!(bits_per_weight("BNB-4-bit"), Some(4.25));
        assert_eq!(bits_per_weight("something"), None);
    }

    #[test]
    fn an_estimate_adds_its_known_parts_only() {
        // Llama 3.1 8B at 32K: 32 layers, 8 KV heads of 128, f16 cache = 4.3 GB.
        let kv = KvShape {
            layers: 32,
            kv_heads: 8,
            head_size: 128,
            element_bytes: 2,
        };
        let e = estimate(Some(8_030_000_000), Some("Q4_K_M"), Some(kv), 32_768);
        assert_eq!(gigabytes(e.weights.unwrap()), "4.9 GB");
        assert_eq!(gigabytes(e.kv_cache.unwrap()), "4.3 GB");
        assert_eq!(gigabytes(e.total().unwrap()), "9.7 GB");
        let unknown = estimate(Some(8_030_000_000), None, None, 32_768);
        assert_eq!(unknown.bits, Some((16.0, false)));
        assert_eq!(unknown.total(), None, "no KV shape: the total is unknown");
        assert_eq!(estimate(None, Some("Q4_K_M"), None, 1).weights, None);
    }
}
