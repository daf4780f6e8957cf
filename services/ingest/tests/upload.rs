//! The real ingest server on 127.0.0.1:0 with a real store: SQLite in a tempdir, and a fresh
//! PostgreSQL database per test on the local server (these fail when it is unreachable).

use std::path::PathBuf;

use cmr_proto::common::v1 as common;
use cmr_proto::ingest::v1 as pb;
use cmr_proto::ingest::v1::ingest_service_client::IngestServiceClient;
use cmr_record::FieldCheck;
use cmr_record::doj::DojSource;
use cmr_testkit::TestDatabase;
use tokio_stream::StreamExt;
use tonic::transport::Channel;

fn fixture(name: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/compat/gogen")
        .join(name);
    assert!(path.is_file(), "fixture missing: {}", path.display());
    path
}

mod support;

use support::{scope, start};

fn messages(key: &str, bytes: &[u8], chunk: usize) -> Vec<pb::UploadDojFileRequest> {
    messages_announcing(key, bytes, chunk, 0)
}

fn messages_announcing(
    key: &str,
    bytes: &[u8],
    chunk: usize,
    expected_size_bytes: i64,
) -> Vec<pb::UploadDojFileRequest> {
    let mut out = vec![pb::UploadDojFileRequest {
        payload: Some(pb::upload_doj_file_request::Payload::Metadata(
            pb::UploadMetadata {
                scope: scope(),
                idempotency_key: Some(common::IdempotencyKey { key: key.into() }),
                file_name: "input.csv".into(),
                expected_size_bytes,
                ..Default::default()
            },
        )),
    }];
    out.extend(bytes.chunks(chunk).map(|c| pb::UploadDojFileRequest {
        payload: Some(pb::upload_doj_file_request::Payload::Chunk(c.to_vec())),
    }));
    out
}

async fn upload(
    client: &mut IngestServiceClient<Channel>,
    key: &str,
    bytes: &[u8],
    chunk: usize,
) -> Result<pb::UploadDojFileResponse, tonic::Status> {
    let stream = tokio_stream::iter(messages(key, bytes, chunk));
    client.upload_doj_file(stream).await.map(|r| r.into_inner())
}

async fn complete_batches(client: &mut IngestServiceClient<Channel>) -> Vec<pb::Batch> {
    client
        .list_batches(pb::ListBatchesRequest {
            scope: scope(),
            status: pb::BatchStatus::Complete as i32,
            ..Default::default()
        })
        .await
        .expect("list")
        .into_inner()
        .batches
}

fn expected_rows(path: &PathBuf) -> Vec<(i64, Vec<Vec<u8>>)> {
    let file = std::fs::File::open(path).expect("open");
    let mut reader = DojSource::new(std::io::BufReader::new(file))
        .expect("source")
        .reader(FieldCheck::Strict95);
    let mut rows = Vec::new();
    while let Some(row) = reader.next_row().expect("row") {
        let index = i64::try_from(row.index).expect("index");
        rows.push((index, row.record.fields().map(<[u8]>::to_vec).collect()));
    }
    rows
}

