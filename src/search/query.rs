//! Keyword queries: every word must match (in the name, the tags or the description, boosted in
//! that order); the last word also matches as a prefix (search-as-you-type), and words of five
//! or more letters tolerate one typo (both in names and tags). Query syntax characters are just separators: user input
//! is never handed to tantivy's query parser, so it cannot be a syntax error.

use tantivy::Term;
use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::tokenizer::TextAnalyzer;

use super::schema::{DESCRIPTION_BOOST, Fields, NAME_BOOST, TAGS_BOOST};

/// Words this long or longer tolerate one edit.
const TYPO_MIN_CHARS: usize = 5;

/// Builds the query for the keywords; `None` when there are none (everything matches).
pub fn keyword_query(
    analyzer: &mut TextAnalyzer,
    fields: &Fields,
    text: &str,
) -> Option<Box<dyn Query>> {
    let words = tokenize(analyzer, text);
    if words.is_empty() {
        return None;
    }
    let last = words.len() - 1;
    let per_word: Vec<(Occur, Box<dyn Query>)> = words
        .iter()
        .enumerate()
        .map(|(i, word)| (Occur::Must, word_query(fields, word, i == last)))
        .collect();
    if per_word.len() == 1 {
        return per_word.into_iter().next().map(|(_, q)| q);
    }
    Some(Box::new(BooleanQuery::new(per_word)))
}

fn tokenize(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(token) = stream.next() {
        if !words.contains(&token.text) {
            words.push(token.text.clone());
        }
    }
    words
}

/// One word, in any of the keyword fields: exact (scored by BM25), or, in the name and the tags,
/// by prefix / one typo (constant score, lower than a typical exact match). Descriptions match
/// exact words only: expanding a prefix over every description term costs far more than it finds.
fn word_query(fields: &Fields, word: &str, is_last: bool) -> Box<dyn Query> {
    let long = word.chars().count() >= TYPO_MIN_CHARS;
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for (field, boost) in [
        (fields.name, NAME_BOOST),
        (fields.tags_text, TAGS_BOOST),
        (fields.description, DESCRIPTION_BOOST),
    ] {
        let term = Term::from_field_text(field, word);
        clauses.push((
            Occur::Should,
            Box::new(BoostQuery::new(
                Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs)),
                boost,
            )),
        ));
        let distance = u8::from(long);
        let loose: Option<Box<dyn Query>> = if field == fields.description {
            None
        } else if is_last {
            Some(Box::new(FuzzyTermQuery::new_prefix(term, distance, true)))
        } else if long {
            Some(Box::new(FuzzyTermQuery::new(term, distance, true)))
        } else {
            None
        };
        if let Some(loose) = loose {
            clauses.push((Occur::Should, Box::new(BoostQuery::new(loose, boost * 0.5))));
        }
    }
    Box::new(BooleanQuery::new(clauses))
}
