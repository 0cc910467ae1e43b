//! The KV cache a model allocates at a context, as llama.cpp sizes it (SPEC §11, issue 27):
//! per layer and cached token a key row and a value row of `kv_heads × head_size` elements;
//! sliding-window layers keep only their window; multi-head latent attention (DeepSeek V2/V3,
//! Kimi) caches the compressed latent and the rope part instead of per-head keys and values.

use serde::{Deserialize, Serialize};

/// The attention shape that sizes the KV cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KvShape {
    /// Layers that keep a KV cache (hybrid linear-attention models: the attention layers only).
    pub layers: u64,
    pub kv_heads: u64,
    pub head_size: u64,
    /// Per-head value size when it differs from the key's (0: the same).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub value_size: u64,
    /// How many of `layers` attend to a sliding window only, and the window in tokens.
    #[serde(default)]
    pub swa_layers: u64,
    #[serde(default)]
    pub swa_window: u64,
    /// Multi-head latent attention: the cache holds the latent and the rope part per token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mla: Option<Mla>,
}

fn is_zero(v: &u64) -> bool {
    *v == 0
}

/// The ranks of multi-head latent attention (`kv_lora_rank`, `qk_rope_head_dim`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mla {
    pub kv_rank: u64,
    pub rope_dim: u64,
}

/// The element type of the cache, as llama.cpp (`--cache-type-k/-v`) and vLLM
/// (`--kv-cache-dtype`) offer it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Hash)]
#[serde(rename_all = "snake_case")]
pub enum KvType {
    #[default]
    F16,
    Q8_0,
    Q4_0,
}

impl KvType {
    pub const ALL: [KvType; 3] = [KvType::F16, KvType::Q8_0, KvType::Q4_0];

    pub fn parse(input: &str) -> Option<Self> {
        match input.trim().to_ascii_lowercase().as_str() {
            "f16" | "fp16" | "bf16" | "16" => Some(Self::F16),
            "q8_0" | "q8" | "fp8" | "int8" | "8" => Some(Self::Q8_0),
            "q4_0" | "q4" | "int4" | "4" => Some(Self::Q4_0),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::F16 => "f16",
            Self::Q8_0 => "q8_0",
            Self::Q4_0 => "q4_0",
        }
    }

    /// Bytes of one cached row of `elements` values: ggml's block sizes (q8_0: 32 values in
    /// 34 bytes, q4_0: 32 values in 18 bytes).
    pub fn row_bytes(self, elements: u64) -> u64 {
        match self {
            Self::F16 => elements.saturating_mul(2),
            Self::Q8_0 => elements.div_ceil(32).saturating_mul(34),
            Self::Q4_0 => elements.div_ceil(32).saturating_mul(18),
        }
    }
}

/// The knobs that change the cache: its element type and how many sequences run at once
/// (llama.cpp `--parallel`, vLLM `--max-num-seqs`), each with its own context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KvOptions {
    pub kv_type: KvType,
    pub parallel: u64,
}

impl Default for KvOptions {
    fn default() -> Self {
        Self {
            kv_type: KvType::F16,
            parallel: 1,
        }
    }
}

/// Most parallel sequences the estimate accepts.
pub const MAX_PARALLEL: u64 = 256;

/// llama.cpp's micro-batch (`-ub`, default 512): a sliding-window cache keeps this many cells
/// beyond its window so a whole batch fits.
pub const UBATCH: u64 = 512;
/// llama.cpp rounds cache sizes up to this many cells.
pub const CELL_PAD: u64 = 256;

impl KvShape {
    /// A plain (full attention, per-head) shape.
    pub fn dense(layers: u64, kv_heads: u64, head_size: u64) -> Self {
        Self {
            layers,
            kv_heads,
            head_size,
            value_size: 0,
            swa_layers: 0,
            swa_window: 0,
            mla: None,
        }
    }

