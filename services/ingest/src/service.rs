//! The ingest use cases: upload (streamed parse into the store), RAP-sheet ingest (parsed
//! into the same rows, stored the same way) and the queries. Knows the store and the
//! domain, not tonic.

use std::sync::{Arc, Mutex};
use tracing::Instrument as _;

use sha2::{Digest, Sha256};
use tokio::sync::{mpsc, oneshot};
use tokio_stream::{Stream, StreamExt};

use crate::domain::ids::{new_id, now_ms};
use cmr_record::rapsheet::Warning;

use crate::domain::model::{
    Batch, BatchError, BatchStatus, County, FieldRule, RowChunk, Source, StoredRow,
};
use crate::domain::parse::{ChunkPipe, ParseStop, Piece, parse_upload};
use crate::domain::rapsheet::rap_rows;
use crate::error::IngestError;
use crate::store::{Completion, PreparedChunk, Store};

/// Rows written per store transaction. Every commit syncs the store's log to disk, so fewer,
/// larger transactions are faster (docs/PERFORMANCE.md). A few such chunks are in flight at
/// once (parse, build, execute): most of ingest's peak memory on a large file.
pub const ROWS_PER_TRANSACTION: usize = 12_000;

/// A validated upload request.
#[derive(Clone, Debug)]
pub struct Upload {
    pub county: County,
    pub idempotency_key: String,
    pub file_name: String,
    pub expected_sha256: Option<String>,
    /// Announced file size; a different number of bytes received fails the upload.
    pub expected_size_bytes: Option<i64>,
    pub field_rule: FieldRule,
}

/// Asks the caller, right before a batch is committed, whether it is still there to receive
/// the answer.
///
/// hyper turns a client's RST_STREAM(CANCEL) into a clean end of the request body, so a
/// client that goes away mid-upload looks like a file that simply ended; but hyper also
/// drops the handler future then. The detached upload task therefore commits only after
/// the handler, still alive, acknowledges. (A narrow race remains when the reset arrives
/// exactly at a record boundary between the acknowledgement and the drop; clients that
/// send `expected_size_bytes` or `expected_sha256` are fully protected.)
#[derive(Debug)]
pub struct CommitGate(Option<oneshot::Sender<oneshot::Sender<()>>>);

impl CommitGate {
    /// A gate that always lets the commit through (callers that are not a network stream).
    #[must_use]
    pub fn open() -> Self {
        Self(None)
    }

    /// Whether the caller acknowledged.
    async fn confirm(self) -> bool {
        let Some(ready) = self.0 else { return true };
        let (ack, acked) = oneshot::channel();
        if ready.send(ack).is_err() {
            return false;
        }
        acked.await.is_ok()
    }
}

/// What an upload returns.
#[derive(Clone, Debug)]
pub struct UploadOutcome {
    pub batch: Batch,
    pub duplicate: bool,
}

/// A validated RAP-sheet request.
#[derive(Clone, Debug)]
pub struct RapSheetRequest {
    pub county: County,
    pub idempotency_key: String,
    /// The sheet text (personal; never logged).
    pub text: String,
    /// Stored as the batch's file name (personal; never logged).
    pub source_label: String,
    pub expected_sha256: Option<String>,
}

/// What a RAP-sheet ingest returns.
#[derive(Clone, Debug)]
pub struct RapSheetOutcome {
    pub batch: Batch,
    /// The same text was already ingested for the county: `batch` is that batch and
    /// nothing new was stored.
    pub duplicate: bool,
    /// The parser's warnings (codes and lines only), each also a quarantined row.
    pub warnings: Vec<Warning>,
}

/// The ingest service's state: its store, plus a token every running upload holds so a
/// shutdown can wait for uploads to finish or clean up.
#[derive(Clone, Debug)]
pub struct Ingest {
    pub store: Store,
    in_flight: mpsc::Sender<()>,
}

impl Ingest {
    /// The service over `store`; `in_flight` is held by every running upload task.
    #[must_use]
    pub fn new(store: Store, in_flight: mpsc::Sender<()>) -> Self {
        Self { store, in_flight }
    }

