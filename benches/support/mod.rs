//! Synthetic catalog entries shared by the benchmarks.

use xeroctl::catalog::card::CatalogEntry;
use xeroctl::catalog::ids::{ModelId, ProjectId};
use xeroctl::catalog::model::Model;
use xeroctl::ops::seed::generate::{synthetic_entry, synthetic_models};

/// `count` shared synthetic models as the index receives them (seeded: the same every run).
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
            synthetic_entry(model, i)
        })
}
