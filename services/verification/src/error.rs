//! The one error enum of the verification service and its single mapping to `tonic::Status`.

use cmr_runtime::{ErrorCode, to_status};

use crate::store::StoreError;

/// Everything a verification RPC can fail with. Messages hold ids and field names, never
/// record text.
#[derive(Debug, thiserror::Error)]
pub enum VerificationError {
    #[error("{field}: {description}")]
    InvalidArgument {
        field: &'static str,
        description: String,
    },
    #[error("{what} {id} not found")]
    NotFound { what: &'static str, id: String },
    #[error("{0}")]
    AlreadyExists(String),
    #[error("{rpc} is not implemented yet (issue {issue})")]
    Unimplemented {
        rpc: &'static str,
        issue: &'static str,
    },
    /// The token does not allow this (reason SCOPE_NOT_PERMITTED or ROLE_NOT_PERMITTED).
    #[error("{}: the token does not allow this", .0.code())]
    PermissionDenied(crate::domain::access::Denial),
    #[error("UNAUTHENTICATED: a valid bearer token is required")]
    Unauthenticated,
    /// The entity's state does not allow it (INVALID_STATE, DEADLINE_PASSED, COUNT_MISMATCH...).
    #[error("{0}")]
    FailedPrecondition(String),
    /// A lost optimistic-concurrency race (STALE_VERSION).
    #[error("{0}")]
    Aborted(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("internal: {0}")]
    Internal(String),
}

impl VerificationError {
    /// The shared error code for this error.
    #[must_use]
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::InvalidArgument { .. } => Some(ErrorCode::InvalidArgument),
            Self::NotFound { .. } => Some(ErrorCode::NotFound),
            Self::AlreadyExists(_) => Some(ErrorCode::AlreadyExists),
            Self::PermissionDenied(_) => Some(ErrorCode::PermissionDenied),
            Self::Unauthenticated => Some(ErrorCode::Unauthenticated),
            Self::FailedPrecondition(_) => Some(ErrorCode::FailedPrecondition),
            Self::Unimplemented { .. } | Self::Aborted(_) => None,
            Self::Store(_) | Self::Internal(_) => Some(ErrorCode::Internal),
        }
    }
}

impl From<crate::domain::validate::Invalid> for VerificationError {
    fn from(invalid: crate::domain::validate::Invalid) -> Self {
        Self::InvalidArgument {
            field: invalid.field,
            description: invalid.description.to_owned(),
        }
    }
}

impl From<VerificationError> for tonic::Status {
    fn from(error: VerificationError) -> Self {
        match error.code() {
            Some(code) => to_status(code, error.to_string()),
            // `ErrorCode` has no UNIMPLEMENTED or ABORTED; they are built here, the one place
            // statuses are made.
            None => match error {
                VerificationError::Aborted(message) => tonic::Status::aborted(message),
                other => tonic::Status::unimplemented(other.to_string()),
            },
        }
    }
}
