//! The catalog's facets and filters, defined once (issue 12 point 5). Query parsing, the index
//! columns, both counting paths, the JSON `facets` object, the OpenAPI parameters, the page
//! sidebar and the CLI flags are all derived from [`FACETS`], so a new facet is one entry here
//! (plus, for the index, a `SCHEMA_VERSION` bump).
//!
//! Three kinds: string values read from a keyword column (repeatable parameter, any of), a
//! boolean flag (one parameter, `true`/`false`), and a number counted in buckets (a `min_…` and a
//! `max_…` parameter in a unit such as `7B`). A flag may be a filter only (`featured`,
//! `popular`): it narrows the results but has no counts of its own.

use super::CatalogError;
use super::architecture::Architecture;
use super::badge::POPULAR_THRESHOLD;
use super::buckets::{Bucket, CONTEXT_BUCKETS, PARAM_BUCKETS};
use super::card::CatalogCard;
use super::family::family_view;
use super::license::License;
use super::license_intent::{Intent, intent_of};
use super::memory::{DEFAULT_CONTEXT, FIT_BUDGETS_GB, Need};
use super::role::CatalogRole;
use super::units::{ContextLength, ParameterCount};

/// One facet or filter. `key` names it everywhere: the index column, the JSON `facets` object,
/// the counts.
#[derive(Debug)]
pub struct Facet {
    pub key: &'static str,
    /// The sidebar heading.
    pub label: &'static str,
    pub kind: FacetKind,
}

/// What a facet filters on and how its parameters read.
#[derive(Debug)]
pub enum FacetKind {
    Values(ValuesFacet),
    Flag(FlagFacet),
    Buckets(BucketFacet),
    Fit(FitFacet),
}

/// A command-line flag and its help line.
#[derive(Debug, Clone, Copy)]
pub struct CliFlag {
    pub name: &'static str,
    pub help: &'static str,
}

/// String values of a keyword column; a model may have several (tags). Selected values OR.
#[derive(Debug)]
pub struct ValuesFacet {
    /// The query parameter, then its aliases.
    pub params: &'static [&'static str],
    /// The API documentation of the parameter.
    pub doc: &'static str,
    /// Normalises a parameter value into the stored form (`Qwen3-MoE` → `qwen3moe`).
    pub parse: fn(&str) -> Result<String, CatalogError>,
    /// The display name of a stored value.
    pub label_of: fn(&str) -> String,
    /// The active-filter chip prefix on the page (`Family: Llama`).
    pub chip: &'static str,
    pub cli: CliFlag,
    /// The values a catalog card holds.
    pub values_of: fn(&CatalogCard) -> Vec<String>,
}

