//! Bad input over the wire gets a gRPC status with a clear message, and nothing already
//! stored is lost. Real `cmr serve ingest` and `cmr serve eligibility` processes with SQLite
//! stores in a tempdir: a good file is uploaded and evaluated first, then each test sends
//! bad input (a truncated stream, a malformed row, a wrong county) and checks the exact
//! status code, the key parts of the message, that the message holds no record text, and
//! that the good batch and the good run are exactly as they were.

mod support;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use cmr_proto::common::v1 as common;
use cmr_proto::eligibility::v1 as elig;
use cmr_proto::eligibility::v1::eligibility_service_client::EligibilityServiceClient;
use cmr_proto::ingest::v1 as ingest;
use cmr_proto::ingest::v1::ingest_service_client::IngestServiceClient;
use cmr_record::columns::{CII_NUMBER, FIELD_COUNT, OFFENSE_DESCR, PRI_NAME};
use tokio_stream::StreamExt;
use tonic::Code;
use tonic::transport::Channel;

use support::{
    POLICY, Rows, Service, chunks, gen_doj, metadata, poll_until, scope, start_run_request,
};

/// A file name with a person's name in it: file names are personal and must never come
/// back in an error.
const FILE_NAME: &str = "RAP_GARCIA_MARIA_1987.csv";
/// Upper bound for any single wait.
const WAIT: Duration = Duration::from_secs(60);

/// `future`, or a panic naming `what` after [`WAIT`].
async fn within<T>(what: &str, future: impl Future<Output = T>) -> T {
    support::within(WAIT, what, future).await
}

// ---------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------

/// The generated good file: its bytes, header line and records.
struct DojFile {
    bytes: Vec<u8>,
    header: Vec<u8>,
    records: Vec<Vec<Vec<u8>>>,
}

impl DojFile {
    fn generate(dir: &Path) -> Self {
        let path = gen_doj(dir, 3000, 5);
        let bytes = std::fs::read(&path).expect("read");
        let header_end = bytes.iter().position(|&b| b == b'\n').expect("header") + 1;
        assert!(bytes.starts_with(b"RECORD_ID"), "gen-doj writes a header");
        let mut reader = cmr_record::doj::DojSource::new(&bytes[..])
            .expect("source")
            .reader(cmr_record::FieldCheck::Strict95);
        let mut records = Vec::new();
        while let Some(row) = reader.next_row().expect("row") {
            records.push(row.record.fields().map(<[u8]>::to_vec).collect());
        }
        Self {
            header: bytes[..header_end].to_vec(),
            bytes,
            records,
        }
    }

    /// The header and `records`, written as Go CSV.
    fn write(&self, records: &[Vec<Vec<u8>>]) -> Vec<u8> {
        let mut writer = cmr_record::gocsv::Writer::new(self.header.clone());
        for record in records {
            writer.record(record).expect("write");
        }
        writer.into_inner()
    }

    /// Record text that must never appear in an error: names, CII numbers, offense texts,
    /// and the (personal) file name.
    fn personal_text(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for record in &self.records {
            for (column, min_len) in [(PRI_NAME, 4), (CII_NUMBER, 6), (OFFENSE_DESCR, 8)] {
                let text = String::from_utf8_lossy(&record[column]).trim().to_owned();
                if text.len() >= min_len && text.chars().any(|c| c.is_ascii_alphanumeric()) {
                    out.insert(text);
                }
            }
        }
        out.insert(FILE_NAME.to_owned());
        out
    }
}

// ---------------------------------------------------------------------------------------
// The suite with a good batch and a good run
// ---------------------------------------------------------------------------------------

fn los_angeles() -> Option<common::Scope> {
    Some(common::Scope {
        county_code: "19".into(),
        county_name: "LOS ANGELES".into(),
        agency_id: String::new(),
    })
}

/// An upload of `bytes` under `key` announcing `expected_size_bytes`: the metadata, then
/// the bytes in chunks.
fn upload_messages(
    scope: Option<common::Scope>,
    key: &str,
    expected_size_bytes: i64,
    bytes: &[u8],
) -> Vec<ingest::UploadDojFileRequest> {
    std::iter::once(metadata(scope, key, FILE_NAME, expected_size_bytes))
        .chain(chunks(bytes))
        .collect()
}

