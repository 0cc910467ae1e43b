//! Page pieces shared by the catalog and detail pages: cards, badges, chips.

use maud::{Markup, html};

use crate::catalog::badge::{Viewer, badges, chips};
use crate::catalog::card::CatalogCard;
use crate::catalog::family::family_view;
use crate::web::assets::asset_url;

/// The family logo of an architecture slug.
pub fn family_logo(slug: &str, size: u32) -> Markup {
    let family = family_view(slug);
    html! { img.logo src=(asset_url(&format!("logos/{}.svg", family.logo))) alt="" width=(size) height=(size); }
}

/// The badges this viewer may see.
pub fn badge_list(card: &CatalogCard, viewer: Viewer) -> Markup {
    let chips = chips(&badges(&card.facts, viewer));
    html! {
        @if !chips.is_empty() {
            ul.badges aria-label="Badges" {
                @for chip in chips {
                    li class=(format!("badge {}", chip.keys.iter().map(|k| format!("badge-{k}")).collect::<Vec<_>>().join(" "))) title=(chip.help) { (chip.label) }
                }
            }
        }
    }
}

/// A model card: every field of the seed's card table plus the MoE marker.
/// The licence's intent class as a short chip (SPEC §11), its reason in the tooltip.
pub fn intent_chip(card: &CatalogCard) -> Markup {
    use crate::catalog::license_intent::{Intent, intent_of};
    let (intent, reason) = intent_of(card.license.as_deref());
    let (class, text) = match intent {
        Intent::Commercial => ("intent ok", "Commercial OK"),
        Intent::Conditions => ("intent conditions", "Conditions"),
        Intent::NonCommercial => ("intent restricted", "Non-commercial"),
        Intent::Research => ("intent restricted", "Research only"),
        Intent::Unknown => ("intent unknown", "Terms unknown"),
    };
    html! { span class=(class) title=(reason) { (text) } }
}

/// A card's short memory figure at `context` (SPEC §11): the whole estimate when every part is
/// known, "at least" weights + overhead when the KV cache is not, a dash without weights.
pub fn memory_figure(
    card: &CatalogCard,
    context: u64,
    options: crate::catalog::kv::KvOptions,
) -> Markup {
    use crate::catalog::memory::gigabytes;
    let e = card.memory_with(context, options);
    let at = crate::catalog::units::ContextLength::new(e.context)
        .map_or_else(|| e.context.to_string(), |c| c.to_string());
    html! {
        @match (e.total(), e.weights) {
            (Some(total), _) => {
                span.memory title=(format!("weights {} + KV cache at {at} {} + overhead {}", gigabytes(e.weights.unwrap_or(0)), gigabytes(e.kv_cache.unwrap_or(0)), gigabytes(e.overhead))) {
                    (gigabytes(total)) " at " (at)
                }
            }
            (None, Some(weights)) => {
                span.memory title="Neither the files nor the shapes table state the KV-cache shape: only weights and overhead are known" {
                    "≥ " (gigabytes(weights + e.overhead)) " + KV"
                }
            }
            (None, None) => { "—" }
        }
    }
}

/// A variant's chip: what distinguishes it (quantization, else format, else "original"), its
/// size and memory figure when known; a link to its page.
fn variant_chip(card: &CatalogCard, context: u64) -> Markup {
    let label = card
        .quantization
        .clone()
        .or_else(|| card.format.clone())
        .unwrap_or_else(|| "original".to_owned());
    let estimate = card.memory(context);
    let memory = estimate.total().or(estimate.weights);
    html! {
        li {
            a href=(format!("/models/catalog/{}", card.id)) title=(card.name) {
                (label)
                @if let Some(bytes) = memory { " · " (crate::catalog::memory::gigabytes(bytes)) }
            }
        }
    }
}

/// `variants`: the other quantizations and formats of this card's model (`catalog::variant`).
pub fn model_card(
    card: &CatalogCard,
    viewer: Viewer,
    fit: &crate::catalog::query::Fit,
    variants: &[CatalogCard],
) -> Markup {
    let context = fit
        .context
        .unwrap_or(crate::catalog::memory::DEFAULT_CONTEXT);
    let answer = fit
        .budget_bytes()
        .map(|budget| card.fit(budget, context, fit.options()));
    let href = format!("/models/catalog/{}", card.id);
    html! {
        article.card {
            header {
                h3 { a href=(href) { (card.name) } }
                (badge_list(card, viewer))
            }
            p.description { (card.description) }
            dl.facts {
                div { dt { "Parameters" } dd { (card.parameter_count_display.as_deref().unwrap_or("—")) } }
                div { dt { "Context" } dd { (card.context_length_display.as_deref().unwrap_or("—")) } }
                div { dt { "Memory" } dd {
                    (memory_figure(card, context, fit.options()))
                    @match answer {
                        Some(crate::catalog::kv::FitAnswer::Yes) => { " " span.fit-label.fits data-fit="yes" { "fits" } }
                        Some(crate::catalog::kv::FitAnswer::WeightsOnly) => { " " span.fit-label.weights-only data-fit="weights_only" title="The weights fit; the KV-cache shape is not known" { "weights only — KV cache unknown" } }
                        _ => {}
                    }
                } }
                div { dt { "License" } dd { (card.license_name.as_deref().unwrap_or("Not stated")) " " (intent_chip(card)) } }
                div { dt { "Architecture" } dd { a.family-chip href=(format!("/models/catalog?family={}", card.architecture)) title=(format!("All {} models", card.family_name)) { (card.family_name) } @if card.moe { " " abbr.moe title="Mixture of experts" { "MoE" } } } }
            }
            @if !card.tags.is_empty() {
                ul.tags aria-label="Tags" {
                    @for tag in &card.tags { li { (tag) } }
                }
            }
            @if !variants.is_empty() {
                div.variants {
                    span.muted { (variants.len() + 1) " variants: this one (" (card.quantization.as_deref().or(card.format.as_deref()).unwrap_or("original")) ") and" }
                    ul.variant-chips aria-label=(format!("Other variants of {}", card.name)) {
                        @for v in variants { (variant_chip(v, context)) }
                    }
                }
            }
            // Belongs to the catalog page's `compare-form` (a GET form outside the search form).
            label.compare-pick {
                input type="checkbox" name="ids" value=(card.id) form="compare-form";
                " Compare"
                span.visually-hidden { " " (card.name) }
            }
        }
    }
}
