//! `cmr serve <service>` runs one gRPC service of the suite; `cmr up` runs all four in one
//! process. Both stop on SIGINT or SIGTERM: NOT_SERVING, drain, exit.

use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use cmr_eligibility::EligibilityConfig;
use cmr_filing::FilingConfig;
use cmr_ingest::IngestConfig;
use cmr_verification::VerificationConfig;
use tokio::net::TcpListener;
use tokio::sync::watch;

#[derive(Args, Debug)]
pub struct ServeArgs {
    #[command(subcommand)]
    pub service: Service,
}

#[derive(Subcommand, Debug)]
pub enum Service {
    /// The ingest service (DOJ file upload, batches, subjects).
    Ingest {
        /// Address to listen on.
        #[arg(long, env = "CMR_INGEST_LISTEN", default_value = "127.0.0.1:50051")]
        listen: SocketAddr,
        #[command(flatten)]
        config: IngestConfig,
    },
    /// The eligibility service (policies, runs, determinations).
    Eligibility {
        /// Address to listen on.
        #[arg(
            long,
            env = "CMR_ELIGIBILITY_LISTEN",
            default_value = "127.0.0.1:50052"
        )]
        listen: SocketAddr,
        #[command(flatten)]
        config: EligibilityConfig,
    },
    /// The verification service (prosecutors' review queue).
    Verification {
        /// Address to listen on.
        #[arg(
            long,
            env = "CMR_VERIFICATION_LISTEN",
            default_value = "127.0.0.1:50053"
        )]
        listen: SocketAddr,
        #[command(flatten)]
        config: VerificationConfig,
    },
    /// The filing service (verified relief per court).
    Filing {
        /// Address to listen on.
        #[arg(long, env = "CMR_FILING_LISTEN", default_value = "127.0.0.1:50054")]
        listen: SocketAddr,
        #[command(flatten)]
        config: FilingConfig,
    },
}

#[derive(Args, Debug)]
pub struct UpArgs {
    /// Directory for the four SQLite stores (created if missing).
    #[arg(long, default_value = "cmr-data")]
    pub data_dir: PathBuf,
    #[arg(long, default_value = "127.0.0.1:50051")]
    pub ingest_listen: SocketAddr,
    #[arg(long, default_value = "127.0.0.1:50052")]
    pub eligibility_listen: SocketAddr,
    #[arg(long, default_value = "127.0.0.1:50053")]
    pub verification_listen: SocketAddr,
    #[arg(long, default_value = "127.0.0.1:50054")]
    pub filing_listen: SocketAddr,
}

pub fn serve(args: ServeArgs) -> Result<()> {
    let telemetry_name = match &args.service {
        Service::Ingest { .. } => "cmr-ingest",
        Service::Eligibility { .. } => "cmr-eligibility",
        Service::Verification { .. } => "cmr-verification",
        Service::Filing { .. } => "cmr-filing",
    };
    block_on(telemetry_name, async move {
        let shutdown = cmr_runtime::shutdown_signal();
        match args.service {
            Service::Ingest { listen, config } => {
                let l = bind(cmr_ingest::SERVICE_NAME, listen).await?;
                finish(
                    cmr_ingest::SERVICE_NAME,
                    cmr_ingest::run(config, l, shutdown).await,
                )
            }
            Service::Eligibility { listen, config } => {
                let l = bind(cmr_eligibility::SERVICE_NAME, listen).await?;
                let run = cmr_eligibility::run(config, l, shutdown).await;
                finish(cmr_eligibility::SERVICE_NAME, run)
            }
            Service::Verification { listen, config } => {
                let l = bind(cmr_verification::SERVICE_NAME, listen).await?;
                let run = cmr_verification::run(config, l, shutdown).await;
                finish(cmr_verification::SERVICE_NAME, run)
            }
            Service::Filing { listen, config } => {
                let l = bind(cmr_filing::SERVICE_NAME, listen).await?;
                finish(
                    cmr_filing::SERVICE_NAME,
                    cmr_filing::run(config, l, shutdown).await,
                )
            }
        }
    })
}

/// All four services in this process, each with its own SQLite store under `data_dir`,
/// until SIGINT or SIGTERM. The first one to fail stops the others.
pub fn up(args: UpArgs) -> Result<()> {
    block_on("cmr-suite", async move {
        let listen = SuiteListen {
            ingest: args.ingest_listen,
            eligibility: args.eligibility_listen,
            verification: args.verification_listen,
            filing: args.filing_listen,
        };
        Suite::start(&args.data_dir, listen)
            .await?
            .run_until(cmr_runtime::shutdown_signal())
            .await
    })
}

/// Where the four services of an in-process suite listen (port 0: any free port).
#[derive(Clone, Copy, Debug)]
pub struct SuiteListen {
    pub ingest: SocketAddr,
    pub eligibility: SocketAddr,
    pub verification: SocketAddr,
    pub filing: SocketAddr,
}

impl SuiteListen {
    /// Every service on a free port of 127.0.0.1.
    #[must_use]
    pub fn any_free_port() -> Self {
        let any = SocketAddr::from(([127, 0, 0, 1], 0));
        Self {
            ingest: any,
            eligibility: any,
            verification: any,
            filing: any,
        }
    }
}

