//! `serve --demo`: fills a fresh data directory with a demo project that registers and shares
//! real models (from `demo/models-real.jsonl`) through the same use cases as the API.

use serde::Deserialize;

use crate::auth::{KeyScope, Principal};
use crate::catalog::ids::ProjectSlug;
use crate::catalog::model::{ModelInput, NewModel};
use crate::ops::models::share::{Visibility, set_visibility};
use crate::ops::{OpsError, Services, admin, models};
use crate::store;

const DEMO_DATA: &str = include_str!("../../../demo/models-real.jsonl");
const DEMO_SLUG: &str = "demo";
/// The demo's administrator; the password is printed at the first start and in the README.
pub const DEMO_USER: &str = "demo";
pub const DEMO_PASSWORD: &str = "demo-password";

/// One line of the real-model data set.
#[derive(Debug, Deserialize)]
struct DemoModel {
    name: String,
    description: String,
    architecture: Option<String>,
    parameter_count: Option<u64>,
    context_length: Option<u64>,
    license: Option<String>,
    quantization: Option<String>,
    format: Option<String>,
    workload_type: Option<String>,
    version: Option<String>,
}

/// What a first demo start created.
#[derive(Debug)]
pub struct DemoSeed {
    pub project_id: String,
    pub api_key: String,
    pub registered: usize,
    pub skipped: usize,
}

/// Creates the demo project unless it exists; returns what was created, or `None`.
pub async fn seed_demo(services: &Services) -> Result<Option<DemoSeed>, OpsError> {
    let slug =
        ProjectSlug::parse(DEMO_SLUG).ok_or_else(|| OpsError::InvalidInput("demo slug".into()))?;
    let existing = services
        .store
        .call(move |conn| store::projects::find_project_by_slug(conn, &slug))
        .await?;
    if existing.is_some() {
        return Ok(None);
    }
    let project = admin::create_project(services, DEMO_SLUG, "Demo models", None).await?;
    // The login the start-up prints, made through the same use cases as `xeroctl admin
    // create-user` and `add-member --owner`: an administrator who owns the demo project, so the
    // whole logged-in half (badges, deploy, My models, keys, /admin) can be tried.
    admin::create_user(services, DEMO_USER, DEMO_PASSWORD.to_owned(), true).await?;
    admin::add_member(services, &project.id, DEMO_USER, true).await?;
    let key =
        admin::create_key(services, &project.id, KeyScope::Write, Some("demo".into())).await?;
    let principal = Principal::LocalAdmin;
    let (mut registered, mut skipped) = (0, 0);
    let mut shared = Vec::new();
    for line in DEMO_DATA.lines() {
        let Some(new) = parse_line(line) else {
            skipped += 1;
            continue;
        };
        let model = models::register_model(services, &principal, &project.id, new).await?;
        set_visibility(
            services,
            &principal,
            &project.id,
            model.id,
            Visibility::Shared,
        )
        .await?;
        shared.push(model.id);
        registered += 1;
    }
    crate::ops::seed::demo_infra::seed(services, &project.id, &shared).await?;
    Ok(Some(DemoSeed {
        project_id: project.id.to_string(),
        api_key: key.plain,
        registered,
        skipped,
    }))
}

/// The demo's real models as registrations, in file order (the relevance suite ranks them).
pub fn demo_models() -> impl Iterator<Item = NewModel> {
    DEMO_DATA.lines().filter_map(parse_line)
}

fn parse_line(line: &str) -> Option<NewModel> {
    let row: DemoModel = serde_json::from_str(line).ok()?;
    NewModel::parse(ModelInput {
        name: Some(row.name),
        version: row.version,
        description: Some(row.description),
        architecture: row.architecture,
        parameter_count: row.parameter_count.map(|n| n.to_string()),
        active_parameter_count: None,
        context_length: row.context_length.map(|n| n.to_string()),
        license: row.license,
        quantization: row.quantization,
        format: row.format,
        workload_type: row.workload_type,
        artifact_uri: None,
    })
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_real_model_line_is_a_valid_registration() {
        let lines = DEMO_DATA.lines().count();
        let valid = DEMO_DATA.lines().filter_map(parse_line).count();
        assert_eq!(valid, lines);
    }
}
