//! One segment of a search, on document sets: with or without keywords, the same engine
//! filters, counts disjunctive facets and picks the best hits (issue 12 point 6).
//!
//! The base set is the alive documents that match the keywords and every uncounted filter
//! (`featured`, `popular`). Each active facet filter is one more set. "Passes every filter
//! except facet j" comes from prefix and suffix ANDs, and a facet's values are counted by
//! popcount within it (SPEC §4: a facet's counts ignore its own selection). Only the hits, the
//! AND of everything, are ranked: walked in a precomputed sort order until the page is full, or
//! scored one by one for relevance.

use std::collections::HashMap;

use tantivy::{SegmentOrdinal, SegmentReader};

use super::CountMap;
use super::bitmaps::{
    Words, and, and_in_place, contains, count, count_and, for_each, not, or_in_place, set, words,
};
use super::query::{KeywordPlan, SegmentMatches, term_docs};
use super::table::{
    BucketColumn, FacetColumn, FitAt, FitSlots, SegmentCount, SegmentTable, ValueColumn,
};
use super::top_hits::{Hits, SegmentHits};
use crate::catalog::buckets::Bucket;
use crate::catalog::buckets::Range;
use crate::catalog::facet_list::{FACETS, FAMILY, Facet, FacetKind, FitFacet};
use crate::catalog::query::{CatalogQuery, Selection, Sort};

/// What one segment contributes to a search.
#[derive(Debug)]
pub struct SegmentFruit {
    pub total: u64,
    /// By position in `FACETS`.
    pub counts: Vec<SegmentCount>,
    pub hits: Hits,
    pub family_hits: HashMap<String, Hits>,
    /// With a fit budget: the models passing every other filter whose weights fit but whose KV
    /// cache is unknown (shown after the ones that fit), their count and best hits.
    pub weights_only: Option<(u64, Hits)>,
}

/// Searches one segment; `limit` hits are kept (offset + page size).
pub fn search_segment(
    query: &CatalogQuery,
    limit: usize,
    plan: Option<&KeywordPlan>,
    segment_ord: SegmentOrdinal,
    reader: &SegmentReader,
    table: &SegmentTable,
) -> tantivy::Result<SegmentFruit> {
    let n = table.max_doc as usize;
    let ranked = query.sort == Sort::Relevance;
    let matches = match plan {
        Some(plan) => Some(plan.matches(reader, ranked)?),
        None => None,
    };
    let mut base = (*table.alive(reader)).clone();
    if let Some(matches) = &matches {
        and_in_place(&mut base, &matches.docs);
    }
    let mut narrowed = matches.is_some();
    if let Some(project) = &query.project {
        and_in_place(
            &mut base,
            &term_docs(reader, project_term(reader, project)?)?,
        );
        narrowed = true;
    }
    if let Some(derived) = &query.derived_from {
        let field = reader
            .schema()
            .get_field(super::schema::names::DERIVED_FROM)?;
        let term = tantivy::Term::from_field_text(field, &derived.to_string());
        and_in_place(&mut base, &term_docs(reader, term)?);
        narrowed = true;
    }
    let mut filters: Vec<(usize, Words)> = Vec::new();
    let mut weights_only: Option<(usize, Words)> = None;
    for (position, facet) in FACETS.iter().enumerate() {
        let Some(set) = filter_set(facet, position, table, &query.filters[position], n)? else {
            continue;
        };
        if let Selection::Fit(fit) = &query.filters[position] {
            let second = Selection::Fit(crate::catalog::query::Fit {
                weights_only: true,
                ..*fit
            });
            weights_only = filter_set(facet, position, table, &second, n)?.map(|s| (position, s));
        }
        narrowed = true;
        if facet.is_counted() {
            filters.push((position, set));
        } else {
            and_in_place(&mut base, &set);
        }
    }
    let (hits, excluding) = disjunctive_sets(base, &filters);
    let weights_only = match weights_only {
        Some((position, set)) => {
            let others = excluding[position].as_ref().unwrap_or(&hits);
            let second = and(others, &set);
            // When this segment alone has a page of models that fit, the weights-only ones
            // are never shown: count them, do not rank them.
            let kept = if count(&hits) as usize >= limit {
                Vec::new()
            } else {
                let plain = CatalogQuery {
                    per_family: 0,
                    ..query.clone()
                };
                best_hits(&plain, limit, segment_ord, table, &second, matches.as_ref()).0
            };
            Some((count(&second), kept))
        }
        None => None,
    };
    // Browsing without keywords or filters counts every alive document: the same answer until
    // the segment loses a document, so it is kept (the landing page is the busiest page).
    let alive = u64::from(reader.num_docs());
    let counts = if narrowed {
        count_facets(query, table, &hits, excluding)
    } else {
        let at = FACETS
            .iter()
            .position(|f| matches!(f.kind, FacetKind::Fit(_)))
            .and_then(fit_def)
            .map(|def| fit_at(&query.fit(), def))
            .unwrap_or(FitAt {
                context: query.fit_context(),
                options: Default::default(),
            });
        table.browse_counts(alive, at, || count_facets(query, table, &hits, excluding))
    };
    let (hits_kept, family_hits) =
        best_hits(query, limit, segment_ord, table, &hits, matches.as_ref());
    Ok(SegmentFruit {
        total: count(&hits),
        counts,
        hits: hits_kept,
        family_hits,
        weights_only,
    })
}

