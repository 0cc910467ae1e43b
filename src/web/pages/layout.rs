//! The shared page frame: head with the fingerprinted stylesheet and script, header, footer.

use maud::{DOCTYPE, Markup, html};

use crate::web::assets::asset_url;

/// Wraps a page body. `script` adds the page's JavaScript (deferred, same origin: the CSP
/// forbids inline script).
pub fn page(title: &str, script: Option<&str>, body: Markup) -> Markup {
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
                        a href="/openapi.json" { "API" }
                    }
                }
                main id="main" { (body) }
                footer.bottom {
                    p { "Self-hosted model catalog. Models appear here when their project shares them." }
                }
            }
        }
    }
}
