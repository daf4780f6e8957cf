//! Serving a service's routes with health, reflection and an ordered, bounded shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::{TcpListener, ToSocketAddrs};
use tokio::sync::oneshot;
use tokio_stream::wrappers::TcpListenerStream;
use tonic::service::Routes;
use tonic_health::ServingStatus;
use tonic_health::pb::health_server::HealthServer;
use tonic_health::server::{HealthReporter, HealthService};

/// HTTP/2 flow-control window per stream (4 MiB: four upload messages in flight).
const STREAM_WINDOW: u32 = 4 << 20;
/// HTTP/2 flow-control window per connection.
const CONNECTION_WINDOW: u32 = 8 << 20;
/// Largest HTTP/2 frame clients may send: 1 MiB upload messages in a few frames, not 64.
const MAX_FRAME: u32 = 1 << 20;

/// How a [`Server`] reports health and shuts down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeConfig {
    /// After shutdown is requested and the listener is closed, how long in-flight requests
    /// may run before [`Server::serve`] gives up on them and returns
    /// [`RuntimeError::DrainTimeout`]. Keep it below Kubernetes'
    /// `terminationGracePeriodSeconds`.
    pub drain_timeout: Duration,
    /// Fully qualified gRPC service names (e.g. `cmr.ingest.v1.IngestService`) reported
    /// SERVING while the server runs, in addition to the overall status `""`.
    pub service_names: Vec<String>,
}

impl ServeConfig {
    /// The default drain timeout: 10 s, well inside Kubernetes' default 30 s grace period.
    pub const DEFAULT_DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

    /// A config reporting `service_names`, with [`Self::DEFAULT_DRAIN_TIMEOUT`].
    pub fn new<I, S>(service_names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            drain_timeout: Self::DEFAULT_DRAIN_TIMEOUT,
            service_names: service_names.into_iter().map(Into::into).collect(),
        }
    }

    /// The same config with another drain timeout.
    #[must_use]
    pub fn with_drain_timeout(mut self, drain_timeout: Duration) -> Self {
        self.drain_timeout = drain_timeout;
        self
    }
}

impl Default for ServeConfig {
    fn default() -> Self {
        Self::new(std::iter::empty::<String>())
    }
}

