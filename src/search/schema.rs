//! The index schema. Changing anything here means bumping [`SCHEMA_VERSION`], which makes the
//! next start rebuild the index from SQLite.

use tantivy::schema::{
    FAST, Field, IndexRecordOption, NumericOptions, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions,
};

/// Bumped whenever the schema or what is indexed changes.
pub const SCHEMA_VERSION: u32 = 4;

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
    pub family: Field,
    pub license: Field,
    pub tags: Field,
    pub moe: Field,
    pub featured: Field,
    pub params: Field,
    pub context: Field,
    pub deployments: Field,
    pub shared_at: Field,
    /// The model row's `updated_at` in microseconds: the start-up audit compares it with SQLite.
    pub revision: Field,
    /// `chunk count << 16 | name length`: relevance ties go to the name the query covers
    /// most, then to the shorter name (SPEC §9).
    pub name_shape: Field,
    /// Lower-cased name, for sorting by name.
    pub name_sort: Field,
    /// The card as JSON, stored (LZ4 doc store) and read only for the page of hits.
    pub card: Field,
}

/// Field names, shared with the collector, which reads fast fields by name.
pub mod names {
    pub const ID: &str = "id";
    pub const FAMILY: &str = "family";
    pub const LICENSE: &str = "license";
    pub const TAGS: &str = "tags";
    pub const MOE: &str = "moe";
    pub const FEATURED: &str = "featured";
    pub const PARAMS: &str = "params";
    pub const CONTEXT: &str = "context";
    pub const DEPLOYMENTS: &str = "deployments";
    pub const SHARED_AT: &str = "shared_at";
    pub const REVISION: &str = "revision";
    pub const NAME_SHAPE: &str = "name_shape";
    pub const NAME_SORT: &str = "name_sort";
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
    let fields = Fields {
        id: builder.add_text_field(names::ID, STRING | FAST),
        name: builder.add_text_field("name", text.clone()),
        variant: builder.add_text_field("variant", text.clone()),
        tags_text: builder.add_text_field("tags_text", text.clone()),
        description: builder.add_text_field("description", text),
        family: builder.add_text_field(names::FAMILY, STRING | FAST),
        license: builder.add_text_field(names::LICENSE, STRING | FAST),
        tags: builder.add_text_field(names::TAGS, STRING | FAST),
        moe: builder.add_bool_field(names::MOE, fast_number.clone()),
        featured: builder.add_bool_field(names::FEATURED, fast_number.clone()),
        params: builder.add_u64_field(names::PARAMS, fast_number.clone()),
        context: builder.add_u64_field(names::CONTEXT, fast_number.clone()),
        deployments: builder.add_u64_field(names::DEPLOYMENTS, fast_number.clone()),
        shared_at: builder.add_u64_field(names::SHARED_AT, fast_number.clone()),
        revision: builder.add_u64_field(names::REVISION, fast_number.clone()),
        name_shape: builder.add_u64_field(names::NAME_SHAPE, fast_number),
        name_sort: builder.add_text_field(names::NAME_SORT, FAST),
        card: builder.add_bytes_field(names::CARD, STORED),
    };
    (builder.build(), fields)
}