    /// Runs an upload on its own task, so it finishes (or cleans up) even when the caller
    /// goes away mid-stream.
    pub async fn upload_detached<S>(
        &self,
        request: Upload,
        chunks: S,
    ) -> Result<UploadOutcome, IngestError>
    where
        S: Stream<Item = Result<Vec<u8>, IngestError>> + Send + Unpin + 'static,
    {
        let this = self.clone();
        let (ready, ready_rx) = oneshot::channel::<oneshot::Sender<()>>();
        // The task stays in the caller's span (and so its trace).
        let task = tokio::spawn(
            async move {
                let _token = this.in_flight.clone();
                this.upload(request, chunks, CommitGate(Some(ready))).await
            }
            .instrument(tracing::Span::current()),
        );
        // Resolves with an error when the task ends without needing a commit.
        if let Ok(ack) = ready_rx.await {
            let _ = ack.send(());
        }
        task.await
            .map_err(|e| IngestError::Internal(format!("upload task failed: {e}")))?
    }

    /// Uploads one DOJ file: idempotency, streamed parse, store, accounting.
    #[tracing::instrument(name = "ingest.upload", skip_all, fields(county = %request.county.name))]
    pub async fn upload<S>(
        &self,
        request: Upload,
        chunks: S,
        gate: CommitGate,
    ) -> Result<UploadOutcome, IngestError>
    where
        S: Stream<Item = Result<Vec<u8>, IngestError>> + Send + Unpin + 'static,
    {
        if let Some(existing) = self
            .store
            .find_by_key(&request.county, &request.idempotency_key)
            .await?
        {
            if existing.status == BatchStatus::Processing {
                return Err(IngestError::FailedPrecondition(format!(
                    "an upload with this idempotency key is still in progress (batch {})",
                    existing.id
                )));
            }
            let (digest, _) = hash_all(chunks).await?;
            if digest == existing.sha256 {
                return Ok(UploadOutcome {
                    batch: existing,
                    duplicate: false,
                });
            }
            return Err(IngestError::AlreadyExists(format!(
                "IDEMPOTENCY_KEY_REUSED: the key was used for other content (batch {})",
                existing.id
            )));
        }
        if let Some(expected) = &request.expected_sha256
            && let Some(existing) = self
                .store
                .find_complete_by_digest(&request.county, expected, "")
                .await?
        {
            let (digest, _) = hash_all(chunks).await?;
            if &digest != expected {
                return Err(digest_mismatch());
            }
            return Ok(UploadOutcome {
                batch: existing,
                duplicate: true,
            });
        }

        let batch = Batch {
            id: new_id(),
            county: request.county.clone(),
            file_name: request.file_name.clone(),
            sha256: String::new(),
            size_bytes: 0,
            idempotency_key: request.idempotency_key.clone(),
            field_rule: request.field_rule,
            source: Source::DojResearchFile,
            status: BatchStatus::Processing,
            had_header: false,
            rows_received: 0,
            rows_stored: 0,
            rows_quarantined: 0,
            subject_count: 0,
            error: None,
            created_at_ms: now_ms(),
            completed_at_ms: None,
        };
        self.store.create_batch(&batch).await?;
        match self.ingest_into(&batch, &request, chunks, gate).await {
            Ok(outcome) => Ok(outcome),
            Err((error, batch_error)) => {
                tracing::warn!(batch_id = %batch.id, error_type = %batch_error.error_type, "upload failed");
                self.store.fail_batch(&batch.id, &batch_error).await?;
                Err(error)
            }
        }
    }

