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

/// Records `value` in the histogram `name` (e.g. `cmr.review.deadline_distance_days`).
pub fn histogram(name: &'static str, value: f64, attributes: &[KeyValue]) {
    opentelemetry::global::meter("cmr")
        .f64_histogram(name)
        .build()
        .record(value, attributes);
}
