//! Who manages API keys on `/projects/{id}/keys` (hardening item 7): owners and administrators
//! in the project manage every key; a plain member sees, creates and revokes only the read keys
//! they created, and anything else is a 403 page that changes nothing.

use reqwest::header::{CONTENT_TYPE, COOKIE};
use reqwest::{Response, StatusCode};
use scraper::{Html, Selector};
use serde_json::json;
use xeroctl::catalog::ids::ProjectId;
use xeroctl::ops;

use crate::fixture::{Fixture, MintedSession, World};

/// Sends a page request with a session; a form gets the session's CSRF token.
async fn page(
    world: &World,
    session: &MintedSession,
    path: &str,
    form: Option<&[(&str, &str)]>,
) -> Response {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let url = format!("{}{path}", world.app.address);
    let request = match form {
        None => client.get(url),
        Some(fields) => {
            let mut all = vec![("csrf", session.csrf.as_str())];
            all.extend_from_slice(fields);
            client.post(url).form(&all)
        }
    };
    request
        .header(COOKIE, format!("xero_session={}", session.cookie))
        .send()
        .await
        .unwrap()
}

fn key_id(plain: &str) -> String {
    format!("key_{}", &plain.rsplit('_').next().unwrap()[..8])
}

/// Creates a key from the keys page and returns the plain key shown once.
async fn create(world: &World, fixture: &Fixture, session: &MintedSession, scope: &str) -> String {
    let path = format!("/projects/{}/keys", fixture.project_id);
    let response = page(world, session, &path, Some(&[("scope", scope)])).await;
    assert_eq!(response.status(), StatusCode::OK, "{scope} key created");
    let html = Html::parse_document(&response.text().await.unwrap());
    html.select(&Selector::parse("code.key").unwrap())
        .next()
        .expect("the new key")
        .text()
        .collect()
}

