//! Attention shapes of published base models (issue 27): a reviewed table
//! (`attention_shapes.tsv`, one row per base model with the source of its figures), matched to
//! catalog entries by base name so that variants (`Qwen3-8B-GGUF`, `-AWQ`, `-FP8`, `-4bit`)
//! inherit their base's shape. A shape the model's own files state always wins over the table.

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use super::kv::{KvShape, Mla};

const TABLE: &str = include_str!("attention_shapes.tsv");

/// One row of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct ShapeRow {
    /// The base model's name as published.
    pub base: String,
    /// Normalised `base` (see [`normalise`]).
    key: String,
    /// Total parameters, when the row states them: a prefix match whose size disagrees by more
    /// than a quarter is refused (`DeepSeek-R1-Distill-Qwen-7B` is not `DeepSeek-R1`).
    pub parameters: Option<u64>,
    pub shape: KvShape,
    /// Where the figures come from.
    pub source: String,
}

/// Where a card's attention shape comes from, as the detail page says it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ShapeSource {
    /// The model's own files (GGUF header or `config.json`).
    Files,
    /// The table's row of this base model.
    Table { base: String, source: String },
}

static ROWS: LazyLock<Vec<ShapeRow>> = LazyLock::new(|| parse(TABLE).unwrap_or_default());

/// Row positions by normalised base: every catalog entry is looked up at each index build.
static BY_KEY: LazyLock<std::collections::HashMap<&'static str, usize>> = LazyLock::new(|| {
    ROWS.iter()
        .enumerate()
        .map(|(i, row)| (row.key.as_str(), i))
        .collect()
});

/// Every row of the built-in table.
pub fn rows() -> &'static [ShapeRow] {
    &ROWS
}

/// Lower case, `_` and spaces as `-`, a trailing ` (org)` dropped.
pub fn normalise(name: &str) -> String {
    let trimmed = match name.trim().rsplit_once(" (") {
        Some((head, tail)) if tail.ends_with(')') => head,
        _ => name.trim(),
    };
    trimmed
        .chars()
        .map(|c| match c {
            '_' | ' ' => '-',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// The table row for a model of this name and parameter count: the longest run of leading
/// name segments that is a row's base, with and without an `org_` prefix
/// (`google_gemma-3-4b-it`), whose size agrees when both sizes are known.
pub fn lookup(name: &str, parameters: Option<u64>) -> Option<&'static ShapeRow> {
    let rows = rows();
    let find = |key: &str| BY_KEY.get(key).map(|&i| &rows[i]);
    lookup_with(find, name, parameters.or_else(|| size_in_name(name)))
}

/// The size a name states (`DeepSeek-R1-Distill-Llama-8B` → 8B), for an entry that does not:
/// a prefix of another size must not give its shape either.
fn size_in_name(name: &str) -> Option<u64> {
    super::words::chunks(name)
        .iter()
        .find_map(|chunk| super::words::size_range(chunk))
        .map(|(low, high)| low / 2 + high / 2)
}

#[cfg(test)]
fn lookup_in<'a>(
    rows: &'a [ShapeRow],
    name: &str,
    parameters: Option<u64>,
) -> Option<&'a ShapeRow> {
    lookup_with(|key| rows.iter().find(|r| r.key == key), name, parameters)
}

fn lookup_with<'a>(
    find: impl Fn(&str) -> Option<&'a ShapeRow>,
    name: &str,
    parameters: Option<u64>,
) -> Option<&'a ShapeRow> {
    let full = normalise(name);
    let mut candidates = vec![full.clone()];
    if let Some((org, rest)) = name.split_once('_')
        && !org.is_empty()
        && !org.contains(['-', ' '])
        && !rest.is_empty()
    {
        candidates.push(normalise(rest));
    }
    let mut best: Option<&ShapeRow> = None;
    for candidate in &candidates {
        let mut prefix = candidate.as_str();
        loop {
            let agrees = |row: &&ShapeRow| match (row.parameters, parameters) {
                (Some(row), Some(entry)) => (entry as f64 - row as f64).abs() <= 0.25 * row as f64,
                _ => true,
            };
            if let Some(row) = find(prefix).filter(agrees) {
                if best.is_none_or(|b| row.key.len() > b.key.len()) {
                    best = Some(row);
                }
                break;
            }
            match prefix.rfind('-') {
                Some(cut) => prefix = &prefix[..cut],
                None => break,
            }
        }
    }
    best
}

