//! Contract checks over the compiled descriptor set: the five packages, the four services
//! with their key RPCs and streaming shapes, and the suite-wide request conventions
//! (scope everywhere, paging on List*, idempotency keys on mutations).

use std::collections::{BTreeMap, BTreeSet};

use prost::Message;
use prost_types::field_descriptor_proto::Type;
use prost_types::{DescriptorProto, FileDescriptorSet, MethodDescriptorProto};

const SCOPE: &str = ".cmr.common.v1.Scope";
const PAGE_REQUEST: &str = ".cmr.common.v1.PageRequest";
const PAGE_RESPONSE: &str = ".cmr.common.v1.PageResponse";
const IDEMPOTENCY_KEY: &str = ".cmr.common.v1.IdempotencyKey";

/// (Fully qualified service name, key RPCs it must have).
const SERVICES: [(&str, &[&str]); 4] = [
    (
        "cmr.ingest.v1.IngestService",
        &[
            "UploadDojFile",
            "IngestRapSheet",
            "GetBatch",
            "ListBatches",
            "ListQuarantinedRows",
            "ListSubjects",
            "StreamSubjects",
            "GetSubject",
            "ListCounts",
        ],
    ),
    (
        "cmr.eligibility.v1.EligibilityService",
        &[
            "StartRun",
            "StreamRunResults",
            "GetRun",
            "ListRuns",
            "PutPolicy",
            "GetPolicy",
            "ListPolicies",
            "Explain",
        ],
    ),
    (
        "cmr.verification.v1.VerificationService",
        &[
            "SubmitDeterminations",
            "ListReviewItems",
            "GetReviewItem",
            "Concur",
            "Challenge",
            "Resolve",
            "BulkAct",
            "Comment",
            "Reassign",
            "SetDeadline",
            "GetDeadline",
            "ApplyDeadline",
            "ListChallengedForDefender",
            "ListUnchallengedForCourt",
            "ListAuditEvents",
            "VerifyAuditChain",
            "PutAgency",
            "ListAgencies",
            "PutRoutingRule",
        ],
    ),
    (
        "cmr.filing.v1.FilingService",
        &[
            "SubmitVerifiedRelief",
            "GenerateFilings",
            "DownloadDocument",
            "ListDocuments",
            "RecordOutcome",
            "ListOutcomes",
            "ExportDojUpdate",
            "ImpactReport",
        ],
    ),
];

/// RPCs that only read; every other RPC must take an idempotency key.
fn is_read_only(method: &str) -> bool {
    ["Get", "List", "Stream", "Download"]
        .iter()
        .any(|prefix| method.starts_with(prefix))
        || [
            "Explain",
            "VerifyAuditChain",
            "ImpactReport",
            "ExportRunOutputs",
        ]
        .contains(&method)
}

struct Contracts {
    set: FileDescriptorSet,
    /// Fully qualified message name (leading dot) -> descriptor.
    messages: BTreeMap<String, DescriptorProto>,
}

impl Contracts {
    fn load() -> Self {
        let set = FileDescriptorSet::decode(cmr_proto::FILE_DESCRIPTOR_SET)
            .expect("FILE_DESCRIPTOR_SET decodes as a FileDescriptorSet");
        let mut messages = BTreeMap::new();
        for file in &set.file {
            let prefix = format!(".{}", file.package());
            for message in &file.message_type {
                collect_messages(&prefix, message, &mut messages);
            }
        }
        Contracts { set, messages }
    }

    fn message(&self, name: &str) -> &DescriptorProto {
        self.messages
            .get(name)
            .unwrap_or_else(|| panic!("message {name} is not in the descriptor set"))
    }

    /// (service full name, method) for every service in a `cmr.` package.
    fn methods(&self) -> Vec<(String, &MethodDescriptorProto)> {
        let mut out = Vec::new();
        for file in &self.set.file {
            if !file.package().starts_with("cmr.") {
                continue;
            }
            for service in &file.service {
                let full = format!("{}.{}", file.package(), service.name());
                for method in &service.method {
                    out.push((full.clone(), method));
                }
            }
        }
        out
    }

