//! `cmr-ingest`: the ingest gRPC service (`cmr.ingest.v1.IngestService`).
//!
//! DOJ research files are uploaded as a client stream of chunks of any size and parsed as
//! they arrive (never held whole); every row is stored or quarantined, and batches, rows and
//! subjects are served back. [`run`] connects the store, migrates, and serves with health
//! and reflection through `cmr-runtime`.

pub mod config;
pub mod domain;
pub mod error;
pub mod grpc;
pub mod service;
pub mod store;

use std::future::Future;

use cmr_proto::ingest::v1::ingest_service_server::IngestServiceServer;
use cmr_runtime::{RuntimeError, ServeConfig, Server};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

pub use config::IngestConfig;
pub use error::IngestError;

/// The fully qualified gRPC service name.
pub const SERVICE_NAME: &str = "cmr.ingest.v1.IngestService";

/// Why [`run`] stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("cannot open the ingest store")]
    Store(#[from] store::StoreError),
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
}

/// Connects and migrates the store, marks uploads a previous process left unfinished as
/// failed, then serves on `listener` until `shutdown` resolves; after draining, waits (within
/// the drain timeout) for upload tasks to finish or clean up, and closes the store.
pub async fn run(
    config: IngestConfig,
    listener: TcpListener,
    shutdown: impl Future<Output = ()>,
) -> Result<(), RunError> {
    let store = store::Store::connect(&config.database_url).await?;
    let interrupted = store.fail_interrupted().await?;
    if interrupted > 0 {
        tracing::warn!(batches = interrupted, "marked interrupted uploads failed");
    }
    let (in_flight, mut finished) = mpsc::channel::<()>(1);
    let ingest = service::Ingest::new(store.clone(), in_flight);
    let routes =
        tonic::service::Routes::new(IngestServiceServer::new(grpc::IngestGrpc::new(ingest)));
    let serve_config = ServeConfig::new([SERVICE_NAME]).with_drain_timeout(config.drain_timeout());
    let served = Server::from_listener(listener, serve_config)?
        .serve(routes, shutdown)
        .await;
    // Every sender lives in the service (dropped with the server) or in an upload task.
    if tokio::time::timeout(config.drain_timeout(), finished.recv())
        .await
        .is_err()
    {
        tracing::warn!("upload tasks still running after the drain timeout");
    }
    store.close().await?;
    served?;
    Ok(())
}
