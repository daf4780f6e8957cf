//! `cmr serve <service>`: one gRPC service of the suite in this process, until SIGINT or
//! SIGTERM (then NOT_SERVING, drain, exit).

use std::net::SocketAddr;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use cmr_ingest::IngestConfig;

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
}

pub fn run(args: ServeArgs) -> Result<()> {
    init_logs();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        match args.service {
            Service::Ingest { listen, config } => {
                let listener = tokio::net::TcpListener::bind(listen)
                    .await
                    .with_context(|| format!("cannot listen on {listen}"))?;
                let bound = listener.local_addr().context("no local address")?;
                // A fixed, parseable line: scripts and tests started with port 0 read it.
                eprintln!(
                    "cmr serve: {} listening on {bound}",
                    cmr_ingest::SERVICE_NAME
                );
                cmr_ingest::run(config, listener, cmr_runtime::shutdown_signal())
                    .await
                    .context("ingest service failed")
            }
        }
    })
}

/// Readable logs on stderr; `RUST_LOG` overrides the level. SQL statements stay quiet.
fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .try_init();
}
