//! A GGUF header reader that treats every file as hostile: it reads the metadata and tensor
//! table without loading tensor data, bounds every count and length before acting on it,
//! never allocates from an untrusted size beyond a fixed limit, and uses checked arithmetic.
//! (The gguf crates on crates.io either map the whole file or allocate from header counts.)

use std::collections::HashMap;
use std::io::Read;

const MAGIC: &[u8; 4] = b"GGUF";
/// More tensors or keys than this is not a real model (the largest have a few thousand).
pub const MAX_TENSORS: u64 = 1 << 20;
pub const MAX_KEYS: u64 = 1 << 20;
/// Longest key, and longest string value (chat templates are a few KB; 16 MiB is generous).
const MAX_KEY_LEN: u64 = 64 * 1024;
const MAX_STRING_LEN: u64 = 16 * 1024 * 1024;
/// Elements in one metadata array (vocabularies have ~250 000 entries).
const MAX_ARRAY_LEN: u64 = 1 << 26;
const MAX_DEPTH: u32 = 3;
/// GGML tensors have at most 4 dimensions; 8 leaves room.
const MAX_DIMS: u32 = 8;

/// What a GGUF header says about the model.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GgufInfo {
    pub version: u32,
    pub architecture: Option<String>,
    pub name: Option<String>,
    pub license: Option<String>,
    pub context_length: Option<u64>,
    pub file_type: Option<u32>,
    pub expert_count: Option<u64>,
    pub tensor_count: u64,
    /// Summed from the tensor shapes; `None` for a file without tensors (vocab-only).
    pub parameter_count: Option<u64>,
    /// `{arch}.expert_used_count`: experts active per token (MoE).
    pub expert_used_count: Option<u64>,
    /// Parameters used per token: all but the unused share of the expert tensors (`*_exps`),
    /// for a file that names its experts and how many a token uses.
    pub active_parameter_count: Option<u64>,
    /// `{arch}.block_count`: transformer layers.
    pub layers: Option<u64>,
    /// `{arch}.attention.head_count_kv` (falling back to `head_count`, as llama.cpp does).
    pub kv_heads: Option<u64>,
    /// `{arch}.attention.key_length`, or `embedding_length / head_count`.
    pub head_size: Option<u64>,
    /// `{arch}.attention.sliding_window`: the window of the sliding-window layers.
    pub sliding_window: Option<u64>,
    /// `{arch}.attention.kv_lora_rank` and `{arch}.rope.dimension_count`: multi-head latent
    /// attention's ranks (DeepSeek V2/V3).
    pub kv_lora_rank: Option<u64>,
    pub rope_dim: Option<u64>,
    /// `{arch}.attention.key_length_mla`: present when llama.cpp runs the file's attention as
    /// MLA (one latent row per token); an MLA file without it gets a per-head cache.
    pub key_length_mla: Option<u64>,
    /// `{arch}.attention.value_length` (defaults to the key length).
    pub value_length: Option<u64>,
    /// What sizes llama.cpp's compute buffer: `embedding_length`, `attention.head_count` and
    /// the widest feed-forward (dense, or experts used plus shared × expert width).
    pub embedding_length: Option<u64>,
    pub head_count: Option<u64>,
    pub feed_forward: Option<u64>,
    /// Where the tensor data starts (the header, aligned to `general.alignment`): the file's
    /// size minus this is the weights' size.
    pub data_offset: u64,
}

impl GgufInfo {
    /// The quantization `general.file_type` names, e.g. `Q4_K_M`.
    pub fn quantization(&self) -> Option<&'static str> {
        self.file_type.and_then(file_type_name)
    }
}

