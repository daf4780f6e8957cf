//! W3C trace context in gRPC metadata, client side.

use std::task::{Context, Poll};

use opentelemetry::propagation::{Extractor, Injector};
use opentelemetry::trace::TraceContextExt as _;
use tonic::body::Body;
use tonic::transport::Channel;
use tower::Service;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

/// Writes propagation fields into HTTP headers (gRPC metadata is HTTP/2 headers).
pub(crate) struct HeaderInjector<'a>(pub &'a mut http::HeaderMap);

impl Injector for HeaderInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        if let (Ok(name), Ok(value)) = (
            http::header::HeaderName::from_bytes(key.as_bytes()),
            http::header::HeaderValue::from_str(&value),
        ) {
            self.0.insert(name, value);
        }
    }
}

/// Reads propagation fields from HTTP headers.
pub(crate) struct HeaderExtractor<'a>(pub &'a http::HeaderMap);

impl Extractor for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0
            .keys()
            .map(http::header::HeaderName::as_str)
            .collect()
    }
}

/// Injects the current span's trace context into `headers` (nothing when telemetry is off).
pub(crate) fn inject_current(headers: &mut http::HeaderMap) {
    let cx = tracing::Span::current().context();
    opentelemetry::global::get_text_map_propagator(|p| {
        p.inject_context(&cx, &mut HeaderInjector(headers));
    });
}

/// A channel that sends the caller's trace context with every request.
///
/// `XServiceClient::new(cmr_telemetry::traced(channel))` instead of `XServiceClient::new(channel)`.
#[derive(Clone, Debug)]
pub struct TracedChannel {
    inner: Channel,
}

/// Wraps `channel` so its requests carry W3C trace context.
#[must_use]
pub fn traced(channel: Channel) -> TracedChannel {
    TracedChannel { inner: channel }
}

impl Service<http::Request<Body>> for TracedChannel {
    type Response = <Channel as Service<http::Request<Body>>>::Response;
    type Error = <Channel as Service<http::Request<Body>>>::Error;
    type Future = <Channel as Service<http::Request<Body>>>::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Service::<http::Request<Body>>::poll_ready(&mut self.inner, cx)
    }

    fn call(&mut self, mut request: http::Request<Body>) -> Self::Future {
        // The generated client calls this from the caller's task, inside its span.
        inject_current(request.headers_mut());
        self.inner.call(request)
    }
}

/// The current span's trace id as 32 hex digits, or `None` when telemetry is off. Safe to
/// log and to show an operator: it names a trace, not a person.
#[must_use]
pub fn current_trace_id() -> Option<String> {
    let cx = tracing::Span::current().context();
    let span = cx.span();
    let context = span.span_context();
    context.is_valid().then(|| context.trace_id().to_string())
}
