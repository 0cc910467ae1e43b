//! The detail page's "may we use it?" and "will it fit?" panels (SPEC §11): the licence's
//! intent class with its reason, and the memory estimate with its parts.

use maud::{Markup, html};

use crate::catalog::card::CatalogCard;
use crate::catalog::kv::{FitAnswer, KvType};
use crate::catalog::license_intent::{Intent, intent_of};
use crate::catalog::memory::{DEFAULT_CONTEXT, gigabytes};
use crate::catalog::query::Fit;
use crate::catalog::shapes::ShapeSource;
use crate::catalog::units::ContextLength;

pub fn licence_panel(card: &CatalogCard) -> Markup {
    let (intent, reason) = intent_of(card.license.as_deref());
    let class = match intent {
        Intent::Commercial => "intent ok",
        Intent::Conditions => "intent conditions",
        Intent::NonCommercial | Intent::Research => "intent restricted",
        Intent::Unknown => "intent unknown",
    };
    html! {
        section.licence-intent aria-labelledby="licence-intent" {
            h2 id="licence-intent" { "May we use it?" }
            p { span class=(class) { (intent.label()) } }
            p.reason {
                @if let Some(name) = &card.license_name { strong { (name) } ": " }
                (reason)
            }
        }
    }
}

/// The memory panel: the estimate with its parts and where the attention shape came from,
/// drawn as a stacked bar against the chosen budget, and the knobs that change it (a GET form,
/// so it works without JavaScript). `fit` carries the context, cache type, parallel sequences
/// and budget asked for (the budget from the URL, else the viewer's cookie).
pub fn memory_panel(card: &CatalogCard, fit: &Fit) -> Markup {
    let asked = fit.context.unwrap_or(DEFAULT_CONTEXT);
    let options = fit.options();
    let estimate = card.memory_with(asked, options);
    let context = estimate.context;
    let context_text = |c: u64| ContextLength::new(c).map_or(c.to_string(), |c| c.to_string());
    let budget = fit.budget;
    html! {
        section.memory aria-labelledby="memory-estimate" {
            h2 id="memory-estimate" { "Will it fit?" }
            @match estimate.weights {
                Some(weights) => {
                    p {
                        "Weights " strong { (gigabytes(weights)) }
                        @if let Some((bits, stated)) = estimate.bits {
                            " (" (format!("{bits}")) " bits per weight"
                            @if !stated { ", assumed: no quantization is stated" }
                            ")"
                        }
                        " + KV cache at " (context_text(context)) " "
                        @match estimate.kv_cache {
                            Some(kv) => { strong { (gigabytes(kv)) } }
                            None => { strong { "unknown" } }
                        }
                        " (" (options.kv_type.as_str())
                        @if options.parallel > 1 { ", " (options.parallel) " sequences" }
                        ")"
                        " + overhead " (gigabytes(estimate.runtime()))
                        @if let Some(compute) = estimate.compute { " (llama.cpp's compute buffer: " (gigabytes(compute)) ")" }
                        @match estimate.total() {
                            Some(total) => { " = " strong { (gigabytes(total)) } }
                            None => { "." }
                        }
                    }
                    @if context < asked {
                        p.muted { "Context capped at the model's maximum, " (context_text(context)) " (asked for " (context_text(asked)) ")." }
                    }
                    (bar(estimate.weights, estimate.kv_cache, estimate.runtime(), budget.map(|b| (b.bytes(), b.label()))))
                    (shape_source(card))
                    @if let Some(active) = card.active_parameter_count.and_then(crate::catalog::units::ParameterCount::new) {
                        p.muted { "Mixture of experts: " (active.to_string()) " of " (card.parameter_count_display.as_deref().unwrap_or("?")) " parameters are active per token; all of them must be in memory." }
                    }
                    @if let Some(b) = budget {
                        @let answer = card.fit(b.bytes(), asked, options);
                        p.fit-answer data-fit=(answer.as_str()) {
                            @match answer {
                                FitAnswer::Yes => { "Fits " (b.label()) "." }
                                FitAnswer::WeightsOnly => { "The weights fit " (b.label()) "; the KV cache is unknown." }
                                FitAnswer::No => { "Does not fit " (b.label()) "." }
                                FitAnswer::Unknown => { "Unknown." }
                            }
                        }
                    }
                }
                None => {
                    p { "Unknown: the parameter count or the bits per weight of "
                        (card.quantization.as_deref().unwrap_or("its weights")) " are not known." }
                }
            }
            form.knobs method="get" action=(format!("/models/catalog/{}", card.id)) {
                label for="at_context" { "Context" }
                select id="at_context" name="at_context" {
                    @for c in [4 * 1024u64, 8 * 1024, 32 * 1024, 128 * 1024].into_iter().chain((![4096u64, 8192, 32768, 131072].contains(&asked)).then_some(asked)) {
                        option value=(context_text(c)) selected[c == asked] { (context_text(c)) @if c == DEFAULT_CONTEXT { " (default)" } }
                    }
                }
                label for="kv_cache" { "KV cache" }
                select id="kv_cache" name="kv_cache" {
                    @for t in KvType::ALL {
                        option value=(t.as_str()) selected[t == options.kv_type] { (t.as_str()) @if t == KvType::F16 { " (default)" } }
                    }
                }
                label for="parallel" { "Sequences" }
                input id="parallel" name="parallel" type="number" min="1" max=(crate::catalog::kv::MAX_PARALLEL) value=(options.parallel) size="4";
                label for="fits_memory" { "Budget or device" }
                input id="fits_memory" name="fits_memory" value=(budget.map(|b| b.text()).unwrap_or_default()) placeholder="24GB, 2x24GB, RTX 4090" size="14";
                button type="submit" { "Update" }
                p.muted { "Defaults: 32K context, f16 cache (llama.cpp's and vLLM's), one sequence; overhead is a stated 0.5 GB for runtime buffers." }
            }
        }
    }
}

