//! The detail page's model tree (issue 27): the base this model derives from and how, the
//! models derived from it by relation, and the model that supersedes it.

use maud::{Markup, html};

use crate::catalog::card::CatalogCard;
use crate::catalog::lineage::Relation;
use crate::catalog::model::Model;
use crate::ops::models::lineage::LineageReport;

/// A link to another model: its catalog page when shared, else its name only (the viewer's
/// own unshared model has no public page).
fn model_link(model: &Model) -> Markup {
    html! {
        @if model.shared {
            a href=(format!("/models/catalog/{}", model.id)) { (model.details.name) }
        } @else {
            (model.details.name) " " span.muted { "(unshared, your project)" }
        }
    }
}

/// "Superseded by …": shown above the description.
pub fn superseded_banner(lineage: &LineageReport) -> Markup {
    html! {
        @if let Some(successor) = &lineage.successor {
            p.notice.superseded role="note" data-testid="superseded" {
                "This model is superseded by " strong { (model_link(successor)) } "."
            }
        }
    }
}

/// The model-tree panel; nothing when the model has no lineage either way.
pub fn lineage_panel(card: &CatalogCard, lineage: &LineageReport) -> Markup {
    let derived_of = |relation: Relation| {
        lineage
            .derived
            .iter()
            .filter(move |d| d.relation == relation)
    };
    let any_base = lineage.base.is_some() || lineage.lineage.base_name.is_some();
    if !any_base && lineage.derived.is_empty() && lineage.successor.is_none() {
        return html! {};
    }
    let relation = lineage.lineage.relation.map(|r| match r {
        Relation::Finetune => "Fine-tuned from",
        Relation::Quantized => "Quantized from",
        Relation::Adapter => "Adapter of",
        Relation::Merge => "Merged from",
    });
    html! {
        section.lineage aria-labelledby="model-tree" data-testid="model-tree" {
            h2 id="model-tree" { "Model tree" }
            @if any_base {
                p.base {
                    (relation.unwrap_or("Derived from")) " "
                    @match (&lineage.base, &lineage.lineage.base_name) {
                        (Some(base), _) => { strong { (model_link(base)) } }
                        (None, Some(name)) => { strong { (name) } " " span.muted { "(not in this catalog)" } }
                        (None, None) => {}
                    }
                }
            }
            @if !lineage.derived.is_empty() {
                ul.derived {
                    @for relation in Relation::ALL {
                        @let models: Vec<_> = derived_of(relation).collect();
                        @if !models.is_empty() {
                            li {
                                a href=(format!("/models/catalog?derived_from={}", card.id)) { (models.len()) " " (if models.len() == 1 { relation.as_str().to_owned() } else { relation.plural().to_owned() }) }
                                ": "
                                @for (i, d) in models.iter().take(5).enumerate() {
                                    @if i > 0 { ", " }
                                    @if d.shared { a href=(format!("/models/catalog/{}", d.id)) { (d.name) } } @else { (d.name) }
                                }
                                @if models.len() > 5 { " …" }
                            }
                        }
                    }
                }
            }
            @if let Some(successor) = &lineage.successor {
                p { "Superseded by " (model_link(successor)) "." }
            }
        }
    }
}
