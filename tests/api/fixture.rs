//! A seeded world for authorisation tests: users with every role, and on demand a project with
//! a shared model (with an uploaded file), an active XIM node that has it loaded, an endpoint,
//! keys of every kind, plus a second project with its own key and member. Sessions are minted
//! straight into the store (no argon2 per case); `snapshot` reads every table a request could
//! change, so a test can say "nothing changed".

use std::sync::atomic::{AtomicUsize, Ordering};

use reqwest::{Method, StatusCode};
use serde_json::json;
use xeroctl::auth::KeyScope;
use xeroctl::auth::sessions::{new_token, token_hash};
use xeroctl::catalog::ids::ProjectId;
use xeroctl::catalog::infra::AgentKind;
use xeroctl::ops::{self, AdminActor};
use xeroctl::store::{self, StoreError};

use crate::helpers::{TestApp, sample_model, spawn_app};

pub const PASSWORD: &str = "correct horse battery";

/// The users of the world, by their role in every project fixture.
pub struct World {
    pub app: TestApp,
    pub owner: i64,
    pub member: i64,
    /// A platform administrator who is a plain member of each fixture project.
    pub admin: i64,
    /// A member of the other project only.
    pub outsider: i64,
    projects: AtomicUsize,
}

/// A browser session: the cookie value and its CSRF token.
#[derive(Debug, Clone)]
pub struct MintedSession {
    pub cookie: String,
    pub csrf: String,
}

/// One project with everything its routes need, and the credentials around it.
pub struct Fixture {
    pub project_id: String,
    pub slug: String,
    pub model_id: String,
    /// The model's Hub repo id parts and its one file (the uploaded artifact).
    pub model_slug: String,
    pub model_file: String,
    pub endpoint_id: String,
    pub agent_id: String,
    pub agent_token: String,
    pub write_key: String,
    pub read_key: String,
    pub revoked_key: String,
    /// A write key made by the admin command: the one the revoke route aims at.
    pub target_key_id: String,
    pub other_key: String,
    pub member: MintedSession,
    pub owner: MintedSession,
    pub admin: MintedSession,
    pub outsider: MintedSession,
}

impl World {
    pub async fn new() -> Self {
        let app = spawn_app().await;
        let services = &app.services;
        let (owner, member, admin, outsider) = tokio::join!(
            ops::admin::create_user(services, "olivia", PASSWORD.to_owned(), false),
            ops::admin::create_user(services, "mallory", PASSWORD.to_owned(), false),
            ops::admin::create_user(services, "ada", PASSWORD.to_owned(), true),
            ops::admin::create_user(services, "oscar", PASSWORD.to_owned(), false),
        );
        Self {
            owner: owner.unwrap(),
            member: member.unwrap(),
            admin: admin.unwrap(),
            outsider: outsider.unwrap(),
            app,
            projects: AtomicUsize::new(0),
        }
    }