/// Why a file is not a GGUF file we accept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GgufError {
    #[error("not a GGUF file: it does not start with the magic bytes `GGUF`")]
    BadMagic,
    #[error(
        "this GGUF file is big-endian (as made for s390x); only little-endian GGUF files are read: convert it with llama.cpp's gguf tools"
    )]
    BigEndian,
    #[error("GGUF version {0} is not supported (versions 2 and 3 are)")]
    UnsupportedVersion(u32),
    #[error("the GGUF header is truncated at byte {0}")]
    Truncated(u64),
    #[error("the GGUF header claims {count} {what}, more than the {max} allowed")]
    TooMany {
        what: &'static str,
        count: u64,
        max: u64,
    },
    #[error("a GGUF {what} claims {len} bytes, more than the {max} allowed")]
    TooLong {
        what: &'static str,
        len: u64,
        max: u64,
    },
    #[error("unknown GGUF value type {0}")]
    UnknownType(u32),
    #[error("a GGUF {0} is not valid UTF-8")]
    NotUtf8(&'static str),
    #[error("GGUF arrays nested deeper than {MAX_DEPTH} levels")]
    TooDeep,
    #[error("tensor `{0}` has a shape whose size overflows")]
    Overflow(String),
    #[error("cannot read the file: {0}")]
    Io(String),
}

/// A scalar value worth keeping (arrays are skipped).
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Int(i128),
    Text(String),
    Other,
}

struct Reader<R> {
    inner: R,
    offset: u64,
}

impl<R: Read> Reader<R> {
    fn bytes<const N: usize>(&mut self) -> Result<[u8; N], GgufError> {
        let mut buf = [0u8; N];
        self.fill(&mut buf)?;
        Ok(buf)
    }

    fn fill(&mut self, buf: &mut [u8]) -> Result<(), GgufError> {
        match self.inner.read_exact(buf) {
            Ok(()) => {
                self.offset += buf.len() as u64;
                Ok(())
            }
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                Err(GgufError::Truncated(self.offset))
            }
            Err(e) => Err(GgufError::Io(e.to_string())),
        }
    }

    fn u32(&mut self) -> Result<u32, GgufError> {
        Ok(u32::from_le_bytes(self.bytes()?))
    }

    fn u64(&mut self) -> Result<u64, GgufError> {
        Ok(u64::from_le_bytes(self.bytes()?))
    }

    /// Skips `len` bytes without allocating them.
    fn skip(&mut self, len: u64) -> Result<(), GgufError> {
        let copied = std::io::copy(&mut (&mut self.inner).take(len), &mut std::io::sink())
            .map_err(|e| GgufError::Io(e.to_string()))?;
        self.offset += copied;
        if copied < len {
            return Err(GgufError::Truncated(self.offset));
        }
        Ok(())
    }

    fn string(&mut self, what: &'static str, max: u64) -> Result<String, GgufError> {
        let len = self.u64()?;
        if len > max {
            return Err(GgufError::TooLong { what, len, max });
        }
        // Bounded by `max` above; read in steps so a lying length on a short file fails early.
        let mut bytes = Vec::new();
        (&mut self.inner)
            .take(len)
            .read_to_end(&mut bytes)
            .map_err(|e| GgufError::Io(e.to_string()))?;
        self.offset += bytes.len() as u64;
        if (bytes.len() as u64) < len {
            return Err(GgufError::Truncated(self.offset));
        }
        String::from_utf8(bytes).map_err(|_| GgufError::NotUtf8(what))
    }

    /// Reads a value of `kind`; strings longer than needed are skipped, not kept.
    fn value(&mut self, kind: u32, keep: bool, depth: u32) -> Result<Value, GgufError> {
        let int = |v: i128| Ok(Value::Int(v));
        match kind {
            0 => int(i128::from(self.bytes::<1>()?[0])),
            1 => int(i128::from(i8::from_le_bytes(self.bytes()?))),
            2 => int(i128::from(u16::from_le_bytes(self.bytes()?))),
            3 => int(i128::from(i16::from_le_bytes(self.bytes()?))),
            4 => int(i128::from(self.u32()?)),
            5 => int(i128::from(i32::from_le_bytes(self.bytes()?))),
            6 => self.bytes::<4>().map(|_| Value::Other),
            7 => int(i128::from(self.bytes::<1>()?[0])),
            8 if keep => self.string("string value", MAX_STRING_LEN).map(Value::Text),
            8 => {
                let len = self.u64()?;
                if len > MAX_STRING_LEN {
                    return Err(GgufError::TooLong {
                        what: "string value",
                        len,
                        max: MAX_STRING_LEN,
                    });
                }
                self.skip(len).map(|_| Value::Other)
            }
            9 => {
                if depth >= MAX_DEPTH {
                    return Err(GgufError::TooDeep);
                }
                let element = self.u32()?;
                let count = self.u64()?;
                if count > MAX_ARRAY_LEN {
                    return Err(GgufError::TooMany {
                        what: "array elements",
                        count,
                        max: MAX_ARRAY_LEN,
                    });
                }
                if let Some(width) = fixed_width(element) {
                    let len = count.checked_mul(width).ok_or(GgufError::TooMany {
                        what: "array elements",
                        count,
                        max: MAX_ARRAY_LEN,
                    })?;
                    self.skip(len)?;
                } else {
                    for _ in 0..count {
                        self.value(element, false, depth + 1)?;
                    }
                }
                Ok(Value::Other)
            }
            10 => int(i128::from(self.u64()?)),
            11 => int(i128::from(i64::from_le_bytes(self.bytes()?))),
            12 => self.bytes::<8>().map(|_| Value::Other),
            other => Err(GgufError::UnknownType(other)),
        }
    }
}

