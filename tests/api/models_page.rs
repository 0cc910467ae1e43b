//! The "My models" page as a new member meets it (issue 16, point 6): paging, the name search,
//! sortable columns, delete only after a confirmation, the upload on the model's edit page and
//! the register form at the top.

use reqwest::{Client, StatusCode};
use scraper::{ElementRef, Html, Selector};
use xeroctl::auth::Principal;
use xeroctl::catalog::ids::ProjectId;
use xeroctl::catalog::model::{ModelInput, NewModel};
use xeroctl::ops;

use crate::helpers::{TestApp, spawn_app};
use crate::sessions::{PASSWORD, browser, field, login, user};

/// Registers models straight through `ops` (a hundred HTTP registrations would only be slower).
async fn register_models(app: &TestApp, models: &[(&str, Option<&str>)]) {
    let project = ProjectId::parse(&app.project_id).unwrap();
    for (name, parameters) in models {
        let input = ModelInput {
            name: Some((*name).to_owned()),
            parameter_count: parameters.map(str::to_owned),
            ..ModelInput::default()
        };
        let new = NewModel::parse(input).unwrap();
        ops::models::register_model(&app.services, &Principal::LocalAdmin, &project, new)
            .await
            .unwrap();
    }
}

/// A logged-in member's browser.
async fn member(app: &TestApp) -> Client {
    user(app, "mia").await;
    let client = browser();
    login(app, &client, "mia", PASSWORD).await;
    client
}

async fn get(app: &TestApp, client: &Client, path: &str) -> (StatusCode, Html) {
    let response = client
        .get(format!("{}{path}", app.address))
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap();
    let status = response.status();
    (
        status,
        Html::parse_document(&response.text().await.unwrap()),
    )
}

fn select<'a>(html: &'a Html, css: &str) -> Vec<ElementRef<'a>> {
    html.select(&Selector::parse(css).unwrap()).collect()
}

fn text(element: &ElementRef) -> String {
    element.text().collect::<String>().trim().to_owned()
}

/// The names in the list, in the order shown (the first line of the name cell).
fn listed_names(html: &Html) -> Vec<String> {
    select(html, "table.models tbody tr td:first-child")
        .iter()
        .map(|cell| cell.text().next().unwrap_or_default().trim().to_owned())
        .collect()
}

fn models_path(app: &TestApp, query: &str) -> String {
    format!("/projects/{}/models{query}", app.project_id)
}

#[tokio::test]
async fn the_models_page_shows_fifty_a_page_and_a_page_past_the_end_is_an_empty_state() {
    // Arrange
    let app = spawn_app().await;
    let names: Vec<String> = (0..120).map(|n| format!("Paged {n:03}")).collect();
    let models: Vec<(&str, Option<&str>)> = names.iter().map(|n| (n.as_str(), None)).collect();
    register_models(&app, &models).await;
    let client = member(&app).await;
    // Act + Assert
    let (status, first) = get(&app, &client, &models_path(&app, "")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed_names(&first).len(), 50);
    assert_eq!(
        text(&select(&first, "table.models caption")[0]),
        "120 models"
    );
    assert_eq!(text(&select(&first, "nav.pager span")[0]), "Page 1 of 3");
    assert!(select(&first, "nav.pager a[rel=prev]").is_empty());
    let next = select(&first, "nav.pager a[rel=next]")[0]
        .value()
        .attr("href")
        .unwrap();
    assert_eq!(next, models_path(&app, "?page=2"));

    let (_, last) = get(&app, &client, &models_path(&app, "?page=3")).await;
    assert_eq!(
        listed_names(&last).len(),
        20,
        "the last page holds the rest"
    );
    assert_eq!(text(&select(&last, "nav.pager span")[0]), "Page 3 of 3");
    assert!(select(&last, "nav.pager a[rel=next]").is_empty());
    let prev = select(&last, "nav.pager a[rel=prev]")[0]
        .value()
        .attr("href")
        .unwrap();
    assert_eq!(prev, models_path(&app, "?page=2"));

    let (status, past) = get(&app, &client, &models_path(&app, "?page=9")).await;
    assert_eq!(status, StatusCode::OK, "past the end is no error");
    assert!(listed_names(&past).is_empty());
    let empty = &select(&past, ".empty")[0];
    assert!(text(empty).contains("past the end"), "{}", text(empty));
    let back = select(&past, ".empty a")[0].value().attr("href").unwrap();
    assert_eq!(back, models_path(&app, "?page=3"));
}

