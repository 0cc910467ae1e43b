//! RELIABILITY T29 regression: whatever made the index differ from SQLite (the 1 000-kill storm
//! saw stale names at iterations 198–204 of `crash_storm.py 1000 1400`: a model renamed in
//! SQLite still under its old name in the index, with no outbox row left to repair it), the
//! start-up audit finds it and repairs it before the server answers.

use std::sync::Arc;

use xeroctl::catalog::query::CatalogQuery;
use xeroctl::ops::Services;
use xeroctl::ops::indexing::entry::entry_for;
use xeroctl::ops::indexing::index_sync;
use xeroctl::search::index::IndexChange;
use xeroctl::store::catalog::{SharedModel, for_each_shared};

async fn shared_models(services: &Services) -> Vec<SharedModel> {
    services
        .store
        .call(|conn| {
            let mut all = Vec::new();
            for_each_shared(conn, |m| -> Result<(), xeroctl::store::StoreError> {
                all.push(m);
                Ok(())
            })?;
            Ok(all)
        })
        .await
        .unwrap()
}

async fn catalog(services: &Services) -> Vec<(String, String)> {
    let query = CatalogQuery {
        per_page: 100,
        ..CatalogQuery::default()
    };
    let results = xeroctl::ops::catalog::search_catalog(services, query)
        .await
        .unwrap();
    let mut cards: Vec<(String, String)> = results
        .hits
        .into_iter()
        .map(|c| (c.id.to_string(), c.name))
        .collect();
    cards.sort();
    cards
}

async fn database(services: &Services) -> Vec<(String, String)> {
    let mut rows: Vec<(String, String)> = shared_models(services)
        .await
        .into_iter()
        .map(|m| (m.model.id.to_string(), m.model.details.name))
        .collect();
    rows.sort();
    rows
}

#[tokio::test]
async fn a_diverged_index_is_repaired_at_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let services = Services::open_with_index(dir.path()).await.unwrap();
    xeroctl::ops::seed::generate::generate(&services, 12, 1, 7)
        .await
        .unwrap();
    index_sync::sync_index(&services).await.unwrap();
    let shared = shared_models(&services).await;
    assert_eq!(catalog(&services).await, database(&services).await);

    plant(&services, &shared).await;
    assert_ne!(
        catalog(&services).await,
        database(&services).await,
        "planted"
    );
    drop(services);

    // The next start repairs it before anything can read the catalog.
    let services = Services::open_with_index(dir.path()).await.unwrap();
    assert_eq!(catalog(&services).await, database(&services).await);
    assert!(index_sync::audit_index(&services).await.unwrap().is_clean());

    // The audit names each model and how it differed.
    let ghost = plant(&services, &shared).await;
    let report = index_sync::audit_index(&services).await.unwrap();
    assert_eq!(report.stale, vec![shared[0].model.id]);
    assert_eq!(report.missing, vec![shared[1].model.id]);
    assert_eq!(report.extra, vec![ghost]);
}

/// Plants the three shapes of divergence straight into the index, bypassing the outbox: a
/// stale revision (old name), a shared model missing, and a model SQLite does not share.
async fn plant(services: &Services, shared: &[SharedModel]) -> xeroctl::catalog::ids::ModelId {
    let search = Arc::clone(services.search.as_ref().unwrap());
    let mut stale = shared[0].clone();
    stale.model.details.name = "Stale old name".to_owned();
    stale.model.updated_at = "2020-01-01T00:00:00.000000Z".to_owned();
    let mut ghost = shared[2].clone();
    ghost.model.id = xeroctl::catalog::ids::ModelId::generate();
    ghost.model.details.name = "Private ghost".to_owned();
    let watermark = search.watermark().unwrap_or(0);
    search
        .apply(
            &[
                IndexChange::Upsert(Box::new(entry_for(&stale, Default::default()))),
                IndexChange::Remove(shared[1].model.id),
                IndexChange::Upsert(Box::new(entry_for(&ghost, Default::default()))),
            ],
            watermark,
        )
        .unwrap();
    ghost.model.id
}
