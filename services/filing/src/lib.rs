//! `cmr-filing`: the filing gRPC service (`cmr.filing.v1.FilingService`).
//!
//! The lifecycle of one conviction's relief, from verification's hand-off to the DOJ update:
//!
//! - **Courts** (`PutCourt`, `ListCourts`): caption data and the ORI codes that map
//!   convictions to a court.
//! - **Hand-off** (`SubmitVerifiedRelief`, `SubmitChallengedItems`): each verified relief
//!   becomes a QUEUED filing of the court whose ORI codes contain its convicting ORI (none
//!   yet: queued with no court and reported; `PutCourt` attaches it later). Challenged items
//!   are kept for the public defender's notice only.
//! - **Batches and documents** (`GenerateFilings`, `GetFilingBatch`, `ListFilingBatches`,
//!   `ListDocuments`, `DownloadDocument`): QUEUED filings of one court and agency become
//!   DRAFT in a new batch whose documents are rendered through a [`service::Renderer`]
//!   ([`documents::render_batch`] in production); a DRAFT batch may be regenerated (new
//!   documents supersede the old; same input, same bytes). Downloads are audited.
//! - **Filing and outcomes** (`MarkFiled`, `RecordOutcome`, `ListOutcomes`): DRAFT → FILED →
//!   GRANTED / DENIED; outcomes are immutable and corrected by superseding; a batch is
//!   CLOSED once every filing has an outcome.
//! - **Reporting** (`ExportDojUpdate`, `ImpactReport`): the `cmr-doj-update/1` CSV
//!   ([`domain::doj_update`]) and counts with small-cell suppression ([`domain::impact`]).
//!
//! Writing RPCs take an idempotency key: the same key and request return the first answer.
//! Logs and error messages carry ids and states, never personal data. [`run`] connects the
//! store, migrates, and serves with health and reflection through `cmr-runtime`.

pub mod config;
pub use cmr_filing_documents as documents;
pub mod domain;
pub mod error;
pub mod grpc;
pub mod lifecycle;
pub mod service;
pub mod store;

use std::future::Future;

use cmr_proto::filing::v1::filing_service_server::FilingServiceServer;
use cmr_runtime::{RuntimeError, ServeConfig, Server};
use tokio::net::TcpListener;

pub use config::FilingConfig;
pub use error::FilingError;

/// The fully qualified gRPC service name.
pub const SERVICE_NAME: &str = "cmr.filing.v1.FilingService";

/// Why [`run`] stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("cannot open the filing store")]
    Store(#[from] store::StoreError),
    #[error("cannot load the filing templates")]
    Templates(#[from] documents::DocumentError),
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
}

/// Connects and migrates the store, then serves on `listener` until `shutdown` resolves;
/// after draining, closes the store.
pub async fn run(
    config: FilingConfig,
    listener: TcpListener,
    shutdown: impl Future<Output = ()>,
) -> Result<(), RunError> {
    let templates = match &config.templates_dir {
        Some(dir) => documents::Templates::load_dir(dir)?,
        None => documents::Templates::builtin(),
    };
    run_with_renderer(config, service::typeset_with(templates), listener, shutdown).await
}

/// [`run`] with another document renderer (tests use a fake one so lifecycle logic does not
/// depend on the typesetter); `config.templates_dir` is not read.
pub async fn run_with_renderer(
    config: FilingConfig,
    renderer: service::Renderer,
    listener: TcpListener,
    shutdown: impl Future<Output = ()>,
) -> Result<(), RunError> {
    let store = store::Store::connect(&config.database_url).await?;
    let filings = service::Filings::with_renderer(store.clone(), renderer);
    let routes =
        tonic::service::Routes::new(FilingServiceServer::new(grpc::FilingGrpc::new(filings)));
    let serve_config = ServeConfig::new([SERVICE_NAME]).with_drain_timeout(config.drain_timeout());
    let served = Server::from_listener(listener, serve_config)?
        .serve(routes, shutdown)
        .await;
    store.close().await?;
    served?;
    Ok(())
}
