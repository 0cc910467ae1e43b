//! The catalog page's filter sidebar (live, disjunctive counts) and its URLs: every filter
//! change is a plain link or a GET form field, so the page works without JavaScript. The boxes
//! are drawn from `facet_list::FACETS`, in its order, one kind of box per kind of facet.

use maud::{Markup, html};

use crate::catalog::badge::Viewer;
use crate::catalog::buckets::Range;
use crate::catalog::devices::{Budget, DEVICES, DeviceKind};
use crate::catalog::facet_list::{BucketFacet, FACETS, FacetKind, FitFacet, FlagFacet};
use crate::catalog::kv::KvType;
use crate::catalog::query::{CatalogQuery, Fit, Selection, Sort};
use crate::catalog::search_results::{FacetCount, SearchResults};
use crate::catalog::units::ContextLength;

pub(crate) fn filters(query: &CatalogQuery, results: &SearchResults, viewer: Viewer) -> Markup {
    let counts = &results.facets.0;
    // Filters without counts (featured, popular) share one "Badges" box, where the first sits.
    let first_badge = FACETS.iter().position(|f| !f.is_counted());
    html! {
        // Behind a "Filters" toggle on narrow screens, so the results come first: a checkbox and
        // its label (CSS shows the panel when it is ticked, with or without JavaScript); wide
        // screens always show the panel. catalog.js keeps the state across live updates.
        aside.filters aria-label="Filters" {
          input.filter-toggle id="filter-toggle" type="checkbox" aria-controls="filter-panel";
          label.filter-toggle-label for="filter-toggle" { "Filters" @let n = query.filters.iter().filter(|s| s.is_set()).count(); @if n > 0 { " (" (n) " on)" } }
          div.filter-panel id="filter-panel" {
            h2 { "Filters" }
            @for (position, facet) in FACETS.iter().enumerate() {
                @match (&facet.kind, counts.get(position)) {
                    (FacetKind::Values(v), Some(FacetCount::Values { values, more })) => {
                        (checkboxes(facet.label, v.params[0], values.iter().map(|(value, count)| (value.clone(), (v.label_of)(value), *count)), query.values(position), *more))
                    }
                    (FacetKind::Buckets(b), Some(FacetCount::Buckets(counts))) => {
                        (buckets(facet.label, b, counts, query, position))
                    }
                    (FacetKind::Fit(fit), Some(FacetCount::Buckets(counts))) => {
                        (fit_choice(facet.label, fit, counts, query, position, results.fit_totals))
                    }
                    (FacetKind::Flag(flag), Some(FacetCount::Flag(counts))) => {
                        (flag_choice(facet.label, flag, *counts, &query.filters[position]))
                    }
                    _ if Some(position) == first_badge => { (badges(query, viewer)) }
                    _ => {}
                }
            }
            fieldset.ranges {
                legend { "Exact ranges" }
                @for (position, facet) in FACETS.iter().enumerate() {
                    @if let (FacetKind::Buckets(b), Selection::Range(range)) = (&facet.kind, &query.filters[position]) {
                        @for (i, param) in b.params.iter().enumerate() {
                            @let bound = if i == 0 { range.min } else { range.max };
                            label for=(param) { (b.range_labels[i]) }
                            input id=(param) name=(param) value=(bound.and_then(b.show).unwrap_or_default()) placeholder=(b.placeholders[i]) size="6";
                        }
                    }
                }
            }
            button.apply type="submit" { "Apply filters" }
          }
        }
    }
}

