//! The tonic trait impl: converts proto to domain, calls [`Filings`], converts back.

use cmr_proto::common::v1 as common;
use cmr_proto::filing::v1 as pb;
use cmr_proto::filing::v1::filing_service_server::FilingService;
use prost::Message;
use sha2::{Digest, Sha256};
use tonic::{Request, Response, Status};

use crate::documents::DocumentKind;
use crate::domain::ids::now_ms;
use crate::domain::impact::Dimension;
use crate::domain::model::{
    BatchFilter, BatchView, County, Court, Document, DocumentFilter, Filing, FilingFilter, Outcome,
    OutcomeFilter, date_number, date_parts,
};
use crate::domain::validate;
use crate::error::FilingError;
use crate::lifecycle::{Actor, Export, Generate, Impact, RecordOutcome, sha256_hex};
use crate::service::{Filings, IncomingRelief, Submit};

const DEFAULT_PAGE: u64 = 100;
const MAX_PAGE: u64 = 1000;

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

fn to_pb_filing(filing: &Filing, outcome: Option<&Outcome>) -> Result<pb::Filing, FilingError> {
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
        filing_batch_id: filing.filing_batch_id.clone(),
        filed_on: civil_out(filing.filed_on),
        outcome: outcome.map(to_pb_outcome),
        created_at: Some(timestamp(filing.created_at_ms)),
        updated_at: Some(timestamp(filing.updated_at_ms)),
    })
}

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
        let filter = FilingFilter {
            filing_batch_id: non_empty(&request.filing_batch_id),
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
        let outcome_ids: Vec<String> = filings
            .iter()
            .filter(|f| !f.current_outcome_id.is_empty())
            .map(|f| f.current_outcome_id.clone())
            .collect();
        let outcomes = self
            .filings
            .store
            .outcomes_by_ids(&county, &outcome_ids)
            .await
            .map_err(FilingError::from)?;
        let filings = filings
            .iter()
            .map(|f| to_pb_filing(f, outcomes.iter().find(|o| o.id == f.current_outcome_id)))
            .collect::<Result<_, _>>()?;
        Ok(Response::new(pb::ListFilingsResponse {
            filings,
            page: Some(common::PageResponse {
                next_page_token: next,
                total_size: -1,
            }),
        }))
    }

    async fn submit_challenged_items(
        &self,
        request: Request<pb::SubmitChallengedItemsRequest>,
    ) -> Result<Response<pb::SubmitChallengedItemsResponse>, Status> {
        let request = request.into_inner();
        let county = scope_county(request.scope.as_ref())?;
        let response = self
            .idempotent(
                &county,
                "SubmitChallengedItems",
                request.idempotency_key.as_ref(),
                &request,
                || async {
                    let (accepted, duplicates) = self
                        .filings
                        .submit_challenged(&county, request.items.clone())
                        .await?;
                    Ok(pb::SubmitChallengedItemsResponse {
                        accepted,
                        duplicates,
                    })
                },
            )
            .await?;
        Ok(Response::new(response))
    }

    async fn generate_filings(
        &self,
        request: Request<pb::GenerateFilingsRequest>,
    ) -> Result<Response<pb::GenerateFilingsResponse>, Status> {
        let request = request.into_inner();
        let county = scope_county(request.scope.as_ref())?;
        let mut kinds = Vec::with_capacity(request.kinds.len());
        for kind in &request.kinds {
            kinds.push(
                DocumentKind::from_i32(*kind).ok_or(FilingError::InvalidArgument {
                    field: "kinds",
                    description: "unknown document kind".to_owned(),
                })?,
            );
        }
        kinds.sort();
        kinds.dedup();
        let document_date = date_in("document_date", request.document_date.as_ref())?;
        let generate = Generate {
            court_id: request.court_id.clone(),
            agency_id: request.agency_id.clone(),
            filing_batch_id: request.filing_batch_id.clone(),
            filing_ids: request.filing_ids.clone(),
            kinds,
            signer: request.signer.clone(),
            document_date,
            actor: actor(request.scope.as_ref()),
        };
        let response = self
            .idempotent(
                &county,
                "GenerateFilings",
                request.idempotency_key.as_ref(),
                &request,
                || async {
                    let (view, documents) = self.filings.generate(&county, generate).await?;
                    Ok(pb::GenerateFilingsResponse {
                        batch: Some(to_pb_batch(&view)),
                        documents: documents.iter().map(to_pb_document).collect(),
                    })
                },
            )
            .await?;
        Ok(Response::new(response))
    }

    async fn get_filing_batch(
        &self,
        request: Request<pb::GetFilingBatchRequest>,
    ) -> Result<Response<pb::GetFilingBatchResponse>, Status> {
        let request = request.into_inner();
        let county = scope_county(request.scope.as_ref())?;
        let view = self
            .filings
            .batch_view(&county, &request.filing_batch_id)
            .await?;
        Ok(Response::new(pb::GetFilingBatchResponse {
            batch: Some(to_pb_batch(&view)),
        }))
    }

    async fn list_filing_batches(
        &self,
        request: Request<pb::ListFilingBatchesRequest>,
    ) -> Result<Response<pb::ListFilingBatchesResponse>, Status> {
        let request = request.into_inner();
        let county = scope_county(request.scope.as_ref())?;
        let filter = BatchFilter {
            court_id: non_empty(&request.court_id),
            agency_id: non_empty(&request.agency_id),
            status: (request.status != 0).then(|| small(request.status)),
        };
        let after = after_token(request.page.as_ref())?;
        let limit = page_size(request.page.as_ref());
        let batches = self
            .filings
            .store
            .list_batches(&county, &filter, after, limit + 1)
            .await
            .map_err(FilingError::from)?;
        let (batches, next) = paged(batches, limit, |b| b.id.clone());
        let mut out = Vec::with_capacity(batches.len());
        for batch in batches {
            let view = self
                .filings
                .store
                .batch_view(batch)
                .await
                .map_err(FilingError::from)?;
            out.push(to_pb_batch(&view));
        }
        Ok(Response::new(pb::ListFilingBatchesResponse {
            batches: out,
            page: Some(common::PageResponse {
                next_page_token: next,
                total_size: -1,
            }),
        }))
    }

    async fn mark_filed(
        &self,
        request: Request<pb::MarkFiledRequest>,
    ) -> Result<Response<pb::MarkFiledResponse>, Status> {
        let request = request.into_inner();
        let county = scope_county(request.scope.as_ref())?;
        let filed_on = date_in("filed_on", request.filed_on.as_ref())?.ok_or(
            FilingError::InvalidArgument {
                field: "filed_on",
                description: "filed_on is required".to_owned(),
            },
        )?;
        if request.court_filing_reference.len() > 256 {
            return Err(FilingError::InvalidArgument {
                field: "court_filing_reference",
                description: "at most 256 characters".to_owned(),
            }
            .into());
        }
        let response = self
            .idempotent(
                &county,
                "MarkFiled",
                request.idempotency_key.as_ref(),
                &request,
                || async {
                    let view = self
                        .filings
                        .mark_filed(
                            &county,
                            &request.filing_batch_id,
                            filed_on,
                            &request.court_filing_reference,
                        )
                        .await?;
                    Ok(pb::MarkFiledResponse {
                        batch: Some(to_pb_batch(&view)),
                    })
                },
            )
            .await?;
        Ok(Response::new(response))
    }

    async fn list_documents(
        &self,
        request: Request<pb::ListDocumentsRequest>,
    ) -> Result<Response<pb::ListDocumentsResponse>, Status> {
        let request = request.into_inner();
        let county = scope_county(request.scope.as_ref())?;
        let filter = DocumentFilter {
            filing_batch_id: non_empty(&request.filing_batch_id),
            kind: (request.kind != 0).then(|| small(request.kind)),
            subject_id: non_empty(&request.subject_id),
            include_superseded: request.include_superseded,
        };
        let after = after_token(request.page.as_ref())?;
        let limit = page_size(request.page.as_ref());
        let documents = self
            .filings
            .store
            .list_documents(&county, &filter, after, limit + 1)
            .await
            .map_err(FilingError::from)?;
        let (documents, next) = paged(documents, limit, |d| d.id.clone());
        Ok(Response::new(pb::ListDocumentsResponse {
            documents: documents.iter().map(to_pb_document).collect(),
            page: Some(common::PageResponse {
                next_page_token: next,
                total_size: -1,
            }),
        }))
    }

    type DownloadDocumentStream = Chunks<pb::DownloadDocumentResponse>;

    async fn download_document(
        &self,
        request: Request<pb::DownloadDocumentRequest>,
    ) -> Result<Response<Self::DownloadDocumentStream>, Status> {
        let request = request.into_inner();
        let county = scope_county(request.scope.as_ref())?;
        let (document, bytes) = self
            .filings
            .download(
                &county,
                &request.document_id,
                &actor(request.scope.as_ref()),
            )
            .await?;
        let info = common::FileInfo {
            file_name: document.file_name.clone(),
            media_type: document.media_type.clone(),
            size_bytes: document.size_bytes,
            sha256: document.sha256.clone(),
        };
        let mut parts = vec![Ok(pb::DownloadDocumentResponse {
            part: Some(pb::download_document_response::Part::Info(info)),
        })];
        parts.extend(bytes.chunks(CHUNK).map(|c| {
            Ok(pb::DownloadDocumentResponse {
                part: Some(pb::download_document_response::Part::Data(c.to_vec())),
            })
        }));
        Ok(Response::new(tokio_stream::iter(parts)))
    }

    async fn record_outcome(
        &self,
        request: Request<pb::RecordOutcomeRequest>,
    ) -> Result<Response<pb::RecordOutcomeResponse>, Status> {
        let request = request.into_inner();
        let county = scope_county(request.scope.as_ref())?;
        let decided_on = date_in("decided_on", request.decided_on.as_ref())?.ok_or(
            FilingError::InvalidArgument {
                field: "decided_on",
                description: "decided_on is required".to_owned(),
            },
        )?;
        if request.order_number.len() > 128 || request.note.len() > 4000 {
            return Err(FilingError::InvalidArgument {
                field: "order_number",
                description: "order_number at most 128, note at most 4000 characters".to_owned(),
            }
            .into());
        }
        let record = RecordOutcome {
            filing_id: request.filing_id.clone(),
            decision: small(request.decision),
            decided_on,
            order_number: request.order_number.clone(),
            granted_relief: small(request.granted_relief),
            supersedes_outcome_id: request.supersedes_outcome_id.clone(),
            note: request.note.clone(),
            actor: actor(request.scope.as_ref()),
        };
        let response = self
            .idempotent(
                &county,
                "RecordOutcome",
                request.idempotency_key.as_ref(),
                &request,
                || async {
                    let (filing, outcome) = self.filings.record_outcome(&county, record).await?;
                    Ok(pb::RecordOutcomeResponse {
                        filing: Some(to_pb_filing(&filing, Some(&outcome))?),
                        outcome: Some(to_pb_outcome(&outcome)),
                    })
                },
            )
            .await?;
        Ok(Response::new(response))
    }

    async fn list_outcomes(
        &self,
        request: Request<pb::ListOutcomesRequest>,
    ) -> Result<Response<pb::ListOutcomesResponse>, Status> {
        let request = request.into_inner();
        let county = scope_county(request.scope.as_ref())?;
        let (decided_from, decided_to) = range_in(request.decided_on.as_ref())?;
        let filter = OutcomeFilter {
            filing_batch_id: non_empty(&request.filing_batch_id),
            court_id: non_empty(&request.court_id),
            decision: (request.decision != 0).then(|| small(request.decision)),
            decided_from,
            decided_to,
            not_exported_only: request.not_exported_only,
            include_superseded: request.include_superseded,
        };
        let after = after_token(request.page.as_ref())?;
        let limit = page_size(request.page.as_ref());
        let outcomes = self
            .filings
            .store
            .list_outcomes(&county, &filter, after, limit + 1)
            .await
            .map_err(FilingError::from)?;
        let (outcomes, next) = paged(outcomes, limit, |o| o.id.clone());
        Ok(Response::new(pb::ListOutcomesResponse {
            outcomes: outcomes.iter().map(to_pb_outcome).collect(),
            page: Some(common::PageResponse {
                next_page_token: next,
                total_size: -1,
            }),
        }))
    }

    type ExportDojUpdateStream = Chunks<pb::ExportDojUpdateResponse>;

    async fn export_doj_update(
        &self,
        request: Request<pb::ExportDojUpdateRequest>,
    ) -> Result<Response<Self::ExportDojUpdateStream>, Status> {
        let request = request.into_inner();
        let county = scope_county(request.scope.as_ref())?;
        let (decided_from, decided_to) = range_in(request.decided_on.as_ref())?;
        let export = Export {
            court_id: non_empty(&request.court_id),
            decided_from,
            decided_to,
            not_exported_only: request.not_exported_only,
            mark_exported: request.mark_exported,
        };
        // The whole file is what the key remembers.
        let stored = self
            .idempotent(
                &county,
                "ExportDojUpdate",
                request.idempotency_key.as_ref(),
                &request,
                || async {
                    let csv = self.filings.export_doj_update(&county, &export).await?;
                    Ok(pb::ExportDojUpdateResponse {
                        part: Some(pb::export_doj_update_response::Part::Data(csv)),
                    })
                },
            )
            .await?;
        let csv = match stored.part {
            Some(pb::export_doj_update_response::Part::Data(csv)) => csv,
            _ => Vec::new(),
        };
        let sha256 = sha256_hex(&csv);
        let county_label = if county.code.is_empty() {
            county.name.to_ascii_lowercase().replace(' ', "-")
        } else {
            county.code.clone()
        };
        let info = common::FileInfo {
            file_name: format!("doj-update_{county_label}_{}.csv", &sha256[..12]),
            media_type: "text/csv".to_owned(),
            size_bytes: i64::try_from(csv.len()).unwrap_or(i64::MAX),
            sha256,
        };
        let mut parts = vec![Ok(pb::ExportDojUpdateResponse {
            part: Some(pb::export_doj_update_response::Part::Info(info)),
        })];
        parts.extend(csv.chunks(CHUNK).map(|c| {
            Ok(pb::ExportDojUpdateResponse {
                part: Some(pb::export_doj_update_response::Part::Data(c.to_vec())),
            })
        }));
        Ok(Response::new(tokio_stream::iter(parts)))
    }

    async fn impact_report(
        &self,
        request: Request<pb::ImpactReportRequest>,
    ) -> Result<Response<pb::ImpactReportResponse>, Status> {
        let request = request.into_inner();
        let county = scope_county(request.scope.as_ref())?;
        let (decided_from, decided_to) = range_in(request.decided_on.as_ref())?;
        let mut group_by = Vec::new();
        for dimension in &request.group_by {
            group_by.push(
                Dimension::from_i32(*dimension).ok_or(FilingError::InvalidArgument {
                    field: "group_by",
                    description: "unknown impact dimension".to_owned(),
                })?,
            );
        }
        if !matches!(request.decision, 0..=2) {
            return Err(FilingError::InvalidArgument {
                field: "decision",
                description: "unknown court decision".to_owned(),
            }
            .into());
        }
        let impact = Impact {
            group_by,
            decided_from,
            decided_to,
            decision: small(request.decision),
            min_cell_size: request.min_cell_size,
            run_id: non_empty(&request.run_id),
        };
        let report = self.filings.impact(&county, &impact).await?;
        let cell = |c: &crate::domain::impact::Cell| pb::ImpactCell {
            relief_type: c.relief_type,
            code_section: c.code_section.clone(),
            race: c.race.clone(),
            people: c.people,
            convictions: c.convictions,
            suppressed: c.suppressed,
        };
        Ok(Response::new(pb::ImpactReportResponse {
            cells: report.cells.iter().map(cell).collect(),
            total: Some(cell(&report.total)),
            min_cell_size: report.min_cell_size,
            suppressed_cells: report.suppressed_cells,
            generated_at: Some(timestamp(now_ms())),
        }))
    }

    async fn put_court(
        &self,
        request: Request<pb::PutCourtRequest>,
    ) -> Result<Response<pb::PutCourtResponse>, Status> {
        let request = request.into_inner();
        let county = scope_county(request.scope.as_ref())?;
        let court = request.court.clone().ok_or(FilingError::InvalidArgument {
            field: "court",
            description: "court is required".to_owned(),
        })?;
        let court = Court {
            county: county.clone(),
            court_id: court.court_id,
            name: court.name,
            branch_name: court.branch_name,
            ori_codes: court.ori_codes,
            address_lines: court.address_lines,
            updated_at_ms: 0,
        };
        let response = self
            .idempotent(
                &county,
                "PutCourt",
                request.idempotency_key.as_ref(),
                &request,
                || async {
                    let court = self.filings.put_court(court).await?;
                    Ok(pb::PutCourtResponse {
                        court: Some(to_pb_court(&court)),
                    })
                },
            )
            .await?;
        Ok(Response::new(response))
    }

    async fn list_courts(
        &self,
        request: Request<pb::ListCourtsRequest>,
    ) -> Result<Response<pb::ListCourtsResponse>, Status> {
        let request = request.into_inner();
        let county = scope_county(request.scope.as_ref())?;
        let token = page_token(request.page.as_ref()).to_owned();
        let limit = usize::try_from(page_size(request.page.as_ref())).unwrap_or(usize::MAX);
        let courts = self
            .filings
            .store
            .courts(&county)
            .await
            .map_err(FilingError::from)?;
        let rest: Vec<_> = courts
            .into_iter()
            .filter(|c| token.is_empty() || c.court_id > token)
            .collect();
        let next = if rest.len() > limit {
            rest[limit - 1].court_id.clone()
        } else {
            String::new()
        };
        Ok(Response::new(pb::ListCourtsResponse {
            courts: rest.iter().take(limit).map(to_pb_court).collect(),
            page: Some(common::PageResponse {
                next_page_token: next,
                total_size: -1,
            }),
        }))
    }
}

