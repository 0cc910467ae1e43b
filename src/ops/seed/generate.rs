//! A synthetic catalog for tests and benchmarks, deterministic from a seed. Distributions come
//! from the real data set (`demo/models-real.jsonl`): families, licenses, tags, formats and
//! context sizes are drawn with their real frequencies; parameter counts are log-normal;
//! descriptions are a few hundred words of markdown assembled from real description sentences.

use std::collections::HashMap;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Deserialize;

use crate::catalog::family::family_view;
use crate::catalog::ids::{ModelId, ProjectId, ProjectSlug};
use crate::catalog::model::{Model, ModelInput, NewModel};
use crate::ops::{OpsError, Services};
use crate::store::projects::Project;
use crate::store::{self, now, outbox};

const REAL_DATA: &str = include_str!("../../../demo/models-real.jsonl");
/// Models per transaction when loading.
const BATCH: usize = 2_000;

#[derive(Debug, Deserialize)]
struct RealModel {
    description: String,
    architecture: Option<String>,
    context_length: Option<u64>,
    license: Option<String>,
    quantization: Option<String>,
    format: Option<String>,
    workload_type: String,
}

/// Value pools drawn from the real data (repetition keeps the real frequencies).
struct Pools {
    architectures: Vec<String>,
    licenses: Vec<Option<String>>,
    contexts: Vec<Option<u64>>,
    workloads: Vec<String>,
    quantizations: Vec<(Option<String>, Option<String>)>,
    sentences: Vec<String>,
}

impl Pools {
    fn from_real_data() -> Self {
        let rows: Vec<RealModel> = REAL_DATA
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();
        let mut sentences: Vec<String> = rows
            .iter()
            .flat_map(|r| {
                r.description
                    .split(". ")
                    .map(str::trim)
                    .filter(|s| s.len() > 30 && s.len() < 300)
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
            .collect();
        sentences.sort();
        sentences.dedup();
        Self {
            architectures: rows.iter().filter_map(|r| r.architecture.clone()).collect(),
            licenses: rows.iter().map(|r| r.license.clone()).collect(),
            contexts: rows.iter().map(|r| r.context_length).collect(),
            workloads: rows.iter().map(|r| r.workload_type.clone()).collect(),
            quantizations: rows
                .iter()
                .map(|r| (r.quantization.clone(), r.format.clone()))
                .collect(),
            sentences,
        }
    }
}

const VARIANTS: [&str; 10] = [
    "Instruct", "Chat", "Base", "Coder", "Thinking", "Vision", "Embed", "Math", "Long", "Lite",
];
const SECTIONS: [&str; 5] = [
    "Overview",
    "Intended use",
    "Training",
    "Evaluation",
    "Limitations",
];

/// The catalog entry of the `i`-th synthetic model as the index receives it, for benchmarks and
/// tests: a deployable model of project "Bench" whose files state the attention shape for every
/// third model (as uploaded GGUF or config.json files do), so the fit facet has both known and
/// "may fit" estimates.
pub fn synthetic_entry(model: Model, i: usize) -> crate::catalog::card::CatalogEntry {
    crate::ops::indexing::entry::entry_for(
        &crate::store::catalog::SharedModel {
            model,
            project_name: "Bench".to_owned(),
            kv_shape: i
                .is_multiple_of(3)
                .then_some(crate::catalog::memory::KvShape::dense(32, 8, 128)),
            compute: None,
            lineage: Default::default(),
        },
        crate::catalog::badge::BadgeFacts {
            role: Some(crate::catalog::role::CatalogRole::Deployable),
            ..Default::default()
        },
    )
}

/// Yields `count` synthetic registrations, the same ones for the same seed.
pub fn synthetic_models(seed: u64, count: usize) -> impl Iterator<Item = NewModel> {
    let pools = Pools::from_real_data();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut serials: HashMap<String, u32> = HashMap::new();
    (0..count).filter_map(move |_| {
        let input = synthetic_input(&pools, &mut rng, &mut serials);
        NewModel::parse(input).ok()
    })
}

fn pick<'a, T>(rng: &mut StdRng, pool: &'a [T]) -> &'a T {
    &pool[rng.gen_range(0..pool.len())]
}

/// Log-normal around 8B (σ = 1.3 in log space), two significant digits, 50M–2T.
fn parameter_count(rng: &mut StdRng) -> u64 {
    let (u1, u2): (f64, f64) = (rng.gen_range(f64::EPSILON..1.0), rng.gen_range(0.0..1.0));
    let normal = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
    let raw = (8e9f64.ln() + 1.3 * normal).exp().clamp(5e7, 2e12);
    let magnitude = 10f64.powi(raw.log10().floor() as i32 - 1);
    ((raw / magnitude).round() * magnitude) as u64
}

