//! Building and running the HTTP server. `Application::build` binds first (port 0 works), so
//! tests and `main` share exactly the same wiring.

use std::fs::File;
use std::net::TcpListener;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::error::InternalError;
use actix_web::middleware::{DefaultHeaders, NormalizePath, TrailingSlash, from_fn};
use actix_web::{App, HttpServer, web};
use tracing_actix_web::TracingLogger;
use utoipa_actix_web::AppExt;

use super::body_timeout::JSON_LIMIT;
use super::error::{ApiError, ErrorCode};
use super::{api, assets, pages};
use crate::config::Settings;
use crate::ops::{self, Services};

/// How often the outbox is checked for changes made outside this process.
const SYNC_INTERVAL: Duration = Duration::from_secs(2);
/// How long an index commit may wait to become durable against power loss (SQLite's own
/// window with `synchronous=NORMAL` is its last few transactions).
const CHECKPOINT_INTERVAL: Duration = Duration::from_secs(1);

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Ops(#[from] ops::OpsError),
    // The cause is the error's source: the CLI prints the chain, so it is not repeated here.
    #[error("cannot listen on {address}")]
    Bind {
        address: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// A bound, not yet running server.
pub struct Application {
    port: u16,
    server: Server,
    services: Services,
    /// The start-up reconcile of the index, which runs while the server already answers.
    reconcile: tokio::task::JoinHandle<()>,
    _lock: File,
}

impl Application {
    /// Opens the data directory (taking its single-server lock), seeds the demo when asked,
    /// binds the listener and wires the app.
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        ops::indexing::index_rebuild::keep_freed_heap();
        // Bind first: a port in use must fail before the data directory is created or migrated.
        let listener = TcpListener::bind(settings.bind).map_err(|source| StartupError::Bind {
            address: settings.bind.to_string(),
            source,
        })?;
        std::fs::create_dir_all(&settings.data_dir)?;
        // One server per data directory: two would both write the database and the index.
        let lock = ops::lock_data_dir(&settings.data_dir)?;
        if settings.demo {
            // Seed before the index opens: start-up then indexes the demo in one commit.
            seed_demo(&Services::open(&settings.data_dir)?).await?;
        }
        // The index is reconciled with the database in the background, after the server
        // listens: at a million models a rebuild takes half a minute, and `/healthz` must answer
        // meanwhile (SPEC §9). Catalog reads answer 503 until `/readyz` says ready.
        let (mut services, outcome) =
            Services::open_with_index_unreconciled(&settings.data_dir).await?;
        services.sync_after_writes = settings.index_sync;
        services.rebuild_pause = settings.rebuild_pause;
        services.agent_ttl = settings.agent_ttl;
        services.uploads = settings.uploads;
        services.throttle = settings.throttle;
        ops::files::upload::clean_temporary_files(&settings.data_dir);
        // Blobs a crash left unreferenced (a delete between its commit and its collection).
        let collector = services.clone();
        tokio::spawn(async move {
            if let Err(error) = ops::files::gc::collect_garbage(&collector).await {
                tracing::warn!(%error, "garbage collection at start-up failed");
            }
        });
        if settings.demo {
            tokio::spawn(ops::seed::demo_infra::heartbeat_simulated(services.clone()));
        }
        tokio::spawn(ops::infra::agents::sweep_periodically(
            services.clone(),
            sweep_interval(settings.agent_ttl),
        ));
        if settings.index_sync {
            tokio::spawn(ops::indexing::index_sync::sync_periodically(
                services.clone(),
                SYNC_INTERVAL,
            ));
        }
        tokio::spawn(ops::indexing::index_sync::checkpoint_periodically(
            services.clone(),
            CHECKPOINT_INTERVAL,
        ));
        let port = listener.local_addr()?.port();
        let openapi = web::Data::new(api::openapi_doc::openapi_json());
        let secure_cookies = settings.secure_cookies;
        let cookies = web::Data::new(super::session::CookiePolicy {
            secure: settings.secure_cookies,
        });
        let trusted_proxies = web::Data::new(super::client_address::TrustedProxies::new(
            &settings.trusted_proxies,
        ));
        let public_base = web::Data::new(super::public_url::PublicBase::new(
            settings.public_url.clone(),
            listener.local_addr()?,
        ));
        if settings.public_url.is_none() && settings.bind.ip().is_unspecified() {
            tracing::warn!(
                "listening on every interface without --public-url: feed and Hub links name 127.0.0.1 unless a --trusted-proxy forwards the host"
            );
        }
        let body_limits = web::Data::new(super::body_timeout::BodyLimits::new(
            settings.body_timeout,
            settings.bodies_per_address,
        ));
        let data = web::Data::new(services.clone());
        let page_cache = web::Data::new(super::pages::catalog::page_cache::PageCache::default());
        let server = HttpServer::new(move || {
            let (app, _) = App::new()
                .into_utoipa_app()
                .app_data(data.clone())
                .app_data(page_cache.clone())
                .app_data(openapi.clone())
                .app_data(cookies.clone())
                .app_data(trusted_proxies.clone())
                .app_data(public_base.clone())
                .app_data(body_limits.clone())
                .app_data(
                    web::FormConfig::default()
                        .limit(JSON_LIMIT)
                        .error_handler(super::conformance::form_error),
                )
                .app_data(json_config())
                // Raw bodies (Hub commits) may be larger than a JSON one; what reaches an
                // extractor was already bounded and timed by `body_timeout`.
                .app_data(web::PayloadConfig::new(super::body_timeout::COMMIT_LIMIT))
                .app_data(web::PathConfig::default().error_handler(|err, request| {
                    let error = ApiError::new(ErrorCode::RouteNotFound, err.to_string());
                    let answer = super::conformance::negotiated(request, &error);
                    InternalError::from_response(err, answer).into()
                }))
                .app_data(web::QueryConfig::default().error_handler(|err, request| {
                    let error = ApiError::new(
                        ErrorCode::InvalidParameter,
                        format!("invalid query parameters: {err}"),
                    );
                    let answer = super::conformance::negotiated(request, &error);
                    InternalError::from_response(err, answer).into()
                }))
                .configure(api::configure)
                .split_for_parts();
            // The Hub routes follow the project API; a model slug is never `v1` (see
            // catalog::repo::slugify), so `/{project_id}/v1` cannot take a Hub path.
            app.configure(super::hub::configure)
                .configure(super::registry::configure)
                .route(
                    "/openapi.json",
                    web::get().to(api::system::openapi_document),
                )
                .route("/assets/{path:.*}", web::get().to(assets::serve_asset))
                .configure(pages::configure)
                .default_service(web::to(super::conformance::no_route))
                .wrap(from_fn(super::body_timeout::read_body_in_time))
                .wrap(NormalizePath::new(TrailingSlash::Trim))
                .wrap(from_fn(super::conformance::head_as_get))
                .wrap(security_headers(secure_cookies))
                .wrap(TracingLogger::<super::request_log::RequestLog>::new())
        })
        .workers(settings.workers)
        .shutdown_timeout(10)
        .client_request_timeout(Duration::from_secs(5))
        .listen(listener)?
        .run();
        tracing::info!(address = %settings.bind, port, data_dir = %settings.data_dir.display(), "xeroctl listening");
        let reconcile = tokio::spawn(ops::indexing::index_sync::reconcile_in_background(
            services.clone(),
            outcome,
        ));
        Ok(Self {
            port,
            server,
            services,
            reconcile,
            _lock: lock,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The address a person opens: loopback when bound to every interface.
    pub fn catalog_url(&self, bind: std::net::SocketAddr) -> String {
        let host = if bind.ip().is_unspecified() {
            "127.0.0.1".to_owned()
        } else if bind.is_ipv6() {
            format!("[{}]", bind.ip())
        } else {
            bind.ip().to_string()
        };
        format!("http://{host}:{}/models/catalog", self.port)
    }

    pub fn services(&self) -> &Services {
        &self.services
    }

    /// Serves until SIGINT / SIGTERM, then drains in-flight requests (up to 10 s).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        // A start-up rebuild still running is abandoned at its next batch (it would otherwise
        // hold the exit for the rest of its run); the lock is kept until it has let go of the
        // index, so a new server cannot open it meanwhile.
        self.services.readiness.stop();
        let _ = self.reconcile.await;
        // A clean stop leaves nothing to a power cut.
        ops::indexing::index_sync::checkpoint(&self.services).await;
        drop(self._lock);
        result
    }
}

/// Staleness is noticed within a tenth of the TTL (between 100 ms and 5 s).
fn sweep_interval(ttl: Duration) -> Duration {
    (ttl / 10).clamp(Duration::from_millis(100), Duration::from_secs(5))
}

fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(JSON_LIMIT)
        // curl -d without a content type should still work: the body is parsed as JSON anyway.
        .content_type_required(false)
        .content_type(|_| true)
        .error_handler(|err, _| ApiError::from_json_error(&err).into())
}

/// Security headers on every response (RELIABILITY T21); HSTS only when served over TLS.
fn security_headers(tls: bool) -> DefaultHeaders {
    let headers = if tls {
        DefaultHeaders::new().add((
            "Strict-Transport-Security",
            "max-age=31536000; includeSubDomains",
        ))
    } else {
        DefaultHeaders::new()
    };
    headers
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "same-origin"))
        .add(("X-Frame-Options", "DENY"))
        .add((
            "Content-Security-Policy",
            "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
        ))
}

async fn seed_demo(services: &Services) -> Result<(), StartupError> {
    match ops::seed::demo::seed_demo(services).await? {
        Some(seed) => {
            tracing::info!(registered = seed.registered, skipped = seed.skipped, project_id = %seed.project_id, "demo data created");
            // A server whose stdout went away keeps serving: these lines are best effort.
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "demo project: {}", seed.project_id);
            let _ = writeln!(out, "demo API key (shown once): {}", seed.api_key);
            let _ = writeln!(
                out,
                "demo login: {} / {}",
                ops::seed::demo::DEMO_USER,
                ops::seed::demo::DEMO_PASSWORD
            );
        }
        None => tracing::info!("demo data already present"),
    }
    Ok(())
}
