//! `GET /models/catalog/{uuid}`: the full record of a shared model, its description rendered
//! from markdown and sanitised, badges, and the deploy action (or "Log in to deploy").

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use maud::{PreEscaped, html};

use super::components::{badge_list, family_logo};
use super::{html as respond, layout};
use crate::catalog::badge::Viewer;
use crate::catalog::ids::ModelId;
use crate::markdown;
use crate::ops::session::Session;
use crate::ops::{self, Services};
use crate::web::session::current_session;

/// The detail page's query: only the reason a deploy was refused, after the redirect.
#[derive(Debug, serde::Deserialize)]
pub struct DetailQuery {
    deploy_error: Option<String>,
}

/// The page handler.
pub async fn detail_page(
    request: HttpRequest,
    path: web::Path<String>,
    query: web::Query<DetailQuery>,
    services: web::Data<Services>,
) -> HttpResponse {
    let deploy_error = query.deploy_error.as_deref();
    let session = current_session(&request).await;
    let viewer = if session.is_some() {
        Viewer::LoggedIn
    } else {
        Viewer::Anonymous
    };
    let raw = path.into_inner();
    let Some(id) = ModelId::parse(&raw) else {
        return not_found(&raw, session.as_ref());
    };
    let (shared, entry) = match ops::catalog::catalog_entry(&services, id).await {
        Ok(found) => found,
        Err(ops::OpsError::ModelNotFound { .. }) => return not_found(&raw, session.as_ref()),
        Err(error) => {
            tracing::error!(%error, "detail page failed");
            let body = html! { h1 { "Something went wrong" } p { "Try again in a moment." } };
            return respond(
                StatusCode::INTERNAL_SERVER_ERROR,
                layout::page("Error", session.as_ref(), None, body),
            );
        }
    };
    let card = entry.card;
    let model = &shared.model.details;
    let revision = format!("{}@{}", shared.model.id, shared.model.updated_at);
    let description = services
        .rendered
        .get_or_render(&revision, &model.description);
    let is_owner = session.as_ref().is_some_and(|s| {
        s.projects
            .iter()
            .any(|(p, _)| *p == shared.model.project_id)
    });
    let or = |value: Option<String>, missing: &str| value.unwrap_or_else(|| missing.to_owned());
    let repository = ops::hub::catalog_repository(&services, id)
        .await
        .ok()
        .flatten();
    let endpoint = {
        let info = request.connection_info();
        format!("{}://{}", info.scheme(), info.host())
    };
    let file = ops::artifacts::file_metadata(&services, id)
        .await
        .ok()
        .flatten();
    let deploy_options = match session.as_ref() {
        Some(s) => match s.active_project.as_ref() {
            Some(project) => {
                ops::endpoints::deploy_options(&services, &s.principal(), project, id)
                    .await
                    .ok()
            }
            None => None,
        },
        None => None,
    };
    let differences = file
        .as_ref()
        .map(|f| f.differences(model))
        .unwrap_or_default();
    let mut rows: Vec<(&str, String)> = vec![
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
    if let (Some(file), Some(crate::catalog::model::Artifact::File { size, sha256 })) =
        (&file, &shared.model.artifact)
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
    let body = html! {
        nav.crumbs aria-label="Breadcrumb" {
            a href="/models/catalog" { "Model catalog" } " / "
            a href=(format!("/models/catalog?family={}", card.architecture)) { (card.family_name) }
        }
        article.detail {
            header {
                (family_logo(&card.architecture, 56))
                div {
                    h1 { (card.name) @if card.moe { " " abbr.moe title="Mixture of experts" { "MoE" } } }
                    (badge_list(&card, viewer))
                }
            }
            div.detail-grid {
                div.main-column {
                    // ammonia's output: the one place a page embeds HTML it did not build itself.
                    div.markdown {
                        @if description.simplified && is_owner {
                            p.notice role="note" {
                                "Parts of this description nest deeper than " (markdown::MAX_DEPTH)
                                " levels or hold too much raw HTML; they are shown flattened or as text. Only your project sees this note."
                            }
                        }
                        (PreEscaped(&description.html))
                    }
                    @if let Some((repo_id, revision, files)) = &repository {
                        (super::repo_section::repository(&endpoint, repo_id, revision, files))
                    }
                }
                aside {
                    dl.metadata {
                        @for (label, value) in &rows { dt { (label) } dd { (value) } }
                    }
                    (super::choosing::licence_panel(&card))
                    (super::choosing::memory_panel(&card, file.as_ref().and_then(|f| f.kv_shape())))
                    @if !differences.is_empty() {
                        ul.file-differences aria-label="Declared and read from the file" {
                            @for (field, declared, from_file) in &differences {
                                li { "Declared " (field) " " strong { (declared) } ", the uploaded file says " strong { (from_file) } "." }
                            }
                        }
                    }
                    div.deploy {
                        @match viewer {
                            Viewer::Anonymous => { a.button href=(format!("/login?next=/models/catalog/{}", card.id)) { "Log in to deploy" } }
                            Viewer::LoggedIn => {
                                @if let Some(session) = session.as_ref() {
                                    (super::deploy_box::deploy_box(&card, session, deploy_options.as_ref(), deploy_error))
                                    (super::deploy_box::feature_button(&card, session))
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    respond(
        StatusCode::OK,
        layout::page(&card.name, session.as_ref(), None, body),
    )
}

fn not_found(raw: &str, session: Option<&Session>) -> HttpResponse {
    let shown: String = raw.chars().take(80).collect();
    let body = html! {
        div.empty {
            h1 { "No shared model here" }
            p { "There is no model in the catalog with the id " code { (shown) } "." }
            p {
                "This page takes a model's UUID, such as " code { "3f2a9c1d-5b7e-4c8a-9d0f-1e2b3c4d5e6f" } ". "
                "The short " code { "mdl_…" } " ids printed by " code { "xeroctl models" } " are CLI-local and never resolve here; unshared models are not in the catalog."
            }
            p { a href="/models/catalog" { "Browse the catalog" } }
        }
    };
    respond(
        StatusCode::NOT_FOUND,
        layout::page("Not found", session, None, body),
    )
}
