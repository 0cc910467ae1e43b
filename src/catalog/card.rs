//! The public catalog entry of a shared model: what a card shows and what the search index
//! needs to find, filter and facet it. Built from a stored model by [`CatalogEntry::build`].

use serde::{Deserialize, Serialize};

use super::badge::BadgeFacts;
use super::family::family_of;
use super::ids::{ModelId, ProjectId};
use super::lineage::Lineage;
use super::memory::{FitInputs, KvOptions, KvShape, MemoryEstimate, capped_context, estimate};
use super::model::Model;
use super::shapes::{ShapeSource, lookup};

/// Characters of plain-text description on a card.
pub const EXCERPT_CHARS: usize = 240;

/// Everything a catalog card carries (the seed's card table, plus what badges need).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogCard {
    pub id: ModelId,
    pub name: String,
    pub version: Option<String>,
    /// Plain-text excerpt of the markdown description.
    pub description: String,
    /// The family key: the architecture slug, or `unknown`.
    pub architecture: String,
    pub family_name: String,
    pub parameter_count: Option<u64>,
    pub parameter_count_display: Option<String>,
    pub active_parameter_count: Option<u64>,
    pub context_length: Option<u64>,
    pub context_length_display: Option<String>,
    pub license: Option<String>,
    pub license_name: Option<String>,
    pub quantization: Option<String>,
    pub format: Option<String>,
    pub tags: Vec<String>,
    pub moe: bool,
    pub project_id: ProjectId,
    pub project_name: String,
    pub shared_at: Option<String>,
    pub facts: BadgeFacts,
    /// The attention shape that sizes the KV cache: the model's files', else its base
    /// model's from the shapes table (`kv_source` says which).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kv_shape: Option<KvShape>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kv_source: Option<ShapeSource>,
    /// What sizes the runtime's compute buffer, when the files state it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compute_shape: Option<super::compute::ComputeShape>,
    #[serde(default, skip_serializing_if = "Lineage::is_empty")]
    pub lineage: Lineage,
}

impl CatalogCard {
    /// The context a memory estimate is made at (`memory::capped_context`).
    pub fn estimate_context(&self, context: u64) -> u64 {
        capped_context(self.context_length, context)
    }

    /// The memory estimate at `context` tokens, with an f16 cache for one sequence.
    pub fn memory(&self, context: u64) -> MemoryEstimate {
        self.memory_with(context, KvOptions::default())
    }

    /// The memory estimate at `context` tokens per sequence (see [`Self::estimate_context`]).
    pub fn memory_with(&self, context: u64, options: KvOptions) -> MemoryEstimate {
        let context = self.estimate_context(context);
        let mut e = estimate(
            self.parameter_count,
            self.quantization.as_deref(),
            self.kv_shape,
            context,
            options,
        );
        if let (Some(shape), Some(kv)) = (self.compute_shape, self.kv_shape) {
            e.compute = Some(super::compute::compute_bytes(&shape, &kv, context, options));
        }
        e
    }

    /// Whether the model fits `budget` bytes at `context` with these cache knobs.
    pub fn fit(&self, budget: u64, context: u64, options: KvOptions) -> super::kv::FitAnswer {
        use super::kv::FitAnswer;
        use super::memory::Need;
        match self
            .fit_inputs()
            .need(self.estimate_context(context), options)
        {
            Need::Known(bytes) if bytes <= budget => FitAnswer::Yes,
            Need::AtLeast(bytes) if bytes <= budget => FitAnswer::WeightsOnly,
            Need::Known(_) | Need::AtLeast(_) => FitAnswer::No,
            Need::Unknown => FitAnswer::Unknown,
        }
    }

    /// What the fit facet stores for this model.
    pub fn fit_inputs(&self) -> FitInputs {
        FitInputs::new(self.memory(1).weights, self.kv_shape)
    }

    /// The variant group (`variant::group_of`): a quantization whose lineage names a base in
    /// the same project joins the base's group; otherwise the name rule decides.
    pub fn variant_group(&self) -> u64 {
        match (&self.lineage.relation, &self.lineage.base_group_name) {
            (Some(super::lineage::Relation::Quantized), Some(base)) => {
                super::variant::group_of(&self.project_id, base)
            }
            _ => super::variant::group_of(&self.project_id, &self.name),
        }
    }

    /// Sets the attention shape: the one the files state, else the shapes table's row for
    /// this model's base name.
    pub fn set_shape(&mut self, files: Option<KvShape>) {
        (self.kv_shape, self.kv_source) = match files {
            Some(shape) => (Some(shape), Some(ShapeSource::Files)),
            None => match lookup(&self.name, self.parameter_count) {
                Some(row) => (
                    Some(row.shape),
                    Some(ShapeSource::Table {
                        base: row.base.clone(),
                        source: row.source.clone(),
                    }),
                ),
                None => (None, None),
            },
        };
    }
}

