//! Tables for `xeroctl catalog`: search results with badges in a column of their own and
//! names never cut, a facet summary in the keys the filter flags take, and one model's card.

use serde_json::Value;

use super::super::output::out;
use crate::catalog::facet_list::{FACETS, FacetKind};
use crate::markdown;
use crate::wire::catalog::{CatalogModelView, CatalogSearchResponse, FacetValue};

/// Facet values shown per facet; the rest are summed up as `… N more`.
const FACET_VALUES_SHOWN: usize = 8;

/// Prints a search answer (the API's JSON) as a table and a facet summary.
pub fn print_results(answer: &Value) {
    let Ok(answer) = serde_json::from_value::<CatalogSearchResponse>(answer.clone()) else {
        out!("{answer}");
        return;
    };
    if answer.models.is_empty() {
        out!("No models match. Try fewer words or filters.");
    } else {
        for line in result_lines(&answer.models) {
            out!("{line}");
        }
    }
    out!(
        "\n{} models (page {}, sorted by {})",
        answer.total,
        answer.page,
        answer.sort
    );
    let facets = &answer.facets;
    for facet in &FACETS {
        let FacetKind::Values(v) = &facet.kind else {
            continue;
        };
        let summary = facet_summary(facets.get(facet.key));
        if !summary.is_empty() {
            // Under the flag's name: the values listed are what the flag takes.
            out!("{:<8} {summary}", format!("{}:", v.cli.name));
        }
    }
}

/// The header and one line per model. The name column is as wide as the longest name, and
/// the badge column appears only when some model has a badge.
fn result_lines(models: &[CatalogModelView]) -> Vec<String> {
    let badges: Vec<String> = models.iter().map(|m| m.badges.join(",")).collect();
    let name_width = column_width("NAME", models.iter().map(|m| m.name.as_str()));
    let has_badges = badges.iter().any(|b| !b.is_empty());
    let badge_width = column_width("BADGES", badges.iter().map(String::as_str));
    let badge_cell = |text: &str| {
        if has_badges {
            format!("{} ", pad(text, badge_width))
        } else {
            String::new()
        }
    };
    let mut lines = vec![format!(
        "{} {:<16} {:>8} {:>8} {:<14} {:<24} {}ID",
        pad("NAME", name_width),
        "FAMILY",
        "SIZE",
        "CONTEXT",
        "LICENSE",
        "TAGS",
        badge_cell("BADGES"),
    )];
    for (m, badges) in models.iter().zip(&badges) {
        let badges = if badges.is_empty() { "-" } else { badges };
        lines.push(format!(
            "{} {:<16} {:>8} {:>8} {:<14} {:<24} {}{}",
            pad(&m.name, name_width),
            cut(&m.family_name, 16),
            m.parameter_count_display.as_deref().unwrap_or("-"),
            m.context_length_display.as_deref().unwrap_or("-"),
            cut(m.license_name.as_deref().unwrap_or("-"), 14),
            cut(&m.tags.join(","), 24),
            badge_cell(badges),
            m.id
        ));
    }
    lines
}

/// `apache-2.0 (Apache 2.0): 3, mit (MIT): 1`: the key a flag takes first, its display name in
/// parentheses when that says something more, then the count.
fn facet_summary(values: &[FacetValue]) -> String {
    let present: Vec<&FacetValue> = values.iter().filter(|v| v.count > 0).collect();
    let mut entries: Vec<String> = present
        .iter()
        .take(FACET_VALUES_SHOWN)
        .map(|v| {
            if v.label.is_empty() || v.label.eq_ignore_ascii_case(&v.value) {
                format!("{}: {}", v.value, v.count)
            } else {
                format!("{} ({}): {}", v.value, v.label, v.count)
            }
        })
        .collect();
    if present.len() > FACET_VALUES_SHOWN {
        entries.push(format!("… {} more", present.len() - FACET_VALUES_SHOWN));
    }
    entries.join(", ")
}

/// Prints one catalog model (the API's JSON) with its description as plain text.
pub fn print_model(m: &Value) {
    out!("{}", text(&m["name"]));
    out!("  id:           {}", text(&m["id"]));
    out!(
        "  family:       {} ({})",
        text(&m["family_name"]),
        text(&m["architecture"])
    );
    out!("  parameters:   {}", text(&m["parameter_count_display"]));
    out!("  context:      {}", text(&m["context_length_display"]));
    out!("  license:      {}", text(&m["license_name"]));
    out!(
        "  quantization: {}   format: {}",
        text(&m["quantization"]),
        text(&m["format"])
    );
    let tags: Vec<&str> = m["tags"]
        .as_array()
        .map(|t| t.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    out!("  tags:         {}", tags.join(", "));
    out!(
        "  shared by:    {}   deployments: {}",
        text(&m["project"]["name"]),
        m["deployment_count"]
    );
    if let Some(role) = m["catalog_role"].as_str() {
        out!("  catalog role: {role}");
    }
    if let Some(line) = m["badge_line"].as_str().filter(|l| !l.is_empty()) {
        out!("  badges:       {line}");
    }
    out!("\n{}", markdown::to_plain_text(text(&m["description"])));
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap_or("-")
}

fn column_width<'a>(header: &str, cells: impl Iterator<Item = &'a str>) -> usize {
    cells
        .map(|cell| cell.chars().count())
        .fold(header.chars().count(), usize::max)
}

/// Left-aligned to `width` characters.
fn pad(value: &str, width: usize) -> String {
    format!("{value:<width$}")
}

fn cut(value: &str, width: usize) -> String {
    if value.chars().count() <= width {
        value.to_owned()
    } else {
        format!("{}…", value.chars().take(width - 1).collect::<String>())
    }
}

/// `catalog compare`: one line per field, a column per model, `≠` where they differ.
pub fn print_comparison(answer: &Value) {
    let names: Vec<String> = answer["models"]
        .as_array()
        .map(|models| models.iter().map(|m| text(&m["name"]).to_owned()).collect())
        .unwrap_or_default();
    let rows = answer["rows"].as_array().cloned().unwrap_or_default();
    let label_width = column_width("", rows.iter().map(|r| text(&r["label"])));
    let widths: Vec<usize> = (0..names.len())
        .map(|i| column_width(&names[i], rows.iter().map(|r| text(&r["values"][i]))).min(32))
        .collect();
    let line = |label: &str, mark: &str, cells: Vec<&str>| {
        let cells: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| pad(&cut(c, *w), *w))
            .collect();
        out!(
            "{} {mark} {}",
            pad(label, label_width),
            cells.join("  ").trim_end()
        );
    };
    line("", " ", names.iter().map(String::as_str).collect());
    for row in &rows {
        let mark = if row["differs"].as_bool() == Some(true) {
            "≠"
        } else {
            " "
        };
        let cells = (0..names.len()).map(|i| text(&row["values"][i])).collect();
        line(text(&row["label"]), mark, cells);
    }
    out!(
        "memory estimates at {} tokens of context; ≠ marks the fields that differ",
        answer["context"]
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::catalog::value;

    #[test]
    fn facet_summaries_lead_with_the_key_a_flag_takes() {
        let values = [
            value("apache-2.0", "Apache 2.0", 3),
            value("code", "code", 2),
            value("mit", "MIT", 0),
        ];
        assert_eq!(
            facet_summary(&values),
            "apache-2.0 (Apache 2.0): 3, code: 2",
            "label only when it differs, empty buckets left out"
        );
        let many: Vec<FacetValue> = (0..11).map(|i| value(&format!("f{i}"), "", 1)).collect();
        assert!(facet_summary(&many).ends_with(", f7: 1, … 3 more"));
    }
}
