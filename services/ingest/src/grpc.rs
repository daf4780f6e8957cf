//! The tonic trait impl: converts proto to domain, calls [`Ingest`], converts back.

use std::pin::Pin;

use cmr_proto::common::v1 as common;
use cmr_proto::ingest::v1 as pb;
use cmr_proto::ingest::v1::ingest_service_server::IngestService;
use cmr_record::columns;
use tokio::sync::mpsc;
use tokio_stream::{Stream, StreamExt, wrappers::ReceiverStream};
use tonic::{Request, Response, Status, Streaming};

use crate::domain::model::{self, BatchStatus, County, FieldRule, Source, StoredRow, SubjectRef};
use crate::domain::rapsheet;
use crate::domain::validate;
use crate::error::IngestError;
use crate::service::{Ingest, RapSheetRequest, Upload};
use cmr_record::packed;

const DEFAULT_PAGE: u64 = 100;
const MAX_PAGE: u64 = 1000;
/// Subjects read from the store per page while streaming.
const STREAM_PAGE: u64 = 100;

/// Rows read from the store per page, and sent per message, while streaming rows.
const ROW_STREAM_PAGE: u64 = 1000;

type RowStream = Pin<Box<dyn Stream<Item = Result<pb::StreamRowsResponse, Status>> + Send>>;
type SubjectStream = Pin<Box<dyn Stream<Item = Result<pb::StreamSubjectsResponse, Status>> + Send>>;

/// The gRPC face of the ingest service.
#[derive(Clone, Debug)]
pub struct IngestGrpc {
    ingest: Ingest,
}

impl IngestGrpc {
    #[must_use]
    pub fn new(ingest: Ingest) -> Self {
        Self { ingest }
    }
}

