//! Readers for model file formats (GGUF headers, safetensors headers, Hugging Face
//! `config.json`): pure functions over bytes, imported by `ops`, importing nothing of ours.

pub mod gguf;
pub mod safetensors;
