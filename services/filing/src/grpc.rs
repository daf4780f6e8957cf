//! The tonic trait impl: converts proto to domain, calls [`Filings`], converts back.

use cmr_proto::common::v1 as common;
use cmr_proto::filing::v1 as pb;
use cmr_proto::filing::v1::filing_service_server::FilingService;
use prost::Message;
use sha2::{Digest, Sha256};
use tonic::{Request, Response, Status};

use crate::domain::model::{County, Filing, FilingFilter};
use crate::domain::validate;
use crate::error::FilingError;
use crate::service::{Filings, IncomingRelief, Submit};

const DEFAULT_PAGE: u64 = 100;
const MAX_PAGE: u64 = 1000;
/// The issue that brings courts, filing batches, documents and outcomes.
const DOCUMENTS_ISSUE: &str = "6";

/// The gRPC face of the filing service.
#[derive(Clone, Debug)]
pub struct FilingGrpc {
    filings: Filings,
}

impl FilingGrpc {
    #[must_use]
    pub fn new(filings: Filings) -> Self {
        Self { filings }
    }
}

fn scope_county(scope: Option<&common::Scope>) -> Result<County, FilingError> {
    let scope = scope.ok_or(FilingError::InvalidArgument {
        field: "scope",
        description: "scope is required".to_owned(),
    })?;
    Ok(validate::county(&scope.county_code, &scope.county_name)?)
}

fn page_size(page: Option<&common::PageRequest>) -> u64 {
    match page.map_or(0, |p| p.page_size) {
        n if n <= 0 => DEFAULT_PAGE,
        n => u64::try_from(n).unwrap_or(MAX_PAGE).min(MAX_PAGE),
    }
}

fn page_token(page: Option<&common::PageRequest>) -> &str {
    page.map_or("", |p| p.page_token.as_str())
}

fn bad_token() -> FilingError {
    FilingError::InvalidArgument {
        field: "page.page_token",
        description: "INVALID_PAGE_TOKEN: page token is not one this service issued".to_owned(),
    }
}

fn unimplemented(rpc: &'static str) -> Status {
    FilingError::Unimplemented {
        rpc,
        issue: DOCUMENTS_ISSUE,
    }
    .into()
}

fn timestamp(ms: i64) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: ms.div_euclid(1000),
        nanos: i32::try_from(ms.rem_euclid(1000) * 1_000_000).unwrap_or(0),
    }
}

fn small(value: i32) -> i16 {
    i16::try_from(value).unwrap_or(-1)
}

fn incoming(relief: &pb::VerifiedRelief) -> IncomingRelief {
    IncomingRelief {
        review_item_id: relief.review_item_id.clone(),
        decision_id: relief.decision_id.clone(),
        determination_id: relief.determination_id.clone(),
        run_id: relief.run_id.clone(),
        subject_id: relief.subject_id.clone(),
        agency_id: relief.agency_id.clone(),
        court_ori_code: relief.court_ori_code.clone(),
        relief_type: small(relief.relief_type),
        snapshot: relief.encode_to_vec(),
    }
}

fn to_pb_filing(filing: &Filing) -> Result<pb::Filing, FilingError> {
    let relief = pb::VerifiedRelief::decode(filing.relief.as_slice())
        .map_err(|_| FilingError::Internal(format!("filing {} is corrupt", filing.id)))?;
    Ok(pb::Filing {
        filing_id: filing.id.clone(),
        scope: Some(common::Scope {
            county_code: filing.county.code.clone(),
            county_name: filing.county.name.clone(),
            agency_id: String::new(),
        }),
        relief: Some(relief),
        status: filing.status as i32,
        court_id: filing.court_id.clone(),
        filing_batch_id: String::new(),
        filed_on: None,
        outcome: None,
        created_at: Some(timestamp(filing.created_at_ms)),
        updated_at: Some(timestamp(filing.updated_at_ms)),
    })
}

fn empty_page() -> Option<common::PageResponse> {
    Some(common::PageResponse {
        next_page_token: String::new(),
        total_size: 0,
    })
}

type Bytes<T> = tokio_stream::Empty<Result<T, Status>>;

#[tonic::async_trait]
impl FilingService for FilingGrpc {
    async fn submit_verified_relief(
        &self,
        request: Request<pb::SubmitVerifiedReliefRequest>,
    ) -> Result<Response<pb::SubmitVerifiedReliefResponse>, Status> {
        let request = request.into_inner();
        let county = scope_county(request.scope.as_ref())?;
        let key = validate::idempotency_key(
            request
                .idempotency_key
                .as_ref()
                .map_or("", |k| k.key.as_str()),
        )
        .map_err(FilingError::from)?;
        let request_sha256 = hex(&Sha256::digest(request.encode_to_vec()));
        let outcome = self
            .filings
            .submit(Submit {
                county,
                idempotency_key: key,
                request_sha256,
                items: request.items.iter().map(incoming).collect(),
            })
            .await?;
        Ok(Response::new(pb::SubmitVerifiedReliefResponse {
            accepted: outcome.accepted,
            duplicates: outcome.duplicates,
            unmatched_court_review_item_ids: outcome.unmatched_court,
        }))
    }

