//! Keyword queries, ranked in tiers (SPEC §9): every word matched exactly > a word matched only
//! as a prefix > a word matched only with one typo; then name over tags over description.
//!
//! Every query word must match. Each word is a disjunction whose clauses carry constant scores
//! (the best one counts), and the words' scores add up, so the sum orders documents by tier
//! first and by field second: the weights are spaced so that no number of better-field matches
//! can outweigh one tier. Coverage of the name and shorter names break the remaining ties in the
//! collector. User input never reaches tantivy's query parser, so it cannot be a syntax error.

use std::ops::Bound;

use tantivy::query::{
    BooleanQuery, ConstScoreQuery, DisjunctionMaxQuery, FuzzyTermQuery, Occur, Query, RangeQuery,
    TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

use super::SearchError;
use super::schema::Fields;
use crate::catalog::words::{query_words, size_range};

/// Words that take part in ranking; later ones must still match but add nothing to the score
/// (keeps every sum exact in an f32).
const SCORED_WORDS: usize = 12;
const DESCRIPTION: f32 = 1.0;
const TAGS: f32 = 13.0;
const NAME: f32 = 169.0;
/// More than twelve name matches (12 × 169).
const PREFIX_PENALTY: f32 = 2_100.0;
/// More than twelve prefix penalties.
const TYPO_PENALTY: f32 = 26_000.0;
const BASE: f32 = 27_000.0;
/// Shorter words get no typo expansion: one edit of `llama` is a word, of `phi` a lottery.
const TYPO_MIN_CHARS: usize = 4;

/// Builds the query for the keywords; `None` when there are none (everything matches).
pub fn keyword_query(
    searcher: &Searcher,
    fields: &Fields,
    text: &str,
) -> Result<Option<Box<dyn Query>>, SearchError> {
    // The catalog query was validated already; an over-long word cannot arrive here.
    let words = query_words(text).unwrap_or_default();
    if words.is_empty() {
        return Ok(None);
    }
    let last = words.len() - 1;
    let mut per_word: Vec<(Occur, Box<dyn Query>)> = Vec::with_capacity(words.len());
    for (i, word) in words.iter().enumerate() {
        let weight = if i < SCORED_WORDS { 1.0 } else { 0.0 };
        per_word.push((
            Occur::Must,
            word_query(searcher, fields, word, i == last, weight)?,
        ));
    }
    if per_word.len() == 1 {
        return Ok(per_word.pop().map(|(_, q)| q));
    }
    Ok(Some(Box::new(BooleanQuery::new(per_word))))
}

fn constant(query: Box<dyn Query>, score: f32) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(query, score.max(0.0)))
}

fn term(field: Field, word: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, word),
        IndexRecordOption::Basic,
    ))
}

/// One word: the best of its exact, prefix (last word only) and typo (unknown words only)
/// matches across the fields.
fn word_query(
    searcher: &Searcher,
    fields: &Fields,
    word: &str,
    is_last: bool,
    weight: f32,
) -> Result<Box<dyn Query>, SearchError> {
    let score = |penalty: f32, field: f32| (BASE - penalty + field) * weight;
    let loose_fields = [
        (fields.name, NAME),
        (fields.variant, TAGS),
        (fields.tags_text, TAGS),
    ];
    let mut clauses: Vec<Box<dyn Query>> = Vec::new();
    for (field, value) in loose_fields {
        clauses.push(constant(term(field, word), score(0.0, value)));
    }
    clauses.push(constant(
        term(fields.description, word),
        score(0.0, DESCRIPTION),
    ));
    if let Some((low, high)) = size_range(word) {
        let range = RangeQuery::new(
            Bound::Included(Term::from_field_u64(fields.params, low)),
            Bound::Excluded(Term::from_field_u64(fields.params, high)),
        );
        clauses.push(constant(Box::new(range), score(0.0, TAGS)));
    }
    let long_enough = word.chars().count() >= 2;
    if is_last && long_enough {
        for (field, value) in loose_fields {
            let prefix = FuzzyTermQuery::new_prefix(Term::from_field_text(field, word), 0, true);
            clauses.push(constant(Box::new(prefix), score(PREFIX_PENALTY, value)));
        }
    }
    let typo_fields = [(fields.name, NAME), (fields.tags_text, TAGS)];
    if word.chars().count() >= TYPO_MIN_CHARS && !known(searcher, fields, word, is_last)? {
        for (field, value) in typo_fields {
            let term = Term::from_field_text(field, word);
            let fuzzy = if is_last {
                FuzzyTermQuery::new_prefix(term, 1, true)
            } else {
                FuzzyTermQuery::new(term, 1, true)
            };
            clauses.push(constant(Box::new(fuzzy), score(TYPO_PENALTY, value)));
        }
    }
    Ok(Box::new(DisjunctionMaxQuery::new(clauses)))
}

/// Whether any keyword field holds the word (or, for the last word, a term it begins).
fn known(
    searcher: &Searcher,
    fields: &Fields,
    word: &str,
    as_prefix: bool,
) -> Result<bool, SearchError> {
    for segment in searcher.segment_readers() {
        for field in [
            fields.name,
            fields.variant,
            fields.tags_text,
            fields.description,
        ] {
            let index = segment.inverted_index(field)?;
            let terms = index.terms();
            if terms.term_ord(word.as_bytes())?.is_some() {
                return Ok(true);
            }
            if as_prefix && field != fields.description {
                let mut stream = terms.range().ge(word.as_bytes()).into_stream()?;
                if stream.advance() && stream.key().starts_with(word.as_bytes()) {
                    return Ok(true);
                }
            }
        }
    }
    Ok(false)
}