fn scope_county(scope: Option<&common::Scope>) -> Result<County, IngestError> {
    let scope = scope.ok_or(IngestError::InvalidArgument {
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

fn bad_token() -> IngestError {
    IngestError::InvalidArgument {
        field: "page.page_token",
        description: "INVALID_PAGE_TOKEN: page token is not one this service issued".to_owned(),
    }
}

fn unimplemented(rpc: &'static str) -> Status {
    IngestError::Unimplemented {
        rpc,
        issue: "#3 follow-up",
    }
    .into()
}

fn timestamp(ms: i64) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: ms.div_euclid(1000),
        nanos: i32::try_from(ms.rem_euclid(1000) * 1_000_000).unwrap_or(0),
    }
}

fn to_pb_source(source: Source) -> pb::SourceKind {
    match source {
        Source::DojResearchFile => pb::SourceKind::DojResearchFile,
        Source::RapSheet => pb::SourceKind::RapSheet,
    }
}

fn to_pb_batch(batch: &model::Batch) -> pb::Batch {
    pb::Batch {
        batch_id: batch.id.clone(),
        scope: Some(common::Scope {
            county_code: batch.county.code.clone(),
            county_name: batch.county.name.clone(),
            agency_id: String::new(),
        }),
        source: to_pb_source(batch.source) as i32,
        file_name: batch.file_name.clone(),
        sha256: batch.sha256.clone(),
        size_bytes: batch.size_bytes,
        status: batch.status as i32,
        accounting: Some(common::RowAccounting {
            rows_received: batch.rows_received,
            rows_stored: batch.rows_stored,
            rows_quarantined: batch.rows_quarantined,
            header_lines_skipped: i64::from(batch.had_header),
            blank_lines_skipped: 0,
        }),
        had_header: batch.had_header,
        header_fields: Vec::new(),
        field_check: batch.field_rule as i32,
        subject_count: batch.subject_count,
        gogen_file_error: batch
            .error
            .as_ref()
            .filter(|e| e.error_type == "OTHER" || e.error_type == "PARSING")
            .map(|e| pb::GogenFileError {
                error_type: e.error_type.clone(),
                error_message: e.message.clone(),
            }),
        created_by: None,
        created_at: Some(timestamp(batch.created_at_ms)),
        completed_at: batch.completed_at_ms.map(timestamp),
        purged_at: None,
    }
}

/// A stored row for the wire: its fields one by one, or (`packed`) the stored packed value
/// as it is, which costs neither side a value per field.
fn raw_row(row: &StoredRow, packed: bool) -> Result<pb::RawRow, IngestError> {
    if packed {
        return Ok(pb::RawRow {
            data_row_index: row.row_index,
            line_number: row.line_number,
            fields: Vec::new(),
            packed_fields: row.fields.clone(),
        });
    }
    Ok(pb::RawRow {
        data_row_index: row.row_index,
        line_number: row.line_number,
        fields: fields_of(row)?,
        packed_fields: Vec::new(),
    })
}

fn fields_of(row: &StoredRow) -> Result<Vec<Vec<u8>>, IngestError> {
    packed::decode(&row.fields)
        .ok_or_else(|| IngestError::Internal(format!("row {} is corrupt", row.row_index)))
}

fn text(fields: &[Vec<u8>], column: usize) -> String {
    fields
        .get(column)
        .map(|f| String::from_utf8_lossy(f).into_owned())
        .unwrap_or_default()
}

/// A subject's summary from its first row, plus every row for the FULL view.
fn to_pb_subject(
    subject: &SubjectRef,
    source: Source,
    rows: &[StoredRow],
    full: bool,
    packed: bool,
) -> Result<pb::Subject, IngestError> {
    let first = rows.first().map(fields_of).transpose()?.unwrap_or_default();
    let first = first.as_slice();
    let raw_rows = if full {
        rows.iter()
            .map(|r| raw_row(r, packed))
            .collect::<Result<Vec<_>, _>>()?
    } else {
        Vec::new()
    };
    Ok(pb::Subject {
        subject_id: subject.id.clone(),
        batch_id: subject.batch_id.clone(),
        source: to_pb_source(source) as i32,
        identity: Some(common::PersonIdentity {
            name: text(first, columns::PRI_NAME),
            aliases: Vec::new(),
            date_of_birth: None,
            cii_number: text(first, columns::CII_NUMBER),
            doj_subject_id: text(first, columns::SUBJECT_ID),
        }),
        date_of_birth_raw: text(first, columns::PRI_DOB),
        gender: text(first, columns::GENDER),
        race_code: text(first, columns::RACE_DESCR - 1),
        race_descr: text(first, columns::RACE_DESCR),
        first_data_row_index: subject.first_row_index,
        rows: raw_rows,
        ..pb::Subject::default()
    })
}

fn wants_full(view: i32) -> bool {
    view == pb::SubjectView::Full as i32
}

impl IngestGrpc {
    /// A subject and its batch when the batch is in `county`; NOT_FOUND (naming the subject
    /// only) otherwise, exactly as for an id that does not exist.
    async fn subject_in_county(
        &self,
        county: &County,
        subject_id: &str,
    ) -> Result<(SubjectRef, model::Batch), IngestError> {
        let not_found = || IngestError::NotFound {
            what: "subject",
            id: subject_id.to_owned(),
        };
        let subject = self
            .ingest
            .store
            .get_subject(subject_id)
            .await?
            .ok_or_else(not_found)?;
        let batch = self
            .ingest
            .batch_in_county(county, &subject.batch_id)
            .await
            .map_err(|_| not_found())?;
        Ok((subject, batch))
    }

    /// The first subject of a COMPLETE batch, as GetSubject gives it in the STRUCTURED
    /// view; `None` for a batch without subjects.
    async fn first_subject(
        &self,
        batch: &model::Batch,
    ) -> Result<Option<pb::Subject>, IngestError> {
        if batch.status != BatchStatus::Complete {
            return Ok(None);
        }
        let store = &self.ingest.store;
        let Some(subject) = store.list_subjects(&batch.id, -1, 1).await?.pop() else {
            return Ok(None);
        };
        let rows = store
            .rows_of_subjects(std::slice::from_ref(&subject.id))
            .await?;
        to_pb_subject(&subject, batch.source, &rows, false, false).map(Some)
    }
}

#[tonic::async_trait]
impl IngestService for IngestGrpc {
    async fn upload_doj_file(
        &self,
        request: Request<Streaming<pb::UploadDojFileRequest>>,
    ) -> Result<Response<pb::UploadDojFileResponse>, Status> {
        let mut stream = request.into_inner();
        let first = stream
            .message()
            .await?
            .and_then(|m| m.payload)
            .ok_or_else(|| IngestError::InvalidArgument {
                field: "metadata",
                description: "the first message must be metadata".to_owned(),
            })?;
        let pb::upload_doj_file_request::Payload::Metadata(metadata) = first else {
            return Err(IngestError::InvalidArgument {
                field: "metadata",
                description: "the first message must be metadata".to_owned(),
            }
            .into());
        };
        let upload = Upload {
            county: scope_county(metadata.scope.as_ref())?,
            idempotency_key: validate::idempotency_key(
                metadata
                    .idempotency_key
                    .as_ref()
                    .map_or("", |k| k.key.as_str()),
            )
            .map_err(IngestError::from)?,
            file_name: metadata.file_name,
            expected_sha256: validate::optional_sha256(&metadata.expected_sha256)
                .map_err(IngestError::from)?,
            expected_size_bytes: match metadata.expected_size_bytes {
                0 => None,
                n if n > 0 => Some(n),
                _ => {
                    return Err(IngestError::InvalidArgument {
                        field: "metadata.expected_size_bytes",
                        description: "expected_size_bytes must not be negative".to_owned(),
                    }
                    .into());
                }
            },
            field_rule: if metadata.field_check == pb::FieldCheck::SameAsFirst as i32 {
                FieldRule::SameAsFirst
            } else {
                FieldRule::Strict95
            },
        };
        let chunks = stream.map(|message| match message {
            Ok(pb::UploadDojFileRequest {
                payload: Some(pb::upload_doj_file_request::Payload::Chunk(bytes)),
            }) => Ok(bytes),
            Ok(_) => Err(IngestError::Upload(
                "every message after the first must be a chunk".to_owned(),
            )),
            Err(status) => Err(IngestError::Upload(format!(
                "upload stream broke off ({:?})",
                status.code()
            ))),
        });
        let outcome = self.ingest.upload_detached(upload, chunks).await?;
        Ok(Response::new(pb::UploadDojFileResponse {
            batch: Some(to_pb_batch(&outcome.batch)),
            duplicate: outcome.duplicate,
        }))
    }

    async fn ingest_rap_sheet(
        &self,
        request: Request<pb::IngestRapSheetRequest>,
    ) -> Result<Response<pb::IngestRapSheetResponse>, Status> {
        let request = request.into_inner();
        let rap = RapSheetRequest {
            county: scope_county(request.scope.as_ref())?,
            idempotency_key: validate::idempotency_key(
                request
                    .idempotency_key
                    .as_ref()
                    .map_or("", |k| k.key.as_str()),
            )
            .map_err(IngestError::from)?,
            expected_sha256: validate::optional_sha256(&request.expected_sha256).map_err(
                |invalid| IngestError::InvalidArgument {
                    field: "expected_sha256",
                    description: invalid.description.to_owned(),
                },
            )?,
            text: request.text,
            source_label: request.source_label,
        };
        let outcome = self.ingest.ingest_rap_sheet_detached(rap).await?;
        let subject = self.first_subject(&outcome.batch).await?;
        Ok(Response::new(pb::IngestRapSheetResponse {
            batch: Some(to_pb_batch(&outcome.batch)),
            subject,
            warnings: outcome
                .warnings
                .iter()
                .map(|w| pb::ParseWarning {
                    code: w.code.to_owned(),
                    line_number: i64::try_from(w.line).unwrap_or(i64::MAX),
                    message: rapsheet::describe(w.code).to_owned(),
                })
                .collect(),
            duplicate: outcome.duplicate,
        }))
    }

    async fn get_batch(
        &self,
        request: Request<pb::GetBatchRequest>,
    ) -> Result<Response<pb::GetBatchResponse>, Status> {
        let request = request.into_inner();
        let county = scope_county(request.scope.as_ref())?;
        let batch = self
            .ingest
            .batch_in_county(&county, &request.batch_id)
            .await?;
        Ok(Response::new(pb::GetBatchResponse {
            batch: Some(to_pb_batch(&batch)),
        }))
    }

    async fn list_batches(
        &self,
        request: Request<pb::ListBatchesRequest>,
    ) -> Result<Response<pb::ListBatchesResponse>, Status> {
        let request = request.into_inner();
        let county = scope_county(request.scope.as_ref())?;
        let source = match request.source {
            0 => None,
            s if s == pb::SourceKind::DojResearchFile as i32 => Some(Source::DojResearchFile),
            s if s == pb::SourceKind::RapSheet as i32 => Some(Source::RapSheet),
            _ => {
                return Ok(Response::new(pb::ListBatchesResponse {
                    batches: Vec::new(),
                    page: Some(common::PageResponse {
                        next_page_token: String::new(),
                        total_size: 0,
                    }),
                }));
            }
        };
        let status = match request.status {
            0 => None,
            s if s == BatchStatus::Processing as i32 => Some(BatchStatus::Processing),
            s if s == BatchStatus::Complete as i32 => Some(BatchStatus::Complete),
            s if s == BatchStatus::Failed as i32 => Some(BatchStatus::Failed),
            _ => {
                return Ok(Response::new(pb::ListBatchesResponse {
                    batches: Vec::new(),
                    page: Some(common::PageResponse {
                        next_page_token: String::new(),
                        total_size: 0,
                    }),
                }));
            }
        };
        let token = page_token(request.page.as_ref());
        let after = if token.is_empty() {
            None
        } else {
            let (created, id) = token.split_once('.').ok_or_else(bad_token)?;
            Some((
                created.parse::<i64>().map_err(|_| bad_token())?,
                id.to_owned(),
            ))
        };
        let limit = page_size(request.page.as_ref());
        let mut batches = self
            .ingest
            .store
            .list_batches(&county, status, source, after, limit + 1)
            .await
            .map_err(IngestError::from)?;
        let next = if batches.len() as u64 > limit {
            batches.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
            batches
                .last()
                .map(|b| format!("{}.{}", b.created_at_ms, b.id))
                .unwrap_or_default()
        } else {
            String::new()
        };
        Ok(Response::new(pb::ListBatchesResponse {
            batches: batches.iter().map(to_pb_batch).collect(),
            page: Some(common::PageResponse {
                next_page_token: next,
                total_size: -1,
            }),
        }))
    }

    async fn purge_batch(
        &self,
        request: Request<pb::PurgeBatchRequest>,
    ) -> Result<Response<pb::PurgeBatchResponse>, Status> {
        let request = request.into_inner();
        let county = scope_county(request.scope.as_ref())?;
        // Another county's batch is not there, before anything else is said about it.
        self.ingest
            .batch_in_county(&county, &request.batch_id)
            .await?;
        Err(unimplemented("PurgeBatch"))
    }

    async fn list_quarantined_rows(
        &self,
        request: Request<pb::ListQuarantinedRowsRequest>,
    ) -> Result<Response<pb::ListQuarantinedRowsResponse>, Status> {
        let request = request.into_inner();
        let county = scope_county(request.scope.as_ref())?;
        if request.include_raw {
            return Err(unimplemented(
                "ListQuarantinedRows with include_raw (needs roles)",
            ));
        }
        let batch = self
            .ingest
            .batch_in_county(&county, &request.batch_id)
            .await?;
        let token = page_token(request.page.as_ref());
        let after_line = if token.is_empty() {
            0
        } else {
            token.parse::<i64>().map_err(|_| bad_token())?
        };
        let limit = page_size(request.page.as_ref());
        let mut rows = self
            .ingest
            .store
            .list_quarantined(&batch.id, after_line, limit + 1)
            .await
            .map_err(IngestError::from)?;
        if request.reason != 0 {
            rows.retain(|r| i32::from(r.reason) == request.reason);
        }
        let next = if rows.len() as u64 > limit {
            rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
            rows.last()
                .map(|r| r.line_number.to_string())
                .unwrap_or_default()
        } else {
            String::new()
        };
        Ok(Response::new(pb::ListQuarantinedRowsResponse {
            rows: rows
                .into_iter()
                .map(|r| pb::QuarantinedRow {
                    batch_id: r.batch_id,
                    line_number: r.line_number,
                    data_line_number: r.data_line_number,
                    reason: i32::from(r.reason),
                    field: r.field,
                    column_index: r.column_index,
                    message: r.message,
                    detail: r.detail,
                    raw_record: Vec::new(),
                })
                .collect(),
            page: Some(common::PageResponse {
                next_page_token: next,
                total_size: batch.rows_quarantined,
            }),
        }))
    }

    async fn list_subjects(
        &self,
        request: Request<pb::ListSubjectsRequest>,
    ) -> Result<Response<pb::ListSubjectsResponse>, Status> {
        let request = request.into_inner();
        let county = scope_county(request.scope.as_ref())?;
        if !request.batch_id.is_empty() {
            self.ingest
                .batch_in_county(&county, &request.batch_id)
                .await?;
        }
        Err(unimplemented("ListSubjects"))
    }

    type StreamSubjectsStream = SubjectStream;

    async fn stream_subjects(
        &self,
        request: Request<pb::StreamSubjectsRequest>,
    ) -> Result<Response<Self::StreamSubjectsStream>, Status> {
        let request = request.into_inner();
        let county = scope_county(request.scope.as_ref())?;
        if request
            .filter
            .as_ref()
            .is_some_and(|f| f.prop64_only || f.convicted_in_county_only)
        {
            return Err(unimplemented("StreamSubjects filters"));
        }
        let batch = self
            .ingest
            .complete_batch_in_county(&county, &request.batch_id)
            .await?;
        let store = self.ingest.store.clone();
        let mut after_row = -1;
        if !request.resume_after_subject_id.is_empty() {
            match store
                .get_subject(&request.resume_after_subject_id)
                .await
                .map_err(IngestError::from)?
            {
                Some(s) if s.batch_id == batch.id => after_row = s.first_row_index,
                _ => {
                    return Err(IngestError::NotFound {
                        what: "subject",
                        id: request.resume_after_subject_id,
                    }
                    .into());
                }
            }
        }
        let full = wants_full(request.view);
        let packed = request.packed_fields;
        let (tx, rx) = mpsc::channel(4);
        tokio::spawn(async move {
            loop {
                let page = match store.list_subjects(&batch.id, after_row, STREAM_PAGE).await {
                    Ok(page) => page,
                    Err(error) => {
                        let _ = tx.send(Err(IngestError::from(error).into())).await;
                        return;
                    }
                };
                let Some(last) = page.last() else { return };
                after_row = last.first_row_index;
                let ids: Vec<String> = page.iter().map(|s| s.id.clone()).collect();
                let rows = match store.rows_of_subjects(&ids).await {
                    Ok(rows) => rows,
                    Err(error) => {
                        let _ = tx.send(Err(IngestError::from(error).into())).await;
                        return;
                    }
                };
                for subject in &page {
                    let start = rows.partition_point(|r| r.subject_id < subject.id);
                    let end = rows.partition_point(|r| r.subject_id <= subject.id);
                    let item =
                        to_pb_subject(subject, batch.source, &rows[start..end], full, packed)
                            .map(|s| pb::StreamSubjectsResponse { subject: Some(s) })
                            .map_err(Status::from);
                    if tx.send(item).await.is_err() {
                        return;
                    }
                }
            }
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }

    type StreamRowsStream = RowStream;

    async fn stream_rows(
        &self,
        request: Request<pb::StreamRowsRequest>,
    ) -> Result<Response<Self::StreamRowsStream>, Status> {
        let request = request.into_inner();
        let county = scope_county(request.scope.as_ref())?;
        if request.from_row_index < 0 {
            return Err(IngestError::InvalidArgument {
                field: "from_row_index",
                description: "from_row_index must not be negative".to_owned(),
            }
            .into());
        }
        let batch = self
            .ingest
            .complete_batch_in_county(&county, &request.batch_id)
            .await?;
        let pages = self
            .ingest
            .stream_rows(batch.id, request.from_row_index, ROW_STREAM_PAGE);
        let packed = request.packed_fields;
        Ok(Response::new(Box::pin(ReceiverStream::new(pages).map(
            move |page| {
                let rows = page?
                    .iter()
                    .map(|r| raw_row(r, packed))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(pb::StreamRowsResponse { rows })
            },
        ))))
    }

    async fn get_subject(
        &self,
        request: Request<pb::GetSubjectRequest>,
    ) -> Result<Response<pb::GetSubjectResponse>, Status> {
        let request = request.into_inner();
        let county = scope_county(request.scope.as_ref())?;
        let (subject, batch) = self.subject_in_county(&county, &request.subject_id).await?;
        let rows = self
            .ingest
            .store
            .rows_of_subjects(std::slice::from_ref(&subject.id))
            .await
            .map_err(IngestError::from)?;
        let subject = to_pb_subject(
            &subject,
            batch.source,
            &rows,
            wants_full(request.view),
            false,
        )?;
        Ok(Response::new(pb::GetSubjectResponse {
            subject: Some(subject),
        }))
    }

    async fn list_counts(
        &self,
        request: Request<pb::ListCountsRequest>,
    ) -> Result<Response<pb::ListCountsResponse>, Status> {
        let request = request.into_inner();
        let county = scope_county(request.scope.as_ref())?;
        if !request.batch_id.is_empty() {
            self.ingest
                .batch_in_county(&county, &request.batch_id)
                .await?;
        }
        if !request.subject_id.is_empty() {
            self.subject_in_county(&county, &request.subject_id).await?;
        }
        Err(unimplemented("ListCounts"))
    }
}