/// A yes/no property.
#[derive(Debug)]
pub struct FlagFacet {
    pub param: &'static str,
    pub doc: &'static str,
    /// False: a filter only, without counts (listed in the page's "Badges" box).
    pub counted: bool,
    /// Filters on infrastructure badges, which SPEC §3 shows to logged-in users only: an
    /// anonymous search may not use it (it would tell what the badges hide).
    pub members_only: bool,
    /// Labels of `[false, true]` in the counts and the sidebar.
    pub labels: [&'static str; 2],
    /// Active-filter chips of `[false, true]`.
    pub chips: [&'static str; 2],
    /// Flags that select `true` and `false`.
    pub cli: [Option<CliFlag>; 2],
    pub value_of: fn(&CatalogCard) -> bool,
}

/// A number with buckets; a model may not state it (the "Not stated" slot).
#[derive(Debug)]
pub struct BucketFacet {
    /// `min_…` and `max_…`: inclusive bounds.
    pub params: [&'static str; 2],
    pub docs: [&'static str; 2],
    /// Labels and placeholders of the sidebar's exact-range inputs.
    pub range_labels: [&'static str; 2],
    pub placeholders: [&'static str; 2],
    /// The active-filter chip prefix (`Size: 7B–70B`).
    pub chip: &'static str,
    pub buckets: &'static [Bucket],
    /// Reads a bound in the facet's unit (`7B`, `128K`).
    pub parse: fn(&str) -> Result<u64, CatalogError>,
    /// Shows a value in that unit.
    pub show: fn(u64) -> Option<String>,
    pub cli: [CliFlag; 2],
    pub value_of: fn(&CatalogCard) -> Option<u64>,
}

/// Memory fit at a context (SPEC §11): a budget parameter keeps the models whose whole
/// estimate (weights + KV cache at the context + overhead) is known and within it; a context
/// parameter says at which context (capped at each model's own maximum). Counts are per
/// budget and cumulative, with the models whose weights fit but whose KV cache no file states
/// counted apart ("may fit"), and those without a weights figure as unknown.
#[derive(Debug)]
pub struct FitFacet {
    /// The budget, the context, the KV cache type, the parallel sequences, then `device`
    /// (another name for the budget).
    pub params: [&'static str; 5],
    pub docs: [&'static str; 5],
    /// The active-filter chip prefix (`Fits in: 24 GB at 32K`).
    pub chip: &'static str,
    /// Budgets counted, in decimal GB, ascending.
    pub budgets_gb: &'static [u64],
    /// The contexts the page offers; any other can be typed into the URL.
    pub contexts: &'static [u64],
    pub default_context: u64,
    pub parse_budget: fn(&str) -> Result<crate::catalog::devices::Budget, CatalogError>,
    pub parse_context: fn(&str) -> Result<u64, CatalogError>,
    pub cli: [CliFlag; 5],
    pub value_of: fn(&CatalogCard) -> u64,
}

impl FitFacet {
    /// Count slots: per budget "fits" (then over the last), per budget "may fit" (then over the
    /// last), then unknown.
    pub fn slot_count(&self) -> usize {
        2 * (self.budgets_gb.len() + 1) + 1
    }

    /// The slot of a model needing `need`.
    pub fn slot_of(&self, need: Need) -> usize {
        let budget = |bytes: u64| {
            self.budgets_gb
                .iter()
                .position(|gb| bytes <= gb * 1_000_000_000)
                .unwrap_or(self.budgets_gb.len())
        };
        match need {
            Need::Known(bytes) => budget(bytes),
            Need::AtLeast(bytes) => self.budgets_gb.len() + 1 + budget(bytes),
            Need::Unknown => self.slot_count() - 1,
        }
    }

    /// Per-slot counts as (budget in bytes, fits, may fit) per budget, cumulative, and the
    /// unknown count.
    pub fn cumulative(&self, slots: &[u64]) -> (Vec<(u64, u64, u64)>, u64) {
        let n = self.budgets_gb.len();
        let (mut fits, mut may) = (0, 0);
        let rows = self
            .budgets_gb
            .iter()
            .enumerate()
            .map(|(i, gb)| {
                fits += slots.get(i).copied().unwrap_or(0);
                may += slots.get(n + 1 + i).copied().unwrap_or(0);
                (gb * 1_000_000_000, fits, may)
            })
            .collect();
        (rows, slots.get(2 * n + 2).copied().unwrap_or(0))
    }
}

impl Facet {
    /// Whether the search answer carries counts for this facet.
    pub fn is_counted(&self) -> bool {
        !matches!(&self.kind, FacetKind::Flag(flag) if !flag.counted)
    }

    /// The query parameters this facet reads.
    pub fn params(&self) -> Vec<&'static str> {
        match &self.kind {
            FacetKind::Values(v) => v.params.to_vec(),
            FacetKind::Flag(f) => vec![f.param],
            FacetKind::Buckets(b) => b.params.to_vec(),
            FacetKind::Fit(f) => f.params.to_vec(),
        }
    }
}

/// Position of the family facet in [`FACETS`]: the grouped catalog page groups by it.
pub const FAMILY: usize = 0;
/// Position of the featured filter in [`FACETS`] (the admin page lists featured models).
pub const FEATURED: usize = 5;

/// How many facets and filters there are.
pub const FACET_COUNT: usize = 11;

/// Every facet and filter, in the page sidebar's order.
pub static FACETS: [Facet; FACET_COUNT] = [
    Facet {
        key: "family",
        label: "Family",
        kind: FacetKind::Values(ValuesFacet {
            params: &["family", "architecture"],
            doc: "Architecture family slug; repeatable (any of). Alias: `architecture`.",
            parse: |v| Architecture::parse(v).map(|a| a.as_str().to_owned()),
            label_of: |slug| family_view(slug).name,
            chip: "Family",
            cli: CliFlag {
                name: "family",
                help: "Architecture family (repeatable).",
            },
            values_of: |card| vec![card.architecture.clone()],
        }),
    },
    Facet {
        key: "params",
        label: "Parameters",
        kind: FacetKind::Buckets(BucketFacet {
            params: ["min_params", "max_params"],
            docs: [
                "Inclusive lower bound, e.g. `7B`.",
                "Inclusive upper bound, e.g. `70B`.",
            ],
            range_labels: ["Min parameters", "Max parameters"],
            placeholders: ["7B", "70B"],
            chip: "Size",
            buckets: &PARAM_BUCKETS,
            parse: |v| ParameterCount::parse(v).map(ParameterCount::get),
            show: |v| ParameterCount::new(v).map(|p| p.to_string()),
            cli: [
                CliFlag {
                    name: "min-params",
                    help: "At least this many parameters, e.g. 7B.",
                },
                CliFlag {
                    name: "max-params",
                    help: "At most this many parameters, e.g. 70B.",
                },
            ],
            value_of: |card| card.parameter_count,
        }),
    },
    Facet {
        key: "context",
        label: "Context length",
        kind: FacetKind::Buckets(BucketFacet {
            params: ["min_context", "max_context"],
            docs: [
                "Inclusive lower bound, e.g. `32K`.",
                "Inclusive upper bound, e.g. `128K`.",
            ],
            range_labels: ["Min context", "Max context"],
            placeholders: ["32K", "1M"],
            chip: "Context",
            buckets: &CONTEXT_BUCKETS,
            parse: |v| ContextLength::parse(v).map(ContextLength::get),
            show: |v| ContextLength::new(v).map(|c| c.to_string()),
            cli: [
                CliFlag {
                    name: "min-context",
                    help: "At least this context, e.g. 32K.",
                },
                CliFlag {
                    name: "max-context",
                    help: "At most this context, e.g. 128K.",
                },
            ],
            value_of: |card| card.context_length,
        }),
    },
    Facet {
        key: "memory",
        label: "Fits in",
        kind: FacetKind::Fit(FitFacet {
            params: [
                "fits_memory",
                "at_context",
                "kv_cache",
                "parallel",
                "device",
            ],
            docs: [
                "Memory budget: a size (`24GB`, decimal GB), several devices (`2x24GB`: their memory less 0.5 GB per extra device) or a device from the table (`RTX 4090`, `2x h100`). Models whose whole estimate (weights + KV cache + overhead, SPEC §11) is known and within it come first, then those whose weights fit but whose KV cache is unknown (`fit: weights_only`).",
                "The context the estimate is made at, e.g. `32K` (default 32K; capped at each model's own maximum).",
                "KV cache element type: `f16` (default), `q8_0` or `q4_0`, as llama.cpp and vLLM offer.",
                "Sequences served at once (default 1): each keeps its own KV cache at the context.",
                "A device from the table (`rtx-4090`, `2x a100-80gb`): another name for `fits_memory`.",
            ],
            chip: "Fits in",
            budgets_gb: &FIT_BUDGETS_GB,
            contexts: &[4 * 1024, 8 * 1024, 32 * 1024, 128 * 1024],
            default_context: DEFAULT_CONTEXT,
            parse_budget: |v| {
                crate::catalog::devices::parse_budget(v).map_err(|e| CatalogError::InvalidBudget {
                    input: v.chars().take(40).collect(),
                    reason: e.to_string(),
                })
            },
            parse_context: |v| ContextLength::parse(v).map(ContextLength::get),
            cli: [
                CliFlag {
                    name: "fits",
                    help: "Fits in this much memory, e.g. 24GB or 2x24GB (weights + KV cache + overhead).",
                },
                CliFlag {
                    name: "at-context",
                    help: "The context the memory estimate is made at, e.g. 32K (default 32K).",
                },
                CliFlag {
                    name: "kv-cache",
                    help: "KV cache type of the estimate: f16 (default), q8_0 or q4_0.",
                },
                CliFlag {
                    name: "parallel",
                    help: "Sequences served at once (each with its own KV cache; default 1).",
                },
                CliFlag {
                    name: "device",
                    help: "Fits on this device, e.g. \"RTX 4090\" or \"2x h100\" (see `catalog devices`).",
                },
            ],
            value_of: |card| card.fit_inputs().pack(),
        }),
    },
    Facet {
        key: "moe",
        label: "Architecture type",
        kind: FacetKind::Flag(FlagFacet {
            param: "moe",
            doc: "Mixture-of-experts models only (`true`) or dense only (`false`).",
            counted: true,
            members_only: false,
            labels: ["Dense", "Mixture of experts"],
            chips: ["Dense only", "Mixture of experts"],
            cli: [
                Some(CliFlag {
                    name: "dense",
                    help: "Dense models only.",
                }),
                Some(CliFlag {
                    name: "moe",
                    help: "Mixture-of-experts models only.",
                }),
            ],
            value_of: |card| card.moe,
        }),
    },
    Facet {
        key: "featured",
        label: "Featured",
        kind: FacetKind::Flag(FlagFacet {
            param: "featured",
            doc: "Featured models only.",
            counted: false,
            members_only: false,
            labels: ["Not featured", "Featured"],
            chips: ["Not featured", "Featured"],
            cli: [
                None,
                Some(CliFlag {
                    name: "featured",
                    help: "Featured models only.",
                }),
            ],
            value_of: |card| card.facts.featured,
        }),
    },
    Facet {
        key: "popular",
        label: "Popular (10+ deployments)",
        kind: FacetKind::Flag(FlagFacet {
            param: "popular",
            doc: "Popular models (10 or more deployments) only, or with `false` the others.",
            counted: false,
            members_only: false,
            labels: ["Not popular", "Popular"],
            chips: ["Not popular", "Popular"],
            cli: [
                None,
                Some(CliFlag {
                    name: "popular",
                    help: "Popular models only (10 or more deployments).",
                }),
            ],
            value_of: |card| card.facts.deployment_count >= POPULAR_THRESHOLD,
        }),
    },
    Facet {
        key: "license",
        label: "License",
        kind: FacetKind::Values(ValuesFacet {
            params: &["license"],
            doc: "License key such as `apache-2.0`; repeatable (any of).",
            parse: |v| License::parse(v).map(|l| l.key().to_owned()),
            label_of: |key| {
                License::from_stored(key.to_owned())
                    .display_name()
                    .to_owned()
            },
            chip: "License",
            cli: CliFlag {
                name: "license",
                help: "License key such as apache-2.0 (repeatable).",
            },
            values_of: |card| card.license.iter().cloned().collect(),
        }),
    },
    Facet {
        key: "tag",
        label: "Workload",
        kind: FacetKind::Values(ValuesFacet {
            params: &["tag"],
            doc: "Tag such as `code`; repeatable (any of).",
            parse: |v| {
                super::tags::parse_workload(v)?
                    .into_iter()
                    .next()
                    .ok_or(CatalogError::Empty { field: "tag" })
            },
            label_of: str::to_owned,
            chip: "Tag",
            cli: CliFlag {
                name: "tag",
                help: "Workload tag such as code (repeatable).",
            },
            values_of: |card| card.tags.clone(),
        }),
    },
    Facet {
        key: "license_intent",
        label: "May we use it?",
        kind: FacetKind::Values(ValuesFacet {
            params: &["license_intent"],
            doc: "What the licence allows (SPEC §11): `commercial`, `conditions`, `non_commercial`, `research` or `unknown`; repeatable (any of).",
            parse: |v| {
                Intent::parse(v).map(|i| i.key().to_owned()).ok_or_else(|| {
                    CatalogError::InvalidLicenseIntent {
                        input: v.chars().take(40).collect(),
                    }
                })
            },
            label_of: |key| {
                Intent::parse(key).map_or_else(|| key.to_owned(), |i| i.label().to_owned())
            },
            chip: "Licence",
            cli: CliFlag {
                name: "license-intent",
                help: "What the licence allows: commercial, conditions, non_commercial, research, unknown (repeatable).",
            },
            values_of: |card| vec![intent_of(card.license.as_deref()).0.key().to_owned()],
        }),
    },
    Facet {
        key: "shared",
        label: "Shared (runs on shared infrastructure)",
        kind: FacetKind::Flag(FlagFacet {
            param: "shared",
            doc: "Logged-in callers only (SPEC §3): models with the Shared badge (`true`), or the others (`false`).",
            counted: false,
            members_only: true,
            labels: ["Not shared", "Shared"],
            chips: ["Not Shared", "Shared"],
            cli: [
                None,
                Some(CliFlag {
                    name: "shared",
                    help: "Models with the Shared badge only (needs an API key).",
                }),
            ],
            value_of: |card| {
                card.facts.role == Some(CatalogRole::Shared)
                    || (card.facts.role == Some(CatalogRole::Deployable)
                        && card.facts.has_active_anchor)
            },
        }),
    },
];

/// The facet that reads this query parameter.
pub fn facet_of_param(param: &str) -> Option<(usize, &'static Facet)> {
    FACETS
        .iter()
        .enumerate()
        .find(|(_, facet)| facet.params().contains(&param))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_parameters_are_unique_and_positions_hold() {
        assert_eq!(FACETS[FAMILY].key, "family");
        assert_eq!(FACETS[FEATURED].key, "featured");
        let fit = FACETS.iter().find_map(|f| match &f.kind {
            FacetKind::Fit(fit) => Some(fit),
            _ => None,
        });
        let fit = fit.unwrap();
        assert_eq!(fit.slot_of(Need::Known(8_000_000_000)), 0);
        assert_eq!(fit.slot_of(Need::Known(8_000_000_001)), 1);
        assert_eq!(fit.slot_of(Need::Known(999_000_000_000)), 7);
        assert_eq!(fit.slot_of(Need::AtLeast(1)), 8);
        assert_eq!(fit.slot_of(Need::Unknown), fit.slot_count() - 1);
        assert!(fit.slot_count() <= 256, "slots are stored as u8");
        let mut slots = vec![0; fit.slot_count()];
        slots[0] = 2;
        slots[3] = 1;
        slots[9] = 5;
        slots[16] = 4;
        let (rows, unknown) = fit.cumulative(&slots);
        assert_eq!(rows[0], (8_000_000_000, 2, 0));
        assert_eq!(rows[3], (24_000_000_000, 3, 5));
        assert_eq!(unknown, 4);
        // The index matches size words against the `params` facet's field.
        assert!(
            FACETS
                .iter()
                .any(|f| f.key == "params" && matches!(f.kind, FacetKind::Buckets(_)))
        );
        let mut keys: Vec<&str> = FACETS.iter().map(|f| f.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), FACETS.len());
        let mut params: Vec<&str> = FACETS.iter().flat_map(Facet::params).collect();
        let count = params.len();
        params.sort_unstable();
        params.dedup();
        assert_eq!(params.len(), count);
        for reserved in ["q", "sort", "page", "per_page", "fragment"] {
            assert!(facet_of_param(reserved).is_none(), "{reserved}");
        }
    }
}
