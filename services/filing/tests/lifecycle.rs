//! The filing lifecycle end to end on the real server (127.0.0.1:0), SQLite and PostgreSQL:
//! courts, hand-off, GenerateFilings with a fake renderer (the lifecycle must not depend on
//! the typesetter), documents listed and downloaded, regeneration superseding with identical
//! bytes, MarkFiled, outcomes with a correction, the batch closing, the DOJ update CSV (the
//! expected text written by hand) and the impact report with suppression. Wrong states and
//! another county's ids are refused. The relief is synthetic.

use std::sync::Arc;

use cmr_filing::documents::{BatchInput, DocumentError, DocumentKind, Rendered};
use cmr_filing::{FilingConfig, run_with_renderer};
use cmr_proto::common::v1 as common;
use cmr_proto::filing::v1 as pb;
use cmr_proto::filing::v1::filing_service_client::FilingServiceClient;
use cmr_testkit::TestDatabase;
use sha2::{Digest, Sha256};
use tonic::{Code, transport::Channel};

type Running = cmr_testkit::Running<FilingServiceClient<Channel>, cmr_filing::RunError>;
type Client = FilingServiceClient<Channel>;

/// A deterministic stand-in for the typesetter: each document's bytes name its kind, the
/// batch, the date, the signer and the filings (or challenged items) it covers.
fn fake_render(
    input: &BatchInput<'_>,
    kinds: &[DocumentKind],
) -> Result<Vec<Rendered>, DocumentError> {
    let ids: Vec<String> = input.cases.iter().map(|c| c.filing_id.clone()).collect();
    let head = format!(
        "{}|{:?}|{}|{}",
        input.filing_batch_id, input.document_date, input.signer.name, input.court.name
    );
    let doc = |kind: DocumentKind, subject: &str, filings: Vec<String>, body: String| Rendered {
        kind,
        subject_id: subject.to_owned(),
        file_name: format!("{kind:?}_{subject}.txt"),
        media_type: "text/plain".to_owned(),
        template_id: format!("fake/{kind:?}@1"),
        bytes: format!("{kind:?}|{head}|{body}").into_bytes(),
        filing_ids: filings,
    };
    let mut out = Vec::new();
    for kind in kinds {
        match kind {
            DocumentKind::BulkMotion | DocumentKind::ProposedOrder | DocumentKind::CourtNotice => {
                out.push(doc(*kind, "", ids.clone(), ids.join(",")));
            }
            DocumentKind::DefenderNotice => {
                let challenged: Vec<String> = input
                    .challenged
                    .iter()
                    .map(|c| format!("{}:{}", c.review_item_id, c.ground))
                    .collect();
                out.push(doc(*kind, "", Vec::new(), challenged.join(",")));
            }
            DocumentKind::Cr400 | DocumentKind::Cr400Order => {
                let mut subjects: Vec<&str> = input
                    .cases
                    .iter()
                    .map(|c| c.relief.subject_id.as_str())
                    .collect();
                subjects.dedup();
                for subject in subjects {
                    let mine: Vec<String> = input
                        .cases
                        .iter()
                        .filter(|c| c.relief.subject_id == subject)
                        .map(|c| c.filing_id.clone())
                        .collect();
                    out.push(doc(*kind, subject, mine.clone(), mine.join(",")));
                }
            }
        }
    }
    Ok(out)
}

async fn start(url: &str) -> Running {
    Running::start(
        |listener, shutdown| {
            run_with_renderer(
                FilingConfig::new(url),
                Arc::new(fake_render),
                listener,
                shutdown,
            )
        },
        FilingServiceClient::connect,
    )
    .await
}

fn scope(code: &str, name: &str) -> Option<common::Scope> {
    Some(common::Scope {
        county_code: code.into(),
        county_name: name.into(),
        agency_id: String::new(),
    })
}

fn sacramento() -> Option<common::Scope> {
    scope("34", "SACRAMENTO")
}

fn yolo() -> Option<common::Scope> {
    scope("57", "YOLO")
}

fn key(k: &str) -> Option<common::IdempotencyKey> {
    Some(common::IdempotencyKey { key: k.into() })
}

fn date(year: i32, month: i32, day: i32) -> Option<common::CivilDate> {
    Some(common::CivilDate { year, month, day })
}

const MAIN_ORI: &str = "CA034015J";
const BRANCH_ORI: &str = "CA034099J";

