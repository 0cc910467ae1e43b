//! Keyword queries, ranked in tiers (SPEC §9): every word matched exactly > a word matched only
//! as a prefix > a word matched only with one typo; then name over tags over description.
//!
//! Every query word must match ("all"); when that finds less than a page, the search plans again
//! in "most" mode, where a model matching more words ranks first (SPEC §13). Stop words are
//! dropped, soft size words (`small`) only add score, and words of the query-understanding
//! table (`catalog::understanding`) also match the fields they mean. Each word is a disjunction
//! whose clauses carry constant scores
//! (the best one counts), and the words' scores add up, so the sum orders documents by tier
//! first and by field second: the weights are spaced so that no number of better-field matches
//! can outweigh one tier. Coverage of the name and shorter names break the remaining ties in
//! `top_hits`. User input never reaches tantivy's query parser, so it cannot be a syntax error.

use std::ops::Bound;

use tantivy::query::{EnableScoring, FuzzyTermQuery, Query, RangeQuery, TermQuery, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, Score, Searcher, SegmentReader, Term};

use super::SearchError;
use super::bitmaps::{Words, and_in_place, contains, or_in_place, words};
use super::schema::Fields;
use crate::catalog::understanding::{QueryWord, understand};
use crate::catalog::words::size_range;

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
/// Words this long get two edits (a transposition is one).
const TWO_TYPOS_MIN_CHARS: usize = 8;
/// In "most" mode each matched word adds this first, so more words matched always ranks
/// higher: more than every scored word's best clause together (12 × 27 169); 12 × (this +
/// 27 169) stays exact in an f32.
const MATCHED_WORD: f32 = 330_000.0;
/// A soft size word's score when the parameter count is in its range.
const SOFT_SIZE: f32 = 6.0;
/// A query with more distinct meaningful words than this is pasted text: its rarest words
/// drive a "most" match.
const PASTED_WORDS: usize = 8;
/// Most distinct words a query is planned with.
const MAX_PLANNED_WORDS: usize = 64;

pub use crate::catalog::search_results::MatchMode;

/// The keywords of a search, ready to match segment by segment: per word, its clauses best
/// score first. Every word must match; a word scores its best matching clause, and the words'
/// scores add up. This is the ranking a tantivy `BooleanQuery` of `Must` words, each a
/// `DisjunctionMaxQuery` of `ConstScoreQuery` clauses, would give; evaluating it as document
/// sets instead lets the facet counts run on bitmaps and scores only the hits.
pub struct KeywordPlan {
    words: Vec<Vec<(Clause, Score)>>,
    /// Per word: whether it must match (in "all" mode) or may only add score.
    required: Vec<bool>,
    pub mode: MatchMode,
}

impl KeywordPlan {
    /// A plan no document matches (pasted text none of whose words the catalog holds).
    fn nothing() -> Self {
        Self {
            words: vec![Vec::new()],
            required: vec![true],
            mode: MatchMode::Most,
        }
    }

    /// How many words must match: a "most" plan is worth trying only with two or more.
    pub fn required_words(&self) -> usize {
        self.required.iter().filter(|r| **r).count()
    }
}

/// One way a word can match.
enum Clause {
    /// Exact terms: their postings are read block by block straight into the set.
    Term(Term),
    /// Prefixes, typos and size ranges, through tantivy's weights.
    Other(Box<dyn Weight>),
}

/// The documents of one segment that match every keyword, and what scoring them needs.
pub struct SegmentMatches {
    pub docs: Words,
    /// Per scored word, each clause's documents and score, best first (kept only when
    /// results are ranked by relevance).
    clauses: Vec<Vec<(Words, Score)>>,
}

impl SegmentMatches {
    /// The relevance score of a matching document: each word's best clause, summed. The
    /// scores are small integers, so the sum is exact in any order.
    pub fn score(&self, doc: DocId) -> Score {
        let mut total = 0.0;
        for clauses in &self.clauses {
            if let Some((_, score)) = clauses.iter().find(|(set, _)| contains(set, doc)) {
                total += score;
            }
        }
        total
    }
}

impl SegmentMatches {
    /// The documents that reach the highest score any match can: for every scored word, one
    /// of its best-scoring clauses. Scores add up per word and no word gives more than its best
    /// clause, so a document scores that maximum exactly when it is in this set; `None` when
    /// nothing is scored.
    pub fn top_tier(&self) -> Option<Words> {
        let mut best: Option<Words> = None;
        for clauses in &self.clauses {
            let top = clauses.first()?.1;
            let mut word = words(self.docs.len() * 64);
            for (set, _) in clauses.iter().take_while(|(_, score)| *score == top) {
                or_in_place(&mut word, set);
            }
            match &mut best {
                None => best = Some(word),
                Some(best) => and_in_place(best, &word),
            }
        }
        best
    }
}

