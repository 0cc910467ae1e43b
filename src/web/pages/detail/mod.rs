//! `GET /models/catalog/{uuid}`: the full record of a shared model, its description rendered
//! from markdown and sanitised, badges, and the deploy action (or "Log in to deploy").
//! Loading ([`load_detail`]) is kept apart from the markup, which only reads what was loaded.

pub mod choosing;
pub mod deploy_box;
pub mod lineage;
pub mod repo_section;

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use maud::{Markup, PreEscaped, html};

use crate::catalog::badge::Viewer;
use crate::catalog::card::CatalogCard;
use crate::catalog::file_meta::FileMetadata;
use crate::catalog::ids::ModelId;
use crate::catalog::model::{Artifact, Model};
use crate::catalog::repo::{RepoFile, Revision};
use crate::markdown::{self, Rendered};
use crate::ops::access::session::Session;
use crate::ops::{self, Services};
use crate::web::pages::components::{badge_list, family_logo};
use crate::web::pages::page_error::PageError;
use crate::web::pages::{html as respond, layout};
use crate::web::session::current_session;

/// The detail page's query: the reason a deploy was refused (after the redirect), and the
/// memory panel's knobs (issue 27).
#[derive(Debug, serde::Deserialize)]
pub struct DetailQuery {
    deploy_error: Option<String>,
    at_context: Option<String>,
    kv_cache: Option<String>,
    parallel: Option<String>,
    fits_memory: Option<String>,
    device: Option<String>,
}

impl DetailQuery {
    /// The knobs as a fit selection; a bad value is the message of a 400 page.
    fn fit(&self) -> Result<crate::catalog::query::Fit, String> {
        let pairs = [
            ("at_context", &self.at_context),
            ("kv_cache", &self.kv_cache),
            ("parallel", &self.parallel),
            ("fits_memory", &self.fits_memory),
            ("device", &self.device),
        ];
        let given = pairs.iter().filter_map(|(k, v)| {
            v.as_deref()
                .filter(|v| !v.trim().is_empty())
                .map(|v| (*k, v))
        });
        crate::catalog::query::CatalogQuery::from_pairs(given)
            .map(|q| q.fit())
            .map_err(|e| e.to_string())
    }
}

/// Everything the page shows, loaded before any markup is made.
struct Detail {
    model: Model,
    card: CatalogCard,
    description: Arc<Rendered>,
    /// The viewer is in the model's project (only they are told the description was simplified).
    is_owner: bool,
    repository: Option<(String, Revision, Vec<RepoFile>)>,
    /// This server's address as the viewer reached it, for the download commands.
    endpoint: String,
    file: Option<FileMetadata>,
    /// The tiers the viewer's active project can deploy on now (logged in with a project).
    deploy_options: Option<ops::infra::endpoints::DeployOptions>,
    /// The other quantizations and formats of this model (`catalog::variant`).
    variants: Vec<CatalogCard>,
    /// Base, successor and derived models, as this viewer may see them.
    lineage: Option<ops::models::lineage::LineageReport>,
    /// The memory panel's knobs and budget.
    fit: crate::catalog::query::Fit,
}

/// The page handler.
pub async fn detail_page(
    request: HttpRequest,
    path: web::Path<String>,
    query: web::Query<DetailQuery>,
    services: web::Data<Services>,
) -> Result<HttpResponse, PageError> {
    let session = current_session(&request).await;
    let mut fit = query
        .fit()
        .map_err(|message| PageError::bad_request(message).seen_by(session.as_ref()))?;
    let chosen = fit.budget;
    if fit.budget.is_none() {
        fit.budget = crate::web::pages::fit_cookie::read(&request);
    }
    let mut detail = load_detail(&services, &request, &path, session.as_ref())
        .await
        .map_err(|error| error.seen_by(session.as_ref()))?;
    detail.fit = fit;
    let body = detail_body(&detail, session.as_ref(), query.deploy_error.as_deref());
    let mut response = respond(
        StatusCode::OK,
        layout::page(&detail.card.name, session.as_ref(), None, body),
    );
    if let Some(budget) = chosen {
        let _ = response.add_cookie(&crate::web::pages::fit_cookie::cookie(&budget));
    }
    Ok(response)
}