#[allow(clippy::too_many_arguments)]
fn relief(
    i: usize,
    subject: &str,
    name: &str,
    cii: &str,
    cnt: &str,
    case: &str,
    code: &str,
    relief_type: common::ReliefType,
    ori: &str,
) -> pb::VerifiedRelief {
    pb::VerifiedRelief {
        review_item_id: format!("ri-{i}"),
        decision_id: format!("dec-{i}"),
        determination_id: format!("det-{i}"),
        run_id: "run-1".into(),
        subject_id: subject.into(),
        cnt_order: cnt.into(),
        agency_id: "da-34".into(),
        person: Some(common::PersonIdentity {
            name: name.into(),
            cii_number: cii.into(),
            ..Default::default()
        }),
        case_number: case.into(),
        court_ori_code: ori.into(),
        code_section: code.into(),
        prop64_section: code[..5].into(),
        relief_type: relief_type as i32,
        reduce_to: if relief_type == common::ReliefType::RedesignateMisdemeanor {
            common::Severity::Misdemeanor as i32
        } else {
            0
        },
        basis: pb::ReliefBasis::Concurred as i32,
        race_descr: "BLACK".into(),
        ..Default::default()
    }
}

fn items() -> Vec<pb::VerifiedRelief> {
    use common::ReliefType::{DismissAndSeal, RedesignateMisdemeanor};
    vec![
        relief(
            0,
            "S100",
            "DOE, JANE",
            "A100",
            "01",
            "CR-1",
            "11357 HS",
            DismissAndSeal,
            MAIN_ORI,
        ),
        relief(
            1,
            "S100",
            "DOE, JANE",
            "A100",
            "02",
            "CR-2, CR-3",
            "11359 HS",
            RedesignateMisdemeanor,
            MAIN_ORI,
        ),
        relief(
            2,
            "S200",
            "ROE, RICHARD",
            "A200",
            "01",
            "CR-9",
            "11360 HS",
            DismissAndSeal,
            MAIN_ORI,
        ),
        relief(
            3,
            "S300",
            "POE, EDGAR",
            "A300",
            "01",
            "CR-7",
            "11357 HS",
            DismissAndSeal,
            BRANCH_ORI,
        ),
    ]
}

async fn put_court(client: &mut Client, id: &str, ori: &str) -> pb::Court {
    client
        .put_court(pb::PutCourtRequest {
            scope: sacramento(),
            idempotency_key: key(&format!("court-{id}")),
            court: Some(pb::Court {
                court_id: id.into(),
                name: "Superior Court of California, County of Sacramento".into(),
                branch_name: "Gordon D. Schaber Courthouse".into(),
                ori_codes: vec![ori.into()],
                address_lines: vec!["720 9th Street".into(), "Sacramento, CA 95814".into()],
                ..Default::default()
            }),
        })
        .await
        .expect("put court")
        .into_inner()
        .court
        .expect("court")
}

async fn filings(client: &mut Client, request: pb::ListFilingsRequest) -> Vec<pb::Filing> {
    client
        .list_filings(pb::ListFilingsRequest {
            scope: sacramento(),
            ..request
        })
        .await
        .expect("list filings")
        .into_inner()
        .filings
}

async fn documents(client: &mut Client, request: pb::ListDocumentsRequest) -> Vec<pb::Document> {
    client
        .list_documents(pb::ListDocumentsRequest {
            scope: sacramento(),
            ..request
        })
        .await
        .expect("list documents")
        .into_inner()
        .documents
}

/// (FileInfo, bytes) of a download.
async fn download(client: &mut Client, id: &str) -> (common::FileInfo, Vec<u8>) {
    let mut stream = client
        .download_document(pb::DownloadDocumentRequest {
            scope: sacramento(),
            document_id: id.into(),
        })
        .await
        .expect("download")
        .into_inner();
    let mut info = None;
    let mut bytes = Vec::new();
    while let Some(part) = stream.message().await.expect("part") {
        match part.part.expect("part") {
            pb::download_document_response::Part::Info(i) => {
                assert!(info.is_none() && bytes.is_empty(), "info comes first, once");
                info = Some(i);
            }
            pb::download_document_response::Part::Data(d) => bytes.extend(d),
        }
    }
    (info.expect("info"), bytes)
}

async fn export(
    client: &mut Client,
    request: pb::ExportDojUpdateRequest,
) -> (common::FileInfo, String) {
    let mut stream = client
        .export_doj_update(pb::ExportDojUpdateRequest {
            scope: sacramento(),
            ..request
        })
        .await
        .expect("export")
        .into_inner();
    let mut info = None;
    let mut bytes = Vec::new();
    while let Some(part) = stream.message().await.expect("part") {
        match part.part.expect("part") {
            pb::export_doj_update_response::Part::Info(i) => info = Some(i),
            pb::export_doj_update_response::Part::Data(d) => bytes.extend(d),
        }
    }
    (
        info.expect("info"),
        String::from_utf8(bytes).expect("utf-8"),
    )
}

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn signer() -> Option<pb::Signer> {
    Some(pb::Signer {
        name: "Ann Smith".into(),
        title: "Deputy District Attorney".into(),
        bar_number: "123456".into(),
        ..Default::default()
    })
}

