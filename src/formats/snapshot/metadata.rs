//! What a snapshot's files say about the model: `config.json`, the safetensors headers (or,
//! without safetensors, the first GGUF header) and `README.md`. Only what a file states is
//! filled; a file that cannot be read leaves its fields empty and adds a notice.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::Read;

use serde::Deserialize;

use super::{Snapshot, SnapshotFile};
use crate::formats::safetensors::{self, TensorTable};
use crate::formats::{gguf, model_card};

/// `model.safetensors.index.json` maps every tensor to its shard; DeepSeek-V3's is ~9 MB.
const MAX_INDEX: u64 = 64 * 1024 * 1024;
const SHARD_INDEX: &str = "model.safetensors.index.json";

/// What the files of a snapshot say.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SnapshotMetadata {
    /// The repository name part (`Qwen3-8B` for `models--Qwen--Qwen3-8B`), else the folder's.
    pub suggested_name: Option<String>,
    /// `config.json` (`model_type`, else `architectures[0]`), else the GGUF header.
    pub architecture: Option<String>,
    pub context_length: Option<u64>,
    pub expert_count: Option<u64>,
    /// `num_experts_per_tok`.
    pub active_expert_count: Option<u64>,
    /// The attention shape that sizes the KV cache, from `config.json`, else the GGUF header.
    pub layers: Option<u64>,
    pub kv_heads: Option<u64>,
    pub head_size: Option<u64>,
    /// Parameters active per token (MoE); not read from snapshots yet (a GGUF may be a split).
    pub active_parameter_count: Option<u64>,
    /// Summed over the safetensors shards (never over a partial set), else `None`.
    pub parameter_count: Option<u64>,
    /// The safetensors dtype holding most parameters across shards, e.g. `BF16`.
    pub precision: Option<String>,
    /// The first GGUF file's quantization, e.g. `Q4_K_M`.
    pub quantization: Option<String>,
    /// The first GGUF file's `general.name`.
    pub name: Option<String>,
    /// The model card's license, else the GGUF header's.
    pub license: Option<String>,
    pub tags: Vec<String>,
    pub pipeline_tag: Option<String>,
    pub base_model: Vec<String>,
    /// The card's `base_model_relation`.
    pub base_model_relation: Option<String>,
    pub language: Vec<String>,
    pub library_name: Option<String>,
    /// The model card's body, when not blank.
    pub description: Option<String>,
    /// Files that could not be read, and why: `config.json: config.json is not valid JSON: …`.
    pub notices: Vec<String>,
}

/// Reads what the snapshot's files say (see the module documentation).
pub fn metadata(snapshot: &Snapshot) -> SnapshotMetadata {
    let mut meta = SnapshotMetadata {
        suggested_name: snapshot.suggested_name().map(str::to_owned),
        ..SnapshotMetadata::default()
    };
    if let Some(file) = snapshot.file("config.json") {
        read_config(file, &mut meta);
    }
    let shards = safetensors_shards(snapshot, &mut meta.notices);
    if !shards.is_empty() {
        read_shards(&shards, &mut meta);
    } else if let Some(file) = snapshot
        .files
        .iter()
        .find(|f| has_extension(&f.path, "gguf"))
    {
        read_gguf(file, &mut meta);
    }
    if let Some(file) = snapshot.file("README.md") {
        read_card(file, &mut meta);
    }
    meta
}

fn has_extension(path: &str, extension: &str) -> bool {
    path.rsplit_once('.')
        .is_some_and(|(_, ext)| ext.eq_ignore_ascii_case(extension))
}

fn open(file: &SnapshotFile) -> Result<File, String> {
    File::open(&file.source).map_err(|e| format!("{}: cannot read it: {e}", file.path))
}

