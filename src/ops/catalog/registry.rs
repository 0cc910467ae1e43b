//! A repository's GGUF files as a container registry for Ollama (and the manifest older
//! llama.cpp asks for), SPEC §15: a tag names a file by `catalog::gguf_choice`, the manifest's
//! layers are the stored blobs themselves, and the config and licence blobs are made from what
//! the catalog knows, the same bytes (so the same digest) every time for one revision.

use sha2::{Digest, Sha256};

use super::hub::{HubRepo, hub_repo, hub_revision};
use crate::catalog::gguf_choice::{self, GgufChoice};
use crate::catalog::ids::ProjectId;
use crate::catalog::repo::{RepoFile, Revision};
use crate::ops::{OpsError, Services};

pub const MODEL: &str = "application/vnd.ollama.image.model";
pub const PROJECTOR: &str = "application/vnd.ollama.image.projector";
pub const CONFIG: &str = "application/vnd.docker.container.image.v1+json";
const LICENSE: &str = "application/vnd.ollama.image.license";
/// Repo files that shape the Ollama model, as on Hugging Face: `template`, `system`, `params`.
const SHAPING: [(&str, &str); 3] = [
    ("template", "application/vnd.ollama.image.template"),
    ("system", "application/vnd.ollama.image.system"),
    ("params", "application/vnd.ollama.image.params"),
];

/// One layer (or the config) of a manifest.
#[derive(Debug, Clone)]
pub struct Layer {
    pub media_type: &'static str,
    pub digest: String,
    pub size: u64,
}

/// Where a blob's bytes come from: a stored file, or bytes made here.
pub enum BlobSource {
    File(RepoFile),
    Made(Vec<u8>),
}

/// A repository's main revision, as its registry serves it.
pub struct RegistryRepo {
    pub repo: HubRepo,
    pub revision: Revision,
    pub files: Vec<RepoFile>,
}

/// The repository `{org}/{name}` at `main`, if the caller may see it (shared, or its own).
pub async fn registry_repo(
    services: &Services,
    caller: Option<ProjectId>,
    org: &str,
    name: &str,
) -> Result<Option<RegistryRepo>, OpsError> {
    let Some(repo) = hub_repo(services, caller, org.into(), name.into()).await? else {
        return Ok(None);
    };
    let Some((revision, files)) = hub_revision(services, repo.model.id, None).await? else {
        return Ok(None);
    };
    Ok(Some(RegistryRepo {
        repo,
        revision,
        files,
    }))
}

/// A built manifest: what it lists, and the files a single-file client wants.
pub struct Manifest {
    pub config: Layer,
    pub layers: Vec<Layer>,
    pub choice: GgufChoice,
    pub gguf: RepoFile,
    pub mmproj: Option<RepoFile>,
}

impl RegistryRepo {
    fn paths(&self) -> Vec<&str> {
        self.files.iter().map(|f| f.path.as_str()).collect()
    }

    fn file(&self, path: &str) -> Option<&RepoFile> {
        self.files.iter().find(|f| f.path == path)
    }

    /// The tags this repository answers: each GGUF quantization, and `latest`.
    pub fn tags(&self) -> Vec<String> {
        gguf_choice::tags(&self.paths())
    }

    /// The manifest of a tag (`latest`: llama.cpp's default choice), or `None`.
    pub fn manifest(&self, tag: &str) -> Option<Manifest> {
        let wanted = (!tag.eq_ignore_ascii_case("latest")).then_some(tag);
        let choice = gguf_choice::choose(&self.paths(), wanted)?;
        let gguf = self.file(choice.primary())?.clone();
        let mmproj = choice.mmproj.as_deref().and_then(|p| self.file(p)).cloned();
        let mut layers: Vec<Layer> = choice
            .parts
            .iter()
            .filter_map(|p| self.file(p))
            .map(|f| layer(MODEL, f))
            .collect();
        if let Some(projector) = &mmproj {
            layers.push(layer(PROJECTOR, projector));
        }
        for (path, media_type) in SHAPING {
            if let Some(file) = self.file(path) {
                layers.push(layer(media_type, file));
            }
        }
        if let Some(license) = self.license_bytes() {
            layers.push(made(LICENSE, &license));
        }
        let quantization = choice_tag(choice.primary());
        let config = self.config_bytes(&quantization, &layers);
        Some(Manifest {
            config: made(CONFIG, &config),
            layers,
            choice,
            gguf,
            mmproj,
        })
    }

    /// Ollama's `ConfigV2`, from what the catalog knows of the model and the file's quantization.
    fn config_bytes(&self, quantization: &str, layers: &[Layer]) -> Vec<u8> {
        let details = &self.repo.model.details;
        let family = details
            .architecture
            .as_ref()
            .map(|a| a.as_str().to_owned())
            .unwrap_or_else(|| "unknown".into());
        let size = details
            .parameter_count
            .map(|p| p.to_string())
            .unwrap_or_default();
        serde_json::to_vec(&serde_json::json!({
            "model_format": "gguf",
            "model_family": family,
            "model_families": [family],
            "model_type": size,
            "file_type": quantization,
            "architecture": "amd64",
            "os": "linux",
            "context_length": details.context_length.map(|c| c.get()),
            "rootfs": {"type": "layers", "diff_ids": layers.iter().map(|l| l.digest.clone()).collect::<Vec<_>>()},
        }))
        .unwrap_or_default()
    }

    /// The licence Ollama shows (`ollama show --license`): the model's licence by name.
    fn license_bytes(&self) -> Option<Vec<u8>> {
        let license = self.repo.model.details.license.as_ref()?;
        Some(format!("{}\n", license.display_name()).into_bytes())
    }

    /// The bytes of a blob this repository's manifests name (a stored file, the config or the
    /// licence of any tag); `None` for anything else, whoever else holds it.
    pub fn blob(&self, digest: &str) -> Option<BlobSource> {
        let hex = digest.strip_prefix("sha256:")?;
        if let Some(file) = self.files.iter().find(|f| f.sha256 == hex) {
            return Some(BlobSource::File(file.clone()));
        }
        if let Some(license) = self.license_bytes()
            && sha256_hex(&license) == hex
        {
            return Some(BlobSource::Made(license));
        }
        let mut tags = self.tags();
        tags.push("latest".into());
        tags.iter().find_map(|tag| {
            let manifest = self.manifest(tag)?;
            let quantization = choice_tag(manifest.choice.primary());
            let config = self.config_bytes(&quantization, &manifest.layers);
            (sha256_hex(&config) == hex).then_some(BlobSource::Made(config))
        })
    }
}

/// The quantization a file's name states (`Q4_K_M`), else `unknown`.
fn choice_tag(path: &str) -> String {
    gguf_choice::tags(&[path])
        .into_iter()
        .next()
        .unwrap_or_else(|| "unknown".into())
}

fn layer(media_type: &'static str, file: &RepoFile) -> Layer {
    Layer {
        media_type,
        digest: format!("sha256:{}", file.sha256),
        size: file.size,
    }
}

fn made(media_type: &'static str, bytes: &[u8]) -> Layer {
    Layer {
        media_type,
        digest: format!("sha256:{}", sha256_hex(bytes)),
        size: bytes.len() as u64,
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    crate::auth::device::hex(&Sha256::digest(bytes))
}