impl KeywordPlan {
    /// Matches the keywords in one segment; `scored` keeps what [`SegmentMatches::score`] needs.
    pub fn matches(&self, reader: &SegmentReader, scored: bool) -> tantivy::Result<SegmentMatches> {
        let n = reader.max_doc() as usize;
        let mut docs: Option<Words> = None;
        let mut clauses = Vec::new();
        let any_required = self.required.iter().any(|r| *r);
        for (i, word) in self.words.iter().enumerate() {
            let mut matched = words(n);
            let mut scored_clauses = Vec::new();
            for (clause, score) in word {
                if scored && i < SCORED_WORDS {
                    let mut set = words(n);
                    fill(clause, reader, &mut set)?;
                    or_in_place(&mut matched, &set);
                    scored_clauses.push((set, *score));
                } else {
                    fill(clause, reader, &mut matched)?;
                }
            }
            if !scored_clauses.is_empty() {
                clauses.push(scored_clauses);
            }
            // A soft word never narrows; with no required word, the soft ones say what matches.
            if self.required[i] || !any_required {
                match (&mut docs, self.mode) {
                    (None, _) => docs = Some(matched),
                    (Some(docs), MatchMode::All) => and_in_place(docs, &matched),
                    (Some(docs), MatchMode::Most) => or_in_place(docs, &matched),
                }
            }
        }
        Ok(SegmentMatches {
            docs: docs.unwrap_or_else(|| words(n)),
            clauses,
        })
    }
}

/// The documents of one segment holding an exact term (deleted ones too: the caller ANDs the
/// alive set).
pub fn term_docs(reader: &SegmentReader, term: Term) -> tantivy::Result<Words> {
    let mut set = words(reader.max_doc() as usize);
    fill(&Clause::Term(term), reader, &mut set)?;
    Ok(set)
}

/// Adds a clause's documents to the set (deleted ones too: the caller ANDs the alive set).
fn fill(clause: &Clause, reader: &SegmentReader, set: &mut [u64]) -> tantivy::Result<()> {
    let mut add = |docs: &[DocId]| {
        for doc in docs {
            set[(doc / 64) as usize] |= 1 << (doc % 64);
        }
    };
    match clause {
        Clause::Term(term) => {
            // Whole decoded blocks of 128 documents; a scorer would step one document at a time.
            let index = reader.inverted_index(term.field())?;
            if let Some(mut postings) = index.read_block_postings(term, IndexRecordOption::Basic)? {
                while !postings.docs().is_empty() {
                    add(postings.docs());
                    postings.advance();
                }
            }
            Ok(())
        }
        Clause::Other(weight) => weight.for_each_no_score(reader, &mut add),
    }
}

/// Plans the keywords; `None` when there are none (everything matches). Pasted text (more
/// than [`PASTED_WORDS`] words) is planned in "most" mode on its rarest words whatever `mode`
/// asks.
pub fn keyword_plan(
    searcher: &Searcher,
    fields: &Fields,
    text: &str,
    mode: MatchMode,
    partial: bool,
) -> Result<Option<KeywordPlan>, SearchError> {
    let mut words = understand(text);
    words.truncate(MAX_PLANNED_WORDS);
    if words.is_empty() {
        return Ok(None);
    }
    let mut mode = mode;
    // Pasted text is read on its rarest words only where the answer is a ranked list; a
    // filter (the Hub's `search=`, a feed, an export) keeps every word.
    let pasted = partial && words.iter().filter(|w| w.required).count() > PASTED_WORDS;
    if pasted {
        words = rarest(searcher, fields, words)?;
        mode = MatchMode::Most;
        if words.is_empty() {
            return Ok(Some(KeywordPlan::nothing()));
        }
    }
    let last = words.len() - 1;
    let unscored = EnableScoring::disabled_from_searcher(searcher);
    let mut planned = Vec::with_capacity(words.len());
    let mut required = Vec::with_capacity(words.len());
    for (i, word) in words.iter().enumerate() {
        let weight = if i < SCORED_WORDS { 1.0 } else { 0.0 };
        let bonus = if mode == MatchMode::Most && word.required {
            MATCHED_WORD * weight
        } else {
            0.0
        };
        let mut clauses = Vec::new();
        // A one-letter last word is typed-ahead only beside other words that narrow it; pasted
        // text is whole words.
        let prefix = i == last && !pasted && (word.text.chars().count() >= 2 || words.len() > 1);
        for (query, score) in word_clauses(searcher, fields, word, prefix, weight)? {
            let clause = match query.downcast_ref::<TermQuery>() {
                Some(term) => Clause::Term(term.term().clone()),
                None => Clause::Other(query.weight(unscored)?),
            };
            clauses.push((clause, score + if score > 0.0 { bonus } else { 0.0 }));
        }
        // Stable: equal scores keep their order; only the best matching clause counts.
        clauses.sort_by(|a, b| b.1.total_cmp(&a.1));
        planned.push(clauses);
        required.push(word.required);
    }
    Ok(Some(KeywordPlan {
        words: planned,
        required,
        mode,
    }))
}