#[tokio::test]
async fn the_search_box_finds_names_ignoring_case_and_takes_wildcards_literally() {
    let app = spawn_app().await;
    register_models(
        &app,
        &[
            ("Qwen3-8B", None),
            ("qwen2.5-coder", None),
            ("Llama_3", None),
            ("Llama-3", None),
        ],
    )
    .await;
    let client = member(&app).await;
    let cases = [
        (
            "?q=QWEN&sort=name",
            vec!["qwen2.5-coder", "Qwen3-8B"],
            "case ignored",
        ),
        ("?q=a_3", vec!["Llama_3"], "`_` is no wildcard"),
        ("?q=%25", vec![], "`%` is no wildcard"),
    ];
    for (query, expected, description) in cases {
        let (status, html) = get(&app, &client, &models_path(&app, query)).await;
        assert_eq!(status, StatusCode::OK, "{description}");
        assert_eq!(listed_names(&html), expected, "{description}");
    }
    let (_, found) = get(&app, &client, &models_path(&app, "?q=qwen")).await;
    assert_eq!(
        field(&found.html(), "input[name=q]", "value"),
        "qwen",
        "the box keeps the search"
    );
    assert_eq!(
        text(&select(&found, "table.models caption")[0]),
        "2 models matching “qwen”"
    );
    let (_, none) = get(&app, &client, &models_path(&app, "?q=mistral")).await;
    assert!(text(&select(&none, ".empty")[0]).contains("mistral"));
    let all = select(&none, ".empty a")[0].value().attr("href").unwrap();
    assert_eq!(all, models_path(&app, ""), "a way back to every model");
}

#[tokio::test]
async fn column_headers_sort_the_list_and_mark_the_active_column() {
    let app = spawn_app().await;
    register_models(
        &app,
        &[
            ("beta", Some("7B")),
            ("Alpha", None),
            ("gamma", Some("70B")),
        ],
    )
    .await;
    let client = member(&app).await;
    let cases = [
        ("", ["gamma", "Alpha", "beta"], "Added", "descending"),
        (
            "?sort=newest",
            ["gamma", "Alpha", "beta"],
            "Added",
            "descending",
        ),
        (
            "?sort=name",
            ["Alpha", "beta", "gamma"],
            "Name",
            "ascending",
        ),
        (
            "?sort=size",
            ["gamma", "beta", "Alpha"],
            "Size",
            "descending",
        ),
    ];
    for (query, order, column, direction) in cases {
        let (_, html) = get(&app, &client, &models_path(&app, query)).await;
        assert_eq!(listed_names(&html), order, "`{query}`");
        let active = select(&html, "table.models th[aria-sort]");
        assert_eq!(active.len(), 1, "`{query}`: one active column");
        assert!(text(&active[0]).starts_with(column), "`{query}`");
        assert_eq!(
            active[0].value().attr("aria-sort"),
            Some(direction),
            "`{query}`"
        );
    }
    // A header link keeps the search and starts again at page 1.
    let (_, html) = get(&app, &client, &models_path(&app, "?q=a&page=1")).await;
    let links: Vec<&str> = select(&html, "table.models th a")
        .iter()
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert!(
        links.contains(&models_path(&app, "?q=a&sort=name").as_str()),
        "{links:?}"
    );
}

