//! `cmr-verification`: the verification gRPC service (`cmr.verification.v1.VerificationService`).
//!
//! Eligibility submits the determinations that need a prosecutor's decision; each becomes
//! one PENDING review item, routed to the county District Attorney, and the queue is served
//! back (listed, paged, filtered, one item at a time). Decisions, routing rules, deadlines,
//! notices and the audit trail come with issue 5 and answer UNIMPLEMENTED until then.
//! [`run`] connects the store, migrates, and serves with health and reflection through
//! `cmr-runtime`.

pub mod config;
pub mod domain;
pub mod error;
pub mod grpc;
pub mod service;
pub mod store;

use std::future::Future;

use cmr_proto::verification::v1::verification_service_server::VerificationServiceServer;
use cmr_runtime::{RuntimeError, ServeConfig, Server};
use tokio::net::TcpListener;

pub use config::VerificationConfig;
pub use error::VerificationError;

/// The fully qualified gRPC service name.
pub const SERVICE_NAME: &str = "cmr.verification.v1.VerificationService";

/// Why [`run`] stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("cannot open the verification store")]
    Store(#[from] store::StoreError),
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
}

/// Connects and migrates the store, then serves on `listener` until `shutdown` resolves;
/// after draining, closes the store.
pub async fn run(
    config: VerificationConfig,
    listener: TcpListener,
    shutdown: impl Future<Output = ()>,
) -> Result<(), RunError> {
    let store = store::Store::connect(&config.database_url).await?;
    let verification = service::Verification::new(store.clone());
    let routes = tonic::service::Routes::new(VerificationServiceServer::new(
        grpc::VerificationGrpc::new(verification),
    ));
    let serve_config = ServeConfig::new([SERVICE_NAME]).with_drain_timeout(config.drain_timeout());
    let served = Server::from_listener(listener, serve_config)?
        .serve(routes, shutdown)
        .await;
    store.close().await?;
    served?;
    Ok(())
}
