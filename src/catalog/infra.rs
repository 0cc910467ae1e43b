//! Serving infrastructure (SPEC §2): agents that load models, endpoints that deploy them, and
//! the rules that derive an endpoint's status and a model's badge facts from what is loaded.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::badge::BadgeFacts;
use super::role::{CatalogRole, Presence, catalog_role};

/// An agent id like `agt_3fK9x2Qa`: public, names the agent in lists, logs and `agents remove`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AgentId(String);

impl AgentId {
    pub const PREFIX: &'static str = "agt_";

    /// Parses `agt_` followed by 1–40 ASCII letters or digits.
    pub fn parse(input: &str) -> Option<Self> {
        let tail = input.strip_prefix(Self::PREFIX)?;
        let valid =
            !tail.is_empty() && tail.len() <= 40 && tail.bytes().all(|b| b.is_ascii_alphanumeric());
        valid.then(|| Self(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for AgentId {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value).ok_or_else(|| format!("`{value}` is not an agent id like `agt_…`"))
    }
}

impl From<AgentId> for String {
    fn from(value: AgentId) -> Self {
        value.0
    }
}

impl fmt::Display for AgentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

/// An endpoint id: a UUID, like model ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EndpointId(Uuid);

impl EndpointId {
    pub fn generate() -> Self {
        Self(Uuid::new_v4())
    }

    pub fn parse(input: &str) -> Option<Self> {
        Uuid::parse_str(input).ok().map(Self)
    }
}

impl fmt::Display for EndpointId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

/// What kind of machine an agent is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgentKind {
    /// Platform shared infrastructure, registered by an administrator.
    Shared,
    /// A XIM node dedicated to one project.
    Xim,
}

impl AgentKind {
    pub fn parse(input: &str) -> Option<Self> {
        match input {
            "shared" => Some(Self::Shared),
            "xim" => Some(Self::Xim),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Shared => "shared",
            Self::Xim => "xim",
        }
    }
}

/// Where an endpoint runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Shared,
    Xim,
}

impl Tier {
    pub fn parse(input: &str) -> Option<Self> {
        match input {
            "shared" => Some(Self::Shared),
            "xim" => Some(Self::Xim),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Shared => "shared",
            Self::Xim => "xim",
        }
    }
}

/// Whether an endpoint can serve right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndpointStatus {
    Active,
    Unavailable,
}

impl EndpointStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Unavailable => "unavailable",
        }
    }

    /// A shared-tier endpoint serves while its model is loaded on an active shared agent (shared
    /// or not: unsharing never touches endpoints); a xim-tier endpoint while its node is active.
    pub fn derive(tier: Tier, model_on_active_shared_agent: bool, node_active: bool) -> Self {
        let active = match tier {
            Tier::Shared => model_on_active_shared_agent,
            Tier::Xim => node_active,
        };
        if active {
            Self::Active
        } else {
            Self::Unavailable
        }
    }
}

/// Where a model is loaded and deployed, as the store reads it for one model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Placement {
    pub is_shared: bool,
    pub featured: bool,
    pub on_active_shared_agent: bool,
    pub on_active_xim_node: bool,
    /// An active xim endpoint whose node has the model loaded (an anchor).
    pub has_active_anchor: bool,
    /// A xim endpoint on an active node (whether or not the node has loaded the model).
    pub has_active_xim_endpoint: bool,
    pub has_shared_endpoint: bool,
    pub deployment_count: u64,
}

impl Placement {
    /// The placement of a model on no agent and without endpoints.
    pub fn unplaced(is_shared: bool, featured: bool) -> Self {
        Self {
            is_shared,
            featured,
            ..Self::default()
        }
    }

    pub fn role(&self) -> Option<CatalogRole> {
        catalog_role(Presence {
            is_shared: self.is_shared,
            loaded_on_active_shared_agent: self.on_active_shared_agent,
        })
    }

    /// The facts the badge rules read.
    pub fn badge_facts(&self) -> BadgeFacts {
        let shared_endpoint_active = self.has_shared_endpoint && self.on_active_shared_agent;
        BadgeFacts {
            role: self.role(),
            has_active_anchor: self.has_active_anchor,
            loaded_on_active_agent: self.on_active_shared_agent || self.on_active_xim_node,
            has_active_endpoint: self.has_active_xim_endpoint || shared_endpoint_active,
            deployment_count: self.deployment_count,
            featured: self.featured,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_status_follows_its_tier() {
        use EndpointStatus::*;
        assert_eq!(EndpointStatus::derive(Tier::Shared, true, false), Active);
        assert_eq!(
            EndpointStatus::derive(Tier::Shared, false, true),
            Unavailable
        );
        assert_eq!(EndpointStatus::derive(Tier::Xim, false, true), Active);
        assert_eq!(EndpointStatus::derive(Tier::Xim, true, false), Unavailable);
    }

    #[test]
    fn agent_ids_reject_other_shapes() {
        assert!(AgentId::parse("agt_ab12CD34").is_some());
        for bad in ["", "agt_", "key_ab12", "agt_a-b", "agt_../x"] {
            assert!(AgentId::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn placement_maps_to_badge_facts() {
        let placement = Placement {
            is_shared: true,
            on_active_xim_node: true,
            has_active_anchor: true,
            has_active_xim_endpoint: true,
            deployment_count: 3,
            ..Placement::default()
        };
        let facts = placement.badge_facts();
        assert_eq!(facts.role, Some(CatalogRole::Deployable));
        assert!(
            facts.loaded_on_active_agent && facts.has_active_endpoint && facts.has_active_anchor
        );
        // A shared-tier endpoint of a model no shared agent has loaded is not active.
        let stranded = Placement {
            is_shared: true,
            has_shared_endpoint: true,
            ..Placement::default()
        };
        assert!(!stranded.badge_facts().has_active_endpoint);
    }
}
