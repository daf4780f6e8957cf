//! A real server on 127.0.0.1:0 with only the health and reflection services.

use std::net::SocketAddr;
use std::time::Duration;

use cmr_runtime::{RuntimeError, ServeConfig, Server};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::service::Routes;
use tonic::transport::{Channel, Endpoint};
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::{HealthCheckRequest, HealthCheckResponse};

/// Upper bound for any single wait in these tests; a hit means the test failed, not that it
/// was slow.
pub const BOUND: Duration = Duration::from_secs(5);

pub struct TestServer {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), RuntimeError>>,
}

impl TestServer {
    pub async fn start(config: ServeConfig) -> Self {
        let server = Server::bind("127.0.0.1:0", config).await.expect("bind");
        let addr = server.local_addr();
        let (stop, stop_rx) = oneshot::channel::<()>();
        let task = tokio::spawn(server.serve(Routes::default(), async {
            let _ = stop_rx.await;
        }));
        Self {
            addr,
            stop: Some(stop),
            task,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub async fn channel(&self) -> Channel {
        Endpoint::from_shared(self.url())
            .expect("endpoint")
            .connect()
            .await
            .expect("connect")
    }

    pub async fn health(&self) -> HealthClient<Channel> {
        HealthClient::new(self.channel().await)
    }

    /// Resolves the shutdown future handed to `serve`.
    pub fn trigger_shutdown(&mut self) {
        let stop = self.stop.take().expect("shutdown triggered twice");
        stop.send(()).expect("server task ended before shutdown");
    }

    /// Waits (bounded by `limit`) for `serve` to return.
    pub async fn join(self, limit: Duration) -> Result<(), RuntimeError> {
        tokio::time::timeout(limit, self.task)
            .await
            .expect("server did not stop within the bound")
            .expect("server task panicked")
    }
}

pub fn request(service: &str) -> HealthCheckRequest {
    HealthCheckRequest {
        service: service.to_owned(),
    }
}

pub fn status_of(response: &HealthCheckResponse) -> ServingStatus {
    ServingStatus::try_from(response.status).expect("known serving status")
}

/// Next message of a Health/Watch stream, bounded by [`BOUND`].
pub async fn next_status(stream: &mut tonic::Streaming<HealthCheckResponse>) -> ServingStatus {
    let message = tokio::time::timeout(BOUND, stream.message())
        .await
        .expect("no watch update within the bound")
        .expect("watch stream failed")
        .expect("watch stream ended");
    status_of(&message)
}
