//! Typed configuration of the eligibility service (flags and environment variables).

use std::time::Duration;

/// How the eligibility service runs. `cmr serve eligibility` and `cmr up` flatten these flags.
#[derive(Clone, Debug, PartialEq, Eq, clap::Args)]
pub struct EligibilityConfig {
    /// Database URL: `sqlite://PATH?mode=rwc` (default) or `postgres://USER@HOST:PORT/DB`.
    #[arg(
        long = "eligibility-database-url",
        env = "CMR_ELIGIBILITY_DATABASE_URL",
        default_value = "sqlite://cmr-eligibility.db?mode=rwc"
    )]
    pub database_url: String,
    /// The ingest service runs read their batches from, e.g. `http://127.0.0.1:50051`.
    #[arg(
        long = "ingest-endpoint",
        env = "CMR_ELIGIBILITY_INGEST_ENDPOINT",
        default_value = "http://127.0.0.1:50051"
    )]
    pub ingest_endpoint: String,
    /// How long in-flight requests may run after shutdown is requested, in seconds.
    #[arg(
        long = "eligibility-drain-timeout-secs",
        env = "CMR_ELIGIBILITY_DRAIN_TIMEOUT_SECS",
        default_value_t = 10
    )]
    pub drain_timeout_secs: u64,
}

impl EligibilityConfig {
    /// A config for `database_url` and `ingest_endpoint` with the default drain timeout.
    #[must_use]
    pub fn new(database_url: impl Into<String>, ingest_endpoint: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            ingest_endpoint: ingest_endpoint.into(),
            drain_timeout_secs: 10,
        }
    }

    /// The drain timeout as a duration.
    #[must_use]
    pub fn drain_timeout(&self) -> Duration {
        Duration::from_secs(self.drain_timeout_secs)
    }
}
