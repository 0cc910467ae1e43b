//! Reading where models are loaded and deployed, for views that show a role or badges.

use crate::catalog::ids::ModelId;
use crate::catalog::infra::Placement;
use crate::catalog::role::CatalogRole;
use crate::ops::{OpsError, Services};
use crate::store::{self, presence};

/// The placement of each model, in order.
pub async fn placements(
    services: &Services,
    ids: Vec<ModelId>,
) -> Result<Vec<Placement>, OpsError> {
    let cutoff = store::cutoff(services.agent_ttl);
    Ok(services
        .store
        .call(move |conn| {
            ids.iter()
                .map(|id| presence::placement(conn, id, &cutoff))
                .collect::<Result<Vec<_>, _>>()
        })
        .await?)
}

/// The catalog role of each model, in order.
pub async fn roles(
    services: &Services,
    ids: Vec<ModelId>,
) -> Result<Vec<Option<CatalogRole>>, OpsError> {
    Ok(placements(services, ids)
        .await?
        .iter()
        .map(Placement::role)
        .collect())
}

/// The catalog role of one model.
pub async fn role_of(services: &Services, id: ModelId) -> Result<Option<CatalogRole>, OpsError> {
    Ok(roles(services, vec![id]).await?.pop().flatten())
}
