//! Generated code for the cmr v1 gRPC contracts.
//!
//! The `.proto` sources live in the workspace's `proto/cmr/<package>/v1/` and are the
//! single source of truth; this crate only compiles them (see `build.rs`). Each module
//! mirrors a protobuf package with the leading `cmr.` dropped, e.g. `cmr.ingest.v1` is
//! [`ingest::v1`]. Clients and servers are generated for every service
//! (`ingest::v1::ingest_service_client::IngestServiceClient`,
//! `ingest::v1::ingest_service_server::IngestServiceServer`, ...).

/// `cmr.common.v1`: scope, paging, idempotency, dates, errors, determinations.
pub mod common {
    /// Version 1.
    pub mod v1 {
        #![allow(clippy::all, clippy::pedantic, missing_docs)]
        tonic::include_proto!("cmr.common.v1");
    }
}

/// `cmr.ingest.v1`: DOJ research files and RAP sheets in, subjects out.
pub mod ingest {
    /// Version 1.
    pub mod v1 {
        #![allow(clippy::all, clippy::pedantic, missing_docs)]
        tonic::include_proto!("cmr.ingest.v1");
    }
}

/// `cmr.eligibility.v1`: versioned policies, runs and determinations.
pub mod eligibility {
    /// Version 1.
    pub mod v1 {
        #![allow(clippy::all, clippy::pedantic, missing_docs)]
        tonic::include_proto!("cmr.eligibility.v1");
    }
}

/// `cmr.verification.v1`: routing, review decisions, deadlines, notices, audit.
pub mod verification {
    /// Version 1.
    pub mod v1 {
        #![allow(clippy::all, clippy::pedantic, missing_docs)]
        tonic::include_proto!("cmr.verification.v1");
    }
}

/// `cmr.filing.v1`: court paperwork, outcomes, DOJ update, impact report.
pub mod filing {
    /// Version 1.
    pub mod v1 {
        #![allow(clippy::all, clippy::pedantic, missing_docs)]
        tonic::include_proto!("cmr.filing.v1");
    }
}

/// Encoded `google.protobuf.FileDescriptorSet` of every cmr proto (imports included), for
/// `tonic_reflection::server::Builder::register_encoded_file_descriptor_set`.
pub const FILE_DESCRIPTOR_SET: &[u8] = tonic::include_file_descriptor_set!("cmr_descriptor");

/// Fully qualified names of the four gRPC services, e.g. for health reporting.
pub const SERVICE_NAMES: [&str; 4] = [
    "cmr.ingest.v1.IngestService",
    "cmr.eligibility.v1.EligibilityService",
    "cmr.verification.v1.VerificationService",
    "cmr.filing.v1.FilingService",
];