/// A card plus the fields the index searches and sorts on.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogEntry {
    pub card: CatalogCard,
    /// Plain text of the whole description, for keyword search.
    pub description_text: String,
    /// Microseconds since the epoch of `shared_at`, for sorting by newest.
    pub shared_at_micros: u64,
    /// Microseconds since the epoch of the model's `updated_at`: which revision this entry shows.
    pub revision_micros: u64,
}

impl CatalogEntry {
    /// Builds the entry of a shared model. `description_text` is the plain text of its markdown
    /// (made by the caller, so the domain stays free of a markdown dependency).
    pub fn build(
        model: &Model,
        project_name: &str,
        description_text: String,
        facts: BadgeFacts,
        shared_at_micros: u64,
    ) -> Self {
        let d = &model.details;
        let family = family_of(d.architecture.as_ref());
        let card = CatalogCard {
            id: model.id,
            name: d.name.clone(),
            version: d.version.clone(),
            description: excerpt(&description_text, EXCERPT_CHARS),
            architecture: family.slug.clone(),
            family_name: family.name.clone(),
            parameter_count: d.parameter_count.map(|p| p.get()),
            parameter_count_display: d.parameter_count.map(|p| p.to_string()),
            active_parameter_count: d.active_parameter_count.map(|p| p.get()),
            context_length: d.context_length.map(|c| c.get()),
            context_length_display: d.context_length.map(|c| c.to_string()),
            license: d.license.as_ref().map(|l| l.key().to_owned()),
            license_name: d.license.as_ref().map(|l| l.display_name().to_owned()),
            quantization: d.quantization.clone(),
            format: d.format.clone(),
            tags: model.tags(),
            moe: family.moe || d.active_parameter_count.is_some(),
            project_id: model.project_id.clone(),
            project_name: project_name.to_owned(),
            shared_at: model.shared_at.clone(),
            facts: BadgeFacts {
                featured: model.featured,
                ..facts
            },
            kv_shape: None,
            kv_source: None,
            compute_shape: None,
            lineage: Lineage::default(),
        };
        Self {
            card,
            description_text,
            shared_at_micros,
            revision_micros: 0,
        }
    }
}

/// Cuts text at a word boundary near `max` characters, adding an ellipsis when cut.
pub fn excerpt(text: &str, max: usize) -> String {
    // Whitespace runs collapse to one space; only the words up to `max` characters are
    // gathered (a description runs to thousands: at a million models this loop is a hot spot).
    let mut collapsed = String::with_capacity(max + 16);
    let mut chars = 0;
    for word in text.split_whitespace() {
        if chars > 0 {
            collapsed.push(' ');
            chars += 1;
        }
        collapsed.push_str(word);
        chars += word.chars().count();
        if chars > max {
            break;
        }
    }
    if chars <= max {
        return collapsed;
    }
    let cut: String = collapsed.chars().take(max).collect();
    let end = cut.rfind(' ').filter(|&i| i > max / 2).unwrap_or(cut.len());
    format!("{}…", cut[..end].trim_end_matches([',', ';', ':', '.']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_cut_at_words() {
        assert_eq!(excerpt("short  text\nhere", 100), "short text here");
        let long = "word ".repeat(100);
        let cut = excerpt(&long, 42);
        assert!(cut.ends_with('…') && cut.chars().count() <= 43, "{cut}");
        assert!(!cut.contains("wor…"));
    }

    #[test]
    fn excerpts_read_only_the_words_they_show_and_match_the_whole_text_collapsed() {
        // The first version: collapse everything, then cut.
        let naive = |text: &str, max: usize| {
            let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
            if collapsed.chars().count() <= max {
                return collapsed;
            }
            let cut: String = collapsed.chars().take(max).collect();
            let end = cut.rfind(' ').filter(|&i| i > max / 2).unwrap_or(cut.len());
            format!("{}…", cut[..end].trim_end_matches([',', ';', ':', '.']))
        };
        let long = "Ünïcode  words\tand\n\nmore, words; ".repeat(40);
        for text in [
            "",
            "  ",
            "one",
            "a b",
            long.as_str(),
            "x".repeat(300).as_str(),
        ] {
            for max in [0, 1, 5, 17, 42, 240, 5_000] {
                assert_eq!(excerpt(text, max), naive(text, max), "{text:?} at {max}");
            }
        }
    }
}
