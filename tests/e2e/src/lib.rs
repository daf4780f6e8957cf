//! The harness of the end-to-end tests: the four services, each with its own store (a SQLite
//! file, or a fresh PostgreSQL database on the local server), on 127.0.0.1:0, and the
//! commands the tests compare (`cmr run` against them, `cmr evaluate` in process).

use std::path::{Path, PathBuf};

use cmr::evaluate::EvaluateArgs;
use cmr::run::RunArgs;
use cmr_testkit::{Server, TestDatabase};

/// The four services of one test.
pub struct Suite {
    ingest: Server<cmr_ingest::RunError>,
    eligibility: Server<cmr_eligibility::RunError>,
    verification: Server<cmr_verification::RunError>,
    filing: Server<cmr_filing::RunError>,
    databases: Vec<TestDatabase>,
}

impl Suite {
    /// Starts ingest, eligibility (reading from that ingest), verification and filing.
    pub async fn start(postgres: bool) -> Self {
        let databases = vec![
            TestDatabase::new(postgres, "ingest").await,
            TestDatabase::new(postgres, "eligibility").await,
            TestDatabase::new(postgres, "verification").await,
            TestDatabase::new(postgres, "filing").await,
        ];
        let url = |i: usize| databases[i].url();
        let config = cmr_ingest::IngestConfig::new(url(0));
        let ingest = Server::start(|l, s| cmr_ingest::run(config, l, s)).await;
        let config = cmr_eligibility::EligibilityConfig::new(url(1), ingest.endpoint());
        let eligibility = Server::start(|l, s| cmr_eligibility::run(config, l, s)).await;
        let config = cmr_verification::VerificationConfig::new(url(2));
        let verification = Server::start(|l, s| cmr_verification::run(config, l, s)).await;
        let config = cmr_filing::FilingConfig::new(url(3));
        let filing = Server::start(|l, s| cmr_filing::run(config, l, s)).await;
        Self {
            ingest,
            eligibility,
            verification,
            filing,
            databases,
        }
    }

    /// `cmr run --connect` against these services; returns the exit code.
    pub async fn cmr_run(&self, args: EvaluateArgs) -> i32 {
        let args = RunArgs {
            evaluate: args,
            connect: true,
            ingest_endpoint: self.ingest.endpoint(),
            eligibility_endpoint: self.eligibility.endpoint(),
            verification_endpoint: self.verification.endpoint(),
            filing_endpoint: self.filing.endpoint(),
            data_dir: PathBuf::from("unused-with-connect"),
            file_to: cmr::run::FileToArgs::default(),
        };
        // `cmr run` drives its own runtime, as the binary does.
        tokio::task::spawn_blocking(move || cmr::run::run(&args))
            .await
            .expect("cmr run panicked")
    }

    /// Stops the four services (each must stop cleanly) and drops their databases.
    pub async fn stop(self) {
        self.filing.stop().await;
        self.verification.stop().await;
        self.eligibility.stop().await;
        self.ingest.stop().await;
        for db in self.databases {
            db.cleanup().await;
        }
    }
}

/// `cmr evaluate` in process; returns the exit code.
pub fn cmr_evaluate(args: &EvaluateArgs) -> i32 {
    cmr::evaluate::run(args)
}

/// `../shared/compat/gogen`; panics (fails the test, never skips it) when it is missing.
#[must_use]
pub fn compat() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/compat/gogen");
    assert!(
        dir.join("cmp.py").exists(),
        "gogen fixtures not found at {}: the end-to-end tests need ../shared",
        dir.display()
    );
    dir
}
