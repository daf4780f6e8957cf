//! Fault tests: real `cmr serve` processes with SQLite stores in a tempdir, killed with
//! SIGKILL (a crash, not a graceful stop) in the middle of their work and restarted on a new
//! port over the same database file. After the interrupted work is repeated, what is stored
//! must equal what an undisturbed process in a separate data directory stores from the same
//! file: nothing lost, nothing duplicated.
//!
//! The kill points are chosen by observing the store, never by guessing with sleeps: the
//! eligibility process is killed once the run is RUNNING and its first determinations are
//! committed; the ingest process once the upload is PROCESSING with rows committed while the
//! client still holds the rest of the file. Either test fails loudly if the work finished
//! before the kill.

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use cmr_proto::common::v1 as common;
use cmr_proto::eligibility::v1 as elig;
use cmr_proto::eligibility::v1::eligibility_service_client::EligibilityServiceClient;
use cmr_proto::ingest::v1 as ingest;
use cmr_proto::ingest::v1::ingest_service_client::IngestServiceClient;
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::Channel;

use support::{
    COUNTY, POLICY, Rows, Service, chunk, gen_doj, metadata, poll_until, scope, sqlite_url,
    start_run_request, within,
};

/// Rows of the generated file the eligibility test's input is made from (see
/// [`dense_prop64_file`]).
const RUN_SOURCE_ROWS: u64 = 30_000;
/// Copies of the source file's Prop 64 conviction rows in that input. The service commits
/// determinations 2000 at a time (`DETERMINATIONS_PER_TRANSACTION`), and a plain generated
/// file yields about one determination per 30 rows, so a plain file big enough for several
/// commits would take far too long in a debug build. 8 copies give about 8,000
/// determinations from about 12,000 rows: several commits, a run of a few seconds.
const RUN_COPIES: usize = 8;
/// Rows of the file the ingest test uploads: three store transactions of rows, so that 70%
/// of the file holds at least one commit.
const UPLOAD_ROWS: u64 = 3 * cmr_ingest::service::ROWS_PER_TRANSACTION as u64;
/// The file name every upload announces.
const FILE_NAME: &str = "doj.csv";

/// Upper bound for any single wait of these tests.
const WAIT: Duration = Duration::from_secs(120);

// ---------------------------------------------------------------------------------------
// Clients and files
// ---------------------------------------------------------------------------------------

/// An ingest client that accepts the large StreamRows pages of these files.
async fn ingest_client(service: &Service) -> IngestServiceClient<Channel> {
    service
        .ingest_client()
        .await
        .max_decoding_message_size(64 * 1024 * 1024)
}

/// A DOJ file dense in Prop 64 convictions: the header and the rows of `source` that are
/// convictions in the county with an H&S 11357-11360 offense, written `copies` times, each
/// copy under its own SUBJECT_IDs (so every copy is a set of new subjects). Deterministic.
fn dense_prop64_file(source: &Path, copies: usize) -> Vec<u8> {
    use cmr_record::columns::{DISP_DESCR, OFFENSE_DESCR, STP_ORI_CNTY_NAME, SUBJECT_ID};
    let text = std::fs::read(source).expect("read generated file");
    let header_end = text.iter().position(|&b| b == b'\n').expect("header line") + 1;
    assert!(text.starts_with(b"RECORD_ID"), "gen-doj writes a header");
    let mut reader = cmr_record::doj::DojSource::new(&text[..])
        .expect("generated file")
        .reader(cmr_record::FieldCheck::Strict95);
    let mut selected: Vec<Vec<Vec<u8>>> = Vec::new();
    while let Some(row) = reader.next_row().expect("generated row") {
        let record = row.record;
        let offense = record.field(OFFENSE_DESCR);
        if record.field(STP_ORI_CNTY_NAME) == COUNTY.as_bytes()
            && record.field(DISP_DESCR).starts_with(b"CONVICTED")
            && [&b"11357"[..], b"11358", b"11359", b"11360"]
                .iter()
                .any(|section| offense.windows(5).any(|w| w == *section))
        {
            selected.push(record.fields().map(<[u8]>::to_vec).collect());
        }
    }
    assert!(selected.len() > 1000, "{} selected rows", selected.len());
    let mut writer = cmr_record::gocsv::Writer::new(text[..header_end].to_vec());
    for copy in 0..copies {
        for fields in &selected {
            let mut fields = fields.clone();
            let mut subject = format!("{}", copy + 1).into_bytes();
            subject.extend_from_slice(&fields[SUBJECT_ID]);
            fields[SUBJECT_ID] = subject;
            writer.record(&fields).expect("write row");
        }
    }
    writer.into_inner()
}

