//! `cmr-telemetry`: one place where every `cmr` process sets up its logs, traces and metrics.
//!
//! - **Logs** go to stderr: readable text on a terminal, one JSON object per line otherwise
//!   (`CMR_LOG_FORMAT=text|json` overrides). `RUST_LOG` sets the level. Services log ids and
//!   counts only, never record text.
//! - **Traces and metrics** are exported by OTLP/gRPC when the standard
//!   `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` /
//!   `..._METRICS_ENDPOINT`) variable is set, and are off otherwise: no exporter, no
//!   OpenTelemetry layer, no propagator, so spans cost what plain `tracing` spans cost.
//!   `OTEL_SERVICE_NAME` overrides the service name a process reports.
//! - **Trace context** travels in gRPC metadata as W3C `traceparent`/`tracestate`: clients
//!   wrap their channel in [`TracedChannel`], which injects the current span's context into
//!   every request; servers add [`RpcTraceLayer`], which continues the caller's trace in one
//!   span per RPC, records the gRPC status and latency, and sends `traceparent` back in the
//!   response headers. So one `cmr run` is one trace across all four services.

mod metrics;
mod propagation;
mod rpc;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::metrics::SdkMeterProvider;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

pub use metrics::{counter, gauge, up_down};
pub use propagation::{TracedChannel, current_trace_id, traced};
pub use rpc::{RpcTrace, RpcTraceLayer};

/// What [`init`] started; [`Telemetry::shutdown`] flushes it.
#[derive(Debug, Default)]
#[must_use = "keep the guard and call shutdown() before exit, or spans are lost"]
pub struct Telemetry {
    tracer: Option<SdkTracerProvider>,
    meter: Option<SdkMeterProvider>,
}

/// Whether OTLP export is asked for by the environment.
#[must_use]
pub fn otlp_configured() -> bool {
    [
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    ]
    .iter()
    .any(|name| std::env::var(name).is_ok_and(|v| !v.trim().is_empty()))
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

impl LogFormat {
    /// `CMR_LOG_FORMAT` if set, else text on a terminal and JSON otherwise (a pod's stderr).
    #[must_use]
    pub fn from_env() -> Self {
        match std::env::var("CMR_LOG_FORMAT").as_deref() {
            Ok("json") => Self::Json,
            Ok("text") => Self::Text,
            _ if std::io::IsTerminal::is_terminal(&std::io::stderr()) => Self::Text,
            _ => Self::Json,
        }
    }
}

/// Installs the process's subscriber: logs always, traces and metrics when OTLP is
/// configured. Call once, inside a Tokio runtime when OTLP may be on (the tonic exporter
/// needs a reactor). `default_filter` applies when `RUST_LOG` is unset. A second call does
/// nothing and returns an empty guard.
pub fn init(service_name: &str, default_filter: &str) -> Telemetry {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let format = LogFormat::from_env();
    let text = (format == LogFormat::Text).then(|| {
        tracing_subscriber::fmt::layer()
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .with_writer(std::io::stderr)
    });
    let json = (format == LogFormat::Json).then(|| {
        tracing_subscriber::fmt::layer()
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .with_writer(std::io::stderr)
    });
    let mut telemetry = Telemetry::default();
    let otel = if otlp_configured() {
        match exporters(service_name) {
            Ok((tracer, meter)) => {
                let layer = tracing_opentelemetry::layer().with_tracer(tracer.tracer("cmr"));
                opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
                opentelemetry::global::set_meter_provider(meter.clone());
                telemetry.tracer = Some(tracer);
                telemetry.meter = Some(meter);
                Some(layer)
            }
            Err(problem) => {
                eprintln!("cmr: OpenTelemetry export is off: {problem}");
                None
            }
        }
    } else {
        None
    };
    let installed = tracing_subscriber::registry()
        .with(filter)
        .with(text)
        .with(json)
        .with(otel)
        .try_init()
        .is_ok();
    if installed {
        telemetry
    } else {
        Telemetry::default()
    }
}

fn exporters(service_name: &str) -> Result<(SdkTracerProvider, SdkMeterProvider), String> {
    let name = std::env::var("OTEL_SERVICE_NAME")
        .ok()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| service_name.to_owned());
    let resource = Resource::builder().with_service_name(name).build();
    let spans = opentelemetry_otlp::SpanExporter::builder()
        .with_tonic()
        .build()
        .map_err(|e| format!("span exporter: {e}"))?;
    let tracer = SdkTracerProvider::builder()
        .with_batch_exporter(spans)
        .with_resource(resource.clone())
        .build();
    let metrics = opentelemetry_otlp::MetricExporter::builder()
        .with_tonic()
        .build()
        .map_err(|e| format!("metric exporter: {e}"))?;
    let meter = SdkMeterProvider::builder()
        .with_periodic_exporter(metrics)
        .with_resource(resource)
        .build();
    Ok((tracer, meter))
}

impl Telemetry {
    /// Whether traces and metrics are being exported.
    #[must_use]
    pub fn exporting(&self) -> bool {
        self.tracer.is_some()
    }

    /// Flushes and stops the exporters. Runs the SDK's blocking shutdown on a blocking
    /// thread: called on a runtime worker it would wait out its own timeout and lose the
    /// spans (a one-worker runtime, as in a one-CPU pod, never gets to export them).
    pub async fn shutdown(self) {
        let Self { tracer, meter } = self;
        if tracer.is_none() && meter.is_none() {
            return;
        }
        let _ = tokio::task::spawn_blocking(move || {
            if let Some(tracer) = tracer {
                let _ = tracer.force_flush();
                let _ = tracer.shutdown();
            }
            if let Some(meter) = meter {
                let _ = meter.force_flush();
                let _ = meter.shutdown();
            }
        })
        .await;
    }
}