#[tokio::test]
async fn an_unreadable_list_address_is_a_400_page_that_names_the_value() {
    let app = spawn_app().await;
    let client = member(&app).await;
    for (query, named) in [
        ("?page=abc", "abc"),
        ("?page=0", "`0`"),
        ("?sort=price", "price"),
        ("?q=a&q=b", "could not be read"),
    ] {
        let (status, html) = get(&app, &client, &models_path(&app, query)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        let message = text(&select(&html, ".page-error")[0]);
        assert!(message.contains(named), "{query}: {message}");
        assert!(
            !select(&html, "header.top .user").is_empty(),
            "{query}: still logged in"
        );
    }
}

#[tokio::test]
async fn delete_asks_first_and_only_the_confirmation_deletes() {
    // Arrange
    let app = spawn_app().await;
    let id = app.register_sample("Doomed").await;
    let client = member(&app).await;
    let (_, list) = get(&app, &client, &models_path(&app, "")).await;
    let csrf = field(&list.html(), "input[name=csrf]", "value");
    let delete = format!(
        "{}/projects/{}/models/{id}/delete",
        app.address, app.project_id
    );
    // Act: the list's Delete button.
    let asked = client
        .post(&delete)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    // Assert: a confirmation page, nothing deleted.
    assert_eq!(asked.status(), StatusCode::OK);
    let page = Html::parse_document(&asked.text().await.unwrap());
    assert_eq!(text(&select(&page, "h1")[0]), "Delete model Doomed?");
    assert!(text(&select(&page, ".confirm")[0]).contains("cannot be undone"));
    let form = &select(&page, ".confirm form")[0];
    assert_eq!(
        form.value().attr("action"),
        Some(delete.trim_start_matches(&app.address))
    );
    assert_eq!(
        field(&page.html(), ".confirm input[name=csrf]", "value"),
        csrf
    );
    assert_eq!(
        field(&page.html(), ".confirm input[name=confirmed]", "value"),
        "yes"
    );
    assert_eq!(
        app.get_model(&id).await.status(),
        StatusCode::OK,
        "asking deletes nothing"
    );

    // A confirmation without the session's token is refused.
    let forged = client
        .post(&delete)
        .form(&[("csrf", "forged"), ("confirmed", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get_model(&id).await.status(), StatusCode::OK);

    let confirmed = client
        .post(&delete)
        .form(&[("csrf", csrf.as_str()), ("confirmed", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(confirmed.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.get_model(&id).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn register_is_at_the_top_and_the_only_upload_form_is_on_the_edit_page() {
    let app = spawn_app().await;
    let client = member(&app).await;
    let (_, empty) = get(&app, &client, &models_path(&app, "")).await;
    assert!(
        !select(&empty, "details#register[open]").is_empty(),
        "a project without models shows the form open"
    );
    let id = app.register_sample("Listed").await;
    register_models(&app, &[("Second", None)]).await;
    let (_, list) = get(&app, &client, &models_path(&app, "")).await;
    let order: Vec<String> = select(&list, "details#register, table.models")
        .iter()
        .map(|e| e.value().name().to_owned())
        .collect();
    assert_eq!(
        order,
        ["details", "table"],
        "register comes before the list"
    );
    assert!(
        select(&list, "details#register[open]").is_empty(),
        "folded once models exist"
    );
    assert!(
        select(&list, "input[type=file]").is_empty(),
        "no file picker per row"
    );

    let (status, edit) = get(
        &app,
        &client,
        &format!("/projects/{}/models/{id}/edit", app.project_id),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let uploads = select(&edit, "form.upload");
    assert_eq!(uploads.len(), 1);
    assert_eq!(
        uploads[0].value().attr("action").unwrap(),
        format!("/projects/{}/models/{id}/upload", app.project_id)
    );
    assert_eq!(select(&edit, "form.upload input[type=file]").len(), 1);
}