/// Both services, the good file, and what was stored for it.
struct Suite {
    _dir: tempfile::TempDir,
    _ingest_service: Service,
    _eligibility_service: Service,
    ingest: IngestServiceClient<Channel>,
    eligibility: EligibilityServiceClient<Channel>,
    file: DojFile,
    personal: BTreeSet<String>,
    batch: ingest::Batch,
    rows: Rows,
    run: elig::Run,
    determinations: Vec<elig::Determination>,
}

impl Suite {
    /// Starts ingest and eligibility, uploads the good file and completes a run over it.
    async fn start() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = DojFile::generate(dir.path());
        let ingest_service = Service::start("ingest", &dir.path().join("ingest.db"), &[]).await;
        let eligibility_service = Service::start(
            "eligibility",
            &dir.path().join("eligibility.db"),
            &["--ingest-endpoint", &ingest_service.endpoint],
        )
        .await;
        let mut ingest = ingest_service.ingest_client().await;
        let mut eligibility = eligibility_service.eligibility_client().await;

        let size = i64::try_from(file.bytes.len()).expect("size");
        let messages = upload_messages(scope(), "good-1", size, &file.bytes);
        let uploaded = within(
            "good upload",
            ingest.upload_doj_file(tokio_stream::iter(messages)),
        )
        .await
        .expect("good upload")
        .into_inner();
        let batch = uploaded.batch.expect("batch");
        assert_eq!(batch.status, ingest::BatchStatus::Complete as i32);
        let accounting = batch.accounting.expect("accounting");
        assert_eq!(
            accounting.rows_received,
            i64::try_from(file.records.len()).expect("count")
        );
        assert_eq!(
            accounting.rows_received,
            accounting.rows_stored + accounting.rows_quarantined
        );

        let run = within(
            "good run",
            eligibility.start_run(start_run_request(scope(), &batch.batch_id, POLICY)),
        )
        .await
        .expect("good run")
        .into_inner()
        .run
        .expect("run");
        assert_eq!(run.status, elig::RunStatus::Succeeded as i32, "{run:?}");

