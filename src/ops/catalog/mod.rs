//! Reading the public catalog: search, one model, the families present.

pub mod hub;
pub mod registry;
pub mod saved_searches;

use std::sync::Arc;

use crate::catalog::card::CatalogEntry;
use crate::catalog::facet_list::FAMILY;
use crate::catalog::family::{FamilyView, family_view};
use crate::catalog::ids::ModelId;
use crate::catalog::query::CatalogQuery;
use crate::catalog::search_results::SearchResults;
use crate::ops::indexing::entry;
use crate::ops::{OpsError, Services};
use crate::store::catalog::{self as shared, SharedModel};

/// Runs a catalog search on the blocking pool.
pub async fn search_catalog(
    services: &Services,
    query: CatalogQuery,
) -> Result<SearchResults, OpsError> {
    let index = Arc::clone(services.search_index()?);
    tokio::task::spawn_blocking(move || index.search(&query))
        .await
        .map_err(|e| OpsError::task("search", e))?
        .map_err(OpsError::from)
}

/// The lineage of a catalog model as a viewer in `viewer`'s project sees it (base and
/// successor only when visible to it; the derived models it may see).
pub async fn lineage(
    services: &Services,
    viewer: Option<crate::catalog::ids::ProjectId>,
    id: ModelId,
) -> Result<crate::ops::models::lineage::LineageReport, OpsError> {
    Ok(services
        .store
        .call(move |conn| crate::ops::models::lineage::report(conn, viewer.as_ref(), &id))
        .await?)
}

/// The other variants (quantizations, formats) of a catalog card's model.
pub async fn variants_of(
    services: &Services,
    card: crate::catalog::card::CatalogCard,
) -> Result<Vec<crate::catalog::card::CatalogCard>, OpsError> {
    let index = Arc::clone(services.search_index()?);
    tokio::task::spawn_blocking(move || index.variants_of(&card))
        .await
        .map_err(|e| OpsError::task("variants", e))?
        .map_err(OpsError::from)
}

/// Returns a shared model with its catalog entry as of now (role, badges, deployments).
pub async fn catalog_entry(
    services: &Services,
    id: ModelId,
) -> Result<(SharedModel, CatalogEntry), OpsError> {
    let cutoff = crate::store::cutoff(services.agent_ttl);
    services
        .store
        .call(move |conn| {
            let Some(found) = shared::find_shared(conn, &id)? else {
                return Ok(None);
            };
            let entry = entry::entry_with_placement(conn, &found, &cutoff)?;
            Ok(Some((found, entry)))
        })
        .await?
        .ok_or_else(|| OpsError::ModelNotFound { id: id.to_string() })
}

/// Returns the families present in the catalog with their model counts, largest first.
pub async fn catalog_families(services: &Services) -> Result<Vec<(FamilyView, u64)>, OpsError> {
    let results = search_catalog(
        services,
        CatalogQuery {
            per_page: 1,
            all_families: true,
            ..CatalogQuery::default()
        },
    )
    .await?;
    Ok(results
        .facets
        .values(FAMILY)
        .iter()
        .map(|(slug, count)| (family_view(slug), *count))
        .collect())
}

/// The cards of 2–4 shared models, in the order named; the first id that is unknown or not
/// shared is a not-found naming it.
pub async fn compare(
    services: &Services,
    ids: Vec<ModelId>,
) -> Result<Vec<crate::catalog::card::CatalogCard>, OpsError> {
    let mut cards = Vec::with_capacity(ids.len());
    for id in ids {
        let (_, entry) = catalog_entry(services, id).await?;
        cards.push(entry.card);
    }
    Ok(cards)
}