async fn upload_in_odd_chunks(postgres: bool) {
    let db = TestDatabase::new(postgres, "ingest").await;
    let server = start(&db.url()).await;
    let mut client = server.client.clone();
    let path = fixture("gogen_configurable_flow/input.csv");
    let bytes = std::fs::read(&path).expect("read");

    let started = std::time::Instant::now();
    let first = upload(&mut client, "key-1", &bytes, 1)
        .await
        .expect("upload");
    eprintln!(
        "38-row upload in 1-byte chunks took {:?}",
        started.elapsed()
    );
    assert!(!first.duplicate);
    let batch = first.batch.expect("batch");
    assert_eq!(batch.status, pb::BatchStatus::Complete as i32);
    let accounting = batch.accounting.expect("accounting");
    assert_eq!(accounting.rows_received, 38);
    assert_eq!(
        accounting.rows_received,
        accounting.rows_stored + accounting.rows_quarantined
    );
    assert_eq!(batch.subject_count, 13);
    assert!(batch.had_header);

    // Same content again, other chunk sizes and keys, and the same key: same batch.
    for (key, chunk) in [("key-2", 7), ("key-3", 64 * 1024), ("key-1", 7)] {
        let again = upload(&mut client, key, &bytes, chunk)
            .await
            .expect("re-upload");
        assert_eq!(
            again.batch.expect("batch").batch_id,
            batch.batch_id,
            "key {key}"
        );
        assert_eq!(again.duplicate, key != "key-1");
    }
    let batches = complete_batches(&mut client).await;
    assert_eq!(batches.len(), 1);
    assert_eq!(
        batches[0].accounting.as_ref().expect("acc").rows_stored,
        accounting.rows_stored
    );

    // Subjects come back in file order with every row, byte for byte.
    let mut stream = client
        .stream_subjects(pb::StreamSubjectsRequest {
            scope: scope(),
            batch_id: batch.batch_id.clone(),
            view: pb::SubjectView::Full as i32,
            ..Default::default()
        })
        .await
        .expect("stream")
        .into_inner();
    let mut subjects = Vec::new();
    while let Some(item) = stream.next().await {
        subjects.push(item.expect("subject").subject.expect("subject"));
    }
    assert_eq!(subjects.len(), 13);
    let mut streamed: Vec<(i64, Vec<Vec<u8>>)> = Vec::new();
    for subject in &subjects {
        let doj_id = &subject.identity.as_ref().expect("identity").doj_subject_id;
        for row in &subject.rows {
            assert_eq!(&String::from_utf8_lossy(&row.fields[2]), doj_id);
            streamed.push((row.data_row_index, row.fields.clone()));
        }
    }
    assert!(
        subjects
            .windows(2)
            .all(|w| w[0].first_data_row_index < w[1].first_data_row_index)
    );
    streamed.sort_by_key(|(index, _)| *index);
    assert_eq!(streamed, expected_rows(&path));

    let one = client
        .get_subject(pb::GetSubjectRequest {
            scope: scope(),
            subject_id: subjects[0].subject_id.clone(),
            view: pb::SubjectView::Full as i32,
        })
        .await
        .expect("get subject")
        .into_inner()
        .subject
        .expect("subject");
    assert_eq!(one.rows, subjects[0].rows);

    let got = client
        .get_batch(pb::GetBatchRequest {
            scope: scope(),
            batch_id: batch.batch_id.clone(),
        })
        .await
        .expect("get batch")
        .into_inner()
        .batch
        .expect("batch");
    assert_eq!(got.sha256.len(), 64);

    // Counts are not served yet; the scope and batch are checked first.
    let status = client
        .list_counts(pb::ListCountsRequest {
            scope: scope(),
            batch_id: batch.batch_id.clone(),
            ..Default::default()
        })
        .await
        .expect_err("later issue");
    assert_eq!(status.code(), tonic::Code::Unimplemented);
    let status = client
        .list_counts(pb::ListCountsRequest::default())
        .await
        .expect_err("no scope");
    assert_eq!(status.code(), tonic::Code::InvalidArgument);

    server.stop().await;
    db.cleanup().await;
}

async fn stream_rows(
    client: &mut IngestServiceClient<Channel>,
    scope: Option<common::Scope>,
    batch_id: &str,
    from_row_index: i64,
) -> Result<Vec<(i64, Vec<Vec<u8>>)>, tonic::Status> {
    stream_rows_as(client, scope, batch_id, from_row_index, false).await
}

/// The rows of a batch, asked for field by field or `packed` (then unpacked here).
async fn stream_rows_as(
    client: &mut IngestServiceClient<Channel>,
    scope: Option<common::Scope>,
    batch_id: &str,
    from_row_index: i64,
    packed: bool,
) -> Result<Vec<(i64, Vec<Vec<u8>>)>, tonic::Status> {
    let mut stream = client
        .stream_rows(pb::StreamRowsRequest {
            scope,
            batch_id: batch_id.to_owned(),
            from_row_index,
            packed_fields: packed,
        })
        .await?
        .into_inner();
    let mut rows = Vec::new();
    while let Some(page) = stream.next().await {
        let page = page?;
        assert!(!page.rows.is_empty() && page.rows.len() <= 1000);
        for r in page.rows {
            let fields = if packed {
                assert!(r.fields.is_empty(), "packed rows carry no separate fields");
                cmr_record::packed::decode(&r.packed_fields).expect("a packed value")
            } else {
                assert!(r.packed_fields.is_empty());
                r.fields
            };
            rows.push((r.data_row_index, fields));
        }
    }
    Ok(rows)
}