fn synthetic_input(
    pools: &Pools,
    rng: &mut StdRng,
    serials: &mut HashMap<String, u32>,
) -> ModelInput {
    let architecture = pick(rng, &pools.architectures).clone();
    let family = family_view(&architecture);
    let params = parameter_count(rng);
    let moe = family.moe;
    let variant = *pick(rng, &VARIANTS);
    let shown = crate::catalog::units::ParameterCount::new(params)
        .map_or_else(String::new, |p| p.to_string());
    let stem = format!("{}-{shown}-{variant}", family.name.replace(' ', "-"));
    let serial = serials.entry(stem.clone()).or_default();
    *serial += 1;
    let name = if *serial == 1 {
        stem
    } else {
        format!("{stem}-v{serial}")
    };
    let (quantization, format) = pick(rng, &pools.quantizations).clone();
    ModelInput {
        name: Some(name.clone()),
        version: rng
            .gen_bool(0.3)
            .then(|| format!("{}.{}", rng.gen_range(1..4), rng.gen_range(0..10))),
        description: Some(description(pools, rng, &name, &family.name)),
        architecture: Some(architecture),
        parameter_count: Some(params.to_string()),
        active_parameter_count: moe.then(|| (params / rng.gen_range(8..20)).max(1).to_string()),
        context_length: pick(rng, &pools.contexts).map(|c| c.to_string()),
        license: pick(rng, &pools.licenses).clone(),
        quantization,
        format,
        workload_type: Some(pick(rng, &pools.workloads).clone()),
        artifact_uri: None,
    }
}

/// A few hundred words of markdown: sections of real sentences and a feature list.
fn description(pools: &Pools, rng: &mut StdRng, name: &str, family: &str) -> String {
    let mut text = format!("# {name}\n\nA {family} model.");
    for section in SECTIONS.iter().take(rng.gen_range(3..=SECTIONS.len())) {
        text.push_str(&format!("\n\n## {section}\n\n"));
        for _ in 0..rng.gen_range(2..5) {
            text.push_str(pick(rng, &pools.sentences).as_str());
            text.push_str(". ");
        }
    }
    text.push_str("\n\n- ");
    text.push_str(
        &(0..3)
            .map(|_| {
                pick(rng, &pools.sentences)
                    .chars()
                    .take(80)
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n- "),
    );
    text.push('\n');
    text
}

/// What `generate` created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateReport {
    pub projects: usize,
    pub models: usize,
}

/// Registers and shares `models` synthetic models spread over `projects` new projects, through
/// the store functions the API uses, `BATCH` models per transaction. The outbox carries them to
/// the index (the server drains it, or rebuilds at start-up when the backlog is large).
pub async fn generate(
    services: &Services,
    models: usize,
    projects: usize,
    seed: u64,
) -> Result<GenerateReport, OpsError> {
    let projects = projects.max(1);
    let store = services.store.clone();
    tokio::task::spawn_blocking(move || generate_blocking(&store, models, projects, seed))
        .await
        .map_err(|e| OpsError::task("generator", e))?
}

fn generate_blocking(
    store: &store::Store,
    models: usize,
    projects: usize,
    seed: u64,
) -> Result<GenerateReport, OpsError> {
    let project_ids: Vec<ProjectId> = store.write_blocking(|tx| {
        let existing = store::projects::list_projects(tx)?.len();
        let mut ids = Vec::with_capacity(projects);
        for i in 0..projects {
            let n = existing + i + 1;
            let slug = ProjectSlug::parse(&format!("synthetic-{n}"))
                .ok_or_else(|| store::StoreError::Conflict("slug".into()))?;
            let project = Project {
                id: ProjectId::generate(),
                slug,
                name: format!("Synthetic lab {n}"),
                created_at: now(),
            };
            store::projects::insert_project(tx, &project)?;
            ids.push(project.id);
        }
        Ok::<_, store::StoreError>(ids)
    })?;
    let mut generated = synthetic_models(seed, models).enumerate().peekable();
    let mut count = 0;
    while generated.peek().is_some() {
        let batch: Vec<(usize, NewModel)> = generated.by_ref().take(BATCH).collect();
        count += batch.len();
        store.write_blocking(|tx| {
            for (i, new) in batch {
                let at = now();
                let model = Model {
                    id: ModelId::generate(),
                    project_id: project_ids[i % project_ids.len()].clone(),
                    details: new.details,
                    shared: false,
                    shared_at: None,
                    featured: false,
                    artifact: None,
                    created_at: at.clone(),
                    updated_at: at.clone(),
                };
                store::models::insert_model(tx, &model)?;
                store::models::set_shared(tx, &model.project_id, &model.id, true, &at)?;
                outbox::enqueue(tx, &model.id, &at)?;
            }
            Ok::<_, store::StoreError>(())
        })?;
    }
    Ok(GenerateReport {
        projects,
        models: count,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_catalog() {
        let a: Vec<String> = synthetic_models(7, 50).map(|m| m.details.name).collect();
        let b: Vec<String> = synthetic_models(7, 50).map(|m| m.details.name).collect();
        let c: Vec<String> = synthetic_models(8, 50).map(|m| m.details.name).collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.len(), 50, "every synthetic model is a valid registration");
    }

    #[test]
    fn distributions_look_real() {
        let models: Vec<NewModel> = synthetic_models(1, 2_000).collect();
        let words = models[0].details.description.split_whitespace().count();
        assert!(
            (120..1500).contains(&words),
            "description has {words} words"
        );
        let mut params: Vec<u64> = models
            .iter()
            .filter_map(|m| m.details.parameter_count.map(|p| p.get()))
            .collect();
        params.sort_unstable();
        let median = params[params.len() / 2];
        assert!(
            (2_000_000_000..30_000_000_000).contains(&median),
            "median {median}"
        );
        let families: std::collections::HashSet<_> = models
            .iter()
            .filter_map(|m| m.details.architecture.clone())
            .collect();
        assert!(families.len() > 20);
    }
}