    async fn ingest_into<S>(
        &self,
        batch: &Batch,
        request: &Upload,
        mut chunks: S,
        gate: CommitGate,
    ) -> Result<UploadOutcome, (IngestError, BatchError)>
    where
        S: Stream<Item = Result<Vec<u8>, IngestError>> + Send + Unpin + 'static,
    {
        let (piece_tx, piece_rx) = mpsc::channel::<Piece>(8);
        let (chunk_tx, mut chunk_rx) = mpsc::channel::<RowChunk>(2);
        let stream_error: Arc<Mutex<Option<String>>> = Arc::default();

        let batch_id = batch.id.clone();
        let rule = request.field_rule;
        let parser = tokio::task::spawn_blocking(move || {
            parse_upload(
                ChunkPipe::new(piece_rx),
                rule,
                &batch_id,
                ROWS_PER_TRANSACTION,
                |chunk| chunk_tx.blocking_send(chunk).is_ok(),
            )
        });
        let feeder_error = Arc::clone(&stream_error);
        let feeder = tokio::spawn(async move {
            let mut hasher = Sha256::new();
            let mut size: i64 = 0;
            while let Some(item) = chunks.next().await {
                match item {
                    Ok(bytes) => {
                        hasher.update(&bytes);
                        size += i64::try_from(bytes.len()).unwrap_or(i64::MAX);
                        if piece_tx.send(Piece::Bytes(bytes)).await.is_err() {
                            return None;
                        }
                    }
                    Err(error) => {
                        if let Ok(mut slot) = feeder_error.lock() {
                            *slot = Some(error.to_string());
                        }
                        let _ = piece_tx.send(Piece::Aborted).await;
                        return None;
                    }
                }
            }
            Some((hex(&hasher.finalize()), size))
        });

        // Parse, build statements, execute: three stages on their own threads, so the
        // database never waits for the next chunk's INSERTs to be built.
        let (prepared_tx, mut prepared_rx) = mpsc::channel::<PreparedChunk>(2);
        let backend = self.store.backend();
        let batch_id = batch.id.clone();
        let builder = tokio::task::spawn_blocking(move || {
            while let Some(chunk) = chunk_rx.blocking_recv() {
                let prepared = Store::prepare_chunk(backend, &batch_id, chunk);
                if prepared_tx.blocking_send(prepared).is_err() {
                    return;
                }
            }
        });
        let mut write_error = None;
        while let Some(prepared) = prepared_rx.recv().await {
            if let Err(error) = self.store.write_prepared(prepared).await {
                write_error = Some(error);
                break;
            }
        }
        drop(prepared_rx);
        let _ = builder.await;
        let parsed = parser.await;
        let broke_off = stream_error.lock().ok().and_then(|mut slot| slot.take());
        if let Some(message) = broke_off {
            feeder.abort();
            return Err(upload_error(&message));
        }
        if let Some(error) = write_error {
            feeder.abort();
            return Err((error.into(), internal_batch_error()));
        }
        let totals = match parsed {
            Ok(Ok(totals)) => totals,
            Ok(Err(ParseStop::File(file_error))) => {
                feeder.abort();
                let line = file_error
                    .line
                    .map(|l| i64::try_from(l).unwrap_or(i64::MAX));
                // The batch id lets a client read the exact gogen error (`Batch.gogen_file_error`).
                let mut text = format!(
                    "invalid DOJ file (batch {}): {}",
                    batch.id, file_error.message
                );
                if let Some(line) = line {
                    text.push_str(&format!(" (file line {line}"));
                    match file_error.field {
                        Some(field) => text.push_str(&format!(", field {field})")),
                        None => text.push_str(", whole record)"),
                    }
                }
                if let Some(detail) = &file_error.detail {
                    text.push_str(&format!(": {detail}"));
                }
                return Err((
                    IngestError::InvalidFile(text),
                    BatchError {
                        error_type: file_error.error_type.as_str().to_owned(),
                        message: file_error.message.clone(),
                        line,
                        field: file_error.field.map(str::to_owned),
                    },
                ));
            }
            Ok(Err(ParseStop::Abandoned)) | Err(_) => {
                feeder.abort();
                return Err((
                    IngestError::Internal("upload parser stopped".to_owned()),
                    internal_batch_error(),
                ));
            }
        };
        let (digest, size) = match feeder.await {
            Ok(Some(done)) => done,
            Ok(None) | Err(_) => {
                let message = stream_error
                    .lock()
                    .ok()
                    .and_then(|mut slot| slot.take())
                    .unwrap_or_else(|| "upload stream ended early".to_owned());
                return Err(upload_error(&message));
            }
        };
        if let Some(expected) = request.expected_size_bytes
            && expected != size
        {
            return Err(upload_error(&format!(
                "received {size} bytes, the upload announced {expected}"
            )));
        }
        if let Some(expected) = &request.expected_sha256
            && *expected != digest
        {
            return Err((
                digest_mismatch(),
                BatchError {
                    error_type: "UPLOAD".to_owned(),
                    message: "DIGEST_MISMATCH".to_owned(),
                    line: None,
                    field: None,
                },
            ));
        }
        if totals.rows_received != totals.rows_stored + totals.rows_quarantined {
            return Err((
                IngestError::Internal("row accounting does not add up".to_owned()),
                internal_batch_error(),
            ));
        }
        let internal = |e: crate::store::StoreError| (IngestError::from(e), internal_batch_error());
        if let Some(existing) = self
            .store
            .find_complete_by_digest(&batch.county, &digest, &batch.id)
            .await
            .map_err(internal)?
        {
            self.store.delete_batch(&batch.id).await.map_err(internal)?;
            return Ok(UploadOutcome {
                batch: existing,
                duplicate: true,
            });
        }
        if !gate.confirm().await {
            return Err(upload_error(
                "the client went away before the upload completed",
            ));
        }
        let stored = self
            .complete(
                &batch.id,
                Completion {
                    sha256: &digest,
                    size_bytes: size,
                    had_header: totals.had_header,
                    rows_received: totals.rows_received,
                    rows_stored: totals.rows_stored,
                    rows_quarantined: totals.rows_quarantined,
                    subject_count: totals.subject_count,
                    completed_at_ms: now_ms(),
                },
            )
            .await?;
        tracing::info!(
            batch_id = %stored.id,
            rows = stored.rows_received,
            stored = stored.rows_stored,
            quarantined = stored.rows_quarantined,
            "batch complete"
        );
        let county = [opentelemetry::KeyValue::new(
            "county",
            stored.county.name.clone(),
        )];
        cmr_telemetry::counter(
            "cmr.ingest.rows_stored",
            u64::try_from(stored.rows_stored).unwrap_or(0),
            &county,
        );
        cmr_telemetry::counter(
            "cmr.ingest.rows_quarantined",
            u64::try_from(stored.rows_quarantined).unwrap_or(0),
            &county,
        );
        Ok(UploadOutcome {
            batch: stored,
            duplicate: false,
        })
    }

