//! The catalog role of a model (SPEC §3): derived, never set by hand.

use serde::{Deserialize, Serialize};

/// The role of a shared model in the catalog. An unshared model has no role (`None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CatalogRole {
    /// Loaded on at least one active shared agent: deployable on any tier.
    Shared,
    /// In the catalog but on no shared agent: needs a XIM node ("XIM Only").
    Deployable,
}

impl CatalogRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Shared => "shared",
            Self::Deployable => "deployable",
        }
    }
}

/// Whether a model is in the catalog and where it is loaded: the inputs of the role rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Presence {
    pub is_shared: bool,
    pub loaded_on_active_shared_agent: bool,
}

/// Returns the role per SPEC §3: `None` when not shared, `Shared` when loaded on an active
/// shared agent, otherwise `Deployable`.
pub fn catalog_role(presence: Presence) -> Option<CatalogRole> {
    match (presence.is_shared, presence.loaded_on_active_shared_agent) {
        (false, _) => None,
        (true, true) => Some(CatalogRole::Shared),
        (true, false) => Some(CatalogRole::Deployable),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_follows_sharing_and_shared_agents() {
        let role = |is_shared, loaded| {
            catalog_role(Presence {
                is_shared,
                loaded_on_active_shared_agent: loaded,
            })
        };
        assert_eq!(role(false, false), None);
        assert_eq!(role(false, true), None);
        assert_eq!(role(true, false), Some(CatalogRole::Deployable));
        assert_eq!(role(true, true), Some(CatalogRole::Shared));
    }
}