/// The term naming a project in the `project` field of this segment's schema.
fn project_term(
    reader: &SegmentReader,
    project: &crate::catalog::ids::ProjectId,
) -> tantivy::Result<tantivy::Term> {
    let field = reader.schema().get_field(super::schema::names::PROJECT)?;
    Ok(tantivy::Term::from_field_text(field, project.as_str()))
}

/// Each facet's counts within the hits, or for a filtered facet within everything its own
/// filter does not exclude.
fn count_facets(
    query: &CatalogQuery,
    table: &SegmentTable,
    hits: &Words,
    excluding: Vec<Option<Words>>,
) -> Vec<SegmentCount> {
    FACETS
        .iter()
        .zip(&table.facets)
        .zip(excluding)
        .enumerate()
        .map(|(position, ((facet, column), without_own))| {
            if !facet.is_counted() {
                return SegmentCount::Uncounted;
            }
            let within = without_own.as_ref().unwrap_or(hits);
            match column {
                FacetColumn::Values(values) => SegmentCount::Values(count_values(values, within)),
                FacetColumn::Flag(flagged) => {
                    let yes = count_and(flagged, within);
                    SegmentCount::Flag([count(within) - yes, yes])
                }
                FacetColumn::Buckets(buckets) => SegmentCount::Buckets(
                    buckets.slots.iter().map(|s| count_and(s, within)).collect(),
                ),
                FacetColumn::Fit(_) => match fit_def(position)
                    .and_then(|def| table.fit(position, fit_at(&query.fit(), def)))
                {
                    Some(fit) => SegmentCount::Buckets(fit.count(within)),
                    None => SegmentCount::Uncounted,
                },
            }
        })
        .collect()
}

/// The hits (base AND every filter) and, for each filtered facet, base AND every other filter.
fn disjunctive_sets(base: Words, filters: &[(usize, Words)]) -> (Words, Vec<Option<Words>>) {
    let mut excluding: Vec<Option<Words>> = vec![None; FACETS.len()];
    let mut prefix = Vec::with_capacity(filters.len() + 1);
    prefix.push(base);
    for (_, filter) in filters {
        let next = and(&prefix[prefix.len() - 1], filter);
        prefix.push(next);
    }
    let mut suffix: Option<Words> = None;
    for i in (0..filters.len()).rev() {
        let without = match &suffix {
            None => prefix[i].clone(),
            Some(s) => and(&prefix[i], s),
        };
        excluding[filters[i].0] = Some(without);
        suffix = Some(match suffix {
            None => filters[i].1.clone(),
            Some(s) => and(&s, &filters[i].1),
        });
    }
    let hits = prefix.pop().unwrap_or_default();
    (hits, excluding)
}

/// The documents a facet's selection lets through; `None` when it selects nothing.
fn filter_set(
    facet: &Facet,
    position: usize,
    table: &SegmentTable,
    selection: &Selection,
    n: usize,
) -> tantivy::Result<Option<Words>> {
    let column = &table.facets[position];
    Ok(match (column, selection, &facet.kind) {
        (FacetColumn::Values(values), Selection::Values(selected), _) if !selected.is_empty() => {
            let ords = values.ords_of(selected)?;
            let mut out = words(n);
            match &values.sets {
                Some(sets) => {
                    for ord in &ords {
                        or_in_place(&mut out, &sets[*ord as usize]);
                    }
                }
                None => {
                    for d in 0..n {
                        if values
                            .ords(d as u32)
                            .iter()
                            .any(|o| ords.binary_search(o).is_ok())
                        {
                            set(&mut out, d);
                        }
                    }
                }
            }
            Some(out)
        }
        (FacetColumn::Flag(flagged), Selection::Flag(Some(wanted)), _) => Some(if *wanted {
            flagged.clone()
        } else {
            not(flagged)
        }),
        (FacetColumn::Buckets(column), Selection::Range(range), FacetKind::Buckets(def))
            if range.is_set() =>
        {
            Some(range_set(def.buckets, column, *range, n))
        }
        (FacetColumn::Fit(_), Selection::Fit(fit), FacetKind::Fit(def)) => {
            match fit.budget_bytes() {
                Some(budget) => table
                    .fit(position, fit_at(fit, def))
                    .map(|slots| fit_set(def, &slots, budget, fit.weights_only, n)),
                None => None,
            }
        }
        _ => None,
    })
}