    /// Ingests a RAP sheet on its own task, so a caller that goes away does not leave a
    /// half-finished batch behind (shutdown waits for it like for an upload).
    pub async fn ingest_rap_sheet_detached(
        &self,
        request: RapSheetRequest,
    ) -> Result<RapSheetOutcome, IngestError> {
        let this = self.clone();
        tokio::spawn(
            async move {
                let _token = this.in_flight.clone();
                this.ingest_rap_sheet(request).await
            }
            .instrument(tracing::Span::current()),
        )
        .await
        .map_err(|e| IngestError::Internal(format!("RAP sheet task failed: {e}")))?
    }

    /// Ingests one RAP sheet as a batch of source RAP_SHEET: idempotency (key, then the
    /// text's SHA-256 within the county), parse, flatten into DOJ rows, then the upload's
    /// grouping, store and accounting. A sheet that cannot be parsed leaves a FAILED batch
    /// with no rows, like a bad upload.
    pub async fn ingest_rap_sheet(
        &self,
        request: RapSheetRequest,
    ) -> Result<RapSheetOutcome, IngestError> {
        let digest = hex(&Sha256::digest(request.text.as_bytes()));
        if let Some(expected) = &request.expected_sha256
            && *expected != digest
        {
            return Err(IngestError::InvalidArgument {
                field: "expected_sha256",
                description: "DIGEST_MISMATCH: the text does not have the expected SHA-256"
                    .to_owned(),
            });
        }
        if let Some(existing) = self
            .store
            .find_by_key(&request.county, &request.idempotency_key)
            .await?
        {
            if existing.status == BatchStatus::Processing {
                return Err(IngestError::FailedPrecondition(format!(
                    "an ingest with this idempotency key is still in progress (batch {})",
                    existing.id
                )));
            }
            if existing.sha256 != digest {
                return Err(IngestError::AlreadyExists(format!(
                    "IDEMPOTENCY_KEY_REUSED: the key was used for other content (batch {})",
                    existing.id
                )));
            }
            return Ok(already_ingested(existing, request.text).await);
        }
        if let Some(existing) = self
            .store
            .find_complete_by_digest(&request.county, &digest, "")
            .await?
        {
            return Ok(already_ingested(existing, request.text).await);
        }

        let size_bytes = i64::try_from(request.text.len()).unwrap_or(i64::MAX);
        let batch = Batch {
            id: new_id(),
            county: request.county.clone(),
            source: Source::RapSheet,
            file_name: request.source_label.clone(),
            sha256: String::new(),
            size_bytes,
            idempotency_key: request.idempotency_key.clone(),
            field_rule: FieldRule::Strict95,
            status: BatchStatus::Processing,
            had_header: false,
            rows_received: 0,
            rows_stored: 0,
            rows_quarantined: 0,
            subject_count: 0,
            error: None,
            created_at_ms: now_ms(),
            completed_at_ms: None,
        };
        self.store.create_batch(&batch).await?;
        match self.rap_sheet_into(&batch, request.text, &digest).await {
            Ok(outcome) => Ok(outcome),
            Err((error, batch_error)) => {
                tracing::warn!(
                    batch_id = %batch.id,
                    error_type = %batch_error.error_type,
                    line = ?batch_error.line,
                    field = ?batch_error.field,
                    "RAP sheet ingest failed"
                );
                self.store.fail_batch(&batch.id, &batch_error).await?;
                Err(error)
            }
        }
    }

