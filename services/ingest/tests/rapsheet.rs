//! IngestRapSheet against the real ingest server on 127.0.0.1:0 with a real store (SQLite
//! in a tempdir, and a fresh PostgreSQL database per test on the local server). The sheets
//! are synthetic, written here (names and numbers invented).

use cmr_proto::common::v1 as common;
use cmr_proto::ingest::v1 as pb;
use cmr_proto::ingest::v1::ingest_service_client::IngestServiceClient;
use cmr_record::columns as col;
use cmr_testkit::TestDatabase;
use sha2::{Digest, Sha256};
use tokio_stream::StreamExt;
use tonic::transport::Channel;

mod support;

use support::{scope, start};

/// One arrest and one court event in Sacramento; the court's first count is convicted and
/// later dismissed under PC 1203.4 (two dispositions, two rows); a scanning artefact line
/// the parser skips with a warning.
const SHEET: &str = "\
RE: QHY.CA0000000.00000077.SAMPLE        DATE:20190102 TIME:10:00:00
RESTRICTED-DO NOT USE FOR EMPLOYMENT,LICENSING OR CERTIFICATION PURPOSES
ATTN:SAMPLE

* * * * * * * * * * * * * * * * * * * *
III CALIFORNIA ONLY SOURCE RECORD

CII/A00000077
DOB/19810202 SEX/M RAC/OTHER
NAM/01 FAKENAME, JORDAN

* * * *
ARR/DET/CITE: NAM:01
20060304  CASO SACRAMENTO

CNT:01     #06-000222
  11359 HS-POSSESS MARIJUANA FOR SALE
- - - -
COURT:                NAM:01
20060610  CASC SACRAMENTO

CNT:01     #06F00001
  11359 HS-POSSESS MARIJUANA FOR SALE
*DISPO:CONVICTED
   CONV STATUS:FELONY
   SEN: 036 MONTHS PROBATION, 060 DAYS JAIL

20100115
  DISPO:CONV SET ASIDE & DISM PER 1203.4 PC
QQQ GARBLED SCAN TEXT
CNT:02
  11357 HS-POSSESS MARIJUANA
 DISPO:DISMISSED/FURTHERANCE OF JUSTICE
* * * END OF MESSAGE * * *
";

/// 1-based line of the first line of `text` that contains `needle`.
fn line_of(text: &str, needle: &str) -> i64 {
    let index = text
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle} not in the sheet"));
    i64::try_from(index + 1).expect("line")
}

fn sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn request(key: &str, text: &str) -> pb::IngestRapSheetRequest {
    pb::IngestRapSheetRequest {
        scope: scope(),
        idempotency_key: Some(common::IdempotencyKey { key: key.into() }),
        text: text.into(),
        source_label: "sheet.txt".into(),
        expected_sha256: String::new(),
    }
}

async fn ingest(
    client: &mut IngestServiceClient<Channel>,
    request: pb::IngestRapSheetRequest,
) -> Result<pb::IngestRapSheetResponse, tonic::Status> {
    client
        .ingest_rap_sheet(request)
        .await
        .map(|r| r.into_inner())
}

async fn batches(
    client: &mut IngestServiceClient<Channel>,
    source: pb::SourceKind,
) -> Vec<pb::Batch> {
    client
        .list_batches(pb::ListBatchesRequest {
            scope: scope(),
            source: source as i32,
            ..Default::default()
        })
        .await
        .expect("list")
        .into_inner()
        .batches
}

/// Every stored row of a batch as (row index, line, fields).
async fn rows(client: &mut IngestServiceClient<Channel>, batch_id: &str) -> Vec<pb::RawRow> {
    let mut stream = client
        .stream_rows(pb::StreamRowsRequest {
            scope: scope(),
            batch_id: batch_id.to_owned(),
            from_row_index: 0,
            packed_fields: false,
        })
        .await
        .expect("stream rows")
        .into_inner();
    let mut out = Vec::new();
    while let Some(page) = stream.next().await {
        out.extend(page.expect("page").rows);
    }
    out
}

fn text(row: &pb::RawRow, column: usize) -> String {
    String::from_utf8_lossy(&row.fields[column]).into_owned()
}