/// Memory budgets at a context: each budget a link with the models that fit (and, apart, those
/// whose weights fit but whose KV cache is unknown), the device picker, the cache knobs and an
/// exact budget (`2x24GB` for several devices).
fn fit_choice(
    legend: &str,
    facet: &FitFacet,
    counts: &[u64],
    query: &CatalogQuery,
    position: usize,
    totals: Option<(u64, u64)>,
) -> Markup {
    let current = match &query.filters[position] {
        Selection::Fit(fit) => *fit,
        _ => Fit::default(),
    };
    let context = current.context.unwrap_or(facet.default_context);
    let set = |budget: Option<u64>| {
        url_with(query, |q| {
            q.filters[position] = Selection::Fit(Fit {
                budget: budget.map(Budget::of_bytes),
                ..current
            });
            q.page = 1;
        })
    };
    let (rows, unknown) = facet.cumulative(counts);
    let context_text = |c: u64| ContextLength::new(c).map_or(c.to_string(), |c| c.to_string());
    // The form carries the budget, so sending it (a context change without JavaScript) keeps
    // it; a device budget is carried by the device picker instead.
    let device = current.budget.and_then(|b| b.device.map(|d| (b.count, d)));
    let budget_value = current
        .budget
        .filter(|b| b.device.is_none())
        .map(|b| b.text())
        .unwrap_or_default();
    let options = current.options();
    html! {
        fieldset.fit {
            legend { (legend) }
            @if let (Some(budget), Some((fits, weights_only))) = (current.budget, totals) {
                p.fit-summary data-testid="fit-summary" {
                    strong { (budget.label()) } " · " (fits) " fit · " (weights_only) " weights only"
                }
            }
            label.context-choice for=(facet.params[1]) { "at context " }
            select id=(facet.params[1]) name=(facet.params[1]) data-live-select="1" {
                @for c in facet.contexts.iter().copied().chain((!facet.contexts.contains(&context)).then_some(context)) {
                    option value=(if c == facet.default_context { String::new() } else { context_text(c) }) selected[c == context] {
                        (context_text(c)) @if c == facet.default_context { " (default)" }
                    }
                }
            }
            ul.buckets {
                @for (bytes, fits, may) in &rows {
                    @let label = format!("{} GB", bytes / 1_000_000_000);
                    @let active = current.budget_bytes() == Some(*bytes) && current.budget.is_some_and(|b| b.device.is_none() && b.count == 1);
                    li {
                        @if active {
                            a.active href=(set(None)) data-live="1" aria-current="true" { (label) " " span.count { (fits) } }
                        } @else if *fits > 0 || *may > 0 {
                            a href=(set(Some(*bytes))) data-live="1" { (label) " " span.count { (fits) } }
                        } @else {
                            span.disabled { (label) " " span.count { "0" } }
                        }
                        @if *may > 0 {
                            " " span.muted.may-fit title="Their weights fit; the KV-cache shape is not known, from the files or the shapes table" { "+" (may) " weights only" }
                        }
                    }
                }
            }
            @if unknown > 0 {
                p.muted { (unknown) " without a size or known quantization" }
            }
            label for=(facet.params[0]) { "Exact budget" }
            input id=(facet.params[0]) name=(facet.params[0]) value=(budget_value) placeholder="20GB or 2x24GB" size="10";
            label for=(facet.params[4]) { "Device" }
            select id=(facet.params[4]) name=(facet.params[4]) data-live-select="1" {
                option value="" selected[device.is_none()] { "—" }
                @for kind in [DeviceKind::ConsumerGpu, DeviceKind::DataCentreGpu, DeviceKind::Apple, DeviceKind::Cpu] {
                    optgroup label=(kind.label()) {
                        @for d in DEVICES.iter().filter(|d| d.kind == kind) {
                            @for count in device_counts(kind).iter().copied() {
                                @let value = if count == 1 { d.key.to_owned() } else { format!("{count}x{}", d.key) };
                                @let name = if count == 1 { d.name.to_owned() } else { format!("{count}× {}", d.name) };
                                option value=(value) selected[device == Some((count, d))] {
                                    (name) " (" (crate::catalog::memory::gigabytes(Budget { count, each: d.usable, device: Some(d) }.bytes())) ")"
                                }
                            }
                        }
                    }
                }
            }
            label for=(facet.params[2]) { "KV cache" }
            select id=(facet.params[2]) name=(facet.params[2]) data-live-select="1" {
                @for t in KvType::ALL {
                    option value=(if t == KvType::F16 { "" } else { t.as_str() }) selected[options.kv_type == t] {
                        (t.as_str()) @if t == KvType::F16 { " (default)" }
                    }
                }
            }
            label for=(facet.params[3]) { "Parallel sequences" }
            input id=(facet.params[3]) name=(facet.params[3]) type="number" min="1" max=(crate::catalog::kv::MAX_PARALLEL) value=(current.parallel.map(|p| p.to_string()).unwrap_or_default()) placeholder="1" size="4";
        }
    }
}

/// The device counts the picker offers: GPUs alone and in the usual server sizes.
fn device_counts(kind: DeviceKind) -> &'static [u64] {
    match kind {
        DeviceKind::ConsumerGpu => &[1, 2, 4],
        DeviceKind::DataCentreGpu => &[1, 2, 4, 8],
        DeviceKind::Apple | DeviceKind::Cpu => &[1],
    }
}

/// A counted flag: any, yes or no.
fn flag_choice(legend: &str, flag: &FlagFacet, counts: [u64; 2], selection: &Selection) -> Markup {
    let current = match selection {
        Selection::Flag(current) => *current,
        _ => None,
    };
    let choices = [
        (None, "Any", counts[0] + counts[1]),
        (Some(true), flag.labels[1], counts[1]),
        (Some(false), flag.labels[0], counts[0]),
    ];
    html! {
        fieldset {
            legend { (legend) }
            @for (value, label, count) in choices {
                label.option {
                    input type="radio" name=(flag.param) value=(value.map(|v| v.to_string()).unwrap_or_default()) checked[current == value];
                    " " (label) " " span.count { (count) }
                }
            }
        }
    }
}

