//! The public catalog over HTTP: filters against a brute-force filter of the same fixture,
//! disjunctive facets, ranges, typos and prefixes, bad parameters, visibility.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::StatusCode;
use serde_json::{Value, json};
use xeroctl::catalog::family::family_view;

use crate::helpers::{TestApp, assert_error, spawn_app};

const REAL: &str = include_str!("../../demo/models-real.jsonl");

/// Registers every `step`-th real model (shared) plus a few unshared ones; returns the shared views.
async fn fixture(app: &TestApp, step: usize) -> Vec<Value> {
    let mut shared = Vec::new();
    for (i, line) in REAL.lines().enumerate().filter(|(i, _)| i % step == 0) {
        let row: Value = serde_json::from_str(line).unwrap();
        let mut body = json!({"name": row["name"], "description": row["description"], "workload_type": row["workload_type"]});
        for key in [
            "architecture",
            "parameter_count",
            "context_length",
            "license",
            "quantization",
            "format",
            "version",
        ] {
            if !row[key].is_null() {
                body[key] = row[key].clone();
            }
        }
        let model = app.register(&body).await;
        let id = model["id"].as_str().unwrap();
        if i % (step * 7) == step * 3 {
            continue; // stays private
        }
        assert_eq!(app.share(id).await.status(), StatusCode::OK);
        shared.push(app.get_model(id).await.json().await.unwrap());
    }
    shared
}

fn family_of(model: &Value) -> String {
    model["architecture"]
        .as_str()
        .unwrap_or("unknown")
        .to_owned()
}

fn is_moe(model: &Value) -> bool {
    family_view(&family_of(model)).moe || !model["active_parameter_count"].is_null()
}

/// The brute-force filter: what the catalog must answer for these parameters.
#[derive(Default, Clone)]
struct Filter {
    families: Vec<&'static str>,
    licenses: Vec<&'static str>,
    tags: Vec<&'static str>,
    moe: Option<bool>,
    min_params: Option<u64>,
    max_params: Option<u64>,
    min_context: Option<u64>,
    max_context: Option<u64>,
}

impl Filter {
    fn in_range(value: &Value, min: Option<u64>, max: Option<u64>) -> bool {
        match value.as_u64() {
            None => min.is_none() && max.is_none(),
            Some(v) => min.is_none_or(|m| v >= m) && max.is_none_or(|m| v <= m),
        }
    }

    /// Per facet: does the model pass it? (family, license, tag, moe, params, context)
    fn checks(&self, m: &Value) -> [bool; 6] {
        let tags: Vec<&str> = m["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        [
            self.families.is_empty() || self.families.contains(&family_of(m).as_str()),
            self.licenses.is_empty()
                || m["license"]
                    .as_str()
                    .is_some_and(|l| self.licenses.contains(&l)),
            self.tags.is_empty() || tags.iter().any(|t| self.tags.contains(t)),
            self.moe.is_none_or(|want| want == is_moe(m)),
            Self::in_range(&m["parameter_count"], self.min_params, self.max_params),
            Self::in_range(&m["context_length"], self.min_context, self.max_context),
        ]
    }

    fn matches(&self, m: &Value) -> bool {
        self.checks(m).iter().all(|c| *c)
    }

    fn query(&self) -> String {
        let mut q = vec!["per_page=100".to_owned()];
        q.extend(self.families.iter().map(|f| format!("family={f}")));
        q.extend(self.licenses.iter().map(|l| format!("license={l}")));
        q.extend(self.tags.iter().map(|t| format!("tag={t}")));
        if let Some(moe) = self.moe {
            q.push(format!("moe={moe}"));
        }
        for (key, value) in [
            ("min_params", self.min_params),
            ("max_params", self.max_params),
            ("min_context", self.min_context),
            ("max_context", self.max_context),
        ] {
            if let Some(v) = value {
                q.push(format!("{key}={v}"));
            }
        }
        q.join("&")
    }
}

async fn search(app: &TestApp, query: &str) -> Value {
    let response = app
        .client
        .get(format!("{}/v1/catalog/models?{query}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{query}");
    response.json().await.unwrap()
}

fn ids(answer: &Value) -> BTreeSet<String> {
    answer["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect()
}

fn facet(answer: &Value, name: &str) -> BTreeMap<String, u64> {
    answer["facets"][name]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["value"].as_str().unwrap().to_owned(),
                v["count"].as_u64().unwrap(),
            )
        })
        .filter(|(_, c)| *c > 0)
        .collect()
}

