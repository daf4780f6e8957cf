//! Typed configuration of the ingest service (flags and environment variables).

use std::time::Duration;

/// How the ingest service runs. `cmr serve ingest` and `cmr up` flatten these flags.
#[derive(Clone, Debug, PartialEq, Eq, clap::Args)]
pub struct IngestConfig {
    /// Database URL: `sqlite://PATH?mode=rwc` (default) or `postgres://USER@HOST:PORT/DB`.
    #[arg(
        long = "ingest-database-url",
        env = "CMR_INGEST_DATABASE_URL",
        default_value = "sqlite://cmr-ingest.db?mode=rwc"
    )]
    pub database_url: String,
    /// How long in-flight requests may run after shutdown is requested, in seconds.
    #[arg(
        long = "ingest-drain-timeout-secs",
        env = "CMR_INGEST_DRAIN_TIMEOUT_SECS",
        default_value_t = 10
    )]
    pub drain_timeout_secs: u64,
}

impl IngestConfig {
    /// A config for `database_url` with the default drain timeout.
    #[must_use]
    pub fn new(database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            drain_timeout_secs: 10,
        }
    }

    /// The drain timeout as a duration.
    #[must_use]
    pub fn drain_timeout(&self) -> Duration {
        Duration::from_secs(self.drain_timeout_secs)
    }
}
