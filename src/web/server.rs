//! Building and running the HTTP server. `Application::build` binds first (port 0 works), so
//! tests and `main` share exactly the same wiring.

use std::fs::File;
use std::net::TcpListener;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::{DefaultHeaders, NormalizePath, TrailingSlash};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use tracing_actix_web::TracingLogger;
use utoipa_actix_web::AppExt;

use super::error::{ApiError, ErrorCode};
use super::{api, assets, pages};
use crate::config::Settings;
use crate::ops::{self, Services};

/// How often the outbox is checked for changes made outside this process.
const SYNC_INTERVAL: Duration = Duration::from_secs(2);

/// Largest JSON body accepted (model metadata with a long markdown description fits easily).
pub const JSON_LIMIT: usize = 1024 * 1024;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Ops(#[from] ops::OpsError),
    #[error("cannot listen on {address}: {source}")]
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
    _lock: File,
}

impl Application {
    /// Opens the data directory (taking its single-server lock), seeds the demo when asked,
    /// binds the listener and wires the app.
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        std::fs::create_dir_all(&settings.data_dir)?;
        // One server per data directory: two would both write the database and the index.
        let lock = ops::lock_data_dir(&settings.data_dir)?;
        if settings.demo {
            // Seed before the index opens: start-up then indexes the demo in one commit.
            seed_demo(&Services::open(&settings.data_dir)?).await?;
        }
        let mut services = Services::open_with_index(&settings.data_dir).await?;
        services.sync_after_writes = settings.index_sync;
        services.agent_ttl = settings.agent_ttl;
        services.uploads = settings.uploads;
        services.throttle = settings.throttle;
        ops::upload::clean_temporary_files(&settings.data_dir);
        if settings.demo {
            tokio::spawn(ops::demo_infra::heartbeat_simulated(services.clone()));
        }
        tokio::spawn(ops::agents::sweep_periodically(
            services.clone(),
            sweep_interval(settings.agent_ttl),
        ));
        if settings.index_sync {
            tokio::spawn(ops::index_sync::sync_periodically(
                services.clone(),
                SYNC_INTERVAL,
            ));
        }
        let listener = TcpListener::bind(settings.bind).map_err(|source| StartupError::Bind {
            address: settings.bind.to_string(),
            source,
        })?;
        let port = listener.local_addr()?.port();
        let openapi = web::Data::new(openapi_json());
        let secure_cookies = settings.secure_cookies;
        let cookies = web::Data::new(super::session::CookiePolicy {
            secure: settings.secure_cookies,
        });
        let trusted_proxies = web::Data::new(super::client_address::TrustedProxies::new(
            &settings.trusted_proxies,
        ));
        let data = web::Data::new(services.clone());
        let server = HttpServer::new(move || {
            let (app, _) = App::new()
                .into_utoipa_app()
                .app_data(data.clone())
                .app_data(openapi.clone())
                .app_data(cookies.clone())
                .app_data(trusted_proxies.clone())
                .app_data(web::FormConfig::default().limit(JSON_LIMIT))
                .app_data(json_config())
                .app_data(web::PathConfig::default().error_handler(|err, _| {
                    ApiError::new(ErrorCode::RouteNotFound, err.to_string()).into()
                }))
                .app_data(web::QueryConfig::default().error_handler(|err, _| {
                    ApiError::new(
                        ErrorCode::InvalidParameter,
                        format!("invalid query parameters: {err}"),
                    )
                    .into()
                }))
                .configure(api::configure)
                .split_for_parts();
            app.route(
                "/openapi.json",
                web::get().to(api::system::openapi_document),
            )
            .route("/assets/{path:.*}", web::get().to(assets::serve_asset))
            .configure(pages::configure)
            .default_service(web::to(no_route))
            .wrap(NormalizePath::new(TrailingSlash::Trim))
            .wrap(security_headers(secure_cookies))
            .wrap(TracingLogger::default())
        })
        .workers(settings.workers)
        .shutdown_timeout(10)
        .client_request_timeout(Duration::from_secs(5))
        .listen(listener)?
        .run();
        tracing::info!(address = %settings.bind, port, data_dir = %settings.data_dir.display(), "xeroctl listening");
        Ok(Self {
            port,
            server,
            services,
            _lock: lock,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn services(&self) -> &Services {
        &self.services
    }

    /// Serves until SIGINT / SIGTERM, then drains in-flight requests (up to 10 s).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        drop(self._lock);
        result
    }
}

/// Staleness is noticed within a tenth of the TTL (between 100 ms and 5 s).
fn sweep_interval(ttl: Duration) -> Duration {
    (ttl / 10).clamp(Duration::from_millis(100), Duration::from_secs(5))
}

/// Builds the OpenAPI document from the same route table the server mounts.
pub fn openapi_json() -> String {
    let (_, document) = App::new()
        .into_utoipa_app()
        .configure(api::configure)
        .split_for_parts();
    let document = api::finish_document(document);
    document.to_json().unwrap_or_else(|_| "{}".to_owned())
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

async fn no_route(request: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::new(
        ErrorCode::RouteNotFound,
        format!(
            "no route for {} {}",
            request.method(),
            request.path().chars().take(200).collect::<String>()
        ),
    ))
}

async fn seed_demo(services: &Services) -> Result<(), StartupError> {
    match ops::demo::seed_demo(services).await? {
        Some(seed) => {
            tracing::info!(registered = seed.registered, skipped = seed.skipped, project_id = %seed.project_id, "demo data created");
            println!("demo project: {}", seed.project_id);
            println!("demo API key (shown once): {}", seed.api_key);
            println!(
                "demo login: {} / {}",
                ops::demo::DEMO_USER,
                ops::demo::DEMO_PASSWORD
            );
        }
        None => tracing::info!("demo data already present"),
    }
    Ok(())
}
