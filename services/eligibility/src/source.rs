//! Reading a batch from the ingest service over gRPC: the batch's row count and its
//! subjects with their raw rows (FULL view), in file order of first appearance.

use cmr_proto::common::v1 as common;
use cmr_proto::ingest::v1 as ingest;
use cmr_proto::ingest::v1::ingest_service_client::IngestServiceClient;
use cmr_record::gocsv::Record;
use cmr_record::packed;
use tonic::{Code, Streaming};

use crate::domain::evaluate::RawRow;
use crate::domain::model::County;
use crate::error::EligibilityError;

/// Where batches come from.
#[derive(Clone, Debug)]
pub struct IngestSource {
    endpoint: String,
}

/// The subjects of one batch, as a stream.
pub struct Subjects {
    stream: Streaming<ingest::StreamSubjectsResponse>,
}

/// One subject: ingest's subject id and its raw rows in row order.
#[derive(Clone, Debug)]
pub struct SourceSubject {
    pub subject_id: String,
    pub rows: Vec<RawRow>,
}

fn ingest_error(batch_id: &str, status: &tonic::Status) -> EligibilityError {
    match status.code() {
        Code::NotFound => EligibilityError::NotFound {
            what: "batch",
            id: batch_id.to_owned(),
        },
        Code::FailedPrecondition | Code::InvalidArgument => {
            EligibilityError::FailedPrecondition(format!("ingest: {}", status.message()))
        }
        _ => EligibilityError::Ingest(format!("{:?}: {}", status.code(), status.message())),
    }
}

impl IngestSource {
    #[must_use]
    pub fn new(endpoint: impl Into<String>) -> Self {
        Self {
            endpoint: endpoint.into(),
        }
    }

    /// Opens a batch: checks it is COMPLETE in `county` and returns its rows received
    /// (gogen's line count) and its subjects.
    pub async fn open(
        &self,
        county: &County,
        batch_id: &str,
    ) -> Result<(u64, Subjects), EligibilityError> {
        let (mut client, scope, rows_received) = self.complete_batch(county, batch_id).await?;
        let stream = client
            .stream_subjects(ingest::StreamSubjectsRequest {
                scope,
                batch_id: batch_id.to_owned(),
                view: ingest::SubjectView::Full as i32,
                packed_fields: true,
                ..Default::default()
            })
            .await
            .map_err(|s| ingest_error(batch_id, &s))?
            .into_inner();
        Ok((rows_received, Subjects { stream }))
    }

    /// Checks that the batch is COMPLETE in `county` (NOT_FOUND in another county, FAILED
    /// PRECONDITION when not complete); returns a client, the scope and its rows received.
    pub async fn complete_batch(
        &self,
        county: &County,
        batch_id: &str,
    ) -> Result<
        (
            IngestServiceClient<cmr_telemetry::TracedChannel>,
            Option<common::Scope>,
            u64,
        ),
        EligibilityError,
    > {
        let mut client = self.client().await?;
        let scope = scope_of(county);
        let batch = client
            .get_batch(ingest::GetBatchRequest {
                scope: scope.clone(),
                batch_id: batch_id.to_owned(),
            })
            .await
            .map_err(|s| ingest_error(batch_id, &s))?
            .into_inner()
            .batch
            .ok_or_else(|| EligibilityError::Ingest("GetBatch returned no batch".to_owned()))?;
        if batch.status != ingest::BatchStatus::Complete as i32 {
            return Err(EligibilityError::FailedPrecondition(format!(
                "batch {batch_id} is not complete"
            )));
        }
        let rows_received = batch
            .accounting
            .map_or(0, |a| u64::try_from(a.rows_received).unwrap_or(0));
        Ok((client, scope, rows_received))
    }

    /// One subject with its raw rows (FULL view) and its batch id, through ingest's
    /// GetSubject. NOT_FOUND when ingest has no such subject in `county`.
    pub async fn subject(
        &self,
        county: &County,
        subject_id: &str,
    ) -> Result<(String, SourceSubject), EligibilityError> {
        let mut client = self.client().await?;
        let not_found = || EligibilityError::NotFound {
            what: "subject",
            id: subject_id.to_owned(),
        };
        let subject = client
            .get_subject(ingest::GetSubjectRequest {
                scope: scope_of(county),
                subject_id: subject_id.to_owned(),
                view: ingest::SubjectView::Full as i32,
            })
            .await
            .map_err(|s| match s.code() {
                Code::NotFound => not_found(),
                _ => ingest_error("", &s),
            })?
            .into_inner()
            .subject
            .ok_or_else(not_found)?;
        let batch_id = subject.batch_id.clone();
        Ok((batch_id, source_subject(subject)?))
    }

    async fn client(
        &self,
    ) -> Result<IngestServiceClient<cmr_telemetry::TracedChannel>, EligibilityError> {
        // Large HTTP/2 windows: a run streams the whole batch from ingest.
        let channel = tonic::transport::Endpoint::from_shared(self.endpoint.clone())
            .map_err(|e| EligibilityError::Ingest(format!("endpoint {}: {e}", self.endpoint)))?
            .initial_stream_window_size(Some(4 << 20))
            .initial_connection_window_size(Some(8 << 20))
            .connect()
            .await
            .map_err(|e| EligibilityError::Ingest(format!("connect {}: {e}", self.endpoint)))?;
        Ok(IngestServiceClient::new(cmr_telemetry::traced(channel)))
    }
}

fn scope_of(county: &County) -> Option<common::Scope> {
    Some(common::Scope {
        county_code: county.code.clone(),
        county_name: county.name.clone(),
        agency_id: String::new(),
    })
}

/// A subject's id and its rows in row order.
fn source_subject(subject: ingest::Subject) -> Result<SourceSubject, EligibilityError> {
    let mut rows: Vec<RawRow> = subject
        .rows
        .into_iter()
        .map(|r| {
            Ok(RawRow {
                row_index: r.data_row_index,
                record: record_of(&r)?,
            })
        })
        .collect::<Result<_, EligibilityError>>()?;
    rows.sort_by_key(|r| r.row_index);
    Ok(SourceSubject {
        subject_id: subject.subject_id,
        rows,
    })
}

impl Subjects {
    /// The next subject, or `None` at the end of the batch.
    pub async fn next(&mut self) -> Result<Option<SourceSubject>, EligibilityError> {
        let Some(message) = self
            .stream
            .message()
            .await
            .map_err(|s| ingest_error("", &s))?
        else {
            return Ok(None);
        };
        let subject = message.subject.ok_or_else(|| {
            EligibilityError::Ingest("a stream message had no subject".to_owned())
        })?;
        source_subject(subject).map(Some)
    }
}

/// The row's fields as a record, from whichever form ingest sent.
fn record_of(row: &ingest::RawRow) -> Result<Record, EligibilityError> {
    if row.packed_fields.is_empty() {
        return Ok(Record::from_fields(&row.fields));
    }
    packed::to_record(&row.packed_fields).ok_or_else(|| {
        EligibilityError::Ingest(format!("row {} arrived corrupt", row.data_row_index))
    })
}
