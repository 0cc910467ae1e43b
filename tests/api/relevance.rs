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

fn top_names(index: &SearchIndex, text: &str) -> (Vec<String>, u64) {
    let query = CatalogQuery::from_pairs([("q", text), ("per_page", "10")]).expect("valid query");
    let results = index.search(&query).expect("search");
    (
        results.hits.into_iter().map(|card| card.name).collect(),
        results.total,
    )
}

#[test]
fn every_case_finds_the_model_a_user_means_first() {
    let index = demo_index();
    let mut failures = Vec::new();
    let mut reciprocal_ranks = 0.0;
    let mut cases = 0;
    for line in CASES
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let (text, expected) = line.split_once('\t').expect("query<TAB>expected");
        cases += 1;
        let (names, total) = top_names(&index, text);
        if expected == "-" {
            if total == 0 {
                reciprocal_ranks += 1.0;
            } else {
                failures.push(format!(
                    "`{text}`: expected nothing, found {total}: {names:?}"
                ));
            }
            continue;
        }
        let wanted: Vec<&str> = expected.split('|').collect();
        match names.iter().position(|n| wanted.contains(&n.as_str())) {
            Some(0) => reciprocal_ranks += 1.0,
            Some(rank) => {
                reciprocal_ranks += 1.0 / (rank as f64 + 1.0);
                failures.push(format!(
                    "`{text}`: {expected} at rank {}, first: {names:?}",
                    rank + 1
                ));
            }
            None => failures.push(format!("`{text}`: {expected} not in the top 10: {names:?}")),
        }
    }
    let mrr = reciprocal_ranks / f64::from(cases);
    println!(
        "relevance suite: {cases} cases, MRR@10 {mrr:.3}, {} not first",
        failures.len()
    );
    assert!(cases >= 40, "the suite needs at least 40 cases");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_expected_models_exist() {
    let names: Vec<String> = demo_models().map(|m| m.details.name.to_string()).collect();
    for line in CASES
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let (_, expected) = line.split_once('\t').expect("query<TAB>expected");
        if expected == "-" {
            continue;
        }
        for name in expected.split('|') {
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
    let query = CatalogQuery::from_pairs([("q", format!("qwen {forty}").as_str())]).expect("query");
    assert_eq!(demo_index().search(&query).expect("search").total, 0);
}
