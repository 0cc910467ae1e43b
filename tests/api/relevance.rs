//! The relevance suite (issue 12): queries a user types over the demo's 1 347 real models, each
//! with the model the user means. Every expected model must come first; the suite prints the
//! mean reciprocal rank at 10 over all cases. Cases live in `tests/data/relevance.tsv`
//! (`query<TAB>expected name`, `-` for "finds nothing", `a|b` when either is right).

use xeroctl::catalog::badge::BadgeFacts;
use xeroctl::catalog::ids::{ModelId, ProjectId};
use xeroctl::catalog::model::Model;
use xeroctl::catalog::query::CatalogQuery;
use xeroctl::catalog::role::CatalogRole;
use xeroctl::ops::indexing::entry::entry_for;
use xeroctl::ops::seed::demo::demo_models;
use xeroctl::search::SearchIndex;
use xeroctl::store::catalog::SharedModel;

const CASES: &str = include_str!("../data/relevance.tsv");

fn demo_index() -> SearchIndex {
    let index = SearchIndex::in_memory().expect("index");
    let project = ProjectId::parse("proj_DEMO01").expect("id");
    let entries: Vec<_> = demo_models()
        .enumerate()
        .map(|(i, new)| {
            let model = Model {
                id: ModelId::generate(),
                project_id: project.clone(),
                details: new.details,
                shared: true,
                // One second apart in file order, as a demo seed shares them.
                shared_at: Some(format!(
                    "2026-11-01T00:{:02}:{:02}.000000Z",
                    i / 60 % 60,
                    i % 60
                )),
                featured: false,
                artifact: None,
                created_at: String::new(),
                updated_at: String::new(),
            };
            let facts = BadgeFacts {
                role: Some(CatalogRole::Deployable),
                ..Default::default()
            };
            entry_for(
                &SharedModel {
                    model,
                    project_name: "Demo".to_owned(),
                    kv_shape: None,
                    compute: None,
                    lineage: Default::default(),
                },
                facts,
            )
        })
        .collect();
    assert_eq!(
        entries.len(),
        1347,
        "the demo data changed: review the suite"
    );
    index.replace_all(entries, 0).expect("build");
    index
}

fn search(index: &SearchIndex, text: &str) -> xeroctl::catalog::search_results::SearchResults {
    // As the catalog page and its JSON API search: "most" when fewer than a page have every word.
    let query = CatalogQuery {
        partial: true,
        ..CatalogQuery::from_pairs([("q", text), ("per_page", "10")]).expect("valid query")
    };
    index.search(&query).expect("search")
}

/// One case: `query<TAB>expected[<TAB>mode[<TAB>reason]]`. `expected` is `-` (nothing), or
/// alternatives split by `|`, each a model name or `&`-joined properties of the model meant
/// (`tag:code&family:qwen2`, `license:mit`, `params<=4e9`, `params>=3e10`).
struct Case<'a> {
    text: &'a str,
    expected: &'a str,
    mode: Option<&'a str>,
}

fn cases() -> Vec<Case<'static>> {
    CASES
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|line| {
            let mut cells = line.split('\t');
            let text = cells.next().expect("query");
            let expected = cells.next().expect("query<TAB>expected");
            let mode = cells.next().filter(|m| !m.is_empty());
            Case {
                text,
                expected,
                mode,
            }
        })
        .collect()
}

/// Whether a card is a model the alternative describes.
fn is_meant(card: &xeroctl::catalog::card::CatalogCard, alternative: &str) -> bool {
    if !alternative.contains(':') && !alternative.contains("params") {
        return card.name == alternative;
    }
    alternative.split('&').all(|property| {
        let number = |v: &str| v.parse::<f64>().expect("a number") as u64;
        if let Some(v) = property.strip_prefix("params<=") {
            return card.parameter_count.is_some_and(|p| p <= number(v));
        }
        if let Some(v) = property.strip_prefix("params>=") {
            return card.parameter_count.is_some_and(|p| p >= number(v));
        }
        match property.split_once(':') {
            Some(("tag", tag)) => card.tags.iter().any(|t| t == tag),
            Some(("family", family)) => card.architecture == family,
            Some(("license", license)) => card.license.as_deref() == Some(license),
            Some(("name", name)) => card.name == name,
            _ => panic!("unknown expectation `{property}`"),
        }
    })
}

