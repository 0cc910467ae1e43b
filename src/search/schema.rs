//! The index schema. Changing anything here means bumping [`SCHEMA_VERSION`], which makes the
//! next start rebuild the index from SQLite.

use crate::catalog::facet_list::{FACET_COUNT, FACETS, FacetKind};
use tantivy::schema::{
    FAST, Field, IndexRecordOption, NumericOptions, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions,
};

/// Bumped whenever the schema or what is indexed changes.
pub const SCHEMA_VERSION: u32 = 14;

/// Handles to every field.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// The model UUID, as an untokenised term: the key for updates and deletes.
    pub id: Field,
    /// The name's terms (`catalog::words::name_terms`), pre-tokenised.
    pub name: Field,
    /// Quantization and format terms (`q4_k_m`, `awq`, `gguf`), pre-tokenised.
    pub variant: Field,
    pub tags_text: Field,
    pub description: Field,
    /// One fast field per `FACETS` entry, named by its key: keyword values (`STRING | FAST`),
    /// a fast bool, or a fast u64 for bucketed numbers.
    pub facets: [Field; FACET_COUNT],
    /// The parameter count (the `params` facet's field): size words match it.
    pub params: Field,
    pub deployments: Field,
    pub shared_at: Field,
    /// The model row's `updated_at` in microseconds: the start-up audit compares it with SQLite.
    pub revision: Field,
    /// `chunk count << 16 | name length`: relevance ties go to the name the query covers
    /// most, then to the shorter name (SPEC §9).
    pub name_shape: Field,
    /// The variant group (`catalog::variant::group_of`): indexed to find a group's members,
    /// fast to fold a page's hits into one card per group.
    pub variant_group: Field,
    /// Lower-cased name, for sorting by name.
    pub name_sort: Field,
    /// The owning project's id, as an untokenised term: the Hub's `author=` filter.
    pub project: Field,
    /// The base model's id (lineage), as an untokenised term: the `derived_from=` filter.
    pub derived_from: Field,
    /// The fit facet's sliding-window figures (`memory::FitInputs::pack_window`).
    pub fit_window: Field,
    /// 1 when another model supersedes this one: equal matches rank after their successors.
    pub superseded: Field,
    /// The card as JSON, stored (LZ4 doc store) and read only for the page of hits.
    pub card: Field,
}

/// Field names, shared with the collector, which reads fast fields by name.
pub mod names {
    pub const ID: &str = "id";
    /// Facet fields the sorts read too (named by their facet key).
    pub const FEATURED: &str = "featured";
    pub const PARAMS: &str = "params";
    pub const CONTEXT: &str = "context";
    pub const DEPLOYMENTS: &str = "deployments";
    pub const SHARED_AT: &str = "shared_at";
    pub const REVISION: &str = "revision";
    pub const NAME_SHAPE: &str = "name_shape";
    pub const VARIANT_GROUP: &str = "variant_group";
    pub const NAME_SORT: &str = "name_sort";
    pub const PROJECT: &str = "project";
    pub const DERIVED_FROM: &str = "derived_from";
    pub const FIT_WINDOW: &str = "fit_window";
    pub const SUPERSEDED: &str = "superseded";
    pub const CARD: &str = "card";
}

/// Builds the schema and its field handles.
pub fn build_schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    // Matches are scored by tier, not by BM25, and there are no phrase queries: the postings
    // need neither frequencies nor positions.
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("default")
            .set_index_option(IndexRecordOption::Basic),
    );
    let fast_number = NumericOptions::default().set_fast();
    let facets = FACETS.each_ref().map(|facet| match facet.kind {
        // Filters and counts read the columns (search::table); terms would only cost every
        // commit a term dictionary per facet.
        FacetKind::Values(_) => builder.add_text_field(facet.key, FAST),
        FacetKind::Flag(_) => builder.add_bool_field(facet.key, fast_number.clone()),
        FacetKind::Buckets(_) | FacetKind::Fit(_) => {
            builder.add_u64_field(facet.key, fast_number.clone())
        }
    });
    let params = FACETS
        .iter()
        .position(|facet| facet.key == names::PARAMS)
        .map(|position| facets[position]);
    // The facet list is static data; its unit test pins the `params` facet.
    let params = params.expect("the `params` facet is defined");
    let fields = Fields {
        id: builder.add_text_field(names::ID, STRING | FAST),
        name: builder.add_text_field("name", text.clone()),
        variant: builder.add_text_field("variant", text.clone()),
        tags_text: builder.add_text_field("tags_text", text.clone()),
        description: builder.add_text_field(
            "description",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(super::tokenizer::DESCRIPTION_TOKENIZER)
                    .set_index_option(IndexRecordOption::Basic),
            ),
        ),
        facets,
        params,
        deployments: builder.add_u64_field(names::DEPLOYMENTS, fast_number.clone()),
        shared_at: builder.add_u64_field(names::SHARED_AT, fast_number.clone()),
        revision: builder.add_u64_field(names::REVISION, fast_number.clone()),
        name_shape: builder.add_u64_field(names::NAME_SHAPE, fast_number.clone()),
        variant_group: builder
            .add_u64_field(names::VARIANT_GROUP, fast_number.clone().set_indexed()),
        name_sort: builder.add_text_field(names::NAME_SORT, FAST),
        project: builder.add_text_field(names::PROJECT, STRING),
        derived_from: builder.add_text_field(names::DERIVED_FROM, STRING),
        fit_window: builder.add_u64_field(names::FIT_WINDOW, fast_number.clone()),
        superseded: builder.add_u64_field(names::SUPERSEDED, fast_number.clone()),
        card: builder.add_bytes_field(names::CARD, STORED),
    };
    (builder.build(), fields)
}
