//! The detail page's "may we use it?" and "will it fit?" panels (SPEC §11): the licence's
//! intent class with its reason, and the memory estimate with its parts.

use maud::{Markup, html};

use crate::catalog::card::CatalogCard;
use crate::catalog::license_intent::{Intent, intent_of};
use crate::catalog::memory::{DEFAULT_CONTEXT, KvShape, capped_context, estimate, gigabytes};
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

/// `kv`: the attention shape the model's files state, if any.
pub fn memory_panel(card: &CatalogCard, kv: Option<KvShape>) -> Markup {
    let context = capped_context(card.context_length, DEFAULT_CONTEXT);
    let estimate = estimate(
        card.parameter_count,
        card.quantization.as_deref(),
        kv,
        context,
    );
    let context_text = ContextLength::new(context).map_or(context.to_string(), |c| c.to_string());
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
                        " + KV cache at " (context_text) " "
                        @match estimate.kv_cache {
                            Some(kv) => { strong { (gigabytes(kv)) } }
                            None => { strong { "unknown" } }
                        }
                        " + overhead " (gigabytes(estimate.overhead))
                        @match estimate.total() {
                            Some(total) => { " = " strong { (gigabytes(total)) } }
                            None => { "." }
                        }
                    }
                    @match kv {
                        Some(kv) => {
                            p.muted { "KV cache from the files: " (kv.layers) " layers × " (kv.kv_heads) " KV heads × " (kv.head_size) " per head, 16-bit cache." }
                        }
                        None => {
                            p.muted { "The KV cache needs the layer count, KV heads and head size, which this model's files do not state; the total stays unknown rather than guessed." }
                        }
                    }
                    @if let Some(active) = card.active_parameter_count.and_then(crate::catalog::units::ParameterCount::new) {
                        p.muted { "Mixture of experts: " (active.to_string()) " of " (card.parameter_count_display.as_deref().unwrap_or("?")) " parameters are active per token; all of them must be in memory." }
                    }
                }
                None => {
                    p { "Unknown: the parameter count or the bits per weight of "
                        (card.quantization.as_deref().unwrap_or("its weights")) " are not known." }
                }
            }
        }
    }
}
