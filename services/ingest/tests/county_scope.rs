//! County scoping (issue 5 item 5): data stored for Sacramento (34) is, to a Yolo (57)
//! scope, exactly as if it did not exist. Every RPC that takes a batch or subject id answers
//! NOT_FOUND with only ids in the message, lists under Yolo are empty, and nothing of
//! Sacramento's changes. A missing or malformed scope is INVALID_ARGUMENT naming the field.
//! The real server on 127.0.0.1:0 with SQLite in a tempdir; the sheet is synthetic.

use cmr_proto::common::v1 as common;
use cmr_proto::ingest::v1 as pb;
use cmr_proto::ingest::v1::ingest_service_client::IngestServiceClient;
use cmr_testkit::TestDatabase;
use tokio_stream::StreamExt;
use tonic::{Code, Status, transport::Channel};

mod support;

use support::{scope as sacramento, start};

/// A synthetic sheet (invented name and numbers) with one unrecognised line, so the batch
/// has stored and quarantined rows.
const SHEET: &str = "\
RE: QHY.CA0000000.00000091.SAMPLE        DATE:20190102 TIME:10:00:00

CII/A00000091
DOB/19810202 SEX/M RAC/OTHER
NAM/01 INVENTED, PERSON

* * * *
COURT:                NAM:01
20060610  CASC SACRAMENTO

CNT:01     #06F00009
  11359 HS-POSSESS MARIJUANA FOR SALE
*DISPO:CONVICTED
   CONV STATUS:FELONY
QQQ GARBLED SCAN TEXT
* * * END OF MESSAGE * * *
";

fn yolo() -> Option<common::Scope> {
    Some(common::Scope {
        county_code: "57".into(),
        county_name: "YOLO".into(),
        agency_id: String::new(),
    })
}

fn key(key: &str) -> Option<common::IdempotencyKey> {
    Some(common::IdempotencyKey { key: key.into() })
}

/// NOT_FOUND whose message names `id` and nothing personal.
fn assert_not_found(result: Result<impl std::fmt::Debug, Status>, id: &str, rpc: &str) {
    let status = result.expect_err(rpc);
    assert_eq!(status.code(), Code::NotFound, "{rpc}: {status:?}");
    assert!(status.message().contains(id), "{rpc}: {}", status.message());
    for personal in ["INVENTED", "A00000091", "SACRAMENTO", "19810202"] {
        assert!(
            !status.message().contains(personal),
            "{rpc}: {}",
            status.message()
        );
    }
}

fn assert_invalid(result: Result<impl std::fmt::Debug, Status>, field: &str, rpc: &str) {
    let status = result.expect_err(rpc);
    assert_eq!(status.code(), Code::InvalidArgument, "{rpc}: {status:?}");
    assert!(
        status.message().starts_with(field),
        "{rpc}: {}",
        status.message()
    );
}

async fn batches(
    client: &mut IngestServiceClient<Channel>,
    scope: Option<common::Scope>,
) -> Vec<pb::Batch> {
    client
        .list_batches(pb::ListBatchesRequest {
            scope,
            ..Default::default()
        })
        .await
        .expect("list batches")
        .into_inner()
        .batches
}

async fn stream_error<T>(
    result: Result<tonic::Response<tonic::Streaming<T>>, Status>,
) -> Result<Vec<T>, Status> {
    let mut stream = result?.into_inner();
    let mut items = Vec::new();
    while let Some(item) = stream.next().await {
        items.push(item?);
    }
    Ok(items)
}

/// Everything Sacramento can see of its data, to compare before and after.
async fn snapshot(client: &mut IngestServiceClient<Channel>) -> (Vec<pb::Batch>, usize, usize) {
    let all = batches(client, sacramento()).await;
    let batch_id = all[0].batch_id.clone();
    let rows = stream_error(
        client
            .stream_rows(pb::StreamRowsRequest {
                scope: sacramento(),
                batch_id: batch_id.clone(),
                ..Default::default()
            })
            .await,
    )
    .await
    .expect("rows")
    .iter()
    .map(|p| p.rows.len())
    .sum();
    let quarantined = client
        .list_quarantined_rows(pb::ListQuarantinedRowsRequest {
            scope: sacramento(),
            batch_id,
            ..Default::default()
        })
        .await
        .expect("quarantined")
        .into_inner()
        .rows
        .len();
    (all, rows, quarantined)
}

