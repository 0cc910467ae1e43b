//! Browsing without keywords, on document sets instead of a per-document loop.
//!
//! Per segment, every facet value gets a bitmap of its documents (built once, cached with the
//! segment's table). A browse then ORs the selected values into one set per active filter,
//! derives "passes every filter except facet j" for each j from prefix and suffix ANDs, counts
//! each facet value by popcount, and walks only the hits for the top of the page. Tags get
//! bitmaps only while a segment has at most [`MAX_TAG_BITMAPS`] distinct tags; beyond that the
//! collector path serves (RELIABILITY T4's 10 000 tags would cost a bitmap each).

use std::collections::HashMap;
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::{DocId, SegmentOrdinal, SegmentReader};

use super::collector::{CatalogCollector, CollectedFacets, CollectorSpec};
use super::table::{FEATURED, MOE, NONE, SegmentTable, ords_of};
use crate::catalog::badge::POPULAR_THRESHOLD;
use crate::catalog::facets::BUCKET_SLOTS;
use crate::catalog::query::Range;

pub const MAX_TAG_BITMAPS: usize = 256;

type Words = Vec<u64>;

/// The per-value document sets of one segment.
pub struct FacetBitmaps {
    family: Vec<Words>,
    license: Vec<Words>,
    tag: Vec<Words>,
    moe: [Words; 2],
    featured: [Words; 2],
    params: Vec<Words>,
    context: Vec<Words>,
}

fn words(n: usize) -> Words {
    vec![0; n.div_ceil(64)]
}

fn set(words: &mut Words, d: usize) {
    words[d / 64] |= 1 << (d % 64);
}

impl FacetBitmaps {
    /// Builds the bitmaps, or `None` when the segment has too many distinct tags.
    fn build(table: &SegmentTable) -> Option<Self> {
        if table.tag_names.len() > MAX_TAG_BITMAPS {
            return None;
        }
        let n = table.family.len();
        let mut b = Self {
            family: vec![words(n); table.family_names.len()],
            license: vec![words(n); table.license_names.len()],
            tag: vec![words(n); table.tag_names.len()],
            moe: [words(n), words(n)],
            featured: [words(n), words(n)],
            params: vec![words(n); BUCKET_SLOTS],
            context: vec![words(n); BUCKET_SLOTS],
        };
        for d in 0..n {
            if table.family[d] != NONE {
                set(&mut b.family[table.family[d] as usize], d);
            }
            if table.license[d] != NONE {
                set(&mut b.license[table.license[d] as usize], d);
            }
            for ord in table.tags(d as DocId) {
                set(&mut b.tag[*ord as usize], d);
            }
            set(&mut b.moe[usize::from(table.flags[d] & MOE != 0)], d);
            set(
                &mut b.featured[usize::from(table.flags[d] & FEATURED != 0)],
                d,
            );
            set(&mut b.params[usize::from(table.params_bucket[d])], d);
            set(&mut b.context[usize::from(table.context_bucket[d])], d);
        }
        Some(b)
    }
}

fn or_of(sets: &[Words], ords: &[u32], n: usize) -> Words {
    let mut out = words(n);
    for ord in ords {
        if let Some(set) = sets.get(*ord as usize) {
            for (o, w) in out.iter_mut().zip(set) {
                *o |= w;
            }
        }
    }
    out
}

fn less_than(values: &[u64], limit: u64) -> Words {
    values
        .chunks(64)
        .map(|chunk| {
            chunk
                .iter()
                .enumerate()
                .fold(0u64, |word, (i, v)| word | (u64::from(*v < limit) << i))
        })
        .collect()
}

/// The complement; padding bits past the last document get set, which is harmless because the
/// result is always intersected with the alive set.
fn not(words: &Words) -> Words {
    words.iter().map(|w| !w).collect()
}

