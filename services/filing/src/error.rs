//! The one error enum of the filing service and its single mapping to `tonic::Status`.

use cmr_runtime::{ErrorCode, to_status};

use crate::store::StoreError;

/// Everything a filing RPC can fail with. Messages hold ids and field names, never
/// record text.
#[derive(Debug, thiserror::Error)]
pub enum FilingError {
    #[error("{field}: {description}")]
    InvalidArgument {
        field: &'static str,
        description: String,
    },
    #[error("{what} {id} not found")]
    NotFound { what: &'static str, id: String },
    #[error("{0}")]
    AlreadyExists(String),
    /// The entity is not in the state the operation needs; the message names its id and
    /// state.
    #[error("{0}")]
    FailedPrecondition(String),
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

impl FilingError {
    /// The shared error code for this error.
    #[must_use]
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::InvalidArgument { .. } => Some(ErrorCode::InvalidArgument),
            Self::NotFound { .. } => Some(ErrorCode::NotFound),
            Self::AlreadyExists(_) => Some(ErrorCode::AlreadyExists),
            Self::FailedPrecondition(_) => Some(ErrorCode::FailedPrecondition),
            Self::Unimplemented { .. } => None,
            Self::Store(_) | Self::Internal(_) => Some(ErrorCode::Internal),
        }
    }
}

impl From<crate::domain::validate::Invalid> for FilingError {
    fn from(invalid: crate::domain::validate::Invalid) -> Self {
        Self::InvalidArgument {
            field: invalid.field,
            description: invalid.description.to_owned(),
        }
    }
}

impl From<FilingError> for tonic::Status {
    fn from(error: FilingError) -> Self {
        match error.code() {
            Some(code) => to_status(code, error.to_string()),
            // `ErrorCode` has no UNIMPLEMENTED; an RPC of a later issue is not an error of
            // this service, so it is built here, the one place statuses are made.
            None => tonic::Status::unimplemented(error.to_string()),
        }
    }
}
