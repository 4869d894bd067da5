//! Command-line and environment configuration.

use std::net::SocketAddr;

use clap::Parser;

/// Ventanilla sync-server: the API the field app syncs with.
#[derive(Debug, Clone, Parser)]
#[command(version, about)]
pub struct Config {
    /// Address and port to listen on. Use port 0 to let the system choose.
    #[arg(long, env = "VENTANILLA_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// Log level or filter (error, warn, info, debug, trace, or a tracing filter).
    #[arg(long, env = "VENTANILLA_LOG", default_value = "info")]
    pub log: String,
}

impl Config {
    /// The tracing filter for `--log`, falling back to `info` when it does not parse.
    pub fn log_filter(&self) -> tracing_subscriber::EnvFilter {
        tracing_subscriber::EnvFilter::try_new(&self.log).unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"))
    }

    /// A configuration for tests: loopback, a free port, quiet.
    pub fn for_tests() -> Self {
        Self { bind: SocketAddr::from(([127, 0, 0, 1], 0)), log: "warn".into() }
    }
}
