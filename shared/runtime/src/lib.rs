//! The lifecycle every cmr gRPC service shares, so no service copies it.
//!
//! - [`Server`] / [`serve`]: serve a service's [`tonic::service::Routes`] on a bound
//!   [`tokio::net::TcpListener`] together with `grpc.health.v1.Health` and gRPC reflection v1
//!   (the cmr descriptor set plus health's), and shut down in a fixed order: every health
//!   status goes NOT_SERVING, the listener closes, in-flight requests drain for at most
//!   [`ServeConfig::drain_timeout`].
//! - [`shutdown_signal`]: the shutdown future a binary hands to [`serve`] (SIGINT or SIGTERM).
//! - [`ErrorCode`] / [`to_status`]: the single mapping from a service error to
//!   [`tonic::Status`]; internal details are logged, never sent.
//! - [`store::connect`] / [`store::connect_and_migrate`]: open a service's SQLite or
//!   PostgreSQL database with the shared pool options and apply its migrations.
//!
//! A service binary looks like this:
//!
//! ```no_run
//! # async fn run(routes: tonic::service::Routes) -> Result<(), cmr_runtime::RuntimeError> {
//! use cmr_runtime::{ServeConfig, Server, shutdown_signal};
//!
//! let config = ServeConfig::new(["cmr.ingest.v1.IngestService"]);
//! let server = Server::bind("0.0.0.0:50051", config).await?;
//! tracing::info!(addr = %server.local_addr(), "listening");
//! server.serve(routes, shutdown_signal()).await
//! # }
//! ```

mod server;
mod signal;
mod status;
pub mod store;

pub use server::{RuntimeError, ServeConfig, Server, serve};
pub use signal::shutdown_signal;
pub use status::{ErrorCode, INTERNAL_ERROR_MESSAGE, to_status};