    async fn list_filings(
        &self,
        request: Request<pb::ListFilingsRequest>,
    ) -> Result<Response<pb::ListFilingsResponse>, Status> {
        let request = request.into_inner();
        let county = scope_county(request.scope.as_ref())?;
        if !request.filing_batch_id.is_empty() {
            // No filing is in a batch until GenerateFilings exists (issue 6).
            return Ok(Response::new(pb::ListFilingsResponse {
                filings: Vec::new(),
                page: empty_page(),
            }));
        }
        let filter = FilingFilter {
            court_id: (!request.court_id.is_empty()).then(|| request.court_id.clone()),
            statuses: request.statuses.iter().copied().map(small).collect(),
            relief_type: (request.relief_type != 0).then(|| small(request.relief_type)),
            subject_id: (!request.subject_id.is_empty()).then(|| request.subject_id.clone()),
        };
        let token = page_token(request.page.as_ref());
        let after = if token.is_empty() {
            None
        } else if crate::domain::ids::is_id(token) {
            Some(token)
        } else {
            return Err(bad_token().into());
        };
        let limit = page_size(request.page.as_ref());
        let mut filings = self
            .filings
            .store
            .list_filings(&county, &filter, after, limit + 1)
            .await
            .map_err(FilingError::from)?;
        let next = if filings.len() as u64 > limit {
            filings.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
            filings.last().map(|f| f.id.clone()).unwrap_or_default()
        } else {
            String::new()
        };
        Ok(Response::new(pb::ListFilingsResponse {
            filings: filings.iter().map(to_pb_filing).collect::<Result<_, _>>()?,
            page: Some(common::PageResponse {
                next_page_token: next,
                total_size: -1,
            }),
        }))
    }

    async fn generate_filings(
        &self,
        _request: Request<pb::GenerateFilingsRequest>,
    ) -> Result<Response<pb::GenerateFilingsResponse>, Status> {
        Err(unimplemented("GenerateFilings"))
    }

    async fn get_filing_batch(
        &self,
        _request: Request<pb::GetFilingBatchRequest>,
    ) -> Result<Response<pb::GetFilingBatchResponse>, Status> {
        Err(unimplemented("GetFilingBatch"))
    }

    async fn list_filing_batches(
        &self,
        _request: Request<pb::ListFilingBatchesRequest>,
    ) -> Result<Response<pb::ListFilingBatchesResponse>, Status> {
        Err(unimplemented("ListFilingBatches"))
    }

    async fn mark_filed(
        &self,
        _request: Request<pb::MarkFiledRequest>,
    ) -> Result<Response<pb::MarkFiledResponse>, Status> {
        Err(unimplemented("MarkFiled"))
    }

    async fn list_documents(
        &self,
        _request: Request<pb::ListDocumentsRequest>,
    ) -> Result<Response<pb::ListDocumentsResponse>, Status> {
        Err(unimplemented("ListDocuments"))
    }

    type DownloadDocumentStream = Bytes<pb::DownloadDocumentResponse>;

    async fn download_document(
        &self,
        _request: Request<pb::DownloadDocumentRequest>,
    ) -> Result<Response<Self::DownloadDocumentStream>, Status> {
        Err(unimplemented("DownloadDocument"))
    }

    async fn record_outcome(
        &self,
        _request: Request<pb::RecordOutcomeRequest>,
    ) -> Result<Response<pb::RecordOutcomeResponse>, Status> {
        Err(unimplemented("RecordOutcome"))
    }

    async fn list_outcomes(
        &self,
        _request: Request<pb::ListOutcomesRequest>,
    ) -> Result<Response<pb::ListOutcomesResponse>, Status> {
        Err(unimplemented("ListOutcomes"))
    }

    type ExportDojUpdateStream = Bytes<pb::ExportDojUpdateResponse>;

    async fn export_doj_update(
        &self,
        _request: Request<pb::ExportDojUpdateRequest>,
    ) -> Result<Response<Self::ExportDojUpdateStream>, Status> {
        Err(unimplemented("ExportDojUpdate"))
    }

    async fn impact_report(
        &self,
        _request: Request<pb::ImpactReportRequest>,
    ) -> Result<Response<pb::ImpactReportResponse>, Status> {
        Err(unimplemented("ImpactReport"))
    }

    async fn put_court(
        &self,
        _request: Request<pb::PutCourtRequest>,
    ) -> Result<Response<pb::PutCourtResponse>, Status> {
        Err(unimplemented("PutCourt"))
    }

    async fn list_courts(
        &self,
        _request: Request<pb::ListCourtsRequest>,
    ) -> Result<Response<pb::ListCourtsResponse>, Status> {
        Err(unimplemented("ListCourts"))
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