async fn rap_sheet_becomes_a_batch(postgres: bool) {
    let db = TestDatabase::new(postgres, "ingest").await;
    let server = start(&db.url()).await;
    let mut client = server.client.clone();

    let first = ingest(&mut client, request("rap-1", SHEET))
        .await
        .expect("ingest");
    assert!(!first.duplicate);
    let batch = first.batch.clone().expect("batch");
    assert_eq!(batch.status, pb::BatchStatus::Complete as i32);
    assert_eq!(batch.source, pb::SourceKind::RapSheet as i32);
    assert_eq!(batch.sha256, sha256(SHEET));
    assert_eq!(batch.size_bytes, i64::try_from(SHEET.len()).expect("size"));
    assert_eq!(batch.file_name, "sheet.txt");
    assert_eq!(batch.subject_count, 1);
    let accounting = batch.accounting.expect("accounting");
    // Arrest count (no disposition), court count 1 (conviction + 1203.4 update), count 2.
    assert_eq!(accounting.rows_stored, 4);
    assert_eq!(accounting.rows_quarantined, 1);
    assert_eq!(
        accounting.rows_received,
        accounting.rows_stored + accounting.rows_quarantined
    );

    let garbled = line_of(SHEET, "QQQ");
    assert_eq!(
        first
            .warnings
            .iter()
            .map(|w| (w.code.as_str(), w.line_number))
            .collect::<Vec<_>>(),
        [("UNRECOGNIZED_LINE", garbled)]
    );
    assert!(!first.warnings[0].message.contains("QQQ"));

    // The subject as GetSubject gives it.
    let subject = first.subject.clone().expect("subject");
    assert_eq!(subject.batch_id, batch.batch_id);
    assert_eq!(subject.source, pb::SourceKind::RapSheet as i32);
    let identity = subject.identity.clone().expect("identity");
    assert_eq!(
        identity.doj_subject_id, "A00000077",
        "the CII is the SUBJECT_ID"
    );
    assert_eq!(identity.cii_number, "A00000077");
    assert_eq!(identity.name, "FAKENAME, JORDAN");
    assert_eq!(subject.date_of_birth_raw, "19810202");
    assert_eq!(subject.first_data_row_index, 0);
    let got = client
        .get_subject(pb::GetSubjectRequest {
            scope: scope(),
            subject_id: subject.subject_id.clone(),
            view: pb::SubjectView::Structured as i32,
        })
        .await
        .expect("get subject")
        .into_inner()
        .subject
        .expect("subject");
    assert_eq!(got, subject);

    // Rows: in sheet order, each at its count's sheet line, county from the agency.
    let stored = rows(&mut client, &batch.batch_id).await;
    assert_eq!(stored.len(), 4);
    assert!(stored.iter().map(|r| r.data_row_index).eq(0..4));
    let count_lines: Vec<i64> = SHEET
        .lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("CNT:"))
        .map(|(i, _)| i64::try_from(i + 1).expect("line"))
        .collect();
    assert_eq!(
        stored.iter().map(|r| r.line_number).collect::<Vec<_>>(),
        [
            count_lines[0],
            count_lines[1],
            count_lines[1],
            count_lines[2]
        ]
    );
    for row in &stored {
        assert_eq!(row.fields.len(), col::FIELD_COUNT);
        assert_eq!(text(row, col::SUBJECT_ID), "A00000077");
        assert_eq!(text(row, col::STP_ORI_CNTY_NAME), "SACRAMENTO");
    }
    assert_eq!(text(&stored[1], col::DISP_DESCR), "CONVICTED");
    assert_eq!(text(&stored[1], col::CONV_STAT_DESCR), "FELONY");
    assert_eq!(text(&stored[1], col::OFN), "06F00001");
    let full = client
        .get_subject(pb::GetSubjectRequest {
            scope: scope(),
            subject_id: subject.subject_id.clone(),
            view: pb::SubjectView::Full as i32,
        })
        .await
        .expect("full subject")
        .into_inner()
        .subject
        .expect("subject");
    assert_eq!(full.rows, stored);
    let mut subjects = client
        .stream_subjects(pb::StreamSubjectsRequest {
            scope: scope(),
            batch_id: batch.batch_id.clone(),
            ..Default::default()
        })
        .await
        .expect("stream subjects")
        .into_inner();
    let mut streamed = Vec::new();
    while let Some(item) = subjects.next().await {
        streamed.push(item.expect("subject").subject.expect("subject"));
    }
    assert_eq!(streamed, std::slice::from_ref(&subject));

    // The warning is a quarantined row at its line, without sheet text.
    let quarantined = client
        .list_quarantined_rows(pb::ListQuarantinedRowsRequest {
            scope: scope(),
            batch_id: batch.batch_id.clone(),
            ..Default::default()
        })
        .await
        .expect("quarantine")
        .into_inner()
        .rows;
    assert_eq!(quarantined.len(), 1);
    assert_eq!(quarantined[0].line_number, garbled);
    assert_eq!(
        quarantined[0].reason,
        pb::QuarantineReason::UnparseableBlock as i32
    );
    assert_eq!(
        quarantined[0].message,
        format!("RAP sheet line {garbled}: UNRECOGNIZED_LINE")
    );
    assert!(!quarantined[0].detail.contains("QQQ"));

    // The same text again, with the same key and with other keys: the same batch, flagged,
    // with the same warnings and subject; nothing stored twice.
    for key in ["rap-1", "rap-2"] {
        let mut again = request(key, SHEET);
        again.expected_sha256 = sha256(SHEET);
        let again = ingest(&mut client, again).await.expect("again");
        assert!(again.duplicate, "key {key}");
        assert_eq!(again.batch.expect("batch").batch_id, batch.batch_id);
        assert_eq!(again.warnings, first.warnings);
        assert_eq!(again.subject.as_ref(), Some(&subject));
    }
    assert_eq!(
        batches(&mut client, pb::SourceKind::RapSheet).await.len(),
        1
    );
    assert!(
        batches(&mut client, pb::SourceKind::DojResearchFile)
            .await
            .is_empty()
    );
    assert_eq!(rows(&mut client, &batch.batch_id).await, stored);

    // The key with other text, and a wrong digest.
    let other = SHEET.replace("FAKENAME, JORDAN", "MADEUP, SAM");
    let status = ingest(&mut client, request("rap-1", &other))
        .await
        .expect_err("key reused");
    assert_eq!(status.code(), tonic::Code::AlreadyExists);
    let mut wrong = request("rap-3", &other);
    wrong.expected_sha256 = sha256(SHEET);
    let status = ingest(&mut client, wrong).await.expect_err("digest");
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
    assert!(
        status.message().contains("DIGEST_MISMATCH"),
        "{}",
        status.message()
    );
    assert_eq!(
        batches(&mut client, pb::SourceKind::Unspecified)
            .await
            .len(),
        1
    );

    server.stop().await;
    db.cleanup().await;
}

