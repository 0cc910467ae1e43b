//! The SQLite rows of a shared model → its catalog entry: the one projection every index
//! writer uses (sync, rebuild, catalog reads, synthetic catalogs).

use crate::catalog::badge::BadgeFacts;
use crate::catalog::card::CatalogEntry;
use crate::markdown;
use crate::store::catalog::SharedModel;
use crate::store::{self, presence};

/// Builds the catalog entry of a shared model with its current placement.
pub fn entry_with_placement(
    conn: &rusqlite::Connection,
    shared: &SharedModel,
    cutoff: &str,
) -> Result<CatalogEntry, store::StoreError> {
    let placement = presence::placement(conn, &shared.model.id, cutoff)?;
    Ok(entry_for(shared, placement.badge_facts()))
}

/// Builds the catalog entry of a shared model from its badge facts.
pub fn entry_for(shared: &SharedModel, facts: BadgeFacts) -> CatalogEntry {
    let model = &shared.model;
    let shared_at = model
        .shared_at
        .as_deref()
        .and_then(parse_micros)
        .unwrap_or(0);
    let mut entry = CatalogEntry::build(
        model,
        &shared.project_name,
        markdown::to_plain_text(&model.details.description),
        facts,
        shared_at,
    );
    entry.revision_micros = revision_of(&model.updated_at);
    entry.card.set_shape(shared.kv_shape);
    entry.card.compute_shape = shared.compute.filter(|_| shared.kv_shape.is_some());
    entry.card.lineage = shared.lineage.clone();
    entry
}

/// The revision the index records for a model row: its `updated_at` in microseconds.
pub fn revision_of(updated_at: &str) -> u64 {
    parse_micros(updated_at).unwrap_or(0)
}

fn parse_micros(stamp: &str) -> Option<u64> {
    let parsed =
        time::OffsetDateTime::parse(stamp, &time::format_description::well_known::Rfc3339).ok()?;
    u64::try_from(parsed.unix_timestamp_nanos() / 1_000).ok()
}