/// Bytes per data message of a download or export.
const CHUNK: usize = 1 << 20;

type Chunks<T> = tokio_stream::Iter<std::vec::IntoIter<Result<T, Status>>>;

impl FilingGrpc {
    /// Runs `work` once per idempotency key: a replay with the same request returns the
    /// stored answer, the same key with another request is IDEMPOTENCY_KEY_REUSED.
    async fn idempotent<R, Q, F, Fut>(
        &self,
        county: &County,
        rpc: &'static str,
        key: Option<&common::IdempotencyKey>,
        request: &Q,
        work: F,
    ) -> Result<R, FilingError>
    where
        R: Message + Default,
        Q: Message,
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<R, FilingError>>,
    {
        let key = validate::idempotency_key(key.map_or("", |k| k.key.as_str()))?;
        let sha = hex(&Sha256::digest(request.encode_to_vec()));
        let store = &self.filings.store;
        let replay = |(stored_sha, bytes): (String, Vec<u8>)| {
            if stored_sha != sha {
                return Err(FilingError::AlreadyExists(
                    "IDEMPOTENCY_KEY_REUSED: the key was used for another request".to_owned(),
                ));
            }
            R::decode(bytes.as_slice())
                .map_err(|_| FilingError::Internal(format!("stored {rpc} answer is corrupt")))
        };
        if let Some(found) = store.find_request(county, rpc, &key).await? {
            return replay(found);
        }
        let response = work().await?;
        match store
            .save_request(county, rpc, &key, &sha, response.encode_to_vec(), now_ms())
            .await?
        {
            None => Ok(response),
            Some(first) => replay(first),
        }
    }
}

