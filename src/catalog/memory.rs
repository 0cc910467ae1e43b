//! The memory a model needs (SPEC §11): weights = parameters × bits per weight ÷ 8, plus the KV
//! cache at a context = 2 × layers × KV heads × head size × context × bytes per element, plus a
//! stated overhead. A part whose inputs are not known is `None` ("unknown"), never a default
//! dressed up as the file's figure.

/// The context estimates are shown at unless one is chosen (capped at a model's own maximum).
pub const DEFAULT_CONTEXT: u64 = 32 * 1024;

/// The context an estimate is made at: the one asked for, or the model's own maximum when
/// that is shorter (a runtime never allocates past it).
pub fn capped_context(own: Option<u64>, asked: u64) -> u64 {
    own.map_or(asked, |own| own.min(asked))
}

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

pub use super::kv::{KvOptions, KvShape, KvType};

/// What the fit facet knows of one model, packed into two index values: the weights in whole
/// megabytes and the 16-bit KV bytes per token of the layers whose cache grows with the
/// context (`pack`), and, for sliding-window layers, their 16-bit bytes per cell and window
/// (`pack_window`). 0 means "unknown" in the first two; a figure that does not fit its half is
/// unknown, never clipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FitInputs {
    pub weights_mb: u32,
    pub kv_per_token: u32,
    pub window_per_cell: u32,
    pub window: u32,
}

impl FitInputs {
    pub fn new(weights: Option<u64>, kv: Option<KvShape>) -> Self {
        let half = |v: Option<u64>| v.and_then(|v| u32::try_from(v).ok()).unwrap_or(0);
        let window = kv.map(|kv| (kv.window_bytes_per_cell(), kv.swa_window));
        let fits =
            window.is_none_or(|(cell, w)| u32::try_from(cell).is_ok() && u32::try_from(w).is_ok());
        Self {
            weights_mb: half(weights.map(|w| w.div_ceil(1_000_000))),
            kv_per_token: if fits {
                half(kv.map(|kv| kv.growing_bytes_per_token().max(1)))
            } else {
                0
            },
            window_per_cell: if fits {
                half(window.map(|(cell, _)| cell))
            } else {
                0
            },
            window: if fits {
                half(window.map(|(_, w)| w))
            } else {
                0
            },
        }
    }

    pub fn pack(self) -> u64 {
        (u64::from(self.weights_mb) << 32) | u64::from(self.kv_per_token)
    }

    pub fn pack_window(self) -> u64 {
        (u64::from(self.window_per_cell) << 32) | u64::from(self.window)
    }

    pub fn unpack(packed: u64, window: u64) -> Self {
        Self {
            weights_mb: (packed >> 32) as u32,
            kv_per_token: packed as u32,
            window_per_cell: (window >> 32) as u32,
            window: window as u32,
        }
    }

    /// The memory needed at `context` tokens per sequence.
    pub fn need(self, context: u64, options: KvOptions) -> Need {
        if self.weights_mb == 0 {
            return Need::Unknown;
        }
        let floor = u64::from(self.weights_mb) * 1_000_000 + OVERHEAD_BYTES;
        if self.kv_per_token == 0 {
            return Need::AtLeast(floor);
        }
        // A shape whose every layer has a window stores 1 byte per token of growth (0 is
        // "unknown"): keep it out of the sum.
        let growing = if self.kv_per_token == 1 && self.window > 0 {
            0
        } else {
            u64::from(self.kv_per_token)
        };
        let kv = super::kv::bytes_from_rates(
            growing,
            u64::from(self.window_per_cell),
            u64::from(self.window),
            context,
            options,
        );
        Need::Known(floor.saturating_add(kv))
    }
}

/// How much memory a model needs, as far as its files say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Weights, KV cache and overhead are all known.
    Known(u64),
    /// The weights are known but not the KV cache: at least weights + overhead.
    AtLeast(u64),
    Unknown,
}

/// The fit facet's budgets (SPEC §11 issue 14): common GPU memory sizes, decimal GB.
pub const FIT_BUDGETS_GB: [u64; 7] = [8, 12, 16, 24, 48, 80, 160];

