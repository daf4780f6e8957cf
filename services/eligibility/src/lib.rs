//! `cmr-eligibility`: the eligibility gRPC service (`cmr.eligibility.v1.EligibilityService`).
//!
//! Policies are stored as immutable versions (the built-in catalog is seeded at start-up).
//! A run streams its batch's subjects from the ingest service, evaluates each with the
//! engine, and stores one determination per evaluated conviction with the printed gogen
//! cells and the run's gogen summary. [`run`] connects the store, migrates, and serves with
//! health and reflection through `cmr-runtime`.

pub mod config;
pub mod domain;
pub mod error;
pub mod grpc;
pub mod service;
pub mod source;
pub mod store;

use std::future::Future;

use cmr_proto::eligibility::v1::eligibility_service_server::EligibilityServiceServer;
use cmr_runtime::{RuntimeError, ServeConfig, Server};
use tokio::net::TcpListener;

pub use config::EligibilityConfig;
pub use error::EligibilityError;

/// The fully qualified gRPC service name.
pub const SERVICE_NAME: &str = "cmr.eligibility.v1.EligibilityService";

/// Why [`run`] stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("cannot open the eligibility store")]
    Store(#[from] store::StoreError),
    #[error("cannot seed the built-in policies: {0}")]
    Seed(#[from] EligibilityError),
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
}

/// Connects and migrates the store, marks runs a previous process left unfinished as
/// failed, seeds the built-in policies, then serves on `listener` until `shutdown`
/// resolves, drains, and closes the store.
pub async fn run(
    config: EligibilityConfig,
    listener: TcpListener,
    shutdown: impl Future<Output = ()>,
) -> Result<(), RunError> {
    let store = store::Store::connect(&config.database_url).await?;
    let interrupted = store.fail_interrupted().await?;
    if interrupted > 0 {
        tracing::warn!(runs = interrupted, "marked interrupted runs failed");
    }
    let eligibility = service::Eligibility::new(
        store.clone(),
        source::IngestSource::new(config.ingest_endpoint.clone()),
    );
    eligibility.seed_catalog().await?;
    let routes = tonic::service::Routes::new(EligibilityServiceServer::new(
        grpc::EligibilityGrpc::new(eligibility),
    ));
    let serve_config = ServeConfig::new([SERVICE_NAME]).with_drain_timeout(config.drain_timeout());
    let served = Server::from_listener(listener, serve_config)?
        .serve(routes, shutdown)
        .await;
    store.close().await?;
    served?;
    Ok(())
}
