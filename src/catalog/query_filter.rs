//! A catalog search's filters evaluated against one model, without the index: `admin export
//! --query` chooses models with the same parameters the catalog takes, on a data directory whose
//! index only the server opens.
//!
//! Filters (family, licence, tags, MoE, featured, popular, sizes, context) mean exactly what the
//! catalog means. Keywords are matched without ranking or typo expansion: every query word must
//! be a prefix of one of the name's spellings (`words::name_terms`), a tag, the quantization or
//! format, or a word of the description; a size word (`8b`) also matches the parameter count.

use super::badge::BadgeFacts;
use super::card::CatalogEntry;
use super::facet_list::{FACETS, FacetKind};
use super::memory::{KvShape, Need};
use super::model::Model;
use super::query::{CatalogQuery, Selection};
use super::words;

/// Whether `model` (with `deployments` endpoints made from it, and the KV-cache shape its files
/// state) meets every filter of `query`. Each filter is read through the facet list, so it
/// means exactly what the catalog's does.
pub fn matches(
    query: &CatalogQuery,
    model: &Model,
    deployments: u64,
    kv_shape: Option<KvShape>,
) -> bool {
    let facts = BadgeFacts {
        deployment_count: deployments,
        featured: model.featured,
        ..BadgeFacts::default()
    };
    let mut card = CatalogEntry::build(model, "", String::new(), facts, 0).card;
    card.set_shape(kv_shape);
    let filters_hold = FACETS.iter().zip(&query.filters).all(|(facet, selection)| {
        match (&facet.kind, selection) {
            (FacetKind::Values(values), Selection::Values(wanted)) => {
                wanted.is_empty() || (values.values_of)(&card).iter().any(|v| wanted.contains(v))
            }
            (FacetKind::Flag(flag), Selection::Flag(wanted)) => {
                wanted.is_none_or(|w| w == (flag.value_of)(&card))
            }
            (FacetKind::Buckets(buckets), Selection::Range(range)) => {
                range.contains((buckets.value_of)(&card))
            }
            (FacetKind::Fit(_), Selection::Fit(fit)) => fit.budget_bytes().is_none_or(|budget| {
                let need = card
                    .fit_inputs()
                    .need(card.estimate_context(query.fit_context()), fit.options());
                match need {
                    Need::Known(bytes) => !fit.weights_only && bytes <= budget,
                    Need::AtLeast(bytes) => fit.weights_only && bytes <= budget,
                    Need::Unknown => false,
                }
            }),
            _ => true,
        }
    });
    filters_hold && keywords_match(&query.text, model, &model.tags())
}

fn keywords_match(text: &str, model: &Model, tags: &[String]) -> bool {
    let Ok(query_words) = words::query_words(text) else {
        return false;
    };
    if query_words.is_empty() {
        return true;
    }
    let d = &model.details;
    let mut terms = words::name_terms(&d.name);
    terms.extend(tags.iter().cloned());
    for label in [&d.quantization, &d.format].into_iter().flatten() {
        terms.extend(words::name_terms(label));
    }
    terms.extend(words::chunks(&d.description));
    let parameters = d.parameter_count.map(|p| p.get());
    query_words.iter().all(|word| {
        let size_hit = words::size_range(word)
            .zip(parameters)
            .is_some_and(|((low, high), count)| count >= low && count < high);
        size_hit || terms.iter().any(|term| term.starts_with(word.as_str()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::badge::POPULAR_THRESHOLD;
    use crate::catalog::ids::{ModelId, ProjectId};
    use crate::catalog::model::{ModelInput, NewModel};

    fn model(name: &str, architecture: &str, params: &str) -> Model {
        let new = NewModel::parse(ModelInput {
            name: Some(name.into()),
            architecture: Some(architecture.into()),
            parameter_count: Some(params.into()),
            license: Some("apache-2.0".into()),
            workload_type: Some("chat".into()),
            ..ModelInput::default()
        })
        .unwrap();
        Model {
            id: ModelId::generate(),
            project_id: ProjectId::parse("proj_A").unwrap(),
            details: new.details,
            shared: true,
            shared_at: None,
            featured: false,
            artifact: None,
            created_at: String::new(),
            updated_at: String::new(),
        }
    }

    fn query(raw: &str) -> CatalogQuery {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(raw.as_bytes())
            .into_owned()
            .collect();
        CatalogQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))).unwrap()
    }

    #[test]
    fn filters_and_words_select_like_the_catalog() {
        let qwen = model("Qwen3-Coder-30B", "qwen3moe", "30B");
        let llama = model("Llama-3.1-8B", "LlamaForCausalLM", "8B");
        let cases = [
            ("family=llama", false, true),
            ("q=qwen", true, false),
            ("q=llama 3.1", false, true),
            ("q=8b", false, true),
            ("moe=true", true, false),
            ("tag=code", true, false),
            ("license=mit", false, false),
            ("min_params=10B", true, false),
            ("q=coder&family=qwen3moe", true, false),
            // Llama 8B in 16 bits: 16.1 GB + KV at 32K 4.3 GB + 0.5 GB; Qwen's KV is unknown.
            ("fits_memory=24GB", false, true),
            ("fits_memory=20GB", false, false),
            ("fits_memory=20GB&at_context=4K", false, true),
        ];
        let kv = KvShape::dense(32, 8, 128);
        for (raw, wants_qwen, wants_llama) in cases {
            let q = query(raw);
            assert_eq!(matches(&q, &qwen, 0, None), wants_qwen, "{raw} on qwen");
            assert_eq!(
                matches(&q, &llama, 0, Some(kv)),
                wants_llama,
                "{raw} on llama"
            );
        }
    }

    #[test]
    fn popular_counts_deployments() {
        let m = model("M", "llama", "7B");
        assert!(matches(&query("popular=true"), &m, POPULAR_THRESHOLD, None));
        assert!(!matches(&query("popular=true"), &m, 0, None));
    }
}