/// Reads the table; a malformed row is an error naming its line (the unit test holds the
/// shipped table to it).
pub fn parse(text: &str) -> Result<Vec<ShapeRow>, String> {
    let mut rows = Vec::new();
    let mut header_seen = false;
    for (number, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        if !header_seen {
            header_seen = true;
            if line.starts_with("base\t") {
                continue;
            }
        }
        let cells: Vec<&str> = line.split('\t').map(str::trim).collect();
        let bad = |what: &str| format!("attention_shapes.tsv line {}: {what}", number + 1);
        if cells.len() < 10 {
            return Err(bad("expected 10 tab-separated columns"));
        }
        let int = |i: usize| -> Result<u64, String> {
            cells[i]
                .parse::<u64>()
                .map_err(|_| bad(&format!("column {} is not a whole number", i + 1)))
        };
        let parameters = match cells[1] {
            "" | "-" => None,
            text => Some(
                text.parse::<f64>()
                    .ok()
                    .filter(|b| b.is_finite() && *b > 0.0)
                    .map(|b| (b * 1e9).round() as u64)
                    .ok_or_else(|| bad("params_b is not a number of billions"))?,
            ),
        };
        let (kv_rank, rope_dim) = (int(7)?, int(8)?);
        let shape = KvShape {
            layers: int(2)?,
            kv_heads: int(3)?,
            head_size: int(4)?,
            value_size: 0,
            swa_layers: int(5)?,
            swa_window: int(6)?,
            mla: (kv_rank > 0).then_some(Mla { kv_rank, rope_dim }),
        };
        if shape.layers == 0 || shape.kv_heads == 0 || shape.head_size == 0 {
            return Err(bad("layers, kv_heads and head_size must be positive"));
        }
        if shape.swa_layers > shape.layers || (shape.swa_layers > 0) != (shape.swa_window > 0) {
            return Err(bad(
                "swa_layers must be within layers and come with a window",
            ));
        }
        rows.push(ShapeRow {
            base: cells[0].to_owned(),
            key: normalise(cells[0]),
            parameters,
            shape,
            source: cells[9..].join(" "),
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "# comment\nbase\tparams_b\tlayers\tkv_heads\thead_size\tswa_layers\tswa_window\tmla_kv_rank\tmla_rope_dim\tsource\n\
        Qwen3-8B\t8.2\t36\t8\t128\t0\t0\t0\t0\thttps://huggingface.co/Qwen/Qwen3-8B\n\
        DeepSeek-R1\t671\t61\t1\t576\t0\t0\t512\t64\thttps://huggingface.co/deepseek-ai/DeepSeek-R1\n\
        DeepSeek-R1-Distill-Qwen-7B\t7.6\t28\t4\t128\t0\t0\t0\t0\thttps://huggingface.co/x\n\
        gemma-3-4b\t4.3\t34\t4\t256\t28\t1024\t0\t0\thttps://huggingface.co/google/gemma-3-4b-it\n";

    #[test]
    fn variants_inherit_their_base_and_sizes_must_agree() {
        let rows = parse(SAMPLE).unwrap();
        let find = |name: &str, params: Option<u64>| {
            lookup_in(&rows, name, params).map(|r| r.base.as_str())
        };
        assert_eq!(find("Qwen3-8B-GGUF", Some(8_000_000_000)), Some("Qwen3-8B"));
        assert_eq!(find("Qwen3-8B-MLX-4bit", None), Some("Qwen3-8B"));
        assert_eq!(find("qwen3_8b_awq", None), Some("Qwen3-8B"));
        assert_eq!(find("Qwen3-8B (mlx-community)", None), Some("Qwen3-8B"));
        assert_eq!(find("google_gemma-3-4b-it", None), Some("gemma-3-4b"));
        assert_eq!(
            find("DeepSeek-R1-Distill-Qwen-7B-GGUF", Some(7_000_000_000)),
            Some("DeepSeek-R1-Distill-Qwen-7B")
        );
        // A prefix of another size is not the base, whether the entry or its name says the size.
        assert_eq!(
            find("DeepSeek-R1-Distill-Llama-8B", Some(8_000_000_000)),
            None
        );
        let name = "DeepSeek-R1-Distill-Llama-8B";
        assert_eq!(lookup_in(&rows, name, size_in_name(name)), None);
        assert_eq!(size_in_name("Qwen3-30B-A3B"), Some(30_000_000_000));
        assert_eq!(
            find("DeepSeek-R1-0528", Some(671_000_000_000)),
            Some("DeepSeek-R1")
        );
        assert_eq!(find("Qwen3-80B", None), None);
        let deepseek = lookup_in(&rows, "DeepSeek-R1", None).unwrap();
        assert_eq!(
            deepseek.shape.mla,
            Some(Mla {
                kv_rank: 512,
                rope_dim: 64
            })
        );
    }

    #[test]
    fn the_shipped_table_reads_and_keeps_every_row_distinct() {
        let rows = parse(TABLE).expect("attention_shapes.tsv");
        assert!(rows.len() >= 20, "{} rows", rows.len());
        let mut keys: Vec<&str> = rows.iter().map(|r| r.key.as_str()).collect();
        keys.sort_unstable();
        let before = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), before, "a base appears twice");
        assert!(
            rows.iter()
                .all(|r| r.source.contains("http") || r.source.contains("read:"))
        );
    }

    /// Issue 27's bar: at least 70 % of the demo catalog gets a known KV cache from the table.
    #[test]
    fn most_of_the_demo_catalog_has_a_known_shape() {
        let demo = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/demo/models-real.jsonl"
        ))
        .expect("demo/models-real.jsonl");
        let (mut total, mut known) = (0, 0);
        for line in demo.lines().filter(|l| !l.trim().is_empty()) {
            let model: serde_json::Value = serde_json::from_str(line).unwrap();
            total += 1;
            let name = model["name"].as_str().unwrap();
            if lookup(name, model["parameter_count"].as_u64()).is_some() {
                known += 1;
            }
        }
        let share = f64::from(known) / f64::from(total);
        assert!(
            share >= 0.70,
            "{known} of {total} demo models ({:.1} %)",
            share * 100.0
        );
    }

    #[test]
    fn bad_rows_name_their_line() {
        let err = parse("x\t1\n").unwrap_err();
        assert!(err.contains("line 1"), "{err}");
        let err = parse("x\t1\t0\t1\t1\t0\t0\t0\t0\ts\n").unwrap_err();
        assert!(err.contains("positive"), "{err}");
    }
}
