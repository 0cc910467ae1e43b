//! Readers for model file formats (GGUF headers, safetensors headers, Hugging Face
//! `config.json`, model cards) and for Hugging Face snapshots on disk: pure functions over
//! bytes and the local filesystem (no server, no database, no network), imported by `ops`
//! and `cli`, importing nothing of ours outside this room.

pub mod gguf;
pub mod model_card;
pub mod safetensors;
pub mod snapshot;
