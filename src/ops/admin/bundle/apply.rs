//! What an import does with a verified manifest: decide, model by model, whether to add,
//! update or skip it (and why), then write every row in the caller's one transaction.
//!
//! Rules (the README's "Air-gapped installs" repeats them for operators):
//! - UUIDs are kept. A model whose UUID lives in another project here is skipped.
//! - Without `--project`, models go to the project with the bundle's project id; when this
//!   install has none, it is created with the bundle's id, slug and name (no members: add them
//!   with `admin add-member`). A slug taken here by another project skips its models.
//! - The same content is "unchanged" (so a second import of a bundle changes nothing). A model
//!   changed here after the bundle was made, or whose repository history went another way, is
//!   skipped rather than overwritten.
//! - A model whose files are neither in the bundle nor in this store is skipped: no model is
//!   ever imported without the bytes its revisions name.
//! - A file the bundle does not carry counts only when the destination project already holds
//!   it (same digest and size): a digest alone must never hand out another project's bytes.

use std::collections::{HashMap, HashSet};

use super::BundleError;
use crate::catalog::bundle::{BundleModel, BundleProject, Manifest};
use crate::catalog::ids::{ModelId, ProjectId, ProjectSlug};
use crate::store::audit::{self, AuditEntry};
use crate::store::projects::{self, Project};
use crate::store::{bundle, files, models, outbox, repos};

/// Which bytes an import may reference.
pub struct Blobs<'a> {
    /// The digests the bundle itself carries (verified as they were read).
    pub carried: HashSet<&'a str>,
    /// Whether the store holds these bytes (a row can outlive them only by a fault).
    pub stored: &'a dyn Fn(&str) -> bool,
}

/// What happens to one model of the bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Add,
    /// With the fields that differ.
    Update(Vec<String>),
    Unchanged,
    Skip(String),
}

/// One model's decision.
#[derive(Debug, Clone)]
pub struct PlannedModel {
    pub id: ModelId,
    pub name: String,
    /// Where it goes (or would have gone).
    pub project: ProjectId,
    pub action: Action,
}

/// The decisions for a whole bundle, in manifest order.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub created_projects: Vec<BundleProject>,
    pub models: Vec<PlannedModel>,
}

impl Plan {
    /// How many models are added, updated, unchanged and skipped otherwise.
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        let mut counts = (0, 0, 0, 0);
        for model in &self.models {
            match model.action {
                Action::Add => counts.0 += 1,
                Action::Update(_) => counts.1 += 1,
                Action::Unchanged => counts.2 += 1,
                Action::Skip(_) => counts.3 += 1,
            }
        }
        counts
    }
}

/// Decides what to do with each model; reads only.
pub fn plan(
    conn: &rusqlite::Connection,
    manifest: &Manifest,
    forced: Option<&ProjectId>,
    blobs: &Blobs<'_>,
) -> Result<Plan, BundleError> {
    let mut plan = Plan::default();
    let destinations = destinations(conn, manifest, forced, &mut plan)?;
    for model in &manifest.models {
        let destination = match forced {
            Some(project) => Ok(project.clone()),
            None => destinations
                .get(&model.project_id)
                .cloned()
                .unwrap_or_else(|| {
                    Err(format!(
                        "project `{}` is not in the manifest",
                        model.project_id
                    ))
                }),
        };
        let (project, action) = match destination {
            Err(reason) => (model.project_id.clone(), Action::Skip(reason)),
            Ok(project) => {
                let action = decide(conn, model, &project, blobs)?;
                (project, action)
            }
        };
        plan.models.push(PlannedModel {
            id: model.id,
            name: model.name.clone(),
            project,
            action,
        });
    }
    Ok(plan)
}

/// Where each bundle project's models go: an existing project, one to create, or a reason not to.
fn destinations(
    conn: &rusqlite::Connection,
    manifest: &Manifest,
    forced: Option<&ProjectId>,
    plan: &mut Plan,
) -> Result<HashMap<ProjectId, Result<ProjectId, String>>, BundleError> {
    let mut destinations = HashMap::new();
    if let Some(project) = forced {
        if projects::find_project(conn, project)?.is_none() {
            return Err(BundleError::Refused(format!(
                "project `{project}` not found here: create it first, or leave out --project to use the bundle's"
            )));
        }
        return Ok(destinations);
    }
    for project in &manifest.projects {
        let destination = if projects::find_project(conn, &project.id)?.is_some() {
            Ok(project.id.clone())
        } else {
            let slug = ProjectSlug::parse(&project.slug).ok_or_else(|| {
                BundleError::InvalidManifest(format!(
                    "project slug `{}` is not valid",
                    project.slug
                ))
            })?;
            match projects::find_project_by_slug(conn, &slug)? {
                Some(other) => Err(format!(
                    "the bundle's project `{}` ({}) is not here and its slug belongs to {} here: import with --project",
                    project.slug, project.id, other.id
                )),
                None => {
                    plan.created_projects.push(project.clone());
                    Ok(project.id.clone())
                }
            }
        };
        destinations.insert(project.id.clone(), destination);
    }
    Ok(destinations)
}