    /// Elements of the key row and of the value row one layer caches per token. With MLA,
    /// llama.cpp caches the latent plus the rope part as the key and reads the value out of
    /// the same row, so it stores no separate value.
    pub fn row_elements(&self) -> (u64, u64) {
        match self.mla {
            Some(mla) => (mla.kv_rank.saturating_add(mla.rope_dim), 0),
            None => {
                let value = if self.value_size > 0 {
                    self.value_size
                } else {
                    self.head_size
                };
                (
                    self.kv_heads.saturating_mul(self.head_size),
                    self.kv_heads.saturating_mul(value),
                )
            }
        }
    }

    /// Bytes one layer caches per token.
    pub fn layer_token_bytes(&self, kv_type: KvType) -> u64 {
        let (k, v) = self.row_elements();
        kv_type
            .row_bytes(k)
            .saturating_add(if v > 0 { kv_type.row_bytes(v) } else { 0 })
    }

    fn full_layers(&self) -> u64 {
        self.layers.saturating_sub(self.swa_layers)
    }

    /// Bytes per token of context that grow with the context (every full-attention layer),
    /// at a 16-bit cache: what the fit facet stores.
    pub fn growing_bytes_per_token(&self) -> u64 {
        self.full_layers()
            .saturating_mul(self.layer_token_bytes(KvType::F16))
    }

    /// Bytes per cached cell of the sliding-window layers, at a 16-bit cache.
    pub fn window_bytes_per_cell(&self) -> u64 {
        if self.swa_window == 0 {
            return 0;
        }
        self.swa_layers
            .saturating_mul(self.layer_token_bytes(KvType::F16))
    }

    /// The cache at `context` tokens per sequence.
    pub fn bytes(&self, context: u64, options: KvOptions) -> u64 {
        let parallel = options.parallel.clamp(1, MAX_PARALLEL);
        let cells = padded(context.saturating_mul(parallel));
        let per_layer = self.layer_token_bytes(options.kv_type);
        let full = self
            .full_layers()
            .saturating_mul(per_layer)
            .saturating_mul(cells);
        let window = if self.swa_window > 0 && self.swa_layers > 0 {
            self.swa_layers
                .saturating_mul(per_layer)
                .saturating_mul(window_cells(self.swa_window, context, parallel))
        } else {
            0
        };
        full.saturating_add(window)
    }
}

/// How many of `layers` llama.cpp runs with a sliding window for a GGUF architecture that
/// states `attention.sliding_window` (its `set_swa_pattern`: in every group of `n` layers, all
/// but the last are windowed); `None` for architectures it runs without one.
pub fn swa_layers_of(architecture: &str, layers: u64) -> Option<u64> {
    let pattern: u64 = match architecture {
        "gemma2" | "gpt-oss" | "gptoss" => 2,
        "cohere2" => 4,
        "gemma3" | "gemma3n" => 6,
        _ => return None,
    };
    Some(layers - layers / pattern)
}

/// The fit of a model in a budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FitAnswer {
    /// Weights, KV cache and overhead are known and within the budget.
    Yes,
    /// The weights and overhead are within it; the KV cache is not known.
    WeightsOnly,
    No,
    /// Not even the weights are known.
    Unknown,
}

impl FitAnswer {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Yes => "yes",
            Self::WeightsOnly => "weights_only",
            Self::No => "no",
            Self::Unknown => "unknown",
        }
    }
}

/// A cell count as llama.cpp allocates it: rounded up to [`CELL_PAD`].
pub fn padded(cells: u64) -> u64 {
    cells.div_ceil(CELL_PAD).saturating_mul(CELL_PAD)
}

/// Cells of a sliding-window layer's cache: the window of every sequence plus one
/// micro-batch, padded, never more than the full cache.
pub fn window_cells(window: u64, context: u64, parallel: u64) -> u64 {
    let full = padded(context.saturating_mul(parallel));
    padded(window.saturating_mul(parallel).saturating_add(UBATCH)).min(full)
}

