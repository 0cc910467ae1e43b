//! The index schema. Changing anything here means bumping [`SCHEMA_VERSION`], which makes the
//! next start rebuild the index from SQLite.

use tantivy::schema::{
    FAST, Field, IndexRecordOption, NumericOptions, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions,
};

/// Bumped whenever the schema or what is indexed changes.
pub const SCHEMA_VERSION: u32 = 3;

/// Boosts of the keyword fields: name over tags over description (SPEC §4).
pub const NAME_BOOST: f32 = 3.0;
pub const TAGS_BOOST: f32 = 2.0;
pub const DESCRIPTION_BOOST: f32 = 1.0;

/// Handles to every field.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// The model UUID, as an untokenised term: the key for updates and deletes.
    pub id: Field,
    pub name: Field,
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
    pub const NAME_SORT: &str = "name_sort";
    pub const CARD: &str = "card";
}

/// Builds the schema and its field handles.
pub fn build_schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    // Keyword fields need term frequencies for BM25, not positions: there are no phrase queries.
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("default")
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let fast_number = NumericOptions::default().set_fast();
    let fields = Fields {
        id: builder.add_text_field(names::ID, STRING | FAST),
        name: builder.add_text_field("name", text.clone()),
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
        revision: builder.add_u64_field(names::REVISION, fast_number),
        name_sort: builder.add_text_field(names::NAME_SORT, FAST),
        card: builder.add_bytes_field(names::CARD, STORED),
    };
    (builder.build(), fields)
}