fn data_dir(root: &Path, name: &str) -> PathBuf {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).expect("data dir");
    dir
}

// ---------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------

/// Uploads `bytes` whole under `key`, announcing the size.
async fn upload(
    client: &mut IngestServiceClient<Channel>,
    key: &str,
    bytes: &[u8],
) -> ingest::UploadDojFileResponse {
    let size = i64::try_from(bytes.len()).expect("size");
    let mut messages = vec![metadata(scope(), key, FILE_NAME, size)];
    messages.extend(bytes.chunks(256 * 1024).map(chunk));
    within(
        WAIT,
        "upload",
        client.upload_doj_file(tokio_stream::iter(messages)),
    )
    .await
    .expect("upload")
    .into_inner()
}

async fn get_run(client: &mut EligibilityServiceClient<Channel>, run_id: &str) -> elig::Run {
    within(WAIT, "GetRun", support::get_run(client, scope(), run_id))
        .await
        .expect("GetRun")
}

async fn runs_of_batch(
    client: &mut EligibilityServiceClient<Channel>,
    batch_id: &str,
) -> Vec<elig::Run> {
    within(
        WAIT,
        "ListRuns",
        client.list_runs(elig::ListRunsRequest {
            scope: scope(),
            batch_id: batch_id.to_owned(),
            ..Default::default()
        }),
    )
    .await
    .expect("ListRuns")
    .into_inner()
    .runs
}

async fn stream_results(
    client: &mut EligibilityServiceClient<Channel>,
    run_id: &str,
) -> Vec<elig::Determination> {
    within(
        WAIT,
        "StreamRunResults",
        support::stream_results(client, scope(), run_id),
    )
    .await
    .expect("StreamRunResults")
}

/// What a determination says, without the ids that differ between data directories
/// (run, batch, subject, determination ids are generated per store).
#[derive(Debug, PartialEq)]
struct Decided {
    row_index: i64,
    outcome: i32,
    reason: Option<common::Reason>,
    explanation: String,
    policy: Option<elig::PolicyRef>,
    compute_at: Option<common::CivilDate>,
    gogen: Option<elig::GogenColumns>,
}

fn decided(determinations: &[elig::Determination]) -> Vec<Decided> {
    determinations
        .iter()
        .map(|d| Decided {
            row_index: d.conviction.as_ref().expect("conviction").data_row_index,
            outcome: d.outcome,
            reason: d.reason.clone(),
            explanation: d.explanation.clone(),
            policy: d.policy.clone(),
            compute_at: d.compute_at,
            gogen: d.gogen.clone(),
        })
        .collect()
}

/// Every row index once, in stream (file) order, and determination ids that agree.
fn assert_unique_in_order(run_id: &str, determinations: &[elig::Determination]) {
    let indexes: Vec<i64> = determinations
        .iter()
        .map(|d| d.conviction.as_ref().expect("conviction").data_row_index)
        .collect();
    assert!(
        indexes.windows(2).all(|w| w[0] < w[1]),
        "row indexes are not strictly increasing (duplicates or disorder)"
    );
    for d in determinations {
        assert_eq!(d.run_id, run_id);
        let index = d.conviction.as_ref().expect("conviction").data_row_index;
        assert_eq!(d.determination_id, format!("{run_id}:{index}"));
    }
}

