//! The one mapping from a service error to [`tonic::Status`].
//!
//! # What may go into a message
//!
//! Messages carry identifiers only (subject, run, case or request IDs, field names), never
//! record text: no names, dates of birth, offense descriptions or raw input lines. A
//! non-internal message is sent to the caller verbatim; an [`ErrorCode::Internal`] message is
//! written to the log instead. Either way it leaves the process, so the same rule applies.

use std::panic::Location;

use tonic::{Code, Status};

/// The message every [`ErrorCode::Internal`] status carries instead of the real detail.
pub const INTERNAL_ERROR_MESSAGE: &str = "internal error";

/// The error codes a cmr service may return. Each service maps its own error enum onto these,
/// then calls [`to_status`]; nothing else builds a [`tonic::Status`] from an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// The request is malformed or fails validation; retrying it unchanged will not help.
    InvalidArgument,
    /// The addressed entity does not exist.
    NotFound,
    /// The entity to create exists already (e.g. a replayed idempotency key with another body).
    AlreadyExists,
    /// The system is not in the state the operation needs (e.g. a run that is not finished).
    FailedPrecondition,
    /// The caller is known but not allowed to do this.
    PermissionDenied,
    /// The caller could not be identified.
    Unauthenticated,
    /// A dependency is down or the service is shutting down; the caller may retry.
    Unavailable,
    /// A bug or an unexpected failure. The detail is logged, the caller sees
    /// [`INTERNAL_ERROR_MESSAGE`].
    Internal,
}

impl ErrorCode {
    /// Every code, in declaration order.
    pub const ALL: [Self; 8] = [
        Self::InvalidArgument,
        Self::NotFound,
        Self::AlreadyExists,
        Self::FailedPrecondition,
        Self::PermissionDenied,
        Self::Unauthenticated,
        Self::Unavailable,
        Self::Internal,
    ];

    /// The gRPC status code this maps to.
    #[must_use]
    pub const fn grpc_code(self) -> Code {
        match self {
            Self::InvalidArgument => Code::InvalidArgument,
            Self::NotFound => Code::NotFound,
            Self::AlreadyExists => Code::AlreadyExists,
            Self::FailedPrecondition => Code::FailedPrecondition,
            Self::PermissionDenied => Code::PermissionDenied,
            Self::Unauthenticated => Code::Unauthenticated,
            Self::Unavailable => Code::Unavailable,
            Self::Internal => Code::Internal,
        }
    }
}

/// Builds the [`tonic::Status`] for `code`.
///
/// For every code but [`ErrorCode::Internal`], `message` becomes the status message as is.
/// For `Internal`, `message` is logged once with `tracing::error!` (field `error`, plus the
/// caller's source location in `caller`) and the caller receives only
/// [`INTERNAL_ERROR_MESSAGE`]. See the module docs: `message` must hold IDs, never record text.
#[track_caller]
pub fn to_status(code: ErrorCode, message: impl Into<String>) -> Status {
    let message = message.into();
    match code {
        ErrorCode::Internal => {
            let caller = Location::caller();
            tracing::error!(error = %message, caller = %caller, "internal error");
            Status::new(Code::Internal, INTERNAL_ERROR_MESSAGE)
        }
        other => Status::new(other.grpc_code(), message),
    }
}