/// The words of pasted text that tell models apart: those the catalog holds, rarest first,
/// as many as are scored; the rest would only add noise.
fn rarest(
    searcher: &Searcher,
    fields: &Fields,
    words: Vec<QueryWord>,
) -> Result<Vec<QueryWord>, SearchError> {
    let mut counted = Vec::with_capacity(words.len());
    for word in words.into_iter().filter(|w| w.required) {
        let mut frequency = 0u64;
        for segment in searcher.segment_readers() {
            for field in [fields.name, fields.tags_text, fields.description] {
                let term = Term::from_field_text(field, &word.text);
                frequency += u64::from(segment.inverted_index(field)?.doc_freq(&term)?);
            }
        }
        if frequency > 0 {
            counted.push((frequency, word));
        }
    }
    counted.sort_by_key(|(frequency, _)| *frequency);
    Ok(counted
        .into_iter()
        .take(SCORED_WORDS)
        .map(|(_, word)| word)
        .collect())
}

fn term(field: Field, word: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, word),
        IndexRecordOption::Basic,
    ))
}

/// A clause and the constant score it gives.
type ScoredQuery = (Box<dyn Query>, Score);

/// One word: its exact, prefix (last word only) and typo (unknown words only) matches across
/// the fields, each with its constant score.
fn word_clauses(
    searcher: &Searcher,
    fields: &Fields,
    meant: &QueryWord,
    is_last: bool,
    weight: f32,
) -> Result<Vec<ScoredQuery>, SearchError> {
    let score = |penalty: f32, field: f32| ((BASE - penalty + field) * weight).max(0.0);
    let word = meant.text.as_str();
    let loose_fields = [
        (fields.name, NAME),
        (fields.variant, TAGS),
        (fields.tags_text, TAGS),
    ];
    let mut clauses: Vec<ScoredQuery> = Vec::new();
    if meant.soft_size.is_some() {
        // `small` in a name (`bge-small`) is the name's; in a description it is prose.
        clauses.push((term(fields.name, word), score(0.0, NAME)));
    } else {
        for (field, value) in loose_fields {
            clauses.push((term(field, word), score(0.0, value)));
        }
        clauses.push((term(fields.description, word), score(0.0, DESCRIPTION)));
    }
    // A corrected misspelling is also matched as typed (`lama` is a word of `big-lama`).
    if let Some(typed) = &meant.typed {
        clauses.push((term(fields.name, typed), score(0.0, NAME)));
        clauses.push((term(fields.tags_text, typed), score(0.0, TAGS)));
    }
    // The fields the word means (a publisher's families, a workload's tag): above a mention.
    for field_term in &meant.fields {
        clauses.push((term(fields.tags_text, field_term), score(0.0, TAGS)));
    }
    if let Some((low, high)) = size_range(word) {
        let range = RangeQuery::new(
            Bound::Included(Term::from_field_u64(fields.params, low)),
            Bound::Excluded(Term::from_field_u64(fields.params, high)),
        );
        clauses.push((Box::new(range), score(0.0, TAGS)));
    }
    if is_last && meant.soft_size.is_none() {
        for (field, value) in loose_fields {
            let prefix = FuzzyTermQuery::new_prefix(Term::from_field_text(field, word), 0, true);
            clauses.push((Box::new(prefix), score(PREFIX_PENALTY, value)));
        }
    }
    // A soft size word is also a name word (`bge-large`): its range only adds a little.
    if let Some((low, high)) = meant.soft_size {
        let upper = if high == u64::MAX {
            Bound::Unbounded
        } else {
            Bound::Included(Term::from_field_u64(fields.params, high))
        };
        let range = RangeQuery::new(
            Bound::Included(Term::from_field_u64(fields.params, low)),
            upper,
        );
        clauses.push((Box::new(range), SOFT_SIZE * weight));
        return Ok(clauses);
    }
    let typo_fields = [(fields.name, NAME), (fields.tags_text, TAGS)];
    if word.chars().count() >= TYPO_MIN_CHARS && !known(searcher, fields, word, is_last)? {
        for (field, value) in typo_fields {
            let term = Term::from_field_text(field, word);
            let edits = if word.chars().count() >= TWO_TYPOS_MIN_CHARS {
                2
            } else {
                1
            };
            let fuzzy = if is_last {
                FuzzyTermQuery::new_prefix(term, edits, true)
            } else {
                FuzzyTermQuery::new(term, edits, true)
            };
            clauses.push((Box::new(fuzzy), score(TYPO_PENALTY, value)));
        }
    }
    Ok(clauses)
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