fn fixed_width(kind: u32) -> Option<u64> {
    match kind {
        0 | 1 | 7 => Some(1),
        2 | 3 => Some(2),
        4..=6 => Some(4),
        10..=12 => Some(8),
        _ => None,
    }
}

/// Keys whose values are kept: `general.*` and the per-architecture keys we read.
fn wanted(key: &str) -> bool {
    key.starts_with("general.")
        || key.ends_with(".context_length")
        || key.ends_with(".expert_count")
        || key.ends_with(".expert_used_count")
        || key.ends_with(".block_count")
        || key.ends_with(".embedding_length")
        || key.ends_with(".attention.head_count")
        || key.ends_with(".attention.head_count_kv")
        || key.ends_with(".attention.key_length")
        || key.ends_with(".attention.kv_lora_rank")
        || key.ends_with(".attention.sliding_window")
        || key.ends_with(".rope.dimension_count")
        || key.ends_with("feed_forward_length")
        || key.ends_with(".expert_shared_count")
        || key.ends_with(".attention.value_length")
        || key.ends_with(".attention.key_length_mla")
}

/// Reads the header of a GGUF file from `input` (which need not be buffered by the caller).
pub fn read_header(input: impl Read) -> Result<GgufInfo, GgufError> {
    let mut r = Reader {
        inner: std::io::BufReader::with_capacity(64 * 1024, input),
        offset: 0,
    };
    let magic: [u8; 4] = r.bytes().map_err(|_| GgufError::BadMagic)?;
    if &magic != MAGIC {
        return Err(GgufError::BadMagic);
    }
    let version = r.u32()?;
    if !(2..=3).contains(&version) {
        // A big-endian file (llama.cpp writes them for s390x) has its version bytes reversed.
        if (1..=3).contains(&version.swap_bytes()) {
            return Err(GgufError::BigEndian);
        }
        return Err(GgufError::UnsupportedVersion(version));
    }
    let tensor_count = r.u64()?;
    if tensor_count > MAX_TENSORS {
        return Err(GgufError::TooMany {
            what: "tensors",
            count: tensor_count,
            max: MAX_TENSORS,
        });
    }
    let kv_count = r.u64()?;
    if kv_count > MAX_KEYS {
        return Err(GgufError::TooMany {
            what: "metadata keys",
            count: kv_count,
            max: MAX_KEYS,
        });
    }
    let mut kept: HashMap<String, Value> = HashMap::new();
    for _ in 0..kv_count {
        let key = r.string("key", MAX_KEY_LEN)?;
        let kind = r.u32()?;
        let keep = wanted(&key);
        let value = r.value(kind, keep, 0)?;
        if keep {
            // A duplicate key keeps its first value, as llama.cpp does.
            kept.entry(key).or_insert(value);
        }
    }
    let mut parameters: u64 = 0;
    let mut expert_parameters: u64 = 0;
    for _ in 0..tensor_count {
        let name = r.string("tensor name", MAX_KEY_LEN)?;
        let dims = r.u32()?;
        if dims > MAX_DIMS {
            return Err(GgufError::TooMany {
                what: "tensor dimensions",
                count: u64::from(dims),
                max: u64::from(MAX_DIMS),
            });
        }
        let mut elements: u64 = 1;
        for _ in 0..dims {
            let dim = r.u64()?;
            elements = elements
                .checked_mul(dim)
                .ok_or_else(|| GgufError::Overflow(name.clone()))?;
        }
        let _ggml_type = r.u32()?;
        let _offset = r.u64()?;
        parameters = parameters
            .checked_add(elements)
            .ok_or_else(|| GgufError::Overflow(name.clone()))?;
        if name.contains("_exps") {
            expert_parameters = expert_parameters.saturating_add(elements);
        }
    }
    let text = |key: &str| match kept.get(key) {
        Some(Value::Text(t)) if !t.trim().is_empty() => Some(t.trim().to_owned()),
        _ => None,
    };
    let number = |key: &str| match kept.get(key) {
        Some(Value::Int(n)) => u64::try_from(*n).ok(),
        _ => None,
    };
    let architecture = text("general.architecture");
    let per_arch = |suffix: &str| {
        architecture
            .as_ref()
            .and_then(|a| number(&format!("{a}.{suffix}")))
    };
    let alignment = number("general.alignment")
        .filter(|a| (1..=1 << 20).contains(a))
        .unwrap_or(32);
    let data_offset = r.offset.div_ceil(alignment).saturating_mul(alignment);
    let heads = per_arch("attention.head_count").filter(|&h| h > 0);
    let head_size = per_arch("attention.key_length")
        .filter(|&k| k > 0)
        .or_else(|| Some(per_arch("embedding_length")? / heads?).filter(|&k| k > 0));
    let expert_count = per_arch("expert_count").filter(|&c| c > 0);
    let expert_used_count = per_arch("expert_used_count").filter(|&c| c > 0);
    let active_parameter_count = match (expert_count, expert_used_count) {
        (Some(count), Some(used)) if expert_parameters > 0 && used < count => {
            let unused =
                (expert_parameters as u128 * u128::from(count - used) / u128::from(count)) as u64;
            Some(parameters - unused)
        }
        _ => None,
    };
    Ok(GgufInfo {
        active_parameter_count,
        expert_used_count,
        layers: per_arch("block_count").filter(|&c| c > 0),
        kv_heads: per_arch("attention.head_count_kv")
            .filter(|&c| c > 0)
            .or(heads),
        head_size,
        sliding_window: per_arch("attention.sliding_window").filter(|&w| w > 0),
        key_length_mla: per_arch("attention.key_length_mla").filter(|&k| k > 0),
        value_length: per_arch("attention.value_length").filter(|&v| v > 0),
        embedding_length: per_arch("embedding_length").filter(|&e| e > 0),
        head_count: heads,
        feed_forward: {
            let dense = per_arch("feed_forward_length").filter(|&f| f > 0);
            let experts = per_arch("expert_feed_forward_length")
                .filter(|&f| f > 0)
                .and_then(|f| {
                    let used = expert_used_count?
                        .checked_add(per_arch("expert_shared_count").unwrap_or(0))?;
                    f.checked_mul(used)
                });
            dense.max(experts)
        },
        kv_lora_rank: per_arch("attention.kv_lora_rank").filter(|&r| r > 0),
        rope_dim: per_arch("rope.dimension_count").filter(|&r| r > 0),
        data_offset,
        version,
        name: text("general.name"),
        license: text("general.license"),
        context_length: per_arch("context_length").filter(|&c| c > 0),
        expert_count: per_arch("expert_count").filter(|&c| c > 0),
        file_type: number("general.file_type").and_then(|n| u32::try_from(n).ok()),
        tensor_count,
        parameter_count: (tensor_count > 0 && parameters > 0).then_some(parameters),
        architecture,
    })
}