        let mut suite = Self {
            personal: file.personal_text(),
            _dir: dir,
            _ingest_service: ingest_service,
            _eligibility_service: eligibility_service,
            ingest,
            eligibility,
            file,
            batch,
            rows: Vec::new(),
            run,
            determinations: Vec::new(),
        };
        suite.rows = suite
            .stream_rows(scope(), &suite.batch.batch_id.clone())
            .await
            .expect("rows of the good batch");
        assert_eq!(
            suite.rows.len(),
            usize::try_from(accounting.rows_stored).expect("count")
        );
        suite.determinations = suite
            .stream_results(scope(), &suite.run.run_id.clone())
            .await
            .expect("results of the good run");
        assert!(
            !suite.determinations.is_empty(),
            "the good run decided nothing"
        );
        assert_eq!(
            i64::try_from(suite.determinations.len()).expect("count"),
            suite
                .run
                .summary
                .as_ref()
                .expect("summary")
                .convictions_evaluated
        );
        suite
    }

    async fn upload(
        &mut self,
        messages: Vec<ingest::UploadDojFileRequest>,
    ) -> Result<ingest::UploadDojFileResponse, tonic::Status> {
        within(
            "upload",
            self.ingest.upload_doj_file(tokio_stream::iter(messages)),
        )
        .await
        .map(tonic::Response::into_inner)
    }

    async fn get_batch(
        &mut self,
        scope: Option<common::Scope>,
        batch_id: &str,
    ) -> Result<ingest::Batch, tonic::Status> {
        within(
            "GetBatch",
            support::get_batch(&mut self.ingest, scope, batch_id),
        )
        .await
    }

    async fn batches(&mut self, status: ingest::BatchStatus) -> Vec<ingest::Batch> {
        within(
            "ListBatches",
            support::list_batches(&mut self.ingest, status),
        )
        .await
        .expect("ListBatches")
    }

    async fn stream_rows(
        &mut self,
        scope: Option<common::Scope>,
        batch_id: &str,
    ) -> Result<Rows, tonic::Status> {
        within(
            "StreamRows",
            support::stream_rows(&mut self.ingest, scope, batch_id),
        )
        .await
    }

    async fn stream_results(
        &mut self,
        scope: Option<common::Scope>,
        run_id: &str,
    ) -> Result<Vec<elig::Determination>, tonic::Status> {
        within(
            "StreamRunResults",
            support::stream_results(&mut self.eligibility, scope, run_id),
        )
        .await
    }

    /// The good batch is COMPLETE and unchanged with every row streamable, it is still the
    /// county's only COMPLETE batch, and the good run's determinations all still stream.
    async fn assert_intact(&mut self, after: &str) {
        let batch_id = self.batch.batch_id.clone();
        let batch = self
            .get_batch(scope(), &batch_id)
            .await
            .unwrap_or_else(|s| panic!("after {after}: GetBatch: {s:?}"));
        assert_eq!(batch, self.batch, "after {after}: the good batch changed");
        let complete: Vec<String> = self
            .batches(ingest::BatchStatus::Complete)
            .await
            .into_iter()
            .map(|b| b.batch_id)
            .collect();
        assert_eq!(complete, std::slice::from_ref(&batch_id), "after {after}");
        let rows = self
            .stream_rows(scope(), &batch_id)
            .await
            .unwrap_or_else(|s| panic!("after {after}: StreamRows: {s:?}"));
        assert_eq!(rows.len(), self.rows.len(), "after {after}: rows lost");
        assert!(rows == self.rows, "after {after}: the good rows changed");

        let run_id = self.run.run_id.clone();
        let run = within(
            "GetRun",
            support::get_run(&mut self.eligibility, scope(), &run_id),
        )
        .await
        .unwrap_or_else(|s| panic!("after {after}: GetRun: {s:?}"));
        assert_eq!(run, self.run, "after {after}: the good run changed");
        let determinations = self
            .stream_results(scope(), &run_id)
            .await
            .unwrap_or_else(|s| panic!("after {after}: StreamRunResults: {s:?}"));
        assert_eq!(
            determinations.len(),
            self.determinations.len(),
            "after {after}: determinations lost"
        );
        assert!(
            determinations == self.determinations,
            "after {after}: the good determinations changed"
        );
    }

    /// `status` has `code`, its message contains every one of `parts`, and it holds no
    /// record text.
    fn assert_status(&self, status: &tonic::Status, code: Code, parts: &[&str]) {
        assert_eq!(status.code(), code, "{status:?}");
        let message = status.message();
        eprintln!("{code:?}: {message}");
        for part in parts {
            assert!(
                message.contains(part),
                "message {message:?} does not contain {part:?}"
            );
        }
        if let Some(text) = self.personal.iter().find(|t| message.contains(t.as_str())) {
            panic!("message {message:?} contains record text {text:?}");
        }
    }

    /// `status` is the INVALID_ARGUMENT of a record with `found` fields on data line
    /// `line` (gogen numbers data lines from 1 after the header).
    fn assert_wrong_field_count(&self, status: &tonic::Status, line: usize, found: usize) {
        self.assert_status(
            status,
            Code::InvalidArgument,
            &[
                "invalid DOJ file (batch ",
                &format!("record on line {line}: wrong number of fields"),
                &format!("(file line {}, whole record)", line + 1),
                &format!("expected {FIELD_COUNT} fields, found {found}"),
            ],
        );
    }

    /// The one batch the county lists with `status` besides those in `known`.
    async fn new_batch(&mut self, status: ingest::BatchStatus, known: &[&str]) -> ingest::Batch {
        let mut found: Vec<ingest::Batch> = self
            .batches(status)
            .await
            .into_iter()
            .filter(|b| !known.contains(&b.batch_id.as_str()))
            .collect();
        assert_eq!(found.len(), 1, "{found:?}");
        found.remove(0)
    }
}

/// A FAILED batch keeps nothing readable: no rows to stream, no quarantined rows.
async fn assert_failed_and_empty(suite: &mut Suite, batch_id: &str) {
    let batch = suite.get_batch(scope(), batch_id).await.expect("GetBatch");
    assert_eq!(
        batch.status,
        ingest::BatchStatus::Failed as i32,
        "{batch:?}"
    );
    let status = suite
        .stream_rows(scope(), batch_id)
        .await
        .expect_err("rows of a FAILED batch");
    suite.assert_status(
        &status,
        Code::FailedPrecondition,
        &[&format!("batch {batch_id} is not complete")],
    );
    let quarantined = within(
        "ListQuarantinedRows",
        suite
            .ingest
            .list_quarantined_rows(ingest::ListQuarantinedRowsRequest {
                scope: scope(),
                batch_id: batch_id.to_owned(),
                ..Default::default()
            }),
    )
    .await
    .expect("ListQuarantinedRows")
    .into_inner();
    assert!(quarantined.rows.is_empty(), "{quarantined:?}");
}

