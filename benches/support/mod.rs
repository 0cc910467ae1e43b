//! Synthetic catalog entries shared by the benchmarks.

use xeroctl::catalog::card::CatalogEntry;
use xeroctl::catalog::ids::{ModelId, ProjectId};
use xeroctl::catalog::model::Model;
use xeroctl::ops::generate::synthetic_models;
use xeroctl::ops::index_sync::entry_for;
use xeroctl::store::catalog::SharedModel;

/// `count` shared synthetic models as the index receives them (seeded: the same every run).
/// A third state their attention shape, as uploaded GGUF or config.json files do, so the fit
/// facet has both known and "may fit" estimates to count.
pub fn entries(seed: u64, count: usize) -> impl Iterator<Item = CatalogEntry> {
    let project = ProjectId::parse("proj_BENCH1").expect("id");
    synthetic_models(seed, count)
        .enumerate()
        .map(move |(i, new)| {
            let model = Model {
                id: ModelId::generate(),
                project_id: project.clone(),
                details: new.details,
                shared: true,
                shared_at: Some("2026-11-01T00:00:00.000000Z".to_owned()),
                featured: false,
                artifact: None,
                created_at: String::new(),
                updated_at: String::new(),
            };
            entry_for(
                &SharedModel {
                    model,
                    project_name: "Bench".to_owned(),
                    kv_shape: (i % 3 == 0).then_some(xeroctl::catalog::memory::KvShape {
                        layers: 32,
                        kv_heads: 8,
                        head_size: 128,
                        element_bytes: 2,
                    }),
                },
                xeroctl::catalog::badge::BadgeFacts {
                    role: Some(xeroctl::catalog::role::CatalogRole::Deployable),
                    ..Default::default()
                },
            )
        })
}