/// llama.cpp's `llama_ftype` names.
fn file_type_name(file_type: u32) -> Option<&'static str> {
    Some(match file_type {
        0 => "F32",
        1 => "F16",
        2 => "Q4_0",
        3 => "Q4_1",
        4 => "Q4_1_SOME_F16",
        7 => "Q8_0",
        8 => "Q5_0",
        9 => "Q5_1",
        10 => "Q2_K",
        11 => "Q3_K_S",
        12 => "Q3_K_M",
        13 => "Q3_K_L",
        14 => "Q4_K_S",
        15 => "Q4_K_M",
        16 => "Q5_K_S",
        17 => "Q5_K_M",
        18 => "Q6_K",
        19 => "IQ2_XXS",
        20 => "IQ2_XS",
        21 => "Q2_K_S",
        22 => "IQ3_XS",
        23 => "IQ3_XXS",
        24 => "IQ1_S",
        25 => "IQ4_NL",
        26 => "IQ3_S",
        27 => "IQ3_M",
        28 => "IQ2_S",
        29 => "IQ2_M",
        30 => "IQ4_XS",
        31 => "IQ1_M",
        32 => "BF16",
        // 33–35 were removed from llama.cpp; files made while they existed still carry them.
        33 => "Q4_0_4_4",
        34 => "Q4_0_4_8",
        35 => "Q4_0_8_8",
        36 => "TQ1_0",
        37 => "TQ2_0",
        // The gpt-oss releases.
        38 => "MXFP4_MOE",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A header builder for hand-made hostile files.
    pub(crate) struct Builder(Vec<u8>);

    impl Builder {
        pub(crate) fn new(version: u32, tensors: u64, kvs: u64) -> Self {
            let mut b = Vec::from(*MAGIC);
            b.extend(version.to_le_bytes());
            b.extend(tensors.to_le_bytes());
            b.extend(kvs.to_le_bytes());
            Self(b)
        }
        fn string(mut self, s: &str) -> Self {
            self.0.extend((s.len() as u64).to_le_bytes());
            self.0.extend(s.as_bytes());
            self
        }
        fn kv_str(self, key: &str, value: &str) -> Self {
            let mut b = self.string(key);
            b.0.extend(8u32.to_le_bytes());
            b.string(value)
        }
        fn kv_u32(self, key: &str, value: u32) -> Self {
            let mut b = self.string(key);
            b.0.extend(4u32.to_le_bytes());
            b.0.extend(value.to_le_bytes());
            b
        }
        fn tensor(self, name: &str, dims: &[u64]) -> Self {
            let mut b = self.string(name);
            b.0.extend((dims.len() as u32).to_le_bytes());
            for d in dims {
                b.0.extend(d.to_le_bytes());
            }
            b.0.extend(0u32.to_le_bytes());
            b.0.extend(0u64.to_le_bytes());
            b
        }
        fn raw(mut self, bytes: &[u8]) -> Self {
            self.0.extend(bytes);
            self
        }
    }

    #[test]
    fn a_small_model_header_is_read() {
        let file = Builder::new(3, 2, 4)
            .kv_str("general.architecture", "qwen3moe")
            .kv_str("general.name", "Tiny")
            .kv_u32("qwen3moe.context_length", 40960)
            .kv_u32("qwen3moe.expert_count", 4)
            .tensor("a", &[4, 8])
            .tensor("b", &[3])
            .0;
        let info = read_header(&file[..]).unwrap();
        assert_eq!(info.architecture.as_deref(), Some("qwen3moe"));
        assert_eq!(info.context_length, Some(40960));
        assert_eq!(info.expert_count, Some(4));
        assert_eq!(info.parameter_count, Some(35));
    }

    #[test]
    fn hostile_headers_are_clear_errors() {
        let cases: Vec<(&str, Vec<u8>, GgufError)> = vec![
            ("empty", vec![], GgufError::BadMagic),
            ("one byte", vec![b'G'], GgufError::BadMagic),
            (
                "html",
                b"<html><script>alert(1)</script>".to_vec(),
                GgufError::BadMagic,
            ),
            ("zip", b"PK\x03\x04rest".to_vec(), GgufError::BadMagic),
            (
                "version 0",
                Builder::new(0, 0, 0).0,
                GgufError::UnsupportedVersion(0),
            ),
            (
                "version 1",
                Builder::new(1, 0, 0).0,
                GgufError::UnsupportedVersion(1),
            ),
            (
                "version 99",
                Builder::new(99, 0, 0).0,
                GgufError::UnsupportedVersion(99),
            ),
            (
                "big-endian version 3",
                Builder::new(3u32.swap_bytes(), 0, 0).0,
                GgufError::BigEndian,
            ),
            (
                "2^60 tensors",
                Builder::new(3, 1 << 60, 0).0,
                GgufError::TooMany {
                    what: "tensors",
                    count: 1 << 60,
                    max: MAX_TENSORS,
                },
            ),
            (
                "2^63 keys",
                Builder::new(3, 0, 1 << 63).0,
                GgufError::TooMany {
                    what: "metadata keys",
                    count: 1 << 63,
                    max: MAX_KEYS,
                },
            ),
            (
                "2^50-byte key",
                Builder::new(3, 0, 1).raw(&(1u64 << 50).to_le_bytes()).0,
                GgufError::TooLong {
                    what: "key",
                    len: 1 << 50,
                    max: MAX_KEY_LEN,
                },
            ),
            (
                "u64::MAX string",
                Builder::new(3, 0, 1)
                    .string("general.name")
                    .raw(&8u32.to_le_bytes())
                    .raw(&u64::MAX.to_le_bytes())
                    .0,
                GgufError::TooLong {
                    what: "string value",
                    len: u64::MAX,
                    max: MAX_STRING_LEN,
                },
            ),
            (
                "2^40 array",
                Builder::new(3, 0, 1)
                    .string("tokens")
                    .raw(&9u32.to_le_bytes())
                    .raw(&8u32.to_le_bytes())
                    .raw(&(1u64 << 40).to_le_bytes())
                    .0,
                GgufError::TooMany {
                    what: "array elements",
                    count: 1 << 40,
                    max: MAX_ARRAY_LEN,
                },
            ),
            (
                "unknown type",
                Builder::new(3, 0, 1)
                    .string("k")
                    .raw(&77u32.to_le_bytes())
                    .0,
                GgufError::UnknownType(77),
            ),
            (
                "non-UTF-8 key",
                Builder::new(3, 0, 1)
                    .raw(&2u64.to_le_bytes())
                    .raw(&[0xff, 0xfe])
                    .0,
                GgufError::NotUtf8("key"),
            ),
            (
                "truncated in a KV",
                Builder::new(3, 0, 1)
                    .string("general.name")
                    .raw(&8u32.to_le_bytes())
                    .raw(&[5, 0])
                    .0,
                GgufError::Truncated(48),
            ),
            (
                "overflowing shape",
                Builder::new(3, 1, 0).tensor("w", &[u64::MAX, 2]).0,
                GgufError::Overflow("w".into()),
            ),
        ];
        for (name, bytes, expected) in cases {
            assert_eq!(read_header(&bytes[..]), Err(expected), "{name}");
        }
    }

    #[test]
    fn deeply_nested_arrays_are_refused() {
        let mut b = Builder::new(3, 0, 1).string("nested");
        b = b.raw(&9u32.to_le_bytes());
        for _ in 0..5 {
            b = b.raw(&9u32.to_le_bytes()).raw(&1u64.to_le_bytes());
        }
        assert_eq!(read_header(&b.0[..]), Err(GgufError::TooDeep));
    }

    #[test]
    fn duplicate_keys_keep_the_first_value() {
        let file = Builder::new(3, 0, 2)
            .kv_str("general.name", "first")
            .kv_str("general.name", "second")
            .0;
        assert_eq!(
            read_header(&file[..]).unwrap().name.as_deref(),
            Some("first")
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// Random bytes after a valid preamble never panic: they parse or are refused.
        #[test]
        fn random_headers_never_panic(tensors in 0u64..4, kvs in 0u64..4, tail in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512)) {
            let file = Builder::new(3, tensors, kvs).raw(&tail).0;
            let _ = read_header(&file[..]);
        }

        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..256)) {
            let _ = read_header(&bytes[..]);
        }
    }

    #[test]
    fn every_current_llama_cpp_file_type_has_its_name() {
        for (file_type, name) in [
            (15, "Q4_K_M"),
            (32, "BF16"),
            (36, "TQ1_0"),
            (38, "MXFP4_MOE"),
            (4, "Q4_1_SOME_F16"),
        ] {
            assert_eq!(file_type_name(file_type), Some(name));
        }
        let known = (0..=38).filter(|t| file_type_name(*t).is_some()).count();
        assert_eq!(known, 37, "all but the removed 5 and 6");
        assert_eq!(file_type_name(39), None, "unknown types are not guessed");
        let message = GgufError::BigEndian.to_string();
        assert!(message.contains("big-endian"), "{message}");
    }
}