/// `batch` is the upload gogen rejected for a wrong field count on data line `line`: it
/// holds gogen's PARSING error, and as a FAILED batch nothing readable.
async fn assert_rejected_by_gogen(suite: &mut Suite, batch: &ingest::Batch, line: usize) {
    let error = batch.gogen_file_error.clone().expect("gogen file error");
    assert_eq!(error.error_type, "PARSING");
    assert_eq!(
        error.error_message,
        format!("record on line {line}: wrong number of fields")
    );
    assert_failed_and_empty(suite, &batch.batch_id).await;
}

// ---------------------------------------------------------------------------------------
// (a) Truncated streams
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn truncated_uploads_fail_clearly_and_store_nothing() {
    let mut suite = Suite::start().await;
    let good = suite.batch.batch_id.clone();
    let size = suite.file.bytes.len();

    // 1. The stream ends cleanly at a record boundary, but short of the announced size.
    let cut = suite.file.bytes[..size / 2]
        .iter()
        .rposition(|&b| b == b'\n')
        .expect("a record boundary")
        + 1;
    let messages = upload_messages(
        scope(),
        "short-1",
        i64::try_from(size).expect("size"),
        &suite.file.bytes[..cut],
    );
    let status = suite
        .upload(messages)
        .await
        .expect_err("a short upload must fail");
    suite.assert_status(
        &status,
        Code::InvalidArgument,
        &[
            "upload:",
            &format!("received {cut} bytes"),
            &format!("announced {size}"),
        ],
    );
    let short = suite.new_batch(ingest::BatchStatus::Failed, &[]).await;
    assert!(
        short.gogen_file_error.is_none(),
        "an upload error, not a gogen file error: {short:?}"
    );
    assert_failed_and_empty(&mut suite, &short.batch_id).await;
    suite.assert_intact("a short upload").await;

    // 2. The stream ends cleanly in the middle of a record, no size announced: the cut
    //    record is a wrong field count on its line.
    let whole = 1000;
    let mut records = suite.file.records[..whole].to_vec();
    records.push(suite.file.records[whole][..20].to_vec());
    let mut bytes = suite.file.write(&records);
    assert_eq!(bytes.pop(), Some(b'\n'));
    let line = whole + 1; // gogen numbers data lines from 1 after the header
    let messages = upload_messages(scope(), "cut-1", 0, &bytes);
    let status = suite
        .upload(messages)
        .await
        .expect_err("a cut record must fail");
    suite.assert_wrong_field_count(&status, line, 20);
    let cut_batch = suite
        .new_batch(ingest::BatchStatus::Failed, &[&short.batch_id])
        .await;
    assert!(status.message().contains(&cut_batch.batch_id));
    assert_rejected_by_gogen(&mut suite, &cut_batch, line).await;
    suite.assert_intact("a cut record").await;

    // 3. The client goes away mid-stream (mid-record, no size announced): the call is
    //    dropped while the server waits for more bytes. No status reaches anyone; the
    //    server must fail the batch and keep nothing.
    let mut cut = size / 3;
    while suite.file.bytes[cut - 1] == b'\n' {
        cut += 1;
    }
    let (polled, mut polled_rx) = tokio::sync::mpsc::channel::<()>(1);
    let sent = upload_messages(scope(), "dropped-1", 0, &suite.file.bytes[..cut]);
    // Yields the first third, reports that it was asked for more, then hangs.
    let hanging = tokio_stream::iter(sent).chain(tokio_stream::once(()).then(move |()| {
        let polled = polled.clone();
        async move {
            let _ = polled.send(()).await;
            std::future::pending::<ingest::UploadDojFileRequest>().await
        }
    }));
    let mut client = suite.ingest.clone();
    let call = tokio::spawn(async move { client.upload_doj_file(hanging).await });
    within("the stream to be drained", polled_rx.recv())
        .await
        .expect("stream drained");
    let known = [
        good.as_str(),
        short.batch_id.as_str(),
        cut_batch.batch_id.as_str(),
    ];
    let dropped = poll_until(
        WAIT,
        || "the server never saw the upload".to_owned(),
        async || {
            suite
                .batches(ingest::BatchStatus::Processing)
                .await
                .into_iter()
                .find(|b| !known.contains(&b.batch_id.as_str()))
        },
    )
    .await;
    call.abort();
    assert!(call.await.is_err_and(|e| e.is_cancelled()));
    poll_until(
        WAIT,
        || "the dropped upload was never failed".to_owned(),
        async || {
            let batch = suite
                .get_batch(scope(), &dropped.batch_id)
                .await
                .expect("GetBatch");
            if batch.status == ingest::BatchStatus::Failed as i32 {
                return Some(());
            }
            assert_eq!(
                batch.status,
                ingest::BatchStatus::Processing as i32,
                "{batch:?}"
            );
            None
        },
    )
    .await;
    assert_failed_and_empty(&mut suite, &dropped.batch_id).await;
    assert!(
        suite
            .batches(ingest::BatchStatus::Processing)
            .await
            .is_empty()
    );
    suite.assert_intact("a dropped upload").await;
}