    /// Whether `message` has a field `name` of message type `type_name`, either directly
    /// or (when `via_oneof` is allowed) inside a message that is a member of one of its
    /// oneofs, as in a client-streaming upload whose first message carries metadata.
    fn has_field(&self, message: &str, name: &str, type_name: &str, via_oneof: bool) -> bool {
        let descriptor = self.message(message);
        descriptor.field.iter().any(|field| {
            let direct = field.name() == name
                && field.r#type() == Type::Message
                && field.type_name() == type_name;
            let nested = via_oneof
                && field.oneof_index.is_some()
                && field.r#type() == Type::Message
                && self.has_field(field.type_name(), name, type_name, false);
            direct || nested
        })
    }
}

fn collect_messages(
    prefix: &str,
    message: &DescriptorProto,
    out: &mut BTreeMap<String, DescriptorProto>,
) {
    let full = format!("{prefix}.{}", message.name());
    for nested in &message.nested_type {
        collect_messages(&full, nested, out);
    }
    out.insert(full, message.clone());
}

#[test]
fn five_packages_with_matching_paths() {
    let contracts = Contracts::load();
    let packages: BTreeSet<&str> = contracts.set.file.iter().map(|f| f.package()).collect();
    for package in [
        "cmr.common.v1",
        "cmr.ingest.v1",
        "cmr.eligibility.v1",
        "cmr.verification.v1",
        "cmr.filing.v1",
    ] {
        assert!(packages.contains(package), "package {package} missing");
    }
    // proto/cmr/<svc>/v1/x.proto must declare package cmr.<svc>.v1.
    for file in contracts
        .set
        .file
        .iter()
        .filter(|f| f.name().starts_with("cmr/"))
    {
        let dir = file.name().rsplit_once('/').expect("file in a folder").0;
        assert_eq!(dir.replace('/', "."), file.package(), "{}", file.name());
        assert_eq!(file.syntax(), "proto3", "{}", file.name());
    }
}

#[test]
fn four_services_with_key_rpcs() {
    let contracts = Contracts::load();
    let methods = contracts.methods();
    let services: BTreeSet<&str> = methods.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(services.len(), 4, "exactly four services: {services:?}");
    assert_eq!(
        services,
        cmr_proto::SERVICE_NAMES
            .into_iter()
            .collect::<BTreeSet<_>>()
    );
    for (service, rpcs) in SERVICES {
        let present: BTreeSet<&str> = methods
            .iter()
            .filter(|(s, _)| s == service)
            .map(|(_, m)| m.name())
            .collect();
        for rpc in rpcs {
            assert!(present.contains(rpc), "{service}/{rpc} missing");
        }
    }
}