fn read_config(file: &SnapshotFile, meta: &mut SnapshotMetadata) {
    let config = open(file)
        .and_then(|f| safetensors::read_config(f).map_err(|e| format!("{}: {e}", file.path)));
    match config {
        Ok(config) => {
            meta.architecture = config.architecture;
            meta.context_length = config.context_length;
            meta.expert_count = config.expert_count;
            meta.active_expert_count = config.active_expert_count;
            meta.layers = config.layers;
            meta.kv_heads = config.kv_heads;
            meta.head_size = config.head_size;
        }
        Err(notice) => meta.notices.push(notice),
    }
}

#[derive(Deserialize)]
struct ShardIndex {
    weight_map: BTreeMap<String, String>,
}

/// Returns the safetensors files that hold the model: the shards `model.safetensors.index.json`
/// lists when there is one (so a `consolidated.safetensors` beside them is not counted twice),
/// else every `*.safetensors` file. An index naming a missing shard gives none: a partial sum
/// would be a wrong parameter count.
fn safetensors_shards<'a>(
    snapshot: &'a Snapshot,
    notices: &mut Vec<String>,
) -> Vec<&'a SnapshotFile> {
    let all = || {
        snapshot
            .files
            .iter()
            .filter(|f| has_extension(&f.path, "safetensors"))
            .collect()
    };
    let Some(index_file) = snapshot.file(SHARD_INDEX) else {
        return all();
    };
    let index = open(index_file).and_then(|f| {
        let mut bytes = Vec::new();
        f.take(MAX_INDEX + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("{SHARD_INDEX}: cannot read it: {e}"))?;
        if bytes.len() as u64 > MAX_INDEX {
            return Err(format!("{SHARD_INDEX}: larger than {MAX_INDEX} bytes"));
        }
        serde_json::from_slice::<ShardIndex>(&bytes)
            .map_err(|e| format!("{SHARD_INDEX}: not a shard index: {e}"))
    });
    let index = match index {
        Ok(index) => index,
        Err(notice) => {
            notices.push(notice);
            return all();
        }
    };
    let names: BTreeSet<&str> = index.weight_map.values().map(String::as_str).collect();
    let mut shards = Vec::new();
    for name in names {
        match snapshot.file(name) {
            Some(file) => shards.push(file),
            None => {
                notices.push(format!(
                    "{SHARD_INDEX}: shard `{}` is not in the snapshot; parameter count left empty",
                    name.escape_debug()
                ));
                return Vec::new();
            }
        }
    }
    shards
}

/// Sums parameters per dtype over all shards; any unreadable shard leaves the count empty.
fn read_shards(shards: &[&SnapshotFile], meta: &mut SnapshotMetadata) {
    let mut by_dtype: BTreeMap<String, u64> = BTreeMap::new();
    let mut total: u64 = 0;
    for shard in shards {
        let table = open(shard).and_then(|f| read_shard(f, shard));
        let table = match table {
            Ok(table) => table,
            Err(notice) => {
                meta.notices.push(notice);
                return;
            }
        };
        let Some(sum) = total.checked_add(table.parameter_count) else {
            meta.notices
                .push(format!("{}: parameter count overflows", shard.path));
            return;
        };
        total = sum;
        for (dtype, count) in table.parameters_by_dtype {
            // At most `total`, which did not overflow.
            *by_dtype.entry(dtype).or_default() += count;
        }
    }
    meta.parameter_count = Some(total).filter(|&p| p > 0);
    meta.precision = safetensors::majority_dtype(&by_dtype);
}

fn read_shard(file: File, shard: &SnapshotFile) -> Result<TensorTable, String> {
    let table = safetensors::read_tensor_table(file).map_err(|e| format!("{}: {e}", shard.path))?;
    // The check `SafeTensors::read_metadata` makes on a whole file: an interrupted download
    // has a valid header but less data.
    if table.file_size != shard.size {
        return Err(format!(
            "{}: the header describes {} bytes but the file has {} (an incomplete download?)",
            shard.path, table.file_size, shard.size
        ));
    }
    Ok(table)
}

