//! Server settings: clap flags over `XERO_*` environment variables over defaults, validated
//! once. The only place (besides `main.rs`) that reads the environment.

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

/// `xeroctl serve` flags.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Data directory: database, search index and uploaded files.
    #[arg(long = "data", env = "XERO_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "XERO_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// Fill a fresh data directory with a demo project sharing real models.
    #[arg(long)]
    pub demo: bool,
    /// Worker threads (default: one per core).
    #[arg(long, env = "XERO_WORKERS")]
    pub workers: Option<usize>,
    /// Mark session cookies `Secure` with the `__Host-` prefix: set when serving over TLS or
    /// behind a TLS-terminating proxy.
    #[arg(long, env = "XERO_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Seconds an agent stays active after its last heartbeat.
    #[arg(long, env = "XERO_AGENT_TTL", default_value_t = 60.0)]
    pub agent_ttl: f64,
    /// Largest model file accepted by an upload, in bytes.
    #[arg(long, env = "XERO_MAX_UPLOAD", default_value_t = 64 * 1024 * 1024 * 1024)]
    pub max_upload: u64,
    /// Seconds an upload may send nothing before it is aborted.
    #[arg(long, env = "XERO_UPLOAD_IDLE_TIMEOUT", default_value_t = 30)]
    pub upload_idle_timeout: u64,
    /// Seconds an ordinary (non-upload) request body may take to arrive: 408 after.
    #[arg(long, env = "XERO_BODY_TIMEOUT", default_value_t = 10)]
    pub body_timeout: u64,
    /// Bytes that must stay free on the data disk: uploads that would eat into them get 507.
    #[arg(long, env = "XERO_MIN_FREE_DISK", default_value_t = 1024 * 1024 * 1024)]
    pub min_free_disk: u64,
    /// Bytes of uploaded files one project may hold (default: no quota).
    #[arg(long, env = "XERO_PROJECT_QUOTA")]
    pub project_quota: Option<u64>,
    /// Reverse proxies (comma-separated IPs) whose `X-Forwarded-For` is believed: requests from
    /// them are throttled by the client address they report, not by the proxy's.
    #[arg(
        long = "trusted-proxy",
        env = "XERO_TRUSTED_PROXY",
        value_name = "IP[,IP…]",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<IpAddr>,
    /// The URL people reach this server at (`https://models.example.com`): the base of every
    /// absolute link in feeds, Hub paging and pages. Without it, links use what a trusted
    /// proxy forwards, else the listening address.
    #[arg(long = "public-url", env = "XERO_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,
    /// Test hook: leave catalog changes in the outbox until the next start (crash tests).
    #[arg(long, hide = true)]
    pub no_index_sync: bool,
    /// Test hook: pause this many milliseconds before each batch a start-up rebuild indexes,
    /// so tests can watch `/readyz` and the catalog while it runs.
    #[arg(long, hide = true, env = "XERO_TEST_REBUILD_DELAY_MS")]
    pub test_rebuild_delay_ms: Option<u64>,
    /// Test hook: the LFS part size in bytes, so crash tests send small objects in parts.
    #[arg(long, hide = true)]
    pub test_lfs_part_size: Option<u64>,
}

/// Request bodies one client address may have in flight at once (a browser opens six
/// connections; a proxy's clients are told apart by `--trusted-proxy`).
pub const DEFAULT_BODIES_PER_ADDRESS: usize = 16;

/// Validated server settings.
#[derive(Debug, Clone)]
pub struct Settings {
    pub data_dir: PathBuf,
    pub bind: SocketAddr,
    pub demo: bool,
    pub workers: usize,
    /// Session cookies carry `Secure` and the `__Host-` prefix.
    pub secure_cookies: bool,
    /// Drain the outbox into the index after writes and periodically (off only in crash tests).
    pub index_sync: bool,
    /// How long an agent stays active after its last heartbeat.
    pub agent_ttl: Duration,
    pub uploads: crate::ops::files::upload::UploadLimits,
    /// Peers whose `X-Forwarded-For` names the client (RELIABILITY T40).
    pub trusted_proxies: Vec<IpAddr>,
    /// The base of absolute links (`--public-url`, checked), RELIABILITY T50.
    pub public_url: Option<String>,
    /// How long an ordinary request body may take (RELIABILITY T51).
    pub body_timeout: Duration,
    /// Bodies one address may have in flight at once.
    pub bodies_per_address: usize,
    /// Login backoff rules: the built-in ones (no flag); tests shorten them.
    pub throttle: crate::ops::access::throttle::ThrottlePolicy,
    /// Test hook: a pause before each batch of a rebuild (`XERO_TEST_REBUILD_DELAY_MS`).
    pub rebuild_pause: Option<Duration>,
}