async fn rows_stream_in_file_order(postgres: bool) {
    let db = TestDatabase::new(postgres, "ingest").await;
    let server = start(&db.url()).await;
    let mut client = server.client.clone();
    let path = fixture("gogen_configurable_flow/input.csv");
    let bytes = std::fs::read(&path).expect("read");
    let batch = upload(&mut client, "rows-1", &bytes, 64 * 1024)
        .await
        .expect("upload")
        .batch
        .expect("batch");
    let expected = expected_rows(&path);

    let rows = stream_rows(&mut client, scope(), &batch.batch_id, 0)
        .await
        .expect("stream rows");
    assert_eq!(rows.len(), 38);
    assert!(rows.iter().map(|(i, _)| *i).eq(0..38));
    assert_eq!(rows, expected);
    let packed = stream_rows_as(&mut client, scope(), &batch.batch_id, 0, true)
        .await
        .expect("stream packed rows");
    assert_eq!(packed, expected);

    let resumed = stream_rows(&mut client, scope(), &batch.batch_id, 30)
        .await
        .expect("resume");
    assert!(resumed.iter().map(|(i, _)| *i).eq(30..38));
    assert_eq!(resumed, expected[30..]);

    let other = Some(common::Scope {
        county_code: "19".into(),
        county_name: "LOS ANGELES".into(),
        agency_id: String::new(),
    });
    let status = stream_rows(&mut client, other, &batch.batch_id, 0)
        .await
        .expect_err("other county");
    assert_eq!(status.code(), tonic::Code::NotFound);

    server.stop().await;
    db.cleanup().await;
}

async fn bad_file_is_rejected(postgres: bool) {
    let db = TestDatabase::new(postgres, "ingest").await;
    let server = start(&db.url()).await;
    let mut client = server.client.clone();
    let bytes = std::fs::read(fixture("bad.csv")).expect("read");
    let status = upload(&mut client, "bad-1", &bytes, 7)
        .await
        .expect_err("bad file");
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
    assert!(
        status
            .message()
            .contains("record on line 1: wrong number of fields"),
        "{}",
        status.message()
    );
    assert!(status.message().contains("line 1"), "{}", status.message());
    assert!(complete_batches(&mut client).await.is_empty());
    let all = all_batches(&mut client).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].status, pb::BatchStatus::Failed as i32);
    let error = all[0].gogen_file_error.as_ref().expect("gogen error");
    assert_eq!(error.error_type, "PARSING");
    assert_eq!(
        error.error_message,
        "record on line 1: wrong number of fields"
    );
    server.stop().await;
    db.cleanup().await;
}

