//! Reading the index: a catalog search (segments searched in parallel, merged, cards loaded
//! and variants folded) and the cards of one model's variants.

use std::collections::HashMap;
use std::sync::Arc;

use tantivy::schema::Value;
use tantivy::{DocAddress, TantivyDocument};

use super::SearchIndex;
use crate::catalog::card::CatalogCard;
use crate::catalog::ids::ModelId;
use crate::catalog::query::CatalogQuery;
use crate::catalog::search_results::{MatchMode, SearchResults};
use crate::search::SearchError;
use crate::search::counting::search_segment;
use crate::search::merge::merge;
use crate::search::query::keyword_plan;
use crate::search::top_hits::Hits;
use crate::search::variants;

impl SearchIndex {
    pub(super) fn card_at(
        &self,
        searcher: &tantivy::Searcher,
        address: DocAddress,
    ) -> Result<CatalogCard, SearchError> {
        let document: TantivyDocument = searcher.doc(address)?;
        let bytes = document
            .get_first(self.fields.card)
            .and_then(|v| v.as_bytes())
            .ok_or_else(|| SearchError::Directory("a document has no card".to_owned()))?;
        Ok(serde_json::from_slice(bytes)?)
    }

    /// Runs a catalog search: keywords, filters, disjunctive facets, one page of cards. The
    /// segments are searched in parallel on the index's executor.
    pub fn search(&self, query: &CatalogQuery) -> Result<SearchResults, SearchError> {
        let searcher = self.reader.searcher();
        let plan = keyword_plan(
            &searcher,
            &self.fields,
            &query.text,
            MatchMode::All,
            query.partial,
        )?;
        let mut results = self.search_planned(&searcher, query, plan.as_ref())?;
        let Some(plan) = plan else {
            return Ok(results);
        };
        results.match_mode = Some(plan.mode);
        // Fewer models than a page have every word: show those with most of them, said so.
        if query.partial
            && query.sort == crate::catalog::query::Sort::Relevance
            && plan.mode == MatchMode::All
            && plan.required_words() >= 2
            && results.total < u64::from(query.per_page)
            && let Some(most) =
                keyword_plan(&searcher, &self.fields, &query.text, MatchMode::Most, true)?
        {
            let more = self.search_planned(&searcher, query, Some(&most))?;
            if more.total > results.total {
                let every_word = results.total;
                results = more;
                results.match_mode = Some(MatchMode::Most);
                results.every_word = every_word;
            }
        }
        Ok(results)
    }

    /// One search with this keyword plan.
    fn search_planned(
        &self,
        searcher: &tantivy::Searcher,
        query: &CatalogQuery,
        plan: Option<&crate::search::query::KeywordPlan>,
    ) -> Result<SearchResults, SearchError> {
        let offset = query.offset() as usize;
        // Folding variants needs more hits than it shows: some of them share a group.
        let factor = if query.collapse_variants {
            variants::OVERFETCH
        } else {
            1
        };
        let limit = (offset + query.per_page as usize) * factor;
        let segment_query = CatalogQuery {
            per_family: query.per_family * factor as u32,
            ..query.clone()
        };
        let fruits = self.index.search_executor().map(
            |(ord, reader): (usize, &tantivy::SegmentReader)| {
                let table = self.tables.get(reader)?;
                search_segment(&segment_query, limit, plan, ord as u32, reader, &table)
            },
            searcher.segment_readers().iter().enumerate(),
        )?;
        let mut merged = merge(fruits, &segment_query, limit);
        // A fit search answers the models that fit, then those whose weights fit but whose KV
        // cache is unknown: one list, in that order.
        let fit_totals = merged.weights_only.take().map(|(count, second)| {
            let fits = merged.total;
            if (merged.hits.len() as u64) == fits {
                merged.hits.extend(second);
            }
            merged.total += count;
            (fits, count)
        });
        let tables = self.segment_tables(searcher)?;
        let addresses = |hits: &Hits, skip: usize, take: usize| -> Vec<DocAddress> {
            if query.collapse_variants {
                variants::fold(hits, &tables, skip, take)
            } else {
                hits.iter().skip(skip).take(take).map(|(_, a)| *a).collect()
            }
        };
        let page = addresses(&merged.hits, offset, query.per_page as usize);
        let family_pages: Vec<(String, Vec<DocAddress>)> = merged
            .family_hits
            .iter()
            .map(|(family, hits)| {
                (
                    family.clone(),
                    addresses(hits, 0, query.per_family as usize),
                )
            })
            .collect();
        // With folding, each card shown brings the other members of its group along.
        let members = if query.collapse_variants {
            let mut groups: Vec<u64> = page
                .iter()
                .chain(family_pages.iter().flat_map(|(_, kept)| kept))
                .map(|address| variants::group(&tables, *address))
                .collect();
            groups.sort_unstable();
            groups.dedup();
            variants::members(&searcher, &self.fields, &tables, &groups)?
        } else {
            HashMap::new()
        };
        let mut variant_cards: HashMap<ModelId, Vec<CatalogCard>> = HashMap::new();
        let mut load = |address: DocAddress| -> Result<CatalogCard, SearchError> {
            let card = self.card_at(&searcher, address)?;
            if let Some(found) = members.get(&variants::group(&tables, address))
                && found.len() > 1
                && !variant_cards.contains_key(&card.id)
            {
                let mut others = Vec::with_capacity(found.len() - 1);
                for member in found.iter().filter(|m| **m != address) {
                    others.push(self.card_at(&searcher, *member)?);
                }
                others.sort_by(|a, b| a.name.cmp(&b.name));
                variant_cards.insert(card.id, others);
            }
            Ok(card)
        };
        let hits = page
            .into_iter()
            .map(&mut load)
            .collect::<Result<Vec<_>, _>>()?;
        let mut family_hits = Vec::with_capacity(family_pages.len());
        for (family, kept) in family_pages {
            let cards = kept
                .into_iter()
                .map(&mut load)
                .collect::<Result<Vec<_>, _>>()?;
            family_hits.push((family, cards));
        }
        Ok(SearchResults {
            total: merged.total,
            hits,
            family_hits,
            facets: merged.facets,
            variants: variant_cards,
            fit_totals,
            match_mode: None,
            every_word: 0,
        })
    }

    /// The decoded table of every segment the searcher holds, by segment ordinal.
    fn segment_tables(
        &self,
        searcher: &tantivy::Searcher,
    ) -> Result<Vec<Arc<crate::search::table::SegmentTable>>, SearchError> {
        Ok(searcher
            .segment_readers()
            .iter()
            .map(|reader| self.tables.get(reader))
            .collect::<tantivy::Result<Vec<_>>>()?)
    }

    /// The other variants of a catalog card's model (`catalog::variant`), by name.
    pub fn variants_of(&self, card: &CatalogCard) -> Result<Vec<CatalogCard>, SearchError> {
        let searcher = self.reader.searcher();
        let tables = self.segment_tables(&searcher)?;
        let group = card.variant_group();
        let members = variants::members(&searcher, &self.fields, &tables, &[group])?;
        let mut cards = Vec::new();
        for address in members.get(&group).into_iter().flatten() {
            let member = self.card_at(&searcher, *address)?;
            if member.id != card.id {
                cards.push(member);
            }
        }
        cards.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(cards)
    }
}