fn outcome(
    k: &str,
    filing_id: &str,
    decision: pb::CourtDecision,
    day: i32,
    order: &str,
) -> pb::RecordOutcomeRequest {
    pb::RecordOutcomeRequest {
        scope: sacramento(),
        idempotency_key: key(k),
        filing_id: filing_id.into(),
        decision: decision as i32,
        decided_on: date(2026, 12, day),
        order_number: order.into(),
        ..Default::default()
    }
}

async fn batch(client: &mut Client, id: &str) -> pb::FilingBatch {
    client
        .get_filing_batch(pb::GetFilingBatchRequest {
            scope: sacramento(),
            filing_batch_id: id.into(),
        })
        .await
        .expect("get batch")
        .into_inner()
        .batch
        .expect("batch")
}

#[allow(clippy::too_many_lines)]
async fn lifecycle(postgres: bool) {
    let db = TestDatabase::new(postgres, "filing").await;
    let server = start(&db.url()).await;
    let mut client = server.client.clone();

    // Courts and hand-off: the branch's item has no court until its court is put.
    put_court(&mut client, "sac-main", MAIN_ORI).await;
    let submitted = client
        .submit_verified_relief(pb::SubmitVerifiedReliefRequest {
            scope: sacramento(),
            idempotency_key: key("relief-1"),
            items: items(),
        })
        .await
        .expect("submit")
        .into_inner();
    assert_eq!(submitted.accepted, 4);
    assert_eq!(
        submitted.unmatched_court_review_item_ids,
        vec!["ri-3".to_owned()]
    );
    put_court(&mut client, "sac-branch", BRANCH_ORI).await;
    let branch = filings(
        &mut client,
        pb::ListFilingsRequest {
            court_id: "sac-branch".into(),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(branch.len(), 1);
    assert_eq!(
        branch[0].relief.as_ref().expect("relief").review_item_id,
        "ri-3"
    );
    let courts = client
        .list_courts(pb::ListCourtsRequest {
            scope: sacramento(),
            page: None,
        })
        .await
        .expect("courts")
        .into_inner()
        .courts;
    assert_eq!(
        courts
            .iter()
            .map(|c| c.court_id.as_str())
            .collect::<Vec<_>>(),
        ["sac-branch", "sac-main"]
    );
    // An ORI belongs to one court.
    let status = client
        .put_court(pb::PutCourtRequest {
            scope: sacramento(),
            idempotency_key: key("court-dup"),
            court: Some(pb::Court {
                court_id: "sac-other".into(),
                name: "Other".into(),
                ori_codes: vec![MAIN_ORI.into()],
                ..Default::default()
            }),
        })
        .await
        .expect_err("ORI taken");
    assert_eq!(status.code(), Code::AlreadyExists);

    // A challenged item for the defender's notice; idempotent.
    let challenged = pb::SubmitChallengedItemsRequest {
        scope: sacramento(),
        idempotency_key: key("challenged-1"),
        items: vec![pb::ChallengedItem {
            review_item_id: "ri-9".into(),
            decision_id: "dec-9".into(),
            subject_id: "S900".into(),
            agency_id: "da-34".into(),
            court_ori_code: MAIN_ORI.into(),
            ground: "CHALLENGE_GROUND_NOT_ELIGIBLE".into(),
            ..Default::default()
        }],
    };
    let first = client
        .submit_challenged_items(challenged.clone())
        .await
        .expect("challenged")
        .into_inner();
    assert_eq!((first.accepted, first.duplicates), (1, 0));
    let replay = client
        .submit_challenged_items(challenged.clone())
        .await
        .expect("replay")
        .into_inner();
    assert_eq!(replay, first);
    let again = client
        .submit_challenged_items(pb::SubmitChallengedItemsRequest {
            idempotency_key: key("challenged-2"),
            ..challenged
        })
        .await
        .expect("again")
        .into_inner();
    assert_eq!((again.accepted, again.duplicates), (0, 1));

    // Generate: unknown court, nothing queued for the agency, then the batch.
    let generate = |k: &str, court: &str, agency: &str| pb::GenerateFilingsRequest {
        scope: sacramento(),
        idempotency_key: key(k),
        court_id: court.into(),
        agency_id: agency.into(),
        signer: signer(),
        document_date: date(2026, 11, 30),
        ..Default::default()
    };
    let status = client
        .generate_filings(generate("g-0", "nowhere", "da-34"))
        .await
        .expect_err("unknown court");
    assert_eq!(status.code(), Code::NotFound);
    let status = client
        .generate_filings(generate("g-1", "sac-main", "pd-34"))
        .await
        .expect_err("nothing queued");
    assert_eq!(status.code(), Code::FailedPrecondition);
    assert!(
        status.message().contains("no QUEUED filings"),
        "{}",
        status.message()
    );
    let generated = client
        .generate_filings(generate("g-2", "sac-main", "da-34"))
        .await
        .expect("generate")
        .into_inner();
    let replayed = client
        .generate_filings(generate("g-2", "sac-main", "da-34"))
        .await
        .expect("replay generate")
        .into_inner();
    assert_eq!(replayed, generated);
    let b = generated.batch.clone().expect("batch");
    let batch_id = b.filing_batch_id.clone();
    assert_eq!(b.status, pb::FilingBatchStatus::Draft as i32);
    assert_eq!((b.filings, b.court_id.as_str()), (3, "sac-main"));
    assert_eq!(b.document_date, date(2026, 11, 30));
    // 4 per batch + CR-400 and its order for each of 2 people.
    assert_eq!(generated.documents.len(), 8);
    assert_eq!(b.document_ids.len(), 8);
    let in_batch = filings(
        &mut client,
        pb::ListFilingsRequest {
            filing_batch_id: batch_id.clone(),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(in_batch.len(), 3);
    assert!(
        in_batch
            .iter()
            .all(|f| f.status == pb::FilingStatus::Draft as i32)
    );
    let by_item = |item: &str| {
        in_batch
            .iter()
            .find(|f| f.relief.as_ref().expect("relief").review_item_id == item)
            .expect("filing")
            .filing_id
            .clone()
    };
    let (f0, f1, f2) = (by_item("ri-0"), by_item("ri-1"), by_item("ri-2"));
    let status = client
        .generate_filings(generate("g-3", "sac-main", "da-34"))
        .await
        .expect_err("all taken");
    assert_eq!(status.code(), Code::FailedPrecondition);

    // Documents: listed, downloaded, checked; cases sorted by name, case number, CNT_ORDER.
    let listed = documents(
        &mut client,
        pb::ListDocumentsRequest {
            filing_batch_id: batch_id.clone(),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(listed.len(), 8);
    let mut first_bytes = Vec::new();
    for document in &listed {
        let (info, bytes) = download(&mut client, &document.document_id).await;
        assert_eq!(Some(&info), document.file.as_ref());
        assert_eq!(info.size_bytes as usize, bytes.len());
        assert_eq!(info.sha256, hex_sha256(&bytes));
        first_bytes.push((document.kind, document.subject_id.clone(), bytes));
    }
    let motion = &first_bytes
        .iter()
        .find(|(k, _, _)| *k == pb::DocumentKind::BulkMotion as i32)
        .expect("motion")
        .2;
    let expected_motion = format!(
        "BulkMotion|{batch_id}|(2026, 11, 30)|Ann Smith|Superior Court of California, County of Sacramento|{f0},{f1},{f2}"
    );
    assert_eq!(String::from_utf8_lossy(motion), expected_motion);
    let notice = &first_bytes
        .iter()
        .find(|(k, _, _)| *k == pb::DocumentKind::DefenderNotice as i32)
        .expect("defender notice")
        .2;
    assert!(String::from_utf8_lossy(notice).ends_with("|ri-9:NOT_ELIGIBLE"));
    let cr400 = documents(
        &mut client,
        pb::ListDocumentsRequest {
            kind: pb::DocumentKind::Cr400 as i32,
            subject_id: "S100".into(),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(cr400.len(), 1);
    assert_eq!(cr400[0].filing_ids, vec![f0.clone(), f1.clone()]);

    // Regeneration: new documents supersede the old, byte for byte the same.
    let regenerated = client
        .generate_filings(pb::GenerateFilingsRequest {
            scope: sacramento(),
            idempotency_key: key("g-regen"),
            filing_batch_id: batch_id.clone(),
            ..Default::default()
        })
        .await
        .expect("regenerate")
        .into_inner();
    assert_eq!(regenerated.documents.len(), 8);
    for new in &regenerated.documents {
        let old = generated
            .documents
            .iter()
            .find(|d| d.kind == new.kind && d.subject_id == new.subject_id)
            .expect("old one");
        assert_ne!(old.document_id, new.document_id);
        assert_eq!(
            old.file.as_ref().expect("file").sha256,
            new.file.as_ref().expect("file").sha256
        );
    }
    let all = documents(
        &mut client,
        pb::ListDocumentsRequest {
            filing_batch_id: batch_id.clone(),
            include_superseded: true,
            ..Default::default()
        },
    )
    .await;
    assert_eq!(all.len(), 16);
    for old in &generated.documents {
        let stored = all
            .iter()
            .find(|d| d.document_id == old.document_id)
            .expect("old");
        let new = regenerated
            .documents
            .iter()
            .find(|d| d.document_id == stored.superseded_by_document_id)
            .expect("superseded by a new one");
        assert_eq!((new.kind, &new.subject_id), (old.kind, &old.subject_id));
    }
    for new in &regenerated.documents {
        let (_, bytes) = download(&mut client, &new.document_id).await;
        let old = first_bytes
            .iter()
            .find(|(k, s, _)| *k == new.kind && *s == new.subject_id)
            .expect("old bytes");
        assert_eq!(bytes, old.2);
    }

    // Outcomes need a FILED filing.
    let status = client
        .record_outcome(outcome(
            "o-early",
            &f0,
            pb::CourtDecision::Granted,
            1,
            "ORD-0",
        ))
        .await
        .expect_err("draft");
    assert_eq!(status.code(), Code::FailedPrecondition);
    assert!(
        status.message().contains(&f0) && status.message().contains("DRAFT"),
        "{}",
        status.message()
    );

    // MarkFiled, idempotent; a FILED batch is not regenerated.
    let mark = |k: &str, day: i32| pb::MarkFiledRequest {
        scope: sacramento(),
        idempotency_key: key(k),
        filing_batch_id: batch_id.clone(),
        filed_on: date(2026, 12, day),
        court_filing_reference: "ENV-1".into(),
    };
    let filed = client
        .mark_filed(mark("f-1", 1))
        .await
        .expect("filed")
        .into_inner();
    let filed = filed.batch.expect("batch");
    assert_eq!(filed.status, pb::FilingBatchStatus::Filed as i32);
    assert_eq!(filed.filed_on, date(2026, 12, 1));
    assert_eq!(
        client
            .mark_filed(mark("f-2", 1))
            .await
            .expect("again")
            .into_inner()
            .batch,
        Some(filed)
    );
    let status = client
        .mark_filed(mark("f-3", 2))
        .await
        .expect_err("other date");
    assert_eq!(status.code(), Code::FailedPrecondition);
    let status = client
        .generate_filings(pb::GenerateFilingsRequest {
            scope: sacramento(),
            idempotency_key: key("g-late"),
            filing_batch_id: batch_id.clone(),
            ..Default::default()
        })
        .await
        .expect_err("filed");
    assert_eq!(status.code(), Code::FailedPrecondition);
    assert!(status.message().contains("FILED"), "{}", status.message());
    assert!(
        filings(
            &mut client,
            pb::ListFilingsRequest {
                filing_batch_id: batch_id.clone(),
                ..Default::default()
            }
        )
        .await
        .iter()
        .all(|f| f.status == pb::FilingStatus::Filed as i32 && f.filed_on == date(2026, 12, 1))
    );

    // Outcomes: granted, denied, a granted without order number refused, a correction.
    let status = client
        .record_outcome(outcome("o-bad", &f0, pb::CourtDecision::Granted, 1, ""))
        .await
        .expect_err("no order number");
    assert_eq!(status.code(), Code::InvalidArgument);
    let o0 = client
        .record_outcome(outcome("o-0", &f0, pb::CourtDecision::Granted, 1, "ORD-0"))
        .await
        .expect("granted")
        .into_inner();
    let o0_outcome = o0.outcome.clone().expect("outcome");
    assert_eq!(
        o0_outcome.granted_relief,
        common::ReliefType::DismissAndSeal as i32
    );
    assert_eq!(
        o0.filing.expect("filing").status,
        pb::FilingStatus::Granted as i32
    );
    let o1 = client
        .record_outcome(outcome("o-1", &f1, pb::CourtDecision::Denied, 1, ""))
        .await
        .expect("denied")
        .into_inner()
        .outcome
        .expect("outcome");
    let status = client
        .record_outcome(outcome("o-twice", &f1, pb::CourtDecision::Granted, 1, "X"))
        .await
        .expect_err("needs supersedes");
    assert_eq!(status.code(), Code::FailedPrecondition);
    assert!(status.message().contains(&f1) && status.message().contains("DENIED"));
    assert_eq!(
        batch(&mut client, &batch_id).await.status,
        pb::FilingBatchStatus::Filed as i32
    );
    let mut o2 = outcome("o-2", &f2, pb::CourtDecision::Granted, 1, "ORD-2");
    o2.granted_relief = common::ReliefType::RedesignateInfraction as i32;
    client
        .record_outcome(o2)
        .await
        .expect("granted other relief");
    let closed = batch(&mut client, &batch_id).await;
    assert_eq!(closed.status, pb::FilingBatchStatus::Closed as i32);
    assert_eq!((closed.granted, closed.denied), (2, 1));
    // Correction: supersedes the current outcome, never edits it.
    let mut wrong = outcome("o-1c-wrong", &f1, pb::CourtDecision::Granted, 2, "ORD-1B");
    wrong.supersedes_outcome_id = o0_outcome.outcome_id.clone();
    let status = client.record_outcome(wrong).await.expect_err("not current");
    assert_eq!(status.code(), Code::FailedPrecondition);
    let mut correction = outcome("o-1c", &f1, pb::CourtDecision::Granted, 2, "ORD-1B");
    correction.supersedes_outcome_id = o1.outcome_id.clone();
    let corrected = client
        .record_outcome(correction)
        .await
        .expect("correction")
        .into_inner();
    assert_eq!(
        corrected.outcome.expect("o").supersedes_outcome_id,
        o1.outcome_id
    );
    let closed = batch(&mut client, &batch_id).await;
    assert_eq!(
        (closed.status, closed.granted, closed.denied),
        (pb::FilingBatchStatus::Closed as i32, 3, 0)
    );
    let listed = filings(
        &mut client,
        pb::ListFilingsRequest {
            statuses: vec![pb::FilingStatus::Granted as i32],
            ..Default::default()
        },
    )
    .await;
    assert_eq!(listed.len(), 3);
    assert!(listed.iter().all(|f| {
        f.outcome
            .as_ref()
            .is_some_and(|o| o.decision == pb::CourtDecision::Granted as i32)
    }));

    let outcomes =
        |include_superseded: bool, decision: pb::CourtDecision| pb::ListOutcomesRequest {
            scope: sacramento(),
            filing_batch_id: batch_id.clone(),
            decision: decision as i32,
            include_superseded,
            ..Default::default()
        };
    let current = client
        .list_outcomes(outcomes(false, pb::CourtDecision::Unspecified))
        .await
        .expect("outcomes")
        .into_inner()
        .outcomes;
    assert_eq!(current.len(), 3);
    let every = client
        .list_outcomes(outcomes(true, pb::CourtDecision::Unspecified))
        .await
        .expect("outcomes")
        .into_inner()
        .outcomes;
    assert_eq!(every.len(), 4);
    let denied = client
        .list_outcomes(outcomes(false, pb::CourtDecision::Denied))
        .await
        .expect("outcomes")
        .into_inner()
        .outcomes;
    assert!(denied.is_empty());

    // The DOJ update, written by hand; the replay is the same file; afterwards nothing is new.
    let expected = "SUBJECT_ID,CII_NUMBER,CNT_ORDER,COURT_ORI,CASE_NUMBER,ORDER_DATE,ORDER_NUMBER,RELIEF_TYPE,NEW_OFFENSE_LEVEL,CODE_SECTION\n\
S100,A100,01,CA034015J,CR-1,20261201,ORD-0,DISMISS_AND_SEAL,,11357 HS\n\
S100,A100,02,CA034015J,\"CR-2, CR-3\",20261202,ORD-1B,REDESIGNATE_MISDEMEANOR,M,11359 HS\n\
S200,A200,01,CA034015J,CR-9,20261201,ORD-2,REDESIGNATE_INFRACTION,I,11360 HS\n";
    let request = pb::ExportDojUpdateRequest {
        idempotency_key: key("doj-1"),
        not_exported_only: true,
        mark_exported: true,
        ..Default::default()
    };
    let (info, csv) = export(&mut client, request.clone()).await;
    assert_eq!(csv, expected);
    assert_eq!(info.sha256, hex_sha256(expected.as_bytes()));
    assert_eq!(info.media_type, "text/csv");
    let (_, replay) = export(&mut client, request).await;
    assert_eq!(replay, expected);
    let (_, later) = export(
        &mut client,
        pb::ExportDojUpdateRequest {
            idempotency_key: key("doj-2"),
            not_exported_only: true,
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        later,
        expected.lines().next().expect("header").to_owned() + "\n"
    );
    let exported = client
        .list_outcomes(outcomes(false, pb::CourtDecision::Granted))
        .await
        .expect("outcomes")
        .into_inner()
        .outcomes;
    assert!(exported.iter().all(|o| o.exported_to_doj_at.is_some()));

    // Impact: two people, far below 11: everything withheld.
    let impact = client
        .impact_report(pb::ImpactReportRequest {
            scope: sacramento(),
            ..Default::default()
        })
        .await
        .expect("impact")
        .into_inner();
    assert_eq!(impact.min_cell_size, 11);
    assert!(impact.cells.iter().all(|c| c.suppressed && c.people == 0));
    assert!(impact.total.expect("total").suppressed);

    // Another county: every id is as if it did not exist.
    let status = client
        .get_filing_batch(pb::GetFilingBatchRequest {
            scope: yolo(),
            filing_batch_id: batch_id.clone(),
        })
        .await
        .expect_err("yolo");
    assert_eq!(status.code(), Code::NotFound);
    let status = client
        .download_document(pb::DownloadDocumentRequest {
            scope: yolo(),
            document_id: listed_first(&all),
        })
        .await
        .expect_err("yolo");
    assert_eq!(status.code(), Code::NotFound);
    let mut theirs = outcome("y-1", &f0, pb::CourtDecision::Denied, 3, "");
    theirs.scope = yolo();
    assert_eq!(
        client
            .record_outcome(theirs)
            .await
            .expect_err("yolo")
            .code(),
        Code::NotFound
    );
    let yolo_docs = client
        .list_documents(pb::ListDocumentsRequest {
            scope: yolo(),
            include_superseded: true,
            ..Default::default()
        })
        .await
        .expect("yolo docs")
        .into_inner()
        .documents;
    assert!(yolo_docs.is_empty());
    let (_, yolo_csv) = {
        let mut stream = client
            .export_doj_update(pb::ExportDojUpdateRequest {
                scope: yolo(),
                idempotency_key: key("doj-1"),
                ..Default::default()
            })
            .await
            .expect("yolo export")
            .into_inner();
        let mut bytes = Vec::new();
        while let Some(part) = stream.message().await.expect("part") {
            if let Some(pb::export_doj_update_response::Part::Data(d)) = part.part {
                bytes.extend(d);
            }
        }
        ((), String::from_utf8(bytes).expect("utf-8"))
    };
    assert_eq!(yolo_csv.lines().count(), 1);

    server.stop().await;
    db.cleanup().await;
}

fn listed_first(documents: &[pb::Document]) -> String {
    documents[0].document_id.clone()
}

/// 14 people granted dismissal (one of them twice), 3 granted redesignation, in run-1; 12
/// more people in run-2. By relief type the 3-person cell is withheld and, so it cannot be
/// derived from the total, the 14-person cell too; the run filter narrows the counts.
async fn impact_suppression(postgres: bool) {
    use common::ReliefType::{DismissAndSeal, RedesignateMisdemeanor};
    let db = TestDatabase::new(postgres, "filing").await;
    let server = start(&db.url()).await;
    let mut client = server.client.clone();
    put_court(&mut client, "sac-main", MAIN_ORI).await;
    let mut items = Vec::new();
    for p in 0..14 {
        items.push(relief(
            p,
            &format!("P{p:02}"),
            "X",
            "C",
            "01",
            "CR",
            "11357 HS",
            DismissAndSeal,
            MAIN_ORI,
        ));
    }
    items.push(relief(
        14,
        "P00",
        "X",
        "C",
        "02",
        "CR",
        "11359 HS",
        DismissAndSeal,
        MAIN_ORI,
    ));
    for p in 15..18 {
        items.push(relief(
            p,
            &format!("P{p:02}"),
            "X",
            "C",
            "01",
            "CR",
            "11359 HS",
            RedesignateMisdemeanor,
            MAIN_ORI,
        ));
    }
    for p in 18..30 {
        let mut item = relief(
            p,
            &format!("P{p:02}"),
            "X",
            "C",
            "01",
            "CR",
            "11360 HS",
            DismissAndSeal,
            MAIN_ORI,
        );
        item.run_id = "run-2".into();
        items.push(item);
    }
    client
        .submit_verified_relief(pb::SubmitVerifiedReliefRequest {
            scope: sacramento(),
            idempotency_key: key("r"),
            items,
        })
        .await
        .expect("submit");
    let generated = client
        .generate_filings(pb::GenerateFilingsRequest {
            scope: sacramento(),
            idempotency_key: key("g"),
            court_id: "sac-main".into(),
            agency_id: "da-34".into(),
            document_date: date(2026, 11, 30),
            kinds: vec![pb::DocumentKind::BulkMotion as i32],
            ..Default::default()
        })
        .await
        .expect("generate")
        .into_inner();
    assert_eq!(generated.documents.len(), 1);
    let batch_id = generated.batch.expect("batch").filing_batch_id;
    client
        .mark_filed(pb::MarkFiledRequest {
            scope: sacramento(),
            idempotency_key: key("f"),
            filing_batch_id: batch_id.clone(),
            filed_on: date(2026, 12, 1),
            ..Default::default()
        })
        .await
        .expect("filed");
    for f in filings(
        &mut client,
        pb::ListFilingsRequest {
            filing_batch_id: batch_id,
            ..Default::default()
        },
    )
    .await
    {
        client
            .record_outcome(outcome(
                &format!("o-{}", f.filing_id),
                &f.filing_id,
                pb::CourtDecision::Granted,
                2,
                "ORD",
            ))
            .await
            .expect("granted");
    }
    let report = |run_id: &str, group_by: Vec<pb::ImpactDimension>| pb::ImpactReportRequest {
        scope: sacramento(),
        run_id: run_id.into(),
        group_by: group_by.into_iter().map(|d| d as i32).collect(),
        min_cell_size: 3,
        ..Default::default()
    };
    let cell = |relief: common::ReliefType,
                section: &str,
                people: i64,
                convictions: i64,
                suppressed: bool| pb::ImpactCell {
        relief_type: relief as i32,
        code_section: section.into(),
        race: String::new(),
        people,
        convictions,
        suppressed,
    };
    let run1 = client
        .impact_report(report("run-1", vec![]))
        .await
        .expect("impact")
        .into_inner();
    assert_eq!(run1.min_cell_size, 11);
    assert_eq!(
        run1.cells,
        vec![
            cell(DismissAndSeal, "", 0, 0, true),
            cell(RedesignateMisdemeanor, "", 0, 0, true)
        ]
    );
    assert_eq!(
        run1.total,
        Some(cell(common::ReliefType::Unspecified, "", 17, 18, false))
    );
    assert_eq!(run1.suppressed_cells, 2);
    // The whole county by relief type: 26 dismissal people, 3 redesignation; the small one
    // is withheld, and with it the only other cell.
    let county = client
        .impact_report(report("", vec![pb::ImpactDimension::ReliefType]))
        .await
        .expect("impact")
        .into_inner();
    assert_eq!(
        county.cells,
        vec![
            cell(DismissAndSeal, "", 0, 0, true),
            cell(RedesignateMisdemeanor, "", 0, 0, true)
        ]
    );
    assert_eq!(
        county.total,
        Some(cell(common::ReliefType::Unspecified, "", 29, 30, false))
    );
    // By section: 11357 has 14 people, 11359 has 4 (P00 and three), 11360 has 12: the
    // 4-person cell and the next smallest (12) are withheld.
    let sections = client
        .impact_report(report("", vec![pb::ImpactDimension::CodeSection]))
        .await
        .expect("impact")
        .into_inner();
    assert_eq!(
        sections.cells,
        vec![
            cell(common::ReliefType::Unspecified, "11357", 14, 14, false),
            cell(common::ReliefType::Unspecified, "11359", 0, 0, true),
            cell(common::ReliefType::Unspecified, "11360", 0, 0, true),
        ]
    );
    server.stop().await;
    db.cleanup().await;
}

#[tokio::test]
async fn sqlite_lifecycle() {
    lifecycle(false).await;
}

#[tokio::test]
async fn postgres_lifecycle() {
    lifecycle(true).await;
}

#[tokio::test]
async fn sqlite_impact_suppression() {
    impact_suppression(false).await;
}

#[tokio::test]
async fn postgres_impact_suppression() {
    impact_suppression(true).await;
}

/// The real typesetter behind GenerateFilings: every kind is rendered, stored and
/// downloadable, and regenerating gives byte-identical files. Fails (FAILED_PRECONDITION
/// "could not be rendered") until `render_batch` is written.
#[tokio::test]
async fn sqlite_real_renderer_regenerates_identical_bytes() {
    let db = TestDatabase::new(false, "filing").await;
    let server = Running::start(
        |listener, shutdown| cmr_filing::run(FilingConfig::new(db.url()), listener, shutdown),
        FilingServiceClient::connect,
    )
    .await;
    let mut client = server.client.clone();
    put_court(&mut client, "sac-main", MAIN_ORI).await;
    client
        .submit_verified_relief(pb::SubmitVerifiedReliefRequest {
            scope: sacramento(),
            idempotency_key: key("r"),
            items: items(),
        })
        .await
        .expect("submit");
    let generated = client
        .generate_filings(pb::GenerateFilingsRequest {
            scope: sacramento(),
            idempotency_key: key("g"),
            court_id: "sac-main".into(),
            agency_id: "da-34".into(),
            signer: signer(),
            document_date: date(2026, 11, 30),
            ..Default::default()
        })
        .await
        .expect("the real renderer renders every document")
        .into_inner();
    assert!(
        generated.documents.len() >= 4,
        "{:?}",
        generated.documents.len()
    );
    let batch_id = generated.batch.expect("batch").filing_batch_id;
    let regenerated = client
        .generate_filings(pb::GenerateFilingsRequest {
            scope: sacramento(),
            idempotency_key: key("g2"),
            filing_batch_id: batch_id,
            ..Default::default()
        })
        .await
        .expect("regenerate")
        .into_inner();
    assert_eq!(regenerated.documents.len(), generated.documents.len());
    for (old, new) in generated.documents.iter().zip(&regenerated.documents) {
        assert_eq!((old.kind, &old.subject_id), (new.kind, &new.subject_id));
        assert_eq!(old.file, new.file, "same input, same bytes");
        let (info, bytes) = download(&mut client, &new.document_id).await;
        assert_eq!(info.sha256, hex_sha256(&bytes));
    }
    server.stop().await;
    db.cleanup().await;
}