/// The key ids the keys page lists, and the scopes its form offers.
async fn listing(
    world: &World,
    fixture: &Fixture,
    session: &MintedSession,
) -> (Vec<String>, Vec<String>) {
    let path = format!("/projects/{}/keys", fixture.project_id);
    let response = page(world, session, &path, None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = Html::parse_document(&response.text().await.unwrap());
    let select = |css: &str| Selector::parse(css).unwrap();
    let ids = html
        .select(&select("tbody td:first-child code"))
        .map(|e| e.text().collect())
        .collect();
    let scopes = html
        .select(&select("select#scope option"))
        .filter_map(|e| e.value().attr("value").map(str::to_owned))
        .collect();
    (ids, scopes)
}

async fn revoke(
    world: &World,
    fixture: &Fixture,
    session: &MintedSession,
    key_id: &str,
) -> Response {
    let path = format!("/projects/{}/keys/{key_id}/revoke", fixture.project_id);
    page(world, session, &path, Some(&[])).await
}

/// The status the project API gives this key on a read.
async fn api_status(world: &World, fixture: &Fixture, key: &str) -> StatusCode {
    world
        .app
        .client
        .get(format!(
            "{}/{}/v1/models",
            world.app.address, fixture.project_id
        ))
        .bearer_auth(key)
        .send()
        .await
        .unwrap()
        .status()
}

async fn assert_refused_page(response: Response, description: &str) {
    assert_eq!(response.status(), StatusCode::FORBIDDEN, "{description}");
    let content_type = response.headers()[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("text/html"),
        "{description}: {content_type}"
    );
    let html = Html::parse_document(&response.text().await.unwrap());
    let heading: String = html
        .select(&Selector::parse("h1").unwrap())
        .next()
        .unwrap()
        .text()
        .collect();
    assert_eq!(heading, "Not allowed", "{description}");
}

#[tokio::test]
async fn members_see_create_and_revoke_only_their_own_read_keys() {
    // Arrange
    let world = World::new().await;
    let fixture = world.fixture().await;
    let member = &fixture.member;
    let owners_read_key = create(&world, &fixture, &fixture.owner, "read").await;

    // Act: a member makes a read key, then tries for more.
    let own = create(&world, &fixture, member, "read").await;
    let before = world.snapshot().await;
    let write = page(
        &world,
        member,
        &format!("/projects/{}/keys", fixture.project_id),
        Some(&[("scope", "write")]),
    )
    .await;
    assert_refused_page(write, "a member asking for a write key").await;
    for (description, target) in [
        (
            "a key made by the admin command",
            fixture.target_key_id.clone(),
        ),
        ("an owner's read key", key_id(&owners_read_key)),
    ] {
        assert_refused_page(revoke(&world, &fixture, member, &target).await, description).await;
    }
    assert_eq!(before, world.snapshot().await, "refusals change nothing");

    // Assert: the member's view, and the keys still at work.
    let (ids, scopes) = listing(&world, &fixture, member).await;
    assert_eq!(ids, vec![key_id(&own)], "only their own key is listed");
    assert_eq!(scopes, vec!["read"], "no write option");
    assert_eq!(
        api_status(&world, &fixture, &owners_read_key).await,
        StatusCode::OK
    );
    assert_eq!(api_status(&world, &fixture, &own).await, StatusCode::OK);
    let revoked = revoke(&world, &fixture, member, &key_id(&own)).await;
    assert_eq!(revoked.status(), StatusCode::SEE_OTHER, "their own key");
    assert_eq!(
        api_status(&world, &fixture, &own).await,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn another_members_read_key_is_not_theirs_to_revoke() {
    let world = World::new().await;
    let fixture = world.fixture().await;
    let project = ProjectId::parse(&fixture.project_id).unwrap();
    ops::admin::create_user(
        &world.app.services,
        "mona",
        crate::fixture::PASSWORD.to_owned(),
        false,
    )
    .await
    .unwrap();
    ops::admin::add_member(&world.app.services, &project, "mona", false)
        .await
        .unwrap();
    let mona_id = world
        .app
        .services
        .store
        .call(|conn| {
            Ok(xeroctl::store::users::find_user_by_name(conn, "mona")?
                .unwrap()
                .id)
        })
        .await
        .unwrap();
    let mona = world.session(mona_id, &project).await;
    let monas_key = create(&world, &fixture, &mona, "read").await;

    let refused = revoke(&world, &fixture, &fixture.member, &key_id(&monas_key)).await;

    assert_refused_page(refused, "another member's read key").await;
    assert_eq!(
        api_status(&world, &fixture, &monas_key).await,
        StatusCode::OK
    );
    assert!(
        listing(&world, &fixture, &fixture.member)
            .await
            .0
            .is_empty(),
        "not listed either"
    );
}

#[tokio::test]
async fn owners_and_administrators_in_the_project_manage_every_key() {
    let world = World::new().await;
    let fixture = world.fixture().await;
    let members_key = create(&world, &fixture, &fixture.member, "read").await;
    for (who, session) in [("owner", &fixture.owner), ("administrator", &fixture.admin)] {
        // A write key that writes.
        let write = create(&world, &fixture, session, "write").await;
        let registered = world
            .app
            .client
            .post(format!(
                "{}/{}/v1/models",
                world.app.address, fixture.project_id
            ))
            .bearer_auth(&write)
            .json(&json!({ "name": format!("Made with the {who}'s key") }))
            .send()
            .await
            .unwrap();
        assert_eq!(registered.status(), StatusCode::CREATED, "{who}");
        // Every key is listed, and the form offers both scopes.
        let (ids, scopes) = listing(&world, &fixture, session).await;
        for expected in [
            key_id(&members_key),
            fixture.target_key_id.clone(),
            key_id(&write),
        ] {
            assert!(ids.contains(&expected), "{who} sees {expected}: {ids:?}");
        }
        assert_eq!(scopes, vec!["write", "read"], "{who}");
    }
    let listing_html = page(
        &world,
        &fixture.owner,
        &format!("/projects/{}/keys", fixture.project_id),
        None,
    )
    .await
    .text()
    .await
    .unwrap();
    assert!(
        listing_html.contains("mallory"),
        "the owner sees who made the member's key"
    );
    // The owner revokes the member's key and the admin command's key.
    for target in [key_id(&members_key), fixture.target_key_id.clone()] {
        let revoked = revoke(&world, &fixture, &fixture.owner, &target).await;
        assert_eq!(revoked.status(), StatusCode::SEE_OTHER, "{target}");
    }
    assert_eq!(
        api_status(&world, &fixture, &members_key).await,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_key_of_another_project_cannot_be_revoked_through_this_one() {
    let world = World::new().await;
    let fixture = world.fixture().await;
    let before = world.snapshot().await;

    let response = revoke(
        &world,
        &fixture,
        &fixture.owner,
        &key_id(&fixture.other_key),
    )
    .await;

    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(before, world.snapshot().await);
}