fn in_range(values: &[u64], range: Range) -> Words {
    // 0 means "not stated", which never lies in a set range: min is at least 1.
    let (min, max) = (range.min.unwrap_or(1).max(1), range.max.unwrap_or(u64::MAX));
    values
        .chunks(64)
        .map(|chunk| {
            // Branch-free, so the compiler can vectorise the comparisons.
            chunk.iter().enumerate().fold(0u64, |word, (i, v)| {
                word | (u64::from(*v >= min && *v <= max) << i)
            })
        })
        .collect()
}

fn and(a: &Words, b: &Words) -> Words {
    a.iter().zip(b).map(|(x, y)| x & y).collect()
}

fn count_and(a: &Words, b: &Words) -> u64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| u64::from((x & y).count_ones()))
        .sum()
}

fn alive_words(table: &SegmentTable, reader: &SegmentReader) -> Arc<Words> {
    let deleted = reader.num_deleted_docs();
    let mut cached = table.alive.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((at, alive)) = cached.as_ref()
        && *at == deleted
    {
        return Arc::clone(alive);
    }
    let n = reader.max_doc() as usize;
    let mut alive = words(n);
    for d in 0..n {
        if !reader.is_deleted(d as DocId) {
            set(&mut alive, d);
        }
    }
    let alive = Arc::new(alive);
    *cached = Some((deleted, Arc::clone(&alive)));
    alive
}

/// Browses one segment; `None` when this segment cannot use bitmaps (too many tags).
pub fn browse_segment(
    collector: &CatalogCollector,
    spec: &CollectorSpec,
    ord: SegmentOrdinal,
    reader: &SegmentReader,
    table: &Arc<SegmentTable>,
) -> tantivy::Result<Option<CollectedFacets>> {
    let Some(bitmaps) = table.bitmaps.get_or_init(|| FacetBitmaps::build(table)) else {
        return Ok(None);
    };
    let n = table.family.len();
    let mut base = (*alive_words(table, reader)).clone();
    if let Some(featured) = spec.featured {
        base = and(&base, &bitmaps.featured[usize::from(featured)]);
    }
    if let Some(popular) = spec.popular {
        // Deployment counts change with every deploy, so this is computed, not cached.
        let below = less_than(&table.deployments, POPULAR_THRESHOLD);
        let wanted = if popular { not(&below) } else { below };
        base = and(&base, &wanted);
    }
    // The active facet filters, by facet slot (family, license, tag, moe, params, context).
    let mut filters: Vec<(usize, Words)> = Vec::new();
    if let Some(ords) = ords_of(&table.family_column, &spec.families)? {
        filters.push((0, or_of(&bitmaps.family, &ords, n)));
    }
    if let Some(ords) = ords_of(&table.license_column, &spec.licenses)? {
        filters.push((1, or_of(&bitmaps.license, &ords, n)));
    }
    if let Some(ords) = ords_of(&table.tag_column, &spec.tags)? {
        filters.push((2, or_of(&bitmaps.tag, &ords, n)));
    }
    if let Some(moe) = spec.moe {
        filters.push((3, bitmaps.moe[usize::from(moe)].clone()));
    }
    if spec.params.is_set() {
        filters.push((4, in_range(&table.params, spec.params)));
    }
    if spec.context.is_set() {
        filters.push((5, in_range(&table.context, spec.context)));
    }
    // excluding[i] = base AND every filter but filters[i]; hits = base AND all filters.
    let k = filters.len();
    let mut prefix = vec![base.clone()];
    for (_, f) in &filters {
        let next = and(&prefix[prefix.len() - 1], f);
        prefix.push(next);
    }
    let hits = prefix[k].clone();
    let mut excluding: HashMap<usize, Words> = HashMap::new();
    let mut suffix: Option<Words> = None;
    for i in (0..k).rev() {
        let without = match &suffix {
            None => prefix[i].clone(),
            Some(s) => and(&prefix[i], s),
        };
        excluding.insert(filters[i].0, without);
        suffix = Some(match suffix {
            None => filters[i].1.clone(),
            Some(s) => and(&s, &filters[i].1),
        });
    }
    let basis = |facet: usize| excluding.get(&facet).unwrap_or(&hits);
    let named = |sets: &[Words], names: &[String], within: &Words| -> HashMap<String, u64> {
        sets.iter()
            .zip(names)
            .filter_map(|(set, name)| {
                Some((name.clone(), count_and(set, within))).filter(|(_, c)| *c > 0)
            })
            .collect()
    };
    let mut segment = collector.for_segment(ord, reader)?;
    let is_hit = |d: u32| hits[(d / 64) as usize] & (1 << (d % 64)) != 0;
    match table.order(spec.sort) {
        // Walk the documents best first and stop once the page and every family's best are in.
        Some(order) => {
            let mut family_wanted: Vec<usize> = if spec.per_family > 0 {
                bitmaps
                    .family
                    .iter()
                    .map(|f| (count_and(f, &hits) as usize).min(spec.per_family))
                    .collect()
            } else {
                Vec::new()
            };
            let mut families_left: usize = family_wanted.iter().sum();
            let mut page_left = spec.limit;
            for &d in order {
                if page_left == 0 && families_left == 0 {
                    break;
                }
                if !is_hit(d) {
                    continue;
                }
                segment.offer(d);
                page_left = page_left.saturating_sub(1);
                if let Some(wanted) = family_wanted.get_mut(table.family[d as usize] as usize)
                    && *wanted > 0
                {
                    *wanted -= 1;
                    families_left -= 1;
                }
            }
        }
        None => {
            for (w, word) in hits.iter().enumerate() {
                let mut bits = *word;
                while bits != 0 {
                    segment.offer((w as u32) * 64 + bits.trailing_zeros());
                    bits &= bits - 1;
                }
            }
        }
    }
    let mut fruit = segment.harvest();
    fruit.total = hits.iter().map(|w| u64::from(w.count_ones())).sum();
    fruit.family = named(&bitmaps.family, &table.family_names, basis(0));
    fruit.license = named(&bitmaps.license, &table.license_names, basis(1));
    fruit.tag = named(&bitmaps.tag, &table.tag_names, basis(2));
    fruit.moe = [
        count_and(&bitmaps.moe[0], basis(3)),
        count_and(&bitmaps.moe[1], basis(3)),
    ];
    for slot in 0..BUCKET_SLOTS {
        fruit.params[slot] = count_and(&bitmaps.params[slot], basis(4));
        fruit.context[slot] = count_and(&bitmaps.context[slot], basis(5));
    }
    Ok(Some(fruit))
}