fn decide(
    conn: &rusqlite::Connection,
    incoming: &BundleModel,
    project: &ProjectId,
    blobs: &Blobs<'_>,
) -> Result<Action, BundleError> {
    for (sha256, size) in incoming.blobs() {
        if blobs.carried.contains(sha256) {
            continue;
        }
        let held = repos::project_blob(conn, project, sha256)? == Some(size);
        if !held || !(blobs.stored)(sha256) {
            return Ok(Action::Skip(format!(
                "its file {sha256} is neither in the bundle nor held by project `{project}` here (export with --with-files)"
            )));
        }
    }
    for revision in &incoming.revisions {
        if let Some(owner) = bundle::revision_owner(conn, &revision.id)?
            && owner != incoming.id
        {
            return Ok(Action::Skip(format!(
                "its revision {} is a revision of model {owner} here",
                revision.id
            )));
        }
    }
    let Some(local_project) = bundle::model_project(conn, &incoming.id)? else {
        return Ok(Action::Add);
    };
    if &local_project != project {
        return Ok(Action::Skip(format!(
            "this UUID is a model of project `{local_project}` here"
        )));
    }
    let Some(stored) = models::find_model_anywhere(conn, &incoming.id)? else {
        return Ok(Action::Add);
    };
    let local = bundle::bundle_model(conn, &stored)?;
    if local.same_content(incoming) {
        return Ok(Action::Unchanged);
    }
    if local.updated_at > incoming.updated_at {
        return Ok(Action::Skip(format!(
            "changed here ({}) after the bundle's copy ({}): not overwritten",
            local.updated_at, incoming.updated_at
        )));
    }
    let history_agrees = local.revisions.len() <= incoming.revisions.len()
        && local
            .revisions
            .iter()
            .zip(&incoming.revisions)
            .all(|(here, there)| here.id == there.id);
    if !history_agrees {
        return Ok(Action::Skip(
            "its repository history here went another way than the bundle's: not overwritten"
                .into(),
        ));
    }
    Ok(Action::Update(changed_fields(&local, incoming)))
}

/// The top-level fields whose values differ (where a model lives does not count).
fn changed_fields(local: &BundleModel, incoming: &BundleModel) -> Vec<String> {
    let (Ok(serde_json::Value::Object(here)), Ok(serde_json::Value::Object(there))) =
        (serde_json::to_value(local), serde_json::to_value(incoming))
    else {
        return Vec::new();
    };
    there
        .iter()
        .filter(|(key, value)| {
            key.as_str() != "project_id" && key.as_str() != "slug" && here.get(*key) != Some(value)
        })
        .map(|(key, _)| key.clone())
        .collect()
}

/// Writes what the plan decided, in the caller's transaction: projects, models, slugs, file
/// metadata, revisions, an audit row and an outbox row per model (the server's periodic sync
/// then indexes the shared ones).
pub fn apply(
    conn: &rusqlite::Connection,
    manifest: &Manifest,
    plan: &Plan,
    at: &str,
) -> Result<(), BundleError> {
    for project in &plan.created_projects {
        let slug = ProjectSlug::parse(&project.slug).ok_or_else(|| {
            BundleError::InvalidManifest(format!("project slug `{}` is not valid", project.slug))
        })?;
        projects::insert_project(
            conn,
            &Project {
                id: project.id.clone(),
                slug,
                name: project.name.clone(),
                created_at: at.to_owned(),
            },
        )?;
    }
    for (planned, incoming) in plan.models.iter().zip(&manifest.models) {
        let existing_revisions = match &planned.action {
            Action::Add => {
                let model = incoming
                    .to_model(&planned.project)
                    .map_err(BundleError::InvalidManifest)?;
                models::insert_model(conn, &model)?;
                if let Some(slug) = &incoming.slug {
                    bundle::take_slug_if_free(conn, &planned.project, &model.id, slug)?;
                }
                0
            }
            Action::Update(_) => {
                let model = incoming
                    .to_model(&planned.project)
                    .map_err(BundleError::InvalidManifest)?;
                bundle::replace_model(conn, &model)?;
                bundle::revision_ids(conn, &model.id)?.len()
            }
            Action::Unchanged | Action::Skip(_) => continue,
        };
        match &incoming.file_metadata {
            Some(metadata) => {
                files::set_metadata(conn, &incoming.id, metadata, &incoming.updated_at)?
            }
            None => bundle::clear_file_metadata(conn, &incoming.id)?,
        }
        for revision in incoming.revisions.iter().skip(existing_revisions) {
            let (row, files) = revision.to_revision();
            bundle::insert_revision_as_is(conn, &incoming.id, &row, files)?;
        }
        let action = if existing_revisions == 0 && planned.action == Action::Add {
            "model.import.add"
        } else {
            "model.import.update"
        };
        audit::append(
            conn,
            &AuditEntry {
                actor: "admin-cli",
                project_id: Some(&planned.project),
                action,
                target_kind: "model",
                target_id: &incoming.id.to_string(),
                detail: Some(&format!("bundle made {}", manifest.created_at)),
            },
            at,
        )?;
        outbox::enqueue(conn, &incoming.id, at)?;
    }
    Ok(())
}