// ---------------------------------------------------------------------------------------
// (b) A malformed row
// ---------------------------------------------------------------------------------------

/// A record with 94 fields in the middle of an otherwise good file fails the whole upload
/// with INVALID_ARGUMENT naming the line and the field-count problem; the batch is stored
/// FAILED with gogen's error and no rows (gogen aborts such a file, and so does cmr).
#[tokio::test]
async fn a_malformed_row_fails_the_upload_with_its_line_and_keeps_nothing() {
    let mut suite = Suite::start().await;
    let good = suite.batch.batch_id.clone();
    let middle = suite.file.records.len() / 2;
    let mut records = suite.file.records.clone();
    records[middle].pop();
    assert_eq!(records[middle].len(), FIELD_COUNT - 1);
    let bytes = suite.file.write(&records);
    let line = middle + 1; // gogen numbers data lines from 1 after the header

    for (attempt, field_check) in [
        ("strict", ingest::FieldCheck::Strict95),
        ("same-as-first", ingest::FieldCheck::SameAsFirst),
    ] {
        let mut messages = upload_messages(
            scope(),
            &format!("malformed-{attempt}"),
            i64::try_from(bytes.len()).expect("size"),
            &bytes,
        );
        if let Some(ingest::upload_doj_file_request::Payload::Metadata(m)) =
            &mut messages[0].payload
        {
            m.field_check = field_check as i32;
        }
        let status = suite
            .upload(messages)
            .await
            .expect_err("a malformed row must fail the upload");
        suite.assert_wrong_field_count(&status, line, 94);
        let failed = suite
            .batches(ingest::BatchStatus::Failed)
            .await
            .into_iter()
            .find(|b| {
                status
                    .message()
                    .contains(&format!("(batch {})", b.batch_id))
            })
            .expect("the message names the FAILED batch");
        assert_ne!(failed.batch_id, good);
        assert_rejected_by_gogen(&mut suite, &failed, line).await;
        suite
            .assert_intact(&format!("a malformed row ({attempt})"))
            .await;
    }
    assert_eq!(suite.batches(ingest::BatchStatus::Failed).await.len(), 2);
}