async fn load_detail(
    services: &Services,
    request: &HttpRequest,
    raw: &str,
    session: Option<&Session>,
) -> Result<Detail, PageError> {
    let Some(id) = ModelId::parse(raw) else {
        return Err(not_in_catalog(raw));
    };
    let (shared, entry) = match ops::catalog::catalog_entry(services, id).await {
        Ok(found) => found,
        Err(ops::OpsError::ModelNotFound { .. }) => return Err(not_in_catalog(raw)),
        Err(error) => return Err(PageError::internal("detail page failed", &error)),
    };
    let model = shared.model;
    let revision = format!("{}@{}", model.id, model.updated_at);
    let description = services
        .rendered
        .get_or_render(&revision, &model.details.description);
    let is_owner = session.is_some_and(|s| s.projects.iter().any(|(p, _)| *p == model.project_id));
    // The repository and the file facts are extras: the page shows without them.
    let repository = ops::catalog::hub::catalog_repository(services, id)
        .await
        .ok()
        .flatten();
    let file = ops::files::artifacts::file_metadata(services, id)
        .await
        .ok()
        .flatten();
    let deploy_options = match session.and_then(|s| s.active_project.as_ref().map(|p| (s, p))) {
        Some((s, project)) => {
            ops::infra::endpoints::deploy_options(services, &s.principal(), project, id)
                .await
                .ok()
        }
        None => None,
    };
    let variants = ops::catalog::variants_of(services, entry.card.clone())
        .await
        .unwrap_or_default();
    let endpoint = crate::web::public_url::base_url(request);
    let viewer = session.and_then(|s| s.active_project.clone());
    let lineage = ops::catalog::lineage(services, viewer, id).await.ok();
    Ok(Detail {
        deploy_options,
        variants,
        lineage,
        fit: Default::default(),
        model,
        card: entry.card,
        description,
        is_owner,
        repository,
        endpoint,
        file,
    })
}

fn not_in_catalog(raw: &str) -> PageError {
    let shown: String = raw.chars().take(80).collect();
    PageError::not_found(format!("There is no model in the catalog with the id `{shown}`."))
        .titled("No shared model here")
        .with_hint(html! {
            p {
                "This page takes a model's UUID, such as " code { "3f2a9c1d-5b7e-4c8a-9d0f-1e2b3c4d5e6f" } ". "
                "The short " code { "mdl_…" } " ids printed by " code { "xeroctl models" } " are CLI-local and never resolve here; unshared models are not in the catalog."
            }
        })
}

/// The metadata list, in the order the page shows it.
fn facts(detail: &Detail) -> Vec<(&'static str, String)> {
    let card = &detail.card;
    let model = &detail.model.details;
    let or = |value: Option<String>, missing: &str| value.unwrap_or_else(|| missing.to_owned());
    let mut rows = vec![
        (
            "Architecture",
            format!("{} ({})", card.family_name, card.architecture),
        ),
        (
            "Parameters",
            or(card.parameter_count_display.clone(), "Not stated"),
        ),
        (
            "Active parameters",
            or(model.active_parameter_count.map(|p| p.to_string()), "—"),
        ),
        (
            "Context length",
            or(
                card.context_length_display
                    .clone()
                    .map(|c| format!("{c} tokens")),
                "Not stated",
            ),
        ),
        ("Quantization", or(card.quantization.clone(), "—")),
        ("Format", or(card.format.clone(), "—")),
        ("License", or(card.license_name.clone(), "Not stated")),
        ("Version", or(card.version.clone(), "—")),
        (
            "Tags",
            if card.tags.is_empty() {
                "—".to_owned()
            } else {
                card.tags.join(", ")
            },
        ),
        ("Shared by", card.project_name.clone()),
        ("Deployments", card.facts.deployment_count.to_string()),
        ("Model id", card.id.to_string()),
    ];
    if let (Some(file), Some(Artifact::File { size, sha256 })) =
        (&detail.file, &detail.model.artifact)
    {
        rows.push((
            "File",
            format!(
                "{}, {size} bytes, sha256 {}…",
                file.format.to_uppercase(),
                &sha256[..12.min(sha256.len())]
            ),
        ));
    }
    rows
}