/// The fit facet's definition at this position of `FACETS`.
fn fit_def(position: usize) -> Option<&'static FitFacet> {
    match &FACETS.get(position)?.kind {
        FacetKind::Fit(def) => Some(def),
        _ => None,
    }
}

/// What a fit count or filter is made at.
pub fn fit_at(fit: &crate::catalog::query::Fit, def: &FitFacet) -> FitAt {
    FitAt {
        context: fit.context.unwrap_or(def.default_context),
        options: fit.options(),
    }
}

/// The documents whose whole estimate is known and within `budget` (with `weights_only`: those
/// whose weights and overhead are, the KV cache unknown): the slots of the budgets up to it
/// whole, and the one slot it cuts through document by document.
fn fit_set(def: &FitFacet, fit: &FitSlots, budget: u64, weights_only: bool, n: usize) -> Words {
    let mut out = words(n);
    let cut = def
        .budgets_gb
        .iter()
        .position(|gb| gb * 1_000_000_000 > budget)
        .unwrap_or(def.budgets_gb.len());
    let first = if weights_only {
        def.budgets_gb.len() + 1
    } else {
        0
    };
    for slot in &fit.slots[first..first + cut] {
        or_in_place(&mut out, slot);
    }
    for_each(&fit.slots[first + cut], |d| {
        if fit.known[d as usize] <= budget {
            set(&mut out, d as usize);
        }
    });
    out
}

/// The documents whose value lies in the range: the buckets wholly inside it are ready-made
/// sets, and only the documents of a bucket the range cuts through are compared one by one.
/// Documents without a value sit in no bucket, so a set range never lets them through.
fn range_set(buckets: &[Bucket], column: &BucketColumn, range: Range, n: usize) -> Words {
    let mut out = words(n);
    for (bucket, slot) in buckets.iter().zip(&column.slots) {
        let (low, high) = (bucket.range.min.unwrap_or(0), bucket.range.max);
        let inside = range.min.is_none_or(|min| low >= min)
            && range
                .max
                .is_none_or(|max| high.is_some_and(|high| high <= max));
        let outside = range.max.is_some_and(|max| low > max)
            || range
                .min
                .is_some_and(|min| high.is_some_and(|high| high < min));
        if inside {
            or_in_place(&mut out, slot);
        } else if !outside {
            for_each(slot, |d| {
                if range.contains(Some(column.values[d as usize])) {
                    set(&mut out, d as usize);
                }
            });
        }
    }
    out
}

/// Each value's documents within the set, values without any left out.
fn count_values(column: &ValueColumn, within: &[u64]) -> CountMap<u64> {
    let mut counts = vec![0u64; column.names.len()];
    match &column.sets {
        Some(sets) => {
            for (slot, set) in counts.iter_mut().zip(sets) {
                *slot = count_and(set, within);
            }
        }
        None => for_each(within, |d| {
            for ord in column.ords(d) {
                counts[*ord as usize] += 1;
            }
        }),
    }
    counts
        .into_iter()
        .zip(&column.names)
        .filter(|(c, _)| *c > 0)
        .map(|(c, name)| (name.clone(), c))
        .collect()
}