/// Why serving failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RuntimeError {
    /// The listen address could not be bound.
    #[error("cannot bind the listen address")]
    Bind(#[source] std::io::Error),
    /// The bound listener could not report its address.
    #[error("cannot read the listener's local address")]
    LocalAddr(#[source] std::io::Error),
    /// The reflection service rejected a descriptor set (a build problem, not a runtime one).
    #[error("cannot build the reflection service")]
    Reflection(#[from] tonic_reflection::server::Error),
    /// The gRPC server failed.
    #[error("grpc server failed")]
    Transport(#[from] tonic::transport::Error),
    /// Requests were still in flight when the drain timeout ran out. The listener was closed
    /// and every status was NOT_SERVING; the remaining connections are left to the tokio
    /// runtime, which drops them when it shuts down. Callers may treat this as non-fatal.
    #[error("requests still in flight after the drain timeout of {timeout:?}")]
    DrainTimeout {
        /// The drain timeout that ran out.
        timeout: Duration,
    },
}

/// A bound, not yet serving, gRPC server.
///
/// Binding first lets tests and `cmr up` bind `127.0.0.1:0` and learn the port before
/// serving; a [`HealthReporter`] is available before serving too, so a service can flip its
/// own status later (e.g. while its database is unreachable).
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    local_addr: SocketAddr,
    config: ServeConfig,
    health: HealthReporter,
}

impl Server {
    /// Binds `addr` (use port 0 for an ephemeral port).
    ///
    /// # Errors
    ///
    /// [`RuntimeError::Bind`] or [`RuntimeError::LocalAddr`].
    pub async fn bind(addr: impl ToSocketAddrs, config: ServeConfig) -> Result<Self, RuntimeError> {
        let listener = TcpListener::bind(addr).await.map_err(RuntimeError::Bind)?;
        Self::from_listener(listener, config)
    }

    /// Wraps a listener bound elsewhere.
    ///
    /// # Errors
    ///
    /// [`RuntimeError::LocalAddr`].
    pub fn from_listener(listener: TcpListener, config: ServeConfig) -> Result<Self, RuntimeError> {
        let local_addr = listener.local_addr().map_err(RuntimeError::LocalAddr)?;
        Ok(Self {
            listener,
            local_addr,
            config,
            health: HealthReporter::new(),
        })
    }

    /// The address the listener is bound to.
    #[must_use]
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// A handle on the health statuses this server serves.
    #[must_use]
    pub fn health_reporter(&self) -> HealthReporter {
        self.health.clone()
    }

    /// Serves `routes` plus `grpc.health.v1.Health` and `grpc.reflection.v1.ServerReflection`
    /// until `shutdown` resolves, then shuts down in this order:
    ///
    /// 1. `""` and every [`ServeConfig::service_names`] entry go NOT_SERVING (health watchers
    ///    are told at once);
    /// 2. the listener closes and every connection is told to finish (HTTP/2 GOAWAY);
    /// 3. in-flight requests get [`ServeConfig::drain_timeout`] to complete.
    ///
    /// `routes` must not contain the health or reflection services itself. Open
    /// `Health/Watch` streams count as in flight: a watcher that does not hang up after
    /// seeing NOT_SERVING holds the drain until the timeout.
    ///
    /// # Errors
    ///
    /// [`RuntimeError::Reflection`] before serving, [`RuntimeError::Transport`] if the server
    /// fails, [`RuntimeError::DrainTimeout`] if requests outlive the drain timeout.
    pub async fn serve(
        self,
        routes: Routes,
        shutdown: impl Future<Output = ()>,
    ) -> Result<(), RuntimeError> {
        let Self {
            listener,
            local_addr,
            config,
            health,
        } = self;

        let reflection = tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(cmr_proto::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
            .build_v1()?;
        let routes = routes
            .add_service(HealthServer::new(HealthService::from_health_reporter(
                health.clone(),
            )))
            .add_service(reflection);

        set_all(&health, &config.service_names, ServingStatus::Serving).await;

        let (stop_accepting, stop_accepting_rx) = oneshot::channel::<()>();
        // HTTP/2's default 64 KiB flow-control windows make a client-streamed upload of 1 MiB
        // messages wait for a window update every 64 KiB; windows of a few messages keep the
        // stream flowing while the service parses and stores.
        let server = tonic::transport::Server::builder()
            .initial_stream_window_size(Some(STREAM_WINDOW))
            .initial_connection_window_size(Some(CONNECTION_WINDOW))
            .max_frame_size(Some(MAX_FRAME))
            // One span per RPC that continues the caller's W3C trace context.
            .layer(cmr_telemetry::RpcTraceLayer::new())
            .add_routes(routes)
            .serve_with_incoming_shutdown(TcpListenerStream::new(listener), async {
                // An error means the sender is gone, which only happens on our way out.
                let _ = stop_accepting_rx.await;
            });
        let mut server = std::pin::pin!(server);
        tracing::info!(addr = %local_addr, "serving");

        tokio::select! {
            result = &mut server => {
                // Only an accept-loop failure ends the server before shutdown is requested.
                return result.map_err(RuntimeError::from);
            }
            () = shutdown => {}
        }

        tracing::info!("shutdown requested, reporting not serving");
        set_all(&health, &config.service_names, ServingStatus::NotServing).await;
        // The receiver lives inside `server`, which is still pinned here.
        let _ = stop_accepting.send(());

        match tokio::time::timeout(config.drain_timeout, server).await {
            Ok(result) => {
                result?;
                tracing::info!("drained, server stopped");
                Ok(())
            }
            Err(_elapsed) => {
                tracing::warn!(
                    timeout_ms = config.drain_timeout.as_millis(),
                    "drain timeout ran out with requests in flight"
                );
                Err(RuntimeError::DrainTimeout {
                    timeout: config.drain_timeout,
                })
            }
        }
    }
}

/// Binds nothing, serves on `listener`: shorthand for [`Server::from_listener`] then
/// [`Server::serve`].
///
/// # Errors
///
/// As [`Server::from_listener`] and [`Server::serve`].
pub async fn serve(
    listener: TcpListener,
    routes: Routes,
    config: ServeConfig,
    shutdown: impl Future<Output = ()>,
) -> Result<(), RuntimeError> {
    Server::from_listener(listener, config)?
        .serve(routes, shutdown)
        .await
}

/// Sets `""` and every name in `service_names` to `status`.
async fn set_all(health: &HealthReporter, service_names: &[String], status: ServingStatus) {
    health.set_service_status("", status).await;
    for name in service_names {
        health.set_service_status(name, status).await;
    }
}