// ---------------------------------------------------------------------------------------
// (c) Wrong county
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn another_county_sees_nothing_and_a_blank_county_is_invalid() {
    let mut suite = Suite::start().await;
    let batch_id = suite.batch.batch_id.clone();
    let run_id = suite.run.run_id.clone();
    let batch_not_found = format!("batch {batch_id} not found");
    let run_not_found = format!("run {run_id} not found");

    // The good batch and run under another county's scope do not exist.
    let status = suite
        .get_batch(los_angeles(), &batch_id)
        .await
        .expect_err("GetBatch in another county");
    suite.assert_status(&status, Code::NotFound, &[&batch_not_found]);
    let status = suite
        .stream_rows(los_angeles(), &batch_id)
        .await
        .expect_err("StreamRows in another county");
    suite.assert_status(&status, Code::NotFound, &[&batch_not_found]);
    let status = within(
        "ListQuarantinedRows",
        suite
            .ingest
            .list_quarantined_rows(ingest::ListQuarantinedRowsRequest {
                scope: los_angeles(),
                batch_id: batch_id.clone(),
                ..Default::default()
            }),
    )
    .await
    .expect_err("ListQuarantinedRows in another county");
    suite.assert_status(&status, Code::NotFound, &[&batch_not_found]);
    let status = within(
        "StreamSubjects",
        suite.ingest.stream_subjects(ingest::StreamSubjectsRequest {
            scope: los_angeles(),
            batch_id: batch_id.clone(),
            ..Default::default()
        }),
    )
    .await
    .expect_err("StreamSubjects in another county");
    suite.assert_status(&status, Code::NotFound, &[&batch_not_found]);
    let listed = within(
        "ListBatches",
        suite.ingest.list_batches(ingest::ListBatchesRequest {
            scope: los_angeles(),
            ..Default::default()
        }),
    )
    .await
    .expect("ListBatches in another county")
    .into_inner();
    assert!(listed.batches.is_empty(), "{listed:?}");
    suite.assert_intact("ingest reads in another county").await;

    let status = within(
        "GetRun",
        support::get_run(&mut suite.eligibility, los_angeles(), &run_id),
    )
    .await
    .expect_err("GetRun in another county");
    suite.assert_status(&status, Code::NotFound, &[&run_not_found]);
    let status = suite
        .stream_results(los_angeles(), &run_id)
        .await
        .expect_err("StreamRunResults in another county");
    suite.assert_status(&status, Code::NotFound, &[&run_not_found]);
    suite
        .assert_intact("eligibility reads in another county")
        .await;

    // StartRun for the good batch under another county: the Sacramento policy does not
    // exist there, and with Los Angeles' own policy the batch does not.
    let status = within(
        "StartRun",
        suite
            .eligibility
            .start_run(start_run_request(los_angeles(), &batch_id, POLICY)),
    )
    .await
    .expect_err("StartRun with another county's policy");
    suite.assert_status(
        &status,
        Code::NotFound,
        &[&format!("policy {POLICY} not found")],
    );
    let status = within(
        "StartRun",
        suite.eligibility.start_run(start_run_request(
            los_angeles(),
            &batch_id,
            "gogen-pilot-los-angeles",
        )),
    )
    .await
    .expect_err("StartRun for another county's batch");
    suite.assert_status(&status, Code::NotFound, &[&batch_not_found]);
    let runs = within(
        "ListRuns",
        suite.eligibility.list_runs(elig::ListRunsRequest {
            scope: scope(),
            ..Default::default()
        }),
    )
    .await
    .expect("ListRuns")
    .into_inner()
    .runs;
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0].run_id, run_id);
    // The refused StartRun left no run in Los Angeles either.
    let elsewhere = within(
        "ListRuns",
        suite.eligibility.list_runs(elig::ListRunsRequest {
            scope: los_angeles(),
            ..Default::default()
        }),
    )
    .await
    .expect("ListRuns in another county")
    .into_inner()
    .runs;
    assert!(elsewhere.is_empty(), "{elsewhere:?}");
    suite.assert_intact("StartRun in another county").await;

    // An upload without a usable county is INVALID_ARGUMENT, before any byte is stored.
    let head = suite.file.bytes[..64 * 1024].to_vec();
    let cases = [
        ("no scope", None, "scope: scope is required"),
        (
            "an empty scope",
            Some(common::Scope::default()),
            "scope: scope needs county_code or county_name",
        ),
        (
            "a blank county name",
            Some(common::Scope {
                county_name: "   ".into(),
                ..Default::default()
            }),
            "scope.county_name: county_name must be the DOJ county name",
        ),
    ];
    for (what, scope, expected) in cases {
        let messages = upload_messages(scope, "blank-county-1", 0, &head);
        let status = suite
            .upload(messages)
            .await
            .expect_err("an upload without a county");
        suite.assert_status(&status, Code::InvalidArgument, &[expected]);
        suite.assert_intact(&format!("an upload with {what}")).await;
    }
    assert!(suite.batches(ingest::BatchStatus::Failed).await.is_empty());

    // A run without a county name is INVALID_ARGUMENT too.
    let blank = Some(common::Scope {
        county_code: "34".into(),
        county_name: " ".into(),
        agency_id: String::new(),
    });
    let status = within(
        "StartRun",
        suite
            .eligibility
            .start_run(start_run_request(blank, &batch_id, POLICY)),
    )
    .await
    .expect_err("StartRun without a county name");
    suite.assert_status(
        &status,
        Code::InvalidArgument,
        &["scope.county_name", "INVALID_SCOPE"],
    );
    suite.assert_intact("StartRun with a blank county").await;
}
