//! Search v3 (issue 28) over HTTP: "most" matches said so in the JSON and on the page, CJK and
//! decimal numbers in descriptions, pasted text, and the bad inputs of the issue, each a clear
//! answer and never a 5xx.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

async fn shared(app: &TestApp, body: Value) -> String {
    let id = app.register(&body).await["id"].as_str().unwrap().to_owned();
    assert_eq!(app.share(&id).await.status(), StatusCode::OK);
    id
}

async fn search(app: &TestApp, q: &str) -> (StatusCode, Value) {
    let response = app
        .client
        .get(format!("{}/v1/catalog/models", app.address))
        .query(&[("q", q)])
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

fn names(answer: &Value) -> Vec<&str> {
    answer["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn partial_matches_cjk_decimals_and_pasted_text() {
    let app = spawn_app().await;
    shared(&app, json!({"name": "Lawyer-Zh-7B", "parameter_count": "7B",
        "description": "一个用于中文法律问答的模型。Answers questions about contracts 2.5 times faster than its base."})).await;
    shared(&app, json!({"name": "Coder-Mini-1B", "parameter_count": "1B", "workload_type": "code",
        "description": "A small model that completes Python functions and explains stack traces to beginners."})).await;
    shared(
        &app,
        json!({"name": "Plain-Chat-8B", "parameter_count": "8B", "description": "Talks."}),
    )
    .await;

    // Every word: `all`. A word no model has: the models with the others, `most`, said so.
    let (_, answer) = search(&app, "lawyer zh").await;
    assert_eq!(answer["match"], "all");
    assert_eq!(names(&answer), ["Lawyer-Zh-7B"]);
    let (_, answer) = search(&app, "lawyer zzqxv").await;
    assert_eq!(answer["match"], "most", "{answer}");
    assert_eq!(answer["every_word_total"], 0);
    assert_eq!(names(&answer), ["Lawyer-Zh-7B"]);
    let page = reqwest::get(format!("{}/models/catalog?q=lawyer%20zzqxv", app.address))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("No model has every word; showing models with most of them."),
        "{page}"
    );

    // CJK text is found by its characters; decimals as written; workload words in Chinese.
    assert_eq!(names(&search(&app, "法律问答").await.1), ["Lawyer-Zh-7B"]);
    assert_eq!(names(&search(&app, "中文").await.1), ["Lawyer-Zh-7B"]);
    assert_eq!(names(&search(&app, "2.5 times").await.1), ["Lawyer-Zh-7B"]);
    assert_eq!(names(&search(&app, "代码").await.1), ["Coder-Mini-1B"]);
    assert_eq!(
        names(&search(&app, "programming").await.1),
        ["Coder-Mini-1B"]
    );

    // A sentence pasted from a card finds that card first.
    let pasted =
        "It completes Python functions and explains stack traces to beginners, a small model.";
    let (status, answer) = search(&app, pasted).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(names(&answer)[0], "Coder-Mini-1B", "{answer}");
}

#[tokio::test]
async fn bad_queries_are_clear_answers_never_errors_of_the_server() {
    let app = spawn_app().await;
    shared(
        &app,
        json!({"name": "Any-Model-7B", "description": "A model for tests."}),
    )
    .await;
    let long: String = "the model completes python functions "
        .repeat(60)
        .chars()
        .take(2_000)
        .collect();
    let one_letters = vec!["x"; 500].join(" ");
    let ok = [
        long.as_str(),
        one_letters.as_str(),
        "the for a an of",
        "!!! ??? ... ---",
        "qwen 千问 código модель",
        "\u{1}any\u{0}model\u{7f}",
        "model",
    ];
    for q in ok {
        let (status, answer) = search(&app, q).await;
        assert_eq!(status, StatusCode::OK, "{q:?}: {answer}");
    }
    // Only stop words: they are all the query has, so they are searched for.
    let (_, answer) = search(&app, "a model for").await;
    assert_eq!(names(&answer), ["Any-Model-7B"]);
    let too_long = "x ".repeat(1_001);
    for q in [too_long.as_str(), &"y".repeat(65)] {
        let (status, answer) = search(&app, q).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{q:?}");
        assert_eq!(answer["error"]["code"], "invalid_parameter", "{answer}");
    }
}
