//! `GET /models/catalog.atom?<catalog query>`: the newest shared models matching a catalog
//! search, as an Atom feed (issue 15). It reads the same index as the page, so a share shows in
//! the feed as soon as the share answers, and an unshare removes the entry.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use atom_syndication::{Category, Entry, Feed, FixedDateTime, Link, Person, Text};

use crate::catalog::card::CatalogCard;
use crate::catalog::query::CatalogQuery;
use crate::catalog::saved_search::canonical_query;
use crate::ops::{self, Services};
use crate::web::pages::account::searches::describe;

/// Entries per feed: the newest this many.
const ENTRIES: &str = "50";
const SUMMARY_CHARS: usize = 300;

/// The handler.
pub async fn catalog_feed(
    request: HttpRequest,
    pairs: web::Query<Vec<(String, String)>>,
    services: web::Data<Services>,
) -> HttpResponse {
    // The feed is of the search, not of one page of it or its order: newest first, always.
    let pairs: Vec<(&str, &str)> = pairs
        .iter()
        .filter(|(k, _)| k != "sort")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let canonical = match canonical_query(pairs.iter().copied()) {
        Ok(canonical) => canonical,
        Err(error) => return plain(StatusCode::BAD_REQUEST, &format!("{error}\n")),
    };
    let parsed = form_urlencoded::parse(canonical.as_bytes())
        .into_owned()
        .collect::<Vec<_>>();
    let query = CatalogQuery::from_pairs(
        parsed
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .chain([("sort", "newest"), ("per_page", ENTRIES)]),
    );
    let Ok(query) = query else {
        return plain(StatusCode::BAD_REQUEST, "that search cannot be read\n");
    };
    if let Some(param) = query.members_only_filter() {
        return plain(
            StatusCode::BAD_REQUEST,
            &format!("`{param}` is for logged-in users; feeds are public\n"),
        );
    }
    let results = match ops::catalog::search_catalog(&services, query).await {
        Ok(results) => results,
        Err(error) => {
            tracing::error!(%error, "catalog feed search failed");
            return plain(
                StatusCode::SERVICE_UNAVAILABLE,
                "search is unavailable; try again in a moment\n",
            );
        }
    };
    let base = crate::web::public_url::base_url(&request);
    let feed = feed(&base, &canonical, &results.hits);
    HttpResponse::Ok()
        .content_type("application/atom+xml; charset=utf-8")
        // Feed readers poll; a minute of staleness costs nothing and spares the index.
        .insert_header((actix_web::http::header::CACHE_CONTROL, "public, max-age=60"))
        .body(xml_safe(feed.to_string()))
}

/// Drops every character XML 1.0 forbids (controls but tab and newlines, U+FFFE, U+FFFF), so a
/// feed is well-formed whatever text is stored (RELIABILITY T49). Markup is all allowed ASCII.
fn xml_safe(xml: String) -> String {
    let allowed = |c: char| {
        matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
            || c >= '\u{10000}'
    };
    if xml.chars().all(allowed) {
        return xml;
    }
    xml.chars().filter(|&c| allowed(c)).collect()
}

fn plain(status: StatusCode, message: &str) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/plain; charset=utf-8")
        .body(message.to_owned())
}

fn stamp(text: Option<&str>) -> FixedDateTime {
    text.and_then(|t| FixedDateTime::parse_from_rfc3339(t).ok())
        .unwrap_or_default()
}

fn link(href: String, rel: &str, kind: Option<&str>) -> Link {
    Link {
        href,
        rel: rel.to_owned(),
        mime_type: kind.map(str::to_owned),
        ..Default::default()
    }
}

/// The feed document.
fn feed(base: &str, canonical: &str, cards: &[CatalogCard]) -> Feed {
    let suffix = if canonical.is_empty() {
        String::new()
    } else {
        format!("?{canonical}")
    };
    let self_url = format!("{base}/models/catalog.atom{suffix}");
    let entries: Vec<Entry> = cards.iter().map(|card| entry(base, card)).collect();
    let updated = entries.iter().map(|e| e.updated).max().unwrap_or_default();
    Feed {
        title: Text::plain(format!("xeroctl catalog: {}", describe(canonical))),
        id: self_url.clone(),
        updated,
        links: vec![
            link(self_url, "self", Some("application/atom+xml")),
            link(
                format!("{base}/models/catalog{suffix}"),
                "alternate",
                Some("text/html"),
            ),
        ],
        generator: Some(atom_syndication::Generator {
            value: "xeroctl".to_owned(),
            ..Default::default()
        }),
        entries,
        ..Default::default()
    }
}

/// What the summary line says about a model: licence, size, context, family.
fn facts(card: &CatalogCard) -> String {
    let mut parts = vec![format!(
        "Licence: {}",
        card.license_name
            .as_deref()
            .or(card.license.as_deref())
            .unwrap_or("not stated")
    )];
    if let Some(size) = &card.parameter_count_display {
        parts.push(format!("{size} parameters"));
    }
    if let Some(context) = &card.context_length_display {
        parts.push(format!("{context} context"));
    }
    parts.push(format!("family {}", card.family_name));
    parts.join(" · ")
}

fn entry(base: &str, card: &CatalogCard) -> Entry {
    let shared = stamp(card.shared_at.as_deref());
    let mut description: String = card.description.chars().take(SUMMARY_CHARS).collect();
    if card.description.chars().count() > SUMMARY_CHARS {
        description.push('…');
    }
    let summary = if description.trim().is_empty() {
        facts(card)
    } else {
        format!("{}\n\n{description}", facts(card))
    };
    let mut categories = vec![Category {
        term: card.architecture.clone(),
        scheme: Some(format!("{base}/models/catalog?family=")),
        label: Some(card.family_name.clone()),
    }];
    if let Some(license) = &card.license {
        categories.push(Category {
            term: license.clone(),
            scheme: Some(format!("{base}/models/catalog?license=")),
            label: card.license_name.clone(),
        });
    }
    Entry {
        title: Text::plain(card.name.clone()),
        id: format!("urn:uuid:{}", card.id),
        updated: shared,
        published: Some(shared),
        authors: vec![Person {
            name: card.project_name.clone(),
            ..Default::default()
        }],
        links: vec![link(
            format!("{base}/models/catalog/{}", card.id),
            "alternate",
            Some("text/html"),
        )],
        summary: Some(Text::plain(summary)),
        categories,
        ..Default::default()
    }
}
