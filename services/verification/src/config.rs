//! Typed configuration of the verification service (flags and environment variables).

use std::time::Duration;

/// How the verification service runs. `cmr serve verification` and `cmr up` flatten these
/// flags.
#[derive(Clone, Debug, PartialEq, Eq, clap::Args)]
pub struct VerificationConfig {
    /// Database URL: `sqlite://PATH?mode=rwc` (default) or `postgres://USER@HOST:PORT/DB`.
    #[arg(
        long = "verification-database-url",
        env = "CMR_VERIFICATION_DATABASE_URL",
        default_value = "sqlite://cmr-verification.db?mode=rwc"
    )]
    pub database_url: String,
    /// How long in-flight requests may run after shutdown is requested, in seconds.
    #[arg(
        long = "verification-drain-timeout-secs",
        env = "CMR_VERIFICATION_DRAIN_TIMEOUT_SECS",
        default_value_t = 10
    )]
    pub drain_timeout_secs: u64,
    /// Bearer tokens: a file of lines `sha256hex|principal_id|role|county_code|county_name|agency_id`
    /// (role reviewer, supervisor, read-only or service; agency empty = county-wide). The
    /// store's tokens are replaced by the file's at start. Without a file no token is
    /// configured and the service runs in open (development) mode: every call acts as the
    /// county-wide principal `open-mode`, audited as such.
    #[arg(
        long = "verification-tokens-file",
        env = "CMR_VERIFICATION_TOKENS_FILE"
    )]
    pub tokens_file: Option<std::path::PathBuf>,
    /// The filing service (`http://host:port`) that receives ready relief after the deadline
    /// is applied; none = relief stays listed for the court only.
    #[arg(
        long = "verification-filing-endpoint",
        env = "CMR_VERIFICATION_FILING_ENDPOINT"
    )]
    pub filing_endpoint: Option<String>,
}

impl VerificationConfig {
    /// A config for `database_url` with the default drain timeout.
    #[must_use]
    pub fn new(database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            drain_timeout_secs: 10,
            tokens_file: None,
            filing_endpoint: None,
        }
    }

    /// The drain timeout as a duration.
    #[must_use]
    pub fn drain_timeout(&self) -> Duration {
        Duration::from_secs(self.drain_timeout_secs)
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        config: VerificationConfig,
    }

    #[test]
    fn flags_set_the_url_and_drain_timeout() {
        let cli = Cli::parse_from([
            "cmr",
            "--verification-database-url",
            "postgres://postgres@127.0.0.1:5432/cmr",
            "--verification-drain-timeout-secs",
            "3",
        ]);
        assert_eq!(
            cli.config.database_url,
            "postgres://postgres@127.0.0.1:5432/cmr"
        );
        assert_eq!(cli.config.drain_timeout(), Duration::from_secs(3));
    }
}