#[test]
fn streaming_shapes() {
    let contracts = Contracts::load();
    let shape = |service: &str, rpc: &str| {
        let (_, method) = contracts
            .methods()
            .into_iter()
            .find(|(s, m)| s == service && m.name() == rpc)
            .unwrap_or_else(|| panic!("{service}/{rpc} missing"));
        (method.client_streaming(), method.server_streaming())
    };
    assert_eq!(
        shape("cmr.ingest.v1.IngestService", "UploadDojFile"),
        (true, false)
    );
    assert_eq!(
        shape("cmr.ingest.v1.IngestService", "StreamSubjects"),
        (false, true)
    );
    assert_eq!(
        shape("cmr.eligibility.v1.EligibilityService", "StreamRunResults"),
        (false, true)
    );
    assert_eq!(
        shape("cmr.filing.v1.FilingService", "DownloadDocument"),
        (false, true)
    );
    assert_eq!(
        shape("cmr.filing.v1.FilingService", "ExportDojUpdate"),
        (false, true)
    );

    // The upload stream: metadata first, then bytes, as one oneof.
    let upload = contracts.message(".cmr.ingest.v1.UploadDojFileRequest");
    let members: BTreeMap<&str, (Option<i32>, Type)> = upload
        .field
        .iter()
        .map(|f| (f.name(), (f.oneof_index, f.r#type())))
        .collect();
    assert_eq!(members["metadata"], (Some(0), Type::Message));
    assert_eq!(members["chunk"], (Some(0), Type::Bytes));
}

#[test]
fn every_request_carries_a_scope() {
    let contracts = Contracts::load();
    let mut missing = Vec::new();
    for (service, method) in contracts.methods() {
        // Only a client stream may carry the scope in its first (oneof) message.
        let via_oneof = method.client_streaming();
        if !contracts.has_field(method.input_type(), "scope", SCOPE, via_oneof) {
            missing.push(format!("{service}/{}", method.name()));
        }
    }
    assert!(missing.is_empty(), "requests without scope: {missing:?}");
}

#[test]
fn list_calls_paginate() {
    let contracts = Contracts::load();
    let mut missing = Vec::new();
    for (service, method) in contracts.methods() {
        if !method.name().starts_with("List") {
            continue;
        }
        if !contracts.has_field(method.input_type(), "page", PAGE_REQUEST, false)
            || !contracts.has_field(method.output_type(), "page", PAGE_RESPONSE, false)
        {
            missing.push(format!("{service}/{}", method.name()));
        }
    }
    assert!(missing.is_empty(), "List calls without paging: {missing:?}");
}

#[test]
fn mutating_calls_take_an_idempotency_key() {
    let contracts = Contracts::load();
    let mut missing = Vec::new();
    for (service, method) in contracts.methods() {
        if is_read_only(method.name()) {
            continue;
        }
        let via_oneof = method.client_streaming();
        if !contracts.has_field(
            method.input_type(),
            "idempotency_key",
            IDEMPOTENCY_KEY,
            via_oneof,
        ) {
            missing.push(format!("{service}/{}", method.name()));
        }
    }
    assert!(
        missing.is_empty(),
        "mutations without idempotency key: {missing:?}"
    );
}

#[test]
fn shared_enums_have_the_required_values() {
    let contracts = Contracts::load();
    let common = contracts
        .set
        .file
        .iter()
        .filter(|f| f.package() == "cmr.common.v1")
        .flat_map(|f| f.enum_type.iter())
        .map(|e| {
            (
                e.name(),
                e.value.iter().map(|v| v.name()).collect::<BTreeSet<_>>(),
            )
        })
        .collect::<BTreeMap<_, _>>();
    for value in [
        "DETERMINATION_OUTCOME_DISMISS_AND_SEAL",
        "DETERMINATION_OUTCOME_REDUCE",
        "DETERMINATION_OUTCOME_NOT_ELIGIBLE",
        "DETERMINATION_OUTCOME_HAND_REVIEW",
    ] {
        assert!(common["DeterminationOutcome"].contains(value), "{value}");
    }
    for value in ["TRACK_APPLICATION", "TRACK_PETITION"] {
        assert!(common["Track"].contains(value), "{value}");
    }
}

#[test]
fn generated_rust_round_trips() {
    use cmr_proto::common::v1::{CivilDate, IdempotencyKey, PageRequest, Scope};
    use cmr_proto::eligibility::v1::{PolicyRef, StartRunRequest};
    use cmr_proto::ingest::v1::{UploadDojFileRequest, UploadMetadata, upload_doj_file_request};

    let scope = Scope {
        county_code: "34".into(),
        county_name: "SACRAMENTO".into(),
        agency_id: String::new(),
    };
    let request = StartRunRequest {
        scope: Some(scope.clone()),
        idempotency_key: Some(IdempotencyKey {
            key: "01J9ZK3Q".into(),
        }),
        batch_id: "b1".into(),
        policy: Some(PolicyRef {
            name: "sacramento".into(),
            version: 0,
        }),
        compute_at: Some(CivilDate {
            year: 2020,
            month: 7,
            day: 1,
        }),
        submit_to_verification: true,
    };
    let decoded = StartRunRequest::decode(request.encode_to_vec().as_slice()).expect("decodes");
    assert_eq!(decoded, request);

    let first = UploadDojFileRequest {
        payload: Some(upload_doj_file_request::Payload::Metadata(UploadMetadata {
            scope: Some(scope),
            ..Default::default()
        })),
    };
    assert!(!first.encode_to_vec().is_empty());
    let _ = PageRequest::default();

    // Clients and servers exist for all four services.
    type _Ingest = cmr_proto::ingest::v1::ingest_service_client::IngestServiceClient<
        tonic::transport::Channel,
    >;
    type _Eligibility =
        cmr_proto::eligibility::v1::eligibility_service_client::EligibilityServiceClient<
            tonic::transport::Channel,
        >;
    type _Verification =
        cmr_proto::verification::v1::verification_service_client::VerificationServiceClient<
            tonic::transport::Channel,
        >;
    type _Filing = cmr_proto::filing::v1::filing_service_client::FilingServiceClient<
        tonic::transport::Channel,
    >;
    let _ = cmr_proto::filing::v1::filing_service_server::SERVICE_NAME;
}
