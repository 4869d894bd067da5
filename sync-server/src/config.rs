//! Command-line and environment configuration, and the operators' subcommands.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Ventanilla sync-server: the API the field app syncs with.
#[derive(Debug, Clone, Parser)]
#[command(version, about)]
pub struct Config {
    /// Address and port to listen on. Use port 0 to let the system choose.
    #[arg(long, env = "VENTANILLA_BIND", default_value = "127.0.0.1:8080", global = true)]
    pub bind: SocketAddr,
    /// Directory of the embedded SQLite database (created when missing) and of the files
    /// (photos, evidence, exports). With `--database`, only of the files: every server on
    /// one database must see the same directory (a shared volume).
    #[arg(long, env = "VENTANILLA_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,
    /// A PostgreSQL database instead of the embedded SQLite file:
    /// `postgres://user:password@host:port/database`. Several servers may share one.
    #[arg(long = "database", env = "VENTANILLA_DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    /// The field app's web build to serve at `/app/` (made by `scripts/build-pwa.sh` in
    /// `target/pwa/app`); without it, `/app/` says the app is not built.
    #[arg(long, env = "VENTANILLA_APP_DIR", global = true)]
    pub app_dir: Option<PathBuf>,
    /// Seed a demo program (period, centros, users, assignments) into an empty database.
    #[arg(long, env = "VENTANILLA_DEMO")]
    pub demo: bool,
    /// The centros' offset from UTC in minutes (Mexico City: -360).
    #[arg(long, env = "VENTANILLA_UTC_OFFSET_MINUTES", default_value_t = -360, allow_hyphen_values = true, global = true)]
    pub utc_offset_minutes: i32,
    /// Log level or filter (error, warn, info, debug, trace, or a tracing filter).
    #[arg(long, env = "VENTANILLA_LOG", default_value = "info", global = true)]
    pub log: String,
    /// Behind a reverse proxy: take the client's address (for the login limits) from the
    /// last entry of `X-Forwarded-For`, which the proxy appends. Only with a proxy that
    /// always sets it; otherwise clients could choose their own address.
    #[arg(long, env = "VENTANILLA_TRUST_FORWARDED_FOR", global = true)]
    pub trust_forwarded_for: bool,
    /// A console session ends after this many minutes without a request.
    #[arg(long, env = "VENTANILLA_SESSION_IDLE_MINUTES", default_value_t = 120, global = true)]
    pub session_idle_minutes: u32,
    /// A console session ends this many hours after signing in, however active.
    #[arg(long, env = "VENTANILLA_SESSION_MAX_HOURS", default_value_t = 12, global = true)]
    pub session_max_hours: u32,
    /// When the console's cookie is `Secure`: auto (when reached over HTTPS through a
    /// trusted proxy, or with an https public origin), always, never.
    #[arg(long, env = "VENTANILLA_COOKIE_SECURE", value_enum, default_value = "auto", global = true)]
    pub cookie_secure: crate::console::origin::CookieSecure,
    /// The console's public origin behind a reverse proxy (`https://encuestas.example.mx`):
    /// form posts must come from it.
    #[arg(long, env = "VENTANILLA_PUBLIC_ORIGIN", global = true)]
    pub public_origin: Option<String>,
    /// Rows per worksheet of an XLSX export (header included); past it the export goes on
    /// in a new sheet. Excel's limit by default; lower only to try the continuation.
    #[arg(long, env = "VENTANILLA_XLSX_SHEET_ROWS", default_value_t = crate::db::XLSX_MAX_ROWS, value_parser = clap::value_parser!(u32).range(2..=i64::from(crate::db::XLSX_MAX_ROWS)), global = true)]
    pub xlsx_sheet_rows: u32,
    /// Requests a device may make at once before it is slowed (429 with `Retry-After`).
    #[arg(long, env = "VENTANILLA_DEVICE_BURST", default_value_t = 120, value_parser = clap::value_parser!(u32).range(1..=1_000_000), global = true)]
    pub device_burst: u32,
    /// Requests per second a device may sustain after its burst.
    #[arg(long, env = "VENTANILLA_DEVICE_RATE", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=1_000_000), global = true)]
    pub device_rate: u32,
    /// Pages of the QR survey one client address may ask at once (citizens behind one
    /// carrier or Wi-Fi address share it) before it is slowed (429, a Spanish page).
    #[arg(long, env = "VENTANILLA_QR_BURST", default_value_t = 120, value_parser = clap::value_parser!(u32).range(1..=1_000_000), global = true)]
    pub qr_burst: u32,
    /// Pages of the QR survey per minute one client address may sustain after its burst.
    #[arg(long, env = "VENTANILLA_QR_PER_MINUTE", default_value_t = 60, value_parser = clap::value_parser!(u32).range(1..=1_000_000), global = true)]
    pub qr_per_minute: u32,
    /// An operator task instead of serving.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Operators' tasks on the database, run instead of the server.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Create a user (the password is read from VENTANILLA_PASSWORD or asked for).
    CreateUser {
        username: String,
        /// admin, staff, supervisor, inspector, surveyor or enlace.
        role: String,
        /// The name shown in the console.
        #[arg(long)]
        name: Option<String>,
        /// Their supervisor's username (field users).
        #[arg(long)]
        supervisor: Option<String>,
        /// The institution an enlace speaks for (its centros' dependencia).
        #[arg(long)]
        institution: Option<String>,
    },
    /// Set a new password for a user (read from VENTANILLA_PASSWORD or asked for).
    ResetPassword { username: String },
    /// Revoke a device: its next request is refused.
    RevokeDevice { device_id: uuid::Uuid },
    /// Publish a form version from an XLSForm workbook, with the files it uses (CSV and
    /// XML data, media) after it.
    PublishForm { file: PathBuf, files: Vec<PathBuf> },
    /// Import centros from a CSV or XLSX file (columns id, nombre, dependencia, ambito,
    /// tipo, municipio, lat, lon, k, tramites); all rows or none.
    ImportCentros { file: PathBuf },
    /// Apply the database migrations the data directory's database lacks, and exit (the
    /// server also applies them when it starts).
    Migrate,
    /// Copy the database, while servers keep using it, to a new file (SQLite's online
    /// backup API: one consistent snapshot), checked before it is kept.
    Backup {
        /// The new file (never overwritten).
        #[arg(long)]
        to: PathBuf,
    },
    /// Copy this data directory's SQLite database into an empty PostgreSQL database, with
    /// every id and change number, checked table by table (rows and SHA-256) before it
    /// commits. The files (photos, evidence) stay in the data directory: start the servers
    /// on PostgreSQL with the same `--data-dir`.
    CopyToPostgres {
        /// The PostgreSQL database: postgres://user:password@host:port/database
        #[arg(long)]
        to: String,
    },
    /// Recompute a period's score table from its scoring-inputs export alone (prints JSON,
    /// then on stderr the SHA-256 of the inputs and of the table's canonical JSON).
    /// Needs no database: anyone can audit a published ranking with it.
    RecomputeScores { inputs: PathBuf },
}