    /// Seeds a fresh project and its neighbour.
    pub async fn fixture(&self) -> Fixture {
        let n = self.projects.fetch_add(1, Ordering::Relaxed);
        let services = &self.app.services;
        let slug = format!("matrix{n}");
        let project = ops::admin::create_project(services, &slug, "Matrix", Some("olivia".into()))
            .await
            .unwrap();
        for name in ["mallory", "ada"] {
            ops::admin::add_member(services, &project.id, name, false)
                .await
                .unwrap();
        }
        let other = ops::admin::create_project(services, &format!("other{n}"), "Other", None)
            .await
            .unwrap();
        ops::admin::add_member(services, &other.id, "oscar", false)
            .await
            .unwrap();
        let key = |project: &ProjectId, scope| {
            let project = project.clone();
            async move {
                ops::admin::create_key(services, &project, scope, None)
                    .await
                    .unwrap()
            }
        };
        let write_key = key(&project.id, KeyScope::Write).await.plain;
        let read_key = key(&project.id, KeyScope::Read).await.plain;
        let revoked = key(&project.id, KeyScope::Write).await;
        ops::admin::revoke_key(services, &revoked.id).await.unwrap();
        let target_key_id = key(&project.id, KeyScope::Write).await.id;
        let other_key = key(&other.id, KeyScope::Write).await.plain;

        let project_id = project.id.to_string();
        let base = format!("{}/{project_id}/v1", self.app.address);
        let send = |method: Method, url: String, body: Option<serde_json::Value>| {
            let request = self.app.client.request(method, url).bearer_auth(&write_key);
            async move {
                let request = match body {
                    Some(body) => request.json(&body),
                    None => request,
                };
                request.send().await.unwrap()
            }
        };
        let model_name = format!("Matrix Model {n}");
        let model = send(
            Method::POST,
            format!("{base}/models"),
            Some(sample_model(&model_name)),
        )
        .await;
        assert_eq!(model.status(), StatusCode::CREATED);
        let model_id = model.json::<serde_json::Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let uploaded = self
            .app
            .client
            .put(format!("{base}/models/{model_id}/artifact"))
            .bearer_auth(&write_key)
            .body(b"matrix weights".to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(uploaded.status(), StatusCode::OK, "artifact upload");
        let shared = send(
            Method::POST,
            format!("{base}/models/{model_id}/share"),
            None,
        )
        .await;
        assert_eq!(shared.status(), StatusCode::OK);
        let agent = ops::infra::agents::add_agent(
            services,
            &AdminActor::local(),
            AgentKind::Xim,
            Some(project.id.clone()),
            "matrix node",
        )
        .await
        .unwrap();
        let heartbeat = self
            .app
            .client
            .post(format!("{}/agents/v1/heartbeat", self.app.address))
            .bearer_auth(&agent.token)
            .json(&json!({ "models": [model_id] }))
            .send()
            .await
            .unwrap();
        assert_eq!(heartbeat.status(), StatusCode::OK);
        let endpoint = send(
            Method::POST,
            format!("{base}/endpoints"),
            Some(json!({ "model_id": model_id, "tier": "xim" })),
        )
        .await;
        assert_eq!(endpoint.status(), StatusCode::CREATED, "deploy");
        let endpoint_id = endpoint.json::<serde_json::Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();

        Fixture {
            member: self.session(self.member, &project.id).await,
            owner: self.session(self.owner, &project.id).await,
            admin: self.session(self.admin, &project.id).await,
            outsider: self.session(self.outsider, &other.id).await,
            project_id,
            slug,
            model_slug: xeroctl::catalog::repo::slugify(&model_name),
            model_file: xeroctl::catalog::repo::file_name_for(&model_name, None),
            model_id,
            endpoint_id,
            agent_id: agent.agent.id.to_string(),
            agent_token: agent.token,
            write_key,
            read_key,
            revoked_key: revoked.plain,
            target_key_id,
            other_key,
        }
    }

    /// A live session of the user with the given active project, as a login would make it.
    pub async fn session(&self, user_id: i64, active: &ProjectId) -> MintedSession {
        let (cookie, csrf, active) = (new_token(), new_token(), active.clone());
        let hash = token_hash(&cookie);
        let csrf_stored = csrf.clone();
        self.app
            .services
            .store
            .write(move |tx| {
                store::sessions::insert_session(
                    tx,
                    &hash,
                    user_id,
                    &csrf_stored,
                    Some(&active),
                    &store::now(),
                    "9999-12-31T00:00:00.000000Z",
                )
            })
            .await
            .unwrap();
        MintedSession { cookie, csrf }
    }

    /// Every row a request could change (columns that move by themselves left out), the audit
    /// log's length, and the stored files.
    pub async fn snapshot(&self) -> Vec<String> {
        let mut rows = self
            .app
            .services
            .store
            .call(|conn| {
                let mut rows = Vec::new();
                for (table, volatile) in TABLES {
                    dump_table(conn, table, volatile, &mut rows)?;
                }
                let audit: i64 =
                    conn.query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))?;
                rows.push(format!("audit_log: {audit} rows"));
                Ok(rows)
            })
            .await
            .unwrap();
        rows.push(format!(
            "blobs: {}",
            count_files(&self.app.data_dir.path().join("blobs"))
        ));
        rows
    }
}

/// The tables a route may change, each with the columns that change without a request (use
/// stamps, heartbeat clocks swept by the server).
const TABLES: &[(&str, &[&str])] = &[
    ("users", &[]),
    ("projects", &[]),
    ("memberships", &[]),
    ("api_keys", &["last_used_at"]),
    ("models", &[]),
    ("model_files", &[]),
    ("sessions", &[]),
    ("agents", &["last_heartbeat_at", "live"]),
    ("agent_models", &["loaded_at"]),
    ("endpoints", &[]),
];

fn dump_table(
    conn: &rusqlite::Connection,
    table: &str,
    volatile: &[&str],
    rows: &mut Vec<String>,
) -> Result<(), StoreError> {
    let mut statement = conn.prepare(&format!("SELECT * FROM {table} ORDER BY rowid"))?;
    let names: Vec<String> = statement
        .column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    let mut query = statement.query([])?;
    while let Some(row) = query.next()? {
        let mut line = format!("{table}:");
        for (i, name) in names.iter().enumerate() {
            if !volatile.contains(&name.as_str()) {
                line.push_str(&format!(" {name}={:?}", row.get_ref(i)?));
            }
        }
        rows.push(line);
    }
    Ok(())
}

fn count_files(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .flatten()
            .map(|e| {
                if e.path().is_dir() {
                    count_files(&e.path())
                } else {
                    1
                }
            })
            .sum()
    })
}