#[cfg(test)]
mod tests {
    use crate::catalog::ids::{ModelId, ProjectId};
    use crate::catalog::model::Model;
    use crate::catalog::query::CatalogQuery;
    use crate::ops::generate::synthetic_models;
    use crate::ops::index_sync::entry_for;
    use crate::search::SearchIndex;
    use crate::store::catalog::SharedModel;

    fn index(models: usize, unique_tags: bool) -> SearchIndex {
        let index = SearchIndex::in_memory().unwrap();
        let project = ProjectId::parse("proj_TEST").unwrap();
        let entries = synthetic_models(3, models).enumerate().map(|(i, mut new)| {
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
            entry_for(
                &SharedModel {
                    model,
                    project_name: "Test".into(),
                },
                crate::catalog::badge::BadgeFacts {
                    role: Some(crate::catalog::role::CatalogRole::Deployable),
                    ..Default::default()
                },
            )
        });
        index.replace_all(entries, 0).unwrap();
        index
    }

    /// The bitmap browse and the per-document collector agree on every count and hit. Every
    /// synthetic description contains "model", so `q=model` runs the collector over all documents.
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
            let ids = |r: &crate::catalog::facets::SearchResults| {
                r.hits.iter().map(|c| c.id).collect::<Vec<_>>()
            };
            assert_eq!(ids(&a), ids(&b), "{pairs:?}");
        }
    }

    #[test]
    fn bitmap_browse_matches_the_collector() {
        assert_paths_agree(&index(1500, false));
    }

    #[test]
    fn segments_with_too_many_tags_fall_back_to_the_collector() {
        assert_paths_agree(&index(400, true));
    }
}
