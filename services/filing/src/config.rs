//! Typed configuration of the filing service (flags and environment variables).

use std::time::Duration;

/// How the filing service runs. `cmr serve filing` and `cmr up` flatten these
/// flags.
#[derive(Clone, Debug, PartialEq, Eq, clap::Args)]
pub struct FilingConfig {
    /// Database URL: `sqlite://PATH?mode=rwc` (default) or `postgres://USER@HOST:PORT/DB`.
    #[arg(
        long = "filing-database-url",
        env = "CMR_FILING_DATABASE_URL",
        default_value = "sqlite://cmr-filing.db?mode=rwc"
    )]
    pub database_url: String,
    /// How long in-flight requests may run after shutdown is requested, in seconds.
    #[arg(
        long = "filing-drain-timeout-secs",
        env = "CMR_FILING_DRAIN_TIMEOUT_SECS",
        default_value_t = 10
    )]
    pub drain_timeout_secs: u64,
    /// Directory of county template files overlaid on the built-in templates (see
    /// docs/FILING.md); the built-in templates alone when absent.
    #[arg(long = "filing-templates-dir", env = "CMR_FILING_TEMPLATES_DIR")]
    pub templates_dir: Option<std::path::PathBuf>,
}

impl FilingConfig {
    /// A config for `database_url` with the default drain timeout.
    #[must_use]
    pub fn new(database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            drain_timeout_secs: 10,
            templates_dir: None,
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
        config: FilingConfig,
    }

    #[test]
    fn flags_set_the_url_and_drain_timeout() {
        let cli = Cli::parse_from([
            "cmr",
            "--filing-database-url",
            "postgres://postgres@127.0.0.1:5432/cmr",
            "--filing-drain-timeout-secs",
            "3",
        ]);
        assert_eq!(
            cli.config.database_url,
            "postgres://postgres@127.0.0.1:5432/cmr"
        );
        assert_eq!(cli.config.drain_timeout(), Duration::from_secs(3));
        assert_eq!(cli.config.templates_dir, None);
        let cli = Cli::parse_from(["cmr", "--filing-templates-dir", "/etc/cmr/templates"]);
        assert_eq!(
            cli.config.templates_dir,
            Some(std::path::PathBuf::from("/etc/cmr/templates"))
        );
    }
}