/// The client goes away mid-upload: mid-record without announcing a size, or exactly at a
/// record boundary after announcing the whole file's size.
async fn truncated_upload_leaves_no_batch(postgres: bool, at_record_boundary: bool) {
    let db = TestDatabase::new(postgres, "ingest").await;
    let server = start(&db.url()).await;
    let bytes = std::fs::read(fixture("gogen_configurable_flow/input.csv")).expect("read");
    let sent = if at_record_boundary {
        let cut = bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .nth(20)
            .expect("21 lines")
            .0
            + 1;
        let size = i64::try_from(bytes.len()).expect("size");
        messages_announcing("cut-1", &bytes[..cut], 4096, size)
    } else {
        messages("cut-1", &bytes[..bytes.len() / 2], 4096)
    };
    let (polled_again, mut polled_again_rx) = tokio::sync::mpsc::channel::<()>(1);
    // Yields the first half, then tells the test it was asked for more, and hangs.
    let stream = tokio_stream::iter(sent).chain(futures_pending(polled_again));
    let mut client = server.client.clone();
    let call = tokio::spawn(async move { client.upload_doj_file(stream).await });
    polled_again_rx.recv().await.expect("stream was drained");
    // The batch exists and waits for more bytes (the stream hangs, so this ends) before
    // the client goes away.
    let mut watcher = server.client.clone();
    tokio::time::timeout(std::time::Duration::from_secs(30), async {
        loop {
            let processing = watcher
                .list_batches(pb::ListBatchesRequest {
                    scope: scope(),
                    status: pb::BatchStatus::Processing as i32,
                    ..Default::default()
                })
                .await
                .expect("list")
                .into_inner()
                .batches;
            if !processing.is_empty() {
                break;
            }
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the server saw the upload");
    call.abort();
    let _ = call.await;
    // Shutting down waits for the upload task to finish its clean-up.
    server.stop().await;

    let server = start(&db.url()).await;
    let mut client = server.client.clone();
    assert!(complete_batches(&mut client).await.is_empty());
    let all = all_batches(&mut client).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].status, pb::BatchStatus::Failed as i32);
    if at_record_boundary {
        // Mid-record, the cut shows as the file error it causes; at a record boundary
        // the announced size catches it.
        assert!(
            all[0].gogen_file_error.is_none(),
            "an upload error, not a file error"
        );
    }
    server.stop().await;
    assert_no_rows(&db.url(), &all).await;
    db.cleanup().await;
}

async fn all_batches(client: &mut IngestServiceClient<Channel>) -> Vec<pb::Batch> {
    client
        .list_batches(pb::ListBatchesRequest {
            scope: scope(),
            ..Default::default()
        })
        .await
        .expect("list")
        .into_inner()
        .batches
}

/// Reads the store directly: none of `batches` has a stored row left.
async fn assert_no_rows(url: &str, batches: &[pb::Batch]) {
    let store = cmr_ingest::store::Store::connect(url).await.expect("store");
    for batch in batches {
        assert_eq!(store.count_rows(&batch.batch_id).await.expect("count"), 0);
    }
    store.close().await.expect("close");
}

async fn blank_subject_id_is_quarantined(postgres: bool) {
    let db = TestDatabase::new(postgres, "ingest").await;
    let server = start(&db.url()).await;
    let mut client = server.client.clone();
    let path = fixture("gogen_configurable_flow/input.csv");
    let original = std::fs::read(&path).expect("read");
    let header_end = original.iter().position(|&b| b == b'\n').expect("header") + 1;
    let mut writer = cmr_record::gocsv::Writer::new(original[..header_end].to_vec());
    for (index, mut fields) in expected_rows(&path) {
        if index == 4 {
            fields[2].clear();
        }
        writer.record(fields).expect("write");
    }
    let bytes = writer.into_inner();
    let batch = upload(&mut client, "blank-1", &bytes, 64 * 1024)
        .await
        .expect("upload")
        .batch
        .expect("batch");
    let accounting = batch.accounting.expect("accounting");
    assert_eq!(accounting.rows_received, 38);
    assert_eq!(accounting.rows_quarantined, 1);
    assert_eq!(accounting.rows_stored, 37);
    let rows = client
        .list_quarantined_rows(pb::ListQuarantinedRowsRequest {
            scope: scope(),
            batch_id: batch.batch_id.clone(),
            ..Default::default()
        })
        .await
        .expect("quarantine")
        .into_inner()
        .rows;
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].line_number, 6,
        "header is line 1, row index 4 is line 6"
    );
    assert_eq!(rows[0].data_line_number, 5);
    assert_eq!(rows[0].field, "SUBJECT_ID");
    assert_eq!(rows[0].column_index, 2);
    assert!(rows[0].raw_record.is_empty());
    server.stop().await;
    db.cleanup().await;
}

/// A stream that reports once it is polled, then never yields.
fn futures_pending(
    polled: tokio::sync::mpsc::Sender<()>,
) -> impl tokio_stream::Stream<Item = pb::UploadDojFileRequest> {
    tokio_stream::once(()).then(move |()| {
        let polled = polled.clone();
        async move {
            let _ = polled.send(()).await;
            std::future::pending::<pb::UploadDojFileRequest>().await
        }
    })
}

#[tokio::test]
async fn sqlite_upload_in_odd_chunks() {
    upload_in_odd_chunks(false).await;
}

#[tokio::test]
async fn sqlite_bad_file_is_rejected() {
    bad_file_is_rejected(false).await;
}

#[tokio::test]
async fn sqlite_truncated_upload_leaves_no_batch() {
    truncated_upload_leaves_no_batch(false, false).await;
    truncated_upload_leaves_no_batch(false, true).await;
}

#[tokio::test]
async fn postgres_upload_in_odd_chunks() {
    upload_in_odd_chunks(true).await;
}

#[tokio::test]
async fn postgres_bad_file_is_rejected() {
    bad_file_is_rejected(true).await;
}

#[tokio::test]
async fn postgres_truncated_upload_leaves_no_batch() {
    truncated_upload_leaves_no_batch(true, false).await;
    truncated_upload_leaves_no_batch(true, true).await;
}

#[tokio::test]
async fn sqlite_blank_subject_id_is_quarantined() {
    blank_subject_id_is_quarantined(false).await;
}

#[tokio::test]
async fn postgres_blank_subject_id_is_quarantined() {
    blank_subject_id_is_quarantined(true).await;
}

#[tokio::test]
async fn sqlite_rows_stream_in_file_order() {
    rows_stream_in_file_order(false).await;
}

#[tokio::test]
async fn postgres_rows_stream_in_file_order() {
    rows_stream_in_file_order(true).await;
}