fn detail_body(detail: &Detail, session: Option<&Session>, deploy_error: Option<&str>) -> Markup {
    let card = &detail.card;
    let viewer = if session.is_some() {
        Viewer::LoggedIn
    } else {
        Viewer::Anonymous
    };
    let differences = detail
        .file
        .as_ref()
        .map(|f| f.differences(&detail.model.details))
        .unwrap_or_default();
    html! {
        nav.crumbs aria-label="Breadcrumb" {
            a href="/models/catalog" { "Model catalog" } " / "
            a href=(format!("/models/catalog?family={}", card.architecture)) { (card.family_name) }
        }
        article.detail {
            header {
                (family_logo(&card.architecture, 56))
                div {
                    h1 { (card.name) @if card.moe { " " abbr.moe title="Mixture of experts" { "MoE" } } }
                    (badge_list(card, viewer))
                }
            }
            @if let Some(lineage) = &detail.lineage {
                (crate::web::pages::detail::lineage::superseded_banner(lineage))
            }
            div.detail-grid {
                div.main-column {
                    // ammonia's output: the one place a page embeds HTML it did not build itself.
                    div.markdown {
                        @if detail.description.simplified && detail.is_owner {
                            p.notice role="note" {
                                "Parts of this description nest deeper than " (markdown::MAX_DEPTH)
                                " levels or hold too much raw HTML; they are shown flattened or as text. Only your project sees this note."
                            }
                        }
                        (PreEscaped(&detail.description.html))
                    }
                    @if !detail.variants.is_empty() {
                        section.variants-list aria-labelledby="variants" {
                            h2 id="variants" { "Variants of " (crate::catalog::variant::base_name(&card.name)) }
                            table {
                                thead { tr { th { "Model" } th { "Quantization" } th { "Format" } th { "Memory at 32K" } } }
                                tbody {
                                    @for v in &detail.variants {
                                        @let e = v.memory(crate::catalog::memory::DEFAULT_CONTEXT);
                                        tr {
                                            td { a href=(format!("/models/catalog/{}", v.id)) { (v.name) } }
                                            td { (v.quantization.as_deref().unwrap_or("—")) }
                                            td { (v.format.as_deref().unwrap_or("—")) }
                                            td { @match (e.total(), e.weights) {
                                                (Some(t), _) => { (crate::catalog::memory::gigabytes(t)) }
                                                (None, Some(w)) => { "≥ " (crate::catalog::memory::gigabytes(w + e.overhead)) " + KV" }
                                                (None, None) => { "unknown" }
                                            } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    @if let Some((repo_id, revision, files)) = &detail.repository {
                        (crate::web::pages::detail::repo_section::repository(&detail.endpoint, repo_id, revision, files))
                    }
                }
                aside {
                    dl.metadata {
                        @for (label, value) in &facts(detail) { dt { (label) } dd { (value) } }
                    }
                    (crate::web::pages::detail::choosing::licence_panel(card))
                    (crate::web::pages::detail::choosing::memory_panel(card, &detail.fit))
                    @if let Some(lineage) = &detail.lineage {
                        (crate::web::pages::detail::lineage::lineage_panel(card, lineage))
                    }
                    @if !differences.is_empty() {
                        ul.file-differences aria-label="Declared and read from the file" {
                            @for (field, declared, from_file) in &differences {
                                li { "Declared " (field) " " strong { (declared) } ", the uploaded file says " strong { (from_file) } "." }
                            }
                        }
                    }
                    div.deploy {
                        @match session {
                            None => { a.button href=(format!("/login?next=/models/catalog/{}", card.id)) { "Log in to deploy" } }
                            Some(session) => {
                                (crate::web::pages::detail::deploy_box::deploy_box(card, session, detail.deploy_options.as_ref(), deploy_error))
                                (crate::web::pages::detail::deploy_box::feature_button(card, session))
                            }
                        }
                    }
                }
            }
        }
    }
}