#[tokio::test]
async fn another_countys_data_does_not_exist() {
    let db = TestDatabase::new(false, "ingest").await;
    let server = start(&db.url()).await;
    let mut client = server.client.clone();

    let stored = client
        .ingest_rap_sheet(pb::IngestRapSheetRequest {
            scope: sacramento(),
            idempotency_key: key("sheet-1"),
            text: SHEET.into(),
            source_label: "sheet.txt".into(),
            expected_sha256: String::new(),
        })
        .await
        .expect("ingest")
        .into_inner();
    let batch_id = stored.batch.expect("batch").batch_id;
    let subject_id = stored.subject.expect("subject").subject_id;
    let before = snapshot(&mut client).await;
    assert_eq!(
        (before.0.len(), before.2),
        (1, 1),
        "one batch, one quarantined row"
    );
    assert!(before.1 > 0);

    // Lists under Yolo are empty.
    assert!(batches(&mut client, yolo()).await.is_empty());

    // Every RPC that takes Sacramento's batch or subject id.
    let b = batch_id.as_str();
    let got = client
        .get_batch(pb::GetBatchRequest {
            scope: yolo(),
            batch_id: b.into(),
        })
        .await;
    assert_not_found(got, b, "GetBatch");
    let got = client
        .list_quarantined_rows(pb::ListQuarantinedRowsRequest {
            scope: yolo(),
            batch_id: b.into(),
            ..Default::default()
        })
        .await;
    assert_not_found(got, b, "ListQuarantinedRows");
    let got = client
        .stream_subjects(pb::StreamSubjectsRequest {
            scope: yolo(),
            batch_id: b.into(),
            ..Default::default()
        })
        .await;
    assert_not_found(stream_error(got).await, b, "StreamSubjects");
    let got = client
        .stream_rows(pb::StreamRowsRequest {
            scope: yolo(),
            batch_id: b.into(),
            ..Default::default()
        })
        .await;
    assert_not_found(stream_error(got).await, b, "StreamRows");
    let got = client
        .get_subject(pb::GetSubjectRequest {
            scope: yolo(),
            subject_id: subject_id.clone(),
            view: pb::SubjectView::Full as i32,
        })
        .await;
    assert_not_found(got, &subject_id, "GetSubject");
    let got = client
        .purge_batch(pb::PurgeBatchRequest {
            scope: yolo(),
            idempotency_key: key("purge-1"),
            batch_id: b.into(),
            reason_code: "REQUESTED".into(),
        })
        .await;
    assert_not_found(got, b, "PurgeBatch");
    let got = client
        .list_subjects(pb::ListSubjectsRequest {
            scope: yolo(),
            batch_id: b.into(),
            ..Default::default()
        })
        .await;
    assert_not_found(got, b, "ListSubjects");
    let got = client
        .list_counts(pb::ListCountsRequest {
            scope: yolo(),
            batch_id: b.into(),
            ..Default::default()
        })
        .await;
    assert_not_found(got, b, "ListCounts(batch)");
    let got = client
        .list_counts(pb::ListCountsRequest {
            scope: yolo(),
            subject_id: subject_id.clone(),
            ..Default::default()
        })
        .await;
    assert_not_found(got, &subject_id, "ListCounts(subject)");

    // A code and name that do not name one county see nothing either.
    let mixed = Some(common::Scope {
        county_code: "57".into(),
        county_name: "SACRAMENTO".into(),
        agency_id: String::new(),
    });
    let got = client
        .get_batch(pb::GetBatchRequest {
            scope: mixed.clone(),
            batch_id: b.into(),
        })
        .await;
    assert_not_found(got, b, "GetBatch(mixed scope)");
    assert!(batches(&mut client, mixed).await.is_empty());

    // Yolo's upload of the same text under the same key is its own batch: neither the
    // idempotency key nor the content digest reaches across counties.
    let theirs = client
        .ingest_rap_sheet(pb::IngestRapSheetRequest {
            scope: yolo(),
            idempotency_key: key("sheet-1"),
            text: SHEET.into(),
            source_label: "sheet.txt".into(),
            expected_sha256: String::new(),
        })
        .await
        .expect("yolo ingest")
        .into_inner();
    assert!(!theirs.duplicate);
    let their_batch = theirs.batch.expect("batch");
    assert_ne!(their_batch.batch_id, batch_id);
    assert_eq!(their_batch.scope, yolo());
    // Resuming Yolo's own batch after Sacramento's subject: that subject is not there.
    let got = client
        .stream_subjects(pb::StreamSubjectsRequest {
            scope: yolo(),
            batch_id: their_batch.batch_id.clone(),
            resume_after_subject_id: subject_id.clone(),
            ..Default::default()
        })
        .await;
    assert_not_found(
        stream_error(got).await,
        &subject_id,
        "StreamSubjects(resume)",
    );
    assert_eq!(
        batches(&mut client, yolo())
            .await
            .iter()
            .map(|b| b.batch_id.as_str())
            .collect::<Vec<_>>(),
        [their_batch.batch_id.as_str()]
    );

    // Nothing of Sacramento's changed.
    assert_eq!(snapshot(&mut client).await, before);

    server.stop().await;
    db.cleanup().await;
}

#[tokio::test]
async fn missing_or_malformed_scope_is_invalid_argument() {
    let db = TestDatabase::new(false, "ingest").await;
    let server = start(&db.url()).await;
    let mut client = server.client.clone();
    let cases = [
        (None, "scope"),
        (Some(common::Scope::default()), "scope"),
        (
            Some(common::Scope {
                county_code: "5".into(),
                county_name: "YOLO".into(),
                agency_id: String::new(),
            }),
            "scope.county_code",
        ),
        (
            Some(common::Scope {
                county_code: "59".into(),
                ..Default::default()
            }),
            "scope.county_code",
        ),
    ];
    for (scope, field) in cases {
        let got = client
            .get_batch(pb::GetBatchRequest {
                scope: scope.clone(),
                batch_id: "01J00000000000000000000000".into(),
            })
            .await;
        assert_invalid(got, field, "GetBatch");
        let got = client
            .list_batches(pb::ListBatchesRequest {
                scope: scope.clone(),
                ..Default::default()
            })
            .await;
        assert_invalid(got, field, "ListBatches");
        let got = client
            .get_subject(pb::GetSubjectRequest {
                scope: scope.clone(),
                subject_id: "01J00000000000000000000000".into(),
                view: 0,
            })
            .await;
        assert_invalid(got, field, "GetSubject");
        let got = client
            .purge_batch(pb::PurgeBatchRequest {
                scope: scope.clone(),
                batch_id: "01J00000000000000000000000".into(),
                ..Default::default()
            })
            .await;
        assert_invalid(got, field, "PurgeBatch");
        let got = client
            .ingest_rap_sheet(pb::IngestRapSheetRequest {
                scope,
                idempotency_key: key("k-1"),
                text: SHEET.into(),
                ..Default::default()
            })
            .await;
        assert_invalid(got, field, "IngestRapSheet");
    }
    server.stop().await;
    db.cleanup().await;
}