/// The KV cache at a context from the two figures the fit facet stores (16-bit bytes per
/// token of the growing layers; 16-bit bytes per cell of the window layers and the window),
/// scaled to the cache type the same way [`KvShape::bytes`] does for whole rows.
pub fn bytes_from_rates(
    growing_per_token: u64,
    window_per_cell: u64,
    window: u64,
    context: u64,
    options: KvOptions,
) -> u64 {
    let parallel = options.parallel.clamp(1, MAX_PARALLEL);
    let scale = |f16_bytes: u64| match options.kv_type {
        KvType::F16 => f16_bytes,
        // Rows are whole blocks of 32 values: 64 bytes at f16 become 34 or 18.
        KvType::Q8_0 => f16_bytes / 64 * 34,
        KvType::Q4_0 => f16_bytes / 64 * 18,
    };
    let full = scale(growing_per_token).saturating_mul(padded(context.saturating_mul(parallel)));
    let windowed = if window > 0 {
        scale(window_per_cell).saturating_mul(window_cells(window, context, parallel))
    } else {
        0
    };
    full.saturating_add(windowed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dense_cache_is_two_rows_per_layer_and_token() {
        // Llama 3.1 8B at 32K, f16: 32 × 2 × 8 × 128 × 2 bytes × 32 768 = 4 GiB.
        let llama = KvShape::dense(32, 8, 128);
        assert_eq!(llama.bytes(32_768, KvOptions::default()), 4 << 30);
        // q8_0 keeps 34 bytes per 32 values, q4_0 18.
        let q8 = KvOptions {
            kv_type: KvType::Q8_0,
            parallel: 1,
        };
        assert_eq!(llama.bytes(32_768, q8), (4u64 << 30) / 64 * 34);
        // Four sequences of 8K hold as much as one of 32K.
        let four = KvOptions {
            kv_type: KvType::F16,
            parallel: 4,
        };
        assert_eq!(llama.bytes(8_192, four), 4 << 30);
    }

    #[test]
    fn window_layers_keep_their_window_and_mla_keeps_the_latent() {
        // Gemma 3 27B: 62 layers, 52 of them with a 1 024-token window.
        let gemma = KvShape {
            swa_layers: 52,
            swa_window: 1024,
            ..KvShape::dense(62, 16, 128)
        };
        let row = 2 * 16 * 128 * 2;
        let at = |context| gemma.bytes(context, KvOptions::default());
        assert_eq!(at(131_072), 10 * row * 131_072 + 52 * row * 1_536);
        assert_eq!(
            at(1_024),
            62 * row * 1_024,
            "a short context caps the window"
        );
        // DeepSeek V3: 61 layers of a 512 latent + 64 rope dims, no separate value row.
        let deepseek = KvShape {
            mla: Some(Mla {
                kv_rank: 512,
                rope_dim: 64,
            }),
            ..KvShape::dense(61, 1, 576)
        };
        assert_eq!(
            deepseek.bytes(4_096, KvOptions::default()),
            61 * 576 * 2 * 4_096
        );
    }

    #[test]
    fn the_stored_rates_give_the_same_bytes_as_the_shape() {
        let shapes = [
            KvShape::dense(32, 8, 128),
            KvShape {
                swa_layers: 52,
                swa_window: 1024,
                ..KvShape::dense(62, 16, 128)
            },
            KvShape {
                swa_layers: 12,
                swa_window: 128,
                ..KvShape::dense(24, 8, 64)
            },
        ];
        for shape in shapes {
            for kv_type in KvType::ALL {
                for parallel in [1, 3] {
                    for context in [1, 1_000, 4_096, 32_768, 131_072] {
                        let options = KvOptions { kv_type, parallel };
                        assert_eq!(
                            bytes_from_rates(
                                shape.growing_bytes_per_token(),
                                shape.window_bytes_per_cell(),
                                shape.swa_window,
                                context,
                                options
                            ),
                            shape.bytes(context, options),
                            "{shape:?} {options:?} {context}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn cache_types_read_as_runtimes_spell_them() {
        assert_eq!(KvType::parse("Q8_0"), Some(KvType::Q8_0));
        assert_eq!(KvType::parse("fp16"), Some(KvType::F16));
        assert_eq!(KvType::parse("q4"), Some(KvType::Q4_0));
        assert_eq!(KvType::parse("q5_1"), None);
        for t in KvType::ALL {
            assert_eq!(KvType::parse(t.as_str()), Some(t));
        }
    }
}
