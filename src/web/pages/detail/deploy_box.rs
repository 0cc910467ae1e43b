//! The detail page's deploy box (issue 16 point 7): only the tiers that can work for the
//! visitor's active project now, why the others cannot and the command an administrator runs
//! to change that, the project's endpoints of this model already running, and the outcome of
//! the last deploy.

use maud::{Markup, html};

use crate::catalog::card::CatalogCard;
use crate::catalog::infra::Tier;
use crate::ops::access::session::Session;
use crate::ops::infra::endpoints::DeployOptions;

/// Why a tier cannot be used, and who can fix it how.
fn shared_reason() -> &'static str {
    "Shared infrastructure: not possible now — this model is XIM Only (no shared agent has it loaded). It becomes possible when a shared agent loads it."
}

fn xim_reason(project: &str) -> Markup {
    html! {
        "A XIM node of your project: not possible now — the project has no active XIM node. An administrator adds one with "
        code { "xeroctl admin --data DIR agents add --kind xim --project " (project) " --name rack-1" }
        " and starts its agent with the printed token."
    }
}

fn tier_label(tier: Tier) -> &'static str {
    match tier {
        Tier::Shared => "Shared infrastructure",
        Tier::Xim => "XIM node",
    }
}

/// `deploy_error`: the refusal code of the last attempt (`?deploy_error=`).
pub fn deploy_box(
    card: &CatalogCard,
    session: &Session,
    options: Option<&DeployOptions>,
    deploy_error: Option<&str>,
) -> Markup {
    let Some(project) = session.active_project.as_ref() else {
        return html! { p { "Join a project to deploy models." } };
    };
    let name = session
        .projects
        .iter()
        .find(|(id, _)| id == project)
        .map_or("your project", |(_, n)| n.as_str());
    let Some(options) = options else {
        return html! { p.error role="alert" { "The deploy options could not be read. Try again in a moment." } };
    };
    let tiers: Vec<Tier> = [(Tier::Shared, options.shared), (Tier::Xim, options.xim)]
        .into_iter()
        .filter_map(|(tier, possible)| possible.then_some(tier))
        .collect();
    html! {
        @if let Some(text) = deploy_error.and_then(crate::web::pages::projects::endpoints::deploy_error_text) {
            p.error role="alert" { (text) }
        }
        @if !options.existing.is_empty() {
            div.notice role="status" {
                p { strong { "Already deployed in " (name) ":" } }
                ul {
                    @for e in &options.existing {
                        li {
                            (tier_label(e.tier)) " endpoint "
                            a href=(format!("/projects/{project}/endpoints#{}", e.id)) { code { (e.id) } }
                            " (" (e.status.as_str()) ")"
                        }
                    }
                }
            }
        }
        @if tiers.is_empty() {
            p { strong { "This model cannot be deployed to " (name) " right now." } }
        } @else {
            form.deploy method="post" action=(format!("/models/catalog/{}/deploy", card.id)) {
                input type="hidden" name="csrf" value=(session.csrf_token);
                fieldset.tiers {
                    legend { "Deploy to " (name) " on" }
                    @for (i, tier) in tiers.iter().enumerate() {
                        label.option {
                            input type="radio" name="tier" value=(tier.as_str()) checked[i == 0];
                            " " (tier_label(*tier))
                        }
                    }
                }
                button type="submit" { "Deploy to " (name) }
            }
        }
        ul.muted.tier-reasons {
            @if !options.shared { li { (shared_reason()) } }
            @if !options.xim { li { (xim_reason(&project.to_string())) } }
        }
    }
}

/// For administrators: feature or unfeature this model from its page.
pub fn feature_button(card: &CatalogCard, session: &Session) -> Markup {
    let featured = card.facts.featured;
    html! {
        @if session.is_admin {
            form.admin-feature method="post" action="/admin/feature" {
                input type="hidden" name="csrf" value=(session.csrf_token);
                input type="hidden" name="model" value=(card.id);
                input type="hidden" name="back" value="detail";
                input type="hidden" name="action" value=(if featured { "unfeature" } else { "feature" });
                button.secondary type="submit" { (if featured { "Unfeature (admin)" } else { "Feature this model (admin)" }) }
            }
        }
    }
}