/// A setting that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot listen on `{0}`: expected an address like `127.0.0.1:8080`")]
    BadBind(String),
    #[error("`--workers` must be between 1 and 256")]
    BadWorkers,
    #[error("`--agent-ttl` must be between 1 and 86400 seconds")]
    BadAgentTtl,
    #[error("`--max-upload` must be at least 1 byte")]
    BadUpload,
    #[error("`--upload-idle-timeout` must be between 1 and 3600 seconds")]
    BadUploadTimeout,
    #[error("`--body-timeout` must be between 1 and 600 seconds")]
    BadBodyTimeout,
    #[error("`--public-url`: {0}")]
    BadPublicUrl(String),
}

impl Settings {
    pub fn from_args(args: ServeArgs) -> Result<Self, ConfigError> {
        let bind = args
            .bind
            .to_socket_addrs()
            .ok()
            .and_then(|mut addrs| addrs.next())
            .ok_or_else(|| ConfigError::BadBind(args.bind.clone()))?;
        let default_workers = std::thread::available_parallelism().map_or(2, |n| n.get());
        let workers = args.workers.unwrap_or(default_workers);
        if !(1..=256).contains(&workers) {
            return Err(ConfigError::BadWorkers);
        }
        if !(1.0..=86_400.0).contains(&args.agent_ttl) {
            return Err(ConfigError::BadAgentTtl);
        }
        if args.max_upload == 0 {
            return Err(ConfigError::BadUpload);
        }
        if !(1..=3600).contains(&args.upload_idle_timeout) {
            return Err(ConfigError::BadUploadTimeout);
        }
        if !(1..=600).contains(&args.body_timeout) {
            return Err(ConfigError::BadBodyTimeout);
        }
        let public_url = args
            .public_url
            .as_deref()
            .map(crate::web::public_url::parse_public_url)
            .transpose()
            .map_err(ConfigError::BadPublicUrl)?;
        Ok(Self {
            public_url,
            body_timeout: Duration::from_secs(args.body_timeout),
            bodies_per_address: DEFAULT_BODIES_PER_ADDRESS,
            uploads: crate::ops::files::upload::UploadLimits {
                max_bytes: args.max_upload,
                idle: Duration::from_secs(args.upload_idle_timeout),
                min_free: args.min_free_disk,
                project_quota: args.project_quota,
                part_size: args
                    .test_lfs_part_size
                    .filter(|&size| size > 0)
                    .unwrap_or(crate::ops::files::upload::DEFAULT_PART_SIZE),
            },
            agent_ttl: Duration::from_secs_f64(args.agent_ttl),
            data_dir: args.data_dir,
            bind,
            demo: args.demo,
            workers,
            index_sync: !args.no_index_sync,
            secure_cookies: args.secure_cookies,
            trusted_proxies: args.trusted_proxies,
            throttle: crate::ops::access::throttle::ThrottlePolicy::default(),
            rebuild_pause: args.test_rebuild_delay_ms.map(Duration::from_millis),
        })
    }

    /// Settings for tests: a given data directory, a free loopback port.
    pub fn for_tests(data_dir: PathBuf) -> Self {
        Self {
            data_dir,
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            demo: false,
            workers: 2,
            index_sync: true,
            secure_cookies: false,
            agent_ttl: crate::ops::DEFAULT_AGENT_TTL,
            uploads: crate::ops::files::upload::UploadLimits::default(),
            trusted_proxies: Vec::new(),
            public_url: None,
            body_timeout: Duration::from_secs(10),
            bodies_per_address: DEFAULT_BODIES_PER_ADDRESS,
            throttle: crate::ops::access::throttle::ThrottlePolicy::default(),
            rebuild_pause: None,
        }
    }
}