/// Reads a memory budget: `24GB`, `24 GB`, `24G`, `24`, `1.5TB` (decimal units, as GPU
/// memory is sold); at most 100 TB.
pub fn parse_memory(input: &str) -> Option<u64> {
    let lower = input.trim().to_ascii_lowercase();
    let (number, scale) = if let Some(n) = lower.strip_suffix("tb").or(lower.strip_suffix('t')) {
        (n, 1e12)
    } else if let Some(n) = lower.strip_suffix("gb").or(lower.strip_suffix('g')) {
        (n, 1e9)
    } else if let Some(n) = lower.strip_suffix("mb").or(lower.strip_suffix('m')) {
        (n, 1e6)
    } else {
        (lower.as_str(), 1e9)
    };
    let value: f64 = number.trim().parse().ok()?;
    let bytes = value * scale;
    (value.is_finite() && (1e6..=1e14).contains(&bytes)).then(|| bytes.round() as u64)
}

/// A budget as `parse_memory` reads it back: `24GB`, `512MB`.
pub fn budget_text(bytes: u64) -> String {
    if bytes.is_multiple_of(1_000_000_000) {
        format!("{}GB", bytes / 1_000_000_000)
    } else if bytes.is_multiple_of(1_000_000) {
        format!("{}MB", bytes / 1_000_000)
    } else {
        format!("{}MB", bytes as f64 / 1e6)
    }
}

/// An estimate with its parts; `None` parts are unknown.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MemoryEstimate {
    pub weights: Option<u64>,
    /// Bits per weight the weights figure used, and whether the label stated them (`false`:
    /// no quantization is stated and 16-bit weights are assumed, as published checkpoints are).
    pub bits: Option<(f64, bool)>,
    pub kv_cache: Option<u64>,
    /// llama.cpp's compute buffer, when the files state the shape that sizes it.
    pub compute: Option<u64>,
    pub context: u64,
    pub options: KvOptions,
    pub overhead: u64,
}

impl MemoryEstimate {
    /// Weights + KV cache + overhead, when weights and KV cache are known. The stated overhead
    /// covers the runtime's buffers; where llama.cpp's compute buffer is known and larger (a long
    /// context for many sequences), that counts instead.
    pub fn total(&self) -> Option<u64> {
        Some(
            self.weights?
                .saturating_add(self.kv_cache?)
                .saturating_add(self.runtime()),
        )
    }

    /// The overhead, or the compute buffer where it is known and larger.
    pub fn runtime(&self) -> u64 {
        self.overhead.max(self.compute.unwrap_or(0))
    }
}

/// Estimates a model's memory at `context` tokens.
pub fn estimate(
    parameters: Option<u64>,
    quantization: Option<&str>,
    kv: Option<KvShape>,
    context: u64,
    options: KvOptions,
) -> MemoryEstimate {
    let bits = match quantization {
        Some(label) => bits_per_weight(label).map(|b| (b, true)),
        None => Some((16.0, false)),
    };
    let weights = match (parameters, bits) {
        (Some(p), Some((b, _))) => Some((p as f64 * b / 8.0).round() as u64),
        _ => None,
    };
    let kv_cache = kv.map(|k| k.bytes(context, options));
    MemoryEstimate {
        weights,
        bits,
        kv_cache,
        compute: None,
        context,
        options,
        overhead: OVERHEAD_BYTES,
    }
}

/// What llama.cpp allocates for a GGUF file at `context`: its tensor data (`weights_bytes`,
/// the file's size past the header), the KV cache and the compute buffer, from the header's
/// shape; `None` when the header does not state the shape. The runtime overhead is not part
/// of it: this is the figure llama.cpp's own `memory breakdown` reports (model + context +
/// compute), which the llama.cpp check compares it with.
pub fn allocated_by_llama_cpp(
    file: &super::file_meta::FileMetadata,
    weights_bytes: u64,
    context: u64,
    options: KvOptions,
) -> Option<(u64, u64, u64)> {
    let kv = file.kv_shape()?;
    let compute = file.compute?;
    // llama.cpp allocates the context it is given, past the trained one too (it warns).
    Some((
        weights_bytes,
        kv.bytes(context, options),
        super::compute::compute_bytes(&compute, &kv, context, options),
    ))
}

