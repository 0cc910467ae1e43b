//! Comparing 2–4 shared models side by side (SPEC §11): which ids a request names, and one row
//! per field with every model's value and whether they differ.

use super::card::CatalogCard;
use super::ids::ModelId;
use super::license_intent::intent_of;
use super::memory::gigabytes;
use super::units::ContextLength;

pub const MIN_MODELS: usize = 2;
pub const MAX_MODELS: usize = 4;
/// The context every memory estimate of a comparison is taken at, so the figures compare.
pub const CONTEXT: u64 = 32_768;

/// Reads `ids` values (repeated, or comma-separated in one value). The message names the
/// offending id.
pub fn parse_ids<'a>(values: impl IntoIterator<Item = &'a str>) -> Result<Vec<ModelId>, String> {
    let mut ids: Vec<ModelId> = Vec::new();
    for raw in values.into_iter().flat_map(|v| v.split(',')) {
        let raw = raw.trim();
        if raw.is_empty() {
            continue;
        }
        let shown: String = raw.chars().take(40).collect();
        let id =
            ModelId::parse(raw).ok_or_else(|| format!("`{shown}` is not a model id (a UUID)"))?;
        if ids.contains(&id) {
            return Err(format!(
                "`{shown}` is named twice: compare different models"
            ));
        }
        ids.push(id);
    }
    if ids.len() < MIN_MODELS || ids.len() > MAX_MODELS {
        return Err(format!(
            "compare takes {MIN_MODELS} to {MAX_MODELS} models; {} given",
            ids.len()
        ));
    }
    Ok(ids)
}

/// One compared field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub field: &'static str,
    pub label: &'static str,
    pub values: Vec<String>,
    pub differs: bool,
}

fn or_dash(value: Option<String>) -> String {
    value.unwrap_or_else(|| "—".to_owned())
}

/// How one compared field is read from a card.
type FieldValue<'a> = Box<dyn Fn(&CatalogCard) -> String + 'a>;

/// Every field of the cards, in reading order.
pub fn rows(cards: &[CatalogCard]) -> Vec<Row> {
    let context = ContextLength::new(CONTEXT).map_or(CONTEXT.to_string(), |c| c.to_string());
    let memory = |card: &CatalogCard| {
        let e = card.memory(CONTEXT);
        let context = if e.context == CONTEXT {
            context.clone()
        } else {
            ContextLength::new(e.context).map_or(e.context.to_string(), |c| c.to_string())
        };
        match (e.weights, e.total()) {
            (_, Some(total)) => format!("{} at {context}", gigabytes(total)),
            (Some(weights), None) => format!("weights {}; KV cache unknown", gigabytes(weights)),
            (None, None) => "unknown".to_owned(),
        }
    };
    let fields: Vec<(&'static str, &'static str, FieldValue<'_>)> = vec![
        ("family", "Family", Box::new(|c| c.family_name.clone())),
        (
            "parameter_count",
            "Parameters",
            Box::new(|c| or_dash(c.parameter_count_display.clone())),
        ),
        (
            "active_parameter_count",
            "Active parameters",
            Box::new(|c| {
                or_dash(
                    c.active_parameter_count
                        .and_then(|p| super::units::ParameterCount::new(p).map(|p| p.to_string())),
                )
            }),
        ),
        (
            "moe",
            "Mixture of experts",
            Box::new(|c| if c.moe { "yes" } else { "no" }.to_owned()),
        ),
        (
            "context_length",
            "Context length",
            Box::new(|c| or_dash(c.context_length_display.clone())),
        ),
        (
            "quantization",
            "Quantization",
            Box::new(|c| or_dash(c.quantization.clone())),
        ),
        ("format", "Format", Box::new(|c| or_dash(c.format.clone()))),
        ("memory", "Memory (estimate)", Box::new(memory)),
        (
            "license",
            "Licence",
            Box::new(|c| or_dash(c.license_name.clone().or(c.license.clone()))),
        ),
        (
            "license_intent",
            "May we use it?",
            Box::new(|c| intent_of(c.license.as_deref()).0.label().to_owned()),
        ),
        (
            "tags",
            "Tags",
            Box::new(|c| {
                if c.tags.is_empty() {
                    "—".to_owned()
                } else {
                    c.tags.join(", ")
                }
            }),
        ),
        (
            "version",
            "Version",
            Box::new(|c| or_dash(c.version.clone())),
        ),
        (
            "shared_by",
            "Shared by",
            Box::new(|c| c.project_name.clone()),
        ),
        (
            "deployments",
            "Deployments",
            Box::new(|c| c.facts.deployment_count.to_string()),
        ),
    ];
    fields
        .into_iter()
        .map(|(field, label, value)| {
            let values: Vec<String> = cards.iter().map(&value).collect();
            let differs = values.windows(2).any(|w| w[0] != w[1]);
            Row {
                field,
                label,
                values,
                differs,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_two_to_four_distinct_uuids() {
        let a = ModelId::generate().to_string();
        let b = ModelId::generate().to_string();
        assert_eq!(parse_ids([format!("{a},{b}").as_str()]).unwrap().len(), 2);
        assert_eq!(parse_ids([a.as_str(), b.as_str()]).unwrap().len(), 2);
        assert!(parse_ids([a.as_str()]).unwrap_err().contains("1 given"));
        assert!(
            parse_ids([a.as_str(), a.as_str()])
                .unwrap_err()
                .contains("named twice")
        );
        assert!(
            parse_ids([a.as_str(), "nope"])
                .unwrap_err()
                .contains("`nope`")
        );
        let five: Vec<String> = (0..5).map(|_| ModelId::generate().to_string()).collect();
        assert!(
            parse_ids(five.iter().map(String::as_str))
                .unwrap_err()
                .contains("5 given")
        );
    }
}