#[test]
fn every_case_finds_the_model_a_user_means_first() {
    let index = demo_index();
    let mut failures = Vec::new();
    let (mut reciprocal_ranks, mut ndcg) = (0.0, 0.0);
    let all = cases();
    for case in &all {
        let results = search(&index, case.text);
        let names: Vec<&str> = results.hits.iter().map(|c| c.name.as_str()).collect();
        if let Some(mode) = case.mode {
            let got = results.match_mode.map_or("none", |m| m.as_str());
            if got != mode {
                failures.push(format!("`{}`: match `{got}`, expected `{mode}`", case.text));
            }
        }
        if case.expected == "-" {
            if results.total == 0 {
                reciprocal_ranks += 1.0;
                ndcg += 1.0;
            } else {
                failures.push(format!(
                    "`{}`: expected nothing, found {}: {names:?}",
                    case.text, results.total
                ));
            }
            continue;
        }
        let alternatives: Vec<&str> = case.expected.split('|').collect();
        let relevant: Vec<bool> = results
            .hits
            .iter()
            .map(|card| alternatives.iter().any(|a| is_meant(card, a)))
            .collect();
        // nDCG@10 with every meant model relevant: the ideal ranking puts as many of them first
        // as the page found (at least one).
        let dcg: f64 = relevant
            .iter()
            .enumerate()
            .filter(|(_, r)| **r)
            .map(|(i, _)| 1.0 / (i as f64 + 2.0).log2())
            .sum();
        let ideal: f64 = (0..relevant.iter().filter(|r| **r).count().max(1))
            .map(|i| 1.0 / (i as f64 + 2.0).log2())
            .sum();
        ndcg += dcg / ideal;
        match relevant.iter().position(|r| *r) {
            Some(0) => reciprocal_ranks += 1.0,
            Some(rank) => {
                reciprocal_ranks += 1.0 / (rank as f64 + 1.0);
                failures.push(format!(
                    "`{}`: {} at rank {}, first: {names:?}",
                    case.text,
                    case.expected,
                    rank + 1
                ));
            }
            None => failures.push(format!(
                "`{}`: {} not in the top 10: {names:?}",
                case.text, case.expected
            )),
        }
    }
    let count = all.len() as f64;
    println!(
        "relevance suite: {} cases, MRR@10 {:.3}, nDCG@10 {:.3}, {} not first",
        all.len(),
        reciprocal_ranks / count,
        ndcg / count,
        failures.len()
    );
    assert!(all.len() >= 100, "the suite needs at least 100 cases");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_expected_models_exist() {
    let names: Vec<String> = demo_models().map(|m| m.details.name.to_string()).collect();
    for case in cases() {
        if case.expected == "-" {
            continue;
        }
        for name in case
            .expected
            .split('|')
            .filter(|a| !a.contains(':') && !a.contains("params"))
        {
            assert!(
                names.iter().any(|n| n == name),
                "`{name}` is not a demo model"
            );
        }
    }
}

#[test]
fn a_word_finds_the_letter_run_of_joined_names() {
    let index = demo_index();
    let query =
        CatalogQuery::from_pairs([("q", "qwen coder"), ("per_page", "100")]).expect("query");
    let names: Vec<String> = index
        .search(&query)
        .expect("search")
        .hits
        .into_iter()
        .map(|c| c.name)
        .collect();
    let expected = |prefix: &str| {
        demo_models()
            .map(|m| m.details.name.to_string())
            .filter(|n| n.starts_with(prefix))
            .collect::<Vec<_>>()
    };
    for prefix in ["Qwen3-Coder", "Qwen2.5-Coder"] {
        let wanted = expected(prefix);
        assert!(!wanted.is_empty());
        for name in wanted {
            assert!(names.contains(&name), "`qwen coder` misses {name}");
        }
    }
}

#[test]
fn an_over_long_word_is_refused_not_dropped() {
    let long = "a".repeat(65);
    let error = CatalogQuery::from_pairs([("q", format!("qwen {long}").as_str())]).unwrap_err();
    assert!(error.reason.contains("longer than 64"), "{error:?}");
    // 40 characters, once silently dropped, now simply has to match.
    let forty = "b".repeat(40);
    let query = CatalogQuery {
        partial: true,
        ..CatalogQuery::from_pairs([("q", format!("qwen {forty}").as_str())]).expect("query")
    };
    // No model has it: the answer says so ("most"), with the models having the other word.
    let results = demo_index().search(&query).expect("search");
    assert_eq!(
        results.match_mode,
        Some(xeroctl::catalog::search_results::MatchMode::Most)
    );
    assert_eq!(results.every_word, 0);
}