/// `4.7 GB`: decimal gigabytes with one decimal, as GPU memory is sold.
pub fn gigabytes(bytes: u64) -> String {
    format!("{:.1} GB", bytes as f64 / 1e9)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_inputs_pack_and_say_what_is_known() {
        let kv = KvShape::dense(32, 8, 128);
        let d = KvOptions::default();
        let inputs = FitInputs::new(Some(4_900_000_000), Some(kv));
        assert_eq!(
            FitInputs::unpack(inputs.pack(), inputs.pack_window()),
            inputs
        );
        assert_eq!(
            inputs.need(32_768, d),
            Need::Known(4_900_000_000 + OVERHEAD_BYTES + 131_072 * 32_768)
        );
        let weights_only = FitInputs::new(Some(4_900_000_000), None);
        assert_eq!(weights_only.need(1, d), Need::AtLeast(5_400_000_000));
        assert_eq!(FitInputs::new(None, Some(kv)).need(1, d), Need::Unknown);
        assert_eq!(
            FitInputs::new(Some(u64::MAX), None).need(1, d),
            Need::Unknown
        );
        assert_eq!(FitInputs::default().pack(), 0);
        // Sliding-window layers: the packed rates give the shape's own figure.
        let gemma = KvShape {
            swa_layers: 52,
            swa_window: 1024,
            ..KvShape::dense(62, 16, 128)
        };
        let packed = FitInputs::new(Some(1_000_000), Some(gemma));
        let unpacked = FitInputs::unpack(packed.pack(), packed.pack_window());
        assert_eq!(
            unpacked.need(131_072, d),
            Need::Known(1_000_000 + OVERHEAD_BYTES + gemma.bytes(131_072, d))
        );
        let all_window = KvShape {
            swa_layers: 4,
            swa_window: 128,
            ..KvShape::dense(4, 2, 64)
        };
        let packed = FitInputs::new(Some(1_000_000), Some(all_window));
        assert_eq!(
            packed.need(131_072, d),
            Need::Known(1_000_000 + OVERHEAD_BYTES + all_window.bytes(131_072, d))
        );
    }

    #[test]
    fn memory_budgets_read_like_gpu_sizes() {
        assert_eq!(parse_memory("24GB"), Some(24_000_000_000));
        assert_eq!(parse_memory("24 gb"), Some(24_000_000_000));
        assert_eq!(parse_memory("80G"), Some(80_000_000_000));
        assert_eq!(parse_memory("12"), Some(12_000_000_000));
        assert_eq!(parse_memory("1.5TB"), Some(1_500_000_000_000));
        assert_eq!(parse_memory("512MB"), Some(512_000_000));
        for bytes in [24_000_000_000, 512_000_000, 1_500_000_000, 1_234_567] {
            assert_eq!(parse_memory(&budget_text(bytes)), Some(bytes), "{bytes}");
        }
        for bad in ["", "abc", "-4GB", "NaNGB", "inf", "0", "1e30"] {
            assert_eq!(parse_memory(bad), None, "{bad}");
        }
    }

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
        let kv = KvShape::dense(32, 8, 128);
        let d = KvOptions::default();
        let e = estimate(Some(8_030_000_000), Some("Q4_K_M"), Some(kv), 32_768, d);
        assert_eq!(gigabytes(e.weights.unwrap()), "4.9 GB");
        assert_eq!(gigabytes(e.kv_cache.unwrap()), "4.3 GB");
        assert_eq!(gigabytes(e.total().unwrap()), "9.7 GB");
        let unknown = estimate(Some(8_030_000_000), None, None, 32_768, d);
        assert_eq!(unknown.bits, Some((16.0, false)));
        assert_eq!(unknown.total(), None, "no KV shape: the total is unknown");
        assert_eq!(estimate(None, Some("Q4_K_M"), None, 1, d).weights, None);
    }
}