#[tokio::test]
async fn filters_combine_like_a_brute_force_filter_and_facets_are_disjunctive() {
    let app = spawn_app().await;
    let shared = fixture(&app, 16).await;
    assert!(
        shared.len() > 60,
        "fixture has {} shared models",
        shared.len()
    );
    const B: u64 = 1_000_000_000;
    let cases: Vec<(&str, Filter)> = vec![
        ("everything", Filter::default()),
        (
            "one family",
            Filter {
                families: vec!["qwen2"],
                ..Filter::default()
            },
        ),
        (
            "two families",
            Filter {
                families: vec!["qwen2", "llama"],
                ..Filter::default()
            },
        ),
        (
            "family and license",
            Filter {
                families: vec!["qwen2", "llama", "qwen3moe"],
                licenses: vec!["apache-2.0"],
                ..Filter::default()
            },
        ),
        (
            "tag",
            Filter {
                tags: vec!["code"],
                ..Filter::default()
            },
        ),
        (
            "two tags",
            Filter {
                tags: vec!["code", "reasoning"],
                ..Filter::default()
            },
        ),
        (
            "moe",
            Filter {
                moe: Some(true),
                ..Filter::default()
            },
        ),
        (
            "dense",
            Filter {
                moe: Some(false),
                ..Filter::default()
            },
        ),
        (
            "parameter range",
            Filter {
                min_params: Some(7 * B),
                max_params: Some(32 * B),
                ..Filter::default()
            },
        ),
        (
            "context floor",
            Filter {
                min_context: Some(131_072),
                ..Filter::default()
            },
        ),
        (
            "everything at once",
            Filter {
                families: vec!["qwen2", "qwen3", "llama"],
                licenses: vec!["apache-2.0", "mit"],
                tags: vec!["chat"],
                moe: Some(false),
                min_params: Some(B),
                max_params: Some(80 * B),
                min_context: Some(8192),
                max_context: None,
            },
        ),
        (
            "no match",
            Filter {
                families: vec!["nosuchfamily"],
                ..Filter::default()
            },
        ),
    ];
    for (description, filter) in cases {
        let answer = search(&app, &filter.query()).await;
        let expected: BTreeSet<String> = shared
            .iter()
            .filter(|m| filter.matches(m))
            .map(|m| m["id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            answer["total"].as_u64().unwrap() as usize,
            expected.len(),
            "{description}: total"
        );
        assert_eq!(ids(&answer), expected, "{description}: ids");

        // Disjunctive family facet: the family selection is ignored, every other filter holds.
        let mut expected_families: BTreeMap<String, u64> = BTreeMap::new();
        let mut expected_tags: BTreeMap<String, u64> = BTreeMap::new();
        for m in &shared {
            let checks = filter.checks(m);
            if checks.iter().enumerate().all(|(i, c)| i == 0 || *c) {
                *expected_families.entry(family_of(m)).or_default() += 1;
            }
            if checks.iter().enumerate().all(|(i, c)| i == 2 || *c) {
                for tag in m["tags"].as_array().unwrap() {
                    *expected_tags
                        .entry(tag.as_str().unwrap().to_owned())
                        .or_default() += 1;
                }
            }
        }
        // Capped at 30 values: each listed one is exact, and the rest are counted in `more`.
        let listed = facet(&answer, "family");
        for (family, count) in &listed {
            assert_eq!(
                expected_families.get(family),
                Some(count),
                "{description}: family `{family}`"
            );
        }
        assert_eq!(
            listed.len() as u64 + answer["facets"]["more"]["family"].as_u64().unwrap(),
            expected_families.len() as u64,
            "{description}: family facet listed + more"
        );
        let top_tags: BTreeMap<String, u64> = facet(&answer, "tag");
        for (tag, count) in &top_tags {
            assert_eq!(
                expected_tags.get(tag),
                Some(count),
                "{description}: tag facet `{tag}`"
            );
        }
        let moe = facet(&answer, "moe");
        let expected_moe = shared
            .iter()
            .filter(|m| {
                filter
                    .checks(m)
                    .iter()
                    .enumerate()
                    .all(|(i, c)| i == 3 || *c)
            })
            .count() as u64;
        assert_eq!(
            moe.values().sum::<u64>(),
            expected_moe,
            "{description}: moe facet"
        );
    }
}

#[tokio::test]
async fn ranges_are_inclusive_and_accept_units() {
    let app = spawn_app().await;
    for (name, params) in [("small", "6B"), ("exact", "7B"), ("large", "8B")] {
        let id = app
            .register(&json!({"name": name, "parameter_count": params, "context_length": "128K"}))
            .await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        app.share(&id).await;
    }
    let names = |answer: &Value| -> Vec<String> {
        let mut n: Vec<String> = answer["models"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["name"].as_str().unwrap().to_owned())
            .collect();
        n.sort();
        n
    };
    assert_eq!(
        names(&search(&app, "min_params=7B&max_params=7B").await),
        ["exact"]
    );
    assert_eq!(
        names(&search(&app, "min_params=7000000000").await),
        ["exact", "large"]
    );
    assert_eq!(
        names(&search(&app, "max_params=7b").await),
        ["exact", "small"]
    );
    assert_eq!(
        search(&app, "min_context=128K&max_context=131072").await["total"],
        3
    );
    assert_eq!(search(&app, "min_context=129K").await["total"], 0);
}

#[tokio::test]
async fn typos_and_prefixes_find_the_intended_model() {
    let app = spawn_app().await;
    for name in [
        "Mistral-7B-Instruct",
        "Codestral-22B",
        "DeepSeek-R1-Distill",
        "Phi-3-mini",
    ] {
        let id = app
            .register(&json!({"name": name, "description": "A model."}))
            .await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        app.share(&id).await;
    }
    let first = |answer: Value| answer["models"][0]["name"].as_str().map(str::to_owned);
    let cases = [
        ("mistrl", Some("Mistral-7B-Instruct")), // one typo in a long word
        ("codestr", Some("Codestral-22B")),      // prefix of the last word
        ("deepsek r1", Some("DeepSeek-R1-Distill")), // typo, then an exact short word
        ("mistral instr", Some("Mistral-7B-Instruct")),
        ("phi mini", Some("Phi-3-mini")),
        ("xyzzy", None),
    ];
    for (q, expected) in cases {
        assert_eq!(
            first(search(&app, &format!("q={q}")).await).as_deref(),
            expected,
            "q={q}"
        );
    }
    // Short words need exact letters: a typo in a 3-letter word finds nothing.
    assert_eq!(search(&app, "q=phu%20mini").await["total"], 0);
}

#[tokio::test]
async fn name_matches_rank_above_description_matches() {
    let app = spawn_app().await;
    let a = app
        .register(
            &json!({"name": "Generic Model", "description": "Great at reasoning about the falcon and other birds."}),
        )
        .await;
    let b = app
        .register(&json!({"name": "Falcon-7B", "description": "A model."}))
        .await;
    for m in [&a, &b] {
        app.share(m["id"].as_str().unwrap()).await;
    }
    let answer = search(&app, "q=falcon").await;
    assert_eq!(answer["models"][0]["name"], "Falcon-7B");
    assert_eq!(answer["total"], 2);
}

#[tokio::test]
async fn bad_parameters_are_400_with_the_envelope() {
    let app = spawn_app().await;
    for query in [
        "min_params=-1",
        "min_params=18446744073709551616",
        "min_params=1e9",
        "min_params=NaN",
        "min_params=7B&max_params=1B",
        "min_params=7B&min_params=8B",
        "per_page=100000",
        "per_page=0",
        "page=1000000000",
        "sort=random",
        "moe=perhaps",
        "facet=colour",
        "family=--",
        "page=abc",
        "featured=",
        "popular=",
        "min_params=",
        "family=",
        "sort=%20",
    ] {
        let response = app
            .client
            .get(format!("{}/v1/catalog/models?{query}", app.address))
            .send()
            .await
            .unwrap();
        assert_error(response, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    }
}

/// RELIABILITY T1: hostile query strings get 200 or 400, never a 500.
#[tokio::test]
async fn hostile_queries_never_fail_the_server() {
    let app = spawn_app().await;
    let id = app.register_sample("target").await;
    app.share(&id).await;
    let long = "a".repeat(10_000);
    let mut queries: Vec<String> = [
        "",
        "%00",
        "%01%02",
        "%FF%FE",
        "%C0%AF",
        "field:",
        "*",
        "\"",
        "(",
        "^",
        "~",
        "AND OR NOT",
        "+-",
        "name:target^10",
        "a\"b(c",
        "%E2%80%8B",
    ]
    .iter()
    .map(|q| format!("q={q}"))
    .collect();
    queries.push(format!("q={long}"));
    queries.push("q=target&q=other".to_owned());
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    for _ in 0..100 {
        use proptest::strategy::{Strategy, ValueTree};
        let s = proptest::string::string_regex(".{0,60}")
            .unwrap()
            .new_tree(&mut runner)
            .unwrap()
            .current();
        queries.push(format!("q={}", urlencode(&s)));
    }
    for query in queries {
        let response = app
            .client
            .get(format!("{}/v1/catalog/models?{query}", app.address))
            .send()
            .await
            .unwrap();
        let status = response.status();
        assert!(
            status == StatusCode::OK || status == StatusCode::BAD_REQUEST,
            "{query:?} → {status}"
        );
        let body: Value = response.json().await.unwrap();
        assert!(body.get("total").is_some() || body.get("error").is_some());
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// RELIABILITY T4: facet lists are capped and the answer stays small.
#[tokio::test]
async fn facet_lists_are_capped() {
    let app = spawn_app().await;
    for i in 0..45 {
        let id = app
            .register(
                &json!({"name": format!("m{i}"), "workload_type": format!("chat,unique-tag-{i}")}),
            )
            .await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        app.share(&id).await;
    }
    let response = app
        .client
        .get(format!(
            "{}/v1/catalog/models?tag=unique-tag-44",
            app.address
        ))
        .send()
        .await
        .unwrap();
    let body = response.bytes().await.unwrap();
    assert!(body.len() < 100_000, "answer is {} bytes", body.len());
    let answer: Value = serde_json::from_slice(&body).unwrap();
    let tags = answer["facets"]["tag"].as_array().unwrap();
    assert!(tags.len() <= 31, "{} tag values", tags.len());
    assert!(
        tags.iter().any(|t| t["value"] == "unique-tag-44"),
        "the selected value is always listed"
    );
    assert_eq!(answer["total"], 1);
    // Every string facet, the family one included, lists at most 30 and counts the rest.
    for i in 0..35 {
        let id = app
            .register(&json!({"name": format!("f{i}"), "architecture": format!("family{i}x")}))
            .await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        app.share(&id).await;
    }
    let answer = search(&app, "q=m1").await;
    let all = search(&app, "").await;
    let families = all["facets"]["family"].as_array().unwrap();
    assert_eq!(families.len(), 30, "the family facet is capped");
    assert!(all["facets"]["more"]["family"].as_u64().unwrap() >= 5);
    assert_eq!(all["facets"]["tag"].as_array().unwrap().len(), 30);
    assert!(all["facets"]["more"]["tag"].as_u64().unwrap() >= 46 - 30);
    assert_eq!(answer["facets"]["more"]["family"], 0);
    // The families list stays complete.
    let listed: Value = app
        .client
        .get(format!("{}/v1/catalog/families", app.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(listed.to_string().contains("family34x"), "{listed}");
}

#[tokio::test]
async fn bidi_controls_and_unsafe_uri_schemes_are_refused() {
    let app = spawn_app().await;
    for body in [
        json!({"name": "Qwen3\u{202E}B8"}),
        json!({"name": "ok", "license": "apache\u{2066}-2.0"}),
        json!({"name": "ok", "version": "\u{200F}1"}),
        json!({"name": "ok", "artifact_uri": "javascript://alert(1)"}),
        json!({"name": "ok", "artifact_uri": "file:///etc/passwd"}),
    ] {
        let response = app
            .send(reqwest::Method::POST, &app.models_url(), Some(&body))
            .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
    }
    let listed: Value = app
        .send(reqwest::Method::GET, &app.models_url(), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        listed["models"].as_array().map_or(0, Vec::len),
        0,
        "nothing was stored"
    );
}

/// RELIABILITY T37 and T8: a share is searchable in the very next request, an unshare is gone,
/// and private models never show up in hits, totals or facets.
#[tokio::test]
async fn share_is_searchable_at_once_and_unshare_removes_it_everywhere() {
    let app = spawn_app().await;
    let id = app
        .register(&json!({"name": "Zebrafish-13B", "architecture": "zebra", "license": "mit"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let private = app
        .register(&json!({"name": "Zebrafish-Private", "architecture": "zebra"}))
        .await;
    for round in 0..20 {
        app.share(&id).await;
        let answer = search(&app, "q=zebrafish").await;
        assert_eq!(
            answer["total"], 1,
            "round {round}: shared model searchable at once"
        );
        assert_eq!(answer["models"][0]["id"], id.as_str());
        assert_eq!(
            facet(&answer, "family"),
            BTreeMap::from([("zebra".to_owned(), 1)])
        );
        app.unshare(&id).await;
        let answer = search(&app, "q=zebrafish").await;
        assert_eq!(answer["total"], 0, "round {round}: unshared model gone");
        assert!(facet(&answer, "family").is_empty(), "no facet leaks");
    }
    let detail = app
        .client
        .get(format!("{}/v1/catalog/models/{id}", app.address))
        .send()
        .await
        .unwrap();
    assert_error(detail, StatusCode::NOT_FOUND, "model_not_found").await;
    let private_id = private["id"].as_str().unwrap();
    let detail = app
        .client
        .get(format!("{}/v1/catalog/models/{private_id}", app.address))
        .send()
        .await
        .unwrap();
    assert_error(detail, StatusCode::NOT_FOUND, "model_not_found").await;
    assert_index_matches_db(&app).await;
}

/// Edits of a shared model and deletes reach the index before the answer.
#[tokio::test]
async fn edits_and_deletes_reach_the_catalog() {
    let app = spawn_app().await;
    let id = app.register_sample("Before-Name").await;
    app.share(&id).await;
    let url = format!("{}/{id}", app.models_url());
    app.send(
        reqwest::Method::PATCH,
        &url,
        Some(&json!({"name": "After-Name"})),
    )
    .await;
    assert_eq!(search(&app, "q=after").await["total"], 1);
    assert_eq!(search(&app, "q=before").await["total"], 0);
    app.send(reqwest::Method::DELETE, &url, None).await;
    assert_eq!(search(&app, "q=after").await["total"], 0);
    assert_index_matches_db(&app).await;
}

#[tokio::test]
async fn anonymous_callers_never_see_roles_or_infrastructure_badges() {
    let app = spawn_app().await;
    let id = app.register_sample("visible").await;
    app.share(&id).await;
    let anonymous = search(&app, "q=visible").await;
    let card = &anonymous["models"][0];
    assert!(card.get("catalog_role").is_none(), "{card}");
    assert_eq!(card["badges"], json!([]));
    let detail: Value = app
        .client
        .get(format!("{}/v1/catalog/models/{id}", app.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(detail.get("catalog_role").is_none());
    assert_eq!(
        detail["description"], "A **test** model.",
        "detail carries the full markdown"
    );

    let logged_in: Value = app
        .client
        .get(format!("{}/v1/catalog/models?q=visible", app.address))
        .bearer_auth(&app.api_key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let card = &logged_in["models"][0];
    assert_eq!(card["catalog_role"], "deployable");
    assert_eq!(card["badges"], json!(["xim_only", "not_deployed"]));
    let bad_key = app
        .client
        .get(format!("{}/v1/catalog/models", app.address))
        .bearer_auth("xero_nope_x")
        .send()
        .await
        .unwrap();
    assert_error(bad_key, StatusCode::UNAUTHORIZED, "invalid_api_key").await;
}

#[tokio::test]
async fn cards_carry_every_seed_field_and_families_are_listed() {
    let app = spawn_app().await;
    let body = json!({"name": "Qwen3-30B-A3B", "description": "Fast **MoE**.", "architecture": "Qwen3MoeForCausalLM", "parameter_count": "30B", "active_parameter_count": "3B", "context_length": "128K", "license": "apache-2.0", "workload_type": "chat,reasoning"});
    let id = app.register(&body).await["id"].as_str().unwrap().to_owned();
    app.share(&id).await;
    let card = search(&app, "").await["models"][0].clone();
    assert_eq!(card["name"], "Qwen3-30B-A3B");
    assert_eq!(card["description"], "Fast MoE.");
    assert_eq!(card["parameter_count_display"], "30B");
    assert_eq!(card["context_length_display"], "128K");
    assert_eq!(card["license_name"], "Apache 2.0");
    assert_eq!(card["architecture"], "qwen3moe");
    assert_eq!(card["family_name"], "Qwen3 MoE");
    assert_eq!(card["tags"], json!(["chat", "reasoning"]));
    assert_eq!(card["moe"], true);
    assert_eq!(card["project"]["name"], "Test project");
    let families: Value = app
        .client
        .get(format!("{}/v1/catalog/families", app.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        families["families"],
        json!([{"slug": "qwen3moe", "name": "Qwen3 MoE", "description": family_view("qwen3moe").description, "logo_url": "/assets/logos/qwen.svg", "moe": true, "count": 1}])
    );
    let logo = app
        .client
        .get(format!("{}/assets/logos/qwen.svg", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(logo.headers()["content-type"], "image/svg+xml");
    let message = assert_error(
        app.client
            .get(format!("{}/v1/catalog/models/mdl_abc123", app.address))
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
        "model_not_found",
    )
    .await;
    assert!(message.contains("UUID"));
}

#[tokio::test]
async fn sorts_order_results() {
    let app = spawn_app().await;
    for (name, params, context) in [
        ("bravo", "7B", "32K"),
        ("alpha", "70B", "8K"),
        ("charlie", "1B", "128K"),
    ] {
        let id = app
            .register(&json!({"name": name, "parameter_count": params, "context_length": context}))
            .await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        app.share(&id).await;
    }
    let order = |answer: Value| -> Vec<String> {
        answer["models"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        order(search(&app, "sort=name").await),
        ["alpha", "bravo", "charlie"]
    );
    assert_eq!(
        order(search(&app, "sort=params").await),
        ["alpha", "bravo", "charlie"]
    );
    assert_eq!(
        order(search(&app, "sort=context").await),
        ["charlie", "bravo", "alpha"]
    );
    assert_eq!(
        order(search(&app, "sort=newest").await),
        ["charlie", "alpha", "bravo"]
    );
    let paged = search(&app, "sort=name&per_page=2&page=2").await;
    assert_eq!(order(paged.clone()), ["charlie"]);
    assert_eq!(paged["total"], 3);
}

/// The invariant of RELIABILITY §F: the public documents in the index are exactly the shared rows.
pub async fn assert_index_matches_db(app: &TestApp) {
    let index = app.services.search.clone().expect("server has an index");
    let in_index = tokio::task::spawn_blocking(move || index.all_ids().unwrap())
        .await
        .unwrap();
    let in_db = app
        .services
        .store
        .call(xeroctl::store::catalog::shared_ids)
        .await
        .unwrap();
    assert_eq!(in_index, in_db, "index and database disagree");
}

/// RELIABILITY T30: a failed index commit leaves the previous index searchable, loses nothing
/// (the share itself succeeded and its outbox row waits), and the next sync applies it.
#[tokio::test]
async fn a_failed_index_commit_is_retried_and_loses_nothing() {
    let app = spawn_app().await;
    let first = app.register_sample("Albatross-1B").await;
    app.share(&first).await;
    let index = app.services.search.clone().unwrap();
    index.inject_commit_failures(1);
    let second = app.register_sample("Albatross-2B").await;
    let answer = app.share(&second).await;
    assert_eq!(
        answer.status(),
        StatusCode::OK,
        "the share succeeded in SQLite"
    );
    let after_failure = search(&app, "q=albatross").await;
    assert_eq!(
        ids(&after_failure),
        BTreeSet::from([first.clone()]),
        "previous index still searchable"
    );
    // The next write drains the waiting outbox row too.
    let third = app.register_sample("Albatross-3B").await;
    app.share(&third).await;
    assert_eq!(
        ids(&search(&app, "q=albatross").await),
        BTreeSet::from([first, second, third])
    );
    assert_index_matches_db(&app).await;
}