/// Where the attention shape came from, or why the KV cache is unknown.
fn shape_source(card: &CatalogCard) -> Markup {
    let Some(kv) = card.kv_shape else {
        return html! {
            p.muted.shape-source { "The KV cache needs the layer count, KV heads and head size, which neither this model's files nor the shapes table of published base models state; the total stays unknown rather than guessed." }
        };
    };
    let shape = match kv.mla {
        Some(mla) => format!(
            "{} layers of multi-head latent attention (latent {} + rope {})",
            kv.layers, mla.kv_rank, mla.rope_dim
        ),
        None => format!(
            "{} layers × {} KV heads × {} per head",
            kv.layers, kv.kv_heads, kv.head_size
        ),
    };
    let window = (kv.swa_layers > 0).then(|| {
        format!(
            ", {} of them with a {}-token sliding window",
            kv.swa_layers, kv.swa_window
        )
    });
    html! {
        p.muted.shape-source data-testid="shape-source" {
            @match &card.kv_source {
                Some(ShapeSource::Table { base, source }) => {
                    "KV cache from the attention shape of " strong { (base) } " (shapes table): " (shape) (window.unwrap_or_default()) ". Source: "
                    @match source.split_whitespace().find(|w| w.starts_with("https://")) {
                        Some(url) => { a href=(url) rel="nofollow" { (url) } }
                        None => { (source) }
                    }
                }
                _ => { "KV cache from the files: " (shape) (window.unwrap_or_default()) "." }
            }
        }
    }
}

/// The estimate as a stacked bar (weights, KV cache, overhead) against the budget, inline SVG
/// with a text equivalent, so it reads without JavaScript or colour.
pub fn bar(
    weights: Option<u64>,
    kv: Option<u64>,
    overhead: u64,
    budget: Option<(u64, String)>,
) -> Markup {
    let parts = [
        ("weights", weights.unwrap_or(0), "#4a78c2"),
        ("KV cache", kv.unwrap_or(0), "#e0a030"),
        ("overhead", overhead, "#9a9a9a"),
    ];
    let total: u64 = parts.iter().fold(0u64, |sum, p| sum.saturating_add(p.1));
    let scale = total.max(budget.as_ref().map_or(0, |b| b.0)).max(1) as f64;
    let width = 300.0;
    let mut x = 0.0;
    let description = format!(
        "Weights {}, KV cache {}, overhead {}{}",
        weights.map_or("unknown".to_owned(), gigabytes),
        kv.map_or("unknown".to_owned(), gigabytes),
        gigabytes(overhead),
        budget
            .as_ref()
            .map(|(_, label)| format!(", against {label}"))
            .unwrap_or_default()
    );
    html! {
        svg.memory-bar role="img" aria-label=(description) width="100%" viewBox="0 0 300 34" xmlns="http://www.w3.org/2000/svg" data-testid="memory-bar" {
            title { (description) }
            @for (name, bytes, colour) in parts {
                @let w = bytes as f64 / scale * width;
                @if w > 0.0 {
                    rect x=(format!("{x:.1}")) y="4" width=(format!("{w:.1}")) height="16" fill=(colour) data-part=(name) { title { (name) " " (gigabytes(bytes)) } }
                }
                @let _ = { x += w; };
            }
            @if let Some((bytes, label)) = &budget {
                @let bx = (*bytes as f64 / scale * width).min(width - 1.0);
                line x1=(format!("{bx:.1}")) x2=(format!("{bx:.1}")) y1="0" y2="24" stroke="#c0392b" stroke-width="2" data-part="budget" {}
                text x=(format!("{:.1}", bx.min(200.0))) y="33" font-size="8" fill="#c0392b" { (label) }
            }
        }
    }
}
