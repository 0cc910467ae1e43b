//! The shared page frame: head with the fingerprinted stylesheet and script, header, footer.

use maud::{DOCTYPE, Markup, html};

use crate::ops::access::session::Session;
use crate::web::assets::asset_url;

/// Wraps a page body. `script` adds the page's JavaScript (deferred, same origin: the CSP
/// forbids inline script).
pub fn page(title: &str, session: Option<&Session>, script: Option<&str>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · xeroctl" }
                link rel="stylesheet" href=(asset_url("app.css"));
                link rel="icon" href=(asset_url("logos/generic.svg")) type="image/svg+xml";
                @if let Some(script) = script {
                    script src=(asset_url(script)) defer {}
                }
            }
            body {
                a.skip href="#main" { "Skip to content" }
                header.top {
                    a.brand href="/models/catalog" { "xeroctl" }
                    nav aria-label="Main" {
                        a href="/models/catalog" { "Model catalog" }
                        @if let Some(project) = session.and_then(|s| s.active_project.as_ref()) {
                            a href=(format!("/projects/{project}/models")) { "My models" }
                            a href=(format!("/projects/{project}/endpoints")) { "Endpoints" }
                            a href=(format!("/projects/{project}/keys")) { "API keys" }
                        }
                        @if session.is_some() {
                            a href="/searches" { "Saved searches" }
                        }
                        @if session.is_some_and(|s| s.is_admin) {
                            a href="/admin" { "Admin" }
                        }
                        a href="/openapi.json" { "API" }
                    }
                    (account(session))
                }
                main id="main" { (body) }
                footer.bottom {
                    p { "Self-hosted model catalog. Models appear here when their project shares them." }
                }
            }
        }
    }
}

/// The right side of the header: log in, or the user, the project switcher and log out.
fn account(session: Option<&Session>) -> Markup {
    html! {
        div.account {
            @match session {
                None => { a href="/login" { "Log in" } }
                Some(session) => {
                    @if !session.projects.is_empty() {
                        form.switcher method="post" action="/session/project" {
                            input type="hidden" name="csrf" value=(session.csrf_token);
                            label for="project-switch" { "Project" }
                            select id="project-switch" name="project" {
                                @for (id, name) in &session.projects {
                                    option value=(id) selected[session.active_project.as_ref() == Some(id)] { (name) }
                                }
                            }
                            button type="submit" { "Switch" }
                        }
                    }
                    span.user { (session.username) }
                    form method="post" action="/logout" {
                        input type="hidden" name="csrf" value=(session.csrf_token);
                        button.link type="submit" { "Log out" }
                    }
                }
            }
        }
    }
}