/// The best `limit` hits, and with `per_family` the best of each family.
fn best_hits(
    query: &CatalogQuery,
    limit: usize,
    segment_ord: SegmentOrdinal,
    table: &SegmentTable,
    hits: &[u64],
    matches: Option<&SegmentMatches>,
) -> (Hits, HashMap<String, Hits>) {
    let per_family = query.per_family as usize;
    let families = table.values(FAMILY);
    let mut top = SegmentHits::new(table, segment_ord, query.sort, limit, per_family, families);
    let total = count(hits) as usize;
    let mut family_wanted: Vec<usize> = Vec::new();
    if per_family > 0
        && let Some(families) = families
    {
        family_wanted = vec![0; families.names.len()];
        for_each(hits, |d| {
            if let Some(family) = families.ords(d).first() {
                family_wanted[*family as usize] += 1;
            }
        });
        for wanted in &mut family_wanted {
            *wanted = (*wanted).min(per_family);
        }
    }
    let mut families_left: usize = family_wanted.iter().sum();
    // Walking the sort order costs about max_doc × wanted / hits steps; offering every hit to
    // the heaps costs one step per hit.
    let wanted = limit + families_left;
    let walk_is_shorter = table.max_doc as usize * wanted.min(total) < 4 * total * total.max(1);
    match table.order(query.sort) {
        Some(order) if walk_is_shorter => {
            let mut page_left = limit;
            for &d in order {
                if page_left == 0 && families_left == 0 {
                    break;
                }
                if !contains(hits, d) {
                    continue;
                }
                top.offer(d, 0.0);
                page_left = page_left.saturating_sub(1);
                if let Some(families) = families
                    && let Some(family) = families.ords(d).first()
                    && let Some(wanted) = family_wanted.get_mut(*family as usize)
                    && *wanted > 0
                {
                    *wanted -= 1;
                    families_left -= 1;
                }
            }
        }
        _ => {
            // When enough hits reach the top score, only they can fill the page: the others
            // score less and need not be scored at all (a broad query's hits are most of the
            // catalog). Not with per-family heaps, which want the best of every family.
            let top_tier = match (query.sort, matches, per_family) {
                (Sort::Relevance, Some(m), 0) => m
                    .top_tier()
                    .map(|best| and(&best, hits))
                    .filter(|best| count(best) as usize >= limit),
                _ => None,
            };
            for_each(top_tier.as_deref().unwrap_or(hits), |d| {
                let score = matches.map_or(0.0, |m| m.score(d));
                top.offer(d, score);
            });
        }
    }
    top.harvest()
}

#[cfg(test)]
mod tests {
    use crate::catalog::ids::{ModelId, ProjectId};
    use crate::catalog::model::Model;
    use crate::catalog::query::CatalogQuery;
    use crate::ops::seed::generate::synthetic_models;
    use crate::search::SearchIndex;

    fn index(models: usize, unique_tags: bool) -> SearchIndex {
        let index = SearchIndex::in_memory().unwrap();
        index.replace_all(entries(models, unique_tags), 0).unwrap();
        index
    }

    fn entries(models: usize, unique_tags: bool) -> Vec<crate::catalog::card::CatalogEntry> {
        let project = ProjectId::parse("proj_TEST").unwrap();
        synthetic_models(3, models)
            .enumerate()
            .map(|(i, mut new)| {
                if unique_tags {
                    new.details.workload_type = Some(format!("chat,t{i}"));
                }
                let model = Model {
                    id: ModelId::generate(),
                    project_id: project.clone(),
                    details: new.details,
                    shared: true,
                    shared_at: Some(format!("2026-11-01T00:00:{:02}.{i:06}Z", i % 60)),
                    featured: i % 7 == 0,
                    artifact: None,
                    created_at: String::new(),
                    updated_at: String::new(),
                };
                crate::ops::seed::generate::synthetic_entry(model, i)
            })
            .collect()
    }

    /// A first share adds without deleting (the id is in no segment); an edit replaces; the
    /// same model twice in later commits still leaves one document.
    #[test]
    fn upserts_keep_one_document_per_model() {
        use crate::search::index::IndexChange;
        let entries = entries(3, false);
        let index = SearchIndex::in_memory().unwrap();
        let upsert =
            |e: &crate::catalog::card::CatalogEntry| IndexChange::Upsert(Box::new(e.clone()));
        index.apply(&[upsert(&entries[0])], 1).unwrap();
        let mut edited = entries[0].clone();
        edited.revision_micros += 1;
        index.apply(&[upsert(&edited)], 2).unwrap();
        index
            .apply(&[upsert(&entries[1]), upsert(&edited)], 3)
            .unwrap();
        let mut revisions = index.revisions().unwrap();
        revisions.sort();
        let mut expected = vec![
            (edited.card.id, edited.revision_micros),
            (entries[1].card.id, entries[1].revision_micros),
        ];
        expected.sort();
        assert_eq!(revisions, expected);
    }

