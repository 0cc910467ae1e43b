//! A catalog search's filters evaluated against one model, without the index: `admin export
//! --query` chooses models with the same parameters the catalog takes, on a data directory whose
//! index only the server opens.
//!
//! Filters (family, licence, tags, MoE, featured, popular, sizes, context) mean exactly what the
//! catalog means. Keywords are matched without ranking or typo expansion: every query word must
//! be a prefix of one of the name's spellings (`words::name_terms`), a tag, the quantization or
//! format, or a word of the description; a size word (`8b`) also matches the parameter count.

use super::badge::POPULAR_THRESHOLD;
use super::family::family_of;
use super::model::Model;
use super::query::CatalogQuery;
use super::words;

/// Whether `model` (with `deployments` endpoints made from it) meets every filter of `query`.
pub fn matches(query: &CatalogQuery, model: &Model, deployments: u64) -> bool {
    let d = &model.details;
    let family = family_of(d.architecture.as_ref());
    let tags = model.tags();
    let moe = family.moe || d.active_parameter_count.is_some();
    let any_of = |wanted: &[String], value: Option<&str>| {
        wanted.is_empty() || value.is_some_and(|v| wanted.iter().any(|w| w == v))
    };
    let filters_hold = any_of(&query.families, Some(family.slug.as_str()))
        && any_of(&query.licenses, d.license.as_ref().map(|l| l.key()))
        && query.tags.iter().all(|tag| tags.contains(tag))
        && query.moe.is_none_or(|wanted| wanted == moe)
        && query.featured.is_none_or(|wanted| wanted == model.featured)
        && query
            .popular
            .is_none_or(|wanted| wanted == (deployments >= POPULAR_THRESHOLD))
        && query.params.contains(d.parameter_count.map(|p| p.get()))
        && query.context.contains(d.context_length.map(|c| c.get()));
    filters_hold && keywords_match(&query.text, model, &tags)
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
        ];
        for (raw, wants_qwen, wants_llama) in cases {
            let q = query(raw);
            assert_eq!(matches(&q, &qwen, 0), wants_qwen, "{raw} on qwen");
            assert_eq!(matches(&q, &llama, 0), wants_llama, "{raw} on llama");
        }
    }

    #[test]
    fn popular_counts_deployments() {
        let m = model("M", "llama", "7B");
        assert!(matches(&query("popular=true"), &m, POPULAR_THRESHOLD));
        assert!(!matches(&query("popular=true"), &m, 0));
    }
}