/// The `http://` endpoints of the four services.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoints {
    pub ingest: String,
    pub eligibility: String,
    pub verification: String,
    pub filing: String,
}

/// The four services running in this process (`cmr up`, and `cmr run` without
/// `--connect`), each with its own SQLite store.
pub struct Suite {
    pub endpoints: Endpoints,
    stop: watch::Sender<bool>,
    tasks: tokio::task::JoinSet<Result<()>>,
}

impl Suite {
    /// Binds the four listeners, then starts the services with their stores under
    /// `data_dir` (created if missing). Call inside a Tokio runtime.
    pub async fn start(data_dir: &Path, listen: SuiteListen) -> Result<Self> {
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("cannot create {}", data_dir.display()))?;
        let ingest = bind(cmr_ingest::SERVICE_NAME, listen.ingest).await?;
        let eligibility = bind(cmr_eligibility::SERVICE_NAME, listen.eligibility).await?;
        let verification = bind(cmr_verification::SERVICE_NAME, listen.verification).await?;
        let filing = bind(cmr_filing::SERVICE_NAME, listen.filing).await?;
        let url = |l: &TcpListener| -> Result<String> { Ok(format!("http://{}", l.local_addr()?)) };
        let endpoints = Endpoints {
            ingest: url(&ingest)?,
            eligibility: url(&eligibility)?,
            verification: url(&verification)?,
            filing: url(&filing)?,
        };
        let db = |name: &str| sqlite_url(data_dir, name);

        let (stop_tx, stop_rx) = watch::channel(false);
        let stop = move || {
            let mut rx = stop_rx.clone();
            async move {
                let _ = rx.wait_for(|stop| *stop).await;
            }
        };
        let mut tasks = tokio::task::JoinSet::new();
        let (i, e, v, f) = (stop(), stop(), stop(), stop());
        let (idb, edb, vdb, fdb) = (
            db("ingest"),
            db("eligibility"),
            db("verification"),
            db("filing"),
        );
        let ingest_endpoint = endpoints.ingest.clone();
        tasks.spawn(async move {
            let run = cmr_ingest::run(IngestConfig::new(idb), ingest, i).await;
            finish(cmr_ingest::SERVICE_NAME, run)
        });
        tasks.spawn(async move {
            let config = EligibilityConfig::new(edb, ingest_endpoint);
            let run = cmr_eligibility::run(config, eligibility, e).await;
            finish(cmr_eligibility::SERVICE_NAME, run)
        });
        // Verification hands ready relief to filing (never a challenged item).
        let filing_endpoint = endpoints.filing.clone();
        tasks.spawn(async move {
            let config = VerificationConfig {
                filing_endpoint: Some(filing_endpoint),
                ..VerificationConfig::new(vdb)
            };
            let run = cmr_verification::run(config, verification, v).await;
            finish(cmr_verification::SERVICE_NAME, run)
        });
        tasks.spawn(async move {
            let run = cmr_filing::run(FilingConfig::new(fdb), filing, f).await;
            finish(cmr_filing::SERVICE_NAME, run)
        });
        Ok(Self {
            endpoints,
            stop: stop_tx,
            tasks,
        })
    }

    /// Serves until `signal` resolves or a service stops; then stops the rest and returns
    /// the first error.
    pub async fn run_until(mut self, signal: impl Future<Output = ()>) -> Result<()> {
        tokio::pin!(signal);
        let mut first_error = None;
        loop {
            tokio::select! {
                () = &mut signal, if !*self.stop.borrow() => {
                    let _ = self.stop.send(true);
                }
                done = self.tasks.join_next() => match done {
                    None => break,
                    Some(result) => {
                        // Whatever ended first, the suite stops as a whole.
                        let _ = self.stop.send(true);
                        let result = result.context("service task panicked").and_then(|r| r);
                        if let Err(e) = result
                            && first_error.is_none()
                        {
                            first_error = Some(e);
                        }
                    }
                },
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Stops the four services gracefully (drain, close the stores).
    pub async fn stop(self) -> Result<()> {
        let _ = self.stop.send(true);
        self.run_until(std::future::pending()).await
    }
}

fn sqlite_url(dir: &Path, name: &str) -> String {
    format!(
        "sqlite://{}?mode=rwc",
        dir.join(format!("{name}.db")).display()
    )
}

/// Runs `work` on a new runtime with telemetry set up for `telemetry_name` (the OTLP
/// service name unless `OTEL_SERVICE_NAME` says otherwise), flushed before returning.
fn block_on<F: Future<Output = Result<()>>>(telemetry_name: &str, work: F) -> Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?
        .block_on(async {
            let telemetry = cmr_telemetry::init(telemetry_name, "info,sqlx=warn,sea_orm=warn");
            let result = work.await;
            telemetry.shutdown().await;
            result
        })
}

/// Binds and prints a fixed, parseable line: scripts and tests started with port 0
/// read the real address from it.
async fn bind(service: &str, listen: SocketAddr) -> Result<TcpListener> {
    let listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("{service}: cannot listen on {listen}"))?;
    let bound = listener.local_addr().context("no local address")?;
    eprintln!("cmr: {service} listening on {bound}");
    Ok(listener)
}

fn finish<E>(service: &str, result: Result<(), E>) -> Result<()>
where
    E: std::error::Error + Send + Sync + 'static,
{
    result.with_context(|| format!("{service} failed"))
}