    /// Browsing and a keyword search that matches everything agree on every count and hit:
    /// every synthetic description contains "model", so `q=model` matches all documents.
    fn assert_paths_agree(index: &SearchIndex) {
        let cases: &[&[(&str, &str)]] = &[
            &[],
            &[("family", "qwen2")],
            &[
                ("family", "qwen2"),
                ("family", "llama"),
                ("license", "apache-2.0"),
                ("min_params", "3B"),
                ("max_params", "40B"),
            ],
            &[("tag", "chat"), ("moe", "false"), ("min_context", "32K")],
            &[("featured", "true"), ("license", "mit")],
            &[
                ("fits_memory", "24GB"),
                ("at_context", "8K"),
                ("tag", "chat"),
            ],
        ];
        for pairs in cases {
            let browse =
                CatalogQuery::from_pairs(pairs.iter().copied().chain([("sort", "newest")]))
                    .unwrap();
            let keyword = CatalogQuery::from_pairs(
                pairs
                    .iter()
                    .copied()
                    .chain([("sort", "newest"), ("q", "model")]),
            )
            .unwrap();
            let (a, b) = (
                index.search(&browse).unwrap(),
                index.search(&keyword).unwrap(),
            );
            assert_eq!(a.total, b.total, "{pairs:?}");
            assert_eq!(a.facets, b.facets, "{pairs:?}");
            let ids = |r: &crate::catalog::search_results::SearchResults| {
                r.hits.iter().map(|c| c.id).collect::<Vec<_>>()
            };
            assert_eq!(ids(&a), ids(&b), "{pairs:?}");
        }
    }

    /// Ranges on and off bucket boundaries select exactly the models whose count lies in them.
    #[test]
    fn ranges_select_like_a_comparison() {
        let index = index(1500, false);
        let all = CatalogQuery::from_pairs([("per_page", "100"), ("sort", "params")]).unwrap();
        let everything = index.search(&all).unwrap();
        let ranges = [
            ("1", "2999999999"),
            ("3B", "40B"),
            ("2.5B", "11B"),
            ("10B", "10B"),
            ("100B", "1000B"),
        ];
        for (min, max) in ranges {
            let query =
                CatalogQuery::from_pairs([("min_params", min), ("max_params", max)]).unwrap();
            let crate::catalog::query::Selection::Range(range) = query.filters[1] else {
                panic!("the params facet holds a range");
            };
            let results = index.search(&query).unwrap();
            let bucket_total: u64 = match &everything.facets.0[1] {
                crate::catalog::search_results::FacetCount::Buckets(counts) => counts.iter().sum(),
                _ => 0,
            };
            assert_eq!(bucket_total, 1500);
            let brute = crate::search::counting::tests::count_in(&index, range);
            assert_eq!(results.total, brute, "{min}..{max}");
        }
    }

    fn count_in(index: &SearchIndex, range: crate::catalog::buckets::Range) -> u64 {
        let mut query = CatalogQuery {
            per_page: 100,
            ..CatalogQuery::default()
        };
        let mut total = 0;
        for page in 1..=15 {
            query.page = page;
            let results = index.search(&query).unwrap();
            total += results
                .hits
                .iter()
                .filter(|c| c.parameter_count.is_some() && range.contains(c.parameter_count))
                .count() as u64;
        }
        total
    }