/// The filters without counts, as checkboxes that select `true`.
fn badges(query: &CatalogQuery, viewer: Viewer) -> Markup {
    html! {
        fieldset {
            legend { "Badges" }
            @for (position, facet) in FACETS.iter().enumerate() {
                @if let (FacetKind::Flag(flag), false) = (&facet.kind, facet.is_counted())
                    && (!flag.members_only || viewer == Viewer::LoggedIn) {
                    label.option { input type="checkbox" name=(flag.param) value="true" checked[query.filters[position] == Selection::Flag(Some(true))]; " " (facet.label) }
                }
            }
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
    facet: &BucketFacet,
    counts: &[u64],
    query: &CatalogQuery,
    position: usize,
) -> Markup {
    let current = match &query.filters[position] {
        Selection::Range(range) => *range,
        _ => Range::default(),
    };
    let set = |range: Range| {
        url_with(query, |q| {
            q.filters[position] = Selection::Range(range);
            q.page = 1;
        })
    };
    html! {
        fieldset {
            legend { (legend) }
            ul.buckets {
                @for (bucket, count) in facet.buckets.iter().zip(counts) {
                    @let active = current == bucket.range;
                    li {
                        @if active {
                            a.active href=(set(Range::default())) data-live="1" aria-current="true" { (bucket.label) " " span.count { (count) } }
                        } @else if *count > 0 {
                            a href=(set(bucket.range)) data-live="1" { (bucket.label) " " span.count { (count) } }
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
pub(crate) fn url_with(query: &CatalogQuery, change: impl FnOnce(&mut CatalogQuery)) -> String {
    let mut next = query.clone();
    change(&mut next);
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if !next.text.is_empty() {
        pairs.push(("q", next.text.clone()));
    }
    pairs.extend(next.filter_pairs());
    let default_sort = if next.text.is_empty() {
        Sort::Popular
    } else {
        Sort::Relevance
    };
    if next.sort != default_sort || next.sort_chosen {
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

/// The active filters as chips that remove them, and "Clear filters".
pub(crate) fn active_filters(query: &CatalogQuery) -> Markup {
    let mut chips: Vec<(String, String)> = Vec::new();
    for (position, (facet, selection)) in FACETS.iter().zip(&query.filters).enumerate() {
        match (&facet.kind, selection) {
            (FacetKind::Values(v), Selection::Values(values)) => {
                for value in values {
                    chips.push((
                        format!("{}: {}", v.chip, (v.label_of)(value)),
                        url_with(query, |q| {
                            if let Selection::Values(values) = &mut q.filters[position] {
                                values.retain(|x| x != value);
                            }
                        }),
                    ));
                }
            }
            (FacetKind::Flag(flag), Selection::Flag(Some(set))) => chips.push((
                flag.chips[usize::from(*set)].to_owned(),
                url_with(query, |q| q.filters[position] = Selection::Flag(None)),
            )),
            (FacetKind::Buckets(b), Selection::Range(range)) if range.is_set() => chips.push((
                format!("{}: {}", b.chip, range_text(*range, b.show)),
                url_with(query, |q| {
                    q.filters[position] = Selection::Range(Range::default())
                }),
            )),
            (FacetKind::Fit(f), Selection::Fit(fit)) if fit.budget.is_some() => chips.push((
                format!(
                    "{}: {} at {}",
                    f.chip,
                    fit.budget.map(|b| b.label()).unwrap_or_default(),
                    ContextLength::new(query.fit_context())
                        .map_or_else(|| query.fit_context().to_string(), |c| c.to_string())
                ),
                url_with(query, |q| {
                    q.filters[position] = Selection::Fit(crate::catalog::query::Fit {
                        budget: None,
                        ..*fit
                    })
                }),
            )),
            _ => {}
        }
    }
    html! {
        @if !chips.is_empty() {
            span.chips {
                @for (label, href) in chips {
                    a.chip href=(href) data-live="1" aria-label=(format!("Remove filter {label}")) { (label) " ×" }
                }
                a.chip.clear href=(url_with(query, |q| { let text = q.text.clone(); *q = CatalogQuery { text, ..CatalogQuery::default() }; })) data-live="1" { "Clear filters" }
            }
        }
    }
}

fn range_text(range: Range, show: fn(u64) -> Option<String>) -> String {
    match (range.min.and_then(&show), range.max.and_then(&show)) {
        (Some(min), Some(max)) => format!("{min}–{max}"),
        (Some(min), None) => format!("{min} and up"),
        (None, Some(max)) => format!("up to {max}"),
        (None, None) => String::new(),
    }
}
