//! Catalog bundles (SPEC §12, issue 15): the manifest that carries models between installs that
//! cannot see each other. Pure data and its rules; reading, signing and writing archives is
//! `ops::admin::bundle`'s job.
//!
//! The manifest holds every catalog field of each model (UUIDs kept, so links between installs
//! stay valid), its repository revisions with each file's size and sha256, and the list of the
//! blobs the archive carries. Format versions only grow: a reader refuses a newer one rather
//! than guess what it left out.

use serde::{Deserialize, Serialize};

use super::architecture::Architecture;
use super::file_meta::FileMetadata;
use super::ids::{ModelId, ProjectId};
use super::license::License;
use super::model::{Artifact, Model, ModelDetails};
use super::repo::{RepoFile, Revision, is_revision_id, parse_digest, parse_path};
use super::units::{ContextLength, ParameterCount};

/// What the `format` field of every manifest says.
pub const FORMAT: &str = "xeroctl-bundle";
/// The manifest format this build writes and the newest it reads.
pub const FORMAT_VERSION: u32 = 1;

/// The whole manifest of one bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub format_version: u32,
    pub created_at: String,
    /// The program that wrote it, e.g. `xeroctl 0.1.0`.
    pub generator: String,
    pub selection: Selection,
    /// Whether the archive carries the blobs listed in `files`.
    pub with_files: bool,
    pub projects: Vec<BundleProject>,
    pub models: Vec<BundleModel>,
    /// Every blob the models use, each once, in the order the archive carries them.
    pub files: Vec<BundleFile>,
}

/// How the models were chosen, for the operator reading an import's report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Selection {
    pub shared_only: bool,
    pub project: Option<String>,
    pub query: Option<String>,
}

/// A project of the exporting install (identity only: members and keys stay behind).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleProject {
    pub id: ProjectId,
    pub slug: String,
    pub name: String,
}

/// One blob: the bytes of one or more files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleFile {
    pub sha256: String,
    pub size: u64,
}

/// A model with everything the catalog knows about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BundleModel {
    pub id: ModelId,
    pub project_id: ProjectId,
    /// The model part of the Hub repo id, kept when the importing project has it free.
    pub slug: Option<String>,
    pub name: String,
    pub version: Option<String>,
    pub description: String,
    pub architecture: Option<String>,
    pub parameter_count: Option<u64>,
    pub active_parameter_count: Option<u64>,
    pub context_length: Option<u64>,
    pub license: Option<String>,
    pub quantization: Option<String>,
    pub format: Option<String>,
    pub workload_type: Option<String>,
    pub shared: bool,
    pub shared_at: Option<String>,
    pub featured: bool,
    pub artifact: Option<BundleArtifact>,
    /// What the model's files say about themselves (the detail page shows it).
    pub file_metadata: Option<FileMetadata>,
    pub created_at: String,
    pub updated_at: String,
    /// The repository's revisions, oldest first.
    pub revisions: Vec<BundleRevision>,
}

/// The single-file artifact of a model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BundleArtifact {
    Uri { uri: String },
    File { size: u64, sha256: String },
}

/// One immutable revision with its files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleRevision {
    pub id: String,
    pub parent: Option<String>,
    pub seq: u64,
    pub message: String,
    pub created_at: String,
    pub files: Vec<RepoFile>,
}

impl BundleRevision {
    /// Splits into the stored revision and its files.
    pub fn to_revision(&self) -> (Revision, &[RepoFile]) {
        (
            Revision {
                id: self.id.clone(),
                parent: self.parent.clone(),
                seq: self.seq,
                message: self.message.clone(),
                created_at: self.created_at.clone(),
            },
            &self.files,
        )
    }
}

impl BundleModel {
    /// The bundle form of a stored model.
    pub fn from_model(
        model: &Model,
        slug: Option<String>,
        file_metadata: Option<FileMetadata>,
        revisions: Vec<BundleRevision>,
    ) -> Self {
        let d = &model.details;
        Self {
            id: model.id,
            project_id: model.project_id.clone(),
            slug,
            name: d.name.clone(),
            version: d.version.clone(),
            description: d.description.clone(),
            architecture: d.architecture.as_ref().map(|a| a.as_str().to_owned()),
            parameter_count: d.parameter_count.map(ParameterCount::get),
            active_parameter_count: d.active_parameter_count.map(ParameterCount::get),
            context_length: d.context_length.map(ContextLength::get),
            license: d.license.as_ref().map(|l| l.key().to_owned()),
            quantization: d.quantization.clone(),
            format: d.format.clone(),
            workload_type: d.workload_type.clone(),
            shared: model.shared,
            shared_at: model.shared_at.clone(),
            featured: model.featured,
            artifact: model.artifact.as_ref().map(|a| match a {
                Artifact::Uri(uri) => BundleArtifact::Uri { uri: uri.clone() },
                Artifact::File { size, sha256 } => BundleArtifact::File {
                    size: *size,
                    sha256: sha256.clone(),
                },
            }),
            file_metadata,
            created_at: model.created_at.clone(),
            updated_at: model.updated_at.clone(),
            revisions,
        }
    }