fn non_empty(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}

fn actor(scope: Option<&common::Scope>) -> Actor {
    Actor {
        principal_id: String::new(),
        agency_id: scope.map(|s| s.agency_id.clone()).unwrap_or_default(),
    }
}

fn after_token(page: Option<&common::PageRequest>) -> Result<Option<&str>, FilingError> {
    let token = page_token(page);
    if token.is_empty() {
        Ok(None)
    } else if crate::domain::ids::is_id(token) {
        Ok(Some(token))
    } else {
        Err(bad_token())
    }
}

fn paged<T>(mut rows: Vec<T>, limit: u64, id: impl Fn(&T) -> String) -> (Vec<T>, String) {
    let next = if rows.len() as u64 > limit {
        rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        rows.last().map(&id).unwrap_or_default()
    } else {
        String::new()
    };
    (rows, next)
}

fn date_in(
    field: &'static str,
    date: Option<&common::CivilDate>,
) -> Result<Option<i32>, FilingError> {
    match date {
        None => Ok(None),
        Some(d) => {
            date_number(d.year, d.month, d.day)
                .map(Some)
                .ok_or(FilingError::InvalidArgument {
                    field,
                    description: "not a real calendar date".to_owned(),
                })
        }
    }
}

fn range_in(range: Option<&common::DateRange>) -> Result<(Option<i32>, Option<i32>), FilingError> {
    let Some(range) = range else {
        return Ok((None, None));
    };
    Ok((
        date_in("decided_on.from", range.from.as_ref())?,
        date_in("decided_on.to", range.to.as_ref())?,
    ))
}