impl Config {
    /// The tracing filter for `--log`, falling back to `info` when it does not parse.
    pub fn log_filter(&self) -> tracing_subscriber::EnvFilter {
        tracing_subscriber::EnvFilter::try_new(&self.log).unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"))
    }

    /// The database file.
    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("ventanilla.sqlite3")
    }

    /// The centros' UTC offset.
    pub fn local_offset(&self) -> chrono::FixedOffset {
        chrono::FixedOffset::east_opt(self.utc_offset_minutes * 60).unwrap_or_else(|| chrono::FixedOffset::west_opt(6 * 3600).expect("valid offset"))
    }

    /// A configuration for tests: loopback, a free port, the given data directory, quiet.
    pub fn for_tests(data_dir: PathBuf) -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir,
            database_url: None,
            app_dir: None,
            demo: false,
            utc_offset_minutes: -360,
            log: "warn".into(),
            trust_forwarded_for: false,
            session_idle_minutes: 120,
            session_max_hours: 12,
            cookie_secure: crate::console::origin::CookieSecure::Auto,
            public_origin: None,
            xlsx_sheet_rows: crate::db::XLSX_MAX_ROWS,
            device_burst: 120,
            device_rate: 20,
            qr_burst: 120,
            qr_per_minute: 60,
            command: None,
        }
    }
}
