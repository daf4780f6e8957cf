//! `to_status`: the code mapping, and internal details logged once but never sent.

use std::sync::{Arc, Mutex};

use cmr_runtime::{ErrorCode, INTERNAL_ERROR_MESSAGE, to_status};
use tonic::Code;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

#[test]
fn every_code_maps_to_its_grpc_code() {
    let expected = [
        (ErrorCode::InvalidArgument, Code::InvalidArgument),
        (ErrorCode::NotFound, Code::NotFound),
        (ErrorCode::AlreadyExists, Code::AlreadyExists),
        (ErrorCode::FailedPrecondition, Code::FailedPrecondition),
        (ErrorCode::PermissionDenied, Code::PermissionDenied),
        (ErrorCode::Unauthenticated, Code::Unauthenticated),
        (ErrorCode::Unavailable, Code::Unavailable),
        (ErrorCode::Internal, Code::Internal),
    ];
    assert_eq!(expected.map(|(code, _)| code), ErrorCode::ALL);
    for (code, grpc) in expected {
        assert_eq!(code.grpc_code(), grpc);
        assert_eq!(to_status(code, "subject 42").code(), grpc, "{code:?}");
    }
}

#[test]
fn non_internal_messages_reach_the_caller_and_are_not_logged() {
    let (events, status) = capture(|| to_status(ErrorCode::NotFound, "subject 42 not found"));
    assert_eq!(status.code(), Code::NotFound);
    assert_eq!(status.message(), "subject 42 not found");
    assert!(events.is_empty(), "unexpected log events: {events:?}");
}

#[test]
fn internal_detail_is_logged_once_and_hidden_from_the_caller() {
    let detail = "run 7: unique constraint failed on determinations.pk";
    let (events, status) = capture(|| to_status(ErrorCode::Internal, detail));

    assert_eq!(status.code(), Code::Internal);
    assert_eq!(status.message(), INTERNAL_ERROR_MESSAGE);
    assert!(!status.message().contains("constraint"));
    assert!(status.details().is_empty());
    assert!(status.metadata().is_empty());

    assert_eq!(
        events.len(),
        1,
        "expected exactly one log event: {events:?}"
    );
    let event = &events[0];
    assert_eq!(event.level, Level::ERROR);
    assert_eq!(event.field("error"), Some(detail));
    // `caller` is where `to_status` was called (this file), thanks to `#[track_caller]`.
    let caller = event.field("caller").expect("caller field");
    assert!(caller.contains("status.rs"), "caller = {caller}");
}

/// One captured event: its level and its fields rendered with `Debug`/`Display`.
#[derive(Debug)]
struct Captured {
    level: Level,
    fields: Vec<(String, String)>,
}

impl Captured {
    fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(field, _)| field == name)
            .map(|(_, value)| value.as_str())
    }
}

/// Runs `f` with a subscriber that records every event on this thread.
fn capture<T>(f: impl FnOnce() -> T) -> (Vec<Captured>, T) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let subscriber = Recorder {
        events: Arc::clone(&events),
    };
    let output = tracing::subscriber::with_default(subscriber, f);
    let events = std::mem::take(&mut *events.lock().expect("lock"));
    (events, output)
}

struct Recorder {
    events: Arc<Mutex<Vec<Captured>>>,
}

struct FieldVisitor(Vec<(String, String)>);

impl Visit for FieldVisitor {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push((field.name().to_owned(), value.to_owned()));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push((field.name().to_owned(), format!("{value:?}")));
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut visitor = FieldVisitor(Vec::new());
        event.record(&mut visitor);
        self.events.lock().expect("lock").push(Captured {
            level: *event.metadata().level(),
            fields: visitor.0,
        });
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}