/// A run's summary without the wall-clock processing time gogen records.
fn comparable_summary(run: &elig::Run) -> (i64, i64, i64, Vec<elig::OutcomeCount>, String) {
    let s = run.summary.clone().expect("summary");
    let json = if s.gogen_summary_json.is_empty() {
        String::new()
    } else {
        let mut value: serde_json::Value =
            serde_json::from_str(&s.gogen_summary_json).expect("summary JSON");
        if let Some(object) = value.as_object_mut() {
            object.remove("processingTimeInSeconds");
        }
        value.to_string()
    };
    let mut by_outcome = s.by_outcome;
    by_outcome.sort_by_key(|c| c.outcome);
    (
        s.subjects_evaluated,
        s.convictions_evaluated,
        s.subjects_with_relief,
        by_outcome,
        json,
    )
}

async fn list_batches(
    client: &mut IngestServiceClient<Channel>,
    status: ingest::BatchStatus,
) -> Vec<ingest::Batch> {
    within(WAIT, "ListBatches", support::list_batches(client, status))
        .await
        .expect("ListBatches")
}

async fn get_batch(client: &mut IngestServiceClient<Channel>, batch_id: &str) -> ingest::Batch {
    within(
        WAIT,
        "GetBatch",
        support::get_batch(client, scope(), batch_id),
    )
    .await
    .expect("GetBatch")
}

async fn stream_rows(
    client: &mut IngestServiceClient<Channel>,
    batch_id: &str,
) -> Result<Rows, tonic::Status> {
    within(
        WAIT,
        "StreamRows",
        support::stream_rows(client, scope(), batch_id),
    )
    .await
}

/// (line, data line, reason, field, message, detail) of every quarantined row.
async fn quarantined(
    client: &mut IngestServiceClient<Channel>,
    batch_id: &str,
) -> Vec<(i64, i64, i32, String, String, String)> {
    let mut out = Vec::new();
    let mut token = String::new();
    loop {
        let page = within(
            WAIT,
            "ListQuarantinedRows",
            client.list_quarantined_rows(ingest::ListQuarantinedRowsRequest {
                scope: scope(),
                batch_id: batch_id.to_owned(),
                page: Some(common::PageRequest {
                    page_size: 1000,
                    page_token: token.clone(),
                }),
                ..Default::default()
            }),
        )
        .await
        .expect("ListQuarantinedRows")
        .into_inner();
        out.extend(page.rows.into_iter().map(|q| {
            (
                q.line_number,
                q.data_line_number,
                q.reason,
                q.field,
                q.message,
                q.detail,
            )
        }));
        token = page.page.map(|p| p.next_page_token).unwrap_or_default();
        if token.is_empty() {
            return out;
        }
    }
}

fn accounting(batch: &ingest::Batch) -> common::RowAccounting {
    let a = batch.accounting.expect("accounting");
    assert_eq!(
        a.rows_received,
        a.rows_stored + a.rows_quarantined,
        "row accounting of batch {} does not add up",
        batch.batch_id
    );
    a
}