    async fn rap_sheet_into(
        &self,
        batch: &Batch,
        text: String,
        digest: &str,
    ) -> Result<RapSheetOutcome, (IngestError, BatchError)> {
        let internal = |e: crate::store::StoreError| (IngestError::from(e), internal_batch_error());
        let backend = self.store.backend();
        let batch_id = batch.id.clone();
        let sha256 = digest.to_owned();
        let parsed = tokio::task::spawn_blocking(move || {
            rap_rows(&text, &sha256, &batch_id).map(|rows| {
                let prepared = Store::prepare_chunk(backend, &batch_id, rows.chunk);
                (prepared, rows.totals, rows.warnings)
            })
        })
        .await;
        let (prepared, totals, warnings) = match parsed {
            Ok(Ok(done)) => done,
            Ok(Err(error)) => {
                return Err((
                    // The error names line and field only; the batch id lets a client
                    // find the failed batch.
                    IngestError::InvalidFile(format!(
                        "invalid RAP sheet (batch {}): {error}",
                        batch.id
                    )),
                    BatchError {
                        error_type: "RAP_SHEET".to_owned(),
                        message: error.to_string(),
                        line: Some(i64::try_from(error.line).unwrap_or(i64::MAX)),
                        field: Some(error.field.to_owned()),
                    },
                ));
            }
            Err(_) => {
                return Err((
                    IngestError::Internal("RAP sheet parser stopped".to_owned()),
                    internal_batch_error(),
                ));
            }
        };
        if totals.rows_received != totals.rows_stored + totals.rows_quarantined {
            return Err((
                IngestError::Internal("row accounting does not add up".to_owned()),
                internal_batch_error(),
            ));
        }
        // Subject, rows and quarantined rows in one transaction: all or nothing.
        self.store
            .write_prepared(prepared)
            .await
            .map_err(internal)?;
        // Another request may have stored the same text meanwhile: keep the first.
        if let Some(existing) = self
            .store
            .find_complete_by_digest(&batch.county, digest, &batch.id)
            .await
            .map_err(internal)?
        {
            self.store.delete_batch(&batch.id).await.map_err(internal)?;
            return Ok(RapSheetOutcome {
                batch: existing,
                duplicate: true,
                warnings,
            });
        }
        let stored = self
            .complete(
                &batch.id,
                Completion {
                    sha256: digest,
                    size_bytes: batch.size_bytes,
                    had_header: false,
                    rows_received: totals.rows_received,
                    rows_stored: totals.rows_stored,
                    rows_quarantined: totals.rows_quarantined,
                    subject_count: totals.subject_count,
                    completed_at_ms: now_ms(),
                },
            )
            .await?;
        tracing::info!(
            batch_id = %stored.id,
            rows = stored.rows_received,
            quarantined = stored.rows_quarantined,
            "RAP sheet batch complete"
        );
        Ok(RapSheetOutcome {
            batch: stored,
            duplicate: false,
            warnings,
        })
    }

    /// A batch visible in `county`.
    /// Records a batch's totals and reads it back, complete.
    async fn complete(
        &self,
        id: &str,
        completion: Completion<'_>,
    ) -> Result<Batch, (IngestError, BatchError)> {
        let internal = |e: crate::store::StoreError| (IngestError::from(e), internal_batch_error());
        self.store
            .complete_batch(id, completion)
            .await
            .map_err(internal)?;
        self.store
            .get_batch(id)
            .await
            .map_err(internal)?
            .ok_or_else(|| {
                (
                    IngestError::Internal("completed batch vanished".to_owned()),
                    internal_batch_error(),
                )
            })
    }