fn civil_out(number: i32) -> Option<common::CivilDate> {
    (number > 0).then(|| {
        let (year, month, day) = date_parts(number);
        common::CivilDate { year, month, day }
    })
}

fn pb_scope(county: &County) -> Option<common::Scope> {
    Some(common::Scope {
        county_code: county.code.clone(),
        county_name: county.name.clone(),
        agency_id: String::new(),
    })
}

fn to_pb_court(court: &Court) -> pb::Court {
    pb::Court {
        court_id: court.court_id.clone(),
        scope: pb_scope(&court.county),
        name: court.name.clone(),
        branch_name: court.branch_name.clone(),
        ori_codes: court.ori_codes.clone(),
        address_lines: court.address_lines.clone(),
        updated_at: Some(timestamp(court.updated_at_ms)),
    }
}

fn to_pb_batch(view: &BatchView) -> pb::FilingBatch {
    let b = &view.batch;
    pb::FilingBatch {
        filing_batch_id: b.id.clone(),
        scope: pb_scope(&b.county),
        court_id: b.court_id.clone(),
        agency_id: b.agency_id.clone(),
        status: b.status as i32,
        filings: view.filings,
        granted: view.granted,
        denied: view.denied,
        document_date: civil_out(b.document_date),
        filed_on: civil_out(b.filed_on),
        court_filing_reference: b.court_filing_reference.clone(),
        document_ids: view.document_ids.clone(),
        created_by: Some(common::Actor {
            principal_id: b.created_by_principal.clone(),
            agency_id: b.created_by_agency.clone(),
            ..Default::default()
        }),
        created_at: Some(timestamp(b.created_at_ms)),
    }
}