// ---------------------------------------------------------------------------------------
// Eligibility killed mid-run
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn eligibility_killed_mid_run_then_repeated_stores_exactly_the_undisturbed_determinations() {
    let started = Instant::now();
    let root = tempfile::tempdir().expect("tempdir");
    let source = gen_doj(root.path(), RUN_SOURCE_ROWS, 64);
    let bytes = dense_prop64_file(&source, RUN_COPIES);

    // The undisturbed run, in its own data directory.
    let (expected, expected_run, baseline_time) = {
        let dir = data_dir(root.path(), "undisturbed");
        let ingest = Service::start("ingest", &dir.join("ingest.db"), &[]).await;
        let eligibility = Service::start(
            "eligibility",
            &dir.join("eligibility.db"),
            &["--ingest-endpoint", &ingest.endpoint],
        )
        .await;
        let batch = upload(&mut ingest_client(&ingest).await, "upload-1", &bytes)
            .await
            .batch
            .expect("batch");
        assert_eq!(batch.status, ingest::BatchStatus::Complete as i32);
        let mut client = eligibility.eligibility_client().await;
        let clock = Instant::now();
        let run = within(
            WAIT,
            "undisturbed StartRun",
            client.start_run(start_run_request(scope(), &batch.batch_id, POLICY)),
        )
        .await
        .expect("undisturbed StartRun")
        .into_inner()
        .run
        .expect("run");
        let baseline_time = clock.elapsed();
        assert_eq!(run.status, elig::RunStatus::Succeeded as i32, "{run:?}");
        let determinations = stream_results(&mut client, &run.run_id).await;
        assert_unique_in_order(&run.run_id, &determinations);
        (determinations, run, baseline_time)
    };
    let expected_count = expected.len();
    eprintln!(
        "undisturbed run: {expected_count} determinations in {baseline_time:?} ({} bytes)",
        bytes.len()
    );
    // Determinations are committed 2000 at a time: the kill must be able to land after
    // the first commit and well before the last.
    assert!(
        expected_count >= 6000,
        "only {expected_count} determinations: raise RUN_COPIES so the kill lands mid-run"
    );
    assert_eq!(
        i64::try_from(expected_count).expect("count"),
        expected_run
            .summary
            .as_ref()
            .expect("summary")
            .convictions_evaluated
    );

    // The disturbed run: same file, fresh data directory.
    let dir = data_dir(root.path(), "disturbed");
    let eligibility_db = dir.join("eligibility.db");
    let ingest = Service::start("ingest", &dir.join("ingest.db"), &[]).await;
    let ingest_arg = ["--ingest-endpoint", ingest.endpoint.as_str()];
    let eligibility = Service::start("eligibility", &eligibility_db, &ingest_arg).await;
    let batch = upload(&mut ingest_client(&ingest).await, "upload-1", &bytes)
        .await
        .batch
        .expect("batch");
    assert_eq!(batch.status, ingest::BatchStatus::Complete as i32);

    let mut client = eligibility.eligibility_client().await;
    let mut first_client = client.clone();
    let request = start_run_request(scope(), &batch.batch_id, POLICY);
    let first_request = request.clone();
    let mut first_attempt =
        tokio::spawn(async move { first_client.start_run(first_request).await });

    // Wait until the run is RUNNING and has committed determinations, reading the store
    // (the same SQLite file) directly, then crash the service.
    let store = cmr_eligibility::store::Store::connect(&sqlite_url(&eligibility_db))
        .await
        .expect("open the eligibility store");
    let (run_id, seen) = poll_until(
        WAIT,
        || {
            format!(
                "the run never committed a determination; stderr:\n{}",
                eligibility.log()
            )
        },
        async || {
            if first_attempt.is_finished() {
                panic!(
                    "StartRun answered before any determination was seen (the run is too \
                     short to be interrupted; raise RUN_COPIES): {:?}",
                    (&mut first_attempt).await
                );
            }
            let runs = runs_of_batch(&mut client, &batch.batch_id).await;
            let run = runs.first()?;
            // A run is created FAILED ("not started") and marked RUNNING right after, so
            // only SUCCEEDED means it is too late.
            assert_ne!(
                run.status,
                elig::RunStatus::Succeeded as i32,
                "the run finished before the kill: raise RUN_COPIES"
            );
            if run.status != elig::RunStatus::Running as i32 {
                return None;
            }
            let stored = store
                .count_determinations(&run.run_id)
                .await
                .expect("count determinations");
            (stored > 0).then(|| (run.run_id.clone(), stored))
        },
    )
    .await;
    eligibility.kill();
    let killed_at = started.elapsed();

    // The caller of the interrupted StartRun gets an error, never a run.
    let answer = within(WAIT, "the interrupted StartRun", first_attempt)
        .await
        .expect("StartRun task");
    match answer {
        Ok(response) => panic!(
            "StartRun succeeded although the service was killed mid-run \
             (the run finished before the kill): {:?}",
            response.into_inner().run
        ),
        Err(status) => eprintln!(
            "interrupted StartRun: {:?} {:?} ({seen} determinations committed when killed)",
            status.code(),
            status.message()
        ),
    }

    // What the crash left: a RUNNING run with part of its determinations.
    let left = store
        .count_determinations(&run_id)
        .await
        .expect("count determinations");
    let crashed = store.get_run(&run_id).await.expect("get run").expect("run");
    store.close().await.expect("close store");
    assert_eq!(
        crashed.status,
        cmr_eligibility::domain::model::RunStatus::Running,
        "the run must still be RUNNING in the store after the crash"
    );
    assert!(
        left > 0 && usize::try_from(left).expect("count") < expected_count,
        "the crash must leave a partial run: {left} of {expected_count} determinations"
    );
    eprintln!("killed mid-run: {left} of {expected_count} determinations were on disk");

    // Restart over the same database on a new port: the interrupted run becomes FAILED
    // with its partial determinations removed.
    let eligibility = Service::start("eligibility", &eligibility_db, &ingest_arg).await;
    let mut client = eligibility.eligibility_client().await;
    let failed = get_run(&mut client, &run_id).await;
    assert_eq!(failed.status, elig::RunStatus::Failed as i32, "{failed:?}");
    let error = failed.error.as_ref().expect("error of the failed run");
    assert!(
        error.message.contains("interrupted"),
        "unclear failure message: {:?}",
        error.message
    );
    let status = within(
        WAIT,
        "StreamRunResults of the failed run",
        client.stream_run_results(elig::StreamRunResultsRequest {
            scope: scope(),
            run_id: run_id.clone(),
            ..Default::default()
        }),
    )
    .await
    .expect_err("a FAILED run has no results to stream");
    assert_eq!(status.code(), tonic::Code::FailedPrecondition, "{status:?}");
    {
        let store = cmr_eligibility::store::Store::connect(&sqlite_url(&eligibility_db))
            .await
            .expect("open the eligibility store");
        let after_restart = store
            .count_determinations(&run_id)
            .await
            .expect("count determinations");
        store.close().await.expect("close store");
        assert_eq!(
            after_restart, 0,
            "start-up recovery must remove the partial determinations"
        );
    }

    // The same request again redoes the run under the same run id (documented in
    // services/eligibility/src/service.rs), answered as the existing run (`reused`).
    let redo = within(WAIT, "repeated StartRun", client.start_run(request.clone()))
        .await
        .expect("repeated StartRun")
        .into_inner();
    assert!(redo.reused, "the natural key already had a run");
    let run = redo.run.expect("run");
    assert_eq!(
        run.run_id, run_id,
        "the redone run keeps the first attempt's id"
    );
    assert_eq!(run.status, elig::RunStatus::Succeeded as i32, "{run:?}");
    assert!(run.error.is_none(), "{run:?}");
    assert_eq!(comparable_summary(&run), comparable_summary(&expected_run));

    let got = stream_results(&mut client, &run_id).await;
    assert_unique_in_order(&run_id, &got);
    assert_eq!(got.len(), expected_count, "none lost or duplicated");
    let (got, expected) = (decided(&got), decided(&expected));
    if let Some(i) = (0..got.len()).find(|&i| got[i] != expected[i]) {
        panic!(
            "determination {i} differs from the undisturbed run:\n  got      {:?}\n  expected {:?}",
            got[i], expected[i]
        );
    }

    // The run is one run: a third request changes nothing.
    let again = within(WAIT, "third StartRun", client.start_run(request))
        .await
        .expect("third StartRun")
        .into_inner();
    assert!(again.reused);
    assert_eq!(again.run.expect("run").run_id, run_id);
    assert_eq!(runs_of_batch(&mut client, &batch.batch_id).await.len(), 1);
    assert_eq!(
        stream_results(&mut client, &run_id).await.len(),
        expected_count
    );

    eprintln!(
        "eligibility fault test: killed at {killed_at:?}, done in {:?}",
        started.elapsed()
    );
}

