//! The suite's instruments, created on the global meter provider. With no exporter the
//! provider is OpenTelemetry's no-op one, so recording costs next to nothing.

use opentelemetry::KeyValue;

/// Adds `value` to the counter `name` (e.g. `cmr.ingest.rows`) with `attributes` (ids,
/// outcomes and county codes only).
pub fn counter(name: &'static str, value: u64, attributes: &[KeyValue]) {
    opentelemetry::global::meter("cmr")
        .u64_counter(name)
        .build()
        .add(value, attributes);
}

/// Adds `delta` (negative to take away) to the up-down counter `name`, e.g. the review
/// backlog: items queued add, decisions take away.
pub fn up_down(name: &'static str, delta: i64, attributes: &[KeyValue]) {
    opentelemetry::global::meter("cmr")
        .i64_up_down_counter(name)
        .build()
        .add(delta, attributes);
}

/// Sets the gauge `name` to `value` (a last-value reading, which may be negative: e.g. days
/// until a deadline, below zero once it has passed; histograms drop negative values).
pub fn gauge(name: &'static str, value: f64, attributes: &[KeyValue]) {
    opentelemetry::global::meter("cmr")
        .f64_gauge(name)
        .build()
        .record(value, attributes);
}