fn to_pb_document(d: &Document) -> pb::Document {
    pb::Document {
        document_id: d.id.clone(),
        filing_batch_id: d.filing_batch_id.clone(),
        kind: i32::from(d.kind),
        court_id: d.court_id.clone(),
        agency_id: d.agency_id.clone(),
        subject_id: d.subject_id.clone(),
        filing_ids: d.filing_ids.clone(),
        file: Some(common::FileInfo {
            file_name: d.file_name.clone(),
            media_type: d.media_type.clone(),
            size_bytes: d.size_bytes,
            sha256: d.sha256.clone(),
        }),
        template_id: d.template_id.clone(),
        superseded_by_document_id: d.superseded_by.clone(),
        created_at: Some(timestamp(d.created_at_ms)),
    }
}

fn to_pb_outcome(o: &Outcome) -> pb::CourtOutcome {
    pb::CourtOutcome {
        outcome_id: o.id.clone(),
        filing_id: o.filing_id.clone(),
        decision: i32::from(o.decision),
        decided_on: civil_out(o.decided_on),
        order_number: o.order_number.clone(),
        granted_relief: i32::from(o.granted_relief),
        supersedes_outcome_id: o.supersedes_outcome_id.clone(),
        note: o.note.clone(),
        recorded_by: Some(common::Actor {
            principal_id: o.recorded_by_principal.clone(),
            agency_id: o.recorded_by_agency.clone(),
            ..Default::default()
        }),
        recorded_at: Some(timestamp(o.recorded_at_ms)),
        exported_to_doj_at: (o.exported_to_doj_at_ms > 0)
            .then(|| timestamp(o.exported_to_doj_at_ms)),
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