    /// The fit filter lets through exactly the models whose card's estimate is known and
    /// within the budget, and the unfiltered counts say beforehand how many that will be.
    #[test]
    fn fit_selects_and_counts_like_the_cards_estimate() {
        use crate::catalog::memory::Need;
        let index = index(900, false);
        let mut cards = Vec::new();
        for page in 1..=9 {
            let query =
                CatalogQuery::from_pairs([("per_page", "100"), ("page", &page.to_string())])
                    .unwrap();
            cards.extend(index.search(&query).unwrap().hits);
        }
        assert_eq!(cards.len(), 900);
        let position = crate::catalog::facet_list::FACETS
            .iter()
            .position(|f| f.key == "memory")
            .unwrap();
        for context in ["4K", "32K", "128K"] {
            let counts = index
                .search(&CatalogQuery::from_pairs([("at_context", context)]).unwrap())
                .unwrap();
            let crate::catalog::search_results::FacetCount::Buckets(slots) =
                &counts.facets.0[position]
            else {
                panic!("the fit facet is counted");
            };
            let crate::catalog::facet_list::FacetKind::Fit(fit) =
                &crate::catalog::facet_list::FACETS[position].kind
            else {
                panic!("fit facet");
            };
            let (rows, _) = fit.cumulative(slots);
            let at = crate::catalog::units::ContextLength::parse(context)
                .unwrap()
                .get();
            for budget in ["8GB", "20GB", "24GB", "48GB", "200GB"] {
                let bytes = crate::catalog::memory::parse_memory(budget).unwrap();
                let query =
                    CatalogQuery::from_pairs([("fits_memory", budget), ("at_context", context)])
                        .unwrap();
                let found = index.search(&query).unwrap();
                let need = |c: &crate::catalog::card::CatalogCard| {
                    c.fit_inputs()
                        .need(c.estimate_context(at), Default::default())
                };
                let fits = cards
                    .iter()
                    .filter(|c| matches!(need(c), Need::Known(b) if b <= bytes))
                    .count() as u64;
                let weights_only = cards
                    .iter()
                    .filter(|c| matches!(need(c), Need::AtLeast(b) if b <= bytes))
                    .count() as u64;
                assert_eq!(
                    found.fit_totals,
                    Some((fits, weights_only)),
                    "{budget} at {context}"
                );
                assert_eq!(found.total, fits + weights_only, "{budget} at {context}");
                assert!(
                    fits > 0 || budget == "8GB",
                    "{budget} at {context} finds some"
                );
                if let Some((_, counted, may)) = rows.iter().find(|(b, _, _)| *b == bytes) {
                    assert_eq!(
                        (*counted, *may),
                        (fits, weights_only),
                        "{budget} at {context}: counts match the filter"
                    );
                }
            }
        }
        // A small hit set is counted document by document: the same figures.
        let narrow =
            CatalogQuery::from_pairs([("min_params", "6B"), ("max_params", "9B")]).unwrap();
        let results = index.search(&narrow).unwrap();
        assert!(
            results.total > 0 && results.total * 8 < 900,
            "{}",
            results.total
        );
        let crate::catalog::search_results::FacetCount::Buckets(slots) =
            &results.facets.0[position]
        else {
            panic!("the fit facet is counted");
        };
        let crate::catalog::facet_list::FacetKind::Fit(fit) =
            &crate::catalog::facet_list::FACETS[position].kind
        else {
            panic!("fit facet");
        };
        let mut brute = vec![0u64; fit.slot_count()];
        for card in cards.iter().filter(|c| {
            c.parameter_count
                .is_some_and(|p| (6_000_000_000..=9_000_000_000).contains(&p))
        }) {
            let need = card
                .fit_inputs()
                .need(card.estimate_context(32 * 1024), Default::default());
            brute[fit.slot_of(need)] += 1;
        }
        assert_eq!(slots, &brute);
    }

    /// Ranking only the top-scoring hits when they fill the page gives the same page as ranking
    /// every hit (per-family heaps turn the shortcut off, so they are the reference).
    #[test]
    fn the_top_tier_shortcut_ranks_like_scoring_every_hit() {
        let index = index(3000, false);
        for q in [
            "qwen",
            "qwen 7b",
            "instruct",
            "coder 8b",
            "model",
            "llama instruct",
            "7b",
        ] {
            for page in ["1", "3"] {
                let pairs = [("q", q), ("page", page), ("per_page", "20")];
                let fast = CatalogQuery::from_pairs(pairs).unwrap();
                let reference = CatalogQuery {
                    per_family: 1,
                    ..fast.clone()
                };
                let ids = |query: &CatalogQuery| {
                    let results = index.search(query).unwrap();
                    (
                        results.total,
                        results.hits.iter().map(|c| c.id).collect::<Vec<_>>(),
                    )
                };
                assert_eq!(ids(&fast), ids(&reference), "{q} page {page}");
            }
        }
    }

    #[test]
    fn keyword_matches_count_like_browsing() {
        assert_paths_agree(&index(1500, false));
    }

    #[test]
    fn segments_with_too_many_tags_count_from_ordinals() {
        let index = index(400, true);
        assert_paths_agree(&index);
        // Each model has its own tag besides `chat`: more than a segment gets sets for.
        let query = CatalogQuery::from_pairs([("tag", "t7"), ("tag", "t9")]).unwrap();
        let results = index.search(&query).unwrap();
        assert_eq!(results.total, 2);
        assert_eq!(crate::catalog::facet_list::FACETS[8].key, "tag");
        let tags = results.facets.values(8);
        assert!(tags.contains(&("t7".to_owned(), 1)) && tags.contains(&("chat".to_owned(), 400)));
    }
}