async fn malformed_sheet_is_rejected(postgres: bool) {
    let db = TestDatabase::new(postgres, "ingest").await;
    let server = start(&db.url()).await;
    let mut client = server.client.clone();

    let bad = SHEET.replace("20060610  CASC SACRAMENTO", "20061310  CASC SACRAMENTO");
    let bad_line = line_of(&bad, "20061310");
    let status = ingest(&mut client, request("bad-1", &bad))
        .await
        .expect_err("bad date");
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
    let message = status.message();
    eprintln!("rejected: {message}");
    assert!(
        message.contains(&format!("RAP sheet line {bad_line}:")),
        "{message}"
    );
    for sheet_text in [
        "20061310",
        "FAKENAME",
        "JORDAN",
        "A00000077",
        "19810202",
        "CASC",
        "SACRAMENTO",
        "11359",
    ] {
        assert!(!message.contains(sheet_text), "{message} quotes the sheet");
    }

    // The failed batch is recorded, named in the message, and holds nothing.
    let all = batches(&mut client, pb::SourceKind::RapSheet).await;
    assert_eq!(all.len(), 1);
    let failed = &all[0];
    assert_eq!(failed.status, pb::BatchStatus::Failed as i32);
    assert!(
        message.contains(&format!("(batch {})", failed.batch_id)),
        "{message}"
    );
    assert!(
        failed.gogen_file_error.is_none(),
        "gogen never reads RAP sheets"
    );
    let status = client
        .stream_rows(pb::StreamRowsRequest {
            scope: scope(),
            batch_id: failed.batch_id.clone(),
            ..Default::default()
        })
        .await
        .expect_err("not complete");
    assert_eq!(status.code(), tonic::Code::FailedPrecondition);

    // A failed attempt does not hold the key: the fixed sheet goes in under it.
    let fixed = ingest(&mut client, request("bad-1", SHEET))
        .await
        .expect("fixed sheet");
    assert!(!fixed.duplicate);
    assert_ne!(fixed.batch.expect("batch").batch_id, failed.batch_id);
    server.stop().await;

    let store = cmr_ingest::store::Store::connect(&db.url())
        .await
        .expect("store");
    assert_eq!(store.count_rows(&failed.batch_id).await.expect("count"), 0);
    assert!(
        store
            .list_quarantined(&failed.batch_id, 0, 10)
            .await
            .expect("quarantine")
            .is_empty()
    );
    assert!(
        store
            .list_subjects(&failed.batch_id, -1, 10)
            .await
            .expect("subjects")
            .is_empty()
    );
    store.close().await.expect("close");
    db.cleanup().await;
}

#[tokio::test]
async fn sqlite_rap_sheet_becomes_a_batch() {
    rap_sheet_becomes_a_batch(false).await;
}

#[tokio::test]
async fn postgres_rap_sheet_becomes_a_batch() {
    rap_sheet_becomes_a_batch(true).await;
}

#[tokio::test]
async fn sqlite_malformed_sheet_is_rejected() {
    malformed_sheet_is_rejected(false).await;
}

#[tokio::test]
async fn postgres_malformed_sheet_is_rejected() {
    malformed_sheet_is_rejected(true).await;
}