    pub async fn batch_in_county(&self, county: &County, id: &str) -> Result<Batch, IngestError> {
        match self.store.get_batch(id).await? {
            Some(batch) if county_matches(county, &batch.county) => Ok(batch),
            _ => Err(IngestError::NotFound {
                what: "batch",
                id: id.to_owned(),
            }),
        }
    }

    /// A COMPLETE batch visible in `county`: what the streaming reads (subjects, rows) need.
    pub async fn complete_batch_in_county(
        &self,
        county: &County,
        id: &str,
    ) -> Result<Batch, IngestError> {
        let batch = self.batch_in_county(county, id).await?;
        if batch.status != BatchStatus::Complete {
            return Err(IngestError::FailedPrecondition(format!(
                "batch {} is not complete",
                batch.id
            )));
        }
        Ok(batch)
    }

    /// Stored rows of `batch_id` in row-index order from `from_row` (inclusive), read from
    /// the store `page` rows at a time and sent one page per item until the batch ends or
    /// the receiver goes away. Memory is bounded by one page plus the channel.
    pub fn stream_rows(
        &self,
        batch_id: String,
        from_row: i64,
        page: u64,
    ) -> mpsc::Receiver<Result<Vec<StoredRow>, IngestError>> {
        let store = self.store.clone();
        let (tx, rx) = mpsc::channel(2);
        tokio::spawn(async move {
            let mut next = from_row.max(0);
            loop {
                match store.rows_of_batch(&batch_id, next, page).await {
                    Ok(rows) => {
                        let Some(last) = rows.last() else { return };
                        next = last.row_index + 1;
                        let short = (rows.len() as u64) < page;
                        if tx.send(Ok(rows)).await.is_err() || short {
                            return;
                        }
                    }
                    Err(error) => {
                        let _ = tx.send(Err(error.into())).await;
                        return;
                    }
                }
            }
        });
        rx
    }
}

/// Whether a stored batch's county agrees with every part the request gives.
#[must_use]
pub fn county_matches(request: &County, stored: &County) -> bool {
    (request.code.is_empty() || request.code == stored.code)
        && (request.name.is_empty() || request.name == stored.name)
}

/// The answer for text that is already stored as `existing`: that batch, flagged, with the
/// warnings its parse gives (the same text always gives the same warnings).
async fn already_ingested(existing: Batch, text: String) -> RapSheetOutcome {
    let warnings = tokio::task::spawn_blocking(move || {
        cmr_record::rapsheet::parse(&text).map_or_else(|_| Vec::new(), |sheet| sheet.warnings)
    })
    .await
    .unwrap_or_default();
    RapSheetOutcome {
        batch: existing,
        duplicate: true,
        warnings,
    }
}

fn digest_mismatch() -> IngestError {
    IngestError::InvalidArgument {
        field: "metadata.expected_sha256",
        description: "DIGEST_MISMATCH: the uploaded bytes do not have the expected SHA-256"
            .to_owned(),
    }
}

fn upload_error(message: &str) -> (IngestError, BatchError) {
    (
        IngestError::Upload(message.to_owned()),
        BatchError {
            error_type: "UPLOAD".to_owned(),
            message: message.to_owned(),
            line: None,
            field: None,
        },
    )
}

fn internal_batch_error() -> BatchError {
    BatchError {
        error_type: "INTERNAL".to_owned(),
        message: "internal error".to_owned(),
        line: None,
        field: None,
    }
}

async fn hash_all<S>(mut chunks: S) -> Result<(String, i64), IngestError>
where
    S: Stream<Item = Result<Vec<u8>, IngestError>> + Unpin,
{
    let mut hasher = Sha256::new();
    let mut size: i64 = 0;
    while let Some(bytes) = chunks.next().await {
        let bytes = bytes?;
        hasher.update(&bytes);
        size += i64::try_from(bytes.len()).unwrap_or(i64::MAX);
    }
    Ok((hex(&hasher.finalize()), size))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(64), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}