fn read_gguf(file: &SnapshotFile, meta: &mut SnapshotMetadata) {
    let info =
        open(file).and_then(|f| gguf::read_header(f).map_err(|e| format!("{}: {e}", file.path)));
    let info = match info {
        Ok(info) => info,
        Err(notice) => {
            meta.notices.push(notice);
            return;
        }
    };
    meta.quantization = info.quantization().map(str::to_owned);
    meta.architecture = meta.architecture.take().or(info.architecture);
    meta.context_length = meta.context_length.or(info.context_length);
    meta.expert_count = meta.expert_count.or(info.expert_count);
    meta.active_expert_count = meta.active_expert_count.or(info.expert_used_count);
    // Counts from one GGUF would be wrong for a split model (and a repository may hold several
    // quantizations): only the header's shape is taken.
    meta.layers = meta.layers.or(info.layers);
    meta.kv_heads = meta.kv_heads.or(info.kv_heads);
    meta.head_size = meta.head_size.or(info.head_size);
    meta.name = info.name;
    meta.license = info.license;
}

fn read_card(file: &SnapshotFile, meta: &mut SnapshotMetadata) {
    let text = open(file)
        .and_then(|f| model_card::read_card_text(f).map_err(|e| format!("{}: {e}", file.path)));
    let text = match text {
        Ok(text) => text,
        Err(notice) => {
            meta.notices.push(notice);
            return;
        }
    };
    let body = match model_card::parse_model_card(&text) {
        Ok(card) => {
            // The card is the repository's statement; the GGUF header's only fills a gap.
            meta.license = card.license.or(meta.license.take());
            meta.tags = card.tags;
            meta.pipeline_tag = card.pipeline_tag;
            meta.base_model = card.base_model;
            meta.base_model_relation = card.base_model_relation;
            meta.language = card.language;
            meta.library_name = card.library_name;
            card.body
        }
        Err(e) => {
            // A broken front matter says nothing, but the body is still the description.
            meta.notices.push(format!("{}: {e}", file.path));
            model_card::split_front_matter(&text).1.to_owned()
        }
    };
    let body = body.trim();
    meta.description = (!body.is_empty()).then(|| body.to_owned());
}

#[cfg(all(test, unix))]
mod tests {
    use std::fs;
    use std::path::Path;

    use ::safetensors::Dtype;

    use super::*;
    use crate::formats::safetensors::test_files;
    use crate::formats::snapshot::scan;

    fn write(root: &Path, path: &str, bytes: &[u8]) {
        let path = root.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
    }

    fn read(root: &Path) -> SnapshotMetadata {
        metadata(&scan(root).unwrap())
    }

    const MIXTRAL_CONFIG: &[u8] = br#"{"architectures":["MixtralForCausalLM"],"model_type":"mixtral","max_position_embeddings":32768,"num_local_experts":8,"num_experts_per_tok":2}"#;

    #[test]
    fn sharded_safetensors_are_summed_and_config_gives_experts() {
        // Arrange
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("Tiny-MoE");
        let first =
            test_files::safetensors(&[("a", Dtype::BF16, &[8, 4]), ("n", Dtype::F32, &[4])]);
        let second = test_files::safetensors(&[("b", Dtype::BF16, &[4, 8])]);
        write(&root, "model-00001-of-00002.safetensors", &first);
        write(&root, "model-00002-of-00002.safetensors", &second);
        write(&root, "config.json", MIXTRAL_CONFIG);
        // Act
        let meta = read(&root);
        // Assert
        assert_eq!(
            meta,
            SnapshotMetadata {
                suggested_name: Some("Tiny-MoE".into()),
                architecture: Some("mixtral".into()),
                context_length: Some(32768),
                expert_count: Some(8),
                active_expert_count: Some(2),
                parameter_count: Some(68),
                precision: Some("BF16".into()),
                ..SnapshotMetadata::default()
            }
        );
    }

