//! The one error enum of the eligibility service and its single mapping to `tonic::Status`.

use cmr_runtime::{ErrorCode, to_status};

use crate::store::StoreError;

/// Everything an eligibility RPC can fail with. Messages hold ids, row indexes and field
/// names, never record text.
#[derive(Debug, thiserror::Error)]
pub enum EligibilityError {
    #[error("{field}: {description}")]
    InvalidArgument {
        field: &'static str,
        description: String,
    },
    #[error("{what} {id} not found")]
    NotFound { what: &'static str, id: String },
    #[error("{0}")]
    FailedPrecondition(String),
    /// Optimistic concurrency lost (`expected_latest_version`, concurrent puts).
    #[error("{0}")]
    Aborted(String),
    /// The ingest service could not be reached or failed.
    #[error("ingest: {0}")]
    Ingest(String),
    #[error("{rpc} is not implemented yet (issue {issue})")]
    Unimplemented {
        rpc: &'static str,
        issue: &'static str,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("internal: {0}")]
    Internal(String),
}

impl EligibilityError {
    /// The shared error code for this error (`None`: a code `ErrorCode` does not have).
    #[must_use]
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::InvalidArgument { .. } => Some(ErrorCode::InvalidArgument),
            Self::NotFound { .. } => Some(ErrorCode::NotFound),
            Self::FailedPrecondition(_) => Some(ErrorCode::FailedPrecondition),
            Self::Ingest(_) => Some(ErrorCode::Unavailable),
            Self::Aborted(_) | Self::Unimplemented { .. } => None,
            Self::Store(_) | Self::Internal(_) => Some(ErrorCode::Internal),
        }
    }
}

impl From<EligibilityError> for tonic::Status {
    fn from(error: EligibilityError) -> Self {
        match (error.code(), &error) {
            (Some(code), _) => to_status(code, error.to_string()),
            // `ErrorCode` has neither ABORTED nor UNIMPLEMENTED; they are built here, the one
            // place statuses are made.
            (None, EligibilityError::Aborted(_)) => tonic::Status::aborted(error.to_string()),
            (None, _) => tonic::Status::unimplemented(error.to_string()),
        }
    }
}