    /// The stored form, in `project`. Errs with the first value no install would have stored
    /// (the signature says who made the bundle, not that their program was right).
    pub fn to_model(&self, project: &ProjectId) -> Result<Model, String> {
        let positive = |field: &str, value: Option<u64>| match value {
            Some(0) => Err(format!("model {}: `{field}` is 0", self.id)),
            other => Ok(other),
        };
        let parameter_count =
            positive("parameter_count", self.parameter_count)?.and_then(ParameterCount::new);
        let active_parameter_count =
            positive("active_parameter_count", self.active_parameter_count)?
                .and_then(ParameterCount::new);
        let context_length =
            positive("context_length", self.context_length)?.and_then(ContextLength::new);
        if self.name.trim().is_empty() {
            return Err(format!("model {}: empty name", self.id));
        }
        let artifact = match &self.artifact {
            None => None,
            Some(BundleArtifact::Uri { uri }) => Some(Artifact::Uri(uri.clone())),
            Some(BundleArtifact::File { size, sha256 }) => Some(Artifact::File {
                size: *size,
                sha256: digest(self.id, sha256)?,
            }),
        };
        Ok(Model {
            id: self.id,
            project_id: project.clone(),
            details: ModelDetails {
                name: self.name.clone(),
                version: self.version.clone(),
                description: self.description.clone(),
                architecture: self.architecture.clone().map(Architecture::from_stored),
                parameter_count,
                active_parameter_count,
                context_length,
                license: self.license.clone().map(License::from_stored),
                quantization: self.quantization.clone(),
                format: self.format.clone(),
                workload_type: self.workload_type.clone(),
            },
            shared: self.shared,
            shared_at: self.shared_at.clone(),
            featured: self.featured,
            artifact,
            created_at: self.created_at.clone(),
            updated_at: self.updated_at.clone(),
        })
    }

    /// Checks the repository part: revision ids, a gap-free sequence from 1, paths, digests.
    pub fn check_revisions(&self) -> Result<(), String> {
        for (index, revision) in self.revisions.iter().enumerate() {
            if !is_revision_id(&revision.id) || revision.seq != index as u64 + 1 {
                return Err(format!(
                    "model {}: revision `{}` is out of order or not 40 hex digits",
                    self.id, revision.id
                ));
            }
            for file in &revision.files {
                parse_path(&file.path).map_err(|e| format!("model {}: {e}", self.id))?;
                digest(self.id, &file.sha256)?;
            }
        }
        Ok(())
    }

    /// Every blob the model needs, as (sha256, size), repeats included.
    pub fn blobs(&self) -> Vec<(&str, u64)> {
        let mut blobs: Vec<(&str, u64)> = self
            .revisions
            .iter()
            .flat_map(|r| r.files.iter().map(|f| (f.sha256.as_str(), f.size)))
            .collect();
        if let Some(BundleArtifact::File { size, sha256 }) = &self.artifact {
            blobs.push((sha256, *size));
        }
        blobs
    }

    /// Whether `other` says the same as this model, leaving out where it lives (project and
    /// slug are decided by the importing install).
    pub fn same_content(&self, other: &Self) -> bool {
        let mut other = other.clone();
        other.project_id = self.project_id.clone();
        other.slug = self.slug.clone();
        *self == other
    }
}

fn digest(model: ModelId, raw: &str) -> Result<String, String> {
    parse_digest(raw).map_err(|e| format!("model {model}: {e}"))
}

/// Just the version fields, read before the rest so a newer format is refused by name and not
/// as a shape this build does not know.
#[derive(Debug, Deserialize)]
pub struct FormatHeader {
    pub format: String,
    pub format_version: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> BundleModel {
        BundleModel {
            id: ModelId::generate(),
            project_id: ProjectId::parse("proj_A").unwrap(),
            slug: Some("m".into()),
            name: "M".into(),
            version: None,
            description: String::new(),
            architecture: Some("llama".into()),
            parameter_count: Some(7_000_000_000),
            active_parameter_count: None,
            context_length: None,
            license: None,
            quantization: None,
            format: None,
            workload_type: None,
            shared: true,
            shared_at: None,
            featured: false,
            artifact: None,
            file_metadata: None,
            created_at: "t".into(),
            updated_at: "t".into(),
            revisions: Vec::new(),
        }
    }

    #[test]
    fn same_content_ignores_project_and_slug_only() {
        let a = model();
        let mut b = a.clone();
        b.project_id = ProjectId::parse("proj_B").unwrap();
        b.slug = Some("other".into());
        assert!(a.same_content(&b));
        b.shared = false;
        assert!(!a.same_content(&b));
    }

    #[test]
    fn a_zero_parameter_count_is_refused() {
        let mut a = model();
        a.parameter_count = Some(0);
        assert!(a.to_model(&a.project_id.clone()).is_err());
    }

    #[test]
    fn revisions_must_count_from_one() {
        let mut a = model();
        a.revisions.push(BundleRevision {
            id: "a".repeat(40),
            parent: None,
            seq: 2,
            message: String::new(),
            created_at: "t".into(),
            files: Vec::new(),
        });
        assert!(a.check_revisions().is_err());
        a.revisions[0].seq = 1;
        assert!(a.check_revisions().is_ok());
    }
}
