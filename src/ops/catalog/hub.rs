//! Repositories as Hub clients and catalog pages read them: a repo id resolved under the
//! visibility rule (shared to anyone, unshared to its own project's key), a revision, the ids of
//! catalog hits.

use crate::catalog::ids::{ModelId, ProjectId};
use crate::catalog::model::Model;
use crate::catalog::repo::{RepoFile, Revision};
use crate::ops::files::repos::revision_of;
use crate::ops::{OpsError, Services};
use crate::store::{self, repos};

/// A repository as a Hub client may see it: the model, its Hub repo id, and the revision asked
/// for with its files. `None` when the repo does not exist or the caller may not see it (an
/// unshared model needs a key of its own project): both answer "not found", learning nothing.
pub struct HubRepo {
    pub model: Model,
    pub repo_id: String,
}

/// Finds `{project-slug}/{model-slug}` for a caller whose key belongs to `caller` (if any).
pub async fn hub_repo(
    services: &Services,
    caller: Option<ProjectId>,
    project_slug: String,
    model_slug: String,
) -> Result<Option<HubRepo>, OpsError> {
    Ok(services
        .store
        .call(move |conn| {
            let Some((id, project)) = repos::find_by_repo(conn, &project_slug, &model_slug)? else {
                return Ok(None);
            };
            let Some(model) = store::models::find_model(conn, &project, &id)? else {
                return Ok(None);
            };
            if !model.shared && caller.as_ref() != Some(&project) {
                return Ok(None);
            }
            Ok(Some(HubRepo {
                model,
                repo_id: format!("{project_slug}/{model_slug}"),
            }))
        })
        .await?)
}

/// A revision of a repository the caller may see (see [`hub_repo`]).
pub async fn hub_revision(
    services: &Services,
    id: ModelId,
    revision: Option<String>,
) -> Result<Option<(Revision, Vec<RepoFile>)>, OpsError> {
    Ok(services
        .store
        .call(move |conn| revision_of(conn, &id, revision.as_deref()))
        .await?)
}

/// The project a Hub `author` names (its slug), if there is one.
pub async fn author_project(
    services: &Services,
    author: String,
) -> Result<Option<ProjectId>, OpsError> {
    let Some(slug) = crate::catalog::ids::ProjectSlug::parse(&author) else {
        return Ok(None);
    };
    Ok(services
        .store
        .call(move |conn| store::projects::find_project_by_slug(conn, &slug))
        .await?
        .map(|project| project.id))
}

/// Shared models' Hub repo ids, in the order of the given catalog hits.
pub async fn repo_ids(
    services: &Services,
    ids: Vec<ModelId>,
) -> Result<Vec<Option<String>>, OpsError> {
    Ok(services
        .store
        .call(move |conn| ids.iter().map(|id| repos::repo_id(conn, id)).collect())
        .await?)
}

/// A catalog model's Hub repo id and `main` with its files, for the detail page.
pub async fn catalog_repository(
    services: &Services,
    id: ModelId,
) -> Result<Option<(String, Revision, Vec<RepoFile>)>, OpsError> {
    Ok(services
        .store
        .call(move |conn| {
            let Some(repo_id) = repos::repo_id(conn, &id)? else {
                return Ok(None);
            };
            Ok(revision_of(conn, &id, None)?.map(|(revision, files)| (repo_id, revision, files)))
        })
        .await?)
}
