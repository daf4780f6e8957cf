//! `cmr-filing`: the filing gRPC service (`cmr.filing.v1.FilingService`).
//!
//! Verification hands over the relief it concluded; each item becomes one QUEUED filing kept
//! per court (the court is known by the convicting court's ORI code until courts are
//! registered), listed back per court and status. Courts, filing batches, documents, court
//! outcomes, the DOJ update and the impact report come with issue 6 and answer UNIMPLEMENTED
//! until then. [`run`] connects the store, migrates, and serves with health and reflection
//! through `cmr-runtime`.

pub mod config;
pub use cmr_filing_documents as documents;
pub mod domain;
pub mod error;
pub mod grpc;
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
    let store = store::Store::connect(&config.database_url).await?;
    let filings = service::Filings::new(store.clone());
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
