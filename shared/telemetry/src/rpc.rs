//! Server side: one span per RPC, continuing the caller's trace, plus RPC latency and error
//! metrics.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use opentelemetry::KeyValue;
use opentelemetry::metrics::{Counter, Histogram};
use tower::{Layer, Service};
use tracing::Instrument as _;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

use crate::propagation::{HeaderExtractor, inject_current};

/// Health checks are polled every few seconds by Kubernetes: tracing them would bury the
/// pipeline's spans.
const UNTRACED_PREFIX: &str = "/grpc.health.v1.Health/";

/// `tonic::transport::Server::builder().layer(RpcTraceLayer::new())`.
#[derive(Clone, Debug)]
pub struct RpcTraceLayer {
    instruments: Instruments,
}

/// The RPC instruments, made once per server rather than looked up on every call.
#[derive(Clone, Debug)]
struct Instruments {
    duration_ms: Histogram<f64>,
    errors: Counter<u64>,
}

impl RpcTraceLayer {
    /// Call after [`crate::init`]: the instruments bind to the meter provider set then.
    #[must_use]
    pub fn new() -> Self {
        let meter = opentelemetry::global::meter("cmr");
        Self {
            instruments: Instruments {
                duration_ms: meter.f64_histogram("cmr.rpc.server.duration_ms").build(),
                errors: meter.u64_counter("cmr.rpc.server.errors").build(),
            },
        }
    }
}

impl Default for RpcTraceLayer {
    fn default() -> Self {
        Self::new()
    }
}

impl<S> Layer<S> for RpcTraceLayer {
    type Service = RpcTrace<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RpcTrace {
            inner,
            instruments: self.instruments.clone(),
        }
    }
}

/// The service [`RpcTraceLayer`] wraps around a server's routes.
#[derive(Clone, Debug)]
pub struct RpcTrace<S> {
    inner: S,
    instruments: Instruments,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S, ReqBody, ResBody> Service<http::Request<ReqBody>> for RpcTrace<S>
where
    S: Service<http::Request<ReqBody>, Response = http::Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    ReqBody: Send + 'static,
    ResBody: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = BoxFuture<Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<ReqBody>) -> Self::Future {
        // The ready clone must serve this call; a fresh clone for the next one.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let path = request.uri().path().to_owned();
        if path.starts_with(UNTRACED_PREFIX) {
            return Box::pin(inner.call(request));
        }
        let (service, method) = split_path(&path);
        let span = tracing::info_span!(
            "rpc",
            otel.name = %format!("{service}/{method}"),
            otel.kind = "server",
            rpc.system = "grpc",
            rpc.service = %service,
            rpc.method = %method,
            rpc.grpc.status_code = tracing::field::Empty,
        );
        let parent = opentelemetry::global::get_text_map_propagator(|p| {
            p.extract(&HeaderExtractor(request.headers()))
        });
        // Fails only when no OpenTelemetry layer is installed: then there is nothing to join.
        let _ = span.set_parent(parent);
        let started = Instant::now();
        let future = {
            let _entered = span.enter();
            inner.call(request)
        };
        let service = service.to_owned();
        let method = method.to_owned();
        let instruments = self.instruments.clone();
        Box::pin(
            async move {
                let mut result = future.await;
                let code = match &result {
                    // A handler's error is a trailers-only response: grpc-status is a header.
                    // Success (and errors in the middle of a stream) come in trailers, which
                    // this layer does not wait for: they count as OK here.
                    Ok(response) => response
                        .headers()
                        .get("grpc-status")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.parse::<i64>().ok())
                        .unwrap_or(0),
                    Err(_) => 2,
                };
                tracing::Span::current().record("rpc.grpc.status_code", code);
                if let Ok(response) = &mut result {
                    // The trace context travels back, so a caller can name the trace.
                    inject_current(response.headers_mut());
                }
                let attributes = [
                    KeyValue::new("rpc.service", service),
                    KeyValue::new("rpc.method", method),
                    KeyValue::new("rpc.grpc.status_code", code),
                ];
                instruments
                    .duration_ms
                    .record(started.elapsed().as_secs_f64() * 1000.0, &attributes);
                if code != 0 {
                    instruments.errors.add(1, &attributes);
                }
                result
            }
            .instrument(span),
        )
    }
}

/// "/cmr.ingest.v1.IngestService/UploadDojFile" → ("cmr.ingest.v1.IngestService", "UploadDojFile").
fn split_path(path: &str) -> (&str, &str) {
    let trimmed = path.trim_start_matches('/');
    trimmed.rsplit_once('/').unwrap_or((trimmed, ""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_into_service_and_method() {
        assert_eq!(
            split_path("/cmr.ingest.v1.IngestService/UploadDojFile"),
            ("cmr.ingest.v1.IngestService", "UploadDojFile")
        );
        assert_eq!(split_path("/odd"), ("odd", ""));
    }
}
