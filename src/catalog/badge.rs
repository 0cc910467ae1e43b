//! Badges (SPEC §3), as pure rules over the facts about a catalog model and who is looking.

use serde::{Deserialize, Serialize};

use super::role::CatalogRole;

/// Deployments from which a model is Popular.
pub const POPULAR_THRESHOLD: u64 = 10;

/// A badge on a card, the detail page and in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Badge {
    Shared,
    XimOnly,
    NotDeployed,
    Popular,
    Featured,
}

impl Badge {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Shared => "shared",
            Self::XimOnly => "xim_only",
            Self::NotDeployed => "not_deployed",
            Self::Popular => "popular",
            Self::Featured => "featured",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Shared => "Shared",
            Self::XimOnly => "XIM Only",
            Self::NotDeployed => "Not Deployed",
            Self::Popular => "Popular",
            Self::Featured => "Featured",
        }
    }

    /// Infrastructure badges are for logged-in users only.
    pub fn is_infrastructure(self) -> bool {
        matches!(self, Self::Shared | Self::XimOnly | Self::NotDeployed)
    }
}

/// Who is looking: SPEC §3 hides infrastructure badges and the role from anonymous visitors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    Anonymous,
    LoggedIn,
}

/// What the badge rules look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BadgeFacts {
    pub role: Option<CatalogRole>,
    /// An active `xim` endpoint whose XIM node has the model loaded.
    pub has_active_anchor: bool,
    /// Loaded on at least one active agent of any kind.
    pub loaded_on_active_agent: bool,
    /// Backed by at least one active endpoint.
    pub has_active_endpoint: bool,
    pub deployment_count: u64,
    pub featured: bool,
}

/// Returns the badges this viewer may see, in display order.
pub fn badges(facts: &BadgeFacts, viewer: Viewer) -> Vec<Badge> {
    let shared = facts.role == Some(CatalogRole::Shared)
        || (facts.role == Some(CatalogRole::Deployable) && facts.has_active_anchor);
    let rules = [
        (Badge::Featured, facts.featured),
        (Badge::Popular, facts.deployment_count >= POPULAR_THRESHOLD),
        (Badge::Shared, shared),
        (
            Badge::XimOnly,
            facts.role == Some(CatalogRole::Deployable) && !shared,
        ),
        (
            Badge::NotDeployed,
            facts.role.is_some() && !facts.loaded_on_active_agent && !facts.has_active_endpoint,
        ),
    ];
    rules
        .into_iter()
        .filter(|(badge, holds)| {
            *holds && (viewer == Viewer::LoggedIn || !badge.is_infrastructure())
        })
        .map(|(badge, _)| badge)
        .collect()
}

/// One chip a user reads. Featured and Popular show as they are; the infrastructure badges are
/// one status, because XIM Only and Not Deployed come together on every fresh share and two
/// chips for one state read as two problems ("XIM Only · not deployed").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chip {
    /// The badge keys the chip stands for (CSS classes `badge-{key}`).
    pub keys: &'static [&'static str],
    pub label: &'static str,
    pub help: &'static str,
}

/// The chips of the badges shown, in reading order.
pub fn chips(shown: &[Badge]) -> Vec<Chip> {
    let has = |b: Badge| shown.contains(&b);
    let mut chips = Vec::new();
    if has(Badge::Featured) {
        chips.push(Chip {
            keys: &["featured"],
            label: "Featured",
            help: "Highlighted by the platform administrators",
        });
    }
    if has(Badge::Popular) {
        chips.push(Chip {
            keys: &["popular"],
            label: "Popular",
            help: "10 or more deployments",
        });
    }
    let status = match (
        has(Badge::Shared),
        has(Badge::XimOnly),
        has(Badge::NotDeployed),
    ) {
        (true, _, _) => Some(Chip {
            keys: &["shared"],
            label: "Shared",
            help: "Running on shared infrastructure: deployable on any tier",
        }),
        (false, true, true) => Some(Chip {
            keys: &["xim_only", "not_deployed"],
            label: "XIM Only · not deployed",
            help: "Needs a XIM node to deploy, and runs nowhere yet",
        }),
        (false, true, false) => Some(Chip {
            keys: &["xim_only"],
            label: "XIM Only",
            help: "Needs a XIM node to deploy",
        }),
        (false, false, true) => Some(Chip {
            keys: &["not_deployed"],
            label: "Not deployed",
            help: "Runs on no agent right now",
        }),
        (false, false, false) => None,
    };
    chips.extend(status);
    chips
}

/// The chips as one line of text, for the CLI and JSON (`Featured · XIM Only · not deployed`).
pub fn badge_line(shown: &[Badge]) -> String {
    chips(shown)
        .iter()
        .map(|c| c.label)
        .collect::<Vec<_>>()
        .join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_status_chip_a_user_can_read() {
        let fresh = [Badge::XimOnly, Badge::NotDeployed];
        assert_eq!(badge_line(&fresh), "XIM Only · not deployed");
        assert_eq!(chips(&fresh).len(), 1);
        assert_eq!(
            badge_line(&[Badge::Featured, Badge::Popular, Badge::Shared]),
            "Featured · Popular · Shared"
        );
        assert_eq!(badge_line(&[Badge::XimOnly]), "XIM Only");
        assert_eq!(badge_line(&[]), "");
    }

    #[test]
    fn a_fresh_share_is_xim_only_and_not_deployed_for_logged_in_users_only() {
        let facts = BadgeFacts {
            role: Some(CatalogRole::Deployable),
            ..BadgeFacts::default()
        };
        assert_eq!(
            badges(&facts, Viewer::LoggedIn),
            [Badge::XimOnly, Badge::NotDeployed]
        );
        assert_eq!(badges(&facts, Viewer::Anonymous), []);
    }

    #[test]
    fn an_anchor_makes_a_deployable_model_shared() {
        let facts = BadgeFacts {
            role: Some(CatalogRole::Deployable),
            has_active_anchor: true,
            has_active_endpoint: true,
            loaded_on_active_agent: true,
            ..BadgeFacts::default()
        };
        assert_eq!(badges(&facts, Viewer::LoggedIn), [Badge::Shared]);
    }

    #[test]
    fn popular_and_featured_are_public() {
        let facts = BadgeFacts {
            role: Some(CatalogRole::Shared),
            loaded_on_active_agent: true,
            deployment_count: 10,
            featured: true,
            ..BadgeFacts::default()
        };
        assert_eq!(
            badges(&facts, Viewer::Anonymous),
            [Badge::Featured, Badge::Popular]
        );
        assert_eq!(
            badges(&facts, Viewer::LoggedIn),
            [Badge::Featured, Badge::Popular, Badge::Shared]
        );
        let nine = BadgeFacts {
            deployment_count: 9,
            ..facts
        };
        assert!(!badges(&nine, Viewer::Anonymous).contains(&Badge::Popular));
    }

    #[test]
    fn unshared_models_have_no_infrastructure_badges() {
        assert_eq!(badges(&BadgeFacts::default(), Viewer::LoggedIn), []);
    }
}