    #[test]
    fn the_shard_index_decides_which_files_count() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let shard = test_files::safetensors(&[("a", Dtype::F16, &[10])]);
        write(root, "model-00001-of-00001.safetensors", &shard);
        // Mistral ships the same weights twice: counting both would double the size.
        write(root, "consolidated.safetensors", &shard);
        let index = br#"{"metadata":{"total_size":20},"weight_map":{"a":"model-00001-of-00001.safetensors"}}"#;
        write(root, SHARD_INDEX, index);
        assert_eq!(read(root).parameter_count, Some(10));

        let missing = br#"{"weight_map":{"a":"model-00001-of-00001.safetensors","b":"model-00002-of-00002.safetensors"}}"#;
        write(root, SHARD_INDEX, missing);
        let meta = read(root);
        assert_eq!((meta.parameter_count, meta.precision), (None, None));
        assert!(
            meta.notices[0].contains("`model-00002-of-00002.safetensors` is not in the snapshot")
        );
    }

    #[test]
    fn an_unreadable_shard_leaves_the_count_empty_and_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let mut shard = test_files::safetensors(&[("a", Dtype::F32, &[16])]);
        write(root, "a.safetensors", &shard);
        shard.truncate(shard.len() - 4);
        write(root, "b.safetensors", &shard);
        write(root, "config.json", b"{not json");
        let meta = read(root);
        assert_eq!(meta.parameter_count, None);
        assert_eq!(meta.architecture, None);
        assert_eq!(meta.notices.len(), 2, "{:?}", meta.notices);
        assert!(meta.notices[0].starts_with("config.json: config.json is not valid JSON"));
        assert!(meta.notices[1].contains("b.safetensors: the header describes"));
    }

    #[test]
    fn without_safetensors_the_first_gguf_speaks_and_the_card_wins() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let gguf = include_bytes!("../../../tests/data/gguf/synthetic-qwen3moe-f16.gguf");
        write(root, "qwen3moe-f16.gguf", gguf);
        write(root, "zz-other.gguf", b"not read");
        let card = "---\nlicense: apache-2.0\ntags: [moe, gguf]\nbase_model:\n  - Qwen/Qwen3-30B-A3B\n  - Qwen/Qwen3-30B-A3B-Base\nlanguage: en\npipeline_tag: text-generation\n---\n\n# Tiny MoE\n\nFor tests.\n";
        write(root, "README.md", card.as_bytes());
        let meta = read(root);
        assert_eq!(meta.architecture.as_deref(), Some("qwen3moe"));
        assert_eq!(meta.name.as_deref(), Some("Synthetic Tiny Qwen3 MoE"));
        assert_eq!(meta.quantization.as_deref(), Some("F16"));
        assert_eq!(
            (meta.context_length, meta.expert_count),
            (Some(40960), Some(4))
        );
        assert_eq!(
            meta.parameter_count, None,
            "a GGUF may be one split of many"
        );
        assert_eq!(meta.license.as_deref(), Some("apache-2.0"));
        assert_eq!(meta.tags, ["moe", "gguf"]);
        assert_eq!(
            meta.base_model,
            ["Qwen/Qwen3-30B-A3B", "Qwen/Qwen3-30B-A3B-Base"]
        );
        assert_eq!(meta.language, ["en"]);
        assert_eq!(meta.pipeline_tag.as_deref(), Some("text-generation"));
        assert_eq!(
            meta.description.as_deref(),
            Some("# Tiny MoE\n\nFor tests.")
        );
        assert!(meta.notices.is_empty(), "{:?}", meta.notices);
    }

    #[test]
    fn a_card_with_bad_yaml_still_gives_its_body() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "README.md", b"---\ntags: [a\n---\nThe body.\n");
        let meta = read(root);
        assert_eq!(meta.description.as_deref(), Some("The body."));
        assert!(meta.tags.is_empty());
        assert!(
            meta.notices[0].starts_with("README.md: the YAML front matter"),
            "{:?}",
            meta.notices
        );
        write(root, "README.md", b"Only a body.");
        let meta = read(root);
        assert_eq!(meta.description.as_deref(), Some("Only a body."));
        assert!(meta.notices.is_empty());
    }
}
