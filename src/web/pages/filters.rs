//! The catalog page's filter sidebar (live, disjunctive counts) and its URLs: every filter
//! change is a plain link or a GET form field, so the page works without JavaScript.

use maud::{Markup, html};

use crate::catalog::facets::{Bucket, CONTEXT_BUCKETS, PARAM_BUCKETS, SearchResults};
use crate::catalog::family::family_view;
use crate::catalog::query::{CatalogQuery, Range, Sort};
use crate::catalog::units::{ContextLength, ParameterCount};
use crate::wire::catalog::license_label;

pub(super) fn filters(query: &CatalogQuery, results: &SearchResults) -> Markup {
    let f = &results.facets;
    html! {
        aside.filters aria-label="Filters" {
            h2 { "Filters" }
            (checkboxes("Family", "family", f.family.iter().map(|(v, c)| (v.clone(), family_view(v).name, *c)), &query.families, f.more.family))
            (buckets("Parameters", "params", &PARAM_BUCKETS, &f.params, query, query.params, |q, r| q.params = r))
            (buckets("Context length", "context", &CONTEXT_BUCKETS, &f.context, query, query.context, |q, r| q.context = r))
            fieldset {
                legend { "Architecture type" }
                @for (value, label, count) in [("", "Any", f.moe[0] + f.moe[1]), ("true", "Mixture of experts", f.moe[1]), ("false", "Dense", f.moe[0])] {
                    @let checked = match query.moe { None => value.is_empty(), Some(m) => value == if m { "true" } else { "false" } };
                    label.option {
                        input type="radio" name="moe" value=(value) checked[checked];
                        " " (label) " " span.count { (count) }
                    }
                }
            }
            fieldset {
                legend { "Badges" }
                label.option { input type="checkbox" name="featured" value="true" checked[query.featured == Some(true)]; " Featured" }
                label.option { input type="checkbox" name="popular" value="true" checked[query.popular == Some(true)]; " Popular (10+ deployments)" }
            }
            (checkboxes("License", "license", f.license.iter().map(|(v, c)| (v.clone(), license_label(v), *c)), &query.licenses, f.more.license))
            (checkboxes("Workload", "tag", f.tag.iter().map(|(v, c)| (v.clone(), v.clone(), *c)), &query.tags, f.more.tag))
            fieldset.ranges {
                legend { "Exact ranges" }
                label for="min_params" { "Min parameters" }
                input id="min_params" name="min_params" value=(query.params.min.and_then(ParameterCount::new).map(|p| p.to_string()).unwrap_or_default()) placeholder="7B" size="6";
                label for="max_params" { "Max parameters" }
                input id="max_params" name="max_params" value=(query.params.max.and_then(ParameterCount::new).map(|p| p.to_string()).unwrap_or_default()) placeholder="70B" size="6";
                label for="min_context" { "Min context" }
                input id="min_context" name="min_context" value=(query.context.min.and_then(ContextLength::new).map(|c| c.to_string()).unwrap_or_default()) placeholder="32K" size="6";
                label for="max_context" { "Max context" }
                input id="max_context" name="max_context" value=(query.context.max.and_then(ContextLength::new).map(|c| c.to_string()).unwrap_or_default()) placeholder="1M" size="6";
            }
            button.apply type="submit" { "Apply filters" }
        }
    }
}

fn checkboxes(
    legend: &str,
    name: &str,
    values: impl Iterator<Item = (String, String, u64)>,
    selected: &[String],
    more: u64,
) -> Markup {
    let values: Vec<(String, String, u64)> = values.collect();
    html! {
        @if !values.is_empty() {
            fieldset {
                legend { (legend) }
                @for (value, label, count) in values {
                    label.option {
                        input type="checkbox" name=(name) value=(value) checked[selected.contains(&value)];
                        " " (label) " " span.count { (count) }
                    }
                }
                @if more > 0 {
                    p.muted.more { "and " (more) " more: narrow the search to see them" }
                }
            }
        }
    }
}

fn buckets(
    legend: &str,
    _key: &str,
    defined: &[Bucket],
    counts: &[u64],
    query: &CatalogQuery,
    current: Range,
    set: impl Fn(&mut CatalogQuery, Range),
) -> Markup {
    html! {
        fieldset {
            legend { (legend) }
            ul.buckets {
                @for (bucket, count) in defined.iter().zip(counts) {
                    @let active = current == bucket.range;
                    li {
                        @if active {
                            a.active href=(url_with(query, |q| { set(q, Range::default()); q.page = 1; })) data-live="1" aria-current="true" { (bucket.label) " " span.count { (count) } }
                        } @else if *count > 0 {
                            a href=(url_with(query, |q| { set(q, bucket.range); q.page = 1; })) data-live="1" { (bucket.label) " " span.count { (count) } }
                        } @else {
                            span.disabled { (bucket.label) " " span.count { "0" } }
                        }
                    }
                }
            }
        }
    }
}

/// The catalog URL of a modified copy of the query.
pub(super) fn url_with(query: &CatalogQuery, change: impl FnOnce(&mut CatalogQuery)) -> String {
    let mut next = query.clone();
    change(&mut next);
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if !next.text.is_empty() {
        pairs.push(("q", next.text.clone()));
    }
    pairs.extend(next.families.iter().map(|v| ("family", v.clone())));
    pairs.extend(next.licenses.iter().map(|v| ("license", v.clone())));
    pairs.extend(next.tags.iter().map(|v| ("tag", v.clone())));
    for (key, flag) in [
        ("moe", next.moe),
        ("featured", next.featured),
        ("popular", next.popular),
    ] {
        if let Some(flag) = flag {
            pairs.push((key, flag.to_string()));
        }
    }
    for (key, value) in [
        ("min_params", next.params.min),
        ("max_params", next.params.max),
        ("min_context", next.context.min),
        ("max_context", next.context.max),
    ] {
        if let Some(v) = value {
            pairs.push((key, v.to_string()));
        }
    }
    let default_sort = if next.text.is_empty() {
        Sort::Popular
    } else {
        Sort::Relevance
    };
    if next.sort != default_sort {
        pairs.push(("sort", next.sort.as_str().to_owned()));
    }
    if next.page > 1 {
        pairs.push(("page", next.page.to_string()));
    }
    let encoded: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", form_encode(v)))
        .collect();
    if encoded.is_empty() {
        "/models/catalog".to_owned()
    } else {
        format!("/models/catalog?{}", encoded.join("&"))
    }
}

fn form_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".to_owned(),
            other => format!("%{other:02X}"),
        })
        .collect()
}