// ---------------------------------------------------------------------------------------
// Ingest killed mid-upload
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn ingest_killed_mid_upload_then_uploaded_again_stores_exactly_the_undisturbed_rows() {
    let started = Instant::now();
    let root = tempfile::tempdir().expect("tempdir");
    let file = gen_doj(root.path(), UPLOAD_ROWS, 12);
    let bytes = std::fs::read(&file).expect("read file");

    // The undisturbed upload, in its own data directory.
    let (expected_batch, expected_rows, expected_quarantine) = {
        let dir = data_dir(root.path(), "undisturbed");
        let ingest = Service::start("ingest", &dir.join("ingest.db"), &[]).await;
        let mut client = ingest_client(&ingest).await;
        let response = upload(&mut client, "upload-1", &bytes).await;
        assert!(!response.duplicate);
        let batch = response.batch.expect("batch");
        assert_eq!(batch.status, ingest::BatchStatus::Complete as i32);
        let rows = stream_rows(&mut client, &batch.batch_id)
            .await
            .expect("StreamRows");
        let quarantine = quarantined(&mut client, &batch.batch_id).await;
        (batch, rows, quarantine)
    };
    let expected_accounting = accounting(&expected_batch);
    assert_eq!(
        expected_rows.len(),
        usize::try_from(expected_accounting.rows_stored).expect("count")
    );
    // Rows are committed ROWS_PER_TRANSACTION at a time: the kill must land after a commit.
    assert!(
        expected_rows.len() > 2 * cmr_ingest::service::ROWS_PER_TRANSACTION,
        "only {} rows: make UPLOAD_ROWS bigger",
        expected_rows.len()
    );
    assert!(
        expected_rows.windows(2).all(|w| w[0].0 < w[1].0),
        "stored row indexes are unique and in file order"
    );

    // The disturbed upload: slow chunks over an open stream, killed mid-stream.
    let dir = data_dir(root.path(), "disturbed");
    let ingest_db = dir.join("ingest.db");
    let ingest = Service::start("ingest", &ingest_db, &[]).await;
    let mut client = ingest_client(&ingest).await;
    let (tx, rx) = tokio::sync::mpsc::channel::<ingest::UploadDojFileRequest>(4);
    let mut uploader = client.clone();
    let mut call =
        tokio::spawn(async move { uploader.upload_doj_file(ReceiverStream::new(rx)).await });
    let size = i64::try_from(bytes.len()).expect("size");
    tx.send(metadata(scope(), "upload-1", FILE_NAME, size))
        .await
        .expect("send metadata");
    // Send 70% of the file in 64 KiB chunks with small pauses, then hold the stream open
    // (the client still "has" the rest) so the upload cannot finish before the kill.
    let cut = bytes.len() * 7 / 10;
    for part in bytes[..cut].chunks(64 * 1024) {
        within(WAIT, "sending a chunk", tx.send(chunk(part)))
            .await
            .expect("send chunk");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let store = cmr_ingest::store::Store::connect(&sqlite_url(&ingest_db))
        .await
        .expect("open the ingest store");
    let (batch_id, seen) = poll_until(
        WAIT,
        || format!("the upload never committed rows; stderr:\n{}", ingest.log()),
        async || {
            if call.is_finished() {
                panic!("the upload ended before the kill: {:?}", (&mut call).await);
            }
            let processing = list_batches(&mut client, ingest::BatchStatus::Processing).await;
            let batch = processing.first()?;
            let stored = store.count_rows(&batch.batch_id).await.expect("count rows");
            (stored > 0).then(|| (batch.batch_id.clone(), stored))
        },
    )
    .await;
    ingest.kill();
    let answer = within(WAIT, "the interrupted upload", call)
        .await
        .expect("upload task");
    match answer {
        Ok(response) => panic!(
            "the upload succeeded although the service was killed mid-stream: {:?}",
            response.into_inner()
        ),
        Err(status) => eprintln!(
            "interrupted upload: {:?} {:?} ({seen} rows committed when killed)",
            status.code(),
            status.message()
        ),
    }
    drop(tx);

    // What the crash left: a PROCESSING batch with part of its rows.
    let left = store.count_rows(&batch_id).await.expect("count rows");
    let crashed = store
        .get_batch(&batch_id)
        .await
        .expect("get batch")
        .expect("the interrupted batch is stored");
    store.close().await.expect("close store");
    assert_eq!(
        crashed.status,
        cmr_ingest::domain::model::BatchStatus::Processing
    );
    assert!(
        left > 0 && usize::try_from(left).expect("count") < expected_rows.len(),
        "the crash must leave a partial batch: {left} of {} rows",
        expected_rows.len()
    );
    eprintln!(
        "killed mid-upload: {left} of {} rows were on disk",
        expected_rows.len()
    );

    // Restart over the same database on a new port: the interrupted batch is FAILED with
    // no rows.
    let ingest = Service::start("ingest", &ingest_db, &[]).await;
    let mut client = ingest_client(&ingest).await;
    let failed = get_batch(&mut client, &batch_id).await;
    assert_eq!(
        failed.status,
        ingest::BatchStatus::Failed as i32,
        "{failed:?}"
    );
    assert!(failed.completed_at.is_some(), "a FAILED batch records when");
    assert!(
        list_batches(&mut client, ingest::BatchStatus::Complete)
            .await
            .is_empty()
    );
    assert!(
        list_batches(&mut client, ingest::BatchStatus::Processing)
            .await
            .is_empty()
    );
    let status = stream_rows(&mut client, &batch_id)
        .await
        .expect_err("the rows of a FAILED batch are not streamable");
    assert_eq!(status.code(), tonic::Code::FailedPrecondition, "{status:?}");
    assert!(
        status.message().contains("not complete"),
        "{:?}",
        status.message()
    );
    {
        let store = cmr_ingest::store::Store::connect(&sqlite_url(&ingest_db))
            .await
            .expect("open the ingest store");
        let after_restart = store.count_rows(&batch_id).await.expect("count rows");
        store.close().await.expect("close store");
        assert_eq!(
            after_restart, 0,
            "start-up recovery must remove the partial rows"
        );
    }

    // Upload again with the SAME idempotency key: a failed attempt does not hold its key
    // (services/ingest/src/store/mod.rs find_by_key), so this is a new, COMPLETE batch.
    let retried = upload(&mut client, "upload-1", &bytes).await;
    assert!(!retried.duplicate);
    let batch = retried.batch.expect("batch");
    assert_ne!(batch.batch_id, batch_id, "a new batch, not the failed one");
    assert_eq!(batch.status, ingest::BatchStatus::Complete as i32);
    assert_eq!(accounting(&batch), expected_accounting);
    assert_eq!(batch.sha256, expected_batch.sha256);
    assert_eq!(batch.size_bytes, expected_batch.size_bytes);
    assert_eq!(batch.size_bytes, i64::try_from(bytes.len()).expect("size"));
    assert_eq!(batch.subject_count, expected_batch.subject_count);

    // And with a FRESH key: the same content for the county is that batch, as a duplicate.
    let fresh = upload(&mut client, "upload-2", &bytes).await;
    assert!(fresh.duplicate);
    assert_eq!(fresh.batch.expect("batch").batch_id, batch.batch_id);

    // Its rows equal the undisturbed upload's, row for row, none lost or duplicated.
    let rows = stream_rows(&mut client, &batch.batch_id)
        .await
        .expect("StreamRows");
    assert_eq!(rows.len(), expected_rows.len());
    assert!(
        rows.windows(2).all(|w| w[0].0 < w[1].0),
        "row indexes unique"
    );
    if let Some(i) = (0..rows.len()).find(|&i| rows[i] != expected_rows[i]) {
        panic!(
            "row {i} differs from the undisturbed upload (index {} vs {})",
            rows[i].0, expected_rows[i].0
        );
    }
    assert_eq!(
        quarantined(&mut client, &batch.batch_id).await,
        expected_quarantine
    );

    // The failed batch stays FAILED and empty; exactly two batches exist.
    assert_eq!(
        get_batch(&mut client, &batch_id).await.status,
        ingest::BatchStatus::Failed as i32
    );
    let all = list_batches(&mut client, ingest::BatchStatus::Unspecified).await;
    assert_eq!(all.len(), 2, "{all:?}");

    eprintln!("ingest fault test done in {:?}", started.elapsed());
}
